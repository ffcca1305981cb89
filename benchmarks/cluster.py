"""Past one machine, measured: the default run against `--workers 2` and `--dask-address` (a Dask
`LocalCluster` of 2 worker processes standing in for other machines), on the same synthetic corpus.

In: a number of articles (default 3,000, as the issue asks; `--articles 300` for a quick check) and how
many rounds (`--rounds 2` interleaves the modes: default, workers, dask, default, …, so load on a shared
machine hits them alike). Out: a table on stdout, per mode: wall seconds, articles/s, CPU seconds (user +
sys of every process that worked for the run: the CLI, its spaCy/extraction and local Dask workers, its
Prefect server, and for `--dask-address` the cluster's processes), CPU ms per article, the ratio of
articles/s to the default, events loaded, and whether the warehouse holds exactly the default run's rows.

Every mode is a user's `newsevents run <corpus> --db <fresh file>` in a subprocess. The `LocalCluster` is
started before its run's clock starts (a standing cluster), but its workers load spaCy and the
dictionaries on their first batch, inside the clock, as a fresh cluster's would.

Usage: `uv run python benchmarks/cluster.py --articles 3000` (2 cores, quiet machine: roughly 15 minutes
per mode at 3,000). `--modes default dask` runs a subset; `--keep DIR` keeps corpus and warehouses.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import make_corpus  # noqa: E402
from benchmarks.incremental import newsevents  # noqa: E402
from benchmarks.throughput import ENV  # noqa: E402

MODES = ("default", "workers", "dask")


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _tree_cpu(pids: list[int]) -> float:
    """CPU seconds so far of these processes (and of their children they have waited for)."""
    import psutil

    total = 0.0
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            t = psutil.Process(pid).cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
    return total


def run_cli(corpus: Path, db: Path, extra: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one `newsevents run` (the CLI and every descendant it waited for)."""
    for stale in db.parent.glob(db.name + "*"):
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    env = {**{k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}, **ENV, "NEWSEVENTS_DATA_DOCS": "false"}
    cpu0, t0 = _children_cpu(), time.perf_counter()
    proc = subprocess.run(
        [*newsevents(), "run", str(corpus), "--db", str(db), *extra], env=env, capture_output=True, text=True, cwd=ROOT
    )
    wall, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
    if proc.returncode != 0:
        sys.exit(f"newsevents run {' '.join(extra)} failed: {(proc.stderr or proc.stdout).strip()[-2000:]}")
    return wall, cpu


def measure(mode: str, corpus: Path, db: Path) -> dict:
    if mode == "default":
        wall, cpu = run_cli(corpus, db, [])
    elif mode == "workers":
        wall, cpu = run_cli(corpus, db, ["--workers", "2"])
    else:
        import psutil
        from distributed import LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            me = psutil.Process()
            pids = [p.pid for p in me.children(recursive=True)]
            before = _tree_cpu(pids)
            wall, cpu = run_cli(corpus, db, ["--dask-address", cluster.scheduler_address])
            cpu += _tree_cpu(pids) - before
    return {"wall": wall, "cpu": cpu, **rows(db)}


def rows(db: Path) -> dict:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        events = con.sql("SELECT * EXCLUDE (run_id) FROM events ORDER BY event_id").fetchall()
        actors = con.sql("SELECT * FROM actors ORDER BY actor_id").fetchall()
        sources = con.execute("SELECT count(*) FROM sources").fetchone()[0]
    finally:
        con.close()
    return {"events": len(events), "sources": sources, "fingerprint": hash((tuple(events), tuple(map(str, actors))))}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=1, help="run every mode this many times, interleaved")
    ap.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", type=Path, default=None, help="keep the corpus and the warehouses here")
    args = ap.parse_args(argv)

    work = args.keep or Path(tempfile.mkdtemp(prefix="newsevents-cluster-"))
    corpus = work / f"corpus_{args.articles}"
    make_corpus(args.articles, args.seed, corpus)
    results: dict[str, list[dict]] = {m: [] for m in args.modes}
    for r in range(args.rounds):
        for mode in args.modes:
            load = os.getloadavg()[0]
            print(f"round {r + 1}, {mode}: {args.articles} articles, load {load:.1f} …", file=sys.stderr, flush=True)
            got = measure(mode, corpus, work / f"{mode}.duckdb")
            got["load"] = load
            results[mode].append(got)
            print(f"  {got['wall']:.1f} s wall, {got['cpu']:.1f} s CPU", file=sys.stderr, flush=True)

    first = args.modes[0]
    base = min(x["wall"] for x in results[first])
    reference = results[first][0]["fingerprint"]
    print(f"cores: {os.cpu_count()}; {args.articles} articles; best of {args.rounds} round(s) per mode")
    print("| mode | wall s | articles/s | vs " + first + " | CPU s | CPU ms/article | events | same rows | load avg |")
    print("|---|---:|---:|---:|---:|---:|---:|---|---|")
    flags = {"default": "", "workers": "--workers 2", "dask": "--dask-address (LocalCluster, 2 workers)"}
    for mode in args.modes:
        best = min(results[mode], key=lambda x: x["wall"])
        same = all(x["fingerprint"] == reference for x in results[mode])
        loads = " ".join(f"{x['load']:.1f}" for x in results[mode])
        print(
            f"| {mode} {flags[mode]} | {best['wall']:.1f} | {args.articles / best['wall']:.2f} | "
            f"{base / best['wall']:.2f}x | {best['cpu']:.0f} | {1000 * best['cpu'] / args.articles:.0f} | "
            f"{best['events']} | {'yes' if same else 'NO'} | {loads} |"
        )
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

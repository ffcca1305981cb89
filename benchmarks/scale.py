"""How the cost of a run grows with the corpus: 1,000, 3,000 and 9,000 articles (and 30,000 when asked).

In: corpus sizes (synthetic news-like articles of 500–800 words from `benchmarks/corpus.py`, seed 7) and a
scratch folder. Out: one table on stdout, a column per size and a ratio to the first (smallest) size:

- full run into a fresh warehouse (`run_pipeline` in a fresh process, as `benchmarks/throughput.py`
  runs it): articles/s, words/s, seconds per stage, peak RSS of the flow's process and of its process
  tree (spaCy/extraction workers and Prefect's server included), warehouse size on disk;
- no-op re-run: `newsevents run` on the same folder (nothing new), seconds and share of the full run;
- +1 % new files: that many new articles dropped in, `newsevents run` again, seconds and share;
- the views an analyst opens first, each fetched whole (Arrow) from the finished warehouse:
  `event_facts`, `event_clusters`, `dyad_daily`, and a full scan of `events`.

Every run of a size uses a cache folder of its own (`<dir>/cache_<n>`: the start-up cache the full run stores
and the CLI runs read, and the helpers the +1 % run starts cold and keeps): the user's cache is never touched,
and the kept helpers are stopped once the size is measured (as `benchmarks/incremental.py` does), so nothing
the benchmark started is left running.

Usage: `uv run python benchmarks/scale.py` (sizes 1000 3000 9000; `--sizes 1000` for one, `--with-30000`
to add 30,000; `--dir /tmp/ne-scale` keeps the corpora and warehouses there). 2 cores: about 4 minutes
per 1,000 articles on a quiet machine. The load average is printed with each size: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import make_corpus  # noqa: E402
from benchmarks.incremental import newsevents  # noqa: E402
from benchmarks.throughput import ENV, STAGES, _spawn  # noqa: E402

VIEWS = {
    "view event_facts s": "SELECT * FROM event_facts",
    "view event_clusters s": "SELECT * FROM event_clusters",
    "view dyad_daily s": "SELECT * FROM dyad_daily",
    "full scan of events s": "SELECT * FROM events",
}


def stop_helpers(cache: Path) -> None:
    """End the helpers the runs kept in `cache` (the +1 % run's Prefect server and Data Docs helper)."""
    from flows import keep
    from flows.settings import Settings

    keep.stop(Settings(cache_dir=str(cache)))


def cli_run(inbox: Path, db: Path) -> float:
    """Seconds of one `newsevents run` as a user starts it (a subprocess, the CLI's own plan included)."""
    env = {**{k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}, **ENV}
    t = time.perf_counter()
    proc = subprocess.run(
        [*newsevents(), "run", str(inbox), "--db", str(db)], env=env, capture_output=True, text=True, cwd=ROOT
    )
    if proc.returncode != 0:
        sys.exit(f"newsevents run failed ({proc.returncode}): {(proc.stderr or proc.stdout).strip()[-2000:]}")
    return time.perf_counter() - t


def view_seconds(db: Path) -> dict[str, float]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        # not timed: the first Arrow fetch imports pyarrow (0.3 s quiet, seconds on a busy machine), which
        # the first view timed used to pay
        con.sql("SELECT 1").to_arrow_table()
        for name, sql in VIEWS.items():
            t = time.perf_counter()
            con.sql(sql).to_arrow_table()
            out[name] = time.perf_counter() - t
        out["events rows"] = con.execute("SELECT count(*) FROM events").fetchone()[0]
        return out
    finally:
        con.close()


def disk_mb(db: Path) -> float:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*") if p.is_file()) / 1024 / 1024


def measure(n: int, seed: int, work: Path) -> dict[str, float]:
    extra = max(1, n // 100)
    staged = make_corpus(n + extra, seed, work / f"staged_{n}")
    inbox, db, cache = work / f"inbox_{n}", work / f"scale_{n}.duckdb", work / f"cache_{n}"
    shutil.rmtree(inbox, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)  # empty: the full run stores the start-up cache, the CLI runs read it
    for stale in work.glob(f"scale_{n}.duckdb*"):
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    inbox.mkdir(parents=True)
    for p in staged[:n]:
        shutil.copy(p, inbox / p.name)
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in staged[:n])
    load = os.getloadavg()[0]
    print(f"{n} articles ({words} words), load {load:.1f}: full run …", file=sys.stderr, flush=True)
    os.environ["NEWSEVENTS_CACHE_DIR"] = str(cache)  # the flow child's and the CLI runs' (read by their settings)
    try:
        row = _runs(n, words, load, inbox, db, staged)
    finally:
        stop_helpers(cache)
    row |= view_seconds(db)
    return row


def _runs(n: int, words: int, load: float, inbox: Path, db: Path, staged: list[Path]) -> dict:
    """The full run, the no-op re-run and the +1 % run of one size (see `measure`)."""
    extra = len(staged) - n
    flow = _spawn(["--child", "flow", "--corpus", str(inbox), "--db", str(db)])
    if flow["loaded"] != n:
        print(f"warning: {flow['loaded']} of {n} articles loaded", file=sys.stderr)
    row: dict[str, float] = {
        "load average at start": load,
        "articles/s": n / flow["seconds"],
        "words/s": words / flow["seconds"],
        "full run s": flow["seconds"],
    }
    stages = dict(flow["stages"])
    for name in STAGES + sorted(set(stages) - set(STAGES)):
        if name in stages:
            row[f"stage {name} s"] = stages[name]
    row["stage Prefect and other s"] = max(0.0, flow["seconds"] - sum(stages.values()))
    row["peak RSS flow MB"] = flow["rss_self"] / 1024 / 1024
    row["peak RSS tree MB"] = flow["rss_tree"] / 1024 / 1024
    row["warehouse MB"] = disk_mb(db)
    print(f"{n} articles: no-op re-run …", file=sys.stderr, flush=True)
    noop = cli_run(inbox, db)
    for p in staged[n:]:
        shutil.copy(p, inbox / p.name)
    print(f"{n} articles: +{extra} new files …", file=sys.stderr, flush=True)
    plus = cli_run(inbox, db)
    return row | {
        "no-op re-run s": noop,
        "no-op share of full %": 100 * noop / flow["seconds"],
        "+1 % new files s": plus,
        "+1 % share of full %": 100 * plus / flow["seconds"],
    }


def table(results: dict[int, dict[str, float]]) -> str:
    sizes = list(results)
    first = sizes[0]
    names = list(dict.fromkeys(k for r in results.values() for k in r))
    head = "| figure | " + " | ".join([f"{n} articles" for n in sizes] + [f"{n} / {first}" for n in sizes[1:]]) + " |"
    lines = [head, "|---|" + "---:|" * (2 * len(sizes) - 1)]
    for name in names:
        vals = [results[n].get(name) for n in sizes]
        cells = [("—" if v is None else f"{v:.3f}" if abs(v) < 10 else f"{v:.1f}") for v in vals]
        base = results[first].get(name)
        ratios = [
            "—" if v is None or not base else f"{v / base:.2f}x" for v in (results[n].get(name) for n in sizes[1:])
        ]
        lines.append(f"| {name} | " + " | ".join(cells + ratios) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000, 9000])
    ap.add_argument("--with-30000", action="store_true", help="add the 30,000-article corpus")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--dir", type=Path, default=None, help="keep corpora and warehouses here")
    args = ap.parse_args(argv)
    sizes = sorted(set(args.sizes) | ({30000} if args.with_30000 else set()))
    work = args.dir or Path(os.environ.get("TMPDIR", "/tmp")) / "ne-scale"
    work.mkdir(parents=True, exist_ok=True)
    results = {}
    for n in sizes:
        results[n] = measure(n, args.seed, work)
        print(table(results), file=sys.stderr, flush=True)  # what is known so far, in case a later size fails
    print(f"cores: {os.cpu_count()}")
    print(table(results))
    if args.dir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

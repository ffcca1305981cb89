"""What an incremental run costs next to a full one.

In: a corpus size (default 300 articles of 500–800 words from
`benchmarks/corpus.py`, seed 7) and a scratch folder. Out: a table of wall
seconds and ratios to the full run, each run a subprocess of the installed
`newsevents run` command, exactly as a user runs it:

- full: every article coded into a fresh warehouse, with an empty start-up cache (flows/warm_cache.py, in
  the scratch folder: it parses the dictionaries, builds the matchers and stores them) and no kept helper
  (flows/keep.py, in the scratch folder too): it starts the Prefect API server and the Data Docs helper
  cold, and leaves them running;
- no-op: the same folder again (nothing changed: the CLI's plan finds no work and starts no flow);
- +5 files: five new articles dropped in, once every kept helper answers (the run goes through the kept
  run zygote, flows/zygote.py, which the full run started at its end and which binds its socket once it has
  loaded: a user's next run minutes later finds it so; the seconds waited are printed): a child of the
  zygote runs it against the kept, warm Prefect server and Data Docs helper;
- +5 files, keep-alive off: five more with `--no-keep` (the run boots Prefect's temporary server and a
  Data Docs helper of its own, as before the helpers were kept);
- +5 files, server (with `--server`): five more, with `PREFECT_API_URL` pointing at a
  long-lived `prefect server start` this script starts and stops.

Each row gives the wall seconds, the CPU seconds of the run's process tree (the process and the children
it waited for) and those the kept helpers spent while it ran, with the zygote's children it reaped (a run
through the zygote is its child: the CLI's own tree is only the thin client);
then what stays running after the runs and its memory. The kept helpers are stopped at the end.

Usage: `uv run python benchmarks/incremental.py [--n 300] [--server] [--dir /tmp/ne-incr]`.
Targets (issue 13): no-op ≤ 3 % of full, +5 files ≤ 15 %.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import make_corpus  # noqa: E402


def newsevents() -> list[str]:
    exe = ROOT / ".venv" / "bin" / "newsevents"
    return [str(exe)] if exe.exists() else ["uv", "run", "newsevents"]


def _helpers(env: dict) -> list:
    from flows import keep
    from flows.settings import Settings

    return keep.entries(Settings(cache_dir=env["NEWSEVENTS_CACHE_DIR"]))


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + sys) a live process has used, with its children it waited for (the kept zygote's
    runs), 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def wait_for_helpers(env: dict, timeout: float = 120.0) -> float:
    """Wait until every kept helper answers (the zygote binds its socket once it has loaded); the seconds."""
    from flows import keep

    t = time.perf_counter()
    while time.perf_counter() - t < timeout:
        found = _helpers(env)
        if found and all(keep.accepts(k.socket) if k.socket else keep.healthy(k.url) for k in found):
            break
        time.sleep(0.2)
    return time.perf_counter() - t


def timed_run(inbox: Path, db: Path, env: dict, *flags: str) -> tuple[float, str, float, float]:
    """Wall seconds, stdout, CPU of the run's tree, CPU the kept helpers spent meanwhile (started or found)."""
    before = {k.pid: _cpu_of(k.pid) for k in _helpers(env)}
    t = time.perf_counter()
    proc = subprocess.Popen(
        [*newsevents(), "run", str(inbox), "--db", str(db), *flags],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - t
    if proc.returncode != 0:
        sys.exit(f"newsevents run failed ({proc.returncode}): {stderr.strip() or stdout.strip()}")
    tree = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = tree.ru_utime + tree.ru_stime - _CHILDREN_CPU[0]
    _CHILDREN_CPU[0] += cpu
    helpers = sum(_cpu_of(k.pid) - before.get(k.pid, 0.0) for k in _helpers(env))
    return seconds, stdout, cpu, helpers


_CHILDREN_CPU = [0.0]  # this script's waited-for children's CPU so far (RUSAGE_CHILDREN is cumulative)


def counts(stdout: str) -> str:
    """This run's figures from the CLI's summary table (files seen, loaded, skipped, quarantined, events)."""
    wanted = {"files seen": "seen", "sources loaded": "loaded", "skipped (unchanged)": "skipped"}
    wanted |= {"quarantined": "quarantined", "events": "events"}
    got: dict[str, str] = {}
    for line in stdout.splitlines():
        cells = [c.strip() for c in line.strip().strip("│┃").split("│")]
        if len(cells) >= 2 and cells[0] in wanted and cells[0] not in got and cells[1].isdigit():
            got[cells[0]] = cells[1]
    return " ".join(f"{wanted[k]} {got[k]}" for k in wanted if k in got) or "?"


def start_server(port: int, env: dict) -> tuple[subprocess.Popen, str]:
    url = f"http://127.0.0.1:{port}/api"
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / "ne-bench-prefect-server.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    sys.exit(f"prefect server did not start on {url}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/ne-incremental"))
    ap.add_argument("--server", action="store_true", help="also measure +5 files against a long-lived Prefect server")
    ap.add_argument("--port", type=int, default=4299)
    args = ap.parse_args(argv)

    shutil.rmtree(args.dir, ignore_errors=True)
    staged = make_corpus(args.n + (15 if args.server else 10), args.seed, args.dir / "staged")
    inbox, db = args.dir / "inbox", args.dir / "bench.duckdb"
    inbox.mkdir(parents=True)
    for p in staged[: args.n]:
        shutil.copy(p, inbox / p.name)
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in staged[: args.n])
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    env["NEWSEVENTS_CACHE_DIR"] = str(args.dir / "cache")  # empty: the full run stores it, later runs read it
    env.pop("NEWSEVENTS_KEEP_HELPERS", None)  # the CLI's default: kept

    rows: list[tuple[str, float, str, float, float]] = []
    staying, waited = "", 0.0
    try:
        seconds, out, cpu, helpers = timed_run(inbox, db, env)
        rows.append(("full (starts the helpers cold)", seconds, counts(out), cpu, helpers))
        seconds, out, cpu, helpers = timed_run(inbox, db, env)
        rows.append(("no-op (same files)", seconds, counts(out), cpu, helpers))
        for p in staged[args.n : args.n + 5]:
            shutil.copy(p, inbox / p.name)
        waited = wait_for_helpers(env)
        seconds, out, cpu, helpers = timed_run(inbox, db, env)
        rows.append(("+5 files (kept helpers, warm)", seconds, counts(out), cpu, helpers))
        staying = "; ".join(f"{k.kind} pid {k.pid} RSS {_rss(k.pid)}" for k in _helpers(env)) or "nothing"
        for p in staged[args.n + 5 : args.n + 10]:
            shutil.copy(p, inbox / p.name)
        seconds, out, cpu, helpers = timed_run(inbox, db, env, "--no-keep")
        rows.append(("+5 files (keep-alive off: own server and docs helper)", seconds, counts(out), cpu, helpers))
        if args.server:
            proc, url = start_server(args.port, env)
            try:
                for p in staged[args.n + 10 : args.n + 15]:
                    shutil.copy(p, inbox / p.name)
                seconds, out, cpu, helpers = timed_run(inbox, db, {**env, "PREFECT_API_URL": url})
                rows.append(("+5 files (prefect server)", seconds, counts(out), cpu, helpers))
            finally:
                proc.terminate()
                proc.wait(timeout=30)
    finally:
        from flows import keep
        from flows.settings import Settings

        keep.stop(Settings(cache_dir=env["NEWSEVENTS_CACHE_DIR"]))

    full = rows[0][1]
    print(f"\n{args.n} articles, {words} words ({words / args.n:.0f} a file), seed {args.seed}\n")
    print("| run | seconds | ratio to full | CPU s, run's tree | CPU s, kept helpers | summary |")
    print("|---|---:|---:|---:|---:|---|")
    for name, seconds, summary, cpu, helpers in rows:
        print(f"| {name} | {seconds:.1f} | {seconds / full:.1%} | {cpu:.1f} | {helpers:.1f} | {summary} |")
    print(f"\nRunning between runs (kept helpers, stopped at the end): {staying}")
    print(f"Waited {waited:.1f} s after the no-op run for the kept helpers to answer (a zygote loads for seconds)")


def _rss(pid: int) -> str:
    from flows import keep

    mb = keep.rss_mb(pid)
    return f"{mb:.0f} MB" if mb is not None else "?"


if __name__ == "__main__":
    main()

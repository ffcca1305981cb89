"""What an incremental run costs next to a full one.

In: a corpus size (default 300 articles of 500–800 words from
`benchmarks/corpus.py`, seed 7) and a scratch folder. Out: a table of wall
seconds and ratios to the full run, each run a subprocess of the installed
`newsevents run` command, exactly as a user runs it:

- full: every article coded into a fresh warehouse (ephemeral Prefect API), with an empty start-up cache
  (flows/warm_cache.py, in the scratch folder): it parses the dictionaries, builds the matchers and stores them;
- no-op: the same folder again (nothing changed: the CLI's plan finds no work and starts no flow);
- +5 files: five new articles dropped in (a flow runs on the ephemeral API; the dictionaries and matchers
  come from the start-up cache);
- +5 files, server (with `--server`): five more, with `PREFECT_API_URL` pointing at a
  long-lived `prefect server start` this script starts and stops.

Usage: `uv run python benchmarks/incremental.py [--n 300] [--server] [--dir /tmp/ne-incr]`.
Targets (issue 13): no-op ≤ 3 % of full, +5 files ≤ 15 %.
"""

from __future__ import annotations

import argparse
import os
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


def timed_run(inbox: Path, db: Path, env: dict) -> tuple[float, str]:
    t = time.perf_counter()
    proc = subprocess.run(
        [*newsevents(), "run", str(inbox), "--db", str(db)], env=env, capture_output=True, text=True, cwd=ROOT
    )
    seconds = time.perf_counter() - t
    if proc.returncode != 0:
        sys.exit(f"newsevents run failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}")
    return seconds, proc.stdout


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
    staged = make_corpus(args.n + 10, args.seed, args.dir / "staged")
    inbox, db = args.dir / "inbox", args.dir / "bench.duckdb"
    inbox.mkdir(parents=True)
    for p in staged[: args.n]:
        shutil.copy(p, inbox / p.name)
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in staged[: args.n])
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    env["NEWSEVENTS_CACHE_DIR"] = str(args.dir / "cache")  # empty: the full run stores it, later runs read it

    rows: list[tuple[str, float, str]] = []
    seconds, out = timed_run(inbox, db, env)
    rows.append(("full", seconds, counts(out)))
    seconds, out = timed_run(inbox, db, env)
    rows.append(("no-op (same files)", seconds, counts(out)))
    for p in staged[args.n : args.n + 5]:
        shutil.copy(p, inbox / p.name)
    seconds, out = timed_run(inbox, db, env)
    rows.append(("+5 files (ephemeral API)", seconds, counts(out)))
    if args.server:
        proc, url = start_server(args.port, env)
        try:
            for p in staged[args.n + 5 : args.n + 10]:
                shutil.copy(p, inbox / p.name)
            seconds, out = timed_run(inbox, db, {**env, "PREFECT_API_URL": url})
            rows.append(("+5 files (prefect server)", seconds, counts(out)))
        finally:
            proc.terminate()
            proc.wait(timeout=30)

    full = rows[0][1]
    print(f"\n{args.n} articles, {words} words ({words / args.n:.0f} a file), seed {args.seed}\n")
    print("| run | seconds | ratio to full | summary |\n|---|---:|---:|---|")
    for name, seconds, summary in rows:
        print(f"| {name} | {seconds:.1f} | {seconds / full:.1%} | {summary} |")


if __name__ == "__main__":
    main()

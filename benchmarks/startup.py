"""How long a user waits: `uv run newsevents --help`, a no-op run and a seeds run, against `uv run python -c pass`.

In: nothing (run from the repository root: `uv run python benchmarks/startup.py [--repeat N]`). Out: a table
on stdout: for each command the median wall seconds of N warm runs (after one untimed warm-up), the same
minus the `uv run python -c pass` baseline measured in the same session, and whether uv said it compiled
bytecode (it must not: no `compile-bytecode` in pyproject's [tool.uv]). The seeds run codes seeds/ into a
new temporary warehouse each time (one run by default: it is the slow one); the no-op run then runs on it
again (nothing new: no flow, no spaCy model, no Prefect).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(cmd: list[str]) -> tuple[float, bool]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {proc.stderr.strip()[-500:]}")
    return seconds, "Bytecode compiled" in proc.stderr


def median_of(cmd: list[str], repeat: int, warm: bool = True) -> tuple[float, bool]:
    if warm:
        timed(cmd)
    runs = [timed(cmd) for _ in range(repeat)]
    return statistics.median(s for s, _ in runs), any(c for _, c in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per fast command")
    parser.add_argument("--seeds-repeat", type=int, default=1, help="timed seeds runs (each on a new warehouse)")
    args = parser.parse_args()
    rows = []
    base, compiled = median_of(["uv", "run", "python", "-c", "pass"], args.repeat)
    rows.append(("uv run python -c pass", base, compiled))
    rows.append(("uv run newsevents --help", *median_of(["uv", "run", "newsevents", "--help"], args.repeat)))
    with tempfile.TemporaryDirectory(prefix="newsevents-startup-") as tmp:
        seeds = []
        for i in range(args.seeds_repeat):
            db = Path(tmp) / f"seeds{i}.duckdb"
            seeds.append(timed(["uv", "run", "newsevents", "run", "--db", str(db)]))
        noop = median_of(["uv", "run", "newsevents", "run", "--db", str(Path(tmp) / "seeds0.duckdb")], args.repeat)
        rows.append(("uv run newsevents run (nothing new)", *noop))
        rows.append(
            ("uv run newsevents run (seeds, new warehouse)", statistics.median(s for s, _ in seeds), seeds[0][1])
        )
    print(f"{'command':48} {'median s':>9} {'minus baseline':>15}  bytecode compiled")
    for name, seconds, compiled_ in rows:
        print(f"{name:48} {seconds:9.2f} {seconds - base:15.2f}  {'yes' if compiled_ else 'no'}")


if __name__ == "__main__":
    main()

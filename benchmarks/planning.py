"""What planning costs when nothing changed: 10,000 small known files and a 150-page WARC archive.

In: a scratch folder and, optionally, a second checkout to compare with (`--before`, e.g. an export of
main: `git archive main | tar -x -C /tmp/ne-main`). Out: a table of wall seconds per step, each step a
subprocess running the given checkout's code (`PYTHONPATH` first, the same virtual environment):

- full: the corpus coded into a fresh warehouse by the before-checkout (this one when not given);
- no-op (before): the same inputs again with the before-checkout (the CLI's plan, no flow);
- upgrade run (after): this checkout on a copy of that warehouse: migrates it, reads every file once
  more and writes the `input_files` rows;
- no-op (after): the same inputs again: each file costs one stat;
- plan only: discovery + known sources + `plan_run`, in process, for both checkouts.

Corpus: 10,000 one-sentence articles (protest, strike, arrest, aid… in many countries, seed 7) and a
150-page WARC.gz with a request record and a 20 KB image per page (`benchmarks.warc_memory`).

Usage: `uv run python benchmarks/planning.py [--before /tmp/ne-main] [--files 10000] [--pages 150]
[--dir /tmp/ne-plan]`.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.warc_memory import sentence, write_archive  # noqa: E402

PLAN_ONLY = """
import sys, time
from pathlib import Path
t = time.perf_counter()
from flows.discover import discover, warehouse_companions
from flows.incremental import plan_run, read_known
from transforms.extract import extractor_version
from transforms.lexicon import load_lexicon
from warehouse.connect import connect
db = Path(sys.argv[2])
version = extractor_version(load_lexicon())
t = time.perf_counter()
con = connect(db)
known = read_known(con)
con.close()
plan = plan_run(discover([sys.argv[1]], warehouse_companions(db)), known, version)
print(f"{time.perf_counter() - t:.3f} {plan.todo_documents} {plan.skipped}")
"""


def make_files(folder: Path, n: int) -> None:
    rng = random.Random(7)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"{i:05d}.txt").write_text(f"Story {i}\n\n{sentence(rng)}\n", encoding="utf-8")


def env_for(code: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(code), NO_COLOR="1")
    env.pop("PREFECT_API_URL", None)
    return env


def run(code: Path, inputs: Path, db: Path) -> float:
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", "from flows.cli import main; main()", "run", str(inputs), "--db", str(db)],
        env=env_for(code),
        capture_output=True,
        text=True,
        cwd=code,
    )
    if proc.returncode != 0:
        sys.exit(f"newsevents run failed ({proc.returncode}): {proc.stderr.strip()[-400:] or proc.stdout[-400:]}")
    return time.perf_counter() - t


def plan_only(code: Path, inputs: Path, db: Path) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", PLAN_ONLY, str(inputs), str(db)],
        env=env_for(code),
        capture_output=True,
        text=True,
        cwd=code,
    )
    if proc.returncode != 0:
        sys.exit(f"planning failed: {proc.stderr.strip()[-400:]}")
    seconds, todo, skipped = proc.stdout.split()
    return f"{float(seconds):.2f} s (to code {todo}, unchanged {skipped})"


def measure(name: str, inputs: Path, work: Path, before: Path) -> None:
    slug = name.split()[0] + "-" + name.split()[-1].lower()
    db_before, db_after = work / f"{slug}-before.duckdb", work / f"{slug}-after.duckdb"
    for p in work.glob(f"{slug}-*.duckdb*"):
        p.unlink()
    print(f"\n## {name}")
    print(f"full run (before): {run(before, inputs, db_before):.1f} s")
    print(f"no-op run (before): {run(before, inputs, db_before):.1f} s")
    print(f"plan only (before): {plan_only(before, inputs, db_before)}")
    shutil.copy(db_before, db_after)
    print(f"upgrade run (after: migrates, reads each file once more, records it): {run(ROOT, inputs, db_after):.1f} s")
    print(f"no-op run (after): {run(ROOT, inputs, db_after):.1f} s")
    print(f"plan only (after): {plan_only(ROOT, inputs, db_after)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", type=Path, default=ROOT, help="a checkout to compare with (default: this one)")
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--pages", type=int, default=150)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/ne-plan"))
    args = ap.parse_args()
    small, archive = args.dir / "small", args.dir / "warc"
    if not small.exists() or len(list(small.iterdir())) != args.files:
        shutil.rmtree(small, ignore_errors=True)
        make_files(small, args.files)
    archive.mkdir(parents=True, exist_ok=True)
    warc = archive / f"bench-{args.pages}.warc.gz"
    if not warc.exists():
        write_archive(warc, args.pages, image_kb=20)
    print(f"before: {args.before.resolve()}  after: {ROOT}")
    measure(f"{args.files} small files", small, args.dir, args.before.resolve())
    measure(f"{args.pages}-page WARC", archive, args.dir, args.before.resolve())


if __name__ == "__main__":
    main()

"""Time and peak memory of the largest hostile inputs: a single line of N characters and a one-word file.

In: sizes in characters (default 200,000 and 1,400,000 for the single line; 200,000 for the word). Out: one
line per input on stdout: characters, pieces spaCy saw, seconds to read+clean, seconds in spaCy, seconds in
extraction, events, and the process's peak RSS. Each input runs in its own subprocess, so the peak RSS is
that input's alone (model loading included, ~170 MB).

Usage: `uv run python benchmarks/hostile.py` (or `--line-sizes 300000` for a quicker look).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(kind: str, size: int) -> dict:
    sys.path.insert(0, str(ROOT))
    from transforms.documents import RawInput
    from transforms.extract import extract_article
    from transforms.lexicon import load_lexicon
    from transforms.nlp import load_nlp, pipe_texts
    from transforms.parse import parse_document

    nlp, lex = load_nlp(), load_lexicon()
    seed = sorted((ROOT / "seeds").glob("*.txt"))[0].read_text(encoding="utf-8").replace("\n", " ").strip() + " "
    data = (seed * (size // len(seed) + 1))[:size] if kind == "line" else "z" * size
    t0 = time.perf_counter()
    doc = parse_document(RawInput("/bench/x.txt", "x.txt", data.encode("utf-8")))
    t1 = time.perf_counter()
    [pieces] = list(pipe_texts(nlp, [doc.text]))
    t2 = time.perf_counter()
    rows = extract_article(doc, pieces, lex)
    t3 = time.perf_counter()
    return {
        "input": f"{kind} of {size:,} chars",
        "pieces": len(pieces),
        "read+clean s": round(t1 - t0, 2),
        "spaCy s": round(t2 - t1, 1),
        "extract s": round(t3 - t2, 1),
        "events": len(rows.events),
        "peak RSS MB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--line-sizes", type=int, nargs="*", default=[200_000, 1_400_000])
    ap.add_argument("--word-size", type=int, default=200_000)
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(measure(args.one[0], int(args.one[1]))))
        return
    jobs = [("word", args.word_size)] + [("line", n) for n in args.line_sizes]
    for kind, size in jobs:
        out = subprocess.run(
            [sys.executable, __file__, "--one", kind, str(size)], capture_output=True, text=True, cwd=ROOT
        )
        if out.returncode:
            print(f"{kind} {size}: failed: {out.stderr.strip().splitlines()[-1:]}")
            continue
        row = json.loads(out.stdout.strip().splitlines()[-1])
        print("  ".join(f"{k}: {v}" for k, v in row.items()), flush=True)


if __name__ == "__main__":
    main()

"""Time and peak memory of the largest hostile inputs.

Kinds: `word` (one 200,000-character word), `line` (a seed article repeated on one line), `names` (a single
line of repeated actor names, places and organisations: the input that made the actor pass quadratic),
`prose` (seed articles repeated as paragraphs: real prose), and `file` (a 19.9 MB prose file read through
the flow's reader and cleaner: refused `too_large` by the `max_chars` limit before any NLP). In: sizes in
characters. Out: one line per input on stdout: characters, pieces spaCy saw, seconds to read+clean,
seconds in spaCy, seconds in extraction, events (or the rejection reason), and the process's peak RSS.
Each input runs in its own subprocess, so the peak RSS is that input's alone (model loading included,
~170 MB). The extraction is measured directly (no `max_chars` limit, no time budget), to show its cost
grows linearly with the text.

Usage: `uv run python benchmarks/hostile.py` (or `--line-sizes 300000 --names-sizes --prose-sizes` for a
quicker look).

Closing note (2 cores shared with other jobs, load ~10; seconds are wall time): see the end of this file.
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


NAMES = (
    "Vladimir Putin, Kim Jong Un, Volodymyr Zelensky, Joe Biden, NATO, the United Nations, Hamas, "
    "Xi Jinping, Russia, Ukraine, the Sea of Japan, New Jersey, North Korean soldiers, the Kremlin, "
)


def measure(kind: str, size: int) -> dict:
    sys.path.insert(0, str(ROOT))
    from transforms.documents import RawInput
    from transforms.extract import extract_article
    from transforms.lexicon import load_lexicon
    from transforms.nlp import load_nlp, pipe_texts
    from transforms.parse import parse_document

    seeds = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    seed = seeds[0].replace("\n", " ").strip() + " "
    if kind == "line":
        data = (seed * (size // len(seed) + 1))[:size]
    elif kind == "names":
        data = (NAMES * (size // len(NAMES) + 1))[:size]
    elif kind in ("prose", "file"):
        prose = "\n\n".join(s.strip() for s in seeds) + "\n\n"
        data = (prose * (size // len(prose) + 1))[:size]
    else:
        data = "z" * size
    t0 = time.perf_counter()
    if kind == "file":  # through the flow's reader and cleaner, with the default size limit
        from transforms.documents import Rejection

        doc = parse_document(RawInput("/bench/big.txt", "big.txt", data.encode("utf-8")))
        assert isinstance(doc, Rejection)
        return {
            "input": f"file of {size:,} chars",
            "read+clean s": round(time.perf_counter() - t0, 2),
            "result": doc.reason,
            "peak RSS MB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }
    nlp, lex = load_nlp(), load_lexicon()
    t0 = time.perf_counter()
    doc = parse_document(RawInput("/bench/x.txt", "x.txt", data.encode("utf-8")), max_chars=len(data) + 1)
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
    ap.add_argument("--names-sizes", type=int, nargs="*", default=[200_000, 1_400_000])
    ap.add_argument("--prose-sizes", type=int, nargs="*", default=[500_000, 1_000_000])
    ap.add_argument("--file-size", type=int, default=19_900_000)
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(measure(args.one[0], int(args.one[1]))))
        return
    jobs = [("file", args.file_size), ("word", args.word_size)] + [("line", n) for n in args.line_sizes]
    jobs += [("names", n) for n in args.names_sizes] + [("prose", n) for n in args.prose_sizes]
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

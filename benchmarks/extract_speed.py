"""The extractor alone: its CPU per document and per second of spaCy parse, and a check that its rows do not change.

In: a fixed corpus parsed once (`--build`): the synthetic corpus (`benchmarks/corpus.py`, 200 articles, seed 7),
the seed articles, the GSR sentences as articles (`/work/shared/eval/gsr.py articles`, when the shared folder is
there), the generality articles and stories; their spaCy docs are kept in a DocBin with the documents beside it,
and the parse's CPU seconds are recorded. Out (default mode): the extraction CPU seconds over those docs
(`transforms.extract.extract_article`, what each worker runs per document after `nlp.pipe`), per document and per
second of parse; `--dump F` writes the rows (events and actor maps, sorted, JSON); `--check REF` compares them
with a dump made earlier (from main) and fails on any difference; `--profile N` prints cProfile's top N by
tottime and by cumtime.

Usage:
    uv run python benchmarks/extract_speed.py --build [--cache /tmp/extract_speed]
    uv run python benchmarks/extract_speed.py --dump /tmp/ref.json            # on main: the reference
    uv run python benchmarks/extract_speed.py --check /tmp/ref.json [--repeat 3]
    uv run python benchmarks/extract_speed.py --profile 25
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from transforms.documents import Document, RawInput  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path("/work/shared")
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "extract_speed"


def _corpus_files(work: Path, n_synthetic: int) -> list[Path]:
    """The input files of the fixed corpus, written under `work` where they are made."""
    synthetic = work / "synthetic"
    if not synthetic.exists():
        subprocess.run(
            [sys.executable, str(ROOT / "benchmarks/corpus.py"), str(n_synthetic), str(synthetic)], check=True
        )
    files = sorted(synthetic.glob("*.txt")) + sorted((ROOT / "seeds").glob("*.txt"))
    gsr = work / "gsr_in"
    if (SHARED / "eval/gsr.py").exists() and not gsr.exists():
        subprocess.run(
            [sys.executable, str(SHARED / "eval/gsr.py"), "articles", "--gsr", str(SHARED / "plover/gsr_dev.jsonl")]
            + ["--out", str(gsr)],
            check=True,
        )
    files += sorted(gsr.glob("*")) if gsr.exists() else []
    files += sorted((ROOT / "benchmarks/generality/articles").glob("*.txt"))
    stories = work / "stories"
    if not stories.exists():
        stories.mkdir()
        for line in (ROOT / "benchmarks/generality/stories.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                story = json.loads(line)
                text = f"{story['title']}\n\n{story['text']}\n"
                (stories / f"{story['id']}.txt").write_text(text, encoding="utf-8")
    return files + sorted(stories.glob("*.txt"))


def _documents(files: list[Path]) -> list[Document]:
    from transforms.parse import parse_document

    docs = []
    for path in files:
        made = parse_document(RawInput(str(path), path.name, path.read_bytes()))
        if isinstance(made, Document):
            docs.append(made)
    return docs


def build(cache: Path, n_synthetic: int) -> None:
    """Parse the corpus once; keep the docs (DocBin), the documents and the parse's CPU seconds."""
    import pickle

    from spacy.tokens import DocBin

    from transforms.nlp import load_nlp, pipe_texts

    cache.mkdir(parents=True, exist_ok=True)
    documents = _documents(_corpus_files(cache, n_synthetic))
    nlp = load_nlp()
    t0 = time.process_time()
    parsed = list(pipe_texts(nlp, [d.text for d in documents]))
    parse_cpu = time.process_time() - t0
    bin_ = DocBin(store_user_data=True)
    layout = []
    for pieces in parsed:
        layout.append([offset for offset, _ in pieces])
        for _, doc in pieces:
            bin_.add(doc)
    bin_.to_disk(cache / "docs.spacy")
    (cache / "documents.pkl").write_bytes(pickle.dumps((documents, layout)))
    words = sum(len(doc) for pieces in parsed for _, doc in pieces)
    meta = {"documents": len(documents), "tokens": words, "parse_cpu_seconds": parse_cpu}
    (cache / "meta.json").write_text(json.dumps(meta, indent=1))
    # the docs read back must code exactly as the docs spaCy gave
    from transforms.lexicon import load_lexicon

    lex = load_lexicon()
    live = _rows(documents, parsed, lex)
    again = _rows(documents, load(cache)[1], lex)
    if live != again:
        raise SystemExit("the DocBin's docs do not code as the live docs: the rig cannot be trusted")
    print(json.dumps(meta))


def load(cache: Path):
    """The documents and, for each, its (offset, Doc) pieces, read back from the cache."""
    import pickle

    from spacy.tokens import DocBin

    from transforms.nlp import load_nlp

    documents, layout = pickle.loads((cache / "documents.pkl").read_bytes())
    docs = iter(DocBin().from_disk(cache / "docs.spacy").get_docs(load_nlp().vocab))
    return documents, [[(offset, next(docs)) for offset in offsets] for offsets in layout]


def _plain(value):
    if isinstance(value, set | frozenset):
        return sorted(value)
    return str(value)


def _rows(documents, parsed, lex) -> list[dict]:
    """Every document's rows as plain sorted JSON-ready dicts (what the dump holds)."""
    from transforms.extract import extract_article

    out = []
    for document, pieces in zip(documents, parsed, strict=True):
        rows = extract_article(document, pieces, lex)
        events = sorted(rows.events, key=lambda r: (r["sentence_start"], r["trigger_start"], r["event_id"]))
        actors = {k: rows.actors[k] for k in sorted(rows.actors)}
        out.append(json.loads(json.dumps({"uri": document.uri, "events": events, "actors": actors}, default=_plain)))
    return out


def timed(cache: Path, repeat: int, lex):
    """The rows and the best extraction CPU seconds over `repeat` runs (fresh docs each run), after a warm-up
    (the lexicon's indexes, built once per process, are not per-document work)."""
    from transforms.extract import extract_article

    best, rows = None, None
    documents, parsed = load(cache)
    extract_article(documents[0], parsed[0], lex)  # warm-up: the lexicon's indexes are built on first use
    for _ in range(repeat):
        documents, parsed = load(cache)
        t0 = time.process_time()
        for document, pieces in zip(documents, parsed, strict=True):
            extract_article(document, pieces, lex)
        spent = time.process_time() - t0
        best = spent if best is None else min(best, spent)
    documents, parsed = load(cache)
    rows = _rows(documents, parsed, lex)
    return rows, best


def profile(cache: Path, top: int, lex) -> None:
    from transforms.extract import extract_article

    documents, parsed = load(cache)
    extract_article(documents[0], parsed[0], lex)  # warm-up, as in `timed`
    documents, parsed = load(cache)
    prof = cProfile.Profile()
    prof.enable()
    for document, pieces in zip(documents, parsed, strict=True):
        extract_article(document, pieces, lex)
    prof.disable()
    for key in ("tottime", "cumtime"):
        pstats.Stats(prof).strip_dirs().sort_stats(key).print_stats(top)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--build", action="store_true", help="parse the corpus once into the cache")
    ap.add_argument("--synthetic", type=int, default=200, help="synthetic articles in the corpus (--build)")
    ap.add_argument("--repeat", type=int, default=1, help="timed runs; the fastest is reported")
    ap.add_argument("--dump", type=Path, help="write the rows here (JSON)")
    ap.add_argument("--check", type=Path, help="compare the rows with this dump; exit 1 on any difference")
    ap.add_argument("--profile", type=int, metavar="N", help="print cProfile's top N instead of timing")
    args = ap.parse_args(argv)
    if args.build:
        build(args.cache, args.synthetic)
        return 0
    if not (args.cache / "meta.json").exists():
        print(f"no parsed corpus in {args.cache}: run with --build first", file=sys.stderr)
        return 2
    from transforms.lexicon import load_lexicon

    lex = load_lexicon()
    if args.profile:
        profile(args.cache, args.profile, lex)
        return 0
    meta = json.loads((args.cache / "meta.json").read_text())
    rows, spent = timed(args.cache, args.repeat, lex)
    n = meta["documents"]
    events = sum(len(r["events"]) for r in rows)
    print(
        f"{n} documents, {meta['tokens']:,} tokens, {events:,} events: extraction {spent:.2f} s CPU "
        f"({1000 * spent / n:.1f} ms per document), parse {meta['parse_cpu_seconds']:.2f} s CPU: "
        f"{spent / meta['parse_cpu_seconds']:.3f} s of extraction per 1 s of parse"
    )
    if args.dump:
        args.dump.write_text(json.dumps(rows, indent=0, sort_keys=True), encoding="utf-8")
    if args.check:
        ref = json.loads(args.check.read_text(encoding="utf-8"))
        if ref != rows:
            bad = [r["uri"] for r, o in zip(rows, ref, strict=False) if r != o]
            print(f"DIFFERENT from {args.check}: {len(bad)} documents, first {bad[:5]}", file=sys.stderr)
            return 1
        print(f"rows identical to {args.check}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Peak memory of reading a WARC archive: flat with the archive's size (issue 11, item 2).

In: a scratch folder and two archive sizes (default 150 and 1,500 news pages, each page followed by a
request record and a 200 KB image response, written with warcio, gzipped per record: ~33 MB and ~330
MB). Out: a table, one row per archive: its size, the pages read, the records skipped, the seconds
and the peak resident memory (ru_maxrss) of a fresh process that does what a run does with it: the
plan (`flows.incremental.plan_run`: every page read, cleaned and triaged against an empty warehouse)
and then the flow's reading (`read_chunks`, in batches of 32), both streaming. The "after imports"
column is the same process before it opens the archive (trafilatura, warcio, spaCy's stop words
loaded), so the growth the archive causes is the difference.

Usage: `uv run python benchmarks/warc_memory.py [--pages 150 1500] [--dir /tmp/ne-warc]`.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PLACES = ["Lagos", "Santiago", "Dhaka", "Nairobi", "Manila", "Lima", "Accra", "Hanoi", "Quito", "Tunis"]
WHAT = [
    "Police arrested {n} protesters in {p} on {d}, the interior ministry said.",
    "Dock workers in {p} went on strike on {d} over unpaid wages, their union said.",
    "The government of {p} province received {n} tonnes of food aid on {d}, officials said.",
    "A court in {p} sentenced {n} opposition activists to prison on {d}, their lawyers said.",
    "Thousands marched through {p} on {d} to demand early elections, organisers said.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def sentence(rng: random.Random) -> str:
    """One short news sentence (an arrest, a strike, aid, a sentence, a march) in one of ten cities."""
    return rng.choice(WHAT).format(n=rng.randint(3, 900), p=rng.choice(PLACES), d=rng.choice(DAYS))


def _page(i: int, rng: random.Random) -> bytes:
    paras = []
    for _ in range(8):
        s = sentence(rng)
        paras.append(f"<p>{s} {s.replace(' said', ' told reporters')}</p>")
    return (
        f"<html lang='en'><head><title>Story {i} | Bench Wire</title>"
        f"<meta property='og:site_name' content='Bench Wire'>"
        f"<meta property='article:published_time' content='2024-03-{1 + i % 28:02d}'></head><body>"
        "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>Story {i}</h1>{''.join(paras)}</article>"
        "<aside><h2>Most read</h2><a href='/x'>Another story</a></aside></body></html>"
    ).encode()


def write_archive(path: Path, pages: int, image_kb: int = 200) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    rng = random.Random(7)
    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=True)
        for i in range(pages):
            url = f"https://benchwire.example.com/news/{i}"
            req = StatusAndHeaders("GET /news HTTP/1.1", [("Host", "benchwire.example.com")], is_http_request=True)
            w.write_record(w.create_warc_record(url, "request", http_headers=req))
            body = _page(i, rng)
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http))
            img = rng.randbytes(image_kb * 1024)
            http = StatusAndHeaders("200 OK", [("Content-Type", "image/jpeg")], protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(f"{url}.jpg", "response", payload=io.BytesIO(img), http_headers=http))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure(path: str) -> dict:
    """Run in a fresh process: plan the archive, then read it as the flow does; peak memory."""
    from flows.discover import discover
    from flows.incremental import Known, plan_run, read_chunks
    from transforms.web import _trafilatura

    _trafilatura()
    import warcio.archiveiterator  # noqa: F401

    base = _peak_mb()
    t0 = time.perf_counter()
    found = discover([path])
    plan = plan_run(found, Known({}), "bench")
    pages = 0
    for docs, _ in read_chunks(plan.todo_files, 32):
        pages += len(docs)
    return {
        "mb": os.path.getsize(path) / 1e6,
        "pages": pages,
        "skipped": sum(plan.records_skipped.values()),
        "seconds": time.perf_counter() - t0,
        "base_mb": base,
        "peak_mb": _peak_mb(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, nargs=2, default=[150, 1500])
    ap.add_argument("--dir", default="/tmp/ne-warc")
    ap.add_argument("--measure", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    print("| archive | MB | pages read | records skipped | seconds | peak RSS after imports MB | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for n in args.pages:
        path = folder / f"bench-{n}.warc.gz"
        if not path.exists():
            write_archive(path, n)
        out = subprocess.run(
            [sys.executable, __file__, "--measure", str(path)], capture_output=True, text=True, check=True
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"| {path.name} | {r['mb']:.0f} | {r['pages']} | {r['skipped']} | {r['seconds']:.1f} "
            f"| {r['base_mb']:.0f} | {r['peak_mb']:.0f} |"
        )


if __name__ == "__main__":
    main()

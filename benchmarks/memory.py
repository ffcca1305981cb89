"""Where the flow process's memory goes as the corpus grows, without parsing: RSS per batch of a real run.

In: corpus sizes in articles (default 1,000 and 3,000) and a batch size. Out: per size, a table on stdout of
the flow process's RSS after each batch (and its peak since the previous batch, and inside the previous
batch's load: connect, load, close), with the growth per 1,000 articles between the fifth batch and the
last; per batch, where the memory is by allocator: DuckDB's own account at the end of the load
(`duckdb_memory()`, and of it the base tables' blocks), DuckDB's jemalloc (resident), glibc's malloc (in
use, and free but held in its arenas), Arrow's pool; and the load's CPU seconds and those of its
checkpoint (what closing the connection writes, timed apart, with the MB it wrote). What is left of the
RSS is Python's heap, polars' own jemalloc (not exposed) and the libraries. With `--trace`, the Python
allocations (tracemalloc) that grew most between those two batches, by the line that made them, so
Python's heap can be told from native memory (DuckDB, Arrow, polars) in the RSS growth.

Each size runs `run_pipeline` in a fresh process over the synthetic corpus (`benchmarks/corpus.py`), exactly
as `benchmarks/scale.py` does, except that the parse is free: the workers' `code_here` is replaced by
`benchmarks/writer.py`'s synthetic coded rows (real sentences, offsets and widths, ~48 events and ~22
actors per article, ten of them new per article as real news adds), and spaCy is never loaded. Planning,
reading, validation (Great Expectations), the load into DuckDB (with the derived cluster refresh), the run
summary, the Data Docs and Prefect's task results all run as in a real run, so whatever they keep shows.

Usage: `uv run python benchmarks/memory.py --sizes 1000 3000 [--trace] [--batch-size 200] [--dir D]`.
About a minute per 1,000 articles on a quiet machine (three with `--trace`).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NEW_ACTORS_PER_ARTICLE = 10
MB = 2**20


class Sampler:
    """This process's RSS sampled every 50 ms; `mark()` returns (RSS now, peak since the last mark)."""

    def __init__(self) -> None:
        import psutil

        self.proc, self.peak, self.stop = psutil.Process(), 0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.wait(0.05):
            self.peak = max(self.peak, self.proc.memory_info().rss)

    def mark(self) -> tuple[int, int]:
        now = self.proc.memory_info().rss
        peak, self.peak = max(self.peak, now), now
        return now, peak


def _fake_coder(seed: int):
    """A stand-in for `flows.workers.code_here` (coding in this process, as one worker process does):
    synthetic coded rows for each document, no spaCy."""
    from benchmarks.writer import actor_pool, coded_rows
    from flows.workers import Coded
    from transforms.actors import Actor
    from transforms.lexicon import load_lexicon

    pool, rng = actor_pool(load_lexicon()), random.Random(seed)

    def code_here(docs, nlp, lex, timeout):
        coded = Coded()
        for doc in docs:
            fresh = [
                Actor(f"{a.name} {doc.source_id[:8]}", a.actor_type, a.country)
                for a in rng.sample(pool, NEW_ACTORS_PER_ARTICLE)
            ]
            events, actors = coded_rows(doc, pool[: len(pool) // 2] + fresh, rng)
            coded.kept.append(doc)
            coded.events += events
            coded.actors.append(actors)
        coded.nlp_seconds = coded.extract_seconds = 0.0
        return coded

    return code_here


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (n, ctypes.c_size_t)
        for n in [
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        ]
    ]


class Allocators:
    """Where the native memory is, per allocator: DuckDB's own jemalloc (its buffers: allocated by DuckDB,
    resident, and retained as unmapped address space), glibc's malloc (in use, and held free in its arenas:
    DuckDB's C++ objects, Python's large objects, the threads' stacks' arenas), Arrow's pool (pyarrow's
    allocator, in use). What is left of the RSS is Python's own heap, polars' jemalloc (not exposed) and the
    libraries' code and data."""

    def __init__(self) -> None:
        import glob

        import duckdb

        so = glob.glob(str(Path(duckdb.__file__).parent.parent / "_duckdb*.so"))
        self.je = ctypes.CDLL(so[0]) if so else None
        if self.je is not None and not hasattr(self.je, "duckdb_je_mallctl"):
            self.je = None
        self.libc = ctypes.CDLL("libc.so.6")
        self.libc.mallinfo2.restype = _MallInfo2

    def _je(self, name: str) -> float:
        value, size = ctypes.c_size_t(), ctypes.c_size_t(ctypes.sizeof(ctypes.c_size_t))
        self.je.duckdb_je_mallctl(name.encode(), ctypes.byref(value), ctypes.byref(size), None, 0)
        return value.value / MB

    def figures(self) -> dict[str, float]:
        import pyarrow as pa

        out: dict[str, float] = {}
        if self.je is not None:
            epoch, size = ctypes.c_uint64(1), ctypes.c_size_t(8)
            self.je.duckdb_je_mallctl(b"epoch", ctypes.byref(epoch), ctypes.byref(size), ctypes.byref(epoch), size)
            out["duckdb_je_allocated"] = self._je("stats.allocated")
            out["duckdb_je_resident"] = self._je("stats.resident")
        m = self.libc.mallinfo2()
        out["glibc_in_use"] = (m.uordblks + m.hblkhd) / MB
        out["glibc_free_held"] = m.fordblks / MB
        out["arrow_pool"] = pa.total_allocated_bytes() / MB
        return out


def _live_frames() -> dict:
    """The polars frames still alive in this process (their count and estimated size): frames kept past
    their batch show here whatever holds them."""
    import gc

    import polars as pl

    frames = [o for o in gc.get_objects() if isinstance(o, pl.DataFrame)]
    return {"frames": len(frames), "frames_mb": sum(f.estimated_size() for f in frames) / MB}


def _experiments():
    """Settings tried by hand through the environment: NE_MEMORY_DUCKDB_LIMIT (a DuckDB memory_limit for the
    warehouse connections, e.g. 256MB) and NE_MEMORY_TRIM=1 (glibc's malloc_trim after every batch; returned)."""
    import ctypes

    import warehouse.connect as wc

    if os.environ.get("NE_MEMORY_DUCKDB_LIMIT"):
        wc.DUCKDB_CONFIG["memory_limit"] = os.environ["NE_MEMORY_DUCKDB_LIMIT"]
    if os.environ.get("NE_MEMORY_TRIM"):
        libc = ctypes.CDLL("libc.so.6")
        return lambda: libc.malloc_trim(0)
    return None


def _in_load(pipeline) -> dict[str, float]:
    """Wrap the flow's `load_batch`: DuckDB's own account of its memory (`duckdb_memory()`: buffers of
    tables, indexes, intermediates) at the end of each load, before its connection closes, lands in the
    returned dict."""
    original, seen = pipeline.load_batch, {}

    import psutil

    me = psutil.Process()

    def wrapper(con, batch, **kwargs):
        cpu = time.process_time()
        original(con, batch, **kwargs)
        seen["load_cpu_s"] = time.process_time() - cpu
        held = con.execute("SELECT tag, memory_usage_bytes FROM duckdb_memory()").fetchall()
        seen["duckdb_buffers"] = sum(b for _, b in held) / MB
        seen["duckdb_base_tables"] = sum(b for t, b in held if t == "BASE_TABLE") / MB
        # what closing the connection would do (write the batch's changes into the file), measured apart
        cpu, written = time.process_time(), me.io_counters().write_bytes
        con.execute("CHECKPOINT")
        seen["checkpoint_cpu_s"] = time.process_time() - cpu
        seen["checkpoint_written_mb"] = (me.io_counters().write_bytes - written) / MB

    pipeline.load_batch = wrapper
    return seen


def _per_call(module, name: str, sampler: Sampler) -> list[float]:
    """Wrap `module.name`: the peak RSS (MB) of each call is appended to the returned list."""
    original, peaks = getattr(module, name), []

    def wrapper(*args, **kwargs):
        sampler.mark()
        try:
            return original(*args, **kwargs)
        finally:
            peaks.append(sampler.mark()[1] / MB)

    setattr(module, name, wrapper)
    return peaks


def _watched(module, name: str, sampler: Sampler) -> dict[str, float]:
    """Wrap `module.name` so that the peak RSS of its call lands in the returned dict (filled when it runs)."""
    original, seen = getattr(module, name), {}

    def wrapper(*args, **kwargs):
        seen[f"before {name}"] = sampler.mark()[1] / MB
        try:
            return original(*args, **kwargs)
        finally:
            seen[f"peak in {name}"] = sampler.mark()[1] / MB

    setattr(module, name, wrapper)
    return seen


def _planned(pipeline, sampler: Sampler) -> dict[str, float]:
    """Wrap the flow's plan (`plan_run`, inside its Prefect task, and `_plan` around the task): the RSS before
    discovery and after the plan (garbage collected), the peak while planning, and the plan's Python heap
    (tracemalloc, when tracing) per file, land in the returned dict."""
    import gc
    import tracemalloc

    seen: dict[str, float] = {}
    plan_run, outer = pipeline.plan_run, pipeline._plan  # noqa: SLF001

    def in_task(found, *args, **kwargs):
        seen["files"] = len(found)
        traced = tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else 0
        plan = plan_run(found, *args, **kwargs)
        gc.collect()
        if tracemalloc.is_tracing():
            seen["plan_heap_bytes_per_file"] = (tracemalloc.get_traced_memory()[0] - traced) / max(1, len(found))
        seen["rss after plan_run"] = sampler.mark()[0] / MB
        return plan

    def around(*args, **kwargs):
        gc.collect()
        seen["rss before the plan"] = sampler.mark()[0] / MB
        out = outer(*args, **kwargs)
        gc.collect()
        now, peak = sampler.mark()
        seen["rss after the plan"], seen["peak while planning"] = now / MB, peak / MB
        return out

    pipeline.plan_run, pipeline._plan = in_task, around  # noqa: SLF001
    return seen


def child(corpus: Path, db: Path, batch_size: int, seed: int, trace: bool) -> dict:
    import tracemalloc

    if trace:
        tracemalloc.start(4)
    sampler = Sampler()
    import flows.pipeline as pipeline
    import flows.workers as workers
    from flows.settings import load_settings

    workers.code_here = _fake_coder(seed)  # n_process=1 below: every batch is coded here, never forked
    pipeline._nlp = lambda: None  # noqa: SLF001 - no spaCy: the parse is what this benchmark leaves out
    pipeline._warm_extractor = lambda nlp, lex: None  # noqa: SLF001
    settings = load_settings(
        cwd=ROOT, inputs=[str(corpus)], db=str(db), batch_size=batch_size, n_process=1, use_cache=False
    )  # no start-up cache: there is no model to store
    trim = _experiments()
    rows: list[dict] = []
    snaps: dict[int, object] = {}

    def progress(kind: str, n: int) -> None:
        if kind != "batch":
            return
        if trim:
            trim()
        now, peak = sampler.mark()
        frames = _live_frames()
        rows.append({"batch": len(rows) + 1, "rss": now / MB, "peak": peak / MB, **frames, **allocators.figures()})
        rows[-1].update(in_load)  # DuckDB's buffers (duckdb_memory()) at the end of the previous batch's load
        rows[-1]["load_peak"] = load_peaks[-1] if load_peaks else 0.0  # the previous batch's load
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)  # followed live with --dir's log
        if trace and len(rows) in (5,):
            snaps[5] = tracemalloc.take_snapshot()

    planned = _planned(pipeline, sampler)
    watched = [_watched(pipeline, n, sampler) for n in ("record_files", "record_run", "publish_validation")]
    allocators, in_load = Allocators(), _in_load(pipeline)
    load_peaks = _per_call(pipeline, "load_task", sampler)
    start, _ = sampler.mark()
    t = time.perf_counter()
    summary = pipeline.run_pipeline(settings, progress=pipeline.Watch(progress))
    seconds = time.perf_counter() - t
    end, peak = sampler.mark()
    if summary.error:
        raise SystemExit(f"run failed: {summary.error}")
    top = []
    if trace and 5 in snaps:
        last = tracemalloc.take_snapshot()
        for stat in last.compare_to(snaps[5], "traceback")[:12]:
            frames = [f"{f.filename.replace(str(ROOT) + '/', '')}:{f.lineno}" for f in stat.traceback]
            frames = [f for f in frames if ".venv" not in f and "python3" not in f][:3] or frames[:2]
            top.append({"kb": stat.size_diff / 1024, "count": stat.count_diff, "where": " < ".join(frames)})
    return {
        "seconds": seconds,
        "loaded": summary.loaded,
        "events": summary.events,
        "start": start / MB,
        "end": end / MB,
        "peak_end": peak / MB,
        "batches": rows,
        "plan": planned,
        "end_phases": {k: v for w in watched for k, v in w.items()},
        "top": top,
    }


def run_size(n: int, args) -> dict:
    from benchmarks.corpus import make_corpus

    corpus = args.dir / f"corpus_{n}"
    if not corpus.exists() or len(list(corpus.glob("*.txt"))) != n:
        make_corpus(n, args.seed, corpus)
    db = args.dir / f"memory_{n}.duckdb"
    for stale in args.dir.glob(f"memory_{n}.duckdb*"):
        if stale.is_file():
            stale.unlink()
    cmd = [sys.executable, __file__, "--child", str(corpus), str(db), "--batch-size", str(args.batch_size)]
    cmd += ["--seed", str(args.seed)] + (["--trace"] if args.trace else [])
    from benchmarks.throughput import ENV

    env = {**{k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}, **ENV}
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT, check=False)
    if out.returncode != 0:
        sys.stderr.write(out.stderr[-4000:])
        raise SystemExit(f"the {n}-article run failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(n: int, r: dict, batch_size: int) -> None:
    b = r["batches"]
    print(f"\n## {n} articles: {r['loaded']} loaded, {r['events']} events, {r['seconds']:.0f} s")
    print(f"RSS at the flow's start {r['start']:.0f} MB, at its end {r['end']:.0f} MB, peak {r['peak_end']:.0f} MB")
    print(
        "| batch | RSS MB | peak since previous MB | peak in the previous load MB | polars frames alive | their MB "
        "| DuckDB buffers at the load's end MB | of them base tables MB | DuckDB jemalloc resident MB "
        "| glibc in use MB | glibc free held MB | Arrow pool MB | load CPU s | checkpoint CPU s | checkpoint wrote MB |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in b:
        print(
            f"| {row['batch']} | {row['rss']:.0f} | {row['peak']:.0f} | {row['load_peak']:.0f} | {row['frames']} "
            f"| {row['frames_mb']:.1f} | {row.get('duckdb_buffers', 0):.0f} | {row.get('duckdb_base_tables', 0):.0f} "
            f"| {row.get('duckdb_je_resident', 0):.0f} | {row['glibc_in_use']:.0f} | {row['glibc_free_held']:.0f} "
            f"| {row['arrow_pool']:.0f} | {row.get('load_cpu_s', 0):.2f} | {row.get('checkpoint_cpu_s', 0):.2f} "
            f"| {row.get('checkpoint_written_mb', 0):.0f} |"
        )
    if len(b) > 5:
        k = (len(b) - 5) * batch_size / 1000
        print(
            f"growth from batch 5 to {len(b)}: RSS {(b[-1]['rss'] - b[4]['rss']) / k:+.1f} MB per 1,000 articles, "
            f"peak {(max(x['peak'] for x in b[5:]) - b[4]['peak']) / k:+.1f} MB per 1,000 articles"
        )
    if r.get("plan"):
        print("the plan: " + ", ".join(f"{k} {v:.0f}" for k, v in r["plan"].items()))
    if r.get("end_phases"):
        print("the run's end: " + ", ".join(f"{k} {v:.0f} MB" for k, v in r["end_phases"].items()))
    if r["top"]:
        print("Python allocations grown since batch 5 (tracemalloc): | KB | blocks | where |")
        for t in r["top"]:
            print(f"| {t['kb']:+.0f} | {t['count']:+d} | {t['where']} |")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000])
    ap.add_argument("--batch-size", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--trace", action="store_true", help="diff tracemalloc snapshots (batch 5 → last)")
    ap.add_argument("--dir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "ne-memory")
    ap.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(*args.child, args.batch_size, args.seed, args.trace)))
        return
    args.dir.mkdir(parents=True, exist_ok=True)
    print(f"load average {os.getloadavg()[0]:.1f} at start, cores: {os.cpu_count()}")
    for n in sorted(args.sizes):
        report(n, run_size(n, args), args.batch_size)


if __name__ == "__main__":
    main()

"""End-to-end throughput and memory of `newsevents run` against spaCy's own speed.

In: corpus sizes (default 200 and 800 articles of 500–800 words, written by
`benchmarks/corpus.py`). Out: a table on stdout, per size:

- the pipeline end to end in articles/s and words/s, in a fresh process per
  size, in `newsevents run`'s order (`--api own`, the default): plan, Prefect's
  temporary server booted while the model loads and the first batches start
  (`flows.server.run_api`, `pipeline.start_head`), then the flow `run_pipeline`
  to its return, timed from the plan; `--api prefect` times the flow call alone
  with Prefect's ephemeral server started inside it, serially (the figure of
  the rounds before 2026-11-28 noon; no user path pays that: the CLI overlaps
  the boot, `serve` has its server running);
- the same model's bare single-process `nlp.pipe` over the same cleaned texts,
  measured in the same benchmark run right before (the limit), and the ratio
  end-to-end / bare; and the same bare parse with the matrix products the
  pipeline uses (numpy's OpenBLAS, `transforms.nlp.numpy_matmul`, instead of
  thinc's BLIS, which `spacy.load` gives): the ratio to it ("like for like")
  shows what the two cores and the pipeline's own work make of the same parse,
  without the faster products;
- seconds per stage (from the run's `RunSummary.stage_seconds`; "Prefect and
  other" is the flow's wall time not spent in a stage: server start, task
  orchestration, the run record, the artifact);
- CPU seconds of the flow's process (all its threads but the benchmark's own
  samplers, whose CPU is shown apart: a user's run has none) and of its worker
  processes (children ended during the run), against the bare parse's: less
  sensitive to a shared machine than wall time;
- peak RSS of the flow's process, and peak RSS of the whole process tree
  (spaCy worker processes and Prefect's server included), sampled every 0.1 s;
- with `--cli`, also `newsevents run CORPUS --db DB` as a user runs it (the console
  script, with a start-up cache of its own that starts cold): wall seconds, the ratio
  to the bare parse, CPU seconds of its whole process tree and its peak RSS. Unlike
  the flow call above, the CLI boots Prefect's temporary server first thing and loads
  the model while it boots, and plans before the flow starts.

- for the flow (and with `--cli` for `newsevents run`) the seconds at the head
  and the tail of the run when its worker processes do nothing, with the CPU
  seconds spent meanwhile, and the share of the run when fewer than two of its
  processes want a core (state R): what a quiet 2-core machine leaves idle, a
  figure that holds on a busy machine where wall seconds do not; `--timeline`
  prints it every 2 s.

Usage: `uv run python benchmarks/throughput.py` (options: `--sizes 40 80`, `--cli`,
`--api prefect`, `--timeline`, `--n-process 2`, `--batch-size 200`, `--keep DIR`). Each size runs in its own
subprocess so peak RSS is that run's alone.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ENV = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "GX_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
}


def _running(pid: int, skip: int) -> bool:
    """Whether a thread of process `pid` (other than thread `skip`, the sampler's own) is running or waiting
    for a core (state R): demand for a core, whether or not a busy machine gives it one."""
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return False
    for tid in tids:
        if int(tid) == skip:
            continue
        try:
            with open(f"/proc/{pid}/task/{tid}/stat", encoding="ascii", errors="replace") as fh:
                if fh.read().rsplit(")", 1)[1].split()[0] == "R":
                    return True
        except (OSError, IndexError):
            continue
    return False


class _Tree:
    """A process's descendants, listed again at most every `max_age` seconds: listing them reads every
    process's /proc entry (milliseconds), reading a known one's RSS or CPU does not. A run's worker
    processes and helpers live for seconds at least; one that ends in between is skipped."""

    def __init__(self, proc, max_age: float = 1.0) -> None:
        self.proc, self.max_age = proc, max_age
        self._listed, self._at = [], -max_age

    def children(self) -> list:
        import psutil

        now = time.perf_counter()
        if now - self._at >= self.max_age:
            with contextlib.suppress(psutil.Error):
                self._listed = self.proc.children(recursive=True)
            self._at = now
        return self._listed


class _Sampler:
    """Calls `_sample` every `interval` seconds in a background thread while the `with` block runs, and
    once more at its end. `cpu`: the CPU seconds the sampling itself took (its thread's, and the last
    sample's), which the measured process would not spend outside the benchmark: the flow's CPU figure
    leaves it out (reading /proc for a process tree costs milliseconds a sample, seconds over a run)."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.cpu = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        start = time.thread_time()
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)
        self.cpu += time.thread_time() - start

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        start = time.thread_time()
        self._sample()
        self.cpu += time.thread_time() - start


class Timeline(_Sampler):
    """Samples, every `interval` seconds, the CPU seconds so far of this process, of its forked worker
    processes (children running this same command) and of its other children (Prefect's server, the Data
    Docs helper): when each is busy and when a core sits idle. A process that ended keeps its last sample."""

    def __init__(self, interval: float = 0.25, pid: int | None = None):
        import psutil

        super().__init__(interval)
        self.proc = psutil.Process(pid)
        self.tree = _Tree(self.proc)
        self.cmdline = self.proc.cmdline()
        self.t0 = time.perf_counter()
        # (t, CPU s of the process, of its workers, of its other children, how many of them want a core)
        self.samples: list[tuple[float, float, float, float, int]] = []
        self._seen: dict[int, tuple[str, float]] = {}  # pid → (group, CPU seconds at its last sample)

    def _sample(self) -> None:
        import psutil

        try:
            own = self.proc.cpu_times()
        except psutil.Error:  # the watched process ended
            return
        with contextlib.suppress(psutil.Error):  # read again: a watched child may have been between fork and exec
            self.cmdline = self.proc.cmdline()
        children = self.tree.children()
        for child in children:
            with contextlib.suppress(psutil.Error):
                times = child.cpu_times()
                group = self._seen.get(child.pid, (None, 0.0))[0]
                if group is None:
                    group = "workers" if child.cmdline() == self.cmdline else "other"
                self._seen[child.pid] = (group, times.user + times.system)
        workers = sum(c for g, c in self._seen.values() if g == "workers")
        other = sum(c for g, c in self._seen.values() if g == "other")
        pids = [self.proc.pid, *(c.pid for c in children)] if self.proc.is_running() else []
        running = sum(_running(pid, skip=threading.get_native_id()) for pid in pids)
        self.samples.append((time.perf_counter() - self.t0, own.user + own.system, workers, other, running))

    def __enter__(self) -> Timeline:
        self.t0 = time.perf_counter()
        return super().__enter__()


def timeline_summary(samples: list[list[float]]) -> dict:
    """The run's head (until the workers' first CPU) and tail (after their last): wall and CPU seconds of
    the flow process and of the other helper processes in each, the stretches where one core or both idle."""
    if not samples:
        return {}
    end = samples[-1]
    busy = [s for s, prev in zip(samples[1:], samples, strict=False) if s[2] > prev[2]]
    first = busy[0] if busy else end
    last = busy[-1] if busy else end
    start = samples[0]
    # a quiet 2-core machine leaves a core idle while fewer than two of the run's processes want one: the
    # share of samples where that is so holds on a busy machine too (where wall seconds do not)
    short = [max(0, 2 - s[4]) for s in samples if len(s) > 4]
    return {
        "idle_share": sum(short) / (2 * len(short)) if short else 0.0,
        "wall": end[0],
        "head_s": first[0],
        "head_cpu_flow": first[1] - start[1],
        "head_cpu_other": first[3] - start[3],
        "tail_s": end[0] - last[0],
        "tail_cpu_flow": end[1] - last[1],
        "tail_cpu_other": end[3] - last[3],
        "workers_cpu": end[2],
    }


def _timeline_table(samples: list[list[float]], step: float = 2.0) -> str:
    """Per `step` seconds: the cores' worth of CPU the process, its workers and its other children used, and
    how many of them wanted a core on average (fewer than 2: a quiet 2-core machine leaves one idle)."""
    lines = [
        "| t s | process | workers | helpers | not ours of 2 cores | processes wanting a core |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    if not samples:
        return "\n".join(lines)
    prev, wants = samples[0], []
    for s in samples[1:]:
        wants.append(s[4] if len(s) > 4 else 0)
        if s[0] - prev[0] >= step or s is samples[-1]:
            dt = s[0] - prev[0]
            use = [(s[k] - prev[k]) / dt for k in (1, 2, 3)]
            lines.append(
                f"| {s[0]:.0f} | {use[0]:.2f} | {use[1]:.2f} | {use[2]:.2f} | {max(0.0, 2 - sum(use)):.2f} "
                f"| {sum(wants) / len(wants):.1f} |"
            )
            prev, wants = s, []
    return "\n".join(lines)


class PeakRSS(_Sampler):
    """Samples the RSS of this process and of its whole process tree in a background thread."""

    def __init__(self, interval: float = 0.1):
        import psutil

        super().__init__(interval)
        self.proc = psutil.Process()
        self.tree = _Tree(self.proc)
        self.self_peak, self.tree_peak = 0, 0

    def _sample(self) -> None:
        import psutil

        own = self.proc.memory_info().rss
        total = own
        for child in self.tree.children():
            with contextlib.suppress(psutil.Error):  # a worker that just ended
                total += child.memory_info().rss
        self.self_peak, self.tree_peak = max(self.self_peak, own), max(self.tree_peak, total)

    def __exit__(self, *exc) -> None:
        super().__exit__(*exc)
        # the kernel's own high-water mark catches peaks between samples
        self.self_peak = max(self.self_peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)


def _texts(corpus: Path) -> list[str]:
    from flows.discover import discover, read_input
    from transforms.documents import Document
    from transforms.parse import parse_document

    docs = [parse_document(read_input(f)) for f in discover([str(corpus)])]
    return [d.text for d in docs if isinstance(d, Document)]


def child_bare(corpus: Path, matmul: str = "model") -> dict:
    """The limit: the model's own single-process `nlp.pipe` over the cleaned texts (docs dropped as they come);
    `matmul="numpy"`: with the pipeline's matrix products (`transforms.nlp.numpy_matmul`)."""
    import spacy

    from transforms.nlp import MODEL, numpy_matmul

    texts = _texts(corpus)
    nlp = spacy.load(MODEL)
    if matmul == "numpy":
        numpy_matmul(nlp)
    t, cpu = time.perf_counter(), _cpu()[0]
    for _ in nlp.pipe(texts):
        pass
    seconds, cpu = time.perf_counter() - t, _cpu()[0] - cpu
    return {"seconds": seconds, "cpu": cpu, "articles": len(texts), "words": sum(len(x.split()) for x in texts)}


def _stop_kept(cache_dir: str) -> None:
    """Stop the helpers a `newsevents run` with this cache folder kept, as benchmarks/incremental.py does."""
    from flows import keep
    from flows.settings import Settings

    keep.stop(Settings(cache_dir=cache_dir))


def _cpu() -> tuple[float, float]:
    """CPU seconds (user + system) of this process (all its threads) and of its ended, reaped children."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


def child_flow(corpus: Path, db: Path, n_process: int | None, batch_size: int | None, api: str = "prefect") -> dict:
    """One `run_pipeline` over the corpus into a fresh warehouse, with its stage times, peak RSS and timeline.

    `api` "prefect": the flow call starts Prefect's ephemeral server itself (timed from the call); "own": in
    `newsevents run`'s order (`_as_the_cli_does`), timed from the plan: the warm-up is part of the run."""
    with PeakRSS() as rss:
        t_import = time.perf_counter()
        from flows import pipeline
        from flows.settings import load_settings
        from transforms.nlp import processes

        imports = time.perf_counter() - t_import
        settings = load_settings(cwd=ROOT, inputs=[str(corpus)], db=str(db), n_process=n_process, batch_size=batch_size)
        t, cpu = time.perf_counter(), _cpu()
        with Timeline() as timeline:
            summary = _as_the_cli_does(settings) if api == "own" else pipeline.run_pipeline(settings)
        seconds = time.perf_counter() - t
        cpu_self, cpu_children = (after - before for after, before in zip(_cpu(), cpu, strict=True))
    samplers = rss.cpu + timeline.cpu  # the benchmark's own sampling threads: not the flow's CPU
    if summary.error:
        raise SystemExit(f"run failed: {summary.error}")
    return {
        "seconds": seconds,
        "imports": imports,
        "api": api,
        "stages": dict(summary.stage_seconds),
        "loaded": summary.loaded,
        "events": summary.events,
        "quarantined": summary.quarantined,
        "n_process": processes(settings.n_process, settings.batch_size),  # spaCy processes for a full batch
        "batch_size": settings.batch_size,
        "cpu_self": cpu_self - samplers,
        "cpu_samplers": samplers,
        "cpu_children": cpu_children,
        "rss_self": rss.self_peak,
        "rss_tree": rss.tree_peak,
        "timeline": timeline.samples,
    }


def _as_the_cli_does(settings):
    """`newsevents run`'s order (flows/cli.py): plan, then boot Prefect's temporary server while the model
    loads and the first batches start on the workers (`pipeline.start_head`), then the flow on that plan."""
    from flows import pipeline
    from flows.discover import discover, warehouse_companions
    from flows.incremental import plan_run
    from flows.server import run_api
    from transforms.version import extractor_version
    from warehouse.connect import connect
    from warehouse.known import read_known

    t = time.perf_counter()
    con = connect(settings.db_path, settings.lock_timeout)
    try:
        known = read_known(con)
    finally:
        con.close()
    found = discover(settings.inputs, warehouse_companions(settings.db_path))
    version = extractor_version(settings.dictionaries)
    plan = plan_run(found, known, version, settings.max_chars)
    planned = time.perf_counter() - t
    head: dict = {}

    def warm_up() -> None:
        pipeline.warm_up(settings)
        head["head"] = pipeline.start_head(settings, version, found, known, plan)

    with run_api(warm_up):
        prepared = pipeline.Prepared(settings, version, found, known, plan, head=head.get("head"))
        summary = pipeline.run_pipeline(settings, prepared=prepared)
    summary.stage_seconds["plan"] += planned
    return summary


def child_cli(corpus: Path, db: Path, n_process: int | None, batch_size: int | None) -> dict:
    """`newsevents run CORPUS --db DB` as a user runs it (the console script, a cold start-up cache): wall
    seconds, CPU seconds of its whole process tree, peak RSS of its process and of its tree."""
    import psutil

    from benchmarks.incremental import counts, newsevents

    env = {**os.environ, "NEWSEVENTS_CACHE_DIR": str(db.parent / f"{db.stem}_cache")}
    if n_process:
        env["NEWSEVENTS_N_PROCESS"] = str(n_process)
    cmd = [*newsevents(), "run", str(corpus), "--db", str(db)]
    cmd += ["--batch-size", str(batch_size)] if batch_size else []
    cpu, peak_self, peak_tree = _cpu()[1], 0, 0
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    watched = psutil.Process(proc.pid)
    timeline = Timeline(pid=proc.pid)
    timeline.__enter__()
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):
            own = watched.memory_info().rss
            tree = own
            for child in watched.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    tree += child.memory_info().rss
            peak_self, peak_tree = max(peak_self, own), max(peak_tree, tree)
        time.sleep(0.1)
    timeline._stop.set()
    timeline._thread.join()
    out, err = proc.communicate()
    seconds, cpu = time.perf_counter() - t, _cpu()[1] - cpu
    _stop_kept(env["NEWSEVENTS_CACHE_DIR"])  # the helpers the run kept (server, Data Docs, zygote): none left
    if proc.returncode != 0:
        raise SystemExit(f"newsevents run failed ({proc.returncode}): {(err or out).strip()[-2000:]}")
    return {
        "seconds": seconds,
        "cpu": cpu,
        "rss_self": peak_self,
        "rss_tree": peak_tree,
        "summary": counts(out),
        "timeline": timeline.samples,
    }


def _spawn(args: list[str]) -> dict:
    env = {**os.environ, **ENV}
    out = subprocess.run(
        [sys.executable, __file__, *args], env=env, capture_output=True, text=True, cwd=ROOT, check=False
    )
    if out.returncode != 0:
        sys.stderr.write(out.stderr[-4000:])
        raise SystemExit(f"benchmark child failed: {' '.join(args)}")
    return json.loads(out.stdout.strip().splitlines()[-1])


STAGES = ["discover", "plan", "read", "nlp", "extract", "validate", "load"]


def _table(results: list[dict]) -> str:
    mb = 1024 * 1024
    rows = []
    for r in results:
        flow, bare = r["flow"], r["bare"]
        stages = dict(flow["stages"])
        known = sum(stages.values())
        stages["Prefect and other"] = max(0.0, flow["seconds"] - known)
        rows.append((r, flow, bare, stages))
    lines = [
        "| articles | words | bare nlp.pipe art/s | end-to-end art/s | end-to-end words/s | ratio "
        "| bare, pipeline's matmul art/s | ratio like for like "
        "| end-to-end s | n_process | peak RSS flow MB | peak RSS tree MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r, flow, bare, _ in rows:
        e2e = r["articles"] / flow["seconds"]
        lim = bare["articles"] / bare["seconds"]
        same = r.get("bare_numpy")
        like = same["articles"] / same["seconds"] if same else None
        lines.append(
            f"| {r['articles']} | {r['words']} | {lim:.2f} | {e2e:.2f} | {r['words'] / flow['seconds']:.0f} "
            f"| {e2e / lim:.2f} | {f'{like:.2f}' if like else '-'} | {f'{e2e / like:.2f}' if like else '-'} "
            f"| {flow['seconds']:.1f} | {flow['n_process']} | {flow['rss_self'] / mb:.0f} "
            f"| {flow['rss_tree'] / mb:.0f} |"
        )
    lines += [
        "",
        "| articles | CPU s flow process | CPU s worker processes | CPU s bare nlp.pipe | CPU s total / bare "
        "| CPU s benchmark's samplers (left out) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r, flow, bare, _ in rows:
        total = flow.get("cpu_self", 0.0) + flow.get("cpu_children", 0.0)
        lines.append(
            f"| {r['articles']} | {flow.get('cpu_self', 0.0):.1f} | {flow.get('cpu_children', 0.0):.1f} "
            f"| {bare.get('cpu', 0.0):.1f} | {total / max(bare.get('cpu', 0.0), 1e-9):.2f} "
            f"| {flow.get('cpu_samplers', 0.0):.1f} |"
        )
    if any("cli" in r for r in results):
        lines += [
            "",
            "| articles | `newsevents run` s | art/s | ratio to bare | ratio like for like | CPU s tree "
            "| CPU total / bare | peak RSS process MB | peak RSS tree MB | summary |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for r, _, bare, _ in rows:
            if "cli" in r:
                cli, lim = r["cli"], bare["articles"] / bare["seconds"]
                e2e = r["articles"] / cli["seconds"]
                same = r.get("bare_numpy")
                like = f"{e2e * same['seconds'] / same['articles']:.2f}" if same else "-"
                lines.append(
                    f"| {r['articles']} | {cli['seconds']:.1f} | {e2e:.2f} | {e2e / lim:.2f} | {like} "
                    f"| {cli['cpu']:.1f} "
                    f"| {cli['cpu'] / max(bare.get('cpu', 0.0), 1e-9):.2f} | {cli['rss_self'] / mb:.0f} "
                    f"| {cli['rss_tree'] / mb:.0f} | {cli['summary']} |"
                )
    names = [s for s in STAGES if any(s in st for *_, st in rows)]
    names += sorted({k for *_, st in rows for k in st} - set(names) - {"Prefect and other"})
    names.append("Prefect and other")
    lines += ["", "| stage | " + " | ".join(f"{r['articles']} articles: s (share)" for r in results) + " |"]
    lines.append("|---|" + "---:|" * len(results))
    for name in names:
        cells = [
            f"{st.get(name, 0.0):.1f} ({100 * st.get(name, 0.0) / flow['seconds']:.0f} %)" for _, flow, _, st in rows
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    if len(rows) >= 2:
        small, big = rows[0], rows[-1]
        lines.append("")
        own = big[1]["rss_self"] / small[1]["rss_self"]
        tree = big[1]["rss_tree"] / small[1]["rss_tree"]
        lines.append(
            f"peak RSS {big[0]['articles']} / {small[0]['articles']} articles: "
            f"flow process {own:.2f}x, process tree {tree:.2f}x"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[200, 800])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--n-process", type=int, default=None, help="spaCy processes (default: the settings' value)")
    ap.add_argument("--batch-size", type=int, default=None, help="documents per batch (default: the settings')")
    ap.add_argument("--keep", type=Path, default=None, help="write corpora and warehouses here and keep them")
    ap.add_argument("--cli", action="store_true", help="also time `newsevents run` itself (the console script)")
    ap.add_argument(
        "--api",
        choices=["prefect", "own"],
        default="own",
        help="prefect: the flow call starts Prefect's ephemeral server; own: boot it beside the warm-up as "
        "`newsevents run` does (flows.server.run_api)",
    )
    ap.add_argument("--timeline", action="store_true", help="print when the flow, its workers and helpers use CPU")
    ap.add_argument(
        "--no-like-for-like",
        action="store_true",
        help="skip the second bare parse with the pipeline's matrix products (numpy's OpenBLAS)",
    )
    ap.add_argument("--child", choices=["bare", "flow", "cli"], help=argparse.SUPPRESS)
    ap.add_argument("--matmul", choices=["model", "numpy"], default="model", help=argparse.SUPPRESS)
    ap.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child == "bare":
        print(json.dumps(child_bare(args.corpus, args.matmul)))
        return
    if args.child == "flow":
        print(json.dumps(child_flow(args.corpus, args.db, args.n_process, args.batch_size, args.api)))
        return
    if args.child == "cli":
        print(json.dumps(child_cli(args.corpus, args.db, args.n_process, args.batch_size)))
        return

    from benchmarks.corpus import make_corpus

    work = args.keep or Path(tempfile.mkdtemp(prefix="newsevents-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results = []
    for n in args.sizes:
        corpus = work / f"corpus_{n}"
        paths = make_corpus(n, args.seed, corpus)
        words = sum(len(p.read_text(encoding="utf-8").split()) for p in paths)
        db = work / f"bench_{n}.duckdb"
        for stale in work.glob(f"bench_{n}.duckdb*"):
            stale.unlink()
        print(f"{n} articles ({words} words): bare nlp.pipe …", file=sys.stderr, flush=True)
        bare = _spawn(["--child", "bare", "--corpus", str(corpus)])
        bare_numpy = None
        if not args.no_like_for_like:
            print(f"{n} articles: bare nlp.pipe with the pipeline's matmul …", file=sys.stderr, flush=True)
            bare_numpy = _spawn(["--child", "bare", "--corpus", str(corpus), "--matmul", "numpy"])
        print(f"{n} articles: end to end …", file=sys.stderr, flush=True)
        extra = ["--n-process", str(args.n_process)] if args.n_process else []
        extra += ["--batch-size", str(args.batch_size)] if args.batch_size else []
        flow = _spawn(["--child", "flow", "--corpus", str(corpus), "--db", str(db), "--api", args.api, *extra])
        if flow["loaded"] != n:
            print(f"warning: {flow['loaded']} of {n} articles loaded", file=sys.stderr)
        result = {"articles": n, "words": words, "bare": bare, "flow": flow}
        if bare_numpy:
            result["bare_numpy"] = bare_numpy
        if args.cli:
            print(f"{n} articles: newsevents run …", file=sys.stderr, flush=True)
            cli_db = work / f"cli_{n}.duckdb"
            for stale in work.glob(f"cli_{n}.duckdb*"):
                stale.unlink()
            result["cli"] = _spawn(["--child", "cli", "--corpus", str(corpus), "--db", str(cli_db), *extra])
        results.append(result)
    print(f"cores: {os.cpu_count()}, load average before the last run: {os.getloadavg()[0]:.2f}")
    print(_table(results))
    for r in results:
        runs = [(f"the flow call ({r['flow']['api']} API)", r["flow"])]
        runs += [("`newsevents run`", r["cli"])] if "cli" in r else []
        for name, run in runs:
            samples = run.pop("timeline", [])
            ends = timeline_summary(samples)
            if ends:
                print(
                    f"\n{r['articles']} articles, {name}: workers idle at its head {ends['head_s']:.1f} s "
                    f"(CPU: its process {ends['head_cpu_flow']:.1f}, helpers {ends['head_cpu_other']:.1f}) "
                    f"and tail {ends['tail_s']:.1f} s (CPU: its process {ends['tail_cpu_flow']:.1f}, "
                    f"helpers {ends['tail_cpu_other']:.1f}); workers' CPU {ends['workers_cpu']:.1f} s; "
                    f"cores not wanted by the run (idle on a quiet machine): {100 * ends['idle_share']:.1f} %"
                )
            if args.timeline and samples:
                print(_timeline_table(samples))
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

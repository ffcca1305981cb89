"""Where a small run's time goes: a timeline of one `newsevents run`, step by step, wall and CPU seconds.

In: a warehouse and the inputs of a run (`--db DB PATHS...`), or nothing: then it builds a warehouse of
`--n` known articles (default 300, `benchmarks/corpus.py`, seed 7) in `--dir` once, and each trace copies
it and adds 5 new articles, the `benchmarks/incremental.py` "+5 files" run. Out: a table on stdout, one row
per step as it began (nested steps indented): wall seconds since the process was started, the step's wall
and the CPU seconds of the run's own process (user + sys, all its threads) it took; then the CPU of the
process's children (the temporary Prefect server, the Data Docs helper, a worker pool) and the whole
tree, and the CPU the kept helpers (flows/keep.py: the Prefect API server and the Data Docs helper that
outlive a run) spent while it ran, with their memory.

Kept helpers: the run uses the CLI's default (kept). The warehouse's build starts them, so the trace finds
them warm; `--cold` stops them first (the trace starts them), `--no-keep` traces a run with keep-alive off
(a temporary server and a docs helper of its own). The start-up cache and the helpers live in
`--dir`/cache; the helpers are stopped at the end.

The run is the console script's own code (`flows.cli.main`) in a child process; the child wraps the steps
(functions of flows/, transforms/, expectations/ and the first import of the heavy libraries) as their
modules are imported, so nothing is imported earlier than the run itself would. The figures are of a
traced run: each wrapper costs microseconds.

Usage: `uv run python benchmarks/timeline.py [--n 300] [--dir /tmp/ne-timeline] [--repeat 1] [--cold | --no-keep]
[--json F]`
or `uv run python benchmarks/timeline.py --db X.duckdb inbox/ new/`.
"""

from __future__ import annotations

import argparse
import functools
import importlib.abc
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# module → names to wrap once the module is imported ("Class.method" for a method)
STEPS: dict[str, tuple[str, ...]] = {
    "flows.cli": ("_settings", "_preflight", "_code", "print_summary", "_exit_now"),
    "flows.server": ("_boot_temporary_server", "_api_url"),
    "flows.workers": ("Workers.result", "Workers._fresh_pool", "code_here"),
    "flows.helpers": ("start_docs_helper",),
    "flows.keep": ("Lease", "prefect_server", "docs_helper"),
    "expectations.docs_worker": ("build",),
    "transforms.lexicon": ("load_lexicon", "_load"),
    "transforms.nlp": ("load_nlp",),
    "flows.warm_cache": ("restore", "store", "_unpickled"),
    "flows.pipeline": (
        "warm_up",
        "_ready",
        "_warm_extractor",
        "validate_batch",
        "_run",
        "_plan",
        "_code",
        "read_chunks",
        "coded_task",
        "validate_task",
        "load_task",
        "record_files",
        "record_run",
        "publish_validation",
        "create_markdown_artifact",
    ),
}
IMPORTS = (
    "typer",
    "pydantic",
    "yaml",
    "polars",
    "duckdb",
    "spacy",
    "prefect",
    "prefect.flows",
    "great_expectations",
    "transforms.extract",
    "expectations.validate",
    "flows.pipeline",
)


class _Trace:
    def __init__(self, t0: float) -> None:
        self.t0, self.depth = t0, 0
        self.rows: list[dict] = []

    def span(self, name: str):
        trace = self

        class _Span:
            def __enter__(self):
                self.row = {"step": name, "depth": trace.depth, "start": time.time() - trace.t0, "cpu0": _cpu()}
                trace.rows.append(self.row)
                trace.depth += 1

            def __exit__(self, *exc):
                trace.depth -= 1
                self.row["wall"] = time.time() - trace.t0 - self.row["start"]
                self.row["cpu"] = _cpu() - self.row.pop("cpu0")

        return _Span()

    def mark(self, name: str) -> None:
        self.rows.append({"step": name, "depth": self.depth, "start": time.time() - self.t0, "wall": 0.0, "cpu": 0.0})


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _wrap(trace: _Trace, label: str, fn):
    if getattr(fn, "_traced", False):
        return fn
    if label.endswith("_exit_now"):  # never returns: mark it

        @functools.wraps(fn)
        def ending(*a, **k):
            trace.mark("exit: atexit handlers (server stop, Prefect's flush), os._exit")
            return fn(*a, **k)

        ending._traced = True  # type: ignore[attr-defined]
        return ending

    @functools.wraps(fn)
    def traced(*a, **k):
        with trace.span(label):
            return fn(*a, **k)

    traced._traced = True  # type: ignore[attr-defined]
    return traced


class _Finder(importlib.abc.MetaPathFinder):
    """Times the first import of IMPORTS and wraps STEPS' functions right after their module ran."""

    def __init__(self, trace: _Trace) -> None:
        self.trace = trace

    def find_spec(self, name, path, target=None):
        if name not in STEPS and name not in IMPORTS:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run, trace = loader.exec_module, self.trace

        def exec_module(module):
            if name in IMPORTS:
                with trace.span(f"import {name}"):
                    run(module)
            else:
                run(module)
            for attr in STEPS.get(name, ()):
                owner, _, leaf = attr.rpartition(".")
                holder = getattr(module, owner) if owner else module
                if hasattr(holder, leaf):
                    setattr(holder, leaf, _wrap(trace, f"{name.rsplit('.', 1)[-1]}.{attr}", getattr(holder, leaf)))

        loader.exec_module = exec_module
        return spec


def child(out: Path, argv: list[str]) -> None:
    """In the traced process: hooks, then the console script with `argv`; the trace written at exit."""
    import atexit

    trace = _Trace(float(os.environ["NE_TIMELINE_T0"]))
    trace.mark("interpreter up")

    def dump() -> None:
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        children = kids.ru_utime + kids.ru_stime
        out.write_text(json.dumps({"rows": trace.rows, "self_cpu": _cpu(), "children_cpu": children}))

    atexit.register(dump)  # registered first: runs last, after the server is stopped
    sys.meta_path.insert(0, _Finder(trace))
    sys.argv = ["newsevents", *argv]
    from flows.cli import main

    main()


def _kept(env: dict) -> list:
    """The kept helpers of the runs' cache folder (benchmarks/incremental.py's accounting)."""
    return _incremental()._helpers(env)


def _cpu_of(pid: int) -> float:
    return _incremental()._cpu_of(pid)


def _incremental():
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks import incremental

    return incremental


def traced_run(argv: list[str], out: Path, env: dict) -> dict:
    env = {**env, "NE_TIMELINE_T0": repr(time.time())}
    before = {k.pid: _cpu_of(k.pid) for k in _kept(env)}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--child", str(out), "--", *argv],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"the traced run failed: {proc.stderr.read().decode()[-800:] if proc.stderr else ''}")
    data = json.loads(out.read_text())
    data["wall"], data["tree_cpu"] = wall, usage.ru_utime + usage.ru_stime
    after = _kept(env)
    data["kept"] = [
        {"kind": k.kind, "pid": k.pid, "warm": k.pid in before, "cpu": _cpu_of(k.pid) - before.get(k.pid, 0.0)}
        | {"rss_mb": _rss(k.pid)}
        for k in after
    ]
    return data


def _rss(pid: int) -> float | None:
    from flows import keep

    return keep.rss_mb(pid)


def show(data: dict) -> None:
    print(f"{'step':64} {'at s':>7} {'wall s':>7} {'cpu s':>6}")
    for r in data["rows"]:
        name = "  " * r["depth"] + r["step"]
        print(f"{name[:64]:64} {r['start']:7.2f} {r['wall']:7.2f} {r['cpu']:6.2f}")
    print(
        f"\nwall {data['wall']:.2f} s; CPU: run's process {data['self_cpu']:.2f} s, its children "
        f"{data['children_cpu']:.2f} s, whole tree {data['tree_cpu']:.2f} s"
    )
    for k in data.get("kept", []):
        rss = f"{k['rss_mb']:.0f} MB" if k["rss_mb"] is not None else "?"
        state = "found warm" if k["warm"] else "started by this run"
        print(f"kept {k['kind']} helper (pid {k['pid']}, {state}): {k['cpu']:.2f} CPU s during the run, RSS {rss}")
    if not data.get("kept"):
        print("no kept helper running after the run")


def prepare(n: int, folder: Path, env: dict) -> tuple[Path, Path, Path]:
    """A warehouse of `n` known articles (built once in `folder`) and a folder of 5 new articles."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.corpus import make_corpus

    inbox, new, db = folder / "inbox", folder / "new", folder / "known.duckdb"
    if not db.exists():
        shutil.rmtree(folder, ignore_errors=True)
        staged = make_corpus(n + 5, 7, folder / "staged")
        inbox.mkdir(parents=True)
        new.mkdir()
        for p in staged[:n]:
            shutil.copy(p, inbox / p.name)
        for p in staged[n:]:
            shutil.copy(p, new / p.name)
        exe = ROOT / ".venv" / "bin" / "newsevents"
        subprocess.run(
            [str(exe), "run", str(inbox), "--db", str(db)], cwd=ROOT, env=env, check=True, capture_output=True
        )
    return inbox, new, db


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]), sys.argv[4:])
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", type=Path, help="inputs of the run (with --db)")
    ap.add_argument("--db", type=Path, help="the run's warehouse (it is changed: pass a copy)")
    ap.add_argument("--n", type=int, default=300, help="known articles of the built warehouse")
    ap.add_argument("--dir", type=Path, default=Path("/tmp/ne-timeline"))
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--json", type=Path, help="write the traces here")
    ap.add_argument("--cold", action="store_true", help="stop the kept helpers before each trace")
    ap.add_argument("--no-keep", action="store_true", help="trace a run with keep-alive off")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from flows import keep
    from flows.settings import Settings

    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "NEWSEVENTS_KEEP_HELPERS")}
    env["NEWSEVENTS_CACHE_DIR"] = str(args.dir / "cache")
    env["NEWSEVENTS_ZYGOTE"] = "off"  # the traced run is this child's own code, never a zygote's fork
    kept = Settings(cache_dir=env["NEWSEVENTS_CACHE_DIR"])
    traces = []
    try:
        for _ in range(args.repeat):
            if args.db:
                argv = ["run", *map(str, args.paths), "--db", str(args.db)]
            else:
                inbox, new, db = prepare(args.n, args.dir, env)
                scratch = args.dir / "trace.duckdb"
                shutil.copy(db, scratch)
                shutil.rmtree(args.dir / "trace_docs", ignore_errors=True)
                argv = ["run", str(inbox), str(new), "--db", str(scratch)]
            if args.no_keep:
                argv.append("--no-keep")
            if args.cold:
                keep.stop(kept)
            data = traced_run(argv, args.dir / "trace.json" if not args.db else args.db.with_suffix(".trace.json"), env)
            show(data)
            traces.append(data)
    finally:
        keep.stop(kept)
    if args.json:
        args.json.write_text(json.dumps(traces, indent=1))


if __name__ == "__main__":
    main()

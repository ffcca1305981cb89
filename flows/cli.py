"""The `newsevents` command line: run, serve, export, report and sql.

In: command-line words. Out: work done and a summary on the terminal; exit
status 0 when the run finished (even with quarantined input), non-zero with a
one-line reason when it could not run. No traceback reaches the user.
Start-up is kept short: only the command being run imports what it needs
(Prefect, Great Expectations and spaCy only when a run has something to code;
export, report and sql never), so `--help` answers at once.
"""

from __future__ import annotations

import contextlib
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table


class _App(typer.core.TyperGroup):
    """The one place a user error becomes one line: every `NewsEventsError` (flows/errors.py), and the
    lower layers' one-line errors (`USER_ERRORS`), raised by any command end it with `newsevents: <message>`
    on stderr and the error's exit status; no traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except Exception as exc:
            from flows.errors import USER_ERRORS, exit_code

            if not isinstance(exc, USER_ERRORS):
                raise
            err.print(f"newsevents: {exc}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(exit_code(exc)) from None


app = typer.Typer(
    cls=_App,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"show_default": True},
    help="News articles → PLOVER event warehouse in DuckDB.",
)
err = Console(stderr=True)
out = Console()


def fresh_consoles() -> None:
    """The consoles again, for the streams and environment this process has now (a zygote's child: the
    terminal, its width and colours are the CLI's, not the zygote's log file's)."""
    global err, out
    err, out = Console(stderr=True), Console()


# Defaults that live in flows/settings.Settings (and may be set in [tool.newsevents] or NEWSEVENTS_*), shown in
# --help; tests/test_everyday.py checks them against Settings.
SETTING_DEFAULTS = {
    "db": "data/newsevents.duckdb",
    "batch_size": "200",
    "lock_timeout": "30",
    "max_chars": "500000",
    "extract_timeout": "120",
    "workers": "0",
}


def _from_settings(name: str, env: str) -> str:
    return f"{SETTING_DEFAULTS[name]}, or {name} in [tool.newsevents] / {env}"


class ExportFormat(StrEnum):
    parquet = "parquet"
    csv = "csv"


class SqlFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            out.print(f"newsevents {version('newsevents')}", highlight=False)
        except PackageNotFoundError:
            out.print("newsevents (not installed: version unknown)", highlight=False)
        raise typer.Exit()


@app.callback()
def _commands(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="print the version and exit")
    ] = False,
) -> None:
    """News articles → PLOVER event warehouse in DuckDB."""


def prefect_environment(verbose: bool = False) -> None:
    """Quiet, offline-friendly Prefect defaults; any value the user set wins."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO" if verbose else "WARNING")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("TQDM_DISABLE", "1")
    if not verbose:  # library warnings (spaCy's W127, deprecations) are not for the user's screen
        import warnings

        warnings.filterwarnings("ignore")
        os.environ.setdefault("PYTHONWARNINGS", "ignore")  # spaCy's worker processes, Prefect's server


def _tick_line(result: str) -> None:
    from datetime import datetime

    err.print(f"{datetime.now():%H:%M:%S} newsevents: tick: {result}", markup=False, highlight=False, soft_wrap=True)


DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="DuckDB file", show_default=_from_settings("db", "NEWSEVENTS_DB")),
]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers",
        help="code batches on a local Dask cluster of N worker processes (0: in this process)",
        show_default=_from_settings("workers", "NEWSEVENTS_WORKERS"),
    ),
]
DaskOption = Annotated[
    str | None,
    typer.Option(
        "--dask-address", help="code batches on an existing Dask cluster (tcp://host:8786)", show_default="none"
    ),
]


@app.command()
def run(
    paths: Annotated[list[Path] | None, typer.Argument(help="files or folders to read", show_default="seeds/")] = None,
    db: DbOption = None,
    batch_size: Annotated[
        int | None,
        typer.Option(help="documents per batch", show_default=_from_settings("batch_size", "NEWSEVENTS_BATCH_SIZE")),
    ] = None,
    lock_timeout: Annotated[
        float | None,
        typer.Option(
            help="seconds to wait for another run's lock",
            show_default=_from_settings("lock_timeout", "NEWSEVENTS_LOCK_TIMEOUT"),
        ),
    ] = None,
    dictionaries: Annotated[
        Path | None, typer.Option(help="folder of dictionary YAML files", show_default="the built-in ones")
    ] = None,
    workers: WorkersOption = None,
    dask_address: DaskOption = None,
    max_chars: Annotated[
        int | None,
        typer.Option(
            "--max-chars",
            help="longest text coded, in characters (longer: too_large)",
            show_default=_from_settings("max_chars", "NEWSEVENTS_MAX_CHARS"),
        ),
    ] = None,
    extract_timeout: Annotated[
        float | None,
        typer.Option(
            "--extract-timeout",
            help="seconds of extraction per document (then extract_timeout; 0: no limit)",
            show_default=_from_settings("extract_timeout", "NEWSEVENTS_EXTRACT_TIMEOUT"),
        ),
    ] = None,
    no_keep: Annotated[
        bool,
        typer.Option(
            "--no-keep",
            help="run here, and stop this run's Prefect server and Data Docs helper when it ends (by default a "
            "run goes through the kept run zygote, and they are kept for the next runs; setting keep_helpers, "
            "NEWSEVENTS_KEEP_HELPERS; see `newsevents helpers`)",
        ),
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="show Prefect's logs")] = False,
) -> None:
    """Read every article under PATHS and load its events into the warehouse."""
    from flows.stopping import stop_on_signals

    prefect_environment(verbose)
    with stop_on_signals():
        keep = False if no_keep else None  # None: the settings decide (on by default)
        _run(paths, db, batch_size, lock_timeout, dictionaries, workers, dask_address, max_chars, extract_timeout, keep)


def _run(
    paths, db, batch_size, lock_timeout, dictionaries, workers, dask_address, max_chars, extract_timeout, keep=None
) -> None:
    from flows.summary import seconds_since_start

    with _status() as status:  # a spinner and a status line from the first second, the progress bar later
        settings = _settings(
            inputs=[str(p) for p in paths] if paths else None,
            db=str(db) if db else None,
            batch_size=batch_size,
            lock_timeout=lock_timeout,
            dictionaries=str(dictionaries) if dictionaries else None,
            workers=workers,
            dask_address=dask_address,
            max_chars=max_chars,
            extract_timeout=extract_timeout,
            keep_helpers=keep,
        )
        status("waiting for the warehouse's run lock")
        with _held(settings):  # one run at a time per warehouse (waits up to --lock-timeout)
            status("reading the inputs: what is new?")
            plan, summary, prepared = _preflight(settings)
            if plan.nothing_to_do:  # nothing new: say so without paying for a Prefect flow
                summary.seconds = seconds_since_start()
                note = "nothing new or changed: no flow started"
            else:
                note = None
                summary = _code(settings, summary, prepared, status)
                summary.seconds = seconds_since_start()
    print_summary(summary, settings.db_path, note=note)
    if note is None:
        _keep_zygote(settings)
    _helpers_started(settings)
    if summary.error:
        from flows.errors import RunError

        raise RunError(summary.error)


def _keep_zygote(settings) -> None:
    """After a run with work, with kept helpers: have the run zygote (flows/zygote.py) that the next runs of
    this command line go through, started now (after this run's work) unless it runs already."""
    from flows import zygote

    if not settings.keep_helpers or settings.zygote == "off" or _STARTED_WITH is None or zygote.CHILD:
        return
    from flows import keep

    with contextlib.suppress(OSError):
        keep.zygote(settings, _STARTED_WITH, model=settings.zygote == "model")


def _helpers_started(settings) -> None:
    """One line on stderr when this run started a kept helper (the first run, or after they stopped)."""
    kept = sys.modules.get("flows.keep")
    if kept is None or not kept.STARTED or not settings.keep_helpers:
        return
    started = list(dict.fromkeys(kept.STARTED))
    kept.STARTED.clear()
    minutes = f"{settings.helpers_idle_minutes:g}"
    err.print(
        f"newsevents: started helpers that serve the next runs ({', '.join(started)}); they "
        f"stop after {minutes} idle minutes (`newsevents helpers stop` now; log in {settings.helpers_path})",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


def _code(settings, planned, prepared, status):
    """Start Prefect's API and load the model (overlapping), then run the flow on the plan; the flow's summary."""
    from flows.errors import USER_ERRORS, Interrupted, RunError
    from flows.server import run_api

    def warm_up() -> None:  # while Prefect's temporary server boots: the dictionaries, the flow's imports, the model
        from flows import warm_cache
        from transforms.lexicon import load_lexicon

        if settings.data_docs:  # Great Expectations loads in a helper process meanwhile (the Data Docs only)
            from flows.helpers import start_docs_helper

            start_docs_helper(keep)

        status("loading the dictionaries")
        local = not (settings.workers or settings.dask_address)  # else the model (and matchers) load on the workers
        if not (local and warm_cache.restore(settings)):  # stored by an earlier run, matchers built: no YAML read
            load_lexicon(settings.dictionaries)  # a broken dictionary (DictionaryError): one line before any flow
        status("starting Prefect and loading the language model")
        from flows import pipeline

        pipeline.warm_up(settings)
        # the first batches parse on the run's workers while the server finishes booting (flows/pipeline.Head)
        head["head"] = pipeline.start_head(settings, planned.extractor_version, *prepared)

    head: dict = {}
    _HEAVY["flow"] = True
    keep = _lease(settings)  # the run's settings when its helpers are kept (flows/keep.py), else None
    try:
        with run_api(warm_up, keep=keep):
            from flows import pipeline

            status("starting the flow")
            try:
                plan = pipeline.Prepared(settings, planned.extractor_version, *prepared, head=head.get("head"))
                summary = pipeline.flow_for(settings)(settings, prepared=plan, progress=pipeline.Watch(status.hook))
                _docs_written(summary)
            except KeyboardInterrupt:
                raise Interrupted("interrupted: whole documents loaded so far are kept; run again to finish") from None
            except USER_ERRORS:
                raise
            except Exception as exc:  # noqa: BLE001 - the user gets one line, not a traceback
                raise RunError(f"the run failed: {type(exc).__name__}: {_first(exc)}", code=1) from None
    finally:
        if head.get("head") is not None:  # workers the flow never took over (stopped before it): end them now
            head["head"].close()
    summary.stage_seconds.add(planned.stage_seconds)  # the plan the CLI made before the flow
    return summary


def _docs_written(summary) -> None:
    """Wait for a kept Data Docs helper's answer (it built while the flow ended); a failure is one line."""
    from expectations import docs_worker

    problem = docs_worker.finish()
    if problem:
        summary.data_docs = None
        err.print(f"newsevents: could not build the Data Docs: {problem}", markup=False, highlight=False)


def _lease(settings):
    """With `keep_helpers`: hold the kept helpers' lease until this process ends (after Prefect's flush at
    exit), so none stops under the run; the settings to find them with. None when they are not kept."""
    if not settings.keep_helpers:
        return None
    import atexit

    from flows import keep

    keep.STARTED.clear()  # what this run starts (a process may run several: tests, `CliRunner`)
    try:
        lease = keep.Lease(settings)
    except OSError:  # an unwritable cache folder: this run's own helpers, as with keep-alive off
        return None
    atexit.register(lease.release)  # registered before the flow starts Prefect's workers: runs after their flush
    return settings


def _first(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else ""


@contextlib.contextmanager
def _held(settings):
    """The warehouse's run lock for the whole run; a second run waits up to --lock-timeout, then one line."""
    from warehouse.connect import run_lock

    with run_lock(settings.db_path, settings.lock_timeout):  # WarehouseError: one line (the CLI's one place)
        yield


def _settings(**overrides):
    """Settings from pyproject, env and flags, checked; a bad one is a `SettingsError` (one line)."""
    from flows.discover import path_exists, printable
    from flows.errors import SettingsError

    settings = _load_settings(**overrides)
    for p in settings.inputs:
        if not path_exists(Path(p).expanduser()):  # InputError when it cannot be looked at
            raise SettingsError(f"no such file or folder: {printable(p)}")
    if settings.dictionaries and not Path(settings.dictionaries).is_dir():
        raise SettingsError(f"no dictionary folder at {settings.dictionaries}")
    return settings


def _load_settings(**overrides):
    from pydantic import ValidationError

    from flows.errors import SettingsError
    from flows.settings import load_settings

    try:
        return load_settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise SettingsError(f"bad setting: {first['loc'][0]}: {first['msg']}") from None


def _preflight(settings):
    """Before any flow: what is new? (discovery, hashing, the known-sources check). Fails fast on a bad warehouse.

    Needs no spaCy, Prefect or Great Expectations (the extractor version is read from files: transforms/version.py).
    When nothing is new the run is recorded in `runs` (with no Prefect flow run id) and its summary returned.
    """
    import time
    from datetime import UTC, datetime

    from flows.discover import discover, warehouse_companions
    from flows.errors import SettingsError
    from flows.incremental import plan_run, record_files
    from flows.summary import RunSummary, new_run_id, record_run
    from transforms.version import extractor_version
    from warehouse.connect import connect
    from warehouse.known import read_known

    started = datetime.now(UTC).replace(tzinfo=None)
    t0 = time.perf_counter()
    con = connect(settings.db_path, settings.lock_timeout)
    try:
        known = read_known(con)
    finally:
        con.close()
    found = discover(settings.inputs, warehouse_companions(settings.db_path))
    if settings.dictionaries and not Path(settings.dictionaries).is_dir():
        raise SettingsError(f"no dictionary folder at {settings.dictionaries}")
    version = extractor_version(settings.dictionaries)
    plan = plan_run(found, known, version, settings.max_chars)
    summary = RunSummary(
        run_id=new_run_id(),
        files_seen=plan.files_seen,
        skipped=plan.skipped,
        quarantined=sum(plan.quarantined_before.values()),
        quarantine_reasons=plan.quarantined_before,
        records_skipped=plan.records_skipped,
        extractor_version=version,
    )
    summary.stage_seconds["plan"] += time.perf_counter() - t0
    if plan.nothing_to_do:
        record_files(settings.db_path, settings.lock_timeout, plan, version, summary.run_id)
        record_run(settings, summary, started)
    return plan, summary, (found, known, plan)


class _Status:
    """What the terminal shows while a run works: a spinner with the current step, then the coding bar."""

    def __init__(self, progress) -> None:
        self.progress = progress
        self.task = progress.add_task("starting", total=None)

    def __call__(self, text: str) -> None:
        self.progress.update(self.task, description=text)

    def hook(self, kind: str, n: int) -> None:  # the flow's progress hooks (flows/pipeline.PROGRESS)
        if kind == "plan":
            self.progress.update(self.task, description="coding documents", total=n, completed=0)
        elif kind == "batch":
            self.progress.advance(self.task, n)


@contextlib.contextmanager
def _status():
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    with progress:
        yield _Status(progress)


def print_summary(summary, db: Path, note: str | None = None) -> None:
    """This run's counts beside the warehouse's totals, then the seconds by stage (adding up to the wall time)."""
    table = Table(title=f"newsevents run → {db}", show_header=True, header_style="bold")
    table.add_column("")
    table.add_column("this run", justify="right")
    table.add_column("warehouse total", justify="right")
    totals = summary.totals or {}

    def total(key: str) -> str:
        return str(totals[key]) if key in totals else ""

    table.add_row("files seen", str(summary.files_seen), "")
    table.add_row("sources loaded", str(summary.loaded), total("sources"))
    table.add_row("skipped (unchanged)", str(summary.skipped), "")
    table.add_row("quarantined", str(summary.quarantined), total("quarantined"))
    table.add_row("events", str(summary.events), total("events"))
    table.add_row("actors", str(len(summary.actor_ids)), total("actors"))
    out.print(table)
    seconds = Table(title="seconds (wall, from the command's start)", show_header=True, header_style="bold")
    timing = summary.timing()
    for stage in timing:
        seconds.add_column(stage, justify="right")
    seconds.add_row(*(f"{v:.1f}" for v in timing.values()))
    out.print(seconds)
    if summary.events_by_type:
        types = Table(title="events by type", show_header=True, header_style="bold")
        types.add_column("type")
        types.add_column("events", justify="right")
        for t, n in summary.events_by_type.most_common():
            types.add_row(t, str(n))
        out.print(types)
    if summary.quarantine_reasons:
        reasons = ", ".join(f"{r} {n}" for r, n in summary.quarantine_reasons.most_common())
        out.print(f"quarantined: {reasons} (see the quarantine table)")
    if getattr(summary, "records_skipped", None):
        records = ", ".join(f"{r} {n}" for r, n in summary.records_skipped.most_common())
        out.print(f"archive records skipped (not pages): {records}")
    docs = summary.data_docs if getattr(summary, "data_docs", None) else None
    if docs is None:
        from expectations.docs import docs_dir_for

        index = docs_dir_for(db) / "index.html"
        docs = str(index) if index.exists() else None
    if docs:
        out.print(f"Data Docs (validation results): {docs}")
    if note:
        out.print(note)
    elif summary.flow_run_id and not getattr(summary, "error", None):  # a failed run writes no `runs` row
        out.print(f"Prefect flow run {summary.flow_run_id}, run id {summary.run_id} (the `runs` table)")


@app.command()
def serve(
    cron: Annotated[
        str, typer.Option("--cron", help='when to look for new files, as cron, e.g. "*/15 * * * *"', show_default=False)
    ],
    inbox: Annotated[
        Path, typer.Option("--inbox", help="folder to watch: new or changed files in it are coded", show_default=False)
    ],
    db: DbOption = None,
    name: Annotated[
        str | None, typer.Option("--name", help="deployment name", show_default="derived from the inbox and --db")
    ] = None,
    port: Annotated[int, typer.Option("--port", help="port of our Prefect server (without PREFECT_API_URL)")] = 4200,
    workers: WorkersOption = None,
    dask_address: DaskOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="show Prefect's logs")] = False,
) -> None:
    """Code new inbox files on a cron schedule, as a Prefect deployment (blocks; Ctrl-C or SIGTERM stops)."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    prefect_environment(verbose)
    from flows.errors import ServeError, SettingsError
    from warehouse.connect import check_target

    check_target(db if db is not None else "data/newsevents.duckdb")
    if not inbox.expanduser().exists():  # like `run`: a mistyped path is an error, not a new empty folder
        raise SettingsError(f"no such folder: {inbox} (create it first: mkdir -p {inbox})")
    if not inbox.expanduser().is_dir():
        raise SettingsError(f"the inbox {inbox} is not a folder")
    settings = _settings(
        inputs=[str(inbox.expanduser().absolute())],
        db=str(db.absolute()) if db else None,
        workers=workers,
        dask_address=dask_address,
    )
    settings = settings.model_copy(update={"db": str(settings.db_path.absolute())})
    from flows.serve import check_cron, deployment_name, trigger_hint
    from flows.serve import serve as serve_flow
    from flows.server import prefect_api
    from flows.stopping import stop_on_signals

    name = name or deployment_name(settings)
    try:
        check_cron(cron)
        with stop_on_signals(), prefect_api(port) as url:
            err.print(
                f"newsevents: serving deployment {name!r} ({cron}) on inbox {inbox} → {settings.db}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
            err.print(
                f"newsevents: Prefect API {url}; UI at {url.removesuffix('/api')} when it is a local server",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
            err.print(
                f"newsevents: to run it now, in another shell: {trigger_hint(name, url)}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
            serve_flow(settings, cron, name, on_tick=_tick_line)
    except KeyboardInterrupt:
        err.print("newsevents: stopped serving")
    except ServeError:
        raise
    except Exception as exc:  # noqa: BLE001 - e.g. PREFECT_API_URL points at no server: one line, no traceback
        raise ServeError(f"serve failed: {type(exc).__name__}: {_first(exc)}", code=1) from None


helpers_app = typer.Typer(
    help="The Prefect API server, Data Docs helper and run zygote that `newsevents run` keeps between runs.",
    no_args_is_help=True,
)
app.add_typer(helpers_app, name="helpers")


@helpers_app.command("status")
def helpers_status() -> None:
    """List the kept helpers running now: kind, pid, where they answer, age, memory."""
    import time

    from flows import keep

    settings = _load_settings()
    found = keep.entries(settings)
    if not found:
        out.print(f"newsevents: no kept helper is running ({settings.helpers_path})", highlight=False)
        return
    table = Table(title=f"kept helpers ({settings.helpers_path})", show_header=True, header_style="bold")
    for col in ("helper", "pid", "answers at", "running for", "RSS MB"):
        table.add_column(col)
    for k in found:
        rss = keep.rss_mb(k.pid)
        where = k.url if k.kind == "prefect" else k.socket
        age = f"{(time.time() - k.started) / 60:.1f} min"
        table.add_row(k.kind, str(k.pid), where, age, f"{rss:.0f}" if rss is not None else "?")
    out.print(table)


@helpers_app.command("stop")
def helpers_stop() -> None:
    """Stop the kept helpers now (a run started later starts them again)."""
    from flows import keep

    settings = _load_settings()
    ended = keep.stop(settings)
    names = ", ".join(f"{k.kind} (pid {k.pid})" for k in ended) or "none was running"
    out.print(f"newsevents: helpers stopped: {names}", highlight=False)


ReadLockOption = Annotated[
    float, typer.Option("--lock-timeout", min=0, help="seconds to wait while a run holds the warehouse")
]


def _open_read_only(db: Path | None, lock_timeout: float):
    """The warehouse opened read-only with its analyst views; one line and exit 2 when it cannot be."""
    from warehouse.export import open_for_reading

    path = _load_settings(db=str(db) if db else None).db_path
    return path, open_for_reading(path, lock_timeout)


@app.command()
def export(
    out_dir: Annotated[Path, typer.Option("--out", help="folder to write the files to (created if missing)")],
    fmt: Annotated[
        ExportFormat, typer.Option("--format", case_sensitive=False, help="file format")
    ] = ExportFormat.parquet,
    db: DbOption = None,
    lock_timeout: ReadLockOption = 10.0,
) -> None:
    """Write every table and view of the warehouse to OUT as one file each (events.parquet, …)."""
    from warehouse.export import export as export_all

    path, con = _open_read_only(db, lock_timeout)
    try:
        written = export_all(con, out_dir, fmt.value)
    finally:
        con.close()
    table = Table(title=f"newsevents export {path} → {out_dir}", show_header=True, header_style="bold")
    for col in ("file", "kind"):
        table.add_column(col, justify="left")
    table.add_column("rows", justify="right")
    for e in written:
        table.add_row(e.path.name, e.kind, str(e.rows))
    out.print(table)


@app.command()
def report(
    out_file: Annotated[Path, typer.Option("--out", help="HTML file to write")] = Path("report.html"),
    db: DbOption = None,
    max_rows: Annotated[int, typer.Option("--max-rows", min=1, help="most events listed in the table")] = 5000,
    lock_timeout: ReadLockOption = 10.0,
) -> None:
    """Write a self-contained HTML report (charts, quarantine, searchable events with evidence)."""
    from flows.errors import SettingsError
    from warehouse.report import write_report

    if out_file.is_dir():
        raise SettingsError(f"{out_file} is a folder: give the HTML file to write")
    path, con = _open_read_only(db, lock_timeout)
    try:
        written = write_report(con, out_file, str(path), max_rows=max_rows)
    except OSError as exc:
        raise SettingsError(f"cannot write {out_file}: {exc.strerror}") from None
    finally:
        con.close()
    size = written.stat().st_size / 1024
    out.print(f"newsevents: report written to {written} ({size:,.0f} KiB); open it in a browser")


@app.command()
def sql(
    query: Annotated[
        str | None,
        typer.Argument(help="the SQL to run ('-' or nothing: read it from standard input)", show_default=False),
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="read the SQL from this file", show_default="none")
    ] = None,
    fmt: Annotated[SqlFormat, typer.Option("--format", case_sensitive=False, help="output format")] = SqlFormat.table,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="write the result to this file", show_default="standard output")
    ] = None,
    max_rows: Annotated[int, typer.Option("--max-rows", min=1, help="most rows shown as a table")] = 100,
    db: DbOption = None,
    lock_timeout: ReadLockOption = 10.0,
) -> None:
    """Run SQL read-only against the warehouse (tables and analyst views) and print the result.

    Examples: newsevents sql "SELECT * FROM event_facts LIMIT 5";
    newsevents sql --file query.sql --format csv --out result.csv; echo "SHOW TABLES" | newsevents sql
    """
    from flows.errors import SettingsError
    from warehouse.query import query as run_query
    from warehouse.query import write_result

    if file is not None and query is not None:
        raise SettingsError("give the SQL either as an argument or with --file, not both")
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SettingsError(f"cannot read {file}: {getattr(exc, 'strerror', None) or exc}") from None
    elif query is None or query == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise SettingsError('no SQL given: newsevents sql "SELECT …", --file FILE, or pipe it on standard input')
        text = sys.stdin.read()
    else:
        text = query
    if fmt is SqlFormat.table and out_file is not None:
        raise SettingsError("--out needs --format csv, json or parquet")
    _, con = _open_read_only(db, lock_timeout)
    try:
        if fmt is SqlFormat.table:
            result = run_query(con, text, max_rows)
        else:
            rows = write_result(con, text, fmt.value, out_file)
    finally:
        con.close()
    if fmt is not SqlFormat.table:
        if out_file is not None:
            err.print(f"newsevents: {rows} rows written to {out_file}", markup=False, highlight=False)
        return
    if not result.columns:
        return
    cells = [["" if v is None else _cut(str(v)) for v in row] for row in result.rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(result.columns)]
    table = Table(show_header=True, header_style="bold")
    first = result.rows[0] if result.rows else ()
    for i, col in enumerate(result.columns):  # as wide as the values (each cut at SQL_CELL characters)
        number = i < len(first) and isinstance(first[i], int | float) and not isinstance(first[i], bool)
        table.add_column(col, no_wrap=True, min_width=widths[i], justify="right" if number else "left")
    for row in cells:
        table.add_row(*row)
    wide = Console(width=sum(widths) + 3 * len(widths) + 1, force_terminal=out.is_terminal or None)
    wide.print(table, crop=False)  # as wide as it needs (a terminal narrower than that wraps the lines)
    more = " (more not shown: raise --max-rows, or --format csv --out FILE)" if result.more else ""
    err.print(f"{len(result.rows)} rows{more}", markup=False, highlight=False)


SQL_CELL = 48  # longest value shown in a `sql` table cell; --format csv/json/parquet write values whole


def _cut(text: str) -> str:
    text = " ".join(text.split())  # one line per row
    return text if len(text) <= SQL_CELL else text[: SQL_CELL - 1] + "…"


_HEAVY = {"flow": False}  # set when this process ran a flow (Prefect, spaCy, GX loaded): see `_exit_now`


_STARTED_WITH: dict[str, str] | None = None  # the console script's environment as it started (a zygote's key)


def main() -> None:
    """The console script: a run through the kept zygote when there is one for it (its exit status), else the
    app, then, after a run that started a flow, a quick exit (`_exit_now`)."""
    global _STARTED_WITH
    _STARTED_WITH = dict(os.environ)
    try:
        code = _through_zygote()
        if code is not None:
            sys.exit(code)
        app()
    except KeyboardInterrupt:
        err.print("newsevents: interrupted")
        sys.exit(130)
    except SystemExit as exc:
        if _HEAVY["flow"] and (exc.code is None or isinstance(exc.code, int)):
            _exit_now(exc.code or 0)
        raise


def _through_zygote() -> int | None:
    """`newsevents run` in a child of the kept zygote (flows/zygote.py): its exit status; None when it is not
    for the zygote (another command, `--no-keep`, keep-alive off, no zygote for this key...): run here."""
    from flows import zygote

    if zygote.CHILD or not zygote.wanted(sys.argv):
        return None
    try:
        from flows.settings import load_settings

        settings = load_settings()
        if not settings.keep_helpers or settings.zygote == "off":
            return None
        return zygote.run_through(sys.argv, settings, dict(os.environ))
    except Exception as exc:  # noqa: BLE001 - a bad setting is reported by the run itself; a zygote is optional
        zygote.log.debug("run not sent to a zygote: %s", exc)
        return None


def _exit_now(code: int) -> None:
    """End the process the way the interpreter would, minus tearing down every module object.

    After a flow the interpreter's finalisation (freeing the spaCy model, Prefect's and Great Expectations'
    module graphs object by object) costs 1-4 s with nothing left to do. This does what finalisation does
    that matters — waits for non-daemon threads, runs the `atexit` handlers (Prefect's log and event workers
    flush, the temporary server stops, logging shuts down), flushes stdout and stderr — then `os._exit`.
    Only the console script does it (never a test's in-process `CliRunner`)."""
    import atexit
    import threading

    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    from flows.stopping import exit_process

    exit_process(code)


if __name__ == "__main__":
    main()

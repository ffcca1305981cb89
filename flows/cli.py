"""The `newsevents` command line: run (and, as they are added, serve, export, report).

In: command-line words. Out: work done and a summary on the terminal; exit
status 0 when the run finished (even with quarantined input), non-zero with a
one-line reason when it could not run. No traceback reaches the user.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="News articles → PLOVER event warehouse in DuckDB.",
)
err = Console(stderr=True)
out = Console()


@app.callback()
def _commands() -> None:
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


def fail(message: str, code: int = 2) -> None:
    err.print(f"newsevents: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@app.command()
def run(
    paths: Annotated[list[Path] | None, typer.Argument(help="files or folders to read (default: seeds/)")] = None,
    db: Annotated[
        Path | None, typer.Option("--db", help="DuckDB file (default data/newsevents.duckdb or $NEWSEVENTS_DB)")
    ] = None,
    batch_size: Annotated[int | None, typer.Option(help="documents per batch")] = None,
    lock_timeout: Annotated[float | None, typer.Option(help="seconds to wait for another run's lock")] = None,
    dictionaries: Annotated[Path | None, typer.Option(help="folder of dictionary YAML files")] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="code batches on a local Dask cluster of N worker processes")
    ] = None,
    dask_address: Annotated[
        str | None, typer.Option("--dask-address", help="code batches on an existing Dask cluster (tcp://host:8786)")
    ] = None,
    max_chars: Annotated[
        int | None, typer.Option("--max-chars", help="longest text coded, in characters (longer: too_large)")
    ] = None,
    extract_timeout: Annotated[
        float | None,
        typer.Option("--extract-timeout", help="seconds of extraction per document (then extract_timeout)"),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="show Prefect's logs")] = False,
) -> None:
    """Read every article under PATHS and load its events into the warehouse."""
    from flows.stopping import stop_on_signals

    prefect_environment(verbose)
    with stop_on_signals():
        _run(paths, db, batch_size, lock_timeout, dictionaries, workers, dask_address, max_chars, extract_timeout)


def _run(paths, db, batch_size, lock_timeout, dictionaries, workers, dask_address, max_chars, extract_timeout) -> None:
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
    )
    with _held(settings):  # one run at a time per warehouse (waits up to --lock-timeout)
        plan, summary, prepared = _preflight(settings)
        if plan.nothing_to_do:  # nothing new: say so without paying for a Prefect flow
            print_summary(summary, settings.db_path, note="nothing new or changed: no flow started")
            return
        from flows.serve import run_api

        def warm_up() -> None:  # while Prefect's temporary server boots
            from flows import pipeline

            pipeline.PREPARED.append(pipeline.Prepared(settings, summary.extractor_version, *prepared))
            pipeline.warm_up(settings)

        with run_api(settings, warm_up), _progress_bar() as hook:
            from flows import pipeline

            pipeline.PROGRESS.append(hook)
            try:
                summary = pipeline.flow_for(settings)(settings)
            except KeyboardInterrupt:
                fail("interrupted: whole documents loaded so far are kept; run again to finish", 130)
            except Exception as exc:  # noqa: BLE001 - the user gets one line, not a traceback
                fail(f"the run failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", 1)
            finally:
                pipeline.PROGRESS.remove(hook)
        print_summary(summary, settings.db_path)
        if summary.error:
            fail(summary.error)


@contextlib.contextmanager
def _held(settings):
    """The warehouse's run lock for the whole run; a second run waits up to --lock-timeout, then one line."""
    from warehouse.connect import WarehouseError, run_lock

    try:
        lock = run_lock(settings.db_path, settings.lock_timeout)
        lock.__enter__()
    except WarehouseError as exc:
        fail(str(exc))
    try:
        yield
    finally:
        lock.__exit__(None, None, None)


def _settings(**overrides):
    """Settings from pyproject, env and flags, checked; a bad one ends the command with one line."""
    from pydantic import ValidationError

    from flows.settings import load_settings

    try:
        settings = load_settings(**overrides)
    except ValidationError as exc:
        fail(f"bad setting: {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}")
    from flows.discover import InputError, path_exists, printable

    for p in settings.inputs:
        try:
            if not path_exists(Path(p).expanduser()):
                fail(f"no such file or folder: {printable(p)}")
        except InputError as exc:
            fail(str(exc))
    if settings.dictionaries and not Path(settings.dictionaries).is_dir():
        fail(f"no dictionary folder at {settings.dictionaries}")
    return settings


def _preflight(settings):
    """Before any flow: what is new? (discovery, hashing, the known-sources check). Fails fast on a bad warehouse.

    When nothing is new the run is recorded in `runs` (with no Prefect flow run id) and its summary returned.
    """
    from datetime import UTC, datetime

    from flows.discover import InputError, discover, warehouse_companions
    from flows.incremental import plan_run, read_known, record_files
    from flows.summary import RunSummary, new_run_id, record_run
    from transforms.extract import extractor_version
    from transforms.lexicon import DictionaryError, load_lexicon
    from warehouse.connect import WarehouseError, connect

    started = datetime.now(UTC).replace(tzinfo=None)
    try:
        con = connect(settings.db_path, settings.lock_timeout)
        try:
            known = read_known(con)
        finally:
            con.close()
    except WarehouseError as exc:
        fail(str(exc))
    try:
        found = discover(settings.inputs, warehouse_companions(settings.db_path))
    except InputError as exc:
        fail(str(exc))
    try:
        version = extractor_version(load_lexicon(settings.dictionaries))
    except DictionaryError as exc:
        fail(str(exc))
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
    if plan.nothing_to_do:
        try:
            record_files(settings.db_path, settings.lock_timeout, plan, version, summary.run_id)
            record_run(settings, summary, started)
        except WarehouseError as exc:
            fail(str(exc))
        summary.seconds = (datetime.now(UTC).replace(tzinfo=None) - started).total_seconds()
    return plan, summary, (found, known, plan)


@contextlib.contextmanager
def _progress_bar():
    """A rich progress bar over the documents the flow codes, fed by the flow's progress hooks."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("coding documents"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    bar = None

    def hook(kind: str, n: int) -> None:
        nonlocal bar
        if kind == "plan":
            bar = progress.add_task("coding", total=n)
        elif kind == "batch" and bar is not None:
            progress.advance(bar, n)

    with progress:
        yield hook


def print_summary(summary, db: Path, note: str | None = None) -> None:
    table = Table(title=f"newsevents run → {db}", show_header=True, header_style="bold")
    for col in ("files seen", "loaded", "skipped (unchanged)", "quarantined", "events", "actors", "seconds"):
        table.add_column(col, justify="right")
    table.add_row(
        str(summary.files_seen),
        str(summary.loaded),
        str(summary.skipped),
        str(summary.quarantined),
        str(summary.events),
        str(summary.actors),
        f"{summary.seconds:.1f}",
    )
    out.print(table)
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
    cron: Annotated[str, typer.Option("--cron", help='when to run, as cron, e.g. "*/15 * * * *"')],
    inbox: Annotated[Path, typer.Option("--inbox", help="folder to watch: new or changed files in it are coded")],
    db: Annotated[
        Path | None, typer.Option("--db", help="DuckDB file (default data/newsevents.duckdb or $NEWSEVENTS_DB)")
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="deployment name (default: derived from the inbox and --db)")
    ] = None,
    port: Annotated[int, typer.Option("--port", help="port of our Prefect server (without PREFECT_API_URL)")] = 4200,
    workers: Annotated[int | None, typer.Option("--workers", help="Dask worker processes per run")] = None,
    dask_address: Annotated[str | None, typer.Option("--dask-address", help="an existing Dask cluster")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="show Prefect's logs")] = False,
) -> None:
    """Code new inbox files on a cron schedule, as a Prefect deployment (blocks; Ctrl-C stops)."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    prefect_environment(verbose)
    from warehouse.connect import WarehouseError, check_target

    try:
        check_target(db if db is not None else "data/newsevents.duckdb")
    except WarehouseError as exc:
        fail(str(exc))
    try:
        inbox.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"cannot create the inbox {inbox}: {exc.strerror}")
    settings = _settings(
        inputs=[str(inbox.absolute())],
        db=str(db.absolute()) if db else None,
        workers=workers,
        dask_address=dask_address,
    )
    settings = settings.model_copy(update={"db": str(settings.db_path.absolute())})
    from flows.serve import ServeError, check_cron, deployment_name, prefect_api
    from flows.serve import serve as serve_flow
    from flows.stopping import stop_on_signals

    name = name or deployment_name(settings)
    try:
        check_cron(cron)
        with stop_on_signals(), prefect_api(port) as url:
            err.print(f"newsevents: serving deployment {name!r} ({cron}) on inbox {inbox} → {settings.db}")
            err.print(f"newsevents: Prefect API {url}; UI at {url.removesuffix('/api')} when it is a local server")
            serve_flow(settings, cron, name)
    except ServeError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        err.print("newsevents: stopped serving")
    except Exception as exc:  # noqa: BLE001 - e.g. PREFECT_API_URL points at no server: one line, no traceback
        fail(f"serve failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", 1)


DbOption = Annotated[
    Path | None, typer.Option("--db", help="DuckDB file (default data/newsevents.duckdb or $NEWSEVENTS_DB)")
]
ReadLockOption = Annotated[
    float, typer.Option("--lock-timeout", min=0, help="seconds to wait while a run holds the warehouse")
]


def _open_read_only(db: Path | None, lock_timeout: float):
    """The warehouse opened read-only with its analyst views; one line and exit 2 when it cannot be."""
    from pydantic import ValidationError

    from flows.settings import load_settings
    from warehouse.connect import WarehouseError
    from warehouse.export import open_for_reading

    try:
        path = load_settings(db=str(db) if db else None).db_path
    except ValidationError as exc:
        fail(f"bad setting: {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}")
    try:
        return path, open_for_reading(path, lock_timeout)
    except WarehouseError as exc:
        fail(str(exc))


@app.command()
def export(
    out_dir: Annotated[Path, typer.Option("--out", help="folder to write the files to (created if missing)")],
    fmt: Annotated[str, typer.Option("--format", help="parquet or csv")] = "parquet",
    db: DbOption = None,
    lock_timeout: ReadLockOption = 10.0,
) -> None:
    """Write every table and view of the warehouse to OUT as one file each (events.parquet, …)."""
    from warehouse.connect import WarehouseError
    from warehouse.export import FORMATS
    from warehouse.export import export as export_all

    if fmt not in FORMATS:
        fail(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    path, con = _open_read_only(db, lock_timeout)
    try:
        written = export_all(con, out_dir, fmt)
    except WarehouseError as exc:
        fail(str(exc))
    finally:
        con.close()
    table = Table(title=f"newsevents export {path} → {out_dir}", show_header=True, header_style="bold")
    for col, justify in (("file", "left"), ("kind", "left"), ("rows", "right")):
        table.add_column(col, justify=justify)
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
    from warehouse.report import write_report

    if out_file.is_dir():
        fail(f"{out_file} is a folder: give the HTML file to write")
    path, con = _open_read_only(db, lock_timeout)
    try:
        written = write_report(con, out_file, str(path), max_rows=max_rows)
    except OSError as exc:
        fail(f"cannot write {out_file}: {exc.strerror}")
    finally:
        con.close()
    size = written.stat().st_size / 1024
    out.print(f"newsevents: report written to {written} ({size:,.0f} KiB); open it in a browser")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("newsevents: interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()

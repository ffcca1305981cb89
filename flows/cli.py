"""The `newsevents` command line: run (and, as they are added, serve, export, report).

In: command-line words. Out: work done and a summary on the terminal; exit
status 0 when the run finished (even with quarantined input), non-zero with a
one-line reason when it could not run. No traceback reaches the user.
"""

from __future__ import annotations

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


def fail(message: str, code: int = 2) -> None:
    err.print(f"newsevents: {message}", markup=False, highlight=False)
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
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="show Prefect's logs")] = False,
) -> None:
    """Read every article under PATHS and load its events into the warehouse."""
    prefect_environment(verbose)
    from pydantic import ValidationError

    from flows.settings import load_settings

    try:
        settings = load_settings(
            inputs=[str(p) for p in paths] if paths else None,
            db=str(db) if db else None,
            batch_size=batch_size,
            lock_timeout=lock_timeout,
            dictionaries=str(dictionaries) if dictionaries else None,
        )
    except ValidationError as exc:
        fail(f"bad setting: {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}")
    for p in settings.inputs:
        if not Path(p).expanduser().exists() and not Path(p).expanduser().is_symlink():
            fail(f"no such file or folder: {p}")
    if settings.dictionaries and not Path(settings.dictionaries).is_dir():
        fail(f"no dictionary folder at {settings.dictionaries}")
    from warehouse.connect import WarehouseError, connect

    try:  # fail fast, before Prefect starts, when the warehouse cannot be opened at all
        connect(settings.db_path, settings.lock_timeout).close()
    except WarehouseError as exc:
        fail(str(exc))

    from flows.pipeline import run_pipeline

    try:
        summary = run_pipeline(settings)
    except KeyboardInterrupt:
        fail("interrupted: whole documents loaded so far are kept; run again to finish", 130)
    except Exception as exc:  # noqa: BLE001 - the user gets one line, not a traceback
        fail(f"the run failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", 1)
    print_summary(summary, settings.db_path)
    if summary.error:
        fail(summary.error)


def print_summary(summary, db: Path) -> None:
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
    if summary.quarantine_reasons:
        reasons = ", ".join(f"{r} {n}" for r, n in summary.quarantine_reasons.most_common())
        out.print(f"quarantined: {reasons} (see the quarantine table)")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("newsevents: interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()

"""A run's validation results → Great Expectations Data Docs (HTML) and a markdown summary.

In: the `SuiteResult`s of every validated batch of a run (`ValidationLog.add`).
Out: `build_data_docs(directory)` writes the GX Data Docs site of this run's
validations (one page per suite and batch, with the failed values) into
`directory` and returns its `index.html`; `markdown()` is the per-suite summary
the flow publishes as a Prefect artifact. The site shows the latest run that
validated anything; a run with nothing to validate leaves it as it was.
"""

from __future__ import annotations

import logging
import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from expectations.validate import SuiteResult, _gx, _suite

SITE = "newsevents"


def docs_dir_for(db: Path) -> Path:
    """Where a warehouse's Data Docs live: beside it, `<db stem>_data_docs/`."""
    return db.parent / f"{db.stem}_data_docs"


@dataclass
class ValidationLog:
    run_id: str
    results: list[tuple[int, SuiteResult]] = field(default_factory=list)  # (batch number, result)
    batches: int = 0

    def add(self, results: list[SuiteResult]) -> None:
        self.batches += 1
        self.results += [(self.batches, r) for r in results]

    def totals(self) -> dict[str, dict]:
        out: dict[str, dict] = {}
        for _, r in self.results:
            t = out.setdefault(r.table, {"rows": 0, "quarantined": 0, "failed": set(), "expectations": r.evaluated})
            t["rows"] += r.rows_checked
            t["quarantined"] += r.rows_quarantined
            t["failed"] |= set(r.failed)
        return out

    def markdown(self, docs_index: Path | None = None) -> str:
        lines = [f"# newsevents validation, run `{self.run_id}`", ""]
        if not self.results:
            return "\n".join(lines + ["Nothing new to validate in this run."])
        lines += [
            f"{self.batches} batch(es) validated against the suites in `expectations/suites/`.",
            "",
            "| suite | expectations | rows checked | rows quarantined | failed expectations |",
            "|---|---:|---:|---:|---|",
        ]
        for table, t in self.totals().items():
            failed = ", ".join(f"`{f}`" for f in sorted(t["failed"])) or "none"
            lines.append(f"| {table} | {t['expectations']} | {t['rows']} | {t['quarantined']} | {failed} |")
        if docs_index:
            lines += ["", f"Data Docs: `{docs_index}`"]
        return "\n".join(lines)

    def build_data_docs(self, directory: Path) -> Path | None:
        """Write the Data Docs site for this run's validations; None when there was nothing to validate."""
        stored = [(b, r) for b, r in self.results if r.gx_result is not None]
        if not stored:
            return None
        from great_expectations.core.run_identifier import RunIdentifier
        from great_expectations.data_context.types.resource_identifiers import (
            ExpectationSuiteIdentifier,
            ValidationResultIdentifier,
        )

        gx, context, _ = _gx()
        directory = Path(directory).absolute()
        if SITE not in (context.get_config().data_docs_sites or {}):
            context.add_data_docs_site(
                SITE,
                {
                    "class_name": "SiteBuilder",
                    "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(directory)},
                    "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                },
            )
        store = context.validation_results_store
        for key in list(store.list_keys()):  # the in-memory store holds earlier runs of this process
            store.remove_key(key)
        for table in {r.table for _, r in stored}:
            suite = _suite(table)[0]
            if not context.suites.all() or suite.name not in {s.name for s in context.suites.all()}:
                context.suites.add(suite)
        for batch, r in stored:
            key = ValidationResultIdentifier(
                expectation_suite_identifier=ExpectationSuiteIdentifier(name=f"newsevents_{r.table}"),
                run_id=RunIdentifier(run_name=f"{self.run_id}-batch{batch:04d}"),
                batch_identifier=r.table,
            )
            store.set(key, r.gx_result)
        stale = directory / "validations"
        if stale.exists():  # pages of an earlier run: the index lists this run only
            shutil.rmtree(stale, ignore_errors=True)
        gx_log = logging.getLogger("great_expectations")
        level = gx_log.level
        gx_log.setLevel(logging.CRITICAL)  # GX logs a write error (a full disk) with a traceback, then goes on
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                context.build_data_docs(site_names=[SITE])
        finally:
            gx_log.setLevel(level)
        index = directory / "index.html"
        if not index.exists():
            raise OSError(f"Great Expectations wrote no {index}")
        return index

"""A run's validation results → Data Docs (HTML) and a markdown summary.

In: the `SuiteResult`s of every validated batch of a run (`ValidationLog.add`).
Out: `build_data_docs(directory)` writes the GX Data Docs site of this run's
validations (one page per suite and batch, with the failed values) into
`directory`, and over its front page (kept as `gx_index.html`) an `index.html`
of our own that renders with no network: every suite, batch and expectation
with its result and unexpected values, inline styles, no script, no remote
asset (GX's own pages load Bootstrap and friends from CDNs and show nothing
offline). Returns that `index.html`. `markdown()` is the per-suite summary the
flow publishes as a Prefect artifact. The site shows the latest run that
validated anything; a run with nothing to validate leaves it as it was.
"""

from __future__ import annotations

import html
import logging
import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from expectations.validate import SuiteResult

SITE = "newsevents"
GX_INDEX = "gx_index.html"  # GX's own front page (needs the network for its styles and scripts)


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

        from expectations.validate import expectation_suite, gx_context

        _, context, _ = gx_context()
        directory = Path(directory).absolute()
        site = {
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(directory)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
        sites = context.get_config().data_docs_sites or {}
        if SITE not in sites:
            context.add_data_docs_site(SITE, site)
        elif sites[SITE] != site:  # an earlier build of this process wrote to another folder
            context.update_data_docs_site(SITE, site)
        store = context.validation_results_store
        for key in list(store.list_keys()):  # the in-memory store holds earlier runs of this process
            store.remove_key(key)
        for table in {r.table for _, r in stored}:
            suite = expectation_suite(table)
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
        index.replace(directory / GX_INDEX)
        index.write_text(self.offline_page(), encoding="utf-8")
        return index

    def offline_page(self) -> str:
        """This run's validation results as one self-contained HTML page (no script, nothing remote)."""
        e = html.escape
        parts = [
            "<!doctype html><html lang=en><head><meta charset=utf-8>",
            f"<title>newsevents validation results, run {e(self.run_id)}</title>",
            f"<style>{_STYLE}</style></head><body>",
            f"<h1>Validation results</h1><p>newsevents run <code>{e(self.run_id)}</code>: {self.batches} batch(es) "
            "validated against the suites in <code>expectations/suites/</code>. Row-level failures send the row "
            "to the <code>quarantine</code> table; a table-level failure stops the run.</p>",
            "<table id=suites><thead><tr><th>suite</th><th>expectations</th><th>rows checked</th>"
            "<th>rows quarantined</th><th>failed expectations</th></tr></thead><tbody>",
        ]
        for table, t in self.totals().items():
            failed = ", ".join(sorted(t["failed"])) or "none"
            parts.append(
                f"<tr class={'bad' if t['failed'] else 'ok'}><td><a href='#suite-{e(table)}'>newsevents_{e(table)}"
                f"</a></td><td>{t['expectations']}</td><td>{t['rows']}</td><td>{t['quarantined']}</td>"
                f"<td>{e(failed)}</td></tr>"
            )
        parts.append("</tbody></table>")
        for table in self.totals():
            parts.append(f"<h2 id='suite-{e(table)}'>Suite newsevents_{e(table)}</h2>")
            for batch, r in self.results:
                if r.table != table:
                    continue
                parts.append(_batch_section(batch, r))
        parts.append(
            f"<p class=note>The full Great Expectations pages: <a href='{GX_INDEX}'>{GX_INDEX}</a> "
            "(they load their styles from the network).</p></body></html>"
        )
        return "\n".join(parts)


_STYLE = (
    "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #ccc;padding:.25em .6em;"
    "text-align:left;vertical-align:top}th{background:#f3f3f3}tr.bad td{background:#fdecea}"
    "td.ok{color:#1a7f37}td.bad{color:#b42318;font-weight:600}code{font-size:90%}.note{color:#555}"
)


def _batch_section(batch: int, r: SuiteResult) -> str:
    e = html.escape
    head = (
        f"<h3>batch {batch}: {r.rows_checked} rows checked, {r.rows_quarantined} quarantined, "
        f"{len(r.failed)} of {r.evaluated} expectations failed</h3>"
    )
    if r.gx_result is None:
        return head
    rows = [
        "<table class=results><thead><tr><th>expectation</th><th>column and arguments</th><th>why</th>"
        "<th>result</th><th>unexpected</th><th>examples of unexpected values</th></tr></thead><tbody>"
    ]
    for item in r.gx_result.to_json_dict().get("results", []):
        config = item.get("expectation_config") or {}
        kwargs = {k: v for k, v in (config.get("kwargs") or {}).items() if k != "batch_id"}
        args = ", ".join(f"{k}={v}" for k, v in kwargs.items())
        result = item.get("result") or {}
        ok = bool(item.get("success"))
        examples = ", ".join(repr(v) for v in (result.get("partial_unexpected_list") or [])[:10])
        rows.append(
            f"<tr><td><code>{e(str(config.get('type', '')))}</code></td><td>{e(args)}</td>"
            f"<td>{e(str((config.get('meta') or {}).get('why', '')))}</td>"
            f"<td class={'ok' if ok else 'bad'}>{'passed' if ok else 'failed'}</td>"
            f"<td>{e(str(result.get('unexpected_count', '')))}</td><td>{e(examples)}</td></tr>"
        )
    rows.append("</tbody></table>")
    return head + "".join(rows)

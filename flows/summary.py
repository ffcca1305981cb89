"""A run's summary and its lineage row.

In: the counts a run gathers. Out: `RunSummary` (printed by the CLI, published
by the flow as a markdown artifact) and its row in the warehouse's `runs`
table. Kept apart from the flow so that a run with nothing to do can report
and record itself without importing Prefect.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flows.settings import Settings
from warehouse.connect import connect


@dataclass
class RunSummary:
    run_id: str
    files_seen: int = 0
    loaded: int = 0
    skipped: int = 0
    quarantined: int = 0
    events: int = 0
    actors: int = 0
    seconds: float = 0.0
    events_by_type: Counter = field(default_factory=Counter)
    quarantine_reasons: Counter = field(default_factory=Counter)
    records_skipped: Counter = field(default_factory=Counter)  # archive records that are not pages, by kind
    stage_seconds: Counter = field(default_factory=Counter)
    error: str | None = None
    flow_run_id: str | None = None
    extractor_version: str | None = None
    data_docs: str | None = None  # the Great Expectations Data Docs index written by this run

    def markdown(self) -> str:
        lines = [
            f"# newsevents run `{self.run_id}`",
            "",
            f"Prefect flow run `{self.flow_run_id}`, extractor version `{self.extractor_version}`.",
            "",
            "| files seen | loaded | skipped (unchanged) | quarantined | events | actors | seconds |",
            "|---:|---:|---:|---:|---:|---:|---:|",
            f"| {self.files_seen} | {self.loaded} | {self.skipped} | {self.quarantined} | {self.events} "
            f"| {self.actors} | {self.seconds:.1f} |",
            "",
        ]
        if self.events_by_type:
            lines += ["## Events by type", "", "| type | events |", "|---|---:|"]
            lines += [f"| {t} | {n} |" for t, n in self.events_by_type.most_common()]
            lines.append("")
        if self.quarantine_reasons:
            lines += ["## Quarantine reasons", "", "| reason | inputs |", "|---|---:|"]
            lines += [f"| {r} | {n} |" for r, n in self.quarantine_reasons.most_common()]
            lines.append("")
        if self.records_skipped:
            lines += ["## Archive records skipped (not pages)", "", "| record | count |", "|---|---:|"]
            lines += [f"| {k} | {n} |" for k, n in self.records_skipped.most_common()]
            lines.append("")
        if self.stage_seconds:
            lines += ["## Seconds by stage", "", "| stage | seconds |", "|---|---:|"]
            lines += [f"| {s} | {t:.2f} |" for s, t in self.stage_seconds.items()]
            lines.append("")
        if self.error:
            lines += ["## Error", "", self.error]
        return "\n".join(lines)


def record_run(settings: Settings, summary: RunSummary, started: datetime) -> None:
    """The run's lineage row in `runs` (also used by the CLI for a run that needed no flow)."""
    con = connect(settings.db_path, settings.lock_timeout)
    try:
        con.execute(
            "INSERT INTO runs (run_id, flow_run_id, extractor_version, started_at, finished_at, files_seen, "
            "sources_loaded, sources_skipped, quarantined, events) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                summary.run_id,
                summary.flow_run_id,
                summary.extractor_version,
                started,
                datetime.now(UTC).replace(tzinfo=None),
                summary.files_seen,
                summary.loaded,
                summary.skipped,
                summary.quarantined,
                summary.events,
            ],
        )
        summary.actors = con.execute("SELECT count(*) FROM actors").fetchall()[0][0]
    finally:
        con.close()


def new_run_id() -> str:
    return uuid.uuid4().hex[:16]

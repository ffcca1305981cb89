"""A run's summary and its lineage row.

In: the counts a run gathers. Out: `RunSummary` (printed by the CLI, published
by the flow as a markdown artifact), its row in the warehouse's `runs` table
and the warehouse's totals after it (`totals`, kept apart from this run's
counts; both queries are `warehouse/runs.py`'s), and `timing()`: the command's wall seconds from its process's start,
split into start-up, read, NLP + extraction, validation and load. Kept apart
from the flow so that a run with nothing to do can report and record itself
without importing Prefect.
"""

from __future__ import annotations

import os
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from flows.settings import Settings
from warehouse import runs
from warehouse.connect import connect
from warehouse.runs import RunRow

_IMPORTED = time.perf_counter()
COMMAND_STARTED: list[float] = []  # a zygote's child (flows/zygote.py): when the CLI it runs for started


def seconds_since_start() -> float:
    """Wall seconds since this command started: this process (Linux: /proc; elsewhere: since this module
    was imported), or the CLI a zygote's child runs for."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22, starttime, in clock ticks after boot
        started = COMMAND_STARTED[0] if COMMAND_STARTED else started
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return max(0.0, uptime - started)
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _IMPORTED


class Seconds(dict[str, float]):
    """Seconds by stage: a stage not timed yet reads 0.0 (without being added), and `add` sums."""

    def __missing__(self, key: str) -> float:
        return 0.0

    def add(self, other: dict[str, float]) -> None:
        for key, value in other.items():
            self[key] += value


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
    stage_seconds: Seconds = field(default_factory=Seconds)
    error: str | None = None
    flow_run_id: str | None = None
    extractor_version: str | None = None
    data_docs: str | None = None  # the Great Expectations Data Docs index written by this run
    actor_ids: set = field(default_factory=set)  # the actors of this run's loaded events
    totals: dict = field(default_factory=dict)  # the warehouse after the run: sources, events, actors, …

    def timing(self) -> dict[str, float]:
        """The command's wall seconds (`seconds`, from process start) split into stages; validation includes
        writing the Data Docs; start-up is the rest (imports, Prefect's server, loading the model and the
        suites, the flow's own start and end) so the parts add up."""
        s = self.stage_seconds
        parts = {
            "read": s["plan"] + s["read"],
            "NLP + extraction": s["nlp"] + s["extract"] + s["nlp+extract (waiting for workers)"],
            "validation": s["validate"],
            "load": s["load"],
        }
        return {"start-up": max(0.0, self.seconds - sum(parts.values())), **parts, "total": self.seconds}

    def markdown(self) -> str:
        lines = [
            f"# newsevents run `{self.run_id}`",
            "",
            f"Prefect flow run `{self.flow_run_id}`, extractor version `{self.extractor_version}`.",
            "",
            "| files seen | loaded | skipped (unchanged) | quarantined | events | actors | seconds |",
            "|---:|---:|---:|---:|---:|---:|---:|",
            f"| {self.files_seen} | {self.loaded} | {self.skipped} | {self.quarantined} | {self.events} "
            f"| {len(self.actor_ids)} | {self.seconds:.1f} |",
            "",
        ]
        if self.totals:
            lines += ["## Warehouse totals after the run", "", "| " + " | ".join(self.totals) + " |"]
            lines += ["|" + "---:|" * len(self.totals), "| " + " | ".join(str(v) for v in self.totals.values()) + " |"]
            lines.append("")
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
    """The run's lineage row in `runs` (also used by the CLI for a run that needed no flow), then the
    warehouse's totals into `summary.totals`."""
    row = RunRow(
        run_id=summary.run_id,
        flow_run_id=summary.flow_run_id,
        extractor_version=summary.extractor_version,
        started_at=started,
        finished_at=datetime.now(UTC).replace(tzinfo=None),
        files_seen=summary.files_seen,
        sources_loaded=summary.loaded,
        sources_skipped=summary.skipped,
        quarantined=summary.quarantined,
        events=summary.events,
    )
    con = connect(settings.db_path, settings.lock_timeout)
    try:
        runs.record_run(con, row)
        summary.totals = runs.totals(con)
        summary.actors = summary.totals["actors"]
    finally:
        con.close()


def new_run_id() -> str:
    return uuid.uuid4().hex[:16]

"""`newsevents serve`: the run flow as a Prefect deployment, ticked on a cron schedule over an inbox folder.

In: `Settings` (whose `inputs` is the inbox), a cron expression and a
deployment name. Out: a deployment registered with this process's Prefect
runner (its cron shown as an inactive schedule) and a tick on that cron that
looks at the inbox first (`InboxWatch`: the files' names, sizes and times,
then the plan's content hashes against the warehouse, no NLP): with something
new or changed it starts a flow run of the deployment, which codes only that;
with nothing new it starts no flow and writes a heartbeat file beside the
warehouse (`<db>.heartbeat`, JSON: when, files seen, the next tick) instead
of a `runs` row. A flow run can also be started by hand (`trigger_hint`).
Prefect's ephemeral
API has no scheduler, so when `PREFECT_API_URL` is unset the CLI starts the
package's own `prefect server start` on 127.0.0.1 (`flows.server.prefect_api`)
for as long as it serves. With `PREFECT_API_URL` set it registers with that
server (or Prefect Cloud).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from flows.errors import ServeError
from flows.settings import Settings

DEPLOYMENT = "newsevents-inbox"  # the prefix: each inbox and warehouse pair gets its own name


def deployment_name(settings: Settings) -> str:
    """`newsevents-inbox-<hash>`: derived from the inbox and the warehouse, so two `serve`s on one machine
    (one Prefect server) never share a deployment, its schedule or its backlog."""
    from transforms.documents import stable_id

    inbox = [str(Path(p).expanduser().absolute()) for p in settings.inputs]
    return f"{DEPLOYMENT}-{stable_id(*inbox, str(settings.db_path.absolute()), length=10)}"


def deployment_options(settings: Settings, cron: str, name: str | None = None) -> dict:
    """The keyword arguments of `flow.serve` / `flow.to_deployment` for this inbox and schedule.

    One flow run at a time: a run started while one is still going is cancelled, not queued, so
    missed ticks collapse into the one running (the next tick codes whatever is new by then)."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.schedules import Cron

    return {
        "name": name or deployment_name(settings),
        # shown in the UI, but ticked by `serve` itself (a tick with nothing new starts no flow run)
        "schedules": [Cron(cron, timezone="UTC", active=False)],
        "concurrency_limit": ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW),
        "parameters": {"settings": settings.model_dump(mode="json")},
        "description": f"newsevents: code new files in {', '.join(settings.inputs)} into {settings.db}",
        "tags": ["newsevents"],
    }


def check_cron(cron: str) -> None:
    from prefect.client.schemas.schedules import CronSchedule

    try:
        CronSchedule(cron=cron)
    except ValueError as exc:
        raise ServeError(f"not a valid cron expression: {cron!r}") from exc


def trigger_hint(name: str, api_url: str) -> str:
    """The command that starts a flow run of the deployment now, as it works when pasted into a shell."""
    return f"PREFECT_API_URL={api_url} uv run prefect deployment run 'newsevents-run/{name}'"


def heartbeat_path(db: Path | str) -> Path:
    return Path(f"{db}.heartbeat")


def write_heartbeat(
    settings: Settings, name: str, files_seen: int | None, note: str, next_tick: datetime | None, seconds: float = 0.0
) -> Path:
    """The tick's heartbeat (replaced whole, never half-written): serve is alive, and what it saw."""
    path = heartbeat_path(settings.db_path)
    data = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "deployment": name,
        "pid": os.getpid(),
        "inbox": settings.inputs,
        "files_seen": files_seen,
        "result": note,
        "seconds": round(seconds, 3),
        "next_tick": next_tick.isoformat(timespec="seconds") if next_tick else None,
    }
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


class InboxWatch:
    """Is there anything new in the inbox? Cheap enough to ask on every tick.

    Unchanged file names, sizes and modification times (and extractor version) since a tick that found
    nothing new: nothing new, without reading a file. Otherwise the run's own plan (read, clean, hash,
    compare with the warehouse), which needs no NLP.

    The stamp stays beside `input_files` on purpose: `input_files` records a file only once all its
    documents are loaded (a document that failed extraction or validation leaves its file unrecorded so
    that the next run reads it again), while a quiet tick must not re-read and re-hash such a file every
    time; the stamp covers exactly those, for as long as this process serves."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.quiet: tuple | None = None  # the stamp of the last tick that found nothing new

    def _stamp(self, found) -> tuple:
        from transforms.version import extractor_version

        files = []
        for f in found:
            try:
                st = os.stat(f.path)
                files.append((str(f.path), f.problem, st.st_size, st.st_mtime_ns))
            except OSError:
                files.append((str(f.path), f.problem, -1, -1))
        return extractor_version(self.settings.dictionaries), tuple(sorted(files))

    def check(self) -> tuple[str, int | None]:
        """("new", files) when a flow run has work; (why not, files or None) when not."""
        from flows.discover import discover, warehouse_companions
        from flows.incremental import plan_run
        from warehouse.connect import WarehouseError, WarehouseLocked, connect, run_lock_held
        from warehouse.known import read_known

        db = self.settings.db_path
        if run_lock_held(db):  # a flow run (or a `newsevents run`) is coding: it, or the next tick, sees the rest
            return "a run holds the warehouse: nothing started", None
        found = discover(self.settings.inputs, warehouse_companions(db))
        stamp = self._stamp(found)
        if stamp == self.quiet and db.exists():
            return "nothing new", len(found)
        if not found:
            return "nothing new", 0
        if not db.exists():
            return "new", len(found)
        try:
            con = connect(db, lock_timeout=2.0, read_only=True)
        except WarehouseLocked:
            return "warehouse busy", len(found)
        except WarehouseError:
            return "new", len(found)  # the flow run reports the warehouse's problem
        try:
            known = read_known(con)
        finally:
            con.close()
        plan = plan_run(found, known, stamp[0], self.settings.max_chars)
        if plan.nothing_to_do:
            self.quiet = stamp
            return "nothing new", len(found)
        self.quiet = None
        return "new", len(found)


def serve(settings: Settings, cron: str, name: str | None = None, on_tick: Callable | None = None) -> None:
    """Register the deployment and tick it on `cron` until stopped (blocks); one flow run at a time.

    What `flow.serve` does, with two changes: the ticks are ours (`InboxWatch` first: nothing new starts no
    flow and writes a heartbeat), and Prefect's runner answers SIGTERM with a graceful shutdown that waits on
    the flow run in flight and on a server that may be gone (over a minute, seen with a run in flight); ours
    stops at once like `run` (`flows.stopping`: one line, children ended, exit 143)."""
    import asyncio
    import signal

    from prefect.runner import Runner

    from flows.pipeline import flow_for
    from flows.stopping import stop_now

    class _Runner(Runner):
        def handle_sigterm(self, *args, **kwargs) -> None:
            stop_now(signal.SIGTERM)

    options = deployment_options(settings, cron, name)
    runner = _Runner(name=options["name"], limit=1, query_seconds=5)
    deployment_id = runner.add_flow(flow_for(settings), **options)
    assert isinstance(deployment_id, UUID)  # add_flow called from sync code returns the id, not a coroutine
    watch = InboxWatch(settings)

    in_flight: list = []  # the flow run the last busy tick started

    async def tick(next_tick: datetime | None) -> str:
        from prefect.client.orchestration import get_client

        t0 = time.perf_counter()
        async with get_client() as client:
            if in_flight:
                state = (await client.read_flow_run(in_flight[0])).state
                if state is not None and not state.is_final():
                    result, files = f"flow run still {(state.name or 'running').lower()}: nothing started", None
                else:
                    in_flight.clear()
            if not in_flight:
                result, files = await asyncio.to_thread(watch.check)
                if result == "new":
                    run = await client.create_flow_run_from_deployment(deployment_id)
                    in_flight.append(run.id)
                    result = f"new or changed files: flow run {run.name} started"
        if not result.startswith("new"):
            await asyncio.to_thread(
                write_heartbeat, settings, options["name"], files, result, next_tick, time.perf_counter() - t0
            )
        if on_tick:
            on_tick(result)
        return result

    async def ticks() -> None:
        from cronsim import CronSim

        upcoming = iter(CronSim(cron, datetime.now(UTC)))
        when = next(upcoming)
        while True:
            await asyncio.sleep(max(0.0, (when - datetime.now(UTC)).total_seconds()))
            following = next(upcoming)
            while following <= datetime.now(UTC):  # ticks missed while busy collapse into this one
                following = next(upcoming)
            try:
                await tick(following)
            except Exception as exc:  # noqa: BLE001 - one bad tick (a vanished inbox) never stops serving
                print(f"newsevents: tick failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            when = following

    async def main() -> None:
        ticker = asyncio.create_task(ticks())
        try:
            await runner.start()
        finally:
            ticker.cancel()

    asyncio.run(main())

"""The single writer's ceiling: validation and load of extracted rows, without any parsing.

In: a number of articles `N` (default 1,000) and a batch size (default the settings' 200). Out: a table on
stdout: per stage (validation, load) the seconds, the rows per second sustained and the articles per second,
plus the warehouse's size on disk.

The rows are synthetic but have the widths and shapes of real extracted rows: the articles' texts are the
synthetic corpus (`benchmarks/corpus.py`, 500–800 words, parsed into `Document`s without spaCy), each
article gets about 48 events (the extractor's mean on that corpus) on its real sentences with real offsets
and triggers, and about 22 actors drawn from the dictionaries' actors (so batches share actors and the
load's actor merge does real work). They go through the flow's own path: `transforms.rows` frames,
`expectations.validate.validate_batch` (Great Expectations), `warehouse.load.load_batch` (one transaction
per batch into one DuckDB file). Every row must pass validation; the benchmark stops if one does not.

Whatever runs on many cores or machines (parse + extract), these two stages run in the one flow process
against the one warehouse file: their articles/s is the ceiling of a run.

Usage: `uv run python benchmarks/writer.py` (options: `--articles 5000`, `--batch-size 200`,
`--keep DIR`).

Growth mode, `--grow 1000 3000 9000 30000`: does one batch's load, and do the views an analyst opens first,
cost more when the warehouse is larger? One batch of the synthetic rows is built and validated once; the
warehouse is filled to each size with copies of it (new ids, dates shifted by a day per copy, half of the
actors new per copy, as real news adds ~10 actors per article) by bulk inserts, no parsing: seconds. At each
size it prints the seconds of the first writable open (which brings the derived cluster tables up to date
after the bulk insert: warehouse/clusters.py), of one more batch's `connect` + `load_batch` + `close` as the
flow does it (median of 3), and of `event_facts`, `event_clusters`, `dyad_daily` and a full scan of `events`,
each fetched whole; with the ratio of each to the smallest size.

Probe mode, `--probe W1.duckdb W2.duckdb …`: what one batch's load costs in memory against each warehouse
(e.g. those `benchmarks/memory.py --dir D` leaves, `D/memory_9000.duckdb`). Per warehouse, in a fresh process,
200 of its articles' rows (sources spread over the warehouse, their events and actors) are given new ids and
loaded into a copy as the flow loads a batch (`connect` + `load_batch` + `close`); it prints the peak RSS above
the RSS before `connect` (the kernel's high-water mark, reset first: no sampling gap), the CPU seconds, the
warehouse's events, DuckDB's own account at the load's end (`duckdb_memory()` by tag) and how many times the
load ran out of its memory limit and was loaded again. `--probe-limit MB` makes the first limit that (to find
what a load needs: the smallest that loads without a retry). `--repeat N` runs each N times.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EVENTS_PER_ARTICLE = 48  # the extractor's mean on the synthetic corpus (2,900 events for 60 articles)
ACTORS_PER_ARTICLE = 22  # likewise (1,347 distinct actors over 60 articles)
_SENTENCE = re.compile(r"[^\n.!?]+[.!?]")
_TRIGGER = re.compile(r"[a-z]{4,}")
STATUSES = ["asserted"] * 8 + ["planned", "denied", "hypothetical"]


def documents(n: int, seed: int, folder: Path) -> list:
    """The synthetic corpus's `n` articles as `Document`s (read and cleaned as the flow does; no spaCy)."""
    from benchmarks.corpus import make_corpus
    from flows.discover import discover, read_input
    from transforms.documents import Document
    from transforms.parse import parse_document

    make_corpus(n, seed, folder)
    docs = [parse_document(read_input(f)) for f in discover([str(folder)])]
    return [d for d in docs if isinstance(d, Document)]


def actor_pool(lex) -> list:
    """The hand-written dictionaries' actors as extractor `Actor`s (persons, states, organisations, groups):
    about 600, so later batches mostly merge actors the warehouse already holds, as real news does."""
    from transforms.actors import Actor

    return [Actor(e.name, e.actor_type, e.country) for e in lex.actors if e.name and not e.imported]


def coded_rows(doc, pool: list, rng: random.Random) -> tuple[list[dict], dict[str, dict]]:
    """Event rows and an actor map for one article, shaped as `transforms.extract.extract_article`'s."""
    from transforms.documents import stable_id
    from transforms.plover import cameo_root, quad_class

    types = ["AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "REQUEST", "ACCUSE", "REJECT"]
    types += ["THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT", "CONCEDE", "RETREAT"]
    text = doc.text
    sentences = [m for m in _SENTENCE.finditer(text, doc.body_start) if _TRIGGER.search(m.group())]
    cast = rng.sample(pool, min(ACTORS_PER_ARTICLE, len(pool)))
    actors = {
        a.actor_id: {
            "actor_id": a.actor_id,
            "name": a.name,
            "actor_type": a.actor_type,
            "country_code": a.country,
            "sector": a.sector,
            "aliases": {a.name},
        }
        for a in cast
    }
    ids = list(actors)
    events = []
    for k in range(EVENTS_PER_ARTICLE if sentences else 0):
        m = sentences[k % len(sentences)]
        sentence = m.group().strip()
        start = m.start() + (len(m.group()) - len(m.group().lstrip()))
        trig = list(_TRIGGER.finditer(sentence))[k % len(_TRIGGER.findall(sentence))]
        event_type = types[rng.randrange(len(types))]
        a1, a2 = ids[k % len(ids)], ids[(k * 7 + 3) % len(ids)]
        status = STATUSES[rng.randrange(len(STATUSES))]
        when = doc.published_date - timedelta(days=rng.randint(0, 3)) if doc.published_date else None
        actor = actors[a1]
        events.append(
            {
                "event_id": stable_id("event", doc.source_id, start, k, event_type, a1, a2),
                "source_id": doc.source_id,
                "event_type": event_type,
                "mode": None,
                "cameo_root": cameo_root(event_type),
                "quad_class": quad_class(event_type),
                "trigger": trig.group(),
                "trigger_start": trig.start(),
                "trigger_end": trig.end(),
                "actor1_id": a1,
                "actor2_id": a2 if a2 != a1 else None,
                "claimant_id": ids[-1] if k % 4 == 0 else None,
                "event_date": when,
                "date_precision": "day" if when else None,
                "location": actor["name"] if actor["actor_type"] == "state" else None,
                "country_code": actor["country_code"],
                "quantity": float(rng.randint(2, 5000)) if k % 5 == 0 else None,
                "quantity_unit": "people" if k % 5 == 0 else None,
                "status": status,
                "sentence": sentence,
                "sentence_start": start,
                "sentence_end": start + len(sentence),
                "confidence": round(rng.uniform(0.3, 0.95), 3),
            }
        )
    return events, actors


def template_batch(n: int, seed: int, work: Path):
    """One validated batch of `n` synthetic articles' rows: (sources, events, actors) frames."""
    from expectations.validate import validate_batch
    from transforms.lexicon import load_lexicon
    from transforms.rows import actors_frame, events_frame, sources_frame

    docs = documents(n, seed, work / f"corpus_{n}")
    pool, rng = actor_pool(load_lexicon()), random.Random(seed)
    coded = [coded_rows(d, pool, rng) for d in docs]
    sources = sources_frame(docs, "writer-benchmark")
    events = events_frame(e for ev, _ in coded for e in ev)
    actors = actors_frame(amap for _, amap in coded)
    validated = validate_batch(sources, events, actors)
    if validated.rejections:
        raise SystemExit(f"a synthetic row failed validation: {validated.rejections[0]}")
    return sources, events, actors


def copy_of(template, k: int):
    """Copy `k` of the template batch: new source, uri and event ids, dates `k` days later, and every other
    actor a new one (its id suffixed with `k`), so the actors table grows as with real news."""
    import polars as pl

    sources, events, actors = template
    ids = actors["actor_id"].to_list()
    renamed = {a: f"{a}~{k}" for a in ids[::2]}
    shift = pl.duration(days=k % 730)

    def actor(col: str) -> pl.Expr:
        return pl.col(col).replace(renamed)

    suffix = f"~{k}"
    return (
        sources.with_columns(pl.col("source_id") + suffix, pl.col("uri") + suffix, pl.col("published_date") + shift),
        events.with_columns(
            pl.col("event_id") + suffix,
            pl.col("source_id") + suffix,
            pl.col("event_date") + shift,
            actor("actor1_id"),
            actor("actor2_id"),
            actor("claimant_id"),
        ),
        actors.with_columns(actor("actor_id")),
    )


def grow(sizes: list[int], batch_size: int, seed: int, work: Path) -> None:
    """The growth mode (see the module docstring)."""
    import statistics

    import duckdb

    from benchmarks.scale import VIEWS
    from transforms.rows import quarantine_frame
    from warehouse.connect import connect
    from warehouse.load import Batch, load_batch

    template = template_batch(batch_size, seed, work)
    db = work / "grow.duckdb"
    for stale in work.glob("grow.duckdb*"):
        stale.unlink()
    connect(db).close()
    results: dict[int, dict[str, float]] = {}
    copies = 0
    for size in sorted(sizes):
        t = time.perf_counter()
        con = duckdb.connect(str(db))
        while copies * batch_size < size:
            copies += 1
            sources, events, actors = copy_of(template, copies)
            con.register("s", sources.to_arrow())
            con.register("e", events.to_arrow())
            con.register("a", actors.to_arrow())
            con.execute("INSERT INTO sources BY NAME SELECT *, 'bulk' AS run_id, current_timestamp AS loaded_at FROM s")
            con.execute("INSERT INTO events BY NAME SELECT *, 'bulk' AS run_id FROM e")
            con.execute("INSERT INTO actors BY NAME SELECT * FROM a ON CONFLICT DO NOTHING")
        con.close()
        bulk = time.perf_counter() - t
        t = time.perf_counter()
        connect(db).close()  # the derived tables catch up with the bulk insert
        first_open = time.perf_counter() - t
        loads = []
        for extra in range(3):
            sources, events, actors = copy_of(template, 100_000 + copies * 10 + extra)
            batch = Batch(sources, events, actors, quarantine_frame([]), f"grow-{size}-{extra}")
            t = time.perf_counter()
            con = connect(db)
            try:
                load_batch(con, batch)
            finally:
                con.close()
            loads.append(time.perf_counter() - t)
        con = duckdb.connect(str(db), read_only=True)
        row = {"events held": float(con.execute("SELECT count(*) FROM events").fetchall()[0][0])}
        row["actors held"] = float(con.execute("SELECT count(*) FROM actors").fetchall()[0][0])
        row["bulk fill s"] = bulk
        row["first open after bulk fill s"] = first_open
        row["one batch: connect + load + close s (median of 3)"] = statistics.median(loads)
        for name, sql in VIEWS.items():
            t = time.perf_counter()
            con.sql(sql).to_arrow_table()
            row[name] = time.perf_counter() - t
        con.close()
        row["warehouse MB"] = sum(p.stat().st_size for p in work.glob("grow.duckdb*")) / 2**20
        results[size] = row
        print(f"{size} articles' worth of rows, load {os.getloadavg()[0]:.1f} …", file=sys.stderr, flush=True)
    from benchmarks.scale import table

    print(f"growth: one more batch of {batch_size} articles ({template[1].height} events) into a warehouse of")
    print(table(results).replace(" articles |", " articles' rows |"))


def _hwm_reset() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS


def _status_mb(name: str) -> float:
    text = Path("/proc/self/status").read_text()
    return int(re.search(rf"{name}:\s+(\d+)", text).group(1)) / 1024


def probe_child(src: Path, work: Path, articles: int, limit_mb: int | None) -> dict:
    """One batch of `src`'s own rows under new ids, loaded into a copy of `src` (see the module docstring)."""
    import gc
    import json
    import logging
    import shutil

    import duckdb
    import polars as pl

    import warehouse.load as wload
    from transforms.rows import quarantine_frame
    from warehouse.connect import connect

    db = work / "probe.duckdb"
    for stale in work.glob("probe.duckdb*"):
        stale.unlink()
    shutil.copy(src, db)
    ro = duckdb.connect(str(src), read_only=True)
    held = ro.execute("SELECT count(*) FROM events").fetchall()[0][0]
    n = ro.execute("SELECT count(*) FROM sources").fetchall()[0][0]
    ro.execute(
        "CREATE TEMP TABLE ids AS SELECT source_id FROM (SELECT source_id, row_number() OVER (ORDER BY source_id) r "
        "FROM sources) WHERE r % $1 = 1 LIMIT $2",
        [max(1, n // articles), articles],
    )
    sfx = "~probe"
    frames = [
        ro.sql(
            f"SELECT * EXCLUDE (run_id, loaded_at) REPLACE (source_id || '{sfx}' AS source_id, uri || '{sfx}' AS uri) "
            "FROM sources WHERE source_id IN (SELECT source_id FROM ids)"
        ),
        ro.sql(
            f"SELECT * EXCLUDE (run_id) REPLACE (event_id || '{sfx}' AS event_id, source_id || '{sfx}' AS source_id) "
            "FROM events WHERE source_id IN (SELECT source_id FROM ids)"
        ),
        ro.sql(
            "SELECT * FROM actors WHERE actor_id IN (SELECT unnest([actor1_id, actor2_id, claimant_id]) FROM events "
            "WHERE source_id IN (SELECT source_id FROM ids))"
        ),
    ]
    sources, events, actors = (pl.from_arrow(f.to_arrow_table()) for f in frames)
    ro.close()
    retries: list[str] = []

    class _Count(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            retries.append(record.getMessage())

    if hasattr(wload, "log"):  # (an older checkout, before the load's memory limit, can be probed too)
        wload.log.addHandler(_Count())
        wload.log.setLevel(logging.INFO)
    if limit_mb:
        wload.load_memory = lambda con, n: limit_mb << 20
    batch = wload.Batch(sources, events, actors, quarantine_frame([]), "probe")
    gc.collect()
    before = _status_mb("VmRSS")
    _hwm_reset()
    cpu = time.process_time()
    con = connect(db)
    limit = wload.load_memory(con, events.height) >> 20 if hasattr(wload, "load_memory") else 0
    wload.load_batch(con, batch)
    tags = con.execute("SELECT tag, memory_usage_bytes FROM duckdb_memory() WHERE memory_usage_bytes > 0").fetchall()
    con.close()
    out = {
        "events held": held,
        "batch events": events.height,
        "first limit MB": limit,
        "peak over RSS before MB": _status_mb("VmHWM") - before,
        "CPU s": time.process_time() - cpu,
        "retries": len(retries),
        "duckdb_memory MB": {t: round(b / 2**20, 1) for t, b in tags},
    }
    for stale in work.glob("probe.duckdb*"):
        stale.unlink()
    return json.loads(json.dumps(out))


def probe(warehouses: list[Path], articles: int, limit_mb: int | None, repeat: int) -> None:
    import json
    import subprocess

    print(f"load average {os.getloadavg()[0]:.1f} at start", file=sys.stderr)
    print(
        "| warehouse | events held | batch events | first limit MB | peak over RSS before MB | CPU s | retries "
        "| DuckDB at the load's end (duckdb_memory) MB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for w in warehouses:
        for _ in range(repeat):
            work = Path(tempfile.mkdtemp(prefix="newsevents-probe-"))
            cmd = [sys.executable, __file__, "--probe-child", str(w), str(work), "--batch-size", str(articles)]
            cmd += ["--probe-limit", str(limit_mb)] if limit_mb else []
            done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
            shutil_rm(work)
            if done.returncode != 0:
                print(f"| {w.name} | failed: {(done.stderr.strip().splitlines() or ['?'])[-1][:200]} |")
                continue
            r = json.loads(done.stdout.strip().splitlines()[-1])
            tags = ", ".join(f"{k} {v:.0f}" for k, v in r["duckdb_memory MB"].items())
            print(
                f"| {w.name} | {r['events held']} | {r['batch events']} | {r['first limit MB']} "
                f"| {r['peak over RSS before MB']:.0f} | {r['CPU s']:.2f} | {r['retries']} | {tags} |",
                flush=True,
            )


def shutil_rm(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--batch-size", type=int, default=200, help="documents per batch (the settings' default: 200)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", type=Path, default=None, help="write the corpus and the warehouse here and keep them")
    ap.add_argument(
        "--grow",
        type=int,
        nargs="+",
        default=None,
        metavar="ARTICLES",
        help="growth mode: warehouse sizes in articles' worth of rows, e.g. 1000 3000 9000 30000",
    )
    ap.add_argument("--probe", type=Path, nargs="+", default=None, metavar="DB", help="probe mode: warehouses")
    ap.add_argument("--probe-limit", type=int, default=None, metavar="MB", help="probe mode: the first limit")
    ap.add_argument("--repeat", type=int, default=1, help="probe mode: runs per warehouse")
    ap.add_argument("--probe-child", type=Path, nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.probe_child:
        import json

        print(json.dumps(probe_child(*args.probe_child, args.batch_size, args.probe_limit)))
        return
    if args.probe:
        probe(args.probe, args.batch_size, args.probe_limit, args.repeat)
        return
    if args.grow:
        work = args.keep or Path(tempfile.mkdtemp(prefix="newsevents-writer-"))
        work.mkdir(parents=True, exist_ok=True)
        print(f"load average {os.getloadavg()[0]:.1f} at start", file=sys.stderr)
        grow(args.grow, args.batch_size, args.seed, work)
        if not args.keep:
            import shutil

            shutil.rmtree(work, ignore_errors=True)
        return

    from expectations.validate import validate_batch
    from transforms.lexicon import load_lexicon
    from transforms.rows import actors_frame, events_frame, quarantine_frame, sources_frame
    from warehouse.connect import connect
    from warehouse.load import Batch, load_batch

    work = args.keep or Path(tempfile.mkdtemp(prefix="newsevents-writer-"))
    work.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    docs = documents(args.articles, args.seed, work / f"corpus_{args.articles}")
    lex = load_lexicon()
    pool, rng = actor_pool(lex), random.Random(args.seed)
    validate_batch(sources_frame([], ""), events_frame([]), actors_frame([]))  # Great Expectations' start-up
    prepare = time.perf_counter() - t
    db = work / "writer.duckdb"
    for stale in work.glob("writer.duckdb*"):
        stale.unlink()

    frame_s = validate_s = load_s = 0.0
    n_rows = n_events = n_actors = n_sources = 0
    for i in range(0, len(docs), args.batch_size):
        part = docs[i : i + args.batch_size]
        t = time.perf_counter()
        coded = [coded_rows(d, pool, rng) for d in part]
        sources = sources_frame(part, "writer-benchmark")
        events = events_frame(e for ev, _ in coded for e in ev)
        actors = actors_frame(amap for _, amap in coded)
        frame_s += time.perf_counter() - t
        t = time.perf_counter()
        validated = validate_batch(sources, events, actors)
        validate_s += time.perf_counter() - t
        if validated.rejections:
            raise SystemExit(f"a synthetic row failed validation: {validated.rejections[0]}")
        t = time.perf_counter()
        con = connect(db)
        try:
            batch = Batch(sources, events, actors, quarantine_frame([]), f"writer-{i}")
            load_batch(con, batch)
        finally:
            con.close()
        load_s += time.perf_counter() - t
        n_sources, n_events, n_actors = n_sources + sources.height, n_events + events.height, n_actors + actors.height
        print(f"{i + len(part)} articles …", file=sys.stderr, flush=True)
    n_rows = n_sources + n_events + n_actors
    con = connect(db, read_only=True)
    held = con.execute("SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM actors)").fetchone()
    con.close()
    size = sum(p.stat().st_size for p in work.glob("writer.duckdb*"))
    n = len(docs)
    print(
        f"{n} articles, batches of {args.batch_size}: {n_sources} sources, {n_events} events, "
        f"{n_actors} actor rows ({held[1]} distinct actors held); "
        f"corpus, lexicon and Great Expectations start-up {prepare:.1f} s, "
        f"building the frames {frame_s:.1f} s"
    )
    print("| stage | seconds | rows/s | events/s | articles/s |")
    print("|---|---:|---:|---:|---:|")
    for name, secs in (
        ("validate (Great Expectations)", validate_s),
        ("load (DuckDB)", load_s),
        ("validate + load", validate_s + load_s),
    ):
        print(f"| {name} | {secs:.1f} | {n_rows / secs:.0f} | {n_events / secs:.0f} | {n / secs:.1f} |")
    print(f"warehouse on disk: {size / 2**20:.0f} MB ({held[0]} events held)")
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

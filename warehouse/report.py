"""Warehouse → one self-contained HTML report.

In: an open (read-only) warehouse connection with the views of views.sql. Out: the text of one HTML
page that needs no network: charts are static SVG drawn by Vega-Lite (altair + vl-convert) and inlined,
the table filter is a small inline script (report_table.js), styles are inline. The page shows the
totals, a timeline of events by quad class, the top actor dyads, events by type and by country, the
quarantine summary and a searchable, sortable table of events with their evidence sentences. When its
script has run, the page sets `data-report-ready="1"` on <html>; script errors are counted in
`data-script-errors`. The queries live in report_queries.sql.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from string import Template

import altair as alt
import duckdb
import polars as pl
import vl_convert as vlc

from warehouse.connect import HERE

NO_QUAD = "no quad class"  # report_queries.sql's label for an event without one (legends list it only then)
QUAD_NAMES = ["verbal cooperation", "material cooperation", "verbal conflict", "material conflict", NO_QUAD]
QUAD_COLORS = ["#5fa2e0", "#1f5fa8", "#f0a13a", "#c8372d", "#a0a6b1"]
TOP = 15
TIMELINE_GAP_DAYS = 365  # dated events further apart than this fall into separate runs (see timeline_range)
TIMELINE_CORE = 0.75  # a run holding this share of the dated events is the timeline's range


def load_queries() -> dict[str, str]:
    text = (HERE / "report_queries.sql").read_text(encoding="utf-8")
    parts = re.split(r"^-- name: (\w+)\s*$", text, flags=re.MULTILINE)
    return {name: body.strip() for name, body in zip(parts[1::2], parts[2::2], strict=True)}


def query(con: duckdb.DuckDBPyConnection, sql: str, limit: int | None = None) -> pl.DataFrame:
    return con.sql(sql, params=[limit]).pl() if "$1" in sql else con.sql(sql).pl()


def svg(chart: alt.TopLevelMixin) -> str:
    """A chart as inline SVG (no scripts, no network)."""
    out = vlc.vegalite_to_svg(chart.to_dict())
    return re.sub(r"^<\?xml[^>]*>\s*", "", out)


def quad_color(df: pl.DataFrame, field: str = "quad_class_name") -> alt.Color:
    """Colours by quad class; the legend lists only the classes the chart shows."""
    present = set(df[field].drop_nulls().to_list())
    names = [n for n in QUAD_NAMES if n in present]
    colors = [c for n, c in zip(QUAD_NAMES, QUAD_COLORS, strict=True) if n in present]
    return alt.Color(
        f"{field}:N",
        title="quad class",
        scale=alt.Scale(domain=names, range=colors),
        sort=names,
        legend=alt.Legend(orient="bottom", columns=min(3, max(1, len(names)))),
    )


def quad_order() -> alt.Order:
    return alt.Order("quad_order:Q", sort="ascending")


def with_quad_order(df: pl.DataFrame) -> pl.DataFrame:
    order = {n: i for i, n in enumerate(QUAD_NAMES)}
    return df.with_columns(pl.col("quad_class_name").replace_strict(order, default=len(order)).alias("quad_order"))


def empty_note(what: str) -> str:
    return f'<p class="note">No {html.escape(what)} in the warehouse.</p>'


def timeline_range(df: pl.DataFrame) -> tuple[date, date, int]:
    """The dates the timeline spans: all of them, or, when the dates fall into runs more than a year apart
    (a 2014 event recalled among 2024's) and one run holds most events, that run; and how many fall outside."""
    daily = df.group_by("event_date").agg(pl.col("events").sum()).sort("event_date")
    dates, counts = daily["event_date"].to_list(), daily["events"].to_list()
    runs, start = [], 0
    for i in range(1, len(dates) + 1):
        if i == len(dates) or (dates[i] - dates[i - 1]).days > TIMELINE_GAP_DAYS:
            runs.append((sum(counts[start:i]), start, i - 1))
            start = i
    most, first, last = max(runs, key=lambda r: (r[0], r[2]))  # the most events; the latest on a tie
    if most < TIMELINE_CORE * sum(counts):  # no run stands out: the whole range
        first, last = 0, len(dates) - 1
    lo, hi = dates[first], dates[last]
    return lo, hi, sum(counts) - sum(counts[first : last + 1])


def timeline_chart(df: pl.DataFrame) -> tuple[str, str]:
    if df.is_empty():
        return empty_note("dated events"), ""
    lo, hi, outside = timeline_range(df)
    span = (hi - lo).days
    if span <= 120:
        unit, label = "yearmonthdate", "day"
    elif span < 3 * 365:
        unit, label = "yearmonth", "month"
    else:
        unit, label = "year", "year"
    shown = df.filter(pl.col("event_date").is_between(lo, hi))
    chart = (
        alt.Chart(with_quad_order(shown))
        .mark_bar()
        .encode(
            x=alt.X(f"{unit}(event_date):T", title=f"event date (by {label})", scale=alt.Scale(nice=False)),
            y=alt.Y("sum(events):Q", title="events (reports)"),
            color=quad_color(shown),
            order=quad_order(),
        )
        .properties(width=1100, height=220)
    )
    note = f"Dated events only, counted by {label} of the event date, {fmt_date(lo, None)} to {fmt_date(hi, None)}."
    if outside:
        note += f" {outside:,} events dated outside that range are left off the timeline (they are in the table)."
    return svg(chart), note


def bar_chart(df: pl.DataFrame, field: str, title: str, what: str) -> str:
    if df.is_empty():
        return empty_note(what)
    totals = df.group_by(field).agg(pl.col("events").sum().alias("t")).sort(["t", field], descending=[True, False])
    chart = (
        alt.Chart(with_quad_order(df))
        .mark_bar()
        .encode(
            y=alt.Y(f"{field}:N", title=None, sort=totals[field].to_list(), axis=alt.Axis(labelLimit=300)),
            x=alt.X("sum(events):Q", title="events (reports)"),
            color=quad_color(df),
            order=quad_order(),
        )
        .properties(width=300, height=alt.Step(18), title=alt.TitleParams(title, anchor="start", fontSize=12))
    )
    return svg(chart)


def esc(value) -> str:
    return "" if value is None else html.escape(str(value))


def highlight(sentence: str, trigger: str | None) -> str:
    """The sentence, escaped, with the first occurrence of its trigger marked."""
    if trigger:
        i = sentence.find(trigger)
        if i < 0:
            i = sentence.lower().find(trigger.lower())
        if i >= 0:
            j = i + len(trigger)
            return f"{esc(sentence[:i])}<mark>{esc(sentence[i:j])}</mark>{esc(sentence[j:])}"
    return esc(sentence)


def fmt_date(d: date | None, precision: str | None) -> str:
    if d is None:
        return ""
    if precision == "year":
        return f"{d:%Y}"
    if precision == "month":
        return f"{d:%Y-%m}"
    return d.isoformat()


def fmt_qty(q: float | None, unit: str | None) -> str:
    if q is None:
        return ""
    n = f"{q:,.0f}" if float(q).is_integer() else f"{q:,g}"
    return f"{n} {unit}" if unit else n


def event_rows(df: pl.DataFrame) -> str:
    out = []
    for r in df.iter_rows(named=True):
        who = f"<b>{esc(r['actor1_name'] or '?')}</b>"
        if r["actor2_name"]:
            who += f" → {esc(r['actor2_name'])}"
        if r["claimant_name"]:
            who += f'<br><span class="src">according to {esc(r["claimant_name"])}</span>'
        where = ", ".join(x for x in (r["location"], r["country_code"]) if x)
        details = "<br>".join(
            esc(x) for x in (where, fmt_qty(r["quantity"], r["quantity_unit"]), r["status"], r["mode"]) if x
        )
        source = r["source_title"] or r["source_file_name"]
        outlet = f" · {r['source_outlet']}" if r["source_outlet"] else ""
        cluster = f"{r['cluster_sources']} src<br>{r['cluster_mentions']} rep" if r["cluster_mentions"] else ""
        quad = r["quad_class"] or 0
        words = " ".join(
            str(r[k])
            for k in ("actor1_name", "actor2_name", "claimant_name", "event_type", "location", "country_code")
            + ("status", "sentence")
            if r[k]
        ).lower()
        out.append(
            f'<tr class="q{quad}" data-quad="{quad}" data-event-id="{esc(r["event_id"])}" data-words="{esc(words)}">'
            f'<td class="date" data-sort="{esc(r["event_date"] or "")}">'
            f"{esc(fmt_date(r['event_date'], r['date_precision']))}</td>"
            f'<td class="type">{esc(r["event_type"])}</td><td>{who}</td><td>{details}</td>'
            f'<td class="num" data-sort="{esc(r["cluster_mentions"] or 0)}">{cluster}</td>'
            f'<td class="sentence">{highlight(r["sentence"], r["trigger"])}</td>'
            f'<td class="src" title="{esc(r["source_uri"])}">{esc(shorten(source, 140))}{esc(outlet)}</td></tr>'
        )
    return "\n".join(out)


def shorten(text: str | None, limit: int = 240) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def quarantine_table(df: pl.DataFrame) -> str:
    if df.is_empty():
        return '<p class="note">Nothing was quarantined: every input and row made it into the warehouse.</p>'
    head = "<tr><th>stage</th><th>reason</th><th>rows</th><th>inputs</th><th>example</th></tr>"
    body = "".join(
        f"<tr><td>{esc(r['stage'])}</td><td>{esc(r['reason'])}</td><td class='num'>{r['num_rows']}</td>"
        f"<td class='num'>{r['num_inputs']}</td><td class='detail' title='{esc(r['example_detail'])}'>"
        f"{esc(shorten(r['example_detail']))}</td></tr>"
        for r in df.iter_rows(named=True)
    )
    return f'<table id="quarantine"><thead>{head}</thead><tbody>{body}</tbody></table>'


def totals_html(t: dict) -> str:
    items = [
        ("sources", "sources"),
        ("events", "events (reports)"),
        ("clusters", "real-world actions (clusters)"),
        ("multi_source_clusters", "actions in 2+ sources"),
        ("actors", "actors"),
        ("quarantined", "quarantined"),
    ]
    return "".join(f"<div><b>{t[k]:,}</b><span>{esc(label)}</span></div>" for k, label in items)


def render(con: duckdb.DuckDBPyConnection, db_label: str, max_rows: int = 5000, top: int = TOP) -> str:
    """The report page for the warehouse on `con`."""
    q = load_queries()
    totals = query(con, q["totals"]).row(0, named=True)
    timeline, timeline_note = timeline_chart(query(con, q["timeline"]))
    if totals["undated_events"]:
        timeline_note += f" {totals['undated_events']:,} events have no date and are not on the timeline."
    events = query(con, q["events"], max_rows)
    shown = events.height
    events_note = (
        "Newest first."
        if shown == totals["events"]
        else f"The table holds the newest {shown:,} of {totals['events']:,} events (raise --max-rows for more)."
    )
    page = Template((HERE / "report_template.html").read_text(encoding="utf-8"))
    return page.substitute(
        title="newsevents report",
        db=esc(db_label),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        totals=totals_html(totals),
        timeline=timeline,
        timeline_note=esc(timeline_note),
        top=top,
        dyads=bar_chart(query(con, q["dyads"], top), "dyad", "actor1 → actor2", "dyads with two known actors"),
        types=bar_chart(query(con, q["types"]), "event_type", "event type", "events"),
        countries=bar_chart(query(con, q["countries"], top), "country", "country", "events with a country"),
        quarantine=quarantine_table(query(con, q["quarantine"])),
        event_count=f"All {shown:,} events" if shown == totals["events"] else f"The newest {shown:,} events",
        event_total=totals["events"],
        events_note=esc(events_note),
        event_rows=event_rows(events),
        script=(HERE / "report_table.js").read_text(encoding="utf-8"),
    )


def write_report(con: duckdb.DuckDBPyConnection, out: Path | str, db_label: str, max_rows: int = 5000) -> Path:
    """Render the report and write it atomically to `out`."""
    out = Path(out)
    text = render(con, db_label, max_rows=max_rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    # a fresh, exclusively created temporary file (never a name someone could plant a symlink at), renamed
    # over `out` when complete
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return out

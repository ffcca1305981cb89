"""Date expressions → (date, precision), resolved against the publication date.

In: the text of a DATE or TIME entity ("this Wednesday", "in July", "November 2024",
"September 13", "2023-09-14", "yesterday", "Monday night", "last night") and the article's publication date
(or None). Out: the first day of the period and its precision (`day`, `month`,
`year`), or None when the expression gives no knowable date (guideline rule 4:
"On September 13" in an undated article has no year, so no date).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import cast

MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        1,
    )
    for m in names
}
WEEKDAYS = {d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE})\.?,?\s+(\d{{4}})\b", re.I)
_MONTH_DAY_YEAR = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_MONTH_DAY = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b", re.I)
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE})\b", re.I)
_MONTH_YEAR = re.compile(rf"\b({_MONTH_RE})\.?,?\s+(?:of\s+)?(\d{{4}})\b", re.I)
_MONTH = re.compile(rf"\b({_MONTH_RE})\b", re.I)
_YEAR = re.compile(r"\b(1[89]\d{2}|20\d{2})\b")
_WEEKDAY = re.compile(r"\b(last|this|next|on|past)?\s*(" + "|".join(WEEKDAYS) + r")\b", re.I)
_RELATIVE_DAY = {
    "today": 0,
    "tonight": 0,
    "yesterday": -1,
    "tomorrow": 1,
    "last night": -1,
    "this morning": 0,
    "this afternoon": 0,
    "this evening": 0,
}


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _year_for_month(month: int, published: date | None, future: bool = False) -> int | None:
    """The year of a month named without one: the publication year, or the one before when the
    month lies after the publication month (news reports the past)."""
    if published is None:
        return None
    if not future and month > published.month:
        return published.year - 1
    if future and month < published.month:
        return published.year + 1
    return published.year


def resolve_date(expr: str, published: date | None, future: bool = False) -> tuple[date, str] | None:
    """Resolve one date expression; `future` for planned events (a month named ahead)."""
    text = " ".join(expr.split())
    low = text.lower()
    if m := _ISO.search(text):
        d = _safe(int(m[1]), int(m[2]), int(m[3]))
        return (d, "day") if d else None
    if m := _DAY_MONTH_YEAR.search(text):
        d = _safe(int(m[3]), MONTHS[m[2].lower()], int(m[1]))
        return (d, "day") if d else None
    if m := _MONTH_DAY_YEAR.search(text):
        d = _safe(int(m[3]), MONTHS[m[1].lower()], int(m[2]))
        return (d, "day") if d else None
    if m := _MONTH_YEAR.search(text):
        return date(int(m[2]), MONTHS[m[1].lower()], 1), "month"
    for word, delta in _RELATIVE_DAY.items():
        if re.search(rf"\b{word}\b", low):
            return (published + timedelta(days=delta), "day") if published else None
    if m := _WEEKDAY.search(low):
        if published is None:
            return None
        which, day = (m[1] or "").lower(), WEEKDAYS[m[2].lower()]
        delta = (published.weekday() - day) % 7
        if which == "next":
            return published + timedelta(days=(day - published.weekday()) % 7 or 7), "day"
        if future and which in ("", "on", "this"):
            return published + timedelta(days=(day - published.weekday()) % 7), "day"
        if which == "last" and delta == 0:
            delta = 7
        return published - timedelta(days=delta), "day"
    for pattern, order in ((_MONTH_DAY, "md"), (_DAY_MONTH, "dm")):
        if m := pattern.search(text):
            month_word, day_word = (m[1], m[2]) if order == "md" else (m[2], m[1])
            month = MONTHS[month_word.lower()]
            year = _year_for_month(month, published, future)
            if year is None:
                return None
            d = _safe(year, month, int(day_word))
            return (d, "day") if d else None
    if re.search(r"\b(this|current) (year)\b", low):
        return (date(published.year, 1, 1), "year") if published else None
    if re.search(r"\blast year\b", low):
        return (date(published.year - 1, 1, 1), "year") if published else None
    if re.search(r"\bnext year\b", low):
        return (date(published.year + 1, 1, 1), "year") if published else None
    if re.search(r"\b(this|last|next) month\b", low):
        if published is None:
            return None
        which_month = cast(re.Match[str], re.search(r"\b(this|last|next) month", low))  # the test above matched
        shift = {"this": 0, "last": -1, "next": 1}[which_month[1]]
        y, mth = divmod(published.year * 12 + published.month - 1 + shift, 12)
        return date(y, mth + 1, 1), "month"
    if m := _MONTH.search(text):
        if m[1].lower() == "may" and not re.search(r"\b(in|of|since|until|by|early|late|mid)[- ]may\b", low):
            return None  # the modal verb, not the month
        month = MONTHS[m[1].lower()]
        year = _year_for_month(month, published, future)
        return (date(year, month, 1), "month") if year else None
    if m := _YEAR.search(text):
        return date(int(m[1]), 1, 1), "year"
    return None

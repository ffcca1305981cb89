"""transforms/dates.py: a date expression resolved against the publication date, with its precision, and the
date of the action an event takes from its sentence or the narrative (never after publication if asserted)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import one
from transforms.dates import resolve_date


@pytest.mark.parametrize(
    ("expr", "published", "expected"),
    [
        ("this Wednesday", date(2023, 9, 14), (date(2023, 9, 13), "day")),
        ("in July", date(2023, 9, 14), (date(2023, 7, 1), "month")),
        ("in November 2024", None, (date(2024, 11, 1), "month")),
        ("On September 13", None, None),  # no year knowable
        ("since September 2023", None, (date(2023, 9, 1), "month")),
        ("yesterday", date(2024, 3, 1), (date(2024, 2, 29), "day")),
        ("in 2019", None, (date(2019, 1, 1), "year")),
    ],
)
def test_resolve_date(expr, published, expected):
    assert resolve_date(expr, published) == expected


@pytest.mark.parametrize(
    ("expr", "published", "future", "expected"),
    [
        ("last Tuesday", date(2024, 3, 14), False, (date(2024, 3, 12), "day")),
        ("on Monday", date(2024, 3, 14), False, (date(2024, 3, 11), "day")),
        ("this Thursday", date(2023, 9, 14), True, (date(2023, 9, 14), "day")),
        ("next Monday", date(2023, 9, 14), True, (date(2023, 9, 18), "day")),
        ("in December", date(2024, 3, 14), False, (date(2023, 12, 1), "month")),
        ("in December", date(2024, 3, 14), True, (date(2024, 12, 1), "month")),
        ("last year", date(2024, 3, 14), False, (date(2023, 1, 1), "year")),
        ("next month", date(2024, 12, 5), True, (date(2025, 1, 1), "month")),
        ("on 24 February 2022", None, False, (date(2022, 2, 24), "day")),
        ("last Tuesday", None, False, None),
    ],
)
def test_relative_dates_resolve_against_the_publication_date(expr, published, future, expected):
    assert resolve_date(expr, published, future=future) == expected


def test_date_of_the_action_and_carried_through_the_narrative(code):
    events = code(
        "Chinese President Xi Jinping met Vladimir Putin in Moscow on Tuesday.\n"
        "Xi and Putin signed a statement on economic cooperation.\n"
        "Xi will visit Kazakhstan next month.",
        published="2023-03-23",
    )
    assert str(one(events, "CONSULT")["event_date"]) == "2023-03-21"
    assert str(one(events, "AGREE")["event_date"]) == "2023-03-21"  # carried: same summit
    later = [e for e in events if e["trigger"].endswith("visit") or e["trigger"] == "visit"]
    assert all(str(e["event_date"]) != "2023-03-21" for e in later)


def test_year_only_background_dates_are_not_carried_and_date_lines_are_not_dates(code):
    events = code(
        "In 2014, Russia annexed Crimea.\nOn Friday, Ukraine struck a Russian airbase in Crimea.",
        published="2024-05-20",
    )
    assert str(one(events, "ASSAULT")["event_date"]) == "2024-05-17"
    events = code("Russia attacked Kharkiv.\nUkraine sanctioned Russian banks.", published="2024-05-20")
    assert all(e["event_date"] is None for e in events)


def test_no_year_no_date(code):
    e = one(code("On September 13, Kim Jong Un met Vladimir Putin at the Vostochny Cosmodrome."), "CONSULT")
    assert e["event_date"] is None


def test_asserted_action_is_never_dated_after_publication(code):
    events = code(
        "Russia launched drones at Kyiv on Saturday.\nThe United States warned that Russia could attack again.",
        published="2024-06-03",
    )
    for e in events:
        if e["event_date"] is not None and e["status"] == "asserted":
            assert e["event_date"] <= date(2024, 6, 3)


def test_a_weekday_night_dates_the_event(code):
    e = one(code("Hungary rejected the proposal on Saturday night.", "2025-05-21"), "REJECT")
    assert str(e["event_date"]) == "2025-05-17"


def test_last_night_is_the_day_before_publication(code):
    e = one(code("Police in Lima arrested 12 protesters last night.", "2025-08-14"), "COERCE")
    assert str(e["event_date"]) == "2025-08-13"

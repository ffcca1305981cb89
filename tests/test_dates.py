"""transforms/dates.py: a date expression resolved against the publication date, with its precision."""

from __future__ import annotations

from datetime import date

import pytest

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

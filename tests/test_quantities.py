"""transforms/quantities.py: how many took part or were hit, with its unit."""

from __future__ import annotations

import pytest

from tests.conftest import one


@pytest.mark.parametrize(
    ("text", "event_type", "quantity"),
    [
        ("North Korea agreed to deploy 1,000 engineers to Russia.", "AGREE", (1000, "engineers")),
        ("North Korea has sent about 5,000 workers to Russia.", "AID", (5000, "workers")),
        ("Russia deployed up to 12,000 soldiers near the border.", "MOBILIZE", (12000, "soldiers")),
        ("The United States imposed sanctions on two Russian citizens.", "SANCTION", (2, "citizens")),
    ],
)
def test_quantities(code, text, event_type, quantity):
    e = one(code(text), event_type)
    assert (e["quantity"], e["quantity_unit"]) == quantity

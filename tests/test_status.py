"""transforms/status.py: the claim status of an event from its trigger chain (guideline rule 6)."""

from __future__ import annotations

import pytest

from tests.conftest import one, only


@pytest.mark.parametrize(
    ("sentence", "event_type", "status"),
    [
        ("Canada will send medical supplies to Gaza.", "AID", "planned"),
        ("Poland could send fighter jets to Ukraine.", "AID", "hypothetical"),
        ("Israel did not attack Iran.", "ASSAULT", "negated"),
        ("Iran denied supplying drones to Russia.", "AID", "denied"),
        ("Serbia and Kosovo failed to reach an agreement.", "AGREE", "negated"),
        ("Egypt is considering sending troops to Sudan.", "AID", "hypothetical"),
        ("Jordan would be ready to host a meeting of Israel and Egypt.", "CONSULT", "hypothetical"),
    ],
)
def test_status(code, sentence, event_type, status):
    assert only(code(sentence), event_type)["status"] == status


def test_is_to_visit_is_a_planned_visit(code):
    e = one(code("Chilean President Gabriel Boric is to visit Argentina next week.", "2025-03-03"), "CONSULT")
    assert (e["actor2"], e["status"]) == ("Argentina", "planned")

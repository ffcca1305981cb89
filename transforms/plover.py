"""PLOVER reference data: the 16 event types, their CAMEO roots and quad classes.

In: an event type (and optionally a CAMEO root from the verb dictionary).
Out: the CAMEO root and quad class the warehouse stores. See
`../shared/spec/events.md` for the table this mirrors.
"""

from __future__ import annotations

# type → (CAMEO roots allowed, default root, quad class)
PLOVER: dict[str, tuple[tuple[str, ...], str, int]] = {
    "AGREE": (("03", "05"), "03", 1),
    "CONSULT": (("04",), "04", 1),
    "SUPPORT": (("05",), "05", 1),
    "CONCEDE": (("07", "08"), "08", 2),
    "COOPERATE": (("06",), "06", 2),
    "AID": (("07",), "07", 2),
    "RETREAT": (("08",), "08", 2),
    "REQUEST": (("02",), "02", 1),
    "ACCUSE": (("11",), "11", 3),
    "REJECT": (("12",), "12", 3),
    "THREATEN": (("13",), "13", 3),
    "PROTEST": (("14",), "14", 3),
    "SANCTION": (("16",), "16", 4),
    "MOBILIZE": (("15",), "15", 4),
    "COERCE": (("17",), "17", 4),
    "ASSAULT": (("18", "19", "20"), "19", 4),
}
EVENT_TYPES = tuple(PLOVER)
STATUSES = ("asserted", "planned", "denied", "negated", "hypothetical")
DATE_PRECISIONS = ("day", "month", "year")
ACTOR_TYPES = ("person", "state", "organization", "group")


def cameo_root(event_type: str, preferred: str | None = None) -> str:
    allowed, default, _ = PLOVER[event_type]
    return preferred if preferred in allowed else default


def quad_class(event_type: str) -> int:
    return PLOVER[event_type][2]

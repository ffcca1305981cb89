"""The dictionaries, loaded once: actors, groups, places, verbs, attribution.

In: the YAML files of a dictionaries folder (default: `transforms/dictionaries/`;
a user covering a new topic edits or adds to them). Out: a frozen `Lexicon`
that the pure extraction functions take as an argument. `Lexicon.version` is a
hash of every file, so a changed dictionary changes the extractor version and
the sources it affects are coded again.

This module is the only place in `transforms/` that reads files, and it reads
only dictionary data.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

DICTIONARY_DIR = Path(__file__).parent / "dictionaries"


@dataclass(frozen=True)
class ActorEntry:
    name: str
    actor_type: str  # person, state, organization, group
    country: str | None
    aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    title: str | None = None  # persons: their office ("leader", "defense minister")


@dataclass(frozen=True)
class PlaceEntry:
    name: str
    country: str | None
    kind: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class VerbEntry:
    event_type: str
    mode: str | None = None
    cameo: str | None = None


@dataclass(frozen=True, eq=False)  # hashed by identity: loaded once, used as a cache key
class Lexicon:
    actors: tuple[ActorEntry, ...]
    places: tuple[PlaceEntry, ...]
    verbs: dict[str, VerbEntry]  # lemma → type
    phrases: dict[tuple[str, ...], VerbEntry]  # lemma sequence (verb + particle/prep/noun) → type
    nouns: dict[str, VerbEntry]  # event nouns ("talks", "visit") for light verbs and nominal events
    light_verbs: frozenset[str]
    intent_verbs: frozenset[str]  # plan, want, decide… → status planned, type from what they govern
    agree_verbs: frozenset[str]  # agree, sign, promise… → AGREE when they govern an action
    deny_verbs: frozenset[str]
    hypothetical_verbs: frozenset[str]
    group_nouns: frozenset[str]
    state_nouns: frozenset[str]
    speech_verbs: frozenset[str]
    source_nouns: frozenset[str]
    according_to: tuple[str, ...]
    version: str = ""
    verb_lists: dict[str, frozenset[str]] = field(default_factory=dict)  # every list section of verbs.yaml
    verb_maps: dict[str, dict[str, VerbEntry]] = field(default_factory=dict)  # other word → type sections
    word_maps: dict[str, dict[str, str]] = field(default_factory=dict)  # verbs.yaml word_maps: word → word
    group_modifiers: frozenset[str] = frozenset()  # words allowed between a demonym and a group noun
    group_canonical: dict[str, str] = field(default_factory=dict)  # "troops" → "soldiers" (group names)
    non_actor_heads: frozenset[str] = frozenset()  # "treaty", "operation": NER organisations that are not actors
    institution_nouns: frozenset[str] = frozenset()  # "parliament", "embassy": demonym + noun → organisation
    demonym_index: dict[str, ActorEntry] = field(default_factory=dict)
    actor_words: dict[str, frozenset[str]] = field(default_factory=dict)  # every list section of groups.yaml
    agent_sectors: dict[str, str] = field(default_factory=dict)  # generic noun → sector (groups.yaml sectors:)
    actor_maps: dict[str, dict[str, str]] = field(default_factory=dict)  # title_sectors, organization_sectors

    def actor_by_name(self, name: str) -> ActorEntry | None:
        for a in self.actors:
            if a.name == name:
                return a
        return None


def _read(path: Path) -> object:
    if not path.exists():
        return None
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _tuple(value) -> tuple[str, ...]:
    if not value:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value if v)


def _verb_entry(value) -> VerbEntry:
    if isinstance(value, str):
        return VerbEntry(value.upper())
    return VerbEntry(str(value["type"]).upper(), value.get("mode"), value.get("cameo"))


def _actor_entries(data, default_type: str) -> list[ActorEntry]:
    out = []
    for row in data or []:
        if not row or not row.get("name"):
            continue
        out.append(
            ActorEntry(
                name=str(row["name"]),
                actor_type=str(row.get("type") or default_type),
                country=row.get("country", row.get("code")),
                aliases=_tuple(row.get("aliases")),
                demonyms=_tuple(row.get("demonyms")),
                title=row.get("title"),
            )
        )
    return out


def _sectors(data) -> dict[str, str]:
    """groups.yaml `sectors:` → noun → code; written either code → [nouns] or noun → code."""
    out: dict[str, str] = {}
    for k, v in (data or {}).items():
        if isinstance(v, list):
            out.update({str(n).lower(): str(k).upper() for n in v})
        elif v:
            out[str(k).lower()] = str(v).upper()
    return out


def load_lexicon(directory: Path | str | None = None) -> Lexicon:
    return _load(str(Path(directory or DICTIONARY_DIR).resolve()))


@cache
def _load(directory: str) -> Lexicon:
    d = Path(directory)
    digest = hashlib.sha256()
    for path in sorted(d.glob("*.yaml")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())

    actors: list[ActorEntry] = []
    actors += _actor_entries(_read(d / "states.yaml"), "state")
    actors += _actor_entries(_read(d / "organizations.yaml"), "organization")
    actors += _actor_entries(_read(d / "persons.yaml"), "person")
    places = [
        PlaceEntry(str(p["name"]), p.get("country"), str(p.get("kind") or "place"), _tuple(p.get("aliases")))
        for p in (_read(d / "places.yaml") or [])
        if p and p.get("name")
    ]
    verbs_doc = _read(d / "verbs.yaml") or {}
    groups_doc = _read(d / "groups.yaml") or {}
    attr_doc = _read(d / "attribution.yaml") or {}

    verbs = {str(k).lower(): _verb_entry(v) for k, v in (verbs_doc.get("verbs") or {}).items()}
    phrases = {tuple(str(k).lower().split()): _verb_entry(v) for k, v in (verbs_doc.get("phrases") or {}).items()}
    nouns = {str(k).lower(): _verb_entry(v) for k, v in (verbs_doc.get("nouns") or {}).items()}

    demonym_index: dict[str, ActorEntry] = {}
    for a in actors:
        if a.actor_type == "state":
            for dem in a.demonyms:
                demonym_index.setdefault(dem.lower(), a)

    def fs(doc, key) -> frozenset[str]:
        return frozenset(str(v).lower() for v in (doc.get(key) or []))

    return Lexicon(
        actors=tuple(actors),
        places=tuple(places),
        verbs=verbs,
        phrases=phrases,
        nouns=nouns,
        light_verbs=fs(verbs_doc, "light_verbs"),
        intent_verbs=fs(verbs_doc, "intent_verbs"),
        agree_verbs=fs(verbs_doc, "agree_verbs"),
        deny_verbs=fs(verbs_doc, "deny_verbs"),
        hypothetical_verbs=fs(verbs_doc, "hypothetical_verbs"),
        group_nouns=fs(groups_doc, "group_nouns"),
        state_nouns=fs(groups_doc, "state_nouns"),
        speech_verbs=fs(attr_doc, "speech_verbs"),
        source_nouns=fs(attr_doc, "source_nouns"),
        according_to=tuple(str(p).lower() for p in (attr_doc.get("according_to") or [])),
        version=digest.hexdigest()[:12],
        verb_lists={str(k): fs(verbs_doc, k) for k, v in verbs_doc.items() if isinstance(v, list)},
        verb_maps={
            str(k): {str(w).lower(): _verb_entry(e) for w, e in v.items()}
            for k, v in verbs_doc.items()
            if isinstance(v, dict) and k not in ("verbs", "phrases", "nouns", "word_maps")
        },
        word_maps={
            str(k): {str(w).lower(): str(x) for w, x in (v or {}).items()}
            for k, v in (verbs_doc.get("word_maps") or {}).items()
        },
        group_modifiers=frozenset(w for m in fs(groups_doc, "modifiers") for w in [m, *m.split("-")]),
        group_canonical={
            str(v).lower(): str(k) for k, vs in (groups_doc.get("canonical_nouns") or {}).items() for v in vs or []
        },
        non_actor_heads=fs(groups_doc, "non_actor_heads"),
        institution_nouns=fs(groups_doc, "institution_nouns"),
        demonym_index=demonym_index,
        actor_words={str(k): fs(groups_doc, k) for k, v in groups_doc.items() if isinstance(v, list)},
        agent_sectors=_sectors(groups_doc.get("sectors")),
        actor_maps={k: _sectors(groups_doc.get(k)) for k in ("title_sectors", "organization_sectors")},
    )

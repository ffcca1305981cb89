"""Parsers of the open CAMEO / Phoenix dictionaries (PETRARCH2 formats) and their mapping to PLOVER.

In: the text of one dictionary file (`CAMEO.2.0.txt`, `Phoenix.*.actors.txt`,
`Phoenix.agents.txt`, `Phoenix.discards.txt`, `CAMEO2PLOVER-2021.txt`); formats
in the PETRARCH2 `dictionaries.rst`. Out: plain records (dataclasses), and the
project's dictionary shapes built from them: verb lemma → {type, mode, cameo},
(verb, particle/preposition/noun) phrases, actors with dated roles, generic
nouns → sector, discard phrases. No I/O: `flows/import_cameo.py` reads the
files and writes `transforms/dictionaries/cameo/`.

What maps onto a dependency parse (the rest is dropped, see `verb_vocabulary`):
`- * NOUN [code]` (verb + object noun), `- * PRT NOUN` (verb + particle +
object), `- * (PREP NOUN)` (verb + prepositional object), `- * (PREP)` and
`- * PRT` (verb + particle/preposition), and a verb's own code. Patterns with a
pre-verb noun, several nouns, or the `$ ^ %` markers need a constituency tree
and are skipped.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher

# ----------------------------------------------------------------------------------------------------------------------
# CAMEO → PLOVER


@dataclass(frozen=True)
class PloverCode:
    event_type: str
    mode: str | None = None
    context: str | None = None


def parse_cameo2plover(text: str) -> dict[str, PloverCode]:
    """`0871: RETREAT, ceasefire, military # Declare truce` → {"0871": PloverCode("RETREAT", "ceasefire", "military")}.
    The first line for a code wins (the table lists a few codes twice)."""
    out: dict[str, PloverCode] = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        m = re.match(r"^(\d{2,4})\s*:\s*(.+)$", line)
        if not m:
            continue
        parts = [p.strip() for p in m.group(2).split(",")]
        if not parts[0] or not parts[0].isalpha():
            continue
        mode = parts[1] if len(parts) > 1 and parts[1] else None
        context = parts[2] if len(parts) > 2 and parts[2] else None
        out.setdefault(m.group(1), PloverCode(parts[0].upper(), mode, context))
    return out


def plover_for(code: str, table: dict[str, PloverCode]) -> PloverCode | None:
    """The PLOVER type of a CAMEO code: the code itself, else its nearest listed parent ("0233" → "023" → "02")."""
    code = code.strip()
    while len(code) >= 2:
        if code in table:
            return table[code]
        code = code[:-1]
    return None


def _active_code(raw: str) -> str | None:
    """`[042:043]` → "042" (source:target codes; the first is the active voice); `[:173]` (passive only),
    `[---]` (null code) → None."""
    code = raw.split(":", 1)[0].strip()
    return code if code.isdigit() else None


# ----------------------------------------------------------------------------------------------------------------------
# Verb dictionary


@dataclass(frozen=True)
class VerbPattern:
    """One `- ...` line reduced to what a dependency parse can check."""

    kind: str  # "obj" (verb + noun), "prt_obj" (verb + particle + noun), "prep_obj", "prep" (verb + prep/particle)
    words: tuple[str, ...]  # lower-case lemmas after the verb: ("sanction",), ("off", "talk"), ("for",)
    code: str
    verb: str | None = None  # the block verb named in the pattern's comment, else None (all verbs of the block)
    exact: bool = True  # no extra words beyond those kept (adjectives, a second phrase)


@dataclass(frozen=True)
class VerbBlock:
    verbs: tuple[tuple[str, str | None], ...]  # (lemma or "verb particle", own code)
    code: str | None  # the block's primary code
    patterns: tuple[VerbPattern, ...] = ()
    head: str = ""  # the verb the block is named after ("--- BURN [---] ---" → "burn")


PARTICLES = frozenset(
    ["up", "down", "off", "out", "in", "on", "back", "away", "over", "around", "through", "along", "aside", "forward"]
)


def _word(token: str) -> str:
    return token.replace("_", " ").strip().lower()


def parse_synsets(text: str) -> dict[str, tuple[str, ...]]:
    """`&CURRENCY` followed by `+MONEY` lines → {"&CURRENCY": ("money", …)} (single words only)."""
    sets: dict[str, list[str]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("---"):
            break
        if line.startswith("&"):
            current = line.split()[0].rstrip("_")
            sets[current] = []
        elif line.startswith("+") and current:
            word = line[1:].split()[0] if line[1:].split() else ""
            sets[current].append(word)
        elif line:
            current = None
    return {k: tuple(_word(w) for w in v if w) for k, v in sets.items()}


_PATTERN = re.compile(r"^-\s*(?P<body>.*?)\s*\[(?P<code>[^\]]*)\]\s*(?:#\s*(?P<comment>.*))?$")


def _pattern(body: str, code: str, comment: str | None, synsets: dict[str, tuple[str, ...]]) -> list[VerbPattern]:
    """`* {FINANCIAL AID} (FROM X)` and friends → the patterns a dependency parse can check (none when the
    line needs a pre-verb noun or the `$ ^ %` markers)."""
    if "*" not in body or any(ch in body for ch in "$^%"):
        return []
    pre, post = body.split("*", 1)
    if pre.strip():
        return []
    verb = comment.split()[0].lower().replace("_", " ") if comment and comment.split() else None
    # tokens: {A B} groups, (PREP NOUN) groups, bare words
    items = re.findall(r"\{[^}]*\}|\([^)]*\)|\S+", post.strip())
    exact = True
    heads: list[tuple[str, tuple[str, ...]]] = []  # (kind, words)
    for item in items:
        if item.startswith("{"):
            words = item[1:-1].replace("_", " ").split()
            if not words:
                return []
            if len(words) > 1:
                exact = False
            heads.append(("noun", (words[-1],)))
        elif item.startswith("("):
            inner = item[1:-1].strip()
            inner_items = re.findall(r"\{[^}]*\}|\S+", inner)
            if not inner_items:
                return []
            prep = inner_items[0]
            rest = inner_items[1:]
            if not rest:
                heads.append(("prep", (prep,)))
            else:
                last = rest[-1]
                if last.startswith("{"):
                    words = last[1:-1].replace("_", " ").split()
                    if not words:
                        return []
                    exact = exact and len(words) == 1 and len(rest) == 1
                    heads.append(("pp", (prep, words[-1])))
                else:
                    exact = exact and len(rest) == 1
                    heads.append(("pp", (prep, last)))
        else:
            heads.append(("noun", (item,)))
    if not heads:
        return []
    first, extra = heads[0], heads[1:]
    out_kind, words = None, ()
    if first[0] == "noun" and first[1][0].lower() in PARTICLES and not first[1][0].startswith("&"):
        prt = first[1][0].lower()
        if extra and extra[0][0] == "noun":
            out_kind, words, extra = "prt_obj", (prt, extra[0][1][0]), extra[1:]
        else:
            out_kind, words = "prep", (prt,)
    elif first[0] == "noun":
        out_kind, words = "obj", first[1]
    elif first[0] == "pp":
        out_kind, words = "prep_obj", first[1]
    else:
        out_kind, words = "prep", first[1]
    if extra:
        exact = False
    # expand a synset in the noun position into its single-word members
    noun = words[-1]
    nouns = synsets.get(noun.rstrip("_"), ()) if noun.startswith("&") else (noun,)
    out = []
    for n in nouns:
        n = _word(n)
        if not n or " " in n or not re.fullmatch(r"[a-z][a-z'-]*", n):
            continue
        ws = (*(w.lower() for w in words[:-1]), n)
        out.append(VerbPattern(out_kind, ws, code, verb, exact))
    return out


def parse_verbs(text: str) -> list[VerbBlock]:
    """`--- BURN [---] ---`, its verb lines (`SPEED {SPED …} [190]`, `+ASK_FOR {…} [020]`) and its `- …`
    patterns → one VerbBlock each. Transformations (`~ …`) and pre-compounded verbs (`WIRE_+TAP`) are skipped."""
    synsets = parse_synsets(text)
    blocks: list[VerbBlock] = []
    verbs: list[tuple[str, str | None]] = []
    patterns: list[VerbPattern] = []
    code: str | None = None
    name = ""
    started = False

    def flush():
        if started:
            blocks.append(VerbBlock(tuple(verbs), code, tuple(patterns), name))

    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        head = re.match(r"^---\s+(.*?)\s+\[([^\]]*)\]\s+---", stripped)
        if head:
            flush()
            started, verbs, patterns = True, [], []
            code = _active_code(head.group(2))
            name = head.group(1).strip().lower().replace("_", " ")
            continue
        if not started or stripped.startswith(("~", "&")):
            continue
        if stripped.startswith("-"):
            m = _PATTERN.match(stripped)
            if m:
                c = _active_code(m.group("code"))
                if c:
                    patterns += _pattern(m.group("body"), c, m.group("comment"), synsets)
            continue
        line = re.sub(r"\{[^}]*\}", " ", stripped.split("#", 1)[0])
        m = re.match(r"^(\+?[A-Z][A-Z_'+-]*)\s*(?:\[([^\]]*)\])?\s*$", line.strip())
        if not m:
            continue
        word, own = m.group(1), _active_code(m.group(2)) if m.group(2) else None
        if word.startswith("+"):  # multi-word verb with the verb first: +ASK_FOR
            parts = word[1:].lower().split("_")
            if "+" in word[1:] or len(parts) < 2:
                continue
            verbs.append((" ".join(parts), own))
        elif "+" in word:  # WIRE_+TAP: compound before the verb, the parser rarely keeps it
            continue
        else:
            verbs.append((word.lower().replace("_", " "), own))
    flush()
    return blocks


@dataclass(frozen=True)
class VerbRule:
    event_type: str
    mode: str | None
    cameo: str  # the most frequent CAMEO code behind the rule


def _vote(codes: list[str], table: dict[str, PloverCode]) -> VerbRule | None:
    """One PLOVER type for all the codes, else None (ambiguous). Mode only when every code agrees."""
    found = [(c, plover_for(c, table)) for c in codes]
    mapped = [(c, p) for c, p in found if p is not None]
    if not mapped or len(mapped) < len(found):
        return None
    types = {p.event_type for _, p in mapped}
    if len(types) != 1:
        return None
    modes = {p.mode for _, p in mapped}
    code = Counter(c for c, _ in mapped).most_common(1)[0][0]
    return VerbRule(types.pop(), modes.pop() if len(modes) == 1 else None, code)


def verb_vocabulary(
    blocks: list[VerbBlock], table: dict[str, PloverCode]
) -> tuple[dict[str, VerbRule], dict[tuple[str, ...], VerbRule]]:
    """Blocks → (verb lemma → rule, lemma sequence → rule), the shapes of `Lexicon.verbs` / `.phrases`.

    - A verb's own code codes the verb alone ("SEARCH [090]" → search: ACCUSE); the block's code codes only
      the verb the block is named after (the block's synonyms are loose: ABATE sits under a 060 block).
    - A pattern applies to the verb its comment names when that is a verb of the block ("- * STRIKE [143] #
      STAGE" → stage strike), else to the block's own verb: spreading it over every synonym gives
      "bruise governor" = assassinate.
    - For one key, the exact patterns (no adjective, no second phrase) decide; the others only when there is
      no exact one. Kept only when all the codes give one PLOVER type (unmapped CAMEO 01/02 codes count as
      a disagreement), so an ambiguous pattern is dropped rather than guessed.
    """
    single: dict[str, list[str]] = defaultdict(list)
    exact: dict[tuple[str, ...], list[str]] = defaultdict(list)
    loose: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for block in blocks:
        names = [v for v, _ in block.verbs]
        for verb, own in block.verbs:
            c = own or (block.code if verb == block.head else None)
            if not c:
                continue
            if " " in verb:
                exact[tuple(verb.split())].append(c)
            else:
                single[verb].append(c)
        for p in block.patterns:
            targets = [p.verb] if p.verb in names else [block.head] if block.head in names else []
            for verb in targets:
                if " " in verb:  # multi-word verbs take only their own code
                    continue
                key = (verb, *p.words) if p.kind != "prep_obj" else (verb, p.words[-1])
                (exact if p.exact else loose)[key].append(p.code)
    verbs = {v: r for v, cs in sorted(single.items()) if (r := _vote(cs, table))}
    phrases: dict[tuple[str, ...], VerbRule] = {}
    for key in sorted(set(exact) | set(loose)):
        rule = _vote(exact[key] if key in exact else loose[key], table)
        if rule:
            phrases[key] = rule
    return verbs, phrases


# ----------------------------------------------------------------------------------------------------------------------
# Actor dictionaries


@dataclass(frozen=True)
class Role:
    code: str  # the Phoenix code: "AFGGOV", "IGOUNO", "YEMREB"
    start: date | None = None  # valid from (inclusive)
    end: date | None = None  # valid until (inclusive)


@dataclass(frozen=True)
class ActorRecord:
    name: str  # the primary phrase, words separated by spaces, upper case as in the file
    aliases: tuple[str, ...] = ()
    roles: tuple[Role, ...] = ()


def parse_date(text: str) -> date | None:
    """`870930` → 1987-09-30, `070723` → 2007-07-23 (two-digit years up to 30 are 20xx), `20070101` → 2007-01-01;
    anything else (e.g. the 7-digit `2004017` in the source) → None."""
    if not text.isdigit() or len(text) not in (6, 8):
        return None
    if len(text) == 6:
        yy = int(text[:2])
        year = 2000 + yy if yy <= 30 else 1900 + yy
        month, day = int(text[2:4]), int(text[4:6])
    else:
        year, month, day = int(text[:4]), int(text[4:6]), int(text[6:8])
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _role(inner: str) -> Role | None:
    """`AFGGOV 870930-871130`, `IGOUNO >20070101`, `USAELI <450703`, `AFGMIL` → Role; malformed dates → None."""
    parts = inner.split()
    if not parts or not re.fullmatch(r"[A-Z0-9]{3,}", parts[0]):
        return None
    code = parts[0]
    if len(parts) == 1:
        return Role(code)
    spec = parts[1]
    if spec.startswith(">"):
        start = parse_date(spec[1:])
        return Role(code, start=start) if start else None
    if spec.startswith("<"):
        end = parse_date(spec[1:])
        return Role(code, end=end) if end else None
    if "-" in spec:
        a, b = spec.split("-", 1)
        start, end = parse_date(a), parse_date(b)
        return Role(code, start, end) if start and end else None
    return None


def _phrase(token: str) -> str:
    """`VLADIMIR_V._PUTIN_` → "VLADIMIR V. PUTIN"."""
    return " ".join(token.replace("_", " ").split())


def parse_actors(text: str) -> list[ActorRecord]:
    """Phoenix actor file → records. A record is a primary phrase (optionally `[CODE]`), `+` synonyms
    (a code on one adds to the record's roles), and tab-indented `[CODE dates]` lines. A primary without any
    code is the null code: dropped."""
    records: list[ActorRecord] = []
    names: list[str] = []
    roles: list[Role] = []

    def flush():
        nonlocal names, roles
        if names and roles:
            aliases = tuple(a for a in dict.fromkeys(names[1:]) if a != names[0])
            records.append(ActorRecord(names[0], aliases, tuple(roles)))
        names, roles = [], []

    for raw in text.splitlines():
        body = raw.split("#", 1)[0]
        if not body.strip():
            continue
        if raw[:1] in ("\t", " ") and body.strip().startswith("["):
            for inner in re.findall(r"\[([^\]]*)\]", body):
                r = _role(inner.strip())
                if r:
                    roles.append(r)
            continue
        stripped = body.strip()
        synonym = stripped.startswith("+")
        if synonym:
            stripped = stripped[1:].strip()
        m = re.match(r"^([^\[;]+?)\s*(?:\[([^\]]*)\])?\s*(?:;.*)?$", stripped)
        if not m:
            continue
        phrase = _phrase(m.group(1))
        if not phrase:
            continue
        if not synonym:
            flush()  # a new primary ends the record before it (dropped when it had no code: the null code)
        names.append(phrase)
        if m.group(2):
            r = _role(m.group(2).strip())
            if r:
                roles.append(r)
    flush()
    return records


# ----------------------------------------------------------------------------------------------------------------------
# Agents and discards


@dataclass(frozen=True)
class AgentRecord:
    phrase: str  # lower case, spaces: "farm worker"
    forms: tuple[str, ...]  # surface forms: singular and plural
    code: str  # the agent code without "~": "COP", "GOVMED", "NGO"


def _plural(word: str) -> str:
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("ss", "sh", "ch", "x")):
        return word + "es"
    if word.endswith("s"):
        return word
    return word + "s"


def parse_agents(text: str) -> list[AgentRecord]:
    """`TROOP {} [~MIL]`, `ATTORNEY_GENERAL {ATTORNEYS_GENERAL} [~GOVATG]`, `CATTLE!PERSON! [~AGR]` with
    `!PERSON! = MAN, MEN, …`, `HUMAN_RIGHTS_BODY [NGO~]` → records with their singular and plural forms
    (regular plural added unless `{}` or an explicit plural is given)."""
    subst: dict[str, list[str]] = {}
    out: list[AgentRecord] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("<!"):
            continue
        m = re.match(r"^(![A-Z]+!)\s*=\s*(.+)$", line)
        if m:
            subst[m.group(1)] = [w.strip() for w in m.group(2).split(",") if w.strip()]
            continue
        m = re.match(r"^([^\[{]+?)\s*(\{[^}]*\})?\s*\[([^\]}]*)[\]}]", line)
        if not m:
            continue
        phrase, plural, code = m.group(1).strip(), m.group(2), m.group(3).strip()
        code = code.replace("~", "")
        if not re.fullmatch(r"[A-Z]{3,}", code):
            continue
        marker = re.search(r"![A-Z]+!", phrase)
        if marker:
            forms = [phrase.replace(marker.group(0), sub) for sub in subst.get(marker.group(0), [])]
            if not forms:
                continue
            base = forms[0]
            forms_l = tuple(dict.fromkeys(_word(f) for f in forms))
            out.append(AgentRecord(_word(base), forms_l, code))
            continue
        base = _word(phrase)
        if not base:
            continue
        if plural is None and not base.endswith("."):
            words = base.split()
            forms_l = (base, " ".join([*words[:-1], _plural(words[-1])]))
        elif plural is not None and plural.strip("{} "):
            forms_l = (base, _word(plural.strip("{} ")))
        else:
            forms_l = (base,)
        out.append(AgentRecord(base, tuple(dict.fromkeys(forms_l)), code))
    return out


@dataclass(frozen=True)
class Discard:
    phrase: str  # lower case
    story: bool = False  # "+": the whole story is uncodable
    whole_word: bool = False  # trailing "_": the match must end at a word boundary


def parse_discards(text: str) -> list[Discard]:
    """`+ACADEMY AWARD   # LRP …` → Discard("academy award", story=True); `WORLD CUP_` → whole_word=True."""
    out = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].split(";", 1)[0].strip()
        if not line:
            continue
        story = line.startswith("+")
        if story:
            line = line[1:].strip()
        whole = line.endswith("_")
        phrase = " ".join(line.rstrip("_").replace("_", " ").split()).lower()
        if phrase:
            out.append(Discard(phrase, story, whole))
    return out


def topical_discards(discards: list[Discard]) -> list[Discard]:
    """The discards that name an uncodable topic (sports, entertainment, disasters), without the chronology
    markers Phoenix also lists — years and dates ("1914", "April 1942") and relative times ("weeks ago",
    "years later"): news sentences carry those around codable events ("released, weeks ago", "the first visit
    since 1961"), and the guideline dates such events rather than dropping them."""
    out = []
    for d in discards:
        if any(ch.isdigit() for ch in d.phrase) or d.phrase.split()[-1] in ("ago", "later"):
            continue
        out.append(d)
    return out


# ----------------------------------------------------------------------------------------------------------------------
# Sectors and countries of codes


@dataclass(frozen=True)
class CodeParts:
    country: str | None  # ISO3 when the code starts with a known country code
    sector: str | None  # first role triple after the country: GOV, MIL, REB, IGO…


INTERNATIONAL = ("IGO", "NGO", "IMG", "MNC", "NGM")


def split_code(code: str, countries: frozenset[str]) -> CodeParts:
    """`AFGGOV` → (AFG, GOV); `IGOUNO` → (None, IGO); `IMGMUSALQ` → (None, IMG); `YEMREB` → (YEM, REB)."""
    head = code[:3]
    if head in countries:
        return CodeParts(head, code[3:6] or None)
    if head in INTERNATIONAL:
        return CodeParts(None, head)
    return CodeParts(None, None)


@dataclass(frozen=True)
class ImportedActor:
    name: str
    actor_type: str
    country: str | None
    aliases: tuple[str, ...] = ()
    roles: tuple[Role, ...] = field(default_factory=tuple)


_SHORT_UPPER = re.compile(r"^[A-Z]{2,6}$")


def display_name(phrase: str) -> str:
    """`VLADIMIR V. PUTIN` → "Vladimir V. Putin"; `AL-QAEDA` → "Al-Qaeda"; a word with dots or without a vowel
    (`U.N.`, `PKK`) stays upper case."""
    out = []
    for w in phrase.split():
        if w[:1].isdigit():
            out.append(w.lower())
        elif "." in w.strip(".") or not re.search(r"[AEIOUY]", w):
            out.append(w)
        else:
            out.append("-".join(p[:1] + p[1:].lower() for p in w.split("-")))
    return " ".join(out)


def _keep_surface(surface: str, common_words: frozenset[str]) -> bool:
    """A one-word alias that is an English word ("Mercury", "Bush", "Victory") matches prose: dropped."""
    words = surface.split()
    if not any(ch.isalpha() for ch in surface):
        return False  # "313", "21 June"-like codes of cells are not names that prose uses
    if len(words) > 1:
        return True
    w = words[0].lower().strip(".'")
    return len(w) >= 3 and w not in common_words


def actor_vocabulary(
    records: list[ActorRecord],
    kind: str,
    countries: frozenset[str],
    organisation_heads: frozenset[str],
    common_words: frozenset[str],
) -> list[ImportedActor]:
    """Actor records of one Phoenix file → actors for the project's dictionaries.

    kind: "countries" (people and institutions of states), "international" (IGOs/NGOs and their officials),
    "nonstate" (armed non-state groups, type group). A record coded only with a bare country code
    (`AFGHANISTAN_ [AFG]`, whose synonyms include its cities and provinces) is a state: the hand-written
    states.yaml has those, so it is skipped. Type: group for "nonstate"; organization when the last word of
    the name is an organisation head (an agent noun such as ministry, army, party, council); otherwise
    person when a role is dated, else organization. Country: the most frequent country of the roles.
    One-word names that are English words (`common_words`) are dropped (see `_keep_surface`).
    """
    out = []
    for rec in records:
        codes = [r.code for r in rec.roles]
        if all(len(c) == 3 and c in countries for c in codes):
            continue
        parts = [split_code(c, countries) for c in codes]
        if not any(p.country or p.sector for p in parts):
            continue
        ctry = Counter(p.country for p in parts if p.country).most_common(1)
        country = ctry[0][0] if ctry else None
        surfaces = [display_name(s) for s in (rec.name, *rec.aliases)]
        surfaces = [s for s in dict.fromkeys(surfaces) if _keep_surface(s, common_words)]
        if not surfaces:
            continue
        last = rec.name.split()[-1].lower()
        if kind == "nonstate":
            actor_type = "group"
        elif last in organisation_heads or last.rstrip("s") in organisation_heads:
            actor_type = "organization"
        elif any(r.start or r.end for r in rec.roles):
            actor_type = "person"
        else:
            actor_type = "organization"
        out.append(ImportedActor(surfaces[0], actor_type, country, tuple(surfaces[1:]), rec.roles))
    return out


def agent_sectors(agents: list[AgentRecord]) -> dict[str, str]:
    """Agent records → {surface form: sector}, the sector being the first role triple (`GOVMED` → GOV).
    The first record for a form wins (file order)."""
    out: dict[str, str] = {}
    for a in agents:
        for form in a.forms:
            out.setdefault(form, a.code[:3])
    return dict(sorted(out.items()))


def drop_ambiguous(actors: list[ImportedActor]) -> list[ImportedActor]:
    """A surface (case-insensitive) shared by actors of different countries or types ("National Assembly",
    "Supreme Court", "Ministry Of Defense") names none of them: removed from each; an actor left without a
    name is dropped, else its first remaining alias becomes its name."""
    owners: dict[str, set[tuple[str | None, str]]] = defaultdict(set)
    for a in actors:
        for s in (a.name, *a.aliases):
            owners[s.lower()].add((a.country, a.actor_type))
    out = []
    for a in actors:
        kept = [s for s in (a.name, *a.aliases) if len(owners[s.lower()]) == 1]
        if kept:
            out.append(ImportedActor(kept[0], a.actor_type, a.country, tuple(kept[1:]), a.roles))
    return out


# ----------------------------------------------------------------------------------------------------------------------
# Places of a state: the cities and regions among a country record's synonyms


@dataclass(frozen=True)
class ImportedPlace:
    name: str  # display form: "Port Harcourt"
    country: str  # ISO3 of the state whose record lists it


def state_places(
    records: list[ActorRecord],
    countries: frozenset[str],
    state_names: dict[str, frozenset[str]],
    known: frozenset[str],
    common_words: frozenset[str] = frozenset(),
    generic_words: frozenset[str] = frozenset(),
) -> list[ImportedPlace]:
    """The synonyms of a state's record (`NEW_ZEALAND_ [NZL]` + `AUCKLAND_`, `CHRISTCHURCH_`, …) that are places
    in it: its cities, provinces, rivers and landmarks. Phoenix lists them with the state's other names, so
    what is not a place is left out: a surface the hand-written dictionaries already know (`known`, lower
    case: states.yaml and places.yaml), a name holding a word of any state's names or demonyms
    (`state_names`: ISO3 → lower-case names, aliases and demonyms; "Korea South", "Santiago De Cuba",
    "Hashemite Kingdom Of The Jordan"; `generic_words` such as compass words, "city", "island" do not count),
    a misspelling of
    the state's own names ("Etiopia", "Morrocan": close to one of them), a demonym-like word ("Welshwoman"),
    a one-word alias in `common_words` (English words that are no place names: "Kiwi"), a surface two states
    list (ambiguous), and anything that is not a capitalised name of letters. Out: one place per surface."""
    words_of_states = {w for names in state_names.values() for n in names for w in _place_words(n)} - generic_words
    owners: dict[str, set[str]] = defaultdict(set)
    found: list[tuple[str, str]] = []
    for rec in records:
        codes = {r.code for r in rec.roles}
        if len(codes) != 1 or not all(len(c) == 3 and c in countries for c in codes):
            continue
        country = next(iter(codes))
        own = {rec.name.lower(), *state_names.get(country, ())}
        for alias in rec.aliases:
            name = display_name(alias)
            low = name.lower()
            owners[low].add(country)
            if low in known or set(_place_words(low)) & words_of_states:
                continue
            if not re.fullmatch(r"[A-Za-z][A-Za-z.' -]*[A-Za-z]", name) or re.search(r"(man|men)$", low):
                continue
            if " " not in low and low in common_words:
                continue
            if any(SequenceMatcher(None, low, o).ratio() >= 0.75 for o in own):
                continue
            found.append((name, country))
    out = {n: ImportedPlace(n, c) for n, c in found if len(owners[n.lower()]) == 1}
    return sorted(out.values(), key=lambda p: p.name)


def _place_words(name: str) -> list[str]:
    return [w.removesuffix("'s") for w in re.split(r"[\s\-]+", name.lower()) if w]


def state_spellings(
    records: list[ActorRecord],
    countries: frozenset[str],
    state_names: dict[str, frozenset[str]],
    state_demonyms: dict[str, frozenset[str]],
    known: frozenset[str],
    closeness: float = 0.8,
) -> dict[str, str]:
    """Other spellings of a state's name among its record's synonyms ("QUATAR", "ETHOPIA", "BANGLA DESH",
    "COTE D IVOIRE"), which news copy and old wires use: {display form: ISO3}. A synonym counts when it is
    close (`closeness`, difflib ratio) to one of the state's names (`state_names`: the hand-written name and
    official names, lower case) and closer to a name than to a demonym (`state_demonyms`: "Morrocan" is a
    demonym's misspelling, left out) and not ending like a people's name unless the name does ("Myanmarese",
    "Netherlander"); not a surface the hand-written dictionaries know (`known`), not one two states list, and
    of five letters or more."""
    owners: dict[str, set[str]] = defaultdict(set)
    found: dict[str, str] = {}
    for rec in records:
        codes = {r.code for r in rec.roles}
        if len(codes) != 1 or not all(len(c) == 3 and c in countries for c in codes):
            continue
        country = next(iter(codes))
        names = state_names.get(country, frozenset())
        demonyms = state_demonyms.get(country, frozenset())
        for alias in rec.aliases:
            name = display_name(alias)
            low = name.lower()
            owners[low].add(country)
            if low in known or len(re.sub(r"[^a-z]", "", low)) < 5 or not re.fullmatch(r"[A-Za-z][A-Za-z.' -]*", name):
                continue
            to_name, closest = max(((SequenceMatcher(None, low, n).ratio(), n) for n in names), default=(0.0, ""))
            to_demonym = max((SequenceMatcher(None, low, d).ratio() for d in demonyms), default=0.0)
            suffix = re.search(r"(an|ans|ian|ese|er|ers|men|man|i|is)$", low)
            if suffix and not closest.endswith(suffix.group(1)):
                continue  # a people's name ("Netherlander", "Myanmarese", "Bhutani"), not the state's
            if to_name >= closeness and to_name > to_demonym:
                found.setdefault(name, country)
    return {n: c for n, c in sorted(found.items()) if len(owners[n.lower()]) == 1}

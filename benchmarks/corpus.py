"""A synthetic but varied news corpus for benchmarks.

In: a number of articles `n`, a `seed` and an output folder. Out: `n` `.txt`
files (headline line, date line, paragraphs one per line, 500–800 words each),
the same files for the same arguments and dictionaries on every machine. The vocabulary comes
from `transforms/dictionaries` (actors, places, event verbs, speech verbs), so
the articles exercise the extractor much as real news would: named people,
states, organisations, many verbs in several tenses, numbers, dates, places
and attributions. Every article is distinct (different text, different hash).

Usage: `uv run python benchmarks/corpus.py 200 /tmp/corpus` (seed 7 unless `--seed`).
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from transforms.lexicon import Lexicon, load_lexicon  # noqa: E402

_IRREGULAR = {
    "meet": "met",
    "send": "sent",
    "give": "gave",
    "sell": "sold",
    "lend": "lent",
    "leave": "left",
    "shoot": "shot",
    "strike": "struck",
    "fight": "fought",
    "seek": "sought",
    "freeze": "froze",
    "say": "said",
    "tell": "told",
    "write": "wrote",
    "think": "thought",
    "hold": "held",
    "withdraw": "withdrew",
    "forbid": "forbade",
    "buy": "bought",
    "bring": "brought",
    "build": "built",
    "begin": "began",
    "take": "took",
    "make": "made",
    "break": "broke",
    "spend": "spent",
    "win": "won",
    "lose": "lost",
    "run": "ran",
    "set": "set",
    "put": "put",
    "cut": "cut",
    "hit": "hit",
    "shut": "shut",
    "let": "let",
    "bear": "bore",
    "overrun": "overran",
    "undertake": "undertook",
    "blow": "blew",
    "fly": "flew",
    "go": "went",
    "come": "came",
    "see": "saw",
    "know": "knew",
    "speak": "spoke",
    "steal": "stole",
    "drive": "drove",
    "rise": "rose",
    "wage": "waged",
}
_DOUBLE = {"ban", "plan", "ship", "drop", "stop", "kidnap", "rebut", "commit", "compel", "control", "patrol", "shun"}


def past(lemma: str) -> str:
    """Simple past of an English verb lemma (good enough for generated text)."""
    if lemma in _IRREGULAR:
        return _IRREGULAR[lemma]
    if lemma in _DOUBLE:
        return lemma + lemma[-1] + "ed"
    if lemma.endswith("e"):
        return lemma + "d"
    if lemma.endswith("y") and len(lemma) > 2 and lemma[-2] not in "aeiou":
        return lemma[:-1] + "ied"
    return lemma + "ed"


def third(lemma: str) -> str:
    """Third person singular present."""
    if lemma.endswith(("s", "sh", "ch", "x", "z", "o")):
        return lemma + "es"
    if lemma.endswith("y") and len(lemma) > 2 and lemma[-2] not in "aeiou":
        return lemma[:-1] + "ies"
    return lemma + "s"


_OBJECTS = [
    "weapons",
    "artillery shells",
    "troops",
    "engineers",
    "workers",
    "fuel",
    "food aid",
    "missiles",
    "drones",
    "ammunition",
    "officials",
    "sanctions",
    "a new agreement",
    "the proposal",
    "the talks",
    "its ambassador",
    "the delegation",
    "the shipment",
    "soldiers",
    "air defence systems",
]
_UNITS = ["soldiers", "people", "workers", "shells", "drones", "missiles", "tons of grain", "civilians", "vehicles"]
_FILLER = [
    "The situation remained tense throughout the day, with residents reporting explosions near the outskirts.",
    "Analysts said the move was likely to complicate diplomatic efforts in the coming weeks.",
    "Officials did not immediately respond to requests for comment.",
    "The announcement came amid growing concern over the humanitarian situation in the region.",
    "Observers noted that similar statements had been made before without any visible change on the ground.",
    "Local media published photographs that appeared to show damaged buildings and burned vehicles.",
    "Markets reacted calmly to the news, and the national currency was little changed.",
    "The details of the arrangement were not disclosed, and neither side published the full text.",
    "Experts cautioned that the figures could not be independently verified.",
    "Several international organisations called for restraint and for the protection of civilians.",
    "The statement was widely shared on social media, where it drew sharp reactions.",
    "It was not clear how long the measures would remain in force.",
]
_ADVERBS = ["reportedly", "publicly", "quietly", "formally", "again", "repeatedly", "swiftly", "firmly"]
_SPEECH = ["said", "told reporters", "announced", "claimed", "stated", "noted", "added", "reported"]


class _Vocab:
    def __init__(self, lex: Lexicon):
        self.persons = [a for a in lex.actors if a.actor_type == "person"]
        self.states = [a for a in lex.actors if a.actor_type == "state" and a.country and a.demonyms]
        self.orgs = [a for a in lex.actors if a.actor_type in ("organization", "group")]
        self.places = [p for p in lex.places if p.kind in ("city", "region", "facility")] or list(lex.places)
        self.verbs = sorted(v for v in lex.verbs if v.isalpha())
        self.nouns = sorted(n for n in lex.nouns if n.replace(" ", "").isalpha())
        self.group_nouns = sorted(g for g in lex.group_nouns if g.endswith("s")) or ["soldiers"]


class _Writer:
    def __init__(self, vocab: _Vocab, rng: random.Random, day: date):
        self.v, self.r, self.day = vocab, rng, day
        # a cast for the article: a few actors recur, as in real news
        self.cast = rng.sample(vocab.states, 3)
        self.people = rng.sample(vocab.persons, min(3, len(vocab.persons)))
        self.orgs = rng.sample(vocab.orgs, min(3, len(vocab.orgs)))
        self.places = rng.sample(vocab.places, min(4, len(vocab.places)))

    def actor(self) -> str:
        r = self.r
        kind = r.random()
        if kind < 0.3:
            return r.choice(self.cast).name
        if kind < 0.5:
            p = r.choice(self.people)
            return p.name if r.random() < 0.6 else (p.aliases[0] if p.aliases else p.name)
        if kind < 0.7:
            return r.choice(self.orgs).name
        if kind < 0.85:
            s = r.choice(self.cast)
            return f"{s.demonyms[0]} {r.choice(self.v.group_nouns)}"
        return f"the {r.choice(self.cast).demonyms[0]} government"

    def when(self) -> str:
        r = self.r
        d = self.day - timedelta(days=r.randint(0, 20))
        return r.choice(
            [
                f"on {d:%B} {d.day}",
                f"on {d:%A}",
                "last week",
                "earlier this month",
                f"in {d:%B} {d.year}",
                "on Tuesday",
                "yesterday",
            ]
        )

    def place(self) -> str:
        return self.r.choice(self.places).name

    def number(self) -> str:
        r = self.r
        n = r.choice([r.randint(2, 99), r.randint(100, 9_999), r.randint(10, 900) * 1000])
        text = f"{n:,}" if r.random() < 0.7 else str(n)
        return f"{text} {r.choice(_UNITS)}"

    def sentence(self) -> str:
        r, v = self.r, self.v
        verb = r.choice(v.verbs)
        a1, a2 = self.actor(), self.actor()
        form = r.randrange(9)
        if form == 0:
            s = f"{a1} {past(verb)} {a2} {self.when()}"
        elif form == 1:
            s = f"{a1} {r.choice(_ADVERBS)} {past(verb)} {r.choice(_OBJECTS)} to {a2} in {self.place()}"
        elif form == 2:
            s = f"According to {a2}, {a1} {past(verb)} {self.number()} near {self.place()} {self.when()}"
        elif form == 3:
            s = f"{a1} plans to {verb} {a2} and has already sent {self.number()} to {self.place()}"
        elif form == 4:
            s = f"{a1} {r.choice(_SPEECH)} that {a2} had {past(verb)} {self.number()} {self.when()}"
        elif form == 5:
            noun = r.choice(v.nouns) if v.nouns else "talks"
            s = f"{a1} and {a2} held {noun} in {self.place()} {self.when()}, {r.choice(self.orgs).name} said"
        elif form == 6:
            s = f"{a1} denied that it {third(verb) if r.random() < 0.3 else past(verb)} {a2}"
        elif form == 7:
            s = f"\u201cWe will {verb} {a2},\u201d {a1} {r.choice(_SPEECH)} in {self.place()}"
        else:
            s = f"{a1} agreed to {verb} {a2} after {self.number()} arrived in {self.place()}"
        s = s[0].upper() + s[1:]
        return s + "."

    def paragraph(self) -> str:
        r = self.r
        parts = [self.sentence() for _ in range(r.randint(2, 4))]
        if r.random() < 0.5:
            parts.insert(r.randrange(len(parts) + 1), r.choice(_FILLER))
        return " ".join(parts)

    def article(self, target_words: int) -> str:
        r = self.r
        headline = f"{self.actor()} {past(r.choice(self.v.verbs))} {self.actor()} in {self.place()}"
        headline = headline[0].upper() + headline[1:]
        if r.random() < 0.5:
            dateline = f"date {self.day.isoformat()}"
        else:
            dateline = f"Published: {self.day:%B} {self.day.day}, {self.day.year}"
        lines = [headline, dateline]
        words = len(headline.split())
        while words < target_words:
            p = self.paragraph()
            lines.append(p)
            words += len(p.split())
        return "\n".join(lines) + "\n"


def make_corpus(n: int, seed: int, out_dir: Path | str) -> list[Path]:
    """Write `n` distinct articles of 500–800 words into `out_dir`; return their paths in order."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    vocab = _Vocab(load_lexicon())
    rng = random.Random(seed)
    start = date(2024, 1, 1)
    paths, seen = [], set()
    i = 0
    while len(paths) < n:
        writer = _Writer(vocab, rng, start + timedelta(days=rng.randint(0, 700)))
        text = writer.article(rng.randint(500, 760))
        words = len(text.split())
        while words > 800:  # trim whole paragraphs from the end
            text = "\n".join(text.rstrip("\n").split("\n")[:-1]) + "\n"
            words = len(text.split())
        if words < 500 or text in seen:
            continue
        seen.add(text)
        path = out / f"article_{i:05d}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
        i += 1
    return paths


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    paths = make_corpus(args.n, args.seed, args.out_dir)
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in paths)
    print(f"wrote {len(paths)} articles, {words} words, into {args.out_dir}")


if __name__ == "__main__":
    main()

"""Discards: phrases that make a sentence (or a whole story) uncodable — sports, entertainment, history.

In: a sentence's (or an article's) text and the `Lexicon` (its `discards`, imported from
Phoenix.discards.txt by `flows/import_cameo.py`). Out: True when the text holds one of the phrases, matched
as PETRARCH does: case-insensitive, starting at a word start; a phrase marked `whole_word` must also end at
a word end, the others are stems ("boxing" matches "boxing" and "boxings"; "world cup" matches "World Cup").

    discarded("Brazil beat Argentina 2-1 in the World Cup final on Sunday.", lex)  → True
    discarded("Police arrested 40 protesters in Lagos.", lex)                       → False
"""

from __future__ import annotations

import re
from functools import cache

from transforms.lexicon import Lexicon


@cache
def _pattern(lex: Lexicon, story: bool) -> re.Pattern[str] | None:
    parts = []
    for d in sorted(lex.discards, key=lambda d: -len(d.phrase)):
        if story and not d.story:
            continue
        body = r"\s+".join(re.escape(w) for w in d.phrase.split())
        parts.append(body + (r"(?![\w])" if d.whole_word else ""))
    if not parts:
        return None
    return re.compile(r"(?<![\w])(?:" + "|".join(parts) + ")", re.IGNORECASE)


def discarded(sentence_text: str, lex: Lexicon) -> bool:
    """Does the sentence hold a discard phrase (sentence- or story-level)? Its events are then not coded."""
    pattern = _pattern(lex, False)
    return bool(pattern and pattern.search(sentence_text))


def story_discarded(article_text: str, lex: Lexicon) -> bool:
    """Does the article hold a story-level discard phrase (Phoenix "+", e.g. "Academy Award", "Australian Open")?"""
    pattern = _pattern(lex, True)
    return bool(pattern and pattern.search(article_text))

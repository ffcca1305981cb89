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
    """One regex for every phrase, its alternatives shared as a trie ("world cup" and "world series" read
    "world" once): a flat alternation of ~360 phrases tries each one at every position, ten times slower.
    The phrases it matches are the same: each path through the trie is one phrase's own pattern."""
    root: dict = {}
    for d in lex.discards:
        if story and not d.story:
            continue
        units: list[str | None] = []  # the phrase's characters, None for the space between two words
        for k, word in enumerate(d.phrase.split()):
            units += [None] * (k > 0) + list(word)
        node = root
        for unit in units:
            node = node.setdefault(unit, {})
        node.setdefault("", set()).add(d.whole_word)
    if not root:
        return None
    return re.compile(r"(?<![\w])" + _trie_regex(root), re.IGNORECASE)


def _trie_regex(node: dict) -> str:
    ends = node.get("", set())
    if False in ends:
        return ""  # a stem ends here: whatever follows, the text holds a phrase
    alts = [r"(?![\w])"] if True in ends else []
    alts += [
        (r"\s+" if unit is None else re.escape(unit)) + _trie_regex(child) for unit, child in node.items() if unit != ""
    ]
    return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"


def discarded(sentence_text: str, lex: Lexicon) -> bool:
    """Does the sentence hold a discard phrase (sentence- or story-level)? Its events are then not coded."""
    pattern = _pattern(lex, False)
    return bool(pattern and pattern.search(sentence_text))


def story_discarded(article_text: str, lex: Lexicon) -> bool:
    """Does the article hold a story-level discard phrase (Phoenix "+", e.g. "Academy Award", "Australian Open")?"""
    pattern = _pattern(lex, True)
    return bool(pattern and pattern.search(article_text))

"""transforms/textfix.py gives exactly what ftfy.fix_text gives, on the text that makes ftfy work."""

from __future__ import annotations

import random

import ftfy
import pytest

from transforms.clean import clean_text
from transforms.textfix import fix_text

FTFY = {"normalization": "NFC", "uncurl_quotes": False, "fix_line_breaks": True}

CASES = [
    "Protesters in Bogotá said “enough” — police answered with tear gas.",
    "The court in SÃ£o Paulo sentenced the mayor",  # UTF-8 read as Latin-1
    "Ministers met in KrakÃ³w on Friday\nand signed â€œthe dealâ€\x9d.",
    "voilÃ le travail",  # a byte 0xA0 lost to a space
    "Broken text&hellip; it&#x2019;s ﬂubberiﬁc!",  # entities and ligatures
    "ＬＯＵＤ　ＮＯＩＳＥＳ in Tōkyō",  # wide forms
    "a\x1b[31mred\x1b[0m alert in Nairobi",  # terminal escapes
    "lines\r\nbroken\rhere\u2028and\u2029there\x85too",
    "\ud83d\udca9 paired and \udca9 alone",  # surrogates
    "\u206a\ufeff\ufff9strike in Lagos",  # controls ftfy removes
    "Ĳssel ǅ ligatures",
    "<p>AT&amp;T workers struck</p>\n&amp; then Ã© after a tag",  # entities off after a '<'
    "&amp; first\n<b>then</b>\n&amp; kept",
    "C1 \x80\x81 controls \x9f in Kyiv",
    "eÌ\x81 a combining accent, cafe\u0301 decomposed",
    "plain ASCII with AT&amp;T and &copy; only",
]


def _fuzz(n: int) -> list[str]:
    rng = random.Random(13)
    alphabet = list("ab &;<\n\r\t ") + [
        chr(c)
        for c in (0x80, 0x85, 0x9D, 0xA0, 0xC2, 0xC3, 0xA9, 0xE2, 0x20AC, 0x201C, 0x2019, 0xFB01, 0xFF21, 0x3000)
        + (0x200B, 0xAD, 0xFEFF, 0x1B, 0x07, 0x2028, 0xD83D, 0xDCA9, 0xE9, 0x301, 0x206B)
    ]
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))) for _ in range(n)]


def _mojibake(n: int) -> list[str]:
    """News words read in the wrong codec (once or twice), joined with entities, controls and line breaks."""
    rng = random.Random(29)
    words = ["São Paulo", "Kraków", "Zürich", "Łódź", "İstanbul", "Москва", "北京", "“quoted”", "it’s", "—", "…"]
    words += ["€100", "½", "ﬁnal", "ＡＢＣ", "ﾀｰﾝ", "™", "😀", "e\u0301", "\u00a0", "\u200b", "\ufeff", "\x85", "\x9d"]
    words += ["\u2028", "\r\n", "\r", "\n", "\x1b[1;31m", "&amp;", "&#x2019;", "&EACUTE;", "<p>", "\ud83d", "\x07"]
    words += ["Police arrested", " protesters", "Ã", "â€", "Â", " ", "AT&T"]
    codecs = ["latin-1", "cp1252", "cp437", "macroman", "cp1251", "iso-8859-2", "cp850", "koi8-r", "cp1250"]

    def misread(s: str) -> str:
        return s.encode("utf-8", "surrogatepass").decode(rng.choice(codecs), rng.choice(["replace", "ignore"]))

    out = []
    for _ in range(n):
        parts = [rng.choice(words) for _ in range(rng.randint(1, 12))]
        parts = [misread(p) if rng.random() < 0.3 else p for p in parts]
        text = "".join(parts)
        out.append(misread(text) if rng.random() < 0.2 else text)
    return out


@pytest.mark.parametrize("text", CASES)
def test_fix_text_is_ftfy(text):
    assert fix_text(text) == ftfy.fix_text(text, **FTFY)


def test_fix_text_is_ftfy_on_random_mixtures():
    for text in _fuzz(1500):
        assert fix_text(text) == ftfy.fix_text(text, **FTFY), repr(text)


def test_fix_text_is_ftfy_on_mojibake_of_many_codecs():
    fixed: set = set()  # shared, as by the passes of one cleaning: a line met again is not fixed again
    for text in _mojibake(400):
        want = ftfy.fix_text(text, **FTFY)
        assert fix_text(text) == want and fix_text(text, fixed) == want, repr(text)


def test_a_fixed_line_met_again_is_not_fixed_twice():
    fixed: set = set()
    text = "The mayor of SÃ£o Paulo resigned.\nThe mayor of São Paulo resigned.\n"
    assert fix_text(text, fixed) == "The mayor of São Paulo resigned.\nThe mayor of São Paulo resigned.\n"
    assert ("The mayor of São Paulo resigned.\n", True) in fixed  # fixed once, then known as a fixed point
    assert fix_text("The mayor of SÃ£o Paulo resigned.", fixed) == "The mayor of São Paulo resigned."


def test_cleaned_text_is_a_fixed_point():
    for text in CASES:
        once = clean_text(text)
        assert clean_text(once) == once


@pytest.mark.parametrize(
    ("ascii_only", "with_accent"),
    [
        ("Workers at AT&amp;T struck in Dallas on Monday.", "Workers at AT&amp;T struck in Dallas, José said"),
        ("Police said &quot;no talks&quot; in Lagos.", "Police said &quot;no talks&quot; in Lagos, Nigéria."),
        ("A \x1b[31mcurfew\x1b[0m was declared in Nairobi.", "A \x1b[31mcurfew\x1b[0m was declared in Nairobi — Kenya"),
    ],
)
def test_an_ascii_text_is_cleaned_as_one_with_a_non_ascii_character(ascii_only, with_accent):
    # entities and terminal escapes are undone whether or not some other character of the text is non-ASCII
    for text in (ascii_only, with_accent):
        cleaned = clean_text(text)
        assert cleaned == ftfy.fix_text(text, **FTFY)
        assert not any(junk in cleaned for junk in ("&amp;", "&quot;", "\x1b", "[31m"))

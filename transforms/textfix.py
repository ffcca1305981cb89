"""ftfy's `fix_text`, the same output, faster.

In: a text, and optionally a set of segments known to be fixed already (`Fixed`, shared by the passes of
one `transforms.clean.clean_text` call). Out: exactly what `ftfy.fix_text(text, normalization="NFC",
uncurl_quotes=False, fix_line_breaks=True)` returns (ftfy 6.3, pinned in uv.lock; tests/test_textfix.py
compares the two on mojibake, ligatures, wide forms, controls, entities and ordinary news text).

Why: ftfy fixes a text line by line, and on a line with any non-ASCII character three of its steps call
`str.translate` with a dictionary, which costs a Python-level failed lookup per character; with the
per-line set-up this made cleaning ~8 ms of CPU per 4 KB article, read twice per run. Here the same steps
run in the same order, but:
- a `str.translate` runs only when the segment holds a character of its table (a compiled character
  class finds out at C speed; with none of them the translation is the identity);
- an ASCII segment with nothing any step acts on (no `&` while entities are unescaped, no control
  character or escape) is returned as it is: every step is the identity on it;
- a segment this fixer returned before (with the same entity setting) is returned as it is: ftfy's loop
  stops only at a fixed point, so fixing it again changes nothing (the second cleaning pass, which
  checks that the stored text is a fixed point, costs little).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

import ftfy
from ftfy import chardata
from ftfy import fixes as ftfy_fixes

_CONFIG = ftfy.TextFixerConfig(explain=False, uncurl_quotes=False, normalization="NFC", fix_line_breaks=True)
_MAX_SEGMENT = _CONFIG.max_decode_length

Fixed = set[tuple[str, bool]]  # (segment, entities unescaped?) pairs this fixer returned: fixed points


def _char_class(table: Mapping[int, object]) -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(table)) + "]")


_LIGATURES = _char_class(chardata.LIGATURES)
_WIDE = _char_class(chardata.WIDTH_MAP)
_CONTROL = _char_class(chardata.CONTROL_CHARS)
# what any step acts on in an ASCII segment: control characters (the escape \x1b among them) and \r
_ASCII_ACTIVE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_ASCII_ACTIVE_ENTITIES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f&]")


def _translate(text: str, table: dict, chars: re.Pattern[str]) -> str:
    return text.translate(table) if chars.search(text) else text


def _fix_segment(text: str, entities: bool) -> str:
    """`ftfy.fix_and_explain(text, config)` for `_CONFIG` (entities: `unescape_html` still "auto")."""
    while True:
        before = text
        if entities:
            text = ftfy_fixes.unescape_html(text)
        text = ftfy.fix_encoding(text, _CONFIG)
        text = ftfy_fixes.fix_c1_controls(text)
        text = _translate(text, chardata.LIGATURES, _LIGATURES)
        text = _translate(text, chardata.WIDTH_MAP, _WIDE)
        text = ftfy_fixes.fix_line_breaks(text)
        text = ftfy_fixes.fix_surrogates(text)
        text = ftfy_fixes.remove_terminal_escapes(text)
        text = _translate(text, chardata.CONTROL_CHARS, _CONTROL)
        text = unicodedata.normalize("NFC", text)
        if text == before:
            return text


def fix_text(text: str, fixed: Fixed | None = None) -> str:
    """`ftfy.fix_text(text, normalization="NFC", uncurl_quotes=False, fix_line_breaks=True)`; `fixed`
    collects the segments returned (and skips those met again)."""
    fixed = set() if fixed is None else fixed
    out = []
    pos = 0
    entities = True  # ftfy's unescape_html="auto": on until a segment holds "<", then off for the rest
    while pos < len(text):
        end = text.find("\n", pos) + 1 or len(text)
        end = min(end, pos + _MAX_SEGMENT)
        segment = text[pos:end]
        pos = end
        if entities and "<" in segment:
            entities = False
        if segment.isascii() and not (_ASCII_ACTIVE_ENTITIES if entities else _ASCII_ACTIVE).search(segment):
            out.append(segment)
            continue
        if (segment, entities) not in fixed:
            segment = _fix_segment(segment, entities)
            fixed.add((segment, entities))
        out.append(segment)
    return "".join(out)

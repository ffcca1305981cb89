"""The extractor version: which coder produced a warehouse's rows.

In: the dictionary folder. Out: `release+grammar.dictionaries`, e.g.
`0.1.0+3fa2c1d9.8be0417c2a11` — the release, a hash of the grammar modules
(`GRAMMAR_MODULES`: the code that turns a document into rows) and a hash of
the dictionary files. A source coded under another version is coded again.

The grammar hash reads each module's tokens, not its syntax tree: comments,
docstrings (any statement that is only a string), line breaks, indentation
width, `;` against a new line, quote style, a trailing comma where it means
nothing and the parentheses a formatter wraps round a whole right-hand side
or condition change nothing; any other token does. Tokens rather than
`ast.parse`: CPython 3.11's AST constructor can fail ("AST constructor
recursion depth mismatch") once something in the process has recursed
deeply, and a version must not depend on what ran before it. Modules that
read and clean inputs (parse, clean, web, header, fields, domains,
documents) are not part of it: a change there applies to the files read from
then on. Needs no spaCy and no dictionaries loaded: a run's plan asks for it
before anything heavy is imported.
"""

from __future__ import annotations

import hashlib
import io
import keyword
import tokenize
from functools import cache
from pathlib import Path

RELEASE = "0.1.0"
TRANSFORMS = Path(__file__).parent
DICTIONARY_DIR = TRANSFORMS / "dictionaries"
GRAMMAR_MODULES = (
    "actors",
    "attribute_rules",
    "attribution",
    "cameo",
    "code",
    "confidence",
    "coref",
    "dates",
    "discards",
    "events",
    "extract",
    "lemmas",
    "lexicon",
    "matching",
    "nlp",
    "places",
    "plover",
    "quantities",
    "rows",
    "status",
    "tree",
)

Token = tuple[str, str]  # (kind, text)
CLOSERS = (")", "]", "}")
# After these a parenthesised expression is a whole right-hand side, value or condition, and before these it
# ends: such parentheses are layout (`x = (a + b)` is `x = a + b`), not grouping (`a * (b + c)` keeps them).
WHOLE_AFTER = {"=", "+=", "-=", "*=", "/=", "//=", "%=", "**=", "@=", "&=", "|=", "^=", ">>=", "<<=", "->"}
WHOLE_AFTER |= {":", "return", "if", "elif", "while", "assert", "del", "except", "yield"}
WHOLE_BEFORE = {"\n", ",", ")", "]", "}", ":", "=", "as"}
# after these (at statement level, the parentheses closing the line) a tuple needs no parentheses
STATEMENT_TUPLE = WHOLE_AFTER - {"->", ":", "if", "elif", "while", "assert", "except"}


def _string(text: str) -> str:
    """A string literal in one spelling: prefix in lower case without `u`, double quotes unless the text
    holds a quote or a backslash."""
    i = min(k for k in (text.find("'"), text.find('"')) if k >= 0)
    prefix, literal = text[:i].lower().replace("u", ""), text[i:]
    quote = literal[:3] if literal[:3] in ("'''", '"""') else literal[0]
    body = literal[len(quote) : -len(quote)]
    if not any(c in body for c in "'\"\\"):
        quote = quote.replace("'", '"')
    return prefix + quote + body + quote


def _tokens(source: str) -> list[Token]:
    """The significant tokens: no comments or blank lines, `;` as a new line, indents without their width,
    string literals in one spelling."""
    out: list[Token] = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER):
            continue
        if tok.type == tokenize.NEWLINE or (tok.type == tokenize.OP and tok.string == ";"):
            if out and out[-1][0] != "NEWLINE":
                out.append(("NEWLINE", "\n"))
        elif tok.type in (tokenize.INDENT, tokenize.DEDENT):
            out.append((tokenize.tok_name[tok.type], ""))
        elif tok.type == tokenize.STRING:
            out.append(("STRING", _string(tok.string)))
        else:
            out.append((tokenize.tok_name[tok.type], tok.string))
    return out


def _without_bare_strings(tokens: list[Token]) -> list[Token]:
    """Without the statements that are only a string (docstrings): they do nothing when the code runs."""
    out: list[Token] = []
    line: list[Token] = []
    for tok in tokens:
        if tok[0] != "NEWLINE":
            line.append(tok)
            continue
        code = [t for t in line if t[0] not in ("INDENT", "DEDENT")]
        if code and all(t[0] == "STRING" for t in code):
            out.extend(t for t in line if t[0] in ("INDENT", "DEDENT"))
        else:
            out.extend([*line, tok])
        line = []
    return out + line


def _joined_strings(tokens: list[Token]) -> list[Token]:
    """Adjacent string literals with the same prefix and quotes as one literal (`"ab" "c"` is `"abc"`)."""
    out: list[Token] = []
    for tok in tokens:
        if tok[0] == "STRING" and out and out[-1][0] == "STRING":
            a, b = _split_string(out[-1][1]), _split_string(tok[1])
            plain = [body for prefix, _, body in (a, b) if "f" not in prefix]  # braces mean one thing in an f-string
            same_kind = a[0].replace("f", "") == b[0].replace("f", "") and "b" not in a[0]
            if a[1] == b[1] and same_kind and not any("{" in body or "}" in body for body in plain if len(plain) == 1):
                prefix = a[0] if "f" in a[0] else b[0]
                out[-1] = ("STRING", prefix + a[1] + a[2] + b[2] + a[1])
                continue
        out.append(tok)
    return out


def _split_string(text: str) -> tuple[str, str, str]:
    """(prefix, quote, body) of a string literal."""
    i = min(k for k in (text.find("'"), text.find('"')) if k >= 0)
    quote = text[i : i + 3] if text[i : i + 3] in ("'''", '"""') else text[i]
    return text[:i], quote, text[i + len(quote) : -len(quote)]


def _without_layout_brackets(tokens: list[Token]) -> list[Token]:
    """Without a trailing comma where it means nothing (calls, definitions, lists, sets, dicts, tuples of
    two or more: `(x,)` and `a[x,]` keep theirs) and the parentheses a formatter adds: round a whole
    right-hand side, value or condition, a statement's tuple (`return (a, b)`), imported names, `with` items
    and a `for` statement's iterable."""
    drop: set[int] = set()
    open_: list[list] = []  # per open bracket: [its index, call or subscript?, top-level commas, a `for`?]
    line_start = 0  # index of the current logical line's first code token
    for_in = -1  # index of the `in` of a `for` statement (not a comprehension's, not the operator)
    for i, (kind, text) in enumerate(tokens):
        if kind in ("NEWLINE", "INDENT", "DEDENT"):
            line_start = i + 1
        elif kind == "NAME" and text == "in" and not open_ and for_in < line_start:
            first = [t for _, t in tokens[line_start:i]]
            if first[:1] == ["for"] or first[:2] == ["async", "for"]:
                for_in = i
        if kind == "OP" and text in ("(", "[", "{"):
            prev_kind, prev = tokens[i - 1] if i else ("", "")
            trailer = (prev_kind == "NAME" and not keyword.iskeyword(prev)) or prev_kind == "STRING" or prev in CLOSERS
            open_.append([i, trailer, 0, False])
        elif kind == "OP" and text in CLOSERS and open_:
            start, trailer, commas, comprehension = open_.pop()
            opener = tokens[start][1]
            before = tokens[start - 1][1] if start else ""
            after = tokens[i + 1][1] if i + 1 < len(tokens) else "\n"
            parens = comma = False  # drop the parentheses? the trailing comma?
            if opener == "(" and not trailer and not comprehension and i > start + 1:
                statement = not open_  # the brackets are not inside other brackets
                head = start - 1 == line_start  # `with (` opens the line
                if before == "import" or (
                    statement and after == ":" and (start - 1 == for_in or (before == "with" and head))
                ):
                    parens, comma = True, before in ("import", "with")  # `for x in (a,):` keeps its tuple
                elif before == "for" and after == "in":
                    parens = True  # `for (a, b) in` is `for a, b in`
                elif statement and start == line_start and after == "=":
                    parens = True  # `(a, b) = x` is `a, b = x`
                elif statement and before in STATEMENT_TUPLE and after == "\n":
                    parens = True  # `x = (a, b)` is `x = a, b`; `x = (a,)` is `x = a,`
                elif not commas and before in WHOLE_AFTER and after in WHOLE_BEFORE:
                    parens = True
            if parens:
                drop.update((start, i))
            meaningless = comma or opener == "{" or commas >= 2 or (trailer if opener == "(" else not trailer)
            if tokens[i - 1] == ("OP", ",") and meaningless:
                drop.add(i - 1)
        elif open_ and kind == "OP" and text == ",":
            open_[-1][2] += 1
        elif open_ and kind == "NAME" and text == "for":
            open_[-1][3] = True
    return [t for i, t in enumerate(tokens) if i not in drop]


def code_hash(paths: list[Path]) -> str:
    """A short hash of the code of these modules: names and tokens, not comments, docstrings or layout."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        tokens = _without_layout_brackets(
            _joined_strings(_without_bare_strings(_tokens(path.read_text(encoding="utf-8"))))
        )
        for kind, text in tokens:
            digest.update(f"{kind}\x00{text}\x01".encode())
    return digest.hexdigest()[:8]


@cache
def grammar_hash() -> str:
    return code_hash([TRANSFORMS / f"{name}.py" for name in GRAMMAR_MODULES])


def dictionary_hash(directory: Path | str | None = None) -> str:
    """A short hash of every dictionary file (the folder's YAML and its `cameo/` imports), names and bytes."""
    d = Path(directory or DICTIONARY_DIR)
    digest = hashlib.sha256()
    for path in sorted([*d.glob("*.yaml"), *(d / "cameo").glob("*.yaml")]):
        digest.update(str(path.relative_to(d)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def extractor_version(directory: Path | str | None = None, dictionaries: str | None = None) -> str:
    """The version of the coder with this dictionary folder (or an already computed dictionary hash)."""
    return f"{RELEASE}+{grammar_hash()}.{dictionaries or dictionary_hash(directory)}"

"""The extractor version: which coder produced a warehouse's rows.

In: the dictionary folder. Out: `release+grammar.dictionaries`, e.g.
`0.1.0+3fa2c1d9.8be0417c2a11` — the release, a hash of the grammar modules
(`GRAMMAR_MODULES`: the code that turns a document into rows) and a hash of
the dictionary files. A source coded under another version is coded again.

The grammar hash reads each module's syntax tree without its docstrings, so a
comment, a docstring or reformatting changes nothing; modules that read and
clean inputs (parse, clean, web, header, fields, domains, documents) are not
part of it: a change there applies to the files read from then on. Needs no
spaCy and no dictionaries loaded: a run's plan asks for it before anything
heavy is imported.
"""

from __future__ import annotations

import ast
import hashlib
from functools import cache
from pathlib import Path

RELEASE = "0.1.0"
TRANSFORMS = Path(__file__).parent
DICTIONARY_DIR = TRANSFORMS / "dictionaries"
GRAMMAR_MODULES = (
    "actors",
    "attribution",
    "cameo",
    "code",
    "confidence",
    "coref",
    "dates",
    "discards",
    "events",
    "extract",
    "lexicon",
    "matching",
    "nlp",
    "places",
    "plover",
    "quantities",
    "rows",
    "status",
)


def _without_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return tree


def code_hash(paths: list[Path]) -> str:
    """A short hash of the code of these modules: names and syntax trees, not comments, docstrings or layout."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        tree = _without_docstrings(ast.parse(path.read_text(encoding="utf-8")))
        digest.update(ast.dump(tree, include_attributes=False).encode())
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

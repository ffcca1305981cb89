"""The extractor version, worked out without loading spaCy or the dictionaries.

In: a dictionary folder (None: the built-in one). Out: the same string as
`transforms.extract.extractor_version(load_lexicon(folder))` — the release
constant, a hash of the extraction code (`transforms/*.py`) and a hash of the
dictionary files — read from the files' bytes alone. A run's plan needs only
this string to tell whether anything is new; importing spaCy (~2 s) and
building the lexicon (~3 s) is left to runs that code something. A test keeps
the two in step (tests/test_everyday.py).
"""

from __future__ import annotations

import ast
import hashlib
from functools import cache
from pathlib import Path

import transforms

TRANSFORMS = Path(transforms.__file__).parent
DICTIONARY_DIR = TRANSFORMS / "dictionaries"


@cache
def _release() -> str:
    """`EXTRACTOR_VERSION` as assigned in transforms/extract.py (read, not imported: that imports spaCy)."""
    tree = ast.parse((TRANSFORMS / "extract.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "EXTRACTOR_VERSION" for t in node.targets):
            return str(ast.literal_eval(node.value))
    raise LookupError("transforms/extract.py assigns no EXTRACTOR_VERSION")


@cache
def _code_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted(TRANSFORMS.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


def dictionary_hash(directory: Path | str | None = None) -> str:
    d = Path(directory or DICTIONARY_DIR).resolve()
    digest = hashlib.sha256()
    for path in sorted([*d.glob("*.yaml"), *(d / "cameo").glob("*.yaml")]):
        digest.update(str(path.relative_to(d)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def extractor_version(directory: Path | str | None = None) -> str:
    return f"{_release()}+{_code_hash()}.{dictionary_hash(directory)}"

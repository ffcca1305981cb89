"""transforms/version.py: the extractor version follows the grammar code, not comments or readers."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest


def test_extractor_version_follows_grammar_code_not_comments_or_readers(tmp_path):
    from transforms.version import code_hash

    rules = tmp_path / "rules.py"
    rules.write_text('"""Rules."""\n\nX = 1  # one\n')
    before = code_hash([rules])
    rules.write_text('"""Rules, now documented better."""\n\n# a comment\nX = 1  # still one\n')
    assert code_hash([rules]) == before  # docstrings, comments and layout do not re-code a warehouse
    rules.write_text('"""Rules."""\n\nX = 2\n')
    assert code_hash([rules]) != before  # a changed rule does


def test_reading_modules_are_not_part_of_the_grammar():
    from transforms.version import GRAMMAR_MODULES, TRANSFORMS

    assert {"clean", "parse", "web", "header"}.isdisjoint(GRAMMAR_MODULES)
    assert {"events", "actors", "extract"} <= set(GRAMMAR_MODULES)
    assert all((TRANSFORMS / f"{name}.py").exists() for name in GRAMMAR_MODULES)


def _hash_of(tmp_path, source: str) -> str:
    from transforms.version import code_hash

    path = tmp_path / "rules.py"
    path.write_text(source)
    return code_hash([path])


SAME_CODE = [
    (
        "def f(a, b):\n    return g(a, b)\n",
        'def f(a, b,):\n    """Doc."""\n    return g(\n        a,\n        b,\n    )\n',
    ),
    ("x = a + b\n", "x = (\n    a\n    + b\n)\n"),
    ("x = a, b\n", "x = (a, b)\n"),
    ("x = 'name'\n", 'x = "name"\n'),
    ("a = 1; b = 2\n", "a = 1\nb = 2\n"),
    ("from m import a, b\n", "from m import (\n    a,\n    b,\n)\n"),
    ("if a and b:\n  pass\n", "if (\n    a and b\n):\n    pass\n"),
    ("for a, b in pairs:\n    pass\n", "for (a, b) in (\n    pairs\n):\n    pass\n"),
    ('MESSAGE = f"{n} rows were " "dropped"\n', 'MESSAGE = f"{n} rows were dropped"\n'),
    ("x = [1, 2]\n", "x = [\n    1,\n    2,\n]\n"),
]

DIFFERENT_CODE = [
    ("x = (1,)\n", "x = (1)\n"),  # a tuple is not its element
    ("y = a * (b + c)\n", "y = a * b + c\n"),  # grouping
    ("y = not (a and b)\n", "y = not a and b\n"),
    ("if a in (b or c):\n    pass\n", "if a in b or c:\n    pass\n"),
    ("v = d[k,]\n", "v = d[k]\n"),  # a subscript by a one-tuple
    ("assert (x, 'why')\n", "assert x, 'why'\n"),  # asserting a tuple is not asserting x with a message
    ("f = lambda: (a, b)\n", "f = lambda: a, b\n"),
    ("for x in (a,):\n    pass\n", "for x in a:\n    pass\n"),
    ("if a:\n    b()\n    c()\n", "if a:\n    b()\nc()\n"),  # indentation is structure
    ('WORDS = {"riot"}\n', 'WORDS = {"riots"}\n'),
    ('x = f"{a}" "{b}"\n', 'x = f"{a}{b}"\n'),  # braces in a plain string are text
    ("x = 'a\\'b'\n", "x = 'a\\\"b'\n"),
]


@pytest.mark.parametrize(("one", "other"), SAME_CODE)
def test_layout_the_formatter_changes_keeps_the_version(tmp_path, one, other):
    assert _hash_of(tmp_path, one) == _hash_of(tmp_path, other)


@pytest.mark.parametrize(("one", "other"), DIFFERENT_CODE)
def test_a_change_of_meaning_changes_the_version(tmp_path, one, other):
    assert _hash_of(tmp_path, one) != _hash_of(tmp_path, other)


def test_reformatting_the_grammar_at_another_line_length_keeps_the_version(tmp_path):
    """The real grammar modules, re-wrapped by the project's formatter at 60 columns (parentheses and trailing
    commas added, calls, imports and tuples split over lines): the same code, the same version."""
    from transforms.version import GRAMMAR_MODULES, TRANSFORMS, code_hash

    paths = [TRANSFORMS / f"{name}.py" for name in GRAMMAR_MODULES]
    for length in (60,):
        out = tmp_path / str(length)
        out.mkdir()
        for path in paths:
            shutil.copy(path, out / path.name)
        subprocess.run(
            [sys.executable, "-m", "ruff", "format", "--quiet", "--no-cache", f"--line-length={length}", str(out)],
            check=True,
        )
        assert any((out / p.name).read_text() != p.read_text() for p in paths)  # the layout did change
        for path in paths:
            assert code_hash([out / path.name]) == code_hash([path]), (length, path.name)


def test_the_version_is_computed_while_another_thread_parses_python():
    """CPython 3.11's AST constructor keeps its depth count per interpreter: a thread that parses Python while
    another builds a syntax tree (Prefect's server and engine threads during a flow run) broke the old
    `ast.parse` hash with "AST constructor recursion depth mismatch". Here a garbage collection during the hash
    hands over to a thread that parses, every time."""
    import ast
    import gc
    import threading

    from transforms.version import grammar_hash

    before = grammar_hash()
    go, done, stop = threading.Event(), threading.Event(), threading.Event()

    def parser() -> None:
        while not stop.is_set():
            if go.wait(0.05):
                go.clear()
                ast.parse("x = 1")
                done.set()

    def during_collection(phase: str, info: dict) -> None:
        if phase == "start":
            done.clear()
            go.set()
            done.wait(1)

    thread = threading.Thread(target=parser, daemon=True)
    thread.start()
    threshold = gc.get_threshold()
    gc.callbacks.append(during_collection)
    gc.set_threshold(50)
    try:
        grammar_hash.cache_clear()
        assert grammar_hash() == before
    finally:
        gc.callbacks.remove(during_collection)
        gc.set_threshold(*threshold)
        stop.set()
        thread.join()

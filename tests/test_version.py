"""transforms/version.py: the extractor version follows the grammar code, not comments or readers."""

from __future__ import annotations


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

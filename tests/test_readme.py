"""Documentation examples cannot go stale: examples/readme.py runs each example of README.md and docs/*.md for
real (a fresh warehouse of the seeds, then `sql`, `export` and `report`) and writes docs/cli.md from every command's
`--help`; these tests fail when a page differs from what it produces, or names a file that does not exist.

After a change that moves the figures (a coding rule, a dictionary entry, a summary's layout, a CLI option), run
`uv run python examples/readme.py` and commit README.md and docs/ with the change.
"""

from __future__ import annotations

import difflib
import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = r"(?<![\w/.])((?:examples|benchmarks|seeds|warehouse|flows)/[\w./-]+\.(?:sql|py))"


def _generator():
    spec = importlib.util.spec_from_file_location("readme_examples", ROOT / "examples" / "readme.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_files_the_pages_run_exist():
    gen = _generator()
    blocks = []
    for page in gen.pages():
        text = page.read_text(encoding="utf-8")
        named = set(re.findall(FILES, text))
        named |= set(re.findall(r"--file (\S+\.sql)", text))
        missing = sorted(n for n in named if not (ROOT / n).exists())
        assert not missing, (page.name, missing)
        blocks += re.findall(r"<!-- example: ([\w-]+) -->", text)
    assert sorted(blocks) == sorted(gen.EXAMPLES)  # every example is on one page once, and only those


def test_links_between_pages_resolve():
    """Every relative link of README.md and docs/*.md points at a file that exists, and its #anchor at a heading."""
    gen = _generator()
    for page in [*gen.pages(), *gen.GENERATED]:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            file, _, anchor = target.partition("#")
            dest = (page.parent / file).resolve() if file else page
            if not str(dest).startswith(str(ROOT)):
                continue  # ../shared/ lives beside the checkout
            assert dest.exists(), (page.name, target)
            if anchor and dest.suffix == ".md":
                assert anchor in _anchors(dest.read_text(encoding="utf-8")), (page.name, target)


def _anchors(text: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    heads = re.findall(r"^#+ (.+)$", re.sub(r"```.*?```", "", text, flags=re.S), re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in heads}


def test_readme_is_short():
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 250


def test_pages_are_what_the_commands_print(prefect_harness):
    gen = _generator()
    diffs = []
    for path, (old, new) in gen.generate_all().items():
        if new != old:
            name = str(path.relative_to(ROOT))
            lines = difflib.unified_diff(old.splitlines(True), new.splitlines(True), name, "generated", n=1)
            diffs.append("".join(lines))
    assert not diffs, "stale: run `uv run python examples/readme.py`\n" + "".join(diffs)[:6000]

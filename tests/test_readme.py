"""README examples cannot go stale: examples/readme.py runs each one for real (a fresh warehouse of the seeds,
then `sql`, `export` and `report`) and this test fails when README.md differs from what it produces.

After a change that moves the figures (a coding rule, a dictionary entry, a summary's layout), run
`uv run python examples/readme.py` and commit README.md with the change.
"""

from __future__ import annotations

import difflib
import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("readme_examples", ROOT / "examples" / "readme.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_files_the_readme_runs_exist():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"(?<![\w/.])((?:examples|benchmarks|seeds|warehouse|flows)/[\w./-]+\.(?:sql|py))", text))
    named |= set(re.findall(r"--file (\S+\.sql)", text))
    assert named, "the README names no files?"
    missing = sorted(n for n in named if not (ROOT / n).exists())
    assert not missing, missing
    gen = _generator()
    blocks = re.findall(r"<!-- example: ([\w-]+) -->", text)
    assert sorted(blocks) == sorted(gen.EXAMPLES)  # every example is in the README once, and only those


def test_readme_examples_are_what_the_commands_print(prefect_harness):
    gen = _generator()
    old = (ROOT / "README.md").read_text(encoding="utf-8")
    new = gen.generate(old)
    diff = "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), "README.md", "generated", n=1))
    assert new == old, "README.md is stale: run `uv run python examples/readme.py`\n" + diff[:6000]

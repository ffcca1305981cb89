"""README examples that cannot go stale: each one is run for real and its output written into README.md.

In: README.md, whose examples sit between `<!-- example: NAME -->` and
`<!-- /example -->`, and the SQL files of this folder. Out: README.md with
every example block replaced by the SQL file it runs and what the commands
print now (`--check`: write nothing, print the blocks that differ and exit 1).
The commands run in this process (typer's CliRunner, 150 columns) in a
temporary folder holding a copy of seeds/ and examples/, so the default
warehouse `data/newsevents.duckdb` there starts empty: `newsevents run` codes
the seeds for real. Lines that differ on every run (the seconds by stage,
flow run ids, temporary paths) are left out of the `run` example and said so.
tests/test_readme.py fails when README.md differs from what this produces.

    uv run python examples/readme.py          # rewrite README.md's examples
    uv run python examples/readme.py --check  # exit 1 if they are stale
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import shlex
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
README = ROOT / "README.md"
COLUMNS = "150"

# name → steps, run in this order: ("sql", file) shows the file; ("$", command) runs it and shows its output
EXAMPLES: dict[str, list[tuple[str, str]]] = {
    "run": [("$", "newsevents run")],
    "north-korea": [("sql", "examples/north_korea.sql"), ("$", "newsevents sql --file examples/north_korea.sql")],
    "clusters": [("sql", "examples/clusters.sql"), ("$", "newsevents sql --file examples/clusters.sql")],
    "sql-csv": [
        (
            "$",
            'newsevents sql "SELECT event_type, count(*) AS events FROM events GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 4"',
        ),
        (
            "$",
            "newsevents sql --format csv \"SELECT name, country_code FROM actors WHERE actor_type = 'state' "
            'ORDER BY name LIMIT 3"',
        ),
        ("$", 'newsevents sql "SELECT nope FROM events"'),
    ],
    "export": [
        ("$", "newsevents export --format parquet --out export"),
        ("$", "newsevents report --out report.html"),
        ("$", "newsevents report --db data/none.duckdb --out report.html"),
    ],
    "dyads": [("sql", "examples/dyads.sql"), ("$", "newsevents sql --file examples/dyads.sql")],
}
BLOCK = re.compile(r"(<!-- example: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- /example -->)", re.S)
UNSTABLE = "(then the seconds by stage, where the Data Docs are, and the Prefect flow run id)"


def _trim_run(output: str) -> str:
    """The run's summary without what differs on every run: the seconds table and the closing lines."""
    kept, skipping = [], False
    for line in output.splitlines():
        if line.strip().startswith("seconds (wall"):
            skipping = True
            continue
        if skipping:
            skipping = not line.startswith("└")
            continue
        if line.startswith(("Data Docs", "Prefect flow run", "(the `runs` table)")):
            continue
        kept.append(line)
    return "\n".join(kept).rstrip() + "\n" + UNSTABLE + "\n"


def _invoke(command: str) -> str:
    from typer.testing import CliRunner

    from flows.cli import app

    args = shlex.split(command)[1:]
    result = CliRunner().invoke(app, args, env={"COLUMNS": COLUMNS, "NEWSEVENTS_DB": None})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise RuntimeError(f"{command}: {type(result.exception).__name__}: {result.exception}")
    text = result.output
    if result.exit_code:
        text += f"(exit status {result.exit_code})\n"
    return text


def render(name: str, steps: list[tuple[str, str]]) -> str:
    parts = []
    for kind, arg in steps:
        if kind == "sql":
            parts.append("```sql\n" + (HERE.parent / arg).read_text(encoding="utf-8").strip() + "\n```\n")
            continue
        output = _invoke(arg)
        if name == "run":
            output = _trim_run(output)
        shown = "\n".join(line.rstrip() for line in output.rstrip("\n").splitlines())
        parts.append(f"```\n$ uv run {arg}\n{shown}\n```\n")
    return "\n".join(parts)


@contextlib.contextmanager
def _workspace():
    """A temporary folder with seeds/ and examples/, made the working directory for the commands."""
    before = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="newsevents-readme-") as tmp:
        shutil.copytree(ROOT / "seeds", Path(tmp) / "seeds")
        shutil.copytree(HERE, Path(tmp) / "examples", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
        os.chdir(tmp)
        try:
            yield Path(tmp)
        finally:
            os.chdir(before)


def generate(readme: str) -> str:
    """README text with every example block produced anew (the blocks README.md names must all exist here)."""
    names = [m.group("name") for m in BLOCK.finditer(readme)]
    unknown = sorted(set(names) - set(EXAMPLES))
    if unknown:
        raise KeyError(f"README.md names examples this script does not know: {', '.join(unknown)}")
    bodies = {}
    with _workspace():
        for name, steps in EXAMPLES.items():
            bodies[name] = render(name, steps)
    return BLOCK.sub(lambda m: m.group(1) + bodies[m.group("name")] + m.group(4), readme)


def main() -> None:
    check = "--check" in sys.argv[1:]
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    old = README.read_text(encoding="utf-8")
    new = generate(old)
    if check:
        if new != old:
            sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), new.splitlines(True), "README.md", "new"))
            sys.exit(1)
        print("README.md examples are up to date")
        return
    README.write_text(new, encoding="utf-8")
    print("README.md examples written")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()

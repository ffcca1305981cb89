"""Settings in one typed place.

In: (lowest to highest precedence) defaults, `[tool.newsevents]` in the
project's pyproject.toml, `NEWSEVENTS_*` environment variables, CLI flags.
Out: a `Settings` object passed down to the flow and its tasks; nothing else
reads the environment for these values.
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

ENV_PREFIX = "NEWSEVENTS_"


class Settings(BaseModel):
    inputs: list[str] = Field(default_factory=lambda: ["seeds"])
    db: str = "data/newsevents.duckdb"
    batch_size: int = Field(200, ge=1, description="documents per batch (one task call, one transaction)")
    lock_timeout: float = Field(30.0, ge=0, description="seconds to wait for another run's lock on the DB")
    n_process: int = Field(0, ge=0, description="spaCy processes per batch (0: one per CPU core)")
    dictionaries: str | None = Field(None, description="folder of dictionary YAML files (default: built in)")
    data_docs: bool = True
    workers: int = Field(0, ge=0, description="Dask workers (0: run batches in this process)")
    dask_address: str | None = None
    max_chars: int = Field(
        500_000,
        ge=1,
        description="longest article text coded, in characters (about 10 long news articles); a longer one is "
        "quarantined too_large before any NLP",
    )
    extract_timeout: float = Field(
        120.0,
        ge=0,
        description="seconds the extractor may spend on one document before it is quarantined extract_timeout "
        "(0: no limit)",
    )
    cache_dir: str | None = Field(
        None,
        description="folder of the start-up cache: the dictionaries parsed and the extractor's matchers built "
        "(flows/warm_cache.py); default: $XDG_CACHE_HOME/newsevents, else ~/.cache/newsevents",
    )
    use_cache: bool = Field(
        True, description="read and write the start-up cache (off: every run parses the dictionaries again)"
    )
    keep_helpers: bool = Field(
        True,
        description="`newsevents run` keeps its Prefect API server and Data Docs helper running after it ends, for "
        "the next run (flows/keep.py; off: each run starts and stops its own)",
    )
    zygote: Literal["model", "modules", "off"] = Field(
        "model",
        description="with keep_helpers, `newsevents run` goes through a kept run zygote (flows/zygote.py) that has "
        "imported the run's modules and (model) loaded the spaCy model and the dictionaries' matchers (~300 MB "
        "resident while idle; modules: ~170 MB, a run loads the model itself; off: no zygote)",
    )
    helpers_idle_minutes: float = Field(
        10.0, ge=0, description="minutes a kept helper waits after the last run ended before it stops itself"
    )
    load_pause: float = Field(
        0.0,
        ge=0,
        description="testing only: seconds each load transaction waits before COMMIT, so a kill test can land "
        "inside a transaction (NEWSEVENTS_LOAD_PAUSE); leave at 0",
    )

    @property
    def db_path(self) -> Path:
        return Path(self.db).expanduser()

    @property
    def cache_path(self) -> Path | None:
        """The start-up cache's folder, None when it is off (`use_cache`)."""
        if not self.use_cache:
            return None
        if self.cache_dir:
            return Path(self.cache_dir).expanduser()
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser() / "newsevents"

    @property
    def helpers_path(self) -> Path:
        """The kept helpers' folder (state files, logs, the docs helper's socket): `helpers/` in the cache
        folder, whether or not the start-up cache is on."""
        if self.cache_dir:
            base = Path(self.cache_dir).expanduser()
        else:
            base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser() / "newsevents"
        return base / "helpers"


def _pyproject_table(start: Path) -> dict:
    for folder in (start, *start.parents):
        path = folder / "pyproject.toml"
        if path.exists():
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError):
                return {}
            if data.get("project", {}).get("name") == "newsevents":
                return data.get("tool", {}).get("newsevents", {}) or {}
            return {}
    return {}


def _env() -> dict:
    out: dict = {}
    for name in Settings.model_fields:
        value = os.environ.get(ENV_PREFIX + name.upper())
        if value is None:
            continue
        out[name] = _paths(value) if name == "inputs" else value
    return out


def _paths(value: str) -> list[str]:
    """NEWSEVENTS_INPUTS: a JSON list of paths (any character allowed), or paths joined by the OS's path
    separator (`:` on Linux and macOS, `;` on Windows)."""
    if value.lstrip().startswith("["):
        try:
            items = json.loads(value)
        except ValueError:
            items = None
        if isinstance(items, list) and all(isinstance(p, str) for p in items):
            return items
    return [p for p in value.split(os.pathsep) if p]


def load_settings(cwd: Path | None = None, **overrides) -> Settings:
    """Defaults < pyproject < environment < explicit overrides (CLI flags; None means not given)."""
    merged: dict = {}
    merged.update(_pyproject_table((cwd or Path.cwd()).resolve()))
    merged.update(_env())
    merged.update({k: v for k, v in overrides.items() if v is not None and v != []})
    return Settings(**merged)

"""How well the event coder generalises: seeds, GSR halves, held-out stories and articles, in one table.

In: the project to measure (`--repo`, default: the newsevents checkout that holds the current working
directory, else the one that holds this script), the held-out data next to this script
(`benchmarks/generality/`: `stories.jsonl`, `articles/*.txt`, `articles.jsonl`, `articles_split.json`)
and the shared material (`--shared`, default `<repo>/../shared`, else `/work/shared`: the seed gold, the
PLOVER GSR dev records and the scorers `eval/score.py`, `eval/gsr.py`).
Out: one compact table on stdout (and every figure as JSON with `--json FILE`):

- seeds: `newsevents run seeds/` scored with `score.py` (detect / triple / full F1);
- gsr odd, gsr even: the GSR dev records split into the 1st, 3rd, … lines and the 2nd, 4th, … lines,
  each run through the pipeline and scored with `gsr.py` (type recall, type precision, source country).
  Rule writers may read failures on the odd half only; the even half estimates generality;
- stories dev, stories test: 192 short wire stories, 12 per PLOVER type, each written to its own file
  (title line, blank line, text; no date line) and run through the pipeline. Per split:
  `type_found` share of stories whose `event_type` is among the types coded from the story;
  `top_type` share whose most frequent coded type (ties: the earliest event's) is the story's type;
  `silent` share with no event at all; `actor1_country` among stories whose type was found and whose
  `actor1_country` is given, share where an event of that type has that actor1 country.
  `--by-type` adds a per-type table of `type_found`. Rule writers may read failures on `dev` only;
- articles dev, articles test: 8 full articles with gold codings (`articles.jsonl`, the seed gold's
  format), scored with `score.py` per split (detect / triple / full F1).

Usage (from the root of the worktree whose code you want to measure):

    uv run python benchmarks/generality.py                      # everything (~12 min on 2 busy cores)
    uv run python benchmarks/generality.py --only stories --by-type
    uv run python /work/wt-evalset/benchmarks/generality.py --only gsr,stories --json /tmp/me/gen.json

Options: `--repo DIR` (project whose code runs), `--shared DIR`, `--only seeds,gsr,stories,articles`,
`--by-type`, `--json FILE`, `--jobs N` (pipeline runs at once, default 2), `--keep DIR` (keep inputs and
warehouses there instead of a fresh temporary directory), `--timeout S` (per pipeline run).
Every run writes under its own fresh directory, so several helpers can run it at once; the runs' cache folder
(start-up cache, kept helpers) is `cache/` in the work dir, and the helpers they kept are stopped at the end
(`newsevents helpers stop` there): the benchmark leaves nothing running and never touches the user's cache.
The pipeline runs as `<repo>/.venv/bin/python -m flows.cli run … --db …` (or this interpreter when the
repo has no .venv) with the repo as working directory. Standard library + duckdb only.

Baseline on main's code (34b54cf; data as committed on the evalset branch), `uv run python
benchmarks/generality.py --by-type`, 9 min wall with `--jobs 2` on 2 cores shared with other runs:

    seeds          detect 0.811  triple 0.679  full 0.679
    gsr odd        type_recall 0.855  type_precision 0.887  source_country 0.913  (83 records)
    gsr even       type_recall 0.663  type_precision 0.750  source_country 0.863  (83 records)
    stories dev    type_found 0.698  top_type 0.656  silent 0.219  actor1_country 0.871  (96 stories, 96 events)
    stories test   type_found 0.635  top_type 0.583  silent 0.250  actor1_country 0.964  (96 stories, 106 events)
    articles dev   detect 0.492  triple 0.131  full 0.131  (43 gold, 18 predicted)
    articles test  detect 0.679  triple 0.357  full 0.357  (33 gold, 23 predicted)

Story fields: `id`, `split`, `event_type` (the story's main PLOVER type), `mode` (informational, never
scored), `actor1_country`, `actor2_country` (ISO3 or null), `country` (where it happens), `title`, `text`
(its first line may be a headline). Article gold lines follow `../shared/gold/seeds.jsonl`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
DATA = HERE / "generality"
PARTS = ("seeds", "gsr", "stories", "articles")
TYPES = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)  # fmt: skip
ENV = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "GX_ANALYTICS_ENABLED": "false",
    "TQDM_DISABLE": "1",
}


class PartFailed(Exception):
    """A pipeline run or a scorer did not finish: its one-line reason."""


# ---------------------------------------------------------------- locating things


def is_project(path: Path) -> bool:
    pyproject = path / "pyproject.toml"
    return pyproject.is_file() and 'name = "newsevents"' in pyproject.read_text(encoding="utf-8")


def default_repo() -> Path:
    """The newsevents checkout holding the working directory, else the one holding this script."""
    for candidate in (Path.cwd(), *Path.cwd().parents):
        if is_project(candidate):
            return candidate
    return HERE.parent


def default_shared(repo: Path) -> Path | None:
    for candidate in (repo.parent / "shared", Path("/work/shared")):
        if (candidate / "eval").is_dir():
            return candidate
    return None


def python_of(repo: Path) -> str:
    venv = repo / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def describe(repo: Path) -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(repo), "log", "-1", "--format=%h %s"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
        branch = subprocess.run(
            ["git", "-C", str(repo), "branch", "--show-current"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
        return f"{repo} [{branch or 'detached'}] {out}"
    except (OSError, subprocess.SubprocessError):
        return str(repo)


# ---------------------------------------------------------------- running


class Runner:
    def __init__(self, repo: Path, timeout: float, cache: Path):
        self.repo, self.python, self.timeout = repo, python_of(repo), timeout
        self.env = {**os.environ, **ENV, "NEWSEVENTS_CACHE_DIR": str(cache)}  # the helpers the runs keep live here
        self.env.pop("NEWSEVENTS_DB", None)

    def _call(self, args: list[str], what: str) -> str:
        try:
            proc = subprocess.run(
                args, cwd=self.repo, env=self.env, capture_output=True, text=True, timeout=self.timeout
            )
        except subprocess.TimeoutExpired as exc:
            raise PartFailed(f"{what}: no answer after {self.timeout:.0f} s") from exc
        if proc.returncode != 0:
            lines = (proc.stderr or proc.stdout).strip().splitlines() or ["(no output)"]
            raise PartFailed(f"{what}: exit {proc.returncode}: {lines[-1]}")
        return proc.stdout

    def pipeline(self, inputs: Path, db: Path) -> None:
        self._call(
            [self.python, "-m", "flows.cli", "run", str(inputs), "--db", str(db)], f"newsevents run {inputs.name}"
        )

    def script(self, script: Path, *args: str) -> str:
        return self._call([self.python, str(script), *args], script.name)

    def stop_helpers(self) -> None:
        """End the helpers the runs kept in their cache folder (a checkout without the command has none)."""
        with contextlib.suppress(PartFailed):
            self._call([self.python, "-m", "flows.cli", "helpers", "stop"], "newsevents helpers stop")


# ---------------------------------------------------------------- data


def load_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def story_file_text(story: dict) -> str:
    return f"{story['title']}\n\n{story['text']}\n"


def write_stories(stories: list[dict], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for story in stories:
        (out / f"{story['id']}.txt").write_text(story_file_text(story), encoding="utf-8")


# ---------------------------------------------------------------- story scores


def coded_events(db: Path) -> dict[str, list[tuple[str, str | None]]]:
    """file stem → [(event_type, actor1 country)] in text order."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            """select s.file_name, e.event_type, a.country_code
               from events e join sources s using (source_id)
               left join actors a on a.actor_id = e.actor1_id
               order by s.file_name, e.sentence_start, e.event_id"""
        ).fetchall()
    finally:
        con.close()
    out: dict[str, list[tuple[str, str | None]]] = {}
    for file_name, event_type, country in rows:
        out.setdefault(Path(file_name).stem, []).append((event_type, country))
    return out


def top_type(events: list[tuple[str, str | None]]) -> str | None:
    """The most frequent type; a tie goes to the type of the earliest event among the tied."""
    if not events:
        return None
    counts = Counter(t for t, _ in events)
    best = max(counts.values())
    return next(t for t, _ in events if counts[t] == best)


def story_scores(stories: list[dict], coded: dict[str, list[tuple[str, str | None]]]) -> dict:
    n = len(stories)
    found = top = silent = country_total = country_hits = 0
    n_events = n_events_own = 0
    by_type: dict[str, list[int]] = {}
    for story in stories:
        events = coded.get(story["id"], [])
        own = [c for t, c in events if t == story["event_type"]]
        n_events += len(events)
        n_events_own += len(own)
        silent += not events
        found += bool(own)
        top += top_type(events) == story["event_type"]
        counts = by_type.setdefault(story["event_type"], [0, 0])
        counts[0] += bool(own)
        counts[1] += 1
        if own and story.get("actor1_country"):
            country_total += 1
            country_hits += story["actor1_country"] in own

    def share(a: int, b: int) -> float | None:
        return round(a / b, 3) if b else None

    return {
        "stories": n,
        "type_found": share(found, n),
        "top_type": share(top, n),
        "silent": share(silent, n),
        "actor1_country": share(country_hits, country_total),
        "events": n_events,
        "events_of_story_type": share(n_events_own, n_events),
        "by_type": {t: share(*by_type[t]) for t in TYPES if t in by_type},
    }


# ---------------------------------------------------------------- parts


def part_seeds(runner: Runner, shared: Path, work: Path) -> dict:
    db = work / "seeds.duckdb"
    runner.pipeline(runner.repo / "seeds", db)
    return json.loads(
        runner.script(
            shared / "eval" / "score.py", "--db", str(db), "--gold", str(shared / "gold" / "seeds.jsonl"), "--json"
        )
    )


def part_gsr_half(runner: Runner, shared: Path, work: Path, half: str) -> dict:
    lines = (shared / "plover" / "gsr_dev.jsonl").read_text(encoding="utf-8").splitlines()
    lines = [line for line in lines if line.strip()]
    records = lines[0::2] if half == "odd" else lines[1::2]
    gsr = work / f"gsr_{half}.jsonl"
    gsr.write_text("\n".join(records) + "\n", encoding="utf-8")
    inputs, db = work / f"gsr_{half}_in", work / f"gsr_{half}.duckdb"
    scorer = shared / "eval" / "gsr.py"
    runner.script(scorer, "articles", "--gsr", str(gsr), "--out", str(inputs))
    runner.pipeline(inputs, db)
    return json.loads(runner.script(scorer, "score", "--gsr", str(gsr), "--db", str(db), "--json"))


def part_stories(runner: Runner, work: Path) -> dict:
    stories = load_jsonl(DATA / "stories.jsonl")
    inputs, db = work / "stories_in", work / "stories.duckdb"
    write_stories(stories, inputs)
    runner.pipeline(inputs, db)
    coded = coded_events(db)
    return {split: story_scores([s for s in stories if s["split"] == split], coded) for split in ("dev", "test")}


def part_articles(runner: Runner, shared: Path, work: Path) -> dict:
    gold = load_jsonl(DATA / "articles.jsonl")
    split_of = json.loads((DATA / "articles_split.json").read_text(encoding="utf-8"))
    db = work / "articles.duckdb"
    runner.pipeline(DATA / "articles", db)
    result = {}
    for split in ("dev", "test"):
        path = work / f"articles_{split}.jsonl"
        write_jsonl(path, [g for g in gold if split_of.get(g["doc"]) == split])
        result[split] = json.loads(
            runner.script(shared / "eval" / "score.py", "--db", str(db), "--gold", str(path), "--json")
        )
    return result


# ---------------------------------------------------------------- table


def f1s(r: dict) -> str:
    return "  ".join(f"{k} {r[k]['f1']:.3f}" for k in ("detect", "triple", "full"))


def fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def table(results: dict, by_type: bool) -> str:
    rows = []
    for name, r in results.items():
        if "error" in r:
            rows.append((name, f"FAILED: {r['error']}"))
        elif "skipped" in r:
            rows.append((name, f"skipped: {r['skipped']}"))
        elif name == "seeds":
            rows.append((name, f1s(r)))
        elif name.startswith("gsr"):
            rows.append(
                (
                    name,
                    f"type_recall {fmt(r['type_recall'])}  type_precision {fmt(r['type_precision'])}  "
                    f"source_country {fmt(r['source_country'])}  ({r['records']} records)",
                )
            )
        elif name.startswith("stories"):
            rows.append(
                (
                    name,
                    f"type_found {fmt(r['type_found'])}  top_type {fmt(r['top_type'])}  "
                    f"silent {fmt(r['silent'])}  actor1_country {fmt(r['actor1_country'])}  "
                    f"({r['stories']} stories, {r['events']} events)",
                )
            )
        elif name.startswith("articles"):
            rows.append((name, f"{f1s(r)}  ({r['detect']['gold']} gold, {r['detect']['pred']} predicted)"))
    lines = [f"{name:14} {text}" for name, text in rows]
    stories = {k: v for k, v in results.items() if k.startswith("stories") and "by_type" in v}
    if by_type and stories:
        lines.append("")
        lines.append("type_found by type  " + "  ".join(f"{k.split()[-1]:>5}" for k in stories))
        for t in TYPES:
            lines.append(f"  {t:17} " + "  ".join(f"{fmt(v['by_type'].get(t)):>5}" for v in stories.values()))
    return "\n".join(lines)


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repo", type=Path, default=None, help="newsevents checkout whose code runs (default: cwd's)")
    ap.add_argument("--shared", type=Path, default=None, help="shared material (default <repo>/../shared)")
    ap.add_argument("--only", default=",".join(PARTS), help="comma-separated parts: " + ",".join(PARTS))
    ap.add_argument("--by-type", action="store_true", help="add a per-type table of type_found on the stories")
    ap.add_argument("--json", type=Path, default=None, help="write every figure to this JSON file")
    ap.add_argument("--jobs", type=int, default=2, help="pipeline runs at once")
    ap.add_argument("--keep", type=Path, default=None, help="keep inputs and warehouses in this (new) directory")
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds per pipeline run or scorer")
    args = ap.parse_args(argv)

    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        print(f"generality: unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}", file=sys.stderr)
        return 2
    repo = (args.repo or default_repo()).resolve()
    if not is_project(repo):
        print(f"generality: {repo} is not a newsevents checkout (no pyproject.toml naming it)", file=sys.stderr)
        return 2
    shared = args.shared.resolve() if args.shared else default_shared(repo)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=False)
        work = args.keep.resolve()
    else:
        work = Path(tempfile.mkdtemp(prefix="generality-"))
    runner = Runner(repo, args.timeout, work / "cache")
    print(f"measuring {describe(repo)}", file=sys.stderr)
    print(f"work dir {work}; shared {shared or '(none)'}", file=sys.stderr)

    jobs: dict[str, object] = {}
    results: dict[str, dict] = {}
    no_shared = "no shared dir with eval/ (give --shared)"
    if "seeds" in parts:
        jobs["seeds"] = (lambda: part_seeds(runner, shared, work)) if shared else no_shared
    if "gsr" in parts:
        for half in ("odd", "even"):
            jobs[f"gsr {half}"] = (lambda h=half: part_gsr_half(runner, shared, work, h)) if shared else no_shared
    if "stories" in parts:
        jobs["stories"] = lambda: part_stories(runner, work)
    if "articles" in parts:
        if not (DATA / "articles.jsonl").exists():
            jobs["articles"] = f"no {DATA / 'articles.jsonl'}"
        else:
            jobs["articles"] = (lambda: part_articles(runner, shared, work)) if shared else no_shared

    def timed(name: str, job):
        start = time.monotonic()
        try:
            out = job()
        except PartFailed as exc:
            out = {"error": str(exc)}
        except (OSError, ValueError, duckdb.Error) as exc:
            out = {"error": f"{type(exc).__name__}: {exc}"}
        print(f"  {name}: done in {time.monotonic() - start:.0f} s", file=sys.stderr)
        return out, round(time.monotonic() - start, 1)

    started = time.monotonic()
    runnable = {k: v for k, v in jobs.items() if callable(v)}
    try:
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = {name: pool.submit(timed, name, job) for name, job in runnable.items()}
            seconds = {}
            for name, job in jobs.items():
                if name not in futures:
                    results[name] = {"skipped": job}
                    continue
                out, seconds[name] = futures[name].result()
                if name in ("stories", "articles") and "error" not in out:
                    for split in ("dev", "test"):
                        results[f"{name} {split}"] = out[split]
                else:
                    results[name] = out
    finally:
        runner.stop_helpers()
    elapsed = round(time.monotonic() - started, 1)

    print(table(results, args.by_type))
    print(f"({elapsed:.0f} s wall; per part: " + ", ".join(f"{k} {v:.0f} s" for k, v in seconds.items()) + ")")
    if args.json:
        payload = {"repo": describe(repo), "results": results, "seconds": seconds, "wall_seconds": elapsed}
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if any("error" in r for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())

"""Fit and check the event confidence (`transforms/confidence.py`) against gold codings.

In: the repository's seed articles with `../shared/gold/seeds.jsonl`, the PLOVER gold-standard sentences
`../shared/plover/gsr_dev.jsonl`, and, when the evalset data is there (`benchmarks/generality/` in the tree,
else `git show evalset:…`), its articles with gold and its short stories. Two kinds of set: those the
rule writers read failures on (the seeds, the GSR odd half — the 1st, 3rd, … records, as
`benchmarks/generality.py` splits them —, the `dev` articles, the `dev` stories) and those they never read
(the GSR even half, the `test` articles, the `test` stories). The extractor is right more often on text its
rules were written against (GSR odd 86 % right, GSR even 66 %), and a user's news is text nobody read. So by
default the fit uses every set with one more feature, `seen=read`, on the read ones, and the pipeline scores
every event as unread (`seen` off): the read sets' optimism is fitted and left out. The check is grouped
out of fold, per set and pooled over the unread sets. `--hold-out` fits on the read sets only and checks
the stored weights on the unread ones (the earlier procedure: its ≥ 0.8 bucket was 78 % right there).
`--no-stories` leaves the stories out of the fit. Out: on stdout the calibration table
(confidence bucket → events, share right), out of fold and in sample per fitted set (and, with `--hold-out`, for each
held-out set); with `--fit` also `transforms/dictionaries/confidence.yaml` (deterministic: same code and data, same
bytes); with `--select` a forward selection of evidence families by grouped out-of-fold log loss.

Labels (an event is *right*):
- seeds and articles ("triple"): matched to a gold event by `../shared/eval/score.py`'s matching (same
  document, same sentence, same type) and both actors agree (its `triple` level); events matched to an
  optional gold event are left out;
- GSR ("gsr"): the event's type is its record's type and, where the record has country codes, actor1's
  country is one of the source codes (`../shared/eval/gsr.py`'s measure); other events in GSR sentences
  are wrong;
- stories ("story", weak): the story's type and, where given, actor1's country; another event of the story
  counts as wrong even when it is a right secondary event.

Model: L2-regularised logistic regression (numpy, Newton steps) over the one-hot evidence features plus one
`label=…` feature per label kind (the three labels are not equally strict), then its logit rescaled (Platt:
scale and shift fitted on the out-of-fold logits) and folded into the stored weights; the stored intercept
carries the offset of the strictest label, "triple" (type and both actors right, on real articles), so the
pipeline's score reads as "share of such events coded right at the triple level". Cross-validation is grouped
(a seed or evalset article, a GSR record, a story is one group); the L2 strength is chosen by grouped CV log
loss, inside each outer fold for the out-of-fold table, so that table measures the whole fitting procedure;
the out-of-fold scores, like the pipeline's, are computed as "triple".

    uv run python benchmarks/calibrate.py          # tables for the checked-in weights
    uv run python benchmarks/calibrate.py --fit    # re-fit, write the weights, print the tables
    uv run python benchmarks/calibrate.py --select --fit --families a,b,…   # selection, then a fit on a,b,…
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from functools import cache
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"

from transforms import confidence as conf  # noqa: E402
from transforms import extract  # noqa: E402

RUNTIME_LABEL = "triple"  # which label's offset the stored intercept carries (see `as_runtime`)
LABELS = {"seeds": "triple", "articles": "triple", "gsr": "gsr", "stories": "story"}  # data set → what "right" means
BUCKETS = (0.0, 0.2, 0.4, 0.6, 0.8, 0.9)
L2_GRID = (0.3, 1.0, 3.0, 10.0, 30.0)


def _module(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# --- coding the data ----------------------------------------------------------------------------


@cache
def _loaded(loader):
    return loader()


def code_texts(named_texts: list[tuple[str, bytes]]) -> list[tuple[str, dict, dict, list[str]]]:
    """(name, event row, the article's actors, evidence features) for every event the extractor codes."""
    from transforms.documents import RawInput
    from transforms.lexicon import load_lexicon
    from transforms.nlp import load_nlp, pipe_texts
    from transforms.parse import parse_document

    nlp, lex = _loaded(load_nlp), _loaded(load_lexicon)
    docs = [(name, parse_document(RawInput(f"file://{name}", name, data))) for name, data in named_texts]
    docs = [(n, d) for n, d in docs if hasattr(d, "text")]
    recorded: list[list[str]] = []
    real = extract.confidence

    def recording(ev, claimant=None, n_events=1):
        recorded.append(conf.evidence(ev, claimant, n_events))
        return real(ev, claimant, n_events)

    out = []
    extract.confidence = recording  # one call per event row, in row order
    try:
        for (name, doc), pieces in zip(docs, pipe_texts(nlp, [d.text for _, d in docs]), strict=True):
            recorded.clear()
            rows = extract.extract_article(doc, pieces, lex)
            out += [(name, row, rows.actors, feats) for row, feats in zip(rows.events, recorded, strict=True)]
    finally:
        extract.confidence = real
    return out


def _actor(actors: dict, actor_id: str | None) -> dict | None:
    a = actors.get(actor_id) if actor_id else None
    if a is None:
        return None
    return {"name": a["name"], "country": a["country_code"], "type": a["actor_type"], "aliases": sorted(a["aliases"])}


def gold_matched(coded, gold: list[dict], score) -> list[tuple[str, list[str], int | None]]:
    """(group, features, 1 right / 0 wrong / None left out) by score.py's matching at its triple level."""
    merged: dict[str, dict] = {}  # the warehouse merges an actor's aliases over every article
    for _, _, actors, _ in coded:
        for aid, a in actors.items():
            m = merged.setdefault(aid, {**a, "aliases": set()})
            m["aliases"] |= a["aliases"]
            m["country_code"] = m["country_code"] or a["country_code"]
    preds = []
    for name, row, _, _ in coded:
        preds.append(
            {
                "doc": name,
                "event_type": row["event_type"],
                "sentence": row["sentence"],
                "date": None,
                "actor1": _actor(merged, row["actor1_id"]),
                "actor2": _actor(merged, row["actor2_id"]),
                "claimant": _actor(merged, row["claimant_id"]),
            }
        )
    docs = {g["doc"] for g in gold}
    pairs = {id(p): g for p, g in score.match([p for p in preds if p["doc"] in docs], gold)}
    out = []
    for (name, _, _, feats), p in zip(coded, preds, strict=True):
        if name not in docs:
            continue
        g = pairs.get(id(p))
        label = None if g is not None and g.get("optional") else int(g is not None and score.roles_agree(p, g))
        out.append((name, feats, label))
    return out


def seeds_data(score) -> list[tuple[str, list[str], int | None]]:
    files = sorted((ROOT / "seeds").glob("*.txt"))
    coded = code_texts([(f.name, f.read_bytes()) for f in files])
    return gold_matched(coded, score.load_gold([SHARED / "gold" / "seeds.jsonl"]), score)


def gsr_data(gsr, half: str) -> list[tuple[str, list[str], int | None]]:
    """The GSR dev records of one half (`odd`: the 1st, 3rd, … lines, fitted on; `even`: held out), as
    `benchmarks/generality.py` splits them."""
    records = gsr.load(str(SHARED / "plover" / "gsr_dev.jsonl"))
    records = records[0::2] if half == "odd" else records[1::2]
    with tempfile.TemporaryDirectory() as tmp:
        gsr.write_articles(records, Path(tmp))
        coded = code_texts([(f.name, f.read_bytes()) for f in sorted(Path(tmp).glob("*.txt"))])
    generic = {"IGO", "NGO", "MNC", "CVL", "GOV", "MIL", "REB", "OPP"}
    rec_tokens = [(r, gsr.tokens(r["text"])) for r in records]
    out = []
    for _, row, actors, feats in coded:
        toks = gsr.tokens(row["sentence"])
        mine = [r for r, rt in rec_tokens if gsr.overlap(rt, toks) >= 0.6]
        if not mine:
            continue  # not a GSR sentence (a headline the extractor coded): no gold says anything about it
        a1 = actors.get(row["actor1_id"]) if row["actor1_id"] else None
        country = a1["country_code"] if a1 else None
        right = 0
        for r in mine:
            codes = {s["code"] for s in r.get("source", []) if len(s.get("code", "")) == 3} - generic
            if row["event_type"] == r["event_type"] and (not codes or country in codes):
                right = 1
        out.append((mine[0]["id"], feats, right))
    return out


def stories_data(split: str) -> list[tuple[str, list[str], int | None]] | None:
    """The evalset's short stories of one split. Their gold names one event per story (its type and
    actor1's country), so an event is right when it has the story's type and, where given, actor1 has
    its country; another event of the story counts as wrong even when it is a right secondary event
    (a weak label: the share right is a lower bound)."""
    text = _evalset_file("stories.jsonl")
    if not text:
        return None
    stories = [s for line in text.splitlines() if line.strip() and (s := json.loads(line))["split"] == split]
    named = [(f"{s['id']}.txt", f"{s['title']}\n\n{s['text']}\n".encode()) for s in stories]
    by_name = {f"{s['id']}.txt": s for s in stories}
    out = []
    for name, row, actors, feats in code_texts(named):
        story = by_name[name]
        a1 = actors.get(row["actor1_id"]) if row["actor1_id"] else None
        want = story.get("actor1_country")
        right = row["event_type"] == story["event_type"] and (not want or (a1 and a1["country_code"] == want))
        out.append((name, feats, int(bool(right))))
    return out


def _evalset_file(rel: str) -> str | None:
    """A file of the evalset branch's held-out data: from the tree once merged, else from the branch."""
    path = ROOT / "benchmarks" / "generality" / rel
    if path.exists():
        return path.read_text(encoding="utf-8")
    found = subprocess.run(
        ["git", "show", f"evalset:benchmarks/generality/{rel}"], cwd=ROOT, capture_output=True, text=True
    )
    return found.stdout if found.returncode == 0 else None


def articles_data(score, split: str) -> list[tuple[str, list[str], int | None]] | None:
    """The evalset articles of one split (`articles_split.json`) with their gold (`articles.jsonl`, the seed
    gold's format), when the evalset data is there."""
    gold_text, split_text = _evalset_file("articles.jsonl"), _evalset_file("articles_split.json")
    if not gold_text or not split_text:
        return None
    docs = sorted(d for d, s in json.loads(split_text).items() if s == split)
    gold = [json.loads(line) for line in gold_text.splitlines() if line.strip()]
    gold = [{**g, "_id": f"articles.jsonl:{n}"} for n, g in enumerate(gold, 1) if g["doc"] in docs]
    texts = [(d, t.encode("utf-8")) for d in docs if (t := _evalset_file(f"articles/{d}")) is not None]
    if not gold or not texts:
        return None
    return gold_matched(code_texts(texts), gold, score)


# --- the model ----------------------------------------------------------------------------------


def design(features: list[list[str]], vocab: list[str]) -> np.ndarray:
    index = {f: i for i, f in enumerate(vocab)}
    x = np.zeros((len(features), len(vocab)))
    for r, feats in enumerate(features):
        for f in feats:
            if f in index:
                x[r, index[f]] = 1.0
    return x


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float) -> tuple[float, np.ndarray]:
    """Intercept and weights minimising log loss + l2/2·|w|² (the intercept is not penalised)."""
    xb = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(xb.shape[1])
    pen = np.full(xb.shape[1], l2)
    pen[0] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(xb @ w)))
        grad = xb.T @ (p - y) + pen * w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + np.diag(pen) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return float(w[0]), w[1:]


def log_loss(y: np.ndarray, logit: np.ndarray) -> float:
    return float(np.mean(np.logaddexp(0, -logit) * y + np.logaddexp(0, logit) * (1 - y)))


def fit_platt(logit: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Scale and shift of out-of-fold logits that make sigmoid(scale·logit + shift) calibrated."""
    shift, (scale,) = fit_logistic(logit[:, None], y, 1.0)  # a mild ridge: separable folds stay finite
    return scale, shift


def folds_of(groups: list[str], k: int) -> np.ndarray:
    """A fold per event: its group's, groups dealt round-robin in a stable hash order (deterministic)."""
    uniq = sorted(set(groups), key=lambda g: hashlib.sha1(g.encode()).hexdigest())
    fold = {g: i % k for i, g in enumerate(uniq)}
    return np.array([fold[g] for g in groups])


def oof_logits(x, y, folds, l2) -> np.ndarray:
    out = np.zeros(len(y))
    for f in np.unique(folds):
        tr, te = folds != f, folds == f
        b, w = fit_logistic(x[tr], y[tr], l2)
        out[te] = b + x[te] @ w
    return out


def choose_l2(x, y, folds) -> float:
    losses = [(log_loss(y, oof_logits(x, y, folds, l2)), l2) for l2 in L2_GRID]
    return min(losses)[1]


def fit_all(x, y, folds) -> dict:
    """The whole procedure on (x, y): L2 by CV, weights on everything, rescaled (Platt) on out-of-fold logits."""
    l2 = choose_l2(x, y, folds)
    scale, shift = fit_platt(oof_logits(x, y, folds, l2), y)
    b, w = fit_logistic(x, y, l2)
    return {"l2": l2, "scale": scale, "intercept": scale * b + shift, "weights": scale * w}


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def as_runtime(x: np.ndarray, vocab: list[str]) -> np.ndarray:
    """The design as the pipeline scores it: every event judged by the strictest label, `label=triple`
    (type and both actors right, as on real articles); the other label columns off; and, by
    default, as text the rule writers never read (`seen=…` off): a user's news is such text."""
    out = x.copy()
    for i, f in enumerate(vocab):
        if f.startswith("label="):
            out[:, i] = 1.0 if f == f"label={RUNTIME_LABEL}" else 0.0
        elif f.startswith("seen="):
            out[:, i] = 0.0
    return out


def oof_scores(x, y, folds, x_score: np.ndarray | None = None) -> np.ndarray:
    """Each event's score from the whole procedure fitted without its fold (nested: L2 and scaling too),
    computed on `x_score` (default `x`: e.g. the runtime design of `as_runtime`)."""
    x_score = x if x_score is None else x_score
    out = np.zeros(len(y))
    for f in np.unique(folds):
        tr, te = folds != f, folds == f
        m = fit_all(x[tr], y[tr], folds[tr])
        out[te] = sigmoid(m["intercept"] + x_score[te] @ m["weights"])
    return out


def select_families(rows_feats: list[list[str]], y: np.ndarray, folds: np.ndarray, candidates: list[str]) -> list[str]:
    """Forward selection of evidence families by grouped out-of-fold log loss (each step adds the family
    that lowers it most; stops when none lowers it by 0.001). Prints each step."""
    chosen: list[str] = []
    best = float("inf")
    while True:
        tried = []
        for fam in candidates:
            if fam in chosen:
                continue
            keep = {*chosen, fam, "label"}
            feats = [[f for f in fs if f.partition("=")[0] in keep] for fs in rows_feats]
            vocab = sorted({f for fs in feats for f in fs})
            oof = np.clip(oof_scores(design(feats, vocab), y, folds), 1e-9, 1 - 1e-9)
            tried.append((log_loss(y, np.log(oof / (1 - oof))), fam))
        if not tried:
            return chosen
        loss, fam = min(tried)
        if loss >= best - 0.001:
            return chosen
        best = loss
        chosen.append(fam)
        print(f"  select +{fam}: out-of-fold log loss {loss:.4f}", flush=True)


# --- output -------------------------------------------------------------------------------------


def auc(score: np.ndarray, y: np.ndarray) -> float | None:
    """The chance that a right event scores above a wrong one (ties count half)."""
    pos, neg = score[y == 1], score[y == 0]
    if not len(pos) or not len(neg):
        return None
    above = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(above / (len(pos) * len(neg)))


def table(title: str, score: np.ndarray, y: np.ndarray) -> str:
    lines = [f"{title}: {len(y)} events, {int(y.sum())} right ({y.mean():.0%})" if len(y) else f"{title}: none"]
    if not len(y):
        return lines[0]
    edges = [*BUCKETS, 1.0001]
    for lo, hi in zip(edges, edges[1:], strict=False):
        sel = (score >= lo) & (score < hi)
        n = int(sel.sum())
        share = f"{y[sel].mean():5.0%}" if n else "    -"
        label = f"[{lo:.1f}, {min(hi, 1.0):.1f}{']' if hi > 1 else ')'}"
        lines.append(f"  {label:11} {n:5d} events  {share} right")
    hi = score >= 0.8
    kept = f"{y[hi].mean():.0%}" if hi.any() else "-"
    found = f"{(y[hi].sum() / y.sum()):.0%}" if y.sum() else "-"
    area = auc(score, y)
    lines.append(f"  ≥ 0.8: {int(hi.sum())} events, {kept} right; {found} of all right events are ≥ 0.8")
    lines.append(f"  AUC (a right event scores above a wrong one): {area:.2f}" if area is not None else "  AUC: -")
    return "\n".join(lines)


def header(fitted: dict) -> str:
    return (
        "# Event confidence: logistic weights over evidence features (transforms/confidence.py).\n"
        "# Fitted by `uv run python benchmarks/calibrate.py --fit` (needs the repo and ../shared only)\n"
        "# on the events the extractor codes in: the seed articles and the evalset's articles (right =\n"
        "# score.py's match at its triple level: sentence, type, both actors), the PLOVER GSR dev records\n"
        "# (right = the record's type and, where coded, actor1 in its source countries) and the evalset's\n"
        "# stories (the story's type and actor1 country), one offset per label kind; the intercept carries\n"
        "# the strict triple label's. The sets rule writers read (seeds, GSR odd, dev articles and stories)\n"
        "# carry a `seen=read` offset that the pipeline leaves out: scores are for unread text (the fitted\n"
        "# entry says so; `--hold-out` fits on the read sets only). L2 strength chosen by grouped 5-fold\n"
        "# cross-validation; weights rescaled (Platt) on\n"
        "# out-of-fold logits, so sigmoid(intercept + sum of the event's feature weights) reads as the\n"
        "# share of such events coded right. Re-fit after any change to the extractor.\n"
    )


def write_weights(path: Path, model: dict, vocab: list[str], fitted: dict, families: tuple[str, ...]) -> None:
    import yaml

    pairs = list(zip(vocab, model["weights"], strict=True))
    offset = sum(float(v) for f, v in pairs if f == f"label={RUNTIME_LABEL}")  # folded into the intercept
    kept = [(f, v) for f, v in pairs if not f.startswith(("label=", "seen="))]  # seen=: read text's optimism
    weights = {f: round(float(v), 4) for f, v in kept if round(float(v), 4)}
    doc = {
        "fitted": fitted,
        "families": list(families),
        "intercept": round(float(model["intercept"]) + offset, 4),
        "weights": dict(sorted(weights.items())),
    }
    conf.Weights.model_validate(doc)  # a feature name the loader would refuse stops here, before writing
    body = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(header(fitted) + body, encoding="utf-8")
    conf.load_weights(path)  # what was written loads


def load_sets(stories: bool = False) -> tuple[dict, dict]:
    """(sets to fit on, held-out sets), each name → [(group, features, label)]. Fitted on: the seeds, the
    GSR odd half, the evalset's dev articles (and its dev stories with `stories`); held out: the GSR even
    half, the test articles and the test stories (the dev stories too when not fitted on)."""
    score, gsr = _module(SHARED / "eval" / "score.py"), _module(SHARED / "eval" / "gsr.py")
    sets = {"seeds": seeds_data(score), "gsr odd": gsr_data(gsr, "odd")}
    held = {"gsr even": gsr_data(gsr, "even")}
    for name, data in (("articles dev", articles_data(score, "dev")), ("stories dev", stories_data("dev"))):
        if data:
            (sets if name.startswith("articles") or stories else held)[name] = data
    for name, data in (("articles test", articles_data(score, "test")), ("stories test", stories_data("test"))):
        if data:
            held[name] = data
    return sets, held


def _arrays(pairs: list[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    """(scores, labels) of (score, label) pairs."""
    return np.array([p[0] for p in pairs], dtype=float), np.array([p[1] for p in pairs], dtype=float)


def label_of(name: str) -> str:
    """What "right" means in a data set ("gsr odd" → gsr, "articles dev" → triple)."""
    return LABELS[name.split()[0]]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fit", action="store_true", help="re-fit and write transforms/dictionaries/confidence.yaml")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--weights", type=Path, default=conf.WEIGHTS_PATH)
    ap.add_argument(
        "--families",
        help="comma-separated evidence families to fit on (default: those the weights file lists)",
    )
    ap.add_argument(
        "--select", action="store_true", help="print a forward selection of families by out-of-fold log loss"
    )
    ap.add_argument("--no-stories", action="store_true", help="do not fit on the dev stories (weak labels)")
    ap.add_argument(
        "--hold-out",
        action="store_true",
        help="fit only on the sets rule writers read and check the weights on the unread ones (default: fit on "
        "all with a `seen=read` feature, score as unread text, check out of fold)",
    )
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    if not (SHARED / "gold" / "seeds.jsonl").exists():
        print(f"calibrate: no gold data under {SHARED}", file=sys.stderr)
        return 2
    sets, held_out = load_sets(stories=not args.no_stories)
    unread = set() if args.hold_out else set(held_out)
    if unread:
        sets, held_out = {**sets, **held_out}, {}
    rows = [
        (name, g, [*f, f"label={label_of(name)}", *([] if name in unread or not unread else ["seen=read"])], y)
        for name, data in sets.items()
        for g, f, y in data
    ]
    rows = [r for r in rows if r[3] is not None]
    t_code = time.perf_counter() - t0
    names = [r[0] for r in rows]
    groups = [f"{r[0]}:{r[1]}" for r in rows]
    y = np.array([r[3] for r in rows], dtype=float)
    folds = folds_of(groups, args.folds)
    if args.select:
        print("forward selection of evidence families (grouped out-of-fold log loss):")
        found = select_families([r[2] for r in rows], y, folds, list(conf.FAMILIES))
        print(f"  selected: {','.join(found)}")
    try:
        families = tuple(args.families.split(",")) if args.families else conf.load_weights(args.weights).families
        conf.Weights.model_validate({"families": families, "intercept": 0.0, "weights": {}})  # unknown: stops
    except ValueError as exc:
        print(f"calibrate: {str(exc).splitlines()[0]} (give --families to fit a new file)", file=sys.stderr)
        return 2
    feats = [[f for f in r[2] if f.partition("=")[0] in {*families, "label", "seen"}] for r in rows]
    vocab = sorted({f for fs in feats for f in fs})
    x = design(feats, vocab)
    if args.fit:
        model = fit_all(x, y, folds)
        fitted = {
            "data": [f"{n}: {sum(1 for m in names if m == n)} events (right = {label_of(n)})" for n in sets],
            "events": len(y),
            "right": int(y.sum()),
            "folds": args.folds,
            "l2": model["l2"],
            "platt_scale": round(float(model["scale"]), 4),
            "scored_as": RUNTIME_LABEL,
            **({"read_by_rule_writers": sorted(set(sets) - unread), "scored_as_text": "unread"} if unread else {}),
        }
        write_weights(args.weights, model, vocab, fitted, families)
        print(f"wrote {args.weights.relative_to(ROOT) if args.weights.is_relative_to(ROOT) else args.weights}")
    weights = conf.load_weights(args.weights)
    insample = np.array([weights.score(f) for f in feats])  # label=… and other families' features weigh 0
    oof = oof_scores(x, y, folds, as_runtime(x, vocab))
    sel = {n: np.array([m == n for m in names]) for n in sets}
    print(f"calibration of {args.weights.name} (right = matches gold; see benchmarks/calibrate.py)")
    for n in [*sets, "all"]:
        s = sel.get(n, np.ones(len(y), dtype=bool))
        print(table(f"{n}, out of fold", oof[s], y[s]))
        print(table(f"{n}, in sample", insample[s], y[s]))
    if unread:
        s = np.array([m in unread for m in names])
        print(table(f"unread sets ({', '.join(sorted(unread))}), out of fold", oof[s], y[s]))
    pooled: list[tuple[float, float]] = []
    for name, data in held_out.items():
        held = [(weights.score(f), y) for _, f, y in data if y is not None]
        pooled += held
        print(table(f"{name} (held out: never fitted on)", *_arrays(held)))
    if len(held_out) > 1:
        print(table("all held out", *_arrays(pooled)))
    print(f"took {time.perf_counter() - t0:.1f} s (coding the data {t_code:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Two sides to compare — each a run and one of its models — and what they share: settings that differ, words, epochs.

A page compares side A with side B. With one run the sides are its two models (PyTorch against gensim, as every
page always did); with a second run ("Compare with", ?vs=B) side B is a model of that run, so a page shows what a
*choice* does (window 2 against 10, seed 1 against 2). Everything here reads the saved run folders only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from lib.runs.store import Run

if TYPE_CHECKING:  # importing gensim and pandas takes seconds: pages import this module before they draw anything
    import pandas as pd
    from gensim.models import KeyedVectors

# Settings a run saves in config.json that say how it was made, in the order a reader scans them: the corpus first,
# then what changes the model most. Settings not listed here (and the resolved machine values) follow in file order.
CORPUS_SETTINGS = ("name", "seed", "sentences", "max_tokens")
FIRST_TRAIN_SETTINGS = (
    "architecture",
    "loss",
    "dim",
    "window",
    "negative",
    "min_count",
    "sample",
    "epochs",
    "alpha",
    "seed",
)
# limits and what the machine resolved (threads, a thread's batch, library versions): not choices between runs
LABEL_SETTINGS = 2  # differing settings named in a side's label (the sides note names them all)
IGNORED = {
    "max_corpus_tokens",
    "max_corpus_bytes",
    "workers",
    "device",
    "versions",
    "gensim_workers",
    "pytorch_threads",
    "worker_batch",
}


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a run and one of its models."""

    run: Run
    model: str


@dataclass(frozen=True)
class Sides:
    """The two sides a page compares."""

    a: Side
    b: Side

    @property
    def two_runs(self) -> bool:
        return self.a.run.path != self.b.run.path

    def labels(self) -> tuple[str, str]:
        """Short names for the two sides that tell them apart: the model alone within one run; across runs
        "A · window 2 · 3f2a1c · pytorch", from the first LABEL_SETTINGS settings the runs differ in (a run's own
        name instead, when it has one), the end of its id and the model."""
        if not self.two_runs:
            a, b = self.a.model, self.b.model
            return (a, b) if a != b else (f"A: {a}", f"B: {b}")
        differ = differing_settings([self.a.run, self.b.run])[:LABEL_SETTINGS]
        out = []
        for letter, i, side in (("A", 0, self.a), ("B", 1, self.b)):
            detail = side.run.name or " · ".join(f"{name} {_value(values[i])}" for name, values in differ)
            out.append(" · ".join(part for part in (letter, detail, side.run.id[-6:], side.model) if part))
        return out[0], out[1]


def sides(run: Run, other: Run | None = None, model_a: str | None = None, model_b: str | None = None) -> Sides:
    """The sides for `run` compared with `other` (None: with itself). Defaults: within one run, its first model
    against its second (PyTorch against gensim); across runs, the same model on both sides where both runs have it.
    ValueError says what to choose when a model is not in its run, or one run has one model and nothing to compare."""
    other = other or run
    model_a = model_a or run.models[0]
    if model_a not in run.models:
        raise ValueError(f"Run {run.id} has no {model_a} model; it has {', '.join(run.models)}.")
    if model_b is None:
        if other.path == run.path:
            rest = [m for m in run.models if m != model_a]
            if not rest:
                raise ValueError(
                    f"Run {run.id} trained only the {model_a} model: choose another run under "
                    "'Compare with' to compare it with."
                )
            model_b = rest[0]
        else:
            model_b = model_a if model_a in other.models else other.models[0]
    if model_b not in other.models:
        raise ValueError(f"Run {other.id} has no {model_b} model; it has {', '.join(other.models)}.")
    if other.path == run.path and model_a == model_b:
        raise ValueError(
            f"Both sides are the {model_a} model of run {run.id}: choose another model or run for one side."
        )
    return Sides(Side(run, model_a), Side(other, model_b))


def _settings(run: Run) -> dict[str, object]:
    """A run's saved settings as one flat mapping, named as the Train page names them ("corpus", "corpus seed")."""
    cfg = run.config
    corpus = cfg.get("corpus", {})
    out: dict[str, object] = {"corpus": cfg.get("corpus_name") or corpus.get("name")}
    out.update({f"corpus {k}": corpus[k] for k in CORPUS_SETTINGS[1:] if k in corpus})
    train = cfg.get("train", {})
    for key in (*FIRST_TRAIN_SETTINGS, *train):
        if key in train and key not in IGNORED and key not in out:
            out[key] = train[key]
    out["models"] = ", ".join(cfg.get("models", []))
    for key, value in (cfg.get("resolved") or {}).items():
        if key not in IGNORED and key not in train:
            out[key] = value
    return out


def differing_settings(runs: list[Run]) -> list[tuple[str, list]]:
    """The settings whose saved values are not all equal across `runs`: (name, one value per run), in reading order.
    Equal settings are left out; a setting one run lacks counts as None there."""
    flat = [_settings(r) for r in runs]
    names = list(dict.fromkeys(k for f in flat for k in f))
    rows = [(name, [f.get(name) for f in flat]) for name in names]
    return [(name, values) for name, values in rows if len({repr(v) for v in values}) > 1]


def difference_text(a: Run, b: Run) -> str:
    """The settings two runs differ in, in one line: "window 2 vs 10 · seed 1 vs 2" ("" when none differ)."""
    return " · ".join(f"{name} {_value(x)} vs {_value(y)}" for name, (x, y) in differing_settings([a, b]))


def _value(value) -> str:
    return "none" if value is None else str(value)


def shared_words(a: list[str], b: list[str]) -> list[str]:
    """The words of both vocabularies, in the first one's order (most frequent first)."""
    other = set(b)
    return [w for w in a if w in other]


def matched_epoch(epoch_a: int, planned_a: int, planned_b: int, finished_b: list[int]) -> int | None:
    """Side B's epoch at the same share of training as side A's epoch (epoch 0 with 0, the last with the last):
    round(epoch_a / planned_a × planned_b), or the nearest epoch B finished; None when B finished none."""
    if not finished_b:
        return None
    target = epoch_a if planned_a == planned_b else round(epoch_a / max(1, planned_a) * planned_b)
    return min(finished_b, key=lambda e: (abs(e - target), e))


# ------------------------------------------------------------ what changed: neighbour lists that agree least

CHUNK = 512  # query words per similarity block: CHUNK × vocabulary floats at a time, whatever N is


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def top_k(kv: KeyedVectors, words: list[str], among: list[str], k: int) -> np.ndarray:
    """Each word's k nearest words by cosine among `among` (itself left out): positions into `among`, shape
    (len(words), k), nearest first. Computed a block of words at a time, so memory stays CHUNK × len(among)."""
    pool = _unit(kv.vectors[[kv.key_to_index[w] for w in among]])  # (M, d)
    queries = _unit(kv.vectors[[kv.key_to_index[w] for w in words]])  # (N, d)
    place = {w: i for i, w in enumerate(among)}
    self_at = np.array([place.get(w, -1) for w in words])
    k = min(k, len(among) - 1)
    out = np.empty((len(words), k), dtype=np.int64)
    for start in range(0, len(words), CHUNK):
        sims = queries[start : start + CHUNK] @ pool.T  # (chunk, M)
        rows = np.arange(len(sims))
        own = self_at[start : start + CHUNK]
        sims[rows[own >= 0], own[own >= 0]] = -np.inf  # a word is not its own neighbour
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(sims, part, axis=1), axis=1, kind="stable")
        out[start : start + CHUNK] = np.take_along_axis(part, order, axis=1)
    return out


def neighbour_agreement(kv_a: KeyedVectors, kv_b: KeyedVectors, n_words: int = 300, k: int = 10) -> pd.DataFrame:
    """For the n_words most frequent words both sides have (side A's order): Jaccard@k of their two neighbour lists,
    each among the words both sides have. Columns word, rank (1: most frequent), jaccard, shared (words in both
    lists), only_a, only_b (the words one list has); the least agreeing first."""
    among = shared_words(list(kv_a.index_to_key), list(kv_b.index_to_key))
    if len(among) < 3:
        raise ValueError(f"The two sides share {len(among)} word(s); comparing neighbour lists needs at least 3.")
    words = among[: max(1, n_words)]
    import pandas as pd

    lists_a, lists_b = top_k(kv_a, words, among, k), top_k(kv_b, words, among, k)
    rows = []
    for rank, (word, a, b) in enumerate(zip(words, lists_a, lists_b), start=1):
        set_a, set_b = set(a.tolist()), set(b.tolist())
        both = set_a & set_b
        rows.append(
            {
                "word": word,
                "rank": rank,
                "jaccard": len(both) / len(set_a | set_b),
                "shared": len(both),
                "only_a": ", ".join(among[i] for i in a if i not in both),
                "only_b": ", ".join(among[i] for i in b if i not in both),
            }
        )
    frame = pd.DataFrame(rows, columns=["word", "rank", "jaccard", "shared", "only_a", "only_b"])
    return frame.sort_values(["jaccard", "rank"], kind="stable").reset_index(drop=True)

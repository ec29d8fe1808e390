"""Two sides to compare — each a run and one of its models — and what they share: settings that differ, words, epochs.

A page compares side A with side B. With one run the sides are its two models (PyTorch against gensim, as every
page always did); with a second run ("Compare with", ?vs=B) side B is a model of that run, so a page shows what a
*choice* does (window 2 against 10, seed 1 against 2). Everything here reads the saved run folders only.
"""

from __future__ import annotations

from dataclasses import dataclass

from lib.store import Run, run_label

# Settings a run saves in config.json that say how it was made, in the order a reader scans them: the corpus first,
# then what changes the model most. Settings not listed here (and the resolved machine values) follow in file order.
CORPUS_SETTINGS = ("name", "seed", "sentences", "max_tokens")
FIRST_TRAIN_SETTINGS = ("architecture", "loss", "dim", "window", "negative", "min_count", "sample", "epochs",
                        "alpha", "seed")
IGNORED = {"max_corpus_tokens", "max_corpus_bytes", "workers", "device", "versions"}  # limits and machine, not choices


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a run and one of its models."""

    run: Run
    model: str

    def label(self, two_runs: bool) -> str:
        """How pages name the side: the model alone within one run, else the run's label and the model."""
        return f"{run_label(self.run.summary())} · {self.model}" if two_runs else self.model


@dataclass(frozen=True)
class Sides:
    """The two sides a page compares."""

    a: Side
    b: Side

    @property
    def two_runs(self) -> bool:
        return self.a.run.path != self.b.run.path

    def labels(self) -> tuple[str, str]:
        """Names for the two sides that tell them apart (the model alone when the runs are the same)."""
        a, b = self.a.label(self.two_runs), self.b.label(self.two_runs)
        return (a, b) if a != b else (f"A: {a}", f"B: {b}")


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
                raise ValueError(f"Run {run.id} trained only the {model_a} model: choose another run under "
                                 "'Compare with' to compare it with.")
            model_b = rest[0]
        else:
            model_b = model_a if model_a in other.models else other.models[0]
    if model_b not in other.models:
        raise ValueError(f"Run {other.id} has no {model_b} model; it has {', '.join(other.models)}.")
    if other.path == run.path and model_a == model_b:
        raise ValueError(f"Both sides are the {model_a} model of run {run.id}: choose another model or run for one "
                         "side.")
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

"""Random versus structured language: both implementations on toy-random and toy-proximity, same settings.

One click trains two runs (each holding the PyTorch and the gensim model, so four series) and writes a small
manifest naming them into <runs>/.experiments/random-vs-structured/, which the run list skips. The functions
below read the newest such pair back as tidy frames: neighbour precision per epoch against the designed
neighbours (letters within ±2) with its chance level, a check word's similarities across epochs, and aligned
PCA positions per epoch.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Callable

import numpy as np
import pandas as pd

from lib.analysis import require_words
from lib.callbacks import TrainingCallback
from lib.config import MODELS, CorpusConfig, TrainConfig
from lib.evaluate import chance_neighbour_precision
from lib.projection import projection_frame
from lib.store import Run, atomic_write_json, runs_dir
from lib.train import prepare, train_run

EXPERIMENT = "random-vs-structured"
LANGUAGES = ("toy-random", "toy-proximity")
DEFAULT_SENTENCES = 10_000
CHECK_WORD = "bbb"


def default_train_config() -> TrainConfig:
    """Settings that show the contrast: at the default alpha 0.025, or with the 30,000-sentence default corpus,
    toy-proximity's precision peaks after 1–3 epochs and then falls as the 100-dim vectors over-fit 26 words;
    10,000 sentences at alpha 0.01 keep it near 1 through 10 epochs."""
    return TrainConfig(epochs=10, alpha=0.01)


@dataclass(frozen=True)
class LanguagePair:
    """The two runs of one experiment: the same TrainConfig on the random and on the structured language."""

    random: Run
    structured: Run
    created: str

    @property
    def runs(self) -> dict[str, Run]:
        return {"toy-random": self.random, "toy-proximity": self.structured}

    @property
    def created_label(self) -> str:
        """'20261125-122320-275458' as '2026-11-25 12:23:20 UTC'."""
        c = self.created
        if len(c) < 15:
            return c
        return f"{c[:4]}-{c[4:6]}-{c[6:8]} {c[9:11]}:{c[11:13]}:{c[13:15]} UTC"


def series_name(language: str, model: str) -> str:
    return f"{language} · {model}"


# ------------------------------------------------------------ training


class _Progress(TrainingCallback):
    """Turns finished epochs into one share of the whole experiment, 0..1, for a progress bar. It listens to
    on_epoch_end only, which both trainers call from the thread that called train_run (gensim reports its
    within-epoch progress from a worker thread, where a page cannot draw)."""

    def __init__(self, report: Callable[[float, str], None], part: int, parts: int, epochs: int, models):
        self.report, self.part, self.parts, self.epochs, self.models = report, part, parts, epochs, list(models)

    def on_epoch_end(self, snapshot):
        within = (self.models.index(snapshot.model) + snapshot.epoch / self.epochs) / len(self.models)
        self.report(min(1.0, (self.part + within) / self.parts),
                    f"{snapshot.model}, epoch {snapshot.epoch} of {self.epochs}")


def run_experiment(train_cfg: TrainConfig | None = None, sentences: int = DEFAULT_SENTENCES, corpus_seed: int = 1,
                   root=None, on_progress: Callable[[float, str], None] | None = None) -> LanguagePair:
    """Train both models on both languages with the same settings; returns the pair (also found by latest_pair).

    Both corpora are checked before anything is written, so bad settings raise ValueError and leave no run."""
    train_cfg = train_cfg or default_train_config()
    if not 100 <= sentences <= 100_000:
        raise ValueError(f"Use between 100 and 100,000 sentences per language (got {sentences:,}).")
    corpora = {lang: CorpusConfig(name=lang, seed=corpus_seed, sentences=sentences) for lang in LANGUAGES}
    prepared = {lang: prepare(cfg, train_cfg) for lang, cfg in corpora.items()}
    runs = {}
    for part, lang in enumerate(LANGUAGES):
        callbacks = ([_Progress(lambda share, what, lang=lang: on_progress(share, f"{lang}: {what}"), part,
                                len(LANGUAGES), train_cfg.epochs, MODELS)] if on_progress else [])
        runs[lang] = train_run(corpora[lang], train_cfg, MODELS, root, callbacks=callbacks, prepared=prepared[lang])
    created = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-%f")
    atomic_write_json(manifest_dir(root) / f"{created}.json", {
        "experiment": EXPERIMENT, "created": created, "runs": {lang: run.id for lang, run in runs.items()},
        "train": asdict(train_cfg), "sentences": sentences, "corpus_seed": corpus_seed})
    return LanguagePair(runs["toy-random"], runs["toy-proximity"], created)


def manifest_dir(root=None):
    return runs_dir(root) / ".experiments" / EXPERIMENT


def latest_pair(root=None) -> LanguagePair | None:
    """The newest experiment whose two run folders are still readable, or None."""
    folder = manifest_dir(root)
    for path in sorted(folder.glob("*.json"), reverse=True) if folder.is_dir() else []:
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
            ids = manifest["runs"]
            runs = {lang: Run.open(runs_dir(root) / ids[lang]) for lang in LANGUAGES}
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a deleted run or a damaged manifest: try the next older one
        return LanguagePair(runs["toy-random"], runs["toy-proximity"], manifest.get("created", path.stem))
    return None


# ------------------------------------------------------------ tidy frames


def settings_summary(pair: LanguagePair) -> dict:
    """The shared settings, as one small dict for a caption."""
    t, c = pair.structured.config["train"], pair.structured.config["corpus"]
    return {"sentences": c.get("sentences"), "epochs": t["epochs"], "alpha": t["alpha"], "dim": t["dim"],
            "window": t["window"], "negative": t["negative"], "seed": t["seed"]}


def chance_level(run: Run) -> float:
    """Expected neighbour precision of random vectors in this run's vocabulary."""
    return chance_neighbour_precision(run.config.get("true_neighbours") or {}, run.config["vocab_size"])


def precision_frame(pair: LanguagePair) -> pd.DataFrame:
    """Neighbour precision per epoch: language, model, series, epoch, neighbor_precision, chance."""
    rows = []
    for lang, run in pair.runs.items():
        chance = chance_level(run)
        for model in run.models:
            for m in run.metrics(model):
                rows.append({"language": lang, "model": model, "series": series_name(lang, model),
                             "epoch": m["epoch"], "neighbor_precision": m.get("neighbor_precision"),
                             "chance": chance})
    return pd.DataFrame(rows, columns=["language", "model", "series", "epoch", "neighbor_precision", "chance"])


def final_precision(pair: LanguagePair) -> pd.DataFrame:
    """Each series' last epoch: language, model, epoch, neighbor_precision, chance, and the best epoch's value."""
    frame = precision_frame(pair)
    last = frame.sort_values("epoch").groupby("series", sort=False).tail(1).set_index("series")
    best = frame.groupby("series")["neighbor_precision"].max().rename("best")
    order = [series_name(lang, model) for lang in LANGUAGES for model in MODELS]
    return last.join(best).reindex([s for s in order if s in last.index]).reset_index()


def similarity_frame(pair: LanguagePair, word: str) -> pd.DataFrame:
    """Cosine similarity of `word` to every other word, per series and epoch: language, model, series, epoch,
    other, similarity, designed (whether `other` is one of word's designed neighbours)."""
    rows = []
    for lang, run in pair.runs.items():
        designed = set((run.config.get("true_neighbours") or {}).get(word, []))
        for model in run.models:
            for epoch in run.epochs(model):
                kv = run.keyed_vectors(model, epoch)
                require_words(kv, word)
                sims = kv.cosine_similarities(kv[word], kv.vectors)
                for other, sim in zip(kv.index_to_key, sims.tolist()):
                    if other != word:
                        rows.append({"language": lang, "model": model, "series": series_name(lang, model),
                                     "epoch": epoch, "other": other, "similarity": sim, "designed": other in designed})
    return pd.DataFrame(rows)


def neighbour_table(similarities: pd.DataFrame, k: int = 4) -> pd.DataFrame:
    """The check word's k most similar words per epoch (rows) and series (columns), as 'ccc 0.81 ✓, …' text;
    ✓ marks a designed neighbour."""
    top = similarities.sort_values("similarity", ascending=False).groupby(["series", "epoch"], sort=False).head(k)
    top = top.assign(cell=[f"{o} {s:.2f}{' ✓' if d else ''}" for o, s, d in
                           zip(top["other"], top["similarity"], top["designed"])])
    cells = top.groupby(["epoch", "series"], sort=False)["cell"].agg(", ".join).unstack("series")
    order = [series_name(lang, model) for lang in LANGUAGES for model in MODELS]
    return cells[[s for s in order if s in cells.columns]].sort_index()


def scatter_frame(pair: LanguagePair) -> pd.DataFrame:
    """PCA positions of all words per series and epoch, aligned across epochs (lib.projection): language, model,
    series, epoch, word, x, y, letter (0 for aaa … 25 for zzz, for a colour ramp along the alphabet)."""
    parts = []
    for lang, run in pair.runs.items():
        frame = projection_frame(run, "pca", n_words=run.config["vocab_size"])
        parts.append(frame.assign(language=lang, series=[series_name(lang, m) for m in frame["model"]]))
    frame = pd.concat(parts, ignore_index=True)
    frame["letter"] = [ord(w[0]) - ord("a") if w and w[0].isalpha() else np.nan for w in frame["word"]]
    return frame[["language", "model", "series", "epoch", "word", "x", "y", "letter"]]


def common_epochs(pair: LanguagePair) -> list[int]:
    """Epochs every model of both runs has finished."""
    sets = [set(run.common_epochs()) for run in pair.runs.values()]
    return sorted(set.intersection(*sets))

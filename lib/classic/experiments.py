"""Random versus structured language: both implementations on toy-random and toy-proximity, same settings.

One click queues two background trainings (lib.runs.jobs: each run holds the PyTorch and the gensim model, so four
series) and writes a small manifest naming their runs into <runs>/.experiments/random-vs-structured/, which the run
list skips. The functions below read the newest complete pair back as tidy frames: neighbour precision per epoch
against the designed neighbours (letters within ±2) with its chance level, a check word's similarities across epochs,
and aligned PCA positions per epoch.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

import numpy as np
import pandas as pd

from lib.config import MODELS, CorpusConfig, TrainConfig
from lib.runs import jobs
from lib.runs.files import atomic_write_json
from lib.runs.jobs import Job, JobStatus
from lib.runs.store import Run, runs_dir
from lib.views.analysis import require_words
from lib.views.evaluate import chance_neighbour_precision
from lib.views.projection import projection_frame

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


@dataclass
class Experiment:
    """One click's two background trainings (lib.runs.jobs), by language, and the manifest that names their runs."""

    created: str
    jobs: dict[str, Job]

    def poll(self) -> dict[str, JobStatus]:
        return {lang: job.poll() for lang, job in self.jobs.items()}

    def cancel(self) -> None:
        """Leave the queue or stop training, for both languages (finished epochs are kept, as on the Train page)."""
        for job in self.jobs.values():
            job.cancel()

    def pair(self) -> LanguagePair | None:
        """The two runs once both are complete, else None."""
        return pair_of(self.created, self.jobs[LANGUAGES[0]].root)


def start_experiment(
    train_cfg: TrainConfig | None = None, sentences: int = DEFAULT_SENTENCES, corpus_seed: int = 1, root=None
) -> Experiment:
    """Queue both models on both languages with the same settings as two background jobs (lib.runs.jobs), and write the
    manifest naming their runs; the pair shows in latest_pair once both are complete.

    Bad settings raise ValueError before anything is queued or written."""
    train_cfg = train_cfg or default_train_config()
    if not 100 <= sentences <= 100_000:
        raise ValueError(f"Use between 100 and 100,000 sentences per language (got {sentences:,}).")
    corpora = {lang: CorpusConfig(name=lang, seed=corpus_seed, sentences=sentences) for lang in LANGUAGES}
    train_cfg.validate()
    for cfg in corpora.values():
        cfg.validate()
    started = {lang: jobs.start(cfg, train_cfg, MODELS, root) for lang, cfg in corpora.items()}
    created = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-%f")
    atomic_write_json(
        manifest_dir(root) / f"{created}.json",
        {
            "experiment": EXPERIMENT,
            "created": created,
            "runs": {lang: job.run_id for lang, job in started.items()},
            "train": asdict(train_cfg),
            "sentences": sentences,
            "corpus_seed": corpus_seed,
        },
    )
    return Experiment(created, started)


def manifest_dir(root=None):
    return runs_dir(root) / ".experiments" / EXPERIMENT


def _read_pair(path, root) -> LanguagePair | None:
    """The manifest's pair if both its runs are readable and complete, else None."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        ids = manifest["runs"]
        runs = {lang: Run.open(runs_dir(root) / ids[lang]) for lang in LANGUAGES}
    except (OSError, ValueError, KeyError, TypeError):
        return None  # not trained yet, a deleted run or a damaged manifest
    if any(run.status()["state"] != "complete" for run in runs.values()):
        return None  # still training, cancelled or failed
    return LanguagePair(runs["toy-random"], runs["toy-proximity"], manifest.get("created", path.stem))


def pair_of(created: str, root=None) -> LanguagePair | None:
    """The experiment started at `created` (Experiment.created), once both its runs are complete."""
    return _read_pair(manifest_dir(root) / f"{created}.json", root)


def latest_pair(root=None) -> LanguagePair | None:
    """The newest experiment whose two runs are complete and readable, or None."""
    folder = manifest_dir(root)
    for path in sorted(folder.glob("*.json"), reverse=True) if folder.is_dir() else []:
        if (pair := _read_pair(path, root)) is not None:
            return pair
    return None


# ------------------------------------------------------------ tidy frames


def settings_summary(pair: LanguagePair) -> dict:
    """The shared settings, as one small dict for a caption."""
    t, c = pair.structured.config["train"], pair.structured.config["corpus"]
    return {
        "sentences": c.get("sentences"),
        "epochs": t["epochs"],
        "alpha": t["alpha"],
        "dim": t["dim"],
        "window": t["window"],
        "negative": t["negative"],
        "seed": t["seed"],
    }


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
                rows.append(
                    {
                        "language": lang,
                        "model": model,
                        "series": series_name(lang, model),
                        "epoch": m["epoch"],
                        "neighbor_precision": m.get("neighbor_precision"),
                        "chance": chance,
                    }
                )
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
                        rows.append(
                            {
                                "language": lang,
                                "model": model,
                                "series": series_name(lang, model),
                                "epoch": epoch,
                                "other": other,
                                "similarity": sim,
                                "designed": other in designed,
                            }
                        )
    return pd.DataFrame(rows)


def neighbour_table(similarities: pd.DataFrame, k: int = 4) -> pd.DataFrame:
    """The check word's k most similar words per epoch (rows) and series (columns), as 'ccc 0.81 ✓, …' text;
    ✓ marks a designed neighbour."""
    top = similarities.sort_values("similarity", ascending=False).groupby(["series", "epoch"], sort=False).head(k)
    top = top.assign(
        cell=[f"{o} {s:.2f}{' ✓' if d else ''}" for o, s, d in zip(top["other"], top["similarity"], top["designed"])]
    )
    cells = top.groupby(["epoch", "series"], sort=False)["cell"].agg(", ".join).unstack("series")
    order = [series_name(lang, model) for lang in LANGUAGES for model in MODELS]
    return cells[[s for s in order if s in cells.columns]].sort_index()


def scatter_frame(pair: LanguagePair, components: int = 2) -> pd.DataFrame:
    """PCA positions of all words per series and epoch, aligned across epochs (lib.views.projection): language, model,
    series, epoch, word, x, y (and z, for 3 components), letter (0 for aaa … 25 for zzz, for a colour ramp along
    the alphabet)."""
    parts = []
    for lang, run in pair.runs.items():
        frame = projection_frame(run, "pca", n_words=run.config["vocab_size"], components=components)
        parts.append(frame.assign(language=lang, series=[series_name(lang, m) for m in frame["model"]]))
    frame = pd.concat(parts, ignore_index=True)
    frame["letter"] = [ord(w[0]) - ord("a") if w and w[0].isalpha() else np.nan for w in frame["word"]]
    return frame[["language", "model", "series", "epoch", "word", "x", "y", *"z"[: components - 2], "letter"]]


def common_epochs(pair: LanguagePair) -> list[int]:
    """Epochs every model of both runs has finished."""
    sets = [set(run.common_epochs()) for run in pair.runs.values()]
    return sorted(set.intersection(*sets))

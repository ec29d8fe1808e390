"""Train both implementations on one corpus into a new run folder; also the command line `python -m lib.train`."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np

from lib.config import MODELS, CorpusConfig, TrainConfig
from lib.data.categories import read_category_file, run_categories
from lib.data.corpora import Corpus, load_corpus
from lib.data.pairs import examples_per_epoch
from lib.data.presets import preset, preset_name
from lib.data.questions import read_question_file
from lib.data.vocab import Encoded, Vocab
from lib.model.callbacks import CallbackList, Snapshot, Throttled, TrainingCallback
from lib.runs.listing import discard_run
from lib.runs.liveness import Heartbeat
from lib.runs.provenance import resolved_settings
from lib.runs.store import RUN_ID, Run, runs_dir, to_keyed_vectors
from lib.views.evaluate import Evaluator, Probe


@dataclass
class Prepared:
    """Everything both trainers share: the corpus, its vocabulary and its encoding."""

    corpus: Corpus
    vocab: Vocab
    encoded: Encoded
    analogies: str | None  # questions-words text the run is evaluated on (None: Google's, or none)
    categories: dict[str, str]  # word -> category for category purity and colours (vocabulary words only)
    categories_source: str  # where the categories come from, or why there are none


def check_settings(
    train_cfg: TrainConfig, models=None, root: str | None = None, run_id: str | None = None
) -> TrainConfig:
    """Everything that can be checked without the corpus, in a blink: the settings, the models (when given), the
    device and the new run's id; ValueError says what to change. train_run calls it first, the Train page on every
    edit."""
    train_cfg.validate()
    if models is not None:
        if not [m for m in MODELS if m in models]:
            raise ValueError(f"Choose at least one model of {', '.join(MODELS)}.")
        train_cfg.check_models(models)
    if train_cfg.device == "cuda":
        from lib.model.torch_trainer import resolve_device  # imports torch: only when a GPU is asked for

        resolve_device("cuda")
    if run_id is not None:
        if not RUN_ID.fullmatch(run_id):
            raise ValueError(f"A run id is letters, digits, '-' and '_' only (got {run_id!r}).")
        if (runs_dir(root) / run_id).exists():
            raise ValueError(f"There is a run {run_id} already; choose another run id.")
    return train_cfg


def prepare(
    corpus_cfg: CorpusConfig,
    train_cfg: TrainConfig,
    analogies_path: str | None = None,
    categories_path: str | None = None,
) -> Prepared:
    """Load and check everything before any run folder is made; ValueError says what to change. The files a
    user gives are read before the corpus, which can take a while."""
    check_settings(train_cfg)
    corpus_cfg.validate()
    user_categories = read_category_file(categories_path) if categories_path else None
    user_analogies = read_question_file(analogies_path) if analogies_path else None
    corpus = load_corpus(corpus_cfg)
    vocab = Vocab.build(corpus.sentences, train_cfg.min_count).validate(train_cfg.negative, train_cfg.loss)
    analogies = user_analogies or corpus.analogies
    categories, source = run_categories(vocab.words, corpus.categories, corpus.natural, user_categories)
    return Prepared(corpus, vocab, vocab.encode(corpus.sentences), analogies, categories, source)


DIVERGED_FACTOR = 2.0  # a probe loss this many times its random-start value means training has diverged


class Diverged(ValueError):
    """One model's training diverged (check_diverged): it stops there, and the run's other models still train."""


def check_diverged(snapshot: Snapshot, loss: float | None, start_loss: float | None, cfg: TrainConfig) -> None:
    """The one divergence rule for both models: raise ValueError, saying what to change, when an epoch left
    non-finite vectors or a probe loss above DIVERGED_FACTOR × the random start's (training only lowers it)."""
    finite = np.isfinite(snapshot.vectors).all() and (loss is None or np.isfinite(loss))
    if finite and (loss is None or start_loss is None or loss <= DIVERGED_FACTOR * start_loss):
        return
    what = f"probe loss {loss:.4g}, {start_loss:.4g} at the random start" if finite else "vectors not finite"
    rate = ("adam_lr", cfg.adam_lr) if snapshot.model == "pytorch" and cfg.optimizer == "adam" else ("alpha", cfg.alpha)
    raise Diverged(
        f"The {snapshot.model} model diverged in epoch {snapshot.epoch} ({what}): lower {rate[0]} "
        f"(now {rate[1]:g}), e.g. to {rate[1] / 4:g}, and train again."
    )


class SnapshotWriter(TrainingCallback):
    """Evaluates every snapshot, stops a diverged model (check_diverged), and writes the snapshot into the run
    folder (vectors, then metrics)."""

    def __init__(self, run: Run, evaluator: Evaluator):
        self.run, self.evaluator = run, evaluator
        self.start_loss: dict[str, float | None] = {}  # model -> probe loss at epoch 0

    def on_epoch_end(self, snapshot: Snapshot) -> None:
        kv = to_keyed_vectors(self.evaluator.vocab, snapshot.vectors)
        metrics = {
            "seconds": snapshot.seconds,
            "words_per_sec": snapshot.words_per_sec,
            "train_loss": snapshot.train_loss,
            "pairs": snapshot.pairs,
            "pair_seconds": snapshot.pair_seconds,
            **self.evaluator.metrics(kv, snapshot.vectors, snapshot.out_vectors, snapshot.model),
        }
        start = self.start_loss.setdefault(snapshot.model, metrics["loss"])
        check_diverged(snapshot, metrics["loss"], start, self.evaluator.cfg)
        self.run.write_epoch(snapshot.model, snapshot.epoch, snapshot.vectors, metrics, snapshot.out_vectors)


class ProgressWriter(TrainingCallback):
    """Keeps progress.json current, so a page in another process can draw progress bars."""

    def __init__(self, run: Run):
        self.run = run

    def on_epoch_begin(self, model, epoch):
        self.run.write_progress(model, epoch, 0.0, None)

    def on_progress(self, model, epoch, done, loss):
        self.run.write_progress(model, epoch, done, loss)


def train_run(
    corpus_cfg: CorpusConfig,
    train_cfg: TrainConfig,
    models=MODELS,
    root: str | None = None,
    analogies_path: str | None = None,
    callbacks=(),
    prepared: Prepared | None = None,
    categories_path: str | None = None,
    run_id: str | None = None,
) -> Run:
    """Train the chosen models one after the other into a new run folder (named run_id, else a fresh id) and
    return it. A model that diverges stops there and the others still train; the run is then marked incomplete and
    Diverged raised. Whatever stops a run marks it incomplete, keeping its saved epochs; a run that saved none is
    removed.

    >>> import tempfile
    >>> run = train_run(CorpusConfig("toy-pos", sentences=200),
    ...                 TrainConfig(epochs=1, dim=8, min_count=1, negative=3, workers=1), root=tempfile.mkdtemp())
    >>> run.status()["state"], run.models, run.common_epochs()
    ('complete', ['pytorch', 'gensim'], [0, 1])
    >>> 0 <= run.metrics("gensim")[-1]["category_purity"] <= 1  # toy-pos: words of one part of speech together
    True
    """
    check_settings(train_cfg, models, root, run_id)
    models = [m for m in MODELS if m in models]
    p = prepared or prepare(corpus_cfg, train_cfg, analogies_path, categories_path)
    # what only the trainer can refuse (full softmax over a large vocabulary), before the folder
    if "pytorch" in models:
        from lib.model.torch_trainer import check_pytorch

        check_pytorch(train_cfg, p.vocab)
    resolved = resolved_settings(train_cfg, len(p.vocab))  # before the folder: a missing GPU makes no half-made run
    run = _create(corpus_cfg, train_cfg, models, root, p, resolved, run_id)
    evaluator = Evaluator(
        p.vocab,
        train_cfg,
        Probe.draw(p.encoded, p.vocab, train_cfg),
        natural=p.corpus.natural,
        analogies=str(run.analogies_path()) if run.analogies_path() else None,
        true_neighbours=p.corpus.true_neighbours,
        categories=p.categories,
    )
    cb = CallbackList([SnapshotWriter(run, evaluator), Throttled(ProgressWriter(run), 0.5), *callbacks])
    _train_models(run, models, p, train_cfg, cb)
    run.set_status("complete")
    return run


def _create(
    corpus_cfg: CorpusConfig,
    train_cfg: TrainConfig,
    models: list[str],
    root: str | None,
    p: Prepared,
    resolved: dict,
    run_id: str | None,
) -> Run:
    """The run's folder with its config (the corpus's design and what will run, resolved) and vocabulary."""
    return Run.create(
        root,
        corpus_cfg,
        train_cfg,
        models,
        p.vocab,
        corpus_name=p.corpus.name,
        n_tokens=p.corpus.n_tokens,
        analogies=p.analogies,
        extra={
            "natural": p.corpus.natural,
            "groups": p.corpus.groups,
            "true_neighbours": p.corpus.true_neighbours,
            "check_word": p.corpus.check_word,
            "description": p.corpus.description,
            "categories": p.categories,
            "categories_source": p.categories_source,
            "ordered": p.corpus.ordered,
            "preset": {"name": preset_name(corpus_cfg.name), "settings": preset(corpus_cfg.name)},
            "resolved": resolved,
        },
        run_id=run_id,
    )


def _train_models(run: Run, models: list[str], p: Prepared, train_cfg: TrainConfig, cb: CallbackList) -> None:
    """Each model in turn, while the heartbeat beats. A model that diverges stops and the others still train (then
    Diverged); whatever stops the run marks it incomplete, keeping its saved epochs, or removes a run that saved
    none."""
    diverged: list[Diverged] = []
    try:
        with Heartbeat(run):  # "training" stays true only while this process beats
            for model in models:
                try:
                    _train_model(model, p, train_cfg, cb)
                except Diverged as exc:  # that model stops; the others still train, so the run compares what it can
                    diverged.append(exc)
        if diverged:
            raise Diverged(" ".join(map(str, diverged)))
    except BaseException as exc:  # noqa: BLE001 -- record why, keep every saved epoch, then let it go on
        reason = "cancelled" if isinstance(exc, (KeyboardInterrupt, SystemExit)) else f"failed: {exc}"
        try:
            if any(run.epochs(model) for model in models):
                run.set_status("incomplete", reason)
            else:  # not even a random start saved (a full disk): no run is left that has nothing to show
                discard_run(run)
        except (OSError, ValueError):  # a full disk: exc says so; the stopped heartbeat reads as incomplete
            pass
        raise


def _train_model(model: str, p: Prepared, train_cfg: TrainConfig, cb: CallbackList) -> None:
    """Train one model of the run on the prepared corpus, handing every snapshot to the callbacks."""
    if model == "pytorch":
        from lib.model.torch_trainer import train_pytorch

        train_pytorch(p.encoded, p.vocab, train_cfg, cb)
    else:
        from lib.model.gensim_trainer import train_gensim

        examples = examples_per_epoch(
            p.encoded,
            p.vocab.keep_probability(train_cfg.sample),
            train_cfg.window,
            train_cfg.architecture,
            train_cfg.seed,
            train_cfg.shrink_windows,
        )
        train_gensim(
            p.corpus.sentences, p.vocab, train_cfg, cb, examples_per_epoch=examples, words_per_epoch=len(p.encoded)
        )


# ------------------------------------------------------------ command line


if __name__ == "__main__":  # python -m lib.train: the command line is lib.cli
    from lib.cli import run_cli

    sys.exit(run_cli())

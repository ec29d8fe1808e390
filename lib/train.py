"""Train both implementations on one corpus into a new run folder; also the command line `python -m lib.train`."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from dataclasses import dataclass, fields, replace
from pathlib import Path

import numpy as np

from lib.config import ARCHITECTURES, LOSSES, MODELS, OPTIMIZERS, CorpusConfig, TrainConfig, cli_flag
from lib.data.categories import read_category_file, run_categories
from lib.data.corpora import CORPORA, WIKITEXT_ENV, Corpus, load_corpus
from lib.data.pairs import examples_per_epoch
from lib.data.presets import preset, preset_config, preset_name
from lib.data.questions import read_question_file
from lib.data.vocab import Encoded, Vocab
from lib.model.callbacks import CallbackList, Snapshot, Throttled, TqdmProgress, TrainingCallback
from lib.runs.provenance import resolved_settings
from lib.runs.listing import damaged_runs, discard_run, find_run, list_runs
from lib.runs.liveness import Heartbeat
from lib.runs.store import RUN_ID, Run, runs_dir, to_keyed_vectors
from lib.views.evaluate import Evaluator, Probe

EPOCH_KEYS = ("epoch", "seconds", "loss", "words_per_sec")
OPTIONAL_KEYS = (
    "analogy_accuracy",
    "analogy_coverage",
    "ws353_spearman",
    "neighbor_precision",
    "category_purity",
    "category_purity_chance",
)


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
    if (
        "pytorch" in models
    ):  # what only the trainer can refuse (full softmax over a large vocabulary), before the folder
        from lib.model.torch_trainer import check_pytorch

        check_pytorch(train_cfg, p.vocab)
    resolved = resolved_settings(train_cfg, len(p.vocab))  # before the folder: a missing GPU makes no half-made run
    run = Run.create(
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
    run.set_status("complete")
    return run


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


def epoch_rows(run: Run) -> dict[str, list[dict]]:
    """Per model, one dict per epoch with the keys the --json output promises."""
    out = {}
    for model in run.models:
        rows = []
        for m in run.metrics(model):
            row = {k: m.get(k) for k in EPOCH_KEYS}
            row.update({k: m[k] for k in OPTIONAL_KEYS if k in m})
            rows.append(row)
        out[model] = rows
    return out


def epoch_table(run: Run) -> str:
    """Both models side by side, one line per epoch."""
    import pandas as pd

    frames = []
    for model, rows in epoch_rows(run).items():
        if not rows:
            continue
        frame = pd.DataFrame(rows).set_index("epoch")
        frame.columns = pd.MultiIndex.from_product([[model], frame.columns])
        frames.append(frame)
    if not frames:
        return "(no finished epoch)"
    table = pd.concat(frames, axis=1)
    return table.to_string(float_format=lambda x: f"{x:,.4g}" if abs(x) < 1000 else f"{x:,.0f}", na_rep="-")


# ------------------------------------------------------------ command line


# what --help shows after a flag (TrainConfig.validate checks the values)
CHOICES = {"architecture": ARCHITECTURES, "loss": LOSSES, "optimizer": OPTIMIZERS, "device": ("auto", "cpu", "cuda")}
KINDS = {"int": (int, "N"), "float": (float, "X"), "str": (str, "TEXT")}


def _metavar(name: str, kind: str) -> str:
    """What --help shows after a flag: {a,b} for a choice, DIR for a folder, else N / X / TEXT."""
    if name in CHOICES:
        return "{" + ",".join(CHOICES[name]) + "}"
    return "DIR" if name.endswith("_dir") else KINDS[kind][1]


def _add_dataclass_options(parser: argparse.ArgumentParser, cls, skip=(), default_note="") -> None:
    for f in fields(cls):
        if f.name in skip:
            continue
        flag = cli_flag(cls, f.name)
        help_text = f"{f.metadata.get('help', '')} (default: {f.default}{default_note})"
        # default None: a flag not given leaves the value to the corpus preset, then the dataclass default;
        # booleans are --name / --no-name, so that a default of True can be turned off
        if f.type in ("bool", bool):
            parser.add_argument(
                flag,
                dest=f"{cls.__name__}.{f.name}",
                action=argparse.BooleanOptionalAction,
                default=None,
                help=help_text,
            )
        else:
            kind = f.type if isinstance(f.type, str) else f.type.__name__
            parser.add_argument(
                flag,
                dest=f"{cls.__name__}.{f.name}",
                type=KINDS[kind][0],
                default=None,
                metavar=_metavar(f.name, kind),
                help=help_text,
            )


def _config_from_args(args: argparse.Namespace, cls, base=None):
    """The flags given on the command line, over base (or over the dataclass defaults)."""
    prefix = cls.__name__ + "."
    given = {k[len(prefix) :]: v for k, v in vars(args).items() if k.startswith(prefix) and v is not None}
    return replace(base, **given) if base is not None else cls(**given)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lib.train",
        description="Train the PyTorch word2vec and gensim's Word2Vec on the same corpus, saving every epoch.",
    )
    parser.add_argument(
        "--corpus",
        default="toy-proximity",
        metavar="NAME|FILE",
        help=f"one of {', '.join(CORPORA)}, or a path to a UTF-8 text file (default: toy-proximity)",
    )
    parser.add_argument(
        "--models", default=",".join(MODELS), metavar="LIST", help="comma-separated, of pytorch,gensim (default: both)"
    )
    parser.add_argument(
        "--analogies", metavar="FILE", help="analogy questions in questions-words format to evaluate on"
    )
    parser.add_argument(
        "--categories",
        metavar="FILE",
        help="word<TAB>category file: colours the plots and is scored as category purity "
        "(default: the corpus's design, or the lists in data/)",
    )
    parser.add_argument("--runs-dir", metavar="DIR", help="where run folders go (default: $W2V_RUNS_DIR or runs/)")
    parser.add_argument(
        "--run-id", metavar="ID", help="name of the new run's folder (default: time, corpus, random digits)"
    )
    parser.add_argument("--json", action="store_true", help="end stdout with one JSON line describing the run")
    parser.add_argument("--list-runs", action="store_true", help="list the runs in the runs folder and exit")
    parser.add_argument(
        "--show-run",
        metavar="RUN",
        help="print a run's per-epoch table and exit (its folder, its id, or the id's unique beginning)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument(
        "--wikitext-dir",
        metavar="DIR",
        help="folder with WikiText-2's text files, for this run (default: "
        "$WIKITEXT2_DIR, else download with `datasets`)",
    )
    _add_dataclass_options(parser, TrainConfig, default_note=", unless the corpus preset sets it")
    _add_dataclass_options(parser, CorpusConfig, skip=("name",))
    return parser


LIST_WIDTH = 100  # --list-runs lines stay within this many columns
HEADLINES = {
    "analogy_accuracy": "analogy",
    "neighbor_precision": "nbr-prec",
    "category_purity": "purity",
    "ws353_spearman": "ws353",
    "loss": "loss",
}  # the first one a run has is its headline metric
SHORT = {"skipgram": "sg", "negative": "neg"}


def _short(text: str, width: int) -> str:
    """text cut to width, its end replaced by '...' (a run id so cut still works as --show-run's beginning)."""
    return text if len(text) <= width else text[: max(0, width - 3)] + "..."


def _list_row(summary: dict) -> dict:
    """One --list-runs line: id, corpus, state, epochs done of planned, key settings, one metric per model."""
    done = [summary[f"{m}_epochs"] for m in MODELS if f"{m}_epochs" in summary]
    metric = next((k for k in HEADLINES if any(f"{m}_{k}" in summary for m in MODELS)), None)
    settings = (
        f"{SHORT.get(summary['architecture'], summary['architecture'])} "
        f"{SHORT.get(summary['loss'], summary['loss'])} d{summary['dim']} w{summary['window']}"
    )
    row = {
        "RUN": summary["run"],
        "CORPUS": _short(str(summary["corpus"]), 14),
        "STATE": summary["state"],
        "EPOCHS": f"{min(done, default=0)}/{summary['epochs']}",
        "SETTINGS": _short(settings, 20),
        "METRIC": HEADLINES.get(metric, "-"),
    }
    for m in MODELS:
        value = summary.get(f"{m}_{metric}")
        row[m.upper()] = "-" if value is None else f"{value:.3f}" if abs(value) < 100 else f"{value:.0f}"
    return row


def list_runs_table(root: str | None) -> str:
    """Every run on one line of at most LIST_WIDTH columns, newest first (ids cut to fit end in '...')."""
    rows = [_list_row(r.summary()) for r in list_runs(root)]
    if not rows:
        return f"No runs in {runs_dir(root)}."
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    widths["RUN"] = min(widths["RUN"], LIST_WIDTH - sum(widths[c] + 2 for c in columns[1:]))
    lines = [columns] + [[_short(str(r[c]), widths[c]) if c == "RUN" else str(r[c]) for c in columns] for r in rows]
    return "\n".join("  ".join(cell.ljust(widths[c]) for c, cell in zip(columns, line)).rstrip() for line in lines)


def _find_run(text: str, root: str | None) -> Run:
    """--show-run's run: a folder, an id, or the unique beginning of an id (as --list-runs may cut it)."""
    if not text.strip():
        raise ValueError("--show-run needs a run's folder or id (see --list-runs).")
    try:
        return find_run(text, root)
    except ValueError:
        stem = text.removesuffix("...")
        matches = [r for r in list_runs(root) if r.id.startswith(stem)] if RUN_ID.fullmatch(stem) else []
        if len(matches) > 1:
            many = f"{len(matches)} run ids begin with {stem}: give more of the id (see --list-runs)."
            raise ValueError(many) from None
        if not matches:
            raise
        return matches[0]


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # cancelling from the app: stop, mark incomplete
    try:
        if args.list_runs:
            print(list_runs_table(args.runs_dir))
            for name, reason in damaged_runs(args.runs_dir):
                print(f"warning: skipped {name}: {reason}", file=sys.stderr)
            return 0
        if args.show_run is not None:
            run = _find_run(args.show_run, args.runs_dir)
            print(f"run {run.id}: {run.status()['state']} ({run.path})")
            print(epoch_table(run))
            return 0
        if args.wikitext_dir:  # the server's setting, given on the command line (the app's jobs never do)
            os.environ[WIKITEXT_ENV] = args.wikitext_dir
        train_cfg = _config_from_args(args, TrainConfig, preset_config(args.corpus))
        corpus_cfg = CorpusConfig(
            name=args.corpus, **{k: v for k, v in vars(_config_from_args(args, CorpusConfig)).items() if k != "name"}
        )
        models = [m.strip() for m in args.models.split(",") if m.strip()]
        unknown = [m for m in models if m not in MODELS]
        if unknown or not models:
            raise ValueError(f"--models takes a comma-separated list of {', '.join(MODELS)} (got {args.models!r}).")
        callbacks = [] if args.quiet else [TqdmProgress(file=sys.stderr)]
        run = train_run(
            corpus_cfg,
            train_cfg,
            models,
            args.runs_dir,
            args.analogies,
            callbacks,
            categories_path=args.categories,
            run_id=args.run_id,
        )
    except BrokenPipeError:
        raise  # the reader went away (`... | head`): handled where the program starts
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"run {run.id}: {run.status()['state']} ({run.path})")
    print(epoch_table(run))
    if args.json:
        print(
            json.dumps(
                {
                    "run_dir": str(Path(run.path).resolve()),
                    "vocab_size": run.config["vocab_size"],
                    "models": epoch_rows(run),
                }
            )
        )
    return 0


def run_cli() -> int:
    """main(), quiet when stdout's reader goes away early (`python -m lib.train --list-runs | head -3`): the
    recipe of Python's docs, https://docs.python.org/3/library/signal.html#note-on-sigpipe ."""
    try:
        code = main()
        sys.stdout.flush()  # a broken pipe shows here rather than at exit, where it could not be caught
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush at exit
        return 1
    finally:
        from lib.runs.jobs import hand_on

        hand_on()  # started by the app's queue and its server is gone: start the next waiting training
    return code


if __name__ == "__main__":
    sys.exit(run_cli())

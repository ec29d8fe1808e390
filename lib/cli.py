"""The command line, python -m lib.train: train a run (one option per setting), --list-runs, --show-run; a one-line
error and exit status 2 for bad input."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from dataclasses import fields, replace
from pathlib import Path

from lib.config import ARCHITECTURES, LOSSES, MODELS, OPTIMIZERS, CorpusConfig, TrainConfig, cli_flag
from lib.data.corpora import CORPORA, WIKITEXT_ENV
from lib.data.presets import preset_config
from lib.model.callbacks import TqdmProgress
from lib.runs.listing import damaged_runs, find_run, list_runs
from lib.runs.store import RUN_ID, Run, runs_dir
from lib.train import train_run

EPOCH_KEYS = ("epoch", "seconds", "loss", "words_per_sec")
OPTIONAL_KEYS = (
    "analogy_accuracy",
    "analogy_coverage",
    "ws353_spearman",
    "neighbor_precision",
    "category_purity",
    "category_purity_chance",
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
    """One table per model, one line per epoch, its columns named short enough to fit a terminal."""
    import pandas as pd

    parts = []
    for model, rows in epoch_rows(run).items():
        if rows:
            frame = pd.DataFrame(rows).set_index("epoch").rename(columns=COLUMN_NAMES)
            table = frame.to_string(float_format=lambda x: f"{x:,.4g}" if abs(x) < 1000 else f"{x:,.0f}", na_rep="-")
            parts.append(f"{model}\n{table}")
    return "\n\n".join(parts) or "(no finished epoch)"


COLUMN_NAMES = {
    "words_per_sec": "words/s",
    "train_loss": "train loss",
    "analogy_accuracy": "analogy",
    "analogy_coverage": "coverage",
    "ws353_spearman": "ws353",
    "neighbor_precision": "nbr-prec",
    "category_purity": "purity",
    "category_purity_chance": "chance",
}  # --show-run's column headings


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


HEADLINES = {
    "analogy_accuracy": "analogy",
    "neighbor_precision": "nbr-prec",
    "category_purity": "purity",
    "ws353_spearman": "ws353",
    "loss": "loss",
}  # the first one a run has is its headline metric


SHORT = {"skipgram": "sg", "negative": "neg"}


def _short(text: str, width: int) -> str:
    """text cut to width, its end replaced by '...'."""
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
        "CORPUS": _short(str(summary["corpus"]), 14),
        "STATE": summary["state"],
        "EPOCHS": f"{min(done, default=0)}/{summary['epochs']}",
        "SETTINGS": _short(settings, 20),
        "METRIC": HEADLINES.get(metric, "-"),
    }
    for m in MODELS:
        value = summary.get(f"{m}_{metric}")
        row[m.upper()] = "-" if value is None else f"{value:.3f}" if abs(value) < 100 else f"{value:.0f}"
    row["RUN"] = summary["run"]
    return row


def list_runs_table(root: str | None) -> str:
    """Every run on one line, newest first: its corpus and settings cut to fit (at most 80 columns in all), then
    the run's whole id, last, to copy into --show-run."""
    rows = [_list_row(r.summary()) for r in list_runs(root)]
    if not rows:
        return f"No runs in {runs_dir(root)}."
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    lines = [columns] + [[str(r[c]) for c in columns] for r in rows]
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

"""The numbers behind a run, for the Home and How it works pages: per-epoch metrics, subsampling, noise, batches."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd

from lib.config import ADAM_BATCH, BATCH_PER_WORD, BATCH_RANGE, ROW_STEP, TrainConfig, replace
from lib.data.pairs import examples_per_epoch
from lib.data.vocab import Vocab
from lib.runs.files import json_bytes
from lib.runs.provenance import resolved_settings
from lib.runs.store import Run

EPOCH_COLUMNS = ("loss", "train_loss", "words_per_sec", "seconds", "pairs")
EXACT_PAIRS_MAX_TOKENS = 1_000_000  # count an epoch's pairs exactly (reloading the corpus) only below this size
PAIRS_CACHE = "explain.json"  # in the run's cache folder: exact_pairs' count and what it was counted from


def epoch_frame(run: Run, columns=EPOCH_COLUMNS) -> pd.DataFrame:
    """One row per (model, epoch) with the saved metrics named in columns (NaN where a model has no value)."""
    rows = [
        {"model": model, "epoch": m["epoch"], **{k: m.get(k) for k in columns}}
        for model in run.models
        for m in run.metrics(model)
    ]
    frame = pd.DataFrame(rows, columns=["model", "epoch", *columns])
    return frame.astype({k: float for k in columns})


def long_form(frame: pd.DataFrame, columns: list[str], names: dict[str, str] | None = None) -> pd.DataFrame:
    """Long form of epoch_frame for charts: model, epoch, measure, value (rows without a value dropped)."""
    long = frame.melt(id_vars=["model", "epoch"], value_vars=columns, var_name="measure", value_name="value")
    long["measure"] = long["measure"].map(lambda c: (names or {}).get(c, c))
    return long.dropna(subset=["value"]).reset_index(drop=True)


def top_words(vocab: Vocab, cfg: TrainConfig, n: int = 10) -> pd.DataFrame:
    """The n commonest words: their share of the corpus, the chance subsampling drops each occurrence, and how
    often they are drawn as negatives (∝ count^ns_exponent) compared with their plain frequency."""
    n = min(n, len(vocab))
    counts = vocab.counts[:n]
    keep = vocab.keep_probability(cfg.sample)[:n]
    noise = vocab.noise_distribution(cfg.ns_exponent)[:n]
    return pd.DataFrame(
        {
            "word": list(vocab.words[:n]),
            "count": counts,
            "frequency": counts / vocab.total,
            "discard probability": 1.0 - keep,
            "noise probability": noise,
        }
    )


def tidy_words(table: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Long form of top_words for grouped bars: word, measure, value, for the columns named in names."""
    long = table.melt(id_vars=["word"], value_vars=list(names), var_name="measure", value_name="value")
    long["measure"] = long["measure"].map(names)
    return long


def kept_tokens(vocab: Vocab, sample: float) -> float:
    """Expected corpus words left after subsampling: Σ count · keep probability."""
    return float((vocab.counts * vocab.keep_probability(sample)).sum())


def expected_pairs(vocab: Vocab, cfg: TrainConfig) -> float:
    """Skip-gram pairs per epoch if no sentence ever ended: each kept word pairs with 2b neighbours, b uniform in
    1..window, so window + 1 on average (sentence ends make the real count smaller)."""
    return kept_tokens(vocab, cfg.sample) * (cfg.window + 1)


def measured_pairs(run: Run) -> int | None:
    """The (input, output) pairs the PyTorch model trained on in its last finished epoch, when it recorded them."""
    for model in run.models:
        done = [m for m in run.metrics(model) if m.get("pairs")]
        if done:
            return int(done[-1]["pairs"])
    return None


def pairs_key(run: Run, vocab: Vocab) -> dict:
    """What an epoch's exact pair count depends on: the corpus, the vocabulary and the pair-making settings."""
    from lib.data.corpora import WIKITEXT_ENV  # imports gensim: only when asked

    cfg = run.train_config
    return {
        "corpus": run.config.get("corpus"),
        "wikitext_dir": bool(os.environ.get(WIKITEXT_ENV)),
        "vocab_size": len(vocab),
        "vocab_tokens": int(vocab.total),
        "sample": cfg.sample,
        "window": cfg.window,
        "architecture": cfg.architecture,
        "seed": cfg.seed,
        "shrink_windows": cfg.shrink_windows,
    }


def count_pairs(run: Run, vocab: Vocab) -> int | None:
    """lib.data.pairs.examples_per_epoch for the run's corpus (one draw); None when the corpus is larger than
    EXACT_PAIRS_MAX_TOKENS or cannot be loaded here (an upload removed, WikiText-2 neither in a folder nor
    downloadable). Loading the corpus takes seconds, tens when `datasets` waits for a network that is not there."""
    from lib.data.corpora import load_corpus  # imports gensim: only when the count is not cached yet

    if (run.config.get("n_tokens") or 0) > EXACT_PAIRS_MAX_TOKENS:
        return None
    cfg = run.train_config
    try:
        corpus = load_corpus(run.corpus_config)
    except (ValueError, OSError):
        return None
    value = examples_per_epoch(
        vocab.encode(corpus.sentences),
        vocab.keep_probability(cfg.sample),
        cfg.window,
        cfg.architecture,
        cfg.seed,
        cfg.shrink_windows,
    )
    return int(value)


def exact_pairs(run: Run, vocab: Vocab | None = None) -> int | None:
    """count_pairs, worked out once per run and kept in its cache folder, None included (finished runs never
    change, and the file says what it was counted from, so a changed run is counted again). A disk that cannot be
    written (read-only) only means counting again next time."""
    vocab = run.vocab() if vocab is None else vocab
    key = json.loads(json.dumps(pairs_key(run, vocab)))  # as it reads back from JSON
    try:
        saved = json.loads(run.read_cache(PAIRS_CACHE) or b"{}")
        if saved.get("key") == key:
            return saved["examples_per_epoch"]
    except (ValueError, KeyError, AttributeError):
        pass
    result = count_pairs(run, vocab)
    run.write_cache(PAIRS_CACHE, data=json_bytes({"key": key, "examples_per_epoch": result}))
    return result


def learning_rates(cfg: TrainConfig) -> pd.DataFrame:
    """SGD's learning rate at the start of each epoch and at the very end: α − (α − α_min) · progress."""
    epochs = np.arange(cfg.epochs + 1)
    return pd.DataFrame({"epoch": epochs, "learning rate": cfg.learning_rate(epochs / cfg.epochs)})


def what_ran(run: Run, vocab_size: int) -> dict:
    """The run's recorded device, threads, batch, step and versions (lib.runs.provenance); for runs made before they
    were recorded, computed on this machine instead, with "recorded": False."""
    if "resolved" in run.config:
        return {**run.config["resolved"], "recorded": True}
    cfg = run.train_config
    try:
        resolved = resolved_settings(cfg, vocab_size)
    except ValueError:  # asked for CUDA, and this machine has none
        resolved = resolved_settings(replace(cfg, device="cpu"), vocab_size)
    return {**resolved, "recorded": False}


def batch_sizes(cfg: TrainConfig, vocab_size: int, ran: dict) -> dict:
    """The PyTorch batch the run used (ran: what_ran), and why TrainConfig.resolved_batch_size picked it."""
    if cfg.batch_size:
        why = f"batch_size = {cfg.batch_size} was set by hand"
    elif cfg.optimizer == "adam":
        why = f"Adam's default of {ADAM_BATCH} examples"
    else:
        rows = cfg.rows_per_example(vocab_size)
        why = (
            f"{vocab_size:,} vocabulary words × {ROW_STEP:g} / (alpha {cfg.alpha:g} × {rows:.3g} rows per "
            f"example) = {cfg.row_step_batch(vocab_size):,.0f}, at most {BATCH_PER_WORD} × {vocab_size:,} and "
            f"kept within {BATCH_RANGE[0]:,} … {BATCH_RANGE[1]:,}"
        )
    shared, step = ran["step"] == "window", ran["worker_batch"]
    return {
        "batch": ran["batch_size"],
        "why": why,
        "shared": shared,
        "threads": ran["pytorch_threads"],
        "per_thread": None if shared else step,
        "pairs_per_window_step": step if shared else None,
        "row_step": ROW_STEP,
        "batch_negatives": cfg.batch_negatives if ran["step"] == "batch" else 0,
    }


def pipeline_numbers(run: Run, vocab: Vocab) -> dict:
    """The selected run's sizes at each step of the pipeline, for the How it works page."""
    cfg = run.train_config
    ran = what_ran(run, len(vocab))
    return {
        "tokens": run.config.get("n_tokens"),
        "vocab_size": len(vocab),
        "vocab_tokens": vocab.total,
        "kept_tokens": kept_tokens(vocab, cfg.sample),
        "expected_pairs": expected_pairs(vocab, cfg),
        "measured_pairs": measured_pairs(run),
        "ran": ran,
        **batch_sizes(cfg, len(vocab), ran),
    }

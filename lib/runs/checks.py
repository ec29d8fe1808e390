"""What a readable run looks like: the checks on config.json, status.json, metrics.json, vocab.tsv and the vectors
files that Run.open and every reader apply, each saying what is wrong."""

from __future__ import annotations

import functools
import os
from dataclasses import MISSING, fields
from pathlib import Path

import numpy as np

from lib.config import ARCHITECTURES, LOSSES, MODELS, OPTIMIZERS, CorpusConfig, TrainConfig, from_dict
from lib.data.vocab import Vocab

CONFIG_TYPES = {
    "corpus_name": str,
    "created": str,
    "groups": dict,
    "categories": dict,
    "true_neighbours": dict,
    "check_word": str,
    "description": str,
    "categories_source": str,
    "natural": bool,
    "ordered": bool,
    "preset": dict,
    "resolved": dict,
}  # optional keys of config.json, when present and not null


METRIC_NUMBERS = (
    "loss",
    "train_loss",
    "seconds",
    "words_per_sec",
    "pairs",
    "pair_seconds",
    "analogy_accuracy",
    "analogy_coverage",
    "ws353_spearman",
    "neighbor_precision",
    "category_purity",
    "category_purity_chance",
)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_fields(cls, data) -> str | None:
    """Why a config section saved with asdict() cannot be read back as cls, or None."""
    if not isinstance(data, dict):
        return f"its {cls.__name__} section is a {type(data).__name__}, not an object"
    for f in fields(cls):
        if f.name not in data:
            continue
        value, default = data[f.name], f.default if f.default is not MISSING else None
        ok = (
            isinstance(value, bool)
            if isinstance(default, bool)
            else _is_int(value)
            if isinstance(default, int)
            else _is_number(value)
            if isinstance(default, float)
            else isinstance(value, str)
            if isinstance(default, str)
            else True
        )
        if not ok:
            return f"{f.name} is {value!r}, not a {type(default).__name__}"
    return None


def check_config(cfg) -> str | None:
    """Why a config.json's contents are not safe to show, or None."""
    if not isinstance(cfg, dict):
        return f"it holds a {type(cfg).__name__}, not an object"
    models = cfg.get("models")
    if (
        not isinstance(models, list)
        or not models
        or any(m not in MODELS for m in models)
        or len(set(models)) != len(models)
    ):
        return f"models must be a list of {', '.join(MODELS)} (got {models!r})"
    for key, cls in (("train", TrainConfig), ("corpus", CorpusConfig)):
        if key not in cfg:
            return f"it has no {key} settings"
        why = _check_fields(cls, cfg[key])
        if why:
            return why
    train = from_dict(TrainConfig, cfg["train"])
    for name, allowed in (("architecture", ARCHITECTURES), ("loss", LOSSES), ("optimizer", OPTIMIZERS)):
        if getattr(train, name) not in allowed:
            return f"{name} is {getattr(train, name)!r}, not one of {', '.join(allowed)}"
    if train.dim <= 0:
        return f"dim is {train.dim}"
    for key in ("vocab_size", "n_tokens"):
        if not _is_int(cfg.get(key)) or cfg[key] < 0:
            return f"{key} is {cfg.get(key)!r}, not a count"
    for key, kind in CONFIG_TYPES.items():
        if cfg.get(key) is not None and not isinstance(cfg[key], kind):
            return f"{key} is a {type(cfg[key]).__name__}, not a {kind.__name__}"
    return None


def check_status(status) -> str | None:
    """Why a status.json's contents are not a status, or None."""
    return None if isinstance(status, dict) and isinstance(status.get("state"), str) else "it has no state"


def check_metrics(entries) -> str | None:
    """Why a metrics.json's contents are not a list of epoch entries, or None."""
    if not isinstance(entries, list):
        return f"it holds a {type(entries).__name__}, not a list"
    for entry in entries:
        if not isinstance(entry, dict) or not _is_int(entry.get("epoch")) or entry["epoch"] < 0:
            return f"an entry has no epoch number ({str(entry)[:60]})"
        bad = next((k for k in METRIC_NUMBERS if entry.get(k) is not None and not _is_number(entry[k])), None)
        if bad:
            return f"epoch {entry['epoch']}'s {bad} is {entry[bad]!r}, not a number"
    return None


def npy_shape(path: Path) -> tuple[tuple[int, ...], np.dtype]:
    """An .npy file's shape and dtype from its header; ValueError when it is not a whole, plain .npy file."""
    with open(path, "rb") as f:
        version = np.lib.format.read_magic(f)
        read_header = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}.get(
            version
        )
        if read_header is None:
            raise ValueError(f"it is an .npy file of version {version}, which is not read here")
        shape, _, dtype = read_header(f)
        size = os.fstat(f.fileno()).st_size
        expected = f.tell() + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if dtype.hasobject:
        raise ValueError("it holds Python objects, not numbers")
    if size != expected:
        raise ValueError(f"it is {size} bytes, not the {expected} its header promises (truncated?)")
    return shape, dtype


def _vectors_problem(shape: tuple, dtype: np.dtype, n_words: int, dim: int) -> str | None:
    if dtype.kind != "f":
        return f"its numbers are {dtype}, not floats"
    if shape != (n_words, dim):
        return f"its shape is {shape}, not ({n_words}, {dim}) (vocabulary × dim)"
    return None


def _stamp(path: Path) -> tuple:
    """What tells a changed file from the one read before: its inode, size and time."""
    st = path.stat()
    return st.st_ino, st.st_size, st.st_mtime_ns


@functools.lru_cache(maxsize=64)
def _check_text(path: str, _stamp: tuple) -> None:
    """ValueError when a file is not UTF-8 text (checked once while it is unchanged)."""
    Path(path).read_bytes().decode("utf-8")


@functools.lru_cache(maxsize=32)
def _read_vocab(path: str, _stamp: tuple) -> Vocab:
    """vocab.tsv parsed, kept while the file is unchanged."""
    words, counts = [], []
    text = Path(path).read_bytes().decode("utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        word, tab, count = line.rpartition("\t")
        if not tab or not word or not count.strip().isdigit():
            raise ValueError(f"line {number} is not word<TAB>count ({line[:40]!r})")
        words.append(word)
        counts.append(int(count))
    if not words:
        raise ValueError("it is empty")
    return Vocab.from_counts(words, counts)

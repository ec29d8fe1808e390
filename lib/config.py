"""Settings shared by the command line, the pages and the benchmark: one frozen dataclass per concern."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

ARCHITECTURES = ("skipgram", "cbow")
LOSSES = ("negative", "softmax")
OPTIMIZERS = ("sgd", "adam")
MODELS = ("pytorch", "gensim")


def setting(default, help: str):
    """A dataclass field with a one-line help, shown by the command line and the Train page."""
    return field(default=default, metadata={"help": help})


def help_for(cls, name: str) -> str:
    return next(f.metadata.get("help", "") for f in fields(cls) if f.name == name)


def default_workers() -> int:
    """Worker threads for both trainers: the machine's cores."""
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class TrainConfig:
    """Hyperparameters of one run, the same for both implementations; defaults are word2vec's skip-gram ones."""

    dim: int = setting(100, "vector size")
    window: int = setting(5, "largest context distance; each centre word draws its own window from 1..window")
    negative: int = setting(5, "negative samples per (input, output) pair")
    loss: str = setting("negative", "\"negative\" sampling, or \"softmax\" over the whole vocabulary (small vocabularies)")
    architecture: str = setting("skipgram", "\"skipgram\" (a word predicts its context) or \"cbow\" (the context predicts the word)")
    min_count: int = setting(5, "words seen fewer times are dropped from the vocabulary")
    sample: float = setting(1e-3, "frequent-word subsampling threshold (0 turns it off)")
    ns_exponent: float = setting(0.75, "negatives are drawn with probability ∝ count ** ns_exponent")
    epochs: int = setting(5, "passes over the corpus")
    alpha: float = setting(0.025, "SGD learning rate at the start, decayed linearly to min_alpha")
    min_alpha: float = setting(0.0001, "SGD learning rate at the end, as word2vec and gensim do")
    optimizer: str = setting("sgd", "\"sgd\" with word2vec's decay, or \"adam\" (PyTorch model only)")
    adam_lr: float = setting(0.001, "Adam's learning rate (the WikiText-2 reference pipeline's)")
    batch_size: int = setting(0, "examples per PyTorch step; 0 picks one from the vocabulary size (SGD) or 256 (Adam)")
    shared_negatives: bool = setting(False, "PyTorch speed option: one set of negatives per centre word's window")
    batch_negatives: int = setting(0, "PyTorch speed option: when > 0, every SGD batch shares this many negatives "
                                      "(each weighted negative / batch_negatives), so scoring is one matrix multiply")
    seed: int = setting(1, "seeds both models, the pair sampling and the negatives")
    workers: int = setting(0, "gensim worker threads and torch CPU threads; 0 means the number of cores")
    deterministic: bool = setting(False, "gensim with one worker thread and a fixed hash, so reruns give identical vectors")
    device: str = setting("auto", "PyTorch device: \"auto\" (CUDA when present), \"cpu\" or \"cuda\"")

    def resolved_workers(self) -> int:
        return 1 if self.deterministic else (self.workers or default_workers())

    def resolved_batch_size(self, vocab_size: int) -> int:
        """batch_size, or a default: Adam's 256; for SGD 8 examples per vocabulary word, from 256 up to 4096. A
        batch sums its updates, so in a tiny vocabulary a large batch piles hundreds onto each row and diverges."""
        if self.batch_size:
            return self.batch_size
        return 256 if self.optimizer == "adam" else int(min(4096, max(256, 8 * vocab_size)))

    def pytorch_step(self) -> str:
        """Which step trains the PyTorch model: "adam", "softmax", or for SGD with negative sampling "pair"
        (word2vec's own: K negatives per example), "window" (shared_negatives) or "batch" (batch_negatives)."""
        if self.optimizer == "adam":
            return "adam"
        if self.loss == "softmax":
            return "softmax"
        if self.batch_negatives:
            return "batch"
        if self.shared_negatives and self.architecture == "skipgram":
            return "window"
        return "pair"

    def worker_batch(self, vocab_size: int, threads: int) -> int:
        """Examples per step of each of `threads` PyTorch worker threads (windows, for the "window" step)."""
        batch = self.resolved_batch_size(vocab_size)
        if threads > 1:  # the threads' batches are in flight at once: together they make one batch, or it diverges
            batch = max(32, batch // threads)
        if self.pytorch_step() == "window":
            # A step counts windows (about window + 1 pairs each). What must stay bounded is how many updates pile
            # onto one row per step, and a window updates its 1 + K output rows once for all its pairs, so a
            # window step can hold twice the pairs (measured on WikiText-2: same quality, 10% faster, stable).
            batch = max(1, 2 * batch // (self.window + 1))
        return batch

    def validate(self) -> "TrainConfig":
        """Raise ValueError, saying what to change, for settings no trainer can use."""
        for name in ("dim", "window", "epochs", "min_count"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be a positive whole number (got {getattr(self, name)}).")
        if self.loss == "negative" and self.negative <= 0:
            raise ValueError("negative must be at least 1 with negative sampling; choose loss='softmax' for none.")
        if self.negative < 0:
            raise ValueError(f"negative cannot be below 0 (got {self.negative}).")
        if not 0 <= self.sample < 1:
            raise ValueError(f"sample must be in [0, 1): try 1e-3 or 1e-5 (got {self.sample}).")
        if not 0 < self.alpha <= 1 or not 0 <= self.min_alpha <= self.alpha:
            raise ValueError(f"need 0 < alpha ≤ 1 and 0 ≤ min_alpha ≤ alpha (got {self.alpha}, {self.min_alpha}).")
        if not 0 < self.adam_lr <= 1:
            raise ValueError(f"adam_lr must be in (0, 1] (got {self.adam_lr}).")
        if self.batch_size < 0 or self.workers < 0:
            raise ValueError("batch_size and workers cannot be negative (0 picks a default).")
        if not 0 <= self.batch_negatives <= 1000:
            raise ValueError(f"batch_negatives must be in 0 … 1000; 0 turns the option off (got {self.batch_negatives}).")
        if self.batch_negatives and self.shared_negatives:
            raise ValueError("Choose one of shared_negatives (per window) and batch_negatives (per batch), not both.")
        checks = (("architecture", ARCHITECTURES), ("loss", LOSSES), ("optimizer", OPTIMIZERS),
                  ("device", ("auto", "cpu", "cuda")))
        for name, allowed in checks:
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)} (got {getattr(self, name)!r}).")
        if self.dim > 1000 or self.window > 50 or self.epochs > 200 or self.negative > 50:
            raise ValueError("dim ≤ 1000, window ≤ 50, epochs ≤ 200 and negative ≤ 50 keep a run within reach here.")
        return self


@dataclass(frozen=True)
class CorpusConfig:
    """Which corpus to load and how: a registry name (see lib.corpora.CORPORA) or a path to a text file."""

    name: str = setting("toy-proximity", "registry name or path to a UTF-8 text file")
    seed: int = setting(1, "seed of the generated toy languages")
    sentences: int = setting(0, "sentences to generate for a toy language; 0 means its default")
    wikitext_dir: str = setting("", "folder with WikiText-2's text files; empty means $WIKITEXT2_DIR, then `datasets`")
    max_tokens: int = setting(0, "keep only the first max_tokens tokens of the corpus (0 keeps all)")

    def validate(self) -> "CorpusConfig":
        if self.sentences < 0 or self.max_tokens < 0:
            raise ValueError("sentences and max_tokens cannot be negative (0 means the default / everything).")
        return self


CLI_NAMES = {(CorpusConfig, "seed"): "corpus-seed", (CorpusConfig, "sentences"): "toy-sentences"}


def cli_flag(cls, name: str) -> str:
    """The command-line flag of a config field (`python -m lib.train`, and the jobs that run it): --dim for dim,
    with the corpus's own seed and size renamed so they do not clash with the training settings."""
    return "--" + CLI_NAMES.get((cls, name), name.replace("_", "-"))


def from_dict(cls, data: dict[str, Any]):
    """Rebuild a config saved with asdict(), ignoring keys a newer or older version does not know."""
    known = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in known})


"""Settings shared by the command line, the pages and the benchmark: one frozen dataclass per concern."""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass, field, fields, replace  # noqa: F401 (asdict, replace: re-exported)
from typing import Any

ARCHITECTURES = ("skipgram", "cbow")
LOSSES = ("negative", "hs", "softmax")
OPTIMIZERS = ("sgd", "adam")
MODELS = ("pytorch", "gensim")
ROW_STEP = 0.1  # alpha × updates an average table row gets in one PyTorch SGD batch (resolved_batch_size)
BATCH_RANGE = (256, 4096)  # default SGD batches stay within these sizes, and at most BATCH_PER_WORD per word
BATCH_PER_WORD = 8
ADAM_BATCH = 256
PACK_RUN = 16_384  # windows lib.model.batching.pack_windows sorts together by how far they reach: a few batches' worth
MAX_SEED = 2**32 - 1  # gensim seeds numpy's RandomState, which takes 0 … 2**32 - 1
MAX_WORKERS = 64  # threads per trainer; more only makes the threads wait on one another


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
    shrink_windows: bool = setting(True, "word2vec's dynamic window (each centre draws 1..window); off: always window")
    negative: int = setting(5, "negative samples per (input, output) pair")
    loss: str = setting(
        "negative",
        '"negative" sampling, "hs" (hierarchical softmax, both models) or "softmax" '
        "(full softmax over a small vocabulary, PyTorch only)",
    )
    architecture: str = setting(
        "skipgram", '"skipgram" (a word predicts its context) or "cbow" (the context predicts the word)'
    )
    min_count: int = setting(5, "words seen fewer times are dropped from the vocabulary")
    sample: float = setting(1e-3, "frequent-word subsampling threshold (0 turns it off)")
    ns_exponent: float = setting(0.75, "negatives are drawn with probability ∝ count ** ns_exponent")
    epochs: int = setting(5, "passes over the corpus")
    alpha: float = setting(0.025, "SGD learning rate at the start, decayed linearly to min_alpha")
    min_alpha: float = setting(0.0001, "SGD learning rate at the end, as word2vec and gensim do")
    optimizer: str = setting("sgd", '"sgd" with word2vec\'s decay, or "adam" (PyTorch model only)')
    adam_lr: float = setting(0.001, "Adam's learning rate (the WikiText-2 reference pipeline's)")
    batch_size: int = setting(0, "examples per PyTorch step; 0 picks one from the vocabulary size (SGD) or 256 (Adam)")
    shared_negatives: bool = setting(False, "PyTorch speed option: one set of negatives per centre word's window")
    batch_negatives: int = setting(
        0,
        "PyTorch speed option: when > 0, every SGD batch shares this many negatives "
        "(each weighted negative / batch_negatives), so scoring is one matrix multiply",
    )
    seed: int = setting(1, "seeds both models, the pair sampling and the negatives")
    workers: int = setting(0, "gensim worker threads and torch CPU threads; 0 means the number of cores")
    deterministic: bool = setting(
        False, "gensim with one worker thread and a fixed hash, so reruns give identical vectors"
    )
    device: str = setting("auto", 'PyTorch device: "auto" (CUDA when present), "cpu" or "cuda"')

    def resolved_workers(self) -> int:
        return 1 if self.deterministic else (self.workers or default_workers())

    def pytorch_threads(self, device_type: str) -> int:
        """The PyTorch model's worker threads: on a CPU, SGD runs resolved_workers() threads side by side;
        Adam and a GPU run one."""
        return self.resolved_workers() if device_type == "cpu" and self.pytorch_step() != "adam" else 1

    def rows_per_example(self, vocab_size: int) -> float:
        """Table rows one example updates: its input word (skip-gram) or context words (CBOW: window + 1 on
        average with the dynamic window, 2·window without), plus the output word and its K negatives, or the
        about log2(V) inner nodes of its Huffman path, or (full softmax) the output word's row."""
        if self.architecture == "skipgram":
            inputs = 1
        else:
            inputs = self.window + 1 if self.shrink_windows else 2 * self.window
        outputs = {"negative": 1 + self.negative, "hs": max(1.0, math.log2(vocab_size)), "softmax": 1}[self.loss]
        return inputs + outputs

    def resolved_batch_size(self, vocab_size: int) -> int:
        """batch_size, or a default: Adam's 256; for SGD as many examples as keep the summed step on an average
        row, alpha × (updates it gets in one batch), at ROW_STEP: vocab_size · ROW_STEP / (alpha · rows per
        example), within 256 … 4096 and at most 8 per vocabulary word. A batch sums its updates before applying
        them, where word2vec applies them one by one; past that, training degrades and then diverges."""
        if self.batch_size:
            return self.batch_size
        if self.optimizer == "adam":
            return ADAM_BATCH
        low, high = BATCH_RANGE
        return int(min(high, max(low, min(BATCH_PER_WORD * vocab_size, self.row_step_batch(vocab_size)))))

    def row_step_batch(self, vocab_size: int) -> float:
        """Examples per batch at which an average row's summed step, alpha × its updates, is ROW_STEP."""
        return vocab_size * ROW_STEP / (self.alpha * self.rows_per_example(vocab_size))

    def learning_rate(self, progress):
        """word2vec's SGD schedule: linear from alpha to min_alpha as progress (share of all training done, a
        number or an array) goes from 0 to 1."""
        return self.alpha - (self.alpha - self.min_alpha) * progress

    def pytorch_step(self) -> str:
        """Which step trains the PyTorch model: "adam", "softmax", "hs", or for SGD with negative sampling "pair"
        (word2vec's own: K negatives per example), "window" (shared_negatives) or "batch" (batch_negatives).
        validate() refuses the combinations that would make one of these win silently."""
        if self.optimizer == "adam":
            return "adam"
        if self.loss != "negative":
            return self.loss
        if self.batch_negatives:
            return "batch"
        # runs saved before validate() refused shared_negatives with CBOW trained the "pair" step
        return "window" if self.shared_negatives and self.architecture == "skipgram" else "pair"

    def worker_batch(self, vocab_size: int, threads: int) -> int:
        """Examples per step of each of `threads` PyTorch worker threads (pairs, for the "window" step)."""
        batch = self.resolved_batch_size(vocab_size)
        if threads > 1:  # the threads' batches are in flight at once: together they make one batch, or it diverges
            batch = max(32, batch // threads)
        if self.pytorch_step() == "window":
            # a window updates its 1 + K output rows once for all its pairs: a step holds twice the pairs
            batch = 2 * batch
        return batch

    def validate(self) -> "TrainConfig":
        """Raise ValueError, saying what to change, for settings no trainer can use."""
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"{f.name} must be a finite number (got {value}).")
        if not 0 <= self.seed <= MAX_SEED:
            raise ValueError(f"seed must be a whole number in 0 … {MAX_SEED} (got {self.seed}).")
        if not -1 <= self.ns_exponent <= 1:
            raise ValueError(
                f"ns_exponent must be in [-1, 1]: 0.75 is word2vec's, 0 draws negatives uniformly "
                f"(got {self.ns_exponent})."
            )
        if self.workers > MAX_WORKERS:
            raise ValueError(f"workers must be at most {MAX_WORKERS}; 0 uses the machine's cores (got {self.workers}).")
        for name in ("dim", "window", "epochs", "min_count"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be a positive whole number (got {getattr(self, name)}).")
        if self.loss == "negative" and self.negative <= 0:
            raise ValueError("negative must be at least 1 with negative sampling; choose loss='hs' for none.")
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
            raise ValueError(
                f"batch_negatives must be in 0 … 1000; 0 turns the option off (got {self.batch_negatives})."
            )
        if self.batch_negatives and self.shared_negatives:
            raise ValueError("Choose one of shared_negatives (per window) and batch_negatives (per batch), not both.")
        checks = (
            ("architecture", ARCHITECTURES),
            ("loss", LOSSES),
            ("optimizer", OPTIMIZERS),
            ("device", ("auto", "cpu", "cuda")),
        )
        for name, allowed in checks:
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)} (got {getattr(self, name)!r}).")
        self._refuse_ignored_options()
        if self.dim > 1000 or self.window > 50 or self.epochs > 200 or self.negative > 50:
            raise ValueError("dim ≤ 1000, window ≤ 50, epochs ≤ 200 and negative ≤ 50 keep a run within reach here.")
        return self

    def _refuse_ignored_options(self) -> None:
        """Options that another setting would silently override."""
        speed = "shared_negatives" if self.shared_negatives else "batch_negatives" if self.batch_negatives else ""
        if speed and (self.optimizer != "sgd" or self.loss != "negative"):
            raise ValueError(
                f"{speed} is a speed option of SGD with negative sampling; it does nothing with "
                f"optimizer={self.optimizer!r}, loss={self.loss!r}: turn it off or use those."
            )
        if self.shared_negatives and self.architecture == "cbow":
            raise ValueError(
                "shared_negatives only applies to skip-gram (a CBOW window already shares its "
                "negatives): turn it off or choose architecture='skipgram'."
            )
        if self.optimizer == "adam" and self.loss == "hs":
            raise ValueError(
                "loss='hs' is trained with SGD only: choose optimizer='sgd', or loss='negative' or 'softmax' for Adam."
            )
        if self.deterministic and self.workers > 1:
            raise ValueError(
                f"deterministic runs on one worker thread, but workers={self.workers} was asked "
                "for: set workers to 0 or 1, or turn deterministic off."
            )

    def check_models(self, models) -> "TrainConfig":
        """Raise ValueError when one of the chosen models cannot train these settings."""
        if self.loss == "softmax" and "gensim" in models:
            raise ValueError(
                "gensim has no full softmax (loss='softmax'): train the PyTorch model alone "
                "(--models pytorch) or choose loss='hs', which both models train."
            )
        return self


@dataclass(frozen=True)
class CorpusConfig:
    """Which corpus to load and how: a registry name (see lib.data.corpora.CORPORA) or a path to a text file.

    WikiText-2's folder is not a field: it is the server's setting ($WIKITEXT2_DIR, lib.data.corpora.wikitext_folder),
    so nothing built from a browser's input can name a folder on the server."""

    name: str = setting("toy-proximity", "registry name or path to a UTF-8 text file")
    seed: int = setting(1, "seed of the generated toy languages")
    sentences: int = setting(0, "sentences to generate for a toy language; 0 means its default")
    max_tokens: int = setting(0, "keep only the first max_tokens tokens of the corpus (0 keeps all)")
    max_corpus_tokens: int = setting(
        40_000_000,
        "refuse a corpus with more tokens than this, unless max_tokens cuts it (memory grows with the tokens)",
    )
    max_corpus_bytes: int = setting(
        200_000_000,
        "refuse a text file larger than this many bytes before reading "
        "it, unless max_tokens says to read only its start",
    )

    def validate(self) -> "CorpusConfig":
        if not 0 <= self.seed <= MAX_SEED:
            raise ValueError(f"The corpus seed must be a whole number in 0 … {MAX_SEED} (got {self.seed}).")
        if self.sentences < 0 or self.max_tokens < 0:
            raise ValueError("sentences and max_tokens cannot be negative (0 means the default / everything).")
        if self.max_corpus_tokens < 1 or self.max_corpus_bytes < 1:
            raise ValueError("max_corpus_tokens and max_corpus_bytes must be positive.")
        if self.max_tokens > self.max_corpus_tokens:
            raise ValueError(
                f"max_tokens ({self.max_tokens:,}) is over max_corpus_tokens "
                f"({self.max_corpus_tokens:,}), the most this app trains on: lower it."
            )
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

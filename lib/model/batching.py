"""One epoch's training examples cut into the PyTorch model's batches: block shuffling and window packing.

Skip-gram trains on single (context, centre) pairs; CBOW and the `shared_negatives` step on whole windows (a
centre word with its context words, padded with −1). Examples are shuffled in blocks (lib.data.pairs.shuffled_blocks)
so that a batch does not hold one article's words, then cut into batches of the size TrainConfig.worker_batch
gives. For `shared_negatives` that size counts pairs, not windows: windows are first sorted by how far their
context words reach within runs of PACK_RUN windows (pack_windows), so that a batch can drop the padded
columns none of its windows use (used_columns), and then cut so that every batch holds that many pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from lib.config import PACK_RUN, TrainConfig
from lib.data.pairs import SHUFFLE_BLOCK, epoch_windows, shuffled_blocks
from lib.data.vocab import Encoded


@dataclass(frozen=True)
class EpochBatches:
    """An epoch's examples in training order; batch b is examples starts[b] : starts[b + 1]."""

    inputs: torch.Tensor  # (N,) context word ids, or (N, 2·window) windows of them padded with −1
    outputs: torch.Tensor  # (N,) centre word ids
    starts: np.ndarray  # (n_batches + 1,) example index where each batch starts, then N
    loss_terms_before: np.ndarray  # (N + 1,) loss terms (skip-gram: pairs, CBOW: windows) before each example
    n_pairs: int  # (context, centre) pairs in the epoch

    @property
    def n_batches(self) -> int:
        return len(self.starts) - 1

    def batch(self, b: int) -> tuple[int, int]:
        return int(self.starts[b]), int(self.starts[b + 1])

    def loss_terms(self, lo: int, hi: int) -> int:
        """How many terms the summed loss of examples lo:hi adds up: it is reported as a mean over them."""
        return int(self.loss_terms_before[hi] - self.loss_terms_before[lo])


def batch_starts(sizes: np.ndarray, budget: int) -> np.ndarray:
    """Cut consecutive examples of the given sizes into batches of `budget` units: batch k ends with the example
    that brings the running total to k·budget, so each holds the budget give or take one example."""
    ends = np.cumsum(sizes)
    if len(ends) == 0:
        return np.zeros(1, dtype=np.int64)
    cuts = np.searchsorted(ends, np.arange(budget, ends[-1], budget), side="left") + 1
    return np.unique(np.concatenate([[0], cuts, [len(sizes)]])).astype(np.int64)


def pack_windows(contexts: np.ndarray, centres: np.ndarray, run: int = PACK_RUN) -> tuple[np.ndarray, np.ndarray]:
    """Windows reordered so that a batch wastes few padded slots: within each run of `run` consecutive windows,
    sorted by how far their context words reach (the dynamic window makes that 1 … window). Columns hold the
    offsets −window … −1, 1 … window, so a batch of windows that reach at most r only uses the 2·r middle
    columns and can drop the rest (see used_columns). The order changes only within a run."""
    half = contexts.shape[1] // 2
    distance = np.abs(np.concatenate([np.arange(-half, 0), np.arange(1, half + 1)]))
    reach = np.where(contexts >= 0, distance, 0).max(1)
    order = np.argsort((np.arange(len(reach)) // run) * (half + 1) + reach, kind="stable")
    return contexts[order], centres[order]


def used_columns(windows: torch.Tensor) -> torch.Tensor:
    """The columns of a batch of windows from the first to the last one any window uses."""
    used = (windows >= 0).any(0).nonzero()
    return windows[:, int(used[0]) : int(used[-1]) + 1]


def epoch_batches(
    encoded: Encoded, keep: np.ndarray, cfg: TrainConfig, batch: int, rng: np.random.Generator, device: torch.device
) -> EpochBatches:
    """Draw one epoch's examples (lib.data.pairs), shuffle them in blocks and cut them into batches of `batch`
    examples (pairs for the shared_negatives step)."""
    w = epoch_windows(encoded, keep, cfg.window, rng, shrink=cfg.shrink_windows)
    step = cfg.pytorch_step()
    if cfg.architecture == "cbow" or step == "window":
        w = w.nonempty()
        order = shuffled_blocks(len(w.centres), SHUFFLE_BLOCK // (cfg.window + 1), rng)
        inputs, outputs = w.contexts[order], w.centres[order]
        if step == "window":
            inputs, outputs = pack_windows(inputs, outputs)
        pairs = (inputs >= 0).sum(1)
        terms = pairs if step == "window" else np.ones(len(outputs), dtype=np.int64)
    else:
        inputs, outputs = w.skipgram_pairs()
        order = shuffled_blocks(len(outputs), SHUFFLE_BLOCK, rng)
        inputs, outputs = inputs[order], outputs[order]
        pairs = terms = np.ones(len(outputs), dtype=np.int64)
    return EpochBatches(
        torch.from_numpy(inputs).to(device),
        torch.from_numpy(outputs).to(device),
        batch_starts(terms, batch),
        np.concatenate([[0], np.cumsum(terms)]),
        int(pairs.sum()),
    )

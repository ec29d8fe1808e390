"""Training examples for one epoch, vectorised over the whole corpus: subsampling and dynamic windows.

word2vec (and gensim) first drop frequent words at random (subsampling), then give each centre word its own
window b drawn uniformly from 1..window, and pair it with every word at most b positions away in the same
sentence. Skip-gram trains the pair (input = context word, output = centre word); CBOW averages the context
words to predict the centre word. Here all of that happens with array operations, never a Python loop per pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib.vocab import Encoded

SHUFFLE_BLOCK = 2_048  # examples kept together when an epoch's examples are shuffled (see lib.batching)


@dataclass(frozen=True)
class Windows:
    """Each kept centre word with its context positions: contexts[i, j] is a word id, or -1 where unused."""

    centres: np.ndarray  # (N,) word ids
    contexts: np.ndarray  # (N, 2 * window) word ids or -1

    @property
    def n_pairs(self) -> int:
        return int((self.contexts >= 0).sum())

    def skipgram_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """(inputs, outputs) in corpus order: input = context word, output = centre word (word2vec's order)."""
        mask = self.contexts >= 0
        outputs = np.broadcast_to(self.centres[:, None], self.contexts.shape)[mask]
        return self.contexts[mask], outputs

    def nonempty(self) -> "Windows":
        """Only centre words with at least one context word (CBOW has nothing to average otherwise)."""
        keep = (self.contexts >= 0).any(axis=1)
        return Windows(self.centres[keep], self.contexts[keep])


def subsample(encoded: Encoded, keep_probability: np.ndarray, rng: np.random.Generator) -> Encoded:
    """Drop each token with probability 1 - keep_probability[word]; sentences shrink, windows then span further."""
    keep = rng.random(len(encoded.ids)) < keep_probability[encoded.ids]
    kept_per_sentence = np.add.reduceat(keep, _sentence_starts(encoded.lengths)) if len(keep) else keep
    return Encoded(encoded.ids[keep], np.asarray(kept_per_sentence, dtype=np.int64))


def _sentence_starts(lengths: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)


def windows(encoded: Encoded, window: int, rng: np.random.Generator, shrink: bool = True) -> Windows:
    """Every token as a centre word with its window of context words from the same sentence: with `shrink`
    (word2vec's dynamic window) each centre reaches a distance drawn uniformly from 1..window, else all of it."""
    n = len(encoded.ids)
    sentence = encoded.sentence_ids.astype(np.int32)  # int32 halves the memory traffic of the (n, 2w) arrays
    reach = rng.integers(1, window + 1, size=n).astype(np.int8) if shrink else np.full(n, window, np.int8)
    offsets = np.concatenate([np.arange(-window, 0), np.arange(1, window + 1)]).astype(np.int32)
    positions = np.arange(n, dtype=np.int32)[:, None] + offsets[None, :]
    clipped = positions.clip(0, max(n - 1, 0))
    valid = (positions == clipped) & (np.abs(offsets).astype(np.int8)[None, :] <= reach[:, None])  # inside, in reach
    valid &= sentence[clipped] == sentence[:, None]  # and in the same sentence
    contexts = np.where(valid, encoded.ids[clipped], -1)
    return Windows(encoded.ids.copy(), contexts)


def epoch_windows(encoded: Encoded, keep_probability: np.ndarray, window: int,
                  rng: np.random.Generator, shrink: bool = True) -> Windows:
    """One epoch's training examples: subsample, then draw the windows."""
    return windows(subsample(encoded, keep_probability, rng), window, rng, shrink)


def examples_per_epoch(encoded: Encoded, keep_probability: np.ndarray, window: int, architecture: str,
                       seed: int = 0, shrink: bool = True) -> int:
    """How many training examples one epoch holds (pairs for skip-gram, non-empty windows for CBOW), from one
    draw; gensim does not report it, and its summed loss needs it to become a mean."""
    w = epoch_windows(encoded, keep_probability, window, np.random.default_rng(seed), shrink)
    return len(w.nonempty().centres) if architecture == "cbow" else w.n_pairs


def shuffled_blocks(n: int, block: int, rng: np.random.Generator) -> np.ndarray:
    """A permutation of range(n) that shuffles blocks of `block` consecutive examples: a long article's words
    are spread over the epoch, while each block keeps its stretch of text (and its rows stay in cache)."""
    starts = rng.permutation(-(-n // block)) * block
    order = (starts[:, None] + np.arange(block)[None, :]).reshape(-1)
    return order[order < n]

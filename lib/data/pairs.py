"""Training examples for one epoch, vectorised over the whole corpus: subsampling and dynamic windows.

word2vec (and gensim) first drop frequent words at random (subsampling), then give each centre word its own
window b drawn uniformly from 1..window, and pair it with every word at most b positions away in the same
sentence. Skip-gram trains the pair (input = context word, output = centre word); CBOW averages the context
words to predict the centre word. Here all of that happens with array operations, never a Python loop per pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib.data.vocab import Encoded

SHUFFLE_BLOCK = 2_048  # examples kept together when an epoch's examples are shuffled (see lib.model.batching)
CHUNK_TOKENS = 250_000  # an epoch's examples are made for this many corpus tokens at a time (see chunks)


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
    return Encoded(encoded.ids[keep].astype(np.int64), np.asarray(kept_per_sentence, dtype=np.int64))


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


def epoch_windows(
    encoded: Encoded, keep_probability: np.ndarray, window: int, rng: np.random.Generator, shrink: bool = True
) -> Windows:
    """One epoch's training examples: subsample, then draw the windows."""
    return windows(subsample(encoded, keep_probability, rng), window, rng, shrink)


def chunks(encoded: Encoded, size: int | None = None):
    """The corpus in consecutive pieces of whole sentences, each of at most `size` tokens (or one longer
    sentence): the corpus itself when it is that small. An epoch's examples take ~2·window int64s per token
    (and negatives K more per pair), so a large corpus makes them a piece at a time. size: CHUNK_TOKENS."""
    size = size or CHUNK_TOKENS
    if len(encoded.ids) <= size:
        yield encoded
        return
    ends = np.cumsum(encoded.lengths)
    first, start = 0, 0
    while first < len(ends):
        last = max(int(np.searchsorted(ends, start + size, side="right")), first + 1)
        end = int(ends[last - 1])
        yield Encoded(encoded.ids[start:end], encoded.lengths[first:last])
        first, start = last, end


def sample_sentences(encoded: Encoded, size: int, rng: np.random.Generator) -> Encoded:
    """Whole sentences drawn at random, in corpus order, about `size` tokens in all: the corpus itself when it
    is that small (and then rng is not used)."""
    if len(encoded.ids) <= size:
        return encoded
    share = size / len(encoded.ids)
    picked = rng.random(len(encoded.lengths)) < share
    per_token = np.repeat(picked, encoded.lengths)
    return Encoded(encoded.ids[per_token], encoded.lengths[picked])


def examples_per_epoch(
    encoded: Encoded, keep_probability: np.ndarray, window: int, architecture: str, seed: int = 0, shrink: bool = True
) -> int:
    """How many training examples one epoch holds (pairs for skip-gram, non-empty windows for CBOW), from one
    draw, a chunk at a time; gensim does not report it, and its summed loss needs it to become a mean."""
    rng, total = np.random.default_rng(seed), 0
    for piece in chunks(encoded):
        w = epoch_windows(piece, keep_probability, window, rng, shrink)
        total += len(w.nonempty().centres) if architecture == "cbow" else w.n_pairs
    return total


def shuffled_blocks(n: int, block: int, rng: np.random.Generator) -> np.ndarray:
    """A permutation of range(n) that shuffles blocks of `block` consecutive examples: a long article's words
    are spread over the epoch, while each block keeps its stretch of text (and its rows stay in cache)."""
    starts = rng.permutation(-(-n // block)) * block
    order = (starts[:, None] + np.arange(block)[None, :]).reshape(-1)
    return order[order < n]

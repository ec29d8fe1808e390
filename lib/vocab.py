"""Vocabulary shared by both models: counts, min_count, subsampling and the negative-sampling distribution."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Vocab:
    """Words kept after min_count, most frequent first (ties in order of first appearance)."""

    words: tuple[str, ...]
    counts: np.ndarray  # int64, aligned with words

    @classmethod
    def build(cls, sentences, min_count: int) -> "Vocab":
        counter: Counter[str] = Counter()
        for sentence in sentences:
            counter.update(sentence)
        # Counter keeps first-appearance order, and sorted() is stable, so ties stay in that order.
        kept = sorted(((w, c) for w, c in counter.items() if c >= min_count), key=lambda wc: -wc[1])
        return cls(tuple(w for w, _ in kept), np.array([c for _, c in kept], dtype=np.int64))

    @classmethod
    def from_counts(cls, words, counts) -> "Vocab":
        return cls(tuple(words), np.asarray(counts, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: str) -> bool:
        return word in self.index

    @property
    def index(self) -> dict[str, int]:
        cached = self.__dict__.get("_index")
        if cached is None:
            cached = {w: i for i, w in enumerate(self.words)}
            object.__setattr__(self, "_index", cached)
        return cached

    @property
    def total(self) -> int:
        return int(self.counts.sum())

    def validate(self, negative: int, loss: str = "negative") -> "Vocab":
        """Raise ValueError when training on this vocabulary cannot work."""
        if len(self) < 3:
            raise ValueError(f"Only {len(self)} distinct word(s) are seen at least min_count times; need 3 or more. "
                             "Lower min_count or use a larger corpus.")
        if loss == "negative" and negative >= len(self):
            raise ValueError(f"negative ({negative}) must be smaller than the vocabulary ({len(self)} words): "
                             "lower negative or min_count.")
        return self

    def keep_probability(self, sample: float) -> np.ndarray:
        """word2vec's subsampling: keep a word with probability (sqrt(f/t) + 1) * t/f, t = sample * total, at most 1."""
        if sample <= 0:
            return np.ones(len(self))
        threshold = sample * self.total
        return np.minimum(1.0, (np.sqrt(self.counts / threshold) + 1) * threshold / self.counts)

    def noise_distribution(self, exponent: float = 0.75) -> np.ndarray:
        """P(word drawn as a negative) ∝ count ** exponent."""
        weights = self.counts.astype(np.float64) ** exponent
        return weights / weights.sum()

    def noise_table(self, exponent: float = 0.75, size: int = 1 << 22) -> np.ndarray:
        """word2vec's unigram table: word ids repeated in proportion to the noise distribution,
        so a negative is one uniform integer draw and one lookup."""
        cumulative = np.cumsum(self.noise_distribution(exponent))
        return np.searchsorted(cumulative, (np.arange(size) + 0.5) / size).clip(0, len(self) - 1).astype(np.int64)

    def encode(self, sentences) -> "Encoded":
        """The corpus as word ids with out-of-vocabulary words removed (as word2vec and gensim do)."""
        index = self.index
        ids, lengths = [], []
        for sentence in sentences:
            known = [index[w] for w in sentence if w in index]
            if known:
                ids.extend(known)
                lengths.append(len(known))
        return Encoded(np.array(ids, dtype=np.int64), np.array(lengths, dtype=np.int64))


@dataclass(frozen=True)
class Encoded:
    """A corpus as one flat array of word ids plus the length of each sentence."""

    ids: np.ndarray
    lengths: np.ndarray

    @property
    def sentence_ids(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.lengths)), self.lengths)

    def __len__(self) -> int:
        return len(self.ids)

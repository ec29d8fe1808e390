"""Vocabulary shared by both models: counts, min_count, subsampling and the negative-sampling distribution."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lib.data import tokens


@dataclass(frozen=True)
class Vocab:
    """Words kept after min_count, most frequent first (ties in order of first appearance)."""

    words: tuple[str, ...]
    counts: np.ndarray  # int64, aligned with words

    @classmethod
    def build(cls, sentences, min_count: int) -> "Vocab":
        """From a corpus's sentences (lib.data.tokens.Sentences, or any lists of words)."""
        stream = _stream(sentences)
        counts = stream.counts
        # stream.words are in order of first appearance and the sort is stable, so ties stay in that order
        order = np.argsort(-counts, kind="stable")
        order = order[counts[order] >= min_count]
        return cls(tuple(stream.words[i] for i in order.tolist()), counts[order])

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
            raise ValueError(
                f"Only {len(self)} distinct word(s) are seen at least min_count times; need 3 or more. "
                "Lower min_count or use a larger corpus."
            )
        if loss == "negative" and negative >= len(self):
            raise ValueError(
                f"negative ({negative}) must be smaller than the vocabulary ({len(self)} words): "
                "lower negative or min_count."
            )
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
        """The corpus as word ids with out-of-vocabulary words removed (as word2vec and gensim do), sentences
        left empty dropped: the stream's ids mapped through a table, without a Python object per token."""
        stream = _stream(sentences)
        get = self.index.get
        table = np.fromiter((get(w, -1) for w in stream.words), dtype=np.int32, count=len(stream.words))
        ids = np.empty(int(stream.counts[table >= 0].sum()), dtype=np.int32)
        known = np.empty(len(stream.ids), dtype=bool)
        filled = 0
        for start in range(0, len(stream.ids), tokens.BLOCK_TOKENS):  # a block at a time: no full-size temporaries
            mapped = table[stream.ids[start : start + tokens.BLOCK_TOKENS]]
            block_known = known[start : start + len(mapped)]
            np.greater_equal(mapped, 0, out=block_known)
            kept = mapped[block_known]
            ids[filled : filled + len(kept)] = kept
            filled += len(kept)
        starts = np.concatenate([[0], np.cumsum(stream.lengths)[:-1]]).astype(np.int64)
        lengths = np.add.reduceat(known, starts, dtype=np.int64) if len(known) else np.zeros(0, np.int64)
        return Encoded(ids, lengths[lengths > 0])


def _stream(sentences) -> tokens.TokenStream:
    """The token stream behind a corpus's sentences, or lists of words made into one (kept whole, not cut)."""
    if isinstance(sentences, tokens.Sentences):
        return sentences.stream
    return tokens.TokenStream.from_sentences(sentences, split=0)


@dataclass(frozen=True)
class Encoded:
    """A corpus as one flat array of vocabulary ids (int32) plus the length of each sentence (int64)."""

    ids: np.ndarray
    lengths: np.ndarray

    @property
    def sentence_ids(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.lengths)), self.lengths)

    def __len__(self) -> int:
        return len(self.ids)

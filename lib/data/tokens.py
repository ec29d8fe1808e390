"""A corpus as integer ids: text read piece by piece into one growing int32 array, its sentences as a view, and
Corpus: the tokens with what the corpus's designer knows about them."""

from __future__ import annotations

import codecs
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

import numpy as np

MAX_WORDS_IN_BATCH = 10_000  # gensim.models.word2vec.MAX_WORDS_IN_BATCH (test_corpora checks they agree); kept here so
# reading a corpus does not import gensim

READ_BYTES = 1 << 20  # bytes read at a time; a line longer than this is handed on in pieces cut between words
BLOCK_TOKENS = 1 << 22  # tokens turned into a temporary array at a time when the whole stream is processed


@dataclass(frozen=True, eq=False)
class TokenStream:
    """Every token of a corpus as an id into `words` (each distinct word once, in order of first appearance),
    cut into sentences by `lengths`."""

    words: tuple[str, ...]
    ids: np.ndarray  # (tokens,) int32
    lengths: np.ndarray  # (sentences,) int64, none of them 0

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def counts(self) -> np.ndarray:
        """How often each of `words` occurs (int64), counted a block at a time (bincount copies to int64)."""
        counts = np.zeros(len(self.words), dtype=np.int64)
        for start in range(0, len(self.ids), BLOCK_TOKENS):
            counts += np.bincount(self.ids[start : start + BLOCK_TOKENS], minlength=len(self.words))
        return counts

    @property
    def sentences(self) -> "Sentences":
        return Sentences(self)

    @classmethod
    def from_sentences(
        cls, sentences: Iterable[list[str]], limit: int = 0, split: int = MAX_WORDS_IN_BATCH
    ) -> "TokenStream":
        """Lists of words as a stream (the first `limit` tokens when limit > 0; see TokenStreamBuilder)."""
        builder = TokenStreamBuilder(limit, split)
        for sentence in sentences:
            if not builder.add(sentence):
                break
        return builder.build()


class Sentences(Sequence):
    """A TokenStream's sentences as lists of words, decoded one at a time: re-iterable, indexable, no copy."""

    def __init__(self, stream: TokenStream):
        self.stream = stream
        self.ends = np.cumsum(stream.lengths)

    def __len__(self) -> int:
        return len(self.stream.lengths)

    def _decode(self, lo: int, hi: int) -> list[str]:
        words = self.stream.words
        return [words[i] for i in self.stream.ids[lo:hi].tolist()]

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._decode(int(self.ends[i] - self.stream.lengths[i]), int(self.ends[i]))

    def __iter__(self) -> Iterator[list[str]]:
        lo = 0
        for hi in self.ends.tolist():
            yield self._decode(lo, hi)
            lo = hi

    def __eq__(self, other) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, (str, bytes)) or len(other) != len(self):
            return False
        return all(list(a) == list(b) for a, b in zip(self, other))

    __hash__ = None

    def __repr__(self) -> str:
        return f"Sentences({len(self):,} sentences, {len(self.stream):,} tokens)"


class TokenStreamBuilder:
    """Appends sentences as word ids (a new word gets the next id), cutting each at `split` words (gensim trains
    only the first MAX_WORDS_IN_BATCH words of a sentence: cut here, both models see every word) and taking no
    more than `limit` tokens (0: no limit)."""

    def __init__(self, limit: int = 0, split: int = MAX_WORDS_IN_BATCH):
        self.limit, self.split = limit, split
        self.index: dict[str, int] = {}
        self.ids = array("i")
        self.lengths = array("q")
        self.open = 0  # tokens of the sentence being added

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def full(self) -> bool:
        return bool(self.limit) and len(self.ids) >= self.limit

    def add(self, tokens: list[str], end: bool = True) -> bool:
        """Append tokens to the current sentence, then end it unless end=False; False once the limit is reached."""
        if self.limit:
            tokens = tokens[: self.limit - len(self.ids)]
        index = self.index
        setdefault = index.setdefault
        self.ids.extend([setdefault(w, len(index)) for w in tokens])
        self.open += len(tokens)
        if end or self.full:
            self.end_sentence()
        return not self.full

    def end_sentence(self) -> None:
        n, split = self.open, self.split or self.open
        while n > 0:
            self.lengths.append(min(split, n))
            n -= split
        self.open = 0

    def build(self) -> TokenStream:
        self.end_sentence()
        ids = np.frombuffer(self.ids, dtype=np.int32) if len(self.ids) else np.zeros(0, np.int32)
        lengths = np.frombuffer(self.lengths, dtype=np.int64) if len(self.lengths) else np.zeros(0, np.int64)
        return TokenStream(tuple(self.index), ids, lengths)


def utf8_pieces(f: BinaryIO, source: str, chunk: int | None = None) -> Iterator[tuple[str, bool]]:
    """A UTF-8 file's text as (text, ends_line) pieces of about `chunk` bytes: whole lines, except that a line
    longer than that comes in pieces cut at a space (ends_line False until its last piece). A leading byte-order
    mark is dropped; bytes that are not UTF-8 raise a ValueError naming the line and byte. chunk: READ_BYTES."""
    chunk = chunk or READ_BYTES
    pending, offset, line, first, eof = b"", 0, 1, True, False
    while pending or not eof:
        if not eof:
            data = f.read(chunk)
            eof = not data
            if first and data.startswith(codecs.BOM_UTF8):
                data, offset = data[len(codecs.BOM_UTF8) :], len(codecs.BOM_UTF8)
            first = False
            pending += data
        if eof:
            cut, ends = len(pending), True
        else:
            cut, ends = pending.rfind(b"\n") + 1, True
            if not cut:  # no line end yet
                if len(pending) < chunk:
                    continue
                cut, ends = _word_boundary(pending), False
        block, pending = pending[:cut], pending[cut:]
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError as exc:
            at = line + block.count(b"\n", 0, exc.start)
            raise ValueError(
                f"{source} is not UTF-8 text (line {at:,}, byte {offset + exc.start:,} cannot be "
                "decoded): save it as UTF-8."
            ) from None
        yield text, ends
        line += block.count(b"\n")
        offset += cut


def _word_boundary(data: bytes) -> int:
    """Where to cut a long run of bytes without a line end: after its last space, else at a character boundary."""
    space = max(data.rfind(b" "), data.rfind(b"\t"))
    if space > 0:
        return space + 1
    cut = len(data)
    while cut > 1 and len(data) - cut < 4 and 0x80 <= data[cut - 1] < 0xC0:  # inside a multi-byte character
        cut -= 1
    return cut - 1 if data[cut - 1] >= 0xC0 else cut


@dataclass
class Corpus:
    """A tokenised corpus (word ids, lib.data.tokens) and whatever ground truth its designer knows about it."""

    name: str
    tokens: TokenStream
    description: str
    natural: bool = False  # natural language: evaluate on Google analogies and WordSim353
    analogies: str | None = None  # questions in gensim's questions-words format, when designed for this corpus
    groups: dict[str, str] = field(default_factory=dict)  # word -> designed group (colour in charts)
    true_neighbours: dict[str, list[str]] = field(default_factory=dict)  # word -> designed neighbours
    check_word: str | None = None  # a sensible default word for the similarity pages
    categories: dict[str, str] = field(default_factory=dict)  # word -> designed category, for category purity
    ordered: bool = False  # the groups follow an order (the alphabet), so charts colour them along a scale

    @property
    def n_tokens(self) -> int:
        return len(self.tokens)

    @property
    def sentences(self) -> Sentences:
        """The sentences as lists of words, decoded as they are read (gensim's input)."""
        return self.tokens.sentences

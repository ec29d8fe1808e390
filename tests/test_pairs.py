"""lib.data.pairs: subsampling, dynamic windows and pairs, all vectorised."""

import sys

import numpy as np
import pytest

from lib.data import pairs
from lib.data.pairs import epoch_windows, examples_per_epoch, subsample, windows
from lib.data.vocab import Encoded, Vocab


def positional(lengths) -> Encoded:
    """A corpus whose word ids are the token positions, so every context id says where it came from."""
    lengths = np.asarray(lengths, dtype=np.int64)
    return Encoded(np.arange(lengths.sum(), dtype=np.int64), lengths)


def test_every_context_is_in_the_same_sentence_and_a_full_dynamic_window():
    enc = positional([1, 2, 7, 30, 3, 12])
    sentence = enc.sentence_ids
    w = windows(enc, 4, np.random.default_rng(0))
    assert len(w.centres) == len(enc) and w.contexts.shape == (len(enc), 8)
    for i, row in enumerate(w.contexts):
        ctx = row[row >= 0]
        assert len(set(ctx.tolist())) == len(ctx) and i not in ctx
        assert np.all(sentence[ctx] == sentence[i]), "context from another sentence"
        assert np.all(np.abs(ctx - i) <= 4), "context beyond the largest window"
        # all words of the sentence within some reach b in 1..4, and nothing else
        same = np.flatnonzero(sentence == sentence[i])
        assert any(set(ctx.tolist()) == {j for j in same.tolist() if 0 < abs(j - i) <= b} for b in range(1, 5))
    assert np.all(w.contexts[0] == -1), "a one-word sentence has no context"


def test_dynamic_window_is_uniform_over_1_to_window():
    enc = positional([200_000])
    window = 5
    w = windows(enc, window, np.random.default_rng(1))
    inner = w.contexts[window:-window]  # away from the ends, the reach is visible as the number of contexts / 2
    reach = (inner >= 0).sum(1) // 2
    freq = np.bincount(reach, minlength=window + 1)[1:] / len(reach)
    assert np.allclose(freq, 1 / window, atol=0.01), freq
    # mean pairs per word is 2 · E[b] = window + 1
    assert abs(w.n_pairs / len(inner) - (window + 1)) < 0.05


def test_skipgram_pairs_are_context_to_centre_in_corpus_order():
    enc = positional([6, 4])
    w = windows(enc, 2, np.random.default_rng(3))
    inputs, outputs = w.skipgram_pairs()
    assert len(inputs) == w.n_pairs
    assert np.all(np.diff(outputs) >= 0), "pairs follow the corpus order of their centre words"
    expected = sorted((int(c), int(i)) for i, row in enumerate(w.contexts) for c in row if c >= 0)
    assert sorted(zip(inputs.tolist(), outputs.tolist())) == expected


def test_keep_probability_is_word2vecs_formula():
    counts = np.array([50_000, 5_000, 500, 50, 5])
    vocab = Vocab.from_counts([f"w{i}" for i in range(5)], counts)
    sample = 1e-3
    t = sample * counts.sum()
    # word2vec.c: ran = (sqrt(cn / (sample * train_words)) + 1) * (sample * train_words) / cn
    expected = np.minimum(1, (np.sqrt(counts / t) + 1) * t / counts)
    assert np.allclose(vocab.keep_probability(sample), expected)
    assert vocab.keep_probability(sample)[-1] == 1.0 and vocab.keep_probability(sample)[0] < 0.3
    assert np.all(vocab.keep_probability(0) == 1)


def test_subsample_keeps_each_word_at_its_rate_and_keeps_sentences_aligned():
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 4, size=400_000)
    enc = Encoded(ids, np.full(4_000, 100))
    keep = np.array([0.1, 0.5, 0.9, 1.0])
    out = subsample(enc, keep, np.random.default_rng(1))
    assert out.lengths.sum() == len(out.ids) and len(out.lengths) == len(enc.lengths)
    rates = np.bincount(out.ids, minlength=4) / np.bincount(ids, minlength=4)
    assert np.allclose(rates, keep, atol=0.01), rates


def test_same_rng_same_epoch_and_examples_per_epoch_counts_them():
    enc = Encoded(np.random.default_rng(0).integers(0, 50, size=5_000), np.full(100, 50))
    keep = np.full(50, 0.7)
    a = epoch_windows(enc, keep, 3, np.random.default_rng(5))
    b = epoch_windows(enc, keep, 3, np.random.default_rng(5))
    assert np.array_equal(a.contexts, b.contexts)


def test_examples_per_epoch_counts_by_hand_with_fixed_windows():
    """Without subsampling and with fixed windows (shrink=False) the count is known: in a sentence of n words
    the word at position i has min(i, w) + min(n − 1 − i, w) context words; one-word sentences give no window."""
    lengths = [10, 1, 4, 2]
    enc = Encoded(np.random.default_rng(0).integers(0, 20, size=sum(lengths)), np.array(lengths))
    keep = np.ones(20)

    def by_hand(n, w):
        return sum(min(i, w) + min(n - 1 - i, w) for i in range(n))

    for w in (1, 3):
        want = sum(by_hand(n, w) for n in lengths)  # w = 3: 48 + 0 + 12 + 2 = 62
        assert examples_per_epoch(enc, keep, w, "skipgram", seed=5, shrink=False) == want
    assert examples_per_epoch(enc, keep, 3, "cbow", seed=5, shrink=False) == 10 + 4 + 2
    # with the dynamic window each centre reaches b ~ U{1..3}: fewer pairs, never more
    assert examples_per_epoch(enc, keep, 3, "skipgram", seed=5) < 62


def test_keep_probability_equals_gensims():
    """gensim's own subsampling: it keeps a word when random < sample_int / 2**32."""
    from gensim.models import Word2Vec

    rng = np.random.default_rng(3)
    counts = np.sort(rng.integers(1, 100_000, size=200))[::-1]
    vocab = Vocab.from_counts([f"w{i}" for i in range(200)], counts)
    model = Word2Vec(sample=1e-3, min_count=1)
    model.build_vocab_from_freq(dict(zip(vocab.words, counts.tolist())))
    gensim_keep = np.array([model.wv.get_vecattr(w, "sample_int") / 2**32 for w in vocab.words])
    assert np.allclose(vocab.keep_probability(1e-3), gensim_keep, atol=1e-7)


@pytest.mark.parametrize("fn", ["windows", "skipgram_pairs", "subsample"])
def test_no_python_work_per_pair(fn):
    """The Python lines executed in lib/data/pairs.py do not grow with the corpus: the work is in array operations."""

    def lines_run(n_tokens: int) -> int:
        enc = Encoded(np.random.default_rng(0).integers(0, 100, size=n_tokens), np.full(n_tokens // 20, 20))
        w = windows(enc, 5, np.random.default_rng(0))
        count = 0

        def tracer(frame, event, arg):
            nonlocal count
            if frame.f_code.co_filename == pairs.__file__:
                if event == "line":
                    count += 1
                return tracer
            return None

        sys.settrace(tracer)
        try:
            if fn == "windows":
                windows(enc, 5, np.random.default_rng(0))
            elif fn == "skipgram_pairs":
                w.skipgram_pairs()
            else:
                subsample(enc, np.full(100, 0.5), np.random.default_rng(0))
        finally:
            sys.settrace(None)
        return count

    small, large = lines_run(200), lines_run(200_000)
    assert small > 0 and large == small


def test_chunks_are_whole_sentences_in_order_and_cover_the_corpus():
    enc = positional([3, 4, 2, 9, 1, 5])
    pieces = list(pairs.chunks(enc, size=7))
    assert [p.lengths.tolist() for p in pieces] == [[3, 4], [2], [9], [1, 5]]  # a longer sentence goes alone
    assert np.concatenate([p.ids for p in pieces]).tolist() == enc.ids.tolist()
    assert list(pairs.chunks(enc, size=24)) == [enc]  # small enough: the corpus itself


def test_examples_per_epoch_counts_every_chunk(monkeypatch):
    """Fixed windows, no subsampling: a sentence of L words has Σ_i min(i, w) + min(L−1−i, w) pairs."""
    lengths, w = [5, 1, 8, 3, 12, 2], 2
    want = sum(min(i, w) + min(n - 1 - i, w) for n in lengths for i in range(n))
    keep = np.ones(sum(lengths))
    monkeypatch.setattr(pairs, "CHUNK_TOKENS", 6)
    assert examples_per_epoch(positional(lengths), keep, w, "skipgram", shrink=False) == want


def test_sample_sentences_draws_whole_sentences_when_the_corpus_is_large():
    enc = positional([4] * 1_000)
    rng = np.random.default_rng(0)
    assert pairs.sample_sentences(enc, 10_000, rng) is enc
    sample = pairs.sample_sentences(enc, 400, rng)
    assert 250 < len(sample.ids) < 550 and set(sample.lengths.tolist()) == {4}
    starts = sample.ids[::4]
    assert np.all(starts % 4 == 0) and np.all(np.diff(starts) > 0)  # whole sentences, in corpus order
    assert sample.ids.reshape(-1, 4).tolist() == [[s, s + 1, s + 2, s + 3] for s in starts.tolist()]

"""Shared vocabulary: min_count, ordering, subsampling and the noise distribution."""

import numpy as np
import pytest

from lib.data.vocab import Vocab

SENTENCES = [["b", "a", "a", "c"], ["a", "b", "d"], ["a", "b", "c", "e"]]


def test_min_count_and_order():
    vocab = Vocab.build(SENTENCES, min_count=2)
    assert vocab.words == ("a", "b", "c")  # a:4, b:3, c:2; d and e dropped
    assert vocab.counts.tolist() == [4, 3, 2]
    assert "d" not in vocab and vocab.index["c"] == 2


def test_ties_keep_first_appearance():
    assert Vocab.build([["y", "x", "x", "y", "z"]], 1).words == ("y", "x", "z")


def test_encode_drops_unknown_words():
    vocab = Vocab.build(SENTENCES, min_count=2)
    enc = vocab.encode(SENTENCES + [["zzz"]])
    assert enc.ids.tolist() == [1, 0, 0, 2, 0, 1, 0, 1, 2]
    assert enc.lengths.tolist() == [4, 2, 3]
    assert enc.sentence_ids.tolist() == [0, 0, 0, 0, 1, 1, 2, 2, 2]


def test_keep_probability_is_word2vecs_formula():
    vocab = Vocab.from_counts(["the", "some", "rare"], [9_000, 990, 10])
    sample = 1e-3
    t = sample * 10_000
    expected = [(np.sqrt(9_000 / t) + 1) * t / 9_000, (np.sqrt(990 / t) + 1) * t / 990, 1.0]  # rare: 2, capped
    assert np.allclose(vocab.keep_probability(sample), expected)
    assert vocab.keep_probability(0).tolist() == [1.0, 1.0, 1.0]


def test_noise_distribution_and_table_follow_count_to_the_075():
    vocab = Vocab.from_counts(["a", "b", "c"], [100, 10, 1])
    p = vocab.noise_distribution(0.75)
    assert np.allclose(p, np.array([100, 10, 1]) ** 0.75 / (np.array([100, 10, 1]) ** 0.75).sum())
    table = vocab.noise_table(0.75, size=100_000)
    assert np.allclose(np.bincount(table, minlength=3) / len(table), p, atol=1e-3)


@pytest.mark.parametrize(
    "sentences, negative, message",
    [([["a", "b"]], 1, "need 3 or more"), ([["a", "b", "c", "d"]], 4, "must be smaller than the vocabulary")],
)
def test_validate(sentences, negative, message):
    with pytest.raises(ValueError, match=message):
        Vocab.build(sentences, 1).validate(negative)


def test_lists_and_a_streamed_corpus_give_the_same_vocabulary_and_ids(tmp_path):
    from lib.config import CorpusConfig
    from lib.data.corpora import load_corpus

    path = tmp_path / "c.txt"
    path.write_text("b a a c\na b d\n\na b c e\nzzz\n", encoding="utf-8")
    streamed = load_corpus(CorpusConfig(str(path))).sentences
    assert streamed == SENTENCES + [["zzz"]]
    vocab = Vocab.build(streamed, min_count=2)
    assert vocab.words == ("a", "b", "c") and vocab.counts.tolist() == [4, 3, 2]
    enc = vocab.encode(streamed)
    assert enc.ids.tolist() == [1, 0, 0, 2, 0, 1, 0, 1, 2] and enc.lengths.tolist() == [4, 2, 3]


def test_lists_are_encoded_as_given_however_long(monkeypatch):
    import lib.data.tokens

    monkeypatch.setattr(lib.data.tokens, "BLOCK_TOKENS", 5)  # blocks cut sentences: the lengths still add up
    long = ["a", "b"] * 6_000
    vocab = Vocab.build([long, ["c", "a"]], 1)
    enc = vocab.encode([long, ["zzz"], ["c", "a"]])
    assert enc.lengths.tolist() == [12_000, 2]  # not cut at gensim's 10,000: lists are taken as they are
    assert enc.ids.tolist() == [0, 1] * 6_000 + [2, 0]
    assert vocab.counts.tolist() == [6_001, 6_000, 1]

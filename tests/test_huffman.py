"""lib.model.huffman: the tree is gensim's, and its paths make a probability distribution over the vocabulary."""

import numpy as np
import pytest

from lib.model.huffman import HuffmanTree


def test_huffman_tree_is_gensims_for_distinct_counts():
    """With no ties gensim's word order is ours, and its own tree (gensim builds it) must be ours exactly."""
    from gensim.models import Word2Vec

    counts = np.sort(np.random.default_rng(0).choice(np.arange(5, 100_000), 300, replace=False))[::-1]
    words = [f"w{i}" for i in range(300)]
    model = Word2Vec(vector_size=8, hs=1, negative=0, min_count=1)
    model.build_vocab_from_freq(dict(zip(words, counts.tolist())))
    tree = HuffmanTree.build(counts)
    for i, w in enumerate(words):
        assert model.wv.key_to_index[w] == i
        code, point = tree.path(i)
        assert np.array_equal(model.wv.get_vecattr(w, "code"), code)
        assert np.array_equal(model.wv.get_vecattr(w, "point"), point)


def test_hierarchical_softmax_is_a_distribution_over_the_vocabulary():
    """Σ_w P(w | h) = 1 for any h: the tree's codes and points describe a proper binary tree."""
    counts = np.array([40, 30, 22, 17, 12, 9, 7, 5, 4, 3, 2, 1])
    tree = HuffmanTree.build(counts)
    rng = np.random.default_rng(0)
    w_out, h = rng.normal(size=(12, 5)), rng.normal(size=(1, 5))
    log_p = -np.array([tree.loss(h, w_out, np.array([w]))[0] for w in range(12)])
    assert np.exp(log_p).sum() == pytest.approx(1.0)

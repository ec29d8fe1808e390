"""lib.model.gensim_trainer: same vocabulary and settings, a snapshot per epoch, a per-epoch loss, optional exact
repeats."""

import os
import subprocess
import sys

import numpy as np
import pytest

from lib.config import CorpusConfig, TrainConfig
from lib.data.corpora import load_corpus
from lib.data.vocab import Vocab
from lib.model.callbacks import TrainingCallback
from lib.model.gensim_trainer import gensim_model, stable_hash, train_gensim
from lib.model.huffman import HuffmanTree


class Recorder(TrainingCallback):
    def __init__(self):
        self.events, self.snapshots = [], []

    def on_train_begin(self, model, epochs):
        self.events.append(("begin", epochs))

    def on_epoch_begin(self, model, epoch):
        self.events.append(("epoch_begin", epoch))

    def on_epoch_end(self, snapshot):
        self.events.append(("epoch_end", snapshot.epoch))
        self.snapshots.append(snapshot)

    def on_train_end(self, model):
        self.events.append(("end", None))


def small():
    corpus = load_corpus(CorpusConfig("toy-proximity", sentences=3_000))
    cfg = TrainConfig(dim=16, epochs=3, alpha=0.01)
    return corpus, Vocab.build(corpus.sentences, cfg.min_count), cfg


def test_gensim_gets_exactly_our_vocabulary():
    corpus, vocab, cfg = small()
    model = gensim_model(vocab, cfg, len(corpus.sentences))
    assert set(model.wv.index_to_key) == set(vocab.words)
    assert all(model.wv.get_vecattr(w, "count") == c for w, c in zip(vocab.words, vocab.counts.tolist()))
    assert (model.vector_size, model.window, model.negative, model.sg) == (16, 5, 5, 1)


def test_a_snapshot_for_every_epoch_in_our_row_order():
    corpus, vocab, cfg = small()
    rec = Recorder()
    model = train_gensim(corpus.sentences, vocab, cfg, [rec], examples_per_epoch=10_000)
    assert [s.epoch for s in rec.snapshots] == [0, 1, 2, 3]
    assert rec.events[0] == ("begin", 3) and rec.events[-1] == ("end", None)
    last = rec.snapshots[-1]
    for i in (0, 5, len(vocab) - 1):
        assert np.allclose(last.vectors[i], model.wv[vocab.words[i]])
    assert not np.allclose(rec.snapshots[0].vectors, last.vectors)
    assert np.all(rec.snapshots[0].out_vectors == 0)  # syn1neg starts at zero
    assert all(s.seconds > 0 and s.words == vocab.total for s in rec.snapshots[1:])


def test_loss_is_reset_every_epoch_not_cumulative():
    corpus, vocab, cfg = small()
    rec = Recorder()
    train_gensim(
        corpus.sentences,
        vocab,
        TrainConfig(dim=16, epochs=3, alpha=0.01, deterministic=True),
        [rec],
        examples_per_epoch=10_000,
    )
    losses = [s.train_loss for s in rec.snapshots[1:]]
    assert all(loss > 0 for loss in losses)
    assert losses[2] < 1.2 * losses[0]  # a cumulative counter would be about three times the first


def test_deterministic_setting_repeats_exactly():
    corpus, vocab, cfg = small()
    runs = []
    for _ in range(2):
        rec = Recorder()
        train_gensim(corpus.sentences, vocab, TrainConfig(dim=16, epochs=2, deterministic=True), [rec])
        runs.append(rec.snapshots[-1].vectors)
    assert np.array_equal(runs[0], runs[1])


def test_stable_hash_is_the_same_in_another_process():
    """Python's hash() changes with PYTHONHASHSEED between processes; stable_hash must not."""
    code = "from lib.model.gensim_trainer import stable_hash; print(stable_hash('king1'), hash('king1'))"
    outputs = [
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout.split()
        for seed in ("1", "2")
    ]
    assert outputs[0][1] != outputs[1][1], "the builtin hash differs between these processes"
    assert outputs[0][0] == outputs[1][0] == str(stable_hash("king1"))
    assert stable_hash("king1") != stable_hash("king2")


def test_hierarchical_softmax_trains_gensim_on_the_shared_tree():
    corpus, vocab, _ = small()
    cfg = TrainConfig(dim=16, epochs=1, loss="hs", shrink_windows=False)
    model = gensim_model(vocab, cfg, len(corpus.sentences))
    assert (model.hs, model.negative, model.shrink_windows) == (1, 0, False)
    tree = HuffmanTree.build(vocab.counts)
    for i, w in enumerate(vocab.words):
        code, point = tree.path(i)
        assert np.array_equal(model.wv.get_vecattr(w, "code"), code)
        assert np.array_equal(model.wv.get_vecattr(w, "point"), point)
    rec = Recorder()
    model = train_gensim(corpus.sentences, vocab, cfg, [rec])
    assert rec.snapshots[0].out_vectors.shape == model.syn1.shape and np.all(rec.snapshots[0].out_vectors == 0)
    assert np.array_equal(rec.snapshots[-1].out_vectors, model.syn1)  # inner-node rows, in the tree's numbering


def test_gensim_refuses_full_softmax_instead_of_training_something_else():
    corpus, vocab, _ = small()
    with pytest.raises(ValueError, match="no full softmax.*hs"):
        gensim_model(vocab, TrainConfig(loss="softmax"), len(corpus.sentences))

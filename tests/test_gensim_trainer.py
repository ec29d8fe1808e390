"""gensim baseline: same vocabulary and settings, a snapshot per epoch, a per-epoch loss, optional exact repeats."""

import numpy as np

from lib.gensim_trainer import gensim_model, stable_hash, train_gensim
from lib.callbacks import TrainingCallback
from lib.config import CorpusConfig, TrainConfig
from lib.corpora import load_corpus
from lib.vocab import Vocab


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
    train_gensim(corpus.sentences, vocab, TrainConfig(dim=16, epochs=3, alpha=0.01, deterministic=True), [rec],
                 examples_per_epoch=10_000)
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
    assert stable_hash("king1") == stable_hash("king1") != stable_hash("king2")

"""lib.skipgram: the PyTorch word2vec learns, repeats with a seed, and every option trains."""

import numpy as np
import pytest
import torch

from lib.callbacks import TrainingCallback
from lib.config import CorpusConfig, TrainConfig, replace
from lib.corpora import load_corpus
from lib.evaluate import neighbor_precision
from lib.skipgram import Word2VecTables, train_pytorch
from lib.store import to_keyed_vectors
from lib.vocab import Vocab


class Recorder(TrainingCallback):
    def __init__(self):
        self.snapshots = []

    def on_epoch_end(self, snapshot):
        self.snapshots.append(snapshot)


@pytest.fixture(scope="module")
def toy():
    corpus = load_corpus(CorpusConfig("toy-proximity"))
    vocab = Vocab.build(corpus.sentences, 5)
    return corpus, vocab, vocab.encode(corpus.sentences)


def train(toy, **settings):
    corpus, vocab, encoded = toy
    cfg = TrainConfig(**{"epochs": 3, "alpha": 0.01, "workers": 1, **settings})
    rec = Recorder()
    tables = train_pytorch(encoded, vocab, cfg, rec)
    return tables, rec.snapshots


def precision(toy, vectors):
    corpus, vocab, _ = toy
    return neighbor_precision(to_keyed_vectors(vocab, vectors), corpus.true_neighbours)


def test_same_seed_same_vectors_other_seed_other_vectors(toy):
    a = train(toy, epochs=1, seed=3)[1][-1].vectors
    b = train(toy, epochs=1, seed=3)[1][-1].vectors
    c = train(toy, epochs=1, seed=4)[1][-1].vectors
    assert np.array_equal(a, b)
    assert not np.allclose(a, c, atol=1e-3)


@pytest.mark.parametrize("mode, settings", [
    ("pair", {}),
    ("window", {"shared_negatives": True}),
    ("batch", {"batch_negatives": 16}),
])
def test_negative_sampling_modes_learn_the_alphabet(toy, mode, settings):
    cfg = TrainConfig(**settings)
    assert cfg.pytorch_step() == mode
    _, snaps = train(toy, **settings)
    losses = [s.train_loss for s in snaps[1:]]
    assert losses[-1] < losses[0], "the training loss falls from epoch to epoch"
    assert precision(toy, snaps[-1].vectors) >= 0.8
    assert precision(toy, snaps[0].vectors) < 0.5, "random start vectors know nothing"
    assert all(s.seconds > 0 and s.words == len(toy[2]) and s.pairs > 0 for s in snaps[1:])


def test_hogwild_threads_learn_as_well(toy):
    _, snaps = train(toy, workers=2, shared_negatives=True)
    assert precision(toy, snaps[-1].vectors) >= 0.8
    assert torch.get_num_threads() >= 1


@pytest.mark.parametrize("settings", [
    {"architecture": "cbow"},
    {"architecture": "cbow", "batch_negatives": 16},
    {"loss": "softmax"},
    {"optimizer": "adam", "adam_lr": 0.01},
])
def test_other_options_train(toy, settings):
    _, snaps = train(toy, **settings)
    losses = [s.train_loss for s in snaps[1:]]
    assert all(np.isfinite(losses)) and losses[-1] < losses[0]
    assert precision(toy, snaps[-1].vectors) > precision(toy, snaps[0].vectors) + 0.2


def test_batch_step_with_one_pool_equals_per_pair_step_with_the_same_negatives():
    """Sharing is only a different draw: with every pair given the pool's negatives, the two steps agree."""
    torch.manual_seed(0)
    pool = torch.tensor([3, 7, 7, 11])
    inputs, outputs = torch.randint(0, 20, (32,)), torch.randint(0, 20, (32,))
    outputs[0] = 7  # a negative that is the output word itself is skipped by both

    def tables():
        t = Word2VecTables(20, 6, torch.device("cpu"), torch.Generator().manual_seed(1))
        t.w_out = torch.randn(20, 6, generator=torch.Generator().manual_seed(2)) * 0.3
        return t

    a, b = tables(), tables()
    loss_a = a.sgd_negative(inputs, outputs, pool.expand(32, 4), 0.05)
    loss_b = b.sgd_batch_negative(inputs, outputs, pool, 0.05, weight=1.0)
    assert torch.allclose(loss_a, loss_b) and torch.allclose(a.w_in, b.w_in, atol=1e-6)
    assert torch.allclose(a.w_out, b.w_out, atol=1e-6)


def test_bad_settings_say_what_to_change():
    with pytest.raises(ValueError, match="not both"):
        TrainConfig(shared_negatives=True, batch_negatives=8).validate()
    with pytest.raises(ValueError, match="batch_negatives"):
        TrainConfig(batch_negatives=-1).validate()


def test_threads_setting_is_restored(toy):
    before = torch.get_num_threads()
    train(toy, epochs=1, workers=2)
    assert torch.get_num_threads() == before


def test_worker_errors_reach_the_caller(toy):
    class Boom(TrainingCallback):
        def on_epoch_end(self, snapshot):
            if snapshot.epoch == 1:
                raise RuntimeError("boom")

    corpus, vocab, encoded = toy
    with pytest.raises(RuntimeError, match="boom"):
        train_pytorch(encoded, vocab, replace(TrainConfig(epochs=2), workers=2), Boom())


def test_shuffled_blocks_is_a_permutation_that_keeps_blocks_and_spreads_them():
    from lib.pairs import shuffled_blocks

    order = shuffled_blocks(1000, 64, np.random.default_rng(0))
    assert sorted(order.tolist()) == list(range(1000))
    starts = order[::64]
    assert all((order[i:i + 64] == np.arange(s, min(s + 64, 1000))).all() for i, s in zip(range(0, 1000, 64), starts)
               if len(order[i:i + 64]) == min(64, 1000 - s))
    assert not (order[:128] < 128).all()  # the first blocks of the epoch are not the corpus's first blocks


def test_a_clustered_topic_word_does_not_blow_up():
    """In corpus order a batch of 4,096 pairs sums dozens of updates to the words of one long article, and
    their vectors explode (to over 100 here); shuffled blocks keep them near the size of the others."""
    rng = np.random.default_rng(0)
    base = [[f"w{i}" for i in rng.integers(0, 600, 7)] for _ in range(20_000)]  # 600 words: batches of 4,096
    topic_words = ("route", "km", "north", "road")
    article = [[topic_words[k % 4] if k % 2 == 0 else f"w{rng.integers(0, 600)}" for k in range(7)]
               for _ in range(1_500)]
    sentences = base[:10_000] + article + base[10_000:]
    vocab = Vocab.build(sentences, 5)
    sizes = []

    class Sizes(TrainingCallback):
        def on_epoch_end(self, snapshot):
            sizes.append(np.abs(snapshot.vectors).max())

    train_pytorch(vocab.encode(sentences), vocab, TrainConfig(epochs=2, dim=20, workers=1), [Sizes()])
    assert max(sizes) < 5.0

"""lib.model.torch_trainer: the PyTorch word2vec learns, repeats with a seed, every option trains, worker threads
share the work and hand their errors on."""

import threading

import numpy as np
import pytest
import torch

from lib.config import CorpusConfig, TrainConfig
from lib.data.corpora import load_corpus
from lib.data.vocab import Vocab
from lib.model.callbacks import TrainingCallback
from lib.model.torch_trainer import PyTorchTraining, run_in_threads, train_pytorch
from lib.runs.store import to_keyed_vectors
from lib.views.evaluate import neighbour_precision


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
    return neighbour_precision(to_keyed_vectors(vocab, vectors), corpus.true_neighbours)


def test_same_seed_same_vectors_other_seed_other_vectors(toy):
    a = train(toy, epochs=1, seed=3)[1][-1].vectors
    b = train(toy, epochs=1, seed=3)[1][-1].vectors
    c = train(toy, epochs=1, seed=4)[1][-1].vectors
    assert np.array_equal(a, b)
    assert not np.allclose(a, c, atol=1e-3)


@pytest.mark.parametrize(
    "mode, settings",
    [("pair", {}), ("window", {"shared_negatives": True}), ("batch", {"batch_negatives": 16}), ("hs", {"loss": "hs"})],
)
def test_skipgram_objectives_learn_the_alphabet(toy, mode, settings):
    cfg = TrainConfig(**settings)
    assert cfg.pytorch_step() == mode
    _, snaps = train(toy, **settings)
    losses = [s.train_loss for s in snaps[1:]]
    assert losses[-1] < losses[0], "the training loss falls from epoch to epoch"
    assert precision(toy, snaps[-1].vectors) >= 0.8
    assert precision(toy, snaps[0].vectors) < 0.5, "random start vectors know nothing"
    assert all(s.seconds > 0 and s.words == len(toy[2]) and s.pairs > 0 for s in snaps[1:])


def test_two_worker_threads_learn_as_well_as_one(toy):
    one = precision(toy, train(toy, workers=1, shared_negatives=True)[1][-1].vectors)
    two = precision(toy, train(toy, workers=2, shared_negatives=True)[1][-1].vectors)
    assert two >= 0.8 and two >= one - 0.1


def test_every_worker_thread_trains_its_share_of_batches(toy, monkeypatch):
    seen = []
    step = PyTorchTraining.step

    def recording_step(self, ex, b, negatives, lr):
        seen.append((threading.get_ident(), b))
        return step(self, ex, b, negatives, lr)

    monkeypatch.setattr(PyTorchTraining, "step", recording_step)
    train(toy, epochs=1, workers=2, batch_size=64)
    threads = {t for t, _ in seen}
    assert len(threads) == 2
    for t in threads:  # thread i takes batches i, i + 2, i + 4, ...
        assert len({b % 2 for u, b in seen if u == t}) == 1
    assert sorted(b for _, b in seen) == list(range(len(seen)))


@pytest.mark.parametrize(
    "settings",
    [
        {"architecture": "cbow"},
        {"architecture": "cbow", "batch_negatives": 16},
        {"architecture": "cbow", "loss": "hs"},
        {"loss": "softmax"},
        {"optimizer": "adam", "adam_lr": 0.01},
    ],
)
def test_other_options_train(toy, settings):
    _, snaps = train(toy, **settings)
    losses = [s.train_loss for s in snaps[1:]]
    assert all(np.isfinite(losses)) and losses[-1] < losses[0]
    assert precision(toy, snaps[-1].vectors) > precision(toy, snaps[0].vectors) + 0.2


def test_fixed_windows_train_on_more_pairs(toy):
    dynamic = train(toy, epochs=1)[1][-1].pairs
    fixed = train(toy, epochs=1, shrink_windows=False)[1][-1].pairs
    assert fixed > dynamic  # every centre word reaches the whole window (exact counts: tests/test_pairs.py)


def test_threads_setting_is_restored(toy):
    before = torch.get_num_threads()
    train(toy, epochs=1, workers=2)
    assert torch.get_num_threads() == before


def test_run_in_threads_runs_the_workers_at_the_same_time():
    barrier = threading.Barrier(3, timeout=10)  # breaks unless all three wait at once

    def work(worker):
        barrier.wait()
        return worker * 10

    assert run_in_threads(3, work, threading.Event()) == [0, 10, 20]


def test_an_error_in_a_worker_thread_reaches_the_caller_and_stops_the_others(toy, monkeypatch):
    calls = {"main": 0}
    step = PyTorchTraining.step
    failed = threading.Event()

    def failing_step(self, ex, b, negatives, lr):
        if threading.current_thread() is not threading.main_thread():
            failed.set()
            raise RuntimeError("boom in a worker")
        failed.wait(10)  # the worker fails before the calling thread's first step, however the threads are scheduled
        calls["main"] += 1
        return step(self, ex, b, negatives, lr)

    monkeypatch.setattr(PyTorchTraining, "step", failing_step)
    with pytest.raises(RuntimeError, match="boom in a worker"):
        train(toy, epochs=2, workers=2, batch_size=32)
    batches = len(toy[2]) * 5 // 32  # far more than the calling thread gets to before the stop
    assert calls["main"] < batches // 4


def test_shuffled_blocks_is_a_permutation_of_whole_blocks_in_a_new_order():
    from lib.data.pairs import shuffled_blocks

    firsts = set()
    for seed in range(20):
        order = shuffled_blocks(1000, 64, np.random.default_rng(seed))
        assert sorted(order.tolist()) == list(range(1000))
        runs = np.split(order, np.nonzero(np.diff(order) != 1)[0] + 1)  # stretches of consecutive examples
        for run in runs:  # each is one block or several in a row: it starts and ends on block boundaries
            assert run[0] % 64 == 0 and ((run[-1] + 1) % 64 == 0 or run[-1] == 999)
        firsts.add(int(order[0]))
    assert len(firsts) > 8  # the epoch starts at a different block for different seeds


def test_a_clustered_topic_word_does_not_blow_up():
    """In corpus order a batch of 4,096 pairs sums dozens of updates to the words of one long article, and
    their vectors explode (to over 100 here); shuffled blocks keep them near the size of the others."""
    rng = np.random.default_rng(0)
    base = [[f"w{i}" for i in rng.integers(0, 600, 7)] for _ in range(20_000)]
    topic_words = ("route", "km", "north", "road")
    article = [
        [topic_words[k % 4] if k % 2 == 0 else f"w{rng.integers(0, 600)}" for k in range(7)] for _ in range(1_500)
    ]
    sentences = base[:10_000] + article + base[10_000:]
    vocab = Vocab.build(sentences, 5)
    sizes = []

    class Sizes(TrainingCallback):
        def on_epoch_end(self, snapshot):
            sizes.append(np.abs(snapshot.vectors).max())

    cfg = TrainConfig(epochs=2, dim=20, workers=1, batch_size=4096)
    train_pytorch(vocab.encode(sentences), vocab, cfg, [Sizes()])
    assert max(sizes) < 5.0


def test_an_epoch_in_chunks_trains_on_every_pair(toy, monkeypatch):
    """A corpus larger than lib.data.pairs.CHUNK_TOKENS is trained a chunk at a time: with fixed windows and no
    subsampling an epoch still holds Σ over sentences of Σ_i min(i, w) + min(L−1−i, w) pairs, and it learns."""
    from lib.data import pairs

    corpus, vocab, encoded = toy
    w = 2
    want = sum(min(i, w) + min(n - 1 - i, w) for n in encoded.lengths.tolist() for i in range(n))
    settings = {"window": w, "shrink_windows": False, "sample": 0, "epochs": 1}
    whole = train(toy, **settings)[1][-1].vectors
    monkeypatch.setattr(pairs, "CHUNK_TOKENS", 20_000)
    _, snaps = train(toy, **settings)
    assert snaps[-1].pairs == want
    assert not np.array_equal(snaps[-1].vectors, whole), "the examples were shuffled within chunks"
    assert precision(toy, snaps[-1].vectors) >= precision(toy, whole) - 0.1, "it learns as well as in one piece"

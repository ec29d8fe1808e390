"""Trains gensim's Word2Vec, the baseline, on the same vocabulary and settings, with a snapshot after every epoch."""

from __future__ import annotations

import time
import zlib
from collections.abc import Sequence

import numpy as np
from gensim.models import Word2Vec
from gensim.models.callbacks import CallbackAny2Vec

from lib.config import TrainConfig
from lib.data.vocab import Vocab
from lib.model.callbacks import CallbackList, Snapshot, TrainingCallback
from lib.model.huffman import HuffmanTree

PROGRESS_EVERY = 2_000  # sentences between progress callbacks


def stable_hash(text: str) -> int:
    """A hash that, unlike Python's, does not change between processes: gensim seeds each word's start vector
    with hashfxn(word + seed), so with one worker thread this makes gensim's runs repeat exactly."""
    return zlib.crc32(text.encode("utf-8"))


def gensim_model(vocab: Vocab, cfg: TrainConfig, n_sentences: int) -> Word2Vec:
    """An untrained gensim Word2Vec with our vocabulary (the same words and counts), our settings and, for
    hierarchical softmax, our Huffman tree (so its syn1 rows are the PyTorch model's w_out rows)."""
    cfg.validate().check_models(["gensim"])
    model = Word2Vec(
        vector_size=cfg.dim,
        window=cfg.window,
        shrink_windows=cfg.shrink_windows,
        min_count=cfg.min_count,
        sample=cfg.sample,
        sg=int(cfg.architecture == "skipgram"),
        hs=int(cfg.loss == "hs"),
        negative=cfg.negative if cfg.loss == "negative" else 0,
        ns_exponent=cfg.ns_exponent,
        alpha=cfg.alpha,
        min_alpha=cfg.min_alpha,
        seed=cfg.seed,
        workers=cfg.resolved_workers(),
        epochs=cfg.epochs,
        compute_loss=True,
        hashfxn=stable_hash if cfg.deterministic else hash,
    )
    model.build_vocab_from_freq(dict(zip(vocab.words, vocab.counts.tolist())), corpus_count=n_sentences)
    if set(model.wv.index_to_key) != set(vocab.words):
        raise AssertionError("gensim's vocabulary differs from the shared one")
    if cfg.loss == "hs":  # gensim breaks ties in counts in another word order: give it the shared tree
        tree = HuffmanTree.build(vocab.counts)
        for i, word in enumerate(vocab.words):
            code, point = tree.path(i)
            model.wv.set_vecattr(word, "code", code)
            model.wv.set_vecattr(word, "point", point)
    return model


class _EpochSnapshots(CallbackAny2Vec):
    """Adapts gensim's callbacks to ours; on_epoch_end runs after all worker threads finish the epoch."""

    def __init__(self, name: str, cb: TrainingCallback, order: np.ndarray, words: int, examples_per_epoch: int):
        self.name, self.cb, self.order, self.words = name, cb, order, words
        self.examples = examples_per_epoch
        self.epoch, self.start = 0, 0.0

    def on_epoch_begin(self, model):
        self.epoch += 1
        model.running_training_loss = 0.0  # gensim's loss is cumulative: restart it every epoch
        self.cb.on_epoch_begin(self.name, self.epoch)
        self.start = time.perf_counter()

    def on_epoch_end(self, model):
        seconds = time.perf_counter() - self.start
        loss = model.get_latest_training_loss() / max(1, self.examples)
        self.cb.on_progress(self.name, self.epoch, 1.0, loss)
        self.cb.on_epoch_end(
            snapshot(model, self.name, self.epoch, self.order, seconds=seconds, words=self.words, train_loss=loss)
        )


def snapshot(model: Word2Vec, name: str, epoch: int, order: np.ndarray, **stats) -> Snapshot:
    """Input vectors in our row order; output weights: syn1neg's word rows in our order, or syn1's inner-node
    rows as they are (the shared Huffman tree numbers them)."""
    if model.hs:
        out = model.syn1.astype(np.float32)
    else:
        out = model.syn1neg[order].astype(np.float32)
    return Snapshot(name, epoch, model.wv.vectors[order].astype(np.float32), out, **stats)


class _ReportingCorpus:
    """The sentences, re-iterable, telling the callbacks how far gensim's job producer has got in each epoch."""

    def __init__(self, sentences, cb: TrainingCallback, name: str, epochs: _EpochSnapshots):
        self.sentences, self.cb, self.name, self.epochs = sentences, cb, name, epochs

    def __len__(self):
        return len(self.sentences)

    def __iter__(self):
        n = len(self.sentences)
        for i, sentence in enumerate(self.sentences):
            if i and i % PROGRESS_EVERY == 0:
                self.cb.on_progress(self.name, self.epochs.epoch, i / n, None)
            yield sentence


def train_gensim(
    sentences: Sequence[list[str]],
    vocab: Vocab,
    cfg: TrainConfig,
    callbacks: TrainingCallback | list | None = None,
    name: str = "gensim",
    examples_per_epoch: int = 0,
    words_per_epoch: int = 0,
) -> Word2Vec:
    """Train gensim's Word2Vec for cfg.epochs epochs, handing a Snapshot (rows in our vocabulary's order) to
    the callbacks after each epoch and for epoch 0.

    sentences: re-iterable lists of words, such as a corpus's lib.data.tokens.Sentences (decoded from word ids as
    gensim reads them, every epoch, so the corpus is never held as lists); examples_per_epoch: how many
    (input, output) examples an epoch holds on average (gensim does not say), used to turn gensim's summed loss
    into a mean; words_per_epoch: in-vocabulary words per epoch, for words/s.

    >>> from lib.data.vocab import Vocab
    >>> sentences = [["the", "cat", "sat", "on", "the", "mat"], ["the", "dog", "sat", "on", "the", "rug"]] * 50
    >>> vocab = Vocab.build(sentences, min_count=1)
    >>> model = train_gensim(sentences, vocab, TrainConfig(dim=8, epochs=1, negative=2, workers=1))
    >>> model.wv.vectors.shape
    (7, 8)
    """
    cb = callbacks if isinstance(callbacks, TrainingCallback) else CallbackList(callbacks or [])
    vocab.validate(cfg.negative, cfg.loss)
    model = gensim_model(vocab, cfg, len(sentences))
    order = np.array([model.wv.key_to_index[w] for w in vocab.words], dtype=np.int64)
    words = words_per_epoch or int(vocab.counts.sum())
    epochs = _EpochSnapshots(name, cb, order, words, examples_per_epoch)
    cb.on_train_begin(name, cfg.epochs)
    cb.on_epoch_end(snapshot(model, name, 0, order))
    model.train(
        _ReportingCorpus(sentences, cb, name, epochs),
        total_examples=len(sentences),
        epochs=cfg.epochs,
        compute_loss=True,
        callbacks=[epochs],
    )
    cb.on_train_end(name)
    return model

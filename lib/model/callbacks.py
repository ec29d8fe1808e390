"""One callback interface for both trainers (after gensim's CallbackAny2Vec): snapshots, progress bars, pages."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np


@dataclass
class Snapshot:
    """What a trainer hands over after an epoch; epoch 0 is the random start, before any training."""

    model: str  # "pytorch" or "gensim"
    epoch: int
    vectors: np.ndarray  # input vectors (the embeddings), float32, rows in vocabulary order
    out_vectors: np.ndarray | None  # output weights: word rows, or for hs the Huffman tree's inner nodes
    seconds: float | None = None  # wall-clock training time of the epoch, pair generation included
    words: int | None = None  # in-vocabulary corpus words the epoch went through (before subsampling)
    train_loss: float | None = None  # mean loss per trained example as the trainer saw it during the epoch
    pairs: int | None = None  # (input, output) examples trained on, where the trainer knows it
    pair_seconds: float | None = None  # of `seconds`, the time spent making the epoch's examples

    @property
    def words_per_sec(self) -> float | None:
        return self.words / self.seconds if self.seconds and self.words else None


class TrainingCallback:
    """Override what you need. A trainer calls on_train_begin, then for epoch 0 only on_epoch_end (the random
    start), then for each epoch on_epoch_begin, on_progress (often), on_epoch_end; finally on_train_end."""

    def on_train_begin(self, model: str, epochs: int) -> None:
        pass

    def on_epoch_begin(self, model: str, epoch: int) -> None:
        pass

    def on_progress(self, model: str, epoch: int, done: float, loss: float | None) -> None:
        """done: share of this epoch finished, 0..1; loss: mean training loss of the epoch so far, if known."""

    def on_epoch_end(self, snapshot: Snapshot) -> None:
        pass

    def on_train_end(self, model: str) -> None:
        pass


class CallbackList(TrainingCallback):
    """Many callbacks seen as one, called in order."""

    def __init__(self, callbacks=()):
        self.callbacks = [c for c in callbacks if c is not None]

    def on_train_begin(self, model, epochs):
        for c in self.callbacks:
            c.on_train_begin(model, epochs)

    def on_epoch_begin(self, model, epoch):
        for c in self.callbacks:
            c.on_epoch_begin(model, epoch)

    def on_progress(self, model, epoch, done, loss):
        for c in self.callbacks:
            c.on_progress(model, epoch, done, loss)

    def on_epoch_end(self, snapshot):
        for c in self.callbacks:
            c.on_epoch_end(snapshot)

    def on_train_end(self, model):
        for c in self.callbacks:
            c.on_train_end(model)


class Throttled(TrainingCallback):
    """Passes on_progress on at most every `interval` seconds (and always at the end of an epoch)."""

    def __init__(self, inner: TrainingCallback, interval: float = 0.5):
        self.inner, self.interval, self._last = inner, interval, 0.0

    def on_train_begin(self, model, epochs):
        self.inner.on_train_begin(model, epochs)

    def on_epoch_begin(self, model, epoch):
        self.inner.on_epoch_begin(model, epoch)

    def on_progress(self, model, epoch, done, loss):
        now = time.monotonic()
        if done >= 1 or now - self._last >= self.interval:
            self._last = now
            self.inner.on_progress(model, epoch, done, loss)

    def on_epoch_end(self, snapshot):
        self.inner.on_epoch_end(snapshot)

    def on_train_end(self, model):
        self.inner.on_train_end(model)


class TqdmProgress(TrainingCallback):
    """A tqdm bar per model on the command line, counting epochs in hundredths."""

    def __init__(self, **tqdm_kwargs):
        self.kwargs, self.bar = tqdm_kwargs, None

    def on_train_begin(self, model, epochs):
        from tqdm.auto import tqdm

        self.bar = tqdm(
            total=epochs,
            desc=f"{model:>7}",
            unit="epoch",
            bar_format=("{desc} {percentage:3.0f}%|{bar}| {n:.2f}/{total} epochs [{elapsed}<{remaining}{postfix}]"),
            **self.kwargs,
        )

    def on_progress(self, model, epoch, done, loss):
        if self.bar is not None:
            self.bar.n = round(epoch - 1 + done, 2)
            if loss is not None:
                self.bar.set_postfix(loss=f"{loss:.3f}", refresh=False)
            self.bar.refresh()

    def on_epoch_end(self, snapshot):
        if self.bar is not None and snapshot.epoch > 0:
            self.bar.n = snapshot.epoch
            if snapshot.words_per_sec:
                self.bar.set_postfix(words_per_s=f"{snapshot.words_per_sec:,.0f}", refresh=False)
            self.bar.refresh()

    def on_train_end(self, model):
        if self.bar is not None:
            self.bar.close()
            self.bar = None

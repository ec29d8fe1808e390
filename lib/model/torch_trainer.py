"""The PyTorch word2vec's training loop: epochs, the learning-rate schedule, worker threads and callbacks."""

from __future__ import annotations

import threading
import time

import numpy as np
import torch

from lib.config import TrainConfig
from lib.data.pairs import chunks
from lib.data.vocab import Encoded, Vocab
from lib.model.batching import EpochBatches, epoch_batches, used_columns
from lib.model.callbacks import CallbackList, Snapshot, TrainingCallback
from lib.model.huffman import HuffmanTree
from lib.model.torch_word2vec import AutogradWord2Vec, Word2VecTables

MAX_SOFTMAX_VOCAB = 20_000
PROGRESS_EVERY = 16  # batches between progress callbacks


def resolve_device(name: str) -> torch.device:
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("device='cuda' was asked for but PyTorch sees no CUDA GPU; use 'auto' or 'cpu'.")
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def run_in_threads(n_workers: int, work, stop: threading.Event) -> list:
    """Run work(worker) for worker 0 .. n_workers - 1 at the same time and return their results.

    Like word2vec's and gensim's worker threads ("Hogwild!"), the workers update the shared tables without
    locks; torch releases the GIL inside every operation, so n threads really use n cores. Worker 0 runs in
    the calling thread (so it can report progress and be interrupted); an error in any worker stops all."""
    results: list = [None] * n_workers
    errors: list[BaseException] = []

    def run(worker: int) -> None:
        try:
            results[worker] = work(worker)
        except BaseException as exc:  # noqa: BLE001 -- handed to the calling thread below
            errors.append(exc)
            stop.set()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(1, n_workers)]
    for t in threads:
        t.start()
    try:
        results[0] = work(0)
    except BaseException:
        stop.set()  # the calling thread failed or was cancelled: stop the others too
        raise
    finally:
        for t in threads:
            t.join()
    if errors:
        raise errors[0]
    return results


class PyTorchTraining:
    """One training run's state: the tables, the source of negatives, the threads and the batch size."""

    def __init__(self, encoded: Encoded, vocab: Vocab, cfg: TrainConfig, name: str):
        self.encoded, self.cfg, self.name = encoded, cfg, name
        self.device = resolve_device(cfg.device)
        self.step_kind = cfg.pytorch_step()
        self.n_workers = cfg.pytorch_threads(self.device.type)
        self.rng = np.random.default_rng(cfg.seed)
        tree = HuffmanTree.build(vocab.counts) if cfg.loss == "hs" else None
        self.tables = Word2VecTables(
            len(vocab), cfg.dim, self.device, torch.Generator().manual_seed(cfg.seed), tree=tree
        )
        self.keep = vocab.keep_probability(cfg.sample)
        self.noise = torch.from_numpy(vocab.noise_table(cfg.ns_exponent)).to(self.device)
        self.negative_gen = torch.Generator(device=self.device).manual_seed(cfg.seed + 1)
        self.batch = cfg.worker_batch(len(vocab), self.n_workers)
        self.autograd = self.optimizer = None
        if self.step_kind == "adam":
            self.autograd = AutogradWord2Vec(self.tables)
            self.optimizer = torch.optim.SparseAdam(list(self.autograd.parameters()), lr=cfg.adam_lr)

    def snapshot(self, epoch: int, **stats) -> Snapshot:
        w_in, w_out = (
            (self.autograd.w_in.weight, self.autograd.w_out.weight)
            if self.autograd
            else (self.tables.w_in, self.tables.w_out)
        )
        return Snapshot(
            self.name,
            epoch,
            w_in.detach().float().cpu().numpy().copy(),
            w_out.detach().float().cpu().numpy().copy(),
            **stats,
        )

    def draw_negatives(self, shape: tuple[int, ...]) -> torch.Tensor | None:
        """Negatives for a whole epoch at once: uniform integers into the unigram table, then one lookup."""
        if self.cfg.loss != "negative":
            return None
        picks = torch.randint(len(self.noise), shape, generator=self.negative_gen, device=self.device)
        return torch.index_select(self.noise, 0, picks.reshape(-1)).reshape(shape)

    def step(self, ex: EpochBatches, b: int, negatives: torch.Tensor | None, lr: float) -> torch.Tensor:
        """Train on batch b of the epoch; returns its summed loss."""
        lo, hi = ex.batch(b)
        inp, out, kind, tables = ex.inputs[lo:hi], ex.outputs[lo:hi], self.step_kind, self.tables
        if kind == "adam":
            self.optimizer.zero_grad()
            with torch.enable_grad():
                loss = self.autograd.loss(inp, out, None if negatives is None else negatives[lo:hi])
                (loss / (hi - lo)).backward()
            self.optimizer.step()
            return loss.detach()
        if kind == "batch":
            return tables.sgd_batch_negative(inp, out, negatives[b], lr, self.cfg.negative / self.cfg.batch_negatives)
        if kind == "window":  # drop the padded columns no window of this batch uses
            return tables.sgd_shared_negative(used_columns(inp), out, negatives[lo:hi], lr)
        if kind == "pair":
            return tables.sgd_negative(inp, out, negatives[lo:hi], lr)
        return tables.sgd_hs(inp, out, lr) if kind == "hs" else tables.sgd_softmax(inp, out, lr)

    def epoch(self, epoch: int, cb: TrainingCallback) -> tuple[float, int, float]:
        """Train one epoch, a chunk of the corpus at a time (lib.data.pairs.chunks: one chunk for a small corpus);
        returns (mean loss per pair (CBOW: per window), pairs, seconds making the examples)."""
        total, done = len(self.encoded), 0
        loss_sum, terms, pairs, pair_seconds = 0.0, 0, 0, 0.0
        for piece in chunks(self.encoded):
            start = time.perf_counter()
            ex = epoch_batches(piece, self.keep, self.cfg, self.batch, self.rng, self.device)
            pair_seconds += time.perf_counter() - start
            # the share of the epoch done before this chunk, and the share the chunk is of the epoch
            progress = (done / total, len(piece) / total) if total else (0.0, 1.0)
            loss_sum += self.chunk(ex, epoch, progress, loss_sum, terms, cb)
            terms += ex.loss_terms(0, len(ex.outputs))
            pairs += ex.n_pairs
            done += len(piece)
        if self.device.type == "cuda":
            torch.cuda.synchronize()
        return loss_sum / max(1, terms), pairs, pair_seconds

    def chunk(
        self,
        ex: EpochBatches,
        epoch: int,
        progress: tuple[float, float],
        loss_before: float,
        terms_before: int,
        cb: TrainingCallback,
    ) -> float:
        """Train on one chunk's examples; returns their summed loss."""
        n, stop = len(ex.outputs), threading.Event()
        per_batch = self.step_kind == "batch"  # one pool per batch, else K per example (per window)
        negatives = self.draw_negatives(
            (ex.n_batches, self.cfg.batch_negatives) if per_batch else (n, self.cfg.negative)
        )
        before, share = progress

        def work(worker: int) -> torch.Tensor:
            """This worker's batches of the chunk (every n_workers-th); returns their summed loss."""
            loss_sum, terms = torch.zeros((), device=self.device), 0
            for b in range(worker, ex.n_batches, self.n_workers):
                if stop.is_set():
                    break
                lo, hi = ex.batch(b)
                done = (epoch - 1) + before + lo / n * share  # epochs of training done
                lr = self.cfg.learning_rate(done / self.cfg.epochs)  # share of all training done
                loss_sum += self.step(ex, b, negatives, lr)
                terms += ex.loss_terms(lo, hi)
                if worker == 0 and b % (PROGRESS_EVERY * self.n_workers) == 0 and b:
                    cb.on_progress(
                        self.name,
                        epoch,
                        before + hi / n * share,
                        (loss_before + float(loss_sum)) / max(1, terms_before + terms),
                    )
            return loss_sum

        with torch.no_grad():
            losses = run_in_threads(self.n_workers, work, stop)
        return float(sum(losses))


def check_pytorch(cfg: TrainConfig, vocab: Vocab) -> None:
    """Raise ValueError, saying what to change, when the PyTorch model cannot train these settings."""
    cfg.validate()
    vocab.validate(cfg.negative, cfg.loss)
    if cfg.loss == "softmax" and len(vocab) > MAX_SOFTMAX_VOCAB:
        raise ValueError(
            f"Full softmax over {len(vocab):,} words is too slow here; it is meant for vocabularies up "
            f"to {MAX_SOFTMAX_VOCAB:,}. Use loss='hs' or 'negative', or raise min_count."
        )


def train_pytorch(
    encoded: Encoded,
    vocab: Vocab,
    cfg: TrainConfig,
    callbacks: TrainingCallback | list | None = None,
    name: str = "pytorch",
) -> Word2VecTables:
    """Train for cfg.epochs epochs, handing a Snapshot to the callbacks after each (and for epoch 0).

    Every epoch, a chunk of the corpus at a time (lib.data.pairs.chunks; a small corpus is one chunk): (1) make all
    the chunk's examples at once with array operations (lib.model.batching) and draw all its negatives with one
    randint call into word2vec's unigram table; (2) apply the hand-written SGD step of each
    batch in place (lib.model.torch_word2vec), the learning rate falling linearly with the examples done. On a CPU,
    `workers` threads share the batches (batch i goes to thread i mod workers) and update the tables without
    locks, as gensim's threads do, each running torch single-threaded.

    >>> from lib.data.vocab import Vocab
    >>> sentences = [["the", "cat", "sat", "on", "the", "mat"], ["the", "dog", "sat", "on", "the", "rug"]] * 50
    >>> vocab = Vocab.build(sentences, min_count=1)
    >>> tables = train_pytorch(vocab.encode(sentences), vocab, TrainConfig(dim=8, epochs=1, negative=2, workers=1))
    >>> tuple(tables.w_in.shape)
    (7, 8)
    """
    check_pytorch(cfg, vocab)
    cb = callbacks if isinstance(callbacks, TrainingCallback) else CallbackList(callbacks or [])
    training = PyTorchTraining(encoded, vocab, cfg, name)
    threads_before = torch.get_num_threads()
    torch.set_num_threads(1 if training.n_workers > 1 else cfg.resolved_workers())
    try:
        cb.on_train_begin(name, cfg.epochs)
        cb.on_epoch_end(training.snapshot(0))
        for epoch in range(1, cfg.epochs + 1):
            cb.on_epoch_begin(name, epoch)
            start = time.perf_counter()
            train_loss, pairs, pair_seconds = training.epoch(epoch, cb)
            cb.on_progress(name, epoch, 1.0, train_loss)
            cb.on_epoch_end(
                training.snapshot(
                    epoch,
                    seconds=time.perf_counter() - start,
                    words=len(encoded),
                    train_loss=train_loss,
                    pairs=pairs,
                    pair_seconds=pair_seconds,
                )
            )
        cb.on_train_end(name)
    finally:
        torch.set_num_threads(threads_before)
    return training.tables

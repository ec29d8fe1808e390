"""The from-scratch word2vec in PyTorch: skip-gram or CBOW, negative sampling or full softmax, SGD or Adam.

Two tables, as in word2vec: `w_in` (the embeddings people use) starts uniform in ±0.5/dim, `w_out` (the output
weights) at zero. With SGD the gradients are written out by hand and applied in place with `index_add_`, only
to the rows a batch touches, with word2vec's learning rate decaying linearly over all training. With Adam,
autograd and `torch.optim.SparseAdam` do the work on the same loss.

Loss for one example with input vector h (a context word's vector for skip-gram, the mean of the context
words' vectors for CBOW), output word o and negatives n_1..n_K drawn ∝ count^0.75:
    negative sampling:  -log σ(h·v_o) - Σ_k log σ(-h·v_{n_k})
    full softmax:       -log softmax(h·W_out^T)_o
"""

from __future__ import annotations

import time

import numpy as np
import torch
import torch.nn.functional as F

from lib.callbacks import CallbackList, Snapshot, TrainingCallback
from lib.config import TrainConfig
from lib.pairs import Windows, epoch_windows
from lib.vocab import Encoded, Vocab

MAX_SOFTMAX_VOCAB = 20_000
PROGRESS_EVERY = 16  # batches between progress callbacks


def resolve_device(name: str) -> torch.device:
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("device='cuda' was asked for but PyTorch sees no CUDA GPU; use 'auto' or 'cpu'.")
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def rows(table: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
    """table[ids] for an index tensor of any shape; index_select is several times faster than fancy indexing."""
    return torch.index_select(table, 0, ids.reshape(-1)).reshape(*ids.shape, table.shape[1])


class Word2VecTables:
    """The two embedding tables and one training step for each objective."""

    def __init__(self, vocab_size: int, dim: int, device: torch.device, generator: torch.Generator):
        w_in = (torch.rand(vocab_size, dim, generator=generator) - 0.5) / dim
        self.w_in = w_in.to(device)
        self.w_out = torch.zeros(vocab_size, dim, device=device)

    # ---- inputs: one context word (skip-gram) or the mean of a padded row of context words (CBOW)

    def hidden(self, inputs: torch.Tensor) -> torch.Tensor:
        if inputs.dim() == 1:
            return rows(self.w_in, inputs)
        mask = (inputs >= 0).unsqueeze(-1).to(self.w_in.dtype)
        summed = (rows(self.w_in, inputs.clamp(min=0)) * mask).sum(1)
        return summed / mask.sum(1).clamp(min=1)

    def add_to_inputs(self, inputs: torch.Tensor, grad_h: torch.Tensor) -> None:
        if inputs.dim() == 1:
            self.w_in.index_add_(0, inputs, grad_h)
            return
        # CBOW: like word2vec, every context word of the window gets the whole update of the mean.
        mask = inputs >= 0
        rows = mask.nonzero(as_tuple=True)[0]
        self.w_in.index_add_(0, inputs[mask], grad_h[rows])

    # ---- SGD steps with hand-written gradients; each returns the batch's summed loss

    def sgd_negative(self, inputs, outputs, negatives, lr: float) -> torch.Tensor:
        h = self.hidden(inputs)  # (B, d)
        targets = torch.cat([outputs.unsqueeze(1), negatives], dim=1)  # (B, 1 + K)
        v = rows(self.w_out, targets)  # (B, 1 + K, d)
        scores = torch.bmm(v, h.unsqueeze(2)).squeeze(2)  # (B, 1 + K)
        labels = torch.zeros_like(scores)
        labels[:, 0] = 1
        # word2vec skips a negative that happens to be the output word itself
        live = torch.ones_like(scores)
        live[:, 1:] = (negatives != outputs.unsqueeze(1)).to(scores.dtype)
        g = (labels - torch.sigmoid(scores)) * live * lr  # gradient ascent step on the log-likelihood
        loss = -(F.logsigmoid(torch.where(labels > 0, scores, -scores)) * live).sum()
        grad_h = torch.bmm(g.unsqueeze(1), v).squeeze(1)
        self.w_out.index_add_(0, targets.reshape(-1), (g.unsqueeze(2) * h.unsqueeze(1)).reshape(-1, h.shape[1]))
        self.add_to_inputs(inputs, grad_h)
        return loss

    def sgd_softmax(self, inputs, outputs, lr: float) -> torch.Tensor:
        h = self.hidden(inputs)
        logits = h @ self.w_out.T  # (B, V)
        loss = F.cross_entropy(logits, outputs, reduction="sum")
        g = -torch.softmax(logits, dim=1)
        g[torch.arange(len(outputs), device=g.device), outputs] += 1
        g *= lr
        grad_h = g @ self.w_out
        self.w_out += g.T @ h
        self.add_to_inputs(inputs, grad_h)
        return loss

    def sgd_shared_negative(self, contexts, centres, negatives, lr: float) -> torch.Tensor:
        """Skip-gram, one set of negatives per centre word shared by all its context words: the scores of a
        window become one small matrix product, and each output row is read once per window, not per pair."""
        mask = (contexts >= 0).to(self.w_in.dtype)  # (N, C)
        h = rows(self.w_in, contexts.clamp(min=0))  # (N, C, d)
        targets = torch.cat([centres.unsqueeze(1), negatives], dim=1)  # (N, 1 + K)
        v = rows(self.w_out, targets)  # (N, 1 + K, d)
        scores = torch.bmm(h, v.transpose(1, 2))  # (N, C, 1 + K)
        labels = torch.zeros_like(scores)
        labels[:, :, 0] = 1
        live = torch.ones(targets.shape, dtype=h.dtype, device=h.device)
        live[:, 1:] = (negatives != centres.unsqueeze(1)).to(h.dtype)
        weight = mask.unsqueeze(2) * live.unsqueeze(1)  # (N, C, 1 + K)
        g = (labels - torch.sigmoid(scores)) * weight * lr
        loss = -(F.logsigmoid(torch.where(labels > 0, scores, -scores)) * weight).sum()
        grad_h = torch.bmm(g, v)  # (N, C, d)
        grad_v = torch.bmm(g.transpose(1, 2), h)  # (N, 1 + K, d)
        self.w_out.index_add_(0, targets.reshape(-1), grad_v.reshape(-1, h.shape[2]))
        flat = contexts.reshape(-1)
        used = flat >= 0
        self.w_in.index_add_(0, flat[used], grad_h.reshape(-1, h.shape[2])[used])
        return loss


class _AdamModel(torch.nn.Module):
    """The same two tables as sparse embeddings, for autograd and SparseAdam."""

    def __init__(self, tables: Word2VecTables):
        super().__init__()
        self.w_in = torch.nn.Embedding.from_pretrained(tables.w_in, freeze=False, sparse=True)
        self.w_out = torch.nn.Embedding.from_pretrained(tables.w_out, freeze=False, sparse=True)

    def hidden(self, inputs):
        if inputs.dim() == 1:
            return self.w_in(inputs)
        mask = (inputs >= 0).unsqueeze(-1).float()
        return (self.w_in(inputs.clamp(min=0)) * mask).sum(1) / mask.sum(1).clamp(min=1)

    def loss(self, inputs, outputs, negatives):
        h = self.hidden(inputs)
        if negatives is None:  # full softmax
            return F.cross_entropy(h @ self.w_out.weight.T, outputs, reduction="sum")
        pos = (h * self.w_out(outputs)).sum(1)
        neg = torch.bmm(self.w_out(negatives), h.unsqueeze(2)).squeeze(2)
        live = (negatives != outputs.unsqueeze(1)).float()
        return -(F.logsigmoid(pos).sum() + (F.logsigmoid(-neg) * live).sum())


def _examples(w: Windows, cfg: TrainConfig) -> tuple[np.ndarray, np.ndarray]:
    """(inputs, outputs) for one epoch: skip-gram pairs, or CBOW windows (inputs are padded rows)."""
    if cfg.architecture == "cbow":
        w = w.nonempty()
        return w.contexts, w.centres
    return w.skipgram_pairs()


def train_pytorch(encoded: Encoded, vocab: Vocab, cfg: TrainConfig,
                  callbacks: TrainingCallback | list | None = None, name: str = "pytorch") -> Word2VecTables:
    """Train for cfg.epochs epochs, handing a Snapshot to the callbacks after each (and for epoch 0)."""
    cfg.validate()
    vocab.validate(cfg.negative, cfg.loss)
    if cfg.loss == "softmax" and len(vocab) > MAX_SOFTMAX_VOCAB:
        raise ValueError(f"Full softmax over {len(vocab):,} words is too slow here; it is meant for vocabularies up "
                         f"to {MAX_SOFTMAX_VOCAB:,}. Use loss='negative' or raise min_count.")
    cb = callbacks if isinstance(callbacks, TrainingCallback) else CallbackList(callbacks or [])
    device = resolve_device(cfg.device)
    torch.set_num_threads(cfg.resolved_workers())
    generator = torch.Generator().manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    tables = Word2VecTables(len(vocab), cfg.dim, device, generator)
    keep = vocab.keep_probability(cfg.sample)
    noise = torch.from_numpy(vocab.noise_table(cfg.ns_exponent)).to(device)
    negative_gen = torch.Generator(device=device).manual_seed(cfg.seed + 1)
    use_negatives = cfg.loss == "negative"
    shared = cfg.shared_negatives and use_negatives and cfg.architecture == "skipgram" and cfg.optimizer == "sgd"
    adam_model = optimizer = None
    if cfg.optimizer == "adam":
        adam_model = _AdamModel(tables)
        optimizer = torch.optim.SparseAdam(list(adam_model.parameters()), lr=cfg.adam_lr)
    batch = cfg.resolved_batch_size(len(vocab))
    if shared:  # a batch is a number of centre words, each with up to 2 * window pairs
        batch = max(1, batch // (cfg.window + 1))

    def snapshot(epoch: int, **stats) -> Snapshot:
        src = adam_model if adam_model is not None else tables
        w_in = src.w_in.weight if adam_model is not None else src.w_in
        w_out = src.w_out.weight if adam_model is not None else src.w_out
        return Snapshot(name, epoch, w_in.detach().float().cpu().numpy().copy(),
                        w_out.detach().float().cpu().numpy().copy(), **stats)

    cb.on_train_begin(name, cfg.epochs)
    cb.on_epoch_end(snapshot(0))
    for epoch in range(1, cfg.epochs + 1):
        cb.on_epoch_begin(name, epoch)
        start = time.perf_counter()
        w = epoch_windows(encoded, keep, cfg.window, rng)
        if shared:
            w = w.nonempty()
            inputs_np, outputs_np = w.contexts, w.centres
        else:
            inputs_np, outputs_np = _examples(w, cfg)
        inputs = torch.from_numpy(np.ascontiguousarray(inputs_np)).to(device)
        outputs = torch.from_numpy(np.ascontiguousarray(outputs_np)).to(device)
        pair_seconds = time.perf_counter() - start
        n = len(outputs)
        n_pairs = w.n_pairs
        loss_sum = torch.zeros((), device=device)
        with torch.no_grad() if optimizer is None else torch.enable_grad():
            for step, lo in enumerate(range(0, n, batch)):
                hi = min(n, lo + batch)
                inp, out = inputs[lo:hi], outputs[lo:hi]
                neg = (noise[torch.randint(len(noise), (hi - lo, cfg.negative), generator=negative_gen,
                                           device=device)] if use_negatives else None)
                if optimizer is not None:
                    optimizer.zero_grad()
                    loss = adam_model.loss(inp, out, neg)
                    (loss / (hi - lo)).backward()
                    optimizer.step()
                    loss = loss.detach()
                else:
                    progress = ((epoch - 1) + lo / n) / cfg.epochs
                    lr = cfg.alpha - (cfg.alpha - cfg.min_alpha) * progress
                    if shared:
                        loss = tables.sgd_shared_negative(inp, out, neg, lr)
                    elif use_negatives:
                        loss = tables.sgd_negative(inp, out, neg, lr)
                    else:
                        loss = tables.sgd_softmax(inp, out, lr)
                loss_sum += loss
                if step % PROGRESS_EVERY == 0 and lo:
                    cb.on_progress(name, epoch, hi / n, _per_example(loss_sum, hi, n, n_pairs, shared))
        train_loss = float(loss_sum) / max(1, n_pairs if shared else n)
        if not np.isfinite(train_loss):
            raise ValueError(f"The PyTorch model diverged in epoch {epoch} (loss {train_loss}): lower alpha "
                             "or batch_size.")
        if device.type == "cuda":
            torch.cuda.synchronize()
        seconds = time.perf_counter() - start
        cb.on_progress(name, epoch, 1.0, train_loss)
        cb.on_epoch_end(snapshot(epoch, seconds=seconds, words=len(encoded), train_loss=train_loss,
                                 pairs=n_pairs, pair_seconds=pair_seconds))
    cb.on_train_end(name)
    return tables


def _per_example(loss_sum: torch.Tensor, done: int, n: int, n_pairs: int, shared: bool) -> float:
    examples = done * n_pairs / n if shared else done  # shared: batches count centre words, not pairs
    return float(loss_sum) / max(1.0, examples)

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

import threading
import time

import numpy as np
import torch
import torch.nn.functional as F

from lib.callbacks import CallbackList, Snapshot, TrainingCallback
from lib.config import TrainConfig
from lib.pairs import SHUFFLE_BLOCK, epoch_windows, shuffled_blocks
from lib.vocab import Encoded, Vocab

MAX_SOFTMAX_VOCAB = 20_000
PROGRESS_EVERY = 16  # batches between progress callbacks
DIVERGED_LOSS = 50.0  # mean loss per example past which training has diverged (it starts at (K + 1)·log 2 ≈ 4.2)
PACK_WINDOWS = True  # shared_negatives: batch windows of similar size and drop unused padding (pack_windows)
PACK_RUN = 16_384  # windows sorted together by pack_windows


def resolve_device(name: str) -> torch.device:
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("device='cuda' was asked for but PyTorch sees no CUDA GPU; use 'auto' or 'cpu'.")
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def rows(table: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
    """table[ids] for an index tensor of any shape; index_select is several times faster than fancy indexing."""
    return torch.index_select(table, 0, ids.reshape(-1)).reshape(*ids.shape, table.shape[1])


def logistic_terms(pos: torch.Tensor, neg: torch.Tensor, neg_weight: torch.Tensor | float, lr: float,
                   pos_weight: torch.Tensor | None = None):
    """The negative-sampling loss and its SGD step sizes, from one log-sigmoid per score.

    With s = h·v for the output word (pos) and for each negative (neg), and the identities
    log σ(s) = s + log σ(-s) and σ(-s) = 1 - σ(s):
        loss  = -log σ(pos) - Σ w·log σ(-neg)
        g_pos =  lr · (1 - σ(pos)) = lr · exp(log σ(-pos))      (gradient ascent on the log-likelihood)
        g_neg = -lr · w · σ(neg)   = lr · w · expm1(log σ(-neg))
    w (neg_weight) is 0 for a negative that is the output word itself, which word2vec skips; pos_weight (0 or 1)
    switches off padded slots. Returns (g_pos, g_neg, summed loss)."""
    log_not_pos = F.logsigmoid(-pos)
    log_not_neg = F.logsigmoid(-neg)
    loss_pos = pos + log_not_pos  # log σ(pos)
    g_pos = log_not_pos.exp_().mul_(lr)
    if pos_weight is not None:
        loss_pos.mul_(pos_weight)
        g_pos.mul_(pos_weight)
    loss = -loss_pos.sum() - (log_not_neg * neg_weight).sum()
    g_neg = log_not_neg.expm1_().mul_(neg_weight).mul_(lr)
    return g_pos, g_neg, loss


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
        """word2vec's own sampling: every example has its own K negatives (B examples, K negatives each)."""
        h = self.hidden(inputs)  # (B, d)
        v_pos = rows(self.w_out, outputs)  # (B, d)
        v_neg = rows(self.w_out, negatives)  # (B, K, d)
        pos = torch.linalg.vecdot(h, v_pos)  # (B,)     h·v_o
        neg = torch.bmm(v_neg, h.unsqueeze(2)).squeeze(2)  # (B, K)   h·v_n
        live = (negatives != outputs.unsqueeze(1)).to(h.dtype)
        g_pos, g_neg, loss = logistic_terms(pos, neg, live, lr)
        # dL/dh = g_pos·v_o + Σ_k g_neg_k·v_n_k ; dL/dv_o = g_pos·h ; dL/dv_n_k = g_neg_k·h
        grad_h = torch.bmm(g_neg.unsqueeze(1), v_neg).squeeze(1).add_(v_pos.mul_(g_pos.unsqueeze(1)))
        self.w_out.index_add_(0, negatives.reshape(-1), (g_neg.unsqueeze(2) * h.unsqueeze(1)).reshape(-1, h.shape[1]))
        self.w_out.index_add_(0, outputs, h.mul(g_pos.unsqueeze(1)))
        self.add_to_inputs(inputs, grad_h)
        return loss

    def sgd_batch_negative(self, inputs, outputs, negatives, lr: float, weight: float) -> torch.Tensor:
        """One pool of S negatives for the whole batch (`batch_negatives`): every example scores all S, each
        weighted K / S, so a pair's expected negative term is word2vec's K·E[log σ(-h·v_n)]. The negative
        scores of the batch are then one matrix product H (B×d) · V_neg^T (d×S), and the S output rows are
        read and written once per batch instead of K times per example."""
        h = self.hidden(inputs)  # (B, d)
        v_pos = rows(self.w_out, outputs)  # (B, d)
        v_neg = rows(self.w_out, negatives)  # (S, d)
        pos = torch.linalg.vecdot(h, v_pos)  # (B,)
        neg = h @ v_neg.T  # (B, S): all scores in one matrix multiply
        live = (negatives.unsqueeze(0) != outputs.unsqueeze(1)).to(h.dtype).mul_(weight)  # (B, S)
        g_pos, g_neg, loss = logistic_terms(pos, neg, live, lr)
        # dL/dh = g_pos·v_o + G_neg·V_neg ; dL/dV_neg = G_neg^T·H ; dL/dv_o = g_pos·h
        grad_h = torch.addmm(v_pos.mul_(g_pos.unsqueeze(1)), g_neg, v_neg)
        self.w_out.index_add_(0, negatives, g_neg.T @ h)
        self.w_out.index_add_(0, outputs, h.mul(g_pos.unsqueeze(1)))
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
        mask = (contexts >= 0).to(self.w_in.dtype)  # (N, C); padded slots neither train nor count in the loss
        slots = contexts.clamp(min=0)
        h = rows(self.w_in, slots)  # (N, C, d)
        targets = torch.cat([centres.unsqueeze(1), negatives], dim=1)  # (N, 1 + K): the output word, then negatives
        v = rows(self.w_out, targets)  # (N, 1 + K, d)
        scores = torch.bmm(h, v.transpose(1, 2))  # (N, C, 1 + K): every context word against every target
        live = (negatives != centres.unsqueeze(1)).to(h.dtype)  # (N, K)
        g_pos, g_neg, loss = logistic_terms(scores[:, :, 0], scores[:, :, 1:], mask.unsqueeze(2) * live.unsqueeze(1),
                                            lr, pos_weight=mask)
        g = torch.cat([g_pos.unsqueeze(2), g_neg], dim=2)  # (N, C, 1 + K)
        # dL/dv_u = Σ_c g_cu·h_c ; dL/dh_c = Σ_u g_cu·v_u. Padded slots have g = 0: they add nothing (to row 0).
        self.w_out.index_add_(0, targets.reshape(-1), torch.bmm(g.transpose(1, 2), h).reshape(-1, h.shape[2]))
        self.w_in.index_add_(0, slots.reshape(-1), torch.bmm(g, v).reshape(-1, h.shape[2]))
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


def _epoch_examples(encoded: Encoded, keep: np.ndarray, cfg: TrainConfig, mode: str,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, int]:
    """(inputs, outputs, pairs) for one epoch, shuffled in blocks: skip-gram pairs (input = context word, output =
    centre word), or whole windows (inputs are rows of context words padded with -1) for CBOW and shared_negatives.

    Why shuffle: a batch adds up its updates before applying them, and in corpus order a batch holds a few
    hundred consecutive words of one article, so a topical word ("route" in an article about a road) gets
    dozens of summed updates at once and its vector jumps (10-epoch WikiText-2 runs diverged). word2vec applies
    them one by one and need not care. Why in blocks of SHUFFLE_BLOCK examples rather than one by one: measured
    on WikiText-2 (5 epochs, seeds 1-2), WordSim353 fell from about 0.12 to 0.09 with fully mixed batches of
    64-pair blocks, and was back at 0.11-0.13 with 2,048-pair blocks, which still kept training stable."""
    w = epoch_windows(encoded, keep, cfg.window, rng)
    if cfg.architecture == "cbow" or mode == "window":
        w = w.nonempty()
        order = shuffled_blocks(len(w.centres), SHUFFLE_BLOCK // (cfg.window + 1), rng)
        contexts, centres = w.contexts[order], w.centres[order]
        if mode == "window" and PACK_WINDOWS:
            return (*pack_windows(contexts, centres), w.n_pairs)
        return contexts, centres, w.n_pairs
    inputs, outputs = w.skipgram_pairs()
    order = shuffled_blocks(len(outputs), SHUFFLE_BLOCK, rng)
    return inputs[order], outputs[order], len(outputs)


def pack_windows(contexts: np.ndarray, centres: np.ndarray, run: int = PACK_RUN) -> tuple[np.ndarray, np.ndarray]:
    """Windows reordered so that a batch wastes few padded slots: within each run of `run` consecutive windows,
    sorted by how far their context words reach (the dynamic window makes that 1 … window). Columns hold the
    offsets −window … −1, 1 … window, so a batch of windows that reach at most r only uses the 2·r middle
    columns and can drop the rest (see used_columns). The order changes only locally (a run is a few batches)."""
    half = contexts.shape[1] // 2
    distance = np.abs(np.concatenate([np.arange(-half, 0), np.arange(1, half + 1)]))
    reach = np.where(contexts >= 0, distance, 0).max(1)
    order = np.argsort((np.arange(len(reach)) // run) * (half + 1) + reach, kind="stable")
    return contexts[order], centres[order]


def used_columns(windows: torch.Tensor) -> torch.Tensor:
    """The columns of a batch of windows from the first to the last one any window uses."""
    used = (windows >= 0).any(0).nonzero()
    return windows[:, int(used[0]):int(used[-1]) + 1]


def hogwild(n_workers: int, work, stop: threading.Event) -> list:
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


def train_pytorch(encoded: Encoded, vocab: Vocab, cfg: TrainConfig,
                  callbacks: TrainingCallback | list | None = None, name: str = "pytorch") -> Word2VecTables:
    """Train for cfg.epochs epochs, handing a Snapshot to the callbacks after each (and for epoch 0).

    Every epoch: (1) make all its examples at once with array operations (lib.pairs) and draw all its
    negatives with one randint call into word2vec's unigram table; (2) cut them into batches and apply the
    hand-written SGD step of each batch in place, the learning rate falling linearly with the examples done.
    On a CPU, `workers` threads share the batches (batch i goes to thread i mod workers) and update the
    tables without locks, as gensim's threads do, each running torch single-threaded: many small operations
    split over cores by OpenMP spend their time waiting on each other, especially on a busy machine."""
    cfg.validate()
    vocab.validate(cfg.negative, cfg.loss)
    if cfg.loss == "softmax" and len(vocab) > MAX_SOFTMAX_VOCAB:
        raise ValueError(f"Full softmax over {len(vocab):,} words is too slow here; it is meant for vocabularies up "
                         f"to {MAX_SOFTMAX_VOCAB:,}. Use loss='negative' or raise min_count.")
    cb = callbacks if isinstance(callbacks, TrainingCallback) else CallbackList(callbacks or [])
    device = resolve_device(cfg.device)
    mode = cfg.pytorch_step()
    workers = cfg.resolved_workers()
    n_workers = workers if device.type == "cpu" and mode != "adam" else 1
    threads_before = torch.get_num_threads()
    torch.set_num_threads(1 if n_workers > 1 else workers)
    generator = torch.Generator().manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    tables = Word2VecTables(len(vocab), cfg.dim, device, generator)
    keep = vocab.keep_probability(cfg.sample)
    noise = torch.from_numpy(vocab.noise_table(cfg.ns_exponent)).to(device)
    negative_gen = torch.Generator(device=device).manual_seed(cfg.seed + 1)
    adam_model = optimizer = None
    if mode == "adam":
        adam_model = _AdamModel(tables)
        optimizer = torch.optim.SparseAdam(list(adam_model.parameters()), lr=cfg.adam_lr)
    batch = cfg.worker_batch(len(vocab), n_workers)

    def snapshot(epoch: int, **stats) -> Snapshot:
        w_in, w_out = (adam_model.w_in.weight, adam_model.w_out.weight) if adam_model else (tables.w_in, tables.w_out)
        return Snapshot(name, epoch, w_in.detach().float().cpu().numpy().copy(),
                        w_out.detach().float().cpu().numpy().copy(), **stats)

    def draw_negatives(shape: tuple[int, ...]) -> torch.Tensor:
        """Negatives for a whole epoch at once: uniform integers into the unigram table, then one lookup."""
        picks = torch.randint(len(noise), shape, generator=negative_gen, device=device)
        return torch.index_select(noise, 0, picks.reshape(-1)).reshape(shape)

    try:
        cb.on_train_begin(name, cfg.epochs)
        cb.on_epoch_end(snapshot(0))
        for epoch in range(1, cfg.epochs + 1):
            cb.on_epoch_begin(name, epoch)
            start = time.perf_counter()
            inputs_np, outputs_np, n_pairs = _epoch_examples(encoded, keep, cfg, mode, rng)
            inputs = torch.from_numpy(inputs_np).to(device)
            outputs = torch.from_numpy(outputs_np).to(device)
            pair_seconds = time.perf_counter() - start
            n = len(outputs)
            n_batches = -(-n // batch)
            negatives = None
            if mode == "batch":  # one pool per batch
                negatives = draw_negatives((n_batches, cfg.batch_negatives))
            elif cfg.loss == "negative":  # K per example (per window with shared_negatives)
                negatives = draw_negatives((n, cfg.negative))
            stop = threading.Event()
            per_pair = n_pairs / max(1, n) if mode == "window" else 1  # shared_negatives: the loss is per pair

            def work(worker: int) -> torch.Tensor:
                """This worker's batches of the epoch (every n_workers-th); returns their summed loss."""
                loss_sum = torch.zeros((), device=device)
                done = 0
                for b in range(worker, n_batches, n_workers):
                    if stop.is_set():
                        break
                    lo, hi = b * batch, min(n, (b + 1) * batch)
                    inp, out = inputs[lo:hi], outputs[lo:hi]
                    # word2vec's learning rate: linear from alpha to min_alpha over all examples of all epochs
                    lr = cfg.alpha - (cfg.alpha - cfg.min_alpha) * ((epoch - 1) + lo / n) / cfg.epochs
                    if mode == "adam":
                        optimizer.zero_grad()
                        with torch.enable_grad():
                            loss = adam_model.loss(inp, out, None if cfg.loss == "softmax" else negatives[lo:hi])
                            (loss / (hi - lo)).backward()
                        optimizer.step()
                        loss = loss.detach()
                    elif mode == "softmax":
                        loss = tables.sgd_softmax(inp, out, lr)
                    elif mode == "batch":
                        loss = tables.sgd_batch_negative(inp, out, negatives[b], lr,
                                                         cfg.negative / cfg.batch_negatives)
                    elif mode == "window":  # drop the padded columns no window of this batch uses
                        loss = tables.sgd_shared_negative(used_columns(inp), out, negatives[lo:hi], lr)
                    else:
                        loss = tables.sgd_negative(inp, out, negatives[lo:hi], lr)
                    loss_sum += loss
                    done += hi - lo
                    if worker == 0 and b % (PROGRESS_EVERY * n_workers) == 0 and b:
                        cb.on_progress(name, epoch, hi / n, float(loss_sum) / max(1.0, done * per_pair))
                return loss_sum

            with torch.no_grad():
                losses = hogwild(n_workers, work, stop)
            train_loss = float(sum(losses)) / max(1, n_pairs if mode == "window" else n)
            if not np.isfinite(train_loss) or train_loss > DIVERGED_LOSS:
                raise ValueError(f"The PyTorch model diverged in epoch {epoch} (loss {train_loss}): lower alpha "
                                 "or batch_size.")
            if device.type == "cuda":
                torch.cuda.synchronize()
            seconds = time.perf_counter() - start
            cb.on_progress(name, epoch, 1.0, train_loss)
            cb.on_epoch_end(snapshot(epoch, seconds=seconds, words=len(encoded), train_loss=train_loss,
                                     pairs=n_pairs, pair_seconds=pair_seconds))
        cb.on_train_end(name)
    finally:
        torch.set_num_threads(threads_before)
    return tables

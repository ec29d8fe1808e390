"""word2vec in PyTorch: the two tables and one hand-written SGD step for each objective.

Two tables, as in word2vec: `w_in` (the embeddings people use) starts uniform in ±0.5/dim, `w_out` (the output
weights) at zero. An example is an input vector h and an output word o:
    skip-gram: h = w_in[c] for one context word c of the centre word o;
    CBOW:      h = mean of w_in over the context words of o.
Every objective scores h against rows u of w_out with s = h·u and a target t ∈ {0, 1}, and its loss is the
logistic loss  ℓ(s, t) = −log σ(s) if t = 1, −log σ(−s) if t = 0.  Since dℓ/ds = σ(s) − t, SGD moves
    u += g·h  and  h += g·u,  with  g = lr·(t − σ(s))                                      (1)
summed over the example's scores; that is all the gradients below. The objectives differ in which rows u are
scored:
    negative sampling:      u = v_o (t = 1) and K noise words v_n1 … v_nK (t = 0)
    hierarchical softmax:   u = the inner nodes on o's Huffman path (lib.model.huffman), t = 1 − code bit
    full softmax:           every row, loss −log softmax(h·W_out^T)_o, g_u = lr·(1[u = o] − p_u)
The input update h += … goes to w_in[c] in skip-gram and, as word2vec and gensim (cbow_mean=1) do, whole to
each context word in CBOW.

A batch computes all its examples' updates from the same tables and adds them up before applying them, where
word2vec applies them one after another, each seeing the last: a row touched n times in a batch takes one step
of lr·n at once. TrainConfig.resolved_batch_size keeps lr·n small on average; see its docstring.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from lib.model.huffman import HuffmanTree


def rows(table: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
    """table[ids] for an index tensor of any shape; index_select is several times faster than fancy indexing."""
    return torch.index_select(table, 0, ids.reshape(-1)).reshape(*ids.shape, table.shape[1])


def negative_sampling_grads_and_loss(
    pos: torch.Tensor,
    neg: torch.Tensor,
    neg_weight: torch.Tensor | float,
    lr: float,
    pos_weight: torch.Tensor | None = None,
):
    """Equation (1) for negative sampling: the step sizes g of the output word's scores `pos` (t = 1) and the
    negatives' scores `neg` (t = 0), and the summed loss, from one log-sigmoid per score.

    With log σ(s) = s + log σ(−s) and σ(−s) = 1 − σ(s):
        loss  = −log σ(pos) − Σ w·log σ(−neg)
        g_pos =  lr·(1 − σ(pos)) = lr·exp(log σ(−pos))
        g_neg = −lr·w·σ(neg)     = lr·w·expm1(log σ(−neg))
    w (neg_weight) is 0 for a negative that is the output word itself, which word2vec skips; pos_weight (0 or 1)
    switches off padded slots. Returns (g_pos, g_neg, loss)."""
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
    """The two embedding tables and one SGD step for each objective; each step returns the batch's summed loss."""

    def __init__(
        self,
        vocab_size: int,
        dim: int,
        device: torch.device,
        generator: torch.Generator,
        tree: HuffmanTree | None = None,
    ):
        self.w_in = ((torch.rand(vocab_size, dim, generator=generator) - 0.5) / dim).to(device)  # (V, d)
        self.w_out = torch.zeros(vocab_size, dim, device=device)  # (V, d): words, or inner nodes for HS
        if tree is not None:  # hierarchical softmax: every word's path, sign = 2t − 1 = 1 − 2·code, 0 off the path
            self.points = torch.from_numpy(tree.points).to(device)  # (V, L)
            self.signs = torch.from_numpy((1.0 - 2.0 * tree.codes) * tree.mask).float().to(device)  # (V, L)

    # ---- inputs: one context word (skip-gram, ids (B,)) or the mean of a padded row of them (CBOW, ids (B, C))

    def hidden(self, inputs: torch.Tensor) -> torch.Tensor:
        if inputs.dim() == 1:
            return rows(self.w_in, inputs)  # (B, d)
        mask = (inputs >= 0).unsqueeze(-1).to(self.w_in.dtype)  # (B, C, 1)
        summed = (rows(self.w_in, inputs.clamp(min=0)) * mask).sum(1)
        return summed / mask.sum(1).clamp(min=1)  # (B, d)

    def add_to_inputs(self, inputs: torch.Tensor, grad_h: torch.Tensor) -> None:
        """w_in[c] += grad_h for the example's input word, or for each of its context words (CBOW)."""
        if inputs.dim() == 1:
            self.w_in.index_add_(0, inputs, grad_h)
            return
        mask = inputs >= 0
        self.w_in.index_add_(0, inputs[mask], grad_h[mask.nonzero(as_tuple=True)[0]])  # the window's whole update

    # ---- the objectives

    def sgd_negative(self, inputs, outputs, negatives, lr: float) -> torch.Tensor:
        """word2vec's own sampling: every example has its own K negatives (B examples, K negatives each)."""
        h = self.hidden(inputs)  # (B, d)
        v_pos = rows(self.w_out, outputs)  # (B, d)
        v_neg = rows(self.w_out, negatives)  # (B, K, d)
        pos = torch.linalg.vecdot(h, v_pos)  # (B,)     h·v_o
        neg = torch.bmm(v_neg, h.unsqueeze(2)).squeeze(2)  # (B, K)   h·v_n
        live = (negatives != outputs.unsqueeze(1)).to(h.dtype)
        g_pos, g_neg, loss = negative_sampling_grads_and_loss(pos, neg, live, lr)
        # (1): dh = g_pos·v_o + Σ_k g_neg_k·v_n_k ; dv_o = g_pos·h ; dv_n_k = g_neg_k·h
        grad_h = torch.bmm(g_neg.unsqueeze(1), v_neg).squeeze(1).add_(v_pos.mul_(g_pos.unsqueeze(1)))
        self.w_out.index_add_(0, negatives.reshape(-1), (g_neg.unsqueeze(2) * h.unsqueeze(1)).reshape(-1, h.shape[1]))
        self.w_out.index_add_(0, outputs, h.mul(g_pos.unsqueeze(1)))
        self.add_to_inputs(inputs, grad_h)
        return loss

    def sgd_batch_negative(self, inputs, outputs, negatives, lr: float, weight: float) -> torch.Tensor:
        """One pool of S negatives for the whole batch (`batch_negatives`): every example scores all S, each
        weighted K / S, so a pair's expected negative term is word2vec's K·E[log σ(−h·v_n)]. The negative
        scores of the batch are then one matrix product H (B×d) · V_neg^T (d×S), and the S output rows are
        read and written once per batch instead of K times per example."""
        h = self.hidden(inputs)  # (B, d)
        v_pos = rows(self.w_out, outputs)  # (B, d)
        v_neg = rows(self.w_out, negatives)  # (S, d)
        pos = torch.linalg.vecdot(h, v_pos)  # (B,)
        neg = h @ v_neg.T  # (B, S): all scores in one matrix multiply
        live = (negatives.unsqueeze(0) != outputs.unsqueeze(1)).to(h.dtype).mul_(weight)  # (B, S)
        g_pos, g_neg, loss = negative_sampling_grads_and_loss(pos, neg, live, lr)
        # (1): dh = g_pos·v_o + G_neg·V_neg ; dV_neg = G_neg^T·H ; dv_o = g_pos·h
        grad_h = torch.addmm(v_pos.mul_(g_pos.unsqueeze(1)), g_neg, v_neg)
        self.w_out.index_add_(0, negatives, g_neg.T @ h)
        self.w_out.index_add_(0, outputs, h.mul(g_pos.unsqueeze(1)))
        self.add_to_inputs(inputs, grad_h)
        return loss

    def sgd_shared_negative(self, contexts, centres, negatives, lr: float) -> torch.Tensor:
        """Skip-gram, one set of K negatives per centre word shared by all its context words: the scores of a
        window become one small matrix product, and each output row is read once per window, not per pair.
        contexts (N, C) padded with −1, centres (N,), negatives (N, K)."""
        mask = (contexts >= 0).to(self.w_in.dtype)  # (N, C); padded slots neither train nor count in the loss
        slots = contexts.clamp(min=0)
        h = rows(self.w_in, slots)  # (N, C, d)
        targets = torch.cat([centres.unsqueeze(1), negatives], dim=1)  # (N, 1 + K): the output word, then negatives
        v = rows(self.w_out, targets)  # (N, 1 + K, d)
        scores = torch.bmm(h, v.transpose(1, 2))  # (N, C, 1 + K): every context word against every target
        live = (negatives != centres.unsqueeze(1)).to(h.dtype)  # (N, K)
        g_pos, g_neg, loss = negative_sampling_grads_and_loss(
            scores[:, :, 0], scores[:, :, 1:], mask.unsqueeze(2) * live.unsqueeze(1), lr, pos_weight=mask
        )
        g = torch.cat([g_pos.unsqueeze(2), g_neg], dim=2)  # (N, C, 1 + K)
        # (1): dv_u = Σ_c g_cu·h_c ; dh_c = Σ_u g_cu·v_u. Padded slots have g = 0: they add nothing (to row 0).
        self.w_out.index_add_(0, targets.reshape(-1), torch.bmm(g.transpose(1, 2), h).reshape(-1, h.shape[2]))
        self.w_in.index_add_(0, slots.reshape(-1), torch.bmm(g, v).reshape(-1, h.shape[2]))
        return loss

    def sgd_hs(self, inputs, outputs, lr: float) -> torch.Tensor:
        """Hierarchical softmax: the scores are h against the inner nodes on the output word's path (L at most),
        target t = 1 − code bit. With sign = 2t − 1, (1) reads g = lr·sign·σ(−sign·s)."""
        h = self.hidden(inputs)  # (B, d)
        points, signs = self.points[outputs], self.signs[outputs]  # (B, L), (B, L); sign 0 off the path
        u = rows(self.w_out, points)  # (B, L, d)
        z = torch.bmm(u, h.unsqueeze(2)).squeeze(2).mul_(signs)  # (B, L): sign·h·u
        log_not = F.logsigmoid(-z)  # log σ(−z)
        loss = -((z + log_not) * signs.abs()).sum()  # −Σ log σ(z) along the path
        g = log_not.exp_().mul_(signs).mul_(lr)  # (B, L)
        grad_h = torch.bmm(g.unsqueeze(1), u).squeeze(1)  # (B, d): Σ_j g_j·u_j
        self.w_out.index_add_(0, points.reshape(-1), (g.unsqueeze(2) * h.unsqueeze(1)).reshape(-1, h.shape[1]))
        self.add_to_inputs(inputs, grad_h)
        return loss

    def sgd_softmax(self, inputs, outputs, lr: float) -> torch.Tensor:
        """Full softmax over the vocabulary: every row of w_out takes a step from every example."""
        h = self.hidden(inputs)  # (B, d)
        logits = h @ self.w_out.T  # (B, V)
        loss = F.cross_entropy(logits, outputs, reduction="sum")
        g = -torch.softmax(logits, dim=1)  # (B, V): g_u = lr·(1[u = o] − p_u)
        g[torch.arange(len(outputs), device=g.device), outputs] += 1
        g *= lr
        grad_h = g @ self.w_out  # (B, d)
        self.w_out += g.T @ h
        self.add_to_inputs(inputs, grad_h)
        return loss


class AutogradWord2Vec(torch.nn.Module):
    """The same two tables as sparse embeddings, for autograd and torch.optim.SparseAdam (optimizer="adam")."""

    def __init__(self, tables: Word2VecTables):
        super().__init__()
        self.w_in = torch.nn.Embedding.from_pretrained(tables.w_in, freeze=False, sparse=True)
        self.w_out = torch.nn.Embedding.from_pretrained(tables.w_out, freeze=False, sparse=True)

    def hidden(self, inputs):
        if inputs.dim() == 1:
            return self.w_in(inputs)
        mask = (inputs >= 0).unsqueeze(-1).to(self.w_in.weight.dtype)
        return (self.w_in(inputs.clamp(min=0)) * mask).sum(1) / mask.sum(1).clamp(min=1)

    def loss(self, inputs, outputs, negatives):
        """Summed loss: negative sampling with the given (B, K) negatives, or full softmax when they are None."""
        h = self.hidden(inputs)
        if negatives is None:
            return F.cross_entropy(h @ self.w_out.weight.T, outputs, reduction="sum")
        pos = (h * self.w_out(outputs)).sum(1)
        neg = torch.bmm(self.w_out(negatives), h.unsqueeze(2)).squeeze(2)
        live = (negatives != outputs.unsqueeze(1)).to(h.dtype)
        return -(F.logsigmoid(pos).sum() + (F.logsigmoid(-neg) * live).sum())

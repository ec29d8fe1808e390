"""One training step from inside: the PyTorch model's own SGD step on a copy of a run's tables, beside autograd and
gensim.

The step is the trainer's (lib.model.torch_word2vec.Word2VecTables.sgd_negative / sgd_hs / sgd_softmax, called on one
example); this module only copies a run's saved tables into a Word2VecTables, draws negatives the way the trainer
does, and reads the numbers before and after. Two independent checks sit beside it: autograd's gradient of the same
loss, written here once more in float64 (`loss64`), and gensim's own `train` on the one-pair sentence (step_gensim).
The measures shown for both models are in step_measures, the pair the page opens on in step_pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from lib.data.vocab import Vocab
from lib.model.huffman import HuffmanTree
from lib.model.torch_trainer import MAX_SOFTMAX_VOCAB
from lib.model.torch_word2vec import Word2VecTables
from lib.runs.store import Run
from lib.views.step_measures import (
    NEGATIVES_COSINE,
    OUTPUT_COSINE,
    PAIR_COSINE,
    PROBABILITY,
    cosine,
    output_cosine,
    pair_probability,
)

OBJECTIVES = {"negative": "negative sampling", "hs": "hierarchical softmax", "softmax": "full softmax"}
ARCHITECTURES = {"skipgram": "skip-gram", "cbow": "CBOW"}
STEPS = (1, 10, 100)  # the repeat buttons
MAX_STEPS = 100
DEFAULT_NEGATIVE = 5  # K for a run that did not train negative sampling
MAX_CONTEXT = 20  # CBOW context words at most
TOP_SOFTMAX_ROWS = 8  # full softmax: the rows shown, by probability (the output word always among them)


class StepError(ValueError):
    """A request this page cannot step, in words that say what to change."""


@dataclass(frozen=True)
class Example:
    """One training example: the input (skip-gram: one word; CBOW: its context words) and the output word."""

    architecture: str  # "skipgram" or "cbow"
    inputs: tuple[int, ...]  # word ids: (input word,) for skip-gram, the context words for CBOW
    output: int  # word id of the word to predict

    def tensor(self) -> torch.Tensor:
        """The trainer's input format: ids (1,) for skip-gram, one row of context ids (1, C) for CBOW."""
        ids = torch.tensor(self.inputs, dtype=torch.int64)
        return ids[:1] if self.architecture == "skipgram" else ids.unsqueeze(0)

    def outputs(self) -> torch.Tensor:
        return torch.tensor([self.output], dtype=torch.int64)  # (1,)


def make_example(
    vocab: Vocab, architecture: str, input_word: str, output_word: str, context: list[str] | None = None
) -> Example:
    """The example for words typed in; StepError for an unknown word, the same word twice, or a bad context."""
    if architecture not in ARCHITECTURES:
        raise StepError(f"Architecture must be skip-gram or CBOW (got {architecture!r}).")
    index = vocab.index
    words = [input_word, output_word] + (list(context or []) if architecture == "cbow" else [])
    unknown = [w for w in dict.fromkeys(words) if w not in index]
    if unknown:
        raise StepError(
            f"Not in this run's vocabulary: {', '.join(repr(w) for w in unknown)}. Pick words the run "
            "kept (min_count drops rare ones)."
        )
    if input_word == output_word:
        raise StepError(
            f"The input and the output are both {input_word!r}: word2vec never trains a word to "
            "predict itself (a window skips its centre). Pick two different words."
        )
    if architecture == "skipgram":
        return Example(architecture, (index[input_word],), index[output_word])
    inputs = [input_word] + [w for w in (context or []) if w != input_word]
    if output_word in inputs:
        raise StepError(f"{output_word!r} is the word CBOW predicts, so it cannot be in its own context.")
    if len(inputs) > MAX_CONTEXT:
        raise StepError(f"A CBOW context of {len(inputs)} words is more than the {MAX_CONTEXT} shown here.")
    return Example(architecture, tuple(index[w] for w in inputs), index[output_word])


# ---------------------------------------------------------------- the run's tables


def out_kind(objective: str) -> str:
    """What the rows of the output table are: inner nodes of the Huffman tree (hs) or words."""
    return "nodes" if objective == "hs" else "words"


def check_objective(objective: str, vocab_size: int) -> None:
    if objective not in OBJECTIVES:
        raise StepError(f"Objective must be one of {', '.join(OBJECTIVES)} (got {objective!r}).")
    if objective == "softmax" and vocab_size > MAX_SOFTMAX_VOCAB:
        raise StepError(
            f"The full softmax scores every word: this run has {vocab_size:,}, more than the "
            f"{MAX_SOFTMAX_VOCAB:,} the PyTorch trainer allows it for. Choose negative sampling or "
            "hierarchical softmax."
        )


def saved_tables(run: Run, model: str, epoch: int, objective: str) -> tuple[np.ndarray, np.ndarray, str | None]:
    """(input vectors, output weights, a note or None) of a model at an epoch, for stepping with `objective`.

    The output weights are the saved ones when the run trained the same kind of output rows (word rows for
    negative sampling and the full softmax, inner nodes for hs); otherwise they start at zero, as both trainers
    start them, and the note says so. A run saved before output weights were kept can be stepped at epoch 0 only,
    where they are zero."""
    vocab_size = len(run.vocab())
    check_objective(objective, vocab_size)
    if model not in run.models:
        raise StepError(f"Run {run.id} has no {model} model.")
    if epoch not in run.epochs(model):
        raise StepError(
            f"Run {run.id} has no finished epoch {epoch} for {model}; it has "
            f"{', '.join(map(str, run.epochs(model))) or 'none yet'}."
        )
    vectors = run.vectors(model, epoch)
    zeros = np.zeros_like(vectors)
    trained = run.train_config.loss
    if out_kind(trained) != out_kind(objective):
        return (
            vectors,
            zeros,
            (
                f"This run trained {OBJECTIVES[trained]}, whose output rows are "
                f"{'words' if out_kind(trained) == 'words' else 'Huffman-tree nodes'}; "
                f"{OBJECTIVES[objective]} uses {out_kind(objective).replace('nodes', 'tree nodes')}, "
                "so its output rows start at zero here, as in training."
            ),
        )
    out = run.out_vectors(model, epoch)
    if out is None:
        if epoch != 0:
            raise StepError(
                f"Run {run.id} was saved before output weights were kept, so only its epoch 0 (where "
                "they are zero) can be stepped. Train it again to step from a later epoch."
            )
        return vectors, zeros, "This run was saved before output weights were kept; at epoch 0 they are zero."
    return vectors, out, None


def tables_from(w_in: np.ndarray, w_out: np.ndarray, tree: HuffmanTree | None) -> Word2VecTables:
    """A Word2VecTables holding copies of the given tables (float32, CPU): the trainer's step works on it."""
    tables = Word2VecTables(0, w_in.shape[1], torch.device("cpu"), torch.Generator().manual_seed(0), tree=tree)
    tables.w_in = torch.tensor(w_in, dtype=torch.float32)  # (V, d), a copy
    tables.w_out = torch.tensor(w_out, dtype=torch.float32)  # (V, d): words, or nodes (V − 1 used)
    return tables


# ---------------------------------------------------------------- the step


def trainer_step(
    tables: Word2VecTables, objective: str, example: Example, negatives: torch.Tensor | None, lr: float
) -> float:
    """The trainer's own SGD step on one example (what PyTorchTraining.step calls); returns its loss."""
    inputs, outputs = example.tensor(), example.outputs()
    with torch.no_grad():
        if objective == "negative":
            return float(tables.sgd_negative(inputs, outputs, negatives.reshape(1, -1), lr))
        if objective == "hs":
            return float(tables.sgd_hs(inputs, outputs, lr))
        return float(tables.sgd_softmax(inputs, outputs, lr))


def loss64(
    w_in: torch.Tensor,
    w_out: torch.Tensor,
    objective: str,
    example: Example,
    negatives: torch.Tensor | None,
    tree: HuffmanTree | None,
) -> torch.Tensor:
    """The example's loss written out once more, in whatever dtype the tables have (float64 for autograd):
        negative sampling  −log σ(h·v_o) − Σ_k [n_k ≠ o] log σ(−h·v_nk)
        hierarchical       −Σ_j log σ((1 − 2·code_j)·h·u_j) along o's Huffman path
        full softmax       −log softmax(h·W_out^T)_o
    with h = w_in[c] (skip-gram) or the mean of w_in over the context (CBOW)."""
    h = w_in[list(example.inputs)].mean(0)  # (d,)
    o = example.output
    if objective == "negative":
        live = (negatives != o).to(h.dtype)
        return (
            -torch.nn.functional.logsigmoid(h @ w_out[o])
            - (torch.nn.functional.logsigmoid(-(w_out[negatives] @ h)) * live).sum()
        )
    if objective == "hs":
        code, point = tree.path(o)
        sign = torch.tensor(1.0 - 2.0 * code.astype(np.float64), dtype=h.dtype)
        return -torch.nn.functional.logsigmoid(sign * (w_out[torch.from_numpy(point.astype(np.int64))] @ h)).sum()
    return -torch.log_softmax(w_out @ h, dim=0)[o]


def autograd_update(
    w_in: torch.Tensor,
    w_out: torch.Tensor,
    objective: str,
    example: Example,
    negatives: torch.Tensor | None,
    tree: HuffmanTree | None,
    lr: float,
):
    """(Δw_in, Δw_out) = −lr·∇loss64 in float64, as word2vec applies it: in CBOW the update of h goes whole to
    each context word (word2vec and gensim with cbow_mean=1), which is C times the mean's gradient per word."""
    a = w_in.detach().double().requires_grad_()
    b = w_out.detach().double().requires_grad_()
    loss64(a, b, objective, example, negatives, tree).backward()
    scale = len(example.inputs) if example.architecture == "cbow" else 1
    return -lr * scale * a.grad, -lr * b.grad


@dataclass
class StepView:
    """One step seen from inside: the rows it scored and the numbers around them, before and after."""

    rows: pd.DataFrame  # one per scored output row: role, label, t, s, σ(s) (or p), g, cos(h, u) before/after
    h_before: np.ndarray  # (d,)
    h_after: np.ndarray  # (d,)
    loss_before: float  # the trainer's, on the tables before the step
    loss_after: float  # loss64 on the tables after it, same negatives
    pair_cosine: tuple[float, float]  # cos(w_in[input], w_in[output]) before, after: the embeddings people use
    negative_cosines: pd.DataFrame  # word, before, after: cos(w_in[input], w_in[negative])
    autograd_difference: float  # max |trainer's update − autograd's update| over both tables
    touched_rows: int  # output rows the update changed


def _cos(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Cosine of a (d,) with every row of b (..., d); 0 where either is zero."""
    return torch.nn.functional.cosine_similarity(a.expand_as(b), b, dim=-1, eps=1e-12)


def _scored(objective: str, example: Example, negatives, tree, vocab: Vocab, p: torch.Tensor | None):
    """(ids into w_out, role, label, target t) of the rows the objective scores for the example (p: the full
    softmax's probabilities of every word, for that objective)."""
    o = example.output
    if objective == "negative":
        ids = [o] + negatives.tolist()
        roles = ["output"] + ["negative"] * len(negatives)
        return ids, roles, [vocab.words[i] for i in ids], [1.0] + [0.0] * len(negatives)
    if objective == "hs":
        code, point = tree.path(o)
        return (
            point.astype(np.int64).tolist(),
            [f"node {j + 1} of {len(point)}" for j in range(len(point))],
            [f"node {p} (code bit {c})" for p, c in zip(point.tolist(), code.tolist())],
            (1.0 - code.astype(np.float64)).tolist(),
        )
    top = [i for i in torch.argsort(p, descending=True)[:TOP_SOFTMAX_ROWS].tolist() if i != o]
    ids = [o] + top[: TOP_SOFTMAX_ROWS - 1]
    return (
        ids,
        ["output"] + ["other word"] * (len(ids) - 1),
        [vocab.words[i] for i in ids],
        [1.0] + [0.0] * (len(ids) - 1),
    )


def take_step(
    tables: Word2VecTables,
    objective: str,
    example: Example,
    negatives: torch.Tensor | None,
    lr: float,
    vocab: Vocab,
    tree: HuffmanTree | None = None,
) -> StepView:
    """Run the trainer's step on `tables` (changed in place) and report what it did, checked by autograd."""
    w_in0, w_out0 = tables.w_in.clone(), tables.w_out.clone()
    x = example.tensor()
    h0 = tables.hidden(x)[0].clone()  # (d,)
    p_all = torch.softmax(w_out0 @ h0, dim=0) if objective == "softmax" else None  # (V,)
    ids, roles, labels, targets = _scored(objective, example, negatives, tree, vocab, p_all)
    u0 = w_out0[ids]  # (R, d)
    s = u0 @ h0  # (R,)
    prob = p_all[ids] if objective == "softmax" else torch.sigmoid(s)
    t = torch.tensor(targets)
    g = lr * (t - prob)  # (1): the step size of each scored row
    loss_before = trainer_step(tables, objective, example, negatives, lr)
    h1 = tables.hidden(x)[0]
    u1 = tables.w_out[ids]
    d_in, d_out = autograd_update(w_in0, w_out0, objective, example, negatives, tree, lr)
    difference = max(
        float((tables.w_in.double() - w_in0.double() - d_in).abs().max()),
        float((tables.w_out.double() - w_out0.double() - d_out).abs().max()),
    )
    loss_after = float(loss64(tables.w_in.double(), tables.w_out.double(), objective, example, negatives, tree))
    rows = pd.DataFrame(
        {
            "role": roles,
            "row": labels,
            "t": targets,
            "s = h·u": s.tolist(),
            ("p (softmax)" if objective == "softmax" else "σ(s)"): prob.tolist(),
            "g = lr·(t − σ)": g.tolist(),
            "cos(h, u) before": _cos(h0, u0).tolist(),
            "cos(h, u) after": _cos(h1, u1).tolist(),
            "s after": (u1 @ h1).tolist(),
        }
    )
    if objective == "softmax":
        rows = rows.rename(columns={"g = lr·(t − σ)": "g = lr·(t − p)"})
    i, o = example.inputs[0], example.output
    negs = [] if negatives is None else list(dict.fromkeys(negatives.tolist()))
    neg_cos = pd.DataFrame(
        {
            "word": [vocab.words[n] for n in negs],
            "before": _cos(w_in0[i], w_in0[negs]).tolist() if negs else [],
            "after": _cos(tables.w_in[i], tables.w_in[negs]).tolist() if negs else [],
        }
    )
    pair = (float(_cos(w_in0[i], w_in0[o : o + 1])[0]), float(_cos(tables.w_in[i], tables.w_in[o : o + 1])[0]))
    touched = int((tables.w_out != w_out0).any(dim=1).sum())
    return StepView(
        rows, h0.numpy().copy(), h1.numpy().copy(), loss_before, loss_after, pair, neg_cos, difference, touched
    )


def noise_table(vocab: Vocab, exponent: float) -> torch.Tensor:
    """The trainer's unigram table of negatives (PyTorchTraining.noise): ids in proportion to count^exponent."""
    return torch.from_numpy(vocab.noise_table(exponent))


def draw_negatives(noise: torch.Tensor, k: int, generator: torch.Generator) -> torch.Tensor:
    """K negatives as the trainer draws them (PyTorchTraining.draw_negatives): uniform integers into the table."""
    return noise[torch.randint(len(noise), (k,), generator=generator)]  # (K,)


def repeat_steps(
    tables: Word2VecTables,
    objective: str,
    example: Example,
    lr: float,
    n: int,
    noise: torch.Tensor | None,
    k: int,
    seed: int,
    watch: list[int],
    tree: HuffmanTree | None = None,
) -> pd.DataFrame:
    """n trainer steps on the same example (fresh negatives each), changing `tables` in place. One row per step
    0..n: the loss of step i (the trainer's, before its update; none at step 0) and, after it, PROBABILITY,
    PAIR_COSINE (the two input vectors' cosine), OUTPUT_COSINE and, for negative sampling, NEGATIVES_COSINE: the
    mean cosine of h with the output rows of the watched words (the first step's negatives)."""
    if not 1 <= n <= MAX_STEPS:
        raise StepError(f"Repeat between 1 and {MAX_STEPS} steps (got {n}).")
    generator = torch.Generator().manual_seed(seed)
    x, o, i = example.tensor(), example.output, example.inputs[0]
    watched = torch.tensor(watch, dtype=torch.int64)
    records = []
    loss = float("nan")
    for step in range(n + 1):
        if step:
            negatives = draw_negatives(noise, k, generator) if objective == "negative" else None
            loss = trainer_step(tables, objective, example, negatives, lr)
        h = tables.hidden(x)[0]
        w_in, w_out = tables.w_in.numpy(), tables.w_out.numpy()
        records.append(
            {
                "step": step,
                "loss": loss,
                PROBABILITY: pair_probability(w_in[i], w_out, objective, o, tree),
                PAIR_COSINE: cosine(w_in[i], w_in[o]),
                OUTPUT_COSINE: output_cosine(w_in[i], w_out, objective, o),
                NEGATIVES_COSINE: (
                    float(_cos(h, tables.w_out[watched]).mean())
                    if len(watch) and objective == "negative"
                    else float("nan")
                ),
            }
        )
    return pd.DataFrame(records)

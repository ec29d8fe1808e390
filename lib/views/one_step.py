"""One training step from inside: the PyTorch model's own SGD step on a copy of a run's tables, beside autograd and gensim.

The step is the trainer's (lib.model.torch_word2vec.Word2VecTables.sgd_negative / sgd_hs / sgd_softmax, called on one
example); this module only copies a run's saved tables into a Word2VecTables, draws negatives the way the trainer
does, and reads the numbers before and after. Two independent checks sit beside it: autograd's gradient of the same
loss, written here once more in float64 (`loss64`), and gensim's own `train` on the one-pair sentence.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import torch

from lib.config import replace
from lib.data.vocab import Vocab
from lib.model.huffman import HuffmanTree
from lib.model.torch_trainer import MAX_SOFTMAX_VOCAB
from lib.model.torch_word2vec import Word2VecTables
from lib.runs.store import Run

if TYPE_CHECKING:
    from gensim.models import Word2Vec

OBJECTIVES = {"negative": "negative sampling", "hs": "hierarchical softmax", "softmax": "full softmax"}
ARCHITECTURES = {"skipgram": "skip-gram", "cbow": "CBOW"}
STEPS = (1, 10, 100)  # the repeat buttons
MAX_STEPS = 100
DEFAULT_NEGATIVE = 5  # K for a run that did not train negative sampling
MAX_CONTEXT = 20  # CBOW context words at most
PAIR_TOKENS = 200_000  # the default pair is counted in the corpus's first this many words
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


def pair_probability(
    v_input: np.ndarray, w_out: np.ndarray, objective: str, output: int, tree: HuffmanTree | None
) -> float:
    """How strongly a model predicts the output word from the input word's vector v, from its own tables (float64),
    computed alike for both models: σ(v·u_o) for negative sampling (the chance the pair is real), P(o | v) along the
    Huffman path for hs, softmax(W_out·v)_o for the full softmax."""
    v, w = np.asarray(v_input, np.float64), w_out
    if objective == "negative":
        return float(1.0 / (1.0 + np.exp(-(w[output].astype(np.float64) @ v))))
    if objective == "hs":
        return float(np.exp(-tree.loss(v[None, :], w.astype(np.float64), np.array([output]))[0]))
    logits = w.astype(np.float64) @ v
    logits -= logits.max()
    return float(np.exp(logits[output]) / np.exp(logits).sum())


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.asarray(a, np.float64) @ np.asarray(b, np.float64) / norm) if norm else 0.0


def output_cosine(v_input: np.ndarray, w_out: np.ndarray, objective: str, output: int) -> float:
    """The cosine of the input word's vector with the output word's own output row (negative sampling and the full
    softmax: what a step pulls together); NaN for hs, whose output rows are inner nodes, not words."""
    return float("nan") if objective == "hs" else _cosine(v_input, w_out[output])


PROBABILITY = "P(output | input)"  # the measures both models are shown under (pair_probability, _cosine, ...)
PAIR_COSINE = "pair cosine (input vectors)"
OUTPUT_COSINE = "cos(input, output's row)"
NEGATIVES_COSINE = "cos(h, first negatives' rows)"


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
                PAIR_COSINE: _cosine(w_in[i], w_in[o]),
                OUTPUT_COSINE: output_cosine(w_in[i], w_out, objective, o),
                NEGATIVES_COSINE: (
                    float(_cos(h, tables.w_out[watched]).mean())
                    if len(watch) and objective == "negative"
                    else float("nan")
                ),
            }
        )
    return pd.DataFrame(records)


# ---------------------------------------------------------------- gensim beside it


@contextlib.contextmanager
def _quiet_gensim():
    """gensim warns about every tiny corpus (few jobs, word counts); the page says what matters instead."""
    logger = logging.getLogger("gensim")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def gensim_start(run: Run, objective: str, architecture: str, negative: int) -> Word2Vec:
    """An untrained gensim model with the run's vocabulary and settings, for training one sentence [input, output]:
    window 1, no subsampling, one thread, `negative` noise words. Building it (gensim's vocabulary and Huffman
    tree) costs most of gensim_steps on a large vocabulary: a page keeps it and passes it to every call."""
    from lib.model.gensim_trainer import gensim_model  # imports gensim: only when this side is shown

    if objective == "softmax":
        raise StepError("gensim has no full softmax.")
    cfg = replace(
        run.train_config,
        loss=objective,
        architecture=architecture,
        window=1,
        sample=0.0,
        workers=1,
        epochs=1,
        negative=negative if objective == "negative" else run.train_config.negative,
    )
    with _quiet_gensim():
        return gensim_model(run.vocab(), cfg, n_sentences=1)


def gensim_steps(
    run: Run,
    epoch: int,
    objective: str,
    architecture: str,
    input_word: str,
    output_word: str,
    lr: float,
    n: int,
    negative: int,
    start: Word2Vec | None = None,
    tree: HuffmanTree | None = None,
) -> pd.DataFrame:
    """gensim's own `train`, n times on the sentence [input, output] (window 1, no subsampling, one thread, the
    learning rate fixed at lr), starting from a copy of `start` (gensim_start's model for these settings, built
    here when not given) holding the run's gensim tables at the epoch. One row per step 0..n: gensim's loss of the
    step (it trains both pairs, input→output and output→input, and draws its own negatives), and PROBABILITY,
    PAIR_COSINE and OUTPUT_COSINE computed from its tables as repeat_steps computes them from PyTorch's (tree:
    the run's Huffman tree for hs, built here when not given)."""
    import copy

    if objective == "softmax":
        raise StepError("gensim has no full softmax.")
    vocab = run.vocab()
    w_in, w_out, _ = saved_tables(run, "gensim", epoch, objective)
    model = copy.deepcopy(start) if start is not None else gensim_start(run, objective, architecture, negative)
    order = np.array([model.wv.key_to_index[w] for w in vocab.words], dtype=np.int64)
    model.wv.vectors[order] = w_in
    if objective == "hs":
        model.syn1[:] = w_out  # the shared Huffman tree numbers the nodes alike (row V − 1 is unused)
    else:
        model.syn1neg[order] = w_out
    a, b = model.wv.key_to_index[input_word], model.wv.key_to_index[output_word]
    if objective == "hs" and tree is None:
        tree = HuffmanTree.build(vocab.counts)
    o = vocab.index[output_word]

    def measures(step: int, loss: float) -> dict:
        out = model.syn1 if objective == "hs" else model.syn1neg[order]  # rows as our ids number them
        return {
            "step": step,
            "gensim loss (both pairs)": loss,
            PROBABILITY: pair_probability(model.wv.vectors[a], out, objective, o, tree),
            PAIR_COSINE: _cosine(model.wv.vectors[a], model.wv.vectors[b]),
            OUTPUT_COSINE: output_cosine(model.wv.vectors[a], out, objective, o),
        }

    records = [measures(0, float("nan"))]
    with _quiet_gensim():
        for step in range(1, n + 1):
            model.train(
                [[input_word, output_word]], total_examples=1, epochs=1, start_alpha=lr, end_alpha=lr, compute_loss=True
            )
            records.append(measures(step, float(model.get_latest_training_loss())))
    return pd.DataFrame(records)


# ---------------------------------------------------------------- a sensible pair to start from


def frequent_pair(
    ids: np.ndarray, lengths: np.ndarray, vocab_size: int, window: int, wordlike: np.ndarray | None = None
) -> tuple[int, int] | None:
    """The commonest pair of different words within `window` of each other in a sentence, skipping the most
    frequent words (the top min(50, V/20) ids, mostly function words) on a large vocabulary, and the ids whose
    `wordlike` entry is False (punctuation): (rarer, commoner)."""
    sentence = np.repeat(np.arange(len(lengths)), lengths)
    skip = min(50, vocab_size // 20)
    allowed = np.ones(vocab_size, dtype=bool) if wordlike is None else np.asarray(wordlike, dtype=bool)
    keys = []
    for d in range(1, max(1, window) + 1):
        a, b = ids[:-d].astype(np.int64), ids[d:].astype(np.int64)
        keep = (sentence[:-d] == sentence[d:]) & (a != b) & (a >= skip) & (b >= skip) & allowed[a] & allowed[b]
        lo, hi = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
        keys.append(lo * vocab_size + hi)
    keys = np.concatenate(keys) if keys else np.zeros(0, np.int64)
    if not len(keys):
        return None
    values, counts = np.unique(keys, return_counts=True)
    best = int(values[np.argmax(counts)])
    commoner, rarer = divmod(best, vocab_size)
    return rarer, commoner


PAIR_CACHE = "step_pair.json"  # in the run's cache folder: default_pair's answer


def default_pair(run: Run) -> tuple[str, str]:
    """(input, output): frequent_pair of words made of letters in the run's corpus (its first PAIR_TOKENS words),
    kept in the run's cache. A corpus that cannot be read now (an upload since removed, WikiText-2 without its
    files or a network) gives the two most frequent words made of letters instead, not kept: the corpus may be
    readable next time."""
    import json

    words = run.vocab().words
    try:
        saved = json.loads(run.read_cache(PAIR_CACHE) or b"null")
        if isinstance(saved, list) and len(saved) == 2 and all(w in run.vocab().index for w in saved):
            return saved[0], saved[1]
    except ValueError:
        pass
    pair = None
    try:
        from lib.data.corpora import load_corpus  # imports gensim: only the first time for a run

        encoded = run.vocab().encode(load_corpus(run.corpus_config).sentences)
        cut = np.cumsum(encoded.lengths) <= PAIR_TOKENS
        lengths = encoded.lengths[cut] if cut.any() else encoded.lengths[:1]
        found = frequent_pair(
            encoded.ids[: int(lengths.sum())],
            lengths,
            len(words),
            run.train_config.window,
            wordlike=np.array([w.isalpha() for w in words]),
        )
        pair = None if found is None else (words[found[0]], words[found[1]])
    except (ValueError, OSError):
        lettered = [w for w in words if w.isalpha()][:2]
        return (lettered[1], lettered[0]) if len(lettered) == 2 else (words[1], words[0])
    pair = pair or (words[1], words[0])
    run.write_cache(PAIR_CACHE, data=json.dumps(list(pair)).encode())
    return pair


def long_steps(pytorch: pd.DataFrame | None, gensim: pd.DataFrame | None) -> pd.DataFrame:
    """repeat_steps' and gensim_steps' frames as one long frame for charts.step_lines: model, step, measure,
    value; the shared measures (PROBABILITY, OUTPUT_COSINE, PAIR_COSINE) first, each model's own after, empty
    values dropped."""
    parts = []
    for model, frame in (("pytorch", pytorch), ("gensim", gensim)):
        if frame is not None:
            long = frame.melt(id_vars="step", var_name="measure", value_name="value").assign(model=model)
            long["measure"] = long["measure"].replace({"loss": "loss (pytorch, one pair)"})
            parts.append(long)
    if not parts:
        return pd.DataFrame(columns=["model", "step", "measure", "value"])
    long = pd.concat(parts, ignore_index=True).dropna(subset=["value"])
    order = {PROBABILITY: 0, OUTPUT_COSINE: 1, PAIR_COSINE: 2}
    long = long.sort_values("measure", key=lambda m: m.map(lambda x: order.get(x, 3)), kind="stable")
    return long[["model", "step", "measure", "value"]].reset_index(drop=True)


def vector_frame(vectors: dict[str, np.ndarray]) -> pd.DataFrame:
    """Named vectors as charts.vector_strip's frame: vector, dimension, value."""
    return pd.DataFrame(
        [{"vector": name, "dimension": d, "value": float(x)} for name, v in vectors.items() for d, x in enumerate(v)]
    )

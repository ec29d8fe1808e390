"""gensim beside the PyTorch step: a copy of the run's gensim model at the epoch, trained by its own train on the
one-pair sentence."""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lib.config import replace
from lib.model.huffman import HuffmanTree
from lib.runs.store import Run
from lib.views.one_step import StepError, saved_tables
from lib.views.step_measures import OUTPUT_COSINE, PAIR_COSINE, PROBABILITY, cosine, output_cosine, pair_probability

if TYPE_CHECKING:
    from gensim.models import Word2Vec


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
            PAIR_COSINE: cosine(model.wv.vectors[a], model.wv.vectors[b]),
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

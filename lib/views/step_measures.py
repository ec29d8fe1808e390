"""What One training step shows under one name for both models, computed alike from each model's tables, and the
frames its charts draw."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib.model.huffman import HuffmanTree

PROBABILITY = "P(output | input)"  # the measures both models are shown under (pair_probability, cosine, ...)


PAIR_COSINE = "pair cosine (input vectors)"


OUTPUT_COSINE = "cos(input, output's row)"


NEGATIVES_COSINE = "cos(h, first negatives' rows)"


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


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.asarray(a, np.float64) @ np.asarray(b, np.float64) / norm) if norm else 0.0


def output_cosine(v_input: np.ndarray, w_out: np.ndarray, objective: str, output: int) -> float:
    """The cosine of the input word's vector with the output word's own output row (negative sampling and the full
    softmax: what a step pulls together); NaN for hs, whose output rows are inner nodes, not words."""
    return float("nan") if objective == "hs" else cosine(v_input, w_out[output])


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

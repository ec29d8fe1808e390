"""Evaluation of one epoch's vectors, always read as gensim KeyedVectors: analogies, WordSim353, neighbours, category
purity, and the probe loss both models are scored on."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from lib.config import TrainConfig
from lib.data.pairs import CHUNK_TOKENS, epoch_windows, sample_sentences
from lib.data.questions import questions_in
from lib.data.vocab import Encoded, Vocab
from lib.model.huffman import HuffmanTree

if TYPE_CHECKING:  # for annotations only; gensim is imported where its data is read, so pages that only read
    from gensim.models import KeyedVectors  # saved metrics (Home) do not load it

GOOGLE_ANALOGIES = "questions-words.txt"
WORDSIM353 = "wordsim353.tsv"
PROBE_EXAMPLES = 20_000
TOP_WORDS = 10  # most frequent words whose neighbours are stored with each epoch
PURITY_K = 3  # nearest category words that category purity looks at

logging.getLogger("gensim.models.keyedvectors").setLevel(logging.WARNING)


def google_analogies_path() -> str:
    from gensim.test.utils import datapath

    return datapath(GOOGLE_ANALOGIES)


def count_questions(path: str) -> int:
    """Questions in a questions-words file."""
    return len(questions_in(path))


def analogy_accuracy(kv: KeyedVectors, path: str, restrict_vocab: int = 300_000) -> dict:
    """3CosAdd accuracy over the questions whose four words are all known, and the share of such questions."""
    score, sections = kv.evaluate_word_analogies(path, restrict_vocab=restrict_vocab, case_insensitive=True)
    total = next((s for s in sections if s["section"] == "Total accuracy"), None)
    seen = len(total["correct"]) + len(total["incorrect"]) if total else 0
    per_section = {
        s["section"]: {"correct": len(s["correct"]), "total": len(s["correct"]) + len(s["incorrect"])}
        for s in sections
        if s["section"] != "Total accuracy"
    }
    return {
        "analogy_accuracy": float(score) if seen else None,
        "analogy_coverage": seen / max(1, count_questions(path)),
        "analogy_sections": per_section,
    }


def analogy_accuracy_cosmul(kv: KeyedVectors, path: str, restrict_vocab: int = 300_000) -> dict:
    """3CosMul accuracy in the same shape as analogy_accuracy (gensim's evaluate_word_analogies only does 3CosAdd):
    a question counts when its four words are among the first restrict_vocab words; it is right when the top
    answer of most_similar_cosmul(positive=[b, c], negative=[a]) is d. Case-insensitive, as analogy_accuracy."""
    known = {w.lower(): w for w in kv.index_to_key[:restrict_vocab]}
    sections: dict[str, dict[str, int]] = {}
    for question in questions_in(path):
        counts = sections.setdefault(question.section, {"correct": 0, "total": 0})
        words = [w.lower() for w in question.words]
        if not all(w in known for w in words):
            continue
        a, b, c, d = (known[w] for w in words)
        top = kv.most_similar_cosmul(positive=[b, c], negative=[a], topn=1, restrict_vocab=restrict_vocab)
        counts["total"] += 1
        counts["correct"] += int(bool(top) and top[0][0] == d)
    correct = sum(s["correct"] for s in sections.values())
    seen = sum(s["total"] for s in sections.values())
    return {
        "analogy_accuracy": correct / seen if seen else None,
        "analogy_coverage": seen / max(1, count_questions(path)),
        "analogy_sections": {name: s for name, s in sections.items() if s["total"]},
    }


def wordsim353(kv: KeyedVectors) -> dict:
    from gensim.test.utils import datapath

    try:
        pearson, spearman, oov_ratio = kv.evaluate_word_pairs(datapath(WORDSIM353), case_insensitive=True)
    except ValueError:  # gensim raises when none of the pairs is in the vocabulary
        return {"ws353_spearman": None, "ws353_oov": 1.0}
    value = float(spearman[0]) if spearman is not None else float("nan")
    return {"ws353_spearman": None if np.isnan(value) else value, "ws353_oov": float(oov_ratio) / 100}


def neighbour_precision(kv: KeyedVectors, true_neighbours: dict[str, list[str]]) -> float | None:
    """For each word with designed neighbours, the share of them among its nearest neighbours (as many nearest
    neighbours as it has designed ones), averaged over those words."""
    scores = []
    for word, designed in true_neighbours.items():
        designed = [w for w in designed if w in kv.key_to_index]
        if word not in kv.key_to_index or not designed:
            continue
        nearest = {w for w, _ in kv.most_similar(word, topn=len(designed))}
        scores.append(len(nearest & set(designed)) / len(designed))
    return float(np.mean(scores)) if scores else None


def chance_neighbour_precision(true_neighbours: dict[str, list[str]], vocab_size: int) -> float:
    """Expected neighbour precision of random vectors: each designed neighbour is hit with chance k / (V - 1)."""
    sizes = [len(v) for v in true_neighbours.values() if v]
    return float(np.mean([k / (vocab_size - 1) for k in sizes])) if sizes else 0.0


def category_purity(kv: KeyedVectors, categories: dict[str, str], k: int = PURITY_K) -> dict:
    """How well categories have formed: for each category word, the share of its k nearest category words (by
    cosine, in the full vector space, among the category words only) that are of its own category, averaged over
    the words; with the same average for randomly placed words as `category_purity_chance`, and the average per
    category as `category_purity_by_category`. Words outside the vocabulary are left out."""
    words = [w for w in categories if w in kv.key_to_index]
    labels = np.array([categories[w] for w in words])
    if len(set(labels.tolist())) < 2 or len(words) <= k:
        return {"category_purity": None}
    unit = kv.get_normed_vectors()[[kv.key_to_index[w] for w in words]].astype(np.float64)
    similarity = unit @ unit.T
    np.fill_diagonal(similarity, -np.inf)  # a word is not its own neighbour
    nearest = np.argsort(-similarity, axis=1, kind="stable")[:, :k]  # (n, k) indices into words
    own = (labels[nearest] == labels[:, None]).mean(axis=1)  # (n,) share of own category among the k
    names, inverse, sizes = np.unique(labels, return_inverse=True, return_counts=True)
    chance = (sizes[inverse] - 1) / (len(words) - 1)  # a random other category word is of w's category
    return {
        "category_purity": float(own.mean()),
        "category_purity_chance": float(chance.mean()),
        "category_purity_by_category": {str(name): float(own[inverse == i].mean()) for i, name in enumerate(names)},
    }


def top_neighbours(kv: KeyedVectors, words: list[str], topn: int = 5) -> dict[str, list[list]]:
    return {
        w: [[n, round(float(s), 4)] for n, s in kv.most_similar(w, topn=topn)] for w in words if w in kv.key_to_index
    }


# ------------------------------------------------------------ the same loss for both models


@dataclass(frozen=True)
class Probe:
    """A fixed sample of training examples with fixed negatives, scored after every epoch for both models."""

    inputs: np.ndarray  # (P,) word ids, or (P, C) padded with -1 for CBOW
    outputs: np.ndarray  # (P,)
    negatives: np.ndarray  # (P, K)
    tree: HuffmanTree | None = None  # for loss="hs": the Huffman tree both models train (lib.model.huffman)

    @classmethod
    def draw(cls, encoded: Encoded, vocab: Vocab, cfg: TrainConfig, size: int = PROBE_EXAMPLES) -> "Probe":
        rng = np.random.default_rng(cfg.seed + 7919)
        sample = sample_sentences(encoded, CHUNK_TOKENS, rng)  # a large corpus: its examples would not fit
        w = epoch_windows(sample, vocab.keep_probability(cfg.sample), cfg.window, rng, cfg.shrink_windows)
        if cfg.architecture == "cbow":
            w = w.nonempty()
            inputs, outputs = w.contexts, w.centres
        else:
            inputs, outputs = w.skipgram_pairs()
        pick = rng.choice(len(outputs), size=min(size, len(outputs)), replace=False) if len(outputs) else []
        k = cfg.negative or 5
        negatives = rng.choice(len(vocab), size=(len(pick), k), p=vocab.noise_distribution(cfg.ns_exponent))
        tree = HuffmanTree.build(vocab.counts) if cfg.loss == "hs" else None
        return cls(inputs[pick], outputs[pick], negatives, tree)

    def loss(self, w_in: np.ndarray, w_out: np.ndarray | None, objective: str = "negative") -> float | None:
        """Mean loss of the probe examples for the objective: "negative" sampling with the fixed negatives,
        "hs" (w_out holds the inner nodes of self.tree) or full "softmax" cross-entropy."""
        if w_out is None or len(self.outputs) == 0:
            return None
        # rows picked first, then made float64: the same numbers without a float64 copy of whole tables
        if self.inputs.ndim == 1:
            h = w_in[self.inputs].astype(np.float64)
        else:
            mask = (self.inputs >= 0)[..., None]
            h = (w_in[self.inputs.clip(0)].astype(np.float64) * mask).sum(1) / np.maximum(mask.sum(1), 1)
        if objective == "hs":
            return float(self.tree.loss(h, w_out.astype(np.float64), self.outputs).mean())
        if objective == "softmax":
            logits = h @ w_out.astype(np.float64).T
            top = logits.max(1, keepdims=True)
            log_z = top[:, 0] + np.log(np.exp(logits - top).sum(1))
            return float(np.mean(log_z - logits[np.arange(len(h)), self.outputs]))
        pos = np.einsum("pd,pd->p", h, w_out[self.outputs].astype(np.float64))
        neg = np.einsum("pkd,pd->pk", w_out[self.negatives].astype(np.float64), h)
        live = self.negatives != self.outputs[:, None]
        loss = np.logaddexp(0, -pos) + (np.logaddexp(0, neg) * live).sum(1)
        return float(loss.mean())


class Evaluator:
    """Everything measured after an epoch, for one run; metrics() returns a JSON-ready dict.

    >>> from lib.runs.store import to_keyed_vectors
    >>> words = ["cat", "dog", "cow", "pig", "red", "blue", "green", "grey"]
    >>> vocab = Vocab.from_counts(words, [8, 7, 6, 5, 4, 3, 2, 1])
    >>> angle = np.radians([0, 5, 10, 15, 80, 85, 90, 95])  # animals on one side, colours on the other
    >>> w_in = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    >>> probe = Probe(inputs=np.array([0, 4]), outputs=np.array([1, 5]), negatives=np.array([[4], [0]]))
    >>> categories = dict(zip(words, ["animal"] * 4 + ["colour"] * 4))
    >>> evaluator = Evaluator(vocab, TrainConfig(negative=1), probe, natural=False, categories=categories)
    >>> m = evaluator.metrics(to_keyed_vectors(vocab, w_in), w_in, w_in, "pytorch")
    >>> m["category_purity"], round(m["category_purity_chance"], 3)  # 3 nearest all of its kind; by chance 3/7
    (1.0, 0.429)
    >>> round(m["loss"], 3)  # -log σ(h·v_o) - log σ(-h·v_n) averaged over the two probe examples
    1.098
    """

    def __init__(
        self,
        vocab: Vocab,
        cfg: TrainConfig,
        probe: Probe,
        *,
        natural: bool,
        analogies: str | None = None,
        true_neighbours: dict | None = None,
        categories: dict[str, str] | None = None,
    ):
        self.vocab, self.cfg, self.probe = vocab, cfg, probe
        self.natural = natural
        self.analogies = analogies or (google_analogies_path() if natural else None)
        self.true_neighbours = true_neighbours or {}
        self.categories = categories or {}
        self.top_words = list(vocab.words[:TOP_WORDS])

    def metrics(self, kv: KeyedVectors, w_in: np.ndarray, w_out: np.ndarray | None, model: str) -> dict:
        out = {"loss": self.probe.loss(w_in, w_out, self.cfg.loss)}  # the same objective for both models
        if self.analogies:
            out.update(analogy_accuracy(kv, self.analogies))
        if self.natural:
            out.update(wordsim353(kv))
        if self.true_neighbours:
            out["neighbor_precision"] = neighbour_precision(kv, self.true_neighbours)
        if self.categories:
            out.update(category_purity(kv, self.categories))
        out["neighbours"] = top_neighbours(kv, self.top_words)
        return out

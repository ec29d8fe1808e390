"""Axes made of words: each word placed by its cosine with v(a) − v(b) (x) and v(c) − v(d) (y), epoch by epoch.

The differences are taken between unit vectors, so x > 0 exactly when a word's cosine with a is larger than its
cosine with b (w·(â − b̂) = |w| (cos(w, a) − cos(w, b))), and a sits right of 0, b left of it. Nothing is fitted and
nothing is aligned: the directions are read from each side's own vectors at each epoch, so a word's place says how
far it leans along each relation at that point of training (whatlies' and Parallax's axes, drawn for every epoch
and both sides)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.data.toys import ANALOGY_ROLES
from lib.runs.store import Run
from lib.views import analogies
from lib.views.compare import Sides
from lib.views.projection import columns_for, typed_frame, word_rows

# Natural text: the first of these whose four words the run knows (x = a − b, y = c − d).
NATURAL_AXES = (
    ("he", "she", "king", "queen"),
    ("man", "woman", "king", "queen"),
    ("he", "she", "his", "her"),
    ("man", "woman", "his", "her"),
)
EXPLAIN = (
    "x is each word's cosine with v(a) − v(b), y its cosine with v(c) − v(d) (differences of unit vectors, read "
    "from that side's own vectors at that epoch: all dimensions, no projection fitted, nothing aligned). A word "
    "right of 0 is closer to a than to b, above 0 closer to c than to d. Watch words sort themselves along "
    "each axis as training goes on."
)


@dataclass(frozen=True)
class WordAxes:
    """Two directions made of words: x = v(a) − v(b), y = v(c) − v(d)."""

    a: str
    b: str
    c: str
    d: str

    @property
    def words(self) -> tuple[str, str, str, str]:
        return self.a, self.b, self.c, self.d

    def titles(self) -> tuple[str, str]:
        """The axis titles a chart shows."""
        return f"cosine with {self.a} − {self.b}", f"cosine with {self.c} − {self.d}"


def check_axes(axes: WordAxes, known: set[str], where: str = "the vocabulary") -> None:
    """Raise ValueError, saying what to change, for axes that cannot be drawn: a blank, a pair of one word twice,
    the same pair on both axes, a word not in `known` (named by `where`)."""
    if not all(w.strip() for w in axes.words):
        raise ValueError("Type four words: x = a − b and y = c − d.")
    for name, (first, second) in (("x", (axes.a, axes.b)), ("y", (axes.c, axes.d))):
        if first == second:
            raise ValueError(f"The {name} axis is {first} − {first}, which is zero: pick two different words.")
    if {axes.a, axes.b} == {axes.c, axes.d}:
        raise ValueError(f"Both axes are made of {axes.a} and {axes.b}: pick another pair for one of them.")
    unknown = [w for w in dict.fromkeys(axes.words) if w not in known]
    if unknown:
        some = ", ".join(unknown)
        raise ValueError(f"{some} {'is' if len(unknown) == 1 else 'are'} not in {where}: type words the run has.")


def default_axes(run: Run) -> tuple[WordAxes, str]:
    """Axes that mean something for this run, and why they were chosen: toy-analogy's designed gender and number;
    for natural text the first NATURAL_AXES the vocabulary has, else two relations of its first analogy question
    (a − b and a − c); else the four most frequent words (said to be arbitrary)."""
    words = run.vocab().words
    known = set(words)
    if run.config.get("corpus_name") == "toy-analogy":
        king, queen, kings, _ = ANALOGY_ROLES["ruler"][0]
        axes = WordAxes(king, queen, kings, king)
        if set(axes.words) <= known:
            return axes, "toy-analogy's design: x is gender (male − female), y is number (plural − singular)."
    for candidate in NATURAL_AXES if run.config.get("natural") else ():
        if set(candidate) <= known:
            return WordAxes(*candidate), "a gender pair and a second pair the vocabulary has."
    path = analogies.analogy_questions_path(run)
    question = analogies.first_question(path, known) if path else None
    if question and len({question[0], question[1], question[2]}) == 3:
        a, b, c, _ = question
        return WordAxes(a, b, a, c), (
            f"the run's first analogy question {' '.join(question)}: x is its relation "
            f"({a} − {b}), y the other one ({a} − {c})."
        )
    if len(words) < 4:
        raise ValueError("Axes from words need a vocabulary of at least 4 words.")
    return WordAxes(*words[:4]), (
        "the four most frequent words, which is arbitrary: type two pairs whose "
        "difference means something (e.g. he − she)."
    )


def direction(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The axis from `second` to `first`: the difference of their unit vectors (a zero vector stays zero)."""
    unit = [v.astype(np.float64) / (np.linalg.norm(v) or 1.0) for v in (first, second)]
    return unit[0] - unit[1]


def coordinates(vectors: np.ndarray, x_axis: np.ndarray, y_axis: np.ndarray) -> np.ndarray:
    """Each row's cosine with each axis: (n, dim) rows, two (dim,) directions -> (n, 2); 0 for a zero row or axis."""
    rows = vectors.astype(np.float64)
    axes = np.stack([x_axis, y_axis], axis=1).astype(np.float64)  # (dim, 2)
    norms = np.linalg.norm(rows, axis=1, keepdims=True) * np.linalg.norm(axes, axis=0, keepdims=True)  # (n, 2)
    products = rows @ axes  # (n, 2)
    return np.divide(products, norms, out=np.zeros_like(products), where=norms > 0)


def model_frame(run: Run, model: str, words: list[str], axes: WordAxes) -> pd.DataFrame:
    """Every finished epoch of one model on the axes, as lib.views.projection rows (COLUMNS)."""
    ids, base = word_rows(run, words)
    a, b, c, d = (run.vocab().index[w] for w in axes.words)
    parts = []
    for epoch in run.epochs(model):
        vectors = run.vectors(model, epoch)
        points = coordinates(vectors[ids], direction(vectors[a], vectors[b]), direction(vectors[c], vectors[d]))
        parts.append(base.assign(model=model, epoch=epoch, x=points[:, 0], y=points[:, 1]))
    return pd.concat(parts, ignore_index=True)[columns_for(2)] if parts else pd.DataFrame(columns=columns_for(2))


def sides_frame(pair: Sides, words: list[str], axes: WordAxes) -> pd.DataFrame:
    """Both sides' words on the axes for every finished epoch, "model" set to each side's label (Sides.labels);
    the axis words are added to `words` so they are always drawn. ValueError for axes check_axes refuses."""
    known = set(pair.a.run.vocab().words)
    if pair.two_runs:
        known &= set(pair.b.run.vocab().words)
    check_axes(axes, known, "both runs' vocabularies" if pair.two_runs else "the vocabulary")
    words = list(dict.fromkeys([*words, *axes.words]))
    frames = [
        model_frame(side.run, side.model, words, axes).assign(model=label)
        for side, label in zip((pair.a, pair.b), pair.labels())
    ]
    return typed_frame(pd.concat(frames, ignore_index=True))

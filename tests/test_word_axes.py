"""Axes made of words (lib.views.word_axes): coordinates by hand on 2-D vectors and against scikit-learn's cosine on a
trained run, the defaults each kind of run opens on, and axes that cannot be drawn."""

import math

import numpy as np
import pytest
from sklearn.metrics.pairwise import cosine_similarity

from lib.config import CorpusConfig, TrainConfig
from lib.train import train_run
from lib.views import word_axes
from lib.views.compare import Side, Sides
from lib.views.word_axes import WordAxes

TINY = dict(epochs=2, dim=8, min_count=1, workers=1)


def test_an_axis_is_the_difference_of_unit_vectors():
    # (3, 0) and (0, 4) have unit vectors (1, 0) and (0, 1): the axis from the second to the first is (1, -1)
    assert np.allclose(word_axes.direction(np.array([3.0, 0.0]), np.array([0.0, 4.0])), [1.0, -1.0])
    assert np.allclose(word_axes.direction(np.array([2.0, 2.0]), np.zeros(2)), [1 / math.sqrt(2), 1 / math.sqrt(2)])


def test_coordinates_by_hand_on_two_dimensional_vectors():
    # v(a) = (1, 0), v(b) = (0, 1): x axis (1, -1); v(c) = (2, 2), v(d) = (1, 1): y axis (1, 1)
    x_axis, y_axis = np.array([1.0, 0.0]) - np.array([0.0, 1.0]), np.array([2.0, 2.0]) - np.array([1.0, 1.0])
    words = np.array(
        [
            [3.0, 0.0],  # cos with (1, -1) = 3 / (3 √2) = 1/√2; with (1, 1) also 1/√2
            [0.0, -2.0],  # 2 / (2 √2) = 1/√2 on x; -2 / (2 √2) = -1/√2 on y
            [1.0, 1.0],  # orthogonal to x: 0; parallel to y: 1
            [0.0, 0.0],
        ]
    )  # a zero row has no direction: 0, 0
    got = word_axes.coordinates(words, x_axis, y_axis)
    half = 1 / math.sqrt(2)
    assert np.allclose(got, [[half, half], [half, -half], [0.0, 1.0], [0.0, 0.0]])
    assert np.allclose(word_axes.coordinates(words, np.zeros(2), y_axis)[:, 0], 0.0)  # a zero axis: 0, not nan


@pytest.fixture(scope="module")
def analogy(tmp_path_factory):
    return train_run(
        CorpusConfig("toy-analogy", sentences=400), TrainConfig(**TINY), root=str(tmp_path_factory.mktemp("axes"))
    )


def test_every_epoch_of_both_sides_is_placed_by_its_cosines_with_the_two_differences(analogy):
    axes = WordAxes("man", "woman", "men", "man")
    words = ["king", "queen", "kings", "he"]
    frame = word_axes.sides_frame(Sides(Side(analogy, "pytorch"), Side(analogy, "gensim")), words, axes)
    index = {w: i for i, w in enumerate(analogy.vocab().words)}
    assert sorted(set(frame["model"])) == ["gensim", "pytorch"] and sorted(set(frame["epoch"])) == [0, 1, 2]
    assert list(dict.fromkeys(frame["word"])) == [*words, "man", "woman", "men"]  # the axis words are drawn too
    for (model, epoch), rows in frame.groupby(["model", "epoch"]):
        vectors = analogy.vectors(model, epoch).astype(np.float64)
        unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        directions = np.stack([unit[index["man"]] - unit[index["woman"]], unit[index["men"]] - unit[index["man"]]])
        expected = cosine_similarity(vectors[[index[w] for w in rows["word"]]], directions)
        assert np.allclose(rows[["x", "y"]].to_numpy(), expected, atol=1e-6)
        # right of 0 exactly when closer to man than to woman (by cosine), above 0 when closer to men than to man
        near = cosine_similarity(vectors[[index[w] for w in rows["word"]]], vectors[[index[w] for w in axes.words]])
        assert ((rows["x"].to_numpy() > 0) == (near[:, 0] > near[:, 1])).all()
        assert ((rows["y"].to_numpy() > 0) == (near[:, 2] > near[:, 3])).all()


def test_toy_analogy_opens_on_its_designed_gender_and_number(analogy):
    axes, why = word_axes.default_axes(analogy)
    assert axes.words == ("king", "queen", "kings", "king")
    assert "gender" in why and "number" in why
    assert axes.titles() == ("cosine with king − queen", "cosine with kings − king")


def test_natural_text_opens_on_he_she_and_king_queen(tmp_path):
    text = tmp_path / "story.txt"
    text.write_text("the king and the queen said he and she would go . " * 40, encoding="utf-8")
    run = train_run(
        CorpusConfig(str(text)), TrainConfig(**{**TINY, "epochs": 1}), models=["gensim"], root=str(tmp_path / "runs")
    )
    assert run.config["natural"]
    assert word_axes.default_axes(run)[0].words == ("he", "she", "king", "queen")


def test_a_run_without_meaningful_pairs_opens_on_its_most_frequent_words_and_says_they_are_arbitrary(tmp_path):
    run = train_run(
        CorpusConfig("toy-proximity", sentences=300),
        TrainConfig(**{**TINY, "epochs": 1}),
        models=["gensim"],
        root=str(tmp_path),
    )
    axes, why = word_axes.default_axes(run)
    assert axes.words == tuple(run.vocab().words[:4]) and "arbitrary" in why


@pytest.mark.parametrize(
    "axes, message",
    [
        (WordAxes("man", "", "men", "man"), "Type four words"),
        (WordAxes("man", "man", "men", "man"), "The x axis is man − man, which is zero"),
        (WordAxes("man", "woman", "men", "men"), "The y axis is men − men"),
        (WordAxes("man", "woman", "woman", "man"), "Both axes are made of man and woman"),
        (WordAxes("man", "wizard", "men", "elves"), "wizard, elves are not in the vocabulary"),
        (WordAxes("man", "wizard", "men", "man"), "wizard is not in the vocabulary"),
    ],
)
def test_axes_that_cannot_be_drawn_say_what_to_change(analogy, axes, message):
    with pytest.raises(ValueError, match=message):
        word_axes.sides_frame(Sides(Side(analogy, "pytorch"), Side(analogy, "gensim")), ["king"], axes)

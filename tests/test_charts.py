"""Chart builders: checked through the Vega-Lite JSON they produce."""

import json

import pandas as pd
import pytest

from lib import charts


def spec(chart) -> dict:
    return json.loads(chart.to_json())


def dataset(spec_: dict, layer: dict, parent: dict | None = None) -> list[dict]:
    """The rows a view draws: its own data, else its parent's (Altair lifts data shared by all layers)."""
    return spec_["datasets"][(layer.get("data") or parent["data"])["name"]]


@pytest.fixture
def projection_rows():
    rows = []
    for model in ("pytorch", "gensim"):
        for epoch in (0, 1, 2):
            for i, word in enumerate(["aaa", "bbb", "ccc", "ddd"]):
                rows.append({"model": model, "epoch": epoch, "word": word, "x": i + epoch * 10.0, "y": -i,
                             "count": 100 - i, "group": "first" if i < 2 else "second"})
    return pd.DataFrame(rows)


def test_embedding_scatter_puts_models_side_by_side_at_one_epoch(projection_rows):
    s = spec(charts.embedding_scatter(projection_rows, epoch=1))
    assert [panel["title"] for panel in s["hconcat"]] == ["pytorch · epoch 1", "gensim · epoch 1"]
    points = s["hconcat"][0]["layer"][0]
    assert points["mark"]["type"] == "circle"
    assert points["encoding"]["color"]["field"] == "group"
    assert {t["field"] for t in points["encoding"]["tooltip"]} >= {"word", "count"}
    rows = dataset(s, points, s["hconcat"][0])
    assert {r["epoch"] for r in rows} == {1} and {r["model"] for r in rows} == {"pytorch"}
    # axes span every epoch, so playing through the epochs does not rescale them
    low, high = points["encoding"]["x"]["scale"]["domain"]
    assert low < 0 and high > 23
    assert [p["name"] for p in s["params"]] == ["zoom_pytorch", "zoom_gensim"]
    assert all(p["bind"] == "scales" for p in s["params"])


def test_highlighted_words_get_their_path_over_all_epochs(projection_rows):
    s = spec(charts.embedding_scatter(projection_rows, epoch=2, highlight=["bbb"]))
    layers = s["hconcat"][1]["layer"]
    assert [layer["mark"]["type"] for layer in layers] == ["circle", "line", "point", "text"]
    path = dataset(s, layers[1])
    assert sorted(r["epoch"] for r in path) == [0, 1, 2] and {r["word"] for r in path} == {"bbb"}
    assert layers[1]["encoding"]["order"]["field"] == "epoch"
    assert [r["epoch"] for r in dataset(s, layers[3])] == [2]


def test_no_group_colour_when_the_corpus_has_no_groups(projection_rows):
    s = spec(charts.embedding_scatter(projection_rows.assign(group=""), epoch=0))
    assert "field" not in s["hconcat"][0]["layer"][0]["encoding"]["color"]


def test_scatter_of_a_missing_model_is_a_value_error(projection_rows):
    with pytest.raises(ValueError, match="no rows"):
        charts.embedding_scatter(projection_rows, epoch=0, models=["word2vec-c"])


def test_metric_lines_one_line_per_model_without_missing_values():
    frame = pd.DataFrame({"model": ["pytorch", "pytorch", "gensim", "gensim"], "epoch": [0, 1, 0, 1],
                          "value": [3.0, 2.0, None, 1.5]})
    s = spec(charts.metric_lines(frame, "loss", "Probe loss"))
    assert s["title"] == "Probe loss" and s["encoding"]["y"]["title"] == "loss"
    assert s["encoding"]["color"]["field"] == "model"
    assert len(s["datasets"][s["data"]["name"]]) == 3


@pytest.mark.parametrize("build, domain", [
    (lambda f: charts.similarity_lines(f, "king", "queen"), [-1, 1]),  # cosines
    (lambda f: charts.jaccard_lines(f, "king", 10), [0, 1]),  # shares
])
def test_bounded_line_charts_fix_their_y_range(build, domain):
    frame = pd.DataFrame({"model": ["pytorch", "gensim"], "epoch": [1, 1], "value": [0.5, 0.25]})
    s = spec(build(frame))
    assert s["encoding"]["y"]["scale"]["domain"] == pytest.approx(domain)


@pytest.mark.parametrize("best", [0.0, 0.02, 0.3, 0.5, 0.9, 1.0])
def test_accuracy_axis_starts_at_zero_and_ends_a_little_above_the_best(best):
    frame = pd.DataFrame({"model": ["pytorch", "gensim"], "epoch": [1, 1], "value": [best, best / 2]})
    low, top = spec(charts.accuracy_lines(frame))["encoding"]["y"]["scale"]["domain"]
    assert low == 0 and best <= top <= 1  # never above 100%, never cutting off the best line
    assert top > 0 and (top == 1 or top <= best * 1.25 or top <= 0.05)  # a small accuracy is not a flat line
    assert top > best or best == 1


def test_category_bars_group_models_per_section():
    frame = pd.DataFrame({"model": ["pytorch", "gensim"], "section": ["capital", "capital"], "correct": [1, 2],
                          "total": [4, 4], "accuracy": [0.25, 0.5]})
    s = spec(charts.category_bars(frame))
    assert s["mark"]["type"] == "bar"
    assert s["encoding"]["y"]["field"] == "section" and s["encoding"]["yOffset"]["field"] == "model"
    assert s["encoding"]["x"]["field"] == "accuracy"

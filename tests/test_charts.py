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
                rows.append(
                    {
                        "model": model,
                        "epoch": epoch,
                        "word": word,
                        "x": i + epoch * 10.0,
                        "y": -i,
                        "count": 100 - i,
                        "rank": i + 1,
                        "group": "first" if i < 2 else "second",
                        "order": float("nan"),
                    }
                )
    return pd.DataFrame(rows)


def test_embedding_scatter_puts_models_side_by_side_at_one_epoch(projection_rows):
    s = spec(charts.embedding_scatter(projection_rows, epoch=1))
    assert [panel["title"] for panel in s["hconcat"]] == ["pytorch · epoch 1", "gensim · epoch 1"]
    points = s["hconcat"][0]["layer"][0]
    assert points["mark"]["type"] == "circle"
    assert points["encoding"]["color"]["field"] == "group" and points["encoding"]["color"]["type"] == "nominal"
    assert {t["field"] for t in points["encoding"]["tooltip"]} >= {"word", "count"}
    rows = dataset(s, points, s["hconcat"][0])
    assert {r["epoch"] for r in rows} == {1} and {r["model"] for r in rows} == {"pytorch"}
    # axes span every epoch, so playing through the epochs does not rescale them
    low, high = points["encoding"]["x"]["scale"]["domain"]
    assert low < 0 and high > 23
    params = {p["name"]: p for p in s["params"]}
    assert set(params) == {"pick", "zoom_pytorch", "zoom_gensim"}
    assert params["zoom_pytorch"]["bind"] == params["zoom_gensim"]["bind"] == "scales"
    # one click selection of a word, in both panels
    assert params["pick"]["select"] == {"type": "point", "fields": ["word"], "on": "click", "clear": "dblclick"}
    assert len(params["pick"]["views"]) >= 2


def test_few_words_are_all_labelled_and_labels_are_text_marks(projection_rows):
    s = spec(charts.embedding_scatter(projection_rows, epoch=1))
    labels = s["hconcat"][0]["layer"][1]
    assert labels["mark"]["type"] == "text" and labels["encoding"]["text"]["field"] == "word"
    assert sorted(r["word"] for r in dataset(s, labels)) == ["aaa", "bbb", "ccc", "ddd"]


def test_labels_never_overlap_and_marked_words_come_first():
    # 200 words on a tight grid: far too many to label; the marked rare word must still get its label
    rows = pd.DataFrame(
        [
            {
                "word": f"w{i:03d}",
                "x": (i % 20) / 20,
                "y": (i // 20) / 10,
                "rank": i + 1,
                "group": "g" if i % 7 == 0 else "",
            }
            for i in range(200)
        ]
    )
    priority = charts.label_priority(rows, marked=["w199"], top=10)
    assert priority[0] == "w199" and {"w009", "w014", "w196"} <= set(priority)  # top 10, then group words
    assert "w011" not in priority and len(priority) == 1 + 10 + 29 - 2  # w000 and w007 are both
    mask = charts.label_mask(rows, priority, [0, 1], [0, 1], 440, 440)
    kept = rows[mask]
    assert "w199" in set(kept["word"]) and 0 < len(kept) < len(priority)
    # rebuild each kept label's box by hand (11 px font, 0.62 em per character, right of the point)
    boxes = [
        (x * 440 + 4, 440 - y * 440 - 6.5, x * 440 + 6 + 6.82 * len(w), 440 - y * 440 + 6.5)
        for w, x, y in zip(kept["word"], kept["x"], kept["y"])
    ]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


def test_ordered_groups_get_a_sequential_colour_scale(projection_rows):
    ordered = projection_rows.assign(group=projection_rows["word"], order=projection_rows["rank"] - 1.0)
    colour = spec(charts.embedding_scatter(ordered, epoch=0))["hconcat"][0]["layer"][0]["encoding"]["color"]
    assert colour["field"] == "order" and colour["type"] == "quantitative"
    assert colour["scale"]["scheme"] == "viridis"


def test_words_without_a_category_are_grey(projection_rows):
    rows = projection_rows.assign(group=projection_rows["group"].where(projection_rows["word"] != "ddd", ""))
    colour = spec(charts.embedding_scatter(rows, epoch=0))["hconcat"][0]["layer"][0]["encoding"]["color"]
    assert colour["condition"] == {"test": "datum.group == ''", "value": charts.NO_GROUP_COLOUR}
    assert colour["scale"]["domain"] == ["first", "second"]


def test_focus_words_are_ringed_in_their_models_panel(projection_rows):
    s = spec(charts.embedding_scatter(projection_rows, epoch=1, focus={"gensim": ["aaa", "ccc"]}))
    assert len(s["hconcat"][0]["layer"]) == 2  # pytorch: nothing focused
    rings = s["hconcat"][1]["layer"][2]
    assert rings["mark"]["type"] == "point" and sorted(r["word"] for r in dataset(s, rings)) == ["aaa", "ccc"]


def test_highlighted_words_get_their_path_over_all_epochs(projection_rows):
    s = spec(charts.embedding_scatter(projection_rows, epoch=2, highlight=["bbb"]))
    layers = s["hconcat"][1]["layer"]
    assert [layer["mark"]["type"] for layer in layers] == ["circle", "text", "line", "point", "text"]
    path = dataset(s, layers[2])
    assert sorted(r["epoch"] for r in path) == [0, 1, 2] and {r["word"] for r in path} == {"bbb"}
    assert layers[2]["encoding"]["order"]["field"] == "epoch"
    assert [r["epoch"] for r in dataset(s, layers[4])] == [2]


def test_no_group_colour_when_the_corpus_has_no_groups(projection_rows):
    s = spec(charts.embedding_scatter(projection_rows.assign(group=""), epoch=0))
    assert "field" not in s["hconcat"][0]["layer"][0]["encoding"]["color"]


def test_scatter_of_a_missing_model_is_a_value_error(projection_rows):
    with pytest.raises(ValueError, match="no rows"):
        charts.embedding_scatter(projection_rows, epoch=0, models=["word2vec-c"])


def test_metric_lines_one_line_per_model_without_missing_values():
    frame = pd.DataFrame(
        {"model": ["pytorch", "pytorch", "gensim", "gensim"], "epoch": [0, 1, 0, 1], "value": [3.0, 2.0, None, 1.5]}
    )
    s = spec(charts.metric_lines(frame, "loss", "Probe loss"))
    assert s["title"] == "Probe loss" and s["encoding"]["y"]["title"] == "loss"
    assert s["encoding"]["color"]["field"] == "model"
    assert len(s["datasets"][s["data"]["name"]]) == 3


@pytest.mark.parametrize(
    "build, domain",
    [
        (lambda f: charts.similarity_lines(f, "king", "queen"), [-1, 1]),  # cosines
        (lambda f: charts.jaccard_lines(f, "king", 10), [0, 1]),  # shares
    ],
)
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
    frame = pd.DataFrame(
        {
            "model": ["pytorch", "gensim"],
            "section": ["capital", "capital"],
            "correct": [1, 2],
            "total": [4, 4],
            "accuracy": [0.25, 0.5],
        }
    )
    s = spec(charts.category_bars(frame))
    assert s["mark"]["type"] == "bar"
    assert s["encoding"]["y"]["field"] == "section" and s["encoding"]["yOffset"]["field"] == "model"
    assert s["encoding"]["x"]["field"] == "accuracy"


def test_pos_curves_mark_the_step_shown_and_none_while_playing():
    history = pd.DataFrame({"step": [0, 1, 2], "loss": [1.5, 0.8, 0.4], "accuracy": [0.2, 0.6, 1.0]})
    marked = charts.pos_curves(history, 1).to_dict()
    rules = [layer for panel in marked["vconcat"] for layer in panel["layer"] if layer["mark"]["type"] == "rule"]
    assert [marked["datasets"][r["data"]["name"]] for r in rules] == [[{"step": 1}], [{"step": 1}]]
    playing = charts.pos_curves(history, None).to_dict()
    rules = [layer for panel in playing["vconcat"] for layer in panel["layer"] if layer["mark"]["type"] == "rule"]
    assert all(playing["datasets"][r["data"]["name"]] == [] for r in rules)


def test_overlay_lines_colour_each_run_and_dash_each_model():
    runs = ["run A", "run B", "run C"]
    frame = pd.DataFrame(
        [
            {"run": r, "model": m, "epoch": e, "metric": "loss", "value": 3.0 - e / (i + 1)}
            for i, r in enumerate(runs[:2])
            for m in ("pytorch", "gensim")
            for e in (0, 1, 2)
        ]
    )
    s = spec(charts.overlay_lines(frame, "loss", "Probe loss per epoch", runs, "probe loss"))
    enc = s["encoding"]
    assert enc["color"]["field"] == "run" and enc["color"]["scale"]["domain"] == runs  # every run, even without rows
    assert len(set(enc["color"]["scale"]["range"])) == 3
    assert enc["strokeDash"]["field"] == "model" and enc["strokeDash"]["scale"]["domain"] == ["pytorch", "gensim"]
    assert enc["strokeDash"]["scale"]["range"][0] != enc["strokeDash"]["scale"]["range"][1]
    assert {t["field"] for t in enc["tooltip"]} == {"run", "model", "epoch", "value"}
    assert len(s["datasets"][s["data"]["name"]]) == 12
    words = spec(charts.overlay_lines(frame.assign(value=1000.0), "words_per_sec", "Words/s", runs))
    assert words["encoding"]["y"]["scale"]["type"] == "log"
    assert charts.run_colours(runs) == dict(zip(runs, charts.RUN_COLOURS[:3]))
    with pytest.raises(ValueError, match="At most 8"):
        charts.run_colours([f"r{i}" for i in range(9)])


def test_the_chance_label_of_purity_sits_at_the_right_end_clear_of_the_first_epochs_points():
    frame = pd.DataFrame(
        {"model": ["pytorch", "pytorch"], "epoch": [0, 1], "value": [0.2, 0.6], "chance": [0.17, 0.17]}
    )
    layers = json.loads(charts.purity_lines(frame).to_json())["layer"]
    label = next(layer for layer in layers if layer["mark"]["type"] == "text")
    assert label["mark"]["align"] == "right" and label["mark"]["x"] == {"expr": "width - 4"}


def test_a_log_axis_has_ticks_at_one_two_and_five_times_the_powers_of_ten_around_the_values():
    # words/s between 1.2 million and 3.4 million: 1M, 2M, 5M (by hand)
    assert charts.log_ticks(pd.Series([1.2e6, 3.4e6, None]).dropna()) == [1e6, 2e6, 5e6]
    assert charts.log_ticks(pd.Series([450.0, 9000.0])) == [200.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0]


def test_few_words_close_together_get_no_overlapping_labels():
    # four words apart (aaa, bbb, yyy, zzz) and 22 piled on one spot between them (as the end of a toy run's
    # alphabet arc can be): of the pile only its most frequent word, ccc, gets a label; the four keep theirs
    words = [c * 3 for c in "abcdefghijklmnopqrstuvwxyz"]
    xs = [0.1, 0.0] + [0.5 + i * 1e-4 for i in range(22)] + [1.0, 0.9]
    rows = pd.DataFrame(
        {
            "model": "pytorch",
            "epoch": 1,
            "word": words,
            "x": xs,
            "y": xs,
            "count": 10,
            "rank": range(1, 27),
            "group": "",
            "order": float("nan"),
        }
    )
    s = spec(charts.embedding_scatter(rows, epoch=1))
    labels = sorted(r["word"] for r in dataset(s, s["hconcat"][0]["layer"][1]))
    assert labels == ["aaa", "bbb", "ccc", "yyy", "zzz"]

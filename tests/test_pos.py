"""lib.classic.pos: seeds typed by a user, the 2-D part-of-speech model's training and trajectory, decision regions,
GIF."""

import io

import numpy as np
import pytest
import torch
from PIL import Image

from lib.classic import pos
from lib.data.toys import POS_TAGS

SMALL = dict(steps=60, lr=0.1, record_every=5)


@pytest.fixture(scope="module")
def traj():
    return pos.train(pos.PosConfig(seed=0, **SMALL))


# ------------------------------------------------------------ seeds


@pytest.mark.parametrize("text, seeds", [("0", [0]), ("0, 1", [0, 1]), ("3 1;7", [3, 1, 7]), (" 42 ,", [42])])
def test_parse_seeds_reads_commas_spaces_and_semicolons(text, seeds):
    assert pos.parse_seeds(text) == seeds


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Enter at least one seed"),
        ("  , ", "Enter at least one seed"),
        ("3, 3", "Seed 3 is listed twice"),
        ("1, two", "'two' is not a whole number"),
        ("1.5", "'1.5' is not a whole number"),
        ("-1", "Seed -1 is out of range"),
        ("1 2 3 4 5", "at most 4"),
    ],
)
def test_parse_seeds_says_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        pos.parse_seeds(text)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"steps": 0}, "steps"),
        ({"lr": 0.0}, "lr"),
        ({"record_every": 0}, "record_every"),
        ({"steps": 10, "record_every": 11}, "record_every"),
        ({"seed": -3}, "seed"),
    ],
)
def test_config_validation_names_the_setting(change, message):
    with pytest.raises(ValueError, match=message):
        pos.PosConfig(**change).validate()


# ------------------------------------------------------------ training and the trajectory


def test_trajectory_records_every_word_and_the_classifier_at_the_recorded_steps(traj):
    assert traj.steps == list(range(0, 61, 5))
    assert len(traj.history) == 61 and traj.history["step"].tolist() == list(range(61))
    for step, frame in traj.points.groupby("step"):
        assert sorted(frame["word"]) == sorted(POS_TAGS)
        assert dict(zip(frame["word"], frame["tag"])) == POS_TAGS
    assert len(traj.weights) == 4 * len(traj.steps)
    assert set(traj.weights["tag"]) == set(pos.TAGS)


def test_last_step_is_recorded_even_off_the_grid():
    traj = pos.train(pos.PosConfig(seed=0, steps=12, record_every=5))
    assert traj.steps == [0, 5, 10, 12]


def test_recorded_predictions_are_what_the_recorded_weights_say(traj):
    for step in traj.steps:
        frame = traj.points[traj.points["step"] == step]
        w, b = pos.weight_arrays(traj.weights, step)
        predicted = pos.classify(frame[["x", "y"]].to_numpy(), w, b)
        assert [pos.TAGS[i] for i in predicted] == frame["predicted"].tolist()
        accuracy = traj.history.loc[traj.history["step"] == step, "accuracy"].item()
        assert accuracy == pytest.approx(frame["correct"].mean())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_default_training_tags_every_word_right(seed):
    traj = pos.train(pos.PosConfig(seed=seed))
    final = traj.final()
    assert final["accuracy"] == 1.0
    assert final["loss"] < 0.05 < traj.history["loss"].iloc[0]
    assert final["first step at 100%"] is not None and final["first step at 100%"] < pos.PosConfig().steps


def test_same_seed_repeats_and_other_seeds_start_elsewhere():
    a, again, b = (pos.train(pos.PosConfig(seed=s, **SMALL)) for s in (4, 4, 5))
    assert np.array_equal(a.points[["x", "y"]].to_numpy(), again.points[["x", "y"]].to_numpy())
    start_a = a.points[a.points["step"] == 0][["x", "y"]].to_numpy()
    start_b = b.points[b.points["step"] == 0][["x", "y"]].to_numpy()
    assert not np.allclose(start_a, start_b)


def test_training_leaves_the_global_torch_generator_and_threads_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    threads = torch.get_num_threads()
    torch.manual_seed(123)
    pos.train(pos.PosConfig(seed=9, steps=5, record_every=1))
    assert torch.equal(torch.rand(3), expected)
    assert torch.get_num_threads() == threads


def test_training_moves_words_towards_their_tag_region(traj):
    start, end = traj.points[traj.points["step"] == 0], traj.points[traj.points["step"] == traj.steps[-1]]
    assert end["correct"].sum() > start["correct"].sum()


# ------------------------------------------------------------ decision regions


def test_extent_holds_every_position_and_is_square(traj):
    x_min, x_max, y_min, y_max = pos.extent(traj.points)
    assert x_min < traj.points["x"].min() and traj.points["x"].max() < x_max
    assert y_min < traj.points["y"].min() and traj.points["y"].max() < y_max
    assert x_max - x_min == pytest.approx(y_max - y_min)


def test_decision_grid_tiles_the_plane_with_the_classifier_s_tags(traj):
    bounds = pos.extent(traj.points)
    step = traj.steps[-1]
    grid = pos.decision_grid(traj.weights, step, bounds, resolution=10)
    assert len(grid) == 100
    assert grid["x"].min() == pytest.approx(bounds[0]) and grid["x2"].max() == pytest.approx(bounds[1])
    assert grid["y"].min() == pytest.approx(bounds[2]) and grid["y2"].max() == pytest.approx(bounds[3])
    w, b = pos.weight_arrays(traj.weights, step)
    centres = np.column_stack([(grid["x"] + grid["x2"]) / 2, (grid["y"] + grid["y2"]) / 2])
    assert grid["tag"].tolist() == [pos.TAGS[i] for i in pos.classify(centres, w, b)]
    assert set(grid["tag"]) == set(pos.TAGS)  # after training every tag owns a region of the plane


def test_regions_move_during_training(traj):
    bounds = pos.extent(traj.points)
    first = pos.decision_grid(traj.weights, 0, bounds, resolution=12)["tag"]
    last = pos.decision_grid(traj.weights, traj.steps[-1], bounds, resolution=12)["tag"]
    assert (first != last).any()


def test_unrecorded_step_is_a_clear_error(traj):
    with pytest.raises(ValueError, match="Step 3 was not recorded"):
        pos.weight_arrays(traj.weights, 3)


def test_labels_of_words_on_top_of_each_other_are_spread_apart(traj):
    from lib.charts import spread_labels

    bounds = pos.extent(traj.points)
    frame = traj.points[traj.points["step"] == traj.steps[-1]]
    labels = spread_labels(frame, bounds)
    height, width = 0.055 * (bounds[3] - bounds[2]), 0.12 * (bounds[1] - bounds[0])
    spots = list(zip(labels["x"], labels["label_y"]))
    for i, (x1, y1) in enumerate(spots):
        for x2, y2 in spots[i + 1 :]:
            assert abs(x1 - x2) >= width or abs(y1 - y2) >= height - 1e-9


def test_a_label_moved_off_its_dot_is_joined_to_it_by_a_line(traj):
    import json

    from lib import charts

    bounds = pos.extent(traj.points)
    frame = traj.points[traj.points["step"] == traj.steps[-1]]
    spec = json.loads(
        charts.pos_plane(
            frame, pos.decision_grid(traj.weights, traj.steps[-1], bounds), bounds, pos.TAG_COLOURS
        ).to_json()
    )
    rule = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "rule")
    lines = spec["datasets"][rule["data"]["name"]]
    moved = charts.spread_labels(frame, bounds).query("abs(label_y - y) > 1e-12")
    assert sorted(r["word"] for r in lines) == sorted(moved["word"])  # one line per moved label, none for the rest
    assert rule["encoding"]["y2"]["field"] == "label_y"


# ------------------------------------------------------------ GIF


def test_gif_has_one_frame_per_recorded_step(traj):
    data = pos.render_gif(traj, size=120)
    assert data[:6] == b"GIF89a"
    image = Image.open(io.BytesIO(data))
    assert image.n_frames == len(traj.steps)
    assert image.size[0] == 120 and image.size[1] > 120  # caption above, legend below
    first = np.asarray(image.convert("RGB")).copy()
    image.seek(image.n_frames - 1)
    assert not np.array_equal(first, np.asarray(image.convert("RGB")))  # the words and regions move


def test_a_gif_from_a_step_on_plays_once_from_that_step_to_the_last(traj):
    start = traj.steps[-3]
    image = Image.open(io.BytesIO(pos.render_gif(traj, size=120, start=start, loop=False)))
    assert image.n_frames == 3 and "loop" not in image.info  # no looping: the browser stops on the last frame
    full = Image.open(io.BytesIO(pos.render_gif(traj, size=120)))
    assert full.info["loop"] == 0  # the download loops for ever
    full.seek(len(traj.steps) - 3)
    assert np.array_equal(np.asarray(full.convert("RGB")), np.asarray(image.convert("RGB")))  # same first frame
    with pytest.raises(ValueError, match="after the last recorded step"):
        pos.render_gif(traj, start=traj.steps[-1] + 1)

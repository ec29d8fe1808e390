"""lib.views.overlay: many runs' saved per-epoch metrics as one tidy frame, its charts, and the settings that differ."""

import json

import pytest

from lib.config import CorpusConfig, TrainConfig
from lib.train import train_run
from lib.views import overlay

VARIANTS = {"w2-neg": (2, "negative"), "w5-neg": (5, "negative"), "w2-hs": (2, "hs")}


@pytest.fixture(scope="module")
def three_runs(tmp_path_factory):
    """Three small toy-pos runs differing in window and objective (the loss setting)."""
    root = tmp_path_factory.mktemp("overlay")
    return [
        train_run(
            CorpusConfig("toy-pos", sentences=200),
            TrainConfig(epochs=2, dim=8, min_count=1, negative=3, workers=1, window=w, loss=loss),
            root=root,
            run_id=name,
        )
        for name, (w, loss) in VARIANTS.items()
    ]


def saved_values(run) -> dict:
    """(model, epoch, metric) -> value, read straight from the run's metrics.json files."""
    out = {}
    for model in json.loads((run.path / "config.json").read_text())["models"]:
        for entry in json.loads((run.path / model / "metrics.json").read_text()):
            for metric in ("loss", "analogy_accuracy", "category_purity", "words_per_sec"):
                if entry.get(metric) is not None:
                    out[(model, entry["epoch"], metric)] = entry[metric]
    return out


def test_the_frame_holds_every_saved_value_of_every_run(three_runs):
    frame = overlay.overlay_frame(three_runs, ["A", "B", "C"])
    assert list(frame.columns) == overlay.COLUMNS
    for run, name in zip(three_runs, "ABC"):
        rows = frame[frame["run"] == name]
        got = {(r.model, r.epoch, r.metric): r.value for r in rows.itertuples()}
        assert got == pytest.approx(saved_values(run)) and got  # nothing left out, nothing added
        assert set(rows["run_id"]) == {run.id}
        assert set(rows["objective"]) == {json.loads((run.path / "config.json").read_text())["train"]["loss"]}
    assert frame.loc[frame["epoch"] == 0, "metric"].ne("words_per_sec").all()  # no speed at the random start


def test_probe_loss_gets_one_panel_per_objective_and_a_note_says_why(three_runs):
    frame = overlay.overlay_frame(three_runs, ["A", "B", "C"])
    loss = [p for p in overlay.panels(frame) if p.metric == "loss"]
    assert [(p.objective, sorted(p.rows["run"].unique())) for p in loss] == [("negative", ["A", "B"]), ("hs", ["C"])]
    assert "hierarchical softmax" in loss[1].title and "negative sampling" in loss[0].title
    assert "not on one scale" in overlay.objectives_note(frame)
    same = overlay.overlay_frame(three_runs[:2], ["A", "B"])
    assert [p.title for p in overlay.panels(same) if p.metric == "loss"] == ["Probe loss per epoch"]
    assert overlay.objectives_note(same) is None
    others = [p for p in overlay.panels(frame) if p.metric != "loss"]
    assert all(set(p.rows["run"]) == {"A", "B", "C"} for p in others)  # every run in every other chart


def test_the_settings_table_lists_only_the_settings_that_differ(three_runs):
    table = overlay.settings_table(three_runs, ["A", "B", "C"])
    assert table["run"].tolist() == ["A", "B", "C"]
    configs = [json.loads((r.path / "config.json").read_text()) for r in three_runs]
    assert table["window"].tolist() == [str(c["train"]["window"]) for c in configs]
    assert table["loss"].tolist() == [c["train"]["loss"] for c in configs]
    assert set(table.columns) == {"run", "window", "loss", "step"}  # step: the resolved trainer step, pair or hs
    assert overlay.settings_table(three_runs[:1] * 2, ["A", "B"]).columns.tolist() == ["run"]


def test_more_than_eight_runs_are_refused_in_words(three_runs):
    assert overlay.too_many(8) is None
    assert "at most 8" in overlay.too_many(9) and "Untick 1 run " in overlay.too_many(9)
    assert "Untick 2 runs" in overlay.too_many(10)
    with pytest.raises(ValueError, match="at most 8"):
        overlay.overlay_frame(three_runs * 3)

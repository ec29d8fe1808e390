"""Many runs overlaid on Home: the frame holds the runs' saved metrics, the charts one colour per run and one dash
per model, and the settings table exactly the settings that differ."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import charts, overlay
from lib.config import CorpusConfig, TrainConfig
from lib.store import run_label
from lib.train import train_run

ROOT = Path(__file__).resolve().parents[1]
TINY = dict(epochs=2, dim=8, min_count=1, negative=3, workers=1)


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    root = tmp_path_factory.mktemp("overlay")
    corpus = CorpusConfig("toy-proximity", sentences=300)
    runs = [train_run(corpus, TrainConfig(window=2, **TINY), root=root),
            train_run(corpus, TrainConfig(window=5, **TINY), root=root),
            train_run(corpus, TrainConfig(window=2, loss="hs", **TINY), root=root)]
    return root, runs


def test_the_frame_holds_each_runs_saved_metrics(three):
    _, runs = three
    frame = overlay.overlay_frame(runs)
    for run in runs:
        label = run_label(run.summary())
        for model in run.models:
            saved = json.loads((run.path / model / "metrics.json").read_text())  # the file, not the store's reader
            losses = frame[(frame.run == label) & (frame.model == model) & (frame.metric == "probe loss")]
            assert losses.sort_values("epoch")["value"].tolist() == pytest.approx([e["loss"] for e in saved])
            speed = frame[(frame.run == label) & (frame.model == model) & (frame.metric == "words/s")]
            assert speed["epoch"].tolist() == [1, 2]  # the random start trains nothing
    assert set(frame["objective"]) == {"negative", "hs"}


def test_the_chart_has_a_colour_per_run_and_a_dash_per_model(three):
    _, runs = three
    spec = json.loads(charts.run_overlay(overlay.overlay_frame(runs), "probe loss", "t").to_json())
    assert spec["encoding"]["color"]["field"] == "run" and spec["encoding"]["strokeDash"]["field"] == "model"
    rows = next(iter(spec["datasets"].values()))
    assert len({r["run"] for r in rows}) == 3 and {r["model"] for r in rows} == {"pytorch", "gensim"}


def test_more_than_eight_runs_are_refused(three):
    _, runs = three
    with pytest.raises(ValueError, match="at most 8"):
        overlay.overlay_frame(runs * 3)


def test_home_overlays_the_chosen_runs_and_lists_the_settings_that_differ(three, monkeypatch):
    root, runs = three
    monkeypatch.setenv("W2V_RUNS_DIR", str(root))
    at = AppTest.from_file(str(ROOT / "pages" / "home.py"), default_timeout=120)
    at.query_params["overlay"] = [r.id for r in runs]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(d.value for d in at.dataframe if "window" in d.value.columns and "state" not in d.value.columns)
    saved = [json.loads((r.path / "config.json").read_text()) for r in runs]
    configs = [{**c["train"], **c["resolved"]} for c in saved]  # the chosen settings and what they resolved to
    machine = {"workers", "device", "versions", "gensim_workers", "pytorch_threads", "worker_batch"}  # not choices
    differ = {k for k in configs[0] if k not in machine and len({json.dumps(c[k]) for c in configs}) > 1}
    assert differ == {"window", "loss", "step"} and set(table.columns) == differ  # hs trains a step of its own
    assert table["window"].tolist() == ["2", "5", "2"]
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    overlays = [sp for sp in specs if sp.get("encoding", {}).get("color", {}).get("field") == "run"]
    assert len(overlays) == 5  # probe loss for each of the two objectives, accuracy, purity, words/s

"""Runs a user can manage on Home: distinct labels, a table that fits, naming, deleting, several overlaid (AppTest)."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib.config import CorpusConfig, TrainConfig
from lib.runs.listing import delete_run, find_run, list_runs, run_label
from lib.runs.store import NAME_MAX
from lib.train import train_run

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = TrainConfig(epochs=1, dim=8, min_count=1, negative=3, workers=1)


@pytest.fixture
def two_runs(tmp_path, monkeypatch):
    """Two runs of the same corpus with the same settings: the case where labels used to read the same."""
    monkeypatch.setenv("W2V_RUNS_DIR", str(tmp_path))
    return [
        train_run(CorpusConfig("toy-pos", sentences=200), SETTINGS, root=tmp_path, run_id=f"same-{i}") for i in (1, 2)
    ]


def home() -> AppTest:
    return AppTest.from_file(str(ROOT / "pages" / "home.py"), default_timeout=60)


def test_runs_of_one_corpus_and_settings_get_distinct_labels(two_runs):
    labels = [run_label(r.summary()) for r in two_runs]
    assert labels[0] != labels[1]
    assert all(label.startswith("toy-pos · 1 epoch · skipgram negative d8 w5") for label in labels), labels


def test_the_compact_runs_table_holds_one_quality_number_and_the_loss_per_model(two_runs):
    at = home().run()
    assert not at.exception
    table = at.dataframe[0]
    shown = table.proto.column_order
    assert shown[:2] == ["label", "state"] and len(shown) <= 10, shown
    assert {"pytorch_category_purity", "gensim_category_purity", "pytorch_loss", "gensim_loss"} <= set(shown)
    at.toggle(key="runs_wide").set_value(True).run()
    assert len(at.dataframe[0].proto.column_order) > 20


def test_a_name_replaces_the_label_and_is_shown_literally(two_runs):
    at = home().run()
    run = find_run(at.session_state["run"])
    at.text_input(key=f"name:{run.id}").set_value("**Room A** [x](https://e.example)")
    at.button(key="save_name").click().run()
    assert not at.exception
    assert find_run(run.id).name == "**Room A** [x](https://e.example)"
    heading = at.subheader[-1].value if at.subheader else ""
    assert any(h.value.startswith("Selected run: \\*\\*Room A\\*\\*") for h in at.subheader), heading
    assert at.dataframe[0].value["label"].iloc[0].startswith("**Room A**")  # a table cell is never markdown


def test_names_that_cannot_be_one_are_refused(two_runs):
    with pytest.raises(ValueError, match="at most"):
        two_runs[0].rename("x" * (NAME_MAX + 1))
    with pytest.raises(ValueError, match="control"):
        two_runs[0].rename("a\x07b")
    two_runs[0].rename("  two\nlines  ")
    assert two_runs[0].name == "two lines"
    two_runs[0].rename("")
    assert two_runs[0].name == "" and not (two_runs[0].path / "name.txt").exists()


def test_delete_asks_for_confirmation_then_removes_only_that_run(two_runs):
    at = home().run()
    shown = at.session_state["run"]
    assert at.button(key="delete_run").disabled  # not confirmed yet
    at.checkbox(key=f"delete_sure:{shown}").check().run()
    at.button(key="delete_run").click().run()
    assert not at.exception
    left = [r.id for r in list_runs()]
    assert shown not in left and len(left) == 1
    assert any(s.value.startswith("Deleted") for s in at.success)
    assert at.session_state["run"] == left[0]


def test_a_training_run_cannot_be_deleted(two_runs):
    run = two_runs[0]
    run.set_status("training")  # this test process is its live "trainer"
    with pytest.raises(ValueError, match="still training"):
        delete_run(run)
    assert run.path.is_dir()
    at = home()
    at.query_params["run"] = run.id
    at.run()
    assert at.checkbox(key=f"delete_sure:{run.id}").disabled and at.button(key="delete_run").disabled


# ------------------------------------------------------------ many runs overlaid (issue 18)

OVERLAY_VARIANTS = {"w2-neg": (2, "negative"), "w5-neg": (5, "negative"), "w2-hs": (2, "hs")}
METRICS = ("loss", "analogy_accuracy", "category_purity", "words_per_sec")


@pytest.fixture(scope="module")
def overlay_root(tmp_path_factory):
    """Three small toy-pos runs differing in window and objective."""
    root = tmp_path_factory.mktemp("overlay-runs")
    for name, (window, loss) in OVERLAY_VARIANTS.items():
        train_run(
            CorpusConfig("toy-pos", sentences=200),
            TrainConfig(epochs=2, dim=8, min_count=1, negative=3, workers=1, window=window, loss=loss),
            root=root,
            run_id=name,
        )
    return root


def tick(at: AppTest, rows: list[int]) -> AppTest:
    at.session_state["runs_table"] = {"selection": {"rows": rows, "columns": []}}
    return at.run()


def run_charts(at: AppTest) -> list[dict]:
    """The overlay's charts (colour by run) as spec dicts, each with its rows under "rows"."""
    from streamlit import dataframe_util

    out = []
    for element in at.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        if spec.get("encoding", {}).get("color", {}).get("field") == "run":
            spec["rows"] = pd.concat(
                [dataframe_util.convert_arrow_bytes_to_pandas_df(d.data.data) for d in element.proto.datasets]
            )
            out.append(spec)
    return out


def saved(path: Path) -> dict:
    """(model, epoch, metric) -> value, read straight from a run folder's metrics.json files."""
    out = {}
    for model in json.loads((path / "config.json").read_text())["models"]:
        for entry in json.loads((path / model / "metrics.json").read_text()):
            out.update({(model, entry["epoch"], m): entry[m] for m in METRICS if entry.get(m) is not None})
    return out


def differing(paths: list[Path]) -> set[str]:
    """The settings the runs' config.json files differ in (train and resolved settings by name, corpus settings as
    "corpus <name>"), machine and limit values left out."""
    machine = {"workers", "device", "versions", "max_corpus_tokens", "max_corpus_bytes"}
    configs = [json.loads((p / "config.json").read_text()) for p in paths]
    names = set()
    for section, prefix in (("train", ""), ("corpus", "corpus "), ("resolved", "")):
        for key in {k for c in configs for k in c.get(section, {})} - machine:
            if len({json.dumps(c.get(section, {}).get(key)) for c in configs}) > 1:
                names.add("corpus" if (section, key) == ("corpus", "name") else prefix + key)
    return names


def test_ticked_runs_are_overlaid_with_the_settings_they_differ_in(overlay_root, monkeypatch):
    monkeypatch.setenv("W2V_RUNS_DIR", str(overlay_root))
    at = home().run()
    ids = at.dataframe[0].value["run"].tolist()
    labels = dict(zip(ids, at.dataframe[0].value["label"]))
    assert not run_charts(at) and not any("compared" in s.value for s in at.subheader)  # nothing ticked
    tick(at, [0])
    assert not at.exception and not run_charts(at)  # one run: nothing to overlay
    tick(at, [0, 1, 2])
    assert not at.exception
    assert any(s.value == "3 runs compared" for s in at.subheader)
    settings = at.dataframe[1].value
    assert settings["run"].tolist() == [labels[i] for i in ids]
    assert (
        set(settings.columns) - {"colour", "run"}
        == differing([overlay_root / i for i in ids])
        == {"window", "loss", "step"}
    )
    for run_id, row in zip(ids, settings.to_dict("records")):
        train = json.loads((overlay_root / run_id / "config.json").read_text())["train"]
        assert (row["window"], row["loss"]) == (str(train["window"]), train["loss"])
    charts = run_charts(at)
    for run_id in ids:  # every saved value of every run is drawn, once, and nothing else
        drawn = {}
        for chart in charts:
            metric = next(m for m in METRICS if chart["rows"]["metric"].eq(m).all())
            for r in chart["rows"][chart["rows"]["run"] == labels[run_id]].itertuples():
                assert (r.model, r.epoch, metric) not in drawn
                drawn[(r.model, r.epoch, metric)] = r.value
        assert drawn == pytest.approx(saved(overlay_root / run_id)) and drawn
    for chart in charts:  # one colour per run, one dash per model
        colour, dash = chart["encoding"]["color"], chart["encoding"]["strokeDash"]
        assert colour["scale"]["domain"] == [labels[i] for i in ids] and len(set(colour["scale"]["range"])) == 3
        assert dash["field"] == "model" and dash["scale"]["domain"] == ["pytorch", "gensim"]
        assert len({json.dumps(d) for d in dash["scale"]["range"]}) == 2
    titles = [c["title"] for c in charts]
    assert titles[:2] == [
        "Probe loss per epoch · negative sampling runs",
        "Probe loss per epoch · hierarchical softmax runs",
    ], titles
    assert {tuple(sorted(c["rows"]["objective"].unique())) for c in charts[:2]} == {("negative",), ("hs",)}
    assert any("not on one scale" in i.value for i in at.info)  # why the probe loss is split


def test_a_ninth_ticked_run_is_refused_and_eight_are_overlaid(overlay_root, tmp_path, monkeypatch):
    for i in range(9):  # nine readable runs: copies of the three
        shutil.copytree(overlay_root / list(OVERLAY_VARIANTS)[i % 3], tmp_path / f"copy-{i}")
    monkeypatch.setenv("W2V_RUNS_DIR", str(tmp_path))
    at = tick(home(), list(range(9)))
    assert not at.exception
    assert any("at most 8" in w.value and "Untick 1 run" in w.value for w in at.warning), [w.value for w in at.warning]
    assert not run_charts(at) and len(at.dataframe) == 1  # no overlay, no settings table
    tick(at, list(range(8)))
    assert not at.exception and not at.warning and any(s.value == "8 runs compared" for s in at.subheader)
    assert all(len(c["encoding"]["color"]["scale"]["domain"]) == 8 for c in run_charts(at)) and run_charts(at)


def test_the_same_runs_stay_ticked_when_a_new_run_comes_first(overlay_root, tmp_path, monkeypatch):
    for name in OVERLAY_VARIANTS:
        shutil.copytree(overlay_root / name, tmp_path / name)
    monkeypatch.setenv("W2V_RUNS_DIR", str(tmp_path))
    at = tick(home(), [0, 2])
    ids = at.dataframe[0].value["run"].tolist()
    before = at.dataframe[1].value["run"].tolist()
    shutil.copytree(overlay_root / ids[1], tmp_path / "zz-newest")  # sorts first: every row moves down one
    forget = AppTest.from_string("from widgets import forget_runs; forget_runs()")  # the 2 s run list cache
    forget.run()
    at.run()
    assert not at.exception
    assert at.dataframe[0].value["run"].tolist()[0] == "zz-newest"
    assert at.dataframe[1].value["run"].tolist() == before  # the same two runs, not the rows now at 0 and 2

"""Runs a user can manage on Home: distinct labels, a table that fits, naming, deleting (AppTest)."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.config import CorpusConfig, TrainConfig
from lib.store import NAME_MAX, delete_run, find_run, list_runs, run_label
from lib.train import train_run

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = TrainConfig(epochs=1, dim=8, min_count=1, negative=3, workers=1)


@pytest.fixture
def two_runs(tmp_path, monkeypatch):
    """Two runs of the same corpus with the same settings: the case where labels used to read the same."""
    monkeypatch.setenv("W2V_RUNS_DIR", str(tmp_path))
    return [train_run(CorpusConfig("toy-pos", sentences=200), SETTINGS, root=tmp_path, run_id=f"same-{i}")
            for i in (1, 2)]


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

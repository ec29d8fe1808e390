"""The Embedding space, Neighbours, Similarity and Analogies pages, run headless with Streamlit's AppTest."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGES = Path(__file__).resolve().parent.parent / "pages"


@pytest.fixture
def open_page(monkeypatch, runs_root, analogy_run, proximity_run):
    """open_page(name, run) runs pages/<name>.py on that run; fails on any exception shown in the page."""
    monkeypatch.setenv("W2V_RUNS_DIR", str(runs_root))

    def open_(name: str, run) -> AppTest:
        at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=120)
        at.query_params["run"] = run.id
        return run_ok(at)

    return open_


def run_ok(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def charts(at: AppTest) -> list:
    return at.get("vega_lite_chart")


def chart_json(at: AppTest, i: int = 0) -> str:
    return charts(at)[i].proto.spec


def text_input(at: AppTest, key: str):
    return next(t for t in at.text_input if t.key == key)


def test_embedding_space(open_page, analogy_run):
    at = open_page("embedding_space", analogy_run)
    assert [r.key for r in at.radio][:1] == ["embedding_method"]
    assert len(charts(at)) == 1 and len(at.get("download_button")) == 3
    at.select_slider[0].set_value(1)
    first = chart_json(run_ok(at))
    assert "epoch 1" in first
    text_input(at, "embedding_highlight").set_value("king, queen")
    highlighted = chart_json(run_ok(at))
    assert highlighted != first and '"line"' in highlighted and '"line"' not in first
    text_input(at, "embedding_highlight").set_value("kingg")
    run_ok(at)
    assert any("Did you mean 'king'" in w.value for w in at.warning)


def test_embedding_space_play_steps_through_epochs(open_page, proximity_run):
    at = open_page("embedding_space", proximity_run)
    last = at.select_slider[0].value
    at.button(key="embedding_play").click()
    run_ok(at)  # playing from the last epoch starts again at the random start
    assert at.session_state["embedding_playing"] and at.button(key="embedding_play").label == "Pause"
    assert at.session_state["embedding_frame"] == 0 and "epoch 0" in chart_json(at)
    assert last > 0


def test_embedding_space_umap(open_page, proximity_run):
    at = open_page("embedding_space", proximity_run)
    pca = chart_json(at)
    at.radio(key="embedding_method").set_value("UMAP")
    assert chart_json(run_ok(at)) != pca


def test_neighbours(open_page, analogy_run):
    at = open_page("neighbours", analogy_run)
    assert text_input(at, "neighbours_word").value == "king"
    assert len(at.dataframe) == 4 and len(charts(at)) == 1
    assert at.metric[0].label.startswith("Overlap") and at.metric[0].value.endswith("%")
    before = at.dataframe[0].value["word"].tolist()
    text_input(at, "neighbours_word").set_value("queen")
    after = run_ok(at).dataframe[0].value["word"].tolist()
    assert after != before and "queen" not in after
    at.slider(key="neighbours_k").set_value(3)
    assert len(run_ok(at).dataframe[0].value) == 3
    text_input(at, "neighbours_word").set_value("quen")
    run_ok(at)
    assert at.error and "Did you mean 'queen'" in at.error[0].value


def test_similarity(open_page, proximity_run):
    at = open_page("similarity", proximity_run)
    assert text_input(at, "similarity_a").value == "bbb"
    assert len(charts(at)) == 1 and len(at.dataframe) == 1
    table = at.dataframe[0].value
    assert len(table) == 25 and {"pytorch", "gensim"} <= set(table.columns)
    before = chart_json(at)
    text_input(at, "similarity_b").set_value("zzz")
    assert chart_json(run_ok(at)) != before
    at.select_slider(key="similarity_epoch").set_value(0)
    assert not run_ok(at).dataframe[0].value.equals(table)
    text_input(at, "similarity_b").set_value("bbbb")
    run_ok(at)
    assert at.error and "not in this run's vocabulary" in at.error[0].value


def test_analogies(open_page, analogy_run):
    at = open_page("analogies", analogy_run)
    assert [text_input(at, f"analogies_{k}").value for k in "abc"] == ["king", "queen", "prince"]
    assert len(at.dataframe) == 2 and len(charts(at)) == 2  # accuracy lines and per-category bars
    assert any("coverage" in m.label for m in at.metric)
    add_answers = at.dataframe[0].value
    add_lines = chart_json(at)
    at.radio(key="analogies_method").set_value("3CosMul")
    run_ok(at)
    assert not at.dataframe[0].value.equals(add_answers) and chart_json(at) != add_lines
    at.button(key="analogies_every_epoch").click()
    run_ok(at)
    scored = list((analogy_run.cache_dir() / "analogies-3cosmul").glob("*/epoch_*.json"))
    assert len(scored) == len(analogy_run.common_epochs()) * len(analogy_run.models)
    text_input(at, "analogies_c").set_value("princx")
    run_ok(at)
    assert at.error and "Did you mean" in at.error[0].value


def test_analogies_without_questions(open_page, proximity_run):
    at = open_page("analogies", proximity_run)
    assert any("no analogy questions" in i.value for i in at.info)

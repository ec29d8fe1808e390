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


def word_box(at: AppTest, key: str, run):
    """A word input (a selectbox over the run's vocabulary that also takes typed words), opening on the run's
    default."""
    return at.selectbox(key=key)


def type_word(page: str, key: str, run, word: str) -> AppTest:
    """The page opened afresh with a typed word that is not in the vocabulary (AppTest's set_value only picks
    listed options, and cannot rerun a page whose box holds an unlisted word)."""
    fresh = AppTest.from_file(str(PAGES / f"{page}.py"), default_timeout=120)
    fresh.query_params["run"] = run.id
    fresh.session_state[key] = word
    return run_ok(fresh)


def test_embedding_space(open_page, analogy_run):
    at = open_page("embedding_space", analogy_run)
    assert [r.key for r in at.radio][:1] == ["proj"]
    assert len(charts(at)) == 2 and len(at.get("download_button")) == 3  # both models, and category purity
    assert not at.warning and not at.error
    at.select_slider[0].set_value(1)
    first = chart_json(run_ok(at))
    assert "epoch 1" in first
    at.multiselect(key="hl").set_value(["king", "queen"])
    highlighted = chart_json(run_ok(at))
    assert highlighted != first and '"line"' in highlighted and '"line"' not in first


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
    at.radio(key="proj").set_value("UMAP")
    assert chart_json(run_ok(at)) != pca


def test_neighbours(open_page, analogy_run):
    at = open_page("neighbours", analogy_run)
    assert word_box(at, "word", analogy_run).value == "king"
    assert len(at.dataframe) == 6 and len(charts(at)) == 1  # two lists, two by epoch, two "what changed"
    assert at.metric[0].label.startswith("Overlap") and at.metric[0].value.endswith("%")
    before = at.dataframe[0].value["word"].tolist()
    word_box(at, "word", analogy_run).set_value("queen")
    after = run_ok(at).dataframe[0].value["word"].tolist()
    assert after != before and "queen" not in after
    at.slider(key="k").set_value(3)
    assert len(run_ok(at).dataframe[0].value) == 3
    at = type_word("neighbours", "word", analogy_run, "quen")
    assert at.error and "Did you mean 'queen'" in at.error[0].value


def test_similarity(open_page, proximity_run):
    at = open_page("similarity", proximity_run)
    assert word_box(at, "w1", proximity_run).value == "bbb"
    assert len(charts(at)) == 1 and len(at.dataframe) == 1
    table = at.dataframe[0].value
    assert len(table) == 25 and {"pytorch", "gensim"} <= set(table.columns)
    before = chart_json(at)
    word_box(at, "w2", proximity_run).set_value("zzz")
    assert chart_json(run_ok(at)) != before
    at.select_slider(key="epoch").set_value(0)
    assert not run_ok(at).dataframe[0].value.equals(table)
    at = type_word("similarity", "w2", proximity_run, "bbbb")
    assert at.error and "not in this run's vocabulary" in at.error[0].value


def test_analogies(open_page, analogy_run):
    at = open_page("analogies", analogy_run)
    a, b, c = (word_box(at, k, analogy_run).value for k in "abc")
    # the opening question is one of the run's own that both models answer right (checked here with gensim)
    assert any(line.split()[:3] == [a, b, c] for line in analogy_run.analogies_path().read_text().splitlines())
    for model in analogy_run.models:
        kv = analogy_run.keyed_vectors(model, analogy_run.common_epochs()[-1])
        d = next(
            line.split()[3]
            for line in analogy_run.analogies_path().read_text().splitlines()
            if line.split()[:3] == [a, b, c]
        )
        assert kv.most_similar(positive=[b, c], negative=[a], topn=1)[0][0] == d
    assert len(at.dataframe) == 2 and len(charts(at)) == 2  # accuracy lines and per-category bars
    assert any("coverage" in m.label for m in at.metric)
    add_answers = at.dataframe[0].value
    add_lines = chart_json(at)
    at.radio(key="method").set_value("3CosMul")
    run_ok(at)
    assert not at.dataframe[0].value.equals(add_answers) and chart_json(at) != add_lines
    at.button(key="analogies_every_epoch").click()
    run_ok(at)
    scored = list((analogy_run.cache_dir() / "analogies-3cosmul").glob("*/epoch_*.json"))
    assert len(scored) == len(analogy_run.common_epochs()) * len(analogy_run.models)
    at.button(key="analogies_another").click()
    run_ok(at)
    drawn = [word_box(at, k, analogy_run).value for k in "abc"]
    assert any(line.split()[:3] == drawn for line in analogy_run.analogies_path().read_text().splitlines())
    at = type_word("analogies", "c", analogy_run, "princx")
    assert at.error and "Did you mean" in at.error[0].value


def test_analogies_without_questions(open_page, proximity_run):
    at = open_page("analogies", proximity_run)
    assert any("no analogy questions" in i.value for i in at.info)
    assert not at.error  # the solver opens on three words of the run's own vocabulary
    assert [word_box(at, k, proximity_run).value for k in "abc"] == ["aaa", "bbb", "ccc"]


def test_typed_markdown_is_shown_as_text(open_page, analogy_run):
    at = type_word("neighbours", "word", analogy_run, "[click](http://example.com) **x**")
    assert at.error and "is not in this run's vocabulary" in at.error[0].value
    shown = [m.value for m in [*at.error, *at.info, *at.caption]]
    assert not any("[click](http" in text or "**x**" in text for text in shown)

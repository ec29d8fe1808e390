"""A copied link restores the view: every page's controls read from and write to the URL; bad parameters fall back.
And an incomplete run (gensim stopped early) shows each model's finished epochs on every page."""

import json
import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.config import CorpusConfig, TrainConfig
from lib.runs.store import Run
from lib.train import train_run

PAGES = Path(__file__).resolve().parent.parent / "pages"
HOSTILE = "[click](http://example.com) **x** <b>y</b>"


def open_page(name: str, root, **params) -> AppTest:
    """pages/<name>.py opened from a link with these query parameters; fails on any exception in the page."""
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(at: AppTest) -> list[str]:
    return [e.value for e in [*at.error, *at.warning, *at.info, *at.caption, *at.markdown]]


@pytest.fixture
def runs(monkeypatch, runs_root, analogy_run, proximity_run):
    monkeypatch.setenv("W2V_RUNS_DIR", str(runs_root))
    return runs_root


# ------------------------------------------------------------ a link restores the view


def test_neighbours_link_restores_word_k_and_epoch(runs, analogy_run):
    at = open_page("neighbours", runs, run=analogy_run.id, word="queen", k="3", epoch="1")
    assert at.selectbox(key="word").value == "queen"
    assert at.slider(key="k").value == 3 and at.select_slider(key="epoch").value == 1
    table = at.dataframe[0].value
    assert len(table) == 3
    # the list is gensim's own most_similar at epoch 1 for the pytorch vectors (computed here independently)
    kv = analogy_run.keyed_vectors("pytorch", 1)
    assert table["word"].tolist() == [w for w, _ in kv.most_similar("queen", topn=3)]


def test_neighbours_hostile_link_falls_back_without_markdown(runs, analogy_run):
    at = open_page("neighbours", runs, run=analogy_run.id, word=HOSTILE, k="abc", epoch="99")
    assert at.slider(key="k").value == 10  # the page's default
    assert at.select_slider(key="epoch").value == analogy_run.common_epochs()[-1]
    assert at.error and "is not in this run's vocabulary" in at.error[0].value
    assert not any("[click](http" in text or "**x**" in text or "<b>" in text for text in shown(at))


def test_similarity_link_restores_words_and_epoch(runs, proximity_run):
    at = open_page("similarity", runs, run=proximity_run.id, w1="ccc", w2="ddd", word="mmm", epoch="0")
    assert [at.selectbox(key=k).value for k in ("w1", "w2", "word")] == ["ccc", "ddd", "mmm"]
    assert at.select_slider(key="epoch").value == 0
    assert "cos(ccc, ddd)" in at.get("vega_lite_chart")[0].proto.spec
    table = at.dataframe[0].value
    kv = proximity_run.keyed_vectors("gensim", 0)
    expected = {w: float(kv.similarity("mmm", w)) for w in ("aaa", "zzz")}
    for word, value in expected.items():
        assert table.loc[table["word"] == word, "gensim"].item() == pytest.approx(value, abs=1e-5)


def test_analogies_link_restores_question_method_and_epoch(runs, analogy_run):
    at = open_page("analogies", runs, run=analogy_run.id, a="man", b="king", c="woman", method="3CosMul", epoch="2")
    assert [at.selectbox(key=k).value for k in "abc"] == ["man", "king", "woman"]
    assert at.radio(key="method").value == "3CosMul" and at.select_slider(key="epoch").value == 2
    kv = analogy_run.keyed_vectors("gensim", 2)
    top = kv.most_similar_cosmul(positive=["king", "woman"], negative=["man"], topn=1)[0][0]
    assert at.dataframe[1].value["word"].iloc[0] == top


def test_analogies_hostile_method_and_epoch_fall_back(runs, analogy_run):
    at = open_page("analogies", runs, run=analogy_run.id, method="<script>", epoch="-1", a=HOSTILE)
    assert at.radio(key="method").value == "3CosAdd"
    assert at.select_slider(key="epoch").value == analogy_run.common_epochs()[-1]
    assert not any("[click](http" in text or "<b>" in text for text in shown(at))


def test_embedding_space_link_restores_the_view(runs, analogy_run):
    at = open_page(
        "embedding_space",
        runs,
        run=analogy_run.id,
        proj="PCA",
        words="Most frequent words",
        n="12",
        labels="10",
        hl=["king", "queen"],
        epoch="1",
        focus="king",
        k="5",
    )
    assert at.radio(key="proj").value == "PCA" and "words" not in [r.key for r in at.radio]
    assert any(c.value.startswith("Words: the most frequent") for c in at.caption)  # toy-analogy: nothing to choose
    assert at.number_input(key="n").value == 12  # 12 words: every one labelled, so no label slider
    assert any(c.value.startswith("Labels: each of the 12 words") for c in at.caption)
    assert at.multiselect(key="hl").value == ["king", "queen"]
    assert at.select_slider[0].value == 1 and "epoch 1" in at.get("vega_lite_chart")[0].proto.spec
    assert any(c.value.endswith("king") for c in at.caption if c.value.startswith("Clicked word"))
    assert len(at.dataframe[0].value) == 5  # k = 5 neighbours of the clicked word
    # the played frame is kept in the link as the slider moves: the slider is bound to ?epoch= (the browser writes it)
    assert at.select_slider[0].proto.query_param_key == "epoch"
    at.select_slider[0].set_value(0).run()
    assert at.select_slider[0].value == 0 and "epoch 0" in at.get("vega_lite_chart")[0].proto.spec
    at.button(key="embedding_clear").click().run()  # Clear forgets the link's clicked word too
    assert "focus" not in at.query_params and not any(c.value.startswith("Clicked word") for c in at.caption)


def test_embedding_space_hostile_link_falls_back(runs, analogy_run):
    at = open_page(
        "embedding_space",
        runs,
        run=analogy_run.id,
        proj="tsne",
        words=HOSTILE,
        n="-5",
        labels="1e99",
        hl=[HOSTILE],
        epoch="x",
        focus=HOSTILE,
        k="1000",
    )
    assert at.radio(key="proj").value == "PCA"
    assert at.number_input(key="n").value == min(300, len(analogy_run.vocab()))
    assert at.slider(key="labels").value == 30
    assert at.select_slider[0].value == analogy_run.common_epochs()[-1]
    assert at.multiselect(key="hl").value == []
    assert not any(c.value.startswith("Clicked word") for c in at.caption)  # not a word of the run
    assert not any("[click](http" in text or "<b>" in text for text in shown(at))


def test_part_of_speech_link_restores_the_settings(monkeypatch):
    at = open_page("pos_2d", None, seeds="3", steps="20", lr="0.1", every="5")
    assert at.text_input(key="seeds").value == "3"
    assert (at.number_input(key="steps").value, at.number_input(key="every").value) == (20, 5)
    assert at.number_input(key="lr").value == pytest.approx(0.1)
    assert at.select_slider[0].value == 20 and at.select_slider[0].options[:2] == ["0", "5"]


def test_home_link_restores_the_running_loss_toggle(runs, analogy_run):
    plain = open_page("home", runs, run=analogy_run.id)
    at = open_page("home", runs, run=analogy_run.id, running_loss="true")
    assert plain.toggle(key="running_loss").value is False and at.toggle(key="running_loss").value is True
    assert str(at.get("vega_lite_chart")[0].proto) != str(plain.get("vega_lite_chart")[0].proto)  # more lines


# ------------------------------------------------------------ an incomplete run


@pytest.fixture(scope="module")
def incomplete_run(tmp_path_factory):
    """A toy-analogy run stopped while gensim trained: pytorch finished epochs 0-3, gensim only 0-1."""
    root = tmp_path_factory.mktemp("incomplete")
    cfg = TrainConfig(dim=16, epochs=3, min_count=1, seed=3, workers=1)
    run = train_run(CorpusConfig("toy-analogy", sentences=3000), cfg, root=str(root))
    metrics = run.path / "gensim" / "metrics.json"
    metrics.write_text(json.dumps(json.loads(metrics.read_text())[:2]))
    for epoch in (2, 3):
        (run.path / "gensim" / f"epoch_{epoch:03d}.npy").unlink()
    run.set_status("incomplete", "cancelled")
    return root, Run(run.path)


@pytest.mark.parametrize("name", ["embedding_space", "neighbours", "similarity", "analogies"])
def test_incomplete_run_shows_each_models_epochs(incomplete_run, monkeypatch, name):
    root, run = incomplete_run
    monkeypatch.setenv("W2V_RUNS_DIR", str(root))
    at = open_page(name, root, run=run.id)
    text = shown(at)
    assert not any("no finished epoch" in t for t in text)
    assert run.epochs("pytorch") == [0, 1, 2, 3] and run.epochs("gensim") == [0, 1]
    slider = at.select_slider[0]
    assert slider.options == ["0", "1", "2", "3"] and slider.value == 3  # pytorch's epochs too
    assert any("gensim has not finished epoch 3 (it finished 0–1)" in t for t in text)
    assert any("both finished (0–1)" in t for t in text)  # comparisons say which epochs they use
    assert not at.error


def test_incomplete_run_compares_on_common_epochs(incomplete_run, monkeypatch):
    root, run = incomplete_run
    monkeypatch.setenv("W2V_RUNS_DIR", str(root))
    at = open_page("neighbours", root, run=run.id, epoch="3")
    assert not at.metric  # no overlap at an epoch only pytorch finished
    at = open_page("neighbours", root, run=run.id, epoch="1")
    assert at.metric and at.metric[0].label.startswith("Overlap")


def test_run_stopped_before_gensim_started(tmp_path, monkeypatch, incomplete_run):
    """Cancelled during the PyTorch phase: gensim has no epoch at all; the pages show pytorch's."""
    _, source = incomplete_run
    root = tmp_path / "runs"
    shutil.copytree(source.path, root / source.id)
    shutil.rmtree(root / source.id / "gensim")
    monkeypatch.setenv("W2V_RUNS_DIR", str(root))
    for name in ("embedding_space", "neighbours", "similarity", "analogies"):
        at = open_page(name, root, run=source.id)
        text = shown(at)
        assert not any("no finished epoch" in t for t in text), name
        assert any("gensim has not finished epoch 3 (it finished none)" in t for t in text), name


def test_incomplete_run_says_which_epoch_each_purity_is_from(incomplete_run, monkeypatch):
    root, run = incomplete_run
    monkeypatch.setenv("W2V_RUNS_DIR", str(root))
    line = re.sub(r"\\(.)", r"\1", open_page("embedding_space", root, run=run.id).info[0].value)  # unescaped
    assert re.search(r"ends at pytorch \d\.\d\d \(epoch 3\) and gensim \d\.\d\d \(epoch 1\)", line), line


def test_part_of_speech_hostile_seeds_are_shown_as_text():
    at = open_page("pos_2d", None, seeds=HOSTILE, steps="-3", lr="x")
    assert at.number_input(key="steps").value == 150 and at.number_input(key="lr").value == pytest.approx(0.05)
    assert at.error and "is not a whole number" in at.error[0].value
    assert "[click](http" not in at.error[0].value and "<b>" not in at.error[0].value

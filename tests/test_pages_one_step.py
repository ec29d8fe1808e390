"""The One training step page through AppTest: every objective and architecture on a toy run, and bad requests."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.config import CorpusConfig, TrainConfig
from lib.train import train_run
from lib.views import one_step, step_pair

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "one_step.py")


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    root = tmp_path_factory.mktemp("step")
    cfg = TrainConfig(dim=12, epochs=2, min_count=1, seed=3, workers=1)
    return root, train_run(CorpusConfig("toy-analogy", sentences=1500), cfg, root=str(root))


def open_page(root, run, monkeypatch, **params):
    monkeypatch.setenv("W2V_RUNS_DIR", str(root))
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params["run"] = run.id
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def texts(at):
    return " ".join(e.value for e in list(at.info) + list(at.caption) + list(at.markdown) + list(at.error))


@pytest.mark.parametrize("objective", ["negative", "hs", "softmax"])
@pytest.mark.parametrize("arch", ["skipgram", "cbow"])
def test_each_objective_shows_the_step_and_the_repeat(toy, monkeypatch, objective, arch):
    root, run = toy
    at = open_page(
        root, run, monkeypatch, step_objective=one_step.OBJECTIVES[objective], step_arch=one_step.ARCHITECTURES[arch]
    )
    assert not at.exception and not at.error, [e.value for e in at.exception] + [e.value for e in at.error]
    rows = at.dataframe[0].value  # the link sets the objective: its rows are that objective's
    assert rows["role"].iloc[0].startswith("node 1 of") if objective == "hs" else rows["role"].iloc[0] == "output"
    assert ("p (softmax)" in rows.columns) == (objective == "softmax")
    assert float(at.metric[3].value) < 1e-5  # autograd agrees with the trainer's update
    assert len(at.get("vega_lite_chart")) == 2  # the strips of h, the repeat chart
    if objective == "softmax":
        assert "gensim has no full softmax" in texts(at)
    else:
        assert "gensim trains the sentence" in texts(at)


def test_the_default_pair_comes_from_the_corpus(toy, monkeypatch):
    root, run = toy
    at = open_page(root, run, monkeypatch)
    assert (at.selectbox(key="step_in").value, at.selectbox(key="step_out").value) == step_pair.default_pair(run)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"step_in": "zebra"}, "Not in this run's vocabulary: 'zebra'"),
        ({"step_in": "the", "step_out": "the"}, "both 'the'"),
    ],
)
def test_bad_words_are_a_message_not_an_exception(toy, monkeypatch, params, message):
    root, run = toy
    at = open_page(root, run, monkeypatch, **params)
    assert not at.exception
    assert any(message in e.value.replace("\\", "") for e in at.error)


def test_redrawing_the_negatives_changes_them(toy, monkeypatch):
    root, run = toy
    at = open_page(root, run, monkeypatch)
    before = at.dataframe[0].value["row"].tolist()
    at.button[0].click().run()
    assert not at.exception and at.dataframe[0].value["row"].tolist() != before


def test_an_old_run_opens_at_epoch_0_and_says_why(toy, monkeypatch, tmp_path):
    import shutil

    root, run = toy
    old_root = tmp_path / "old"
    shutil.copytree(run.path, old_root / run.id)
    for path in (old_root / run.id).glob("*/out_*.npy"):
        path.unlink()
    at = open_page(old_root, run, monkeypatch)
    assert not at.exception and not at.error
    assert "saved before output weights were kept" in texts(at).replace("\\", "")


def test_a_gensim_only_run_shows_gensims_side_and_says_so(tmp_path, monkeypatch):
    cfg = TrainConfig(dim=8, epochs=1, min_count=1, seed=3, workers=1)
    run = train_run(CorpusConfig("toy-analogy", sentences=500), cfg, models=["gensim"], root=str(tmp_path))
    at = open_page(tmp_path, run, monkeypatch)
    assert not at.exception and not at.error
    assert "no PyTorch model" in texts(at) and len(at.get("vega_lite_chart")) == 1

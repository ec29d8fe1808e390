"""Embedding space comparing two runs (?run=A&vs=B): shared words, side B aligned onto side A, the 3D view, and
what it says for runs that cannot be drawn together. Expected values come from scikit-learn and SciPy directly."""

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
import streamlit as st
from scipy.linalg import orthogonal_procrustes
from sklearn.decomposition import PCA
from streamlit.testing.v1 import AppTest

from lib.charts import charts3d
from lib.config import CorpusConfig, TrainConfig
from lib.runs.store import Run
from lib.train import train_run
from lib.views import compare, projection

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "embedding_space.py")
TINY = dict(epochs=2, dim=8, min_count=1, workers=1)
HOSTILE = "[click](http://example.com) **x** <b>y</b>"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two toy-analogy runs that differ in window only; a toy-proximity run (no word in common with them); a run
    with 1-dimensional and one with 2-dimensional vectors."""
    root = tmp_path_factory.mktemp("compare_space")
    corpus = CorpusConfig("toy-analogy", sentences=300)
    a = train_run(corpus, TrainConfig(window=2, **TINY), root=str(root))
    b = train_run(corpus, TrainConfig(window=5, **TINY), root=str(root))
    other = train_run(
        CorpusConfig("toy-proximity", sentences=300), TrainConfig(**TINY), models=["gensim"], root=str(root)
    )
    flat = {d: train_run(corpus, TrainConfig(**{**TINY, "dim": d}), models=["gensim"], root=str(root)) for d in (1, 2)}
    return root, a, b, other, flat


def open_page(root, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("W2V_RUNS_DIR", str(root))
    at = AppTest.from_file(PAGE, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def unescaped(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def shown(at: AppTest) -> list[str]:
    return [unescaped(e.value) for e in [*at.error, *at.warning, *at.info, *at.caption, *at.markdown]]


def pca(run: Run, model: str, epoch: int, words: list[str], components: int) -> np.ndarray:
    """What the page should draw before alignment, computed here: scikit-learn's PCA of the unit-length vectors,
    centred and scaled to root-mean-square radius 1."""
    index = {w: i for i, w in enumerate(run.vocab().words)}
    vectors = run.vectors(model, epoch)[[index[w] for w in words]].astype(np.float64)
    points = PCA(n_components=components).fit_transform(vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
    points -= points.mean(axis=0)
    return points / np.sqrt((points**2).sum(axis=1).mean())


def titles(at: AppTest) -> list[str]:
    """The 2D chart's panel titles."""
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    return [panel["title"] for panel in spec.get("hconcat", [])]


def panel_rows(at: AppTest, side: str) -> dict[str, tuple[float, float]]:
    """{word: (x, y)} of one side's points in the 2D chart (its largest dataset, as the page sent it)."""
    datasets = at.get("vega_lite_chart")[0].proto.datasets
    frames = [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in datasets]
    rows = max((f for f in frames if "model" in f and set(f["model"]) == {side}), key=len)
    return {r.word: (r.x, r.y) for r in rows.itertuples()}


def same_up_to_axis_signs(got: np.ndarray, expected: np.ndarray) -> bool:
    signs = np.sign((got * expected).sum(axis=0))
    return np.allclose(got, expected * signs, atol=1e-4)


def test_two_runs_show_their_difference_shared_words_and_side_b_aligned_onto_side_a(runs, monkeypatch):
    root, a, b, _, _ = runs
    at = open_page(root, monkeypatch, run=a.id, vs=b.id)
    text = shown(at)
    assert any("The runs differ in window 2 vs 5." in t for t in text)
    shared = set(a.vocab().words) & set(b.vocab().words)
    assert any(t.startswith(f"The two runs share {len(shared)} words") for t in text)
    assert any("orthogonal Procrustes" in t and "compare between the runs" in t for t in text)
    label_a, label_b = compare.sides(a, b).labels()
    assert titles(at) == [f"{label_a} · epoch 2", f"{label_b} · epoch 2"]

    words = [w for w in a.vocab().words if w in shared]
    reference = pca(a, "pytorch", 2, words, 2)
    side_a = panel_rows(at, label_a)
    assert same_up_to_axis_signs(np.array([side_a[w] for w in words]), reference)  # side A: its own last epoch
    for epoch in (2, 1):
        at.select_slider[0].set_value(epoch).run()
        side_b = panel_rows(at, label_b)
        assert list(side_b) == words  # shared words only, in side A's order
        points = pca(b, "pytorch", epoch, words, 2)
        rotation, _ = orthogonal_procrustes(points, reference)
        assert np.allclose(np.array([side_b[w] for w in words]), points @ rotation, atol=1e-4)


def test_the_3d_view_draws_both_sides_as_scikit_learn_pca_with_three_components(runs, monkeypatch):
    root, a, b, _, _ = runs
    at = open_page(root, monkeypatch, run=a.id, vs=b.id, view="3D")
    assert at.radio(key="view").value == "3D" and len(at.get("vega_lite_chart")) == 1  # the purity chart alone
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    label_a, label_b = compare.sides(a, b).labels()
    panel_titles = [t["text"].replace("<br>", " · ") for t in figure["layout"]["annotations"]]
    assert panel_titles == [f"{label_a} · epoch 2", f"{label_b} · epoch 2"]
    words = compare.shared_words(a.vocab().words, b.vocab().words)
    side_a = charts3d.points(figure, "scene").set_index("word").loc[words, ["x", "y", "z"]].to_numpy()
    side_b = charts3d.points(figure, "scene2").set_index("word").loc[words, ["x", "y", "z"]].to_numpy()
    reference = pca(a, "pytorch", 2, words, 3)
    assert same_up_to_axis_signs(side_a, reference)
    points = pca(b, "pytorch", 2, words, 3)
    rotation, _ = orthogonal_procrustes(points, reference)
    assert np.allclose(side_b, points @ rotation, atol=1e-4)
    # every epoch is in the figure, for its own slider and Play button (the browser plays them: no rerun)
    assert [f["name"] for f in figure["frames"]] == ["0", "1", "2"] and figure["layout"]["sliders"][0]["active"] == 2
    at.select_slider[0].set_value(1).run()  # the page's slider opens the figure at another epoch
    assert json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["sliders"][0]["active"] == 1


def test_3d_builder_within_one_run_matches_pca_per_model(runs):
    _, a, _, _, _ = runs
    pair = compare.sides(a)
    words = projection.side_words(pair, "frequent", 30)
    frame = projection.sides_frame(pair, "pca", words, components=3)
    figure = charts3d.embedding_3d(frame, {"pytorch": 1, "gensim": 2}).to_dict()
    for scene, model, epoch in (("scene", "pytorch", 1), ("scene2", "gensim", 2)):
        got = charts3d.points(figure, scene).set_index("word").loc[words, ["x", "y", "z"]].to_numpy()
        expected = pca(a, model, epoch, words, 3)
        last = pca(a, model, 2, words, 3)  # each model is aligned onto its own last epoch
        assert np.allclose(got, expected @ orthogonal_procrustes(expected, last)[0], atol=1e-4)
    legend = {t["name"] for t in figure["data"] if t.get("mode") == "markers"}
    groups = a.config["groups"]
    assert legend == {groups.get(w) or "no category" for w in words}  # one legend entry per category shown


def test_runs_with_no_shared_word_say_so_and_the_rest_of_the_page_works(runs, monkeypatch):
    root, a, _, other, _ = runs
    assert not set(a.vocab().words) & set(other.vocab().words)
    at = open_page(root, monkeypatch, run=a.id, vs=other.id)
    assert any("The two runs share no word" in t for t in shown(at))
    assert not at.error and len(at.get("vega_lite_chart")) == 1 and len(at.get("download_button")) == 3


def test_a_one_dimensional_side_b_is_said_and_a_two_dimensional_one_has_no_3d(runs, monkeypatch):
    root, a, _, _, flat = runs
    at = open_page(root, monkeypatch, run=a.id, vs=flat[1].id)
    assert any(
        t.startswith("Side B (") and "this run's vectors have 1 dimension; a 2-D view needs at least 2" in t
        for t in shown(at)
    )
    assert not at.error and len(at.get("vega_lite_chart")) == 1 and len(at.get("download_button")) == 3
    at = open_page(root, monkeypatch, run=a.id, vs=flat[2].id, view="3D")
    assert any("2 dimensions; a 3-D view needs at least 3. Showing the 2D view instead." in t for t in shown(at))
    assert not at.get("plotly_chart") and len(at.get("vega_lite_chart")) == 2  # both sides in 2D, and purity


def test_side_b_still_training_shows_its_finished_epochs_matched_by_share(runs, monkeypatch, tmp_path):
    root, a, _, _, _ = runs
    live = train_run(
        CorpusConfig("toy-analogy", sentences=300), TrainConfig(**{**TINY, "epochs": 4}), root=str(tmp_path)
    )
    metrics = live.path / "pytorch" / "metrics.json"
    metrics.write_text(json.dumps(json.loads(metrics.read_text())[:3]))  # epochs 0-2 of 4 finished
    for epoch in (3, 4):
        (live.path / "pytorch" / f"epoch_{epoch:03d}.npy").unlink()
    shutil.rmtree(live.path / "gensim")
    shutil.copytree(live.path, root / live.id)
    try:
        Run(root / live.id).set_status("training")  # this process: alive, so the run reads as training
        st.cache_data.clear()  # widgets' 2-second run list would not have the run yet (select_sides does not retry)
        at = open_page(root, monkeypatch, run=a.id, vs=live.id)
        text = shown(at)
        assert any("Side B is still training: its finished epochs are shown." in t for t in text)
        assert any(t.startswith("Run A trains 2 epochs and run B 4") for t in text)
        label_b = compare.sides(a, Run(root / live.id)).labels()[1]
        assert titles(at)[1] == f"{label_b} · epoch 2"  # epoch 4 is not finished: its nearest finished one
        at.select_slider[0].set_value(0).run()
        assert titles(at)[1] == f"{label_b} · epoch 0"
    finally:
        shutil.rmtree(root / live.id)


@pytest.mark.parametrize("vs", [HOSTILE, "itself", "../" * 3 + "etc"])
def test_a_bad_vs_compares_the_runs_own_models(runs, monkeypatch, vs):
    root, a, _, _, _ = runs
    at = open_page(root, monkeypatch, run=a.id, vs=a.id if vs == "itself" else vs)
    assert at.warning and "Comparing the run's own models instead" in unescaped(at.warning[0].value)
    assert "[click](http" not in at.warning[0].value and "<b>" not in at.warning[0].value
    assert titles(at) == ["pytorch · epoch 2", "gensim · epoch 2"]


# ------------------------------------------------------------ axes made of words


def axis_titles(at: AppTest) -> set[tuple[str, str]]:
    """The (x, y) axis titles of the 2D chart's layers that have them."""
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    found = set()
    for panel in spec["hconcat"]:
        for layer in panel["layer"]:
            encoding = layer.get("encoding", {})
            if "axis" in encoding.get("x", {}) and "axis" in encoding.get("y", {}) and encoding["x"]["axis"]:
                found.add((encoding["x"]["axis"]["title"], encoding["y"]["axis"]["title"]))
    return found


def cosines(run: Run, model: str, epoch: int, words: list[str], axes: tuple[str, str, str, str]) -> np.ndarray:
    """Each word's cosine with â − b̂ and ĉ − d̂ (unit vectors), computed here with numpy."""
    index = {w: i for i, w in enumerate(run.vocab().words)}
    v = run.vectors(model, epoch).astype(np.float64)
    a, b, c, d = (v[index[w]] / np.linalg.norm(v[index[w]]) for w in axes)  # the axes join unit vectors
    rows = v[[index[w] for w in words]]
    directions = np.stack([a - b, c - d], axis=1)
    return rows @ directions / np.outer(np.linalg.norm(rows, axis=1), np.linalg.norm(directions, axis=0))


def test_axes_from_words_open_on_the_designed_pair_and_place_every_side_by_its_cosines(runs, monkeypatch):
    root, a, _, _, _ = runs
    at = open_page(root, monkeypatch, run=a.id, proj="Axes from words")
    assert [at.text_input(key=k).value for k in ("ax_a", "ax_b", "ax_c", "ax_d")] == ["king", "queen", "kings", "king"]
    assert axis_titles(at) == {("cosine with king − queen", "cosine with kings − king")}
    assert any("no projection fitted, nothing aligned" in t for t in shown(at))
    for epoch in (2, 0):
        if epoch != 2:
            at.select_slider[0].set_value(epoch).run()
        for model in ("pytorch", "gensim"):
            points = panel_rows(at, model)
            words = list(points)
            assert {"king", "queen", "kings"} <= set(words)
            expected = cosines(a, model, epoch, words, ("king", "queen", "kings", "king"))
            assert np.allclose(np.array([points[w] for w in words]), expected, atol=1e-5)


def test_a_link_names_the_four_words(runs, monkeypatch):
    root, a, _, _, _ = runs
    at = open_page(root, monkeypatch, run=a.id, proj="Axes from words", ax_a="he", ax_b="she", ax_c="many", ax_d="one")
    assert axis_titles(at) == {("cosine with he − she", "cosine with many − one")}
    points = panel_rows(at, "gensim")
    words = list(points)
    assert np.allclose(
        np.array([points[w] for w in words]), cosines(a, "gensim", 2, words, ("he", "she", "many", "one")), atol=1e-5
    )


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("ax_b", "wizard", "wizard is not in the vocabulary"),
        ("ax_b", "king", "The x axis is king − king, which is zero"),
        ("ax_b", HOSTILE, "is not in the vocabulary"),
    ],
)
def test_bad_axis_words_are_a_message_and_the_rest_of_the_page_works(runs, monkeypatch, key, value, message):
    root, a, _, _, _ = runs
    at = open_page(root, monkeypatch, run=a.id, proj="Axes from words")
    at.text_input(key=key).set_value(value).run()
    assert not at.exception
    errors = [unescaped(e.value) for e in at.error]
    assert any(message in e for e in errors), errors
    assert not at.get("vega_lite_chart") or "hconcat" not in json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert "Clusters forming" in [h.value for h in at.subheader]


def test_axes_from_words_across_two_runs_need_words_both_have(runs, monkeypatch):
    root, a, b, _, _ = runs
    at = open_page(root, monkeypatch, run=a.id, vs=b.id, proj="Axes from words")
    label_a, label_b = compare.sides(a, b).labels()
    assert titles(at) == [f"{label_a} · epoch 2", f"{label_b} · epoch 2"]
    for run, label in ((a, label_a), (b, label_b)):
        points = panel_rows(at, label)
        words = list(points)
        assert np.allclose(
            np.array([points[w] for w in words]),
            cosines(run, "pytorch", 2, words, ("king", "queen", "kings", "king")),
            atol=1e-5,
        )
    assert not any("Procrustes" in t for t in shown(at))

"""The two classic-experiment pages through Streamlit's AppTest: widgets, charts, play controls, bad input."""

import json
import re
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
POS_PAGE = str(ROOT / "pages" / "pos_2d.py")
RVS_PAGE = str(ROOT / "pages" / "random_vs_structured.py")


@pytest.fixture(autouse=True)
def runs_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("W2V_RUNS_DIR", str(tmp_path))
    return tmp_path


def charts(at: AppTest) -> list[dict]:
    """The Vega-Lite specs on the page."""
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def titles(at: AppTest) -> list[str]:
    """Chart titles, with the subtitle after ' | ' where there is one."""
    out = []
    for spec in charts(at):
        title = spec.get("title")
        if isinstance(title, dict):
            out.append(f"{title['text']} | {title.get('subtitle', '')}")
        elif isinstance(title, str):
            out.append(title)
    return out


def pos_page(seeds: str = "0, 1", steps: int = 40) -> AppTest:
    at = AppTest.from_file(POS_PAGE, default_timeout=120).run()
    at.text_input[0].set_value(seeds)
    at.number_input[0].set_value(steps)
    return at.run()


# ------------------------------------------------------------ part of speech in 2D


def test_pos_page_draws_a_plane_and_curves_per_seed():
    at = pos_page("0, 1")
    assert not at.exception and not at.error
    assert [b.label for b in at.button] == ["Play"]
    assert at.select_slider[0].value == 40  # opens on the last recorded step
    assert len(charts(at)) == 4  # plane + loss/accuracy for each of two seeds
    assert [t.split(" | ")[0] for t in titles(at)] == ["seed 0 · step 40", "seed 1 · step 40"]
    assert all(t.split(" | ")[1].startswith("loss ") for t in titles(at))
    table = at.dataframe[0].value
    assert table["seed"].tolist() == [0, 1] and table["step"].tolist() == [40, 40]
    assert [d.label for d in at.get("download_button")] == ["GIF of seed 0", "GIF of seed 1"]


def test_pos_page_changes_with_the_seed():
    first = pos_page("0")
    second = pos_page("7")
    assert len(charts(first)) == 2 and len(charts(second)) == 2
    assert titles(first)[0].startswith("seed 0") and titles(second)[0].startswith("seed 7")
    assert first.dataframe[0].value["loss"].item() != second.dataframe[0].value["loss"].item()


def test_pos_page_slider_shows_an_earlier_step():
    at = pos_page("0")
    final_title = titles(at)[0]
    at.select_slider[0].set_value(0).run()
    assert titles(at)[0].startswith("seed 0 · step 0 | loss") and titles(at)[0] != final_title


@pytest.mark.parametrize(
    "seeds, message",
    [("", "Enter at least one seed"), ("3, 3", "Seed 3 is listed twice"), ("1, x", "'x' is not a whole number")],
)
def test_pos_page_answers_bad_seeds_with_a_message(seeds, message):
    at = pos_page(seeds)
    assert not at.exception
    assert len(at.error) == 1 and message in at.error[0].value
    assert charts(at) == []


def test_pos_page_play_plays_the_steps_in_the_browser_and_stops_at_the_end():
    import time

    at = pos_page("0", steps=20)  # recorded steps 0, 2, …, 20
    at.button(key="pos_play").click().run()  # at the end already: restarts from the random start
    assert at.session_state["pos_playing"] is True
    assert [b.label for b in at.button] == ["Pause"] and not at.exception
    assert len(at.select_slider) == 0 and len(charts(at)) == 1  # the loss curves; the plane is an animated GIF
    assert len(at.get("image")) == 1 and any(
        c.value.startswith("Steps 0 … 20 at 8 frames per second") for c in at.caption
    )  # every recorded step, played by the browser
    at.button(key="pos_play").click().run()  # pause, jump near the end, play again: from there on
    assert [b.label for b in at.button] == ["Play"]
    at.select_slider[0].set_value(14).run()
    at.button(key="pos_play").click().run()
    assert any(c.value.startswith("Steps 14 … 20") for c in at.caption)
    time.sleep(4 * 0.12 + 0.2)
    at.run()  # the GIF has played: playing stops on the last step
    assert at.session_state["pos_playing"] is False and not at.exception
    assert at.select_slider[0].value == 20 and [b.label for b in at.button] == ["Play"]


def test_pos_page_pause_keeps_the_frame():
    at = pos_page("0", steps=20)
    at.select_slider[0].set_value(6).run()
    at.button(key="pos_play").click().run()
    at.button(key="pos_play").click().run()
    assert at.session_state["pos_playing"] is False
    assert at.select_slider[0].value == 6
    at.run()
    assert at.select_slider[0].value == 6


# ------------------------------------------------------------ random versus structured


def train_small(at: AppTest) -> AppTest:
    """Train both languages from the page with tiny settings."""
    inputs = {n.label: n for n in at.number_input}
    inputs["Sentences per language"].set_value(3000)
    inputs["Epochs"].set_value(2)
    inputs["alpha"].set_value(0.05)
    inputs["Vector size"].set_value(16)
    return at.button[0].click().run()


def follow(at: AppTest, timeout: float = 240) -> list[str]:
    """Rerun the page (as its 1-second fragment does) until both trainings have finished; the progress texts seen."""
    seen = []
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if "Training both languages…" not in [h.value for h in at.subheader]:
            return seen
        seen += [p.proto.text for p in at.get("progress")]
        time.sleep(0.5)
        at.run()
    raise AssertionError("the two trainings did not finish")


@pytest.fixture(scope="module")
def trained_root(tmp_path_factory):
    """One pair trained through the page, shared by the tests that only read it."""
    root = tmp_path_factory.mktemp("rvs_runs")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("W2V_RUNS_DIR", str(root))
        at = train_small(AppTest.from_file(RVS_PAGE, default_timeout=180).run())
        assert not at.exception and not at.error
        assert "Training both languages…" in [h.value for h in at.subheader]  # at once: the page is not blocked
        assert [b.label for b in at.button] == ["Train both languages", "Cancel"] and at.button[0].disabled
        assert not at.dataframe  # no pair before both are complete
        seen = follow(at)
        assert any(
            t.startswith("toy-random · pytorch: epoch") or t.startswith("toy-random · pytorch: all") for t in seen
        ) and any(t.startswith("toy-proximity") for t in seen)
        assert not at.exception and not at.error and len(at.dataframe) == 2 and not at.button[0].disabled
    return root


def rvs_page(root, monkeypatch) -> AppTest:
    monkeypatch.setenv("W2V_RUNS_DIR", str(root))
    return AppTest.from_file(RVS_PAGE, default_timeout=120).run()


def test_rvs_page_cancel_stops_both_trainings_and_keeps_the_page_working(tmp_path):
    at = AppTest.from_file(RVS_PAGE, default_timeout=120).run()
    {n.label: n for n in at.number_input}["Epochs"].set_value(50)
    at.button[0].click().run()
    at.button(key="rvs_cancel").click().run()
    follow(at, timeout=60)
    assert not at.exception and "cancelled" in at.warning[0].value
    assert "No pair of runs yet" in at.info[0].value and not at.button[0].disabled


def test_rvs_page_without_runs_offers_the_button():
    at = AppTest.from_file(RVS_PAGE, default_timeout=60).run()
    assert not at.exception
    assert at.button[0].label == "Train both languages"
    assert "No pair of runs yet" in at.info[0].value
    assert charts(at) == []


def test_rvs_page_shows_the_four_runs_after_one_click(trained_root, monkeypatch):
    at = rvs_page(trained_root, monkeypatch)
    assert not at.exception and not at.error
    final = at.dataframe[0].value
    assert final["series"].tolist() == [
        "toy-random · pytorch",
        "toy-random · gensim",
        "toy-proximity · pytorch",
        "toy-proximity · gensim",
    ]
    assert final["final epoch"].tolist() == [2, 2, 2, 2]
    precision = dict(zip(final["series"], final["final neighbour precision"]))
    assert precision["toy-proximity · pytorch"] > precision["toy-random · pytorch"] + 0.3
    specs = charts(at)
    assert len(specs) == 3  # scatter per epoch, precision lines, similarity heatmap
    assert specs[0]["title"] == "Aligned PCA of all 26 words · epoch 2"
    assert at.select_slider[0].value == 2
    assert at.text_input(key="check").value == "bbb"
    table = at.dataframe[1].value
    assert list(table.index) == [0, 1, 2] and len(table.columns) == 4


def test_rvs_page_epoch_slider_and_play(trained_root, monkeypatch):
    at = rvs_page(trained_root, monkeypatch)
    at.select_slider[0].set_value(0).run()
    assert charts(at)[0]["title"].endswith("epoch 0")
    at.button(key="rvs_play").click().run()
    assert at.session_state["rvs_playing"] is True and at.select_slider[0].value == 0
    at.run()
    assert at.select_slider[0].value == 1
    at.run()
    assert at.select_slider[0].value == 2
    at.run()
    assert at.session_state["rvs_playing"] is False and not at.exception


@pytest.mark.parametrize("word, message", [("xyz", "'xyz' is not in this run's vocabulary"), ("", "Type a word first")])
def test_rvs_page_answers_a_bad_check_word_with_a_message(trained_root, monkeypatch, word, message):
    at = rvs_page(trained_root, monkeypatch)
    at.text_input(key="check").set_value(word).run()
    assert not at.exception
    assert len(at.error) == 1 and message in at.error[0].value
    assert len(charts(at)) == 2  # the rest of the page still shows


def test_rvs_page_other_check_word_changes_the_table(trained_root, monkeypatch):
    at = rvs_page(trained_root, monkeypatch)
    before = at.dataframe[1].value.copy()
    at.text_input(key="check").set_value("mmm").run()
    after = at.dataframe[1].value
    assert not at.error and not before.equals(after)
    last = " ".join(after.iloc[-1])
    assert "mmm " not in last and "✓" in after.loc[2, "toy-proximity · pytorch"]  # a designed neighbour of mmm


def test_rvs_link_restores_the_epoch_and_check_word(trained_root, monkeypatch):
    monkeypatch.setenv("W2V_RUNS_DIR", str(trained_root))
    at = AppTest.from_file(RVS_PAGE, default_timeout=120)
    at.query_params["epoch"], at.query_params["check"], at.query_params["dim"] = "1", "mmm", "16"
    at.run()
    assert not at.exception and not at.error
    assert at.select_slider[0].value == 1 and charts(at)[0]["title"].endswith("epoch 1")
    assert at.text_input(key="check").value == "mmm" and at.number_input(key="dim").value == 16
    at = AppTest.from_file(RVS_PAGE, default_timeout=120)
    at.query_params["epoch"], at.query_params["check"] = "99", "[x](http://example.com)"
    at.run()
    assert not at.exception and at.select_slider[0].value == 2
    assert at.error and "[x](http" not in at.error[0].value


def test_rvs_page_3d_view_draws_each_series_as_scikit_learn_pca_with_three_components(trained_root, monkeypatch):
    import numpy as np
    from sklearn.decomposition import PCA

    from lib.charts import charts3d
    from lib.classic import experiments

    monkeypatch.setenv("W2V_RUNS_DIR", str(trained_root))
    at = AppTest.from_file(RVS_PAGE, default_timeout=120)
    at.query_params["view"] = "3D"
    at.run()
    assert not at.exception and not at.error and at.radio(key="view").value == "3D"
    assert len(charts(at)) == 2  # the 3D figure takes the 2D scatter's place; precision lines and heatmap stay
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    series = [(lang, m) for lang in ("toy-random", "toy-proximity") for m in ("pytorch", "gensim")]
    assert [a["text"] for a in figure["layout"]["annotations"]] == [f"{lang} · {m} · epoch 2" for lang, m in series]
    pair = experiments.latest_pair(trained_root)
    for i, (lang, model) in enumerate(series):
        run = pair.runs[lang]
        words = list(run.vocab().words)
        got = charts3d.points(figure, "scene" if i == 0 else f"scene{i + 1}").set_index("word").loc[words]
        vectors = run.vectors(model, 2).astype(np.float64)
        points = PCA(n_components=3).fit_transform(vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
        points /= np.sqrt(((points - points.mean(axis=0)) ** 2).sum(axis=1).mean())
        points -= points.mean(axis=0)
        signs = np.sign((got[["x", "y", "z"]].to_numpy() * points).sum(axis=0))  # PCA's axes have no sign
        assert np.allclose(got[["x", "y", "z"]].to_numpy(), points * signs, atol=1e-4), (lang, model)
    at.select_slider[0].set_value(0).run()
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert all(a["text"].endswith("epoch 0") for a in figure["layout"]["annotations"])


@pytest.mark.parametrize(
    "page, title",
    [
        ("Neighbours", "Neighbours"),
        ("Embedding space", "Embedding space"),
        ("Similarity", "Similarity"),
        ("Analogies", "Analogies"),
    ],
)
def test_rvs_opens_the_two_languages_as_two_sides_of_every_comparison_page(trained_root, monkeypatch, page, title):
    from lib.classic import experiments

    monkeypatch.setenv("W2V_RUNS_DIR", str(trained_root))
    pair = experiments.latest_pair(trained_root)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120).run()
    at.switch_page("pages/random_vs_structured.py").run()
    assert not at.exception and not at.error
    differ = [re.sub(r"\\(.)", r"\1", c.value) for c in at.caption if c.value.startswith("The runs differ in")]
    assert differ and "corpus toy-proximity vs toy-random" in differ[0]  # the configs' one real difference
    at.button(key=f"rvs_compare_{page}").click().run()
    assert not at.exception and not at.error and at.title[0].value == title
    assert at.session_state["run"] == pair.structured.id and at.session_state["vs"] == pair.random.id
    assert at.query_params["run"] == pair.structured.id and at.query_params["vs"] == pair.random.id
    note = re.sub(r"\\(.)", r"\1", at.info[0].value)  # as the reader sees it
    assert note.startswith("Side A is run") and "corpus toy-proximity vs toy-random" in note
    assert at.radio(key="side_a").value == at.radio(key="side_b").value == "pytorch"

"""Every page opens on something that works, with no input: on the example run a fresh machine shows, and on
WikiText-2."""

import json
import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.config import CorpusConfig, TrainConfig
from lib.runs import listing
from lib.train import train_run

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))
WIKITEXT = os.environ.get("WIKITEXT2_DIR") or str(ROOT.parent / "shared" / "data" / "wikitext-2")


def open_page(name: str, root: Path, run_id: str, **state) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=240)
    at.query_params["run"] = run_id
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def boxes(at: AppTest) -> list[str]:
    """Everything that would stand in a red or yellow box."""
    return [e.value for e in at.exception] + [e.value for e in at.error] + [w.value for w in at.warning]


@pytest.fixture(scope="module")
def example_run(tmp_path_factory):
    """The run Home shows on a fresh machine: the example the app ships."""
    root = tmp_path_factory.mktemp("example")
    return root, listing.install_example(root)


@pytest.fixture(scope="module")
def wikitext_run(tmp_path_factory):
    if not Path(WIKITEXT).is_dir():
        pytest.skip(f"WikiText-2's text files are not at {WIKITEXT}: set WIKITEXT2_DIR to run this check")
    root = tmp_path_factory.mktemp("wikitext")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("WIKITEXT2_DIR", WIKITEXT)
        return root, train_run(
            CorpusConfig("wikitext-2", max_tokens=80_000), TrainConfig(epochs=2, workers=1), root=str(root)
        )


@pytest.mark.slow
@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("which", ["example_run", "wikitext_run"])
def test_every_page_opens_without_a_box(request, monkeypatch, which, name):
    root, run = request.getfixturevalue(which)
    monkeypatch.setenv("W2V_RUNS_DIR", str(root))
    assert boxes(open_page(name, root, run.id)) == [], name


def test_embedding_space_labels_colours_and_says_what_to_look_for(wikitext_run, monkeypatch):
    root, run = wikitext_run
    monkeypatch.setenv("W2V_RUNS_DIR", str(root))
    at = open_page("embedding_space", root, run.id)
    assert "Category purity" in at.info[0].value and "by chance" in at.info[0].value
    assert at.radio(key="words").value == "Category words"  # natural text opens on its categories
    scatter, purity = at.get("vega_lite_chart")  # both models' panels, and category purity per epoch
    spec = json.loads(scatter.proto.spec)
    assert [p["name"] for p in spec["params"]][0] == "pick"  # a click selects a word
    layers = spec["hconcat"][0]["layer"]
    assert layers[1]["mark"]["type"] == "text" and layers[1]["encoding"]["text"]["field"] == "word"
    assert layers[0]["encoding"]["color"]["field"] == "group"  # coloured by category
    assert json.loads(purity.proto.spec)["layer"][0]["encoding"]["y"]["title"] == "category purity"


def test_a_clicked_word_shows_both_models_neighbours(wikitext_run, monkeypatch):
    root, run = wikitext_run
    monkeypatch.setenv("W2V_RUNS_DIR", str(root))
    word = next(w for w in run.vocab().words if w in run.config["categories"])
    at = open_page("embedding_space", root, run.id, embedding_focus=word)
    assert boxes(at) == []
    assert any(c.value.startswith("Clicked word") and c.value.endswith(word) for c in at.caption)
    lists = [df.value for df in at.dataframe]
    assert [list(df.columns) for df in lists[:2]] == [
        ["rank", "pytorch", "in the plot"],
        ["rank", "gensim", "in the plot"],
    ]
    # the lists are gensim's own most_similar, computed independently here
    kv = run.keyed_vectors("gensim", run.common_epochs()[-1])
    assert lists[1]["gensim"].tolist() == [w for w, _ in kv.most_similar(word, topn=8)]


@pytest.fixture(scope="module")
def one_dimension_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("dim1")
    return root, train_run(CorpusConfig("toy-analogy"), TrainConfig(dim=1, epochs=1, workers=1), root=str(root))


@pytest.mark.parametrize("name", PAGES)
def test_a_one_dimensional_run_opens_every_page_saying_what_it_cannot_show(one_dimension_run, monkeypatch, name):
    root, run = one_dimension_run
    monkeypatch.setenv("W2V_RUNS_DIR", str(root))
    at = open_page(name, root, run.id)
    assert [e.value for e in at.exception] + [e.value for e in at.error] == [], name
    shown = " ".join(e.value for e in list(at.info) + list(at.warning) + list(at.markdown) + list(at.caption))
    assert "n_components" not in shown
    if name == "embedding_space":
        assert any("a 2-D view needs at least 2" in i.value.replace("\\", "") for i in at.info)

"""Comparing two runs on the Neighbours page: the sides, the settings that differ, words one side lacks, and
'what changed' against a brute-force Jaccard."""

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.config import CorpusConfig, TrainConfig
from lib.train import train_run

ROOT = Path(__file__).resolve().parents[1]
TINY = dict(epochs=2, dim=8, min_count=1, negative=3, workers=1)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("two")
    a = train_run(CorpusConfig("toy-analogy", sentences=1500), TrainConfig(window=2, **TINY), root=root)
    b = train_run(CorpusConfig("toy-analogy", sentences=1500), TrainConfig(window=5, **TINY), root=root)
    return root, a, b


def open_neighbours(root, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("W2V_RUNS_DIR", str(root))
    at = AppTest.from_file(str(ROOT / "pages" / "neighbours.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def text(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "error") for e in getattr(at, kind)]
    return re.sub(r"\\(.)", r"\1", " ".join(parts)).replace("\u2060", "")


def test_two_runs_are_named_on_both_sides_with_the_settings_they_differ_in(two_runs, monkeypatch):
    root, a, b = two_runs
    at = open_neighbours(root, monkeypatch, run=a.id, vs=b.id, word="king")
    shown = text(at)
    assert "The runs differ in window 2 vs 5." in shown
    assert f"{a.id[-6:]} · pytorch" in shown and f"{b.id[-6:]} · pytorch" in shown
    lists = [d.value for d in at.dataframe[:2]]
    expected = [[w for w, _ in r.keyed_vectors("pytorch", 2).most_similar("king", topn=10)] for r in (a, b)]
    assert [t["word"].tolist() for t in lists] == expected
    assert at.query_params["vs"] == b.id


def test_what_changed_lists_the_words_whose_lists_agree_least(two_runs, monkeypatch):
    root, a, b = two_runs
    at = open_neighbours(root, monkeypatch, run=a.id, vs=b.id, changed_n="40", changed_k="5")
    table = next(d for d in at.dataframe if d.key == "changed_sides").value
    kv_a, kv_b = a.keyed_vectors("pytorch", 2), b.keyed_vectors("pytorch", 2)
    brute = {}
    for w in kv_a.index_to_key[:40]:
        x, y = ({n for n, _ in kv.most_similar(w, topn=5)} for kv in (kv_a, kv_b))
        brute[w] = len(x & y) / len(x | y)
    assert dict(zip(table["word"], table["jaccard"])) == pytest.approx(brute)
    assert table["jaccard"].iloc[0] == min(brute.values())


@pytest.mark.parametrize(
    "vs, why",
    [
        ("no-such-run", "there is no such run"),
        ("<b>x</b>" * 1250, "no such run"),
        ("SELF", "it is the selected run itself"),
    ],
)
def test_a_bad_vs_is_said_and_the_run_compares_its_own_models(two_runs, monkeypatch, vs, why):
    root, a, _ = two_runs
    at = open_neighbours(root, monkeypatch, run=a.id, vs=a.id if vs == "SELF" else vs)
    assert any(why in re.sub(r"\\(.)", r"\1", w.value) for w in at.warning)
    assert [m.value for m in at.markdown][:2] == ["**pytorch** · epoch 2", "**gensim** · epoch 2"]
    assert all("<b>" not in w.value for w in at.warning)  # escaped: shown as text, never as HTML


def test_a_word_one_run_lacks_is_said_on_that_side(tmp_path, monkeypatch):
    a = train_run(CorpusConfig("toy-analogy", sentences=1500), TrainConfig(**TINY), root=tmp_path)
    b = train_run(CorpusConfig("toy-proximity", sentences=300), TrainConfig(**TINY), root=tmp_path)
    at = open_neighbours(tmp_path, monkeypatch, run=a.id, vs=b.id, word="king")
    assert not at.error
    assert any("'king' is not in this side's vocabulary" in i.value.replace("\\", "") for i in at.info)
    shown = text(at)
    assert "The runs differ in corpus toy-analogy vs toy-proximity" in shown
    shared = len(set(a.vocab().words) & set(b.vocab().words))
    assert f"They share {shared:,} of their words" in shown


def test_embedding_space_opens_on_two_runs_with_their_difference_and_both_panels(two_runs, monkeypatch):
    root, a, b = two_runs
    monkeypatch.setenv("W2V_RUNS_DIR", str(root))
    at = AppTest.from_file(str(ROOT / "pages" / "embedding_space.py"), default_timeout=120)
    at.query_params.update({"run": a.id, "vs": b.id, "words": "Most frequent words", "n": "20"})
    at.run()
    assert not at.exception and not at.error, [e.value for e in list(at.exception) + list(at.error)]
    shown = text(at)
    assert "The runs differ in window 2 vs 5." in shown and "The two runs share" in shown
    panels = json.loads(at.get("vega_lite_chart")[0].proto.spec)["hconcat"]
    assert all(p["title"].endswith(f"{r.id[-6:]} · pytorch · epoch 2") for p, r in zip(panels, (a, b)))

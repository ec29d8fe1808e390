"""Comparing two runs on the Similarity and Analogies pages (?run=A&vs=B): the settings that differ, both sides'
labels, numbers as gensim computes them on each side's saved vectors, accuracy on the questions both sides cover,
and words one side lacks said on that side."""

import json
import re
import shutil
from pathlib import Path

import pytest
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from lib.config import CorpusConfig, TrainConfig
from lib.runs import listing
from lib.train import train_run

ROOT = Path(__file__).resolve().parents[1]
TINY = dict(dim=8, min_count=1, negative=3, workers=1)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """a and b differ in window only; c (a smaller corpus, min_count 8, 4 epochs) lacks some of their words."""
    root = tmp_path_factory.mktemp("sides")
    a = train_run(CorpusConfig("toy-analogy", sentences=2000), TrainConfig(window=2, epochs=2, **TINY), root=root)
    b = train_run(CorpusConfig("toy-analogy", sentences=2000), TrainConfig(window=5, epochs=2, **TINY), root=root)
    c = train_run(
        CorpusConfig("toy-analogy", sentences=300),
        TrainConfig(window=5, epochs=4, **{**TINY, "min_count": 8}),
        root=root,
    )
    return root, a, b, c


def open_page(name: str, root, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("W2V_RUNS_DIR", str(root))
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def text(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "error") for e in getattr(at, kind)]
    return re.sub(r"\\(.)", r"\1", " ".join(parts)).replace("\u2060", "")


def chart_rows(at: AppTest, i: int):
    """The data of the page's i-th chart, as the page handed it to Streamlit."""
    chart = at.get("vega_lite_chart")[i].proto
    name = json.loads(chart.spec)["data"]["name"]
    data = next(d for d in chart.datasets if d.name == name)
    return dataframe_util.convert_arrow_bytes_to_pandas_df(data.data.data)


def labels(at: AppTest, *run_ids) -> list[str]:
    """The two sides' labels as the page's chart legend names them, in the order of run_ids."""
    colours = json.loads(at.get("vega_lite_chart")[0].proto.spec)["encoding"]["color"]["scale"]["domain"]
    return [next(c for c in colours if f"{i[-6:]} · pytorch" in c) for i in run_ids]


def shared_questions(*runs) -> list[list[str]]:
    """The questions of the first run's file whose four words every run's vocabulary has (read here directly)."""
    known = set.intersection(*(set(r.vocab().words) for r in runs))
    lines = runs[0].analogies_path().read_text().splitlines()
    return [line.split() for line in lines if not line.startswith(":") and set(line.split()) <= known]


def accuracy(kv, questions) -> float:
    right = [kv.most_similar(positive=[b, c], negative=[a], topn=1)[0][0] == d for a, b, c, d in questions]
    return sum(right) / len(right)


def test_similarity_two_runs_shows_the_difference_and_gensims_numbers(runs, monkeypatch):
    root, a, b, _ = runs
    at = open_page("similarity", root, monkeypatch, run=a.id, vs=b.id, w1="king", w2="queen", word="king")
    shown = text(at)
    assert "The runs differ in window 2 vs 5." in shown
    side_a, side_b = labels(at, a.id, b.id)
    assert side_a.startswith("A · window 2 · ") and side_b.startswith("B · window 5 · ")
    assert f"Side A is run {listing.run_label(a.summary())}, its pytorch model; side B is run" in shown
    lines = chart_rows(at, 0)
    assert set(lines["model"]) == {side_a, side_b} and "side_epoch" not in lines  # the same planned epochs
    for label, run in ((side_a, a), (side_b, b)):
        got = lines[lines["model"] == label].set_index("epoch")["value"]
        want = {e: float(run.keyed_vectors("pytorch", e).similarity("king", "queen")) for e in run.epochs("pytorch")}
        assert got.to_dict() == pytest.approx(want, abs=1e-6)
    table = at.dataframe[0].value.set_index("word")
    for label, run in ((side_a, a), (side_b, b)):
        kv = run.keyed_vectors("pytorch", 2)
        assert table[label].to_dict() == pytest.approx(
            {w: float(kv.similarity("king", w)) for w in table.index}, abs=1e-6
        )


def test_similarity_matches_epochs_and_says_a_word_one_side_lacks(runs, monkeypatch):
    root, a, _, c = runs
    gone = next(w for w in a.vocab().words if w not in c.vocab())
    kept = next(w for w in shared_questions(a, c)[0] if w in c.vocab())  # a question word both runs have
    at = open_page("similarity", root, monkeypatch, run=a.id, vs=c.id, w1=kept, w2=gone, word=kept, epoch="1")
    assert not at.error
    shown = text(at)
    assert "side A's epoch 1 of 2 is side B's epoch 2 of 4" in shown
    assert f"'{gone}' is not in this run's vocabulary" in shown and "Its line is left out." in shown
    side_a = labels(at, a.id)[0]
    assert set(chart_rows(at, 0)["model"]) == {side_a}  # the pair's line: side A alone
    side_b = next(c_ for c_ in at.dataframe[0].value.columns if f"{c.id[-6:]} · pytorch" in c_)
    table = at.dataframe[0].value.set_index("word")
    kv_c = c.keyed_vectors("pytorch", 2)  # side B at the matched epoch: 2 of 4 for A's 1 of 2
    known = [w for w in table.index if w in kv_c.key_to_index]
    assert table.loc[known, side_b].to_dict() == pytest.approx(
        {w: float(kv_c.similarity(kept, w)) for w in known}, abs=1e-6
    )
    assert table.loc[gone, side_b] != table.loc[gone, side_b]  # NaN: side B has no such word
    at = open_page("similarity", root, monkeypatch, run=a.id, vs=c.id, word=gone)
    assert not at.error and f"'{gone}' is not in this side's vocabulary" in text(at)
    assert [col for col in at.dataframe[0].value.columns if "·" in col] == [side_a]


def test_analogies_are_scored_on_the_questions_both_sides_cover(runs, monkeypatch):
    root, a, _, c = runs
    at = open_page("analogies", root, monkeypatch, run=a.id, vs=c.id)
    shown = text(at)
    both = shared_questions(a, c)
    assert 0 < len(both) < len(shared_questions(a))  # c lacks words of some questions
    assert f"{len(both):,} questions of side A's set have all four words in both sides' vocabularies" in shown
    assert f"both sides are scored on the same {len(both):,} of the" in shown
    assert "The runs differ in corpus sentences 2000 vs 300" in shown
    side_a, side_b = labels(at, a.id, c.id)
    lines = chart_rows(at, 0)  # every epoch of both sides, c's on a's axis: its epoch 2 of 4 at a's 1 of 2
    for label, run, scale in ((side_a, a, 1.0), (side_b, c, 0.5)):
        rows = lines[lines["model"] == label]
        want = {e * scale: accuracy(run.keyed_vectors("pytorch", e), both) for e in run.epochs("pytorch")}
        assert rows.set_index("epoch")["value"].to_dict() == pytest.approx(want)
    assert (lines.loc[lines["model"] == side_b, "side_epoch"] == c.epochs("pytorch")).all()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Side A accuracy"] == f"{accuracy(a.keyed_vectors('pytorch', 2), both):.1%}"
    assert metrics["Side B accuracy"] == f"{accuracy(c.keyed_vectors('pytorch', 4), both):.1%}"
    total = sum(1 for line in a.analogies_path().read_text().splitlines() if line and not line.startswith(":"))
    assert metrics["Shared questions"] == f"{len(both):,} of {total:,}"


def test_analogies_two_runs_of_one_vocabulary_read_their_saved_scores(runs, monkeypatch):
    root, a, b, _ = runs
    at = open_page("analogies", root, monkeypatch, run=a.id, vs=b.id)
    shown = text(at)
    assert "The runs differ in window 2 vs 5." in shown and "Each side's saved scores cover exactly these" in shown
    side_a, side_b = labels(at, a.id, b.id)
    both = shared_questions(a, b)
    lines = chart_rows(at, 0)
    for label, run in ((side_a, a), (side_b, b)):
        got = lines[lines["model"] == label].set_index("epoch")["value"].to_dict()
        assert got == pytest.approx({e: accuracy(run.keyed_vectors("pytorch", e), both) for e in (0, 1, 2)})
    answers = [d.value for d in at.dataframe[:2]]
    x, y, z = (at.selectbox(key=k).value for k in "abc")
    for table, run in zip(answers, (a, b)):
        expected = run.keyed_vectors("pytorch", 2).most_similar(positive=[y, z], negative=[x], topn=5)
        assert table["word"].tolist() == [w for w, _ in expected]
        assert table["score"].tolist() == pytest.approx([s for _, s in expected], abs=1e-6)


def test_analogies_word_one_side_lacks_is_said_on_that_side(runs, monkeypatch):
    root, a, _, c = runs
    gone = next(w for w in a.vocab().words if w not in c.vocab())
    at = open_page("analogies", root, monkeypatch, run=a.id, vs=c.id, a=gone, b="king", c="queen")
    assert not at.error
    assert any("not in this side's vocabulary" in i.value.replace("\\", "") for i in at.info)
    assert len(at.dataframe) == 1  # side A answers; side B says what it lacks


def test_a_side_b_that_stopped_early_shows_its_finished_epochs(runs, tmp_path, monkeypatch):
    _, a, _, c = runs
    shutil.copytree(a.path, tmp_path / a.id)
    shutil.copytree(c.path, tmp_path / c.id)
    (tmp_path / c.id / "pytorch" / "epoch_004.npy").unlink()  # B finished epochs 0-3 of 4
    for page in ("similarity", "analogies"):
        at = open_page(page, tmp_path, monkeypatch, run=a.id, vs=c.id, w1="king", w2="queen", word="king")
        assert not at.error
        assert "side A's epoch 2 of 2 is side B's epoch 3 of 4" in text(at)


@pytest.mark.parametrize("page", ["similarity", "analogies"])
def test_a_hostile_vs_compares_the_runs_own_models(runs, monkeypatch, page):
    root, a, _, _ = runs
    at = open_page(page, root, monkeypatch, run=a.id, vs="<b>x</b>")
    assert any("no such run" in w.value.replace("\\", "") for w in at.warning)
    assert set(chart_rows(at, 0)["model"]) == {"pytorch", "gensim"}


def test_sides_frame_puts_side_b_on_side_as_epoch_axis():
    import pandas as pd

    from lib.views import analysis

    a = pd.DataFrame({"model": "pytorch", "epoch": [0, 1, 2], "value": [0.1, 0.2, 0.3]})
    b = pd.DataFrame({"model": "pytorch", "epoch": [0, 1, 2, 3, 4], "value": [0.0, 0.1, 0.2, 0.3, 0.4]})
    same = analysis.sides_frame({"A": a, "B": b[:3]}, {"B": 1.0})
    assert "side_epoch" not in same and same["epoch"].tolist() == [0, 1, 2, 0, 1, 2]
    frame = analysis.sides_frame({"A": a, "B": b}, {"B": 2 / 4})
    assert frame.loc[frame["model"] == "B", "epoch"].tolist() == [0, 0.5, 1, 1.5, 2]  # B's 4 of 4 at A's 2 of 2
    assert frame.loc[frame["model"] == "B", "side_epoch"].tolist() == [0, 1, 2, 3, 4]


def test_similarities_to_leaves_blank_the_words_a_side_lacks(runs):
    from lib.views import analysis

    _, a, _, c = runs
    kv_a, kv_c = a.keyed_vectors("pytorch", 2), c.keyed_vectors("gensim", 4)
    word = next(w for w in kv_a.index_to_key if w in kv_c.key_to_index)
    table = analysis.similarities_to({"A": kv_a, "C": kv_c}, word).set_index("word")
    assert len(table) == len(kv_a) - 1
    for other, row in table.iterrows():
        if other in kv_c.key_to_index:
            assert row["C"] == pytest.approx(float(kv_c.similarity(word, other)), abs=1e-6)
        else:
            assert row["C"] != row["C"]  # NaN

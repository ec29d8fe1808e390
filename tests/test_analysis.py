"""Frames behind the comparison pages: neighbours, overlaps, similarities and analogy accuracy."""

import numpy as np
import pytest
from gensim.models import KeyedVectors

from lib.views import analogies, analysis, explain
from lib.views.evaluate import analogy_accuracy, analogy_accuracy_cosmul


def test_neighbours_are_ranked_by_cosine_and_exclude_the_word(analogy_run):
    kv = analogy_run.keyed_vectors("gensim", 3)
    table = analysis.neighbours(kv, "king", 5)
    assert table["rank"].tolist() == [1, 2, 3, 4, 5]
    assert "king" not in table["word"].tolist()
    assert table["cosine"].is_monotonic_decreasing
    assert table["cosine"].iloc[0] == pytest.approx(kv.similarity("king", table["word"].iloc[0]), abs=1e-6)


def test_unknown_word_suggests_close_spellings(analogy_run):
    kv = analogy_run.keyed_vectors("gensim", 3)
    with pytest.raises(ValueError, match="Did you mean 'king'"):
        analysis.neighbours(kv, "kingg", 5)


def test_jaccard():
    assert analysis.jaccard(["a", "b"], ["b", "c"]) == pytest.approx(1 / 3)
    assert analysis.jaccard(["a"], ["a"]) == 1.0
    assert analysis.jaccard([], []) == 1.0


def test_neighbour_lists_by_epoch_and_their_change(analogy_run):
    tables = {m: analysis.neighbours_by_epoch(analogy_run, m, "queen", 4) for m in analogy_run.models}
    gensim = tables["gensim"]
    assert gensim.index.tolist() == analogy_run.epochs("gensim") and list(gensim.columns) == [1, 2, 3, 4]
    vectors = analogy_run.vectors("gensim", 3)  # numpy directly: the 4 highest cosines to queen, queen left out
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    words = analogy_run.vocab().words
    queen = list(words).index("queen")
    order = [i for i in np.argsort(-(unit @ unit[queen])) if i != queen][:4]
    assert gensim.loc[3].tolist() == [words[i] for i in order]
    change = analysis.jaccard_with_previous(tables)
    assert sorted(change["epoch"].unique()) == [1, 2, 3]
    row = change[(change["model"] == "gensim") & (change["epoch"] == 3)]["value"].item()
    before, now = set(gensim.loc[2]), set(gensim.loc[3])
    assert row == pytest.approx(len(before & now) / len(before | now))


def test_neighbour_lists_of_a_tiny_vocabulary_are_shorter_than_k(proximity_run):
    table = analysis.neighbours_by_epoch(proximity_run, "gensim", "bbb", 40)
    assert list(table.columns) == list(range(1, 26))  # 26 words: 25 neighbours at most


def test_similarity_across_epochs_matches_gensim(proximity_run):
    frame = analysis.similarity_across_epochs(proximity_run, "bbb", "ccc")
    assert len(frame) == sum(len(proximity_run.epochs(m)) for m in proximity_run.models)
    row = frame[(frame["model"] == "pytorch") & (frame["epoch"] == 2)]["value"].item()
    vectors, index = proximity_run.vectors("pytorch", 2), list(proximity_run.vocab().words)
    b, c = vectors[index.index("bbb")], vectors[index.index("ccc")]
    assert row == pytest.approx(float(b @ c / np.linalg.norm(b) / np.linalg.norm(c)), abs=1e-6)  # cosine by hand
    with pytest.raises(ValueError, match="not in this run's vocabulary"):
        analysis.similarity_across_epochs(proximity_run, "bbb", "nope")


def test_similarities_to_every_other_word(proximity_run):
    kvs = {m: proximity_run.keyed_vectors(m, 3) for m in proximity_run.models}
    table = analysis.similarities_to(kvs, "bbb", proximity_run.config["groups"])
    assert len(table) == 25 and "bbb" not in table["word"].tolist()
    assert table["pytorch"].is_monotonic_decreasing
    row = table[table["word"] == "zzz"].iloc[0]
    assert row["gensim"] == pytest.approx(float(kvs["gensim"].similarity("bbb", "zzz")), abs=1e-6)
    assert row["group"] == proximity_run.config["groups"]["zzz"]


def test_default_word_and_questions(analogy_run, proximity_run):
    assert analysis.default_word(analogy_run) == "king"
    assert analysis.default_word(proximity_run) == "bbb"
    assert analogies.analogy_questions_path(proximity_run) is None
    path = analogies.analogy_questions_path(analogy_run)
    assert analogies.first_question(path) == ("king", "queen", "prince", "princess")
    assert analogies.first_question(path, known={"father", "mother", "son", "daughter"}) == (
        "father",
        "mother",
        "son",
        "daughter",
    )
    assert analogies.first_question(path, known=set()) is None
    assert analysis.parse_words("King, queen  king") == ["king", "queen"]


def test_metric_frame_and_sections_from_saved_metrics(analogy_run):
    frame = explain.long_form(explain.epoch_frame(analogy_run, ["analogy_accuracy"]), ["analogy_accuracy"])
    assert len(frame) == 8 and frame["value"].between(0, 1).all()
    saved = {m: analogies.saved_analogy_result(analogy_run, m, 3) for m in analogy_run.models}
    sections = analogies.section_frame(saved)
    assert set(sections["section"]) == {"gender-singular", "gender-plural", "number-male", "number-female"}
    assert (sections["accuracy"] == sections["correct"] / sections["total"]).all()


def test_cosmul_accuracy_covers_the_same_questions_as_gensim(analogy_run):
    kv = analogy_run.keyed_vectors("gensim", 3)
    path = analogies.analogy_questions_path(analogy_run)
    add, mul = analogy_accuracy(kv, path), analogy_accuracy_cosmul(kv, path)
    assert mul["analogy_coverage"] == pytest.approx(add["analogy_coverage"])
    assert {k: v["total"] for k, v in mul["analogy_sections"].items()} == {
        k: v["total"] for k, v in add["analogy_sections"].items() if v["total"]
    }
    correct = sum(s["correct"] for s in mul["analogy_sections"].values())
    total = sum(s["total"] for s in mul["analogy_sections"].values())
    assert mul["analogy_accuracy"] == pytest.approx(correct / total)


def test_cosmul_accuracy_on_vectors_with_known_answers(tmp_path):
    kv = KeyedVectors(vector_size=3)
    kv.add_vectors(
        ["man", "woman", "king", "queen", "apple"],
        np.array([[1, 0, 0.1], [0, 1, 0.1], [1, 0, 1], [0, 1, 1], [1, 1, -1]], dtype=np.float32),
    )
    path = tmp_path / "q.txt"
    path.write_text(": royals\nman king woman queen\nman woman king apple\nman king woman missing\n")
    result = analogy_accuracy_cosmul(kv, str(path))
    assert result["analogy_sections"] == {"royals": {"correct": 1, "total": 2}}
    assert result["analogy_accuracy"] == 0.5 and result["analogy_coverage"] == pytest.approx(2 / 3)


def test_cosmul_results_are_kept_in_the_run_cache(analogy_run):
    result = analogies.cosmul_result(analogy_run, "pytorch", 1)
    assert (analogy_run.cache_dir() / "analogies-3cosmul" / "pytorch" / "epoch_001.json").is_file()
    assert analogies.cosmul_result(analogy_run, "pytorch", 1) == result
    frame = analogies.accuracy_frame({("pytorch", 1): result, ("gensim", 1): {"analogy_accuracy": 0.5}})
    assert frame.set_index("model").loc["gensim", "value"] == 0.5

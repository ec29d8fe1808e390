"""Two sides to compare: the settings two runs differ in, their shared words, matched epochs, and the default sides."""

import json

import pytest

from lib.config import CorpusConfig, TrainConfig
from lib.train import train_run
from lib.views import compare

TINY = dict(epochs=2, dim=8, min_count=1, negative=3, workers=1)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("compare")
    a = train_run(CorpusConfig("toy-proximity", sentences=300), TrainConfig(window=2, **TINY), root=root)
    b = train_run(CorpusConfig("toy-proximity", sentences=300), TrainConfig(window=5, seed=2, **TINY), root=root)
    c = train_run(CorpusConfig("toy-pos", sentences=300), TrainConfig(window=2, **TINY), models=["gensim"], root=root)
    return a, b, c


def test_the_settings_that_differ_are_exactly_those_whose_saved_values_differ(runs):
    a, b, _ = runs
    saved = [json.loads((r.path / "config.json").read_text()) for r in (a, b)]
    differ = {k for k in saved[0]["train"] if saved[0]["train"][k] != saved[1]["train"][k]}
    assert differ == {"window", "seed"}  # what the test made differ, read from the files themselves
    assert compare.difference_text(a, b) == "window 2 vs 5 · seed 1 vs 2"
    assert compare.difference_text(a, a) == ""


def test_runs_on_different_corpora_differ_in_corpus_and_models(runs):
    a, _, c = runs
    rows = dict(compare.differing_settings([a, c]))
    assert rows["corpus"] == ["toy-proximity", "toy-pos"] and rows["models"] == ["pytorch, gensim", "gensim"]
    assert "window" not in rows


def test_shared_words_are_the_intersection_in_the_first_runs_order(runs):
    a, _, c = runs
    wa, wc = a.vocab().words, c.vocab().words
    shared = compare.shared_words(wa, wc)
    assert set(shared) == set(wa) & set(wc) and shared == [w for w in wa if w in set(wc)]


@pytest.mark.parametrize(
    "epoch_a, planned_a, planned_b, finished_b, expected",
    [
        (3, 5, 5, [0, 1, 2, 3, 4, 5], 3),  # equal plans: the same epoch
        (5, 10, 20, list(range(21)), 10),  # half way is half way
        (10, 10, 20, list(range(21)), 20),  # the end is the end
        (0, 10, 20, list(range(21)), 0),
        (9, 10, 20, [0, 1, 2, 3], 3),  # B stopped early: its nearest finished epoch
        (1, 5, 5, [], None),
    ],
)
def test_epochs_are_matched_by_share_of_training(epoch_a, planned_a, planned_b, finished_b, expected):
    assert compare.matched_epoch(epoch_a, planned_a, planned_b, finished_b) == expected


def test_default_sides(runs):
    a, b, c = runs
    one = compare.sides(a)
    assert (one.a.model, one.b.model, one.two_runs, one.labels()) == ("pytorch", "gensim", False, ("pytorch", "gensim"))
    two = compare.sides(a, b)
    assert (two.a.model, two.b.model, two.two_runs) == ("pytorch", "pytorch", True)
    assert two.labels()[0].endswith(a.id[-6:] + " · pytorch") and two.labels()[1].endswith(b.id[-6:] + " · pytorch")
    assert compare.sides(a, c).b.model == "gensim"  # c has no PyTorch model
    with pytest.raises(ValueError, match="trained only the gensim model"):
        compare.sides(c)
    with pytest.raises(ValueError, match="has no pytorch model"):
        compare.sides(a, c, "pytorch", "pytorch")
    with pytest.raises(ValueError, match="Both sides are the gensim model"):
        compare.sides(a, None, "gensim", "gensim")


def test_neighbour_agreement_matches_gensims_own_neighbour_lists(runs):
    a, b, _ = runs
    kv_a, kv_b = a.keyed_vectors("pytorch", 2), b.keyed_vectors("gensim", 2)  # one vocabulary: lists over all of it
    k = 5
    table = compare.neighbour_agreement(kv_a, kv_b, n_words=12, k=k)
    words = list(kv_a.index_to_key[:12])
    expected = {}
    for w in words:
        list_a = {x for x, _ in kv_a.most_similar(w, topn=k)}
        list_b = {x for x, _ in kv_b.most_similar(w, topn=k)}
        expected[w] = len(list_a & list_b) / len(list_a | list_b)
    assert sorted(table["word"]) == sorted(words)
    assert dict(zip(table["word"], table["jaccard"])) == pytest.approx(expected)
    assert list(table["jaccard"]) == sorted(table["jaccard"])  # the least agreeing first
    row = table.iloc[0]
    only_a = {x for x, _ in kv_a.most_similar(row["word"], topn=k)} - {
        x for x, _ in kv_b.most_similar(row["word"], topn=k)
    }
    assert set(filter(None, row["only_a"].split(", "))) == only_a


def test_a_side_compared_with_itself_agrees_fully(runs):
    a, _, _ = runs
    kv = a.keyed_vectors("gensim", 1)
    assert set(compare.neighbour_agreement(kv, kv, n_words=20, k=4)["jaccard"]) == {1.0}


def test_top_k_works_a_block_at_a_time(runs, monkeypatch):
    a, _, _ = runs
    kv = a.keyed_vectors("pytorch", 2)
    words = list(kv.index_to_key)
    whole = compare.top_k(kv, words, words, 4)
    monkeypatch.setattr(compare, "CHUNK", 3)
    assert (compare.top_k(kv, words, words, 4) == whole).all()
    assert [words[i] for i in whole[0]] == [x for x, _ in kv.most_similar(words[0], topn=4)]

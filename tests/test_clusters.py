"""Clusters forming: category purity per epoch (saved, or computed for older runs) and what to look for."""

import json

import pytest

from lib.views import clusters
from lib.views.evaluate import category_purity


def test_purity_is_saved_for_every_epoch_of_both_models(analogy_run):
    results = clusters.purity_by_epoch(analogy_run)
    assert sorted(results) == [(m, e) for m in sorted(analogy_run.models) for e in analogy_run.epochs(m)]
    for (model, epoch), r in results.items():
        # recomputed from the saved vectors with gensim's KeyedVectors: the saved number is that number
        again = category_purity(analogy_run.keyed_vectors(model, epoch), analogy_run.config["categories"])
        assert r["category_purity"] == pytest.approx(again["category_purity"])
    # 10 roles of 4 forms: each form has 3 of its kind among the 39 other category words
    assert results[("gensim", 0)]["category_purity_chance"] == pytest.approx(3 / 39)
    frame = clusters.purity_frame(results)
    last = frame[frame["epoch"] == frame["epoch"].max()]
    assert (last["value"] > 3 * last["chance"]).all()  # roles are forming after three short epochs


def test_older_runs_without_saved_purity_get_it_computed(analogy_run, tmp_path):
    import shutil

    from lib.runs.store import Run

    copy = Run(shutil.copytree(analogy_run.path, tmp_path / analogy_run.id))
    for model in copy.models:
        path = copy.path / model / "metrics.json"
        metrics = [
            {k: v for k, v in m.items() if not k.startswith("category_purity")} for m in json.loads(path.read_text())
        ]
        path.write_text(json.dumps(metrics))
    computed, saved = clusters.purity_by_epoch(copy), clusters.purity_by_epoch(analogy_run)
    assert computed.keys() == saved.keys()
    for key, r in saved.items():
        assert computed[key]["category_purity"] == pytest.approx(r["category_purity"])
        assert computed[key]["category_purity_by_category"] == pytest.approx(r["category_purity_by_category"])


def test_what_to_look_for_names_the_first_categories_to_separate(analogy_run):
    results = clusters.purity_by_epoch(analogy_run)
    line = clusters.what_to_look_for(analogy_run, results)
    first = clusters.first_separated(results, "gensim")
    assert first and all(e >= 1 for _, e in first)
    assert f"{first[0][0]} (epoch {first[0][1]})" in line
    # how many of the run's 10 roles separate, so three names are not taken for all of them
    assert "by chance" in line and f"In gensim, {len(first)} of 10 categories reach purity 0.5" in line


def test_alphabet_runs_are_told_to_look_for_the_order(proximity_run):
    results = clusters.purity_by_epoch(proximity_run)
    assert "alphabet" in clusters.what_to_look_for(proximity_run, results)
    assert "alphabet" not in clusters.what_to_look_for(proximity_run, results, colours=False)  # Home draws no colours


def test_the_colours_are_said_when_they_are_not_the_categories_purity_counts(analogy_run, proximity_run):
    # toy-analogy colours gender × number (its design's groups) while purity counts roles (its categories)
    note = clusters.colour_note(analogy_run)
    assert "male singular" in note and "female plural" in note and "adult" in note
    assert "alphabet" in clusters.colour_note(proximity_run) and "a–e" in clusters.colour_note(proximity_run)

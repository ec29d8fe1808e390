"""Projections: a tidy frame for every epoch of both models, aligned across epochs, cached in the run folder."""

import numpy as np
import pytest

from lib.views import projection


def test_frame_covers_every_epoch_of_both_models(analogy_run):
    frame = projection.projection_frame(analogy_run, "pca", n_words=30)
    assert list(frame.columns) == ["model", "epoch", "word", "x", "y", "count", "rank", "group", "order"]
    for model in analogy_run.models:
        rows = frame[frame["model"] == model]
        assert sorted(rows["epoch"].unique()) == analogy_run.epochs(model)
        assert (rows.groupby("epoch").size() == 30).all()
    vocab = analogy_run.vocab()
    first = frame[(frame["model"] == "gensim") & (frame["epoch"] == 0)]
    assert first["word"].tolist() == list(vocab.words[:30])  # most frequent first
    assert first["count"].tolist() == vocab.counts[:30].tolist()
    assert first["rank"].tolist() == list(range(1, 31))
    groups = analogy_run.config["groups"]
    assert (first["group"] == [groups.get(w, "") for w in first["word"]]).all()
    assert (first["group"] != "").any()
    assert first["order"].isna().all()  # toy-analogy's groups have no order


def test_alphabet_groups_are_ordered_along_the_alphabet(proximity_run):
    frame = projection.projection_frame(proximity_run, "pca", n_words=26, models=["gensim"])
    last = frame[frame["epoch"] == 0].set_index("word")
    assert last.loc["aaa", "order"] == 0 and last.loc["zzz", "order"] == 25 and last.loc["mmm", "order"] == 12


def test_highlighted_words_are_projected_whatever_their_rank(analogy_run):
    words = list(analogy_run.vocab().words)
    rare = words[-1]
    chosen = projection.projection_words(analogy_run, "frequent", 10, extra=[rare, "not-a-word", words[0]])
    assert chosen == words[:10] + [rare]
    frame = projection.projection_frame(analogy_run, "pca", words=chosen, models=["gensim"])
    assert set(frame["word"]) == set(chosen)
    assert frame.loc[frame["word"] == rare, "rank"].iloc[0] == len(words)


def test_category_word_set_is_the_runs_category_words_most_frequent_first(analogy_run):
    categories = analogy_run.config["categories"]
    chosen = projection.projection_words(analogy_run, "categories", 1000)
    assert set(chosen) == set(categories) and len(chosen) == 40  # 10 roles x 4 forms
    ranks = [list(analogy_run.vocab().words).index(w) for w in chosen]
    assert ranks == sorted(ranks)
    assert projection.projection_words(analogy_run, "categories", 5) == chosen[:5]


def test_n_words_is_capped_at_the_vocabulary(proximity_run):
    frame = projection.projection_frame(proximity_run, "pca", n_words=1000, models=["gensim"])
    assert set(frame["model"]) == {"gensim"}
    assert frame.groupby("epoch").size().unique().tolist() == [26]


def test_frames_are_normalised_and_aligned_to_the_last_epoch(analogy_run):
    frame = projection.projection_frame(analogy_run, "pca", n_words=40)
    for (_, _), rows in frame.groupby(["model", "epoch"]):
        points = rows[["x", "y"]].to_numpy()
        assert np.allclose(points.mean(axis=0), 0, atol=1e-5)
        assert np.sqrt((points**2).sum(axis=1).mean()) == pytest.approx(1, abs=1e-4)
    # the trained epochs agree more with the last one than a mirror image of it would
    gensim = frame[frame["model"] == "gensim"]
    last = gensim[gensim["epoch"] == gensim["epoch"].max()][["x", "y"]].to_numpy()
    before = gensim[gensim["epoch"] == gensim["epoch"].max() - 1][["x", "y"]].to_numpy()
    mirrored = before * [-1, 1]
    assert np.linalg.norm(before - last) < np.linalg.norm(mirrored - last)


def test_align_undoes_rotation_reflection_and_scale():
    rng = np.random.default_rng(0)
    reference = rng.normal(size=(50, 2))
    angle = 1.1
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    moved = 3.0 * (reference @ rotation) * [1, -1] + [5, -2]
    aligned = projection.align({0: moved, 1: reference})
    assert np.allclose(aligned[0], projection.normalise(reference), atol=1e-8)
    assert np.allclose(aligned[1], projection.normalise(reference), atol=1e-8)


def test_second_call_reads_the_cache_and_new_epochs_are_fitted_alone(analogy_run, monkeypatch):
    first = projection.projection_frame(analogy_run, "pca", n_words=25)
    folder = projection.cache_folder(analogy_run, "pca", 25)
    assert len(list(folder.glob("*/epoch_*.npy"))) == sum(len(analogy_run.epochs(m)) for m in analogy_run.models)

    fitted = []
    real = projection.FITTERS["pca"]
    monkeypatch.setitem(projection.FITTERS, "pca", lambda vectors: fitted.append(1) or real(vectors))
    again = projection.projection_frame(analogy_run, "pca", n_words=25)
    assert fitted == []
    assert np.allclose(again[["x", "y"]].to_numpy(), first[["x", "y"]].to_numpy(), atol=1e-6)

    (folder / "pytorch" / "epoch_002.npy").unlink()  # as if epoch 2 had just finished
    projection.projection_frame(analogy_run, "pca", n_words=25)
    assert fitted == [1]


def test_umap_frame(proximity_run):
    frame = projection.projection_frame(proximity_run, "umap", n_words=26, models=["gensim"])
    assert len(frame) == 26 * len(proximity_run.epochs("gensim"))
    assert np.isfinite(frame[["x", "y"]].to_numpy()).all()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"method": "tsne"}, "pca, umap"),
        ({"n_words": 2}, "between 3"),
        ({"models": ["word2vec-c"]}, "no model"),
        ({"words": ["king", "queen"]}, "between 3"),
    ],
)
def test_bad_requests_say_what_to_change(analogy_run, kwargs, message):
    with pytest.raises(ValueError, match=message):
        projection.projection_frame(analogy_run, **kwargs)

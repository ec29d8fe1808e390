"""lib.classic.experiments: both models on toy-random and toy-proximity, the pair found again, and its tidy frames."""

import json
import sys
import time

import pytest

from lib.classic import experiments
from lib.config import TrainConfig
from lib.runs import jobs
from lib.runs.listing import list_runs
from lib.views.evaluate import chance_neighbour_precision

SMALL = TrainConfig(dim=16, epochs=3, alpha=0.05, workers=1, seed=2)
SENTENCES = 3000


@pytest.fixture(scope="module")
def experiment(tmp_path_factory):
    root = tmp_path_factory.mktemp("experiment_runs")
    started = experiments.start_experiment(SMALL, sentences=SENTENCES, root=root)
    seen = [started.poll()]
    assert experiments.latest_pair(root) is None and started.pair() is None  # not before both are complete
    end = time.monotonic() + 300
    while not all(s.finished for s in seen[-1].values()) and time.monotonic() < end:
        time.sleep(0.3)
        seen.append(started.poll())
    return root, started.pair(), (started, seen)


def test_one_call_trains_both_models_on_both_languages_with_the_same_settings(experiment):
    root, pair, _ = experiment
    assert pair is not None
    assert {r.id for r in list_runs(root)} == {pair.random.id, pair.structured.id}
    assert pair.random.config["corpus_name"] == "toy-random"
    assert pair.structured.config["corpus_name"] == "toy-proximity"
    for run in pair.runs.values():
        assert run.models == ["pytorch", "gensim"]
        assert run.train_config == SMALL
        assert run.corpus_config.sentences == SENTENCES
        assert run.common_epochs() == [0, 1, 2, 3]


def test_the_two_languages_train_as_background_jobs_of_the_queue(experiment):
    root, pair, (started, seen) = experiment
    assert [job.run_id for job in started.jobs.values()] == [pair.random.id, pair.structured.id]
    assert all(job.args[:3] == [sys.executable, "-m", "lib.train"] for job in started.jobs.values())
    assert [s.state for s in seen[-1].values()] == ["complete", "complete"]
    states = {lang: {s[lang].state for s in seen} for lang in experiments.LANGUAGES}
    if jobs.max_trainings() == 1:  # one slot: toy-proximity waits for toy-random
        assert "queued" in states["toy-proximity"]
    manifest = json.loads((experiments.manifest_dir(root) / f"{started.created}.json").read_text())
    assert manifest["runs"] == {"toy-random": pair.random.id, "toy-proximity": pair.structured.id}


def test_a_cancelled_pair_is_not_shown(tmp_path):
    started = experiments.start_experiment(TrainConfig(epochs=50, dim=16, workers=1), sentences=3000, root=tmp_path)
    started.cancel()
    statuses = started.poll()
    assert all(s.finished for s in statuses.values())
    assert started.pair() is None and experiments.latest_pair(tmp_path) is None


def test_latest_pair_finds_the_experiment(experiment):
    root, pair, _ = experiment
    found = experiments.latest_pair(root)
    assert (found.random.id, found.structured.id, found.created) == (pair.random.id, pair.structured.id, pair.created)


def test_latest_pair_skips_manifests_whose_runs_are_gone_or_damaged(experiment, tmp_path):
    root, pair, _ = experiment
    folder = experiments.manifest_dir(root)
    newer = folder / "99990101-000000-000000.json"
    newest = folder / "99991231-000000-000000.json"
    try:
        newer.write_text(json.dumps({"runs": {"toy-random": "no-such-run", "toy-proximity": pair.structured.id}}))
        newest.write_text("{not json")
        assert experiments.latest_pair(root).created == pair.created
    finally:
        newer.unlink()
        newest.unlink()
    assert experiments.latest_pair(tmp_path) is None


def test_bad_settings_raise_before_any_run_is_written(tmp_path):
    with pytest.raises(ValueError, match="between 100 and 100,000 sentences"):
        experiments.start_experiment(SMALL, sentences=10, root=tmp_path)
    with pytest.raises(ValueError, match="epochs"):
        experiments.start_experiment(TrainConfig(epochs=0), sentences=500, root=tmp_path)
    assert list_runs(tmp_path) == [] and experiments.latest_pair(tmp_path) is None
    assert jobs.queued(tmp_path) == [] and not experiments.manifest_dir(tmp_path).exists()


def test_neighbour_precision_separates_structure_from_noise(experiment):
    _, pair, _ = experiment
    frame = experiments.precision_frame(pair)
    assert len(frame) == 4 * 4  # four series, epochs 0..3
    chance = chance_neighbour_precision(pair.structured.config["true_neighbours"], 26)
    assert frame["chance"].unique().tolist() == [pytest.approx(chance)]
    final = experiments.final_precision(pair).set_index("series")
    assert list(final.index) == [
        "toy-random · pytorch",
        "toy-random · gensim",
        "toy-proximity · pytorch",
        "toy-proximity · gensim",
    ]
    for model in ("pytorch", "gensim"):
        structured = final.loc[f"toy-proximity · {model}", "neighbor_precision"]
        random = final.loc[f"toy-random · {model}", "neighbor_precision"]
        assert structured > 0.6 and random < chance + 0.15 and structured > random + 0.4
        assert final.loc[f"toy-proximity · {model}", "neighbor_precision"] == pytest.approx(
            pair.structured.metrics(model)[-1]["neighbor_precision"]
        )


def test_similarity_frame_and_table_of_the_check_word(experiment):
    _, pair, _ = experiment
    sims = experiments.similarity_frame(pair, "bbb")
    assert len(sims) == 4 * 4 * 25 and "bbb" not in set(sims["other"])
    designed = set(sims.loc[sims["designed"], "other"])
    assert designed == {"aaa", "ccc", "ddd"}
    assert sims["similarity"].between(-1.0001, 1.0001).all()
    table = experiments.neighbour_table(sims, k=3)
    assert table.shape == (4, 4) and list(table.index) == [0, 1, 2, 3]
    last = table.loc[3, "toy-proximity · pytorch"]
    assert last.count(",") == 2 and "✓" in last  # the structured language finds a designed neighbour


def test_unknown_check_word_is_a_clear_error(experiment):
    _, pair, _ = experiment
    with pytest.raises(ValueError, match="'xyz' is not in this run's vocabulary"):
        experiments.similarity_frame(pair, "xyz")
    with pytest.raises(ValueError, match="Type a word first"):
        experiments.similarity_frame(pair, "")


def test_scatter_frame_holds_every_word_of_every_series_and_epoch(experiment):
    _, pair, _ = experiment
    frame = experiments.scatter_frame(pair)
    assert len(frame) == 4 * 4 * 26
    assert set(frame["series"]) == set(experiments.final_precision(pair)["series"])
    assert frame["letter"].min() == 0 and frame["letter"].max() == 25
    assert experiments.common_epochs(pair) == [0, 1, 2, 3]

"""lib.views.explain: the numbers the Home and How it works pages show, checked against their definitions."""

import errno
import json
import shutil

import numpy as np
import pytest

from lib.config import CorpusConfig, TrainConfig
from lib.data.corpora import load_corpus
from lib.data.vocab import Vocab
from lib.runs import files
from lib.runs.provenance import resolved_settings
from lib.runs.store import Run
from lib.train import train_run
from lib.views import explain

CFG = TrainConfig(epochs=2, dim=8, min_count=1, negative=3, workers=1)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return train_run(CorpusConfig("toy-pos", sentences=400), CFG, root=tmp_path_factory.mktemp("runs"))


def test_epoch_frame_has_a_row_per_model_and_epoch(run):
    frame = explain.epoch_frame(run)
    assert sorted(zip(frame.model, frame.epoch)) == sorted((m, e) for m in ("pytorch", "gensim") for e in (0, 1, 2))
    start = frame[frame.epoch == 0]
    assert start.loss.notna().all() and start.words_per_sec.isna().all()  # the random start has no speed
    assert (frame[frame.epoch > 0].words_per_sec > 0).all()
    long = explain.long_form(frame, ["loss", "train_loss"], {"loss": "probe loss"})
    assert set(long.measure) == {"probe loss", "train_loss"} and long.value.notna().all()
    assert len(long[long.measure == "probe loss"]) == 6 and len(long[long.measure == "train_loss"]) == 4


def test_top_words_follow_subsampling_and_noise_formulas():
    vocab = Vocab.from_counts(["the", "of", "cat", "dog"], [1000, 500, 20, 5])
    cfg = TrainConfig(sample=1e-2, ns_exponent=0.75)
    table = explain.top_words(vocab, cfg, n=3)
    t = 1e-2 * 1525
    keep_the = min(1.0, (np.sqrt(1000 / t) + 1) * t / 1000)
    assert table.word.tolist() == ["the", "of", "cat"]
    assert table["discard probability"][0] == pytest.approx(1 - keep_the)
    assert table["discard probability"][2] == 0.0  # rare words are always kept
    noise = np.array([1000, 500, 20, 5]) ** 0.75
    assert table["noise probability"].tolist() == pytest.approx((noise / noise.sum())[:3].tolist())
    assert table["noise probability"][0] < table["frequency"][0]  # the 0.75 power damps the commonest word
    assert explain.kept_tokens(vocab, 0) == 1525
    assert explain.expected_pairs(vocab, TrainConfig(sample=0, window=3)) == 1525 * 4


@pytest.fixture(scope="module")
def window_one_run(tmp_path_factory):
    # window 1 and no subsampling: every word pairs with exactly its sentence neighbours, countable by hand
    cfg = TrainConfig(epochs=1, dim=8, min_count=1, negative=3, window=1, sample=0, workers=1)
    return train_run(CorpusConfig("toy-pos", sentences=300), cfg, root=tmp_path_factory.mktemp("runs"))


def test_exact_pairs_counts_every_neighbour_pair_and_is_cached(window_one_run):
    run = window_one_run
    sentences = load_corpus(run.corpus_config).sentences
    want = sum(2 * (len(s) - 1) for s in sentences)  # a sentence of L words has L - 1 neighbouring pairs, both ways
    assert explain.exact_pairs(run) == want
    assert (run.path / "cache" / "explain.json").is_file()
    assert explain.exact_pairs(run) == want
    assert explain.measured_pairs(run) == want  # what the PyTorch model trained on


def test_exact_pairs_are_counted_once_per_run_and_again_when_what_they_depend_on_changes(window_one_run, monkeypatch):
    run = window_one_run
    (run.path / "cache" / "explain.json").unlink(missing_ok=True)  # whatever ran before: counted here, and saved
    want = explain.exact_pairs(run)

    def count_again(*_):
        raise AssertionError("counted again although the run's cache holds the count")

    monkeypatch.setattr(explain, "count_pairs", count_again)
    assert explain.exact_pairs(run) == want
    saved = run.path / "cache" / "explain.json"
    payload = json.loads(saved.read_text())
    payload["key"]["window"] = 5  # as if counted for other settings: no longer this run's count
    saved.write_text(json.dumps(payload))
    monkeypatch.setattr(explain, "count_pairs", lambda *_: 7)
    assert explain.exact_pairs(run) == 7
    assert json.loads(saved.read_text())["key"]["window"] == 1


def test_exact_pairs_on_a_disk_that_cannot_be_written_are_counted_and_not_kept(window_one_run, monkeypatch):
    run = window_one_run
    shutil.rmtree(run.path / "cache", ignore_errors=True)

    def read_only(*_, **__):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(files.tempfile, "mkstemp", read_only)  # every write in the store makes a temporary file
    sentences = load_corpus(run.corpus_config).sentences
    assert explain.exact_pairs(run) == sum(2 * (len(s) - 1) for s in sentences)
    assert not (run.path / "cache" / "explain.json").exists()


RAN = {"step": "pair", "batch_size": 800, "worker_batch": 400, "pytorch_threads": 2}


def test_batch_sizes_show_the_batch_the_run_used_and_why():
    info = explain.batch_sizes(TrainConfig(), 100, RAN)
    assert (info["batch"], info["per_thread"], info["threads"]) == (800, 400, 2)  # what the run recorded
    assert "100 vocabulary words" in info["why"] and not info["shared"]
    assert explain.batch_sizes(TrainConfig(batch_size=77), 10, RAN)["why"] == "batch_size = 77 was set by hand"
    assert "Adam" in explain.batch_sizes(TrainConfig(optimizer="adam"), 10, RAN)["why"]


@pytest.mark.parametrize(
    "cfg, vocab_size, batch",
    [
        # 5,000 words × 0.1 / (alpha × 7 rows: input, output, 5 negatives) = 2,857 at alpha 0.025, 714 at 0.1
        (TrainConfig(), 10, 256),
        (TrainConfig(), 5_000, 2857),
        (TrainConfig(alpha=0.1), 5_000, 714),
        (TrainConfig(), 100_000, 4096),
        (TrainConfig(optimizer="adam"), 100_000, 256),
        (TrainConfig(batch_size=77), 10, 77),
    ],
)
def test_batch_sizes_follow_the_config_rule(cfg, vocab_size, batch):
    info = explain.batch_sizes(cfg, vocab_size, resolved_settings(cfg, vocab_size))
    assert info["batch"] == batch == cfg.resolved_batch_size(vocab_size)
    assert not info["shared"] and info["pairs_per_window_step"] is None


def test_shared_negatives_count_pairs_per_window_step():
    cfg = TrainConfig(shared_negatives=True, window=5, workers=1)
    info = explain.batch_sizes(cfg, 1000, resolved_settings(cfg, 1000))
    # pairs: 1,000 × 0.1 / (0.025 × 7) = 571, and a window step holds twice the pairs
    assert info["shared"] and info["pairs_per_window_step"] == 2 * 571 and info["per_thread"] is None


def test_what_ran_is_read_from_the_run_or_worked_out_for_older_runs(run, tmp_path):
    ran = explain.what_ran(run, 10)
    # CFG on a 10-word vocabulary: one worker, SGD with its own negatives, a batch raised to the floor of 256
    assert ran["recorded"] and (
        ran["device"],
        ran["step"],
        ran["pytorch_threads"],
        ran["gensim_workers"],
        ran["batch_size"],
        ran["worker_batch"],
    ) == ("cpu", "pair", 1, 1, 256, 256)
    copy = Run(shutil.copytree(run.path, tmp_path / "copy"))
    config = json.loads((copy.path / "config.json").read_text())
    config["resolved"]["batch_size"] = 999  # what the run says wins over what this machine would pick
    (copy.path / "config.json").write_text(json.dumps(config))
    assert explain.what_ran(Run(copy.path), 10)["batch_size"] == 999
    del config["resolved"]  # a run made before runs recorded it
    (copy.path / "config.json").write_text(json.dumps(config))
    older = explain.what_ran(Run(copy.path), 10)
    assert not older["recorded"] and older["batch_size"] == 256 and older["step"] == "pair"


def test_learning_rate_decays_linearly_from_alpha_to_min_alpha():
    rates = explain.learning_rates(TrainConfig(epochs=4, alpha=0.05, min_alpha=0.01))["learning rate"].tolist()
    assert rates == pytest.approx([0.05, 0.04, 0.03, 0.02, 0.01])


def test_pipeline_numbers_describe_the_run(run):
    numbers = explain.pipeline_numbers(run, run.vocab())
    assert numbers["vocab_size"] == run.config["vocab_size"] == 10
    assert numbers["tokens"] == numbers["vocab_tokens"]  # min_count = 1 keeps every word
    assert 0 < numbers["kept_tokens"] < numbers["vocab_tokens"]

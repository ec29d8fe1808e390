"""End to end through lib.train: both models on one corpus, every epoch stored and evaluated; the command line."""

import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from lib.cli import build_parser, main
from lib.config import CorpusConfig, TrainConfig
from lib.model.callbacks import Snapshot
from lib.runs.files import StoreError
from lib.runs.listing import list_runs
from lib.runs.store import Run
from lib.train import SnapshotWriter, prepare, train_run
from lib.views.evaluate import Evaluator, Probe

ROOT = Path(__file__).resolve().parents[1]
WIKITEXT = Path(os.environ.get("WIKITEXT2_DIR", ROOT.parent / "shared" / "data" / "wikitext-2"))


def cli(*args, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "lib.train", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def final(run, model, key):
    return run.metrics(model)[-1][key]


def test_toy_proximity_both_learn_the_neighbours_and_agree(tmp_path):
    # deterministic: one worker thread per model, so the numbers repeat exactly (Hogwild threads vary by ~0.02)
    run = train_run(CorpusConfig("toy-proximity"), TrainConfig(epochs=2, alpha=0.01, deterministic=True), root=tmp_path)
    assert run.status()["state"] == "complete"
    assert run.common_epochs() == [0, 1, 2]
    pytorch, gensim = final(run, "pytorch", "neighbor_precision"), final(run, "gensim", "neighbor_precision")
    assert pytorch >= 0.8 and gensim >= 0.8
    assert abs(pytorch - gensim) <= 0.05
    assert run.metrics("pytorch")[0]["neighbor_precision"] < 0.4  # the random start knows nothing
    for model in ("pytorch", "gensim"):  # the shared probe loss falls from its starting value
        losses = [m["loss"] for m in run.metrics(model)]
        assert losses[-1] < losses[0] - 1


def test_toy_analogy_both_solve_nine_in_ten(tmp_path):
    run = train_run(CorpusConfig("toy-analogy", sentences=12_000), TrainConfig(epochs=3), root=tmp_path)
    for model in ("pytorch", "gensim"):
        assert final(run, model, "analogy_coverage") == 1.0
        assert final(run, model, "analogy_accuracy") >= 0.9, run.metrics(model)[-1]["analogy_sections"]


def test_the_random_language_stays_near_chance(tmp_path):
    run = train_run(CorpusConfig("toy-random", sentences=10_000), TrainConfig(epochs=2, alpha=0.01), root=tmp_path)
    for model in ("pytorch", "gensim"):
        assert final(run, model, "neighbor_precision") < 0.4


def test_cli_json_contract(tmp_path):
    out = cli(
        "--corpus",
        "toy-proximity",
        "--epochs",
        "2",
        "--toy-sentences",
        "3000",
        "--runs-dir",
        str(tmp_path),
        "--json",
        "--quiet",
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["vocab_size"] == 26 and Path(result["run_dir"]).is_dir()
    for model in ("pytorch", "gensim"):
        epochs = result["models"][model]
        assert [e["epoch"] for e in epochs] == [0, 1, 2]
        assert epochs[0]["seconds"] is None and epochs[0]["words_per_sec"] is None
        assert all(e["words_per_sec"] > 0 and e["seconds"] > 0 and e["loss"] > 0 for e in epochs[1:])
        assert all("neighbor_precision" in e for e in epochs)
        assert all(0 <= e["category_purity"] <= 1 and e["category_purity_chance"] > 0 for e in epochs)
        # the same probe loss for both models: training lowers it from the random start (by little in 2 epochs
        # at the preset's alpha 0.004, which is why purity is only checked to be a share here)
        assert epochs[-1]["loss"] < epochs[0]["loss"], epochs
        assert all(not k.startswith("analogy") for e in epochs for k in e)
        for e in range(3):
            assert (Path(result["run_dir"]) / model / f"epoch_{e:03d}.npy").is_file()
    listed = cli("--list-runs", "--runs-dir", str(tmp_path))
    shown_id = listed.stdout.splitlines()[1].split()[-1]  # the whole id, last on its line
    assert listed.returncode == 0 and Path(result["run_dir"]).name == shown_id
    shown = cli("--show-run", shown_id, "--runs-dir", str(tmp_path))
    assert shown.returncode == 0 and "pytorch" in shown.stdout and "gensim" in shown.stdout
    assert all(len(line) <= 100 for line in shown.stdout.splitlines()[1:])  # one table per model: they fit


def test_one_model_only(tmp_path):
    assert (
        main(
            [
                "--corpus",
                "toy-pos",
                "--models",
                "gensim",
                "--epochs",
                "1",
                "--min-count",
                "1",
                "--runs-dir",
                str(tmp_path),
                "--quiet",
            ]
        )
        == 0
    )
    (run,) = list_runs(tmp_path)
    assert run.models == ["gensim"] and run.common_epochs() == [0, 1]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--corpus", "nope"], "Unknown corpus 'nope'"),
        (["--corpus", "missing/file.txt"], "Unknown corpus"),
        (["--corpus", "EMPTY"], "is empty"),
        (["--corpus", "LATIN1"], "not UTF-8"),
        (["--min-count", "100000"], "need 3 or more"),
        (["--negative", "26"], "must be smaller than the vocabulary"),
        (["--window", "0"], "window must be a positive"),
        (["--dim", "-3"], "dim must be a positive"),
        (["--epochs", "0"], "epochs must be a positive"),
        (["--sample", "2"], "sample must be in"),
        (["--models", "pytorch,word2vec"], "--models takes"),
        (["--analogies", "missing.txt"], "does not exist"),
        (["--show-run", "DAMAGED"], "damaged"),
        (["--show-run", ""], "--show-run needs a run's folder or id"),
        (["--show-run", " "], "--show-run needs a run's folder or id"),
        (["--categories", "missing.tsv"], "does not exist"),
        (["--run-id", "../elsewhere"], "letters, digits"),
        (["--categories", "ONECOLUMN"], "write word<TAB>category"),
        (["--categories", "LATIN1"], "not UTF-8"),
        (["--categories", "UNKNOWN"], "none of the words is in this corpus's vocabulary"),
        (["--categories", "ONEKNOWN"], "only one category"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, message):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 au lait\n".encode("latin-1"))
    (tmp_path / "runs" / "broken").mkdir(parents=True)
    (tmp_path / "runs" / "broken" / "config.json").write_text("{")
    (tmp_path / "runs" / "broken" / "vocab.tsv").write_text("")
    (tmp_path / "one.tsv").write_text("aaa fruit\nbbb fruit\n")
    (tmp_path / "unknown.tsv").write_text("apple\tfruit\npear\tfruit\nsaw\ttool\nhammer\ttool\n")
    (tmp_path / "oneknown.tsv").write_text("aaa\tfirst\nbbb\tfirst\nsaw\ttool\nhammer\ttool\n")
    subst = {
        "EMPTY": str(tmp_path / "empty.txt"),
        "LATIN1": str(tmp_path / "latin1.txt"),
        "DAMAGED": str(tmp_path / "runs" / "broken"),
        "ONECOLUMN": str(tmp_path / "one.tsv"),
        "UNKNOWN": str(tmp_path / "unknown.tsv"),
        "ONEKNOWN": str(tmp_path / "oneknown.tsv"),
    }
    defaults = [] if "--epochs" in args else ["--epochs", "1"]
    out = cli(*[subst.get(a, a) for a in args], *defaults, "--runs-dir", str(tmp_path / "runs"), "--quiet")
    assert out.returncode == 2, out.stdout + out.stderr
    assert out.stderr.count("\n") == 1 and out.stderr.startswith("error: ")
    assert message in out.stderr
    assert "Traceback" not in out.stderr
    assert [r.id for r in list_runs(tmp_path / "runs")] == []  # nothing half-made


def _wait_for(predicate, timeout=60.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("sig, reason", [(signal.SIGKILL, "training stopped"), (signal.SIGTERM, "cancelled")])
def test_a_run_killed_halfway_keeps_its_finished_epochs(tmp_path, sig, reason):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lib.train",
            "--corpus",
            "toy-proximity",
            "--epochs",
            "200",
            "--runs-dir",
            str(tmp_path),
            "--quiet",
            "--models",
            "pytorch,gensim",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _wait_for(lambda: list_runs(tmp_path) and len(list_runs(tmp_path)[0].epochs("pytorch")) >= 3)
    finally:
        proc.send_signal(sig)
        proc.wait(30)
    (run,) = list_runs(tmp_path)
    status = run.status()
    assert status["state"] == "incomplete" and reason in status["message"]
    epochs = run.epochs("pytorch")
    assert len(epochs) >= 3 and epochs == list(range(len(epochs)))
    for epoch in epochs:
        assert len(run.keyed_vectors("pytorch", epoch)) == 26
    leftovers = list(run.path.rglob("*.tmp"))
    if sig == signal.SIGTERM:
        assert not leftovers  # a cancelled trainer removes its temporary file
    else:  # SIGKILL can stop a write midway: at most the one file being written, under a hidden temporary name
        assert len(leftovers) <= 1 and all(p.name.startswith(".") for p in leftovers), leftovers


@pytest.mark.parametrize(
    "cfg, message",
    [
        (TrainConfig(negative=30), "negative"),  # more negatives than a 26-word vocabulary has other words
        pytest.param(
            TrainConfig(device="cuda"),
            "no CUDA GPU",
            marks=pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA"),
        ),
    ],
)
def test_bad_settings_are_refused_before_a_run_folder_is_made(tmp_path, cfg, message):
    with pytest.raises(ValueError, match=message):
        train_run(CorpusConfig("toy-random", sentences=200), cfg, root=tmp_path / "runs")
    assert not (tmp_path / "runs").exists() or not list((tmp_path / "runs").iterdir())


def test_full_softmax_over_a_large_vocabulary_is_refused_before_a_run_folder_is_made(tmp_path):
    path = tmp_path / "many-words.txt"  # 21,000 distinct words: more than the PyTorch full softmax takes
    path.write_text("\n".join(" ".join(f"w{i + j}" for j in range(10)) for i in range(0, 21_000, 10)) + "\n")
    with pytest.raises(ValueError, match="too slow"):
        train_run(
            CorpusConfig(str(path)),
            TrainConfig(loss="softmax", min_count=1, epochs=1),
            models=["pytorch"],
            root=tmp_path / "runs",
        )
    assert not (tmp_path / "runs").exists() or not list((tmp_path / "runs").iterdir())


def test_a_run_that_saved_no_epoch_is_removed(tmp_path, monkeypatch):
    def disk_full(self, *args):
        raise StoreError("Cannot write vectors: disk full.")

    monkeypatch.setattr(Run, "write_epoch", disk_full)  # the disk fills before the random start is saved
    with pytest.raises(ValueError, match="disk full"):
        train_run(CorpusConfig("toy-random", sentences=200), TrainConfig(epochs=1, dim=8), root=tmp_path)
    assert list(tmp_path.iterdir()) == [] and list_runs(tmp_path) == []


@pytest.mark.slow
@pytest.mark.skipif(not WIKITEXT.is_dir(), reason=f"WikiText-2 files not found at {WIKITEXT} (set WIKITEXT2_DIR)")
def test_wikitext2_subset_from_scratch_is_no_worse_than_gensim(tmp_path, monkeypatch):
    monkeypatch.setenv("WIKITEXT2_DIR", str(WIKITEXT))
    run = train_run(CorpusConfig("wikitext-2"), TrainConfig(epochs=5), root=tmp_path)
    assert run.status()["state"] == "complete" and run.common_epochs() == list(range(6))
    assert 0.1 < final(run, "pytorch", "analogy_coverage") == final(run, "gensim", "analogy_coverage")
    assert final(run, "pytorch", "analogy_accuracy") >= final(run, "gensim", "analogy_accuracy") - 0.01
    assert final(run, "pytorch", "ws353_spearman") >= final(run, "gensim", "ws353_spearman") - 0.05
    assert final(run, "pytorch", "ws353_spearman") > 0.05


def test_a_50000_word_line_is_trained_whole_by_both_models(tmp_path, caplog):
    # One line: 40,000 words of a0…a9, then 10,000 of b0…b9. gensim trains only the first 10,000 words of a
    # sentence, so unsplit, the b words would keep their random start vectors in gensim.
    rng = np.random.default_rng(0)
    words = [f"a{i}" for i in rng.integers(0, 10, 40_000)] + [f"b{i}" for i in rng.integers(0, 10, 10_000)]
    path = tmp_path / "one-line.txt"
    path.write_text(" ".join(words) + "\n", encoding="utf-8")
    cfg = TrainConfig(dim=8, epochs=1, sample=0, min_count=1, deterministic=True)
    with caplog.at_level(logging.INFO, logger="gensim.models.word2vec"):
        run = train_run(CorpusConfig(str(path)), cfg, root=tmp_path / "runs")
    # gensim's own count of the words it trained on ("effective words": in vocabulary, after subsampling, which is off)
    effective = [int(m.group(1)) for m in re.finditer(r"\((\d+) effective words\)", caplog.text)]
    assert effective == [50_000]
    late = [run.vocab().index[f"b{i}"] for i in range(10)]
    for model in ("pytorch", "gensim"):
        start, trained = run.vectors(model, 0)[late], run.vectors(model, 1)[late]
        assert np.abs(trained - start).max() > 1e-3, f"{model} never trained the words after position 10,000"
        assert run.metrics(model)[-1]["words_per_sec"] == pytest.approx(50_000 / run.metrics(model)[-1]["seconds"])


@pytest.mark.parametrize("model", ["pytorch", "gensim"])
def test_a_diverging_model_stops_the_run_saying_what_to_change(tmp_path, model):
    cfg = TrainConfig(alpha=1.0, epochs=2, dim=20)
    with pytest.raises(ValueError, match=rf"(?i){model} model diverged in epoch 1 .*lower alpha"):
        train_run(CorpusConfig("toy-proximity", sentences=2_000), cfg, models=[model], root=tmp_path)
    (run,) = list_runs(tmp_path)
    assert run.status()["state"] == "incomplete" and "lower alpha" in run.status()["message"]
    assert run.epochs(model) == [0]  # the random start is kept, the diverged epoch is not


def test_when_pytorch_diverges_gensim_still_trains_and_the_run_says_both(tmp_path):
    cfg = TrainConfig(alpha=1.0, epochs=2, dim=20)  # both diverge in epoch 1 at this rate
    with pytest.raises(ValueError, match=r"(?s)pytorch model diverged.*gensim model diverged"):
        train_run(CorpusConfig("toy-proximity", sentences=2_000), cfg, models=["pytorch", "gensim"], root=tmp_path)
    (run,) = list_runs(tmp_path)
    message = run.status()["message"]
    assert run.status()["state"] == "incomplete" and "pytorch model" in message and "gensim model" in message
    assert run.epochs("pytorch") == [0] and run.epochs("gensim") == [0]  # gensim was trained after pytorch stopped


def _writer(tmp_path, cfg):
    p = prepare(CorpusConfig("toy-proximity", sentences=500), cfg)
    run = Run.create(
        tmp_path,
        CorpusConfig("toy-proximity"),
        cfg,
        ["pytorch", "gensim"],
        p.vocab,
        corpus_name="toy-proximity",
        n_tokens=p.corpus.n_tokens,
    )
    return (
        run,
        SnapshotWriter(run, Evaluator(p.vocab, cfg, Probe.draw(p.encoded, p.vocab, cfg), natural=False)),
        len(p.vocab),
    )


@pytest.mark.filterwarnings("ignore:invalid value encountered")  # the probe loss of NaN vectors
@pytest.mark.parametrize("model", ["pytorch", "gensim"])
def test_one_divergence_rule_for_both_models(tmp_path, model):
    cfg = TrainConfig(dim=10, negative=5, alpha=0.3)
    run, writer, v = _writer(tmp_path, cfg)
    w_in = np.full((v, 10), 0.01, dtype=np.float32)
    writer.on_epoch_end(Snapshot(model, 0, w_in, np.zeros_like(w_in)))
    probe = writer.evaluator.probe  # zero output vectors: log 2 for the output word and each negative that is not it
    live = (probe.negatives != probe.outputs[:, None]).sum(1).mean()
    assert run.metrics(model)[0]["loss"] == pytest.approx((1 + live) * np.log(2))
    writer.on_epoch_end(Snapshot(model, 1, w_in, np.zeros_like(w_in) + 0.01))  # a healthy epoch passes
    # every score is -1·10 = -10: the output word's term is log(1 + e^10) ≈ 10, over twice the start's ≈ 4.1
    diverged = rf"{model} model diverged in epoch 2 \(probe loss 10.*lower alpha \(now 0.3\)"
    with pytest.raises(ValueError, match=diverged):
        writer.on_epoch_end(Snapshot(model, 2, np.ones_like(w_in), -np.ones_like(w_in)))
    with pytest.raises(ValueError, match=r"epoch 2 \(vectors not finite\): lower alpha"):
        writer.on_epoch_end(Snapshot(model, 2, np.full_like(w_in, np.nan), np.zeros_like(w_in)))
    assert run.epochs(model) == [0, 1]


def test_a_users_category_file_is_saved_and_scored(tmp_path):
    (tmp_path / "cats.tsv").write_text(
        "aaa\tstart\nbbb\tstart\nccc\tstart\nxxx\tend\nyyy\tend\nzzz\tend\nnotaword\tend\n"
    )
    assert (
        main(
            [
                "--corpus",
                "toy-proximity",
                "--toy-sentences",
                "2000",
                "--epochs",
                "1",
                "--categories",
                str(tmp_path / "cats.tsv"),
                "--runs-dir",
                str(tmp_path / "runs"),
                "--quiet",
            ]
        )
        == 0
    )
    (run,) = list_runs(tmp_path / "runs")
    assert run.config["categories"] == {
        "aaa": "start",
        "bbb": "start",
        "ccc": "start",
        "xxx": "end",
        "yyy": "end",
        "zzz": "end",
    }
    assert run.config["categories_source"] == "your category file"
    for model in run.models:
        assert all(m["category_purity_chance"] == pytest.approx(2 / 5) for m in run.metrics(model))


def test_a_run_id_names_the_folder_once(tmp_path):
    args = [
        "--corpus",
        "toy-pos",
        "--epochs",
        "1",
        "--min-count",
        "1",
        "--runs-dir",
        str(tmp_path),
        "--quiet",
        "--run-id",
        "my-first-run",
    ]
    assert main(args) == 0
    assert [r.id for r in list_runs(tmp_path)] == ["my-first-run"]
    out = cli(*args)
    assert out.returncode == 2 and "There is a run my-first-run already" in out.stderr
    assert [r.id for r in list_runs(tmp_path)] == ["my-first-run"]


def test_help_shows_plain_placeholders_and_the_choices():
    text = " ".join(build_parser().format_help().split())  # argparse wraps lines
    for shown in (
        "--dim N",
        "--alpha X",
        "--architecture {skipgram,cbow}",
        "--loss {negative,hs,softmax}",
        "--optimizer {sgd,adam}",
        "--device {auto,cpu,cuda}",
        "--wikitext-dir DIR",
        "--max-tokens N",
        "--toy-sentences N",
        "--runs-dir DIR",
        "--show-run RUN",
    ):
        assert shown in text
    assert "CONFIG." not in text.upper()


def test_list_runs_keeps_80_columns_before_each_whole_id_which_shows_its_run(tmp_path):
    small = TrainConfig(epochs=1, dim=8, min_count=1, negative=3, workers=1)
    text = tmp_path / ("a-corpus-file-with-a-long-long-name-" * 3 + ".txt")
    text.write_text("the cat sat on the mat\nthe dog sat on the log\n" * 50)
    long_id = "r" + "-very-long-run-name" * 5  # 96 characters, the longest kind an id can nearly be
    runs = [
        train_run(CorpusConfig("toy-pos", sentences=200), small, root=tmp_path / "runs", run_id=long_id),
        train_run(CorpusConfig(str(text)), small, models=["gensim"], root=tmp_path / "runs"),
        train_run(CorpusConfig("toy-proximity", sentences=300), small, root=tmp_path / "runs"),
    ]
    out = cli("--list-runs", "--runs-dir", str(tmp_path / "runs"))
    assert out.returncode == 0 and out.stderr == ""
    lines = out.stdout.splitlines()
    assert len(lines) == 1 + len(runs)
    assert all(len(line.rsplit(maxsplit=1)[0]) <= 80 for line in lines), [len(line) for line in lines]
    assert lines[0].split() == ["CORPUS", "STATE", "EPOCHS", "SETTINGS", "METRIC", "PYTORCH", "GENSIM", "RUN"]
    assert {line.split()[-1] for line in lines[1:]} == {run.id for run in runs}  # every id whole
    row = next(line for line in lines if line.endswith(long_id))
    purity = {m: round(runs[0].metrics(m)[-1]["category_purity"], 3) for m in ("pytorch", "gensim")}
    assert row.split()[:-1] == [
        "toy-pos",
        "complete",
        "1/1",
        "sg",
        "neg",
        "d8",
        "w5",
        "purity",
        f"{purity['pytorch']:.3f}",
        f"{purity['gensim']:.3f}",
    ]
    shown = cli("--show-run", row.split()[-1], "--runs-dir", str(tmp_path / "runs"))
    assert shown.returncode == 0 and shown.stdout.startswith(f"run {long_id}: complete")
    ambiguous = cli("--show-run", "2", "--runs-dir", str(tmp_path / "runs"))
    assert ambiguous.returncode == 2 and "2 run ids begin with 2" in ambiguous.stderr  # both dated ids


def test_a_reader_that_goes_away_leaves_no_traceback(tmp_path):
    """`python -m lib.train --list-runs | head -1`: the pipe is closed before the program writes."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "lib.train", "--list-runs", "--runs-dir", str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    proc.stdout.close()  # the reader is gone long before the interpreter has started
    stderr = proc.stderr.read()
    assert proc.wait(60) == 1
    assert stderr == ""  # neither a traceback nor "error: [Errno 32] Broken pipe"

"""lib.config: settings that another setting would silently override are refused with a message."""

import pytest

from lib.config import CorpusConfig, TrainConfig


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"shared_negatives": True, "batch_negatives": 8}, "not both"),
        ({"batch_negatives": -1}, "batch_negatives"),
        ({"optimizer": "adam", "shared_negatives": True}, "shared_negatives is a speed option of SGD"),
        ({"optimizer": "adam", "batch_negatives": 16}, "batch_negatives is a speed option of SGD"),
        ({"loss": "softmax", "shared_negatives": True}, "does nothing with .*loss='softmax'"),
        ({"loss": "hs", "batch_negatives": 16}, "does nothing with .*loss='hs'"),
        ({"architecture": "cbow", "shared_negatives": True}, "only applies to skip-gram"),
        ({"optimizer": "adam", "loss": "hs"}, "SGD only"),
        ({"deterministic": True, "workers": 4}, "one worker thread"),
        ({"loss": "negative", "negative": 0}, "loss='hs' for none"),
        ({"loss": "nce"}, "loss must be one of negative, hs, softmax"),
    ],
)
def test_conflicting_settings_are_refused(settings, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**settings).validate()


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"loss": "hs"},
        {"loss": "hs", "architecture": "cbow"},
        {"loss": "softmax", "optimizer": "adam"},
        {"shared_negatives": True},
        {"architecture": "cbow", "batch_negatives": 16},
        {"deterministic": True, "workers": 1},
        {"shrink_windows": False},
    ],
)
def test_compatible_settings_pass(settings):
    assert (
        TrainConfig(**settings)
        .validate()
        .check_models(["pytorch", "gensim"] if settings.get("loss") != "softmax" else ["pytorch"])
    )


def test_full_softmax_with_gensim_says_to_train_pytorch_alone_or_pick_hs():
    with pytest.raises(ValueError, match="train the PyTorch model alone .*loss='hs'"):
        TrainConfig(loss="softmax").check_models(["pytorch", "gensim"])


def test_learning_rate_schedule_by_hand():
    cfg = TrainConfig(alpha=0.1, min_alpha=0.02)
    assert [cfg.learning_rate(p) for p in (0, 0.25, 1)] == pytest.approx([0.1, 0.08, 0.02])


def test_batch_rule_keeps_the_average_rows_summed_step():
    """Hand computation: skip-gram with K = 15 updates 1 + 1 + 15 rows per pair; CBOW with a fixed window of 5
    updates 10 context rows + 1 + 15; hs about log2(V) path nodes."""
    assert TrainConfig(negative=15, alpha=0.05).resolved_batch_size(20_000) == int(20_000 * 0.1 / (0.05 * 17))
    cbow = TrainConfig(architecture="cbow", shrink_windows=False, negative=15, alpha=0.01)
    assert cbow.resolved_batch_size(8_000) == int(8_000 * 0.1 / (0.01 * 26))
    assert TrainConfig(loss="hs").resolved_batch_size(1024) == int(1024 * 0.1 / (0.025 * 11))
    assert TrainConfig(architecture="cbow", alpha=0.1).resolved_batch_size(500) == 256  # the floor


def test_the_command_line_refuses_full_softmax_for_gensim_before_making_a_run(tmp_path, capsys):
    from lib.cli import main

    assert main(["--corpus", "toy-random", "--loss", "softmax", "--runs-dir", str(tmp_path), "--quiet"]) == 2
    assert "gensim has no full softmax" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_the_command_line_keeps_boolean_defaults_and_can_turn_them_off():
    from lib.cli import _config_from_args, build_parser

    parse = lambda *flags: _config_from_args(build_parser().parse_args(list(flags)), TrainConfig)  # noqa: E731
    assert parse() == TrainConfig()
    assert parse().shrink_windows is True and parse("--no-shrink-windows").shrink_windows is False
    assert parse("--shared-negatives").shared_negatives is True


@pytest.mark.parametrize("name", ["alpha", "min_alpha", "sample", "ns_exponent", "adam_lr"])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_numbers_are_refused(name, value):
    with pytest.raises(ValueError, match=f"{name} must be a finite number"):
        TrainConfig(**{name: value}).validate()


def test_the_seed_range_is_the_one_gensim_accepts():
    """gensim seeds numpy's RandomState with the seed: 0 … 2**32 - 1 train, one past either end fails inside
    gensim (after the PyTorch model has trained, without this check)."""
    from gensim.models import Word2Vec

    def gensim_takes(seed):
        try:
            Word2Vec([["a", "b", "c"]] * 5, vector_size=4, min_count=1, seed=seed, workers=1, epochs=1)
        except ValueError:
            return False
        return True

    for seed in (0, 2**32 - 1):
        assert gensim_takes(seed) and TrainConfig(seed=seed).validate().seed == seed
    for seed in (-1, 2**32):
        assert not gensim_takes(seed)
        with pytest.raises(ValueError, match=r"seed must be a whole number in 0 … 4294967295"):
            TrainConfig(seed=seed).validate()
    with pytest.raises(ValueError, match="corpus seed"):
        CorpusConfig("toy-pos", seed=-1).validate()


@pytest.mark.parametrize("seed", [0, 2**32 - 1])
def test_both_trainers_train_at_the_ends_of_the_seed_range(tmp_path, seed):
    from lib.train import train_run

    cfg = TrainConfig(epochs=1, dim=4, min_count=1, negative=2, workers=1, seed=seed)
    run = train_run(CorpusConfig("toy-pos", sentences=50), cfg, root=tmp_path)
    assert run.status()["state"] == "complete" and run.common_epochs() == [0, 1]


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"workers": 65}, "workers must be at most 64"),
        ({"workers": -1}, "cannot be negative"),
        ({"ns_exponent": 1.5}, r"ns_exponent must be in \[-1, 1\]"),
        ({"ns_exponent": -2.0}, r"ns_exponent must be in \[-1, 1\]"),
    ],
)
def test_thread_counts_and_exponents_out_of_range_are_refused(settings, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**settings).validate()


def test_the_ends_of_the_ranges_pass():
    for settings in (
        {"workers": 64},
        {"workers": 1},
        {"ns_exponent": -1.0},
        {"ns_exponent": 1.0},
        {"ns_exponent": 0.0},
    ):
        assert TrainConfig(**settings).validate()


def test_a_corpus_config_cannot_name_a_server_folder():
    """WikiText-2's folder is the server's setting ($WIKITEXT2_DIR): no field a page could fill names a folder,
    so lib.runs.jobs.command, which passes every field as a flag, never sends one."""
    from dataclasses import fields

    from lib.runs import jobs

    assert "wikitext_dir" not in {f.name for f in fields(CorpusConfig)}
    assert "--wikitext-dir" not in jobs.command(CorpusConfig("wikitext-2"), TrainConfig())


# ------------------------------------------------------------ every bad setting, through the command line


def _bad_files(tmp_path):
    (tmp_path / "no-section.txt").write_text("king queen man woman\n", encoding="utf-8")
    (tmp_path / "three-words.txt").write_text(": s\nking queen man\n", encoding="utf-8")
    (tmp_path / "one-column.tsv").write_text("apple fruit\npear fruit\n", encoding="utf-8")
    (tmp_path / "runs" / "taken").mkdir(parents=True)


NO_GPU = not __import__("torch").cuda.is_available()
BAD_SETTINGS = [  # flags, what the message says, whether it can be told without loading the corpus
    (["--seed", "-1"], "seed must be", True),
    (["--seed", str(2**32)], "seed must be", True),
    (["--corpus-seed", "-1"], "corpus seed", True),
    (["--alpha", "nan"], "alpha must be a finite number", True),
    (["--min-alpha", "inf"], "min_alpha must be a finite number", True),
    (["--sample", "nan"], "sample must be a finite number", True),
    (["--ns-exponent", "inf"], "ns_exponent must be a finite number", True),
    (["--adam-lr", "nan", "--optimizer", "adam"], "adam_lr must be a finite number", True),
    (["--workers", "1000"], "workers must be at most", True),
    (["--workers", "-1"], "cannot be negative", True),
    (["--dim", "0"], "dim must be a positive", True),
    (["--loss", "softmax"], "gensim has no full softmax", True),
    (["--models", "pytorch,word2vec"], "--models takes", True),
    (["--analogies", "{tmp}/no-section.txt"], "add a line ': name'", True),
    (["--analogies", "{tmp}/three-words.txt"], "a question is 4 words", True),
    (["--analogies", "{tmp}/missing.txt"], "does not exist", True),
    (["--categories", "{tmp}/one-column.tsv"], "write word<TAB>category", True),
    (["--run-id", "bad id!"], "A run id is letters", True),
    (["--run-id", "taken"], "There is a run taken already", True),
    pytest.param(["--device", "cuda"], "no CUDA GPU", True, marks=pytest.mark.skipif(not NO_GPU, reason="a GPU")),
    (["--corpus", "{tmp}/nowhere.txt"], "Unknown corpus", False),
    (["--corpus", "wikitext-2", "--wikitext-dir", "{tmp}/nowhere"], "is not a folder", False),
    (["--min-count", "100000"], "min_count", False),
]


@pytest.mark.parametrize("flags, message, before_corpus", BAD_SETTINGS)
def test_a_bad_setting_is_one_error_line_and_leaves_no_run_folder(
    tmp_path, capsys, monkeypatch, flags, message, before_corpus
):
    import lib.train
    from lib.cli import main

    _bad_files(tmp_path)
    if before_corpus:  # told before the corpus is loaded, which can take a while
        monkeypatch.setattr(lib.train, "load_corpus", lambda cfg: pytest.fail("the corpus was loaded"))
    monkeypatch.delenv("WIKITEXT2_DIR", raising=False)
    runs = tmp_path / "runs"
    argv = ["--corpus", "toy-pos", "--toy-sentences", "200", "--epochs", "1", "--quiet", "--runs-dir", str(runs)]
    argv += [flag.format(tmp=tmp_path) for flag in flags]
    assert main(argv) == 2
    out = capsys.readouterr()
    lines = out.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], out.err
    assert "Traceback" not in out.err + out.out
    assert [p.name for p in runs.iterdir()] == ["taken"]  # no new folder, not even an empty one


def test_the_command_line_process_prints_one_error_line_and_exits_2(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    done = subprocess.run(
        [sys.executable, "-m", "lib.train", "--alpha", "nan", "--quiet", "--runs-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["error: alpha must be a finite number (got nan)."]
    assert list(tmp_path.iterdir()) == []


def test_preparing_a_pytorch_only_setting_does_not_ask_for_gensim():
    """The Train page checks a toy corpus with prepare() before starting: full softmax is fine there; which models
    train is checked with them (check_settings(cfg, models))."""
    from lib.train import check_settings, prepare

    cfg = TrainConfig(loss="softmax", epochs=1, dim=4, min_count=1)
    assert len(prepare(CorpusConfig("toy-pos", sentences=50), cfg).vocab) == 10
    assert check_settings(cfg, ["pytorch"]) == cfg
    with pytest.raises(ValueError, match="gensim has no full softmax"):
        check_settings(cfg, ["pytorch", "gensim"])
    with pytest.raises(ValueError, match="at least one model"):
        check_settings(cfg, [])

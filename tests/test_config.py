"""lib.config: settings that another setting would silently override are refused with a message."""

import pytest

from lib.config import TrainConfig


@pytest.mark.parametrize("settings, message", [
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
])
def test_conflicting_settings_are_refused(settings, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**settings).validate()


@pytest.mark.parametrize("settings", [
    {}, {"loss": "hs"}, {"loss": "hs", "architecture": "cbow"}, {"loss": "softmax", "optimizer": "adam"},
    {"shared_negatives": True}, {"architecture": "cbow", "batch_negatives": 16}, {"deterministic": True, "workers": 1},
    {"shrink_windows": False},
])
def test_compatible_settings_pass(settings):
    assert TrainConfig(**settings).validate().check_models(["pytorch", "gensim"] if settings.get("loss") != "softmax"
                                                           else ["pytorch"])


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
    from lib.train import main

    assert main(["--corpus", "toy-random", "--loss", "softmax", "--runs-dir", str(tmp_path), "--quiet"]) == 2
    assert "gensim has no full softmax" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_the_command_line_keeps_boolean_defaults_and_can_turn_them_off():
    from lib.train import _config_from_args, build_parser

    parse = lambda *flags: _config_from_args(build_parser().parse_args(list(flags)), TrainConfig)  # noqa: E731
    assert parse() == TrainConfig()
    assert parse().shrink_windows is True and parse("--no-shrink-windows").shrink_windows is False
    assert parse("--shared-negatives").shared_negatives is True

"""Corpus presets: defaults, then the corpus's preset, then what is set; and what each default run teaches."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lib.config import CorpusConfig, TrainConfig
from lib.data.presets import preset, preset_config
from lib.runs.store import Run
from lib.train import train_run
from lib.views.evaluate import chance_neighbour_precision

ROOT = Path(__file__).resolve().parents[1]


def cli_run(tmp_path, *args) -> Run:
    out = subprocess.run(
        [sys.executable, "-m", "lib.train", "--runs-dir", str(tmp_path), "--json", "--quiet", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    return Run(Path(json.loads(out.stdout.splitlines()[-1])["run_dir"]))


def test_a_preset_changes_defaults_and_gives_way_to_what_is_set():
    assert preset_config("toy-proximity") == TrainConfig(dim=20, window=2, alpha=0.004)
    assert preset_config("toy-proximity", alpha=0.01, epochs=3) == TrainConfig(dim=20, window=2, alpha=0.01, epochs=3)
    assert preset_config("wikitext-2") == TrainConfig() == preset_config("/some/users/file.txt")
    preset("toy-proximity")["dim"] = 1  # a copy: the preset itself stays
    assert preset_config("toy-proximity").dim == 20


def test_the_command_line_uses_the_preset_unless_a_flag_says_otherwise(tmp_path):
    run = cli_run(tmp_path, "--corpus", "toy-random", "--toy-sentences", "200", "--epochs", "1", "--window", "4")
    saved = run.config["train"]
    assert (saved["dim"], saved["alpha"], saved["window"], saved["epochs"]) == (20, 0.004, 4, 1)
    assert run.config["preset"] == {"name": "toy-random", "settings": {"dim": 20, "window": 2, "alpha": 0.004}}


def _precision(run: Run, model: str) -> list[float]:
    return [m["neighbor_precision"] for m in run.metrics(model)]


@pytest.mark.slow
def test_toy_proximitys_default_run_learns_its_neighbours_and_keeps_them(tmp_path):
    runs = [cli_run(tmp_path / "cli", "--corpus", "toy-proximity")]  # no setting given: the preset decides
    runs += [
        train_run(
            CorpusConfig("toy-proximity", seed=seed), preset_config("toy-proximity", seed=seed), root=tmp_path / "seeds"
        )
        for seed in (2, 3)
    ]
    for run in runs:
        for model in run.models:
            precision = _precision(run, model)[1:]
            assert precision[-1] >= 0.85 and precision[-1] >= max(precision) - 0.05, (model, precision)


@pytest.mark.slow
def test_toy_random_under_the_same_preset_stays_near_chance(tmp_path):
    run = train_run(CorpusConfig("toy-random"), preset_config("toy-random"), root=tmp_path)
    chance = chance_neighbour_precision(run.config["true_neighbours"], run.config["vocab_size"])
    for model in run.models:
        assert abs(_precision(run, model)[-1] - chance) < 0.1, (model, _precision(run, model), chance)

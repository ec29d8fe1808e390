"""Shared fixtures: small trained runs (toy corpora, few epochs) in a temporary runs folder."""

import pytest

from lib.config import CorpusConfig, TrainConfig
from lib.train import train_run


@pytest.fixture(scope="session")
def runs_root(tmp_path_factory):
    """A runs folder holding one tiny toy-analogy run and one tiny toy-proximity run (trained once per session)."""
    return tmp_path_factory.mktemp("runs")


@pytest.fixture(scope="session")
def analogy_run(runs_root):
    cfg = TrainConfig(dim=16, epochs=3, min_count=1, seed=3, workers=1)
    return train_run(CorpusConfig("toy-analogy", sentences=3000), cfg, root=str(runs_root))


@pytest.fixture(scope="session")
def proximity_run(runs_root, analogy_run):
    """Trained after analogy_run, so it is the newest run (the one pages open by default)."""
    cfg = TrainConfig(dim=16, epochs=3, min_count=1, seed=3, workers=1)
    return train_run(CorpusConfig("toy-proximity", sentences=3000), cfg, root=str(runs_root))

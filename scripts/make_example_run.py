"""Remake the example run the app ships (data/example-run/): `python scripts/make_example_run.py`.

Home copies it into an empty runs folder, so a fresh machine shows charts at once instead of waiting for a trainer
process to start. It is an ordinary run: toy-proximity with the settings the Train page recommends for it (its
preset), both models, trained by this checkout's code on this machine, named so every page says what it is. Rerun
this after a change to the trainers, the evaluation or the run format (tests/test_store.py checks that it holds what
the run format now keeps; tests/test_pages_views.py opens the pages on it).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # scripts run with scripts/ on sys.path; lib is beside it

from lib.config import CorpusConfig
from lib.data.presets import preset_config
from lib.runs.listing import EXAMPLE_RUNS
from lib.train import train_run

CORPUS = CorpusConfig("toy-proximity")
NAME = "Example: toy-proximity, shipped with the app"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        run = train_run(CORPUS, preset_config(CORPUS.name), root=tmp)
        run.rename(NAME)
        shutil.rmtree(run.path / "cache", ignore_errors=True)
        (run.path / "progress.json").unlink(missing_ok=True)
        shutil.rmtree(EXAMPLE_RUNS, ignore_errors=True)
        shutil.copytree(run.path, EXAMPLE_RUNS / run.id)
        said = f"{run.summary()['state']}, epochs {run.common_epochs()}"
    print(f"{EXAMPLE_RUNS.relative_to(ROOT)}/{run.id}: {said}")


if __name__ == "__main__":
    main()

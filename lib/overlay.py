"""Many runs in one picture: their saved per-epoch metrics as one tidy frame, for Home's overlaid curves."""

from __future__ import annotations

import pandas as pd

from lib.store import Run, run_label

MAX_RUNS = 8  # runs overlaid at once: more colours than this stop telling runs apart
# metric key in metrics.json -> the name charts and tables give it
METRICS = {"loss": "probe loss", "analogy_accuracy": "analogy accuracy", "category_purity": "category purity",
           "words_per_sec": "words/s"}
COLUMNS = ["run", "model", "objective", "epoch", "metric", "value"]


def overlay_frame(runs: list[Run]) -> pd.DataFrame:
    """Every finished epoch of every model of `runs`: columns run (its label), model, objective (the run's loss
    setting), epoch, metric (a METRICS name), value; a metric a run did not measure is left out. words/s has no
    epoch 0 (the random start trains nothing)."""
    if len(runs) > MAX_RUNS:
        raise ValueError(f"Overlay at most {MAX_RUNS} runs at once (got {len(runs)}): leave some out.")
    rows = []
    for run in runs:
        label, objective = run_label(run.summary()), run.train_config.loss
        for model in run.models:
            for epoch, entry in enumerate(run.metrics(model)):
                for key, name in METRICS.items():
                    value = entry.get(key)
                    if value is not None and not (key == "words_per_sec" and epoch == 0):
                        rows.append((label, model, objective, epoch, name, float(value)))
    return pd.DataFrame(rows, columns=COLUMNS)

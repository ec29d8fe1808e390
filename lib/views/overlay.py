"""Many runs at once (Home's overlay of 2 to 8 runs): their saved per-epoch metrics as one tidy frame, the charts
that frame splits into, and the settings the runs differ in — like the run comparison of experiment trackers.

Everything is read from each run's saved metrics.json and config.json; nothing is recomputed.

>>> import tempfile
>>> from lib.config import CorpusConfig, TrainConfig
>>> from lib.train import train_run
>>> root = tempfile.mkdtemp()
>>> runs = [train_run(CorpusConfig("toy-pos", sentences=200), TrainConfig(epochs=1, dim=8, min_count=1, negative=3,
...         workers=1, window=w), root=root, run_id=f"w{w}") for w in (2, 5)]
>>> frame = overlay_frame(runs, ["A", "B"])
>>> sorted(frame["run"].unique()), sorted(frame["model"].unique()), sorted(frame["epoch"].unique().tolist())
(['A', 'B'], ['gensim', 'pytorch'], [0, 1])
>>> [p.metric for p in panels(frame)]
['loss', 'category_purity', 'words_per_sec']
>>> settings_table(runs, ["A", "B"]).to_dict("records")
[{'run': 'A', 'window': '2'}, {'run': 'B', 'window': '5'}]
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lib.runs.listing import run_label
from lib.runs.store import Run
from lib.views import compare

MIN_RUNS, MAX_RUNS = 2, 8
# The metrics overlaid, in the order the charts are shown: metrics.json key -> what a chart calls it
METRICS = {
    "loss": "probe loss",
    "analogy_accuracy": "analogy accuracy",
    "category_purity": "category purity",
    "words_per_sec": "words/s",
}
OBJECTIVES = {"negative": "negative sampling", "hs": "hierarchical softmax", "softmax": "full softmax"}
COLUMNS = ["run", "run_id", "objective", "model", "epoch", "metric", "value"]


def too_many(n: int) -> str | None:
    """Why n ticked runs cannot be overlaid (more than MAX_RUNS), or None."""
    if n > MAX_RUNS:
        extra = n - MAX_RUNS
        return (
            f"{n} runs are ticked; the overlay compares at most {MAX_RUNS} at once, so it is not drawn. "
            f"Untick {extra} run{'s' if extra > 1 else ''} to see it."
        )
    return None


def labels(runs: list[Run]) -> list[str]:
    """Each run's label (listing.run_label: its name or corpus · epochs · settings, then the end of its id)."""
    return [run_label(r.summary()) for r in runs]


def overlay_frame(runs: list[Run], names: list[str] | None = None) -> pd.DataFrame:
    """One row per run, model, epoch and metric of METRICS, from the runs' saved metrics.json: columns run (its
    label, or `names`), run_id, objective (the run's training loss: negative, hs or softmax), model, epoch,
    metric, value. Values a run did not save (no analogy questions; no speed at epoch 0) have no row.
    ValueError for more than MAX_RUNS runs, or a run whose metrics.json is damaged."""
    if len(runs) > MAX_RUNS:
        raise ValueError(too_many(len(runs)))
    names = labels(runs) if names is None else list(names)
    rows = []
    for run, name in zip(runs, names):
        objective = run.train_config.loss
        for model in run.models:
            for entry in run.metrics(model):
                for metric in METRICS:
                    value = entry.get(metric)
                    if value is not None:
                        rows.append((name, run.id, objective, model, entry["epoch"], metric, float(value)))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.astype({"epoch": "int64", "value": "float64"})


@dataclass(frozen=True)
class Panel:
    """One overlay chart: a metric's rows (of one objective, for the probe loss), its title and what it shows."""

    metric: str
    title: str
    rows: pd.DataFrame
    objective: str | None = None


def panels(frame: pd.DataFrame) -> list[Panel]:
    """The overlay's charts, in METRICS order, for the metrics some run saved: the probe loss once per objective
    (a run's probe loss is its own training objective, so only runs of one objective share a chart; objectives in
    OBJECTIVES order), then analogy accuracy, category purity and words/s across every run."""
    out = []
    for metric, name in METRICS.items():
        rows = frame[frame["metric"] == metric]
        if rows.empty:
            continue
        if metric != "loss":
            out.append(Panel(metric, f"{name[0].upper()}{name[1:]} per epoch", rows))
            continue
        order = list(OBJECTIVES)
        objectives = sorted(set(rows["objective"]), key=lambda o: (order.index(o) if o in order else len(order), o))
        for objective in objectives:
            title = "Probe loss per epoch" + (
                f" · {OBJECTIVES.get(objective, objective)} runs" if len(objectives) > 1 else ""
            )
            out.append(Panel(metric, title, rows[rows["objective"] == objective], objective))
    return out


def objectives_note(frame: pd.DataFrame) -> str | None:
    """Why the probe loss is split into one chart per objective, or None when every run has the same one."""
    objectives = set(frame.loc[frame["metric"] == "loss", "objective"])
    if len(objectives) < 2:
        return None
    names = ", ".join(name for key, name in OBJECTIVES.items() if key in objectives)
    return (
        f"The selected runs train different objectives ({names}). Each run's probe loss is its own "
        "objective on a fixed probe sample, and losses of different objectives are not on one scale, so the "
        "probe loss gets one chart per objective."
    )


def settings_table(runs: list[Run], names: list[str] | None = None) -> pd.DataFrame:
    """The settings the runs differ in (lib.views.compare.differing_settings): one row per run, its label first, one
    column per differing setting, values as text ("none" where a run lacks the setting). No settings columns
    when every setting is the same."""
    names = labels(runs) if names is None else list(names)
    table = pd.DataFrame({"run": names})
    for name, values in compare.differing_settings(runs):
        table[name] = ["none" if v is None else str(v) for v in values]
    return table

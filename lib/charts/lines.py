"""Charts over the epochs: metric lines, purity, accuracy and overlap lines, bars, and many runs overlaid."""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from lib.charts.common import legend_below, model_colour

# ------------------------------------------------------------ per-epoch lines


def metric_lines(
    frame: pd.DataFrame,
    metric: str,
    title: str,
    y_format: str = ",.4g",
    y_domain=None,
    height: int = 260,
    colours: dict[str, str] | None = None,
) -> alt.Chart:
    """One line per model (or side: `colours`) over the epochs; frame columns model, epoch, value (missing values
    are left out)."""
    rows = frame.dropna(subset=["value"])
    y_scale = alt.Scale(domain=list(y_domain)) if y_domain is not None else alt.Scale(zero=False)
    tooltip = ["model:N", "epoch:Q", alt.Tooltip("value:Q", title=metric, format=y_format)]
    x_title = "epoch"
    if "side_epoch" in rows:  # sides with different planned epochs, drawn on side A's (lib.views.analysis.sides_frame)
        x_title = "side A's epoch (side B at the same share of training)"
        tooltip[1:2] = [
            alt.Tooltip("side_epoch:Q", title="epoch of its run"),
            alt.Tooltip("epoch:Q", title="on side A's axis", format=".2f"),
        ]
    return (
        alt.Chart(rows)
        .mark_line(point=True)
        .encode(
            x=alt.X("epoch:Q", title=x_title, axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("value:Q", title=metric, scale=y_scale, axis=alt.Axis(format=y_format)),
            color=model_colour(colours=colours),
            tooltip=tooltip,
        )
        .properties(title=title, height=height + legend_below(colours))
    )  # the app fits the legend in the height


def similarity_lines(frame: pd.DataFrame, word_a: str, word_b: str, colours: dict[str, str] | None = None) -> alt.Chart:
    """Cosine similarity of one word pair over the epochs, one line per model."""
    return metric_lines(
        frame,
        "cosine similarity",
        f"cos({word_a}, {word_b}) after each epoch",
        y_format=".3f",
        y_domain=(-1, 1),
        colours=colours,
    )


def purity_lines(frame: pd.DataFrame, title: str = "Category purity after each epoch") -> alt.LayerChart:
    """Category purity (0..1) over the epochs, one line per model, and a dashed rule at its chance level.

    frame: rows model, epoch, value, chance (lib.views.clusters.purity_frame)."""
    lines = metric_lines(frame, "category purity", title, y_format=".2f", y_domain=(0, 1))
    chance = pd.DataFrame({"chance": [float(frame["chance"].dropna().mean())]})
    rule = (
        alt.Chart(chance)
        .mark_rule(color="#888888", strokeDash=[4, 3])
        .encode(y="chance:Q", tooltip=[alt.Tooltip("chance:Q", title="chance level", format=".2f")])
    )
    text = (
        alt.Chart(chance)
        .transform_calculate(label="'chance ' + format(datum.chance, '.2f')")
        .mark_text(align="right", dy=-7, x=alt.expr("width - 4"), color="#666666")  # clear of the epoch-0 points
        .encode(y="chance:Q", text="label:N")
    )
    return alt.layer(lines, rule, text)


def accuracy_lines(
    frame: pd.DataFrame, title: str = "Analogy accuracy after each epoch", colours: dict[str, str] | None = None
) -> alt.Chart:
    """Accuracy (0..1) over the epochs, one line per model (or side: `colours`), as percentages; the axis starts
    at 0 and ends a little above the best value (a 2% accuracy on a 0-100% axis would be a flat line)."""
    best = frame["value"].max()
    top = 1.0 if pd.isna(best) else min(1.0, max(0.05, 1.15 * float(best)))
    return metric_lines(frame, "accuracy", title, y_format=".0%", y_domain=(0, top), colours=colours)


def jaccard_lines(frame: pd.DataFrame, word: str, k: int, colours: dict[str, str] | None = None) -> alt.Chart:
    """How much a word's top-k neighbour list kept from the epoch before (Jaccard), one line per model."""
    return metric_lines(  # a short axis title: a long one, taller than the plot, pushed the chart's title out
        frame,
        f"Jaccard@{k}",
        f"How much of the top {k} of '{word}' stays from the epoch before",
        y_format=".0%",
        y_domain=(0, 1),
        colours=colours,
    )


# ------------------------------------------------------------ bars


def category_bars(
    frame: pd.DataFrame, title: str = "Accuracy per category", colours: dict[str, str] | None = None
) -> alt.Chart:
    """Grouped horizontal bars; frame columns model, section, accuracy (0..1), correct, total."""
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("section:N", title=None, sort=None, axis=alt.Axis(labelLimit=240)),
            yOffset=alt.YOffset("model:N"),
            x=alt.X("accuracy:Q", title="accuracy", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format=".0%")),
            color=model_colour(colours=colours),
            tooltip=["model:N", "section:N", alt.Tooltip("accuracy:Q", format=".1%"), "correct:Q", "total:Q"],
        )
        .properties(title=title)
    )


def log_ticks(values: pd.Series) -> list[float]:
    """1, 2 and 5 times the powers of ten from just below the smallest value to just above the largest: a log
    axis's ticks evenly spread, whatever the range."""
    positive = values[values > 0]
    if positive.empty:
        return []
    low, high = math.floor(math.log10(positive.min())), math.ceil(math.log10(positive.max()))
    ticks = [m * 10.0**e for e in range(low, high + 1) for m in (1, 2, 5)]
    below = max((t for t in ticks if t <= positive.min()), default=ticks[0])
    above = min((t for t in ticks if t >= positive.max()), default=ticks[-1])
    return [t for t in ticks if below <= t <= above]


def epoch_lines(frame: pd.DataFrame, title: str, y_title: str, log_y: bool = False) -> alt.Chart:
    """One line per model (colour) and measure (dash) over epochs; frame columns: model, epoch, measure, value."""
    scale = alt.Scale(type="log") if log_y else alt.Scale(zero=False)
    axis = alt.Axis(values=log_ticks(frame["value"].dropna()), format="~s") if log_y else alt.Axis()
    return (
        alt.Chart(frame, title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X("epoch:Q", title="epoch", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("value:Q", title=y_title, scale=scale, axis=axis),
            color=model_colour(),
            strokeDash=alt.StrokeDash(
                "measure:N", title=None, legend=alt.Legend() if frame["measure"].nunique() > 1 else None
            ),
            tooltip=["model:N", "measure:N", "epoch:Q", alt.Tooltip("value:Q", format=",.4g")],
        )
        .properties(height=280)
    )


def word_probability_bars(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Grouped horizontal bars, one group per word in the frame's order; frame columns: word, measure, value."""
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            x=alt.X("value:Q", title="probability", axis=alt.Axis(format="%")),
            y=alt.Y("word:N", title=None, sort=None),
            yOffset=alt.YOffset("measure:N"),
            color=alt.Color("measure:N", title=None, legend=alt.Legend(orient="bottom")),
            tooltip=["word:N", "measure:N", alt.Tooltip("value:Q", format=".2%")],
        )
        .properties(height=max(200, 48 * frame["word"].nunique()))
    )


# ------------------------------------------------------------ many runs overlaid (lib.views.overlay, Home)

RUN_COLOURS = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#b279a2", "#9d755d", "#72b7b2", "#333333")  # 8 runs
MODEL_DASHES = {"pytorch": [1, 0], "gensim": [6, 3]}  # solid and dashed, in every overlay chart
OVERLAY_FORMATS = {"loss": ",.4g", "analogy_accuracy": ".0%", "category_purity": ".2f", "words_per_sec": ",.0f"}


def run_colours(runs: list[str]) -> dict[str, str]:
    """One colour per run label, in order (the overlay's charts and its settings table, which is their legend)."""
    if len(runs) > len(RUN_COLOURS):
        raise ValueError(f"At most {len(RUN_COLOURS)} runs get a colour of their own (got {len(runs)}).")
    return dict(zip(runs, RUN_COLOURS))


def _model_legend() -> alt.Legend:
    """The dash legend of the overlay: solid PyTorch, dashed gensim, drawn as grey strokes."""
    return alt.Legend(
        orient="top",
        title=None,
        symbolType="stroke",
        symbolStrokeWidth=2,
        symbolSize=300,
        symbolStrokeColor="#555555",
        symbolFillColor="#555555",
        symbolOpacity=1,
    )


def overlay_lines(
    frame: pd.DataFrame,
    metric: str,
    title: str,
    runs: list[str],
    y_title: str | None = None,
    height: int = 340,
    run_legend: bool = False,
) -> alt.Chart:
    """Several runs' curves of one metric over the epochs: colour = run (run_colours of `runs`, every selected
    run's label, so a run keeps its colour in every chart even where it has no values), dash = model (solid
    PyTorch, dashed gensim). Accuracy and purity on a 0..1 axis (accuracy up to a little above its best), words/s on a
    log axis.
    The run legend is off by default (run labels are long; Home's settings table shows each run's colour).

    frame: rows of lib.views.overlay.overlay_frame for this metric (run, model, epoch, value)."""
    colours = run_colours(runs)
    y_format = OVERLAY_FORMATS.get(metric, ",.4g")
    if metric == "words_per_sec":
        scale = alt.Scale(type="log")
    elif metric == "analogy_accuracy":
        best = frame["value"].max()
        scale = alt.Scale(domain=[0, 1.0 if pd.isna(best) else min(1.0, max(0.05, 1.15 * float(best)))])
    elif metric == "category_purity":
        scale = alt.Scale(domain=[0, 1])
    else:
        scale = alt.Scale(zero=False)
    ticks = log_ticks(frame["value"].dropna()) if metric == "words_per_sec" else None
    axis = alt.Axis(format="~s", values=ticks) if ticks else alt.Axis(format=y_format)
    models = [m for m in MODEL_DASHES if m in set(frame["model"])] or list(MODEL_DASHES)
    model_legend = _model_legend()
    return (
        alt.Chart(frame, title=title)
        .mark_line(point=True, strokeWidth=2)
        .encode(
            x=alt.X("epoch:Q", title="epoch", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("value:Q", title=y_title or metric, scale=scale, axis=axis),
            color=alt.Color(
                "run:N",
                title="run",
                scale=alt.Scale(domain=list(colours), range=list(colours.values())),
                legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0) if run_legend else None,
            ),
            strokeDash=alt.StrokeDash(
                "model:N",
                title="model",
                scale=alt.Scale(domain=models, range=[MODEL_DASHES[m] for m in models]),
                legend=model_legend,
            ),
            tooltip=["run:N", "model:N", "epoch:Q", alt.Tooltip("value:Q", title=y_title or metric, format=y_format)],
        )
        .properties(height=height)
    )

"""Charts of the classic experiments: part of speech in 2D, random versus structured language."""

from __future__ import annotations

import altair as alt
import pandas as pd

from lib.charts.common import padded_domain

# ------------------------------------------------------------ part of speech in 2D (lib.classic.pos)


def pos_plane(
    points: pd.DataFrame,
    grid: pd.DataFrame,
    bounds,
    tag_colours: dict[str, str],
    title: str = "",
    subtitle: str = "",
    size: int = 380,
) -> alt.LayerChart:
    """The ten words at one step over the classifier's decision regions.

    points: rows step, word, tag, x, y, predicted, correct (one step); grid: cells x, x2, y, y2, tag (from
    lib.classic.pos.decision_grid); bounds: (x_min, x_max, y_min, y_max) fixed for the whole animation."""
    colour_scale = alt.Scale(domain=list(tag_colours), range=list(tag_colours.values()))
    x = alt.X("x:Q", scale=alt.Scale(domain=[bounds[0], bounds[1]], nice=False), title="dimension 1")
    y = alt.Y("y:Q", scale=alt.Scale(domain=[bounds[2], bounds[3]], nice=False), title="dimension 2")
    regions = (
        alt.Chart(grid)
        .mark_rect(opacity=0.22, strokeWidth=0)
        .encode(
            x=x,
            x2="x2:Q",
            y=y,
            y2="y2:Q",
            color=alt.Color("tag:N", scale=colour_scale, title="true tag / region"),
            tooltip=[alt.Tooltip("tag:N", title="classifier says")],
        )
    )
    dots = (
        alt.Chart(points)
        .mark_point(size=130, filled=True, opacity=1)
        .encode(
            x=x,
            y=y,
            color=alt.Color("tag:N", scale=colour_scale),
            stroke=alt.condition("datum.correct", alt.value("#222222"), alt.value("#ffffff")),
            strokeWidth=alt.value(1.5),
            tooltip=[
                "word:N",
                alt.Tooltip("tag:N", title="true tag"),
                alt.Tooltip("predicted:N", title="predicted"),
                alt.Tooltip("x:Q", format=".2f"),
                alt.Tooltip("y:Q", format=".2f"),
            ],
        )
    )
    spread = spread_labels(points, bounds)
    label_y = alt.Y("label_y:Q", scale=alt.Scale(domain=[bounds[2], bounds[3]], nice=False))
    labels = alt.Chart(spread).mark_text(align="left", dx=9, fontSize=13).encode(x=x, y=label_y, text="word:N")
    moved = spread[(spread["label_y"] - spread["y"]).abs() > 1e-12]  # a label moved off its dot's height
    leaders = (  # a thin line from the dot to its label's height, so a label that had to move says whose it is
        alt.Chart(moved).mark_rule(color="#444444", strokeWidth=0.8, opacity=0.8).encode(x=x, y=y, y2="label_y:Q")
    )
    heading = alt.Title(title, subtitle=subtitle, anchor="start") if subtitle else title
    return (
        alt.layer(regions, leaders, dots, labels)
        .properties(title=heading, width=size, height=size)
        .configure_legend(orient="bottom", columns=4 if size >= 340 else 2)
    )


def spread_labels(points: pd.DataFrame, bounds, gap: float = 0.055) -> pd.DataFrame:
    """points with a label_y column: each label at its point's height, or, where that would overlap a label
    already placed, the nearest free height one or more label-heights above or below (words of one tag often sit
    on top of each other). gap: a label's height as a share of the plot."""
    height, width = gap * (bounds[3] - bounds[2]), 0.12 * (bounds[1] - bounds[0])
    placed: list[tuple[float, float]] = []
    label_y = {}
    for row in points.sort_values("y", ascending=False).itertuples():
        candidates = [row.y + k * height for k in (0, -1, 1, -2, 2, -3, 3, -4, 4)]
        y = next(
            (c for c in candidates if all(abs(px - row.x) >= width or abs(py - c) >= height for px, py in placed)),
            candidates[-1],
        )
        placed.append((row.x, y))
        label_y[row.Index] = y
    return points.assign(label_y=pd.Series(label_y))


def pos_curves(history: pd.DataFrame, step: int | None, width: int = 380) -> alt.VConcatChart:
    """Loss (log scale) and accuracy over the training steps, a rule marking the step shown in the plane (none for
    step None).

    history: rows step, loss, accuracy."""
    rule = (
        alt.Chart(pd.DataFrame({"step": [] if step is None else [step]}))
        .mark_rule(color="#888888", strokeDash=[4, 3])
        .encode(x="step:Q")
    )
    x = alt.X("step:Q", title="step")
    loss = (
        alt.Chart(history)
        .mark_line(color="#4c78a8")
        .encode(
            x=x,
            y=alt.Y("loss:Q", title="cross-entropy loss", scale=alt.Scale(type="log")),
            tooltip=["step:Q", alt.Tooltip("loss:Q", format=".4f")],
        )
    )
    accuracy = (
        alt.Chart(history)
        .mark_line(color="#54a24b", interpolate="step-after")
        .encode(
            x=x,
            y=alt.Y("accuracy:Q", title="accuracy", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
            tooltip=["step:Q", alt.Tooltip("accuracy:Q", format=".0%")],
        )
    )
    return alt.vconcat(
        (loss + rule).properties(width=width, height=150), (accuracy + rule).properties(width=width, height=150)
    )


# ------------------------------------------------------ random versus structured language (lib.classic.experiments)


def precision_lines(frame: pd.DataFrame, epoch: int | None = None) -> alt.LayerChart:
    """Neighbour precision over epochs: colour = language, dash = model; a grey dashed rule at the chance level,
    and a rule at the epoch shown elsewhere on the page.

    frame: rows language, model, series, epoch, neighbor_precision, chance."""
    rows = frame.dropna(subset=["neighbor_precision"])
    lines = (
        alt.Chart(rows)
        .mark_line(point=True)
        .encode(
            x=alt.X("epoch:Q", title="epoch", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("neighbor_precision:Q", title="neighbour precision", scale=alt.Scale(domain=[0, 1])),
            color=alt.Color(
                "language:N",
                title="language",
                scale=alt.Scale(domain=["toy-random", "toy-proximity"], range=["#9d755d", "#54a24b"]),
            ),
            strokeDash=alt.StrokeDash(
                "model:N", title="model", scale=alt.Scale(domain=["pytorch", "gensim"], range=[[1, 0], [6, 3]])
            ),
            shape=alt.Shape(
                "model:N", title="model", scale=alt.Scale(domain=["pytorch", "gensim"], range=["circle", "square"])
            ),
            tooltip=["series:N", "epoch:Q", alt.Tooltip("neighbor_precision:Q", format=".3f")],
        )
    )
    chance = pd.DataFrame({"chance": [float(frame["chance"].mean())]})
    chance_rule = (
        alt.Chart(chance)
        .mark_rule(color="#888888", strokeDash=[2, 2])
        .encode(y="chance:Q", tooltip=[alt.Tooltip("chance:Q", title="chance level", format=".3f")])
    )
    chance_text = (
        alt.Chart(chance)
        .transform_calculate(label="'chance ' + format(datum.chance, '.2f')")
        .mark_text(align="left", dy=-7, color="#666666", x=4)
        .encode(y="chance:Q", text="label:N")
    )
    layers = [lines, chance_rule, chance_text]
    if epoch is not None:
        layers.append(alt.Chart(pd.DataFrame({"epoch": [epoch]})).mark_rule(color="#bbbbbb").encode(x="epoch:Q"))
    return alt.layer(*layers).properties(height=300, title="Neighbour precision per epoch")


def alphabet_scatter(frame: pd.DataFrame, epoch: int, size: int = 260) -> alt.FacetChart:
    """Every word's aligned PCA position at one epoch, one panel per language (rows) and model (columns). Colour
    runs along the alphabet and a faint line joins aaa→bbb→…→zzz: a smooth path means the vectors learned the
    alphabet's order. Axes span every epoch, so playing the epochs never rescales them.

    frame: rows language, model, series, epoch, word, x, y, letter (all epochs)."""
    x = alt.X("x:Q", scale=alt.Scale(domain=padded_domain(frame["x"])), axis=None)
    y = alt.Y("y:Q", scale=alt.Scale(domain=padded_domain(frame["y"])), axis=None)
    base = alt.Chart().encode(x=x, y=y)
    path = base.mark_line(color="#cccccc", strokeWidth=1).encode(order="letter:Q")
    dots = base.mark_circle(size=70, opacity=0.9).encode(
        color=alt.Color(
            "letter:Q",
            title="letter",
            scale=alt.Scale(scheme="viridis", domain=[0, 25]),
            legend=alt.Legend(values=[0, 25], labelExpr="datum.value == 0 ? 'aaa' : 'zzz'"),
        ),
        tooltip=["word:N", "series:N"],
    )
    labels = base.mark_text(dy=-9, fontSize=10, color="#333333").encode(text="word:N")
    now = frame[frame["epoch"] == epoch]
    return (
        alt.layer(path, dots, labels, data=now)
        .properties(width=size, height=size)
        .facet(
            row=alt.Row("language:N", title=None, sort=["toy-random", "toy-proximity"]),
            column=alt.Column("model:N", title=None, sort=["pytorch", "gensim"]),
        )
        .properties(title=f"Aligned PCA of all 26 words · epoch {epoch}")
    )


def similarity_heatmap(frame: pd.DataFrame, word: str) -> alt.FacetChart:
    """Cosine similarity of `word` to every other word (columns, in alphabetical order) after each epoch (rows),
    one panel per series; a dot marks the designed neighbours.

    frame: rows language, model, series, epoch, other, similarity, designed."""
    base = alt.Chart().encode(
        x=alt.X("other:O", title=f"similarity of {word} to …", sort="ascending", axis=alt.Axis(labelAngle=-60)),
        y=alt.Y("epoch:O", title="epoch"),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "similarity:Q", title="cosine", scale=alt.Scale(scheme="redblue", domain=[-1, 1], reverse=True)
        ),
        tooltip=["series:N", "epoch:O", "other:N", alt.Tooltip("similarity:Q", format=".3f"), "designed:N"],
    )
    marks = base.transform_filter("datum.designed").mark_point(shape="circle", size=12, filled=True, color="#000000")
    return (
        alt.layer(cells, marks, data=frame)
        .properties(width=360, height=alt.Step(14))
        .facet(
            facet=alt.Facet(
                "series:N",
                title=None,
                sort=[f"{lang} · {m}" for lang in ("toy-random", "toy-proximity") for m in ("pytorch", "gensim")],
            ),
            columns=2,
        )
    )

"""Charts of one training step: the repeat lines and vectors as strips."""

from __future__ import annotations

import altair as alt
import pandas as pd

from lib.charts.common import model_colour

# ------------------------------------------------------------ one training step (lib.views.one_step)


def step_lines(frame: pd.DataFrame, title: str = "Repeating the step") -> alt.FacetChart:
    """One panel per measure (each its own y scale), one line per model over the steps; frame columns: model,
    step, measure, value (lib.views.step_measures.long_steps)."""
    return (
        alt.Chart(frame)
        .mark_line(point=alt.OverlayMarkDef(size=18))
        .encode(
            x=alt.X("step:Q", title="step", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)),
            color=model_colour(),
            tooltip=["model:N", "measure:N", "step:Q", alt.Tooltip("value:Q", format=",.4g")],
        )
        .properties(width=230, height=170)
        .facet(facet=alt.Facet("measure:N", title=None, sort=None), columns=2, title=title)
        .resolve_scale(y="independent")
    )


def vector_strip(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Vectors as strips of coloured cells, one row per vector, one cell per dimension (red negative, blue
    positive, one colour scale for all rows); frame columns: vector, dimension, value."""
    bound = float(frame["value"].abs().max()) or 1.0
    return (
        alt.Chart(frame, title=title)
        .mark_rect()
        .encode(
            x=alt.X("dimension:O", title="dimension", axis=alt.Axis(labels=len(frame["dimension"].unique()) <= 32)),
            y=alt.Y("vector:N", title=None, sort=None),
            color=alt.Color("value:Q", scale=alt.Scale(scheme="redblue", domain=[-bound, bound]), title="value"),
            tooltip=["vector:N", "dimension:O", alt.Tooltip("value:Q", format=",.4g")],
        )
        .properties(height=alt.Step(26))  # a fixed band per vector (a total height was squashed by the page's width)
    )

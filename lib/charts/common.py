"""What every chart shares: the models' colours, their legend, padded axis domains."""

from __future__ import annotations

import altair as alt
import pandas as pd

MODEL_COLOURS = {"pytorch": "#e45756", "gensim": "#4c78a8"}  # the same colour for a model in every chart
SECOND_COLOUR = "#54a24b"  # side B when both sides of a comparison are the same model (of two runs)


def side_colours(labels: tuple[str, str], models: tuple[str, str]) -> dict[str, str]:
    """Colours for the two sides of a comparison (lib.views.compare.Sides.labels and each side's model): each side its
    model's colour, and side B another colour when both sides are the same model."""
    first, second = MODEL_COLOURS[models[0]], MODEL_COLOURS[models[1]]
    return {labels[0]: first, labels[1]: second if second != first else SECOND_COLOUR}


def model_colour(title: str = "model", colours: dict[str, str] | None = None) -> alt.Color:
    """Colour by the "model" column: the models' own colours, or `colours` (side_colours) for two sides."""
    colours = colours or MODEL_COLOURS
    scale = alt.Scale(domain=list(colours), range=list(colours.values()))
    if legend_below(colours):  # two runs' sides: the whole labels, one a line below the chart (they differ at
        legend = alt.Legend(orient="bottom", direction="vertical", labelLimit=0)  # their end, which a legend
        return alt.Color("model:N", scale=scale, title="side", legend=legend)  # beside the chart cuts off)
    return alt.Color("model:N", scale=scale, title=title)


def legend_below(colours: dict[str, str] | None) -> int:
    """The height (px) a legend of long side labels takes below a chart (0: the legend sits beside it)."""
    return 70 + 30 * len(colours) if colours and max(map(len, colours)) > 24 else 0


def padded_domain(values: pd.Series, pad: float = 0.05, quantile: float = 0.0) -> list[float]:
    """[min, max] widened a little, so points on the edge stay visible; with quantile q > 0, the q and 1 - q
    quantiles instead, so a few outlying points do not shrink everything else into the middle."""
    low, high = float(values.quantile(quantile)), float(values.quantile(1 - quantile))
    span = (high - low) or 1.0
    return [low - pad * span, high + pad * span]

"""Embedding space charts: one side's words at one epoch (labelled, coloured, clickable) and two sides side by side."""

from __future__ import annotations

import warnings

import altair as alt
import pandas as pd

from lib.charts.common import padded_domain

# ------------------------------------------------------------ embedding space

ALL_LABELS_UP_TO = 80  # up to this many words, every one is offered a label (where it fits); more are thinned
NO_GROUP_COLOUR = "#bbbbbb"  # words without a category: grey and small
PICK = "pick"  # the click selection of a word, shared by both panels (read by the page through on_select)
LABEL_FONT = 11  # px; label boxes below are estimated from it
OUTLIERS = 0.01  # the axes leave out this share of points at each end (of every epoch together); they sit on the edge


def label_mask(rows: pd.DataFrame, priority, x_domain, y_domain, width: int, height: int) -> pd.Series:
    """Which rows get a text label: rows in `priority` order (words; rows of other words never), each kept unless
    its label box (right of the point, estimated from the word's length) overlaps one already kept or leaves the
    panel, so labels never pile on each other. rows: one model at one epoch with word, x, y."""

    def to_px(value, domain, size):
        return (value - domain[0]) / ((domain[1] - domain[0]) or 1.0) * size

    where = {
        row.word: (to_px(row.x, x_domain, width), height - to_px(row.y, y_domain, height)) for row in rows.itertuples()
    }
    boxes, kept = [], set()
    for word in dict.fromkeys(priority):
        if word not in where:
            continue
        px, py = where[word]
        box = (px + 4, py - LABEL_FONT / 2 - 1, px + 6 + 0.62 * LABEL_FONT * len(word), py + LABEL_FONT / 2 + 1)
        inside = box[0] >= 0 and box[2] <= width + 40 and box[1] >= -4 and box[3] <= height + 4
        if inside and not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes):
            boxes.append(box)
            kept.add(word)
    return rows["word"].isin(kept)


def label_priority(rows: pd.DataFrame, marked=(), top: int = 30) -> list[str]:
    """The words to label when there are too many for all, most important first: marked words (highlighted,
    clicked, a clicked word's neighbours), then the words with a group (category) and the `top` most frequent,
    by frequency rank."""
    by_rank = rows.sort_values("rank")
    wanted = set(by_rank.loc[by_rank["group"] != "", "word"]) | set(by_rank["word"].head(top))
    return list(dict.fromkeys([*marked, *(w for w in by_rank["word"] if w in wanted)]))


def group_colour(rows: pd.DataFrame) -> alt.Color | alt.ColorValue:
    """Colour by meaning: along a sequential scale for ordered groups (the alphabet), by category otherwise
    (words without one grey), one colour when no word has a group."""
    if rows["order"].notna().all() and len(rows):
        names = rows.sort_values("order")
        first, last = names["word"].iloc[0], names["word"].iloc[-1]
        top = float(rows["order"].max())
        return alt.Color(
            "order:Q",
            title="position",
            scale=alt.Scale(scheme="viridis", domain=[0, top]),
            legend=alt.Legend(values=[0, top], labelExpr=f"datum.value == 0 ? '{first}' : '{last}'"),
        )
    groups = sorted(g for g in rows["group"].unique() if g)
    if not groups:
        return alt.value("#4c78a8")
    scheme = "category10" if len(groups) <= 10 else "tableau20"
    return alt.condition(
        "datum.group == ''",
        alt.value(NO_GROUP_COLOUR),
        alt.Color("group:N", title="category", scale=alt.Scale(domain=groups, scheme=scheme)),
    )


def _marked_layers(rows, now, labelled, x, y, highlight, marked, tooltip) -> list[alt.Chart]:
    """The highlighted words' paths over every epoch, and a ring and a bold label for each marked word (highlighted,
    clicked or a clicked word's neighbour) at this epoch."""
    layers = []
    if highlight:
        path_rows = rows[rows["word"].isin(list(highlight))]
        layers.append(
            alt.Chart(path_rows)
            .mark_line(point=alt.OverlayMarkDef(size=18), strokeWidth=1.5, opacity=0.8)
            .encode(
                x=x, y=y, detail="word:N", order="epoch:Q", color=alt.value("#222222"), tooltip=["word:N", "epoch:Q"]
            )
        )
    if marked:
        ends = now[now["word"].isin(marked)]
        layers.append(
            alt.Chart(ends)
            .mark_point(size=160, shape="circle", strokeWidth=2, color="#000000")
            .encode(x=x, y=y, tooltip=tooltip)
        )
        layers.append(
            alt.Chart(ends[ends["word"].isin(labelled["word"])])
            .mark_text(align="left", dx=5, fontSize=LABEL_FONT + 1, fontWeight="bold")
            .encode(x=x, y=y, text="word:N")
        )
    return layers


def embedding_panel(
    frame: pd.DataFrame,
    model: str,
    epoch: int,
    highlight=(),
    focus=(),
    top_labels: int = 30,
    width: int = 440,
    height: int = 440,
    axes: tuple[str, str] | None = None,
) -> alt.LayerChart:
    """One model's words at one epoch: coloured by meaning, labelled without overlaps, clickable (the PICK
    selection); highlighted words also show their path over every epoch, focus words (a clicked word and its
    nearest neighbours) are ringed.

    frame: projection rows (lib.views.projection.COLUMNS) for all epochs. The axes span every epoch, so playing through
    the epochs never rescales them. axes: titles for x and y when they mean something (lib.views.word_axes), drawn with
    their zero lines; a projection's axes are hidden."""
    rows = frame[frame["model"] == model]
    if rows.empty:
        raise ValueError(f"The projection has no rows for model {model!r}.")
    cut = 0.0 if axes else OUTLIERS  # cosines on axes of words are bounded, and the axes' own words sit at the ends
    x_domain, y_domain = padded_domain(rows["x"], 0.08, cut), padded_domain(rows["y"], 0.08, cut)
    x = alt.X("x:Q", scale=alt.Scale(domain=x_domain), axis=alt.Axis(title=axes[0]) if axes else None)
    y = alt.Y("y:Q", scale=alt.Scale(domain=y_domain), axis=alt.Axis(title=axes[1]) if axes else None)
    now = rows[rows["epoch"] == epoch]
    marked = list(dict.fromkeys([*highlight, *focus]))
    # few words: each is offered a label (marked words first, then by frequency); many: marked, category and top words
    few = len(now) <= ALL_LABELS_UP_TO
    priority = [*marked, *now.sort_values("rank")["word"]] if few else label_priority(now, marked, top_labels)
    labelled = now[label_mask(now, priority, x_domain, y_domain, width, height)]  # labels never overlap
    has_groups = bool((rows["group"] != "").any())
    tooltip = ["word:N", alt.Tooltip("count:Q", format=","), alt.Tooltip("rank:Q", title="frequency rank"), "epoch:Q"]
    tooltip += [alt.Tooltip("group:N", title="category")] if has_groups else []
    pick = alt.selection_point(name=PICK, fields=["word"], on="click", clear="dblclick")
    size = alt.condition("datum.group == ''", alt.value(18), alt.value(46)) if has_groups else alt.value(40)
    points = (
        alt.Chart(now)
        .mark_circle(opacity=0.75, clip=True)
        .encode(x=x, y=y, color=group_colour(rows), size=size, tooltip=tooltip)
        .add_params(pick)
    )
    plain = labelled[~labelled["word"].isin(marked)]  # marked words get a bold label of their own below
    labels = (
        alt.Chart(plain)
        .mark_text(align="left", dx=5, fontSize=LABEL_FONT, color="#333333", clip=True)
        .encode(x=x, y=y, text="word:N", tooltip=tooltip)
    )
    layers = [points, labels]
    if axes:  # the zero lines (after the points: the zoom's interval needs a first layer with x and y)
        layers += [
            alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="#bbbbbb").encode(x=x),
            alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="#bbbbbb").encode(y=y),
        ]
    layers += _marked_layers(rows, now, labelled, x, y, highlight, marked, tooltip)
    zoom = alt.selection_interval(bind="scales", name="zoom_" + "".join(ch for ch in model if ch.isalnum()))
    return alt.layer(*layers).add_params(zoom).properties(title=f"{model} · epoch {epoch}", width=width, height=height)


def embedding_scatter(
    frame: pd.DataFrame,
    epoch: int,
    highlight=(),
    models=None,
    focus=None,
    top_labels: int = 30,
    width: int = 440,
    height: int = 440,
) -> alt.HConcatChart:
    """Both models side by side at one epoch (zoom and pan with the mouse, click a word to select it in both),
    legend below, so the two panels keep the page's width. focus: {model: words to ring in that model's panel}."""
    models = list(models) if models is not None else list(dict.fromkeys(frame["model"]))
    focus = focus or {}
    panels = [embedding_panel(frame, m, epoch, highlight, focus.get(m, ()), top_labels, width, height) for m in models]
    with warnings.catch_warnings():  # both panels carry the same PICK selection on purpose: one click, both panels
        warnings.filterwarnings("ignore", message="Automatically deduplicated selection parameter")
        chart = alt.hconcat(*panels)
    return chart.resolve_scale(color="shared").configure_legend(orient="bottom", columns=6)


# ------------------------------------------------------------ two sides (lib.views.compare.Sides)


def sides_scatter(
    frame: pd.DataFrame,
    epochs: dict[str, int],
    highlight=(),
    focus=None,
    top_labels: int = 30,
    width: int = 440,
    height: int = 440,
    axes: tuple[str, str] | None = None,
) -> alt.HConcatChart:
    """embedding_scatter for two sides, each at its own epoch (side B of another run at its matched epoch):
    epochs is {side label (the frame's "model"): epoch}, in drawing order; a side with no rows is left out.
    axes: the x and y titles of axes made of words (embedding_panel)."""
    focus = focus or {}
    panels = [
        embedding_panel(frame, side, epoch, highlight, focus.get(side, ()), top_labels, width, height, axes)
        for side, epoch in epochs.items()
        if ((frame["model"] == side) & (frame["epoch"] == epoch)).any()
    ]
    if not panels:
        raise ValueError("The projection has no rows for these sides and epochs.")
    with warnings.catch_warnings():  # both panels carry the same PICK selection on purpose: one click, both panels
        warnings.filterwarnings("ignore", message="Automatically deduplicated selection parameter")
        chart = alt.hconcat(*panels)
    return chart.resolve_scale(color="shared").configure_legend(orient="bottom", columns=6)

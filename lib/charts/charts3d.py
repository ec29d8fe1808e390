"""The app's 3D views: pure functions from a tidy projection frame (with x, y, z) to a plotly Figure.

Every 2D chart is Altair (lib/charts/__init__.py); plotly draws only what Altair cannot, a rotatable 3D scatter. Colours
follow the 2D charts: a category's colour is Vega's (category10, or tableau20 past 10 categories), words without
one grey, an ordered language (the alphabet) along viridis. Pages show the figure with st.plotly_chart and no
on_select, so rotating, zooming and hovering stay in the browser and never rerun the page.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

# Vega's schemes, so a category has the colour it has in the 2D view
CATEGORY10 = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
]
TABLEAU20 = [
    "#4c78a8",
    "#9ecae9",
    "#f58518",
    "#ffbf79",
    "#54a24b",
    "#88d27a",
    "#b79a20",
    "#f2cf5b",
    "#439894",
    "#83bcb6",
    "#e45756",
    "#ff9d98",
    "#79706e",
    "#bab0ac",
    "#d67195",
    "#fcbfd2",
    "#b279a2",
    "#d6a5c9",
    "#9e765f",
    "#d8b5a5",
]
NO_GROUP_COLOUR = "#bbbbbb"  # as lib.charts.NO_GROUP_COLOUR
ONE_COLOUR = "#4c78a8"
ALL_LABELS_UP_TO = 40  # a panel with at most this many words labels each; more: the marked and most frequent ones
BELOW_LEGEND = 40  # px between the scenes and the figure's own slider and Play button (the legend is there)
# Kept constant: plotly keeps the reader's camera across redraws with the same uirevision. Streamlit 1.67 does not
# pass that on: every epoch drawn (its slider, or this figure's own frames: redraw=False keeps the camera but draws no
# new points in 3D) starts from the first camera again (streamlit/streamlit#8882); a plain plotly page keeps it.
UIREVISION = "embedding-3d"


def group_colours(groups) -> dict[str, str]:
    """{category: colour} as the 2D view colours them (sorted categories; "" grey)."""
    names = sorted(g for g in set(groups) if g)
    scheme = CATEGORY10 if len(names) <= 10 else TABLEAU20
    return {"": NO_GROUP_COLOUR, **{g: scheme[i % len(scheme)] for i, g in enumerate(names)}}


def _range(values: pd.Series, pad: float = 0.08) -> list[float]:
    low, high = float(values.min()), float(values.max())
    span = (high - low) or 1.0
    return [low - pad * span, high + pad * span]


def _xyz(rows: pd.DataFrame) -> dict[str, list[float]]:
    """x, y, z as plain lists: the figure's JSON then holds numbers, not base64-packed arrays."""
    return {axis: rows[axis].astype(float).tolist() for axis in "xyz"}


def wrap_title(text: str, width: int = 52) -> str:
    """A panel title broken (<br>) between its " · " parts so no line is longer than `width` characters where
    that can be: a side's label names its run, and a scene is half the page wide."""
    lines = [""]
    for part in text.split(" · "):
        joined = f"{lines[-1]} · {part}" if lines[-1] else part
        if len(joined) > width and lines[-1]:
            lines.append(part)
        else:
            lines[-1] = joined
    return "<br>".join(lines)


def _hover(rows: pd.DataFrame) -> list[str]:
    has_groups = bool((rows["group"] != "").any()) if "group" in rows else False
    return [
        f"{r.word}"
        + (f"<br>category: {r.group or 'none'}" if has_groups else "")
        + (f"<br>frequency rank: {r.rank}" if "rank" in rows else "")
        for r in rows.itertuples()
    ]


class _Panel(NamedTuple):
    """One scene's fixed parts: its rows over every epoch, its words in drawing order, its groups (and their legend
    names, and which of them this panel adds to the legend), the words it labels and where its traces go."""

    name: str
    every: pd.DataFrame
    order: list[str]
    groups: list[str]
    names: list[str]
    legend: list[bool]
    labelled: set[str]
    where: dict


class _Style(NamedTuple):
    """How every scene colours its points: along an order (the alphabet: colour scale, first and last word), or by
    group (colours); path: a grey line through the words in their order."""

    ordered: bool
    colours: dict[str, str]
    top: float
    ends: pd.Series | None
    path: bool


def _layout(frame: pd.DataFrame, panels: list[str], cols: int, style: _Style, highlight, top_labels: int) -> list:
    """The _Panel of each panel, in drawing order (each group enters the legend once, in the first panel with it)."""
    shown: set[str] = set()
    out = []
    for i, panel in enumerate(panels):
        every = frame[frame["model"] == panel]
        words = every.drop_duplicates("word")
        words = words.sort_values("rank", kind="stable") if "rank" in words else words
        groups = sorted(set(words["group"]), key=lambda g: (g == "", g))
        names = [g or ("no category" if len(style.colours) > 1 else "words") for g in groups]
        legend = [n not in shown for n in names]
        shown.update(names)
        few = len(words) <= ALL_LABELS_UP_TO
        labelled = set(words["word"]) if few else set(highlight) | set(words["word"].head(top_labels))
        where = dict(row=i // cols + 1, col=i % cols + 1)
        out.append(_Panel(panel, every, list(words["word"]), groups, names, legend, labelled, where))
    return out


def _ordered_markers(now: pd.DataFrame, panel: str, first: bool, style: _Style) -> go.Scatter3d:
    """Points coloured along the order, with the colour bar (first and last word) on the first panel only."""
    bar = dict(
        title="position",
        tickvals=[0, style.top],
        len=0.5,
        thickness=12,
        ticktext=[style.ends.iloc[0], style.ends.iloc[-1]],
    )
    return go.Scatter3d(
        **_xyz(now),
        mode="markers",
        name=panel,
        text=now["word"].tolist(),
        hovertext=_hover(now),
        hoverinfo="text",
        showlegend=False,
        marker=dict(
            size=5,
            color=now["order"].tolist(),
            colorscale="Viridis",
            cmin=0,
            cmax=style.top,
            opacity=0.9,
            showscale=first,
            colorbar=bar,
        ),
    )


def _group_markers(now: pd.DataFrame, panel: _Panel, style: _Style) -> list[go.Scatter3d]:
    """One trace of points per group, in the group's colour (words without one small and grey)."""
    out = []
    many = len(style.colours) > 1
    for group, name, show in zip(panel.groups, panel.names, panel.legend):
        part = now[now["group"] == group]
        marker = dict(
            size=3 if group == "" and many else 5,
            opacity=0.8,
            color=style.colours.get(group, ONE_COLOUR) if many else ONE_COLOUR,
        )
        out.append(
            go.Scatter3d(
                **_xyz(part),
                mode="markers",
                name=name,
                legendgroup=name,
                showlegend=show,
                text=part["word"].tolist(),
                hovertext=_hover(part),
                hoverinfo="text",
                marker=marker,
            )
        )
    return out


def _traces(layout: list[_Panel], at: dict, style: _Style) -> list[tuple[go.Scatter3d, dict]]:
    """Every panel's traces at these epochs ({panel: epoch}), always the same traces in the same order (plotly
    frames replace them one for one), each with where it goes."""
    out = []
    for i, panel in enumerate(layout):
        now = panel.every[panel.every["epoch"] == at.get(panel.name)].set_index("word")
        now = now.loc[[w for w in panel.order if w in now.index]].reset_index()
        traces = []
        if style.path:
            traces.append(
                go.Scatter3d(
                    **_xyz(now.sort_values("order", kind="stable")),
                    mode="lines",
                    hoverinfo="skip",
                    showlegend=False,
                    name="path",
                    line=dict(color="#cccccc", width=2),
                )
            )
        if style.ordered:
            traces.append(_ordered_markers(now, panel.name, i == 0, style))
        else:
            traces += _group_markers(now, panel, style)
        marked = now[now["word"].isin(panel.labelled)]
        traces.append(
            go.Scatter3d(
                **_xyz(marked),
                mode="text",
                text=marked["word"].tolist(),
                hoverinfo="skip",
                textfont=dict(size=10, color="#333333"),
                showlegend=False,
                name="labels",
            )
        )
        out += [(trace, panel.where) for trace in traces]
    return out


def _add_player(fig: go.Figure, steps, panels: list[str], epochs: dict, frames: list, frame_ms: int) -> int:
    """The figure's own Play button and epoch slider over `frames` (one per step); returns the room they take
    below the scenes."""
    titles = [a.to_plotly_json() for a in fig.layout.annotations]
    fig.frames = [
        go.Frame(
            name=str(name),
            data=data,
            layout={"annotations": [{**a, "text": _title(p, at.get(p))} for a, p in zip(titles, panels)]},
        )
        for (name, at), data in zip(steps, frames)
    ]
    opened = next((i for i, (_, at) in enumerate(steps) if all(at.get(p) == epochs[p] for p in panels)), 0)
    play = dict(
        frame=dict(duration=frame_ms, redraw=True), transition=dict(duration=0), fromcurrent=True, mode="immediate"
    )
    still = dict(frame=dict(duration=0, redraw=True), transition=dict(duration=0), mode="immediate")
    buttons = [
        dict(label="▶ Play", method="animate", args=[None, play]),
        dict(label="❚❚ Pause", method="animate", args=[[None], still]),
    ]
    fig.update_layout(
        updatemenus=[
            dict(
                type="buttons",
                direction="left",
                x=0,
                y=0,
                xanchor="left",
                yanchor="top",
                pad=dict(t=BELOW_LEGEND + 6),
                showactive=False,
                buttons=buttons,
            )
        ],
        sliders=[
            dict(
                active=opened,
                x=0.16,
                len=0.84,
                y=0,
                yanchor="top",
                pad=dict(t=BELOW_LEGEND),
                currentvalue=dict(prefix="Epoch ", font=dict(size=12)),
                steps=[dict(label=str(name), method="animate", args=[[str(name)], still]) for name, _ in steps],
            )
        ],
    )
    return BELOW_LEGEND + 80


def _style(frame: pd.DataFrame, path: bool) -> _Style:
    """Along an order when every word has one (the alphabet languages), else by group."""
    if bool(len(frame)) and frame["order"].notna().all():
        return _Style(True, {}, float(frame["order"].max()), frame.sort_values("order")["word"], path)
    return _Style(False, group_colours(frame["group"]), 0.0, None, path)


def _scene_axes(fig: go.Figure, layout: list[_Panel]) -> None:
    """Each scene's axes (PC1-3, no tick labels), spanning every epoch of its panel."""
    for i, panel in enumerate(layout):
        axes = {
            f"{axis}axis": dict(range=_range(panel.every[axis]), showticklabels=False, title=f"PC{n}", showspikes=False)
            for n, axis in enumerate("xyz", start=1)
        }
        scene = "scene" if i == 0 else f"scene{i + 1}"
        fig.update_layout({scene: dict(**axes, aspectmode="cube", uirevision=UIREVISION)})


def embedding_3d(
    frame: pd.DataFrame,
    epochs: dict[str, int | None],
    columns: int = 2,
    highlight=(),
    top_labels: int = 30,
    path: bool = False,
    title: str | None = None,
    height: int = 520,
    steps=None,
    frame_ms: int = 700,
) -> go.Figure:
    """One 3D scene per panel (a side, or a series) at its own epoch: the words as points coloured by meaning,
    the word (and its category) on hover, labels for a few words; with path, a grey line joins the words in their
    order (aaa → bbb → … → zzz). The axes of a scene span every epoch of its panel, so playing through the epochs
    never rescales them.

    frame: rows model (the panel), epoch, word, x, y, z, group ("" for none), order (NaN unless the groups are
    ordered) and optionally count and rank, for every epoch. epochs: {panel: the epoch to draw (None: none
    finished)}, in drawing order. steps: [(name, {panel: epoch or None})]: every step becomes a plotly frame, with
    the figure's own slider and Play button, so the browser steps through the epochs by itself (no rerun); the
    figure opens at `epochs`."""
    panels = [p for p in epochs if (frame["model"] == p).any()]
    drawn = [
        p for p in panels if epochs[p] is not None and ((frame["model"] == p) & (frame["epoch"] == epochs[p])).any()
    ]
    if not drawn:
        raise ValueError("The projection has no rows for these panels and epochs.")
    cols = min(columns, len(panels))
    rows_n = math.ceil(len(panels) / cols)
    specs = [[{"type": "scene"}] * cols for _ in range(rows_n)]
    titles = [_title(p, epochs[p]) for p in panels]
    fig = make_subplots(
        rows_n, cols, specs=specs, subplot_titles=titles, horizontal_spacing=0.02, vertical_spacing=0.06
    )
    style = _style(frame, path)
    layout = _layout(frame, panels, cols, style, highlight, top_labels)
    for trace, where in _traces(layout, epochs, style):
        fig.add_trace(trace, **where)
    _scene_axes(fig, layout)
    fig.update_annotations(font_size=13)  # the panel titles
    bottom = 0
    if steps:
        frames = [[t for t, _ in _traces(layout, at, style)] for _, at in steps]
        bottom = _add_player(fig, steps, panels, epochs, frames, frame_ms)
    legend = dict(orientation="h", yanchor="top", y=0, x=0, itemsizing="constant")
    margin = dict(l=0, r=0, t=80 if title else 50, b=bottom)
    fig.update_layout(
        height=height * rows_n + bottom,
        margin=margin,
        uirevision=UIREVISION,
        legend=legend,
        title=dict(text=title) if title else None,
        hoverlabel=dict(font_size=12),
    )
    return fig


def _title(panel: str, epoch: int | None) -> str:
    return wrap_title(f"{panel} · epoch {epoch}" if epoch is not None else f"{panel} · no epoch finished yet")


MAX_FRAME_POINTS = 300_000  # at most this many points over all epochs go into one figure as plotly frames


def fits_frames(n_words: int, n_epochs: int, n_panels: int) -> bool:
    """Whether every epoch fits into one figure (steps) without making the page heavy (~40 bytes a point)."""
    return n_words * n_epochs * n_panels <= MAX_FRAME_POINTS


def points(fig: go.Figure | dict, scene: str = "scene") -> pd.DataFrame:
    """The words and x, y, z of a figure's points in one scene (the marker traces), for tests and checks."""
    data = fig["data"] if isinstance(fig, dict) else fig.to_dict()["data"]
    parts = [
        pd.DataFrame({"word": t["text"], "x": t["x"], "y": t["y"], "z": t["z"]})
        for t in data
        if t.get("mode") == "markers" and t.get("scene", "scene") == scene
    ]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["word", "x", "y", "z"])


def alphabet_3d(
    frame: pd.DataFrame, epoch: int, series=None, height: int = 420, epochs=None, frame_ms: int = 700
) -> go.Figure:
    """Random versus structured in 3D: every word's aligned PCA position (three components) at one epoch, one
    scene per series (language · model, two per row), coloured along the alphabet, a grey line aaa → … → zzz;
    with epochs, every one of them as a frame the figure plays by itself (embedding_3d's steps).

    frame: lib.classic.experiments.scatter_frame(pair, components=3) rows: language, model, series, epoch, word, x,
    y, z,
    letter (all epochs). series: the scenes' order (default: as in the frame)."""
    series = list(series) if series is not None else list(dict.fromkeys(frame["series"]))
    rows = frame.drop(columns=["model"]).rename(columns={"series": "model", "letter": "order"}).assign(group="")
    steps = [(e, {s: e for s in series}) for e in epochs] if epochs is not None else None
    return embedding_3d(
        rows,
        {s: epoch for s in series},
        columns=2,
        path=True,
        height=height,
        steps=steps,
        frame_ms=frame_ms,
        title=f"Aligned PCA of all {rows['word'].nunique()} words in 3D",
    )

"""The app's 3D views: pure functions from a tidy projection frame (with x, y, z) to a plotly Figure.

Every 2D chart is Altair (lib/charts/__init__.py); plotly draws only what Altair cannot, a rotatable 3D scatter. Colours
follow the 2D charts: a category's colour is Vega's (category10, or tableau20 past 10 categories), words without
one grey, an ordered language (the alphabet) along viridis. Pages show the figure with st.plotly_chart and no
on_select, so rotating, zooming and hovering stay in the browser and never rerun the page.
"""

from __future__ import annotations

import math

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
    if not panels or all(
        epochs[p] is None or not ((frame["model"] == p) & (frame["epoch"] == epochs[p])).any() for p in panels
    ):
        raise ValueError("The projection has no rows for these panels and epochs.")
    cols = min(columns, len(panels))
    rows_n = math.ceil(len(panels) / cols)
    fig = make_subplots(
        rows=rows_n,
        cols=cols,
        specs=[[{"type": "scene"}] * cols for _ in range(rows_n)],
        subplot_titles=[_title(p, epochs[p]) for p in panels],
        horizontal_spacing=0.02,
        vertical_spacing=0.06,
    )
    ordered = bool(len(frame)) and frame["order"].notna().all()
    colours = group_colours(frame["group"]) if not ordered else {}
    top = float(frame["order"].max()) if ordered else 0.0
    ends = frame.sort_values("order")["word"] if ordered else None
    shown_groups: set[str] = set()
    layout = []  # per panel: its rows over every epoch, its groups, its labelled words, where its traces go
    for i, panel in enumerate(panels):
        every = frame[frame["model"] == panel]
        words = every.drop_duplicates("word")
        words = words.sort_values("rank", kind="stable") if "rank" in words else words
        groups = sorted(set(words["group"]), key=lambda g: (g == "", g))
        names = [g or ("no category" if len(colours) > 1 else "words") for g in groups]
        legend = [n not in shown_groups for n in names]
        shown_groups.update(names)
        labelled = (
            set(words["word"])
            if len(words) <= ALL_LABELS_UP_TO
            else (set(highlight) | set(words["word"].head(top_labels)))
        )
        layout.append(
            (
                panel,
                every,
                list(words["word"]),
                groups,
                names,
                legend,
                labelled,
                dict(row=i // cols + 1, col=i % cols + 1),
            )
        )

    def traces(panel_epochs: dict) -> list[tuple[go.Scatter3d, dict]]:
        """Every panel's traces at these epochs, always the same traces in the same order (frames replace them)."""
        out = []
        for i, (panel, every, order, groups, names, legend, labelled, where) in enumerate(layout):
            now = every[every["epoch"] == panel_epochs.get(panel)].set_index("word")
            now = now.loc[[w for w in order if w in now.index]].reset_index()
            if path:
                line = now.sort_values("order", kind="stable")
                out.append(
                    (
                        go.Scatter3d(
                            **_xyz(line),
                            mode="lines",
                            hoverinfo="skip",
                            showlegend=False,
                            name="path",
                            line=dict(color="#cccccc", width=2),
                        ),
                        where,
                    )
                )
            if ordered:
                out.append(
                    (
                        go.Scatter3d(
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
                                cmax=top,
                                opacity=0.9,
                                showscale=i == 0,
                                colorbar=dict(
                                    title="position",
                                    tickvals=[0, top],
                                    len=0.5,
                                    thickness=12,
                                    ticktext=[ends.iloc[0], ends.iloc[-1]],
                                ),
                            ),
                        ),
                        where,
                    )
                )
            else:
                for group, name, show in zip(groups, names, legend):
                    part = now[now["group"] == group]
                    colour = colours.get(group, ONE_COLOUR) if len(colours) > 1 else ONE_COLOUR
                    out.append(
                        (
                            go.Scatter3d(
                                **_xyz(part),
                                mode="markers",
                                name=name,
                                legendgroup=name,
                                showlegend=show,
                                text=part["word"].tolist(),
                                hovertext=_hover(part),
                                hoverinfo="text",
                                marker=dict(
                                    size=3 if group == "" and len(colours) > 1 else 5, opacity=0.8, color=colour
                                ),
                            ),
                            where,
                        )
                    )
            marked = now[now["word"].isin(labelled)]
            out.append(
                (
                    go.Scatter3d(
                        **_xyz(marked),
                        mode="text",
                        text=marked["word"].tolist(),
                        hoverinfo="skip",
                        textfont=dict(size=10, color="#333333"),
                        showlegend=False,
                        name="labels",
                    ),
                    where,
                )
            )
        return out

    for trace, where in traces(epochs):
        fig.add_trace(trace, **where)
    for i, (panel, every, *_) in enumerate(layout):
        scene = "scene" if i == 0 else f"scene{i + 1}"
        axes = {
            axis: dict(range=_range(every[axis]), showticklabels=False, title=f"PC{n}", showspikes=False)
            for n, axis in enumerate("xyz", start=1)
        }
        fig.update_layout(
            {scene: dict(xaxis=axes["x"], yaxis=axes["y"], zaxis=axes["z"], aspectmode="cube", uirevision=UIREVISION)}
        )
    fig.update_annotations(font_size=13)  # the panel titles
    bottom = 0
    if steps:
        titles = [a.to_plotly_json() for a in fig.layout.annotations]
        fig.frames = [
            go.Frame(
                name=str(name),
                data=[t for t, _ in traces(at)],
                layout={"annotations": [{**a, "text": _title(p, at.get(p))} for a, p in zip(titles, panels)]},
            )
            for name, at in steps
        ]
        opened = next((i for i, (_, at) in enumerate(steps) if all(at.get(p) == epochs[p] for p in panels)), 0)
        play = dict(
            frame=dict(duration=frame_ms, redraw=True), transition=dict(duration=0), fromcurrent=True, mode="immediate"
        )
        still = dict(frame=dict(duration=0, redraw=True), transition=dict(duration=0), mode="immediate")
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
                    buttons=[
                        dict(label="▶ Play", method="animate", args=[None, play]),
                        dict(label="❚❚ Pause", method="animate", args=[[None], still]),
                    ],
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
        bottom = BELOW_LEGEND + 80
    fig.update_layout(
        height=height * rows_n + bottom,
        margin=dict(l=0, r=0, t=80 if title else 50, b=bottom),
        uirevision=UIREVISION,
        title=dict(text=title) if title else None,
        hoverlabel=dict(font_size=12),
        legend=dict(orientation="h", yanchor="top", y=0, x=0, itemsizing="constant"),
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

    frame: lib.classic.experiments.scatter_frame(pair, components=3) rows: language, model, series, epoch, word, x, y, z,
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

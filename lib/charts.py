"""Every Altair chart of the app: pure functions from a tidy pandas frame to a chart (append new ones at the end)."""

from __future__ import annotations

import warnings

import altair as alt
import pandas as pd

MODEL_COLOURS = {"pytorch": "#e45756", "gensim": "#4c78a8"}  # the same colour for a model in every chart
SECOND_COLOUR = "#54a24b"  # side B when both sides of a comparison are the same model (of two runs)


def side_colours(labels: tuple[str, str], models: tuple[str, str]) -> dict[str, str]:
    """Colours for the two sides of a comparison (lib.compare.Sides.labels and each side's model): each side its
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


# ------------------------------------------------------------ embedding space

ALL_LABELS_UP_TO = 80  # a panel with at most this many words labels every one of them; more are thinned
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

    where = {row.word: (to_px(row.x, x_domain, width), height - to_px(row.y, y_domain, height))
             for row in rows.itertuples()}
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
        return alt.Color("order:Q", title="position", scale=alt.Scale(scheme="viridis", domain=[0, top]),
                         legend=alt.Legend(values=[0, top], labelExpr=f"datum.value == 0 ? '{first}' : '{last}'"))
    groups = sorted(g for g in rows["group"].unique() if g)
    if not groups:
        return alt.value("#4c78a8")
    scheme = "category10" if len(groups) <= 10 else "tableau20"
    return alt.condition("datum.group == ''", alt.value(NO_GROUP_COLOUR),
                         alt.Color("group:N", title="category", scale=alt.Scale(domain=groups, scheme=scheme)))


def embedding_panel(frame: pd.DataFrame, model: str, epoch: int, highlight=(), focus=(), top_labels: int = 30,
                    width: int = 440, height: int = 440, axes: tuple[str, str] | None = None) -> alt.LayerChart:
    """One model's words at one epoch: coloured by meaning, labelled without overlaps, clickable (the PICK
    selection); highlighted words also show their path over every epoch, focus words (a clicked word and its
    nearest neighbours) are ringed.

    frame: projection rows (lib.projection.COLUMNS) for all epochs. The axes span every epoch, so playing through
    the epochs never rescales them. axes: titles for x and y when they mean something (lib.word_axes), drawn with
    their zero lines; a projection's axes are hidden."""
    rows = frame[frame["model"] == model]
    if rows.empty:
        raise ValueError(f"The projection has no rows for model {model!r}.")
    x_domain, y_domain = padded_domain(rows["x"], 0.08, OUTLIERS), padded_domain(rows["y"], 0.08, OUTLIERS)
    x = alt.X("x:Q", scale=alt.Scale(domain=x_domain), axis=alt.Axis(title=axes[0]) if axes else None)
    y = alt.Y("y:Q", scale=alt.Scale(domain=y_domain), axis=alt.Axis(title=axes[1]) if axes else None)
    now = rows[rows["epoch"] == epoch]
    marked = list(dict.fromkeys([*highlight, *focus]))
    if len(now) <= ALL_LABELS_UP_TO:  # few words: every one is labelled, even where labels touch
        labelled = now
    else:
        labelled = now[label_mask(now, label_priority(now, marked, top_labels), x_domain, y_domain, width, height)]
    has_groups = bool((rows["group"] != "").any())
    tooltip = ["word:N", alt.Tooltip("count:Q", format=","), alt.Tooltip("rank:Q", title="frequency rank"),
               "epoch:Q"] + ([alt.Tooltip("group:N", title="category")] if has_groups else [])
    pick = alt.selection_point(name=PICK, fields=["word"], on="click", clear="dblclick")
    size = alt.condition("datum.group == ''", alt.value(18), alt.value(46)) if has_groups else alt.value(40)
    points = alt.Chart(now).mark_circle(opacity=0.75, clip=True).encode(
        x=x, y=y, color=group_colour(rows), size=size, tooltip=tooltip).add_params(pick)
    plain = labelled[~labelled["word"].isin(marked)]  # marked words get a bold label of their own below
    labels = alt.Chart(plain).mark_text(align="left", dx=5, fontSize=LABEL_FONT, color="#333333", clip=True).encode(
        x=x, y=y, text="word:N", tooltip=tooltip)
    layers = [points, labels]
    if axes:  # the zero lines (after the points: the zoom's interval needs a first layer with x and y)
        layers += [alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="#bbbbbb").encode(x=x),
                   alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="#bbbbbb").encode(y=y)]
    if highlight:
        path_rows = rows[rows["word"].isin(list(highlight))]
        layers.append(alt.Chart(path_rows).mark_line(point=alt.OverlayMarkDef(size=18), strokeWidth=1.5,
                                                     opacity=0.8).encode(
            x=x, y=y, detail="word:N", order="epoch:Q", color=alt.value("#222222"), tooltip=["word:N", "epoch:Q"]))
    if marked:
        ends = now[now["word"].isin(marked)]
        layers.append(alt.Chart(ends).mark_point(size=160, shape="circle", strokeWidth=2, color="#000000").encode(
            x=x, y=y, tooltip=tooltip))
        layers.append(alt.Chart(ends[ends["word"].isin(labelled["word"])]).mark_text(
            align="left", dx=5, fontSize=LABEL_FONT + 1, fontWeight="bold").encode(x=x, y=y, text="word:N"))
    zoom = alt.selection_interval(bind="scales", name="zoom_" + "".join(ch for ch in model if ch.isalnum()))
    return alt.layer(*layers).add_params(zoom).properties(title=f"{model} · epoch {epoch}", width=width,
                                                            height=height)


def embedding_scatter(frame: pd.DataFrame, epoch: int, highlight=(), models=None, focus=None, top_labels: int = 30,
                      width: int = 440, height: int = 440) -> alt.HConcatChart:
    """Both models side by side at one epoch (zoom and pan with the mouse, click a word to select it in both),
    legend below, so the two panels keep the page's width. focus: {model: words to ring in that model's panel}."""
    models = list(models) if models is not None else list(dict.fromkeys(frame["model"]))
    focus = focus or {}
    panels = [embedding_panel(frame, m, epoch, highlight, focus.get(m, ()), top_labels, width, height)
              for m in models]
    with warnings.catch_warnings():  # both panels carry the same PICK selection on purpose: one click, both panels
        warnings.filterwarnings("ignore", message="Automatically deduplicated selection parameter")
        chart = alt.hconcat(*panels)
    return chart.resolve_scale(color="shared").configure_legend(orient="bottom", columns=6)


# ------------------------------------------------------------ per-epoch lines


def metric_lines(frame: pd.DataFrame, metric: str, title: str, y_format: str = ",.4g",
                 y_domain=None, height: int = 260, colours: dict[str, str] | None = None) -> alt.Chart:
    """One line per model (or side: `colours`) over the epochs; frame columns model, epoch, value (missing values
    are left out)."""
    rows = frame.dropna(subset=["value"])
    y_scale = alt.Scale(domain=list(y_domain)) if y_domain is not None else alt.Scale(zero=False)
    tooltip = ["model:N", "epoch:Q", alt.Tooltip("value:Q", title=metric, format=y_format)]
    x_title = "epoch"
    if "side_epoch" in rows:  # sides with different planned epochs, drawn on side A's epochs (lib.analysis.sides_frame)
        x_title = "side A's epoch (side B at the same share of training)"
        tooltip[1:2] = [alt.Tooltip("side_epoch:Q", title="epoch of its run"),
                        alt.Tooltip("epoch:Q", title="on side A's axis", format=".2f")]
    return alt.Chart(rows).mark_line(point=True).encode(
        x=alt.X("epoch:Q", title=x_title, axis=alt.Axis(tickMinStep=1, format="d")),
        y=alt.Y("value:Q", title=metric, scale=y_scale, axis=alt.Axis(format=y_format)),
        color=model_colour(colours=colours),
        tooltip=tooltip,
    ).properties(title=title, height=height + legend_below(colours))  # the app fits the legend in the height


def similarity_lines(frame: pd.DataFrame, word_a: str, word_b: str, colours: dict[str, str] | None = None) -> alt.Chart:
    """Cosine similarity of one word pair over the epochs, one line per model."""
    return metric_lines(frame, "cosine similarity", f"cos({word_a}, {word_b}) after each epoch",
                        y_format=".3f", y_domain=(-1, 1), colours=colours)


def purity_lines(frame: pd.DataFrame, title: str = "Category purity after each epoch") -> alt.LayerChart:
    """Category purity (0..1) over the epochs, one line per model, and a dashed rule at its chance level.

    frame: rows model, epoch, value, chance (lib.clusters.purity_frame)."""
    lines = metric_lines(frame, "category purity", title, y_format=".2f", y_domain=(0, 1))
    chance = pd.DataFrame({"chance": [float(frame["chance"].dropna().mean())]})
    rule = alt.Chart(chance).mark_rule(color="#888888", strokeDash=[4, 3]).encode(
        y="chance:Q", tooltip=[alt.Tooltip("chance:Q", title="chance level", format=".2f")])
    text = alt.Chart(chance).transform_calculate(label="'chance ' + format(datum.chance, '.2f')").mark_text(
        align="left", dy=-7, x=4, color="#666666").encode(y="chance:Q", text="label:N")
    return alt.layer(lines, rule, text)


def accuracy_lines(frame: pd.DataFrame, title: str = "Analogy accuracy after each epoch",
                   colours: dict[str, str] | None = None) -> alt.Chart:
    """Accuracy (0..1) over the epochs, one line per model (or side: `colours`), as percentages; the axis starts
    at 0 and ends a little above the best value (a 2% accuracy on a 0-100% axis would be a flat line)."""
    best = frame["value"].max()
    top = 1.0 if pd.isna(best) else min(1.0, max(0.05, 1.15 * float(best)))
    return metric_lines(frame, "accuracy", title, y_format=".0%", y_domain=(0, top), colours=colours)


def jaccard_lines(frame: pd.DataFrame, word: str, k: int, colours: dict[str, str] | None = None) -> alt.Chart:
    """How much a word's top-k neighbour list kept from the epoch before (Jaccard), one line per model."""
    return metric_lines(frame, f"Jaccard@{k} with previous epoch", f"How much of {word!r}'s neighbour list stays",
                        y_format=".0%", y_domain=(0, 1), colours=colours)


# ------------------------------------------------------------ bars


def category_bars(frame: pd.DataFrame, title: str = "Accuracy per category",
                  colours: dict[str, str] | None = None) -> alt.Chart:
    """Grouped horizontal bars; frame columns model, section, accuracy (0..1), correct, total."""
    return alt.Chart(frame).mark_bar().encode(
        y=alt.Y("section:N", title=None, sort=None, axis=alt.Axis(labelLimit=240)),
        yOffset=alt.YOffset("model:N"),
        x=alt.X("accuracy:Q", title="accuracy", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format=".0%")),
        color=model_colour(colours=colours),
        tooltip=["model:N", "section:N", alt.Tooltip("accuracy:Q", format=".1%"), "correct:Q", "total:Q"],
    ).properties(title=title)




def epoch_lines(frame: pd.DataFrame, title: str, y_title: str, log_y: bool = False) -> alt.Chart:
    """One line per model (colour) and measure (dash) over epochs; frame columns: model, epoch, measure, value."""
    scale = alt.Scale(type="log") if log_y else alt.Scale(zero=False)
    return (
        alt.Chart(frame, title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X("epoch:Q", title="epoch", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("value:Q", title=y_title, scale=scale),
            color=model_colour(),
            strokeDash=alt.StrokeDash("measure:N", title=None,
                                      legend=alt.Legend() if frame["measure"].nunique() > 1 else None),
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


# ------------------------------------------------------------ part of speech in 2D (lib.pos)


def pos_plane(points: pd.DataFrame, grid: pd.DataFrame, bounds, tag_colours: dict[str, str], title: str = "",
              subtitle: str = "", size: int = 380) -> alt.LayerChart:
    """The ten words at one step over the classifier's decision regions.

    points: rows step, word, tag, x, y, predicted, correct (one step); grid: cells x, x2, y, y2, tag (from
    lib.pos.decision_grid); bounds: (x_min, x_max, y_min, y_max) fixed for the whole animation."""
    colour_scale = alt.Scale(domain=list(tag_colours), range=list(tag_colours.values()))
    x = alt.X("x:Q", scale=alt.Scale(domain=[bounds[0], bounds[1]], nice=False), title="dimension 1")
    y = alt.Y("y:Q", scale=alt.Scale(domain=[bounds[2], bounds[3]], nice=False), title="dimension 2")
    regions = alt.Chart(grid).mark_rect(opacity=0.22, strokeWidth=0).encode(
        x=x, x2="x2:Q", y=y, y2="y2:Q",
        color=alt.Color("tag:N", scale=colour_scale, title="true tag / region"),
        tooltip=[alt.Tooltip("tag:N", title="classifier says")])
    dots = alt.Chart(points).mark_point(size=130, filled=True, opacity=1).encode(
        x=x, y=y, color=alt.Color("tag:N", scale=colour_scale),
        stroke=alt.condition("datum.correct", alt.value("#222222"), alt.value("#ffffff")),
        strokeWidth=alt.value(1.5),
        tooltip=["word:N", alt.Tooltip("tag:N", title="true tag"), alt.Tooltip("predicted:N", title="predicted"),
                 alt.Tooltip("x:Q", format=".2f"), alt.Tooltip("y:Q", format=".2f")])
    labels = alt.Chart(spread_labels(points, bounds)).mark_text(align="left", dx=9, fontSize=13).encode(
        x=x, y=alt.Y("label_y:Q", scale=alt.Scale(domain=[bounds[2], bounds[3]], nice=False)), text="word:N")
    heading = alt.Title(title, subtitle=subtitle, anchor="start") if subtitle else title
    return alt.layer(regions, dots, labels).properties(title=heading, width=size, height=size).configure_legend(
        orient="bottom", columns=4 if size >= 340 else 2)


def spread_labels(points: pd.DataFrame, bounds, gap: float = 0.055) -> pd.DataFrame:
    """points with a label_y column: each label at its point's height, or, where that would overlap a label
    already placed, the nearest free height one or more label-heights above or below (words of one tag often sit
    on top of each other). gap: a label's height as a share of the plot."""
    height, width = gap * (bounds[3] - bounds[2]), 0.12 * (bounds[1] - bounds[0])
    placed: list[tuple[float, float]] = []
    label_y = {}
    for row in points.sort_values("y", ascending=False).itertuples():
        candidates = [row.y + k * height for k in (0, -1, 1, -2, 2, -3, 3, -4, 4)]
        y = next((c for c in candidates
                  if all(abs(px - row.x) >= width or abs(py - c) >= height for px, py in placed)), candidates[-1])
        placed.append((row.x, y))
        label_y[row.Index] = y
    return points.assign(label_y=pd.Series(label_y))


def pos_curves(history: pd.DataFrame, step: int | None, width: int = 380) -> alt.VConcatChart:
    """Loss (log scale) and accuracy over the training steps, a rule marking the step shown in the plane (none for
    step None).

    history: rows step, loss, accuracy."""
    rule = alt.Chart(pd.DataFrame({"step": [] if step is None else [step]})).mark_rule(
        color="#888888", strokeDash=[4, 3]).encode(x="step:Q")
    x = alt.X("step:Q", title="step")
    loss = alt.Chart(history).mark_line(color="#4c78a8").encode(
        x=x, y=alt.Y("loss:Q", title="cross-entropy loss", scale=alt.Scale(type="log")),
        tooltip=["step:Q", alt.Tooltip("loss:Q", format=".4f")])
    accuracy = alt.Chart(history).mark_line(color="#54a24b", interpolate="step-after").encode(
        x=x, y=alt.Y("accuracy:Q", title="accuracy", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        tooltip=["step:Q", alt.Tooltip("accuracy:Q", format=".0%")])
    return alt.vconcat((loss + rule).properties(width=width, height=150),
                       (accuracy + rule).properties(width=width, height=150))


# ------------------------------------------------------------ random versus structured language (lib.experiments)


def precision_lines(frame: pd.DataFrame, epoch: int | None = None) -> alt.LayerChart:
    """Neighbour precision over epochs: colour = language, dash = model; a grey dashed rule at the chance level,
    and a rule at the epoch shown elsewhere on the page.

    frame: rows language, model, series, epoch, neighbor_precision, chance."""
    rows = frame.dropna(subset=["neighbor_precision"])
    lines = alt.Chart(rows).mark_line(point=True).encode(
        x=alt.X("epoch:Q", title="epoch", axis=alt.Axis(tickMinStep=1, format="d")),
        y=alt.Y("neighbor_precision:Q", title="neighbour precision", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("language:N", title="language",
                        scale=alt.Scale(domain=["toy-random", "toy-proximity"], range=["#9d755d", "#54a24b"])),
        strokeDash=alt.StrokeDash("model:N", title="model", scale=alt.Scale(domain=["pytorch", "gensim"],
                                                                           range=[[1, 0], [6, 3]])),
        shape=alt.Shape("model:N", title="model", scale=alt.Scale(domain=["pytorch", "gensim"],
                                                                  range=["circle", "square"])),
        tooltip=["series:N", "epoch:Q", alt.Tooltip("neighbor_precision:Q", format=".3f")])
    chance = pd.DataFrame({"chance": [float(frame["chance"].mean())]})
    chance_rule = alt.Chart(chance).mark_rule(color="#888888", strokeDash=[2, 2]).encode(
        y="chance:Q", tooltip=[alt.Tooltip("chance:Q", title="chance level", format=".3f")])
    chance_text = alt.Chart(chance).transform_calculate(label="'chance ' + format(datum.chance, '.2f')").mark_text(
        align="left", dy=-7, color="#666666", x=4).encode(y="chance:Q", text="label:N")
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
        color=alt.Color("letter:Q", title="letter", scale=alt.Scale(scheme="viridis", domain=[0, 25]),
                        legend=alt.Legend(values=[0, 25], labelExpr="datum.value == 0 ? 'aaa' : 'zzz'")),
        tooltip=["word:N", "series:N"])
    labels = base.mark_text(dy=-9, fontSize=10, color="#333333").encode(text="word:N")
    now = frame[frame["epoch"] == epoch]
    return alt.layer(path, dots, labels, data=now).properties(width=size, height=size).facet(
        row=alt.Row("language:N", title=None, sort=["toy-random", "toy-proximity"]),
        column=alt.Column("model:N", title=None, sort=["pytorch", "gensim"]),
    ).properties(title=f"Aligned PCA of all 26 words · epoch {epoch}")


def similarity_heatmap(frame: pd.DataFrame, word: str) -> alt.FacetChart:
    """Cosine similarity of `word` to every other word (columns, in alphabetical order) after each epoch (rows),
    one panel per series; a dot marks the designed neighbours.

    frame: rows language, model, series, epoch, other, similarity, designed."""
    base = alt.Chart().encode(
        x=alt.X("other:O", title=f"similarity of {word} to …", sort="ascending", axis=alt.Axis(labelAngle=-60)),
        y=alt.Y("epoch:O", title="epoch"))
    cells = base.mark_rect().encode(
        color=alt.Color("similarity:Q", title="cosine", scale=alt.Scale(scheme="redblue", domain=[-1, 1],
                                                                        reverse=True)),
        tooltip=["series:N", "epoch:O", "other:N", alt.Tooltip("similarity:Q", format=".3f"), "designed:N"])
    marks = base.transform_filter("datum.designed").mark_point(shape="circle", size=12, filled=True,
                                                                color="#000000")
    return alt.layer(cells, marks, data=frame).properties(width=360, height=alt.Step(14)).facet(
        facet=alt.Facet("series:N", title=None, sort=[f"{lang} · {m}" for lang in ("toy-random", "toy-proximity")
                                                        for m in ("pytorch", "gensim")]),
        columns=2)


# ------------------------------------------------------------ many runs overlaid (lib.overlay, Home)

RUN_COLOURS = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#b279a2", "#9d755d", "#72b7b2", "#333333")  # 8 runs
MODEL_DASHES = {"pytorch": [1, 0], "gensim": [6, 3]}  # solid and dashed, in every overlay chart
OVERLAY_FORMATS = {"loss": ",.4g", "analogy_accuracy": ".0%", "category_purity": ".2f", "words_per_sec": ",.0f"}


def run_colours(runs: list[str]) -> dict[str, str]:
    """One colour per run label, in order (the overlay's charts and its settings table, which is their legend)."""
    if len(runs) > len(RUN_COLOURS):
        raise ValueError(f"At most {len(RUN_COLOURS)} runs get a colour of their own (got {len(runs)}).")
    return dict(zip(runs, RUN_COLOURS))


def overlay_lines(frame: pd.DataFrame, metric: str, title: str, runs: list[str], y_title: str | None = None,
                  height: int = 340, run_legend: bool = False) -> alt.Chart:
    """Several runs' curves of one metric over the epochs: colour = run (run_colours of `runs`, every selected
    run's label, so a run keeps its colour in every chart even where it has no values), dash = model (solid
    PyTorch, dashed gensim). Accuracy and purity on a 0..1 axis (accuracy up to a little above its best), words/s on a log axis.
    The run legend is off by default (run labels are long; Home's settings table shows each run's colour).

    frame: rows of lib.overlay.overlay_frame for this metric (run, model, epoch, value)."""
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
    models = [m for m in MODEL_DASHES if m in set(frame["model"])] or list(MODEL_DASHES)
    model_legend = alt.Legend(orient="top", title=None, symbolType="stroke", symbolStrokeWidth=2, symbolSize=300,
                              symbolStrokeColor="#555555", symbolFillColor="#555555", symbolOpacity=1)  # drawn
    return alt.Chart(frame, title=title).mark_line(point=True, strokeWidth=2).encode(
        x=alt.X("epoch:Q", title="epoch", axis=alt.Axis(tickMinStep=1, format="d")),
        y=alt.Y("value:Q", title=y_title or metric, scale=scale, axis=alt.Axis(format=y_format)),
        color=alt.Color("run:N", title="run", scale=alt.Scale(domain=list(colours), range=list(colours.values())),
                        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0)
                        if run_legend else None),
        strokeDash=alt.StrokeDash("model:N", title="model", scale=alt.Scale(
            domain=models, range=[MODEL_DASHES[m] for m in models]), legend=model_legend),
        tooltip=["run:N", "model:N", "epoch:Q", alt.Tooltip("value:Q", title=y_title or metric, format=y_format)],
    ).properties(height=height)


# ------------------------------------------------------------ two sides (lib.compare.Sides)


def sides_scatter(frame: pd.DataFrame, epochs: dict[str, int], highlight=(), focus=None, top_labels: int = 30,
                  width: int = 440, height: int = 440, axes: tuple[str, str] | None = None) -> alt.HConcatChart:
    """embedding_scatter for two sides, each at its own epoch (side B of another run at its matched epoch):
    epochs is {side label (the frame's "model"): epoch}, in drawing order; a side with no rows is left out.
    axes: the x and y titles of axes made of words (embedding_panel)."""
    focus = focus or {}
    panels = [embedding_panel(frame, side, epoch, highlight, focus.get(side, ()), top_labels, width, height, axes)
              for side, epoch in epochs.items() if ((frame["model"] == side) & (frame["epoch"] == epoch)).any()]
    if not panels:
        raise ValueError("The projection has no rows for these sides and epochs.")
    with warnings.catch_warnings():  # both panels carry the same PICK selection on purpose: one click, both panels
        warnings.filterwarnings("ignore", message="Automatically deduplicated selection parameter")
        chart = alt.hconcat(*panels)
    return chart.resolve_scale(color="shared").configure_legend(orient="bottom", columns=6)


# ------------------------------------------------------------ one training step (lib.one_step)

def step_lines(frame: pd.DataFrame, title: str = "Repeating the step") -> alt.FacetChart:
    """One panel per measure (each its own y scale), one line per model over the steps; frame columns: model,
    step, measure, value (lib.one_step.long_steps)."""
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

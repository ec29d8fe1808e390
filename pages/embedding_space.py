"""Embedding space: two sides' words in 2D (PCA, UMAP or axes made of words) or 3D (PCA), epoch by epoch, coloured
by meaning.

The sides are the run's two models, or a model of another run (the sidebar's "Compare with"): then only shared
words are shown and side B's picture is aligned onto side A's, so positions compare across the runs."""

import functools

import streamlit as st

import widgets
from lib import charts
from lib.charts import charts3d
from lib.runs.store import Run
from lib.views import clusters, compare, export, projection, word_axes
from lib.views.evaluate import PURITY_K

SECONDS_PER_FRAME = 1.0
K = 8  # neighbours listed for a clicked word, at first
WORD_SETS = {"Category words": "categories", "Most frequent words": "frequent"}
METHODS = ("PCA", "UMAP", "Axes from words")
AXIS_KEYS = ("ax_a", "ax_b", "ax_c", "ax_d")  # the four words of the axes, in the link


@st.cache_data(max_entries=16, show_spinner=False)
def projection_frame(sides: tuple, labels: tuple, method: str, words: tuple, components: int, epochs: tuple):
    """Cached per pair of sides ((run folder, model) twice) and their labels, method, word set, view and the
    epochs finished so far (a new epoch makes a new entry)."""
    (path_a, model_a), (path_b, model_b) = sides
    pair = compare.Sides(compare.Side(Run(path_a), model_a), compare.Side(Run(path_b), model_b))
    return projection.sides_frame(pair, method, list(words), components)


@st.cache_data(max_entries=16, show_spinner=False)
def axes_frame(sides: tuple, labels: tuple, words: tuple, axes: tuple, epochs: tuple):
    """word_axes.sides_frame, cached like projection_frame (axes: the four words)."""
    (path_a, model_a), (path_b, model_b) = sides
    pair = compare.Sides(compare.Side(Run(path_a), model_a), compare.Side(Run(path_b), model_b))
    return word_axes.sides_frame(pair, list(words), word_axes.WordAxes(*axes))


def axis_words(run: Run) -> word_axes.WordAxes:
    """The four words typed for the axes (kept in the link), the run's defaults at first and after another run
    was selected; the defaults' reason is shown under them."""
    if st.session_state.get("axes_run") not in (None, run.id):
        for key in AXIS_KEYS:
            st.session_state.pop(key, None)
    st.session_state["axes_run"] = run.id
    default, why = word_axes.default_axes(run)
    boxes = st.columns([0.35, 1, 0.2, 1, 0.5, 1, 0.2, 1])
    typed = []
    for i, (key, value) in enumerate(zip(AXIS_KEYS, default.words)):
        if i % 2 == 0:
            boxes[2 * i].markdown("x =" if i == 0 else "y =")
        else:
            boxes[2 * i].markdown("−")
        typed.append(
            boxes[2 * i + 1]
            .text_input("abcd"[i], value, key=key, bind=widgets.URL, max_chars=100, label_visibility="collapsed")
            .strip()
            .lower()
        )
    st.caption(widgets.plain(f"Opened on x = {default.a} − {default.b}, y = {default.c} − {default.d}: {why}"))
    return word_axes.WordAxes(*typed)


@st.cache_data(max_entries=8, show_spinner=False)
def figure_3d(frame_key: tuple, epochs: dict, highlight: list, top_labels: int, steps: list | None) -> dict:
    """charts3d.embedding_3d of the cached projection_frame(*frame_key), as plotly's plain dict: plotly checks
    every trace it builds (about a second for every epoch of 300 words on two sides), so it is built once."""
    return charts3d.embedding_3d(
        projection_frame(*frame_key),
        epochs,
        highlight=highlight,
        top_labels=top_labels,
        steps=steps,
        frame_ms=int(SECONDS_PER_FRAME * 1000),
    ).to_plotly_json()


@st.cache_data(max_entries=16, show_spinner=False)
def purity(path: str, epochs: tuple) -> dict:
    return clusters.purity_by_epoch(Run(path))


@st.cache_data(max_entries=8, show_spinner=False)
def export_file(path: str, model: str, epoch: int, kind: str) -> bytes:
    """One export file, made only when its download button is clicked (large vocabularies take seconds)."""
    return export.run_file(path, model, epoch, kind)


st.title("Embedding space")
run = widgets.select_run()
if run is None:
    st.stop()
pair = widgets.select_sides(run)
if pair is None:
    st.stop()
if note := widgets.sides_note(pair):
    st.info(widgets.plain(note), icon=":material/compare_arrows:")
labels = pair.labels()
epochs = run.epochs(pair.a.model) if pair.two_runs else widgets.all_epochs(run)
if not epochs:
    st.info(
        widgets.plain(
            f"Side A ({labels[0]}) has no finished epoch yet."
            if pair.two_runs
            else "This run has no finished epoch yet."
        )
    )
    st.stop()
finished = tuple(tuple(run.epochs(m)) for m in run.models)
results = purity(str(run.path), finished)
st.info(widgets.plain(clusters.what_to_look_for(run, results)), icon=":material/visibility:")

vocab_words = widgets.vocab(run).words
has_categories = bool(projection.run_word_categories(run)) and not run.config.get("groups")
controls = st.columns([1, 1.3, 1, 1, 0.8])
method = controls[0].radio(
    "Projection",
    METHODS,
    horizontal=True,
    key="proj",
    bind=widgets.URL,
    help="PCA is instant; UMAP keeps local neighbourhoods better (the first time takes up to "
    "a minute, then it is cached with the run). Axes from words: x and y are directions "
    "made of two words each (he − she), the same for every epoch.",
)
set_names = list(WORD_SETS) if has_categories else ["Most frequent words"]
widgets.drop_invalid("words", set_names)
if len(set_names) > 1:
    word_set = WORD_SETS[
        controls[1].radio(
            "Words",
            set_names,
            horizontal=True,
            key="words",
            bind=widgets.URL,
            help="Category words: the words of the run's categories, most frequent "
            "first. Most frequent: the top of the vocabulary.",
        )
    ]
else:  # nothing to choose: say what is shown
    word_set = WORD_SETS[set_names[0]]
    controls[1].caption("Words: the most frequent.")
most = min(5000, len(vocab_words))
widgets.drop_invalid("n", range(3, most + 1))
n_words = controls[2].number_input(
    "How many", min_value=3, max_value=most, value=min(300, len(vocab_words)), step=50, key="n", bind=widgets.URL
)
shown_words = min(int(n_words), len(vocab_words))
if shown_words > charts.ALL_LABELS_UP_TO:
    top_labels = controls[3].slider(
        "Label the most frequent",
        0,
        min(100, shown_words),
        min(30, shown_words),
        step=5,
        key="labels",
        bind=widgets.URL,
        help=f"With more than {charts.ALL_LABELS_UP_TO} words on screen, category, highlighted and clicked words are "
        "labelled, and this many of the most frequent; labels never overlap.",
    )
else:  # every word is offered a label: nothing to choose
    top_labels = shown_words
    controls[3].caption(f"Labels: each of the {shown_words} words where it fits; hover a point for its word.")
view = controls[4].radio(
    "View",
    list(projection.VIEWS),
    horizontal=True,
    key="view",
    bind=widgets.URL,
    help="3D: the first three principal components (PCA), drawn with plotly; drag to rotate, "
    "scroll to zoom, hover a point for its word.",
)
highlight = st.multiselect(
    "Highlight words (drawn whatever their frequency, with their path over the epochs)",
    vocab_words[:20_000],
    key="hl",
    bind=widgets.URL,
    placeholder="type to search the vocabulary",
)

frame = None
components = projection.VIEWS[view]
if components == 3 and method != "PCA":
    st.caption(f"The 3D view is PCA's: {method} applies to the 2D view.")
on_axes = method == METHODS[2] and components == 2
axes = axis_words(run) if on_axes else None
words = projection.side_words(pair, word_set, int(n_words), highlight)
problem = projection.view_problem(pair, len(words), components)
if problem and components == 3:  # a 3D view of vectors with 2 dimensions: the 2D view, where it can be drawn
    flat = projection.view_problem(pair, len(words), 2)
    if flat is None:
        st.info(widgets.plain(problem) + " Showing the 2D view instead.")
    components, problem = 2, flat
sides_key = ((str(pair.a.run.path), pair.a.model), (str(pair.b.run.path), pair.b.model))  # the caches' keys
done = (tuple(pair.a.run.epochs(pair.a.model)), tuple(pair.b.run.epochs(pair.b.model)))
if problem:
    st.info(widgets.plain(problem) + " The clusters and the export below work as for any run.")
elif on_axes:
    try:
        frame = axes_frame(sides_key, labels, tuple(words), axes.words, done)
    except ValueError as exc:  # unknown or repeated words: say so, and the rest of the page still works
        st.error(widgets.plain(str(exc)))
else:
    used = method if components == 2 else "PCA"
    try:
        projection.check_request(used.lower(), len(words), run.train_config.dim, components)
        with st.spinner(f"Projecting {len(words)} words for every epoch with {used}…"):
            frame_key = (sides_key, labels, used.lower(), tuple(words), components, (*done, finished))
            frame = projection_frame(*frame_key)
    except ValueError as exc:
        widgets.show_error(exc)
if pair.two_runs:
    planned = (pair.a.run.train_config.epochs, pair.b.run.train_config.epochs)
    if planned[0] != planned[1]:
        st.caption(
            f"Run A trains {planned[0]} epochs and run B {planned[1]}: side B is shown at the epoch at the "
            f"same share of training (epoch × {planned[1]}/{planned[0]}, rounded; 0 with 0, the last with the "
            "last), or the nearest one it has finished."
        )
elif note := widgets.common_note(run):
    st.caption(note)
in_browser = False  # the 3D figure plays the epochs itself (charts3d.fits_frames)
player = widgets.Player(
    "embedding", epochs, SECONDS_PER_FRAME, help="0 is the random start, before any training.", param="epoch"
)
if frame is not None:
    placing = word_axes.EXPLAIN if on_axes else projection.ALIGNMENT
    if note := clusters.colour_note(run):
        placing += " " + note
    if pair.two_runs:
        shared = len(compare.shared_words(widgets.vocab(pair.a.run).words, widgets.vocab(pair.b.run).words))
        cross = "" if on_axes else " " + projection.CROSS_RUN_ALIGNMENT
        st.caption(
            f"The two runs share {shared:,} words; {frame['word'].nunique()} of them are shown. {placing}{cross}"
        )
    else:
        st.caption(f"{frame['word'].nunique()} words. {placing}")
    in_browser = components == 3 and charts3d.fits_frames(len(words), len(epochs), 2)
    if components == 3:
        st.caption(
            "Drag a scene to rotate it, scroll to zoom, hover a point for its word. "
            + (
                "Play and the slider under the figure step through the epochs in your browser (each epoch "
                "starts from the first camera again: turn the scene when paused); the epoch slider here opens "
                "the figure at an epoch and sets the epoch of the neighbours and the export."
                if in_browser
                else "Each epoch drawn starts from the first camera again: turn the scene when paused."
            )
        )
    else:
        st.caption(
            "Scroll to zoom, drag to pan, click a word to see its nearest neighbours on both sides "
            "(double-click clears)."
        )
    if in_browser and player.playing:  # the figure plays the epochs itself
        player.finish()
    if not in_browser:
        player.button()
if "embedding_focus" not in st.session_state:  # a link may name the clicked word (?focus=king) and k (?k=8)
    st.session_state["embedding_focus"] = widgets.from_url("focus", None, allowed=set(vocab_words))
k = st.session_state.setdefault("k_embedding", widgets.from_url("k", K, int, range(3, 21)))


@st.fragment(run_every=player.run_every)
def scatter() -> None:
    """The epoch slider, the chart and the clicked word's neighbourhood; while playing, this part alone redraws."""
    epoch = player.slider()
    focus_word = st.session_state.get("embedding_focus")
    side_epochs = {labels[0]: epoch, labels[1]: widgets.side_epoch(pair, epoch)}
    if pair.two_runs:
        if side_epochs[labels[1]] is None:
            st.info(widgets.plain(f"Side B ({labels[1]}) has no finished epoch yet."))
    else:
        for side in (pair.a, pair.b):
            if missing := widgets.missing_epoch(side.run, side.model, epoch):
                st.info(missing)
    by_label = dict(zip(labels, (pair.a, pair.b)))
    present = {
        label: e
        for label, e in side_epochs.items()  # the sides that have finished their epoch
        if e is not None and e in by_label[label].run.epochs(by_label[label].model)
    }
    kvs = {label: widgets.keyed_vectors(by_label[label].run, by_label[label].model, e) for label, e in present.items()}
    lists = clusters.neighbour_lists(kvs, focus_word, k) if focus_word else {}
    if components == 3:
        steps = None
        if in_browser:  # every epoch in the figure: side A's, side B's matched one, or none where a side lacks it
            steps = [
                (
                    e,
                    {
                        labels[0]: e if e in pair.a.run.epochs(pair.a.model) else None,
                        labels[1]: b if (b := widgets.side_epoch(pair, e)) in pair.b.run.epochs(pair.b.model) else None,
                    },
                )
                for e in epochs
            ]
        st.plotly_chart(
            figure_3d(frame_key, {label: present.get(label) for label in labels}, highlight, top_labels, steps),
            key="embedding_3d",
            config={"displaylogo": False},
        )
    else:
        focus = {label: [focus_word, *lists.get(label, [])] for label in present} if focus_word else None
        sized = dict(width=360, height=400, axes=axes.titles()) if on_axes else {}  # room for the axes' titles
        event = st.altair_chart(
            charts.sides_scatter(frame, present, highlight, focus, top_labels, **sized),
            width="content",
            on_select="rerun",
            selection_mode=charts.PICK,
            key="embedding_chart",
        )
        picked = [p.get("word") for p in (event.selection.get(charts.PICK) or []) if p.get("word")]
        if picked and picked[0] != focus_word:
            st.session_state["embedding_focus"] = picked[0]
            st.rerun(scope="fragment")
    widgets.to_url("focus", focus_word)
    widgets.to_url("k", k if focus_word and k != K else None)
    if focus_word:
        neighbourhood(focus_word, side_epochs, lists)


def neighbourhood(word: str, side_epochs: dict[str, int | None], lists: dict[str, list[str]]) -> None:
    shown = set(frame["word"])  # every epoch shows the same words
    epoch_a, epoch_b = side_epochs.values()
    when = f"epoch {epoch_a}" if epoch_b in (None, epoch_a) else f"epoch {epoch_a} (side B: epoch {epoch_b})"
    dims = sorted({pair.a.run.train_config.dim, pair.b.run.train_config.dim})
    space = (
        f"the full {dims[0]}-dimensional space"
        if len(dims) == 1
        else f"each side's full space ({dims[0]} and {dims[1]} dimensions)"
    )
    st.markdown(
        f"**Nearest neighbours at {when}** (cosine in {space}; ringed in the plots where they are among "
        "the words shown)"
    )
    st.caption(widgets.plain(f"Clicked word: {word}"))
    columns = st.columns(len(labels) + 1)
    for column, label in zip(columns, labels):
        column.dataframe(
            {
                "rank": range(1, len(lists.get(label, [])) + 1),
                label: lists.get(label, []),
                "in the plot": [w in shown for w in lists.get(label, [])],
            },
            hide_index=True,
        )
    if len(lists) == 2:
        (a, list_a), (b, list_b) = lists.items()
        both = [w for w in list_a if w in list_b]
        columns[-1].metric("In both lists", f"{len(both)} of {k}", help="Words both sides have among the k nearest.")
        columns[-1].caption(widgets.plain(", ".join(both) if both else "none"))
    columns[-1].slider("Neighbours (k)", 3, 20, key="k_embedding")
    if columns[-1].button("Clear", key="embedding_clear"):
        st.session_state["embedding_focus"] = None  # None, not absent: absent would take the link's word again
        st.rerun()


if frame is not None:
    scatter()
else:  # no picture to draw: the slider alone picks the epoch to export
    player.slider()
epoch = player.frame

st.subheader("Clusters forming")
if pair.two_runs:
    st.caption(widgets.plain(f"In the selected run (side A's): {widgets.run_label(widgets.runs_root(), run.id)}."))
frame_purity = clusters.purity_frame(results)
if frame_purity["value"].notna().any():
    st.altair_chart(charts.purity_lines(frame_purity), width="stretch")
    source = run.config.get("categories_source") or "the shipped lists (data/categories.tsv)"
    st.caption(
        f"For each category word, the share of its {PURITY_K} nearest category words (cosine, full vector "
        "space) in its own category, averaged; the dashed line is what randomly placed words would score. "
        f"Categories: {source}."
    )
else:
    st.caption("This run has no categories with two or more words in its vocabulary, so there is no purity to draw.")

st.subheader("Export")
exportable = [m for m in run.models if epoch in run.epochs(m)]
widgets.drop_invalid("model", exportable)
model = st.radio("Model", exportable, horizontal=True, key="model", bind=widgets.URL)
stem = export.file_stem(run.id, model, epoch)
files = (
    ("word2vec", "word2vec text", f"{stem}.txt", "Loadable with gensim's KeyedVectors.load_word2vec_format."),
    ("vectors", "Projector vectors.tsv", f"{stem}-vectors.tsv", "Load both TSV files at projector.tensorflow.org."),
    ("metadata", "Projector metadata.tsv", f"{stem}-metadata.tsv", "Word, count (and designed group) per row."),
)
for column, (kind, label, name, tip) in zip(st.columns(3), files):
    make = functools.partial(export_file, str(run.path), model, epoch, kind)
    column.download_button(label, make, name, "text/plain", key=f"export_{kind}", help=tip)
st.caption(f"Epoch {epoch} of the {model} model: {len(vocab_words):,} words.")

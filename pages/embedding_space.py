"""Embedding space: both models' words in 2D (PCA or UMAP), epoch by epoch, labelled and coloured by meaning."""

import functools

import streamlit as st

import widgets
from lib import charts, clusters, compare, export, projection
from lib.evaluate import PURITY_K
from lib.store import Run

SECONDS_PER_FRAME = 1.0
K = 8  # neighbours listed for a clicked word, at first
WORD_SETS = {"Category words": "categories", "Most frequent words": "frequent"}


@st.cache_data(max_entries=16, show_spinner=False)
def projection_frame(path_a: str, model_a: str, path_b: str, model_b: str, method: str, words: tuple, epochs: tuple):
    """Both sides' projection (lib.projection.sides_frame), cached per pair of sides, method, word set and the epochs
    finished so far (a new epoch makes a new entry)."""
    pair = compare.Sides(compare.Side(Run(path_a), model_a), compare.Side(Run(path_b), model_b))
    return projection.sides_frame(pair, method, list(words))


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
epochs = widgets.all_epochs(run)
if not epochs:
    st.info("This run has no finished epoch yet.")
    st.stop()
pair = widgets.select_sides(run)
if pair is None:
    st.stop()
sides, labels = (pair.a, pair.b), pair.labels()
finished = tuple(tuple(run.epochs(m)) for m in run.models)
results = purity(str(run.path), finished)
st.info(widgets.plain(clusters.what_to_look_for(run, results)), icon=":material/visibility:")

vocab_words = widgets.vocab(run).words
has_categories = bool(projection.run_word_categories(run)) and not run.config.get("groups")
controls = st.columns([1, 1.3, 1, 1])
method = controls[0].radio("Projection", ["PCA", "UMAP"], horizontal=True, key="proj", bind=widgets.URL,
                           help="PCA is instant; UMAP keeps local neighbourhoods better (the first time takes up to "
                                "a minute, then it is cached with the run).")
set_names = list(WORD_SETS) if has_categories else ["Most frequent words"]
widgets.drop_invalid("words", set_names)
word_set = WORD_SETS[controls[1].radio("Words", set_names, horizontal=True, key="words", bind=widgets.URL,
                                       help="Category words: the words of the run's categories, most frequent "
                                            "first. Most frequent: the top of the vocabulary.")]
most = min(5000, len(vocab_words))
widgets.drop_invalid("n", range(3, most + 1))
n_words = controls[2].number_input("How many", min_value=3, max_value=most, value=min(300, len(vocab_words)), step=50,
                                   key="n", bind=widgets.URL)
top_labels = controls[3].slider("Label the most frequent", 0, 100, 30, step=5, key="labels", bind=widgets.URL,
                                help="With more than 80 words on screen, category, highlighted and clicked words are "
                                     "labelled, and this many of the most frequent; labels never overlap.")
highlight = st.multiselect("Highlight words (drawn whatever their frequency, with their path over the epochs)",
                           vocab_words[:20_000], key="hl", bind=widgets.URL, placeholder="type to search the vocabulary")

frame = None
if note := widgets.sides_note(pair):
    st.info(widgets.plain(note), icon=":material/compare_arrows:")
try:
    words = projection.projection_words(run, word_set, int(n_words), highlight)
    if pair.two_runs:  # the words both runs have: B's projection is turned onto A's over them
        words = compare.shared_words(words, widgets.vocab(pair.b.run).words)
        if len(words) < 3:
            raise ValueError(f"The two runs share {len(words)} of these words; a common picture needs at least 3.")
    for side in sides:
        projection.check_request(method.lower(), len(words), side.run.train_config.dim)
    side_epochs = tuple(tuple(s.run.epochs(s.model)) for s in sides)
    with st.spinner(f"Projecting {len(words)} words for every epoch with {method}…"):
        frame = projection_frame(str(pair.a.run.path), pair.a.model, str(pair.b.run.path), pair.b.model,
                                 method.lower(), tuple(words), side_epochs)
except ValueError as exc:
    if min(s.run.train_config.dim for s in sides) >= projection.MIN_DIM and "share" not in str(exc):
        widgets.show_error(exc)
    st.info(widgets.plain(str(exc)) + " The clusters and the export below work as for any run.")
if pair.two_runs:
    st.caption("Side B's picture is turned onto side A's (orthogonal Procrustes over these words at each side's "
               "last epoch), so positions compare across the runs as they do across epochs. The slider runs over "
               "side A's epochs; side B shows the epoch at the same share of its training.")
elif note := widgets.common_note(run):
    st.caption(note)
player = widgets.Player("embedding", epochs, SECONDS_PER_FRAME, help="0 is the random start, before any training.",
                        param="epoch")
if frame is not None:
    st.caption(f"{len(words)} words. {projection.ALIGNMENT} Scroll to zoom, drag to pan, click a word to see its "
               "nearest neighbours in both models (double-click clears).")
    player.button()
if "embedding_focus" not in st.session_state:  # a link may name the clicked word (?focus=king) and k (?k=8)
    st.session_state["embedding_focus"] = widgets.from_url("focus", None, allowed=set(vocab_words))
k = st.session_state.setdefault("k_embedding", widgets.from_url("k", K, int, range(3, 21)))


@st.fragment(run_every=player.run_every)
def scatter() -> None:
    """The epoch slider, the chart and the clicked word's neighbourhood; while playing, this part alone redraws."""
    epoch = player.slider()
    focus_word = st.session_state.get("embedding_focus")
    at = {label: e for label, e in zip(labels, (epoch, widgets.side_epoch(pair, epoch)))}  # each side's epoch
    shown = []
    for side, label in zip(sides, labels):
        missing = widgets.missing_epoch(side.run, side.model, at[label]) if at[label] is not None else \
            f"{side.model} has no finished epoch yet."
        if missing:
            st.info(widgets.plain(f"{label}: {missing}") if pair.two_runs else missing)
        else:
            shown.append(label)
    if not shown:
        return
    kvs = {label: widgets.keyed_vectors(side.run, side.model, at[label])
           for side, label in zip(sides, labels) if label in shown}
    lists = clusters.neighbour_lists(kvs, focus_word, k) if focus_word else {}
    focus = {m: [focus_word, *lists.get(m, [])] for m in shown} if focus_word else None
    event = st.altair_chart(charts.embedding_scatter(frame, epoch, highlight, shown, focus, top_labels, epochs=at),
                            width="content", on_select="rerun", selection_mode=charts.PICK, key="embedding_chart")
    picked = [p.get("word") for p in (event.selection.get(charts.PICK) or []) if p.get("word")]
    if picked and picked[0] != focus_word:
        st.session_state["embedding_focus"] = picked[0]
        st.rerun(scope="fragment")
    widgets.to_url("focus", focus_word)
    widgets.to_url("k", k if focus_word and k != K else None)
    if focus_word:
        neighbourhood(focus_word, epoch, lists)


def neighbourhood(word: str, epoch: int, lists: dict[str, list[str]]) -> None:
    shown = set(frame.loc[frame["epoch"] == epoch, "word"])
    st.markdown(f"**Nearest neighbours at epoch {epoch}** (cosine in each side's full vector space; ringed in the "
                "plots where they are among the words shown)")
    st.caption(widgets.plain(f"Clicked word: {word}"))
    columns = st.columns(len(labels) + 1)
    for column, label in zip(columns, labels):
        column.dataframe({"rank": range(1, len(lists.get(label, [])) + 1), label: lists.get(label, []),
                          "in the plot": [w in shown for w in lists.get(label, [])]}, hide_index=True)
    if len(lists) == 2:
        (a, list_a), (b, list_b) = lists.items()
        both = [w for w in list_a if w in list_b]
        columns[-1].metric("In both lists", f"{len(both)} of {k}", help="Words both models have among the k nearest.")
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
frame_purity = clusters.purity_frame(results)
if frame_purity["value"].notna().any():
    st.altair_chart(charts.purity_lines(frame_purity), width="stretch")
    source = run.config.get("categories_source") or "the shipped lists (data/categories.tsv)"
    st.caption(f"For each category word, the share of its {PURITY_K} nearest category words (cosine, full vector "
               "space) in its own category, averaged; the dashed line is what randomly placed words would score. "
               f"Categories: {source}.")
else:
    st.caption("This run has no categories with two or more words in its vocabulary, so there is no purity to draw.")

st.subheader("Export")
exportable = [m for m in run.models if epoch in run.epochs(m)]
widgets.drop_invalid("model", exportable)
model = st.radio("Model", exportable, horizontal=True, key="model", bind=widgets.URL)
stem = export.file_stem(run.id, model, epoch)
files = (("word2vec", "word2vec text", f"{stem}.txt", "Loadable with gensim's KeyedVectors.load_word2vec_format."),
         ("vectors", "Projector vectors.tsv", f"{stem}-vectors.tsv", "Load both TSV files at projector.tensorflow.org."),
         ("metadata", "Projector metadata.tsv", f"{stem}-metadata.tsv", "Word, count (and designed group) per row."))
for column, (kind, label, name, tip) in zip(st.columns(3), files):
    make = functools.partial(export_file, str(run.path), model, epoch, kind)
    column.download_button(label, make, name, "text/plain", key=f"export_{kind}", help=tip)
st.caption(f"Epoch {epoch} of the {model} model: {len(vocab_words):,} words.")

"""Embedding space: both models' most frequent words in 2D (PCA or UMAP), epoch by epoch, with paths and exports."""

import functools

import streamlit as st

import widgets
from lib import charts, export, projection
from lib.analysis import parse_words
from lib.evaluate import unknown_word_message
from lib.store import Run

SECONDS_PER_FRAME = 1.0


@st.cache_data(max_entries=16, show_spinner=False)
def projection_frame(path: str, method: str, n_words: int, epochs: tuple):
    """Cached per run, method, size and the epochs finished so far (a new epoch makes a new entry)."""
    return projection.projection_frame(Run(path), method, n_words)


@st.cache_data(max_entries=8, show_spinner=False)
def export_file(path: str, model: str, epoch: int, kind: str) -> bytes:
    """One export file, made only when its download button is clicked (large vocabularies take seconds)."""
    run = Run(path)
    kv = run.keyed_vectors(model, epoch)
    if kind == "word2vec":
        return export.word2vec_text(kv)
    if kind == "vectors":
        return export.projector_vectors_tsv(kv)
    return export.projector_metadata_tsv(kv, run.config.get("groups"))


def highlighted(run, frame, text: str, epoch: int) -> list[str]:
    """The words typed to highlight that are in the projection; a message for each one that is not."""
    shown = set(frame["word"])
    kv = widgets.keyed_vectors(run, run.models[0], epoch)
    keep = []
    for word in parse_words(text):
        if word in shown:
            keep.append(word)
        elif word in kv.key_to_index:
            st.warning(f"'{word}' is word number {kv.key_to_index[word] + 1:,} by frequency; raise the number of "
                       "words to show it.")
        else:
            st.warning(unknown_word_message(word, kv))
    return keep


run = widgets.select_run()
if run is None:
    st.stop()
st.title("Embedding space")
st.caption("The most frequent words projected to 2D after each epoch, both models side by side. Frames are aligned "
           "to the last epoch (rotation only), so a word's movement is real. Scroll to zoom, drag to pan.")

vocab_size = len(widgets.vocab(run))
left, middle, right = st.columns([1, 1, 2])
method = left.radio("Projection", ["PCA", "UMAP"], horizontal=True, key="embedding_method",
                    help="PCA is instant; UMAP keeps local neighbourhoods better (the first time takes up to a "
                         "minute, then it is cached with the run).")
n_words = middle.number_input("Words (most frequent first)", min_value=3, max_value=min(5000, vocab_size),
                              value=min(300, vocab_size), step=50, key="embedding_n_words")
words_text = right.text_input("Highlight words (their path across all epochs)", key="embedding_highlight",
                              placeholder="e.g. king, queen" if vocab_size > 100 else "e.g. bbb ccc")

epochs = run.common_epochs()
if not epochs:
    st.info("This run has no finished epoch yet.")
    st.stop()

try:
    with st.spinner(f"Projecting {n_words} words for every epoch with {method}…"):
        frame = projection_frame(str(run.path), method.lower(), int(n_words),
                                 tuple(tuple(run.epochs(m)) for m in run.models))
except ValueError as exc:
    widgets.show_error(exc)
frame = frame[frame["epoch"].isin(epochs)]

player = widgets.Player("embedding", epochs, SECONDS_PER_FRAME, help="0 is the random start, before any training.")
player.button()


@st.fragment(run_every=player.run_every)
def scatter() -> None:
    """The epoch slider and the chart; while playing, this part alone redraws, one epoch per tick."""
    epoch = player.slider()
    st.altair_chart(charts.embedding_scatter(frame, epoch, highlighted(run, frame, words_text, epoch)),
                    width="content")


scatter()
epoch = player.frame

st.subheader("Export")
model = st.radio("Model", run.models, horizontal=True, key="embedding_export_model")
stem = export.file_stem(run.id, model, epoch)
files = (("word2vec", "word2vec text", f"{stem}.txt", "Loadable with gensim's KeyedVectors.load_word2vec_format."),
         ("vectors", "Projector vectors.tsv", f"{stem}-vectors.tsv", "Load both TSV files at projector.tensorflow.org."),
         ("metadata", "Projector metadata.tsv", f"{stem}-metadata.tsv", "Word, count (and designed group) per row."))
for column, (kind, label, name, tip) in zip(st.columns(3), files):
    make = functools.partial(export_file, str(run.path), model, epoch, kind)
    column.download_button(label, make, name, "text/plain", key=f"export_{kind}", help=tip)
st.caption(f"Epoch {epoch} of the {model} model: {vocab_size:,} words.")

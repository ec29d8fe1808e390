"""Similarity: the cosine similarity of a word pair after every epoch, and one word against every other word."""

import streamlit as st

import widgets
from lib import analysis, charts
from lib.store import Run


@st.cache_data(max_entries=64, show_spinner=False)
def pair_frame(path: str, word_a: str, word_b: str, epochs: tuple):
    return analysis.similarity_across_epochs(Run(path), word_a, word_b)


st.title("Similarity")
run = widgets.select_run()
if run is None:
    st.stop()
if not widgets.all_epochs(run):
    st.info("This run has no finished epoch yet.")
    st.stop()
if note := widgets.common_note(run):
    st.caption(note)

st.subheader("A word pair across the epochs")
check = analysis.default_word(run)
left, right = st.columns(2)
word_a = widgets.word_input("First word", check, "w1", run, where=left)
first = next(m for m in run.models if run.epochs(m))
last = widgets.keyed_vectors(run, first, run.epochs(first)[-1])
word_b = widgets.word_input("Second word", analysis.default_partner(run, check, last), "w2", run, where=right)
try:
    frame = pair_frame(str(run.path), word_a, word_b, tuple(tuple(run.epochs(m)) for m in run.models))
    st.info(widgets.plain(analysis.similarity_line(frame, word_a, word_b)), icon=":material/visibility:")
    st.altair_chart(charts.similarity_lines(frame, word_a, word_b), width="stretch")
except ValueError as exc:
    st.error(widgets.plain(str(exc)))

st.subheader("One word against every other word")
word = widgets.word_input("Check word", check, "word", run)
epoch = widgets.epoch_slider(run)
for model in run.models:
    if missing := widgets.missing_epoch(run, model, epoch):
        st.info(missing)
kvs = {m: widgets.keyed_vectors(run, m, epoch) for m in run.models if epoch in run.epochs(m)}
try:
    table = analysis.similarities_to(kvs, word, run.config.get("groups"))
except ValueError as exc:
    widgets.show_error(exc)
st.caption(widgets.plain(f"Cosine similarity to '{word}' after epoch {epoch}, sorted by {next(iter(kvs))}; click a "
                        "column to sort."))
bar = {m: st.column_config.ProgressColumn(m, min_value=-1.0, max_value=1.0, format="%.3f") for m in kvs}
st.dataframe(table, hide_index=True, width="stretch", column_config=bar)

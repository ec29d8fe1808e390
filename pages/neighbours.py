"""Neighbours: a word's nearest words in both models at one epoch, their overlap, and how the lists changed."""

import streamlit as st

import widgets
from lib import analysis, charts
from lib.store import Run


@st.cache_data(max_entries=64, show_spinner=False)
def neighbours_by_epoch(path: str, model: str, word: str, k: int, epochs: tuple):
    return analysis.neighbours_by_epoch(Run(path), model, word, k, epochs)


run = widgets.select_run()
if run is None:
    st.stop()
st.title("Neighbours")
st.caption("The nearest words by cosine similarity in each model, and how much the two lists agree.")

left, right = st.columns([2, 1])
word = widgets.word_input("Word", analysis.default_word(run), "neighbours_word", run, where=left)
most = max(1, min(30, len(widgets.vocab(run)) - 1))  # a tiny vocabulary has fewer neighbours to show
k = right.slider("Neighbours (k)", 1, most, min(10, most), key="neighbours_k")
epoch = widgets.epoch_slider(run, key="neighbours_epoch")
if epoch is None:
    st.stop()

lists = {}
try:
    for model, column in zip(run.models, st.columns(len(run.models))):
        table = analysis.neighbours(widgets.keyed_vectors(run, model, epoch), word, k)
        lists[model] = table["word"].tolist()
        column.markdown(f"**{model}** · epoch {epoch}")
        column.dataframe(table, hide_index=True, column_config={
            "cosine": st.column_config.ProgressColumn("cosine", min_value=-1.0, max_value=1.0, format="%.3f")})
except ValueError as exc:
    widgets.show_error(exc)

if len(lists) == 2:
    (a, list_a), (b, list_b) = lists.items()
    shared = [w for w in list_a if w in list_b]
    st.metric(f"Overlap of the two lists (Jaccard@{k})", f"{analysis.jaccard(list_a, list_b):.0%}",
              help="|A ∩ B| / |A ∪ B| of the two top-k lists; 100% means the same words.")
    st.caption(widgets.plain("In both lists: " + (", ".join(shared) if shared else "none")))
st.info(widgets.plain(analysis.agreement_line(word, lists, epoch)), icon=":material/visibility:")

st.subheader("How the list changed from epoch to epoch")
epochs = tuple(run.common_epochs())
tables = {m: neighbours_by_epoch(str(run.path), m, word, k, epochs) for m in run.models}
st.altair_chart(charts.jaccard_lines(analysis.jaccard_with_previous(tables), word, k), width="stretch")
for model, column in zip(run.models, st.columns(len(run.models))):
    column.markdown(f"**{model}**: rank 1…{k} after each epoch")
    column.dataframe(tables[model], width="stretch")

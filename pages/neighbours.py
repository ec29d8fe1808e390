"""Neighbours: a word's nearest words in both models at one epoch, their overlap, and how the lists changed."""

import streamlit as st

import widgets
from lib import analysis, charts
from lib.store import Run


@st.cache_data(max_entries=64, show_spinner=False)
def neighbours_by_epoch(path: str, model: str, word: str, k: int, epochs: tuple):
    return analysis.neighbours_by_epoch(Run(path), model, word, k, epochs)


st.title("Neighbours")
run = widgets.select_run()
if run is None:
    st.stop()
st.caption("The nearest words by cosine similarity in each model, and how much the two lists agree.")

left, right = st.columns([2, 1])
word = widgets.word_input("Word", analysis.default_word(run), "word", run, where=left)
most = max(1, min(30, len(widgets.vocab(run)) - 1))  # a tiny vocabulary has fewer neighbours to show
widgets.drop_invalid("k", range(1, most + 1))
k = right.slider("Neighbours (k)", 1, most, min(10, most), key="k", bind=widgets.URL)
epoch = widgets.epoch_slider(run)
if epoch is None:
    st.stop()
if note := widgets.common_note(run):
    st.caption(note)

lists = {}
try:
    for model, column in zip(run.models, st.columns(len(run.models))):
        column.markdown(f"**{model}** · epoch {epoch}")
        if missing := widgets.missing_epoch(run, model, epoch):
            column.info(missing)
            continue
        table = analysis.neighbours(widgets.keyed_vectors(run, model, epoch), word, k)
        lists[model] = table["word"].tolist()
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
if len(lists) == len(run.models):
    st.info(widgets.plain(analysis.agreement_line(word, lists, epoch)), icon=":material/visibility:")
else:
    st.caption(f"No overlap at epoch {epoch}: only the epochs both models finished are compared "
               f"({widgets.epoch_range(run.common_epochs())}).")

st.subheader("How the list changed from epoch to epoch")
tables = {m: neighbours_by_epoch(str(run.path), m, word, k, tuple(run.epochs(m))) for m in run.models}
st.altair_chart(charts.jaccard_lines(analysis.jaccard_with_previous(tables), word, k), width="stretch")
for model, column in zip(run.models, st.columns(len(run.models))):
    column.markdown(f"**{model}**: rank 1…{k} after each epoch")
    column.dataframe(tables[model], width="stretch")

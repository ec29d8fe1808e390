"""Similarity: the cosine similarity of a word pair after every epoch, and one word against every other word, on
both sides (a run's two models, or a model of each of two runs)."""

import streamlit as st

import widgets
from lib import charts
from lib.runs.store import Run
from lib.views import analysis


@st.cache_data(max_entries=64, show_spinner=False)
def pair_frame(path: str, model: str, word_a: str, word_b: str, epochs: tuple):
    return analysis.similarity_across_epochs(Run(path), word_a, word_b, models=[model])


st.title("Similarity")
run = widgets.select_run()
if run is None:
    st.stop()
pair = widgets.select_sides(run)
if pair is None:
    st.stop()
if not widgets.all_epochs(run):
    st.info("This run has no finished epoch yet.")
    st.stop()
labels = pair.labels()
sides = dict(zip(labels, (pair.a, pair.b)))
SIDE = dict(zip(labels, ("Side A", "Side B")))
colours = charts.side_colours(labels, (pair.a.model, pair.b.model))
if note := widgets.sides_note(pair):
    st.info(widgets.plain(note), icon=":material/compare_arrows:")
elif note := widgets.common_note(run):
    st.caption(note)
planned = (pair.a.run.train_config.epochs, pair.b.run.train_config.epochs)

st.subheader("A word pair across the epochs")
check = analysis.default_word(run)
left, right = st.columns(2)
word_a = widgets.word_input("First word", check, "w1", run, where=left)
first = next(m for m in run.models if run.epochs(m))
last = widgets.keyed_vectors(run, first, run.epochs(first)[-1])
word_b = widgets.word_input("Second word", analysis.default_partner(run, check, last), "w2", run, where=right)
frames, lacking = {}, {}
for label, side in sides.items():
    try:
        frames[label] = pair_frame(str(side.run.path), side.model, word_a, word_b, tuple(side.run.epochs(side.model)))
    except ValueError as exc:  # a word this side's vocabulary lacks (or a file damaged since the run was opened)
        lacking[label] = str(exc)
if not frames:
    st.error(widgets.plain(next(iter(lacking.values()))))
else:
    for label, why in lacking.items():
        st.info(widgets.plain(f"{SIDE[label]} ({label}): {why} Its line is left out."))
    own = analysis.sides_frame(frames)
    if pair.two_runs:  # the note above names the sides; the line says which is which
        own["model"] = own["model"].map({labels[0]: "side A", labels[1]: "side B"})
    st.info(widgets.plain(analysis.similarity_line(own, word_a, word_b)), icon=":material/visibility:")
    if pair.two_runs and planned[0] != planned[1]:
        half = planned[1] // 2 or planned[1]
        st.caption(
            f"Each side is drawn over its own epochs, on side A's epoch axis at the same share of training: "
            f"side B's epoch {half} of {planned[1]} sits at side A's {half * planned[0] / planned[1]:g} of "
            f"{planned[0]}."
        )
    factors = {labels[1]: planned[0] / max(1, planned[1])} if pair.two_runs else None
    drawn = {label: colour for label, colour in colours.items() if label in frames}  # no legend for a missing line
    st.altair_chart(
        charts.similarity_lines(analysis.sides_frame(frames, factors), word_a, word_b, drawn), width="stretch"
    )

st.subheader("One word against every other word")
word = widgets.word_input("Check word", check, "word", run)
epoch = widgets.epoch_slider(run)
if epoch is None:
    st.stop()
epoch_b, _ = widgets.matched_epoch_note(pair, epoch)
at = {labels[0]: epoch, labels[1]: epoch_b}
kvs = {}
for label, side in sides.items():
    missing = (
        widgets.missing_epoch(side.run, side.model, at[label])
        if at[label] is not None
        else f"{side.model} has no finished epoch yet."
    )
    if missing:
        st.info(widgets.plain(f"{SIDE[label]} ({label}): {missing}") if pair.two_runs else missing)
    else:
        kvs[label] = widgets.keyed_vectors(side.run, side.model, at[label])
if not kvs:
    st.stop()
having = {label: kv for label, kv in kvs.items() if word in kv.key_to_index}
for label in [label for label in kvs if having and label not in having]:
    st.info(
        widgets.plain(
            f"{SIDE[label]} ({label}): '{word}' is not in this side's vocabulary (its run's corpus "
            "or min_count left it out); its column is left out."
        )
    )
try:
    table = analysis.similarities_to(having or kvs, word, run.config.get("groups"))
except ValueError as exc:
    widgets.show_error(exc)
shown = having or kvs
name = {labels[0]: "side A", labels[1]: "side B"}
if pair.two_runs:
    when = ", ".join(f"on {name[label]} after epoch {at[label]}" for label in shown)
    first_side = name[next(iter(shown))]
    caption = (
        f"Cosine similarity to '{word}' {when}, sorted by {first_side}; click a column to sort. Rows are "
        f"{first_side}'s words and count is their count in its corpus; a blank means the other side lacks "
        "that word."
    )
else:
    caption = (
        f"Cosine similarity to '{word}' after epoch {epoch}, sorted by {next(iter(shown))}; click a column to sort."
    )
st.caption(widgets.plain(caption))
bar = {
    label: st.column_config.ProgressColumn(
        f"{name[label]} · {label}" if pair.two_runs else label,
        min_value=-1.0,
        max_value=1.0,
        format="%.3f",
        help=label if pair.two_runs else None,
        width="medium" if pair.two_runs else None,
    )
    for label in shown
}  # with two runs the header starts with the side: long labels differ at their end
GROUP_HELP = (
    "What the corpus's design says of the word, the colour it has in Embedding space: for the alphabet languages "
    "its place in the alphabet (00 a … 25 z), for toy-analogy its gender and number, for toy-pos its tag."
)
columns = {**bar, "group": st.column_config.TextColumn("designed group", help=GROUP_HELP)}
st.dataframe(table, hide_index=True, width="stretch", column_config=columns)

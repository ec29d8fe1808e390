"""Neighbours: a word's nearest words on both sides at one epoch, their overlap, how the lists changed, and which
words' lists differ most."""

import functools

import streamlit as st

import widgets
from lib import charts
from lib.runs.store import Run
from lib.views import analysis, compare


@st.cache_data(max_entries=64, show_spinner=False)
def neighbours_by_epoch(path: str, model: str, word: str, k: int, epochs: tuple):
    return analysis.neighbours_by_epoch(Run(path), model, word, k, epochs)


@st.cache_data(max_entries=32, show_spinner=False)
def agreement(path_a: str, model_a: str, epoch_a: int, path_b: str, model_b: str, epoch_b: int, n: int, k: int):
    """compare.neighbour_agreement of two saved epochs (finished epochs never change: safe to cache)."""
    return compare.neighbour_agreement(
        Run(path_a).keyed_vectors(model_a, epoch_a), Run(path_b).keyed_vectors(model_b, epoch_b), n, k
    )


def open_word(table_key: str, words: list[str]) -> None:
    """A row picked in a 'what changed' table: show that word at the top of the page (and in the link)."""
    rows = st.session_state[table_key].selection.rows
    if rows:
        widgets.set_word("word", words[rows[0]])


st.title("Neighbours")
run = widgets.select_run()
if run is None:
    st.stop()
pair = widgets.select_sides(run)
if pair is None:
    st.stop()
labels = pair.labels()
colours = charts.side_colours(labels, (pair.a.model, pair.b.model))
st.caption("The nearest words by cosine similarity on each side, and how much the two lists agree.")
if note := widgets.sides_note(pair):
    st.info(widgets.plain(note), icon=":material/compare_arrows:")

left, right = st.columns([2, 1])
word = widgets.word_input("Word", analysis.default_word(run), "word", run, where=left)
most = max(1, min(30, len(widgets.vocab(run)) - 1))  # a tiny vocabulary has fewer neighbours to show
widgets.drop_invalid("k", range(1, most + 1))
k = right.slider("Neighbours (k)", 1, most, min(10, most), key="k", bind=widgets.URL)
epoch = widgets.epoch_slider(run)
if epoch is None:
    st.stop()
epoch_b, matched = widgets.matched_epoch_note(pair, epoch)
if not matched and (note := widgets.common_note(run)):
    st.caption(note)

lists = {}
for side, label, at, column in zip((pair.a, pair.b), labels, (epoch, epoch_b), st.columns(2)):
    column.markdown(f"**{widgets.plain(label)}** · epoch {at}")
    missing = (
        widgets.missing_epoch(side.run, side.model, at)
        if at is not None
        else f"{side.model} has no finished epoch yet."
    )
    if missing:
        column.info(missing)
        continue
    kv = widgets.keyed_vectors(side.run, side.model, at)
    if (
        pair.two_runs
        and word not in kv.key_to_index
        and any(word in widgets.vocab(s.run).index for s in (pair.a, pair.b))
    ):
        column.info(
            widgets.plain(f"'{word}' is not in this side's vocabulary (its run's corpus or min_count left it out).")
        )
        continue
    try:
        table = analysis.neighbours(kv, word, k)
    except ValueError as exc:
        widgets.show_error(exc)
    lists[label] = table["word"].tolist()
    column.dataframe(
        table,
        hide_index=True,
        column_config={
            "cosine": st.column_config.ProgressColumn("cosine", min_value=-1.0, max_value=1.0, format="%.3f")
        },
    )

if len(lists) == 2:
    (_, list_a), (_, list_b) = lists.items()
    shared = [w for w in list_a if w in list_b]
    st.metric(
        f"Overlap of the two lists (Jaccard@{k})",
        f"{analysis.jaccard(list_a, list_b):.0%}",
        help="|A ∩ B| / |A ∪ B| of the two top-k lists; 100% means the same words.",
    )
    st.caption(widgets.plain("In both lists: " + (", ".join(shared) if shared else "none")))
    st.info(widgets.plain(analysis.agreement_line(word, lists, epoch)), icon=":material/visibility:")
else:
    st.caption(f"No overlap at epoch {epoch}: one side has no list to compare.")

st.subheader("How the list changed from epoch to epoch")
tables = {}
for side, label in zip((pair.a, pair.b), labels):
    if word in widgets.vocab(side.run).index:
        tables[label] = neighbours_by_epoch(str(side.run.path), side.model, word, k, tuple(side.run.epochs(side.model)))
if tables:
    st.altair_chart(charts.jaccard_lines(analysis.jaccard_with_previous(tables), word, k, colours), width="stretch")
for label, table in tables.items():  # one under the other: k columns of words need the page's width
    st.markdown(f"**{widgets.plain(label)}**: rank 1…{k} after each epoch")
    st.dataframe(table, width="stretch")

# ------------------------------------------------------------ what changed: which word to look at next

st.subheader("What changed: the words whose neighbours differ most")
st.caption(
    "Pick a row to open that word at the top of the page. Lists are the k nearest among the words both "
    "sides have (cosine, full vector space); Jaccard@k is their overlap, lowest first."
)
n_col, k_col, _ = st.columns([1, 1, 2])
n_max = max(3, min(5000, len(widgets.vocab(run))))
widgets.drop_invalid("changed_n", range(3, n_max + 1))
n_words = n_col.number_input(
    "Among the most frequent words (N)", 3, n_max, min(300, n_max), step=100, key="changed_n", bind=widgets.URL
)
widgets.drop_invalid("changed_k", range(1, most + 1))
k_changed = k_col.slider("List length (k)", 1, most, min(10, most), key="changed_k", bind=widgets.URL)
between, over_epochs = st.tabs([f"Between the sides at epoch {epoch}", "Between two epochs of one side"])
with between:
    if (
        epoch_b is None
        or widgets.missing_epoch(pair.a.run, pair.a.model, epoch)
        or widgets.missing_epoch(pair.b.run, pair.b.model, epoch_b)
    ):
        st.info("Both sides need this epoch finished to compare their lists.")
    else:
        try:
            table = agreement(
                str(pair.a.run.path),
                pair.a.model,
                epoch,
                str(pair.b.run.path),
                pair.b.model,
                epoch_b,
                int(n_words),
                k_changed,
            )
        except ValueError as exc:
            st.info(widgets.plain(str(exc)))
        else:
            st.dataframe(
                table.head(50).rename(columns={"only_a": f"only {labels[0]}", "only_b": f"only {labels[1]}"}),
                hide_index=True,
                key="changed_sides",
                selection_mode="single-row",
                on_select=functools.partial(open_word, "changed_sides", table["word"].head(50).tolist()),
                column_config={
                    "jaccard": st.column_config.ProgressColumn(
                        f"Jaccard@{k_changed}", min_value=0.0, max_value=1.0, format="%.2f"
                    )
                },
            )
            st.caption(
                f"Mean Jaccard@{k_changed} over the {len(table):,} words: {table['jaccard'].mean():.2f}. "
                "Low values at the top are the words the two sides place differently."
            )
with over_epochs:
    side_label = st.radio("Side", labels, horizontal=True, key="changed_side")
    side = pair.a if side_label == labels[0] else pair.b
    done = side.run.epochs(side.model)
    if len(done) < 2:
        st.info("This side has fewer than two finished epochs.")
    else:
        first, last = st.select_slider(
            "From epoch … to epoch", options=done, value=(done[0], done[-1]), key="changed_epochs"
        )
        if first == last:
            st.info("Choose two different epochs.")
        else:
            path = str(side.run.path)
            table = agreement(path, side.model, first, path, side.model, last, int(n_words), k_changed)
            st.dataframe(
                table.head(50).rename(columns={"only_a": f"only epoch {first}", "only_b": f"only epoch {last}"}),
                hide_index=True,
                key="changed_epochs_table",
                selection_mode="single-row",
                on_select=functools.partial(open_word, "changed_epochs_table", table["word"].head(50).tolist()),
                column_config={
                    "jaccard": st.column_config.ProgressColumn(
                        f"Jaccard@{k_changed}", min_value=0.0, max_value=1.0, format="%.2f"
                    )
                },
            )
            st.caption(f"Words at the top moved most between epochs {first} and {last} on {widgets.plain(side_label)}.")

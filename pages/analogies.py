"""Analogies: solve 'a is to b as c is to ?' in both models, and follow analogy accuracy over the epochs."""

import random

import streamlit as st

import widgets
from lib import analysis, charts
from lib import questions as question_format
from lib.store import Run

METHODS = {"3CosAdd": "3cosadd", "3CosMul": "3cosmul"}


@st.cache_data(max_entries=16, show_spinner=False)
def covered_questions(path: str, questions: str) -> list[tuple]:
    return question_format.covered(questions, set(Run(path).vocab().words))


@st.cache_data(max_entries=16, show_spinner=False)
def opening_question(path: str, questions: str, epoch: int):
    run = Run(path)
    kvs = {m: run.keyed_vectors(m, epoch) for m in run.models if epoch in run.epochs(m)}
    return analysis.solved_question(covered_questions(path, questions), kvs)


st.title("Analogies")
run = widgets.select_run()
if run is None:
    st.stop()
st.caption("a is to b as c is to ?  —  3CosAdd ranks words x by cos(x, b − a + c); 3CosMul by "
           "cos(x, b)·cos(x, c) / cos(x, a) (Levy & Goldberg, 2014), as gensim's most_similar_cosmul.")

questions = analysis.analogy_questions_path(run)
vocab = widgets.vocab(run)
covered = covered_questions(str(run.path), questions) if questions else []
keys = list("abc")  # the word inputs, and their names in the link (?a=man&b=king&c=woman)


def draw_question() -> None:
    """'Another question': any covered question, written into the three word inputs."""
    for key, word in zip(keys, covered[random.randrange(len(covered))]):
        widgets.set_word(key, word)


if not widgets.all_epochs(run):
    st.info("This run has no finished epoch yet.")
    st.stop()
if covered:
    solved = opening_question(str(run.path), questions, widgets.all_epochs(run)[-1])
    a0, b0, c0, d0 = solved or covered[0]
    how = "one every model answers right at the last epoch" if solved else "its first (no model answers any of " \
          "the first few hundred right yet)"
    st.caption(widgets.plain(f"{len(covered):,} questions of this run's set have all four words in its vocabulary. "
                             f"The solver opens on {how}: {a0} : {b0} :: {c0} : {d0}."))
    st.button("Another question", on_click=draw_question, icon=":material/shuffle:", key="analogies_another",
              help="Draw another question of the run's set whose four words are all in the vocabulary.")
else:
    a0, b0, c0 = sorted(vocab.words)[:3]
    st.caption("This run has no analogy question with all four words in its vocabulary (its corpus designs none); "
               "type your own a, b and c.")
method_label = st.radio("Method", list(METHODS), horizontal=True, key="method", bind=widgets.URL)
method = METHODS[method_label]
words = [widgets.word_input(label, default, key, run, where=column)
         for column, label, default, key in zip(st.columns(3), ("a", "is to b", "as c is to ?"), (a0, b0, c0), keys)]
epoch = widgets.epoch_slider(run)
if epoch is None:
    st.stop()
if note := widgets.common_note(run):
    st.caption(note)

for model, column in zip(run.models, st.columns(len(run.models))):
    column.markdown(f"**{model}** · epoch {epoch}")
    if missing := widgets.missing_epoch(run, model, epoch):
        column.info(missing)
        continue
    try:
        column.dataframe(analysis.answers(widgets.keyed_vectors(run, model, epoch), *words, method=method),
                         hide_index=True, width="stretch")
    except ValueError as exc:
        column.error(widgets.plain(str(exc)))

st.subheader(f"Accuracy over the epochs ({method_label})")
if questions is None:
    st.info("This run has no analogy questions: its corpus designs none. Train on toy-analogy or WikiText-2 (or "
            "give the Train page an analogy file) to measure accuracy.")
    st.stop()
epochs = widgets.all_epochs(run)
every_epoch = False
if method == "3cosmul":
    every_epoch = st.button("Score every epoch with 3CosMul", key="analogies_every_epoch",
                            help="Lines need every epoch scored; on WikiText-2 that takes a few seconds per epoch "
                                 "the first time.")
try:
    bar = st.progress(0.0, text="Scoring the questions with 3CosMul (once per epoch; kept with the run)…") \
        if method == "3cosmul" else None
    results = analysis.analogy_results(run, method, epochs, epoch, every_epoch,
                                       progress=bar.progress if bar else None)
    if bar:
        bar.empty()
except ValueError as exc:
    widgets.show_error(exc)
frame = analysis.accuracy_frame(results)
if frame["value"].isna().all():
    st.info("No question has all four words in this run's vocabulary, so there is no accuracy to show.")
    st.stop()
st.altair_chart(charts.accuracy_lines(frame, f"{method_label} accuracy after each epoch"), width="stretch")

st.subheader(f"Per category at epoch {epoch}")
now = {m: results[(m, epoch)] for m in run.models if (m, epoch) in results}
for model, column in zip(now, st.columns(len(run.models))):
    coverage = now[model].get("analogy_coverage")
    accuracy = now[model].get("analogy_accuracy")
    column.metric(f"{model} accuracy", "–" if accuracy is None else f"{accuracy:.1%}",
                  help="Share of the covered questions answered right (top answer).")
    column.metric(f"{model} coverage", "–" if coverage is None else f"{coverage:.1%}",
                  help="Share of the questions whose four words are all in the vocabulary.")
if line := analysis.analogy_line(now, epoch):
    st.info(widgets.plain(line), icon=":material/visibility:")
sections = analysis.section_frame(now)
if sections.empty:
    st.info("No category has a question the vocabulary covers.")
else:
    st.altair_chart(charts.category_bars(sections), width="stretch")

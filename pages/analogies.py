"""Analogies: solve 'a is to b as c is to ?' on both sides (a run's two models, or a model of each of two runs),
and follow analogy accuracy over the epochs on the questions both sides cover."""

import random

import streamlit as st

import widgets
from lib import charts
from lib.data import questions as question_format
from lib.runs.store import Run
from lib.views import analogies, analysis

METHODS = {"3CosAdd": "3cosadd", "3CosMul": "3cosmul"}
QUICK = 2_000_000  # shared questions × vocabulary: two runs' every epoch is scored without asking up to this


@st.cache_data(max_entries=16, show_spinner=False)
def covered_questions(questions: str, *paths: str) -> list[tuple]:
    """The questions whose four words every one of these runs' vocabularies has."""
    known = set.intersection(*(set(Run(path).vocab().words) for path in paths))
    return question_format.covered(questions, known)


@st.cache_data(max_entries=16, show_spinner=False)
def opening_question(questions: str, sides: tuple):
    """The first covered question every side answers right; sides: (run folder, model, epoch) of each."""
    kvs = {i: Run(path).keyed_vectors(model, epoch) for i, (path, model, epoch) in enumerate(sides)}
    paths = tuple(dict.fromkeys(path for path, _, _ in sides))
    return analogies.solved_question(covered_questions(questions, *paths), kvs)


st.title("Analogies")
run = widgets.select_run()
if run is None:
    st.stop()
pair = widgets.select_sides(run)
if pair is None:
    st.stop()
labels = pair.labels()
sides = dict(zip(labels, (pair.a, pair.b)))
colours = charts.side_colours(labels, (pair.a.model, pair.b.model))
planned = (pair.a.run.train_config.epochs, pair.b.run.train_config.epochs)
st.caption(
    "a is to b as c is to ?  —  3CosAdd ranks words x by cos(x, b − a + c); 3CosMul by "
    "cos(x, b)·cos(x, c) / cos(x, a) (Levy & Goldberg, 2014), as gensim's most_similar_cosmul."
)
if note := widgets.sides_note(pair):
    st.info(widgets.plain(note), icon=":material/compare_arrows:")

questions = analogies.analogy_questions_path(run)  # side A's set: with two runs both sides are scored on it
vocab = widgets.vocab(run)
paths = tuple(dict.fromkeys(str(side.run.path) for side in sides.values()))
covered = covered_questions(questions, *paths) if questions else []
keys = list("abc")  # the word inputs, and their names in the link (?a=man&b=king&c=woman)


def draw_question() -> None:
    """'Another question': any covered question, written into the three word inputs."""
    for key, word in zip(keys, covered[random.randrange(len(covered))]):
        widgets.set_word(key, word)


if not widgets.all_epochs(run):
    st.info("This run has no finished epoch yet.")
    st.stop()
if covered:
    last = widgets.all_epochs(run)[-1]
    ends = ((pair.a, last), (pair.b, widgets.side_epoch(pair, last)))
    solved = opening_question(
        questions,
        tuple(
            (str(side.run.path), side.model, e)
            for side, e in ends
            if e is not None and e in side.run.epochs(side.model)
        ),
    )
    a0, b0, c0, d0 = solved or covered[0]
    if pair.two_runs:
        how = (
            "one both sides answer right at their last epochs"
            if solved
            else "its first (neither side answers all of the first few hundred right yet)"
        )
        own = {label: len(covered_questions(questions, str(side.run.path))) for label, side in sides.items()}
        st.caption(
            widgets.plain(
                f"{len(covered):,} questions of side A's set have all four words in both sides' "
                f"vocabularies (side A's alone covers {own[labels[0]]:,}, side B's "
                f"{own[labels[1]]:,}): these are drawn, and scored below. The solver opens on "
                f"{how}: {a0} : {b0} :: {c0} : {d0}."
            )
        )
    else:
        how = (
            "one every model answers right at the last epoch"
            if solved
            else "its first (no model answers any of the first few hundred right yet)"
        )
        st.caption(
            widgets.plain(
                f"{len(covered):,} questions of this run's set have all four words in its "
                f"vocabulary. The solver opens on {how}: {a0} : {b0} :: {c0} : {d0}."
            )
        )
    st.button(
        "Another question",
        on_click=draw_question,
        icon=":material/shuffle:",
        key="analogies_another",
        help="Draw another question of the run's set whose four words are all in the vocabulary"
        + (" of both sides." if pair.two_runs else "."),
    )
else:
    a0, b0, c0 = sorted(vocab.words)[:3]
    where = "both sides' vocabularies" if pair.two_runs and questions else "its vocabulary"
    st.caption(
        f"This run has no analogy question with all four words in {where}"
        + (" (its corpus designs none)" if not questions else "")
        + "; type your own a, b and c."
    )
method_label = st.radio("Method", list(METHODS), horizontal=True, key="method", bind=widgets.URL)
method = METHODS[method_label]
words = [
    widgets.word_input(label, default, key, run, where=column)
    for column, label, default, key in zip(st.columns(3), ("a", "is to b", "as c is to ?"), (a0, b0, c0), keys)
]
epoch = widgets.epoch_slider(run)
if epoch is None:
    st.stop()
epoch_b, matched = widgets.matched_epoch_note(pair, epoch)
at = {labels[0]: epoch, labels[1]: epoch_b}
if not matched and (note := widgets.common_note(run)):
    st.caption(note)

for (label, side), column in zip(sides.items(), st.columns(2)):
    if at[label] is None:
        column.markdown(f"**{widgets.plain(label)}**")
        column.info(f"{side.model} has no finished epoch yet.")
        continue
    column.markdown(f"**{widgets.plain(label)}** · epoch {at[label]}")
    if missing := widgets.missing_epoch(side.run, side.model, at[label]):
        column.info(missing)
        continue
    kv = widgets.keyed_vectors(side.run, side.model, at[label])
    other = widgets.vocab((pair.b if side is pair.a else pair.a).run)
    lacks = [w for w in words if w and w not in kv.key_to_index]
    if pair.two_runs and lacks and all(w in other for w in lacks):
        column.info(
            widgets.plain(
                f"{', '.join(repr(w) for w in lacks)} not in this side's vocabulary (its run's "
                "corpus or min_count left it out): the other side answers alone."
            )
        )
        continue
    try:
        column.dataframe(analogies.answers(kv, *words, method=method), hide_index=True, width="stretch")
    except ValueError as exc:
        column.error(widgets.plain(str(exc)))

st.subheader(f"Accuracy over the epochs ({method_label})")
if questions is None:
    st.info(
        "This run has no analogy questions: its corpus designs none. Train on toy-analogy or WikiText-2 (or "
        "give the Train page an analogy file) to measure accuracy."
    )
    st.stop()
subset, quick = None, False
total = len(question_format.questions_in(questions))
if pair.two_runs:
    b_questions = analogies.analogy_questions_path(pair.b.run)
    shared, own = analogies.shared_questions(questions, vocab.words, widgets.vocab(pair.b.run).words, b_questions)
    if not shared:
        st.info(
            "The two sides share no analogy question (none of side A's set has all four words in both "
            "vocabularies), so there is no accuracy to compare."
        )
        st.stop()
    subset = None if own else analogies.question_file(shared)
    quick = len(shared) * max(len(vocab), len(widgets.vocab(pair.b.run))) <= QUICK
    other_set = not analogies.same_question_set(questions, b_questions)
    st.caption(
        f"Like for like: both sides are scored on the same {len(shared):,} of the {total:,} questions of "
        "side A's set, those whose four words both vocabularies have"
        + ("" if not other_set else " (side B's run has another question set, or none: not used here)")
        + (
            ". Each side's saved scores cover exactly these questions."
            if own
            else "; each side's answers are searched among its whole vocabulary, as when it trained (kept with "
            "the runs once scored)."
        )
    )
computed = method == "3cosmul" or subset is not None
every_epoch = quick
if computed and not quick:
    every_epoch = st.button(
        f"Score every epoch with {method_label}",
        key="analogies_every_epoch",
        help="Lines need every epoch scored; on WikiText-2 that takes a few seconds per epoch the first time.",
    )
results = {}
try:
    text = (
        "Scoring the questions with 3CosMul (once per epoch; kept with the run)…"
        if subset is None
        else f"Scoring the shared questions with {method_label} (once per epoch; kept with the runs)…"
    )
    bar = st.progress(0.0, text=text) if computed else None
    for i, (label, side) in enumerate(sides.items()):
        got = analogies.analogy_results(
            side.run,
            method,
            side.run.epochs(side.model),
            at[label],
            every_epoch,
            progress=(lambda share, i=i: bar.progress((i + share) / 2)) if bar else None,
            models=[side.model],
            questions=subset,
        )
        results[label] = {e: r for (_, e), r in got.items()}
    if bar:
        bar.empty()
except ValueError as exc:
    widgets.show_error(exc)
frames = {label: analogies.accuracy_frame({(label, e): r for e, r in got.items()}) for label, got in results.items()}
frame = analysis.sides_frame(frames, {labels[1]: planned[0] / max(1, planned[1])} if pair.two_runs else None)
if frame["value"].isna().all():
    st.info("No question has all four words in this run's vocabulary, so there is no accuracy to show.")
    st.stop()
if pair.two_runs and planned[0] != planned[1]:
    half = planned[1] // 2 or planned[1]
    st.caption(
        f"Each side is drawn over its own epochs, on side A's epoch axis at the same share of training: side "
        f"B's epoch {half} of {planned[1]} sits at side A's {half * planned[0] / planned[1]:g} of {planned[0]}."
    )
st.altair_chart(charts.accuracy_lines(frame, f"{method_label} accuracy after each epoch", colours), width="stretch")

if pair.two_runs and at[labels[1]] != epoch:
    st.subheader(f"Per category at side A's epoch {epoch} (side B's {at[labels[1]]})")
else:
    st.subheader(f"Per category at epoch {epoch}")
now = {label: results[label][at[label]] for label in labels if at[label] in results[label]}
for label, column in zip(now, st.columns(2)):
    accuracy = now[label].get("analogy_accuracy")
    if pair.two_runs:
        column.caption(widgets.plain(label))
        column.metric(
            f"Side {'AB'[labels.index(label)]} accuracy",
            "–" if accuracy is None else f"{accuracy:.1%}",
            help="Share of the shared questions answered right (top answer).",
        )
        continue
    coverage = now[label].get("analogy_coverage")
    column.metric(
        f"{label} accuracy",
        "–" if accuracy is None else f"{accuracy:.1%}",
        help="Share of the covered questions answered right (top answer).",
    )
    column.metric(
        f"{label} coverage",
        "–" if coverage is None else f"{coverage:.1%}",
        help="Share of the questions whose four words are all in the vocabulary.",
    )
if pair.two_runs:
    st.metric(
        "Shared questions",
        f"{len(shared):,} of {total:,}",
        help="Questions of side A's set whose four words both sides' vocabularies have: both sides are scored "
        "on these.",
    )
when = epoch if not pair.two_runs or at[labels[1]] == epoch else f"{epoch} (side B: {at[labels[1]]})"
if pair.two_runs:  # the note above names the sides
    now_named = {("side A" if label == labels[0] else "side B"): result for label, result in now.items()}
else:
    now_named = now
if line := analogies.analogy_line(now_named, when):
    st.info(widgets.plain(line), icon=":material/visibility:")
sections = analogies.section_frame(now)
if sections.empty:
    st.info("No category has a question the vocabulary covers.")
else:
    st.altair_chart(charts.category_bars(sections, colours=colours), width="stretch")

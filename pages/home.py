"""Home: what the app shows, every run in a table (2 to 8 ticked runs overlaid), and the selected run's loss and speed
per epoch."""

import pandas as pd
import streamlit as st

from lib import charts
from lib.runs import jobs, listing, progress, store
from lib.views import clusters, explain, overlay
from lib.views.evaluate import PROBE_EXAMPLES
from widgets import (
    RUN_KEY,
    URL,
    damaged_runs,
    forget_runs,
    plain,
    progress_bars,
    run_summaries,
    runs_root,
    select_run,
    show_error,
)

st.title("Word2Vec Workbench")
st.markdown(
    "Two word2vec implementations learn from **the same corpus with the same settings**: a from-scratch "
    "PyTorch model and gensim's `Word2Vec`. Both models' vectors are saved after every epoch (epoch 0 is the "
    "random start), so every page can compare them epoch by epoch.\n\n"
    "- **Train** starts a run. **Embedding space**, **Neighbours**, **Similarity** and **Analogies** compare the "
    "two models at any epoch. **How it works** walks through the algorithm with the selected run's numbers.\n"
    "- The run picked in the sidebar (or ticked last in the Runs table) is the one every page shows; the link in "
    "the address bar keeps it. Tick 2 to 8 runs in the table to overlay their curves, epoch by epoch."
)
root = runs_root()


if not listing.list_runs(root):  # a fresh machine: show the example run the app ships, at once
    try:
        listing.install_example(root)
    except (ValueError, OSError) as exc:
        show_error(exc)
    forget_runs()

if deleted := st.session_state.pop("_deleted", None):
    st.success(f"Deleted {plain(deleted)}.")
run = select_run()
if run is None:
    st.stop()

# ------------------------------------------------------------ every run


HEADLINE = ("category_purity", "purity")  # the one quality number every run has, for the compact table
DETAIL_COLUMNS = ["loss", "words_per_sec", "neighbor_precision", "analogy_accuracy", "ws353_spearman"]


TABLE_KEY = "runs_table"
TICKED = "_runs_ticked"  # the run ids ticked in the table at the last rerun, to tell which row was just ticked
ORDER = "_runs_order"  # the table's run ids at the last rerun (the table's ticks are row numbers)


def _ticked(ids: list[str], rows) -> list[str]:
    return [ids[i] for i in rows if 0 <= i < len(ids)]


def _pick_run(ids: list[str]) -> None:
    """The runs table's row ticks: the row ticked last is the run every page shows (runs_table then reruns the
    whole page); all ticked rows are the runs overlaid below the table."""
    ticked = _ticked(ids, st.session_state[TABLE_KEY].selection.rows)
    new = [i for i in ticked if i not in st.session_state.get(TICKED, [])]
    st.session_state[TICKED] = ticked
    if new:
        st.session_state[RUN_KEY] = new[-1]
        st.session_state["_run_picked"] = True


@st.fragment(run_every=2 if jobs.training_runs(root) else None)
def runs_table() -> None:
    st.subheader("Runs")
    rows = pd.DataFrame(run_summaries(root))
    if rows.empty:
        st.info("No runs yet.")
        return
    rows.insert(0, "label", [listing.run_label(r) for r in rows.to_dict("records")])
    wide = st.toggle(
        "All columns", value=False, key="runs_wide", help="Every metric and setting of every run, scrolled sideways."
    )
    metrics = DETAIL_COLUMNS if wide else ["loss"]
    columns = ["label", "state"] + [f"{m}_{k}" for k in (HEADLINE[0], *metrics) for m in ("pytorch", "gensim")]
    if wide:
        columns += [
            "pytorch_epochs",
            "gensim_epochs",
            "corpus",
            "created",
            "vocab",
            "tokens",
            "architecture",
            "loss",
            "dim",
            "window",
            "negative",
            "min_count",
            "sample",
            "epochs",
            "seed",
            "run",
        ]
    ids = rows["run"].tolist()
    if st.session_state.get(ORDER) not in (None, ids) and st.session_state.get(TICKED):
        # runs came or went since the rows were ticked: keep the same runs ticked, wherever their rows are now
        st.session_state[TABLE_KEY] = {
            "selection": {"rows": [ids.index(i) for i in st.session_state[TICKED] if i in ids], "columns": []}
        }
    st.session_state[ORDER] = ids
    event = st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        key=TABLE_KEY,
        on_select=lambda: _pick_run(ids),
        selection_mode="multi-row",
        column_order=[c for c in columns if c in rows.columns],
        column_config={
            "label": st.column_config.TextColumn(
                "run",
                help="Its name, or corpus · epochs · settings; then the end "
                "of its id. Tick a row to show that run on every "
                f"page; tick 2 to {overlay.MAX_RUNS} to overlay their "
                "curves.",
                width=330,
            ),
            "state": st.column_config.TextColumn(
                "state",
                help="complete, training, or incomplete (stopped early; its finished epochs are kept)",
                width="small",
            ),
            "created": st.column_config.TextColumn("created (UTC)"),
            **{
                f"{m}_epochs": st.column_config.NumberColumn(f"{m[:2]} ep", width="small", help=f"epochs {m} finished")
                for m in ("pytorch", "gensim")
            },
            **{
                f"{m}_loss": st.column_config.NumberColumn(
                    f"{m} probe loss",
                    format="%.3f",
                    help="probe loss after the last finished epoch (the same yardstick for both models)",
                )
                for m in ("pytorch", "gensim")
            },
            **{
                f"{m}_words_per_sec": st.column_config.NumberColumn(f"{m} words/s", format="%.0f")
                for m in ("pytorch", "gensim")
            },
            **{
                f"{m}_{k}": st.column_config.NumberColumn(
                    f"{m} {label}", format="%.3f", width="small", help=f"{m}, after its last finished epoch"
                )
                for m in ("pytorch", "gensim")
                for k, label in (
                    ("neighbor_precision", "neighbour precision"),
                    ("analogy_accuracy", "analogies"),
                    ("ws353_spearman", "WordSim353 ρ"),
                )
            },
            **{
                f"{m}_{HEADLINE[0]}": st.column_config.NumberColumn(
                    f"{m} {HEADLINE[1]}",
                    format="%.3f",
                    width="small",
                    help=f"{m}'s category purity after its last finished epoch: the share of each category word's 3 "
                    "nearest category words in its own category",
                )
                for m in ("pytorch", "gensim")
            },
            "loss": st.column_config.TextColumn("objective"),
        },
    )
    if st.session_state.pop("_run_picked", False):
        st.rerun()  # the whole page, sidebar selector included
    ticked = _ticked(ids, event.selection.rows)
    st.session_state[TICKED] = ticked
    st.caption(
        f"Tick a row to show that run on every page (now: {plain(listing.run_label(run.summary()))}; the row "
        f"ticked last is the one shown). Tick 2 to {overlay.MAX_RUNS} rows to overlay their curves below."
    )
    if len(ticked) >= overlay.MIN_RUNS:
        overlay_runs(root, ticked, dict(zip(ids, rows["label"])))
    bad = damaged_runs(root)
    if bad:
        with st.expander(
            f"Damaged runs: {len(bad)} entr{'y' if len(bad) == 1 else 'ies'} in the runs folder "
            "skipped (every page leaves them out)"
        ):
            st.markdown("\n".join(f"- **{plain(name)}**: {plain(why)}" for name, why in bad))


def overlay_runs(root: str, ticked: list[str], labels: dict[str, str]) -> None:
    """The ticked runs' per-epoch curves overlaid (one colour per run, one line style per model) and the settings
    they differ in; refused, saying so, beyond overlay.MAX_RUNS runs."""
    if why := overlay.too_many(len(ticked)):
        st.subheader(f"{len(ticked)} runs ticked", anchor=False)
        st.warning(why)
        return
    st.subheader(f"{len(ticked)} runs compared", anchor=False)
    runs = []
    for run_id in ticked:
        try:
            runs.append(listing.find_run(run_id, root))
        except ValueError as exc:  # damaged or deleted since the table was read
            st.warning(plain(f"{exc} It is left out of the comparison."))
    if len(runs) < overlay.MIN_RUNS:
        return
    names = [labels.get(r.id) or r.id for r in runs]
    try:
        frame = overlay.overlay_frame(runs, names)
        settings = overlay.settings_table(runs, names)
    except (ValueError, OSError) as exc:
        st.warning(plain(str(exc)))
        return
    st.caption(
        "What to look for: colour is the run, line style the model (solid PyTorch, dashed gensim). The table "
        "lists only the settings these runs differ in, so a gap between their curves comes from those "
        "settings (or, with nothing listed, from chance). Compare where the curves part and where they "
        "end: a lower probe loss, more analogies solved, purer categories — and what each costs in words/s."
    )
    colours = charts.run_colours(names)
    settings.insert(0, "colour", "━━━━")
    style = settings.style.apply(lambda column: [f"color: {colours[n]}" for n in settings["run"]], subset=["colour"])
    st.dataframe(
        style,
        hide_index=True,
        width="stretch",
        key="overlay_settings",
        column_config={
            "colour": st.column_config.TextColumn("", width=50, help="the run's colour in the charts below"),
            "run": st.column_config.TextColumn("run", width=330),
            "loss": st.column_config.TextColumn("objective", help="the train setting loss"),
        },
    )
    if settings.shape[1] <= 2:
        st.caption("These runs were made with the same settings: only their ids differ.")
    if note := overlay.objectives_note(frame):
        st.info(note, icon=":material/info:")
    found = overlay.panels(frame)
    for start in range(0, len(found), 2):
        for column, panel in zip(st.columns(2), found[start : start + 2]):
            column.altair_chart(
                charts.overlay_lines(panel.rows, panel.metric, panel.title, names, overlay.METRICS[panel.metric]),
                width="stretch",
            )
    missing = [
        overlay.METRICS[m] for m in ("analogy_accuracy", "category_purity") if m not in {p.metric for p in found}
    ]
    if missing:
        st.caption(
            f"No chart for {' or '.join(missing)}: none of these runs saved it (a corpus without analogy "
            "questions or word categories)."
        )


runs_table()


def manage_run() -> None:
    """Name or delete the selected run (deleting is refused while it trains, and asks to be confirmed)."""
    with st.expander("Name or delete this run"):
        label = listing.run_label(run.summary())
        with st.form("rename", border=False):
            name = st.text_input(
                "Name",
                value=run.name,
                key=f"name:{run.id}",
                max_chars=store.NAME_MAX,
                help="Shown instead of corpus · epochs · settings in every run selector. Empty: no name.",
            )
            if st.form_submit_button("Save name", key="save_name"):
                try:
                    run.rename(name)
                except (ValueError, OSError) as exc:
                    show_error(exc)
                forget_runs()
                st.rerun()
        training = run.status()["state"] == "training"
        sure = st.checkbox(
            f"Yes, delete {plain(label)} with all its epochs",
            value=False,
            key=f"delete_sure:{run.id}",
            disabled=training,
        )
        if st.button(
            "Delete run",
            key="delete_run",
            disabled=training or not sure,
            icon=":material/delete:",
            help="Cancel the training first." if training else "Removes the run's folder for good.",
        ):
            try:
                listing.delete_run(run)
            except (ValueError, OSError) as exc:
                show_error(exc)
            forget_runs()
            st.session_state.pop(RUN_KEY, None)
            st.query_params.pop(RUN_KEY, None)
            st.session_state["_deleted"] = label
            st.rerun()
        if training:
            st.caption("This run is training: cancel it on the Train page before deleting it.")


manage_run()

# ------------------------------------------------------------ the selected run, epoch by epoch


@st.fragment(run_every=2 if run.status()["state"] == "training" else None)
def run_charts() -> None:
    s = run.summary()
    st.subheader(f"Selected run: {plain(listing.run_label(s))}", anchor=False)
    cfg = run.train_config
    st.caption(
        f"dim {cfg.dim} · window {cfg.window} · negative {cfg.negative} · min_count {cfg.min_count} · "
        f"sample {cfg.sample:g} · epochs {cfg.epochs} · alpha {cfg.alpha:g} · {s['vocab']:,} words in the "
        f"vocabulary · {s['tokens']:,} tokens"
    )
    if run.id == listing.example_id():
        st.info(
            "This is the example run the app ships, so a fresh machine has something to show at once. It was "
            "trained by this app's code (`python scripts/make_example_run.py`) on the machine that packaged the "
            "app, so its words/s are that machine's. Train your own on the **Train** page; once deleted, the "
            "example comes back only when no other run is left.",
            icon=":material/info:",
        )
    if s["state"] == "training":
        progress_bars(progress.model_progress(run))
    frame = explain.epoch_frame(run)
    if frame.empty:
        st.info("No epoch finished yet.")
        return
    show_train_loss = st.toggle(
        "Also show each trainer's own running loss (train_loss)", value=False, key="running_loss", bind=URL
    )
    columns = ["loss", "train_loss"] if show_train_loss else ["loss"]
    names = {"loss": "probe loss", "train_loss": "trainer's running loss"}
    left, right = st.columns(2)
    left.altair_chart(
        charts.epoch_lines(explain.long_form(frame, columns, names), "Loss per epoch", "loss"), width="stretch"
    )
    right.altair_chart(
        charts.epoch_lines(
            explain.long_form(frame, ["words_per_sec"], {"words_per_sec": "words/s"}),
            "Training speed per epoch",
            "corpus words per second",
            log_y=True,
        ),
        width="stretch",
    )
    results = clusters.purity_by_epoch(run)
    purity = clusters.purity_frame(results)
    if purity["value"].notna().any():
        left, right = st.columns(2)
        left.altair_chart(charts.purity_lines(purity, "Clusters forming: category purity per epoch"), width="stretch")
        right.caption(plain(clusters.what_to_look_for(run, results, colours=False)))


run_charts()

with st.expander("How to read the loss", expanded=False):
    st.markdown(
        f"- **loss** (solid lines) is one yardstick for both models: after each epoch, the same negative-sampling "
        f"objective, $-\\log\\sigma(v'_o\\cdot h) - \\sum_k \\log\\sigma(-v'_{{n_k}}\\cdot h)$, is evaluated on a "
        f"fixed probe sample of {PROBE_EXAMPLES:,} (input, output) pairs with fixed negatives drawn once per run. "
        "Epoch 0 is the random start, where both models score the same. Lower is better; the value is comparable "
        "between the two models and between epochs of one run, not between runs with other settings.\n"
        "- **train_loss** (dashed, when switched on) is each trainer's own running mean during the epoch. It is "
        "not comparable between the models: the PyTorch model averages the loss of every example it trained on, "
        "while gensim's running loss is a float32 accumulator that its worker threads overwrite one another's "
        "updates in (so with workers > 1 it undercounts), which we reset at every epoch.\n"
        "- **words/s** counts corpus words (before subsampling) per second of training, pair making included "
        "(log scale: gensim's C code is usually far ahead on a CPU)."
    )

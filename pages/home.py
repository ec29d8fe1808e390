"""Home: what the app shows, every run in a table, and the selected run's loss and speed per epoch."""

import pandas as pd
import streamlit as st

from lib import charts, clusters, compare, explain, jobs, overlay, store
from lib.evaluate import PROBE_EXAMPLES
from widgets import (RUN_KEY, URL, damaged_runs, forget_runs, plain, progress_bars, run_label, run_summaries,
                     runs_root, select_run, show_error)

st.title("Word2Vec Workbench")
st.markdown(
    "Two word2vec implementations learn from **the same corpus with the same settings**: a from-scratch "
    "PyTorch model and gensim's `Word2Vec`. Both models' vectors are saved after every epoch (epoch 0 is the "
    "random start), so every page can compare them epoch by epoch.\n\n"
    "- **Train** starts a run. **Embedding space**, **Neighbours**, **Similarity** and **Analogies** compare the "
    "two models at any epoch. **How it works** walks through the algorithm with the selected run's numbers.\n"
    "- The run picked in the sidebar (or in the Runs table) is the one every page shows; the link in the address "
    "bar keeps it."
)
root = runs_root()


if not store.list_runs(root):  # a fresh machine: show the example run the app ships, at once
    try:
        store.install_example(root)
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


def _pick_run(key: str, ids: list[str]) -> None:
    """The runs table's row selection: show that run on every page (runs_table then reruns the whole page)."""
    rows = st.session_state[key].selection.rows
    if rows:
        st.session_state[RUN_KEY] = ids[rows[0]]
        st.session_state["_run_picked"] = True


@st.fragment(run_every=2 if jobs.training_runs(root) else None)
def runs_table() -> None:
    st.subheader("Runs")
    rows = pd.DataFrame(run_summaries(root))
    if rows.empty:
        st.info("No runs yet.")
        return
    rows.insert(0, "label", [store.run_label(r) for r in rows.to_dict("records")])
    wide = st.toggle("All columns", value=False, key="runs_wide",
                     help="Every metric and setting of every run, scrolled sideways.")
    metrics = DETAIL_COLUMNS if wide else ["loss"]
    columns = ["label", "state"] + [f"{m}_{k}" for k in (HEADLINE[0], *metrics) for m in ("pytorch", "gensim")]
    if wide:
        columns += ["pytorch_epochs", "gensim_epochs", "corpus", "created", "vocab", "tokens", "architecture", "loss",
                    "dim", "window", "negative", "min_count", "sample", "epochs", "seed", "run"]
    ids = rows["run"].tolist()
    key = f"runs_table:{run.id}"  # a fresh table (no row ticked) whenever another run is selected
    st.dataframe(
        rows, hide_index=True, width="stretch", key=key, on_select=lambda: _pick_run(key, ids),
        selection_mode="single-row", column_order=[c for c in columns if c in rows.columns],
        column_config={
            "label": st.column_config.TextColumn("run", help="Its name, or corpus · epochs · settings; then the end "
                                                             "of its id. Pick a row to show that run everywhere.",
                                                 width=330),
            "state": st.column_config.TextColumn("state", help="complete, training, or incomplete (stopped early; "
                                                               "its finished epochs are kept)", width="small"),
            "created": st.column_config.TextColumn("created (UTC)"),
            **{f"{m}_epochs": st.column_config.NumberColumn(f"{m[:2]} ep", width="small",
                                                            help=f"epochs {m} finished")
               for m in ("pytorch", "gensim")},
            **{f"{m}_loss": st.column_config.NumberColumn(f"{m} probe loss", format="%.3f",
                                                          help="probe loss after the last finished epoch (the same "
                                                               "yardstick for both models)")
               for m in ("pytorch", "gensim")},
            **{f"{m}_words_per_sec": st.column_config.NumberColumn(f"{m} words/s", format="%.0f")
               for m in ("pytorch", "gensim")},
            **{f"{m}_{k}": st.column_config.NumberColumn(f"{m} {label}", format="%.3f", width="small",
                                                         help=f"{m}, after its last finished epoch")
               for m in ("pytorch", "gensim") for k, label in (("neighbor_precision", "neighbour precision"),
                                                               ("analogy_accuracy", "analogies"),
                                                               ("ws353_spearman", "WordSim353 ρ"))},
            **{f"{m}_{HEADLINE[0]}": st.column_config.NumberColumn(
                f"{m} {HEADLINE[1]}", format="%.3f", width="small",
                help=f"{m}'s category purity after its last finished epoch: the share of each category word's 3 "
                     "nearest category words in its own category") for m in ("pytorch", "gensim")},
            "loss": st.column_config.TextColumn("objective"),
        },
    )
    if st.session_state.pop("_run_picked", False):
        st.rerun()  # the whole page, sidebar selector included
    bad = [(name, why) for name, why in damaged_runs(root) if name not in jobs.NOT_RUNS]
    if bad:
        with st.expander(f"Damaged runs: {len(bad)} entr{'y' if len(bad) == 1 else 'ies'} in the runs folder "
                         "skipped (every page leaves them out)"):
            st.markdown("\n".join(f"- **{plain(name)}**: {plain(why)}" for name, why in bad))


runs_table()


def manage_run() -> None:
    """Name or delete the selected run (deleting is refused while it trains, and asks to be confirmed)."""
    with st.expander("Name or delete this run"):
        label = store.run_label(run.summary())
        with st.form("rename", border=False):
            name = st.text_input("Name", value=run.name, key=f"name:{run.id}", max_chars=store.NAME_MAX,
                                 help="Shown instead of corpus · epochs · settings in every run selector. "
                                      "Empty: no name.")
            if st.form_submit_button("Save name", key="save_name"):
                try:
                    run.rename(name)
                except (ValueError, OSError) as exc:
                    show_error(exc)
                forget_runs()
                st.rerun()
        training = run.status()["state"] == "training"
        sure = st.checkbox(f"Yes, delete {plain(label)} with all its epochs", value=False, key=f"delete_sure:{run.id}",
                           disabled=training)
        if st.button("Delete run", key="delete_run", disabled=training or not sure, icon=":material/delete:",
                     help="Cancel the training first." if training else "Removes the run's folder for good."):
            try:
                store.delete_run(run)
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


def overlay_runs() -> None:
    """Several runs' per-epoch curves in one chart each, and the settings in which they differ."""
    chosen_before = st.session_state.get("overlay", st.query_params.get_all("overlay"))
    with st.expander("Compare runs: overlay their curves", expanded=bool(chosen_before)):
        ids = [r["run"] for r in run_summaries(root)]
        if "overlay" not in st.session_state:  # a link names the runs by id (?overlay=A&overlay=B)
            st.session_state["overlay"] = [i for i in st.query_params.get_all("overlay") if i in ids][
                :overlay.MAX_RUNS]
        st.session_state["overlay"] = [i for i in st.session_state["overlay"] if i in ids]  # deleted meanwhile
        chosen = st.multiselect(f"Runs to overlay (2 to {overlay.MAX_RUNS})", ids, key="overlay",
                                max_selections=overlay.MAX_RUNS, format_func=lambda i: run_label(root, i),
                                placeholder="pick runs from the table above")
        st.query_params["overlay"] = chosen
        if len(chosen) < 2:
            st.caption("Pick two or more runs: their probe loss, analogy accuracy, category purity and words/s per "
                       "epoch are drawn in one chart each (a colour per run, a line style per model), with the "
                       "settings in which they differ.")
            return
        runs = []
        for run_id in chosen:
            try:
                runs.append(store.find_run(run_id, root))
            except ValueError as exc:  # damaged or deleted since it was listed
                st.warning(plain(str(exc)))
        if len(runs) < 2:
            return
        differ = compare.differing_settings(runs)
        labels = [store.run_label(r.summary()) for r in runs]
        if differ:
            st.markdown("**Settings in which the runs differ**")
            st.dataframe(pd.DataFrame({name: [str(v) for v in values] for name, values in differ}, index=labels),
                         width="stretch")
        else:
            st.caption("The runs have the same settings: what differs between their curves is chance.")
        frame = overlay.overlay_frame(runs)
        objectives = sorted(frame["objective"].unique())
        if len(objectives) > 1:
            st.caption("Probe loss is drawn once per objective: the yardstick's scale differs with the settings, so "
                       "only runs trained for the same objective share a chart.")
        for objective in objectives:
            part = frame[frame["objective"] == objective]
            st.altair_chart(charts.run_overlay(part, "probe loss", f"Probe loss per epoch ({objective})"),
                            width="stretch")
        left, right = st.columns(2)
        left.altair_chart(charts.run_overlay(frame, "analogy accuracy", "Analogy accuracy per epoch", ".0%"),
                          width="stretch")
        right.altair_chart(charts.run_overlay(frame, "category purity", "Category purity per epoch", ".2f"),
                           width="stretch")
        st.altair_chart(charts.run_overlay(frame, "words/s", "Training speed per epoch", ",.0f", log_y=True),
                        width="stretch")
        st.caption("Look for where the curves part: a setting that changes the model shows as a gap that grows "
                   "with the epochs; runs that differ only in seed show how much of a gap is noise.")


overlay_runs()

# ------------------------------------------------------------ the selected run, epoch by epoch


@st.fragment(run_every=2 if run.status()["state"] == "training" else None)
def run_charts() -> None:
    s = run.summary()
    st.subheader(f"Selected run: {plain(store.run_label(s))}", anchor=False)
    cfg = run.train_config
    st.caption(f"dim {cfg.dim} · window {cfg.window} · negative {cfg.negative} · min_count {cfg.min_count} · "
               f"sample {cfg.sample:g} · epochs {cfg.epochs} · alpha {cfg.alpha:g} · {s['vocab']:,} words in the "
               f"vocabulary · {s['tokens']:,} tokens")
    if run.id == store.example_id():
        st.info("This is the example run the app ships, so a fresh machine has something to show at once. It was "
                "trained by this app's code (`python scripts/make_example_run.py`) on the machine that packaged the "
                "app, so its words/s are that machine's. Train your own on the **Train** page; once deleted, the "
                "example comes back only when no other run is left.", icon=":material/info:")
    if s["state"] == "training":
        progress_bars(jobs.model_progress(run))
    frame = explain.epoch_frame(run)
    if frame.empty:
        st.info("No epoch finished yet.")
        return
    show_train_loss = st.toggle("Also show each trainer's own running loss (train_loss)", value=False,
                                key="running_loss", bind=URL)
    columns = ["loss", "train_loss"] if show_train_loss else ["loss"]
    names = {"loss": "probe loss", "train_loss": "trainer's running loss"}
    left, right = st.columns(2)
    left.altair_chart(charts.epoch_lines(explain.long_form(frame, columns, names), "Loss per epoch", "loss"),
                      width="stretch")
    right.altair_chart(charts.epoch_lines(explain.long_form(frame, ["words_per_sec"], {"words_per_sec": "words/s"}),
                                          "Training speed per epoch", "corpus words per second", log_y=True),
                       width="stretch")
    results = clusters.purity_by_epoch(run)
    purity = clusters.purity_frame(results)
    if purity["value"].notna().any():
        left, right = st.columns(2)
        left.altair_chart(charts.purity_lines(purity, "Clusters forming: category purity per epoch"),
                          width="stretch")
        right.caption(plain(clusters.what_to_look_for(run, results)))


run_charts()

with st.expander("How to read the loss", expanded=False):
    st.markdown(
        f"- **loss** (solid lines) is one yardstick for both models: after each epoch, the same negative-sampling "
        f"objective, $-\\log\\sigma(v'_o\\cdot h) - \\sum_k \\log\\sigma(-v'_{{n_k}}\\cdot h)$, is evaluated on a "
        f"fixed probe sample of {PROBE_EXAMPLES:,} (input, output) pairs with fixed negatives drawn once per run. Epoch 0 "
        "is the random start, where both models score the same. Lower is better; the value is comparable between "
        "the two models and between epochs of one run, not between runs with other settings.\n"
        "- **train_loss** (dashed, when switched on) is each trainer's own running mean during the epoch. It is "
        "not comparable between the models: the PyTorch model averages the loss of every example it trained on, "
        "while gensim's running loss is a float32 accumulator that its worker threads overwrite one another's "
        "updates in (so with workers > 1 it undercounts), which we reset at every epoch.\n"
        "- **words/s** counts corpus words (before subsampling) per second of training, pair making included "
        "(log scale: gensim's C code is usually far ahead on a CPU)."
    )

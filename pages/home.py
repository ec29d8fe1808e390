"""Home: what the app shows, every run in a table, and the selected run's loss and speed per epoch."""

import time

import pandas as pd
import streamlit as st

from lib import charts, clusters, explain, jobs, store
from lib.evaluate import PROBE_EXAMPLES
from widgets import URL, plain, progress_bars, run_summaries, runs_root, select_run

st.title("Word2Vec Workbench")
st.markdown(
    "Two word2vec implementations learn from **the same corpus with the same settings**: a from-scratch "
    "PyTorch model and gensim's `Word2Vec`. Both models' vectors are saved after every epoch (epoch 0 is the "
    "random start), so every page can compare them epoch by epoch.\n\n"
    "- **Train** starts a run. **Embedding space**, **Neighbours**, **Similarity** and **Analogies** compare the "
    "two models at any epoch. **How it works** walks through the algorithm with the selected run's numbers.\n"
    "- The run picked in the sidebar is the one every page shows; the link in the address bar keeps it."
)
root = runs_root()


@st.cache_resource(show_spinner=False)
def first_run_jobs() -> dict:
    """The first-run job per runs folder, shared by every browser session, so only one of them trains it."""
    return {}


def train_first_run() -> None:
    """A machine with no runs: train the default toy run in the background, showing its progress here."""
    st.subheader("Training a first run for you…")
    st.caption("toy-proximity: 26 words aaa … zzz in sentences that walk through the alphabet, so each letter's "
               "true neighbours are the letters within ±2. Both models, with the settings the Train page recommends "
               "for it; it takes a few seconds.")
    shared = first_run_jobs()
    job = shared.get(root)
    if job is None or (job.poll().finished and not store.list_runs(root)):
        job = shared[root] = jobs.start(jobs.FIRST_RUN_CORPUS, jobs.FIRST_RUN_TRAIN, root=root)
    slot = st.empty()
    while not (status := job.poll()).finished:
        with slot.container():
            if status.state == "starting":
                st.progress(0.0, text="Making the corpus and its vocabulary…")
            progress_bars(status.models)
        time.sleep(0.3)
    if status.state != "complete":
        st.error(f"The first run did not finish: {status.message or status.state}. Start one on the Train page.")
        st.stop()
    run_summaries.clear()
    st.session_state["run"] = status.run_id
    st.rerun()


if not store.list_runs(root):
    train_first_run()

run = select_run()
if run is None:
    st.stop()

# ------------------------------------------------------------ every run


@st.fragment(run_every=2 if jobs.training_runs(root) else None)
def runs_table() -> None:
    st.subheader("Runs")
    rows = pd.DataFrame(run_summaries(root))
    if rows.empty:
        st.info("No runs yet.")
        return
    st.dataframe(
        rows, hide_index=True, width="stretch",
        column_order=[c for c in ["state", "corpus", "created", "models", "pytorch_epochs", "gensim_epochs", "pytorch_loss",
                      "gensim_loss", "pytorch_category_purity", "gensim_category_purity",
                      "pytorch_neighbor_precision", "gensim_neighbor_precision",
                      "pytorch_analogy_accuracy", "gensim_analogy_accuracy", "pytorch_ws353_spearman",
                      "gensim_ws353_spearman", "pytorch_words_per_sec", "gensim_words_per_sec", "vocab", "tokens",
                      "architecture", "loss", "dim", "window", "negative", "min_count", "sample", "epochs", "seed",
                      "run"] if c in rows.columns],
        column_config={
            "state": st.column_config.TextColumn("state", help="complete, training, or incomplete (stopped early; "
                                                               "its finished epochs are kept)"),
            "created": st.column_config.TextColumn("created (UTC)"),
            **{f"{m}_loss": st.column_config.NumberColumn(f"{m} probe loss", format="%.4f",
                                                          help="probe loss after the last finished epoch")
               for m in ("pytorch", "gensim")},
            "pytorch_words_per_sec": st.column_config.NumberColumn("pytorch words/s", format="%.0f"),
            "gensim_words_per_sec": st.column_config.NumberColumn("gensim words/s", format="%.0f"),
            **{f"{m}_{k}": st.column_config.NumberColumn(f"{m} {label}", format="%.3f")
               for m in ("pytorch", "gensim") for k, label in (("neighbor_precision", "neighbour precision"),
                                                               ("category_purity", "category purity"),
                                                               ("analogy_accuracy", "analogies"),
                                                               ("ws353_spearman", "WordSim353 ρ"))},
            **{f"{m}_epochs": st.column_config.NumberColumn(f"{m} epochs") for m in ("pytorch", "gensim")},
            "loss": st.column_config.TextColumn("objective"),
        },
    )
    bad = [(name, why) for name, why in store.damaged_runs(root) if name not in jobs.NOT_RUNS]
    if bad:
        with st.expander(f"{len(bad)} folder(s) in {root} are not readable runs"):
            for name, why in bad:
                st.write(f"`{name}`: {why}")


runs_table()

# ------------------------------------------------------------ the selected run, epoch by epoch


@st.fragment(run_every=2 if run.status()["state"] == "training" else None)
def run_charts() -> None:
    s = run.summary()
    st.subheader(f"Selected run: {s['corpus']}, {s['architecture']}, {s['state']}")
    cfg = run.train_config
    st.caption(f"dim {cfg.dim} · window {cfg.window} · negative {cfg.negative} · min_count {cfg.min_count} · "
               f"sample {cfg.sample:g} · epochs {cfg.epochs} · alpha {cfg.alpha:g} · {s['vocab']:,} words in the "
               f"vocabulary · {s['tokens']:,} tokens")
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

"""Train page: pick a corpus, hyperparameters and models; training runs in the background with live progress."""

import os
from dataclasses import fields

import streamlit as st

from lib.config import MODELS, CorpusConfig, TrainConfig, help_for
from lib.data.corpora import CORPORA, wikitext_files, wikitext_folder
from lib.data.presets import preset, preset_name
from lib.runs import jobs, progress, uploads
from lib.train import check_settings, prepare
from widgets import RUN_KEY, config_inputs, plain, progress_bars, reset_inputs, runs_root, show_error

JOB_KEY = "train_job"
TOYS = [name for name in CORPORA if name.startswith("toy-")]
MAIN = ["dim", "window", "negative", "min_count", "epochs", "alpha", "sample", "architecture", "loss"]
ADVANCED = [f.name for f in fields(TrainConfig) if f.name not in MAIN]  # new settings show up here by themselves


@st.cache_data(show_spinner=False)
def toy_description(name: str) -> str:
    from lib.data.corpora import load_corpus

    return load_corpus(CorpusConfig(name, sentences=5)).description


@st.cache_data(show_spinner="Checking the corpus and vocabulary…", max_entries=8)
def check_prepare(
    corpus_cfg: CorpusConfig, train_cfg: TrainConfig, analogies: str | None, categories: str | None
) -> str:
    """lib.train.prepare on this process (toy corpora only: they take a second); '' when fine, else the error."""
    try:
        prepare(corpus_cfg, train_cfg, analogies, categories)
    except ValueError as exc:
        return str(exc)
    return ""


def saved_upload(upload, kind: str, root) -> str:
    """uploads.save_upload once per uploaded file: reruns reuse its saved path (or its error), remembered in the
    session by the upload's file_id, so a large file is not checked and hashed again on every rerun."""
    saved = st.session_state.setdefault("saved_uploads", {})
    key = (upload.file_id, upload.size, kind, str(root))
    if key not in saved or (saved[key][0] and not os.path.exists(saved[key][0])):
        try:
            saved[key] = (str(uploads.save_upload(upload.getvalue(), upload.name, root, kind)), "")
        except ValueError as exc:
            saved[key] = ("", str(exc))
    path, error = saved[key]
    if error:
        raise ValueError(error)
    return path


def uploaded_path(label: str, types: list[str], key: str, kind: str, root) -> str | None:
    """An st.file_uploader's file, saved once (saved_upload); None until a file is given.

    The UploadedFile never leaves this function. Streamlit hands back a fresh copy of the whole file on every rerun
    (it deep-copies widget values), and a copy kept in the page's globals outlives its rerun: those globals and the
    page's functions refer to each other, a cycle that only a full garbage collection frees, and the app turns
    Streamlit's collection after every run off (.streamlit/config.toml). A local goes as soon as this returns."""
    upload = st.file_uploader(label, type=types, key=key)
    return None if upload is None else saved_upload(upload, kind, root)


st.title("Train")
st.caption(
    "Both models train one after the other in a background process, on the same corpus with the same "
    "settings. Every finished epoch is saved at once, so the other pages can show it while training goes on."
)
root = runs_root()

# ------------------------------------------------------------ the current job of this browser session


def kept_epochs(models: list[progress.ModelProgress]) -> str:
    """What an incomplete run keeps, model by model, never promising epochs that did not finish."""
    done = [f"{m.model} {m.finished} of {m.epochs}" for m in models if m.finished]
    if not done:
        return "no epoch finished, so it holds only the random start; delete it on Home."
    idle = [m.model for m in models if not m.finished]
    return (
        "epochs finished and kept: "
        + ", ".join(done)
        + (f" ({' and '.join(idle)} finished none)" if idle else "")
        + "."
    )


def select_new_run(status: jobs.JobStatus) -> None:
    """Once the job's run folder exists, make it the run every page shows (once: the user may pick another)."""
    if status.run_id and st.session_state.get("_job_run_shown") != status.run_id:
        st.session_state[RUN_KEY] = st.session_state["_job_run_shown"] = status.run_id


@st.fragment(run_every=1)
def live_job() -> None:
    job: jobs.Job = st.session_state[JOB_KEY]
    status = job.poll()
    select_new_run(status)
    if status.finished:
        st.rerun()  # the whole page again: the finished job is then shown without polling
    if status.state == "queued":
        st.subheader(f"Waiting: number {status.place} in the queue")
        st.caption(
            f"At most {jobs.max_trainings()} training(s) run at once on this server; yours starts by itself "
            "when the ones before it finish, even if you switch pages meanwhile."
        )
        if st.button("Leave the queue", key="cancel", help="Takes your training out of the queue."):
            job.cancel()
            st.rerun()
        return
    st.subheader("Training" if status.state == "training" else "Starting…")
    if status.state == "starting":
        st.progress(0.0, text="Loading the corpus and building the vocabulary…")
    progress_bars(status.models)
    if status.run_id:
        st.caption(f"Run {plain(status.run_id)} — the other pages show its epochs as they finish.")
    if st.button("Cancel training", key="cancel", help="Stops the trainer; the epochs it finished are kept."):
        job.cancel()
        st.rerun()


job = st.session_state.get(JOB_KEY)
running = False
if job is not None:
    status = job.poll()
    select_new_run(status)
    running = not status.finished
    if running:
        live_job()
    elif status.state == "complete":
        st.success(
            f"Run {plain(status.run_id)} is complete. Open **Embedding space**, **Neighbours** or **Home** "
            "to compare the models epoch by epoch."
        )
        progress_bars(status.models)
    elif status.state == "failed" and job.cancelled:
        st.info("You left the queue; nothing was trained.")
    elif status.state == "failed":
        st.error(plain(f"Training did not start: {status.message}"))
    else:
        why = "cancelled" if job.cancelled else (status.message or "stopped")
        st.warning(plain(f"Run {status.run_id} is incomplete ({why}); {kept_epochs(status.models)}"))
        progress_bars(status.models)
others = [r for r in jobs.training_runs(root) if job is None or r.id != job.run_id]
if others:
    st.info(
        "Also training now (from another browser session or the command line): "
        + plain(", ".join(r.id for r in others))
    )
waiting = [t for t in jobs.queued(root) if job is None or t.run_id != job.run_id]
if waiting:
    st.caption(f"{len(waiting)} other training(s) waiting in the queue.")
if job is not None or others or waiting:
    st.divider()

# ------------------------------------------------------------ corpus

st.subheader("Corpus")
source = st.radio(
    "Corpus", ["Toy language", "WikiText-2", "Your text file"], horizontal=True, label_visibility="collapsed"
)
analogies_path = None
corpus_error = ""
if source == "Toy language":
    left, right = st.columns([2, 1])
    name = left.selectbox("Toy language", TOYS, index=TOYS.index("toy-proximity"))
    sentences = right.number_input(
        "Sentences (0: the language's default)", value=0, step=1000, help=help_for(CorpusConfig, "sentences")
    )
    st.caption(toy_description(name))
    corpus_cfg = CorpusConfig(name, sentences=int(sentences))
elif source == "WikiText-2":
    max_tokens = st.number_input(
        "Keep only the first tokens (0 keeps all)", value=0, step=100_000, help=help_for(CorpusConfig, "max_tokens")
    )
    corpus_cfg = CorpusConfig("wikitext-2", max_tokens=int(max_tokens))  # the folder is the server's setting
    if wikitext_folder():
        try:
            found = wikitext_files(wikitext_folder())
            st.caption(
                "The server has a WikiText-2 folder ($WIKITEXT2_DIR) with "
                + ", ".join(f.name for f in found)
                + "; the run reads those files."
            )
        except ValueError as exc:
            corpus_error = str(exc)
    else:
        st.warning(
            "The server has no WikiText-2 folder set, so the trainer will download WikiText-2 with "
            "`datasets`. Without network access (or a filled Hugging Face cache) it stops with a message; "
            "then whoever runs the server sets $WIKITEXT2_DIR to the folder with WikiText-2's text files and "
            "restarts the app. To train on your own text, choose **Your text file**."
        )
else:
    corpus_cfg = None
    try:
        corpus_path = uploaded_path(
            "A UTF-8 text file, one sentence or paragraph per line", ["txt"], "upload_corpus", "corpus", root
        )
        corpus_cfg = CorpusConfig(corpus_path) if corpus_path else None
    except ValueError as exc:
        corpus_error = str(exc)
    try:
        analogies_path = uploaded_path(
            "Analogy questions (optional): lines 'a b c d', ': section' headers allowed",
            ["txt"],
            "upload_analogies",
            "analogies",
            root,
        )
    except ValueError as exc:
        corpus_error = corpus_error or str(exc)
    if corpus_cfg is None and not corpus_error:
        st.info("Upload a text file to train on it.")
categories_path = None
with st.expander("Word categories (optional)"):
    st.caption(
        "They colour the embedding plots and are scored as category purity after every epoch. Without a "
        "file: the toy language's design, or for natural text the lists shipped in data/categories.tsv "
        "(months, weekdays, numbers, colours, family, countries, capitals, nationalities, currencies, "
        "US states)."
    )
    try:
        categories_path = uploaded_path(
            "word<TAB>category per line", ["tsv", "txt"], "upload_categories", "categories", root
        )
    except ValueError as exc:
        corpus_error = str(exc)

# ------------------------------------------------------------ hyperparameters and models

st.subheader("Hyperparameters")
preset_key = preset_name(corpus_cfg.name if corpus_cfg is not None else "")
recommended = preset(corpus_cfg.name if corpus_cfg is not None else "")
changes = ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}" for k, v in recommended.items())
st.caption(
    f"Recommended for {preset_key}: word2vec's skip-gram defaults"
    + (f", except {changes}." if changes else ".")
    + " Edit any of them; hover over the ? icons for what each "
    "one does."
)
if st.session_state.get("train_preset") != preset_key:  # another corpus: start again from its own preset
    reset_inputs(TrainConfig, "train", recommended)
    st.session_state["train_preset"] = preset_key
values = config_inputs(TrainConfig, MAIN, "train", defaults=recommended)
with st.expander("Advanced"):
    values |= config_inputs(TrainConfig, ADVANCED, "train", defaults=recommended)
models = st.multiselect(
    "Models",
    list(MODELS),
    default=list(MODELS),
    help="pytorch: the from-scratch model in lib/model/torch_word2vec.py; gensim: gensim's Word2Vec.",
)

train_cfg = TrainConfig(**values)
problem = corpus_error
if not problem:
    try:
        check_settings(train_cfg, models)
        if corpus_cfg is not None:
            corpus_cfg.validate()
    except ValueError as exc:
        problem = str(exc)
if problem:
    st.error(plain(problem))
start = st.button(
    "Start training",
    type="primary",
    disabled=running or bool(problem) or corpus_cfg is None,
    help="Already training in this session: wait or cancel first." if running else None,
)
if start:
    if corpus_cfg.name in TOYS:  # a second's check here; big corpora are checked by the trainer itself
        problem = check_prepare(corpus_cfg, train_cfg, analogies_path, categories_path)
        if problem:
            show_error(ValueError(problem))
    try:
        st.session_state[JOB_KEY] = jobs.start(corpus_cfg, train_cfg, models, root, analogies_path, categories_path)
    except (ValueError, OSError) as exc:
        show_error(exc)
    st.session_state.pop("_job_run_shown", None)
    st.rerun()

"""Random versus structured language: both implementations on toy-random and toy-proximity with the same settings."""

import streamlit as st

from lib import charts
from lib.charts import charts3d
from lib.classic import experiments
from lib.config import replace
from lib.runs.store import Run, runs_dir
from lib.views import compare
from widgets import URL, Player, comparison_links, plain, show_error

FRAME_SECONDS = 0.6  # one epoch per frame while playing
EXPERIMENT_KEY = "rvs_experiment"  # this session's lib.classic.experiments.Experiment (its two jobs)


def open_pair(random_path: str, structured_path: str, created: str) -> experiments.LanguagePair:
    return experiments.LanguagePair(Run.open(random_path), Run.open(structured_path), created)


@st.cache_data(max_entries=8, show_spinner="Reading the four runs…")
def frames(random_path: str, structured_path: str, created: str):
    pair = open_pair(random_path, structured_path, created)
    return (
        experiments.precision_frame(pair),
        experiments.final_precision(pair),
        experiments.scatter_frame(pair),
        experiments.common_epochs(pair),
        experiments.settings_summary(pair),
    )


@st.cache_data(max_entries=8, show_spinner="Projecting the words in 3D…")
def frame_3d(random_path: str, structured_path: str, created: str):
    return experiments.scatter_frame(open_pair(random_path, structured_path, created), components=3)


@st.cache_data(max_entries=32, show_spinner=False)
def similarities(random_path: str, structured_path: str, created: str, word: str):
    sims = experiments.similarity_frame(open_pair(random_path, structured_path, created), word)
    return sims, experiments.neighbour_table(sims)


def show_jobs(statuses: dict) -> None:
    """Each language's place in the queue or progress."""
    for lang, status in statuses.items():
        if status.state == "queued":
            st.progress(0.0, text=f"{lang}: waiting, number {status.place} in the queue")
        elif status.state == "starting":
            st.progress(0.0, text=f"{lang}: making the corpus and its vocabulary…")
        else:
            for p in status.models:
                st.progress(min(1.0, max(0.0, p.done)), text=f"{lang} · {p.text}")


@st.fragment(run_every=1)
def live_experiment() -> None:
    experiment: experiments.Experiment = st.session_state[EXPERIMENT_KEY]
    statuses = experiment.poll()
    if all(s.finished for s in statuses.values()):
        st.rerun()  # the whole page again: then it shows the finished pair
    st.subheader("Training both languages…")
    st.caption(
        "Two background trainings, through the same queue as the Train page: switching pages does not stop "
        "them, and this page finds them again when you come back."
    )
    show_jobs(statuses)
    if st.button("Cancel", key="rvs_cancel", help="Leaves the queue or stops training for both languages."):
        experiment.cancel()
        st.rerun()


st.title("Random versus structured language")
st.markdown(
    "Two toy languages with the same 26 words `aaa … zzz`. In **toy-random** every sentence is drawn uniformly, "
    "so there is nothing to learn. In **toy-proximity** every sentence walks through the alphabet, so a word's "
    "designed neighbours are the letters within ±2. One click trains the PyTorch word2vec and gensim on both with "
    "the same settings, in the background like the Train page. **Neighbour precision** asks, for each word, how "
    "many of its nearest neighbours (as many as it has designed ones) are designed neighbours: random vectors score "
    "the chance level (≈ 0.15 here), and only learned structure lifts it towards 1."
)

defaults = experiments.default_train_config()
with st.expander("Settings (shared by all four runs)", expanded=False):
    st.caption(
        "At word2vec's default alpha 0.025, or with the toy corpora's default 30,000 sentences, "
        "toy-proximity's precision peaks after 1–3 epochs and then falls: 100-dimensional vectors over-fit "
        "26 words. 10,000 sentences at alpha 0.01 over 10 epochs keep it near 1, which shows the contrast "
        "best."
    )
    c = st.columns(5)
    sentences = c[0].number_input(
        "Sentences per language", 100, 100_000, experiments.DEFAULT_SENTENCES, step=1000, key="sentences", bind=URL
    )
    epochs = c[1].number_input("Epochs", 1, 50, defaults.epochs, key="epochs", bind=URL)
    alpha = c[2].number_input("alpha", 0.001, 0.5, defaults.alpha, step=0.005, format="%.3f", key="alpha", bind=URL)
    dim = c[3].number_input("Vector size", 2, 300, defaults.dim, key="dim", bind=URL)
    seed = c[4].number_input("Seed", 0, 10_000, defaults.seed, key="seed", bind=URL)

experiment = st.session_state.get(EXPERIMENT_KEY)
statuses = experiment.poll() if experiment is not None else {}
training = any(not s.finished for s in statuses.values())
if st.button(
    "Train both languages",
    type="primary",
    disabled=training,
    help="Queues pytorch and gensim on toy-random and on toy-proximity: two runs, four series.",
):
    try:
        cfg = replace(defaults, epochs=int(epochs), alpha=float(alpha), dim=int(dim), seed=int(seed))
        st.session_state[EXPERIMENT_KEY] = experiments.start_experiment(cfg, sentences=int(sentences), root=runs_dir())
    except (ValueError, OSError) as exc:
        show_error(exc)
    st.rerun()

pair = None
if training:
    live_experiment()
elif experiment is not None:
    pair = experiment.pair()
    if pair is None:
        failed = [f"{lang}: {s.message or s.state}" for lang, s in statuses.items() if s.state != "complete"]
        if any(job.cancelled for job in experiment.jobs.values()):
            st.warning("The last pair was cancelled; below is the newest complete pair, if any.")
        else:
            st.error(plain("The last pair did not finish: " + "; ".join(failed)))
pair = pair or experiments.latest_pair(runs_dir())
if pair is None:
    if not training:
        st.info("No pair of runs yet: click **Train both languages** (a few seconds with the toy corpora).")
    st.stop()

keys = (str(pair.random.path), str(pair.structured.path), pair.created)
precision, final, scatter, epochs_done, settings = frames(*keys)
st.caption(
    f"Showing the pair trained {pair.created_label} · "
    + " · ".join(f"{k} {v}" for k, v in settings.items())
    + f" · runs {pair.random.id}, {pair.structured.id}"
)

st.markdown(
    "**The two languages on every comparison page**: toy-proximity as side A against toy-random as side "
    "B, the same model on both sides (the sidebar changes either). Neighbours lists the words whose "
    "neighbours differ most between the languages."
)
st.caption(plain(f"The runs differ in {compare.difference_text(pair.structured, pair.random) or 'no setting'}."))
comparison_links(pair.structured, pair.random, key="rvs_compare")

st.subheader("One score that separates structure from noise")
st.dataframe(
    final[["series", "epoch", "neighbor_precision", "best", "chance"]].rename(
        columns={"epoch": "final epoch", "neighbor_precision": "final neighbour precision", "best": "best epoch's"}
    ),
    hide_index=True,
    column_config={
        c: st.column_config.NumberColumn(format="%.3f") for c in ("final neighbour precision", "best epoch's", "chance")
    },
)

st.subheader("The words, epoch by epoch")
player = Player("rvs", epochs_done, FRAME_SECONDS, help="0 is the random start.", param="epoch")
buttons = st.columns([1, 8], vertical_alignment="center")
view = buttons[0].radio(
    "View",
    ["2D", "3D"],
    horizontal=True,
    key="view",
    bind=URL,
    label_visibility="collapsed",
    help="3D: the first three principal components, drawn with plotly; drag to rotate, scroll "
    "to zoom, hover a point for its word.",
)
dims = min(pair.random.train_config.dim, pair.structured.train_config.dim)
if view == "3D" and dims < 3:
    st.info(f"These runs' vectors have {dims} dimensions; a 3-D view needs at least 3. Showing the 2D view instead.")
    view = "2D"
scatter_3d = frame_3d(*keys) if view == "3D" else None
if scatter_3d is None:
    with buttons[1]:
        player.button()
elif player.playing:  # the 3D figure plays the epochs itself
    player.finish()


@st.fragment(run_every=player.run_every)
def animation() -> None:
    epoch = player.slider()
    left, right = st.columns([3, 2])
    if scatter_3d is not None:
        order = [f"{lang} · {m}" for lang in ("toy-random", "toy-proximity") for m in ("pytorch", "gensim")]
        with left:
            figure = charts3d.alphabet_3d(
                scatter_3d,
                epoch,
                [s for s in order if s in set(scatter["series"])],
                epochs=epochs_done,
                frame_ms=int(FRAME_SECONDS * 1000),
            )
            st.plotly_chart(figure, key="rvs_3d", config={"displaylogo": False})
            st.caption(
                "Drag a scene to rotate it, scroll to zoom, hover a point for its word. Play and the slider "
                "under the figure step through the epochs in your browser (each epoch starts from the first "
                "camera again: turn the scenes when paused); the epoch slider above opens the figure at an "
                "epoch."
            )
    else:
        left.altair_chart(charts.alphabet_scatter(scatter, epoch, size=230), width="content")
    right.altair_chart(charts.precision_lines(precision, epoch), width="stretch")
    right.caption(
        "Colour runs along the alphabet and a grey line joins aaa → bbb → … → zzz. On toy-proximity "
        "the line straightens into a path (neighbours in the language are neighbours in the plane); "
        "on toy-random it stays a tangle."
    )


animation()

st.subheader("Similarity of a check word across epochs")
word = st.text_input("Check word", experiments.CHECK_WORD, key="check", bind=URL).strip().lower()
try:
    sims, table = similarities(*keys, word)
except ValueError as exc:
    st.error(plain(str(exc)))
else:
    st.altair_chart(charts.similarity_heatmap(sims, word), width="content")
    st.caption(
        f"Each cell: cosine similarity of {plain(repr(word))} to a word after an epoch; a dot marks a designed "
        "neighbour. On toy-random every word has the same contexts, so all vectors drift towards one shared "
        "direction (similarity near 1 to everything) and the order of the nearest neighbours is noise; on "
        "toy-proximity similarity falls off with distance in the alphabet. Below, the four most similar "
        "words per epoch (✓ = designed neighbour)."
    )
    st.dataframe(table, width="stretch", height=36 * (len(table) + 1) + 3)

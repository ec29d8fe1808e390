"""Part of speech in 2D: a two-dimensional embedding and a linear classifier learn the tags of ten words, replayed."""

import time

import streamlit as st

from lib import charts
from lib.classic import pos
from widgets import URL, Player, show_error

PLAY_UNTIL = "pos_play_until"  # session state: when the GIFs now playing reach their last step (time.time())


@st.cache_data(max_entries=32, show_spinner="Training…")
def trajectory(seed: int, steps: int, lr: float, record_every: int) -> pos.Trajectory:
    return pos.train(pos.PosConfig(seed=seed, steps=steps, lr=lr, record_every=record_every))


@st.cache_data(max_entries=16, show_spinner=False)
def gif(seed: int, steps: int, lr: float, record_every: int) -> bytes:
    return pos.render_gif(trajectory(seed, steps, lr, record_every))


@st.cache_data(max_entries=32, show_spinner=False)
def play_gif(seed: int, steps: int, lr: float, record_every: int, start: int) -> bytes:
    return pos.render_gif(trajectory(seed, steps, lr, record_every), start=start, loop=False)


@st.cache_data(max_entries=512, show_spinner=False)
def regions(seed: int, steps: int, lr: float, record_every: int, step: int):
    traj = trajectory(seed, steps, lr, record_every)
    return pos.decision_grid(traj.weights, step, pos.extent(traj.points))


st.title("Part of speech in two dimensions")
st.markdown(
    "Each of the ten words of **toy-pos** gets a position in a plane (`nn.Embedding(10, 2)`), and one linear layer "
    "(`nn.Linear(2, 4)`) turns a position into a score per tag. Training moves the words *and* the boundaries "
    "between the tag regions until every word sits in its own tag's region. The model trains directly on the "
    "ten words (all of them in every step, Adam, cross-entropy), not on corpus tokens: every token of a word has "
    "the same tag. Dots are coloured by the **true** tag, the background by the tag the classifier **predicts** "
    "there; a dot with a dark ring is classified correctly."
)

left, *settings = st.columns([2, 1, 1, 1])
seeds_text = left.text_input(
    "Seeds", "0, 1", key="seeds", bind=URL, help="One seed, or several (comma-separated) to put side by side."
)
steps = settings[0].number_input("Steps", 10, 2000, 150, step=10, key="steps", bind=URL)
lr = settings[1].number_input("Learning rate (Adam)", 0.001, 1.0, 0.05, step=0.01, format="%.3f", key="lr", bind=URL)
record_every = settings[2].number_input("Record every … steps", 1, 100, 2, key="every", bind=URL)

try:
    seeds = pos.parse_seeds(seeds_text)
    for seed in seeds:
        pos.PosConfig(seed=seed, steps=int(steps), lr=float(lr), record_every=int(record_every)).validate()
except ValueError as exc:
    show_error(exc)

args = (int(steps), float(lr), int(record_every))
runs = {seed: trajectory(seed, *args) for seed in seeds}
recorded = runs[seeds[0]].steps  # every seed records the same steps
player = Player("pos", recorded, label="Step", help="0 is the random start, before any update.")
player.button()


def size_for(n_seeds: int) -> int:
    return {1: 420, 2: 380}.get(n_seeds, 220)  # the plane's side in pixels, square


@st.fragment
def stepper() -> None:
    """Paused: the slider's step as interactive charts (hover a dot or a region for its tags)."""
    step = player.slider()
    columns = st.columns(2) if len(seeds) == 1 else st.columns(len(seeds))
    size = size_for(len(seeds))
    for i, (seed, traj) in enumerate(runs.items()):
        plane_slot, curve_slot = (columns[0], columns[1]) if len(seeds) == 1 else (columns[i], columns[i])
        now = traj.history[traj.history["step"] == step].iloc[0]
        subtitle = f"loss {now['loss']:.3f} · accuracy {now['accuracy']:.0%}"
        points = traj.points[traj.points["step"] == step]
        plane_slot.altair_chart(
            charts.pos_plane(
                points,
                regions(seed, *args, step),
                pos.extent(traj.points),
                pos.TAG_COLOURS,
                f"seed {seed} · step {step}",
                subtitle,
                size,
            ),
            width=size + 70,
            height=size + (190 if size >= 340 else 220),
        )
        curve_slot.altair_chart(charts.pos_curves(traj.history, step, width=size), width="content")


def playing() -> None:
    """Playing: the recorded steps from the slider's on as animated GIFs, which the browser plays by itself (no round
    trip to the server per frame); when they have played, the page stops playing on the last step."""
    start = player.frame
    with st.spinner("Drawing every step…"):
        frames = {seed: play_gif(seed, *args, start) for seed in seeds}
    seconds = sum(step >= start for step in recorded) * pos.GIF_FRAME_MS / 1000
    until = st.session_state.setdefault(PLAY_UNTIL, time.time() + seconds)
    columns = st.columns(2) if len(seeds) == 1 else st.columns(len(seeds))
    size = size_for(len(seeds))
    for i, (seed, traj) in enumerate(runs.items()):
        plane_slot, curve_slot = (columns[0], columns[1]) if len(seeds) == 1 else (columns[i], columns[i])
        plane_slot.image(frames[seed], width=size)
        curve_slot.altair_chart(charts.pos_curves(traj.history, None, width=size), width="content")
    st.caption(
        f"Steps {start} … {recorded[-1]} at {1000 / pos.GIF_FRAME_MS:.0f} frames per second, played by your "
        "browser. Pause to go through the steps one by one with the slider."
    )

    @st.fragment(run_every=max(0.5, until - time.time()))
    def stop_at_the_end() -> None:
        if time.time() >= until:
            st.session_state.pop(PLAY_UNTIL, None)
            player.finish()
            st.rerun()

    stop_at_the_end()


if player.playing:
    playing()
else:
    st.session_state.pop(PLAY_UNTIL, None)
    stepper()

st.subheader("Where each start ends")
st.dataframe(
    [runs[s].final() for s in seeds],
    column_config={
        "loss": st.column_config.NumberColumn(format="%.4f"),
        "accuracy": st.column_config.NumberColumn(format="percent"),
    },
    hide_index=True,
)
st.caption(
    "Different seeds start the words in different places, so training ends in different layouts and "
    "boundaries: which tag takes which corner of the plane is an accident of the start."
)
download_columns = st.columns(len(seeds))
for column, seed in zip(download_columns, seeds):
    column.download_button(
        f"GIF of seed {seed}",
        data=lambda seed=seed: gif(seed, *args),
        icon=":material/download:",
        file_name=f"pos-2d-seed{seed}.gif",
        mime="image/gif",
        on_click="ignore",
        key=f"gif_{seed}",
        help="The whole animation, drawn with Pillow.",
    )

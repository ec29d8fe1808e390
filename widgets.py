"""Streamlit pieces every page shares: the run selector (kept in session state and the URL), cached loaders, errors.

Only pages import this module; all computation lives in lib/, which never imports Streamlit.
"""

from __future__ import annotations

import re
from dataclasses import fields as dataclass_fields

import streamlit as st

from lib.config import ARCHITECTURES, LOSSES, OPTIMIZERS
from lib.runs import listing, store
from lib.views import compare

RUN_KEY = "run"  # session-state key and URL query parameter (?run=...)


def _leave_legacy_pages_mode() -> None:
    """Streamlit's one unsupported corner this app needs (streamlit.runtime.pages_manager, private).

    A `pages/` folder beside the entry file puts a fresh server in Streamlit's legacy multipage mode until some
    session runs st.navigation (documented: from then on the folder is ignored, for every session). So when the
    first request after a start is for a page other than Home, Streamlit runs that file on its own, without
    streamlit_app.py: no sections, no titles, no wide layout. Streamlit's supported way out is to call the folder
    anything but `pages/`; this app keeps the design's folder, so every page (they all import this module) leaves
    the mode and reruns, and the app's own navigation takes over. tests/test_widgets.py fails when Streamlit
    changes the flag underneath, and the browser test opens a page other than Home first."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


_leave_legacy_pages_mode()


def runs_root() -> str:
    return str(store.runs_dir())


@st.cache_data(ttl=2, show_spinner=False)
def _scan(root: str) -> tuple[list[str], list[tuple[str, str]]]:
    runs, bad = listing.scan_runs(root)
    return [r.id for r in runs], bad


def run_ids(root: str) -> list[str]:
    """The readable runs' ids, newest first (re-read every 2 s)."""
    return _scan(root)[0]


def damaged_runs(root: str) -> list[tuple[str, str]]:
    """(name, reason) of every entry in the runs folder that is skipped: damaged, a link, a stray file."""
    return _scan(root)[1]


@st.cache_data(ttl=2, show_spinner=False)
def run_label(root: str, run_id: str) -> str:
    """listing.run_label: the run's name, else corpus · epochs · settings; its state; the end of its id."""
    try:
        return listing.run_label(listing.find_run(run_id, root).summary())
    except (ValueError, OSError):
        return run_id


def forget_runs() -> None:
    """Drop the cached run lists and labels (after a run is renamed, deleted or created)."""
    _scan.clear()
    run_label.clear()
    run_summaries.clear()


@st.cache_data(ttl=2, show_spinner=False)
def run_summaries(root: str) -> list[dict]:
    """Run.summary() of every run, newest first (re-read every 2 s, so training runs move on); a run damaged
    since it was listed is left out."""
    rows = []
    for run in listing.list_runs(root):
        try:
            rows.append(run.summary())
        except (ValueError, OSError):
            continue
    return rows


_SELECT_KEY = "_run_select"


def _on_run_change() -> None:
    st.session_state[RUN_KEY] = st.session_state[_SELECT_KEY]


def select_run(sidebar: bool = True) -> store.Run | None:
    """The shared run selector: one choice for every page, mirrored in ?run=... so a link opens the same run.
    Any page may set st.session_state["run"] to a run id to change it (the Train page does on start).

    A damaged run (or any name that is not a readable run) is never opened: the page says why and shows the
    newest readable run. Returns None (after saying why in the page) when there is no readable run."""
    root = runs_root()
    ids = run_ids(root)
    wanted = st.session_state.get(RUN_KEY) or st.query_params.get(RUN_KEY)
    if wanted and wanted not in ids:  # a run made in the last two seconds is not in the cached list yet
        _scan.clear()
        ids = run_ids(root)
    if wanted and wanted not in ids:
        why = dict(damaged_runs(root)).get(wanted) or f"There is no run {wanted[:100]} in the runs folder."
        st.warning(plain(f"{why} Showing the newest readable run instead." if ids else why))
    if not ids:
        st.info("No runs yet: train one on the **Train** page (or open **Home**, which copies in the example run).")
        return None
    if wanted not in ids:
        wanted = ids[0]
    st.session_state[RUN_KEY] = wanted
    st.session_state[_SELECT_KEY] = wanted
    where = st.sidebar if sidebar else st
    where.selectbox(
        "Run",
        ids,
        format_func=lambda i: run_label(root, i),
        key=_SELECT_KEY,
        on_change=_on_run_change,
        help="Every page shows this run; the URL keeps it for sharing.",
    )
    label = run_label(root, wanted)
    if len(label) > SELECT_FITS:  # the box cuts a long label: the whole of it under the box
        where.caption(plain(label))
    st.query_params[RUN_KEY] = wanted
    try:
        return listing.find_run(wanted, root)
    except ValueError as exc:  # damaged since it was listed
        _scan.clear()
        show_error(exc)


SELECT_FITS = 30  # characters of a run's label the sidebar's select box shows before cutting it


VS_KEY = "vs"  # the second run of a comparison, in session state and the link (?vs=...); absent: the run itself
SIDE_KEYS = ("side_a", "side_b")  # each side's model, in session state and the link (?side_a=pytorch&side_b=gensim)
_VS_SELECT = "_vs_select"
THIS_RUN = ""  # the "Compare with" option that compares the run's own two models


def _on_vs_change() -> None:
    st.session_state[VS_KEY] = st.session_state[_VS_SELECT]
    for key in SIDE_KEYS:  # another pair of runs: each side's default model again
        st.session_state.pop(key, None)
        st.query_params.pop(key, None)


def select_sides(run: store.Run) -> compare.Sides | None:
    """The shared "Compare with" control, in the sidebar under the run selector: side A is a model of the selected
    run; side B a model of the same run (the default, PyTorch against gensim) or of another run (?vs=<run id>).
    Kept in the link: ?run=A&vs=B&side_a=pytorch&side_b=pytorch. A `vs` that names no readable run (missing,
    damaged, deleted, hostile) or the run itself is said on the page and the run's own models are compared.
    Returns None (after saying why) when there is nothing to compare: a one-model run with no second run."""
    root = runs_root()
    others = [i for i in run_ids(root) if i != run.id]
    wanted = st.session_state.get(VS_KEY, st.query_params.get(VS_KEY)) or THIS_RUN
    if wanted not in (THIS_RUN, run.id) and wanted not in others:  # made in the last two seconds: not listed yet
        _scan.clear()
        others = [i for i in run_ids(root) if i != run.id]
    if wanted != THIS_RUN and wanted not in others:
        why = (
            "it is the selected run itself"
            if wanted == run.id
            else dict(damaged_runs(root)).get(wanted) or "there is no such run in the runs folder"
        )
        st.warning(plain(f"Cannot compare with {wanted[:100]}: {why}. Comparing the run's own models instead."))
        wanted = THIS_RUN
    st.session_state[VS_KEY] = st.session_state[_VS_SELECT] = wanted
    st.sidebar.selectbox(
        "Compare with",
        [THIS_RUN, *others],
        key=_VS_SELECT,
        on_change=_on_vs_change,
        format_func=lambda i: "its own two models" if i == THIS_RUN else run_label(root, i),
        help="Another run puts it on side B, so every comparison shows what a choice does "
        "(window, objective, seed...); the link keeps it.",
    )
    if wanted == THIS_RUN:
        st.query_params.pop(VS_KEY, None)
        other = run
    else:
        st.query_params[VS_KEY] = wanted
        try:
            other = listing.find_run(wanted, root)
        except ValueError as exc:  # damaged since it was listed
            _scan.clear()
            st.warning(plain(f"Cannot compare with {wanted[:100]}: {exc} Comparing the run's own models instead."))
            other = run
    models = []
    for key, side_run in zip(SIDE_KEYS, (run, other)):
        drop_invalid(key, side_run.models)
        models.append(st.session_state.get(key) or from_url(key, None, allowed=set(side_run.models)))
    try:
        default = compare.sides(run, other)
    except ValueError as exc:  # a one-model run compared with itself
        st.info(plain(str(exc)))
        return None
    try:
        pair = compare.sides(run, other, *models)
    except ValueError:  # a chosen pair that cannot be (both sides the same model of one run): the default pair
        pair = default
    fallbacks = (default.a.model, compare.sides(run, other, pair.a.model).b.model)  # what a link without it opens
    for key, side_run, model, fallback, label in zip(
        SIDE_KEYS, (run, other), (pair.a.model, pair.b.model), fallbacks, ("Side A", "Side B")
    ):
        st.session_state[key] = model
        st.sidebar.radio(
            f"{label} model",
            side_run.models,
            key=key,
            horizontal=True,
            on_change=_swap_models if not pair.two_runs else None,
            args=(key,),
        )
        to_url(key, model if model != fallback else None)  # the link names a side's model only when not the default
    return pair


def _swap_models(changed: str) -> None:
    """Within one run, choosing for one side the model the other side shows gives the other side the other model."""
    other_key, chosen = SIDE_KEYS[1 - SIDE_KEYS.index(changed)], st.session_state[changed]
    models = listing.find_run(st.session_state[RUN_KEY], runs_root()).models
    if st.session_state.get(other_key) == chosen:
        st.session_state[other_key] = next(m for m in models if m != chosen)


def sides_note(pair: compare.Sides) -> str | None:
    """For two runs: the settings they differ in and the words they share, in one line (None for one run)."""
    if not pair.two_runs:
        return None
    a, b = pair.a.run, pair.b.run
    differ = compare.difference_text(a, b) or "no setting (the same settings: what differs is chance)"
    words_a, words_b = vocab(a).words, vocab(b).words
    shared = len(compare.shared_words(words_a, words_b))
    summary = lambda side: f"run {listing.run_label(side.run.summary())}, its {side.model} model"  # noqa: E731
    note = f"Side A is {summary(pair.a)}; side B is {summary(pair.b)}. The runs differ in {differ}."
    if shared < max(len(words_a), len(words_b)):
        note += (
            f" They share {shared:,} of their words (A has {len(words_a):,}, B {len(words_b):,}); a word only "
            "one run has is shown on that side alone."
        )
    if b.status()["state"] == "training":
        note += " Side B is still training: its finished epochs are shown."
    return note


COMPARISON_PAGES = (
    ("pages/embedding_space.py", "Embedding space", ":material/scatter_plot:"),
    ("pages/neighbours.py", "Neighbours", ":material/group:"),
    ("pages/similarity.py", "Similarity", ":material/show_chart:"),
    ("pages/analogies.py", "Analogies", ":material/extension:"),
)


def comparison_links(a: store.Run, b: store.Run, model: str | None = None, key: str = "compare", where=st) -> None:
    """One button per comparison page that opens run `a` against run `b` there (?run=A&vs=B in the link), each side
    showing `model` where given (the runs' default otherwise). Buttons, not links: this session's run and
    "Compare with" choices are set too, and they are what the next page reads first."""
    params = {RUN_KEY: a.id, VS_KEY: b.id, **({SIDE_KEYS[0]: model, SIDE_KEYS[1]: model} if model else {})}
    for column, (page, label, icon) in zip(where.columns(len(COMPARISON_PAGES)), COMPARISON_PAGES):
        if column.button(label, icon=icon, key=f"{key}_{label}", width="stretch"):
            st.session_state[RUN_KEY] = a.id
            st.session_state[VS_KEY] = b.id
            for side_key in SIDE_KEYS:
                st.session_state.pop(side_key, None)
                if model:
                    st.session_state[side_key] = model
            st.switch_page(page, query_params=params)


def matched_epoch_note(pair: compare.Sides, epoch: int) -> tuple[int | None, bool]:
    """Side B's epoch for side A's `epoch` (side_epoch), with a caption saying how they are matched when it is
    another epoch; and whether that caption was shown."""
    epoch_b = side_epoch(pair, epoch)
    if not (pair.two_runs and epoch_b is not None and epoch_b != epoch):
        return epoch_b, False
    st.caption(
        f"Epochs are matched by share of training: side A's epoch {epoch} of {pair.a.run.train_config.epochs} "
        f"is side B's epoch {epoch_b} of {pair.b.run.train_config.epochs}."
    )
    return epoch_b, True


def side_epoch(pair: compare.Sides, epoch: int) -> int | None:
    """Side B's epoch for side A's `epoch`: the same epoch within one run, else the same share of training."""
    if not pair.two_runs:
        return epoch
    return compare.matched_epoch(
        epoch, pair.a.run.train_config.epochs, pair.b.run.train_config.epochs, pair.b.run.epochs(pair.b.model)
    )


# ------------------------------------------------------------ cached loaders, keyed by run folder and epoch


@st.cache_resource(max_entries=64, show_spinner=False)
def _keyed_vectors(path: str, model: str, epoch: int):
    return store.Run(path).keyed_vectors(model, epoch)


def keyed_vectors(run: store.Run, model: str, epoch: int):
    """An epoch's vectors as gensim KeyedVectors (finished epochs never change, so caching them is safe); a file
    damaged since the run was opened stops the page with the reason."""
    try:
        return _keyed_vectors(str(run.path), model, epoch)
    except ValueError as exc:
        show_error(exc)


@st.cache_resource(max_entries=16, show_spinner=False)
def _vocab(path: str):
    return store.Run(path).vocab()


def vocab(run: store.Run):
    """The run's vocabulary; a vocab.tsv damaged since the run was opened stops the page with the reason."""
    try:
        return _vocab(str(run.path))
    except ValueError as exc:
        show_error(exc)


URL = "query-params"  # widgets made with bind=URL keep their value in the link, under their key


def from_url(param: str, default, parse=str, allowed=None):
    """State that is not a bound widget (a clicked word, a played frame) as a link gives it: ?param=... parsed and
    checked (in `allowed`, when given), else default. A bad or hostile value is just ignored."""
    raw = st.query_params.get(param)
    if raw is None:
        return default
    try:
        value = parse(raw)
    except (TypeError, ValueError):
        return default
    return value if allowed is None or value in allowed else default


def to_url(param: str, value) -> None:
    """Keep state that is not a bound widget in the link (None removes it)."""
    if value is None:
        st.query_params.pop(param, None)
    else:
        st.query_params[param] = str(value)


def drop_invalid(key: str, allowed) -> None:
    """Forget a widget's kept value that this run does not offer (another run, fewer epochs), before drawing it."""
    if key in st.session_state and st.session_state[key] not in allowed:
        del st.session_state[key]


def epoch_range(epochs: list[int]) -> str:
    """0–3, or 0, 2–4 when epochs are missing in between."""
    parts, start = [], None
    for i, e in enumerate(epochs):
        start = e if start is None else start
        if i + 1 == len(epochs) or epochs[i + 1] != e + 1:
            parts.append(str(e) if e == start else f"{start}–{e}")
            start = None
    return ", ".join(parts) or "none"


def missing_epoch(run: store.Run, model: str, epoch: int) -> str | None:
    """Why a model has no panel at this epoch ("gensim has not finished epoch 3 (it finished 0–1)"), else None."""
    done = run.epochs(model)
    if epoch in done:
        return None
    return f"{model} has not finished epoch {epoch} (it finished {epoch_range(done)})."


def common_note(run: store.Run) -> str | None:
    """For a run whose models finished different epochs: which epochs the comparisons use."""
    finished = {m: run.epochs(m) for m in run.models}
    if len({tuple(e) for e in finished.values()}) <= 1:
        return None
    each = "; ".join(f"{m} finished {epoch_range(e)}" for m, e in finished.items())
    return (
        f"This run is incomplete: {each}. Each model is shown at the epochs it finished; numbers that compare "
        f"the two use only the epochs both finished ({epoch_range(run.common_epochs())})."
    )


def all_epochs(run: store.Run) -> list[int]:
    """Every epoch some model of the run has finished."""
    return sorted(set().union(*(run.epochs(m) for m in run.models)))


def epoch_slider(run: store.Run, label: str = "Epoch", key: str = "epoch") -> int | None:
    """One epoch for the page, kept in the link (?epoch=...): any epoch some model finished (a model without it
    says so; see missing_epoch), the last one first."""
    epochs = all_epochs(run)
    if not epochs:
        st.info("This run has no finished epoch yet.")
        return None
    if len(epochs) == 1:
        st.caption(f"Epoch {epochs[0]} (the only one finished so far)")
        return epochs[0]
    drop_invalid(key, epochs)
    return st.select_slider(
        label, options=epochs, value=epochs[-1], key=key, bind=URL, help="0 is the random start, before any training."
    )


class Player:
    """A Play/Pause button that steps a frame (an epoch, a training step) through `frames`, one every `seconds`.

    The frame shown lives in session state, so it survives reruns and other pages. Draw the animated part in a
    function decorated with `@st.fragment(run_every=player.run_every)` and call `player.slider()` inside it:
    while playing, only that fragment redraws, one frame per tick, and the page stops playing at the last frame.
    With `param`, the slider is a widget bound to the link under that key (?epoch=...), as every other page's
    epoch slider is (one mechanism for the URL; pages sharing the key share the epoch); the player sets its state
    before drawing it, so it shows the frame played. Without, it has no key: a keyed widget that disappears for a
    rerun (bad input, another page) comes back at its first option whatever its state said."""

    def __init__(
        self,
        key: str,
        frames: list,
        seconds: float = 0.5,
        label: str = "Epoch",
        help: str | None = None,
        param: str | None = None,
    ):
        """param: keep the frame shown in the link too (?param=...), so a copied link opens on it."""
        self.frames, self.seconds, self.label, self.help, self.param = list(frames), seconds, label, help, param
        self._playing, self._frame, self._button = f"{key}_playing", f"{key}_frame", f"{key}_play"
        self._hold = f"{key}_hold"  # set by Play: the first draw shows the current frame before stepping on
        if st.session_state.get(self._frame) not in self.frames:
            start = self.frames[-1]
            if param:
                start = from_url(param, start, type(start), self.frames)
            st.session_state[self._frame] = start

    @property
    def playing(self) -> bool:
        return bool(st.session_state.get(self._playing, False))

    @property
    def run_every(self) -> float | None:
        return self.seconds if self.playing else None

    @property
    def frame(self):
        return st.session_state[self._frame]

    def _toggle(self) -> None:
        st.session_state[self._playing] = not self.playing
        st.session_state[self._hold] = True
        if self.playing and self.frame == self.frames[-1]:
            st.session_state[self._frame] = self.frames[0]  # play again from the start

    def finish(self) -> None:
        """Stop playing on the last frame: for a page whose animation plays in the browser by itself."""
        st.session_state[self._playing] = False
        st.session_state[self._frame] = self.frames[-1]

    def button(self, where=st) -> None:
        where.button(
            "Pause" if self.playing else "Play",
            on_click=self._toggle,
            key=self._button,
            icon=":material/pause:" if self.playing else ":material/play_arrow:",
            help=f"Plays the {self.label.lower()}s from the slider's position to the last one.",
        )

    def slider(self, where=st):
        """The frame to draw now: the next one while playing, else the slider's."""
        if self.playing and not st.session_state.pop(self._hold, False):
            at = self.frames.index(self.frame)
            if at + 1 >= len(self.frames):
                st.session_state[self._playing] = False
                st.rerun()  # a full rerun draws the page again without the timer
            st.session_state[self._frame] = self.frames[at + 1]
        if len(self.frames) > 1 and self.param:  # the slider is the link's ?param=, bound like every other control
            moved = st.session_state.get(self.param)  # the slider's own state: the user's, or another page's slider
            if not self.playing and moved in self.frames:
                st.session_state[self._frame] = moved
            st.session_state[self.param] = self.frame  # before the widget is drawn: the frame shown, played or linked
            st.session_state[self._frame] = where.select_slider(
                self.label, options=self.frames, key=self.param, bind=URL, help=self.help
            )
        elif len(self.frames) > 1:
            st.session_state[self._frame] = where.select_slider(
                self.label, options=self.frames, value=self.frame, help=self.help
            )
        return self.frame


# ------------------------------------------------------------ settings and progress


CHOICES = {"architecture": ARCHITECTURES, "loss": LOSSES, "optimizer": OPTIMIZERS, "device": ("auto", "cpu", "cuda")}


def config_inputs(cls, names, key_prefix: str, columns: int = 3, defaults: dict | None = None) -> dict:
    """One input per dataclass field in names, generated from its type, default (or defaults[name], e.g. a corpus
    preset's) and metadata["help"]; returns {name: value}. Each input's value lives in session state under
    "<key_prefix>.<name>" (reset_inputs puts the defaults back). Numbers have no bounds here on purpose: the
    config's validate() says what is wrong."""
    by_name = {f.name: f for f in dataclass_fields(cls)}
    cols = st.columns(columns)
    values = {}
    for i, name in enumerate(names):
        f = by_name[name]
        where, key, help_text = cols[i % columns], f"{key_prefix}.{name}", f.metadata.get("help", "")
        st.session_state.setdefault(key, (defaults or {}).get(name, f.default))
        if isinstance(f.default, bool):
            values[name] = where.checkbox(name, key=key, help=help_text)
        elif name in CHOICES:
            values[name] = where.selectbox(name, list(CHOICES[name]), key=key, help=help_text)
        elif isinstance(f.default, int):
            values[name] = int(where.number_input(name, step=1, key=key, help=help_text))
        elif isinstance(f.default, float):
            values[name] = float(
                where.number_input(name, step=f.default / 10 or 0.001, format="%g", key=key, help=help_text)
            )
        else:
            values[name] = where.text_input(name, key=key, help=help_text)
    return values


def reset_inputs(cls, key_prefix: str, defaults: dict | None = None) -> None:
    """Put config_inputs' values back to the defaults (e.g. another corpus's preset). Setting session state is what
    replaces a value the browser still holds; dropping the key would let the browser send the old one back."""
    for f in dataclass_fields(cls):
        st.session_state[f"{key_prefix}.{f.name}"] = (defaults or {}).get(f.name, f.default)


def progress_bars(models) -> None:
    """One bar per model (lib.runs.progress.ModelProgress): share of its epochs done, the epoch, and its probe loss (and
    while training, the trainer's own running loss, labelled as such)."""
    for p in models:
        st.progress(min(1.0, max(0.0, p.done)), text=p.text)


def show_error(exc: Exception) -> None:
    """A ValueError from lib, shown as a message in the page (its words literally); then the page stops."""
    st.error(plain(str(exc)))
    st.stop()


MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:])")
# What Streamlit's markdown finds in the text after escapes are undone, and an invisible word joiner breaks: GitHub-
# flavoured autolinks ("https://…", "www.…", "name@host.tld"), and after any ":" that starts a word, Streamlit's own
# shortcodes: icons (":material/warning:"), emoji (":smile:"), the logo (":streamlit:"), colours (":red[…]")
BREAK_AFTER = re.compile(r"(?i)(?<=:)(?=[\w/+-])|(?<=www)(?=\.)|(?<=@)")
WORD_JOINER = "\u2060"
# Characters that show nothing yet change what is around them: bidirectional overrides and isolates (which turn
# "'\u202eking' is not…" around on screen) and control characters; shown as their code point, e.g. <U+202E>
INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\x00-\x08\x0b-\x1f\x7f]")


def plain(text: str) -> str:
    """Text with words from the corpus or the user, shown literally by Streamlit's markdown (nothing in it becomes
    a link, an image, emphasis, HTML, a formula, a colour or an icon; invisible controls are shown as <U+…>). A
    leading joiner keeps st.error and the other alerts from taking a leading emoji as their icon."""
    text = INVISIBLE.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)
    text = MARKDOWN_SPECIAL.sub(r"\\\1", BREAK_AFTER.sub(WORD_JOINER, text))
    return WORD_JOINER + text if text and not text[0].isascii() else text


MAX_WORD_OPTIONS = 20_000  # the vocabulary offered as you type, most frequent first


def word_input(label: str, default: str, key: str, run: store.Run, where=st) -> str:
    """A word of the run's vocabulary, offered as you type; other words can be typed too (the page then says the
    word is unknown and suggests close spellings). Kept in the link under `key` (?word=king); another run opens on
    its own default. A page may call set_word(key, word) to fill it in."""
    seen = f"_{key}_run"
    if st.session_state.get(seen) not in (None, run.id):  # the run changed: this run's default
        st.session_state[key] = default
    st.session_state[seen] = run.id
    words = [default] + [w for w in vocab(run).words[:MAX_WORD_OPTIONS] if w != default]  # the default is first
    current = st.session_state.get(key)
    if current and current not in words:
        words.insert(1, current)
    choice = where.selectbox(
        label, words, key=key, bind=URL, accept_new_options=True, help="Type to search this run's vocabulary."
    )
    return (choice or "").strip().lower()


def set_word(key: str, word: str) -> None:
    """Fill in a word_input (from a button's callback, before the input is drawn)."""
    st.session_state[key] = word

"""Streamlit pieces every page shares: the run selector (kept in session state and the URL), cached loaders, errors.

Only pages import this module; all computation lives in lib/, which never imports Streamlit.
"""

from __future__ import annotations

import os

import numpy as np
import streamlit as st

from lib import store

RUN_KEY = "run"  # session-state key and URL query parameter (?run=...)


def runs_root() -> str:
    return str(store.runs_dir())


@st.cache_data(ttl=2, show_spinner=False)
def run_ids(root: str) -> list[str]:
    return [r.id for r in store.list_runs(root)]


def run_label(root: str, run_id: str) -> str:
    try:
        s = store.find_run(run_id, root).summary()
    except ValueError:
        return run_id
    state = "" if s["state"] == "complete" else f" · {s['state']}"
    return f"{s['corpus']} · {s['architecture']} d{s['dim']} w{s['window']} · {s['created'][:16]}{state} · {run_id[-6:]}"


def select_run(sidebar: bool = True) -> store.Run | None:
    """The shared run selector: one choice for every page, mirrored in ?run=... so a link opens the same run.

    Returns None (after saying why in the page) when there is no run yet."""
    root = runs_root()
    ids = run_ids(root)
    if not ids:
        st.info("No runs yet: train one on the **Train** page (or open **Home**, which trains a toy run for you).")
        return None
    wanted = st.session_state.get(RUN_KEY) or st.query_params.get(RUN_KEY)
    if wanted not in ids:
        if wanted:
            st.warning(f"Run {wanted!r} is not in {root}; showing the newest run instead.")
        wanted = ids[0]
    st.session_state[RUN_KEY] = wanted
    where = st.sidebar if sidebar else st
    chosen = where.selectbox("Run", ids, index=ids.index(wanted), format_func=lambda i: run_label(root, i),
                             key="_run_select", help="Every page shows this run; the URL keeps it for sharing.")
    if chosen != wanted:
        st.session_state[RUN_KEY] = chosen
    st.session_state[RUN_KEY] = chosen
    st.query_params[RUN_KEY] = chosen
    try:
        return store.find_run(chosen, root)
    except ValueError as exc:
        st.error(str(exc))
        st.stop()


# ------------------------------------------------------------ cached loaders, keyed by run folder and epoch


def _mtime(run: store.Run, model: str) -> float:
    path = run.path / model / "metrics.json"
    return os.path.getmtime(path) if path.exists() else 0.0


@st.cache_resource(max_entries=64, show_spinner=False)
def _keyed_vectors(path: str, model: str, epoch: int):
    return store.Run(path).keyed_vectors(model, epoch)


def keyed_vectors(run: store.Run, model: str, epoch: int):
    """An epoch's vectors as gensim KeyedVectors (finished epochs never change, so caching them is safe)."""
    return _keyed_vectors(str(run.path), model, epoch)


@st.cache_data(max_entries=256, show_spinner=False)
def _metrics(path: str, model: str, mtime: float) -> list[dict]:
    return store.Run(path).metrics(model)


def metrics(run: store.Run, model: str) -> list[dict]:
    """A model's per-epoch metrics, re-read whenever the file changes (training runs add epochs)."""
    return _metrics(str(run.path), model, _mtime(run, model))


@st.cache_resource(max_entries=16, show_spinner=False)
def _vocab(path: str):
    return store.Run(path).vocab()


def vocab(run: store.Run):
    return _vocab(str(run.path))


def epoch_slider(run: store.Run, label: str = "Epoch", key: str = "epoch") -> int | None:
    """One epoch for both models: the epochs every model of the run has finished."""
    epochs = run.common_epochs()
    if not epochs:
        st.info("This run has no finished epoch yet.")
        return None
    if len(epochs) == 1:
        st.caption(f"Epoch {epochs[0]} (the only one finished so far)")
        return epochs[0]
    value = st.session_state.get(key, epochs[-1])
    if value not in epochs:
        value = epochs[-1]
    return st.select_slider(label, options=epochs, value=value, key=key,
                            help="0 is the random start, before any training.")


def show_error(exc: Exception) -> None:
    """A ValueError from lib, shown as a message in the page; then the page stops."""
    st.error(str(exc))
    st.stop()


def word_input(label: str, default: str, key: str) -> str:
    return st.text_input(label, value=default, key=key).strip().lower()


__all__ = ["select_run", "keyed_vectors", "metrics", "vocab", "epoch_slider", "show_error", "word_input", "np"]

"""Word2Vec Workbench: train a from-scratch PyTorch word2vec and gensim's Word2Vec on one corpus, compare every
epoch."""

import logging

import streamlit as st
from streamlit.errors import FragmentHandledException

from lib.runs.jobs import watch_queue

st.set_page_config(page_title="Word2Vec Workbench", page_icon="🧭", layout="wide")

PAGES = {
    "Compare": [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("pages/train.py", title="Train", icon=":material/model_training:"),
        st.Page("pages/embedding_space.py", title="Embedding space", icon=":material/scatter_plot:"),
        st.Page("pages/neighbours.py", title="Neighbours", icon=":material/group:"),
        st.Page("pages/similarity.py", title="Similarity", icon=":material/show_chart:"),
        st.Page("pages/analogies.py", title="Analogies", icon=":material/extension:"),
        st.Page("pages/one_step.py", title="One training step", icon=":material/footprint:"),
        st.Page("pages/how_it_works.py", title="How it works", icon=":material/settings:"),
    ],
    "Classic experiments": [
        st.Page("pages/pos_2d.py", title="Part of speech in 2D", icon=":material/abc:"),
        st.Page("pages/random_vs_structured.py", title="Random vs structured", icon=":material/casino:"),
    ],
}

watch_queue()  # this server process starts waiting trainings when there is room, whoever queued them
try:
    st.navigation(PAGES).run()
except FragmentHandledException:  # a fragment's own error: Streamlit has shown it (details hidden by .streamlit/config)
    raise
except Exception:  # noqa: BLE001 -- whatever a page did not expect: a short message in the page, the rest in the log
    logging.getLogger("workbench").exception("a page failed")
    st.error(
        "Something went wrong on this page; nothing saved was changed. Reload the page or open another run; "
        "the details are in the server's log."
    )

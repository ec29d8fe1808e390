"""Word2Vec Workbench: train a from-scratch PyTorch word2vec and gensim's Word2Vec on one corpus, compare every epoch."""

import streamlit as st

st.set_page_config(page_title="Word2Vec Workbench", page_icon="🧭", layout="wide")

PAGES = {
    "Compare": [
        st.Page("pages/home.py", title="Home", icon="🏠", default=True),
        st.Page("pages/train.py", title="Train", icon="🏋️"),
        st.Page("pages/embedding_space.py", title="Embedding space", icon="🗺️"),
        st.Page("pages/neighbours.py", title="Neighbours", icon="👥"),
        st.Page("pages/similarity.py", title="Similarity", icon="📈"),
        st.Page("pages/analogies.py", title="Analogies", icon="🧩"),
        st.Page("pages/how_it_works.py", title="How it works", icon="⚙️"),
    ],
    "Classic experiments": [
        st.Page("pages/pos_2d.py", title="Part of speech in 2D", icon="🔤"),
        st.Page("pages/random_vs_structured.py", title="Random vs structured", icon="🎲"),
    ],
}

st.navigation(PAGES).run()

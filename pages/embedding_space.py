import streamlit as st

st.title('embedding_space')
st.info('Being built.')

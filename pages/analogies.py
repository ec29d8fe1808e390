import streamlit as st

st.title('analogies')
st.info('Being built.')

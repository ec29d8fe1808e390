import streamlit as st

st.title('similarity')
st.info('Being built.')

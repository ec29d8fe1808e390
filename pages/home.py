import streamlit as st

st.title('home')
st.info('Being built.')

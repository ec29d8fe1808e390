import streamlit as st

st.title('pos_2d')
st.info('Being built.')

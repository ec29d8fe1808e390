import streamlit as st

st.title('neighbours')
st.info('Being built.')

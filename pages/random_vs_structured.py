import streamlit as st

st.title('random_vs_structured')
st.info('Being built.')

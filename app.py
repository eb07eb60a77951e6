"""Loss Explorer: the entrypoint only routes. Each page lives in pages/; add a page with one line in PAGES."""

import streamlit as st

st.set_page_config(page_title="Loss Explorer", page_icon=":material/query_stats:", layout="wide")

#: Sidebar sections and their pages, in order. The first page is the default (served at "/").
PAGES = {
    "Start": [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    ],
    "Explore": [
        st.Page("pages/regression.py", title="Regression losses", icon=":material/show_chart:",
                url_path="regression"),
        st.Page("pages/binary.py", title="Binary classification", icon=":material/rule:",
                url_path="binary"),
        st.Page("pages/multiclass.py", title="Multi-class classification", icon=":material/bar_chart:",
                url_path="multiclass"),
        st.Page("pages/score.py", title="Score your predictions", icon=":material/upload_file:",
                url_path="score"),
    ],
    "Reference": [
        st.Page("pages/catalogue.py", title="All losses", icon=":material/menu_book:"),
    ],
}

st.navigation(PAGES).run()

"""Loss Explorer: the entrypoint only routes. Each page lives in views/; add a page with one line in PAGES.

(Not pages/: Streamlit runs a folder of that name as a v1 multipage app, bypassing this file, whenever a
fresh server's first request is a deep link.)
"""

from pathlib import Path

import streamlit as st

from ui import present

# the icon is a file served by this server: a Material icon name would be fetched from a font host
present.page_config(icon=str(Path(__file__).parent / "assets" / "icon.png"))

#: Sidebar sections and their pages, in order. The first page is the default (served at "/").
PAGES = {
    "Start": [
        st.Page("views/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("views/lecture.py", title="Lecture", icon=":material/co_present:", url_path="lecture"),
    ],
    "Explore": [
        st.Page("views/regression.py", title="Regression losses", icon=":material/show_chart:",
                url_path="regression"),
        st.Page("views/binary.py", title="Binary classification", icon=":material/rule:",
                url_path="binary"),
        st.Page("views/multiclass.py", title="Multi-class classification", icon=":material/bar_chart:",
                url_path="multiclass"),
        st.Page("views/learn.py", title="How the loss shapes learning", icon=":material/school:",
                url_path="learn"),
        st.Page("views/custom.py", title="Your own loss", icon=":material/function:", url_path="custom"),
        st.Page("views/score.py", title="Score your predictions", icon=":material/upload_file:",
                url_path="score"),
    ],
    "Reference": [
        st.Page("views/catalogue.py", title="All losses", icon=":material/menu_book:"),
    ],
}

page = st.navigation(PAGES)
present.controls()  # presenter view and text size, on every page
page.run()

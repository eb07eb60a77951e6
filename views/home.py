"""Home: what Loss Explorer is for, and a link to every page."""

import streamlit as st

from ui import kit

#: One entry per page in app.py's PAGES (besides this one): the page's file and what a visitor finds there.
#: tests/app/test_home_app.py checks that every page in the navigation is listed here.
LINKS = [
    (
        "views/lecture.py",
        "Present in a hall: step through a prepared story (one outlier, Huber's δ, hinge against "
        "cross-entropy, ...) with a clicker, in presenter view, or build and share your own.",
    ),
    (
        "views/regression.py",
        "Drag predictions or a whole line, add outliers, and see each point's share of every regression "
        "loss, the loss and influence curves, and the best line under each loss.",
    ),
    (
        "views/binary.py",
        "Drag each sample's score: hinge against cross-entropy on the margin, why sigmoid + squared error "
        "learns slowly when confidently wrong, and the 0/1 against -1/+1 label conventions.",
    ),
    (
        "views/multiclass.py",
        "Drag logits as bars: softmax and temperature, one-hot, sparse and smoothed cross-entropy, KL "
        "divergence both ways, and the loss of one sample against the cost of a batch.",
    ),
    (
        "views/learn.py",
        "Train the same line or classifier under different losses and press Play: watch an outlier drag L2 "
        "while L1 holds, and hinge stop once the points clear the margin while cross-entropy keeps pushing.",
    ),
    (
        "views/custom.py",
        "Type your own loss as a formula: its curve and derivative beside MSE, Huber or hinge, its cost on a "
        "scene, its properties checked, and a link that shares it.",
    ),
    (
        "views/score.py",
        "Upload your model's predictions (CSV or Parquet), or try an example: see what was detected, every "
        "applicable loss and the rows that cost the most, and download a per-row report.",
    ),
    (
        "views/catalogue.py",
        "Every loss on one page: its formula, inputs, parameters, properties, and the "
        "matching function in PyTorch, Keras, scikit-learn and optax.",
    ),
]

kit.Page("home")
st.title("Loss Explorer")
st.markdown(
    "See how loss functions behave by moving the data yourself. Drag a prediction, add an outlier, "
    "change δ or τ, and watch each loss, its gradient and every point's share of the total respond "
    "at once. Or upload your own model's predictions (CSV or Parquet) and score them with every "
    "applicable loss."
)

st.subheader("Pages")
for path, description in LINKS:
    with st.container(border=True):
        st.page_link(path)
        st.caption(description)

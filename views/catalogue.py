"""All losses: a reference card for every loss in the registry, filtered by category.

Everything shown comes from the core's metadata (``losses.get(name)``); this page computes nothing.
"""

import streamlit as st

import losses
from ui import kit

ALL = "all"
CATEGORY_LABELS = {ALL: "All", "regression": "Regression", "binary": "Binary", "multiclass": "Multiclass"}
FRAMEWORK_LABELS = {"pytorch": "PyTorch", "keras": "Keras", "sklearn": "scikit-learn", "optax": "optax"}
#: The properties a card states, with what each one means (shown as the badge's tooltip).
PROPERTIES = {
    "convex": "Convex in the prediction: gradient descent has no local minima to get stuck in.",
    "symmetric": "Over- and under-predicting by the same amount cost the same.",
    "robust": "Grows at most linearly: a single outlier cannot dominate the total.",
    "smooth": "Differentiable everywhere in the prediction.",
}


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _parameters(spec) -> None:
    if not spec.params:
        st.markdown("**Parameters:** none")
        return
    rows = ["| Parameter | Default | Range | Meaning |", "|---|---|---|---|"]
    for p in spec.params:
        name = f"`{p.name}` (${p.symbol}$)"
        rows.append(f"| {name} | {p.default:g} | {_cell(p.describe_range())} | {_cell(p.meaning)} |")
    st.markdown("**Parameters**\n\n" + "\n".join(rows))


def _properties(spec) -> None:
    with st.container(horizontal=True, gap="small"):
        for prop, meaning in PROPERTIES.items():
            holds = getattr(spec.properties, prop)
            st.badge(
                prop if holds else f"not {prop}",
                icon=":material/check:" if holds else ":material/close:",
                color="green" if holds else "gray",
                help=meaning,
            )


def _equivalent(text: str) -> str:
    """An equivalent as Markdown table cells: the call as code, a trailing "(remark)" as plain text."""
    call, sep, remark = text.rpartition(" (")
    if not (sep and text.endswith(")")):
        call, remark = text, ""
    remark = remark.removesuffix(")")
    shown = call if call.split()[0] == "none" else f"`{call}`"
    return f"{_cell(shown)} | {_cell(remark)}"


def _equivalents(spec) -> None:
    known = [(FRAMEWORK_LABELS.get(k, k), v) for k, v in spec.equivalents.items() if v]
    if not known:
        st.markdown("**Equivalents:** none in PyTorch, Keras, scikit-learn or optax")
        return
    rows = ["| Library | Equivalent | Note |", "|---|---|---|"]
    rows += [f"| {label} | {_equivalent(text)} |" for label, text in known]
    st.markdown("**Equivalents**\n\n" + "\n".join(rows))


def _card(spec) -> None:
    with st.container(border=True, key=f"loss-{spec.name}"):
        st.subheader(spec.title, anchor=spec.name)
        st.caption(f"`{spec.name}` · {CATEGORY_LABELS.get(spec.category, spec.category)}")
        left, right = st.columns([3, 2], gap="large")
        with left:
            st.latex(spec.formula)
            st.markdown(spec.summary)
            st.markdown(f"**Good at:** {spec.good}\n\n**Bad at:** {spec.bad}")
        with right:
            kinds = losses.KINDS
            st.markdown(f"**Inputs**\n\n- `y_true`: {kinds[spec.y_true]}\n- `y_pred`: {kinds[spec.y_pred]}")
            _properties(spec)
            if spec.reference:
                st.caption(f"Reference: {spec.reference}")
        _parameters(spec)
        _equivalents(spec)


page = kit.Page("cat")
st.title("All losses")
page.warnings_here()
category = page.choice(
    "category", "Category", [ALL, *losses.CATEGORIES], ALL, format_func=CATEGORY_LABELS.get, required=True
)
names = losses.names() if category == ALL else losses.names(category=category)
st.caption(f"{len(names)} losses. Hover a property for what it means.")
for name in names:
    _card(losses.get(name))
page.done()

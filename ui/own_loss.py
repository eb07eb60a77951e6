"""A box for a loss of your own, on any page: the formula, its parameters and their sliders, the live
validation message, its LaTeX. Written once for the "Your own loss" page, the Score page and the explorers.

>>> spec = own_loss.controls(page, "regression")          # in the page, an expander or the sidebar
>>> if spec is not None:
...     cost = spec.cost(y, y_pred)                      # the sliders' values are the spec's defaults

On the regression and binary explorers, ``on_explorer`` puts it in an expander of the sidebar and makes
the loss one more name ("custom", ``scenes.own``) among the page's selected losses.

Everything is drawn where the caller is (``with st.sidebar:``, an expander, a column): no columns, no page
layout assumed. Every key and URL name is the page's (``page.key``) with a ``prefix`` (``own_`` unless
given), so the box never collides with the page's other controls: ``<page>_<prefix>f`` (the formula),
``<page>_<prefix>params`` (the declarations), ``<page>_<prefix>labels`` (binary: 0/1 or −1/+1) and
``<page>_<prefix>p_<name>`` (a parameter's slider). The text is kept across visits and written to the link
by hand (a box bound to the link would trust it): a link's formula that cannot be used is reported and the
default shown. The text is parsed by ``losses.custom`` (never run as Python); its refusal is shown as is,
with a caret under the column.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

import losses
from losses.custom import DECLARATION_FORMAT, FUNCTIONS, MAX_LENGTH, VARIABLES, CustomLoss, parse_params
from scenes import own as own_
from scenes.custom import LABEL_NAMES, caret
from scenes.text import plain, quote
from ui import kit

state = st.session_state
PLACEHOLDER = {"regression": "e.g. log(1 + r**2)", "binary": "e.g. softplus(-(2*y - 1)*s)",
               "multiclass": "e.g. (1 - p)**2 * -log(p)"}  # fmt: skip


def keys(page: kit.Page, prefix: str = "own_") -> tuple[str, str, str]:
    """The session-state keys of the formula, the declarations and the labels (for callbacks)."""
    return page.key(f"{prefix}f"), page.key(f"{prefix}params"), page.key(f"{prefix}labels")


def set_formula(page: kit.Page, formula: str, declarations: str = "", labels: str = "01", *,
                prefix: str = "own_") -> None:  # fmt: skip
    """Put a formula in the box (an on_click/on_change callback: an example button, a change of kind)."""
    f_key, p_key, l_key = keys(page, prefix)
    state[f_key], state[p_key], state[l_key] = formula, declarations, labels


def build(formula: str, kind: str, labels: str = "01", declarations: str = "", *,
          name: str = "custom") -> tuple[CustomLoss | None, losses.FormulaError | None]:  # fmt: skip
    """The loss the text gives, or the refusal (of the formula or of the declarations)."""
    try:
        return losses.custom(formula, name=name, kind=kind, labels=labels,
                             params=parse_params(declarations)), None  # fmt: skip
    except losses.FormulaError as error:
        return None, error


def _text(page: kit.Page, name: str, label: str, default: str, **kw) -> str:
    """A text box kept across visits and written to the link."""
    key = page.key(name)
    page.defaults[key] = default
    if key not in state:
        state[key] = default
    value = st.text_input(label, key=key, **kw) or ""
    page.sync_url({name: value if value != default else None})
    return value


def _from_link(page: kit.Page, kind: str, prefix: str, default: str, name: str) -> None:
    """On the page's first run: the link's formula if it can be used, else a warning and the default."""
    formula = page.url(f"{prefix}f")
    if not page.first or formula is None:
        return
    labels = {v: k for k, v in LABEL_NAMES.items()}.get(page.url(f"{prefix}labels") or "0/1", "01")
    declarations = page.url(f"{prefix}params") or ""
    _, problem = build(formula, kind, labels, declarations, name=name)
    if problem is None:
        set_formula(page, formula, declarations, labels, prefix=prefix)
    else:
        page.warn([f"The link's formula ({quote(formula)}) could not be used: {plain(problem)} "
                   f"Showing {'the default formula' if default else 'no formula'} instead."])  # fmt: skip
        set_formula(page, default, "", labels, prefix=prefix)


def _slider(page: kit.Page, prefix: str, p) -> float:
    """A declared parameter's slider; a value kept from an earlier declaration's range is put back in it."""
    low, high, step = p.ui_range()
    key = page.key(f"{prefix}p_{p.name}")
    if key in state and not (isinstance(state[key], int | float) and low <= state[key] <= high):
        state[key] = p.default
    return float(page.slider(f"{prefix}p_{p.name}", f"{p.shown_as} (your loss)", low, high, p.default, step,
                             help=p.meaning))  # fmt: skip


def controls(page: kit.Page, kind: str, *, prefix: str = "own_", name: str = "custom", default: str = "",
             label: str = "Your formula", show_latex: bool = True) -> CustomLoss | None:  # fmt: skip
    """The formula box and what goes with it; the loss it gives, or None (an empty box, or a refusal).

    ``kind``: "regression", "binary" or "multiclass" (the formula's variables; a binary box also offers the
    labels 0/1 or −1/+1). ``prefix``: the page-scoped names of its controls (see the module). ``name``: the
    loss's name (its column in a report; "custom" is titled "Your loss"). ``default``: the formula of an
    untouched box ("" — an empty box is no loss, and says nothing). The declared parameters' (and delta's
    and tau's) slider values are the returned spec's defaults, so ``spec.cost(y_true, y_pred)`` uses them.
    """
    _from_link(page, kind, prefix, default, name)
    labels = "01"
    if kind == "binary":
        labels = page.choice(f"{prefix}labels", "Labels y", list(LABEL_NAMES), "01",
                             format_func=LABEL_NAMES.get,
                             help="0/1 for cross-entropy-like formulas, −1/+1 for margins like 1 − y·s.")
    variables = ", ".join(f"`{v}` ({meaning})" for v, meaning in VARIABLES[kind].items())
    formula = _text(page, f"{prefix}f", label, default, max_chars=MAX_LENGTH, placeholder=PLACEHOLDER[kind],
                    help=f"Functions: {', '.join(FUNCTIONS)}; constants pi, e; parameters delta, tau and any "
                    "you declare. Powers are **. Parsed safely: never run as Python.")  # fmt: skip
    st.caption(f"Variables: {variables}. Powers are `**`.")
    declarations = _text(page, f"{prefix}params", "Parameters (optional)", "",
                         placeholder="c = 1 in [0.1, 10]",
                         help=f"Declare parameters as {DECLARATION_FORMAT}.")  # fmt: skip
    if not formula.strip() and not default:
        return None
    spec, problem = build(formula, kind, labels, declarations, name=name)
    if problem is not None:
        st.error(f"**Not a usable formula.** {plain(problem)}", icon=":material/error:")
        st.code(caret(formula, getattr(problem, "column", None)), language=None)
        return None
    if show_latex:
        wrt = {"values": r"\hat y", "probabilities": "p"}.get(spec.y_pred, "s")
        st.latex(spec.formula)
        st.latex(rf"\frac{{\partial \ell}}{{\partial {wrt}}} = {spec.slope_latex}")
    chosen = {p.name: _slider(page, prefix, p) for p in spec.params}
    return replace(spec, params=tuple(replace(p, default=chosen[p.name]) for p in spec.params))


def on_explorer(page: kit.Page, kind: str, selected: list[str], params: dict[str, dict[str, float]]
                ) -> tuple[own_.Own | None, list[str], dict[str, dict[str, float]]]:  # fmt: skip
    """The explorers' "Your own loss" expander: the box, and the page's losses and parameters with the
    user's loss among them (by its name, ``scenes.own.NAME``, resolved by ``scenes.own.resolve(name, own)``)
    when the box holds a usable formula. Returns what rebuilds it (``scenes.own.Own``, hashable: for cached
    functions), the selected losses and their parameters (the loss's: its sliders' values)."""
    f_key, p_key, l_key = keys(page)
    with st.expander("Your own loss", expanded=bool(state.get(f_key) or page.url("own_f"))):
        spec = controls(page, kind, name=own_.NAME)
        if spec is None and not (state.get(f_key) or "").strip():
            st.caption("Type a formula to see it beside the losses above: its curves, its total"
                       + (" and each point's share of it." if kind == "regression" else "."))  # fmt: skip
    if spec is None:
        return None, selected, params
    labels = state.get(l_key, "01") if kind == "binary" else "01"
    own = own_.Own(spec.source, kind, labels, state.get(p_key) or "", own_.NAME)
    return own, [*selected, own.name], {**params, own.name: spec.defaults()}


def report(problems: dict[str, str], name: str = own_.NAME) -> None:
    """Why the user's loss has no value on the scene (its formula undefined there: log of a value ≤ 0), as a
    message on the page (the metric says "undefined")."""
    if name in problems:
        st.warning(f"**Your loss has no value on this scene.** {problems[name]}", icon=":material/warning:")

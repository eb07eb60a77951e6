r"""Your own loss: a formula a user types, parsed safely, differentiated by SymPy, evaluated by numpy.

>>> from losses.custom import custom
>>> cauchy = custom("log(1 + r**2)", name="cauchy")
>>> round(cauchy.cost([0.0, 0.0], [1.0, -2.0]), 6), cauchy.category, cauchy.y_pred
(1.151293, 'regression', 'values')

``custom(formula, *, name, kind, params, labels)`` returns a ``LossSpec`` (a ``CustomLoss``) that works like
every registered loss: ``per_sample``, ``cost``, ``gradient``, ``total`` and its ``value``/``derivative`` on
blocks of rows. It is not registered: a session (a page, a command line) keeps its own.

Variables, by kind (``r`` is the residual ŷ − y, as on the regression page):
    regression   r, y (the target), yhat (the prediction)              y_pred: real values
    binary       y (a label: 0/1, or -1/+1 with ``labels="pm1"``), s (the score, a logit), p = σ(s)
                 y_pred is probabilities when the formula uses p and not s, else scores (logits)
    multiclass   p (the probability given to the true class), k (the number of classes)
Functions ``abs exp log log1p expm1 sqrt sin cos tanh sigmoid softplus max min where sign``; constants
``pi e``; parameters ``delta`` and ``tau`` (the registry's ranges) and any the caller declares (``declare``,
``parse_params``) with a default and a range.

**Safety.** The text is never given to ``eval``, ``exec``, ``sympify``, ``parse_expr`` or a string
``lambdify`` (SymPy documents that those run Python). It is parsed by ``ast.parse(mode="eval")``, which only
builds a tree; the tree is checked node by node against an allowlist (numbers, the names above, arithmetic,
calls of the functions above by name, comparisons inside ``where``), within limits (``MAX_LENGTH``
characters, ``MAX_DEPTH`` levels, ``MAX_NODES`` nodes, numeric exponents within ±``MAX_EXPONENT``, no power
towers, constants within float64), and the SymPy expression is built from the checked tree here, one node
at a time. Every refusal is a ``FormulaError`` (a ``ValueError``) naming what was refused and its column.

The numeric functions come from ``sympy.lambdify`` with this module's printer (numpy calls only, and the
stable ``sigmoid``/``softplus`` of ``losses._numeric``) and the modules ``[these helpers, "numpy"]``: no
``math`` and no builtins in the generated code (``test_custom.py`` parses it to check). ``lambdify`` runs
``exec`` on the source it prints; that source is SymPy's printing of the expression built above, with
dummy argument names, numbers and fixed function names only, so no text of the user's reaches it.
SymPy is imported on the first call, so ``import losses`` stays numpy-only.
"""

from __future__ import annotations

import ast
import difflib
import functools
import keyword
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from losses import binary, multiclass, regression, validation
from losses._numeric import sigmoid as np_sigmoid
from losses._numeric import softplus as np_softplus
from losses.errors import LossInputError, RangeError
from losses.spec import LossSpec, Param, Properties

MAX_LENGTH = 500
MAX_DEPTH = 40
MAX_NODES = 400
MAX_EXPONENT = 100
MAX_PARAMS = 8
#: Constants (after folding) stay within float64: numerators/denominators of at most this many bits.
_MAX_BITS = 4000
_MAX_MAGNITUDE_BITS = 997  # about 1e300

KINDS = ("regression", "binary", "multiclass")
LABELS = ("01", "pm1")
#: The variables of each kind and what they mean (the page lists them).
VARIABLES: Mapping[str, Mapping[str, str]] = {
    "regression": {"r": "the residual ŷ − y", "y": "the target y", "yhat": "the prediction ŷ"},
    "binary": {"y": "the label", "s": "the score (logit)", "p": "the probability σ(s)"},
    "multiclass": {"p": "the probability given to the true class", "k": "the number of classes"},
}
#: Allowed functions and their number of arguments (None: two or more).
FUNCTIONS: Mapping[str, int | None] = {
    "abs": 1, "exp": 1, "log": 1, "log1p": 1, "expm1": 1, "sqrt": 1, "sin": 1, "cos": 1, "tanh": 1,
    "sigmoid": 1, "softplus": 1, "sign": 1, "max": None, "min": None, "where": 3,
}  # fmt: skip
CONSTANTS = ("pi", "e")
#: Parameters a formula may use without declaring them: the registry's own.
BUILTIN_PARAMS: Mapping[str, Param] = {
    "delta": next(s for s in regression.SPECS if s.name == "huber").param("delta"),
    "tau": next(s for s in regression.SPECS if s.name == "quantile").param("tau"),
}
_BUILTIN_LOSSES = frozenset(s.name for m in (regression, binary, multiclass) for s in m.SPECS)
_NAME = re.compile(r"[a-z][A-Za-z0-9_]{0,19}\Z", re.ASCII)
_LOSS_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}\Z", re.ASCII)
_GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η", "theta": "θ",
          "kappa": "κ", "mu": "μ", "nu": "ν", "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "omega": "ω"}
_HINTS = {"−": "-", "–": "-", "×": "*", "·": "*", "÷": "/", "²": "**2", "³": "**3", "√": "sqrt(...)",
          "δ": "delta", "τ": "tau", "σ": "sigmoid", "π": "pi", "ŷ": "yhat", "≤": "<=", "≥": ">="}  # fmt: skip


class FormulaError(LossInputError):
    """A formula (or a parameter declaration) that was refused; ``column`` is 1-based (None: the whole)."""

    def __init__(self, message: str, *, column: int | None = None, argument: str = "formula") -> None:
        super().__init__(message, argument=argument)
        self.column = column


class FormulaValueError(RangeError):
    """The formula's value or derivative is not finite at a row: it left its domain there."""

    def __init__(self, message: Callable[[int], str], row: int) -> None:
        super().__init__(message(row), argument="y_pred", row=row)
        self._message = message

    def shifted(self, start: int) -> FormulaValueError:
        """The same error for a block that starts at row ``start`` of the whole input."""
        return FormulaValueError(self._message, self.row + start)


# ---- declared parameters -------------------------------------------------------------------------
def _nice_step(span: float) -> float:
    k = 10.0 ** math.floor(math.log10(span / 100))
    return next(m * k for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * k >= span / 100)


def declare(name: str, default: float, low: float, high: float, *, step: float | None = None) -> Param:
    """A parameter a formula may use: ``name`` (``[a-z]\\w*``), its default and its closed range."""
    _check_name(name, "parameter")
    values = [default, low, high]
    if not all(isinstance(v, int | float) and math.isfinite(v) and abs(v) <= 1e6 for v in values):
        raise FormulaError(f"Parameter {name}: default, low and high must be numbers within ±1e6; got "
                           f"{default!r}, {low!r}, {high!r}.", argument="params")  # fmt: skip
    if not low < high or not low <= default <= high:
        raise FormulaError(f"Parameter {name}: need low < high and the default in [low, high]; got default "
                           f"{default:g} in [{low:g}, {high:g}].", argument="params")  # fmt: skip
    symbol = _GREEK.get(name)
    return Param(name, float(default), float(low), float(high), f"declared, from {low:g} to {high:g}",
                 "\\" + name if symbol else _latex_name(name), low_open=False, high_open=False,
                 ui_low=float(low), ui_high=float(high), step=step or _nice_step(high - low),
                 glyph=symbol or "")  # fmt: skip


def _latex_name(name: str) -> str:
    base, _, sub = name.partition("_")
    return f"{base}_{{{sub}}}" if sub else (base if len(base) == 1 else rf"\mathrm{{{base}}}")


_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d{1,3})?"
_DECLARATION = re.compile(
    rf"\s*([A-Za-z_]\w*)\s*=\s*({_NUM})\s*(?:in\s*)?\[\s*({_NUM})\s*,\s*({_NUM})\s*\]\s*\Z", re.ASCII
)
DECLARATION_FORMAT = "name = default in [low, high], separated by ';' (e.g. c = 1 in [0.1, 10])"


def parse_params(text: str | None) -> tuple[Param, ...]:
    """Parameters declared as text: ``"c = 1 in [0.1, 10]; a = 2 in [0, 4]"`` (no eval: one regex)."""
    if not text or not text.strip():
        return ()
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"The parameter declarations are {len(text)} characters long; at most "
                           f"{MAX_LENGTH} are allowed.", argument="params")  # fmt: skip
    out: dict[str, Param] = {}
    for item in (part for part in text.split(";") if part.strip()):
        m = _DECLARATION.match(item)
        if m is None:
            raise FormulaError(f"Could not read the parameter declaration {_clip(item.strip())!r}: write "
                               f"{DECLARATION_FORMAT}.", argument="params")  # fmt: skip
        name = m.group(1)
        if name in out:
            raise FormulaError(f"Parameter {name} is declared twice.", argument="params")
        out[name] = declare(name, *(float(m.group(i)) for i in (2, 3, 4)))
    if len(out) > MAX_PARAMS:
        raise FormulaError(f"{len(out)} parameters declared; at most {MAX_PARAMS} are allowed.",
                           argument="params")  # fmt: skip
    return tuple(out.values())


def format_params(params: Iterable[Param]) -> str:
    """The text ``parse_params`` reads back."""
    return "; ".join(f"{p.name} = {p.default:g} in [{p.low:g}, {p.high:g}]" for p in params)


def _check_name(name: Any, what: str) -> None:
    if not isinstance(name, str) or not _NAME.match(name) or "__" in name or keyword.iskeyword(name):
        raise FormulaError(f"The {what} name {_clip(str(name))!r} is not allowed: use a letter then letters, "
                           "digits or single underscores (at most 20), not a Python keyword.",
                           argument="params")  # fmt: skip
    if name in FUNCTIONS or name in CONSTANTS:
        raise FormulaError(f"{name} is a function or constant of formulas; choose another {what} name.",
                           argument="params")  # fmt: skip


def _clip(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---- SymPy, loaded on first use ------------------------------------------------------------------
@functools.cache
def _sym():
    """SymPy and this module's SymPy classes: the stable functions and the numpy-only printer."""
    import sympy as sp
    from sympy.printing.numpy import NumPyPrinter

    def fn(name: str, slope, latex: str, real=lambda a: a.is_extended_real):
        def fdiff(self, argindex=1):
            return slope(self.args[0])

        def _latex(self, printer):
            return latex.format(printer._print(self.args[0]))

        return type(name, (sp.Function,), {"fdiff": fdiff, "_latex": _latex,
                                           "_eval_is_extended_real": lambda self: real(self.args[0])})

    sig = fn("sigmoid", lambda a: sig(a) * (1 - sig(a)), r"\sigma\left({}\right)")
    funcs = {
        "sigmoid": sig,
        "softplus": fn("softplus", lambda a: sig(a), r"\operatorname{{softplus}}\left({}\right)"),
        "log1p": fn("log1p", lambda a: 1 / (1 + a), r"\log\left(1 + {}\right)", lambda a: None),
        "expm1": fn("expm1", lambda a: sp.exp(a), r"\left(e^{{{}}} - 1\right)"),
        "abs": sp.Abs, "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "sin": sp.sin, "cos": sp.cos,
        "tanh": sp.tanh, "sign": sp.sign, "max": sp.Max, "min": sp.Min,
    }  # fmt: skip

    class Printer(NumPyPrinter):
        """numpy calls only: no builtin ``abs``, Max/Min as nested maximum/minimum, big integers as floats."""

        def _call(self, fname, e):
            return f"{fname}({', '.join(self._print(a) for a in e.args)})"

        def _print_Abs(self, e):
            return self._call("numpy.abs", e)

        def _print_sign(self, e):
            return self._call("numpy.sign", e)

        def _print_Heaviside(self, e):
            return f"numpy.heaviside({self._print(e.args[0])}, 0.5)"

        def _chain(self, fname, e):
            out = self._print(e.args[0])
            for a in e.args[1:]:
                out = f"{fname}({out}, {self._print(a)})"
            return out

        def _print_Max(self, e):
            return self._chain("numpy.maximum", e)

        def _print_Min(self, e):
            return self._chain("numpy.minimum", e)

        def _print_Integer(self, e):
            return str(e.p) if abs(e.p) <= 2**53 else repr(float(e.p))

        def _print_sigmoid(self, e):
            return self._call("lossx_sigmoid", e)

        def _print_softplus(self, e):
            return self._call("lossx_softplus", e)

        def _print_log1p(self, e):
            return self._call("numpy.log1p", e)

        def _print_expm1(self, e):
            return self._call("numpy.expm1", e)

    helpers = {"lossx_sigmoid": np_sigmoid, "lossx_softplus": np_softplus}
    return sp, funcs, Printer, helpers


def _numeric(args, expr) -> Callable[..., Any]:
    sp, _, printer, helpers = _sym()
    return sp.lambdify(args, expr, modules=[helpers, "numpy"], printer=printer, dummify=True)


# ---- parsing: text -> checked tree -> SymPy ----------------------------------------------------------
_REFUSED = {
    ast.Attribute: "attribute access (.)", ast.Subscript: "indexing ([...])", ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension", ast.SetComp: "a comprehension", ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension", ast.JoinedStr: "an f-string", ast.FormattedValue: "an f-string",
    ast.NamedExpr: "an assignment (:=)", ast.Starred: "unpacking (*)", ast.IfExp: "a conditional "
    "expression (use where(condition, a, b))", ast.List: "a list", ast.Tuple: "a tuple", ast.Set: "a set",
    ast.Dict: "a dict", ast.Slice: "a slice", ast.Await: "await", ast.Yield: "yield",
    ast.YieldFrom: "yield",
}  # fmt: skip
_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_COMPARE = {ast.Lt: "Lt", ast.LtE: "Le", ast.Gt: "Gt", ast.GtE: "Ge", ast.Eq: "Eq", ast.NotEq: "Ne"}


class _Builder:
    """Builds the SymPy expression of a checked tree, refusing anything off the allowlist on the way."""

    def __init__(self, text: str, symbols: Mapping[str, Any], params: Mapping[str, Param]) -> None:
        self.text, self.symbols, self.params = text, symbols, params
        self.sp, self.funcs, _, _ = _sym()

    def fail(self, node: ast.AST | None, message: str):
        col = node.col_offset + 1 if node is not None and hasattr(node, "col_offset") else None
        if isinstance(node, ast.Attribute | ast.Subscript):  # point at the dot or the bracket
            col = node.value.end_col_offset + 1
        elif isinstance(node, ast.BinOp) and not isinstance(node.op, ast.Pow):  # point at the operator
            gap = self.text[node.left.end_col_offset : node.right.col_offset]
            col = node.left.end_col_offset + 1 + next((i for i, c in enumerate(gap) if c not in " )"), 0)
        where = f" at column {col}" if col else ""
        raise FormulaError(message.replace("\x00", where), column=col)  # \x00: never in a formula

    def source(self, node: ast.AST) -> str:
        return _clip(ast.get_source_segment(self.text, node) or "")

    def build(self, node: ast.AST, condition: bool = False):
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            what = _REFUSED.get(type(node), f"{type(node).__name__}")
            self.fail(node, f"{what[0].upper()}{what[1:]}\x00 ({self.source(node)}) is not allowed in a "
                            "formula: only numbers, variables, parameters, arithmetic and the listed "
                            "functions.")
        logical = condition and isinstance(node, ast.Compare | ast.BoolOp | ast.UnaryOp)
        return self.check(method(node, True) if logical else method(node), node)

    def check(self, expr, node):
        sp = self.sp
        if isinstance(expr, sp.Expr):
            if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
                self.fail(node, f"{self.source(node)}\x00 is undefined (a division by zero or a log of 0).")
            if expr.has(sp.I):
                self.fail(node, f"{self.source(node)}\x00 is a complex number (a root or log of a negative "
                                "constant).")
            for a in expr.atoms(sp.Rational, sp.Float):
                if not _fits(a, sp):
                    self.fail(node, f"{self.source(node)}\x00 makes a constant beyond float64's range.")
        return expr

    # -- leaves
    def _Constant(self, node):
        v = node.value
        if isinstance(v, bool) or not isinstance(v, int | float):
            kind = "a string" if isinstance(v, str | bytes) else f"the constant {self.source(node)}"
            self.fail(node, f"{kind.capitalize()}\x00 is not allowed: only real numbers.")
        if isinstance(v, float) and not math.isfinite(v):
            self.fail(node, f"The number {self.source(node)}\x00 is beyond float64's range.")
        if isinstance(v, int) and abs(v) > 10**15:
            self.fail(node, f"The integer {self.source(node)}\x00 is too large: write it as a float "
                            "(1e16).")
        return self.sp.Integer(v) if isinstance(v, int) else self.sp.Rational(repr(v))

    def _Name(self, node):
        name = node.id
        if name in self.symbols:
            return self.symbols[name]
        if name == "pi":
            return self.sp.pi
        if name == "e":
            return self.sp.E
        if name in FUNCTIONS:
            self.fail(node, f"{name}\x00 is a function: call it, as in {name}(...).")
        known = [*self.symbols, *CONSTANTS]
        close = difflib.get_close_matches(name, [*known, *FUNCTIONS], n=1, cutoff=0.6)
        hint = f" Did you mean {close[0]}?" if close and not name.startswith("_") else ""
        self.fail(node, f"Unknown name {_clip(name)!r}\x00: a formula here can use {', '.join(known)}; "
                        f"declare anything else as a parameter (e.g. c = 1 in [0.1, 10]).{hint}")

    # -- arithmetic
    def _UnaryOp(self, node, condition=False):
        if isinstance(node.op, ast.Not) and condition:
            return self.sp.Not(self.build(self.condition(node.operand), True))
        if not isinstance(node.op, ast.USub | ast.UAdd):
            self.fail(node, f"The operator in {self.source(node)}\x00 is not allowed.")
        operand = self.build(node.operand)
        return -operand if isinstance(node.op, ast.USub) else operand

    def _BinOp(self, node):
        op = _BINOPS.get(type(node.op))
        if op is None:
            hint = " Write powers with ** (r**2)." if isinstance(node.op, ast.BitXor) else ""
            self.fail(node, f"The operator in {self.source(node)}\x00 is not allowed: use + - * / **."
                            f"{hint}")
        if op == "**":
            return self._power(node)
        a, b = self.build(node.left), self.build(node.right)
        return {"+": a + b, "-": a - b, "*": a * b, "/": a / b}[op] if op != "/" else self._divide(a, b, node)

    def _divide(self, a, b, node):
        if b == 0:
            self.fail(node, f"{self.source(node)}\x00 divides by zero.")
        return a / b

    def _power(self, node):
        if any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Pow) for n in ast.walk(node.right)):
            self.fail(node, f"A power tower ({self.source(node)})\x00 is not allowed: an exponent may not "
                            "contain a power (write exp(...) for an exponential).")
        base, exponent = self.build(node.left), self.build(node.right)
        if exponent.is_Number and abs(exponent) > MAX_EXPONENT:
            self.fail(node.right, f"The exponent {self.source(node.right)}\x00 is too large: numeric "
                                  f"exponents must be within ±{MAX_EXPONENT}.")
        if base.is_Number and exponent.is_Number and base != 0:
            bits = abs(float(exponent)) * max(_bits(base.p), _bits(base.q))
            if bits > _MAX_BITS:
                self.fail(node, f"{self.source(node)}\x00 makes a constant beyond float64's range.")
        if base == 0 and exponent.is_Number and exponent < 0:
            self.fail(node, f"{self.source(node)}\x00 divides by zero.")
        return base**exponent

    # -- calls and conditions
    def _Call(self, node):
        if not isinstance(node.func, ast.Name):
            self.fail(node, f"Only the listed functions can be called, by name; {self.source(node)}\x00 is "
                            "not one.")
        name = node.func.id
        if name not in FUNCTIONS:
            close = difflib.get_close_matches(name, list(FUNCTIONS), n=1, cutoff=0.6)
            hint = f" Did you mean {close[0]}?" if close and not name.startswith("_") else ""
            self.fail(node, f"{_clip(name)}()\x00 is not a function a formula can call; the functions are "
                            f"{', '.join(FUNCTIONS)}.{hint}")
        starred = next((a for a in node.args if isinstance(a, ast.Starred)), None)
        if starred is not None:
            self.fail(starred, f"Unpacking ({self.source(starred)})\x00 is not allowed.")
        if node.keywords:
            self.fail(node.keywords[0].value,
                      f"Keyword arguments ({self.source(node)})\x00 are not allowed.")
        n, want = len(node.args), FUNCTIONS[name]
        if (want is None and n < 2) or (want is not None and n != want):
            need = "at least 2 arguments" if want is None else f"{want} argument{'s' * (want > 1)}"
            self.fail(node, f"{name}()\x00 takes {need}; got {n}.")
        if name == "where":
            cond = self.build(self.condition(node.args[0]), True)
            a, b = self.build(node.args[1]), self.build(node.args[2])
            return self.sp.Piecewise((a, cond), (b, True))
        return self.funcs[name](*(self.build(a) for a in node.args))

    def condition(self, node):
        """``node`` if it is a comparison (or and/or/not of comparisons), else a clear refusal."""
        if not (isinstance(node, ast.Compare | ast.BoolOp)
                or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not))):  # fmt: skip
            self.fail(node, f"The condition {self.source(node)}\x00 must be a comparison, as in "
                            "where(r > 0, a, b).")
        return node

    def _Compare(self, node, condition=False):
        if not condition:
            self.fail(node, f"A comparison ({self.source(node)})\x00 is only allowed as the first argument "
                            "of where(condition, a, b).")
        terms = [self.build(node.left), *(self.build(c) for c in node.comparators)]
        parts = []
        for op, a, b in zip(node.ops, terms, terms[1:], strict=False):
            rel = _COMPARE.get(type(op))
            if rel is None:
                self.fail(node, f"The comparison in {self.source(node)}\x00 must use < <= > >= == !=.")
            parts.append(getattr(self.sp, rel)(a, b))
        return self.sp.And(*parts)

    def _BoolOp(self, node, condition=False):
        if not condition:
            self.fail(node, f"and/or ({self.source(node)})\x00 are only allowed inside where's condition.")
        parts = [self.build(self.condition(v), True) for v in node.values]
        return self.sp.And(*parts) if isinstance(node.op, ast.And) else self.sp.Or(*parts)


def _bits(n: int) -> int:
    return abs(int(n)).bit_length()


def _fits(a, sp) -> bool:
    if isinstance(a, sp.Float):
        _, man, exp, bc = a._mpf_ if a._mpf_[1] else (0, 0, 0, 0)
        return man == 0 or exp + bc <= _MAX_MAGNITUDE_BITS
    p, q = _bits(a.p), _bits(a.q)
    return p <= _MAX_BITS and q <= _MAX_BITS and p - q <= _MAX_MAGNITUDE_BITS


def _parse(text: Any) -> ast.Expression:
    """The checked tree of the text: limits, plain ASCII, a single expression."""
    if not isinstance(text, str):
        raise FormulaError(f"The formula must be text; got {type(text).__name__}.")
    if not text.strip():
        raise FormulaError("The formula is empty: type one, e.g. log(1 + r**2).")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"The formula is {len(text)} characters long; at most {MAX_LENGTH} are allowed.")
    for i, ch in enumerate(text):
        if not (" " <= ch <= "~"):
            hint = f" Type {_HINTS[ch]} instead." if ch in _HINTS else ""
            shown = repr(ch) if ch.isprintable() else f"U+{ord(ch):04X}"
            raise FormulaError(f"The character {shown} (U+{ord(ch):04X}) at column {i + 1} is not allowed: "
                               f"formulas are plain ASCII text.{hint}", column=i + 1)  # fmt: skip
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as e:
        col = e.offset if e.offset and e.offset <= len(text) else None
        at = f" at column {col}" if col else ""
        raise FormulaError(f"The formula is not a valid expression{at}: {e.msg}.", column=col) from None
    except (ValueError, MemoryError, RecursionError) as e:
        raise FormulaError(f"The formula could not be read: {type(e).__name__}.") from None
    depth, count, stack = 0, 0, [(tree.body, 1)]
    while stack:
        node, d = stack.pop()
        count += 1
        depth = max(depth, d)
        if depth > MAX_DEPTH or count > MAX_NODES:
            what = f"nested {depth} deep" if depth > MAX_DEPTH else f"more than {MAX_NODES} parts"
            limit = f"{MAX_DEPTH} levels" if depth > MAX_DEPTH else f"{MAX_NODES} parts"
            raise FormulaError(f"The formula is {what} (at column {node.col_offset + 1}); at most {limit} "
                               "are allowed.", column=node.col_offset + 1)  # fmt: skip
        stack += [(c, d + 1) for c in ast.iter_child_nodes(node) if isinstance(c, ast.expr | ast.keyword)]
    return tree


# ---- the loss -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CustomLoss(LossSpec):
    """A ``LossSpec`` from a formula. Errors of non-finite values name the row of the whole input."""

    source: str = ""  # the formula as typed
    kind: str = "regression"
    expression: Any = None  # SymPy: the loss in the kind's variables
    slope: Any = None  # SymPy: d loss / d y_pred (the prediction the spec takes)
    slope_latex: str = ""
    on_grid: Callable[..., tuple[np.ndarray, np.ndarray]] | None = None  # (t, p, **params) -> NaN-holed

    def _sum(self, t, p, kw):
        s = 0.0
        for sl, tb, pb in validation.blocks(self, t, p):
            s += float(np.add.reduce(self._block(self.value, tb, pb, kw, sl.start), axis=None))
        return s

    def _blockwise(self, fn, t, p, kw, out, *, scale=1.0):
        for sl, tb, pb in validation.blocks(self, t, p):
            np.multiply(self._block(fn, tb, pb, kw, sl.start), scale, out=out[sl])
        return out

    @staticmethod
    def _block(fn, tb, pb, kw, start):
        try:
            return fn(tb, pb, **kw)
        except FormulaValueError as e:
            raise e.shifted(start) from None


def custom(formula: str, *, name: str | None = None, kind: str = "regression",
           params: Iterable[Param] | None = None, labels: str = "01") -> CustomLoss:  # fmt: skip
    """The loss written by ``formula`` (see the module's docstring), as a spec that is not registered.

    ``params``: declared parameters (``declare``/``parse_params``); ``delta`` and ``tau`` need no declaring.
    ``labels`` (binary): "01" for y in {0, 1}, "pm1" for y in {-1, +1} (0/1 labels are then read as -1/+1).
    """
    if kind not in KINDS:
        raise FormulaError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}.", argument="kind")
    if labels not in LABELS:
        raise FormulaError(f"labels must be one of {', '.join(LABELS)}; got {labels!r}.", argument="labels")
    name = "custom" if name is None else name
    if not isinstance(name, str) or not _LOSS_NAME.match(name):
        raise FormulaError(f"The loss name {_clip(str(name))!r} is not allowed: use lower-case letters, "
                           "digits "
                           "and underscores, starting with a letter (at most 32).", argument="name")
    if name in _BUILTIN_LOSSES:
        raise FormulaError(f"{name} is a built-in loss; give yours another name.", argument="name")
    declared: dict[str, Param] = {}
    for p in params or ():
        if not isinstance(p, Param):
            raise FormulaError(f"params must be Param objects (losses.custom.declare); got {p!r}.",
                               argument="params")  # fmt: skip
        _check_name(p.name, "parameter")
        if p.name in VARIABLES[kind]:
            raise FormulaError(f"{p.name} is a variable of {kind} formulas; choose another parameter name.",
                               argument="params")  # fmt: skip
        declared[p.name] = p
    tree = _parse(formula)
    sp = _sym()[0]
    var = {v: sp.Symbol(v, real=True) for v in VARIABLES[kind]}
    if kind == "multiclass":
        var["k"] = sp.Symbol("k", positive=True)
    available = {**BUILTIN_PARAMS, **declared}
    par = {n: sp.Symbol(n, real=True) for n in available}
    try:
        expr = _Builder(formula, {**var, **par}, available).build(tree.body)
    except FormulaError:
        raise
    except (TypeError, ValueError, ArithmeticError, RecursionError, AttributeError) as e:
        raise FormulaError(f"The formula could not be built: {_clip(str(e), 80)}.") from None
    used = [available[n] for n in available if par[n] in expr.free_symbols]
    return _make(formula, name, kind, labels, expr, var, [(p, par[p.name]) for p in used])


def _make(source, name, kind, labels, expr, var, used) -> CustomLoss:
    sp = _sym()[0]
    params = tuple(p for p, _ in used)
    psyms = [s for _, s in used]
    free = expr.free_symbols
    if kind == "regression":
        y_true, y_pred = "values", "values"
        slope = sp.diff(expr, var["r"]) + sp.diff(expr, var["yhat"])  # r = ŷ - y: dr/dŷ = 1
        order = [var["r"], var["y"], var["yhat"]]
    elif kind == "binary":
        y_true = "labels01" if labels == "01" else "labels_pm1"
        y_pred = "probabilities" if var["p"] in free and var["s"] not in free else (
            "logits" if labels == "01" else "scores")  # fmt: skip
        s, p = var["s"], var["p"]
        if y_pred == "probabilities":
            slope = sp.diff(expr, p)
        else:  # p = σ(s): dp/ds = p(1 - p)
            slope = sp.diff(expr, s) + sp.diff(expr, p) * p * (1 - p)
        order = [var["y"], s, p]
    else:
        y_true, y_pred = "class_labels", "distributions"
        slope = sp.diff(expr, var["p"])
        order = [var["p"], var["k"]]
    slope = slope.replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.S.Zero)  # zero a.e.
    f, g = _numeric([*order, *psyms], expr), _numeric([*order, *psyms], slope)
    names = [p.name for p in params]
    prepare = _ARGUMENTS[kind]
    value_name = "ℓ"

    def run(fn, t, q, kw):
        args, shape, scatter = prepare(t, q, y_pred)
        with np.errstate(all="ignore"):
            out = fn(*args, *(kw[n] for n in names))
        out = np.array(np.broadcast_to(np.asarray(out, dtype=float), shape))
        return out, scatter

    def checked(fn, what):
        def block(t, q, **kw):
            out, scatter = run(fn, t, q, kw)
            bad = ~np.isfinite(out)
            if bad.any():
                i, v = int(np.flatnonzero(bad)[0]), float(out[np.flatnonzero(bad)[0]])
                raise FormulaValueError(_domain_message(name, what, v, _row_text(kind, t, q, i)), i)
            return scatter(out) if scatter and what != value_name else out

        return block

    def on_grid(t, q, **kw):
        kw = {**{p.name: p.default for p in params}, **kw}
        v, _ = run(f, t, q, kw)
        d, _ = run(g, t, q, kw)
        return np.where(np.isfinite(v), v, np.nan), np.where(np.isfinite(d), d, np.nan)

    latex = sp.latex(expr, symbol_names=_latex_names(var, used))
    spec = CustomLoss(
        name=name, label=name, title=name if name != "custom" else "Your loss", category=kind,
        formula=rf"\ell = {latex}", y_true=y_true, y_pred=y_pred, value=checked(f, value_name),
        derivative=checked(g, "its derivative"), params=params,
        properties=Properties(convex=False, symmetric=False, robust=False, smooth=False),
        summary=f"Your formula: {source}", good="", bad="", pages=(), source=source, kind=kind,
        expression=expr, slope=slope, slope_latex=sp.latex(slope, symbol_names=_latex_names(var, used)),
        on_grid=on_grid,
    )  # fmt: skip
    return _with_properties(spec)


def _latex_names(var, used) -> dict:
    names = {var[v]: v for v in var}
    if "yhat" in var:
        names[var["yhat"]] = r"\hat{y}"
    names.update({s: p.symbol for p, s in used})
    return names


def _regression_args(t, q, y_pred):
    return (q - t, t, q), t.shape, None


def _binary_args(t, q, y_pred):
    if y_pred == "probabilities":
        return (t, 0.0, q), q.shape, None
    return (t, q, np_sigmoid(q)), q.shape, None


def _multiclass_args(t, q, y_pred):
    rows = np.arange(q.shape[0])
    cls = t.astype(np.intp)

    def scatter(d):
        out = np.zeros(q.shape)
        out[rows, cls] = d
        return out

    return (q[rows, cls], float(q.shape[1])), t.shape, scatter


_ARGUMENTS = {"regression": _regression_args, "binary": _binary_args, "multiclass": _multiclass_args}


def _row_text(kind, t, q, i) -> str:
    fmt = validation._fmt
    if kind == "multiclass":
        return f"true class {int(t[i])}, p = {fmt(q[i, int(t[i])])}"
    if kind == "regression":
        return f"y = {fmt(t[i])}, ŷ = {fmt(q[i])}, r = {fmt(q[i] - t[i])}"
    return f"y = {fmt(t[i])}, prediction {fmt(q[i])}"


def _domain_message(name, what, v, at) -> Callable[[int], str]:
    shown = "NaN" if v != v else ("∞" if v > 0 else "-∞")
    subject = "value" if what == "ℓ" else "derivative"

    def message(row: int) -> str:
        return (f"The {subject} of {name} is not finite at row {row} ({at}): {shown}. The formula "
                "leaves its domain there (a log or root of a negative number, a division by zero, or an "
                "overflow); use a stable form (log1p, softplus), clip the input, or fix that row.")
    return message


# ---- properties, checked numerically on a grid -------------------------------------------------------
@dataclass(frozen=True)
class Check:
    """A property of a custom loss as checked on a grid: whether it holds (None: could not tell), and why."""

    name: str
    holds: bool | None
    detail: str


#: The plotted ranges the checks use by default: residual, margin (the explorers' axes).
R_LIMIT, M_LIMIT = 5.0, 6.0
_TOL = 1e-9


def _g(v: float) -> str:
    return f"{v:.4g}"


def _grid(limit: float, n: int = 401) -> np.ndarray:
    return np.linspace(-limit, limit, n)


def _convex(v: np.ndarray) -> int | None:
    """Where the second difference is clearly negative, nearest the middle of the grid (None: convex)."""
    d2 = v[:-2] - 2 * v[1:-1] + v[2:]
    scale = np.abs(v[:-2]) + 2 * np.abs(v[1:-1]) + np.abs(v[2:])
    bad = np.flatnonzero(d2 < -_TOL * scale - 1e-12) + 1
    return int(bad[np.argmin(np.abs(bad - (v.size - 1) / 2))]) if bad.size else None


def _smooth(spec: CustomLoss, curve: Callable[[int], np.ndarray]) -> bool:
    """A derivative whose largest step between grid points does not shrink when the grid is 4x finer jumps."""
    coarse, fine = (np.nanmax(np.abs(np.diff(curve(n))), initial=0.0) for n in (401, 1601))
    return bool(fine <= 0.5 * coarse + 1e-12)


def check_properties(spec: CustomLoss, params: Mapping[str, float] | None = None, *,
                     limit: float | None = None) -> tuple[Check, ...]:  # fmt: skip
    """Non-negative? Zero at a perfect prediction? Symmetric? Convex on the plotted range? — on a grid.

    Regression: r in [−limit, limit] (and several targets when the formula uses y or ŷ itself); binary:
    the margin m = t·s in [−limit, limit] for both labels; multi-class: p, the true class's probability.
    """
    kw = spec.resolve(params or {})
    checks = {"regression": _regression_checks, "binary": _binary_checks, "multiclass": _multiclass_checks}
    return checks[spec.kind](spec, kw, limit)


def _nonneg(v: np.ndarray, at: Callable[[int], str]) -> Check:
    if np.isnan(v).all():
        return Check("non-negative", None, "undefined everywhere on the grid")
    i = int(np.nanargmin(v))
    if v[i] >= -1e-12:
        return Check("non-negative", True, f"yes: its smallest value is {_g(v[i] + 0.0)} ({at(i)})")
    return Check("non-negative", False, f"no: ℓ = {_g(v[i])} at {at(i)}")


def _undefined_note(v: np.ndarray, at: Callable[[int], str]) -> list[Check]:
    bad = np.flatnonzero(np.isnan(v))
    if not bad.size:
        return []
    detail = f"no: not finite at {bad.size} grid points, e.g. {at(int(bad[0]))}"
    return [Check("defined everywhere", False, detail)]


def _regression_checks(spec: CustomLoss, kw, limit) -> tuple[Check, ...]:
    L = limit or R_LIMIT
    r = _grid(L)
    only_r = not ({"y", "yhat"} & {s.name for s in spec.expression.free_symbols})
    ys = (0.0,) if only_r else (0.0, 1.0, -2.0, 3.5)
    rows = [spec.on_grid(np.full_like(r, y), y + r, **kw) for y in ys]
    v = np.concatenate([a for a, _ in rows])
    where = "" if only_r else " (targets y = 0, 1, −2, 3.5)"

    def at(i):
        return f"r = {_g(r[i % r.size])}" + ("" if only_r else f", y = {_g(ys[i // r.size])}")

    zero = [float(a[r.size // 2]) for a, _ in rows]
    if any(z != z for z in zero):
        perfect = Check("zero at a perfect prediction", None, "undefined at r = 0")
    elif max(abs(z) for z in zero) <= 1e-12:
        perfect = Check("zero at a perfect prediction", True, "yes: ℓ = 0 at r = 0")
    else:
        perfect = Check("zero at a perfect prediction", False, f"no: ℓ = {_g(zero[0])} at r = 0")
    mirrored = [(a, a[::-1]) for a, _ in rows]
    asym = [(j, i) for j, (a, b) in enumerate(mirrored) for i in
            np.flatnonzero(np.abs(a - b) > _TOL * (1 + np.abs(a)) + 1e-12)[:1]]  # fmt: skip
    if asym:
        j, i = asym[0]
        sym = Check("symmetric", False, f"no: ℓ = {_g(rows[j][0][i])} at r = {_g(r[i])} but "
                                        f"{_g(rows[j][0][-1 - i])} at r = {_g(-r[i])}")  # fmt: skip
    else:
        sym = Check("symmetric", True, "yes: ℓ(−r) = ℓ(r)")
    bends = [(_convex(a), j) for j, (a, _) in enumerate(rows)]
    bend = next(((i, j) for i, j in bends if i is not None), None)
    convex = (Check("convex", True, f"yes, on r ∈ [−{_g(L)}, {_g(L)}]{where}") if bend is None else
              Check("convex", False, f"no: it bends down near r = {_g(r[bend[0]])}"))  # fmt: skip
    return (_nonneg(v, at), perfect, sym, convex, *_undefined_note(v, at))


def _binary_inputs(spec: CustomLoss, m: np.ndarray, label01: int) -> tuple[np.ndarray, np.ndarray]:
    sign = 1.0 if label01 == 1 else -1.0
    t = np.full_like(m, float(label01) if spec.y_true == "labels01" else sign)
    s = sign * m
    return t, (np_sigmoid(s) if spec.y_pred == "probabilities" else s)


def _binary_checks(spec: CustomLoss, kw, limit) -> tuple[Check, ...]:
    L = limit or M_LIMIT
    m = _grid(L, 481)
    rows = [spec.on_grid(*_binary_inputs(spec, m, lab), **kw)[0] for lab in (1, 0)]
    v = np.concatenate(rows)

    def at(i):
        return f"m = {_g(m[i % m.size])}, label {1 - i // m.size}"

    if spec.y_pred == "probabilities":
        ends = [spec.on_grid(np.array([t]), np.array([q]), **kw)[0][0]
                for t, q in ((1.0, 1.0), (0.0, 0.0), (1.0, 1 - 1e-12), (0.0, 1e-12))]  # fmt: skip
        exact, near = ends[:2], ends[2:]
        got = exact if all(x == x for x in exact) else near
        ok = all(x == x and abs(x) <= 1e-9 for x in got)
        perfect = Check("zero at a perfect prediction", ok,
                        "yes: ℓ = 0 at p = y" if ok else f"no: ℓ = {_g(got[0])} at p = y")  # fmt: skip
    else:
        right = np.concatenate([row[m >= 0] for row in rows])
        hit = np.flatnonzero(np.abs(rows[0][m >= 0]) <= 1e-12)
        ok = bool(np.nanmin(np.abs(right)) <= 1e-12) if not np.isnan(right).all() else False
        perfect = Check("zero at a perfect prediction", ok,
                        f"yes: ℓ = 0 once m ≥ {_g(m[m >= 0][hit[0]])}" if ok and hit.size else
                        "yes" if ok else f"no: ℓ = {_g(rows[0][-1])} even at m = {_g(L)}")  # fmt: skip
    same = np.allclose(rows[0], rows[1], rtol=_TOL, atol=1e-12, equal_nan=True)
    sym = Check("same for both labels", bool(same), "yes: ℓ depends on the margin only" if same else
                "no: at the same margin the two labels cost differently")  # fmt: skip
    bends = [(_convex(row), lab) for lab, row in zip((1, 0), rows, strict=True)]
    bend = next(((i, lab) for i, lab in bends if i is not None), None)
    convex = (Check("convex", True, f"yes, in the score on m ∈ [−{_g(L)}, {_g(L)}]") if bend is None else
              Check("convex", False, f"no: it bends down near m = {_g(m[bend[0]])} (label {bend[1]})"))
    return (_nonneg(v, at), perfect, sym, convex, *_undefined_note(v, at))


def _multiclass_inputs(p: np.ndarray, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    q = np.empty((p.size, k))
    q[:, 0] = p
    q[:, 1:] = ((1.0 - p) / (k - 1))[:, None]
    return np.zeros(p.size), q


def _multiclass_checks(spec: CustomLoss, kw, limit) -> tuple[Check, ...]:
    p = np.linspace(0.0025, 1.0, 400)
    v, _ = spec.on_grid(*_multiclass_inputs(p), **kw)

    def at(i):
        return f"p = {_g(p[i])}"

    end = v[-1]
    ok = bool(end == end and abs(end) <= 1e-12)
    perfect = Check("zero at a perfect prediction", ok,
                    "yes: ℓ = 0 at p = 1" if ok else f"no: ℓ = {_g(end)} at p = 1")
    rising = np.flatnonzero(np.diff(v) > _TOL * (1 + np.abs(v[1:])))
    down = Check("decreasing in p", not rising.size, "yes: more probability on the true class never costs "
                 "more" if not rising.size else f"no: it rises near p = {_g(p[rising[0]])}")  # fmt: skip
    bend = _convex(v)
    convex = (Check("convex", True, "yes, in p on (0, 1]") if bend is None else
              Check("convex", False, f"no: it bends down near p = {_g(p[bend])}"))
    return (_nonneg(v, at), perfect, down, convex, *_undefined_note(v, at))


def _with_properties(spec: CustomLoss) -> CustomLoss:
    """The spec with ``Properties`` from the checks at the default parameters (robust and smooth too)."""
    found = {c.name: c.holds for c in check_properties(spec)}
    kw = spec.defaults()
    if spec.kind == "regression":
        def slope(n):
            r = _grid(R_LIMIT, n)
            return spec.on_grid(np.zeros_like(r), r, **kw)[1]
    elif spec.kind == "binary":
        def slope(n):
            return spec.on_grid(*_binary_inputs(spec, _grid(M_LIMIT, n), 1), **kw)[1]
    else:
        def slope(n):
            return spec.on_grid(*_multiclass_inputs(np.linspace(0.0025, 1.0, n)), **kw)[1]
    g = np.abs(slope(401))
    half = g.size // 4
    outer, inner = (np.nanmax(a, initial=0.0) for a in (np.r_[g[:half], g[-half:]], g[half:-half]))
    robust = spec.kind != "multiclass" and bool(outer <= 1.05 * inner + 1e-12)  # bounded influence
    props = Properties(
        convex=bool(found.get("convex")), symmetric=bool(found.get("symmetric")), robust=robust,
        smooth=_smooth(spec, slope), nonnegative=bool(found.get("non-negative")),
        zero_at_perfect=bool(found.get("zero at a perfect prediction")),
    )  # fmt: skip
    return _replace(spec, properties=props)


def _replace(spec: CustomLoss, **changes) -> CustomLoss:
    from dataclasses import replace

    return replace(spec, **changes)

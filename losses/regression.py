"""Regression losses: per-sample value and its derivative with respect to the prediction.

Convention: ``t`` is y_true, ``p`` is y_pred, ``d = p - t`` the residual as the prediction's error
(the quantile loss uses ``r = t - p``, as the pinball loss is usually written). Every function takes
validated float64 blocks and returns a block; the registry entries at the bottom hold the metadata.
"""

from __future__ import annotations

import math
from functools import cached_property

import numpy as np

from losses.spec import LossSpec, Param, Properties, Terms


# ---- the terms losses of the residual share ----------------------------------------------------------
class Residual:
    """The residual d = ŷ - y, and its absolute value and square, each computed on first use and kept.

    A scorer runs the regression losses on the same rows; written on these terms (``LossSpec.terms``, shared
    by ``losses.SharedChecks``) they subtract once instead of seven times, and MSE and RMSE square once.
    Losses read the terms and never write into them.
    """

    def __init__(self, t: np.ndarray, p: np.ndarray) -> None:
        self.d = p - t
        self._ratios: dict[float, np.ndarray] = {}  # over_hypot1's, by δ

    @cached_property
    def abs(self) -> np.ndarray:
        """|d|."""
        return np.abs(self.d)

    @cached_property
    def squared(self) -> np.ndarray:
        """d²."""
        return np.multiply(self.d, self.d)

    def over_hypot1(self, delta: float) -> np.ndarray:
        """x / (√(1 + x²) + 1), x = d/δ: pseudo-Huber's (δ) and Barron's at α = 1 (scale δ) ratio."""
        if delta not in self._ratios:
            self._ratios[delta] = _over_hypot1(self.d / delta, plus_one=True)
        return self._ratios[delta]


def _on_residual(value, total=None) -> Terms:
    """A regression loss's ``LossSpec.terms``: its value (and, if given, its block's sum) on the residual's
    terms."""
    return Terms("residual", Residual, value, total=total)


# Each loss below is written once on the residual's terms (the underscored function, which a scorer calls with
# terms shared between losses); the public function builds the terms of its own inputs.


# ---- squared error ---------------------------------------------------------------------------------
def squared_error(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    r"""Squared error :math:`(\hat y - y)^2` (PyTorch ``mse_loss``, reduction='none')."""
    return _squared_error(Residual(t, p), t, p)


def _squared_error(terms: Residual, t: np.ndarray, p: np.ndarray) -> np.ndarray:
    return terms.squared


def squared_error_grad(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    d = p - t
    return np.add(d, d, out=d)


def _rmse_slope(mean: float) -> float:
    # d sqrt(m) / dm; at m = 0 every residual is 0, so the gradient is 0 whatever this returns.
    # The mean of the squares beyond float64: no slope to give (0 would make every gradient 0, silently
    # wrong). NaN makes the gradient's NaN check explain it: a RangeError naming a residual beyond float64,
    # or saying the mean is (validation.explain_nan).
    if mean == math.inf:
        return math.nan
    return 0.5 / math.sqrt(mean) if mean > 0 else 0.0


# ---- absolute error --------------------------------------------------------------------------------
def absolute_error(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    r"""Absolute error :math:`|\hat y - y|` (PyTorch ``l1_loss``)."""
    return _absolute_error(Residual(t, p), t, p)


def _absolute_error(terms: Residual, t: np.ndarray, p: np.ndarray) -> np.ndarray:
    return terms.abs


def absolute_error_grad(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    # sign(0) = 0, as autograd gives for |x| at 0. Not in place: numpy's in-place sign is 3x slower on
    # mixed-sign data (bench/core.py).
    return np.sign(p - t)


# ---- squared log error -----------------------------------------------------------------------------
def squared_log_error(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    r""":math:`(\log(1+\hat y) - \log(1+y))^2` (scikit-learn ``mean_squared_log_error``), the log of the
    ratio written without cancellation (``_log_ratio1p``)."""
    d = _log_ratio1p(t, p)
    return np.multiply(d, d, out=d)


def squared_log_error_grad(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    d = _log_ratio1p(t, p)
    d *= 2.0
    d /= 1.0 + p
    return d


def _log_ratio1p(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    """log((1 + p)/(1 + t)) for p, t > -1, to a few ulps.

    log1p(p) - log1p(t) cancels when p is near t: each log carries eps·log(1 + t) of error, 25% of the value
    at t = 1000, p = t + 1e-12. Where (1 + p)/(1 + t) lies in [1/2, 2] it is log1p((p - t)/(1 + t)) instead
    (p - t is exact there, Sterbenz); beyond, the log of the ratio (at least log 2 from 0, so its rounding
    stays an ulp or two), or the difference of the logs where the ratio leaves the normal doubles (then they
    differ by more than 700).
    """
    with np.errstate(over="ignore", divide="ignore"):
        r = (p - t) / (1.0 + t)
        out = np.log1p(r)
        far = np.flatnonzero(~((r >= -0.5) & (r <= 1.0)))
        if len(far):
            tf, pf = t.take(far), p.take(far)
            ratio = (1.0 + pf) / (1.0 + tf)
            got = np.log(ratio)
            beyond = ~np.isfinite(got) | (ratio < _TINY)  # a subnormal ratio has lost digits
            got[beyond] = np.log1p(pf[beyond]) - np.log1p(tf[beyond])
            out[far] = got
    return out


# ---- Huber -----------------------------------------------------------------------------------------
def huber(t: np.ndarray, p: np.ndarray, *, delta: float) -> np.ndarray:
    r"""Huber loss, PyTorch ``huber_loss`` semantics.

    .. math:: \ell = \tfrac12 d^2 \text{ if } |d| \le \delta, \text{ else } \delta(|d| - \tfrac12\delta)

    Computed as ``c·(|d| - c/2)`` with ``c = min(|d|, δ)``: one formula for both branches, no np.where.
    Reference: Huber (1964), "Robust Estimation of a Location Parameter".
    """
    return _huber(Residual(t, p), t, p, delta=delta)


def _huber(terms: Residual, t: np.ndarray, p: np.ndarray, *, delta: float) -> np.ndarray:
    a = terms.abs
    c = np.minimum(a, delta)
    h = np.subtract(a, 0.5 * c)
    return np.multiply(h, c, out=h)


def huber_grad(t: np.ndarray, p: np.ndarray, *, delta: float) -> np.ndarray:
    d = p - t
    return np.clip(d, -delta, delta, out=d)


# ---- pseudo-Huber ----------------------------------------------------------------------------------
def pseudo_huber(t: np.ndarray, p: np.ndarray, *, delta: float) -> np.ndarray:
    r"""Pseudo-Huber loss :math:`\delta^2(\sqrt{1 + (d/\delta)^2} - 1)` (optax ``pseudo_huber_loss`` idea).

    Written as :math:`\delta\, d \cdot x / (\sqrt{1+x^2} + 1)`, ``x = d/δ``: no cancellation for small
    ``d`` (the naive form loses all digits) and no overflow of ``x²`` for huge ``d`` (hypot).
    """
    return _pseudo_huber(Residual(t, p), t, p, delta=delta)


def _pseudo_huber(terms: Residual, t: np.ndarray, p: np.ndarray, *, delta: float) -> np.ndarray:
    r = np.multiply(terms.over_hypot1(delta), terms.d)  # x / (√(1+x²) + 1), in (-1, 1), times d
    r *= delta
    return r


def pseudo_huber_grad(t: np.ndarray, p: np.ndarray, *, delta: float) -> np.ndarray:
    d = p - t
    r = _over_hypot1(d / delta, plus_one=False)  # x / √(1+x²), so the slope d / √(1+(d/δ)²) is δ·r
    r *= delta
    return r


def _over_hypot1(x: np.ndarray, *, plus_one: bool) -> np.ndarray:
    """x / (√(1 + x²) + 1), or x / √(1 + x²): the fast sqrt form, np.hypot (10x slower) only for a block
    where x² overflows, and the limit ±1 where x itself is infinite (a residual over a tiny δ)."""
    h = np.multiply(x, x)
    h += 1.0
    np.sqrt(h, out=h)
    big = bool(np.isinf(h.max()))
    if big:
        h = np.hypot(1.0, x)
    if plus_one:
        h += 1.0
    r = np.divide(x, h, out=h)
    if big:
        inf = np.isinf(x)
        r[inf] = np.sign(x[inf])
    return r


# ---- log-cosh --------------------------------------------------------------------------------------
def log_cosh(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    r""":math:`\log\cosh(d)`, computed as :math:`|d| + \log\frac{1 + e^{-2|d|}}{2}`, and below
    :math:`|d| = 1/4` as its Taylor series in :math:`d^2`.

    The naive ``log(cosh(d))`` overflows for ``|d| > 710``; the identity is exact there (Keras ``log_cosh``
    uses it with softplus: :math:`|d| + \operatorname{log1p}(e^{-2|d|}) - \log 2`), and its log is of a
    number in (1/2, 1], rounded once. For small residuals the identity cancels (|d| plus a log near -|d|,
    leaving about d²/2): the rounding of that number near 1 costs up to 1e-16 of absolute error, all of the
    value at d = 1e-8. The series has no cancellation: within an ulp of the value below 1/4 (11 terms, the
    next below 1e-17 of the first); the identity within 4e-15 of it above (measured against 60 digits).
    """
    return _log_cosh(Residual(t, p), t, p)


#: Below it log-cosh is its Taylor series (the identity cancels there).
_LOG_COSH_SERIES_BELOW = 0.25
#: The series' coefficients of d², d⁴, ..., d²²: 2²ⁿ(2²ⁿ - 1)B₂ₙ / (2n (2n)!), B the Bernoulli numbers.
_LOG_COSH_SERIES = (0.5, -0.08333333333333333, 0.022222222222222223, -0.006746031746031746,
                    0.0021869488536155205, -0.0007386029608251831, 0.0002565805740408915,
                    -9.09896491907074e-05, 3.277930227475478e-05, -1.1956455712177625e-05,
                    4.405244525877023e-06)  # fmt: skip


def _log_cosh_series(a: np.ndarray) -> np.ndarray:
    """log cosh of ``a``, all below ``_LOG_COSH_SERIES_BELOW``: Horner's rule in a²."""
    x2 = np.multiply(a, a)
    out = np.full_like(x2, _LOG_COSH_SERIES[-1])
    for c in _LOG_COSH_SERIES[-2::-1]:
        out *= x2
        out += c
    out *= x2
    return out


def _log_cosh_identity(a: np.ndarray) -> np.ndarray:
    """The factors (1 + e^{-2a}) / 2 of the identity log cosh a = a + log((1 + e^{-2a}) / 2), in [1/2, 1]."""
    f = np.multiply(a, -2.0)
    np.exp(f, out=f)
    f *= 0.5
    f += 0.5
    return f


def _log_cosh(terms: Residual, t: np.ndarray, p: np.ndarray) -> np.ndarray:
    a = terms.abs
    e = _log_cosh_identity(a)
    np.log(e, out=e)
    e += a
    small = np.flatnonzero(a < _LOG_COSH_SERIES_BELOW)  # indexes: faster than a boolean mask here
    if len(small):
        e[small] = _log_cosh_series(a.take(small))
    return e


#: Rows whose factors (1 + e^{-2|d|}) / 2 are multiplied before one log: each at least 1/2, so the product
#: is at least 2^-512, far from underflow (2^-1022).
_LOG_COSH_GROUP = 512


def _log_cosh_total(terms: Residual, t: np.ndarray, p: np.ndarray) -> float:
    """The sum of ``_log_cosh`` over a block, with a log per 512 rows of the identity instead of one per row
    (the exp stays; a log costs as much): Σ|d| plus the log of the product of their factors, 512 at a time.
    A product's roundings are of the size of its factors' own (an ulp of 1 each), which the per-row form has
    too; on rows from |d| = 1/4 up (log-cosh at least 0.03) they stay below 1e-14 of the value. Rows below
    take the series, as in ``_log_cosh``."""
    a = terms.abs
    f = _log_cosh_identity(a)
    small = np.flatnonzero(a < _LOG_COSH_SERIES_BELOW)
    series = abs_small = 0.0
    if len(small):
        a_small = a.take(small)
        series, abs_small = float(np.add.reduce(_log_cosh_series(a_small))), float(np.add.reduce(a_small))
        f[small] = 1.0  # their log: 0, and their |d| is taken off Σ|d|
    whole = len(f) - len(f) % _LOG_COSH_GROUP
    groups = np.multiply.reduce(f[:whole].reshape(-1, _LOG_COSH_GROUP), axis=1)
    logs = float(np.add.reduce(np.log(groups, out=groups))) + float(np.add.reduce(np.log(f[whole:])))
    return series + ((float(np.add.reduce(a)) - abs_small) + logs)


def log_cosh_grad(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    d = p - t
    return np.tanh(d, out=d)


# ---- quantile (pinball) ----------------------------------------------------------------------------
def quantile(t: np.ndarray, p: np.ndarray, *, tau: float) -> np.ndarray:
    r"""Pinball loss :math:`\max(\tau r, (\tau - 1) r)`, ``r = y - ŷ`` (scikit-learn ``mean_pinball_loss``).

    Reference: Koenker & Bassett (1978).
    """
    r = t - p
    return np.maximum(r * tau, r * (tau - 1.0))  # not τr + max(-r, 0): that is -inf + inf where r = -inf


def quantile_grad(t: np.ndarray, p: np.ndarray, *, tau: float) -> np.ndarray:
    # d/dŷ: -τ above the prediction (r > 0), 1 - τ below; at r = 0 the subgradient's midpoint 1/2 - τ
    # (what autograd gives for torch.maximum, which splits a tie evenly).
    r = t - p
    return (0.5 - tau) - 0.5 * np.sign(r)


# ---- Poisson ---------------------------------------------------------------------------------------
def poisson(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    r"""Poisson negative log-likelihood without the constant :math:`\log y!`: :math:`\hat y - y\log\hat y`.

    Keras ``Poisson`` (without its 1e-7) and PyTorch ``PoissonNLLLoss(log_input=False)`` (without its 1e-8).
    """
    return p - t * np.log(p)


def poisson_grad(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    return (p - t) / p  # not 1 - t/p, which cancels where p is near t (t/p rounds first)


# ---- Poisson deviance ------------------------------------------------------------------------------
#: 1/(k(k-1)) for k = 17 down to 2: the series of (1 + u)·log1p(u) - u = u²·Σ (-u)^(k-2)/(k(k-1)), k ≥ 2.
_PHI_SERIES = tuple(1.0 / (k * (k - 1)) for k in range(17, 1, -1))
#: Below this relative error |u| the series is used; 16 terms leave a relative error under 1e-17 there.
_PHI_NEAR = 0.1


def poisson_deviance(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    r"""Poisson deviance :math:`2\left(y\log(y/\hat y) - (y - \hat y)\right)`, :math:`y\log(y/\hat y) = 0`
    at :math:`y = 0` (scikit-learn ``mean_poisson_deviance``).

    Twice the gap between the Poisson log-likelihood of the saturated model (ŷ = y) and of ŷ: 0 at a perfect
    prediction and never negative. With ``u = (y - ŷ)/ŷ`` it is :math:`2\hat y\,((1+u)\log(1+u) - u)`:
    for :math:`|u| < 0.1` that bracket comes from its series (the direct form cancels to 0 for a near-perfect
    prediction); elsewhere :math:`\log(y/\hat y)`, or :math:`\log y - \log\hat y` where the ratio
    overflows or underflows. Reference: McCullagh & Nelder, Generalized Linear Models (1989).
    """
    d = t - p
    u = d / p  # the relative error of the prediction; inf where y/ŷ overflows (quietly: see LossSpec)
    out = np.empty_like(u)
    near = np.abs(u) < _PHI_NEAR
    if near.any():
        un = u[near]
        s = np.full_like(un, _PHI_SERIES[0])
        for c in _PHI_SERIES[1:]:  # Horner in -u
            s *= -un
            s += c
        out[near] = p[near] * un * un * s
    far = ~near
    if far.any():
        tf, pf = t[far], p[far]
        ratio = tf / pf
        log_ratio = np.zeros_like(ratio)  # y log(y/ŷ) = 0 at y = 0
        ok = (ratio > 0) & (ratio < np.inf)
        np.log(ratio, where=ok, out=log_ratio)
        split = ~ok & (tf > 0)  # y/ŷ beyond float64 either way: the logs apart stay finite
        if split.any():
            log_ratio[split] = np.log(tf[split]) - np.log(pf[split])
        out[far] = tf * log_ratio - d[far]
    out *= 2.0
    return out


def poisson_deviance_grad(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    # d/dŷ 2(y log y - y log ŷ - y + ŷ) = 2(1 - y/ŷ) = -2(y - ŷ)/ŷ
    d = t - p
    d /= p
    d *= -2.0
    return d


# ---- Barron's general robust loss ------------------------------------------------------------------
def general_robust(t: np.ndarray, p: np.ndarray, *, alpha: float, scale: float) -> np.ndarray:
    r"""Barron's general robust loss :math:`\rho(x, \alpha, c)`, ``x = ŷ - y``.

    .. math::
        \rho = \frac{|\alpha-2|}{\alpha}
               \left(\left(\frac{(x/c)^2}{|\alpha-2|} + 1\right)^{\alpha/2} - 1\right)

    with its limits at α = 2 (½(x/c)²), α = 0 (log(½(x/c)² + 1)) and α = -∞ (1 - exp(-½(x/c)²)).
    At α = 1 (Charbonnier) it is √((x/c)² + 1) - 1, computed as pseudo-Huber's (x/c)²/(√((x/c)² + 1) + 1)
    (the ratio shared with a pseudo-Huber of δ = c on the same rows).
    Computed as ``b/2 · L · expm1(u)/u`` with ``L = log1p((x/c)²/b)``, ``u = α/2 · L``, ``b = |α - 2|``:
    no division by α (α = 0 and α = 1e-300 give the Cauchy limit, not 0·∞), accurate for small residuals,
    and ``L`` stays finite where (x/c)² overflows. Where expm1(u) would overflow (u > 709, α > 0) the value
    is ``exp(u + log(b/α))``: near α = 2, b is tiny and the value a finite ½(x/c)² up to |x/c| ~ 1e154 (it
    was inf from |x/c| ~ 1e150). Reference: J. T. Barron, "A General and Adaptive Robust Loss Function",
    CVPR 2019.
    """
    return _general_robust(Residual(t, p), t, p, alpha=alpha, scale=scale)


def _general_robust(
    terms: Residual, t: np.ndarray, p: np.ndarray, *, alpha: float, scale: float
) -> np.ndarray:
    x = terms.d / scale
    if alpha == 2.0:
        return np.multiply(x, x, out=x) * 0.5  # may overflow to inf: the true value past 1e308
    if alpha == 1.0:  # x · x/(√(1+x²) + 1); inf where x is (x/(...) is then ±1)
        return np.multiply(x, terms.over_hypot1(scale), out=x)
    if alpha == -math.inf:
        z = np.multiply(x, x)
        z *= -0.5
        return np.negative(np.expm1(z, out=z), out=z)
    b = abs(alpha - 2.0)
    L = _log1p_square_over(x, b)
    over = np.isinf(x)  # a residual over a tiny scale past 1e308: L from the logs (x/c = 1e310: L ~ 1428)
    if over.any():
        L[over] = 2.0 * (np.log(np.abs(p[over] - t[over])) - math.log(scale)) - math.log(b)
    u = L * (0.5 * alpha)
    nonzero = u != 0.0
    ratio = np.ones_like(u)
    np.expm1(u, where=nonzero, out=ratio)
    np.divide(ratio, u, where=nonzero, out=ratio)  # expm1(u)/u → 1 as u → 0; inf when u > 709 (α > 0)
    huge = u > _EXP_MAX
    L *= 0.5 * b
    out = np.multiply(L, ratio, out=L)
    if huge.any():  # (b/α)·expm1(u) = exp(u + log(b/α)) to double precision there; inf past 1e308, the truth
        out[huge] = np.exp(u[huge] + (math.log(b) - math.log(alpha)))
    return _at_infinity(out, x, -b / alpha if alpha < 0 else math.inf, odd=False)


def general_robust_grad(t: np.ndarray, p: np.ndarray, *, alpha: float, scale: float) -> np.ndarray:
    # dρ/dŷ = x/c · (x²/b + 1)^(α/2 - 1) = x/c · exp((α/2 - 1) L), x = d/c, with the same limits. x/c, not
    # d/c²: c² underflows to 0 for c < 1e-154 (a divide-by-zero and inf where the slope is finite).
    d = p - t
    x = d / scale
    g = x / scale
    if alpha == 2.0:
        return g
    if alpha == -math.inf:
        z = np.multiply(x, x)
        z *= -0.5
        return _at_infinity(np.multiply(g, np.exp(z, out=z), out=z), x, 0.0, odd=True)
    b = abs(alpha - 2.0)
    L = _log1p_square_over(x, b)
    L *= 0.5 * alpha - 1.0
    factor = np.exp(L)
    out = np.multiply(g, factor, out=np.empty_like(L))
    # where x/c or the factor over- or underflows although the slope may be a double (a tiny c, a huge
    # residual): the same product in logs, from log|d| rather than x (inf past 1e308):
    # log|slope| = log|d| - 2 log c + (α/2 - 1) L. Its relative error is ~|log|slope|| · eps, under 1e-13.
    far = (d != 0.0) & ((factor < _TINY) | ~np.isfinite(out) | (np.abs(out) < _TINY))
    if far.any():
        lx = np.log(np.abs(d[far])) - math.log(scale)  # log|x|, finite even where x is inf
        lf = np.where(np.isinf(x[far]), (0.5 * alpha - 1.0) * (2.0 * lx - math.log(b)), L[far])
        out[far] = np.sign(d[far]) * np.exp(lx - math.log(scale) + lf)
    return out


def _at_infinity(out: np.ndarray, x: np.ndarray, limit: float, *, odd: bool) -> np.ndarray:
    """Where x = ±inf (a residual over a tiny scale) the formula gives inf/inf or inf·0: put its limit there
    (for the slope, with the sign of x)."""
    nan = np.isnan(out)
    if nan.any():
        out[nan] = limit * np.sign(x[nan]) if odd and limit else limit
    return out


#: Above this exp overflows float64 (log of 1.8e308).
_EXP_MAX = math.log(np.finfo(np.float64).max)
#: The smallest normal double: a product below it has lost digits to underflow.
_TINY = float(np.finfo(np.float64).tiny)


def _log1p_square_over(x: np.ndarray, b: float) -> np.ndarray:
    """log(1 + x²/b), finite for every finite x: where x² overflows, 2·log|x| - log b (exact there)."""
    z = np.multiply(x, x)
    z /= b
    big = np.isinf(z)
    np.log1p(z, out=z)
    if big.any():
        z[big] = 2.0 * np.log(np.abs(x[big])) - math.log(b)
    return z


# ---- the registry entries --------------------------------------------------------------------------
_DELTA = Param(
    "delta", 1.0, 0.0, math.inf, "where the loss turns from quadratic to linear", r"\delta",
    ui_low=0.05, ui_high=20.0, step=0.01, glyph="δ",
)  # fmt: skip
_TORCH = "torch.nn.functional"

SPECS = (
    LossSpec(
        name="mse",
        label="MSE",
        title="Mean squared error (L2)",
        category="regression",
        formula=r"\ell_i = (\hat y_i - y_i)^2, \qquad J = \frac{1}{n}\sum_i \ell_i",
        y_true="values",
        y_pred="values",
        value=squared_error,
        derivative=squared_error_grad,
        terms=_on_residual(_squared_error),
        properties=Properties(convex=True, symmetric=True, robust=False, smooth=True),
        summary="The average of the squared residuals.",
        good="Smooth with a gradient proportional to the error, so it converges fast; minimised by the mean, "
        "and the maximum-likelihood loss under Gaussian noise.",
        bad="Squaring lets a single outlier dominate the total and drag the fit towards it.",
        equivalents={
            "pytorch": f"{_TORCH}.mse_loss / nn.MSELoss",
            "keras": "keras.losses.MeanSquaredError",
            "sklearn": "sklearn.metrics.mean_squared_error",
            "optax": "optax.squared_error (no mean; optax.l2_loss is half of it)",
        },
        reference="Gauss (1809); Legendre (1805)",
    ),
    LossSpec(
        name="rmse",
        label="RMSE",
        title="Root mean squared error",
        category="regression",
        formula=r"J = \sqrt{\frac{1}{n}\sum_i (\hat y_i - y_i)^2}",
        y_true="values",
        y_pred="values",
        value=squared_error,
        derivative=squared_error_grad,
        terms=_on_residual(_squared_error),
        finish=math.sqrt,
        finish_slope=_rmse_slope,
        properties=Properties(convex=True, symmetric=True, robust=False, smooth=False),
        summary="The square root of the MSE: an error in the units of the target. Its per-sample view is the "
        "squared error.",
        good="Reads in the target's units, so it is easy to report; ranks models exactly as MSE does.",
        bad="As outlier-sensitive as MSE; not a mean of per-sample losses, so it cannot be split per sample, "
        "and its gradient is undefined at a perfect fit.",
        equivalents={
            "pytorch": "torch.sqrt(mse_loss(...))",
            "keras": "keras.metrics.RootMeanSquaredError",
            "sklearn": "sklearn.metrics.root_mean_squared_error",
        },
    ),
    LossSpec(
        name="mae",
        label="MAE",
        title="Mean absolute error (L1)",
        category="regression",
        formula=r"\ell_i = |\hat y_i - y_i|",
        y_true="values",
        y_pred="values",
        value=absolute_error,
        derivative=absolute_error_grad,
        terms=_on_residual(_absolute_error),
        properties=Properties(convex=True, symmetric=True, robust=True, smooth=False),
        summary="The average absolute residual.",
        good="Grows only linearly, so outliers pull the fit far less; minimised by the median.",
        bad="Its gradient has the same size for every error, large or tiny, and is undefined at zero, which "
        "makes gradient descent jitter near the optimum.",
        equivalents={
            "pytorch": f"{_TORCH}.l1_loss / nn.L1Loss",
            "keras": "keras.losses.MeanAbsoluteError",
            "sklearn": "sklearn.metrics.mean_absolute_error",
        },
    ),
    LossSpec(
        name="msle",
        label="MSLE",
        title="Mean squared logarithmic error",
        category="regression",
        formula=r"\ell_i = \left(\log(1+\hat y_i) - \log(1+y_i)\right)^2",
        y_true="values_gt_m1",
        y_pred="values_gt_m1",
        value=squared_log_error,
        derivative=squared_log_error_grad,
        properties=Properties(convex=False, symmetric=False, robust=True, smooth=True),
        summary="The squared error between log(1 + value)s: a relative error.",
        good="Suits targets spanning orders of magnitude (prices, counts): a 10% miss costs about "
        "the same at "
        "10 as at 10,000.",
        bad="Undefined for values ≤ -1; penalises under-prediction more than over-prediction by the same "
        "amount.",
        equivalents={
            "pytorch": "none (mse_loss on log1p)",
            "keras": "keras.losses.MeanSquaredLogarithmicError (clips values at 0)",
            "sklearn": "sklearn.metrics.mean_squared_log_error",
        },
    ),
    LossSpec(
        name="huber",
        label="Huber",
        title="Huber loss",
        category="regression",
        formula=r"\ell_i = \begin{cases} \tfrac12 d_i^2 & |d_i| \le \delta \\ "
        r"\delta\left(|d_i| - \tfrac12\delta\right) & \text{otherwise} \end{cases}, \quad d_i = \hat "
        r"y_i - y_i",
        y_true="values",
        y_pred="values",
        value=huber,
        derivative=huber_grad,
        terms=_on_residual(_huber),
        params=(_DELTA,),
        properties=Properties(convex=True, symmetric=True, robust=True, smooth=True),
        summary="Quadratic for small residuals, linear beyond δ.",
        good="Combines MSE's smooth minimum with MAE's resistance to outliers: an outlier's pull is "
        "capped at δ.",
        bad="δ must be chosen in the units of the residuals; its second derivative jumps at ±δ.",
        equivalents={
            "pytorch": f"{_TORCH}.huber_loss (smooth_l1_loss with beta=δ is this divided by δ)",
            "keras": "keras.losses.Huber",
            "sklearn": "HuberRegressor / SGDRegressor(loss='huber') (as a training loss)",
            "optax": "optax.huber_loss",
        },
        reference="P. J. Huber, Ann. Math. Statist. 35 (1964)",
    ),
    LossSpec(
        name="pseudo_huber",
        label="pseudo-Huber",
        title="Pseudo-Huber loss",
        category="regression",
        formula=r"\ell_i = \delta^2\left(\sqrt{1 + (d_i/\delta)^2} - 1\right)",
        y_true="values",
        y_pred="values",
        value=pseudo_huber,
        derivative=pseudo_huber_grad,
        terms=_on_residual(_pseudo_huber),
        params=(_DELTA,),
        properties=Properties(convex=True, symmetric=True, robust=True, smooth=True),
        summary="A smooth approximation of Huber: about ½d² near zero and about δ|d| far out.",
        good="Every derivative is continuous, which suits second-order optimisers; bounded influence.",
        bad="Never exactly quadratic or linear, so it is harder to reason about than Huber; δ still needs "
        "tuning.",
        equivalents={},
        reference="Charbonnier et al. (1994); Hartley & Zisserman (2003)",
    ),
    LossSpec(
        name="log_cosh",
        label="log-cosh",
        title="Log-cosh loss",
        category="regression",
        formula=r"\ell_i = \log\cosh(\hat y_i - y_i)",
        y_true="values",
        y_pred="values",
        value=log_cosh,
        derivative=log_cosh_grad,
        terms=_on_residual(_log_cosh, _log_cosh_total),
        properties=Properties(convex=True, symmetric=True, robust=True, smooth=True),
        summary="About ½d² for small residuals and |d| - log 2 for large ones.",
        good="Smooth everywhere with a gradient bounded by 1 (tanh), like Huber with δ = 1 but with no kink.",
        bad="Its scale is fixed at 1: residuals in other units need rescaling first.",
        equivalents={"keras": "keras.losses.LogCosh", "optax": "optax.log_cosh"},
    ),
    LossSpec(
        name="quantile",
        label="quantile",
        title="Quantile (pinball) loss",
        category="regression",
        formula=r"\ell_i = \max\left(\tau r_i, (\tau - 1) r_i\right), \quad r_i = y_i - \hat y_i",
        y_true="values",
        y_pred="values",
        value=quantile,
        derivative=quantile_grad,
        params=(
            Param("tau", 0.5, 0.0, 1.0, "the quantile to predict", r"\tau", ui_low=0.01, ui_high=0.99,
                  step=0.01, glyph="τ"),
        ),  # fmt: skip
        properties=Properties(convex=True, symmetric=False, robust=True, smooth=False),
        summary="An asymmetric absolute error, minimised by the τ-quantile of the target.",
        good="Predicts quantiles, and so intervals (τ = 0.1 and 0.9); τ = 0.5 is half the MAE.",
        bad="Kinked at zero like MAE; a single quantile says nothing about the rest of the distribution.",
        equivalents={
            "sklearn": "sklearn.metrics.mean_pinball_loss (alpha=τ)",
        },
        reference="R. Koenker and G. Bassett, Econometrica 46 (1978)",
    ),
    LossSpec(
        name="poisson",
        label="Poisson NLL",
        pages=(),  # its predictions must be positive: not on the regression scene
        title="Poisson negative log-likelihood (no constant; can be < 0)",
        category="regression",
        formula=r"\ell_i = \hat y_i - y_i \log \hat y_i",
        y_true="nonneg_values",
        y_pred="positive_values",
        value=poisson,
        derivative=poisson_grad,
        properties=Properties(
            convex=True, symmetric=False, robust=False, smooth=True, nonnegative=False, zero_at_perfect=False
        ),
        summary="The Poisson negative log-likelihood of counts y under a rate ŷ, without its constant "
        "log y!: not 0 at a perfect prediction, and negative whenever y log ŷ exceeds ŷ (large counts, "
        "prices). Only differences between models mean something; the Poisson deviance is the same fit "
        "measured from 0.",
        good="The natural training loss for counts (visits, claims, events); minimised at ŷ = y.",
        bad="Needs positive predictions; its value is not zero at a perfect prediction and can be negative, "
        "so it cannot be read on its own (the Poisson deviance, 2(y log(y/ŷ) - y + ŷ), can).",
        equivalents={
            "pytorch": "nn.PoissonNLLLoss(log_input=False) (adds eps=1e-8)",
            "keras": "keras.losses.Poisson (adds 1e-7)",
            "sklearn": "none (sklearn.metrics.mean_poisson_deviance is the deviance form)",
        },
    ),
    LossSpec(
        name="poisson_deviance",
        label="Poisson deviance",
        pages=(),  # its predictions must be positive: not on the regression scene
        title="Mean Poisson deviance",
        category="regression",
        formula=r"\ell_i = 2\left(y_i \log\frac{y_i}{\hat y_i} - (y_i - \hat y_i)\right), \quad 0 \log 0 = 0",
        y_true="nonneg_values",
        y_pred="positive_values",
        value=poisson_deviance,
        derivative=poisson_deviance_grad,
        properties=Properties(convex=True, symmetric=False, robust=False, smooth=True),
        summary="Twice the Poisson log-likelihood lost against a perfect prediction: 0 at ŷ = y and never "
        "negative. The number scikit-learn reports for Poisson regression.",
        good="Reads on its own (0 is perfect), unlike the negative log-likelihood, and ranks models as it "
        "does: it is twice the negative log-likelihood minus a constant of the data.",
        bad="Needs positive predictions; weighs errors relative to ŷ, so a miss of 10 costs more at ŷ = 5 "
        "than at ŷ = 500.",
        equivalents={
            "pytorch": "none (2·(PoissonNLLLoss(y_pred) - PoissonNLLLoss(y_true)), log_input=False)",
            "sklearn": "sklearn.metrics.mean_poisson_deviance",
        },
        reference="P. McCullagh and J. A. Nelder, Generalized Linear Models, 2nd ed. (1989)",
    ),
    LossSpec(
        name="general_robust",
        label="general robust",
        title="General robust loss (Barron)",
        category="regression",
        formula=r"\ell_i = \frac{|\alpha-2|}{\alpha}\left(\left(\frac{(d_i/c)^2}{|\alpha-2|} + "
        r"1\right)^{\alpha/2}"
        r" - 1\right)",
        y_true="values",
        y_pred="values",
        value=general_robust,
        derivative=general_robust_grad,
        terms=_on_residual(_general_robust),
        params=(
            Param(
                "alpha",
                1.0,
                -math.inf,
                10.0,
                "shape: 2 = L2, 1 = Charbonnier, 0 = Cauchy, -2 = Geman-McClure, -∞ = Welsch",
                r"\alpha",
                low_open=False,
                high_open=False,
                ui_low=-10.0,
                ui_high=4.0,
                step=0.25,
                glyph="α",
                limit_name="Welsch",
            ),
            Param("scale", 1.0, 0.0, math.inf, "the residual size where the loss bends", "c", ui_low=0.1,
                  ui_high=10.0, step=0.1, glyph="c"),  # fmt: skip
        ),
        properties=Properties(convex=False, symmetric=True, robust=True, smooth=True),
        summary="One family that contains L2, Charbonnier (pseudo-Huber), Cauchy, Geman-McClure and Welsch, "
        "chosen by the shape α.",
        good="Lets you dial robustness continuously: lower α gives outliers less and less influence "
        "(for α < 0 their pull goes back to zero).",
        bad="Non-convex for α < 1, so a fit can stick in a local minimum; two parameters to choose.",
        equivalents={},
        reference="J. T. Barron, A General and Adaptive Robust Loss Function, CVPR 2019",
    ),
)

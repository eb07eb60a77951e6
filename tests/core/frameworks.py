"""The other libraries' losses as their sources compute them, in numpy float64, for tests/core/
test_equivalents.py. None of those libraries is installed here; each function follows the named function's
source (noted beside it), with its defaults, its clipping and its reduction. Cost functions return the mean
the library reports; ``per_*`` functions return what the library returns per sample (optax: no reduction).
"""

from __future__ import annotations

import numpy as np

K_EPS = 1e-7  # keras.config.epsilon()
F_EPS = float(np.finfo(np.float64).eps)  # scikit-learn's eps="auto" for float64 input


def _sig(x):
    return np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))))


def _log_sigmoid(x):  # jax.nn.log_sigmoid, torch logsigmoid: -softplus(-x)
    return -(np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x))))


def _pm1(t):  # keras' convert_binary_labels_to_hinge: 0/1 labels -> -1/+1
    return np.where(t == 0, -1.0, t) if set(np.unique(t)) <= {0.0, 1.0} else t


def _xlogy(x, y):
    return np.where(x == 0, 0.0, x * np.log(np.where(x == 0, 1.0, y)))


# -- regression ------------------------------------------------------------------------------------------
def torch_mse_loss(t, p):  # torch.nn.functional.mse_loss, reduction="mean"
    return np.mean((p - t) ** 2)


def per_optax_squared_error(t, p):  # optax.losses.squared_error(predictions, targets): no reduction
    return (p - t) ** 2


def per_optax_l2_loss(t, p):  # optax.losses.l2_loss: 0.5 * squared_error
    return 0.5 * (p - t) ** 2


def torch_l1_loss(t, p):  # torch.nn.functional.l1_loss
    return np.mean(np.abs(p - t))


def keras_msle(t, p):  # keras.losses.mean_squared_logarithmic_error: log(max(x, eps) + 1)
    return np.mean((np.log(np.maximum(p, K_EPS) + 1) - np.log(np.maximum(t, K_EPS) + 1)) ** 2)


def sklearn_msle(t, p):  # sklearn.metrics.mean_squared_log_error: mean_squared_error on log1p
    return np.mean((np.log1p(t) - np.log1p(p)) ** 2)


def torch_huber_loss(t, p, delta):  # torch.nn.functional.huber_loss; keras.losses.Huber; optax.huber_loss
    r = np.abs(p - t)
    return np.mean(np.where(r <= delta, 0.5 * r**2, delta * (r - 0.5 * delta)))


def torch_smooth_l1_loss(t, p, beta):  # torch.nn.functional.smooth_l1_loss
    r = np.abs(p - t)
    return np.mean(np.where(r < beta, 0.5 * r**2 / beta, r - 0.5 * beta))


def sklearn_sgd_huber(t, p, epsilon):  # sklearn.linear_model._sgd_fast.Huber.loss, per sample
    r = np.abs(t - p)
    return np.where(r <= epsilon, 0.5 * r**2, epsilon * r - 0.5 * epsilon**2)


def sklearn_huber_regressor_objective(t, p, epsilon, sigma=1.0):  # HuberRegressor: _huber_loss_and_gradient
    # without the penalty: sigma + H_eps(r / sigma) sigma, H = r^2 inside eps, else 2 eps r - eps^2
    r = np.abs(t - p) / sigma
    return np.mean(sigma + sigma * np.where(r <= epsilon, r**2, 2 * epsilon * r - epsilon**2))


def keras_log_cosh(t, p):  # keras.losses.log_cosh: x + softplus(-2x) - log 2
    x = p - t
    return np.mean(x + np.maximum(-2 * x, 0) + np.log1p(np.exp(-np.abs(2 * x))) - np.log(2.0))


def sklearn_pinball(t, p, alpha):  # sklearn.metrics.mean_pinball_loss
    diff = t - p
    sign = (diff >= 0).astype(float)
    return np.mean(alpha * sign * diff - (1 - alpha) * (1 - sign) * diff)


def torch_poisson_nll(t, p, eps=1e-8):  # nn.PoissonNLLLoss(log_input=False, full=False)
    return np.mean(p - t * np.log(p + eps))


def keras_poisson(t, p):  # keras.losses.poisson
    return np.mean(p - t * np.log(p + K_EPS))


def sklearn_poisson_deviance(t, p):  # sklearn.metrics.mean_poisson_deviance (mean_tweedie_deviance, power 1)
    return np.mean(2 * (_xlogy(t, t / p) - t + p))


# -- binary --------------------------------------------------------------------------------------------
def torch_bce(t, p):  # nn.BCELoss: log clamped at -100
    return np.mean(-(t * np.maximum(np.log(p, where=p > 0, out=np.full_like(p, -np.inf)), -100)
                     + (1 - t) * np.maximum(np.log1p(-p, where=p < 1, out=np.full_like(p, -np.inf)), -100)))


def keras_bce(t, p):  # keras.losses.binary_crossentropy (probabilities): p clipped to [eps, 1 - eps]
    q = np.clip(p, K_EPS, 1 - K_EPS)
    return np.mean(-(t * np.log(q) + (1 - t) * np.log(1 - q)))


def sklearn_log_loss(t, p):  # sklearn.metrics.log_loss, binary: columns [1 - p, p], clipped at float eps
    q = np.clip(np.column_stack([1 - p, p]), F_EPS, 1 - F_EPS)
    q = q / q.sum(axis=1, keepdims=True)
    return np.mean(-np.log(q[np.arange(len(t)), t.astype(int)]))


def torch_bce_with_logits(t, x):  # F.binary_cross_entropy_with_logits; keras from_logits=True
    return np.mean(np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x))))


def per_optax_sigmoid_bce(x, t):  # optax.sigmoid_binary_cross_entropy(logits, labels): no reduction
    return -t * _log_sigmoid(x) - (1 - t) * _log_sigmoid(-x)


def per_torchvision_focal(x, t, alpha=0.25, gamma=2.0):  # torchvision.ops.sigmoid_focal_loss, no reduction
    p = _sig(x)
    ce = np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x)))
    p_t = p * t + (1 - p) * (1 - t)
    loss = ce * (1 - p_t) ** gamma
    return (alpha * t + (1 - alpha) * (1 - t)) * loss if alpha >= 0 else loss


def keras_binary_focal(t, x, alpha=0.25, gamma=2.0):  # BinaryFocalCrossentropy(from_logits, class balancing)
    p = _sig(x)
    bce = np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x)))
    p_t = t * p + (1 - t) * (1 - p)
    weight = alpha * t + (1 - alpha) * (1 - t)
    return np.mean(weight * (1 - p_t) ** gamma * bce)


def per_optax_focal(x, t, alpha=None, gamma=2.0):  # optax.sigmoid_focal_loss: alpha=None by default
    p = _sig(x)
    p_t = p * t + (1 - p) * (1 - t)
    loss = per_optax_sigmoid_bce(x, t) * (1 - p_t) ** gamma
    return loss if alpha is None else (alpha * t + (1 - alpha) * (1 - t)) * loss


def torch_hinge_embedding(t, x, margin=1.0):  # nn.HingeEmbeddingLoss: x for y = 1, max(0, margin - x) for -1
    return np.mean(np.where(t == 1, x, np.maximum(0, margin - x)))


def keras_hinge(t, s):  # keras.losses.hinge
    return np.mean(np.maximum(1 - _pm1(t) * s, 0))


def sklearn_hinge_loss(t, s):  # sklearn.metrics.hinge_loss, binary: labels to -1/+1 by LabelBinarizer
    y = np.where(t == t.max(), 1.0, -1.0)
    return np.mean(np.maximum(1 - y * s, 0))


def per_optax_hinge(s, t):  # optax.hinge_loss(predictor_outputs, targets): targets used as they are
    return np.maximum(0, 1 - s * t)


def keras_squared_hinge(t, s):  # keras.losses.squared_hinge
    return np.mean(np.maximum(1 - _pm1(t) * s, 0) ** 2)


def sklearn_linearsvc_squared_hinge(t, s):  # LinearSVC(loss='squared_hinge')'s data term, per sample
    return np.maximum(1 - t * s, 0) ** 2


def sklearn_sgd_log_loss(t, s):  # sklearn.linear_model._sgd_fast.Log.loss(p, y) = log(1 + exp(-y p))
    z = t * s
    return np.maximum(-z, 0) + np.log1p(np.exp(-np.abs(z)))


def torch_soft_margin(t, s):  # nn.SoftMarginLoss: sum log(1 + exp(-y x)) / nelement
    return np.mean(np.log1p(np.exp(-t * s)))


def sklearn_exponential(t, raw):  # sklearn _loss.ExponentialLoss with y in {0, 1}: y e^-raw + (1-y) e^raw
    y = (t + 1) / 2
    return y * np.exp(-raw) + (1 - y) * np.exp(raw)


def sklearn_modified_huber(t, s):  # sklearn.linear_model._sgd_fast.ModifiedHuber.loss
    z = t * s
    return np.where(z >= 1, 0.0, np.where(z >= -1, (1 - z) ** 2, -4 * z))


def sklearn_zero_one(t, s):  # zero_one_loss(y, clf.predict(X)); predict: the positive class where score > 0
    return np.mean(np.where(s > 0, 1.0, -1.0) != t)


# -- multi-class ---------------------------------------------------------------------------------------
def _log_softmax(z):
    m = z.max(axis=1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))


def keras_categorical_ce(y, q):  # keras.losses.categorical_crossentropy: renormalise, clip at eps
    q = q / q.sum(axis=1, keepdims=True)
    return np.mean(-(y * np.log(np.clip(q, K_EPS, 1 - K_EPS))).sum(axis=1))


def torch_cross_entropy_probs(y, z, label_smoothing=0.0):  # F.cross_entropy(logits, probability targets)
    k = z.shape[1]
    y = y * (1 - label_smoothing) + label_smoothing / k
    return np.mean(-(y * _log_softmax(z)).sum(axis=1))


def sklearn_log_loss_multi(labels, q):  # sklearn.metrics.log_loss(labels, rows): clip, renormalise
    q = np.clip(q, F_EPS, 1 - F_EPS)
    q = q / q.sum(axis=1, keepdims=True)
    return np.mean(-np.log(q[np.arange(len(labels)), labels.astype(int)]))


def per_optax_softmax_ce(z, y):  # optax.softmax_cross_entropy(logits, labels): no reduction
    return -(y * _log_softmax(z)).sum(axis=1)


def keras_sparse_ce(labels, q):  # keras sparse_categorical_crossentropy on probabilities: renormalise, clip
    q = np.clip(q / q.sum(axis=1, keepdims=True), K_EPS, 1 - K_EPS)
    return np.mean(-np.log(q[np.arange(len(labels)), labels.astype(int)]))


def torch_nll_log(labels, q):  # F.nll_loss(torch.log(q), y): -log q_y, inf where q_y = 0
    with np.errstate(divide="ignore"):
        return np.mean(-np.log(q[np.arange(len(labels)), labels.astype(int)]))


def torch_kl_div_batchmean(p, q):  # F.kl_div(torch.log(q), p, reduction="batchmean"): xlogy(p, p) - p log q
    with np.errstate(divide="ignore"):
        return np.sum(_xlogy(p, p) - _xlogy(p, q)) / p.shape[0]


def torch_kl_div_mean(p, q):  # reduction="mean": divided by n·k
    return torch_kl_div_batchmean(p, q) / p.shape[1]


def keras_kl(p, q):  # keras.losses.kl_divergence: both clipped to [eps, 1]
    p, q = np.clip(p, K_EPS, 1), np.clip(q, K_EPS, 1)
    return np.mean((p * np.log(p / q)).sum(axis=1))


def per_optax_kl(log_q, p):  # optax.kl_divergence(log_predictions, targets)
    return (p * (np.where(p == 0, 0, np.log(np.where(p == 0, 1, p))) - log_q)).sum(axis=1)


def torch_cross_entropy_labels(labels, z, label_smoothing=0.0):  # F.cross_entropy(logits, class indices)
    k = z.shape[1]
    y = np.eye(k)[labels.astype(int)] * (1 - label_smoothing) + label_smoothing / k
    return np.mean(-(y * _log_softmax(z)).sum(axis=1))


def keras_sparse_ce_logits(labels, z):  # SparseCategoricalCrossentropy(from_logits=True)
    return np.mean(-_log_softmax(z)[np.arange(len(labels)), labels.astype(int)])


def per_optax_softmax_ce_int(z, labels):  # optax.softmax_cross_entropy_with_integer_labels
    return -_log_softmax(z)[np.arange(len(labels)), labels.astype(int)]


def keras_categorical_hinge(y, s):  # keras.losses.categorical_hinge
    pos = (y * s).sum(axis=1)
    neg = ((1 - y) * s).max(axis=1)
    return np.mean(np.maximum(neg - pos + 1, 0))


def torch_multi_margin(labels, s, margin=1.0):  # nn.MultiMarginLoss(p=1): sum over rivals / number of classes
    n, k = s.shape
    sy = s[np.arange(n), labels.astype(int)][:, None]
    terms = np.maximum(0, margin - sy + s)
    terms[np.arange(n), labels.astype(int)] = 0
    return np.mean(terms.sum(axis=1) / k)


def per_optax_multiclass_hinge(s, labels):  # optax.losses.multiclass_hinge_loss (Crammer & Singer)
    one_hot = np.eye(s.shape[1])[labels.astype(int)]
    return np.max(s + 1 - one_hot, axis=1) - (s * one_hot).sum(axis=1)

"""Forward and backward passes by hand: activations, logistic and softmax regression,
weight initialization and how signals and gradients grow or vanish in a deep network.

Everything here works on float64 numpy arrays (the initializers and the deep-network
statistics use torch, because they are compared with ``torch.nn.init`` and autograd).
Each backward formula is checked against torch autograd in ``tests/test_backprop.py``.
Introduced in 01_optimizers_and_training.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch

from course_lib._checks import choice, integer, labels, number, positive, real_array

__all__ = [
    "sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad", "leaky_relu",
    "leaky_relu_grad", "ACTIVATIONS",
    "logistic_forward", "binary_cross_entropy", "logistic_backward",
    "softmax", "softmax_cross_entropy", "softmax_regression_forward", "softmax_regression_backward",
    "train_softmax_regression",
    "INIT_METHODS", "init_std", "init_weights", "deep_network_statistics", "linear_chain",
]


# --- activations and their derivatives ---------------------------------------------------

def _z(z) -> np.ndarray:
    """An activation's input as a float64 array (TypeError for a list, ValueError for NaN/inf)."""
    return real_array(z, "z", dtype=np.float64)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """g(z) = 1 / (1 + exp(-z)), elementwise, any shape; computed without overflow.
    Introduced in 01_optimizers_and_training."""
    z = _z(z)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def sigmoid_grad(z: np.ndarray) -> np.ndarray:
    """g'(z) = g(z) (1 - g(z)) for the sigmoid, elementwise, same shape as ``z``.
    Introduced in 01_optimizers_and_training."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z: np.ndarray) -> np.ndarray:
    """tanh(z), elementwise, any shape. Introduced in 01_optimizers_and_training."""
    return np.tanh(_z(z))


def tanh_grad(z: np.ndarray) -> np.ndarray:
    """tanh'(z) = 1 - tanh(z)^2, elementwise. Introduced in 01_optimizers_and_training."""
    return 1.0 - np.tanh(_z(z)) ** 2


def relu(z: np.ndarray) -> np.ndarray:
    """max(0, z), elementwise. Introduced in 01_optimizers_and_training."""
    return np.maximum(_z(z), 0.0)


def relu_grad(z: np.ndarray) -> np.ndarray:
    """1 where z > 0 else 0 (at z = 0 we use 0, as torch does). Introduced in
    01_optimizers_and_training."""
    return (_z(z) > 0).astype(np.float64)


def leaky_relu(z: np.ndarray, slope: float = 0.01) -> np.ndarray:
    """max(slope * z, z) for 0 < slope < 1, elementwise. Introduced in 01_optimizers_and_training."""
    z, slope = _z(z), number(slope, "slope", 0.0, 1.0, low_open=True, high_open=True)
    return np.where(z > 0, z, slope * z)


def leaky_relu_grad(z: np.ndarray, slope: float = 0.01) -> np.ndarray:
    """1 where z > 0 else ``slope`` (at z = 0 we use ``slope``, as torch does).
    Introduced in 01_optimizers_and_training."""
    return np.where(_z(z) > 0, 1.0, number(slope, "slope", 0.0, 1.0, low_open=True, high_open=True))


#: name -> (g, g') pairs, used by the plots and the tests.
ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "leaky_relu": (leaky_relu, leaky_relu_grad),
}


# --- logistic regression -----------------------------------------------------------------

def _check_xy(x: np.ndarray, y: np.ndarray | None, d: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """x (N, D) and y (N,) 0/1 targets as float64 (``y=None``: zeros, when only x matters)."""
    x = real_array(x, "x", dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"x must be a 2-D array (N samples, D features), got shape {x.shape}.")
    y = np.zeros(x.shape[0]) if y is None else real_array(y, "y", dtype=np.float64)
    if y.shape != (x.shape[0],):
        raise ValueError(f"y must have shape (N,) = ({x.shape[0]},) to match x, got {y.shape}.")
    if d is not None and x.shape[1] != d:
        raise ValueError(f"x has {x.shape[1]} features but the weights expect {d}.")
    return x, y


def logistic_forward(x: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """Probabilities p = sigmoid(x w + b): x (N, D), w (D,), b scalar -> p (N,).
    Introduced in 01_optimizers_and_training."""
    w, b = real_array(w, "w", dtype=np.float64), number(b, "b")
    if w.ndim != 1:
        raise ValueError(f"w must be a 1-D array of D weights, got shape {w.shape}.")
    x, _ = _check_xy(x, None, d=w.shape[0])
    return sigmoid(x @ w + b)


def binary_cross_entropy(p: np.ndarray, y: np.ndarray, eps: float = 1e-12) -> float:
    """Mean of -y log p - (1 - y) log(1 - p) over the N samples: p, y (N,) -> scalar.
    ``p`` is clipped to [eps, 1 - eps] so that log never sees 0. Introduced in
    01_optimizers_and_training."""
    p, y = real_array(p, "p", dtype=np.float64), real_array(y, "y", dtype=np.float64)
    eps = number(eps, "eps", 0.0, 0.5, high_open=True)
    if p.shape != y.shape:
        raise ValueError(f"p and y must have the same shape, got {p.shape} and {y.shape}.")
    if p.size and (p.min() < 0 or p.max() > 1):
        raise ValueError(f"p must hold probabilities in [0, 1], got values from {p.min():g} to {p.max():g}; "
                         f"if these are scores (logits), pass sigmoid(scores).")
    p = np.clip(p, eps, 1 - eps)
    return float(np.mean(-y * np.log(p) - (1 - y) * np.log(1 - p)))


def logistic_backward(x: np.ndarray, p: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Gradients of the mean binary cross-entropy: dz = (p - y) / N, dw = x^T dz (D,),
    db = sum(dz). x (N, D), p and y (N,). Introduced in 01_optimizers_and_training."""
    x, y = _check_xy(x, y)
    p = real_array(p, "p", dtype=np.float64)
    if p.shape != y.shape:
        raise ValueError(f"p must have shape (N,) = {y.shape} like y, got {p.shape}.")
    dz = (p - y) / x.shape[0]
    return x.T @ dz, float(dz.sum())


# --- softmax regression ---------------------------------------------------------------------

def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of scores z (N, K) -> probabilities (N, K) summing to 1 per row.
    The row maximum is subtracted first, which changes nothing mathematically but avoids
    overflow. Introduced in 01_optimizers_and_training."""
    z = _z(z)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_cross_entropy(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of scores z (N, K) with labels y (N,) in 0..K-1, and its gradient.

    loss = -mean_i log softmax(z_i)[y_i]; dL/dz = (softmax(z) - onehot(y)) / N, shape (N, K).
    Introduced in 01_optimizers_and_training.
    """
    z = _z(z)
    if z.ndim != 2:
        raise ValueError(f"z must be (N, K) scores, got shape {z.shape}.")
    y = labels(y, "y", z.shape[1], z.shape[0])
    n = z.shape[0]
    shifted = z - z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-log_p[np.arange(n), y].mean())
    dz = np.exp(log_p)
    dz[np.arange(n), y] -= 1.0
    return loss, dz / n


def softmax_regression_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Class scores z = x W + b: x (N, D), W (D, K), b (K,) -> z (N, K).
    Introduced in 01_optimizers_and_training."""
    x, w = real_array(x, "x", dtype=np.float64), real_array(w, "w", dtype=np.float64)
    b = real_array(b, "b", dtype=np.float64)
    if x.ndim != 2 or w.ndim != 2 or x.shape[1] != w.shape[0]:
        raise ValueError(f"x must be (N, D) and W (D, K) with the same D, got {x.shape} and {w.shape}.")
    return x @ w + b


def softmax_regression_backward(x: np.ndarray, dz: np.ndarray, w: np.ndarray,
                                weight_decay: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """From dL/dz (N, K) to dW = x^T dz + weight_decay * W (D, K) and db = sum_i dz_i (K,).

    ``weight_decay`` is the L2 term: the gradient of (weight_decay / 2) ||W||^2 is
    weight_decay * W. Introduced in 01_optimizers_and_training.
    """
    x, dz = real_array(x, "x", dtype=np.float64), real_array(dz, "dz", dtype=np.float64)
    weight_decay = positive(weight_decay, "weight_decay", allow_zero=True)
    if x.ndim != 2 or dz.ndim != 2 or dz.shape[0] != x.shape[0]:
        raise ValueError(f"dz must be (N, K) with one row per sample of x (N = {x.shape[0] if x.ndim else '?'}), "
                         f"got x {x.shape} and dz {dz.shape}.")
    w = real_array(w, "w", dtype=np.float64)
    if w.shape != (x.shape[1], dz.shape[1]):
        raise ValueError(f"w must be (D, K) = {(x.shape[1], dz.shape[1])} to match x and dz, got {w.shape}.")
    return x.T @ dz + weight_decay * w, dz.sum(axis=0)


def train_softmax_regression(x: np.ndarray, y: np.ndarray, classes: int, *, lr: float = 0.5,
                             epochs: int = 30, batch_size: int | None = 64, weight_decay: float = 0.0,
                             seed: int = 0) -> tuple[np.ndarray, np.ndarray, list[float]]:
    """Mini-batch gradient descent on softmax regression; x (N, D), y (N,) -> W (D, K), b (K,),
    and the training loss after every update (without the L2 term).

    ``batch_size=None`` means batch gradient descent (the whole set per step), 1 means
    stochastic gradient descent. Weights start at zero; the order of the samples is
    shuffled each epoch with ``np.random.default_rng(seed)``. Introduced in
    01_optimizers_and_training.
    """
    classes, epochs, lr = integer(classes, "classes", 1), integer(epochs, "epochs", 1), positive(lr, "lr")
    x, _ = _check_xy(x, None)
    y = labels(y, "y", classes, x.shape[0])
    weight_decay = positive(weight_decay, "weight_decay", allow_zero=True)
    n = x.shape[0]
    bs = n if batch_size is None else integer(batch_size, "batch_size (None for the whole batch)", 1)
    rng = np.random.default_rng(integer(seed, "seed"))
    w = np.zeros((x.shape[1], classes))
    b = np.zeros(classes)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(n)
        for i in range(0, n, bs):
            idx = order[i:i + bs]
            loss, dz = softmax_cross_entropy(softmax_regression_forward(x[idx], w, b), y[idx])
            dw, db = softmax_regression_backward(x[idx], dz, w, weight_decay)
            w -= lr * dw
            b -= lr * db
            losses.append(loss)
    return w, b, losses


# --- initialization ---------------------------------------------------------------------------

INIT_METHODS = ("small", "lecun", "he", "xavier")


def init_std(method: str, n_in: int, n_out: int) -> float:
    """Standard deviation of a normal initialization for a layer with n_in inputs, n_out outputs.

    "small": 0.01; "lecun": sqrt(1/n_in); "he": sqrt(2/n_in) (for ReLU);
    "xavier": sqrt(2/(n_in + n_out)) (Glorot, for tanh). Introduced in 01_optimizers_and_training.
    """
    choice(method, "method", INIT_METHODS)
    n_in, n_out = integer(n_in, "n_in", 1), integer(n_out, "n_out", 1)
    return {"small": 0.01, "lecun": math.sqrt(1 / n_in), "he": math.sqrt(2 / n_in),
            "xavier": math.sqrt(2 / (n_in + n_out))}[method]


def init_weights(n_in: int, n_out: int, method: str = "he", generator: torch.Generator | None = None,
                 dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """A weight matrix (n_out, n_in), as nn.Linear stores it, drawn from N(0, init_std^2).
    Introduced in 01_optimizers_and_training."""
    std = init_std(method, n_in, n_out)
    return torch.randn(n_out, n_in, generator=generator, dtype=dtype) * std


_TORCH_ACT = {"linear": lambda t: t, "tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid}


def deep_network_statistics(depth: int = 30, width: int = 200, method: str = "he",
                            activation: str = "relu", batch: int = 256, seed: int = 0,
                            scale: float | None = None) -> dict[str, np.ndarray]:
    """Push a batch of N(0, 1) inputs through ``depth`` fully connected layers (no bias) and
    back, and measure per layer the std of the activations and of the weight gradients.

    Weights come from :func:`init_weights` (or N(0, scale^2) when ``scale`` is given).
    The loss is sum(a_L * R) / N with R a fixed N(0, 1) matrix, so the backward pass starts
    from unit-variance noise, independent across samples. Returns
    {"activation_std": (depth,), "gradient_std": (depth,)} (layer 1 first).
    Introduced in 01_optimizers_and_training.
    """
    choice(activation, "activation", tuple(_TORCH_ACT))
    depth, width = integer(depth, "depth", 1), integer(width, "width", 1)
    batch, seed = integer(batch, "batch", 1), integer(seed, "seed")
    scale = None if scale is None else positive(scale, "scale")
    g = torch.Generator().manual_seed(seed)
    act = _TORCH_ACT[activation]
    weights = []
    for _ in range(depth):
        w = (torch.randn(width, width, generator=g, dtype=torch.float64) * scale if scale is not None
             else init_weights(width, width, method, g))
        weights.append(w.requires_grad_(True))
    a = torch.randn(batch, width, generator=g, dtype=torch.float64)
    stds, pre = [], []
    for w in weights:
        z = a @ w.T
        z.retain_grad()
        pre.append(z)
        a = act(z)
        stds.append(float(a.detach().std()))
    signal = torch.randn(batch, width, generator=g, dtype=torch.float64)
    ((a * signal).sum() / batch).backward()
    grads = [float(w.grad.std()) for w in weights]
    deltas = [float(z.grad.std()) for z in pre]
    return {"activation_std": np.array(stds), "gradient_std": np.array(grads),
            "delta_std": np.array(deltas)}


def linear_chain(depth: int, w_scale: float = 1.5, x: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The notes' example: y = W^[L] ... W^[1] x with every W = w_scale * I (2x2), g(z) = z, b = 0.

    Returns {"output_norm": (depth,) the norm of the activation after each layer,
    "grad_x": (2,) dy_1/dx from torch autograd}. Both grow like w_scale^L (explode for
    1.5, vanish for 0.5). Introduced in 01_optimizers_and_training.
    """
    depth, w_scale = integer(depth, "depth", 1), number(w_scale, "w_scale")
    if x is not None:
        x = real_array(x, "x", dtype=np.float64)
        if x.shape != (2,):
            raise ValueError(f"x must have shape (2,) (the notes' 2-D example), got {x.shape}.")
    xt = torch.tensor([1.0, 1.0] if x is None else x,
                      dtype=torch.float64, requires_grad=True)
    w = w_scale * torch.eye(2, dtype=torch.float64)
    a, norms = xt, []
    for _ in range(depth):
        a = w @ a
        norms.append(float(a.detach().norm()))
    a[0].backward()
    return {"output_norm": np.array(norms), "grad_x": xt.grad.numpy().copy()}

"""Batch normalization (批量归一化) from scratch, forward and backward, training and eval modes.

Training mode normalizes with the statistics of the current mini-batch and updates
running averages; eval mode uses the running averages, so a single test example gives
the same answer whatever batch it arrives in. Written in numpy (float64) in the style of
CS231n's layers (``forward -> (out, cache)``, ``backward(dout, cache) -> grads``) and
checked against ``torch.nn.BatchNorm1d/2d`` in ``tests/test_normalization.py``.
Introduced in 01_optimizers_and_training.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from course_lib._checks import boolean, ndim, number, positive, real_array

__all__ = ["batchnorm_forward", "batchnorm_backward"]


def _layout(x: np.ndarray, c: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Axes to reduce over and the shape that broadcasts a per-channel vector."""
    if x.ndim == 2:        # (N, C): BatchNorm1d on features
        axes = (0,)
    elif x.ndim == 3:      # (N, C, L): BatchNorm1d on sequences
        axes = (0, 2)
    elif x.ndim == 4:      # (N, C, H, W): BatchNorm2d
        axes = (0, 2, 3)
    else:
        raise ValueError(f"x must be (N, C), (N, C, L) or (N, C, H, W), got shape {x.shape}.")
    if x.shape[1] != c:
        raise ValueError(f"x has {x.shape[1]} channels (axis 1) but gamma has {c}; they must match.")
    shape = (1, c) + (1,) * (x.ndim - 2)
    return axes, shape


def batchnorm_forward(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, running_mean: np.ndarray,
                      running_var: np.ndarray, training: bool = True, momentum: float = 0.1,
                      eps: float = 1e-5) -> tuple[np.ndarray, dict[str, Any], np.ndarray, np.ndarray]:
    """Batch norm of x (N, C) or (N, C, L) or (N, C, H, W), per channel C.

    Training: mu = mean(x), var = mean((x - mu)^2) over every axis but C (the biased
    variance), x_hat = (x - mu) / sqrt(var + eps), out = gamma x_hat + beta; the running
    averages become (1 - momentum) * running + momentum * batch value, where, like torch,
    the running variance uses the unbiased batch variance var * m / (m - 1) (m = values
    per channel). Eval: mu and var are the running averages, which are returned unchanged.
    gamma, beta, running_mean, running_var: (C,). Returns (out (same shape as x), cache for
    :func:`batchnorm_backward`, new running_mean, new running_var).
    Introduced in 01_optimizers_and_training.
    """
    x = real_array(x, "x", dtype=np.float64)
    gamma = real_array(gamma, "gamma", dtype=np.float64)
    ndim(gamma, "gamma", 1, "(C,)", "batchnorm_forward")
    beta = real_array(beta, "beta", dtype=np.float64)
    axes, shape = _layout(x, gamma.shape[0])
    for name, v in (("beta", beta), ("running_mean", running_mean), ("running_var", running_var)):
        if np.shape(real_array(v, name)) != gamma.shape:
            raise ValueError(f"{name} must have shape {gamma.shape} like gamma, got {np.shape(v)}.")
    training = boolean(training, "training")
    momentum = number(momentum, "momentum", 0.0, 1.0)
    eps = positive(eps, "eps", allow_zero=True)  # eps = 0 is fine when the variance is known > 0
    m = x.size // gamma.shape[0]
    if training:
        if m < 2:
            raise ValueError(f"training-mode batch norm needs more than 1 value per channel, got "
                             f"x of shape {x.shape}; use eval mode (running statistics) for single examples.")
        mu = x.mean(axis=axes)
        var = ((x - mu.reshape(shape)) ** 2).mean(axis=axes)
        running_mean = (1 - momentum) * np.asarray(running_mean) + momentum * mu
        running_var = (1 - momentum) * np.asarray(running_var) + momentum * var * m / (m - 1)
    else:
        mu = np.asarray(running_mean, dtype=np.float64)
        var = np.asarray(running_var, dtype=np.float64)
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mu.reshape(shape)) * inv_std.reshape(shape)
    out = gamma.reshape(shape) * x_hat + beta.reshape(shape)
    cache = {"x_hat": x_hat, "inv_std": inv_std, "gamma": gamma, "axes": axes, "shape": shape,
             "training": training}
    return out, cache, running_mean, running_var


def batchnorm_backward(dout: np.ndarray, cache: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of batch norm: dout (same shape as x) -> (dx, dgamma (C,), dbeta (C,)).

    In training mode mu and var depend on x, which gives the compact formula
    dx = gamma / sqrt(var + eps) * (dout - mean(dout) - x_hat * mean(dout * x_hat))
    (means over the batch axes). In eval mode they are constants: dx = gamma dout / sqrt(var + eps).
    Introduced in 01_optimizers_and_training.
    """
    dout = real_array(dout, "dout", dtype=np.float64)
    x_hat, axes, shape = cache["x_hat"], cache["axes"], cache["shape"]
    if dout.shape != x_hat.shape:
        raise ValueError(f"dout must have the shape of the forward output {x_hat.shape}, got {dout.shape}.")
    dbeta = dout.sum(axis=axes)
    dgamma = (dout * x_hat).sum(axis=axes)
    scale = (cache["gamma"] * cache["inv_std"]).reshape(shape)
    if cache["training"]:
        dx = scale * (dout - dout.mean(axis=axes, keepdims=True)
                      - x_hat * (dout * x_hat).mean(axis=axes, keepdims=True))
    else:
        dx = scale * dout
    return dx, dgamma, dbeta

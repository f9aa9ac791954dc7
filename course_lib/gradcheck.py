"""Gradient checking (梯度检验): compare a hand-written backward pass with centred differences.

The centred difference (f(x + h e_i) - f(x - h e_i)) / (2h) has an error of order h^2 (the
one-sided (f(x + h e_i) - f(x)) / h only of order h), so with h = 1e-5 in float64 a correct
gradient agrees to about 1e-8 or better in relative error, and a wrong one (a missing
factor, a wrong sign, a wrong axis) is off by 1e-2 or more. The relative error is CS231n's
``rel_error``: max |a - b| / max(1e-8, |a| + |b|). Two flavours, as in CS231n:

- :func:`numerical_gradient` for a scalar function f(x) (a loss);
- :func:`numerical_gradient_array` for an array-valued f(x) with an upstream gradient
  ``dout``: the gradient of sum(f(x) * dout), which is what a layer's backward returns.

Introduced in 01_optimizers_and_training (used again in 02_convolution_arithmetic for the
conv layer's backward pass).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from course_lib._checks import positive, real_array

__all__ = ["rel_error", "numerical_gradient", "numerical_gradient_array", "gradient_check"]


def rel_error(a, b) -> float:
    """Largest relative error max |a - b| / max(1e-8, |a| + |b|) (CS231n's ``rel_error``).

    ``a``, ``b``: arrays (or tensors, or numbers) of the same shape -> a float; 0 for
    empty arrays. ValueError for different shapes. Introduced in 01_optimizers_and_training.
    """
    a, b = real_array(a, "a", dtype=np.float64), real_array(b, "b", dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error needs a and b of the same shape, got a {a.shape} and b {b.shape}.")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def _float64(x, name: str) -> np.ndarray:
    x = real_array(x, name)
    if x.dtype != np.float64:
        raise TypeError(f"{name} must be float64 for a gradient check (float32 rounding, ~1e-7, "
                        f"is larger than the h^2 error being measured), got {x.dtype}.")
    return x


def numerical_gradient(f: Callable[[np.ndarray], float], x, h: float = 1e-5) -> np.ndarray:
    """Centred-difference gradient of a scalar function: ``x: any shape -> grad: same shape``.

    grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2h), one entry at a time (2 * x.size calls of
    f). ``x`` is float64 and is left unchanged (each entry is restored after use).
    Introduced in 01_optimizers_and_training.
    """
    x, h = _float64(x, "x").copy(), positive(h, "h")
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = float(f(x))
        x[i] = old - h
        minus = float(f(x))
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad


def numerical_gradient_array(f: Callable[[np.ndarray], np.ndarray], x, dout, h: float = 1e-5) -> np.ndarray:
    """Centred-difference gradient of sum(f(x) * dout) for an array-valued ``f``.

    ``x: any shape``, ``dout``: the shape of f(x) (the upstream gradient) -> ``grad``: the
    shape of x. This is what a layer's backward pass returns for ``dx`` (CS231n's
    ``eval_numerical_gradient_array``). Introduced in 01_optimizers_and_training.
    """
    dout = _float64(dout, "dout")

    def scalar(z: np.ndarray) -> float:
        out = np.asarray(f(z), dtype=np.float64)
        if out.shape != dout.shape:
            raise ValueError(f"numerical_gradient_array: f(x) has shape {out.shape} but dout has "
                             f"shape {dout.shape}; they must be equal.")
        return float(np.sum(out * dout))

    return numerical_gradient(scalar, x, h)


def gradient_check(f: Callable[[np.ndarray], float], x, analytic, h: float = 1e-5) -> float:
    """Relative error between an analytic gradient of scalar ``f`` at ``x`` and the centred
    difference: ``x`` and ``analytic`` of the same shape -> a float. Below ~1e-7 the
    analytic gradient is right; above ~1e-3 it is wrong. Introduced in 01_optimizers_and_training.
    """
    analytic, x = real_array(analytic, "analytic"), real_array(x, "x")
    if analytic.shape != x.shape:
        raise ValueError(f"gradient_check: analytic (the gradient to check) must have the shape of x, "
                         f"{x.shape}, got {analytic.shape}.")
    return rel_error(analytic, numerical_gradient(f, x, h))

"""Checks of what a learner passes in, shared by backprop, normalization, optim and train.

Each check returns the value in a clean form or raises a ValueError/TypeError whose sentence
names the argument, what was given and what is allowed. Scalar checks cost microseconds, so
the optimizer steps can call them on every update; :func:`real_array` makes one pass over
the data and is meant for inputs checked once per call, not inside inner loops.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np


def positive(value: Any, name: str, allow_zero: bool = False) -> float:
    """A finite number > 0 (>= 0 with ``allow_zero``) as a float, e.g. lr, eps."""
    ok = (isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
          and math.isfinite(value) and (value >= 0 if allow_zero else value > 0))
    if not ok:
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name} must be a {kind} number, got {value!r}.")
    return float(value)


def beta(value: Any, name: str) -> float:
    """A decay rate in [0, 1) as a float (beta, beta1, beta2); 1 would never forget and
    makes Adam's bias correction divide by 0."""
    if not (isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
            and 0.0 <= value < 1.0):
        raise ValueError(f"{name} must be in [0, 1), got {value!r}.")
    return float(value)


def integer(value: Any, name: str, minimum: int = 0) -> int:
    """A Python int >= minimum (steps, n, classes, epochs, ...)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        kind = {0: "a non-negative integer", 1: "a positive integer"}.get(minimum, f"an integer >= {minimum}")
        raise ValueError(f"{name} must be {kind}, got {value!r}.")
    return int(value)


def real_array(value: Any, name: str) -> np.ndarray:
    """``value`` as a float64 numpy array without NaN (one pass over the data)."""
    a = np.asarray(value, dtype=np.float64)
    if np.isnan(a).any():
        raise ValueError(f"{name} contains NaN values; every entry must be a real number.")
    return a


def same_shape(a: Any, like: Any, name: str, like_name: str = "w") -> None:
    """Raise unless ``a`` has the shape of ``like`` (numpy arrays or torch tensors)."""
    want, got = tuple(getattr(like, "shape", np.shape(like))), tuple(getattr(a, "shape", np.shape(a)))
    if got != want:
        raise ValueError(f"{name} must have the shape of {like_name} {want}, got {got}.")

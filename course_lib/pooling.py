"""Pooling from scratch (chapter 02): max, average and Lp pooling, forward and backward.

``x`` is ``(N, C, H, W)``; an f x f window moves with stride ``s`` (default f) and each
window gives one number, so ``H_out = floor((H - f)/s) + 1``. The windows are a strided
view of ``x`` (no loops over positions, no copy). Every public name here is also
reachable as ``course_lib.conv.<name>``. Introduced in 02_convolution_arithmetic.
"""
from __future__ import annotations

import numpy as np

from course_lib._checks import choice, integer, ndim, positive, real_array
from course_lib.conv_arithmetic import _LAYOUT
from course_lib.conv_fast import _windows

__all__ = ["max_pool2d", "avg_pool2d", "lp_pool2d", "pool_forward", "pool_backward"]
POOL_MODES = ("max", "avg", "lp")


def _pool_windows(fname, x, f, stride):
    """Checks, then the windows ``(N, C, f, f, H_out, W_out)`` as a view, and the stride."""
    x = real_array(x, "x")
    ndim(x, "x", 4, _LAYOUT[2], fname)
    f = integer(f, "f (pool size)", 1)
    s = f if stride is None else integer(stride, "stride", 1)
    for axis, n in (("H", x.shape[2]), ("W", x.shape[3])):
        if f > n:
            raise ValueError(f"{fname}: the pool window f={f} is larger than the input "
                             f"({axis} = {n}); use f <= {n}.")
    return x, _windows(x, (f, f), (s, s), (1, 1)), f, s


def max_pool2d(x, f: int, stride: int | None = None) -> np.ndarray:
    """Max pooling: the largest value in each f x f window (no parameters).

    ``x: (N, C, H, W) -> (N, C, H_out, W_out)``, H_out = floor((H - f)/s) + 1, ``stride``
    defaults to ``f``. Equal to ``torch.nn.functional.max_pool2d``. Introduced in
    02_convolution_arithmetic.
    """
    return _pool_windows("max_pool2d", x, f, stride)[1].max(axis=(2, 3))


def avg_pool2d(x, f: int, stride: int | None = None) -> np.ndarray:
    """Average pooling: the mean of each f x f window. ``x: (N, C, H, W) -> (N, C, H_out,
    W_out)``, ``stride`` defaults to ``f``. Equal to ``torch.nn.functional.avg_pool2d``.
    Introduced in 02_convolution_arithmetic.
    """
    return _pool_windows("avg_pool2d", x, f, stride)[1].mean(axis=(2, 3))


def lp_pool2d(x, f: int, stride: int | None = None, p: float = 2) -> np.ndarray:
    """Lp pooling: (sum of x**p over each f x f window) ** (1/p); p=2 is L2 pooling.

    ``x: (N, C, H, W) -> (N, C, H_out, W_out)``. Like ``torch.nn.functional.lp_pool2d``
    this raises x (not |x|) to the power p, so for odd p it is a norm only on non-negative
    inputs (e.g. after a ReLU). Introduced in 02_convolution_arithmetic.
    """
    p = positive(p, "p")
    win = _pool_windows("lp_pool2d", x, f, stride)[1]
    return (win ** p).sum(axis=(2, 3)) ** (1.0 / p)


def pool_forward(x, f: int, stride: int | None = None, mode: str = "max", p: float = 2):
    """Max, average or Lp pooling that also returns a cache for :func:`pool_backward`.

    ``x: (N, C, H, W) -> (out: (N, C, H_out, W_out), cache)``; ``mode`` is "max", "avg" or
    "lp" (with power ``p``, see :func:`lp_pool2d`). For max pooling the cache keeps which
    entry of each window was the largest (the first one on ties, like torch).
    Introduced in 02_convolution_arithmetic.
    """
    choice(mode, "mode", POOL_MODES)
    x, win, f, s = _pool_windows("pool_forward", x, f, stride)
    n, c, _, _, h_out, w_out = win.shape
    if mode == "avg":
        return win.mean(axis=(2, 3)), (x.shape, f, s, mode, None)
    if mode == "lp":
        out = lp_pool2d(x, f, s, p)
        return out, (x.shape, f, s, mode, (win, out, positive(p, "p")))
    flat = win.reshape(n, c, f * f, h_out, w_out)      # the f*f entries of each window
    argmax = flat.argmax(axis=2)                        # (N, C, H_out, W_out)
    out = np.take_along_axis(flat, argmax[:, :, None], axis=2)
    return out[:, :, 0], (x.shape, f, s, mode, argmax)


def pool_backward(dout, cache) -> np.ndarray:
    """Gradient of pooling: ``dout: (N, C, H_out, W_out) -> dx: (N, C, H, W)``.

    Max pooling routes each gradient to the one input that was the maximum of its window;
    average pooling spreads it evenly (divided by f*f); Lp pooling, out = (sum x^p)^(1/p),
    sends dout * (x / out)^(p-1) to each x. Overlapping windows add up.
    Introduced in 02_convolution_arithmetic.
    """
    x_shape, f, s, mode, extra = cache
    dout = real_array(dout, "dout")
    h_out, w_out = (x_shape[2] - f) // s + 1, (x_shape[3] - f) // s + 1
    if dout.shape != tuple(x_shape[:2]) + (h_out, w_out):
        raise ValueError(f"pool_backward: dout must have the forward output's shape "
                         f"{tuple(x_shape[:2]) + (h_out, w_out)}, got {dout.shape}.")
    dx = np.zeros(x_shape, dtype=dout.dtype)
    for a in range(f):           # kernel position (a, b) of every window at once
        for b in range(f):
            if mode == "max":    # extra = index of each window's maximum
                share = dout * (extra == a * f + b)
            elif mode == "avg":
                share = dout / (f * f)
            else:                # extra = (windows, out, p)
                win, out, p = extra
                share = dout * (win[:, :, a, b] / out) ** (p - 1)
            dx[:, :, a:a + s * (h_out - 1) + 1:s, b:b + s * (w_out - 1) + 1:s] += share
    return dx

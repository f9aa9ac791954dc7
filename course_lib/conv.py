"""Convolution arithmetic from scratch (chapter 02): sizes, padding, convolution, pooling,
their backward passes, transposed convolution, receptive fields and cost counts.

Layout is NCHW as in torch: ``x`` is ``(N, C_in, H, W)``, a filter bank ``w`` is
``(C_out, C_in, kh, kw)``. Like every deep-learning library, "convolution" here is
cross-correlation (the filter is not flipped). Each idea comes twice where it helps: a
naive loop version that reads like the formula, and a vectorized im2col version with the
same signature (tests check they agree with each other and with torch in float64).
Float32 inputs stay float32; integer inputs become float64. Bad settings raise
``ValueError``/``TypeError`` with a sentence saying what was given and what is allowed.
"""
from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np
from numpy.lib.stride_tricks import as_strided

__all__ = [
    "conv_output_size", "same_padding", "zero_pad", "conv_single_step", "conv2d_naive",
    "im2col", "col2im", "conv2d_im2col", "conv1d", "conv3d", "conv_forward", "conv_backward",
    "max_pool2d", "avg_pool2d", "lp_pool2d", "pool_forward", "pool_backward",
    "conv_transpose_output_size", "conv_transpose2d", "receptive_field", "conv_param_count",
    "fc_param_count", "conv_mult_count", "explorer_state",
]
_LAYOUT = {1: "(N, C, L)", 2: "(N, C, H, W)", 3: "(N, C, D, H, W)"}


# --- checking what a learner passes in --------------------------------------------------
def _int(name: str, value, minimum: int) -> int:
    """``value`` as a Python int >= minimum, or a TypeError/ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__}).")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}.")
    return int(value)


def _ints(name: str, value, nd: int, minimum: int) -> tuple[int, ...]:
    """An int or a tuple of ``nd`` ints (one per spatial axis), each >= minimum."""
    if isinstance(value, (tuple, list)):
        if len(value) != nd:
            raise ValueError(f"{name} must be an int or a tuple of {nd} ints (one per spatial "
                             f"axis), got {tuple(value)!r} with {len(value)} entries.")
        return tuple(_int(name, v, minimum) for v in value)
    return (_int(name, value, minimum),) * nd


def _array(name: str, a) -> np.ndarray:
    """A float numpy array (torch tensors accepted); rejects NaN/inf and non-numbers."""
    if hasattr(a, "detach"):  # a torch tensor, possibly requiring grad
        a = a.detach().cpu().numpy()
    try:
        a = np.asarray(a)
    except (TypeError, ValueError) as err:  # e.g. a ragged nested list
        raise ValueError(f"{name} must be a rectangular array of numbers; numpy could not "
                         f"convert it ({err}).") from None
    if a.dtype.kind in "biu":
        a = a.astype(np.float64)
    if a.dtype.kind != "f":
        raise TypeError(f"{name} must be an array of real numbers, got dtype {a.dtype}.")
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or infinite values; every entry must be finite.")
    return a


def _check_ndim(fname: str, name: str, a: np.ndarray, nd: int, layout: str) -> None:
    if a.ndim != nd:
        raise ValueError(f"{fname}: {name} must have {nd} axes {layout}, "
                         f"got shape {a.shape} ({a.ndim} axes).")


def _geometry(fname, spatial, kernel, stride, padding, dilation):
    """Per-axis (stride, padding, dilation) tuples and the output sizes, or a learner error."""
    nd = len(spatial)
    stride, padding = _ints("stride", stride, nd, 1), _ints("padding", padding, nd, 0)
    dilation = _ints("dilation", dilation, nd, 1)
    sizes = []
    for a in range(nd):
        try:
            sizes.append(conv_output_size(spatial[a], kernel[a], padding[a], stride[a], dilation[a]))
        except ValueError as err:
            raise ValueError(f"{fname}, spatial axis {a}: {err}") from None
    return stride, padding, dilation, tuple(sizes)


def _prepare(fname, x, w, b, stride, padding, dilation, nd):
    """Check a convolution's arguments: arrays in one dtype, per-axis tuples, output sizes."""
    x, w = _array("x", x), _array("w", w)
    _check_ndim(fname, "x", x, nd + 2, _LAYOUT[nd])
    _check_ndim(fname, "w", w, nd + 2, "(C_out, C_in" + ", k" * nd + ")")
    if x.shape[1] != w.shape[1]:
        raise ValueError(f"{fname}: x has {x.shape[1]} input channels (x.shape[1]) but the "
                         f"filters expect {w.shape[1]} (w.shape[1]); they must be equal.")
    if 0 in x.shape or 0 in w.shape:
        raise ValueError(f"{fname}: every axis of x and w must have size >= 1, "
                         f"got x {x.shape} and w {w.shape}.")
    geometry = _geometry(fname, x.shape[2:], w.shape[2:], stride, padding, dilation)
    dtype = np.result_type(x.dtype, w.dtype, np.float32)
    if b is not None:
        b = _array("b", b)
        if b.shape != (w.shape[0],):
            raise ValueError(f"{fname}: b must have shape (C_out,) = ({w.shape[0]},), "
                             f"one bias per filter, got shape {b.shape}.")
        b = b.astype(dtype, copy=False)
    return (x.astype(dtype, copy=False), w.astype(dtype, copy=False), b) + geometry


# --- sizes and padding ------------------------------------------------------------------
def conv_output_size(n: int, f: int, p: int = 0, s: int = 1, d: int = 1) -> int:
    """Output length of a convolution along one axis: floor((n + 2p - d(f-1) - 1)/s) + 1.

    ``n`` input size, ``f`` filter size, ``p`` padding on each side, ``s`` stride, ``d``
    dilation (d(f-1)+1 is the dilated filter's extent); with d=1 this is the familiar
    floor((n + 2p - f)/s) + 1, e.g. 6x6 with a 3x3 filter gives 4x4. Raises ValueError
    when the dilated filter is larger than the padded input. Introduced in
    02_convolution_arithmetic.
    """
    n, f, p = _int("n (input size)", n, 1), _int("f (filter size)", f, 1), _int("p (padding)", p, 0)
    s, d = _int("s (stride)", s, 1), _int("d (dilation)", d, 1)
    extent = d * (f - 1) + 1
    if extent > n + 2 * p:
        raise ValueError(f"the filter (size f={f}, dilation d={d}, extent {extent}) is larger "
                         f"than the padded input (n + 2p = {n} + 2*{p} = {n + 2 * p}); use a "
                         f"smaller filter or more padding.")
    return (n + 2 * p - extent) // s + 1


def same_padding(f: int, d: int = 1) -> int:
    """Padding p = d(f-1)/2 that keeps the size at stride 1 ("same" convolution).

    Only possible when d(f-1) is even (odd f for ordinary filters); otherwise a ValueError
    explains why. Introduced in 02_convolution_arithmetic.
    """
    f, d = _int("f (filter size)", f, 1), _int("d (dilation)", d, 1)
    if d * (f - 1) % 2:
        raise ValueError(f"'same' padding needs d*(f-1) to be even (an odd filter size), got "
                         f"f={f}, d={d}: the padding would be {d * (f - 1) / 2}, not an integer.")
    return d * (f - 1) // 2


def zero_pad(x, p) -> np.ndarray:
    """Pad the last two axes of ``x`` with ``p`` zeros on each side.

    ``p`` is an int or ``(ph, pw)``; ``x: (..., H, W) -> (..., H + 2ph, W + 2pw)``.
    Introduced in 02_convolution_arithmetic.
    """
    x = _array("x", x)
    if x.ndim < 2:
        raise ValueError(f"zero_pad: x needs at least 2 axes (..., H, W), got shape {x.shape}.")
    ph, pw = _ints("p (padding)", p, 2, 0)
    return np.pad(x, [(0, 0)] * (x.ndim - 2) + [(ph, ph), (pw, pw)])


# --- 2-D convolution: naive loops -------------------------------------------------------
def conv_single_step(a_slice, W, b=0.0) -> float:
    """One output value: sum(a_slice * W) + b for one window and one filter.

    ``a_slice`` and ``W`` have the same shape, e.g. ``(C_in, f, f)``; ``b`` a number (or a
    size-1 array, or None for no bias); returns a float.
    Introduced in 02_convolution_arithmetic.
    """
    a_slice, W = _array("a_slice", a_slice), _array("W", W)
    if a_slice.shape != W.shape:
        raise ValueError(f"conv_single_step: a_slice {a_slice.shape} and W {W.shape} must have "
                         f"the same shape (one window and one filter).")
    return float(np.sum(a_slice * W) + (0.0 if b is None else float(np.sum(b))))


def conv2d_naive(x, w, b=None, stride=1, padding=0, dilation=1) -> np.ndarray:
    """2-D convolution with four explicit loops (readable, slow).

    ``x: (N, C_in, H, W)``, ``w: (C_out, C_in, kh, kw)``, ``b: (C_out,)`` or None
    -> ``(N, C_out, H_out, W_out)``. ``stride``, ``padding``, ``dilation``: int or (h, w).
    Equal to ``torch.nn.functional.conv2d``. Introduced in 02_convolution_arithmetic.
    """
    x, w, b, (sh, sw), (ph, pw), (dh, dw), (h_out, w_out) = _prepare(
        "conv2d_naive", x, w, b, stride, padding, dilation, 2)
    n_img, c_out, kh, kw = x.shape[0], w.shape[0], w.shape[2], w.shape[3]
    xp = zero_pad(x, (ph, pw))
    out = np.zeros((n_img, c_out, h_out, w_out), dtype=x.dtype)
    for n in range(n_img):
        for c in range(c_out):
            for i in range(h_out):
                for j in range(w_out):
                    r, q = i * sh, j * sw  # top-left corner of the window
                    window = xp[n, :, r:r + dh * (kh - 1) + 1:dh, q:q + dw * (kw - 1) + 1:dw]
                    out[n, c, i, j] = conv_single_step(window, w[c], 0.0 if b is None else b[c])
    return out


# --- im2col: every window as a column, then one matrix product --------------------------
def _windows(xp: np.ndarray, kernel, stride, dilation) -> np.ndarray:
    """A read-only view (no copy) of every window: ``(N, C, *S) -> (N, C, *kernel, *out)``.

    Element ``[n, c, a, b, i, j]`` (2-D) is ``xp[n, c, i*s + a*d, j*s + b*d]``: the kernel
    axes step by the dilation, the output axes by the stride.
    """
    sizes = [(n - d * (k - 1) - 1) // s + 1
             for n, k, s, d in zip(xp.shape[2:], kernel, stride, dilation)]
    st = xp.strides[2:]
    shape = xp.shape[:2] + tuple(kernel) + tuple(sizes)
    strides = (xp.strides[:2] + tuple(t * d for t, d in zip(st, dilation))
               + tuple(t * s for t, s in zip(st, stride)))
    return as_strided(xp, shape, strides, writeable=False)


def _im2col(x, kernel, stride, padding, dilation) -> np.ndarray:
    """Checked arguments, any number of spatial axes: ``(N, C, *S) -> (N, C*prod(k), L)``.

    Zero-pads (into a fresh array: cheaper than ``np.pad``), takes every window as a
    strided view, and copies the windows once into columns.
    """
    n, c, spatial = x.shape[0], x.shape[1], x.shape[2:]
    if any(padding):
        xp = np.zeros((n, c) + tuple(m + 2 * p for m, p in zip(spatial, padding)), dtype=x.dtype)
        xp[(slice(None), slice(None)) + tuple(slice(p, p + m) for m, p in zip(spatial, padding))] = x
    else:
        xp = x
    win = _windows(xp, kernel, stride, dilation)             # (N, C, *k, *out), a view
    return win.reshape(n, c * math.prod(kernel), -1)         # the one copy


def _conv_core(x, w, b, stride, padding, dilation, sizes):
    """Checked arguments: im2col, then ``W_mat @ cols`` for every image of the batch in one
    ``np.matmul`` call, which writes the output straight into its (N, C_out, L) layout.
    Returns ``(out, cols)`` with ``cols: (N, C_in*prod(k), L)``."""
    cols = _im2col(x, w.shape[2:], stride, padding, dilation)
    out = np.matmul(w.reshape(w.shape[0], -1), cols)                   # (N, C_out, L)
    if b is not None:
        out += b[:, None]
    return out.reshape((x.shape[0], w.shape[0]) + sizes), cols


def im2col(x, kh: int, kw: int, stride=1, padding=0, dilation=1) -> np.ndarray:
    """Unfold every (kh, kw) window of the padded input into a column.

    ``x: (N, C, H, W) -> cols: (N, C*kh*kw, H_out*W_out)``; rows are ordered (c, a, b) like
    ``w.reshape(C_out, -1)``, so ``w.reshape(C_out, -1) @ cols`` is the convolution.
    Same as ``torch.nn.functional.unfold``. Introduced in 02_convolution_arithmetic.
    """
    kernel = (_int("kh", kh, 1), _int("kw", kw, 1))
    x = _array("x", x)
    _check_ndim("im2col", "x", x, 4, _LAYOUT[2])
    stride, padding, dilation, _ = _geometry("im2col", x.shape[2:], kernel, stride, padding, dilation)
    return _im2col(x, kernel, stride, padding, dilation)


def col2im(cols, x_shape, kh: int, kw: int, stride=1, padding=0, dilation=1) -> np.ndarray:
    """The adjoint of im2col: add every column back onto the window it came from.

    ``cols: (N, C*kh*kw, H_out*W_out) -> (N, C, H, W)`` where ``x_shape = (N, C, H, W)``.
    Overlapping windows add up, which is exactly the input gradient of a convolution.
    Introduced in 02_convolution_arithmetic.
    """
    n, c, h, wd = (_int("x_shape entry", v, 1) for v in x_shape)
    kh, kw = _int("kh", kh, 1), _int("kw", kw, 1)
    (sh, sw), (ph, pw), (dh, dw), (h_out, w_out) = _geometry(
        "col2im", (h, wd), (kh, kw), stride, padding, dilation)
    cols = np.asarray(cols)
    if cols.shape != (n, c * kh * kw, h_out * w_out):
        raise ValueError(f"col2im: cols must have shape (N, C*kh*kw, H_out*W_out) = "
                         f"{(n, c * kh * kw, h_out * w_out)}, got {cols.shape}.")
    cols = cols.reshape(n, c, kh, kw, h_out, w_out)
    xp = np.zeros((n, c, h + 2 * ph, wd + 2 * pw), dtype=cols.dtype)
    for a in range(kh):          # one strided slice per kernel position
        for b in range(kw):
            xp[:, :, a * dh:a * dh + sh * (h_out - 1) + 1:sh,
               b * dw:b * dw + sw * (w_out - 1) + 1:sw] += cols[:, :, a, b]
    return xp[:, :, ph:ph + h, pw:pw + wd]


def conv2d_im2col(x, w, b=None, stride=1, padding=0, dilation=1) -> np.ndarray:
    """2-D convolution, vectorized: im2col, then one matrix product for the whole batch.

    Same signature and result as :func:`conv2d_naive`: ``x: (N, C_in, H, W)``,
    ``w: (C_out, C_in, kh, kw)``, ``b: (C_out,)`` -> ``(N, C_out, H_out, W_out)``.
    Introduced in 02_convolution_arithmetic.
    """
    return _conv_core(*_prepare("conv2d_im2col", x, w, b, stride, padding, dilation, 2))[0]


def conv1d(x, w, b=None, stride=1, padding=0, dilation=1) -> np.ndarray:
    """1-D convolution (signals): ``x: (N, C_in, L)``, ``w: (C_out, C_in, k)``, ``b: (C_out,)``
    -> ``(N, C_out, L_out)``; a length-14 signal and a size-5 filter give 10 outputs. Equal to
    ``torch.nn.functional.conv1d``. Introduced in 02_convolution_arithmetic.
    """
    return _conv_core(*_prepare("conv1d", x, w, b, stride, padding, dilation, 1))[0]


def conv3d(x, w, b=None, stride=1, padding=0, dilation=1) -> np.ndarray:
    """3-D convolution (volumes, video): ``x: (N, C_in, D, H, W)``,
    ``w: (C_out, C_in, kd, kh, kw)``, ``b: (C_out,)`` -> ``(N, C_out, D_out, H_out, W_out)``;
    14x14x14 with a 5x5x5 filter gives 10x10x10. Equal to ``torch.nn.functional.conv3d``.
    Introduced in 02_convolution_arithmetic.
    """
    return _conv_core(*_prepare("conv3d", x, w, b, stride, padding, dilation, 3))[0]


# --- backward pass of a conv layer (CS231n style) ---------------------------------------
def conv_forward(x, w, b, stride=1, padding=0, dilation=1):
    """Forward pass of a conv layer that remembers what the backward pass needs.

    ``x: (N, C_in, H, W)``, ``w: (C_out, C_in, kh, kw)``, ``b: (C_out,)`` or None ->
    ``(out, cache)`` with ``out: (N, C_out, H_out, W_out)``. Introduced in
    02_convolution_arithmetic.
    """
    x, w, b, stride, padding, dilation, sizes = _prepare("conv_forward", x, w, b, stride,
                                                         padding, dilation, 2)
    out, cols = _conv_core(x, w, b, stride, padding, dilation, sizes)
    return out, (x.shape, w, cols, stride, padding, dilation, sizes)


def conv_backward(dout, cache):
    """Backward pass of :func:`conv_forward`: the gradients of the loss.

    ``dout: (N, C_out, H_out, W_out)`` (dLoss/dout) -> ``(dx, dw, db)`` with the shapes of
    ``x``, ``w`` and ``b``. The forward pass is ``out = W_mat @ cols + b``, so ``db`` sums
    ``dout``, ``dw = dout @ cols^T`` and ``dx = col2im(W_mat^T @ dout)``. Equal to autograd.
    Introduced in 02_convolution_arithmetic.
    """
    x_shape, w, cols, stride, padding, dilation, sizes = cache
    dout = _array("dout", dout)
    n, c_out, kh, kw = x_shape[0], w.shape[0], w.shape[2], w.shape[3]
    expected = (n, c_out) + sizes
    if dout.shape != expected:
        raise ValueError(f"conv_backward: dout must have the shape of the forward output "
                         f"{expected}, got {dout.shape}.")
    d = dout.reshape(n, c_out, -1)                                # (N, C_out, L)
    db = d.sum(axis=(0, 2))
    dw = np.tensordot(d, cols, axes=([0, 2], [0, 2])).reshape(w.shape)  # sums over images too
    dcols = np.matmul(w.reshape(c_out, -1).T, d)                 # (N, K, L)
    dx = col2im(dcols, x_shape, kh, kw, stride, padding, dilation)
    return dx, dw, db


# --- pooling ----------------------------------------------------------------------------
def _pool_windows(fname, x, f, stride):
    """Checks, then the windows ``(N, C, f, f, H_out, W_out)`` as a view, and the stride."""
    x = _array("x", x)
    _check_ndim(fname, "x", x, 4, _LAYOUT[2])
    f = _int("f (pool size)", f, 1)
    s = f if stride is None else _int("stride", stride, 1)
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
    if isinstance(p, bool) or not isinstance(p, Real) or not (0 < p < math.inf):
        raise ValueError(f"lp_pool2d: p must be a positive finite number, got {p!r}.")
    win = _pool_windows("lp_pool2d", x, f, stride)[1]
    return (win ** p).sum(axis=(2, 3)) ** (1.0 / p)


def pool_forward(x, f: int, stride: int | None = None, mode: str = "max", p: float = 2):
    """Max, average or Lp pooling that also returns a cache for :func:`pool_backward`.

    ``x: (N, C, H, W) -> (out: (N, C, H_out, W_out), cache)``; ``mode`` is "max", "avg" or
    "lp" (with power ``p``, see :func:`lp_pool2d`). For max pooling the cache keeps which
    entry of each window was the largest (the first one on ties, like torch).
    Introduced in 02_convolution_arithmetic.
    """
    if mode not in ("max", "avg", "lp"):
        raise ValueError(f"pool_forward: mode must be 'max', 'avg' or 'lp', got {mode!r}.")
    x, win, f, s = _pool_windows("pool_forward", x, f, stride)
    n, c, _, _, h_out, w_out = win.shape
    if mode == "avg":
        return win.mean(axis=(2, 3)), (x.shape, f, s, mode, None)
    if mode == "lp":
        out = lp_pool2d(x, f, s, p)
        return out, (x.shape, f, s, mode, (win, out, p))
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
    dout = _array("dout", dout)
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


# --- transposed convolution -------------------------------------------------------------
def conv_transpose_output_size(n: int, f: int, p: int = 0, s: int = 1,
                               output_padding: int = 0, d: int = 1) -> int:
    """Output length of a transposed convolution: (n-1)s - 2p + d(f-1) + 1 + output_padding.

    With d=1 this is (n-1)s - 2p + f + output_padding: a 2x2 input with f=3, s=2, p=1 gives
    3x3; output_padding=1 gives 4x4. ``output_padding`` must be < s (or < d). Introduced in
    02_convolution_arithmetic.
    """
    n, f, p = _int("n (input size)", n, 1), _int("f (filter size)", f, 1), _int("p (padding)", p, 0)
    s, d = _int("s (stride)", s, 1), _int("d (dilation)", d, 1)
    op = _int("output_padding", output_padding, 0)
    if op >= s and op >= d:
        raise ValueError(f"output_padding={op} must be smaller than the stride (s={s}) or the "
                         f"dilation (d={d}): it only picks one of the s input sizes that a "
                         f"stride-{s} convolution maps to the same output size.")
    size = (n - 1) * s - 2 * p + d * (f - 1) + 1 + op
    if size < 1:
        raise ValueError(f"the padding p={p} crops away the whole output ((n-1)s - 2p + "
                         f"d(f-1) + 1 + output_padding = {size}); use p <= {(size - 1 + 2 * p) // 2}.")
    return size


def conv_transpose2d(x, w, b=None, stride=1, padding=0, output_padding=0,
                     dilation=1) -> np.ndarray:
    """Transposed convolution: each input pixel stamps a scaled copy of the filter.

    ``x: (N, C_in, H, W)``, ``w: (C_in, C_out, kh, kw)`` (torch's layout), ``b: (C_out,)``
    -> ``(N, C_out, H_out, W_out)`` with H_out from :func:`conv_transpose_output_size`.
    The stamps overlap and add; ``padding`` crops the border. It is the input gradient
    of a convolution with the same w. Equal to ``torch.nn.functional.conv_transpose2d``.
    Introduced in 02_convolution_arithmetic.
    """
    x, w = _array("x", x), _array("w", w)
    _check_ndim("conv_transpose2d", "x", x, 4, _LAYOUT[2])
    _check_ndim("conv_transpose2d", "w", w, 4, "(C_in, C_out, kh, kw)")
    if x.shape[1] != w.shape[0]:
        raise ValueError(f"conv_transpose2d: x has {x.shape[1]} channels (x.shape[1]) but w "
                         f"expects {w.shape[0]} (w.shape[0], torch's (C_in, C_out, kh, kw)).")
    (sh, sw), (ph, pw) = _ints("stride", stride, 2, 1), _ints("padding", padding, 2, 0)
    (oh, ow), (dh, dw) = _ints("output_padding", output_padding, 2, 0), _ints("dilation", dilation, 2, 1)
    n, _, h, wd = x.shape
    c_out, kh, kw = w.shape[1:]
    h_out = conv_transpose_output_size(h, kh, ph, sh, oh, dh)
    w_out = conv_transpose_output_size(wd, kw, pw, sw, ow, dw)
    dtype = np.result_type(x.dtype, w.dtype, np.float32)
    full = np.zeros((n, c_out, (h - 1) * sh + dh * (kh - 1) + 1 + oh,
                     (wd - 1) * sw + dw * (kw - 1) + 1 + ow), dtype=dtype)
    for a in range(kh):          # kernel tap (a, c): every input pixel adds x * w[:, :, a, c]
        for c in range(kw):      # at (a*dh + i*sh, c*dw + j*sw) of the uncropped output
            stamp = np.einsum("nihw,io->nohw", x, w[:, :, a, c], optimize=True)
            full[:, :, a * dh:a * dh + sh * (h - 1) + 1:sh, c * dw:c * dw + sw * (wd - 1) + 1:sw] += stamp
    out = full[:, :, ph:ph + h_out, pw:pw + w_out]
    if b is not None:
        b = _array("b", b)
        if b.shape != (c_out,):
            raise ValueError(f"conv_transpose2d: b must have shape (C_out,) = ({c_out},), got {b.shape}.")
        out = out + b.astype(dtype)[:, None, None]
    return np.ascontiguousarray(out)


# --- receptive fields and costs ---------------------------------------------------------
def receptive_field(layers: list[tuple[int, int]]) -> list[int]:
    """Receptive field (in input pixels, per axis) after each layer of a stack.

    ``layers`` is ``[(f, s), ...]``; r grows by (f-1) times the product of the earlier
    strides: two 3x3 stride-1 layers see 5x5, three see 7x7. Introduced in
    02_convolution_arithmetic.
    """
    if not isinstance(layers, (list, tuple)) or not all(
            isinstance(layer, (list, tuple)) and len(layer) == 2 for layer in layers):
        raise ValueError(f"receptive_field: layers must be a list of (f, s) pairs, got {layers!r}.")
    r, jump, sizes = 1, 1, []
    for f, s in layers:
        r += (_int("f (filter size)", f, 1) - 1) * jump
        jump *= _int("s (stride)", s, 1)
        sizes.append(r)
    return sizes


def conv_param_count(f: int, c_in: int, c_out: int, bias: bool = True) -> int:
    """Learnable parameters of a conv layer with c_out filters of size f x f x c_in:
    (f*f*c_in + 1) * c_out with bias; independent of the image size. Introduced in
    02_convolution_arithmetic.
    """
    f, c_in, c_out = _int("f", f, 1), _int("c_in", c_in, 1), _int("c_out", c_out, 1)
    return (f * f * c_in + int(bool(bias))) * c_out


def fc_param_count(n_in: int, n_out: int, bias: bool = True) -> int:
    """Learnable parameters of a fully connected layer: (n_in + 1) * n_out with bias.
    Introduced in 02_convolution_arithmetic.
    """
    n_in, n_out = _int("n_in", n_in, 1), _int("n_out", n_out, 1)
    return (n_in + int(bool(bias))) * n_out


def conv_mult_count(h_out: int, w_out: int, c_out: int, f: int, c_in: int) -> int:
    """Multiplications of a conv layer: every one of the h_out*w_out*c_out outputs needs
    f*f*c_in of them. Introduced in 02_convolution_arithmetic.
    """
    h_out, w_out, c_out = _int("h_out", h_out, 1), _int("w_out", w_out, 1), _int("c_out", c_out, 1)
    f, c_in = _int("f", f, 1), _int("c_in", c_in, 1)
    return h_out * w_out * c_out * (f * f * c_in)


# --- the pure logic behind the convolution explorer widget ------------------------------
def explorer_state(n: int, f: int, p: int, s: int, i: int = 0, j: int = 0) -> dict:
    """What the convolution explorer shows for an n x n input, f x f filter, padding p,
    stride s and output position (i, j). Never raises.

    Returns ``{"ok", "message", "out_size", "padded_size", "window", "leftover"}``:
    ``window = (row0, col0, row1, col1)`` is the filter's window in padded coordinates,
    half-open like a slice (rows row0..row1-1), for (i, j) clipped into the output grid;
    ``leftover`` counts padded rows/cols at the end that no window reaches (stride does not
    fit exactly). When the settings are impossible ``ok`` is False, ``message`` says why and
    ``out_size``/``window`` are None. Introduced in 02_convolution_arithmetic.
    """
    sane = all(isinstance(v, Integral) and not isinstance(v, bool) for v in (n, p)) and n >= 1
    state = {"ok": False, "out_size": None, "window": None, "leftover": 0,
             "padded_size": int(n + 2 * max(p, 0)) if sane else 0}
    try:
        out = conv_output_size(n, f, p, s)
    except (TypeError, ValueError) as err:
        state["message"] = f"Impossible setting: {err}"
        return state
    ii, jj = (min(max(int(v), 0), out - 1) if isinstance(v, Real) and math.isfinite(v) else 0
              for v in (i, j))
    leftover = state["padded_size"] - ((out - 1) * s + f)
    state.update(ok=True, out_size=out, leftover=leftover,
                 window=(ii * s, jj * s, ii * s + f, jj * s + f))
    state["message"] = (f"n={n}, f={f}, p={p}, s={s} -> {out}x{out} output"
                        + (f" ({leftover} padded row(s)/col(s) at the end are never covered: "
                           f"the stride does not fit exactly)" if leftover else ""))
    return state

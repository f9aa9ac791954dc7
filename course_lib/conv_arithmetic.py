"""Convolution arithmetic (chapter 02): output sizes, padding, receptive fields and cost
counts, plus the one place that checks a convolution's arguments.

Layout is NCHW as in torch: ``x`` is ``(N, C_in, H, W)``, a filter bank ``w`` is
``(C_out, C_in, kh, kw)``. The convolutions themselves live in :mod:`course_lib.conv`
(naive loops, transposed convolution), :mod:`course_lib.conv_fast` (im2col) and
:mod:`course_lib.pooling`; every public name is also reachable as ``course_lib.conv.<name>``.
Bad settings raise from :mod:`course_lib._checks`: TypeError for the wrong kind of value,
ValueError for a wrong value. Introduced in 02_convolution_arithmetic.
"""
from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

from course_lib._checks import boolean, integer, integers, ndim, real_array

__all__ = [
    "conv_output_size", "same_padding", "zero_pad", "conv_transpose_output_size",
    "receptive_field", "conv_param_count", "fc_param_count", "conv_mult_count", "explorer_state",
    "pool_output_size",
]
_LAYOUT = {1: "(N, C, L)", 2: "(N, C, H, W)", 3: "(N, C, D, H, W)"}


# --- checking a convolution's arguments (shared by the naive and the fast versions) ------
def _geometry(fname: str, spatial, kernel, stride, padding, dilation):
    """Per-axis (stride, padding, dilation) tuples and the output sizes, or a learner error."""
    nd = len(spatial)
    stride, padding = integers(stride, "stride", nd, 1), integers(padding, "padding", nd, 0)
    dilation = integers(dilation, "dilation", nd, 1)
    sizes = []
    for a in range(nd):
        try:
            sizes.append(conv_output_size(spatial[a], kernel[a], padding[a], stride[a], dilation[a]))
        except ValueError as err:
            raise ValueError(f"{fname}, spatial axis {a}: {err}") from None
    return stride, padding, dilation, tuple(sizes)


def _prepare(fname: str, x, w, b, stride, padding, dilation, nd: int):
    """Check a convolution's arguments: ``(x, w, b, stride, padding, dilation, sizes)`` with
    the arrays in one float dtype (float32 stays float32, integers become float64)."""
    x, w = real_array(x, "x"), real_array(w, "w")
    ndim(x, "x", nd + 2, _LAYOUT[nd], fname)
    ndim(w, "w", nd + 2, "(C_out, C_in" + ", k" * nd + ")", fname)
    if x.shape[1] != w.shape[1]:
        raise ValueError(f"{fname}: x has {x.shape[1]} input channels (x.shape[1]) but the "
                         f"filters expect {w.shape[1]} (w.shape[1]); they must be equal.")
    if 0 in x.shape or 0 in w.shape:
        raise ValueError(f"{fname}: every axis of x and w must have size >= 1, "
                         f"got x {x.shape} and w {w.shape}.")
    geo = _geometry(fname, x.shape[2:], w.shape[2:], stride, padding, dilation)
    dtype = np.result_type(x.dtype, w.dtype, np.float32)
    if b is not None:
        b = real_array(b, "b")
        if b.shape != (w.shape[0],):
            raise ValueError(f"{fname}: b must have shape (C_out,) = ({w.shape[0]},), "
                             f"one bias per filter, got shape {b.shape}.")
        b = b.astype(dtype, copy=False)
    return (x.astype(dtype, copy=False), w.astype(dtype, copy=False), b) + geo


# --- sizes and padding ------------------------------------------------------------------
def conv_output_size(n: int, f: int, p: int = 0, s: int = 1, d: int = 1) -> int:
    """Output length of a convolution along one axis: floor((n + 2p - d(f-1) - 1)/s) + 1.

    ``n`` input size, ``f`` filter size, ``p`` padding on each side, ``s`` stride, ``d``
    dilation (d(f-1)+1 is the dilated filter's extent); with d=1 this is the familiar
    floor((n + 2p - f)/s) + 1, e.g. 6x6 with a 3x3 filter gives 4x4. Raises ValueError
    when the dilated filter is larger than the padded input. Introduced in
    02_convolution_arithmetic.
    """
    n, f = integer(n, "n (input size)", 1), integer(f, "f (filter size)", 1)
    p, s, d = integer(p, "p (padding)", 0), integer(s, "s (stride)", 1), integer(d, "d (dilation)", 1)
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
    f, d = integer(f, "f (filter size)", 1), integer(d, "d (dilation)", 1)
    if d * (f - 1) % 2:
        raise ValueError(f"'same' padding needs d*(f-1) to be even (an odd filter size), got "
                         f"f={f}, d={d}: the padding would be {d * (f - 1) / 2}, not an integer.")
    return d * (f - 1) // 2


def zero_pad(x, p) -> np.ndarray:
    """Pad the last two axes of ``x`` with ``p`` zeros on each side.

    ``p`` is an int or ``(ph, pw)``; ``x: (..., H, W) -> (..., H + 2ph, W + 2pw)``.
    Introduced in 02_convolution_arithmetic.
    """
    x = real_array(x, "x")
    if x.ndim < 2:
        raise ValueError(f"zero_pad: x needs at least 2 axes (..., H, W), got shape {x.shape}.")
    ph, pw = integers(p, "p (padding)", 2, 0)
    return np.pad(x, [(0, 0)] * (x.ndim - 2) + [(ph, ph), (pw, pw)])


def conv_transpose_output_size(n: int, f: int, p: int = 0, s: int = 1,
                               output_padding: int = 0, d: int = 1) -> int:
    """Output length of a transposed convolution: (n-1)s - 2p + d(f-1) + 1 + output_padding.

    With d=1 this is (n-1)s - 2p + f + output_padding: a 2x2 input with f=3, s=2, p=1 gives
    3x3; output_padding=1 gives 4x4. ``output_padding`` must be < s (or < d). Introduced in
    02_convolution_arithmetic.
    """
    n, f = integer(n, "n (input size)", 1), integer(f, "f (filter size)", 1)
    p, s, d = integer(p, "p (padding)", 0), integer(s, "s (stride)", 1), integer(d, "d (dilation)", 1)
    op = integer(output_padding, "output_padding", 0)
    if op >= s and op >= d:
        raise ValueError(f"output_padding={op} must be smaller than the stride (s={s}) or the "
                         f"dilation (d={d}): it only picks one of the s input sizes that a "
                         f"stride-{s} convolution maps to the same output size.")
    size = (n - 1) * s - 2 * p + d * (f - 1) + 1 + op
    if size < 1:
        raise ValueError(f"the padding p={p} crops away the whole output ((n-1)s - 2p + "
                         f"d(f-1) + 1 + output_padding = {size}); use p <= {(size - 1 + 2 * p) // 2}.")
    return size


def pool_output_size(n: int, f: int, s: int | None = None, p: int = 0, d: int = 1,
                     ceil_mode: bool = False) -> int:
    """Output length of a pooling window along one axis, as torch's max/avg pooling computes it.

    floor((n + 2p - d(f-1) - 1)/s) + 1 (the conv formula; ``s`` defaults to ``f``); with
    ``ceil_mode`` the division rounds up, except that the last window must start inside the
    input or the left padding (torch drops it otherwise). torch allows ``p`` up to half the
    window, p <= f/2. GoogLeNet's 3x3 stride-2 pools with ceil_mode give
    112 -> 56 -> 28 -> 14 -> 7; ResNet's 3x3 stride-2, p=1 pool gives 112 -> 56.
    Introduced in 02_convolution_arithmetic.
    """
    n, f = integer(n, "n (input size)", 1), integer(f, "f (window size)", 1)
    s = f if s is None else integer(s, "s (stride)", 1)
    p, d = integer(p, "p (padding)", 0), integer(d, "d (dilation)", 1)
    ceil_mode = boolean(ceil_mode, "ceil_mode")
    extent = d * (f - 1) + 1
    if 2 * p > f:
        raise ValueError(f"pooling padding p={p} must be at most half the window size f={f}: "
                         f"p <= {f // 2} (as torch requires).")
    out = (n + 2 * p - extent + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= n + p:   # the last window would start in the right padding
        out -= 1
    if out < 1:
        raise ValueError(f"the pooling window (f={f}, d={d}, extent {extent}) is larger than the "
                         f"padded input (n + 2p = {n + 2 * p}); no window fits.")
    return out


# --- receptive fields and costs ---------------------------------------------------------
def receptive_field(layers: list[tuple[int, int]]) -> list[int]:
    """Receptive field (in input pixels, per axis) after each layer of a stack.

    ``layers`` is ``[(f, s), ...]``; r grows by (f-1) times the product of the earlier
    strides: two 3x3 stride-1 layers see 5x5, three see 7x7. Introduced in
    02_convolution_arithmetic.
    """
    if not isinstance(layers, (list, tuple)) or not all(
            isinstance(layer, (list, tuple)) and len(layer) == 2 for layer in layers):
        raise TypeError(f"receptive_field: layers must be a list of (f, s) pairs, got {layers!r}.")
    r, jump, sizes = 1, 1, []
    for f, s in layers:
        r += (integer(f, "f (filter size)", 1) - 1) * jump
        jump *= integer(s, "s (stride)", 1)
        sizes.append(r)
    return sizes


def conv_param_count(f: int, c_in: int, c_out: int, bias: bool = True) -> int:
    """Learnable parameters of a conv layer with c_out filters of size f x f x c_in:
    (f*f*c_in + 1) * c_out with bias; independent of the image size. Introduced in
    02_convolution_arithmetic.
    """
    f, c_in, c_out = integer(f, "f", 1), integer(c_in, "c_in", 1), integer(c_out, "c_out", 1)
    return (f * f * c_in + int(bool(bias))) * c_out


def fc_param_count(n_in: int, n_out: int, bias: bool = True) -> int:
    """Learnable parameters of a fully connected layer: (n_in + 1) * n_out with bias.
    Introduced in 02_convolution_arithmetic.
    """
    n_in, n_out = integer(n_in, "n_in", 1), integer(n_out, "n_out", 1)
    return (n_in + int(bool(bias))) * n_out


def conv_mult_count(h_out: int, w_out: int, c_out: int, f: int, c_in: int) -> int:
    """Multiplications of a conv layer: every one of the h_out*w_out*c_out outputs needs
    f*f*c_in of them. Introduced in 02_convolution_arithmetic.
    """
    h_out, w_out, c_out = integer(h_out, "h_out", 1), integer(w_out, "w_out", 1), integer(c_out, "c_out", 1)
    f, c_in = integer(f, "f", 1), integer(c_in, "c_in", 1)
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

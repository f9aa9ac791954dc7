"""Fast convolution by im2col (chapter 02): every window becomes a column, and the whole
batch is one matrix product. Same signatures and results as the readable loops in
:mod:`course_lib.conv` (``conv2d_im2col`` is ``conv2d_naive``; tests check they agree with
each other and with torch in float64), plus 1-D/3-D convolution and a conv layer's forward
and backward pass in CS231n's ``(out, cache)`` / ``(dx, dw, db)`` style.

Float32 inputs stay float32; integer inputs become float64. Every public name here is
also reachable as ``course_lib.conv.<name>``. Introduced in 02_convolution_arithmetic.
"""
from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from course_lib._checks import integer, ndim, real_array
from course_lib.conv_arithmetic import _LAYOUT, _geometry, _prepare

__all__ = ["im2col", "col2im", "conv2d_im2col", "conv1d", "conv3d", "conv_forward", "conv_backward"]


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
    kernel = (integer(kh, "kh", 1), integer(kw, "kw", 1))
    x = real_array(x, "x")
    ndim(x, "x", 4, _LAYOUT[2], "im2col")
    stride, padding, dilation, _ = _geometry("im2col", x.shape[2:], kernel, stride, padding, dilation)
    return _im2col(x, kernel, stride, padding, dilation)


def col2im(cols, x_shape, kh: int, kw: int, stride=1, padding=0, dilation=1) -> np.ndarray:
    """The adjoint of im2col: add every column back onto the window it came from.

    ``cols: (N, C*kh*kw, H_out*W_out) -> (N, C, H, W)`` where ``x_shape = (N, C, H, W)``.
    Overlapping windows add up, which is exactly the input gradient of a convolution.
    Introduced in 02_convolution_arithmetic.
    """
    if not isinstance(x_shape, (tuple, list)) or len(x_shape) != 4:
        raise TypeError(f"col2im: x_shape must be a tuple (N, C, H, W) of 4 ints, got {x_shape!r}.")
    n, c, h, wd = (integer(v, "x_shape entry", 1) for v in x_shape)
    kh, kw = integer(kh, "kh", 1), integer(kw, "kw", 1)
    (sh, sw), (ph, pw), (dh, dw), (h_out, w_out) = _geometry(
        "col2im", (h, wd), (kh, kw), stride, padding, dilation)
    cols = real_array(cols, "cols")
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

    Same signature and result as :func:`course_lib.conv.conv2d_naive`: ``x: (N, C_in, H, W)``,
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
    dout = real_array(dout, "dout")
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

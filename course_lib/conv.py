"""Convolution from scratch (chapter 02): the readable version, and the chapter's namespace.

Layout is NCHW as in torch: ``x`` is ``(N, C_in, H, W)``, a filter bank ``w`` is
``(C_out, C_in, kh, kw)``. Like every deep-learning library, "convolution" here is
cross-correlation (the filter is not flipped). This file holds the loops that read like
the formula (:func:`conv_single_step`, :func:`conv2d_naive`) and the transposed
convolution. The chapter's other rooms, split cs231n-style, are re-exported here so a
notebook needs only ``from course_lib import conv``:

- :mod:`course_lib.conv_arithmetic`: output sizes, padding, receptive fields, costs,
  the explorer widget's state, and the checks every convolution shares;
- :mod:`course_lib.conv_fast`: im2col/col2im and the vectorized convolutions with the
  same signatures as the loops (``conv2d_im2col`` is ``conv2d_naive``), conv1d/conv3d,
  and a conv layer's ``conv_forward``/``conv_backward``;
- :mod:`course_lib.pooling`: max/average/Lp pooling, forward and backward.

Float32 inputs stay float32; integer inputs become float64. Bad settings raise from
:mod:`course_lib._checks` (TypeError for the wrong kind of value, ValueError for a wrong
value) with a sentence saying what was given and what is allowed.
"""
from __future__ import annotations

import numpy as np

from course_lib._checks import integers, ndim, real_array
from course_lib.conv_arithmetic import (
    _LAYOUT, _prepare, conv_mult_count, conv_output_size, conv_param_count,
    conv_transpose_output_size, explorer_state, fc_param_count, pool_output_size, receptive_field,
    same_padding, zero_pad,
)
from course_lib.conv_fast import (
    col2im, conv1d, conv2d_im2col, conv3d, conv_backward, conv_forward, im2col,
)
from course_lib.pooling import avg_pool2d, lp_pool2d, max_pool2d, pool_backward, pool_forward

__all__ = [
    "conv_output_size", "same_padding", "zero_pad", "conv_single_step", "conv2d_naive",
    "im2col", "col2im", "conv2d_im2col", "conv1d", "conv3d", "conv_forward", "conv_backward",
    "max_pool2d", "avg_pool2d", "lp_pool2d", "pool_forward", "pool_backward",
    "conv_transpose_output_size", "conv_transpose2d", "receptive_field", "conv_param_count",
    "fc_param_count", "conv_mult_count", "explorer_state", "pool_output_size",
]


# --- 2-D convolution: naive loops -------------------------------------------------------
def conv_single_step(a_slice, W, b=0.0) -> float:
    """One output value: sum(a_slice * W) + b for one window and one filter.

    ``a_slice`` and ``W`` have the same shape, e.g. ``(C_in, f, f)``; ``b`` a number (or a
    size-1 array, or None for no bias); returns a float.
    Introduced in 02_convolution_arithmetic.
    """
    a_slice, W = real_array(a_slice, "a_slice"), real_array(W, "W")
    if a_slice.shape != W.shape:
        raise ValueError(f"conv_single_step: a_slice {a_slice.shape} and W {W.shape} must have "
                         f"the same shape (one window and one filter).")
    return float(np.sum(a_slice * W) + (0.0 if b is None else float(np.sum(real_array(b, "b")))))


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


# --- transposed convolution -------------------------------------------------------------
def conv_transpose2d(x, w, b=None, stride=1, padding=0, output_padding=0,
                     dilation=1) -> np.ndarray:
    """Transposed convolution: each input pixel stamps a scaled copy of the filter.

    ``x: (N, C_in, H, W)``, ``w: (C_in, C_out, kh, kw)`` (torch's layout), ``b: (C_out,)``
    -> ``(N, C_out, H_out, W_out)`` with H_out from :func:`conv_transpose_output_size`.
    The stamps overlap and add; ``padding`` crops the border. It is the input gradient
    of a convolution with the same w. Equal to ``torch.nn.functional.conv_transpose2d``.
    Introduced in 02_convolution_arithmetic.
    """
    x, w = real_array(x, "x"), real_array(w, "w")
    ndim(x, "x", 4, _LAYOUT[2], "conv_transpose2d")
    ndim(w, "w", 4, "(C_in, C_out, kh, kw)", "conv_transpose2d")
    if x.shape[1] != w.shape[0]:
        raise ValueError(f"conv_transpose2d: x has {x.shape[1]} channels (x.shape[1]) but w "
                         f"expects {w.shape[0]} (w.shape[0], torch's (C_in, C_out, kh, kw)).")
    (sh, sw), (ph, pw) = integers(stride, "stride", 2, 1), integers(padding, "padding", 2, 0)
    (oh, ow) = integers(output_padding, "output_padding", 2, 0)
    (dh, dw) = integers(dilation, "dilation", 2, 1)
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
        b = real_array(b, "b")
        if b.shape != (c_out,):
            raise ValueError(f"conv_transpose2d: b must have shape (C_out,) = ({c_out},), got {b.shape}.")
        out = out + b.astype(dtype)[:, None, None]
    return np.ascontiguousarray(out)

"""Making feature maps bigger again (chapter 05): nearest and bilinear upsampling from
scratch, and a measure of the checkerboard pattern a transposed convolution leaves.

The transposed convolution itself is chapter 02's ``course_lib.conv.conv_transpose2d``
(its output size ``conv.conv_transpose_output_size``). Layout (N, C, H, W); float64 in,
float64 out (float32 stays float32). Introduced in 05_semantic_segmentation.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from course_lib import _checks

__all__ = ["upsample_nearest", "upsample_bilinear", "phase_means", "checkerboard_amplitude"]


def _maps(x: Any, name: str = "x") -> np.ndarray:
    a = _checks.real_array(x, name)
    _checks.ndim(a, name, 4, "(N, C, H, W)")
    if 0 in a.shape:
        raise ValueError(f"{name} must have no empty axis, got shape {a.shape}.")
    return a


def upsample_nearest(x: Any, scale: int = 2) -> np.ndarray:
    """Nearest-neighbour upsampling: every pixel becomes a ``scale`` x ``scale`` block.

    x: (N, C, H, W) -> (N, C, scale H, scale W); out[..., i, j] = x[..., i // scale, j // scale].
    Equal to ``F.interpolate(x, scale_factor=scale, mode="nearest")``.
    Introduced in 05_semantic_segmentation.
    """
    a = _maps(x)
    s = _checks.integer(scale, "scale", 1)
    return np.repeat(np.repeat(a, s, axis=2), s, axis=3)


def _linear_weights(n_in: int, s: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each of the s*n_in outputs along one axis: the two source indices and the weight
    of the second, with half-pixel centres (align_corners=False): src = (i + 0.5)/s - 0.5."""
    src = np.maximum((np.arange(n_in * s) + 0.5) / s - 0.5, 0.0)
    lo = np.floor(src).astype(np.int64)
    hi = np.minimum(lo + 1, n_in - 1)
    return lo, hi, src - lo


def upsample_bilinear(x: Any, scale: int = 2) -> np.ndarray:
    """Bilinear upsampling: interpolate linearly along rows, then along columns.

    x: (N, C, H, W) -> (N, C, scale H, scale W). Output pixel i sits at input coordinate
    (i + 0.5)/scale - 0.5 (pixel centres aligned, ``align_corners=False``), clamped to the
    image, and mixes its two nearest input pixels by distance. Equal to
    ``F.interpolate(x, scale_factor=scale, mode="bilinear", align_corners=False)``.
    Introduced in 05_semantic_segmentation.
    """
    a = _maps(x)
    s = _checks.integer(scale, "scale", 1)
    lo, hi, t = _linear_weights(a.shape[2], s)
    t = t.astype(a.dtype)[:, None]
    rows = a[:, :, lo, :] * (1 - t) + a[:, :, hi, :] * t
    lo, hi, t = _linear_weights(a.shape[3], s)
    t = t.astype(a.dtype)
    return rows[:, :, :, lo] * (1 - t) + rows[:, :, :, hi] * t


def phase_means(y: Any, stride: int = 2, border: int = 2) -> np.ndarray:
    """Mean of ``y`` over each of the stride x stride pixel "phases" (row mod stride, column
    mod stride), away from the border: (N, C, H, W) -> (stride, stride).

    A transposed convolution with stride s builds phase (a, b) from its own subset of kernel
    taps, so on a flat input the phases differ: the checkerboard. ``border`` pixels are
    dropped on each side (where fewer stamps overlap). Introduced in 05_semantic_segmentation.
    """
    a = _maps(y, "y")
    s = _checks.integer(stride, "stride", 1)
    b = _checks.integer(border, "border", 0)
    inner = a[:, :, b:a.shape[2] - b, b:a.shape[3] - b]
    if inner.shape[2] < s or inner.shape[3] < s:
        raise ValueError(f"y of shape {a.shape} is too small for stride {s} after dropping a border of {b}.")
    # start the phases at an even absolute row/column: inner row 0 is row b of y
    return np.array([[inner[:, :, (p - b) % s::s, (q - b) % s::s].mean() for q in range(s)]
                     for p in range(s)])


def checkerboard_amplitude(y: Any, stride: int = 2, border: int = 2) -> float:
    """How strong the checkerboard is: (max - min) of :func:`phase_means` over the mean
    absolute value of the interior. 0 for an output with no periodic pattern; a flat input
    through a stride-2 transposed convolution gives far more. Introduced in 05_semantic_segmentation.
    """
    m = phase_means(y, stride, border)
    a = _maps(y, "y")
    b = _checks.integer(border, "border", 0)
    scale = np.abs(a[:, :, b:a.shape[2] - b, b:a.shape[3] - b]).mean()
    return float((m.max() - m.min()) / scale) if scale > 0 else 0.0

"""Region-based pieces of chapter 04: sliding windows, the same classifier made fully
convolutional (OverFeat), and Fast R-CNN's RoI max pooling, from scratch.

The window classifier is the one of the course notes: 14x14x3 -> conv 5x5, 16 filters ->
10x10x16 -> max-pool 2 -> 5x5x16 -> FC 400 -> FC 400 -> C classes. Turning its FC layers
into convolutions (400 filters of 5x5x16, then 1x1 convolutions) gives a network that
classifies every 14x14 window of a larger image, at a stride of 2 pixels, in one pass:
16x16 -> 2x2 outputs, identical to cropping the four windows. Introduced in
04_object_detection.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn as nn

from course_lib._checks import integer, integers, module, positive, real_array
from course_lib.detection_boxes import check_boxes

__all__ = ["window_classifier", "fully_convolutional", "sliding_windows", "roi_pool", "roi_pool_bruteforce"]


def window_classifier(num_classes: int = 4, channels: int = 3) -> nn.Sequential:
    """The 14x14 window classifier: (N, channels, 14, 14) -> (N, num_classes) scores.
    Introduced in 04_object_detection."""
    c, k = integer(channels, "channels", 1), integer(num_classes, "num_classes", 1)
    return nn.Sequential(nn.Conv2d(c, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(16 * 5 * 5, 400), nn.ReLU(), nn.Linear(400, 400), nn.ReLU(),
                         nn.Linear(400, k))


def fully_convolutional(model: nn.Sequential) -> nn.Sequential:
    """The same network with its FC layers as convolutions (same weights, reshaped).

    FC 400 on the flattened 5x5x16 map becomes 400 filters of 16x5x5 (``W.view(400, 16,
    5, 5)``: flattening is channel-major, as the filters read); the next FC layers become
    1x1 convolutions. (N, C, H, W) -> (N, num_classes, (H - 14) // 2 + 1, (W - 14) // 2 + 1).
    Introduced in 04_object_detection.
    """
    model = module(model, "model")
    layers = list(model)
    if not (isinstance(layers[0], nn.Conv2d) and isinstance(layers[3], nn.Flatten)):
        raise ValueError("model must be a window_classifier() (conv, ReLU, pool, flatten, FC layers).")
    conv, pool = layers[0], layers[2]
    c_out, (kh, kw) = conv.out_channels, conv.kernel_size
    out = [conv, layers[1], pool]
    first = True
    for layer in layers[4:]:
        if isinstance(layer, nn.Linear):
            if first:
                side = math.isqrt(layer.in_features // c_out)
                new = nn.Conv2d(c_out, layer.out_features, side)
                new.weight.data = layer.weight.data.view(layer.out_features, c_out, side, side).clone()
                first = False
            else:
                new = nn.Conv2d(layer.in_features, layer.out_features, 1)
                new.weight.data = layer.weight.data.view(layer.out_features, layer.in_features, 1, 1).clone()
            new.bias.data = layer.bias.data.clone()
            out.append(new)
        else:
            out.append(layer)
    return nn.Sequential(*out)


@torch.no_grad()
def sliding_windows(model: nn.Module, image: torch.Tensor, window: int = 14, stride: int = 2) -> torch.Tensor:
    """Classify every ``window`` x ``window`` crop of ``image`` (C, H, W), ``stride`` apart,
    by cropping them all and running ``model`` on the batch of crops.

    Returns (num_classes, H_out, W_out) with ``H_out = (H - window) // stride + 1``, the
    layout of :func:`fully_convolutional`'s output. Introduced in 04_object_detection.
    """
    model = module(model, "model")
    win, st = integer(window, "window", 1), integer(stride, "stride", 1)
    if not isinstance(image, torch.Tensor) or image.ndim != 3:
        raise ValueError("image must be a torch tensor of shape (C, H, W).")
    _, h, w = image.shape
    if h < win or w < win:
        raise ValueError(f"image {h}x{w} is smaller than the {win}x{win} window.")
    rows, cols = range(0, h - win + 1, st), range(0, w - win + 1, st)
    crops = torch.stack([image[:, r:r + win, c:c + win] for r in rows for c in cols])
    out = model(crops)                                              # (H_out * W_out, classes)
    return out.T.reshape(-1, len(rows), len(cols))


def _bins(lo: float, hi: float, n: int, limit: int) -> list[tuple[int, int]]:
    """Integer cell ranges [start, end) of ``n`` equal bins of [lo, hi): every cell the bin
    touches; at least one cell, clipped to [0, limit)."""
    out = []
    for i in range(n):
        a, b = lo + i * (hi - lo) / n, lo + (i + 1) * (hi - lo) / n
        s = min(max(math.floor(a), 0), limit - 1)
        e = min(max(math.ceil(b), s + 1), limit)
        out.append((s, e))
    return out


def roi_pool(features, rois, output_size=(2, 2), spatial_scale: float = 1.0):
    """Fast R-CNN's RoI max pooling: every region -> a fixed (P, Q) grid of maxima.

    ``features`` (C, H, W) one image's feature map; ``rois`` (K, 4) (x1, y1, x2, y2) in
    image pixels, multiplied by ``spatial_scale`` (1 / the backbone's stride) into feature
    cells. The region is cut into P x Q equal bins; each output is the max over the cells
    a bin touches (at least one). Returns (K, C, P, Q), numpy or torch like ``features``.
    Introduced in 04_object_detection.
    """
    is_t = isinstance(features, torch.Tensor)
    f = features if is_t else real_array(features, "features")
    if f.ndim != 3:
        raise ValueError(f"features must have shape (C, H, W), got {tuple(f.shape)}.")
    r = np.asarray(real_array(check_boxes(rois, "rois"), "rois"), float) * positive(spatial_scale, "spatial_scale")
    p, q = integers(output_size, "output_size", 2, 1)
    c, h, w = f.shape
    out = torch.zeros(len(r), c, p, q, dtype=f.dtype) if is_t else np.zeros((len(r), c, p, q), f.dtype)
    for k, (x1, y1, x2, y2) in enumerate(r):
        for i, (r0, r1) in enumerate(_bins(y1, y2, p, h)):
            for j, (c0, c1) in enumerate(_bins(x1, x2, q, w)):
                cell = f[:, r0:r1, c0:c1]
                out[k, :, i, j] = cell.amax(dim=(1, 2)) if is_t else cell.max(axis=(1, 2))
    return out


def roi_pool_bruteforce(features, rois, output_size=(2, 2), spatial_scale: float = 1.0) -> np.ndarray:
    """The same maxima, cell by cell: a feature cell [r, r+1) x [c, c+1) belongs to a bin
    when it overlaps it (rois of positive size only). For testing :func:`roi_pool`.
    Introduced in 04_object_detection."""
    f = real_array(features, "features", dtype=np.float64)
    r = np.asarray(real_array(check_boxes(rois, "rois"), "rois"), float) * positive(spatial_scale, "spatial_scale")
    p, q = integers(output_size, "output_size", 2, 1)
    c, h, w = f.shape
    out = np.full((len(r), c, p, q), -np.inf)
    for k, (x1, y1, x2, y2) in enumerate(r):
        bh, bw = (y2 - y1) / p, (x2 - x1) / q
        for i in range(p):
            for j in range(q):
                for row in range(h):
                    for col in range(w):
                        if row < y1 + (i + 1) * bh and row + 1 > y1 + i * bh and \
                                col < x1 + (j + 1) * bw and col + 1 > x1 + j * bw:
                            out[k, :, i, j] = np.maximum(out[k, :, i, j], f[:, row, col])
    return out

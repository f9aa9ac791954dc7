"""Boxes from scratch (chapter 04): formats, IoU, non-max suppression, anchors, SSD boxes.

A box is ``(x1, y1, x2, y2)`` in pixels, continuous coordinates: pixel (row r, column c)
covers ``[c, c+1) x [r, r+1)``, so a box's area is ``(x2 - x1) * (y2 - y1)`` (no "+1").
A set of boxes is an ``(N, 4)`` numpy array or torch tensor; every function returns the
kind it was given (numpy in, numpy out; torch in, torch out). Boxes with ``x2 < x1`` or
``y2 < y1``, NaN or infinite coordinates raise a ValueError naming the argument; a box of
zero width or height is allowed (its IoU with anything is 0). Introduced in
04_object_detection.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from course_lib._checks import fraction, integer, number, positive, real_array

__all__ = [
    "check_boxes", "box_area", "corners_to_center", "center_to_corners", "iou", "iou_loop",
    "non_max_suppression", "non_max_suppression_loop", "non_max_suppression_per_class",
    "anchor_boxes", "assign_anchors", "ssd_default_boxes",
]


def check_boxes(boxes, name: str = "boxes"):
    """``boxes`` (N, 4) as given (numpy float array or torch float tensor), checked.

    TypeError for a list or a non-numeric array; ValueError for another shape, NaN/inf, or
    a box with x2 < x1 or y2 < y1 (a negative width or height). Introduced in
    04_object_detection.
    """
    if isinstance(boxes, torch.Tensor):
        a = real_array(boxes, name)          # checks kind and finiteness on a numpy copy
        t = boxes if boxes.is_floating_point() else boxes.double()
    else:
        a = t = real_array(boxes, name)
    if a.ndim != 2 or a.shape[1] != 4:
        raise ValueError(f"{name} must have shape (N, 4) as (x1, y1, x2, y2), got {tuple(a.shape)}.")
    bad = (a[:, 2] < a[:, 0]) | (a[:, 3] < a[:, 1])
    if bad.any():
        k = int(np.argmax(bad))
        raise ValueError(f"{name}[{k}] = {a[k].tolist()} has x2 < x1 or y2 < y1 (a negative width "
                         f"or height); boxes are (x1, y1, x2, y2) with x2 >= x1 and y2 >= y1.")
    return t


def _lib(x):
    return torch if isinstance(x, torch.Tensor) else np


def box_area(boxes):
    """(N, 4) boxes -> (N,) areas ``(x2 - x1) * (y2 - y1)``. Introduced in 04_object_detection."""
    b = check_boxes(boxes)
    return (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])


def corners_to_center(boxes):
    """(N, 4) ``(x1, y1, x2, y2)`` -> (N, 4) ``(cx, cy, w, h)``. Introduced in 04_object_detection."""
    b = check_boxes(boxes)
    lib = _lib(b)
    return lib.stack([(b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2,
                      b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]], 1)


def center_to_corners(boxes):
    """(N, 4) ``(cx, cy, w, h)`` -> (N, 4) ``(x1, y1, x2, y2)``; ValueError for w or h < 0.
    Introduced in 04_object_detection."""
    if isinstance(boxes, torch.Tensor):
        a = real_array(boxes, "boxes")
        b = boxes if boxes.is_floating_point() else boxes.double()
    else:
        a = b = real_array(boxes, "boxes")
    if a.ndim != 2 or a.shape[1] != 4:
        raise ValueError(f"boxes must have shape (N, 4) as (cx, cy, w, h), got {tuple(a.shape)}.")
    if (a[:, 2:] < 0).any():
        raise ValueError("boxes has a negative width or height; (cx, cy, w, h) needs w, h >= 0.")
    lib = _lib(b)
    return lib.stack([b[:, 0] - b[:, 2] / 2, b[:, 1] - b[:, 3] / 2,
                      b[:, 0] + b[:, 2] / 2, b[:, 1] + b[:, 3] / 2], 1)


def iou(boxes_a, boxes_b):
    """Intersection over union of every pair: (N, 4), (M, 4) -> (N, M), vectorised.

    ``IoU = |A ∩ B| / |A ∪ B|``; 0 for disjoint or touching boxes, and 0 when the union is
    empty (two zero-area boxes). numpy in, numpy out; torch in, torch out (differentiable).
    Introduced in 04_object_detection.
    """
    a, b = check_boxes(boxes_a, "boxes_a"), check_boxes(boxes_b, "boxes_b")
    if isinstance(a, torch.Tensor) != isinstance(b, torch.Tensor):
        raise TypeError("boxes_a and boxes_b must both be numpy arrays or both torch tensors.")
    lib = _lib(a)
    lo = lib.maximum(a[:, None, :2], b[None, :, :2])          # (N, M, 2) top-left of overlap
    hi = lib.minimum(a[:, None, 2:], b[None, :, 2:])          # (N, M, 2) bottom-right
    wh = (hi - lo).clip(0) if lib is torch else np.clip(hi - lo, 0, None)
    inter = wh[..., 0] * wh[..., 1]
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    safe = lib.where(union > 0, union, lib.ones_like(union))
    return lib.where(union > 0, inter / safe, lib.zeros_like(inter))


def iou_loop(boxes_a, boxes_b) -> np.ndarray:
    """The same (N, M) matrix as :func:`iou` with two Python loops (numpy only), for
    measuring what vectorising buys. Introduced in 04_object_detection."""
    a = np.asarray(check_boxes(boxes_a, "boxes_a").tolist(), dtype=np.float64).reshape(-1, 4)
    b = np.asarray(check_boxes(boxes_b, "boxes_b").tolist(), dtype=np.float64).reshape(-1, 4)
    out = np.zeros((len(a), len(b)))
    for i, (ax1, ay1, ax2, ay2) in enumerate(a.tolist()):
        for j, (bx1, by1, bx2, by2) in enumerate(b.tolist()):
            w = max(0.0, min(ax2, bx2) - max(ax1, bx1))
            h = max(0.0, min(ay2, by2) - max(ay1, by1))
            union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - w * h
            out[i, j] = w * h / union if union > 0 else 0.0
    return out


def _nms_inputs(boxes, scores, iou_threshold):
    b = check_boxes(boxes)
    s = real_array(scores, "scores")
    if s.ndim != 1 or len(s) != len(b):
        raise ValueError(f"scores must have shape (N,) = ({len(b)},), one per box, got {s.shape}.")
    thr = fraction(iou_threshold, "iou_threshold", allow_zero=True)
    return b, s, thr


def _as_kind(keep: list[int], like):
    if isinstance(like, torch.Tensor):
        return torch.tensor(keep, dtype=torch.long)
    return np.asarray(keep, dtype=np.int64)


def non_max_suppression(boxes, scores, iou_threshold: float):
    """Greedy non-max suppression (非极大值抑制): indices of the boxes kept.

    ``boxes`` (N, 4), ``scores`` (N,), ``iou_threshold`` in [0, 1]. Take the highest-scoring
    box left, keep it, drop every remaining box whose IoU with it is *greater than* the
    threshold, repeat. Returns the kept indices (K,) in decreasing score order (equal
    scores: lower index first), int64 numpy or a torch long tensor like ``boxes``. One IoU
    matrix, then a loop over kept boxes only. Introduced in 04_object_detection.
    """
    b, s, thr = _nms_inputs(boxes, scores, iou_threshold)
    a = np.asarray(real_array(b, "boxes"), dtype=np.float64)
    order = np.argsort(-s, kind="stable")
    overlaps = iou(a[order], a[order])
    alive = np.ones(len(order), bool)
    keep = []
    for i in range(len(order)):
        if alive[i]:
            keep.append(int(order[i]))
            alive[i + 1:] &= overlaps[i, i + 1:] <= thr
    return _as_kind(keep, boxes)


def non_max_suppression_loop(boxes, scores, iou_threshold: float):
    """The same greedy NMS written as the textbook describes it (a list of remaining boxes,
    one IoU at a time), for measuring the vectorised version's gain.
    Introduced in 04_object_detection."""
    b, s, thr = _nms_inputs(boxes, scores, iou_threshold)
    boxes_l = np.asarray(real_array(b, "boxes"), dtype=np.float64).tolist()
    remaining = sorted(range(len(boxes_l)), key=lambda k: (-s[k], k))
    keep = []
    while remaining:
        best = remaining.pop(0)
        keep.append(best)
        remaining = [k for k in remaining
                     if iou_loop(np.array([boxes_l[best]]), np.array([boxes_l[k]]))[0, 0] <= thr]
    return _as_kind(keep, boxes)


def non_max_suppression_per_class(boxes, scores, labels, iou_threshold: float):
    """NMS run separately within each class: a box only suppresses boxes of its own label.

    ``labels`` (N,) integers. Returns kept indices in decreasing score order (ties: lower
    index first), like :func:`non_max_suppression`. Introduced in 04_object_detection.
    """
    b, s, thr = _nms_inputs(boxes, scores, iou_threshold)
    lab = labels.detach().cpu().numpy() if isinstance(labels, torch.Tensor) else labels
    if not isinstance(lab, np.ndarray) or lab.dtype.kind not in "iu":
        raise TypeError(f"labels must be an integer numpy array or torch tensor, got {type(labels).__name__}.")
    if lab.shape != (len(s),):
        raise ValueError(f"labels must have shape (N,) = ({len(s)},), one per box, got {lab.shape}.")
    a = np.asarray(real_array(b, "boxes"), dtype=np.float64)
    keep = []
    for c in np.unique(lab):
        idx = np.flatnonzero(lab == c)
        keep.extend(idx[non_max_suppression(a[idx], s[idx], thr)].tolist())
    keep.sort(key=lambda k: (-s[k], k))
    return _as_kind(keep, boxes)


def anchor_boxes(feature_size: tuple[int, int], stride: float, scales=(32, 64, 128),
                 ratios=(0.5, 1.0, 2.0)) -> np.ndarray:
    """Faster R-CNN's anchors: ``len(scales) * len(ratios)`` boxes centred on every cell.

    ``feature_size`` (H_f, W_f) cells, each ``stride`` image pixels; an anchor of scale s
    and ratio r = h / w has area s^2, w = s / sqrt(r), h = s * sqrt(r), centred at
    ((j + 0.5) stride, (i + 0.5) stride). Returns (H_f * W_f * A, 4) float64 (x1, y1, x2, y2),
    ordered by row i, column j, then scale, then ratio. Introduced in 04_object_detection.
    """
    if not isinstance(feature_size, (tuple, list)) or len(feature_size) != 2:
        raise TypeError(f"feature_size must be a tuple (H_f, W_f), got {feature_size!r}.")
    hf, wf = integer(feature_size[0], "feature_size", 1), integer(feature_size[1], "feature_size", 1)
    stride = positive(stride, "stride")
    sc = np.array([positive(s, "scales") for s in scales], float)
    ra = np.array([positive(r, "ratios") for r in ratios], float)
    w = (sc[:, None] / np.sqrt(ra[None, :])).ravel()           # (A,)
    h = (sc[:, None] * np.sqrt(ra[None, :])).ravel()
    cy, cx = np.meshgrid((np.arange(hf) + 0.5) * stride, (np.arange(wf) + 0.5) * stride, indexing="ij")
    cx, cy = cx.ravel()[:, None], cy.ravel()[:, None]            # (H_f W_f, 1)
    out = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], -1)
    return out.reshape(-1, 4)


def assign_anchors(anchors, gt_boxes, positive_iou: float = 0.7, negative_iou: float = 0.3) -> np.ndarray:
    """The RPN's labelling of anchors by IoU with the ground truth.

    ``anchors`` (A, 4), ``gt_boxes`` (G, 4). Returns (A,) int64: the index of the matched
    ground-truth box for a positive anchor (IoU >= ``positive_iou`` with it, or the anchor
    with the highest IoU for some ground-truth box, ties: lowest anchor index), -1 for a
    negative anchor (best IoU < ``negative_iou``), -2 for ignored (in between). A positive
    anchor is matched to its highest-IoU box (ties: lowest box index). Introduced in
    04_object_detection.
    """
    an = np.asarray(real_array(check_boxes(anchors, "anchors"), "anchors"), dtype=np.float64)
    gt = np.asarray(real_array(check_boxes(gt_boxes, "gt_boxes"), "gt_boxes"), dtype=np.float64)
    pos = fraction(positive_iou, "positive_iou")
    neg = fraction(negative_iou, "negative_iou", allow_zero=True)
    if neg > pos:
        raise ValueError(f"negative_iou must be <= positive_iou, got {neg} > {pos}.")
    out = np.full(len(an), -1, np.int64)
    if len(gt) == 0 or len(an) == 0:
        return out
    ov = iou(an, gt)                                             # (A, G)
    best_gt, best = ov.argmax(1), ov.max(1)
    out[(best >= neg) & (best < pos)] = -2
    out[best >= pos] = best_gt[best >= pos]
    top = ov.max(0)                                              # (G,) each box's best IoU
    low_quality = ((ov == top[None, :]) & (top[None, :] > 0)).any(1)
    out[low_quality] = best_gt[low_quality]                      # every box gets its best anchor(s)
    return out


def ssd_default_boxes(feature_sizes=(8, 4, 2, 1), image_size: int = 64, s_min: float = 0.2,
                      s_max: float = 0.9, ratios=(1.0, 2.0, 0.5)) -> list[np.ndarray]:
    """SSD's default boxes: one scale per feature map, several aspect ratios per cell.

    Map k of m (square, ``feature_sizes[k]`` cells) has scale
    ``s_k = s_min + (s_max - s_min) k / (m - 1)`` (a fraction of ``image_size``); each cell
    gets a box of width ``s_k sqrt(r)`` and height ``s_k / sqrt(r)`` per ratio r, plus one
    extra square box of side ``sqrt(s_k s_{k+1})``. Returns a list of m arrays
    (f_k * f_k * (len(ratios) + 1), 4) in pixels (x1, y1, x2, y2). Introduced in
    04_object_detection.
    """
    sizes = [integer(f, "feature_sizes", 1) for f in feature_sizes]
    image_size = integer(image_size, "image_size", 1)
    s_min, s_max = fraction(s_min, "s_min"), fraction(s_max, "s_max")
    m = len(sizes)
    scales = [s_min + (s_max - s_min) * k / max(m - 1, 1) for k in range(m)] + [1.0]
    out = []
    for k, f in enumerate(sizes):
        wh = [(scales[k] * math.sqrt(r), scales[k] / math.sqrt(number(r, "ratios", low=0, low_open=True)))
              for r in ratios]
        wh.append((math.sqrt(scales[k] * scales[k + 1]),) * 2)
        wh = np.array(wh) * image_size                           # (A, 2)
        c = (np.arange(f) + 0.5) / f * image_size
        cy, cx = np.meshgrid(c, c, indexing="ij")
        cx, cy = cx.ravel()[:, None], cy.ravel()[:, None]
        out.append(np.stack([cx - wh[:, 0] / 2, cy - wh[:, 1] / 2, cx + wh[:, 0] / 2,
                             cy + wh[:, 1] / 2], -1).reshape(-1, 4))
    return out

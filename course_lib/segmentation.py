"""Semantic segmentation from scratch (chapter 05): per-pixel losses and their gradients,
metrics from a confusion matrix, and the state behind the chapter's widgets.

Layout as in torch: class scores ``logits`` are ``(N, K, H, W)`` (K classes, class 0 the
background), a class map ``target``/``pred`` is ``(N, H, W)`` (or ``(H, W)``) of integer
class ids in ``0..K-1``. The losses follow cs231n's layers: ``loss, dlogits = f(logits,
target)``, the gradient written out by hand (float64 in, float64 out). The chapter's
other rooms:

- :mod:`course_lib.models.unet`: the U-Net and its blocks (re-exported here);
- :mod:`course_lib.upsampling`: nearest and bilinear upsampling from scratch and the
  checkerboard measure of a transposed convolution.

Bad input raises from :mod:`course_lib._checks`: TypeError for the wrong kind of value
(a float array of class ids, a list), ValueError for a wrong value (NaN logits, a class id
out of range, shapes that differ). Introduced in 05_semantic_segmentation.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn as nn

from course_lib import _checks
from course_lib.models.unet import UNet, center_crop, double_conv, unet_output_size
from course_lib.train import evaluating

__all__ = [
    "UNet", "double_conv", "center_crop", "unet_output_size",
    "softmax2d", "one_hot", "pixel_cross_entropy", "soft_dice_loss",
    "confusion_matrix", "iou_per_class", "mean_iou", "pixel_accuracy", "boundary_mask",
    "predict_proba", "prediction_view",
]


# --- checks shared by the losses and the metrics ------------------------------------------
def _logits(logits: Any, name: str = "logits") -> np.ndarray:
    """(N, K, H, W) finite float64 scores with K >= 2."""
    a = _checks.real_array(logits, name, dtype=np.float64)
    _checks.ndim(a, name, 4, "(N, K, H, W)")
    if a.shape[1] < 2 or 0 in a.shape:
        raise ValueError(f"{name} must have K >= 2 class scores on axis 1 and no empty axis, got shape {a.shape}.")
    return a


def _class_map(value: Any, name: str, classes: int, shape: tuple | None = None,
               shape_name: str = "") -> np.ndarray:
    """An integer class map with ids in 0..classes-1 (and the given ``shape``) as int64."""
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        value = value.detach().cpu().numpy()
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name} must be a numpy array (or torch tensor) of integer class ids, "
                        f"got {type(value).__name__}.")
    if shape is not None and value.shape != tuple(shape):
        raise ValueError(f"{name} must have the shape {tuple(shape)} of {shape_name}, got {value.shape}.")
    return _checks.labels(value, name, classes)


# --- losses -------------------------------------------------------------------------------
def softmax2d(logits: Any) -> np.ndarray:
    """Softmax over the class axis at every pixel: (N, K, H, W) -> probabilities (N, K, H, W).

    Subtracts the per-pixel maximum first (the same probabilities, no overflow).
    Introduced in 05_semantic_segmentation.
    """
    z = _logits(logits)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def one_hot(target: Any, num_classes: int) -> np.ndarray:
    """A class map (N, H, W) as one-hot float64 (N, K, H, W): 1 in channel ``target[n, h, w]``.
    Introduced in 05_semantic_segmentation."""
    k = _checks.integer(num_classes, "num_classes", 1)
    t = _class_map(target, "target", k)
    return np.moveaxis(np.eye(k)[t], -1, 1)


def pixel_cross_entropy(logits: Any, target: Any) -> tuple[float, np.ndarray]:
    """Cross-entropy averaged over every pixel of the batch, and its gradient.

    ``logits`` (N, K, H, W), ``target`` (N, H, W) integer ids in 0..K-1. With p the softmax
    over K: L = -1/(N H W) * sum_{n,h,w} log p[n, target[n,h,w], h, w]; the gradient is
    dL/dlogits = (p - one_hot(target)) / (N H W), shape (N, K, H, W). Equal to
    ``F.cross_entropy(logits, target)`` and its autograd. Introduced in 05_semantic_segmentation.
    """
    z = _logits(logits)
    n, k, h, w = z.shape
    t = _class_map(target, "target", k, (n, h, w), "logits without the class axis (N, H, W)")
    shifted = z - z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))   # log-softmax
    picked = np.take_along_axis(log_p, t[:, None], axis=1)                 # log p of the true class
    m = n * h * w
    loss = float(-picked.sum() / m)
    dlogits = (np.exp(log_p) - np.moveaxis(np.eye(k)[t], -1, 1)) / m
    return loss, dlogits


def soft_dice_loss(logits: Any, target: Any, eps: float = 1.0) -> tuple[float, np.ndarray]:
    """Soft Dice loss over the K classes (batch pooled), and its gradient.

    With p = softmax(logits) and g = one_hot(target), for each class c, summing over the
    batch and the pixels: D_c = (2 sum p_c g_c + eps) / (sum p_c + sum g_c + eps), and
    L = 1 - (1/K) sum_c D_c. ``eps`` (> 0) keeps an absent class (both sums 0) at D_c = 1.
    The gradient goes through dD_c/dp_c = (2 g_c (S_c + eps) - (2 I_c + eps)) / (S_c + eps)^2
    and the softmax Jacobian. ``logits`` (N, K, H, W), ``target`` (N, H, W) ->
    (loss, dlogits of shape (N, K, H, W)). Introduced in 05_semantic_segmentation.
    """
    z = _logits(logits)
    n, k, h, w = z.shape
    t = _class_map(target, "target", k, (n, h, w), "logits without the class axis (N, H, W)")
    eps = _checks.positive(eps, "eps")
    p = softmax2d(z)
    g = np.moveaxis(np.eye(k)[t], -1, 1)
    inter = (p * g).sum(axis=(0, 2, 3))                       # I_c
    total = p.sum(axis=(0, 2, 3)) + g.sum(axis=(0, 2, 3))     # S_c
    dice = (2 * inter + eps) / (total + eps)
    loss = float(1.0 - dice.mean())
    shape = (1, k, 1, 1)
    dp = -(2 * g * (total + eps).reshape(shape) - (2 * inter + eps).reshape(shape)) \
        / ((total + eps) ** 2).reshape(shape) / k
    dlogits = p * (dp - (p * dp).sum(axis=1, keepdims=True))  # softmax backward
    return loss, dlogits


# --- metrics from a confusion matrix ----------------------------------------------------------
def confusion_matrix(target: Any, pred: Any, num_classes: int) -> np.ndarray:
    """Pixel counts ``cm[i, j]`` = pixels of true class i predicted as class j, (K, K) int64.

    ``target`` and ``pred``: integer class maps of the same shape (any number of axes),
    ids in 0..K-1. Rows sum to each class's true pixels, columns to its predicted pixels,
    the diagonal counts the correct ones. Introduced in 05_semantic_segmentation.
    """
    k = _checks.integer(num_classes, "num_classes", 1)
    t = _class_map(target, "target", k)
    p = _class_map(pred, "pred", k, t.shape, "target")
    return np.bincount((k * t + p).ravel(), minlength=k * k).reshape(k, k)


def _cm(cm: Any) -> np.ndarray:
    a = _checks.real_array(cm, "cm")
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        raise ValueError(f"cm must be a square (K, K) confusion matrix, got shape {a.shape}.")
    if (a < 0).any() or (a != np.round(a)).any():
        raise ValueError("cm must hold pixel counts (non-negative whole numbers).")
    return a


def iou_per_class(cm: Any) -> np.ndarray:
    """Intersection over union of each class from a confusion matrix: (K, K) -> (K,) float64.

    IoU_c = TP_c / (TP_c + FP_c + FN_c) = cm[c, c] / (row_c + col_c - cm[c, c]): the pixels
    both call c over the pixels either calls c. NaN for a class absent from both maps
    (0/0: no evidence either way). Introduced in 05_semantic_segmentation.
    """
    a = _cm(cm)
    tp = np.diag(a)
    union = a.sum(axis=1) + a.sum(axis=0) - tp
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, tp / np.where(union > 0, union, 1), np.nan)


def mean_iou(cm: Any) -> float:
    """Mean IoU: the average of :func:`iou_per_class` over the classes present (NaNs skipped).

    Every class counts the same however few pixels it has, so a model that ignores a small
    class scores low even with a high pixel accuracy. Introduced in 05_semantic_segmentation.
    """
    ious = iou_per_class(cm)
    if np.isnan(ious).all():
        raise ValueError("cm is all zeros: there are no pixels to score.")
    return float(np.nanmean(ious))


def pixel_accuracy(cm: Any) -> float:
    """Fraction of pixels whose class is right: trace(cm) / sum(cm).
    Introduced in 05_semantic_segmentation."""
    a = _cm(cm)
    if a.sum() == 0:
        raise ValueError("cm is all zeros: there are no pixels to score.")
    return float(np.trace(a) / a.sum())


def boundary_mask(mask: Any, width: int = 1) -> np.ndarray:
    """Pixels within ``width`` pixels (chessboard distance) of a class boundary: a bool map
    of ``mask``'s shape ((H, W) or (N, H, W)). A pixel is on the boundary when a neighbour in
    its (2 width + 1)^2 window has another class (the image border does not count).
    Introduced in 05_semantic_segmentation.
    """
    width = _checks.integer(width, "width", 1)
    m = _class_map(mask, "mask", np.iinfo(np.int64).max)
    if m.ndim not in (2, 3):
        raise ValueError(f"mask must be (H, W) or (N, H, W), got shape {m.shape}.")
    m3 = m[None] if m.ndim == 2 else m
    h, w = m3.shape[1:]
    pad = np.pad(m3, ((0, 0), (width, width), (width, width)), mode="edge")
    edge = np.zeros(m3.shape, dtype=bool)
    for dy in range(-width, width + 1):
        for dx in range(-width, width + 1):
            edge |= pad[:, width + dy:width + dy + h, width + dx:width + dx + w] != m3
    return edge[0] if m.ndim == 2 else edge


# --- running a model, and the scene viewer's state ------------------------------------------
def predict_proba(model: nn.Module, images: Any, batch_size: int = 64) -> np.ndarray:
    """Class probabilities of a segmentation model: images (N, C, H, W) -> (N, K, H, W) float32.

    Runs ``model`` in eval mode without gradients, in batches, and applies the softmax over
    the class axis. Introduced in 05_semantic_segmentation.
    """
    _checks.module(model, "model")
    x = _checks.real_array(images, "images", dtype=np.float32)
    _checks.ndim(x, "images", 4, "(N, C, H, W)", "predict_proba")
    batch_size = _checks.integer(batch_size, "batch_size", 1)
    out = []
    with evaluating(model):
        for k in range(0, len(x), batch_size):
            out.append(torch.softmax(model(torch.from_numpy(x[k:k + batch_size])), dim=1).numpy())
    return np.concatenate(out)


def prediction_view(image: np.ndarray, target: np.ndarray, probs: np.ndarray, threshold: float = 0.0) -> dict:
    """What the scene viewer shows for one scene, or a message for an impossible threshold.

    ``image`` (3, H, W) in [0, 1], ``target`` (H, W) class ids, ``probs`` (K, H, W) class
    probabilities, ``threshold`` in [0, 1]. A pixel gets its most probable class when that
    probability is >= ``threshold``, else it is left "unsure" (-1). Returns ``{"ok",
    "message", "rgb" (H, W, 3), "target", "pred" (H, W, -1 = unsure), "errors" (H, W: 0 right,
    1 wrong, 2 unsure), "coverage" (fraction of pixels decided), "accuracy" (on the decided
    pixels), "iou" (per class, on this scene, unsure pixels counted as wrong)}``.
    An impossible ``threshold`` (the slider's value) gives ``ok=False`` and a message;
    arrays that do not fit together are a programming error and raise ValueError/TypeError
    naming the argument. Introduced in 05_semantic_segmentation.
    """
    probs = _checks.real_array(probs, "probs")
    _checks.ndim(probs, "probs", 3, "(K, H, W)", "prediction_view")
    k = probs.shape[0]
    target = _class_map(target, "target", k, probs.shape[1:], "probs without the class axis (H, W)")
    image = _checks.real_array(image, "image")
    if image.shape[1:] != probs.shape[1:] or image.ndim != 3:
        raise ValueError(f"prediction_view: image must have shape (C, H, W) with (H, W) = {probs.shape[1:]} "
                         f"as probs, got {image.shape}.")
    try:
        threshold = _checks.number(threshold, "threshold", 0.0, 1.0)
    except (TypeError, ValueError) as err:
        return {"ok": False, "message": f"Impossible setting: {err}"}
    best = probs.argmax(axis=0)
    sure = probs.max(axis=0) >= threshold
    pred = np.where(sure, best, -1)
    errors = np.where(sure, (best != target).astype(np.int64), 2)
    coverage = float(sure.mean())
    accuracy = float((best == target)[sure].mean()) if sure.any() else float("nan")
    # unsure pixels get an id no class has (k), so they count against every class they miss
    cm = np.bincount(((k + 1) * target + np.where(sure, best, k)).ravel(),
                     minlength=(k + 1) ** 2).reshape(k + 1, k + 1)[:k]
    tp = cm[np.arange(k), np.arange(k)]
    union = cm.sum(axis=1) + cm[:, :k].sum(axis=0) - tp
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = np.where(union > 0, tp / np.maximum(union, 1), np.nan)
    msg = (f"threshold {threshold:.2f}: {100 * coverage:.1f}% of the pixels decided, "
           + (f"{100 * accuracy:.1f}% of those right" if sure.any() else "none decided")
           + f"; mean IoU on this scene {np.nanmean(iou):.3f}")
    return {"ok": True, "message": msg, "rgb": np.moveaxis(np.asarray(image), 0, -1), "target": target,
            "pred": pred, "errors": errors, "coverage": coverage, "accuracy": accuracy, "iou": iou}

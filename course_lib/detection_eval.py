"""Evaluating a detector from scratch (chapter 04): precision, recall, AP, COCO mAP.

Detections of a data set are a list, one entry per image, of ``(boxes (K, 4), scores
(K,), labels (K,))`` (what :func:`course_lib.detection.detect` returns); the ground truth
is a list of ``(G, 4)`` boxes and a list of ``(G,)`` labels (``course_lib.data.scenes``'s
``boxes`` and ``labels``). Matching and averaging follow pycocotools' ``COCOeval``
exactly (bbox, area "all", at most 100 detections per image and class), so
:func:`coco_map` equals its ``stats[0]`` and ``mean_average_precision(..., 0.5)`` its
``stats[1]`` (AP50); ``tests/test_detection.py`` checks both. Introduced in
04_object_detection.
"""
from __future__ import annotations

import numpy as np

from course_lib._checks import choice, fraction, integer, real_array
from course_lib.detection_boxes import check_boxes, iou

__all__ = [
    "match_detections", "precision_recall", "average_precision", "class_average_precision",
    "mean_average_precision", "coco_map", "COCO_IOU_THRESHOLDS",
]

COCO_IOU_THRESHOLDS = np.linspace(0.5, 0.95, 10)          # 0.50, 0.55, ..., 0.95 as COCOeval
_RECALL_POINTS = np.linspace(0.0, 1.0, 101)


def match_detections(det_boxes, det_scores, gt_boxes, iou_threshold: float = 0.5) -> np.ndarray:
    """Which detections of one image and one class are true positives.

    Detections are taken in decreasing score order (ties: given order); each is matched to
    the not-yet-matched ground-truth box of highest IoU, if that IoU is >= ``iou_threshold``
    (ties: the later box, as COCOeval does); a matched box cannot be matched again, so a
    duplicate detection is a false positive. Returns (K,) bool *in the given order*.
    Introduced in 04_object_detection.
    """
    return _match(det_boxes, det_scores, gt_boxes, iou_threshold)[0]


def _match(det_boxes, det_scores, gt_boxes, iou_threshold):
    """:func:`match_detections`, plus for each detection the index of its ground-truth box (-1)."""
    d, g = check_boxes(det_boxes, "det_boxes"), check_boxes(gt_boxes, "gt_boxes")
    s = real_array(det_scores, "det_scores")
    if s.shape != (len(d),):
        raise ValueError(f"det_scores must have shape (K,) = ({len(d)},), one per box, got {s.shape}.")
    t = min(fraction(iou_threshold, "iou_threshold", allow_zero=True), 1 - 1e-10)
    ov = np.asarray(iou(np.asarray(real_array(d, "det_boxes"), float), np.asarray(real_array(g, "gt_boxes"), float)))
    match = np.full(len(d), -1, np.int64)
    taken = np.zeros(len(g), bool)
    for k in np.argsort(-s, kind="stable"):
        best, m = t, -1
        for j in range(len(g)):
            if not taken[j] and ov[k, j] >= best:
                best, m = ov[k, j], j
        if m >= 0:
            taken[m], match[k] = True, m
    return match >= 0, match


def precision_recall(scores, is_tp, n_gt: int) -> tuple[np.ndarray, np.ndarray]:
    """Precision and recall after each detection, best score first.

    ``scores`` (K,), ``is_tp`` (K,) bool, ``n_gt`` ground-truth objects (> 0). Sorts by
    decreasing score (ties: given order); returns ``precision = TP / (TP + FP)`` and
    ``recall = TP / n_gt``, each (K,), cumulative. Introduced in 04_object_detection.
    """
    s = real_array(scores, "scores")
    tp = np.asarray(is_tp)
    if tp.dtype != bool or tp.shape != s.shape or s.ndim != 1:
        raise ValueError(f"is_tp must be a bool array of the shape of scores {s.shape}, got "
                         f"{tp.dtype} {tp.shape}.")
    n_gt = integer(n_gt, "n_gt", 1)
    order = np.argsort(-s, kind="stable")
    tps = np.cumsum(tp[order]).astype(float)
    fps = np.cumsum(~tp[order]).astype(float)
    return tps / np.maximum(tps + fps, np.spacing(1)), tps / n_gt


def average_precision(precision, recall, method: str = "all") -> float:
    """Area under the precision-recall curve, three ways.

    ``precision``, ``recall`` (K,) from :func:`precision_recall`. ``method``:
    ``"all"`` (PASCAL VOC 2010+): precision made non-increasing from the right
    (``p_interp(r) = max_{r' >= r} p(r')``), summed over recall steps;
    ``"11point"`` (VOC 2007): mean of ``p_interp`` at recall 0, 0.1, ..., 1;
    ``"101point"`` (COCO): mean of ``p_interp`` at recall 0, 0.01, ..., 1 (0 past the
    largest recall). Returns a float in [0, 1]. Introduced in 04_object_detection.
    """
    p, r = real_array(precision, "precision", dtype=np.float64), real_array(recall, "recall", dtype=np.float64)
    if p.shape != r.shape or p.ndim != 1:
        raise ValueError(f"precision {p.shape} and recall {r.shape} must be 1-D of the same length.")
    if np.any(np.diff(r) < 0) or (r.size and (r.min() < 0 or r.max() > 1)):
        raise ValueError("recall must be non-decreasing and within [0, 1] (cumulative, best score first).")
    method = choice(method, "method", ("all", "11point", "101point"))
    if r.size == 0:
        return 0.0
    if method == "all":
        mrec = np.concatenate([[0.0], r, [1.0]])
        mpre = np.concatenate([[0.0], p, [0.0]])
        mpre = np.maximum.accumulate(mpre[::-1])[::-1]
        step = np.flatnonzero(mrec[1:] != mrec[:-1])
        return float(np.sum((mrec[step + 1] - mrec[step]) * mpre[step + 1]))
    env = np.maximum.accumulate(p[::-1])[::-1]
    if method == "11point":
        return float(np.mean([env[r >= t].max() if np.any(r >= t) else 0.0 for t in np.linspace(0, 1, 11)]))
    idx = np.searchsorted(r, _RECALL_POINTS, side="left")
    return float(np.mean(np.where(idx < len(env), env[np.minimum(idx, len(env) - 1)], 0.0)))


def _check_dataset(detections, gt_boxes, gt_labels):
    if not isinstance(detections, (list, tuple)) or not isinstance(gt_boxes, (list, tuple)) \
            or not isinstance(gt_labels, (list, tuple)):
        raise TypeError("detections, gt_boxes and gt_labels must be lists with one entry per image.")
    if not len(detections) == len(gt_boxes) == len(gt_labels):
        raise ValueError(f"detections ({len(detections)}), gt_boxes ({len(gt_boxes)}) and gt_labels "
                         f"({len(gt_labels)}) must have one entry per image each.")


def class_average_precision(detections, gt_boxes, gt_labels, label: int, iou_threshold: float = 0.5,
                            method: str = "101point", max_detections: int = 100) -> float:
    """AP of one class over a data set, or NaN if the class has no ground-truth box.

    Per image: the class's detections, best ``max_detections`` by score, matched with
    :func:`match_detections`; then all images' detections pooled, sorted by score (ties:
    image order), :func:`precision_recall` and :func:`average_precision` with ``method``.
    Introduced in 04_object_detection.
    """
    _check_dataset(detections, gt_boxes, gt_labels)
    label, max_det = integer(label, "label", 0), integer(max_detections, "max_detections", 1)
    scores, tps, n_gt = [], [], 0
    for (b, s, lab), g, gl in zip(detections, gt_boxes, gt_labels):
        b, s, lab = np.asarray(b, float).reshape(-1, 4), np.asarray(s, float), np.asarray(lab)
        g = np.asarray(g, float).reshape(-1, 4)[np.asarray(gl) == label]
        n_gt += len(g)
        mine = np.flatnonzero(lab == label)
        mine = mine[np.argsort(-s[mine], kind="stable")][:max_det]
        scores.append(s[mine])
        tps.append(match_detections(b[mine], s[mine], g, iou_threshold))
    if n_gt == 0:
        return float("nan")
    scores, tps = np.concatenate(scores), np.concatenate(tps)
    p, r = precision_recall(scores, tps, n_gt)
    return average_precision(p, r, method)


def mean_average_precision(detections, gt_boxes, gt_labels, iou_threshold: float = 0.5,
                           method: str = "101point") -> float:
    """mAP: the mean of :func:`class_average_precision` over the classes that have
    ground truth (``method`` "101point" as COCO's AP50 by default, "all" for VOC).
    Introduced in 04_object_detection."""
    _check_dataset(detections, gt_boxes, gt_labels)
    classes = np.unique(np.concatenate([np.asarray(gl).ravel() for gl in gt_labels] + [np.zeros(0, int)]))
    if classes.size == 0:
        raise ValueError("gt_labels holds no ground-truth box: mAP is undefined.")
    return float(np.mean([class_average_precision(detections, gt_boxes, gt_labels, int(c), iou_threshold, method)
                          for c in classes]))


def coco_map(detections, gt_boxes, gt_labels, iou_thresholds=COCO_IOU_THRESHOLDS) -> float:
    """COCO's mAP@[.5:.95]: :func:`mean_average_precision` (101-point) averaged over the IoU
    thresholds 0.50, 0.55, ..., 0.95. Introduced in 04_object_detection."""
    thresholds = real_array(np.asarray(iou_thresholds, float), "iou_thresholds")
    return float(np.mean([mean_average_precision(detections, gt_boxes, gt_labels, float(t), "101point")
                          for t in thresholds]))

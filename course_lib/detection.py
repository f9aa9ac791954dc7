"""Object detection from scratch (chapter 04): the chapter's namespace and its widgets' state.

A notebook needs only ``from course_lib import detection``; the rooms, split by idea:

- :mod:`course_lib.detection_boxes`: box formats, :func:`iou`, :func:`non_max_suppression`
  (and per class), anchors and their assignment, SSD's default boxes;
- :mod:`course_lib.detection_rcnn`: sliding windows, the classifier made fully
  convolutional, Fast R-CNN's RoI pooling;
- :mod:`course_lib.detection_yolo`: the localisation target, YOLO's grid encoding,
  decoding and loss, the tiny YOLO, :func:`detect`;
- :mod:`course_lib.detection_eval`: precision, recall, AP (VOC, COCO) and mAP.

This file adds the pure state functions of the chapter's widgets (what to draw, or a
message for a setting that makes no sense). Introduced in 04_object_detection.
"""
from __future__ import annotations

import numpy as np

from course_lib._checks import integer, number, real_array
from course_lib.detection_boxes import (
    anchor_boxes, assign_anchors, box_area, center_to_corners, check_boxes, corners_to_center,
    iou, iou_loop, non_max_suppression, non_max_suppression_loop, non_max_suppression_per_class,
    ssd_default_boxes,
)
from course_lib.detection_eval import (
    COCO_IOU_THRESHOLDS, _match, average_precision, class_average_precision, coco_map, match_detections,
    mean_average_precision, precision_recall,
)
from course_lib.detection_rcnn import (
    fully_convolutional, roi_pool, roi_pool_bruteforce, sliding_windows, window_classifier,
)
from course_lib.detection_yolo import (
    CHECKPOINT, TinyYOLO, detect, load_tiny_yolo, localization_loss, localization_target,
    raw_detections, save_tiny_yolo, yolo_decode, yolo_encode, yolo_loss,
)

__all__ = [
    "check_boxes", "box_area", "corners_to_center", "center_to_corners", "iou", "iou_loop",
    "non_max_suppression", "non_max_suppression_loop", "non_max_suppression_per_class",
    "anchor_boxes", "assign_anchors", "ssd_default_boxes",
    "window_classifier", "fully_convolutional", "sliding_windows", "roi_pool", "roi_pool_bruteforce",
    "localization_target", "localization_loss", "yolo_encode", "yolo_decode", "yolo_loss",
    "TinyYOLO", "detect", "raw_detections", "load_tiny_yolo", "save_tiny_yolo", "CHECKPOINT",
    "match_detections", "precision_recall", "average_precision", "class_average_precision",
    "mean_average_precision", "coco_map", "COCO_IOU_THRESHOLDS",
    "iou_explorer_state", "nms_explorer_state", "viewer_state",
]


def _threshold(value, name: str) -> tuple[float | None, str | None]:
    """A threshold as a float, or a message when it is not a number in [0, 1]."""
    try:
        return number(value, name, low=0.0, high=1.0), None
    except (TypeError, ValueError) as err:
        return None, str(err)


def iou_explorer_state(box_a, box_b) -> dict:
    """What the IoU explorer draws for two boxes (x1, y1, x2, y2).

    Returns ``{"message": str}`` for an impossible box (x2 < x1 or y2 < y1), else
    ``box_a``, ``box_b``, ``overlap`` (the intersection box, or ``None``), the areas
    ``area_a``, ``area_b``, ``intersection``, ``union`` and ``iou``. Introduced in
    04_object_detection.
    """
    try:
        a = check_boxes(np.asarray(box_a, dtype=np.float64).reshape(1, 4), "box A")
        b = check_boxes(np.asarray(box_b, dtype=np.float64).reshape(1, 4), "box B")
    except (TypeError, ValueError) as err:
        return {"message": str(err)}
    lo, hi = np.maximum(a[0, :2], b[0, :2]), np.minimum(a[0, 2:], b[0, 2:])
    inter = float(np.prod(np.clip(hi - lo, 0, None)))
    area_a, area_b = float(box_area(a)[0]), float(box_area(b)[0])
    return {"box_a": a[0], "box_b": b[0], "overlap": np.concatenate([lo, hi]) if np.all(hi > lo) else None,
            "area_a": area_a, "area_b": area_b, "intersection": inter,
            "union": area_a + area_b - inter, "iou": float(iou(a, b)[0, 0])}


def nms_explorer_state(boxes, scores, labels, score_threshold: float, iou_threshold: float) -> dict:
    """What the NMS explorer draws: raw boxes -> score threshold -> per-class NMS.

    ``boxes`` (N, 4), ``scores`` (N,), ``labels`` (N,) one image's raw detections. Returns
    ``{"message": str}`` for a threshold outside [0, 1] or when no box scores above the
    threshold; else index arrays ``candidates`` (score > threshold), ``kept`` (after NMS,
    best first) and ``suppressed`` (candidates not kept), and ``suppressed_by`` (for each
    suppressed box, the kept box of its class with the highest IoU). Introduced in
    04_object_detection.
    """
    st, msg = _threshold(score_threshold, "score threshold")
    it, msg2 = _threshold(iou_threshold, "IoU threshold")
    if msg or msg2:
        return {"message": msg or msg2}
    b = np.asarray(real_array(boxes, "boxes"), dtype=np.float64).reshape(-1, 4)
    s, lab = np.asarray(real_array(scores, "scores")), np.asarray(labels)
    cand = np.flatnonzero(s > st)
    if cand.size == 0:
        return {"message": f"No box scores above {st:.2f}: lower the score threshold "
                           f"(the best score here is {s.max() if s.size else 0:.2f})."}
    kept = cand[non_max_suppression_per_class(b[cand], s[cand], lab[cand], it)]
    suppressed = np.setdiff1d(cand, kept)
    by = []
    for k in suppressed:
        same = kept[lab[kept] == lab[k]]
        by.append(int(same[np.argmax(iou(b[[k]], b[same])[0])]) if same.size else -1)
    return {"candidates": cand, "kept": kept, "suppressed": suppressed,
            "suppressed_by": np.asarray(by, np.int64)}


def viewer_state(detections, gt_boxes, gt_labels, index: int, score_threshold: float,
                 iou_threshold: float = 0.5) -> dict:
    """What the detection viewer draws for scene ``index``: predictions scoring above the
    threshold, each marked true or false positive (:func:`match_detections` per class),
    and the ground truth, each marked found or missed.

    Returns ``{"message": str}`` for an index out of range or a bad threshold, else
    ``boxes``, ``scores``, ``labels``, ``tp`` (bool per prediction), ``gt_boxes``,
    ``gt_labels``, ``found`` (bool per ground-truth box). Introduced in 04_object_detection.
    """
    try:
        i = integer(index, "scene", 0)
        if i >= len(detections):
            raise ValueError(f"scene must be in 0..{len(detections) - 1}, got {i}.")
    except (TypeError, ValueError) as err:
        return {"message": str(err)}
    st, msg = _threshold(score_threshold, "score threshold")
    it, msg2 = _threshold(iou_threshold, "IoU threshold")
    if msg or msg2:
        return {"message": msg or msg2}
    b, s, lab = detections[i]
    keep = s > st
    b, s, lab = b[keep], s[keep], lab[keep]
    g, gl = np.asarray(gt_boxes[i], float).reshape(-1, 4), np.asarray(gt_labels[i])
    tp, found = np.zeros(len(b), bool), np.zeros(len(g), bool)
    for c in np.union1d(lab, gl):
        d_idx, g_idx = np.flatnonzero(lab == c), np.flatnonzero(gl == c)
        tp[d_idx], m = _match(b[d_idx], s[d_idx], g[g_idx], it)
        found[g_idx[m[m >= 0]]] = True
    return {"boxes": b, "scores": s, "labels": lab, "tp": tp, "gt_boxes": g, "gt_labels": gl, "found": found}

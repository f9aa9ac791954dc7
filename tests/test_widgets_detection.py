"""Headless tests of the chapter-04 widgets: build them, set .value, read what they show
(no browser). The computation is course_lib.detection (tested in test_detection.py); here
the wiring: state, message, the drawn artists, the displayed image."""
from __future__ import annotations

import ipywidgets as W
import numpy as np
import pytest
import torch

from course_lib import data, detection
from course_lib.widgets import detection as dw


@pytest.fixture(scope="module")
def scenes_and_model():
    torch.manual_seed(0)
    model = detection.TinyYOLO().eval()
    sc = data.scenes(6, seed=4)
    return sc, model


def test_iou_explorer_structure_and_follows_sliders():
    w = dw.iou_explorer(box_a=(0, 0, 20, 20), box_b=(10, 10, 30, 30))
    assert isinstance(w, W.VBox) and not isinstance(w.children[0], W.VBox)
    assert w.children[1] is w.message and w.children[2] is w.image
    assert w.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert w.state["iou"] == pytest.approx(100 / 700)
    assert "0.143" in w.message.value
    png = w.image.value
    w.bx1.value, w.by1.value = 0, 0                         # B = (0, 0, 30, 30) contains A
    assert w.state["iou"] == pytest.approx(400 / 900)
    assert w.artists["overlap"].get_visible() and w.artists["overlap"].get_width() == 20
    assert w.image.value != png
    w.bx1.value = 20                                        # touching: IoU 0, no overlap drawn
    assert w.state["iou"] == 0 and not w.artists["overlap"].get_visible()


def test_iou_explorer_impossible_box_gives_a_message_not_an_exception():
    w = dw.iou_explorer()
    w.ax1.value = 60                                        # x1 > x2
    assert "message" in w.state and "Impossible box" in w.message.value
    assert "x2 &lt; x1" in w.message.value
    assert not w.artists["a"].get_visible()
    w.ax1.value = 2
    assert "iou" in w.state and w.artists["a"].get_visible()


def test_nms_explorer_thresholds_change_what_is_kept(scenes_and_model):
    sc, model = scenes_and_model
    raw = detection.raw_detections(model, sc.images)
    w = dw.nms_explorer(sc.images, raw, score_threshold=0.0, iou_threshold=0.5)
    b, s, lab = raw[0][0], raw[1][0], raw[2][0]
    assert w.state["candidates"].tolist() == list(range(len(s)))
    assert w.state["kept"].tolist() == np.flatnonzero(s > 0)[detection.non_max_suppression_per_class(b, s, lab, 0.5)].tolist()
    visible = sum(r.get_visible() for r in w.artists["rects"])
    assert visible == len(w.state["kept"]) + len(w.state["suppressed"])
    kept_before = len(w.state["kept"])
    w.iou.value = 1.0                                       # nothing can be suppressed
    assert len(w.state["kept"]) == len(s) > kept_before
    w.score.value = 1.0                                     # nothing scores above 1
    assert "message" in w.state and "lower the score threshold" in w.message.value
    assert not any(r.get_visible() for r in w.artists["rects"])
    w.score.value, w.scene.value = 0.0, 3
    assert np.array_equal(w.artists["image"].get_array(), sc.images[3].transpose(1, 2, 0))


def test_nms_state_reports_who_suppressed_whom():
    boxes = np.array([[0.0, 0, 10, 10], [1, 1, 10, 10], [30, 30, 40, 40], [0, 0, 10, 10]])
    st = detection.nms_explorer_state(boxes, np.array([0.9, 0.8, 0.7, 0.6]), np.array([1, 1, 1, 2]), 0.1, 0.5)
    assert st["kept"].tolist() == [0, 2, 3] and st["suppressed"].tolist() == [1]
    assert st["suppressed_by"].tolist() == [0]
    assert "message" in detection.nms_explorer_state(boxes, np.ones(4), np.ones(4, int), 1.5, 0.5)


def test_detection_viewer_marks_true_and_false_positives(scenes_and_model):
    sc, model = scenes_and_model
    dets = detection.detect(model, sc.images)
    w = dw.detection_viewer(sc.images, dets, sc.boxes, sc.labels, scene=1, score_threshold=0.0)
    st = w.state
    assert len(st["gt_boxes"]) == len(sc.boxes[1]) and len(st["boxes"]) == len(dets[1][0])
    assert f"{len(sc.boxes[1])} objects" in w.message.value
    # give the viewer the ground truth itself as detections: all found, no false positive
    perfect = [(b, np.ones(len(b)), lab) for b, lab in zip(sc.boxes, sc.labels)]
    v = dw.detection_viewer(sc.images, perfect, sc.boxes, sc.labels, scene=2, score_threshold=0.5)
    assert v.state["tp"].all() and v.state["found"].all() and len(v.state["tp"]) == len(sc.boxes[2])
    assert "0 false positives" in v.message.value and "0 missed" in v.message.value
    v.score.value = 1.0                                     # no prediction left: all missed
    assert not v.state["found"].any() and f"{len(sc.boxes[2])} missed" in v.message.value
    v.scene.value = 5
    assert len(v.state["gt_boxes"]) == len(sc.boxes[5])
    assert "message" in detection.viewer_state(perfect, sc.boxes, sc.labels, 6, 0.5)

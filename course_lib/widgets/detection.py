"""Widgets of 04_object_detection: the IoU explorer, the NMS explorer, the detection viewer.

The computation lives in ``course_lib.detection`` (``iou_explorer_state``,
``nms_explorer_state``, ``viewer_state``), the drawing in ``course_lib.plots.detection``;
here controls are wired to them. Each widget keeps its controls and what it shows as
attributes, so a test sets ``.value`` and reads the result. The model runs once, when a
widget is built; a callback only thresholds, suppresses and draws.
"""
from __future__ import annotations

import ipywidgets as W
import numpy as np

from course_lib import detection
from course_lib.plots import detection as det_plots
from course_lib.widgets._base import FigureWidget, timed

__all__ = ["IoUExplorer", "iou_explorer", "NMSExplorer", "nms_explorer", "DetectionViewer", "detection_viewer"]

_STYLE = {"description_width": "70px"}


class IoUExplorer(FigureWidget):
    """IoU explorer: sliders for box A (``w.ax1``, ``w.ay1``, ``w.ax2``, ``w.ay2``) and box
    B (``w.bx1`` ...), on a 64x64 canvas. ``children[0]`` is the controls GridBox, then
    ``w.message`` (the IoU as a fraction, or why a box is impossible) and ``w.image``.
    ``w.state`` is the current ``detection.iou_explorer_state`` dict.
    """

    def __init__(self, box_a=(8, 8, 40, 36), box_b=(24, 20, 56, 56), size: int = 64):
        super().__init__(*det_plots.iou_explorer_figure(size))
        names = ("x1", "y1", "x2", "y2")
        self.sliders = []
        for prefix, box in (("a", box_a), ("b", box_b)):
            for name, v in zip(names, box):
                s = W.IntSlider(value=int(v), min=0, max=size, description=f"{prefix.upper()} {name}", style=_STYLE)
                setattr(self, prefix + name, s)
                self.sliders.append(s)
                s.observe(self._update, names="value")
        controls = W.GridBox(self.sliders, layout=W.Layout(grid_template_columns="repeat(2, 300px)"))
        self.state: dict = {}
        self.children = [controls, self.message, self.image]
        self._update()

    @timed
    def _update(self, change=None) -> None:
        a = [s.value for s in self.sliders[:4]]
        b = [s.value for s in self.sliders[4:]]
        self.state = detection.iou_explorer_state(a, b)
        if "message" in self.state:
            self.say(("Impossible box: " + self.state["message"], "error"))
        else:
            st = self.state
            self.say(f"intersection {st['intersection']:.0f}, union {st['area_a']:.0f} + {st['area_b']:.0f} "
                     f"- {st['intersection']:.0f} = {st['union']:.0f}", (f"IoU = {st['iou']:.3f}", "ok"))
        det_plots.draw_iou_explorer(self.artists, self.state)
        self.show_figure()


def iou_explorer(box_a=(8, 8, 40, 36), box_b=(24, 20, 56, 56)) -> IoUExplorer:
    """Build the IoU explorer (see ``IoUExplorer``). Introduced in 04_object_detection."""
    return IoUExplorer(box_a, box_b)


class NMSExplorer(FigureWidget):
    """NMS explorer on a model's raw detections: ``w.scene`` (which image), ``w.score``
    (score threshold), ``w.iou`` (IoU threshold). ``w.state`` is the current
    ``detection.nms_explorer_state`` dict (``candidates``, ``kept``, ``suppressed``);
    kept boxes are drawn solid with their score, suppressed ones dotted.

    ``raw`` is ``(boxes (N, K, 4), scores (N, K), labels (N, K))`` from
    ``detection.raw_detections(model, images)``, computed once.
    """

    def __init__(self, images: np.ndarray, raw: tuple, scene: int = 0, score_threshold: float = 0.2,
                 iou_threshold: float = 0.5):
        super().__init__(*det_plots.nms_figure())
        self.images, (self.boxes, self.scores, self.labels) = images, raw
        self.scene = W.IntSlider(value=scene, min=0, max=len(images) - 1, description="scene", style=_STYLE)
        self.score = W.FloatSlider(value=score_threshold, min=0.0, max=1.0, step=0.01, description="score >",
                                   style=_STYLE)
        self.iou = W.FloatSlider(value=iou_threshold, min=0.0, max=1.0, step=0.05, description="IoU >",
                                 style=_STYLE)
        for c in (self.scene, self.score, self.iou):
            c.observe(self._update, names="value")
        controls = W.GridBox([self.scene, self.score, self.iou],
                             layout=W.Layout(grid_template_columns="repeat(3, 300px)"))
        self.state: dict = {}
        self.children = [controls, self.message, self.image]
        self._update()

    @timed
    def _update(self, change=None) -> None:
        i = self.scene.value
        self.state = detection.nms_explorer_state(self.boxes[i], self.scores[i], self.labels[i],
                                                  self.score.value, self.iou.value)
        if "message" in self.state:
            self.say((self.state["message"], "error"))
        else:
            st = self.state
            self.say(f"{len(st['candidates'])} boxes score above {self.score.value:.2f}",
                     (f"{len(st['kept'])} kept", "ok"), f"{len(st['suppressed'])} suppressed (IoU with a "
                     f"better box of their class > {self.iou.value:.2f})")
        det_plots.draw_nms(self.artists, self.images[i], self.boxes[i], self.scores[i], self.labels[i], self.state,
                           key=i)
        self.show_figure()


def nms_explorer(images: np.ndarray, raw: tuple, scene: int = 0, score_threshold: float = 0.2,
                 iou_threshold: float = 0.5) -> NMSExplorer:
    """Build the NMS explorer (see ``NMSExplorer``). Introduced in 04_object_detection."""
    return NMSExplorer(images, raw, scene, score_threshold, iou_threshold)


class DetectionViewer(FigureWidget):
    """Detection viewer: ``w.scene`` and ``w.score`` (threshold); predictions (after NMS)
    against the ground truth, true positives in their class colour, false positives red,
    missed objects dashed. ``w.state`` is the current ``detection.viewer_state`` dict.
    ``detections`` is ``detection.detect(model, images)``, computed once.
    """

    def __init__(self, images: np.ndarray, detections: list, gt_boxes: list, gt_labels: list,
                 scene: int = 0, score_threshold: float = 0.3):
        super().__init__(*det_plots.viewer_figure())
        self.images, self.detections, self.gt_boxes, self.gt_labels = images, detections, gt_boxes, gt_labels
        self.scene = W.IntSlider(value=scene, min=0, max=len(images) - 1, description="scene", style=_STYLE)
        self.score = W.FloatSlider(value=score_threshold, min=0.0, max=1.0, step=0.01, description="score >",
                                   style=_STYLE)
        for c in (self.scene, self.score):
            c.observe(self._update, names="value")
        controls = W.GridBox([self.scene, self.score], layout=W.Layout(grid_template_columns="repeat(2, 300px)"))
        self.state: dict = {}
        self.children = [controls, self.message, self.image]
        self._update()

    @timed
    def _update(self, change=None) -> None:
        i = self.scene.value
        self.state = detection.viewer_state(self.detections, self.gt_boxes, self.gt_labels, i, self.score.value)
        if "message" in self.state:
            self.say((self.state["message"], "error"))
        else:
            st = self.state
            self.say(f"{len(st['gt_boxes'])} objects", (f"{int(st['tp'].sum())} found", "ok"),
                     (f"{int((~st['tp']).sum())} false positives", "warning" if (~st["tp"]).any() else "plain"),
                     f"{int((~st['found']).sum())} missed")
        det_plots.draw_viewer(self.artists, self.images[i], self.state, key=i)
        self.show_figure()


def detection_viewer(images: np.ndarray, detections: list, gt_boxes: list, gt_labels: list,
                     scene: int = 0, score_threshold: float = 0.3) -> DetectionViewer:
    """Build the detection viewer (see ``DetectionViewer``). Introduced in 04_object_detection."""
    return DetectionViewer(images, detections, gt_boxes, gt_labels, scene, score_threshold)

"""Widgets of 05_semantic_segmentation: the scene viewer (image / ground truth / prediction /
errors with a class-probability threshold) and the layer viewer along the U.

The computation lives in ``course_lib.segmentation`` (``prediction_view``) and
``course_lib.visualize`` (``activations``, ``activation_view``), the drawing in
``course_lib.plots.segmentation``; here controls are wired to them. The model runs once,
when a widget is built; a callback only picks and draws. Each widget keeps its controls
and what it shows as attributes, so a test sets ``.value`` and reads the result.
"""
from __future__ import annotations

import ipywidgets as W
import numpy as np
import torch.nn as nn

from course_lib import _checks, segmentation, visualize
from course_lib.plots import segmentation as seg_plots
from course_lib.widgets._base import FigureWidget, timed

__all__ = ["SceneViewer", "scene_viewer", "LayerViewer", "layer_viewer"]


class SceneViewer(FigureWidget):
    """Scene viewer: ``w.scene`` (IntSlider: which scene) and ``w.threshold`` (FloatSlider: a
    pixel keeps its most probable class only if that probability is at least this much,
    else it is "unsure"). ``w.image`` shows image, ground truth, prediction and errors;
    ``w.state`` is the current ``segmentation.prediction_view(...)`` dict, ``w.message`` a
    one-line summary (pixels decided, accuracy on them, the scene's mean IoU),
    ``w.render_ms`` the last callback's duration in milliseconds.
    """

    def __init__(self, images: np.ndarray, targets: np.ndarray, probs: np.ndarray,
                 class_names: tuple, threshold: float = 0.0):
        images = _checks.real_array(images, "images")
        probs = _checks.real_array(probs, "probs")
        _checks.ndim(images, "images", 4, "(N, 3, H, W)", "scene_viewer")
        _checks.ndim(probs, "probs", 4, "(N, K, H, W)", "scene_viewer")
        targets = _checks.labels(targets, "targets", probs.shape[1])
        if targets.shape != (len(probs),) + probs.shape[2:] or images.shape[0] != len(probs):
            raise ValueError(f"scene_viewer: images {images.shape}, targets {targets.shape} and probs "
                             f"{probs.shape} must describe the same N scenes of the same H x W.")
        if len(class_names) != probs.shape[1]:
            raise ValueError(f"class_names must name the K = {probs.shape[1]} classes of probs, "
                             f"got {len(class_names)} names.")
        threshold = _checks.number(threshold, "threshold", 0.0, 1.0)
        super().__init__(*seg_plots.scene_viewer_figure(probs.shape[1], probs.shape[-1]))
        self.images, self.targets, self.probs = images, targets, probs
        self.class_names = tuple(class_names)
        self.scene = W.IntSlider(value=0, min=0, max=len(probs) - 1, description="scene")
        self.threshold = W.FloatSlider(value=threshold, min=0.0, max=1.0, step=0.05, description="threshold",
                                       readout_format=".2f")
        self.state: dict = {}
        self.scene.observe(self._update, names="value")
        self.threshold.observe(self._update, names="value")
        self.children = [W.HBox([self.scene, self.threshold]), self.message, self.image]
        self._update()

    @timed
    def _update(self, change=None) -> None:
        i = self.scene.value
        self.state = segmentation.prediction_view(self.images[i], self.targets[i], self.probs[i],
                                                  self.threshold.value)
        if not self.state["ok"]:
            self.say((self.state["message"], "error"))
            return
        seg_plots.draw_scene_viewer(self.artists, self.state)
        self.say(f"scene {i}", self.state["message"])
        self.show_figure()


def scene_viewer(images: np.ndarray, targets: np.ndarray, probs: np.ndarray, class_names: tuple,
                 threshold: float = 0.0) -> SceneViewer:
    """Build the scene viewer (see ``SceneViewer``): ``images`` (N, 3, H, W), ``targets``
    (N, H, W) class ids, ``probs`` (N, K, H, W) from ``segmentation.predict_proba``.
    Introduced in 05_semantic_segmentation."""
    return SceneViewer(images, targets, probs, class_names, threshold)


class LayerViewer(FigureWidget):
    """Layer viewer along the U: ``w.stage`` (Dropdown of the U-Net's stages in running order),
    ``w.channel`` (IntSlider), ``w.index`` (IntSlider: which image). ``w.image`` shows the U
    with the stage marked and the chosen activation map (``w.map``); ``w.state`` is
    ``visualize.activation_view(...)``; ``w.render_ms`` the last callback's duration (ms).
    The activations of every stage are computed once, when the widget is built.
    """

    def __init__(self, model: nn.Module, images: np.ndarray):
        _checks.module(model, "model")
        if not hasattr(model, "stage_names"):
            raise TypeError(f"model must be a course_lib UNet (with stage_names()), got {type(model).__name__}.")
        self.images = _checks.real_array(images, "images", dtype=np.float32)
        _checks.ndim(self.images, "images", 4, "(N, C, H, W)", "layer_viewer")
        self.stages = model.stage_names()
        self.acts = visualize.activations(model, self.images, self.stages)
        shapes = [self.acts[s].shape for s in self.stages]
        super().__init__(*seg_plots.layer_viewer_figure(self.stages, shapes, self.images.shape[-1]))
        self.stage = W.Dropdown(options=self.stages, value=self.stages[0], description="stage")
        self.channel = W.IntSlider(value=0, min=0, max=shapes[0][1] - 1, description="channel")
        self.index = W.IntSlider(value=0, min=0, max=len(self.images) - 1, description="image")
        self.state: dict = {}
        self.map = None
        self.stage.observe(self._on_stage, names="value")
        self.channel.observe(self._update, names="value")
        self.index.observe(self._update, names="value")
        self.children = [W.HBox([self.stage, self.channel, self.index]), self.message, self.image]
        self._update()

    def _on_stage(self, change=None) -> None:
        self.channel.max = self.acts[self.stage.value].shape[1] - 1   # may clip channel: one redraw
        self._update()

    @timed
    def _update(self, change=None) -> None:
        name = self.stage.value
        self.state = visualize.activation_view(self.acts, name, self.channel.value, self.index.value)
        if not self.state["ok"]:
            self.say((self.state["message"], "error"))
            return
        self.map = self.state["map"]
        what = "class score" if name == "head" else "channel"
        seg_plots.draw_layer_viewer(self.artists, self.stages.index(name), self.map,
                                    f"{name}, {what} {self.channel.value}: {self.map.shape[0]}x{self.map.shape[1]}")
        self.say(self.state["message"])
        self.show_figure()


def layer_viewer(model: nn.Module, images: np.ndarray) -> LayerViewer:
    """Build the layer viewer (see ``LayerViewer``) for a ``UNet`` and images (N, C, H, W).
    Introduced in 05_semantic_segmentation."""
    return LayerViewer(model, images)

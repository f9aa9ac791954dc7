"""Widgets of 03_cnn_architectures: the filter viewer and the activation viewer.

The numbers come from ``course_lib.visualize`` (``activations``, ``filter_view``,
``activation_view``), the drawing from ``course_lib.plots.cnn``. Activations are computed
once when a widget is built; a callback only indexes arrays.
"""
from __future__ import annotations

import ipywidgets as W
import numpy as np

from course_lib import visualize
from course_lib._checks import module
from course_lib.plots import cnn as cnn_plots
from course_lib.widgets._base import FigureWidget, timed

__all__ = ["FilterViewer", "filter_viewer", "ActivationViewer", "activation_viewer"]


class FilterViewer(FigureWidget):
    """Filter viewer: ``w.layer`` (Dropdown of the model's conv layers), ``w.channel``
    (IntSlider: which filter of that layer). ``w.image`` shows the filter's kernels (one per
    input channel, up to 16, each framed, ``w.kernels``) and its response to an example
    image (``w.response``, the conv output before the activation); ``w.state`` is
    ``visualize.filter_view(...)``. ``w.message`` describes it; ``w.render_ms`` times the
    last callback in milliseconds.
    """

    def __init__(self, model, image: np.ndarray, layer: str | None = None):
        names = visualize.conv_layers(module(model, "model"))
        if not names:
            raise ValueError("model has no Conv2d layer to show.")
        image = np.asarray(image, dtype=np.float32)
        if image.ndim != 3:
            raise ValueError(f"image must have shape (C, H, W), got {image.shape}.")
        super().__init__(*cnn_plots.filter_viewer_figure())
        modules = dict(model.named_modules())
        self.weights = {n: modules[n].weight.detach().float().numpy() for n in names}
        self.responses = {n: a[0] for n, a in visualize.activations(model, image[None], names).items()}
        self.layer = W.Dropdown(options=names, value=layer or names[0], description="layer")
        self.channel = W.IntSlider(value=0, min=0, max=len(self.weights[self.layer.value]) - 1,
                                   description="filter")
        self.state: dict = {}
        self.kernels = self.response = None
        self.layer.observe(self._on_layer, names="value")
        self.channel.observe(self._update, names="value")
        self.children = [W.HBox([self.layer, self.channel]), self.message, self.image]
        self._update()

    def _on_layer(self, change=None) -> None:
        self.channel.max = len(self.weights[self.layer.value]) - 1  # clamps .value, may call _update
        self._update()

    @timed
    def _update(self, change=None) -> None:
        self.state = visualize.filter_view(self.weights, self.responses, self.layer.value, self.channel.value)
        if not self.state["ok"]:
            self.say((self.state["message"], "error"))
            return
        self.kernels, self.response = self.state["kernels"], self.state["response"]
        cnn_plots.draw_filter_viewer(self.artists, self.state)
        self.say(self.state["message"])
        self.show_figure()


def filter_viewer(model, image: np.ndarray, layer: str | None = None) -> FilterViewer:
    """Build the filter viewer (see ``FilterViewer``). Introduced in 03_cnn_architectures."""
    return FilterViewer(model, image, layer)


class ActivationViewer(FigureWidget):
    """Activation viewer: ``w.layer`` (Dropdown of ``layers``), ``w.channel`` (IntSlider),
    ``w.index`` (IntSlider: which of ``images``). ``w.image`` shows the input and the chosen
    activation map (``w.map``); ``w.state`` is ``visualize.activation_view(...)``;
    ``w.message`` a one-line description; ``w.render_ms`` the last callback's duration (ms).
    """

    def __init__(self, model, images: np.ndarray, layers: list[str]):
        module(model, "model")
        super().__init__(*cnn_plots.activation_viewer_figure())
        self.images = np.asarray(images, dtype=np.float32)
        self.acts = visualize.activations(model, self.images, list(layers))
        self.layer = W.Dropdown(options=list(layers), value=layers[0], description="layer")
        self.channel = W.IntSlider(value=0, min=0, max=self.acts[layers[0]].shape[1] - 1, description="channel")
        self.index = W.IntSlider(value=0, min=0, max=len(self.images) - 1, description="image")
        self.state: dict = {}
        self.map = None
        self.layer.observe(self._on_layer, names="value")
        self.channel.observe(self._update, names="value")
        self.index.observe(self._update, names="value")
        self.children = [W.HBox([self.layer, self.channel, self.index]), self.message, self.image]
        self._update()

    def _on_layer(self, change=None) -> None:
        self.channel.max = self.acts[self.layer.value].shape[1] - 1
        self._update()

    @timed
    def _update(self, change=None) -> None:
        self.state = visualize.activation_view(self.acts, self.layer.value, self.channel.value, self.index.value)
        if not self.state["ok"]:
            self.say((self.state["message"], "error"))
            return
        self.map = self.state["map"]
        cnn_plots.draw_activation_viewer(self.artists, self.images[self.index.value, 0], self.map)
        self.say(self.state["message"])
        self.show_figure()


def activation_viewer(model, images: np.ndarray, layers: list[str]) -> ActivationViewer:
    """Build the activation viewer (see ``ActivationViewer``). Introduced in 03_cnn_architectures."""
    return ActivationViewer(model, images, layers)

"""Widgets of 10_neural_style_transfer: the style explorer (alpha/beta, content layer, style
layers -> the result, from the precomputed grid ``data/style_grid.npz``), the replay of an
optimisation (a step slider) and the fast style network applied to any bundled image.

The computation lives in ``course_lib.style_optimize`` (``grid_state``, ``replay_state``,
``fast_stylize``), the drawing in ``course_lib.plots.style``; here controls are wired to
them. Each builder works without arguments (it loads the committed files), so ``make
bench`` can time it. Each widget keeps its controls and what it shows as attributes.
"""
from __future__ import annotations

import ipywidgets as W
import numpy as np
import torch.nn as nn

from course_lib import _checks, style, style_optimize
from course_lib.models.style_nets import FAST_STYLE_CHECKPOINT, FEATURES_CHECKPOINT, load_style_nets
from course_lib.plots import style as style_plots
from course_lib.widgets._base import FigureWidget, timed

__all__ = ["StyleExplorer", "style_explorer", "ReplayViewer", "replay_viewer", "FastStyleViewer",
           "fast_style_viewer"]


class StyleExplorer(FigureWidget):
    """``w.beta`` (IntSlider "log10 beta (alpha = 1)"), ``w.content_layer`` and ``w.style_set``
    (Dropdowns) pick one result of the grid; ``w.state`` is ``style_optimize.grid_state(...)``,
    ``w.image`` shows C, S and G, ``w.message`` the choice and its costs."""

    def __init__(self, grid: dict):
        if not isinstance(grid, dict) or "images" not in grid:
            raise TypeError(f"grid must be the dict of style_optimize.load_style_grid(), got {type(grid).__name__}.")
        self.grid = grid
        content, style_name, size = (str(v) for v in grid["settings"][:3])
        super().__init__(*style_plots.explorer_figure(style.load_image(content, int(size)),
                                                      style.load_image(style_name, int(size)), int(size)))
        exponents = [int(round(np.log10(b))) for b in grid["betas"]]
        if [10.0 ** e for e in exponents] != [float(b) for b in grid["betas"]] or exponents != list(
                range(exponents[0], exponents[-1] + 1)):
            raise ValueError(f"grid betas must be consecutive powers of 10, got {grid['betas']}.")
        self.beta = W.IntSlider(value=exponents[2], min=exponents[0], max=exponents[-1],
                                description="log10 beta (alpha = 1)", style={"description_width": "initial"})
        self.content_layer = W.Dropdown(options=grid["content_layers"], value=grid["content_layers"][1],
                                        description="content layer", style={"description_width": "initial"})
        self.style_set = W.Dropdown(options=grid["style_sets"], value=grid["style_sets"][-1],
                                    description="style layers", style={"description_width": "initial"})
        self.state: dict = {}
        for c in (self.beta, self.content_layer, self.style_set):
            c.observe(self._update, names="value")
        self.children = [W.HBox([self.beta, self.content_layer, self.style_set]), self.message, self.image]
        self._update()

    @timed
    def _update(self, change=None) -> None:
        self.state = style_optimize.grid_state(self.grid, 10.0 ** self.beta.value, self.content_layer.value,
                                               self.style_set.value)
        if not self.state["ok"]:
            self.say((self.state["message"], "error"))
            return
        style_plots.draw_explorer(self.artists, self.state)
        self.say(self.state["message"])
        self.show_figure()


def style_explorer(grid: dict | None = None) -> StyleExplorer:
    """Build the style explorer (see ``StyleExplorer``) on ``grid`` (default: the committed
    ``data/style_grid.npz``). Introduced in 10_neural_style_transfer."""
    return StyleExplorer(style_optimize.load_style_grid() if grid is None else grid)


class ReplayViewer(FigureWidget):
    """``w.step`` (IntSlider "step") replays a ``StyleResult``: the snapshot at that step beside
    the cost curves with a marker; ``w.state`` is ``style_optimize.replay_state(...)``."""

    def __init__(self, result: style_optimize.StyleResult):
        if not isinstance(result, style_optimize.StyleResult) or not result.snapshots:
            raise TypeError("result must be a StyleResult made with snapshot_every > 0, "
                            f"got {type(result).__name__}.")
        self.result = result
        size = result.snapshots[0][1].shape[0]
        super().__init__(*style_plots.replay_figure(result.history, size))
        every = result.snapshots[1][0] - result.snapshots[0][0] if len(result.snapshots) > 1 else 1
        self.step = W.IntSlider(value=0, min=0, max=result.snapshots[-1][0], step=every, description="step")
        self.state: dict = {}
        self.step.observe(self._update, names="value")
        self.children = [self.step, self.message, self.image]
        self._update()

    @timed
    def _update(self, change=None) -> None:
        self.state = style_optimize.replay_state(self.result, self.step.value)
        if not self.state["ok"]:
            self.say((self.state["message"], "error"))
            return
        style_plots.draw_replay(self.artists, self.state)
        self.say(self.state["message"])
        self.show_figure()


def replay_viewer(result: style_optimize.StyleResult | None = None) -> ReplayViewer:
    """Build the replay viewer (see ``ReplayViewer``) of ``result``; without one, a short
    optimisation (64x64, 30 L-BFGS steps, about a second) is run to have something to replay.
    Introduced in 10_neural_style_transfer."""
    if result is None:
        net = load_style_nets(FEATURES_CHECKPOINT)[0]["feature_cnn"]
        t = style_optimize.style_targets(net, style.load_image("chelsea", 64), style.load_image("flower", 64),
                                         "relu2_2", ["relu1_1", "relu2_1", "relu3_1"], 1.0, 1e5, 1.0)
        result = style_optimize.transfer(t, steps=30, snapshot_every=5)
    return ReplayViewer(result)


class FastStyleViewer(FigureWidget):
    """``w.picture`` (Dropdown of the bundled images) -> the image and the fast network's output
    (one forward pass, timed); ``w.output`` is the last output (H, W, 3), ``w.ms`` its time."""

    def __init__(self, transform: nn.Module, size: int = 128):
        self.transform = _checks.module(transform, "transform")
        self.size = _checks.integer(size, "size", 8)
        super().__init__(*style_plots.fast_figure(self.size))
        self.picture = W.Dropdown(options=list(style.STYLE_IMAGES), value="chelsea", description="image")
        self.output, self.ms = None, 0.0
        self.inputs = {n: style.load_image(n, self.size) for n in style.STYLE_IMAGES}   # loaded once
        self.picture.observe(self._update, names="value")
        self.children = [self.picture, self.message, self.image]
        self._update()

    @timed
    def _update(self, change=None) -> None:
        x = self.inputs[self.picture.value]
        self.output, self.ms = style_optimize.fast_stylize(self.transform, x)
        style_plots.draw_fast(self.artists, x, self.output, self.picture.value, self.ms)
        self.say(f"{self.picture.value}: stylised in {self.ms:.1f} ms (one forward pass)")
        self.show_figure()


def fast_style_viewer(transform: nn.Module | None = None, size: int = 128) -> FastStyleViewer:
    """Build the fast-style viewer (see ``FastStyleViewer``) for a trained ``TransformNet``
    (default: the committed ``data/fast_style.pt``). Introduced in 10_neural_style_transfer."""
    if transform is None:
        transform = load_style_nets(FAST_STYLE_CHECKPOINT)[0]["transform"]
    return FastStyleViewer(transform, size)

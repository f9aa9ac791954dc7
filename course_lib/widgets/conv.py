"""Widgets of 02_convolution_arithmetic: the convolution explorer and the filter playground.

The computation lives in ``course_lib.conv`` (``explorer_state``, ``conv2d_im2col``), the
drawing in ``course_lib.plots.conv``; here controls are wired to them. Each widget keeps its
controls and what it shows as attributes, so a test sets ``.value`` and reads the result.
"""
from __future__ import annotations

import ipywidgets as W
import numpy as np

from course_lib import conv, data
from course_lib.plots import conv as conv_plots
from course_lib.widgets._base import FigureWidget, timed

__all__ = ["ConvExplorer", "conv_explorer", "FILTER_KERNELS", "FilterPlayground", "filter_playground"]


class ConvExplorer(FigureWidget):
    """Convolution explorer: sliders n, f, p, s and the output position (i, j).

    ``children[0]`` is the controls box (a GridBox of the sliders ``w.n``, ``w.f``, ``w.p``,
    ``w.s``, ``w.i``, ``w.j``), then ``w.message`` (HTML: the one-line summary, or why the setting
    is impossible) and ``w.image`` (PNG of the padded input with the window at (i, j)
    and the output grid). ``w.state`` is the current ``conv.explorer_state(...)`` dict,
    ``w.position`` the drawn output cell, ``w.artists["window"]`` the drawn window
    rectangle, ``w.render_ms`` the duration of the last callback in milliseconds.
    """

    def __init__(self, n: int = 6, f: int = 3, p: int = 0, s: int = 1):
        super().__init__(*conv_plots.conv_explorer_figure())
        style = {"description_width": "60px"}
        self.n = W.IntSlider(value=n, min=1, max=12, description="n", style=style)
        self.f = W.IntSlider(value=f, min=1, max=7, description="f", style=style)
        self.p = W.IntSlider(value=p, min=0, max=3, description="p", style=style)
        self.s = W.IntSlider(value=s, min=1, max=4, description="s", style=style)
        self.i = W.IntSlider(value=0, min=0, max=20, description="out row i", style=style)
        self.j = W.IntSlider(value=0, min=0, max=20, description="out col j", style=style)
        # a GridBox (not a VBox), so the explorer is the only VBox around the sliders
        controls = W.GridBox([self.n, self.f, self.p, self.s, self.i, self.j],
                             layout=W.Layout(grid_template_columns="repeat(2, 320px)"))
        self.state: dict = {}
        self.position = (0, 0)
        self._busy = False
        for c in (self.n, self.f, self.p, self.s, self.i, self.j):
            c.observe(self._update, names="value")
        self.children = [controls, self.message, self.image]
        self._update()

    @timed
    def _update(self, change=None) -> None:
        if self._busy:  # adjusting the i/j ranges below triggers this again
            return
        self._busy = True
        try:
            n, f, p, s = self.n.value, self.f.value, self.p.value, self.s.value
            probe = conv.explorer_state(n, f, p, s, 0, 0)
            for c in (self.i, self.j):
                if probe["ok"]:
                    c.max = max(int(probe["out_size"]) - 1, 0)
                c.disabled = not probe["ok"]
            self.position = (self.i.value, self.j.value)
            self.state = conv.explorer_state(n, f, p, s, *self.position)
        finally:
            self._busy = False
        self.say((self.state["message"], "ok" if self.state["ok"] else "error"))
        conv_plots.draw_conv_explorer(self.artists, self.state, n, p, self.position)
        self.show_figure()


def conv_explorer(n: int = 6, f: int = 3, p: int = 0, s: int = 1) -> ConvExplorer:
    """Build the convolution explorer (see ``ConvExplorer``). Introduced in 02_convolution_arithmetic."""
    return ConvExplorer(n, f, p, s)


FILTER_KERNELS: dict[str, list[list[float]]] = {
    "vertical edge": [[1, 0, -1], [1, 0, -1], [1, 0, -1]],
    "horizontal edge": [[1, 1, 1], [0, 0, 0], [-1, -1, -1]],
    "Sobel (vertical edges)": [[1, 0, -1], [2, 0, -2], [1, 0, -1]],
    "Sobel (horizontal edges)": [[1, 2, 1], [0, 0, 0], [-1, -2, -1]],
    "blur (box)": [[1 / 9] * 3] * 3,
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
}


class FilterPlayground(FigureWidget):
    """Filter playground: pick a 3x3 kernel (``w.kernel`` dropdown) or type one (``w.cells``,
    9 FloatText boxes, row by row); ``w.image`` shows the input and the filtered image.

    The filtered image is ``conv.conv2d_im2col`` of the grey image with the kernel and
    "same" padding (p = 1), kept as ``w.out_image`` (H, W); ``w.weights`` is the current
    (3, 3) kernel, ``w.message`` a one-line description, ``w.render_ms`` the last
    callback's duration in milliseconds. Typing a kernel switches the dropdown to "custom".
    """

    def __init__(self, image: np.ndarray | None = None, kernel: str = "vertical edge"):
        if image is None:
            image = data.sample_image("camera", size=256)
        image = np.asarray(image, dtype=np.float64)
        if image.ndim != 2:
            raise ValueError(f"image must be a 2-D grey image (H, W), got shape {image.shape}.")
        if kernel not in FILTER_KERNELS:
            raise ValueError(f"kernel must be one of {list(FILTER_KERNELS)}, got {kernel!r}.")
        super().__init__(*conv_plots.filter_playground_figure(image))
        self.input_image = image
        self.kernel = W.Dropdown(options=list(FILTER_KERNELS) + ["custom"], value=kernel,
                                 description="kernel")
        self.cells = [W.FloatText(value=0.0, layout=W.Layout(width="80px")) for _ in range(9)]
        grid = W.GridBox(self.cells, layout=W.Layout(grid_template_columns="repeat(3, 85px)"))
        self.weights = np.zeros((3, 3))
        self.out_image = np.zeros_like(image)
        self._busy = False
        self.kernel.observe(self._on_kernel, names="value")
        for c in self.cells:
            c.observe(self._on_cell, names="value")
        self.children = [W.HBox([self.kernel, grid]), self.message, self.image]
        self._on_kernel()

    def _on_kernel(self, change=None) -> None:
        if self._busy or self.kernel.value == "custom":
            return
        self._busy = True
        try:
            for c, v in zip(self.cells, np.ravel(FILTER_KERNELS[self.kernel.value])):
                c.value = float(v)
        finally:
            self._busy = False
        self._render()

    def _on_cell(self, change=None) -> None:
        if self._busy:
            return
        typed = np.array([c.value for c in self.cells], dtype=float).reshape(3, 3)
        name = self.kernel.value
        if name != "custom" and not np.allclose(typed, FILTER_KERNELS[name]):
            self._busy = True
            try:
                self.kernel.value = "custom"
            finally:
                self._busy = False
        self._render()

    @timed
    def _render(self) -> None:
        k = np.array([c.value for c in self.cells], dtype=float).reshape(3, 3)
        if not np.all(np.isfinite(k)):
            self.say(("Every kernel entry must be a finite number.", "error"))
            return
        self.weights = k
        out = conv.conv2d_im2col(self.input_image[None, None], k[None, None], padding=1)[0, 0]
        self.out_image = out
        conv_plots.draw_filter_playground(self.artists, out, f"filtered: {self.kernel.value}")
        rows = "; ".join(" ".join(f"{v:g}" for v in r) for r in k)
        self.say(f"kernel [{rows}], padding 1 (same size), output {out.shape[0]}x{out.shape[1]}, "
                 f"values from {out.min():.2f} to {out.max():.2f}")
        self.show_figure()


def filter_playground(image: np.ndarray | None = None, kernel: str = "vertical edge") -> FilterPlayground:
    """Build the filter playground (see ``FilterPlayground``). Introduced in 02_convolution_arithmetic."""
    return FilterPlayground(image, kernel)

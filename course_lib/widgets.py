"""ipywidgets wiring only: each function builds controls, connects them to a pure
function from a topic module (``conv``, ``optim``, ``models``...) and returns the widget.

The returned object keeps its controls and what it currently shows as attributes, so a
test can set ``.value`` on a slider and read the result without a browser. A setting
that makes no sense shows a message in the widget instead of raising.
"""
from __future__ import annotations

# --- chapter 00: a check that widgets render ------------------------------------------
import time  # noqa: E402  (each chapter section keeps its own imports)

import ipywidgets as W  # noqa: E402
import numpy as np  # noqa: E402


class SliderCheck(W.VBox):
    """A slider wired to a label: ``w.slider`` (IntSlider "x"), ``w.label`` shows x and x².

    Used in 00_start_here to check that widgets render and react. Introduced in 00_start_here.
    """

    def __init__(self, value: int = 3):
        super().__init__()
        self.slider = W.IntSlider(value=value, min=0, max=10, description="x")
        self.label = W.Label()
        self.slider.observe(self._update, names="value")
        self._update()
        self.children = [self.slider, self.label]

    def _update(self, change=None) -> None:
        x = self.slider.value
        self.label.value = f"x = {x}, x squared = {x * x}"


def slider_check(value: int = 3) -> SliderCheck:
    """Build the 00_start_here check widget (a slider and a label that follows it)."""
    return SliderCheck(value)



# --- chapter 02: convolution explorer, filter playground --------------------------------
# Introduced in 02_convolution_arithmetic. The computation lives in course_lib.conv
# (``explorer_state``, ``conv2d_im2col``); the drawing in course_lib.plots.

class ConvExplorer(W.VBox):
    """Convolution explorer: sliders n, f, p, s and the output position (i, j).

    ``children[0]`` is the controls box (sliders ``w.n``, ``w.f``, ``w.p``, ``w.s``,
    ``w.i``, ``w.j``), then ``w.message`` (HTML: the one-line summary, or why the setting
    is impossible) and ``w.image`` (PNG of the padded input with the window at (i, j)
    and the output grid). ``w.state`` is the current ``conv.explorer_state(...)`` dict,
    ``w.position`` the drawn output cell, ``w.artists["window"]`` the drawn window
    rectangle, ``w.render_ms`` the duration of the last callback in milliseconds.
    """

    def __init__(self, n: int = 6, f: int = 3, p: int = 0, s: int = 1):
        from course_lib import plots

        super().__init__()
        style = {"description_width": "60px"}
        self.n = W.IntSlider(value=n, min=1, max=12, description="n", style=style)
        self.f = W.IntSlider(value=f, min=1, max=7, description="f", style=style)
        self.p = W.IntSlider(value=p, min=0, max=3, description="p", style=style)
        self.s = W.IntSlider(value=s, min=1, max=4, description="s", style=style)
        self.i = W.IntSlider(value=0, min=0, max=20, description="out row i", style=style)
        self.j = W.IntSlider(value=0, min=0, max=20, description="out col j", style=style)
        controls = W.VBox([W.HBox([self.n, self.f]), W.HBox([self.p, self.s]),
                           W.HBox([self.i, self.j])])
        self.message = W.HTML()
        self.image = W.Image(format="png")
        self.figure, self.artists = plots.conv_explorer_figure()
        self.state: dict = {}
        self.position = (0, 0)
        self.render_ms = 0.0
        self._busy = False
        for c in (self.n, self.f, self.p, self.s, self.i, self.j):
            c.observe(self._update, names="value")
        self.children = [controls, self.message, self.image]
        self._update()

    def _update(self, change=None) -> None:
        if self._busy:  # adjusting i/j ranges below triggers this again
            return
        from course_lib import conv, plots

        t0 = time.perf_counter()
        self._busy = True
        try:
            n, f, p, s = self.n.value, self.f.value, self.p.value, self.s.value
            probe = conv.explorer_state(n, f, p, s, 0, 0)
            if probe["ok"]:
                last = int(probe["out_size"]) - 1
                for c in (self.i, self.j):
                    c.max = max(last, 0)
                    c.disabled = False
            else:
                for c in (self.i, self.j):
                    c.disabled = True
            i, j = self.i.value, self.j.value
            self.state = conv.explorer_state(n, f, p, s, i, j)
            self.position = (i, j)
            if self.state["ok"]:
                self.message.value = f"<b style='color:#1a7f37'>{_html(self.state['message'])}</b>"
            else:
                self.message.value = f"<b style='color:#c00000'>{_html(self.state['message'])}</b>"
            plots.draw_conv_explorer(self.artists, self.state, n, p, self.position)
            self.image.value = plots.figure_png(self.figure)
        finally:
            self._busy = False
        self.render_ms = 1000 * (time.perf_counter() - t0)


def _html(text: str) -> str:
    import html

    return html.escape(str(text))


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


class FilterPlayground(W.VBox):
    """Filter playground: pick a 3x3 kernel (``w.kernel`` dropdown) or type one (``w.cells``,
    9 FloatText boxes, row by row); ``w.image`` shows the input and the filtered image.

    The filtered image is ``conv.conv2d_im2col`` of the grey image with the kernel and
    "same" padding (p = 1), kept as ``w.out_image`` (H, W); ``w.weights`` is the current
    (3, 3) kernel, ``w.message`` a one-line description, ``w.render_ms`` the last
    callback's duration in milliseconds. Typing a kernel switches the dropdown to "custom".
    """

    def __init__(self, image: np.ndarray | None = None, kernel: str = "vertical edge"):
        from course_lib import data, plots

        super().__init__()
        if image is None:
            image = data.sample_image("camera", size=256)
        image = np.asarray(image, dtype=np.float64)
        if image.ndim != 2:
            raise ValueError(f"image must be a 2-D grey image (H, W), got shape {image.shape}.")
        if kernel not in FILTER_KERNELS:
            raise ValueError(f"kernel must be one of {list(FILTER_KERNELS)}, got {kernel!r}.")
        self.input_image = image
        self.kernel = W.Dropdown(options=list(FILTER_KERNELS) + ["custom"], value=kernel,
                                 description="kernel")
        self.cells = [W.FloatText(value=0.0, layout=W.Layout(width="80px")) for _ in range(9)]
        grid = W.GridBox(self.cells, layout=W.Layout(grid_template_columns="repeat(3, 85px)"))
        self.message = W.HTML()
        self.image = W.Image(format="png")
        self.figure, self.artists = plots.filter_playground_figure(image)
        self.weights = np.zeros((3, 3))
        self.out_image = np.zeros_like(image)
        self.render_ms = 0.0
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

    def _render(self) -> None:
        from course_lib import conv, plots

        t0 = time.perf_counter()
        k = np.array([c.value for c in self.cells], dtype=float).reshape(3, 3)
        if not np.all(np.isfinite(k)):
            self.message.value = "<b style='color:#c00000'>Every kernel entry must be a finite number.</b>"
            return
        self.weights = k
        out = conv.conv2d_im2col(self.input_image[None, None], k[None, None], padding=1)[0, 0]
        self.out_image = out
        lo, hi = float(out.min()), float(out.max())
        art = self.artists
        art["filtered"].set_data(out)
        art["filtered"].set_clim(lo, hi if hi > lo else lo + 1e-9)
        art["ax_out"].set_title(f"filtered: {self.kernel.value}")
        rows = "; ".join(" ".join(f"{v:g}" for v in r) for r in k)
        self.message.value = (f"kernel [{_html(rows)}], padding 1 (same size), output "
                              f"{out.shape[0]}x{out.shape[1]}, values from {lo:.2f} to {hi:.2f}")
        self.image.value = plots.figure_png(self.figure)
        self.render_ms = 1000 * (time.perf_counter() - t0)


def filter_playground(image: np.ndarray | None = None, kernel: str = "vertical edge") -> FilterPlayground:
    """Build the filter playground (see ``FilterPlayground``). Introduced in 02_convolution_arithmetic."""
    return FilterPlayground(image, kernel)



# --- chapter 01: optimizer trajectories, live loss curves -------------------------------

# --- chapter 03: filter viewer, activation viewer ---------------------------------------

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

    ``children[0]`` is the controls box (a GridBox of the sliders ``w.n``, ``w.f``, ``w.p``,
    ``w.s``, ``w.i``, ``w.j``), then ``w.message`` (HTML: the one-line summary, or why the setting
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
        # a GridBox (not a VBox), so the explorer is the only VBox around the sliders
        controls = W.GridBox([self.n, self.f, self.p, self.s, self.i, self.j],
                             layout=W.Layout(grid_template_columns="repeat(2, 320px)"))
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
# Introduced in 01_optimizers_and_training. The computation lives in course_lib.optim
# (``optimizer_trajectory``) and course_lib.train (``history_curves``); drawing in plots.

class OptimizerTrajectories(W.VBox):
    """Optimizer trajectories on a 2-D loss surface.

    Controls: ``w.surface`` (Dropdown over ``optim.SURFACES``), ``w.show[rule]`` (one
    Checkbox per optimizer in ``optim.RULES``), ``w.lr`` (FloatLogSlider), ``w.beta``
    (momentum / RMSprop beta and Adam's beta1), ``w.beta2`` (Adam), ``w.steps``.
    Shows ``w.message`` (HTML: final loss per optimizer, divergence) and ``w.image`` (PNG).
    State: ``w.trajectories`` {rule: optim.Trajectory} of the ticked optimizers,
    ``w.render_ms`` the last callback's duration in milliseconds.
    """

    def __init__(self, surface: str = "ill-conditioned bowl", lr: float = 0.05, beta: float = 0.9,
                 beta2: float = 0.999, steps: int = 60, show: tuple[str, ...] = ("sgd", "momentum", "adam")):
        from course_lib import optim

        super().__init__()
        style = {"description_width": "90px"}
        self.surface = W.Dropdown(options=list(optim.SURFACES), value=surface, description="surface", style=style)
        self.show = {r: W.Checkbox(value=r in show, description=r, indent=False,
                                   layout=W.Layout(width="110px")) for r in optim.RULES}
        self.lr = W.FloatLogSlider(value=lr, base=10, min=-3, max=0.3, step=0.05, description="learning rate",
                                   readout_format=".3g", style=style)
        self.beta = W.FloatSlider(value=beta, min=0.0, max=0.99, step=0.01, description="beta / beta1", style=style)
        self.beta2 = W.FloatSlider(value=beta2, min=0.9, max=0.9999, step=0.0001, readout_format=".4f",
                                   description="beta2 (Adam)", style=style)
        self.steps = W.IntSlider(value=steps, min=1, max=300, description="steps", style=style)
        self.message = W.HTML()
        self.image = W.Image(format="png")
        self.trajectories: dict = {}
        self.render_ms = 0.0
        self._figures: dict = {}
        for c in (self.surface, self.lr, self.beta, self.beta2, self.steps, *self.show.values()):
            c.observe(self._update, names="value")
        self.children = [W.HBox([self.surface, *self.show.values()]), W.HBox([self.lr, self.steps]),
                         W.HBox([self.beta, self.beta2]), self.message, self.image]
        self._update()

    def _update(self, change=None) -> None:
        from course_lib import optim, plots

        t0 = time.perf_counter()
        name = self.surface.value
        if name not in self._figures:
            self._figures[name] = plots.trajectory_figure(name, optim.RULES)
        fig, art = self._figures[name]
        self.trajectories, lines = {}, []
        for rule, box in self.show.items():
            if not box.value:
                continue
            tr = optim.optimizer_trajectory(name, rule, self.lr.value, self.steps.value,
                                            beta=self.beta.value, beta2=self.beta2.value)
            self.trajectories[rule] = tr
            end = (f"<span style='color:#c00000'>diverged after {len(tr.points) - 1} steps</span>"
                   if tr.diverged else f"final loss {tr.losses[-1]:.4g}")
            lines.append(f"<b>{rule}</b>: {end}")
        self.message.value = ("; ".join(lines) if lines else
                              "<b style='color:#c00000'>Tick at least one optimizer to draw its path.</b>")
        self.image.value = plots.draw_trajectories(art, {r: t.points for r, t in self.trajectories.items()})
        self.render_ms = 1000 * (time.perf_counter() - t0)


def optimizer_trajectories(**kwargs) -> OptimizerTrajectories:
    """Build the trajectory widget (see ``OptimizerTrajectories``). Introduced in 01_optimizers_and_training."""
    return OptimizerTrajectories(**kwargs)


class OptimizerComparison(W.VBox):
    """Explore stored training runs (one ``train.History`` per optimizer), no training here.

    Controls: ``w.show[name]`` (Checkbox per run), ``w.metric`` (Dropdown over
    ``train.CURVE_METRICS``), ``w.smoothing`` (EWMA beta, bias-corrected). Shows
    ``w.message`` and ``w.image``; state ``w.curves`` {name: (x, y)} as drawn,
    ``w.render_ms`` the last callback's duration in milliseconds. The axes of each metric
    are fixed (they fit every run's raw values), so only the lines are redrawn.
    """

    def __init__(self, histories: dict, metric: str = "loss per step", smoothing: float = 0.9):
        from course_lib.train import CURVE_METRICS

        super().__init__()
        if not histories:
            raise ValueError("histories is empty: give at least one {name: History}.")
        self.histories = dict(histories)
        self.show = {n: W.Checkbox(value=True, description=n, indent=False, layout=W.Layout(width="140px"))
                     for n in self.histories}
        self.metric = W.Dropdown(options=list(CURVE_METRICS), value=metric, description="metric")
        self.smoothing = W.FloatSlider(value=smoothing, min=0.0, max=0.98, step=0.02, description="smoothing")
        self.message = W.HTML()
        self.image = W.Image(format="png")
        self.curves: dict = {}
        self.render_ms = 0.0
        self._figures: dict = {}
        for c in (self.metric, self.smoothing, *self.show.values()):
            c.observe(self._update, names="value")
        self.children = [W.HBox(list(self.show.values())), W.HBox([self.metric, self.smoothing]),
                         self.message, self.image]
        for m in CURVE_METRICS:  # build every metric's background now, not inside a callback
            self._figure(m)
        self._update()

    def _figure(self, metric: str):
        from course_lib import plots, train

        if metric not in self._figures:
            raw = train.history_curves(self.histories, metric, 0.0)
            xs = [x for x, y in raw.values() if len(x)] or [np.array([0.0, 1.0])]
            ys = [y[np.isfinite(y)] for x, y in raw.values() if len(y)] or [np.array([0.0, 1.0])]
            logy = "loss" in metric and all((y > 0).all() for y in ys)
            lo, hi = min(float(y.min()) for y in ys), max(float(y.max()) for y in ys)
            ylim = (lo / 1.2, hi * 1.2) if logy else (lo - 0.05 * (hi - lo + 1e-12), hi + 0.05 * (hi - lo + 1e-12))
            xlim = (min(float(x.min()) for x in xs), max(float(x.max()) for x in xs) + 1e-9)
            per_step = metric == "loss per step"
            self._figures[metric] = plots.curves_figure(
                list(self.histories), xlim, ylim, xlabel="step (mini-batch)" if per_step else "epoch",
                ylabel=metric.split(" per")[0], title=metric, logy=logy)
        return self._figures[metric]

    def _update(self, change=None) -> None:
        from course_lib import plots, train

        t0 = time.perf_counter()
        chosen = {n: h for n, h in self.histories.items() if self.show[n].value}
        self.curves = train.history_curves(chosen, self.metric.value, self.smoothing.value)
        fig, art = self._figure(self.metric.value)
        if not self.curves:
            self.message.value = "<b style='color:#c00000'>Tick at least one run to see its curve.</b>"
        else:
            last = [f"<b>{n}</b>: {y[-1]:.4g}" for n, (x, y) in self.curves.items() if len(y)]
            self.message.value = (f"smoothing beta = {self.smoothing.value:.2f}; last value: " + "; ".join(last)
                                  if last else "no values recorded for this metric")
        self.image.value = plots.draw_curves(art, self.curves)
        self.render_ms = 1000 * (time.perf_counter() - t0)


def optimizer_comparison(histories: dict, metric: str = "loss per step",
                         smoothing: float = 0.9) -> OptimizerComparison:
    """Build the run-comparison widget (see ``OptimizerComparison``). Introduced in 01_optimizers_and_training."""
    return OptimizerComparison(histories, metric, smoothing)


# --- chapter 03: filter viewer, activation viewer ---------------------------------------
# Introduced in 03_cnn_architectures. The numbers come from course_lib.visualize
# (``activations``, ``filter_mosaic``, ``activation_view``), the drawing from course_lib.plots.
# Activations are computed once when the widget is built; a callback only indexes arrays.
import html as _html_module  # noqa: E402

_escape = _html_module.escape

class FilterViewer(W.VBox):
    """Filter viewer: ``w.layer`` (Dropdown of the model's conv layers), ``w.channel``
    (IntSlider: which filter of that layer). ``w.image`` shows the filter's kernels (one per
    input channel, up to 16, ``w.kernels``) and its response to an example image (``w.response``,
    the conv output before the activation). ``w.message`` describes it; ``w.render_ms`` times
    the last callback in milliseconds.
    """

    def __init__(self, model, image: np.ndarray, layer: str | None = None):
        from course_lib import plots, visualize

        super().__init__()
        names = visualize.conv_layers(model)
        if not names:
            raise ValueError("model has no Conv2d layer to show.")
        image = np.asarray(image, dtype=np.float32)
        if image.ndim != 3:
            raise ValueError(f"image must have shape (C, H, W), got {image.shape}.")
        modules = dict(model.named_modules())
        self.weights = {n: modules[n].weight.detach().float().numpy() for n in names}
        self.responses = {n: a[0] for n, a in visualize.activations(model, image[None], names).items()}
        self.layer = W.Dropdown(options=names, value=layer or names[0], description="layer")
        self.channel = W.IntSlider(value=0, min=0, max=len(self.weights[self.layer.value]) - 1,
                                   description="filter")
        self.message = W.HTML()
        self.image = W.Image(format="png")
        self.figure, self.artists = plots.viewer_figure("kernels (per input channel)", "response to the image")
        self.artists["left"].set_cmap("gray")
        self.kernels = self.response = None
        self.render_ms = 0.0
        self.layer.observe(self._on_layer, names="value")
        self.channel.observe(self._update, names="value")
        self.children = [W.HBox([self.layer, self.channel]), self.message, self.image]
        self._update()

    def _on_layer(self, change=None) -> None:
        self.channel.max = len(self.weights[self.layer.value]) - 1  # clamps .value, may call _update
        self._update()

    def _update(self, change=None) -> None:
        from course_lib import plots, visualize

        t0 = time.perf_counter()
        layer, c = self.layer.value, self.channel.value
        w = self.weights[layer]
        if not 0 <= c < len(w):
            self.message.value = f"<b style='color:#c00000'>{layer} has filters 0..{len(w) - 1}.</b>"
            return
        self.kernels = visualize.filter_mosaic(w[c])
        self.response = self.responses[layer][c]
        lim = float(np.nanmax(np.abs(self.kernels))) or 1.0
        self.artists["left"].set_data(self.kernels)
        self.artists["left"].set_clim(-lim, lim)
        self.artists["left"].set_extent((-0.5, self.kernels.shape[1] - 0.5, self.kernels.shape[0] - 0.5, -0.5))
        self.artists["right"].set_data(self.response)
        self.artists["right"].set_clim(float(self.response.min()), float(self.response.max()) + 1e-9)
        self.artists["right"].set_extent((-0.5, self.response.shape[1] - 0.5, self.response.shape[0] - 0.5, -0.5))
        shown = min(w.shape[1], 16)
        self.message.value = (f"{_escape(layer)}, filter {c}: weights {w.shape[1]}x{w.shape[2]}x{w.shape[3]} "
                              f"(showing {shown} input channel{'s' if shown > 1 else ''}), norm "
                              f"{np.linalg.norm(w[c]):.3g}; response {self.response.shape[0]}x{self.response.shape[1]}")
        self.image.value = plots.figure_png(self.figure)
        self.render_ms = 1000 * (time.perf_counter() - t0)


def filter_viewer(model, image: np.ndarray, layer: str | None = None) -> FilterViewer:
    """Build the filter viewer (see ``FilterViewer``). Introduced in 03_cnn_architectures."""
    return FilterViewer(model, image, layer)


class ActivationViewer(W.VBox):
    """Activation viewer: ``w.layer`` (Dropdown of ``layers``), ``w.channel`` (IntSlider),
    ``w.index`` (IntSlider: which of ``images``). ``w.image`` shows the input and the chosen
    activation map (``w.map``); ``w.state`` is ``visualize.activation_view(...)``;
    ``w.message`` a one-line description; ``w.render_ms`` the last callback's duration (ms).
    """

    def __init__(self, model, images: np.ndarray, layers: list[str]):
        from course_lib import plots, visualize

        super().__init__()
        self.images = np.asarray(images, dtype=np.float32)
        self.acts = visualize.activations(model, self.images, list(layers))
        self.layer = W.Dropdown(options=list(layers), value=layers[0], description="layer")
        self.channel = W.IntSlider(value=0, min=0, max=self.acts[layers[0]].shape[1] - 1, description="channel")
        self.index = W.IntSlider(value=0, min=0, max=len(self.images) - 1, description="image")
        self.message = W.HTML()
        self.image = W.Image(format="png")
        self.figure, self.artists = plots.viewer_figure("input image", "activation map")
        self.state: dict = {}
        self.map = None
        self.render_ms = 0.0
        self.layer.observe(self._on_layer, names="value")
        self.channel.observe(self._update, names="value")
        self.index.observe(self._update, names="value")
        self.children = [W.HBox([self.layer, self.channel, self.index]), self.message, self.image]
        self._update()

    def _on_layer(self, change=None) -> None:
        self.channel.max = self.acts[self.layer.value].shape[1] - 1
        self._update()

    def _update(self, change=None) -> None:
        from course_lib import plots, visualize

        t0 = time.perf_counter()
        self.state = visualize.activation_view(self.acts, self.layer.value, self.channel.value, self.index.value)
        if not self.state["ok"]:
            self.message.value = f"<b style='color:#c00000'>{_escape(self.state['message'])}</b>"
            self.render_ms = 1000 * (time.perf_counter() - t0)
            return
        self.map = self.state["map"]
        img = self.images[self.index.value, 0]
        self.artists["left"].set_data(img)
        self.artists["left"].set_extent((-0.5, img.shape[1] - 0.5, img.shape[0] - 0.5, -0.5))
        self.artists["right"].set_data(self.map)
        self.artists["right"].set_clim(float(self.map.min()), float(self.map.max()) + 1e-9)
        self.artists["right"].set_extent((-0.5, self.map.shape[1] - 0.5, self.map.shape[0] - 0.5, -0.5))
        self.message.value = _escape(self.state["message"])
        self.image.value = plots.figure_png(self.figure)
        self.render_ms = 1000 * (time.perf_counter() - t0)


def activation_viewer(model, images: np.ndarray, layers: list[str]) -> ActivationViewer:
    """Build the activation viewer (see ``ActivationViewer``). Introduced in 03_cnn_architectures."""
    return ActivationViewer(model, images, layers)

"""Widgets of 01_optimizers_and_training: optimizer trajectories on a 2-D surface and the
comparison of stored training runs.

The computation lives in ``course_lib.optim`` (``optimizer_trajectory``) and
``course_lib.optim`` (``history_curves``), the drawing in ``course_lib.plots.optim``.
"""
from __future__ import annotations

import ipywidgets as W

from course_lib import optim
from course_lib.plots import optim as optim_plots
from course_lib.widgets._base import FigureWidget, styled, timed

__all__ = ["OptimizerTrajectories", "optimizer_trajectories", "OptimizerComparison", "optimizer_comparison"]


class OptimizerTrajectories(FigureWidget):
    """Optimizer trajectories on a 2-D loss surface.

    Controls: ``w.surface`` (Dropdown over ``optim.SURFACES``), ``w.show[rule]`` (one
    Checkbox per optimizer in ``optim.RULES``), ``w.lr`` (FloatLogSlider), ``w.beta``
    (momentum / RMSprop beta and Adam's beta1), ``w.beta2`` (Adam), ``w.steps``.
    Shows ``w.message`` (HTML: final loss per optimizer, divergence) and ``w.image`` (PNG;
    the legend lists the ticked optimizers only). State: ``w.trajectories``
    {rule: optim.Trajectory} of the ticked optimizers, ``w.render_ms`` the last callback's
    duration in milliseconds.
    """

    def __init__(self, surface: str = "ill-conditioned bowl", lr: float = 0.05, beta: float = 0.9,
                 beta2: float = 0.999, steps: int = 60, show: tuple[str, ...] = ("sgd", "momentum", "adam")):
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
        self.trajectories: dict = {}
        self._figures: dict = {}
        for c in (self.surface, self.lr, self.beta, self.beta2, self.steps, *self.show.values()):
            c.observe(self._update, names="value")
        self.children = [W.HBox([self.surface, *self.show.values()]), W.HBox([self.lr, self.steps]),
                         W.HBox([self.beta, self.beta2]), self.message, self.image]
        self._update()

    @timed
    def _update(self, change=None) -> None:
        name = self.surface.value
        if name not in self._figures:
            self._figures[name] = optim_plots.trajectory_figure(name, optim.RULES)
        self.figure, self.artists = self._figures[name]
        self.trajectories = {
            rule: optim.optimizer_trajectory(name, rule, self.lr.value, self.steps.value,
                                             beta=self.beta.value, beta2=self.beta2.value)
            for rule, box in self.show.items() if box.value}
        optim_plots.draw_trajectories(self.artists, {r: t.points for r, t in self.trajectories.items()})
        self.show_figure()
        if not self.trajectories:
            self.say(("Tick at least one optimizer to draw its path.", "error"))
            return
        self.say_html("; ".join(
            styled(rule, "bold") + ": " + (styled(f"diverged after {len(t.points) - 1} steps", "warning")
                                           if t.diverged else styled(f"final loss {t.losses[-1]:.4g}"))
            for rule, t in self.trajectories.items()))


def optimizer_trajectories(**kwargs) -> OptimizerTrajectories:
    """Build the trajectory widget (see ``OptimizerTrajectories``). Introduced in 01_optimizers_and_training."""
    return OptimizerTrajectories(**kwargs)


class OptimizerComparison(FigureWidget):
    """Explore stored training runs (one ``train.History`` per optimizer), no training here.

    Controls: ``w.show[name]`` (Checkbox per run), ``w.metric`` (Dropdown over
    ``optim.CURVE_METRICS``), ``w.smoothing`` (EWMA beta, bias-corrected). Shows
    ``w.message`` and ``w.image``; state ``w.curves`` {name: (x, y)} as drawn,
    ``w.render_ms`` the last callback's duration in milliseconds. The axes of each metric
    are fixed (they fit every run's raw values, ``plots.optim.curve_limits``), so only the
    lines are redrawn; the legend lists the ticked runs only.
    """

    def __init__(self, histories: dict, metric: str = "loss per step", smoothing: float = 0.9):
        super().__init__()
        if not histories:
            raise ValueError("histories is empty: give at least one {name: History}.")
        self.histories = dict(histories)
        self.show = {n: W.Checkbox(value=True, description=n, indent=False, layout=W.Layout(width="140px"))
                     for n in self.histories}
        self.metric = W.Dropdown(options=list(optim.CURVE_METRICS), value=metric, description="metric")
        self.smoothing = W.FloatSlider(value=smoothing, min=0.0, max=0.98, step=0.02, description="smoothing")
        self.curves: dict = {}
        # every metric's figure (axes fitted to the raw curves) is built now, not inside a callback
        self._figures = {m: optim_plots.comparison_figure(optim.history_curves(self.histories, m, 0.0), m)
                         for m in optim.CURVE_METRICS}
        for c in (self.metric, self.smoothing, *self.show.values()):
            c.observe(self._update, names="value")
        self.children = [W.HBox(list(self.show.values())), W.HBox([self.metric, self.smoothing]),
                         self.message, self.image]
        self._update()

    @timed
    def _update(self, change=None) -> None:
        chosen = {n: h for n, h in self.histories.items() if self.show[n].value}
        self.curves = optim.history_curves(chosen, self.metric.value, self.smoothing.value)
        self.figure, self.artists = self._figures[self.metric.value]
        optim_plots.draw_curves(self.artists, self.curves)
        self.show_figure()
        if not self.curves:
            self.say(("Tick at least one run to see its curve.", "error"))
            return
        last = [styled(n, "bold") + ": " + styled(f"{y[-1]:.4g}") for n, (x, y) in self.curves.items() if len(y)]
        self.say_html(styled(f"smoothing beta = {self.smoothing.value:.2f}; last value: ") + "; ".join(last)
                      if last else styled("no values recorded for this metric"))


def optimizer_comparison(histories: dict, metric: str = "loss per step",
                         smoothing: float = 0.9) -> OptimizerComparison:
    """Build the run-comparison widget (see ``OptimizerComparison``). Introduced in 01_optimizers_and_training."""
    return OptimizerComparison(histories, metric, smoothing)

"""Widgets of 08_generative_adversarial_networks: the training view (replays the stored
snapshots of the 2-D mixture runs: samples and both losses, with a step slider) and the
latent interpolation (two seeds, a point t on the line between their latent vectors).

The computation lives in ``course_lib.gan_train.training_view_state`` and
``course_lib.gan_eval.interpolation_state``, the drawing in ``course_lib.plots.gan``. Nothing
trains here: the runs were trained by ``data/train_gan.py``, and both builders load its
checkpoint (``data/gan.pt``) when they are given nothing.
"""
from __future__ import annotations

import ipywidgets as W
import torch.nn as nn

from course_lib import gan_eval, gan_train
from course_lib.plots import gan as gan_plots
from course_lib.widgets._base import FigureWidget, timed

__all__ = ["TrainingView", "training_view", "LatentInterpolation", "latent_interpolation"]

_STYLE = {"description_width": "80px"}


class TrainingView(FigureWidget):
    """Training view: ``w.run`` (which run) and ``w.snapshot`` (which stored snapshot, 0..S-1).
    ``w.state`` is the current ``gan_train.training_view_state`` dict; the message says the
    step and how many modes the samples cover (the rule of ``gan_train.mode_coverage``).
    ``runs``: {name: {"steps", "samples", "d_loss", "g_loss"}} as ``gan_eval.load_gan_checkpoint``
    returns them.
    """

    def __init__(self, runs: dict, std: float = 0.05, radius: float = 2.0, modes: int = 8, snapshot: int = 0):
        if not isinstance(runs, dict) or not runs:
            raise ValueError(f"runs must be a non-empty dict {{name: run}}, got {runs!r}.")
        self.runs, self.std, self.centres = runs, std, gan_train.ring_centres(modes, radius)
        first = next(iter(runs.values()))
        total = max(int(r["steps"][-1]) for r in runs.values())
        super().__init__(*gan_plots.training_view_figure(self.centres, std, total))
        self.run = W.Dropdown(options=list(runs), description="run", style=_STYLE)
        self.snapshot = W.IntSlider(value=int(snapshot), min=0, max=len(first["steps"]) - 1, description="snapshot",
                                    style=_STYLE, layout=W.Layout(width="420px"))
        self.run.observe(self._update, names="value")
        self.snapshot.observe(self._update, names="value")
        self.state: dict = {}
        self.children = [W.HBox([self.run, self.snapshot]), self.message, self.image]
        self._update()

    @timed
    def _update(self, change=None) -> None:
        self.state = gan_train.training_view_state(self.runs, self.run.value, self.snapshot.value)
        if "message" in self.state:
            self.say((self.state["message"], "error"))
        else:
            st = self.state
            cov = gan_train.mode_coverage(st["samples"], self.centres, self.std)
            last = (f"D loss {st['d_loss'][-1]:.3f}, G loss {st['g_loss'][-1]:.3f}" if st["step"] else "before training")
            self.say(f"{st['run']}, step {st['step']}", (f"{cov['modes_covered']} of {len(self.centres)} modes covered", "ok"),
                     f"{100 * cov['high_quality']:.0f} % of samples within 3 sigma of a mode", last)
        gan_plots.draw_training_view(self.artists, self.state)
        self.show_figure()


def training_view(runs: dict | None = None, snapshot: int = 0) -> TrainingView:
    """Build the training view (see ``TrainingView``); ``runs`` defaults to the mixture runs of
    the committed checkpoint. Introduced in 08_generative_adversarial_networks."""
    if runs is None:
        _, runs, meta = gan_eval.load_gan_checkpoint()
        mix = meta["mixture"]
        return TrainingView(runs, std=mix["std"], radius=mix["radius"], modes=mix["modes"], snapshot=snapshot)
    return TrainingView(runs, snapshot=snapshot)


class LatentInterpolation(FigureWidget):
    """Latent interpolation: ``w.seed_a``, ``w.seed_b`` (the two noise vectors' seeds) and
    ``w.t`` (0: seed A's image, 1: seed B's); for a conditional generator also ``w.label``.
    ``w.state`` is the current ``gan_eval.interpolation_state`` dict.
    """

    def __init__(self, generator: nn.Module, classifier: nn.Module | None = None, seed_a: int = 0, seed_b: int = 1,
                 t: float = 0.5, frames: int = 9):
        if not isinstance(generator, nn.Module) or not hasattr(generator, "latent_dim"):
            raise TypeError(f"generator must be a course GAN generator (an nn.Module with latent_dim), got "
                            f"{type(generator).__name__}.")
        super().__init__(*gan_plots.interpolation_figure(frames))
        self.generator, self.classifier, self.frames = generator.eval(), classifier, frames
        self.seed_a = W.IntSlider(value=seed_a, min=0, max=99, description="seed A", style=_STYLE)
        self.seed_b = W.IntSlider(value=seed_b, min=0, max=99, description="seed B", style=_STYLE)
        self.t = W.FloatSlider(value=t, min=0.0, max=1.0, step=0.05, description="t", style=_STYLE)
        controls = [self.seed_a, self.seed_b, self.t]
        self.label = None
        if getattr(generator, "num_classes", 0):
            self.label = W.IntSlider(value=0, min=0, max=generator.num_classes - 1, description="digit", style=_STYLE)
            controls.append(self.label)
        for c in controls:
            c.observe(self._update, names="value")
        self.state: dict = {}
        self.children = [W.GridBox(controls, layout=W.Layout(grid_template_columns="repeat(2, 320px)")),
                         self.message, self.image]
        self._update()

    @timed
    def _update(self, change=None) -> None:
        self.state = gan_eval.interpolation_state(self.generator, self.classifier, self.seed_a.value, self.seed_b.value,
                                                  self.t.value, self.frames,
                                                  None if self.label is None else self.label.value)
        if "message" in self.state:
            self.say((self.state["message"], "error"))
        else:
            st = self.state
            parts = [f"seed {st['seed_a']} -> seed {st['seed_b']}, t = {st['t']:.2f}"]
            if st["predicted"] is not None:
                parts.append((f"the classifier reads a {st['predicted']} ({st['probs'].max():.2f})", "ok"))
            self.say(*parts)
        gan_plots.draw_interpolation(self.artists, self.state)
        self.show_figure()


def latent_interpolation(generator: nn.Module | None = None, classifier: nn.Module | None = None, seed_a: int = 0,
                         seed_b: int = 1, t: float = 0.5) -> LatentInterpolation:
    """Build the latent interpolation (see ``LatentInterpolation``); ``generator`` defaults to
    the committed DCGAN (``data/gan.pt``). Introduced in 08_generative_adversarial_networks."""
    if generator is None:
        generator = gan_eval.load_gan_checkpoint()[0]["dcgan"]
    return LatentInterpolation(generator, classifier, seed_a, seed_b, t)

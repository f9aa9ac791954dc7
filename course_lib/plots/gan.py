"""Figures of 08_generative_adversarial_networks. The numbers come from ``course_lib.gan``,
``gan_train`` and ``gan_eval``; these functions only draw. Static figures return the
``Figure``; a widget's figure is built once (``*_figure``) and updated in place (``draw_*``),
rendered by ``plots._figure.figure_png``.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from course_lib.plots._figure import cache_background, figure_png, label_axes, no_ticks, snapshot_row, widget_figure

__all__ = ["plot_optimal_discriminator", "plot_generator_gradients", "plot_mixture_runs", "show_digits",
           "training_view_figure", "draw_training_view", "interpolation_figure", "draw_interpolation",
           "snapshot_row"]

RING_LIMIT = 2.8


def plot_optimal_discriminator(x, p_data, p_g, d_star, d_trained=None,
                               title: str = "The optimal discriminator on a 1-D example") -> Figure:
    """The two densities and D*(x) = p_data / (p_data + p_g) (with a trained D beside it).
    Introduced in 08_generative_adversarial_networks."""
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.plot(x, p_data, label="$p_{data}$", color="tab:blue")
    ax.plot(x, p_g, label="$p_g$", color="tab:orange")
    ax2 = ax.twinx()
    ax2.plot(x, d_star, "k--", label="$D^*(x)$")
    if d_trained is not None:
        ax2.plot(x, d_trained, color="tab:green", lw=1.2, label="trained D(x)")
    ax2.set_ylim(-0.02, 1.02)
    ax2.set_ylabel("D(x) = P(real)")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=8, loc="upper left")
    label_axes(ax, "x", "density", title)
    fig.tight_layout()
    return fig


def plot_generator_gradients(logits, sat, non_sat, title: str = "What the generator hears from D") -> Figure:
    """|d loss / d logit| of the saturating and non-saturating generator losses against D's
    logit on a fake sample. Introduced in 08_generative_adversarial_networks."""
    fig, ax = plt.subplots(figsize=(6.0, 3.6))
    ax.semilogy(logits, np.abs(sat), label=r"saturating $\log(1 - D(G(z)))$")
    ax.semilogy(logits, np.abs(non_sat), label=r"non-saturating $-\log D(G(z))$")
    ax.axvspan(logits.min(), -3, color="0.9", zorder=0)
    ax.text(logits.min() + 0.3, 2e-4, "D sure it is fake\n(early training)", fontsize=8)
    ax.legend(fontsize=8)
    label_axes(ax, "D's logit on a generated sample", "|gradient| per sample", title)
    fig.tight_layout()
    return fig


def _ring_axes(ax, centres, std, sigmas: float = 3.0):
    """Limits of the ring and a circle of radius ``sigmas`` * std around each mode."""
    for k, (cx, cy) in enumerate(np.asarray(centres)):
        ax.add_patch(Circle((cx, cy), sigmas * std, fill=False, ec="tab:red", lw=0.8,
                            label=rf"{sigmas:g}$\sigma$ around each mode" if k == 0 else None))
    ax.set_xlim(-RING_LIMIT, RING_LIMIT)
    ax.set_ylim(-RING_LIMIT, RING_LIMIT)
    ax.set_aspect("equal")


def plot_mixture_runs(runs: dict, centres, std: float, real=None, title: str = "Same budget, two losses") -> Figure:
    """One panel per run: its final samples over the ring's modes (and the real data).
    ``runs``: {name: (samples (N, 2), coverage dict from gan_train.mode_coverage)}.
    Introduced in 08_generative_adversarial_networks."""
    fig, axes = plt.subplots(1, len(runs) + (real is not None), figsize=(3.6 * (len(runs) + 1), 3.7), squeeze=False)
    axes = list(axes[0])
    if real is not None:
        ax = axes.pop(0)
        ax.scatter(real[:, 0], real[:, 1], s=3, alpha=0.4, color="tab:blue")
        _ring_axes(ax, centres, std)
        label_axes(ax, "$x_1$", "$x_2$", "real data")
    for ax, (name, (samples, cov)) in zip(axes, runs.items()):
        ax.scatter(samples[:, 0], samples[:, 1], s=3, alpha=0.4, color="tab:orange")
        _ring_axes(ax, centres, std)
        label_axes(ax, "$x_1$", "$x_2$", f"{name}: {cov['modes_covered']}/{len(centres)} modes, "
                                           f"{100 * cov['high_quality']:.0f} % good")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def show_digits(images, titles=None, cols: int = 10, title: str = "Samples", size: float = 0.9) -> Figure:
    """A grid of 8x8 images in [0, 1] (N, 8, 8) or (N, 1, 8, 8), with optional titles.
    Introduced in 08_generative_adversarial_networks."""
    images = np.asarray(images).reshape(-1, 8, 8)
    rows = int(np.ceil(len(images) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(size * cols, (size + (0.25 if titles else 0)) * rows + 0.5),
                             squeeze=False)
    for k, ax in enumerate(axes.flat):
        no_ticks(ax)
        ax.grid(False)
        if k >= len(images):
            ax.axis("off")
            continue
        ax.imshow(images[k], cmap="gray_r", vmin=0, vmax=1)
        if titles is not None:
            ax.set_title(titles[k], fontsize=7)
    axes[-1][0].set_xlabel("8x8 pixels")
    axes[-1][0].set_ylabel("image")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def training_view_figure(centres, std: float, total_steps: int) -> tuple[Figure, dict]:
    """The training view: samples over the modes (left), both losses so far (right).
    Returns ``(figure, artists)``. Introduced in 08_generative_adversarial_networks."""
    fig = widget_figure((9.0, 3.8))
    ax, axl = fig.add_subplot(121), fig.add_subplot(122)
    _ring_axes(ax, np.asarray(centres), std)
    pts = ax.scatter(np.zeros(1), np.zeros(1), s=4, alpha=0.5, color="tab:orange", label="generated")
    label_axes(ax, "$x_1$", "$x_2$", "samples")
    ld, = axl.plot([], [], color="tab:blue", lw=0.8, label="discriminator / critic")
    lg, = axl.plot([], [], color="tab:orange", lw=0.8, label="generator")
    axl.set_xlim(0, total_steps)
    axl.legend(fontsize=8, loc="upper right")
    label_axes(axl, "generator step", "loss", "both losses")
    fig.tight_layout()
    return fig, {"fig": fig, "ax": ax, "axl": axl, "points": pts, "d": ld, "g": lg}


def draw_training_view(art: dict, state: dict) -> None:
    """Update the training view from ``gan_train.training_view_state`` (the loss axis follows
    the run's ``loss_range``).
    Introduced in 08_generative_adversarial_networks."""
    if "message" in state:
        art["points"].set_offsets(np.zeros((0, 2)))
        art["d"].set_data([], [])
        art["g"].set_data([], [])
        art["ax"].set_title("nothing to show")
        return
    # axes, legend and circles are drawn once per run (the loss axis fits the run's losses);
    # a callback redraws only the points, the curves and the title
    art["axl"].set_ylim(*state["loss_range"])
    cache_background(art["fig"], art, [art["points"], art["d"], art["g"], art["ax"].title], key=state["run"])
    art["points"].set_offsets(np.asarray(state["samples"], dtype=float))
    art["d"].set_data(state["steps_so_far"], state["d_loss"])
    art["g"].set_data(state["steps_so_far"], state["g_loss"])
    art["ax"].set_title(f"{state['run']}: step {state['step']}")


def interpolation_figure(frames: int = 9) -> tuple[Figure, dict]:
    """The latent-interpolation view: the strip of ``frames`` images from seed A to seed B and
    the image at t, larger, with the classifier's probabilities. Returns ``(figure, artists)``.
    Introduced in 08_generative_adversarial_networks."""
    fig = widget_figure((9.0, 3.4))
    grid = fig.add_gridspec(2, frames + 3)
    strip = [fig.add_subplot(grid[0, k]) for k in range(frames)]
    big = fig.add_subplot(grid[:, frames:frames + 2])
    bars = fig.add_subplot(grid[1, :frames])
    ims = []
    for k, ax in enumerate(strip):
        ims.append(ax.imshow(np.zeros((8, 8)), cmap="gray_r", vmin=0, vmax=1))
        no_ticks(ax)
        ax.grid(False)
        ax.set_title(f"t={k / max(frames - 1, 1):.2f}", fontsize=7)
    label_axes(strip[0], "", "A -> B")
    im_big = big.imshow(np.zeros((8, 8)), cmap="gray_r", vmin=0, vmax=1)
    no_ticks(big)
    big.grid(False)
    label_axes(big, "8x8 pixels", "", "at t")
    rects = bars.bar(np.arange(10), np.zeros(10), color="tab:blue")
    bars.set_ylim(0, 1)
    bars.set_xticks(np.arange(10))
    label_axes(bars, "digit (chapter-03 classifier)", "probability", "what the classifier reads at t")
    fig.tight_layout()
    art = {"fig": fig, "strip": ims, "strip_axes": strip, "big": im_big, "big_ax": big, "bars": rects}
    # frames, labels and ticks are drawn once; a callback redraws only the images, bars and title
    cache_background(fig, art, [*ims, im_big, *rects, big.title])
    return fig, art


def draw_interpolation(art: dict, state: dict) -> None:
    """Update the interpolation view from ``gan_eval.interpolation_state``.
    Introduced in 08_generative_adversarial_networks."""
    if "message" in state:
        art["big_ax"].set_title("no image")
        return
    for im, img in zip(art["strip"], state["strip"]):
        im.set_data(img)
    art["big"].set_data(state["image"])
    probs = state["probs"] if state["probs"] is not None else np.zeros(10)
    for r, p in zip(art["bars"], probs):
        r.set_height(float(p))
    pred = "" if state["predicted"] is None else f": a {state['predicted']} ({probs.max():.2f})"
    art["big_ax"].set_title(f"t = {state['t']:.2f}{pred}", fontsize=9)

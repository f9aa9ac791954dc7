"""Figures of 06_sequence_models. The numbers come from ``course_lib.sequences``,
``course_lib.gates``, ``course_lib.memory_task`` and ``course_lib.char_lm``; these functions
only draw. Static figures return the ``Figure``; a widget's figure is built once
(``*_figure``) and updated in place (``draw_*``), rendered by ``plots._figure.figure_png``.
"""
from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Rectangle

from course_lib.plots._figure import cache_background, figure_png, label_axes, snapshot_row, widget_figure

__all__ = ["draw_io_structures", "plot_gradient_norms", "plot_memory_sweep", "plot_bpc_history",
           "plot_gate_heatmaps", "gate_explorer_figure", "draw_gate_explorer",
           "temperature_figure", "draw_temperature", "snapshot_row", "GATE_PANELS", "MAX_STEPS"]

GATE_PANELS = ("input", "forget", "output", "hidden")   # what the gate explorer shows, top to bottom
MAX_STEPS = 21                                          # "." + up to 20 letters
_COLOURS = {"x": "#cfe2f3", "h": "#d9ead3", "y": "#fce5cd"}


def _box(ax, x: float, y: float, text: str, colour: str) -> None:
    ax.add_patch(Rectangle((x - 0.3, y - 0.22), 0.6, 0.44, facecolor=colour, edgecolor="black", lw=1))
    ax.text(x, y, text, ha="center", va="center", fontsize=9)


def _arrow(ax, a: tuple, b: tuple, style: str = "-|>", ls: str = "-") -> None:
    ax.add_patch(FancyArrowPatch(a, b, arrowstyle=style, mutation_scale=10, lw=1, ls=ls, color="black"))


def draw_io_structures(structures: Sequence[dict]) -> Figure:
    """One panel per input-output structure (dicts from ``sequences.io_structure``): inputs
    ``x`` at the bottom, hidden states ``h`` in the middle (arrows: the recurrence), outputs
    ``y`` on top; a dashed arrow feeds an output back as the next input. Returns the
    ``Figure``. Introduced in 06_sequence_models."""
    fig, axes = plt.subplots(1, len(structures), figsize=(3.2 * len(structures), 3.4),
                             gridspec_kw={"width_ratios": [max(s["steps"], 3) for s in structures]})
    for ax, s in zip(np.atleast_1d(axes), structures):
        for t in range(s["steps"]):
            _box(ax, t, 1, f"h{t + 1}", _COLOURS["h"])
            if t > 0:
                _arrow(ax, (t - 0.7, 1), (t - 0.3, 1))
            if t in s["inputs"]:
                _box(ax, t, 0, f"x{s['inputs'].index(t) + 1}", _COLOURS["x"])
                _arrow(ax, (t, 0.22), (t, 0.78))
            if t in s["outputs"]:
                _box(ax, t, 2, f"y{s['outputs'].index(t) + 1}", _COLOURS["y"])
                _arrow(ax, (t, 1.22), (t, 1.78))
                if s["feeds_back"] and t + 1 < s["steps"] and t + 1 not in s["inputs"]:
                    _arrow(ax, (t + 0.2, 1.8), (t + 0.8, 1.25), ls="--")
        ax.set_xlim(-0.6, max(s["steps"], 3) - 0.4)
        ax.set_ylim(-0.5, 2.5)
        ax.set_xticks(range(s["steps"]))
        ax.set_yticks([0, 1, 2], ["input", "hidden", "output"])
        ax.grid(False)
        label_axes(ax, "time step", "")
        ax.set_title(f"{s['name']}\n(e.g. {s['example']})", fontsize=10)
    fig.tight_layout()
    return fig


def plot_gradient_norms(norms: dict[str, np.ndarray], title: str) -> Figure:
    """``norms[name][k]``: the gradient norm reaching k steps back (``sequences.
    gradient_norms_over_time``), one line per model, log scale. Introduced in 06_sequence_models."""
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for name, g in norms.items():
        ax.semilogy(np.arange(len(g)), g, label=name)
    label_axes(ax, "k (steps back from the last one)", r"$\|\partial L / \partial x_{T-k}\|$ (log scale)", title)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_memory_sweep(lengths: Sequence[int], results: dict[str, Sequence[float]], chance: float,
                      target: float | None = None) -> Figure:
    """Test accuracy on the first-symbol task against the sequence length, one line per model,
    with the chance level (and a target line if given). Introduced in 06_sequence_models."""
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for (name, acc), m in zip(results.items(), "osd^v"):
        ax.plot(lengths, acc, marker=m, label=name)
    ax.axhline(chance, color="grey", ls="--", label=f"chance ({chance:.2f})")
    if target is not None:
        ax.axhline(target, color="tab:green", ls=":", label=f"target ({target:.2f})")
    ax.set_xscale("log")
    ax.set_xticks(list(lengths), [str(t) for t in lengths])
    ax.set_ylim(0, 1.05)
    label_axes(ax, "sequence length T (log scale)", "test accuracy", "Remember the first symbol for T steps")
    ax.legend()
    fig.tight_layout()
    return fig


def plot_bpc_history(history: Sequence[float], baselines: dict[str, float]) -> Figure:
    """Validation bits per character after each epoch, with the baselines as horizontal lines.
    Introduced in 06_sequence_models."""
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.plot(np.arange(1, len(history) + 1), history, marker="o", label="char LSTM")
    ax.set_xticks(np.arange(1, len(history) + 1))
    for (name, v), c in zip(baselines.items(), ["tab:red", "tab:orange", "tab:purple"]):
        ax.axhline(v, ls="--", color=c, label=f"{name} ({v:.2f})")
    label_axes(ax, "epoch", "validation bits per character", "Character language model on census first names")
    ax.legend()
    fig.tight_layout()
    return fig


def _panels(fig: Figure, units: int) -> dict:
    """Four heatmaps of ``units`` rows x ``MAX_STEPS`` columns; the characters read are text
    artists under the last panel, so the axes never change and a widget can blit."""
    axes = fig.subplots(len(GATE_PANELS), 1, sharex=True)
    art = {"axes": axes, "images": {}, "units": units}
    blank = np.full((units, MAX_STEPS), np.nan)
    for ax, key in zip(axes, GATE_PANELS):
        lim = (-1, 1) if key == "hidden" else (0, 1)
        cmap = "coolwarm" if key == "hidden" else "viridis"
        art["images"][key] = ax.imshow(blank, aspect="auto", vmin=lim[0], vmax=lim[1], cmap=cmap,
                                       interpolation="nearest")
        ax.set_ylabel(f"{key}\nunit")
        ax.grid(False)
        fig.colorbar(art["images"][key], ax=ax, fraction=0.03, pad=0.01)
    last = axes[-1]
    last.set_xticks(range(MAX_STEPS), [""] * MAX_STEPS)
    last.set_xlabel("character read (time step)", labelpad=14)
    art["chars"] = [last.text(t, units - 0.5 + 0.04 * units, "", ha="center", va="top", fontsize=10,
                              clip_on=False) for t in range(MAX_STEPS)]
    art["title"] = axes[0].set_title(" ")
    return art


def draw_gate_explorer(art: dict, state: dict, first_unit: int = 0) -> None:
    """Show the gates and hidden state of ``char_lm.gate_trace``'s ``state`` for units
    ``first_unit .. first_unit + art["units"] - 1`` (columns: the characters read).
    Introduced in 06_sequence_models."""
    T, units = len(state["chars"]), art["units"]
    for key in GATE_PANELS:
        values = state["hidden"] if key == "hidden" else state["gates"][key]
        block = values[:, first_unit:first_unit + units].T
        grid = np.full((units, MAX_STEPS), np.nan)
        grid[:block.shape[0], :T] = block
        art["images"][key].set_data(grid)
    for t, txt in enumerate(art["chars"]):
        txt.set_text(state["chars"][t] if t < T else "")
    art["title"].set_text(f"LSTM gates reading '{''.join(state['chars'])}', units {first_unit}-"
                          f"{first_unit + units - 1} (row r = unit {first_unit} + r)")


def gate_explorer_figure(units: int = 32) -> tuple[Figure, dict]:
    """The gate explorer's figure: four heatmaps (input, forget, output gate, hidden state;
    rows: ``units`` hidden units, columns: time steps), drawn once; ``draw_gate_explorer``
    updates the images and labels, which are blitted over the cached axes.
    Introduced in 06_sequence_models."""
    fig = widget_figure((6.8, 6.2), dpi=60)
    art = _panels(fig, units)
    fig.subplots_adjust(left=0.12, right=0.97, top=0.95, bottom=0.08, hspace=0.15)
    cache_background(fig, art, list(art["images"].values()) + art["chars"] + [art["title"]])
    return fig, art


def plot_gate_heatmaps(state: dict, units: int = 32, first_unit: int = 0) -> Figure:
    """The gate explorer's picture as a static figure (for readers of the rendered book).
    Introduced in 06_sequence_models."""
    fig = plt.figure(figsize=(7.5, 7.2))
    art = _panels(fig, units)
    draw_gate_explorer(art, state, first_unit)
    art["axes"][-1].set_xlim(-0.5, max(len(state["chars"]), 8) - 0.5)   # only the steps read
    fig.subplots_adjust(left=0.12, right=0.97, top=0.95, bottom=0.08, hspace=0.15)
    return fig


def temperature_figure(vocab: str) -> tuple[Figure, dict]:
    """The temperature sampler's figure: the probability of each first character (bars, on a
    fixed 0-1 axis so the widget can blit). Introduced in 06_sequence_models."""
    fig = widget_figure((7.5, 2.8), dpi=72)
    ax = fig.add_subplot(1, 1, 1)
    bars = ax.bar(range(len(vocab)), np.zeros(len(vocab)), color="tab:blue")
    ax.set_xticks(range(len(vocab)), ["end" if c == "." else c for c in vocab], fontsize=8)
    ax.set_ylim(0, 1)
    title = ax.set_title(" ")
    label_axes(ax, "first character of the name", "probability")
    fig.subplots_adjust(left=0.09, right=0.98, top=0.88, bottom=0.18)
    art = {"ax": ax, "bars": list(bars), "title": title}
    cache_background(fig, art, art["bars"] + [title])
    return fig, art


def draw_temperature(art: dict, state: dict) -> None:
    """Update the bars to ``state["first_probs"]`` (from ``char_lm.temperature_state``) and the
    title. Introduced in 06_sequence_models."""
    for bar, v in zip(art["bars"], state["first_probs"]):
        bar.set_height(float(v))
    art["title"].set_text(f"first character at temperature {state['temperature']:.2f} "
                          f"(entropy {state['entropy']:.2f} bits)")

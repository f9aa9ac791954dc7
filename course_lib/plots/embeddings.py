"""Figures of 07_word_embeddings. The numbers come from ``course_lib.embeddings``; these
functions only draw. Static figures return the ``Figure``; the explorer's figure is built
once (:func:`explorer_figure`) and updated in place (:func:`draw_explorer`), rendered by
``plots._figure.figure_png``.
"""
from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from course_lib.plots._figure import cache_background, label_axes, widget_figure

__all__ = ["plot_sampling_distributions", "plot_update_cost", "plot_training", "plot_glove_weight",
           "plot_projection", "explorer_figure", "draw_explorer", "MAX_LABELS"]

MAX_LABELS = 16          # words the explorer can highlight at once (query words + answers)
_QUERY, _ANSWER = "#c00000", "#1f77b4"


def plot_sampling_distributions(words: Sequence[str], dists: dict[str, np.ndarray]) -> Figure:
    """Bars of several negative-sampling distributions (``dists[label]``: probabilities over
    ``words``, e.g. powers 1, 3/4 and 0). Introduced in 07_word_embeddings."""
    fig, ax = plt.subplots(figsize=(9.0, 3.6))
    x = np.arange(len(words))
    width = 0.8 / len(dists)
    for k, (label, p) in enumerate(dists.items()):
        ax.bar(x + (k - (len(dists) - 1) / 2) * width, p, width, label=label)
    ax.set_xticks(x, words, rotation=60, ha="right", fontsize=8)
    label_axes(ax, "word (most frequent first)", "probability of being drawn",
               "Which words negative sampling draws")
    ax.legend()
    fig.tight_layout()
    return fig


def plot_update_cost(vocab_sizes: Sequence[int], seconds: dict[str, Sequence[float]]) -> Figure:
    """Measured time of one update (forward + gradients) against the vocabulary size V, one
    line per method, log-log. Introduced in 07_word_embeddings."""
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    for label, s in seconds.items():
        ax.loglog(vocab_sizes, 1e3 * np.asarray(s), "o-", label=label)
    label_axes(ax, "vocabulary size V (log scale)", "ms per update of 64 pairs (log scale)",
               "Full softmax grows with V, negative sampling does not")
    ax.legend()
    fig.tight_layout()
    return fig


def plot_training(losses: Sequence[float], accuracy: Sequence[float], target: float | None = None,
                  title: str = "Skip-gram with negative sampling") -> Figure:
    """Loss and analogy accuracy per epoch, side by side (the target as a dashed line).
    Introduced in 07_word_embeddings."""
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9.0, 3.4))
    epochs = np.arange(1, len(losses) + 1)
    a1.plot(epochs, losses, "o-")
    label_axes(a1, "epoch", "mean negative-sampling loss", f"{title}: loss")
    a2.plot(epochs[:len(accuracy)], 100 * np.asarray(accuracy), "o-", color="C2")
    if target is not None:
        a2.axhline(100 * target, ls="--", color="grey", label=f"target {100 * target:.0f} %")
        a2.legend(loc="lower right")
    a2.set_ylim(0, 102)
    label_axes(a2, "epoch", "analogy accuracy (%)", "Analogies answered right")
    fig.tight_layout()
    return fig


def plot_glove_weight(x: np.ndarray, f: np.ndarray, x_max: float) -> Figure:
    """GloVe's weighting f(x) against the co-occurrence count x. Introduced in 07_word_embeddings."""
    fig, ax = plt.subplots(figsize=(6.0, 3.4))
    ax.plot(x, f)
    ax.axvline(x_max, ls="--", color="grey", label=f"x_max = {x_max:g}")
    label_axes(ax, "co-occurrence count $X_{ij}$", "weight $f(X_{ij})$", "GloVe's weighting function")
    ax.legend()
    fig.tight_layout()
    return fig


def plot_projection(coords: np.ndarray, words: Sequence[str], highlight: dict[str, str] | None = None,
                    title: str = "Word vectors projected on 2 principal components") -> Figure:
    """All words as grey points at ``coords`` (V, 2); the words in ``highlight`` (word ->
    colour) drawn in colour and labelled. Introduced in 07_word_embeddings."""
    fig, ax = plt.subplots(figsize=(6.8, 5.2))
    ax.scatter(coords[:, 0], coords[:, 1], s=8, color="0.75")
    index = {w: i for i, w in enumerate(words)}
    for w, colour in (highlight or {}).items():
        x, y = coords[index[w]]
        ax.scatter([x], [y], s=30, color=colour)
        ax.annotate(w, (x, y), xytext=(3, 3), textcoords="offset points", fontsize=8, color=colour)
    label_axes(ax, "principal component 1", "principal component 2", title)
    fig.tight_layout()
    return fig


def explorer_figure() -> tuple[Figure, dict]:
    """The neighbour/analogy explorer's figure, built once: left, a map of the neighbourhood
    asked about (the words on the two principal components of the query words and the
    answers, scaled to [-1, 1]; other words grey) with up to ``MAX_LABELS`` labels; right,
    bars of the answers' cosine similarities. Returns (figure, artists). Introduced in
    07_word_embeddings."""
    fig = widget_figure((10.0, 4.2), dpi=72)
    ax, bx = fig.add_axes((0.06, 0.12, 0.5, 0.78)), fig.add_axes((0.7, 0.12, 0.28, 0.78))
    ax.set_xlim(-1.35, 1.35)
    ax.set_ylim(-1.25, 1.25)
    label_axes(ax, "principal component 1 (of the words shown)", "principal component 2",
               "Map of the neighbourhood (PCA)")
    others = ax.scatter([], [], s=6, color="0.8")
    query = ax.scatter([], [], s=40, color=_QUERY, zorder=3)
    answer = ax.scatter([], [], s=30, color=_ANSWER, zorder=3)
    labels = [ax.text(0, 0, "", fontsize=8, visible=False) for _ in range(MAX_LABELS)]
    bars = list(bx.barh(np.arange(MAX_LABELS), np.zeros(MAX_LABELS), color=_ANSWER, alpha=0.5))
    names = [bx.text(-0.18, k, "", va="center", fontsize=8) for k in range(MAX_LABELS)]
    bx.set_xlim(-0.2, 1.0)
    bx.set_ylim(MAX_LABELS - 0.5, -0.5)
    bx.set_yticks([])
    label_axes(bx, "cosine similarity", "", "Closest words")
    art = {"ax": ax, "bx": bx, "others": others, "query": query, "answer": answer, "labels": labels,
           "bars": bars, "names": names}
    cache_background(fig, art, [others, query, answer, *labels, *bars, *names])   # redraw only what changes
    return fig, art


def draw_explorer(art: dict, words: Sequence[str], state: dict) -> None:
    """Update the explorer from an ``embeddings.explorer_state`` dict: every word at
    ``state["coords"]`` (grey), query words in red, answers in blue, the answers' cosines as
    bars; an impossible query clears the picture. Introduced in 07_word_embeddings."""
    index = {w: i for i, w in enumerate(words)}
    ok = bool(state.get("ok"))
    coords = state["coords"] if ok else np.zeros((0, 2))
    query = [w for _, w in state.get("terms", [])] if ok else []
    results = state.get("results", []) if ok else []
    answers = [w for w, _ in results][:MAX_LABELS - len(query)]
    art["others"].set_offsets(coords)
    art["query"].set_offsets(coords[[index[w] for w in query]].reshape(-1, 2))
    art["answer"].set_offsets(coords[[index[w] for w in answers]].reshape(-1, 2))
    shown = [(w, _QUERY) for w in query] + [(w, _ANSWER) for w in answers]
    for k, label in enumerate(art["labels"]):
        if k < len(shown):
            w, colour = shown[k]
            label.set_position(coords[index[w]] + 0.03)
            label.set_text(w)
            label.set_color(colour)
        label.set_visible(k < len(shown))
    for k, (bar, name) in enumerate(zip(art["bars"], art["names"])):
        bar.set_width(results[k][1] if k < len(results) else 0.0)
        name.set_text(results[k][0] if k < len(results) else "")

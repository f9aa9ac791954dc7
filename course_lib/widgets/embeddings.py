"""Widgets of 07_word_embeddings: the neighbour / analogy explorer.

The computation lives in ``course_lib.embeddings`` (``explorer_state``, ``pca_2d``), the
drawing in ``course_lib.plots.embeddings``; here controls are wired to them. The vectors are
trained once in the notebook; a callback is one (V, d) x (d,) product and a redraw. The
widget keeps its controls and what it shows as attributes, so a test sets ``.value`` and
reads the result.
"""
from __future__ import annotations

from typing import Sequence

import ipywidgets as W
import numpy as np

from course_lib import embeddings as emb
from course_lib.plots import embeddings as emb_plots
from course_lib.widgets._base import FigureWidget, timed

__all__ = ["NeighbourExplorer", "neighbour_explorer"]


class NeighbourExplorer(FigureWidget):
    """Neighbour / analogy explorer: type a word or an analogy in ``w.query`` (Text, e.g.
    "paris - france + italy"), or pick one in ``w.examples`` (Dropdown, which fills the text);
    ``w.k`` (IntSlider) is how many answers to show. ``w.image`` shows a map of the
    neighbourhood (every word on the two principal components of the query words and the
    answers, ``w.state["coords"]``) with the query words (red) and the answers (blue)
    labelled, and the answers' cosine similarities; ``w.message`` the best answer, or why
    the query cannot be read (an unknown word with the closest known ones). ``w.state`` is
    the current ``embeddings.explorer_state(...)`` dict, ``w.render_ms`` the last
    callback's duration in milliseconds.
    """

    def __init__(self, vectors: np.ndarray, vocab: emb.Vocab, examples: Sequence[str] = (),
                 query: str | None = None, k: int = 8):
        emb.explorer_state(vectors, vocab, "", k)                 # checks vectors, vocab and k
        self.vectors, self.vocab = vectors, vocab
        super().__init__(*emb_plots.explorer_figure())
        examples = [e for e in examples if isinstance(e, str)] or [vocab.words[0]]
        first = examples[0] if query is None else query
        self.examples = W.Dropdown(options=list(dict.fromkeys(examples)), description="examples",
                                   value=first if first in examples else None)
        self.query = W.Text(value=first, description="query", continuous_update=False,
                            placeholder="king - man + woman")
        self.k = W.IntSlider(value=int(k), min=1, max=emb_plots.MAX_LABELS - 3, description="answers")
        self.state: dict = {}
        self.examples.observe(self._on_example, names="value")
        self.query.observe(self._update, names="value")
        self.k.observe(self._update, names="value")
        self.children = [W.HBox([self.examples, self.query, self.k]), self.message, self.image]
        self._update()

    def _on_example(self, change=None) -> None:
        if self.examples.value is not None:
            self.query.value = self.examples.value       # triggers _update when it changes

    @timed
    def _update(self, change=None) -> None:
        self.state = emb.explorer_state(self.vectors, self.vocab, self.query.value, self.k.value)
        if self.state["ok"]:
            answers = ", ".join(f"{w} ({c:.2f})" for w, c in self.state["results"][:3])
            self.say((self.state["message"], "ok"), f"next: {answers}",
                     f"{len(self.state['results'])} closest words shown")
        else:
            self.say((self.state["message"], "error"))
        emb_plots.draw_explorer(self.artists, self.vocab.words, self.state)
        self.show_figure()


def neighbour_explorer(vectors: np.ndarray, vocab: emb.Vocab, examples: Sequence[str] = (),
                       query: str | None = None, k: int = 8) -> NeighbourExplorer:
    """Build the neighbour / analogy explorer (see ``NeighbourExplorer``) for word vectors
    (V, d) and their vocabulary. Introduced in 07_word_embeddings."""
    return NeighbourExplorer(vectors, vocab, examples, query, k)

"""Headless tests of the chapter-07 widget: build the neighbour / analogy explorer on a small
space with a known analogy structure, set .value, read what it shows (no browser)."""
from __future__ import annotations

import ipywidgets as W
import numpy as np
import pytest

from course_lib import embeddings as emb
from course_lib.plots import embeddings as emb_plots
from course_lib.widgets import embeddings as emb_widgets


def _space():
    """concept (3 countries) + role (capital or not) + a small word-specific offset."""
    words = ["france", "paris", "italy", "rome", "spain", "madrid", "french", "the"]
    concept = [0, 0, 1, 1, 2, 2, 0, None]
    rng = np.random.default_rng(0)
    V = 0.05 * rng.normal(size=(8, 6))
    for i, c in enumerate(concept):
        if c is not None:
            V[i, c] += 1.0
        V[i, 3] += 1.0 if words[i] in ("paris", "rome", "madrid") else 0.0
    V[7, 4] = 1.0
    return V, emb.Vocab(words, [8, 7, 6, 5, 4, 3, 2, 1])


@pytest.fixture()
def explorer():
    V, vocab = _space()
    return emb_widgets.neighbour_explorer(V, vocab, examples=["paris - france + italy", "france"], k=3)


def test_structure_for_browser_tests(explorer):
    assert isinstance(explorer, W.VBox)
    controls = explorer.children[0]
    assert [c.description for c in controls.children] == ["examples", "query", "answers"]
    assert explorer.children[1] is explorer.message and explorer.children[2] is explorer.image
    assert explorer.image.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_analogy_query_is_answered_and_drawn(explorer):
    assert explorer.state["ok"] and explorer.state["results"][0][0] == "rome"
    assert "rome" in explorer.message.value
    art = explorer.artists
    coords = explorer.state["coords"]
    np.testing.assert_allclose(art["query"].get_offsets(), coords[[1, 0, 2]])
    np.testing.assert_allclose(art["others"].get_offsets(), coords)
    words = explorer.vocab.words
    shown = coords[[words.index(w) for w in explorer.state["highlight"]]]   # query words and answers in [-1, 1]
    assert np.abs(shown).max() == pytest.approx(1.0)
    assert [t.get_text() for t in art["labels"] if t.get_visible()][:4] == ["paris", "france", "italy", "rome"]
    assert art["bars"][0].get_width() == pytest.approx(explorer.state["results"][0][1])
    assert [t.get_text() for t in art["names"][:3]] == [w for w, _ in explorer.state["results"]]
    assert art["names"][3].get_text() == "" and art["bars"][3].get_width() == 0.0


def test_typing_picking_and_k_change_what_is_shown(explorer):
    png = explorer.image.value
    explorer.query.value = "madrid"
    assert explorer.state["ok"] and [w for w, _ in explorer.state["results"]][0] != "madrid"
    assert explorer.image.value != png
    explorer.examples.value = "france"
    assert explorer.query.value == "france" and explorer.state["results"][0][0] == "french"
    explorer.k.value = 5
    assert len(explorer.state["results"]) == 5 and "5 closest words shown" in explorer.message.value
    assert sum(t.get_visible() for t in explorer.artists["labels"]) == 1 + 5
    assert explorer.render_ms > 0


def test_unknown_word_gives_a_message_listing_close_words(explorer):
    explorer.query.value = "paris - frnace"
    assert not explorer.state["ok"]
    assert "frnace" in explorer.message.value and "france" in explorer.message.value
    assert "color:#c00000" in explorer.message.value
    assert not any(t.get_visible() for t in explorer.artists["labels"])
    explorer.query.value = "rome"                     # it recovers
    assert explorer.state["ok"]


def test_static_projection_figure_labels_its_axes():
    V, vocab = _space()
    coords = emb.pca_2d(V)[0]
    fig = emb_plots.plot_projection(coords, vocab.words, {"paris": "red"})
    ax = fig.axes[0]
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    assert [t.get_text() for t in ax.texts] == ["paris"]


def test_bad_vectors_are_refused_when_the_widget_is_built():
    V, vocab = _space()
    V[2, 1] = np.nan
    with pytest.raises(ValueError, match="vectors"):
        emb_widgets.neighbour_explorer(V, vocab)

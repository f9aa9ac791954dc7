"""Headless tests of the chapter-02 widgets: build them, set .value, read what they show
(no browser). The computation behind them is course_lib.conv; here we check
the wiring: state, message, the drawn window and the displayed filtered image."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib import conv, data
from course_lib.plots import conv as conv_plots
from course_lib.widgets import conv as conv_widgets


@pytest.fixture()
def explorer():
    return conv_widgets.conv_explorer(n=6, f=3, p=0, s=1)


def test_explorer_structure_for_browser_tests(explorer):
    import ipywidgets as W

    assert isinstance(explorer, W.VBox)
    controls = explorer.children[0]
    descriptions = [getattr(w, "description", None) for w in controls.children]
    assert descriptions[:4] == ["n", "f", "p", "s"]
    # the explorer is the only VBox around the sliders (a browser test looks for it)
    assert not isinstance(controls, W.VBox)
    assert explorer.children[1] is explorer.message and explorer.children[2] is explorer.image
    assert explorer.image.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_explorer_follows_sliders(explorer):
    assert explorer.state["ok"] and explorer.state["out_size"] == 4
    assert "4x4" in explorer.message.value
    first_png = explorer.image.value
    explorer.p.value = 1
    assert explorer.state["out_size"] == 6 and explorer.state["padded_size"] == 8
    assert "6x6" in explorer.message.value
    assert explorer.i.max == 5 and explorer.j.max == 5
    assert explorer.image.value != first_png
    explorer.s.value = 2
    explorer.i.value, explorer.j.value = 2, 1
    assert explorer.state["out_size"] == conv.conv_output_size(6, 3, 1, 2) == 3
    assert explorer.position == (2, 1)
    assert explorer.state["window"] == (4, 2, 7, 5)
    # the drawn rectangle sits on padded rows 4..6 and columns 2..4 (cell centres at integers)
    patch = explorer.artists["window"]
    assert patch.get_visible()
    assert patch.get_xy() == pytest.approx((2 - 0.5, 4 - 0.5))
    assert (patch.get_width(), patch.get_height()) == (3, 3)
    assert explorer.artists["cell"].get_xy() == pytest.approx((1 - 0.5, 2 - 0.5))


def test_explorer_clips_position_when_output_shrinks(explorer):
    explorer.i.value = 3
    explorer.f.value = 5          # 6x6 with 5x5 -> 2x2 output, i must drop to 1
    assert explorer.i.max == 1 and explorer.i.value == 1
    assert explorer.position == (1, 0)
    assert explorer.state["window"] == (1, 0, 6, 5)


def test_explorer_impossible_setting_shows_message_and_does_not_raise(explorer):
    explorer.n.value = 3
    explorer.f.value = 7          # f > n + 2p: no window fits
    assert explorer.state["ok"] is False
    assert "Impossible setting" in explorer.message.value
    assert "larger" in explorer.message.value
    assert not explorer.artists["window"].get_visible()
    assert explorer.i.disabled and explorer.j.disabled
    explorer.p.value = 2          # 3 + 4 = 7: fits again, a 1x1 output
    assert explorer.state["ok"] and explorer.state["out_size"] == 1
    assert explorer.artists["window"].get_visible() and not explorer.i.disabled


def _torch_same(image: np.ndarray, kernel) -> np.ndarray:
    x = torch.tensor(image, dtype=torch.float64)[None, None]
    k = torch.tensor(np.asarray(kernel, dtype=np.float64))[None, None]
    return F.conv2d(x, k, padding=1)[0, 0].numpy()


@pytest.mark.parametrize("name", list(conv_widgets.FILTER_KERNELS))
def test_filter_playground_shows_conv_of_image_with_chosen_kernel(name):
    image = data.sample_image("camera", size=64)
    w = conv_widgets.filter_playground(image, kernel="identity")
    np.testing.assert_allclose(w.out_image, image, atol=1e-12)
    w.kernel.value = name
    expected = _torch_same(image, conv_widgets.FILTER_KERNELS[name])
    np.testing.assert_allclose(w.weights, conv_widgets.FILTER_KERNELS[name], atol=0)
    np.testing.assert_allclose([c.value for c in w.cells], np.ravel(conv_widgets.FILTER_KERNELS[name]))
    np.testing.assert_allclose(w.out_image, expected, atol=1e-10)
    lo, hi = w.artists["filtered"].get_clim()
    assert lo == pytest.approx(expected.min()) and hi == pytest.approx(expected.max())


def test_filter_playground_typed_kernel_switches_to_custom():
    image = data.sample_image("coins", size=48)
    w = conv_widgets.filter_playground(image, kernel="vertical edge")
    before = w.image.value
    w.cells[4].value = 2.0        # centre tap 0 -> 2
    assert w.kernel.value == "custom"
    k = np.array(conv_widgets.FILTER_KERNELS["vertical edge"], dtype=float)
    k[1, 1] = 2.0
    np.testing.assert_allclose(w.out_image, _torch_same(image, k), atol=1e-10)
    assert w.image.value != before


def test_filter_playground_rejects_bad_image():
    with pytest.raises(ValueError, match="2-D grey image"):
        conv_widgets.filter_playground(np.zeros((4, 4, 3)))


def test_explorer_message_is_escaped_html_with_one_tone():
    w = conv_widgets.conv_explorer(n=6, f=3, p=0, s=1)
    assert w.message.value.startswith("<b style='color:#1a7f37'>") and "-&gt; 4x4" in w.message.value
    w.f.value = 7                 # impossible: the same message machinery, in red
    assert w.message.value.startswith("<b style='color:#c00000'>Impossible setting")


def test_chapter02_figures_label_their_axes():
    import matplotlib.pyplot as plt

    fig, art = conv_plots.conv_explorer_figure()
    fig2, _ = conv_plots.filter_playground_figure(np.zeros((8, 8)))
    figs = [fig, fig2, conv_plots.show_images([np.zeros((4, 4))], ["a"]),
            conv_plots.bar_counts(["a", "b"], [10, 100], "t", "count"),
            conv_plots.show_grid_values(np.eye(3), "g").figure]
    for f in figs:
        for ax in f.axes:
            if ax.get_label() != "<colorbar>":
                assert ax.get_xlabel() and ax.get_ylabel(), ax.get_title()
    plt.close("all")

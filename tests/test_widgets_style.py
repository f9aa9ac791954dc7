"""Headless tests of the chapter-10 widgets: build them, set .value, read what they show (no
browser). The computation behind them is course_lib.style_optimize; here we check the
wiring: the state, the message, the drawn artists and the displayed PNG."""
from __future__ import annotations

import ipywidgets as W
import numpy as np
import pytest
import torch

from course_lib import style, style_optimize as so
from course_lib.models import style_nets as sn
from course_lib.widgets import style as style_widgets


@pytest.fixture(scope="module")
def grid():
    rng = np.random.default_rng(0)
    return {"images": rng.integers(0, 256, (4, 3, 3, 16, 16, 3)).astype(np.uint8),
            "content": rng.random((4, 3, 3)), "style": rng.random((4, 3, 3)),
            "betas": [1e3, 1e4, 1e5, 1e6], "content_layers": ["relu1_2", "relu2_2", "relu3_2"],
            "style_sets": ["a", "b", "c"], "settings": np.array(["chelsea", "flower", "16", "1", "1.0"])}


def test_style_explorer_follows_its_controls(grid):
    w = style_widgets.style_explorer(grid)
    assert isinstance(w, W.VBox) and w.children[1] is w.message and w.children[2] is w.image
    assert [c.description for c in w.children[0].children] == ["log10 beta (alpha = 1)", "content layer", "style layers"]
    assert w.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    first = w.image.value
    np.testing.assert_array_equal(w.artists["result"].get_array(), grid["images"][2, 1, 2])
    w.beta.value = 6
    np.testing.assert_array_equal(w.artists["result"].get_array(), grid["images"][3, 1, 2])
    assert w.state["style"] == grid["style"][3, 1, 2] and "1/1e+06" in w.message.value
    assert w.image.value != first
    w.content_layer.value = "relu1_2"
    w.style_set.value = "a"
    np.testing.assert_array_equal(w.artists["result"].get_array(), grid["images"][3, 0, 0])
    assert "relu1_2" in w.message.value and w.render_ms > 0


def test_replay_viewer_steps_through_the_snapshots():
    net = sn.random_multiscale_net(sizes=(3,), channels=4)
    C, S = style.load_image("chelsea", 16), style.load_image("flower", 16)
    t = so.style_targets(net, C, S, "scale3", ["scale3"], alpha=1.0, beta=1e3)
    r = so.transfer(t, steps=6, optimizer="adam", snapshot_every=2)
    w = style_widgets.replay_viewer(r)
    assert w.step.max == 6 and w.step.step == 2
    w.step.value = 4
    np.testing.assert_array_equal(w.artists["image"].get_array(), r.snapshots[2][1])
    assert list(w.artists["marker"].get_xdata()) == [4, 4]
    assert w.state["total"] == r.history["total"][4] and "step 4" in w.message.value


def test_fast_style_viewer_applies_the_network_to_the_chosen_image():
    torch.manual_seed(0)
    net = sn.TransformNet(4, 1).eval()
    w = style_widgets.fast_style_viewer(net, size=32)
    assert w.picture.value == "chelsea" and w.output.shape == (32, 32, 3)
    w.picture.value = "gravel"
    with torch.no_grad():
        want = style.to_image(net(torch.from_numpy(style.load_image("gravel", 32))[None]))
    np.testing.assert_allclose(w.output, want, atol=1e-6)
    np.testing.assert_allclose(w.artists["output"].get_array(), want, atol=1e-6)
    assert "gravel" in w.message.value and "ms" in w.message.value


def test_builders_check_their_arguments(grid):
    with pytest.raises(TypeError, match="grid"):
        style_widgets.style_explorer("grid")
    with pytest.raises(TypeError, match="result"):
        style_widgets.replay_viewer(so.StyleResult(torch.zeros(1, 3, 4, 4)))

"""Chapter-03 widgets, driven like ipywidgets' own tests: build, set ``.value``, read what
the widget now shows, and compare with the pure functions in course_lib.visualize."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from course_lib import models, visualize, widgets  # noqa: E402


@pytest.fixture(scope="module")
def net():
    torch.manual_seed(0)
    return models.vgg16(num_classes=10, in_channels=1, width=1 / 16, small_input=True).eval()


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(0).random((4, 1, 32, 32)).astype(np.float32)


def test_filter_viewer_shows_the_chosen_filter(net, images):
    w = widgets.filter_viewer(net, images[0])
    assert list(w.layer.options) == visualize.conv_layers(net)
    w.layer.value = "stage2.2"
    w.channel.value = 3
    weight = dict(net.named_modules())["stage2.2"].weight.detach().numpy()
    assert w.channel.max == weight.shape[0] - 1
    np.testing.assert_allclose(w.kernels, visualize.filter_mosaic(weight[3]))
    conv_out = visualize.activations(net, images[:1], ["stage2.2"])["stage2.2"][0, 3]
    np.testing.assert_allclose(w.response, conv_out, rtol=1e-5, atol=1e-6)
    assert "filter 3" in w.message.value and w.image.value[:4] == b"\x89PNG"


def test_filter_viewer_clamps_channel_when_layer_has_fewer_filters(net, images):
    w = widgets.filter_viewer(net, images[0], layer="stage5.4")
    w.channel.value = w.channel.max
    w.layer.value = "stage1.0"
    assert w.channel.value <= len(dict(net.named_modules())["stage1.0"].weight) - 1
    assert w.kernels is not None and "stage1.0" in w.message.value


def test_activation_viewer_follows_controls(net, images):
    layers = ["stage1.1", "stage3.5"]
    w = widgets.activation_viewer(net, images, layers)
    w.layer.value = "stage3.5"
    w.channel.value = 2
    w.index.value = 3
    acts = visualize.activations(net, images, layers)
    np.testing.assert_allclose(w.map, acts["stage3.5"][3, 2], rtol=1e-5, atol=1e-6)
    assert w.state["ok"] and w.channel.max == acts["stage3.5"].shape[1] - 1
    assert w.render_ms > 0


def test_activation_view_never_raises():
    acts = {"a": np.zeros((2, 3, 4, 4))}
    assert not visualize.activation_view(acts, "b", 0, 0)["ok"]
    bad = visualize.activation_view(acts, "a", 5, 0)
    assert not bad["ok"] and "0..2" in bad["message"]
    assert not visualize.activation_view(acts, "a", 0, 9)["ok"]
    assert visualize.activation_view(acts, "a", 2, 1)["map"].shape == (4, 4)

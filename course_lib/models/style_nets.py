"""Feature extractors and the transform network of 10_neural_style_transfer, in plain torch.

Nothing here is downloaded. The chapter compares three ways to get features:

- :func:`random_multiscale_net`: one layer of random convolution filters at several sizes
  with ReLU, no training at all (Ustyuzhaninov et al. 2016, "Texture synthesis using
  shallow convolutional networks with random filters");
- :func:`feature_cnn`: a small VGG (three stages built by chapter 03's :func:`vgg_stage`)
  trained by ``data/train_style_features.py`` to tell apart patches of the bundled photos
  and textures, loaded from ``data/style_features.pt`` by :func:`load_style_nets`;
- :func:`vgg19_features`: the 16 convolutions of VGG-19 in torchvision's ``features``
  layout, filled from a local state dict by :func:`load_vgg19` when a learner has one.

Every extractor is an ``nn.Sequential`` (or a module) whose children are named layers
(``conv1_1``, ``relu1_1``, ..., ``pool1``; ``scale3``, ``scale5``, ... for the random net),
so layers are chosen by name and chapter 03's ``visualize`` tools work on them unchanged.
:class:`TransformNet` is the feed-forward network of fast style transfer (Johnson et al.
2016). Introduced in 10_neural_style_transfer.
"""
from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path

import torch
import torch.nn as nn

from course_lib import _checks
from course_lib.models.classic import vgg_stage

__all__ = ["VGG19_STAGES", "FEATURE_STAGES", "FEATURES_CHECKPOINT", "FAST_STYLE_CHECKPOINT", "named_vgg", "vgg19_features", "load_vgg19",
           "normalize_mean_activation", "feature_cnn", "MultiScaleRandom", "random_multiscale_net", "TransformNet", "load_style_nets",
           "save_style_nets"]

VGG19_STAGES = ((64, 64), (128, 128), (256, 256, 256, 256), (512, 512, 512, 512), (512, 512, 512, 512))
FEATURE_STAGES = ((16, 16), (32, 32), (64, 64))
DATA_DIR = Path(__file__).resolve().parents[2] / "data"
FEATURES_CHECKPOINT = DATA_DIR / "style_features.pt"   # data/train_style_features.py
FAST_STYLE_CHECKPOINT = DATA_DIR / "fast_style.pt"       # data/train_fast_style.py


def named_vgg(stages: tuple[tuple[int, ...], ...], in_channels: int = 3) -> nn.Sequential:
    """The convolutional part of a VGG, built stage by stage with :func:`vgg_stage`, as one flat
    ``nn.Sequential`` whose layers are named ``conv{s}_{i}``, ``relu{s}_{i}``, ``pool{s}``.

    x: (N, in_channels, H, W) -> (N, stages[-1][-1], H / 2^S, W / 2^S). The flat order is
    torchvision's ``features`` order (conv, ReLU, ..., max pool per stage), so index k of
    this Sequential is ``features.k`` there. Introduced in 10_neural_style_transfer.
    """
    in_channels = _checks.integer(in_channels, "in_channels", 1)
    layers, c_in = OrderedDict(), in_channels
    for s, chans in enumerate(stages, start=1):
        stage = vgg_stage(c_in, tuple(chans))
        for k, layer in enumerate(stage):
            i = k // 2 + 1
            name = f"pool{s}" if isinstance(layer, nn.MaxPool2d) else \
                (f"conv{s}_{i}" if isinstance(layer, nn.Conv2d) else f"relu{s}_{i}")
            if isinstance(layer, nn.ReLU):
                layer = nn.ReLU(inplace=False)   # the style costs read several layers of one pass
            layers[name] = layer
        c_in = chans[-1]
    return nn.Sequential(layers)


def vgg19_features() -> nn.Sequential:
    """VGG-19's 16 convolutions and 5 poolings (random weights until :func:`load_vgg19` fills
    them): x (N, 3, H, W) -> (N, 512, H/32, W/32). Introduced in 10_neural_style_transfer."""
    return named_vgg(VGG19_STAGES)


def load_vgg19(path: str | os.PathLike | None = None) -> nn.Sequential | None:
    """Real VGG-19 features from a local torch state dict in torchvision's layout (keys
    ``features.0.weight``, ..., as in ``vgg19-dcbb9e9d.pth``), or None when there is no file.

    ``path`` None looks at ``$VGG19_WEIGHTS`` and then torch's hub cache
    (``~/.cache/torch/hub/checkpoints/vgg19-dcbb9e9d.pth``); nothing is downloaded. A file
    whose keys or shapes do not fit VGG-19 raises a ValueError naming ``path``. The network
    comes back in eval mode, frozen. Introduced in 10_neural_style_transfer.
    """
    if path is None:
        env = os.environ.get("VGG19_WEIGHTS", "").strip()
        hub = Path(torch.hub.get_dir()) / "checkpoints" / "vgg19-dcbb9e9d.pth"
        path = env or hub
        if not Path(path).is_file():
            return None
    elif not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file name (str or Path), got {type(path).__name__}.")
    if not Path(path).is_file():
        raise ValueError(f"path {str(path)!r} is not a file; give a VGG-19 state dict or None.")
    state = torch.load(path, map_location="cpu", weights_only=True)
    net = vgg19_features()
    wanted = {f"features.{k}.{p}": v for k, layer in enumerate(net) for p, v in layer.state_dict().items()}
    missing = [k for k in wanted if k not in state]
    bad = [k for k in wanted if k in state and tuple(state[k].shape) != tuple(wanted[k].shape)]
    if missing or bad:
        raise ValueError(f"path {str(path)!r} does not hold VGG-19 weights in torchvision's layout: "
                         f"missing {missing[:3]}, wrong shapes {bad[:3]}.")
    with torch.no_grad():
        for k, layer in enumerate(net):
            for p, v in layer.named_parameters():
                v.copy_(state[f"features.{k}.{p}"].float())
    return net.eval().requires_grad_(False)


@torch.no_grad()
def normalize_mean_activation(net: nn.Module, images: torch.Tensor) -> dict[str, float]:
    """Rescale the convolutions of ``net`` so that each layer's mean activation after its
    ReLU, over ``images`` (N, 3, H, W), its channels and all positions, is 1, so that no
    layer's Gram matrix dwarfs the others (Gatys et al. 2016 normalised VGG-19 per filter;
    one scale per layer is used here, as per-filter scaling blows up channels that almost
    never fire in a small network).

    A ReLU network is positively homogeneous: a conv's weights and bias are scaled by a,
    and the next conv's (or the head's linear layer's) weights by 1/a, so what the network
    computes at its output is unchanged. Works on a :func:`named_vgg` / :func:`feature_cnn`
    and on a :class:`MultiScaleRandom` (each scale alone). Returns {conv name: scale a}.
    Introduced in 10_neural_style_transfer.
    """
    _checks.module(net, "net")
    x = _checks.tensor(images, "images").float()
    _checks.ndim(x, "images", 4, "(N, 3, H, W)")
    done = {}
    if isinstance(net, MultiScaleRandom):
        for name, branch in net.scales.items():
            conv = branch[0]
            a = 1.0 / branch(x).mean().clamp_min(1e-12)
            conv.weight.mul_(a)
            conv.bias.mul_(a)
            done[name] = float(a)
        return done
    seq = net.features if hasattr(net, "features") else net
    head = net.head if hasattr(net, "head") else None
    layers = list(seq.named_children())
    h, prev = x, None            # prev: (conv, scale) whose outgoing channels were rescaled
    for k, (name, layer) in enumerate(layers):
        if isinstance(layer, nn.Conv2d):
            if prev is not None:
                layer.weight.mul_(1.0 / prev)
            a = 1.0 / torch.relu(layer(h)).mean().clamp_min(1e-12)
            layer.weight.mul_(a)
            layer.bias.mul_(a)
            done[name], prev = float(a), a
        h = layer(h)
    if head is not None and prev is not None:
        lin = [m for m in head.modules() if isinstance(m, nn.Linear)][0]
        lin.weight.mul_(1.0 / prev)
    return done


def feature_cnn(num_classes: int = 12, stages: tuple = FEATURE_STAGES) -> nn.Sequential:
    """The small VGG the repo trains (``data/train_style_features.py``): ``features`` (a
    :func:`named_vgg` of ``stages``, by default 16-16 / 32-32 / 64-64 channels) then
    ``head`` (global average pooling, a linear layer to ``num_classes`` patch sources).

    x: (N, 3, H, W) -> (N, num_classes); ``model.features`` alone gives the feature maps.
    Introduced in 10_neural_style_transfer.
    """
    num_classes = _checks.integer(num_classes, "num_classes", 2)
    features = named_vgg(stages)
    head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(stages[-1][-1], num_classes))
    return nn.Sequential(OrderedDict(features=features, head=head))


class MultiScaleRandom(nn.Module):
    """One layer of random filters at several sizes (Ustyuzhaninov et al. 2016): for each
    size k in ``sizes`` a 'same' convolution 3 -> ``channels`` with a k x k kernel, then ReLU,
    named ``scale{k}``. ``forward(x)`` returns the concatenation (N, len(sizes) * channels,
    H, W); :meth:`layer_names` lists the scales. Introduced in 10_neural_style_transfer."""

    def __init__(self, sizes: tuple[int, ...] = (3, 5, 9, 15), channels: int = 32, seed: int = 0):
        super().__init__()
        channels, seed = _checks.integer(channels, "channels", 1), _checks.integer(seed, "seed")
        sizes = tuple(_checks.integer(k, "sizes", 1) for k in sizes)
        if any(k % 2 == 0 for k in sizes):
            raise ValueError(f"sizes must be odd kernel sizes (a 'same' convolution), got {sizes}.")
        gen = torch.Generator().manual_seed(seed)
        self.scales = nn.ModuleDict()
        for k in sizes:
            conv = nn.Conv2d(3, channels, k, padding=k // 2, padding_mode="reflect")
            bound = (3.0 / (3 * k * k)) ** 0.5         # uniform, unit variance of the response
            with torch.no_grad():
                conv.weight.uniform_(-bound, bound, generator=gen)
                conv.bias.zero_()
            self.scales[f"scale{k}"] = nn.Sequential(conv, nn.ReLU())
        self.requires_grad_(False)

    def layer_names(self) -> list[str]:
        return list(self.scales)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([branch(x) for branch in self.scales.values()], dim=1)


def random_multiscale_net(sizes: tuple[int, ...] = (3, 5, 9, 15), channels: int = 32,
                          seed: int = 0) -> MultiScaleRandom:
    """A :class:`MultiScaleRandom` (random, never trained, frozen, eval mode). Introduced in
    10_neural_style_transfer."""
    return MultiScaleRandom(sizes, channels, seed).eval()


class _Residual(nn.Module):
    def __init__(self, c: int):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(c, c, 3, padding=1, padding_mode="reflect"),
                                  nn.InstanceNorm2d(c, affine=True), nn.ReLU(),
                                  nn.Conv2d(c, c, 3, padding=1, padding_mode="reflect"),
                                  nn.InstanceNorm2d(c, affine=True))

    def forward(self, x):
        return x + self.body(x)


def _conv(c_in: int, c_out: int, k: int, stride: int = 1) -> list[nn.Module]:
    return [nn.Conv2d(c_in, c_out, k, stride, padding=k // 2, padding_mode="reflect"),
            nn.InstanceNorm2d(c_out, affine=True), nn.ReLU()]


class TransformNet(nn.Module):
    """Johnson et al.'s image transform network, shrunk: 9x9 conv, two stride-2 convs down,
    ``blocks`` residual blocks, two (nearest upsampling + conv) up, a 9x9 conv to RGB and a
    sigmoid, instance norm throughout. x (N, 3, H, W) in [0, 1] -> (N, 3, H, W) in [0, 1]
    (H, W multiples of 4). Introduced in 10_neural_style_transfer."""

    def __init__(self, width: int = 16, blocks: int = 3):
        super().__init__()
        w, blocks = _checks.integer(width, "width", 1), _checks.integer(blocks, "blocks")
        self.net = nn.Sequential(
            *_conv(3, w, 9), *_conv(w, 2 * w, 3, 2), *_conv(2 * w, 4 * w, 3, 2),
            *[_Residual(4 * w) for _ in range(blocks)],
            nn.Upsample(scale_factor=2, mode="nearest"), *_conv(4 * w, 2 * w, 3),
            nn.Upsample(scale_factor=2, mode="nearest"), *_conv(2 * w, w, 3),
            nn.Conv2d(w, 3, 9, padding=4, padding_mode="reflect"), nn.Sigmoid())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def save_style_nets(path: str | os.PathLike, nets: dict[str, nn.Module], meta: dict) -> None:
    """Save ``{name: net}`` as float16 state dicts with ``meta`` (plain numbers, names, lists),
    loadable with ``weights_only=True``. Introduced in 10_neural_style_transfer."""
    state = {n: {k: (v.half() if v.is_floating_point() else v) for k, v in m.state_dict().items()}
             for n, m in nets.items()}
    torch.save({"state": state, "meta": meta}, path)


def load_style_nets(path: str | os.PathLike = FEATURES_CHECKPOINT) -> tuple[dict[str, nn.Module], dict]:
    """Load a file of :func:`save_style_nets`: ``feature_cnn`` and/or ``transform`` rebuilt
    from the meta's sizes, float32, eval mode, frozen. Returns ({name: net}, meta).
    Introduced in 10_neural_style_transfer."""
    ckpt = torch.load(path, map_location="cpu", weights_only=True)
    meta, nets = ckpt["meta"], {}
    for name, state in ckpt["state"].items():
        if name == "feature_cnn":
            net = feature_cnn(meta["num_classes"], tuple(tuple(s) for s in meta["stages"]))
        elif name == "transform":
            net = TransformNet(meta["transform_width"], meta["transform_blocks"])
        else:
            raise ValueError(f"path {str(path)!r} holds an unknown network {name!r}.")
        net.load_state_dict({k: (v.float() if v.is_floating_point() else v) for k, v in state.items()})
        nets[name] = net.eval().requires_grad_(False)
    return nets, meta

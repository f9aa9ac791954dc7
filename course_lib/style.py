"""Neural style transfer from scratch (Gatys, Ecker & Bethge 2016): the images, the features
of a chosen network by layer name, the content cost, the Gram matrix, the style cost with
the paper's normalisation, the total cost and the total-variation regulariser, with the
hand-derived gradients the notebook checks against autograd.

Costs take torch tensors (so autograd can differentiate them) or numpy arrays, and return
a 0-d torch tensor. Activations are (C, H, W) or (1, C, H, W). The optimisation of the
pixels and the widgets' state functions live in ``course_lib.style_optimize``.
Introduced in 10_neural_style_transfer.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn as nn

from course_lib import _checks
from course_lib.models.style_nets import MultiScaleRandom

__all__ = ["STYLE_IMAGES", "MAX_SIDE", "load_image", "to_tensor", "to_image", "layer_names", "features",
           "check_images", "check_layer_weights", "content_cost", "gram_matrix", "gram_matrix_loops",
           "layer_style_cost", "style_cost", "total_cost", "total_variation", "content_cost_grad",
           "layer_style_cost_grad"]

# bundled images (skimage.data; china and flower from scikit-learn): name -> source
STYLE_IMAGES = ("astronaut", "chelsea", "coffee", "rocket", "immunohistochemistry", "hubble_deep_field",
                "brick", "grass", "gravel", "camera", "coins", "china", "flower")
MAX_SIDE = 256   # the largest image side an optimisation accepts (time and memory on 2 CPU cores)


def load_image(name: str, size: int = 128, crop: tuple[float, float, float] | None = None) -> np.ndarray:
    """A bundled image as float32 (3, size, size) in [0, 1]: the largest centred square (or
    ``crop`` = (top, left, side) as fractions of the image), resized. Grey images are repeated
    to 3 channels. ``name`` is one of :data:`STYLE_IMAGES`. Introduced in 10_neural_style_transfer."""
    _checks.choice(name, "name", STYLE_IMAGES)
    size = _checks.integer(size, "size", 8)
    if name in ("china", "flower"):
        from sklearn.datasets import load_sample_image
        img = load_sample_image(f"{name}.jpg")
    else:
        import skimage.data
        img = getattr(skimage.data, name)()
    img = np.asarray(img, dtype=np.float64) / 255.0
    img = np.repeat(img[..., None], 3, axis=2) if img.ndim == 2 else img[..., :3]
    h, w = img.shape[:2]
    if crop is None:
        side = min(h, w)
        top, left = (h - side) // 2, (w - side) // 2
    else:
        t, l, s = (_checks.fraction(v, "crop", allow_zero=True) for v in crop)
        side = max(8, int(s * min(h, w)))
        top, left = min(int(t * h), h - side), min(int(l * w), w - side)
    from skimage.transform import resize
    img = resize(img[top:top + side, left:left + side], (size, size), anti_aliasing=True)
    return np.ascontiguousarray(np.moveaxis(img, -1, 0), dtype=np.float32)


def to_tensor(image: Any, name: str = "image") -> torch.Tensor:
    """An image (3, H, W) or batch (1, 3, H, W), numpy or torch, as a float32 (1, C, H, W)
    tensor. Introduced in 10_neural_style_transfer."""
    t = _checks.tensor(image, name)
    _checks.ndim(t, name, (3, 4), "(C, H, W) or (1, C, H, W)")
    t = t.float()
    return t[None] if t.ndim == 3 else t


def to_image(x: torch.Tensor) -> np.ndarray:
    """(1, 3, H, W) or (3, H, W) tensor -> (H, W, 3) float array clipped to [0, 1], for imshow.
    Introduced in 10_neural_style_transfer."""
    x = _checks.tensor(x, "x").detach().float()
    x = x[0] if x.ndim == 4 else x
    return np.clip(x.permute(1, 2, 0).numpy(), 0.0, 1.0)


def layer_names(net: nn.Module) -> list[str]:
    """The layers of ``net`` that :func:`features` can read: the children of a named
    ``nn.Sequential`` (``conv1_1``, ``relu1_1``, ``pool1``, ...) or the scales of a
    :class:`MultiScaleRandom`. Introduced in 10_neural_style_transfer."""
    _checks.module(net, "net")
    if isinstance(net, MultiScaleRandom):
        return net.layer_names()
    if hasattr(net, "features") and isinstance(net.features, nn.Sequential):
        net = net.features
    if not isinstance(net, nn.Sequential):
        raise TypeError(f"net must be a named nn.Sequential or a MultiScaleRandom, got {type(net).__name__}.")
    return [n for n, _ in net.named_children()]


def _check_layers(net: nn.Module, layers: Any, name: str = "layers") -> list[str]:
    valid = layer_names(net)
    if isinstance(layers, str):
        layers = [layers]
    if not isinstance(layers, (list, tuple, dict)) or len(layers) == 0:
        raise TypeError(f"{name} must be a non-empty list of layer names, got {layers!r}.")
    bad = [l for l in layers if l not in valid]
    if bad:
        raise ValueError(f"{name}: {bad} not in this network; the valid layer names are {valid}.")
    return list(layers)


def features(net: nn.Module, x: Any, layers: Any) -> dict[str, torch.Tensor]:
    """The activations of ``net`` at the named ``layers`` for an image ``x`` (3, H, W) or
    (1, 3, H, W) in [0, 1]: {name: (1, C_l, H_l, W_l)}. Runs the layers in order and stops
    after the last one asked for; keeps the graph, so the costs can be differentiated with
    respect to ``x``. A name that does not exist raises a ValueError listing the valid
    ones. Introduced in 10_neural_style_transfer."""
    names = _check_layers(net, layers)
    x = to_tensor(x, "x")
    if x.shape[1] != 3:
        raise ValueError(f"x must have 3 colour channels, got {x.shape[1]} (shape {tuple(x.shape)}).")
    if isinstance(net, MultiScaleRandom):
        return {n: net.scales[n](x) for n in names}
    seq = net.features if hasattr(net, "features") else net
    out, wanted, h = {}, set(names), x
    for n, layer in seq.named_children():
        h = layer(h)
        if n in wanted:
            out[n] = h
            if len(out) == len(wanted):
                break
    return {n: out[n] for n in names}


def check_images(content: Any, style: Any, max_side: int = MAX_SIDE) -> tuple[torch.Tensor, torch.Tensor]:
    """``content`` and ``style`` as (1, 3, H, W) float tensors, checked: both 3 colour
    channels (a grey image has 1: repeat it), each side <= ``max_side`` (the time budget),
    values finite. Introduced in 10_neural_style_transfer."""
    c, s = to_tensor(content, "content"), to_tensor(style, "style")
    for t, name in ((c, "content"), (s, "style")):
        if max(t.shape[2:]) > max_side:
            raise ValueError(f"{name} is {t.shape[2]}x{t.shape[3]} pixels; the largest side allowed is "
                             f"{max_side} (an optimisation at that size takes minutes on 2 CPU cores): "
                             f"resize it first.")
    if c.shape[1] != s.shape[1] or c.shape[1] != 3:
        raise ValueError(f"content and style must both have 3 colour channels, got content with "
                         f"{c.shape[1]} and style with {s.shape[1]} (repeat a grey image to 3 channels).")
    return c, s


def check_layer_weights(net: nn.Module, weights: Any, name: str = "style_layers") -> dict[str, float]:
    """Style-layer weights lambda_l as {layer: weight}: a list of names gets equal weights
    1/L; every name must be a layer of ``net``, every weight >= 0, not all 0.
    Introduced in 10_neural_style_transfer."""
    layers = _check_layers(net, weights, name)
    if not isinstance(weights, dict):
        return {l: 1.0 / len(layers) for l in layers}
    out = {l: _checks.positive(weights[l], f"{name}[{l!r}]", allow_zero=True) for l in layers}
    if sum(out.values()) == 0:
        raise ValueError(f"{name} weights are all zero; give at least one layer a positive weight.")
    return out


def _act(a: Any, name: str) -> torch.Tensor:
    t = _checks.tensor(a, name)
    _checks.ndim(t, name, (3, 4), "(C, H, W) or (1, C, H, W)")
    if t.ndim == 4:
        if t.shape[0] != 1:
            raise ValueError(f"{name} must hold one image (1, C, H, W), got batch size {t.shape[0]}.")
        t = t[0]
    return t if t.is_floating_point() else t.double()


def content_cost(a_C: Any, a_G: Any) -> torch.Tensor:
    """J_content(C, G) = 1/2 sum (a_C - a_G)^2 over one layer's activations (Gatys et al.).

    a_C, a_G: (C, H, W) or (1, C, H, W), same shape -> 0-d tensor. Introduced in 10_neural_style_transfer."""
    a_C, a_G = _act(a_C, "a_C"), _act(a_G, "a_G")
    _checks.same_shape(a_G, a_C, "a_G", "a_C")
    return 0.5 * ((a_C - a_G) ** 2).sum()


def gram_matrix(a: Any) -> torch.Tensor:
    """The style (Gram) matrix G = A A^T of one layer, A the activations unrolled to
    (n_C, n_H n_W): G[k, k'] = sum_{i,j} a[k, i, j] a[k', i, j], not normalised.

    a: (C, H, W) or (1, C, H, W) -> (C, C). Introduced in 10_neural_style_transfer."""
    a = _act(a, "a")
    A = a.reshape(a.shape[0], -1)
    return A @ A.T


def gram_matrix_loops(a: Any) -> np.ndarray:
    """The Gram matrix by its definition, one entry at a time (numpy, float64): the brute
    force that :func:`gram_matrix` is checked against. a: (C, H, W) -> (C, C).
    Introduced in 10_neural_style_transfer."""
    a = _act(a, "a").detach().double().numpy()
    C = a.shape[0]
    G = np.zeros((C, C))
    for k in range(C):
        for kk in range(C):
            G[k, kk] = sum(a[k, i, j] * a[kk, i, j] for i in range(a.shape[1]) for j in range(a.shape[2]))
    return G


def layer_style_cost(a_S: Any, a_G: Any) -> torch.Tensor:
    """J_style^[l](S, G) = 1 / (4 n_C^2 (n_H n_W)^2) sum_{k,k'} (G^S - G^G)[k, k']^2, the paper's
    E_l. a_S, a_G: (C, H, W) or (1, C, H, W); the sides may differ (a Gram matrix is C x C
    whatever the size), the normalisation uses the generated image's n_H n_W.
    Returns a 0-d tensor. Introduced in 10_neural_style_transfer."""
    a_S, a_G = _act(a_S, "a_S"), _act(a_G, "a_G")
    if a_S.shape[0] != a_G.shape[0]:
        raise ValueError(f"a_S and a_G must have the same number of channels, got {a_S.shape[0]} and {a_G.shape[0]}.")
    n_C, m = a_G.shape[0], a_G.shape[1] * a_G.shape[2]
    scale = (a_S.shape[1] * a_S.shape[2]) / m       # 1 when S and G have the same size
    diff = gram_matrix(a_S) / scale - gram_matrix(a_G)
    return (diff ** 2).sum() / (4 * n_C ** 2 * m ** 2)


def style_cost(feats_S: dict, feats_G: dict, weights: dict[str, float]) -> torch.Tensor:
    """J_style(S, G) = sum_l lambda_l J_style^[l](S, G) over the layers of ``weights``
    ({layer: lambda_l >= 0}); ``feats_S``/``feats_G`` map layer names to activations.
    Returns a 0-d tensor. Introduced in 10_neural_style_transfer."""
    if not isinstance(weights, dict) or not weights:
        raise TypeError(f"weights must be a non-empty dict {{layer: lambda}}, got {weights!r}.")
    for l in weights:
        _checks.positive(weights[l], f"weights[{l!r}]", allow_zero=True)
        for feats, name in ((feats_S, "feats_S"), (feats_G, "feats_G")):
            if l not in feats:
                raise ValueError(f"{name} has no layer {l!r}; it holds {list(feats)}.")
    return sum(float(w) * layer_style_cost(feats_S[l], feats_G[l]) for l, w in weights.items())


def total_cost(j_content: Any, j_style: Any, alpha: float = 10.0, beta: float = 40.0) -> Any:
    """J(G) = alpha J_content + beta J_style, alpha and beta >= 0 (the ratio alpha/beta is
    what matters). Works on numbers and 0-d tensors alike. Introduced in 10_neural_style_transfer."""
    alpha = _checks.positive(alpha, "alpha", allow_zero=True)
    beta = _checks.positive(beta, "beta", allow_zero=True)
    for v, name in ((j_content, "j_content"), (j_style, "j_style")):
        if not isinstance(v, torch.Tensor):
            _checks.number(v, name)
    return alpha * j_content + beta * j_style


def total_variation(x: Any) -> torch.Tensor:
    """The total-variation regulariser TV(G) = sum (G[i+1, j] - G[i, j])^2 + (G[i, j+1] - G[i, j])^2
    over channels and pixels: small for a smooth image, large for pixel noise.
    x: (C, H, W) or (1, C, H, W) -> 0-d tensor. Introduced in 10_neural_style_transfer."""
    x = _act(x, "x")
    return ((x[:, 1:, :] - x[:, :-1, :]) ** 2).sum() + ((x[:, :, 1:] - x[:, :, :-1]) ** 2).sum()


def content_cost_grad(a_C: Any, a_G: Any) -> np.ndarray:
    """dJ_content / da_G = a_G - a_C, by hand (float64 numpy, the shape of ``a_G``).
    Introduced in 10_neural_style_transfer."""
    a_C, a_G = _act(a_C, "a_C"), _act(a_G, "a_G")
    _checks.same_shape(a_G, a_C, "a_G", "a_C")
    return (a_G - a_C).detach().double().numpy()


def layer_style_cost_grad(a_S: Any, a_G: Any) -> np.ndarray:
    """dJ_style^[l] / da_G by hand: with A the unrolled (n_C, n_H n_W) activations of G,
    dJ/dA = (G^G - G^S) A / (n_C^2 (n_H n_W)^2), reshaped to (C, H, W) (float64 numpy; S and
    G of the same size). Introduced in 10_neural_style_transfer."""
    a_S, a_G = _act(a_S, "a_S").detach().double(), _act(a_G, "a_G").detach().double()
    _checks.same_shape(a_G, a_S, "a_G", "a_S")
    n_C, m = a_G.shape[0], a_G.shape[1] * a_G.shape[2]
    A = a_G.reshape(n_C, -1)
    g = (gram_matrix(a_G) - gram_matrix(a_S)) @ A / (n_C ** 2 * m ** 2)
    return g.reshape(a_G.shape).numpy()

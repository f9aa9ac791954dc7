"""Optimising the pixels of the generated image G (Gatys et al. 2016) with Adam or L-BFGS,
from noise or from the content image, and the pure state functions behind the chapter's
widgets (a precomputed grid of results, the replay of an optimisation, the fast network).

The costs come from :mod:`course_lib.style`; the networks from
:mod:`course_lib.models.style_nets`. Introduced in 10_neural_style_transfer.
"""
from __future__ import annotations

import time
from pathlib import Path
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn as nn

from course_lib import _checks
from course_lib.train import single_thread
from course_lib.style import (MAX_SIDE, check_images, check_layer_weights, content_cost, features, layer_names,
                              style_cost, to_image, to_tensor, total_variation)

__all__ = ["GRID_FILE", "StyleTargets", "StyleResult", "style_targets", "costs", "pixel_step", "transfer",
           "load_style_grid", "grid_state", "replay_state", "fast_stylize"]

GRID_FILE = Path(__file__).resolve().parents[1] / "data" / "style_grid.npz"   # data/make_style_grid.py


@dataclass
class StyleTargets:
    """What J(G) compares G with, computed once: the content layer's activations of C and
    the style layers' activations of S, with the weights. Introduced in 10_neural_style_transfer."""
    net: nn.Module
    content_layer: str
    style_weights: dict
    a_C: torch.Tensor
    a_S: dict
    alpha: float
    beta: float
    tv_weight: float
    content_image: torch.Tensor


@dataclass
class StyleResult:
    """An optimisation's outcome: ``image`` (1, 3, H, W) in [0, 1], ``history`` {"step",
    "content", "style", "tv", "total"} (lists, one entry per recorded step), ``snapshots``
    [(step, (H, W, 3) uint8)], ``seconds`` of wall time. Introduced in 10_neural_style_transfer."""
    image: torch.Tensor
    history: dict = field(default_factory=dict)
    snapshots: list = field(default_factory=list)
    seconds: float = 0.0


def style_targets(net: nn.Module, content: Any, style: Any, content_layer: str, style_layers: Any,
                  alpha: float = 1.0, beta: float = 1e3, tv_weight: float = 0.0,
                  max_side: int = MAX_SIDE) -> StyleTargets:
    """Check every choice and compute the fixed targets of J(G): ``content``/``style`` images
    (3, H, W) in [0, 1] (3 channels each, sides <= ``max_side``), a ``content_layer`` and
    ``style_layers`` (a list: equal weights, or {layer: lambda}) of ``net``, weights alpha,
    beta, tv_weight >= 0. Introduced in 10_neural_style_transfer."""
    _checks.module(net, "net")
    c, s = check_images(content, style, _checks.integer(max_side, "max_side", 8))
    if not isinstance(content_layer, str) or content_layer not in layer_names(net):
        raise ValueError(f"content_layer {content_layer!r} is not a layer of this network; the valid "
                         f"layer names are {layer_names(net)}.")
    weights = check_layer_weights(net, style_layers, "style_layers")
    alpha = _checks.positive(alpha, "alpha", allow_zero=True)
    beta = _checks.positive(beta, "beta", allow_zero=True)
    tv_weight = _checks.positive(tv_weight, "tv_weight", allow_zero=True)
    with torch.no_grad():
        a_C = features(net, c, [content_layer])[content_layer]
        a_S = features(net, s, list(weights))
    return StyleTargets(net, content_layer, weights, a_C, a_S, alpha, beta, tv_weight, c)


def costs(targets: StyleTargets, G: torch.Tensor) -> dict[str, torch.Tensor]:
    """J_content, J_style, TV and J(G) = alpha J_content + beta J_style + tv_weight TV for an
    image ``G`` (1, 3, H, W), as 0-d tensors that keep the graph. Introduced in 10_neural_style_transfer."""
    if not isinstance(targets, StyleTargets):
        raise TypeError(f"targets must be a StyleTargets from style_targets(...), got {type(targets).__name__}.")
    layers = list(dict.fromkeys([targets.content_layer, *targets.style_weights]))
    f = features(targets.net, G, layers)
    jc = content_cost(targets.a_C, f[targets.content_layer])
    js = style_cost(targets.a_S, f, targets.style_weights)
    tv = total_variation(G)
    return {"content": jc, "style": js, "tv": tv,
            "total": targets.alpha * jc + targets.beta * js + targets.tv_weight * tv}


def pixel_step(G: torch.Tensor, cost_fn: Any, lr: float) -> torch.Tensor:
    """One gradient-descent step on the pixels: G - lr * dJ/dG, clipped to [0, 1] (a valid
    image). ``G`` (1, 3, H, W), ``cost_fn(G)`` a 0-d tensor. Returns a new tensor; ``G`` is
    untouched. Introduced in 10_neural_style_transfer."""
    G = to_tensor(G, "G")
    lr = _checks.positive(lr, "lr")
    if not callable(cost_fn):
        raise TypeError(f"cost_fn must be a function of G returning a 0-d tensor, got {type(cost_fn).__name__}.")
    G = G.detach().clone().requires_grad_(True)
    J = cost_fn(G)
    (grad,) = torch.autograd.grad(J, G)
    return (G - lr * grad).clamp(0.0, 1.0).detach()


def _record(result: StyleResult, step: int, c: dict, G: torch.Tensor, snapshot: bool) -> None:
    for k in ("content", "style", "tv", "total"):
        result.history.setdefault(k, []).append(float(c[k]))
    result.history.setdefault("step", []).append(step)
    if snapshot:
        result.snapshots.append((step, (to_image(G) * 255).round().astype(np.uint8)))


def transfer(targets: StyleTargets, steps: int = 100, optimizer: str = "lbfgs", init: str = "content",
             lr: float | None = None, snapshot_every: int = 0, seed: int = 0) -> StyleResult:
    """Minimise J(G) over the pixels of G for ``steps`` steps with ``optimizer`` ``"adam"``
    (lr default 0.02) or ``"lbfgs"`` (torch.optim.LBFGS, one iteration per step, lr default
    1), starting from ``init`` ``"content"`` (a copy of C), ``"noise"`` (uniform noise) or
    ``"mix"`` (C plus noise). Adam's pixels are clipped to [0, 1] after each step; L-BFGS's
only in the returned image (clipping between its steps breaks its curvature estimates). Costs
    are recorded at step 0 and after every step; ``snapshot_every`` > 0 also keeps the image
    every that many steps (for the replay widget). Runs torch on one thread (``train.single_thread``:
its many small operations gain nothing from a second). Returns a :class:`StyleResult`.
    Introduced in 10_neural_style_transfer."""
    if not isinstance(targets, StyleTargets):
        raise TypeError(f"targets must be a StyleTargets from style_targets(...), got {type(targets).__name__}.")
    steps = _checks.integer(steps, "steps", 1)
    optimizer = _checks.choice(optimizer, "optimizer", ("adam", "lbfgs"))
    init = _checks.choice(init, "init", ("content", "noise", "mix"))
    lr = _checks.positive(lr if lr is not None else (0.02 if optimizer == "adam" else 1.0), "lr")
    snapshot_every = _checks.integer(snapshot_every, "snapshot_every")
    gen = torch.Generator().manual_seed(_checks.integer(seed, "seed"))
    content = targets.content_image
    noise = torch.rand(content.shape, generator=gen)
    G0 = {"content": content, "noise": noise, "mix": 0.6 * content + 0.4 * noise}[init]
    G = G0.clone().requires_grad_(True)
    opt = torch.optim.Adam([G], lr=lr) if optimizer == "adam" else \
        torch.optim.LBFGS([G], lr=lr, max_iter=1, history_size=20, line_search_fn="strong_wolfe",
                            max_eval=8, tolerance_grad=0.0, tolerance_change=0.0)
    result = StyleResult(G.detach().clone())
    last: dict = {}

    def closure():
        opt.zero_grad()
        c = costs(targets, G)
        c["total"].backward()
        if optimizer == "adam":
            last.update({k: v.detach() for k, v in c.items()})
        return c["total"]

    t0 = time.perf_counter()
    with single_thread():               # many small ops: a 2nd thread only spins (5-30x CPU when busy)
        _optimise(optimizer, opt, closure, G, targets, steps, snapshot_every, last, result)
    result.image, result.seconds = G.detach().clamp(0.0, 1.0), time.perf_counter() - t0
    return result


def _optimise(optimizer, opt, closure, G, targets, steps, snapshot_every, last, result) -> None:
    for step in range(steps + 1):
        before = G.detach().clone()
        if optimizer == "lbfgs" or step == steps:   # Adam's closure runs once, at G itself
            with torch.no_grad():
                last.update(costs(targets, G))
        if step < steps:
            opt.step(closure)           # evaluates J at G after `step` steps, then moves G
            if optimizer == "adam":     # L-BFGS keeps its curvature pairs only if G is not moved
                with torch.no_grad():
                    G.clamp_(0.0, 1.0)
        snap = snapshot_every > 0 and (step % snapshot_every == 0 or step == steps)
        _record(result, step, last, before, snap)


def load_style_grid(path: str | Path = GRID_FILE) -> dict:
    """The precomputed grid of results made by ``data/make_style_grid.py``: {"images" (B, L, S,
    H, W, 3) uint8, "content"/"style"/"seconds" (B, L, S), "betas", "content_layers",
    "style_sets" (names), "style_layers" {name: layers}, "settings"}.
    Introduced in 10_neural_style_transfer."""
    with np.load(path, allow_pickle=False) as f:
        grid = {k: f[k] for k in f.files}
    grid["betas"] = [float(b) for b in grid["betas"]]
    grid["content_layers"] = [str(c) for c in grid["content_layers"]]
    grid["style_sets"] = [str(c) for c in grid["style_sets"]]
    grid["style_layers"] = {n: str(v).split(",") for n, v in zip(grid["style_sets"], grid["style_set_layers"])}
    return grid


# --- what the widgets show (pure functions: a dict with "ok" and a "message") ------------------

def grid_state(grid: dict, beta: float, content_layer: str, style_set: str) -> dict:
    """Pick one result of a precomputed grid (``data/style_grid.npz`` as loaded by
    :func:`load_style_grid`): ``grid`` has "images" (B, L, S, H, W, 3) uint8 and
    "content"/"style" costs (B, L, S) over "betas" x "content_layers" x "style_sets".
    Returns {"ok", "image", "content", "style", "message"}; a choice not in the grid gives
    ok False and a message naming the valid ones. Introduced in 10_neural_style_transfer."""
    axes = (("beta", list(grid["betas"]), beta), ("content_layer", list(grid["content_layers"]), content_layer),
            ("style_set", list(grid["style_sets"]), style_set))
    idx = []
    for name, options, value in axes:
        if value not in options:
            return {"ok": False, "image": None, "message": f"{name} {value!r} is not in the grid; choose one of {options}."}
        idx.append(options.index(value))
    b, l, s = idx
    jc, js = float(grid["content"][b, l, s]), float(grid["style"][b, l, s])
    return {"ok": True, "image": grid["images"][b, l, s], "content": jc, "style": js,
            "message": f"alpha/beta = 1/{beta:g}, content layer {content_layer}, style layers {style_set}: "
                       f"J_content {jc:.3g}, J_style {js:.3g}"}


def replay_state(result: StyleResult, step: int) -> dict:
    """The optimisation at a recorded ``step`` of ``result`` (a :class:`StyleResult` made with
    ``snapshot_every`` > 0): the nearest snapshot at or before it and the costs there.
    Returns {"ok", "image", "step", "content", "style", "total", "message"}.
    Introduced in 10_neural_style_transfer."""
    if not result.snapshots:
        return {"ok": False, "image": None, "message": "this result kept no snapshots (use snapshot_every > 0)."}
    steps = [s for s, _ in result.snapshots]
    if not isinstance(step, (int, np.integer)) or step < 0 or step > result.history["step"][-1]:
        return {"ok": False, "image": None,
                "message": f"step must be in 0..{result.history['step'][-1]}, got {step!r}."}
    k = max(i for i, s in enumerate(steps) if s <= step)
    s, image = result.snapshots[k]
    h = result.history
    i = h["step"].index(s)
    return {"ok": True, "image": image, "step": s, "content": h["content"][i], "style": h["style"][i],
            "total": h["total"][i],
            "message": f"step {s}: J = {h['total'][i]:.4g} (J_content {h['content'][i]:.3g}, J_style {h['style'][i]:.3g})"}


def fast_stylize(transform: nn.Module, image: Any) -> tuple[np.ndarray, float]:
    """Apply a trained fast-style ``transform`` network to ``image`` (3, H, W) in [0, 1], H
    and W multiples of 4 and <= MAX_SIDE: returns ((H, W, 3) float image, milliseconds).
    Introduced in 10_neural_style_transfer."""
    _checks.module(transform, "transform")
    x = to_tensor(image, "image")
    if x.shape[1] != 3 or x.shape[2] % 4 or x.shape[3] % 4 or max(x.shape[2:]) > MAX_SIDE:
        raise ValueError(f"image must be (3, H, W) with H and W multiples of 4 and at most {MAX_SIDE}, "
                         f"got {tuple(x.shape[1:])}.")
    t0 = time.perf_counter()
    with torch.no_grad(), single_thread():
        y = transform(x)
    return to_image(y), 1000 * (time.perf_counter() - t0)

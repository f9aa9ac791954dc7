"""Optimization from scratch: gradient descent, exponentially weighted averages, momentum,
RMSprop and Adam, learning-rate schedules, log-scale hyper-parameter sampling, and 2-D
loss surfaces with optimizer trajectories (the pure functions behind chapter 01's widget).

The update rules are written with plain arithmetic (``+ - * / **``), so the same function
works on numpy arrays and on torch tensors. Each one is checked step for step against
``torch.optim`` in ``tests/test_optim.py``. Introduced in 01_optimizers_and_training.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import torch

from course_lib._checks import (
    beta as _beta, boolean, choice, generator, integer as _integer, number, positive as _positive, real_array, same_shape,
)
from course_lib.train import History

__all__ = [
    "gradient_descent_1d", "ewma",
    "sgd_step", "momentum_step", "rmsprop_step", "adam_step", "ScratchOptimizer", "RULES",
    "lr_inverse_time", "lr_exponential", "lr_inverse_sqrt", "lr_staircase",
    "grid_points", "random_points", "sample_log_uniform", "sample_beta",
    "Surface", "SURFACES", "surface_grid", "Trajectory", "optimizer_trajectory",
    "history_curves", "CURVE_METRICS",
]

Array = Any  # numpy array or torch tensor


# --- plain gradient descent and EWMA ------------------------------------------------------

def gradient_descent_1d(grad: Callable[[float], float], w0: float, lr: float, steps: int) -> np.ndarray:
    """W := W - lr * dJ/dW repeated ``steps`` times from ``w0``; returns (steps + 1,) iterates.
    Introduced in 01_optimizers_and_training."""
    lr = _positive(lr, "lr")
    w = [number(w0, "w0")]
    for _ in range(_integer(steps, "steps")):
        w.append(w[-1] - lr * grad(w[-1]))
    return np.array(w)


def ewma(values: Array, beta: float, bias_correction: bool = False) -> np.ndarray:
    """Exponentially weighted moving average v_t = beta v_{t-1} + (1 - beta) theta_t, v_0 = 0.

    values (T,) -> (T,). With ``bias_correction`` returns v_t / (1 - beta^t), which removes
    the pull towards the zero start during the first ~1/(1 - beta) steps.
    Introduced in 01_optimizers_and_training.
    """
    beta, bias_correction = _beta(beta, "beta"), boolean(bias_correction, "bias_correction")
    x = real_array(values, "values", dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"values must be a 1-D sequence, got shape {x.shape}.")
    out = np.empty_like(x)
    v = 0.0
    for t, theta in enumerate(x, start=1):
        v = beta * v + (1 - beta) * theta
        out[t - 1] = v / (1 - beta ** t) if bias_correction else v
    return out


# --- update rules (one step; dw is the gradient of the loss at w) -----------------------------

def _decay(w: Array, dw: Array, weight_decay: float) -> Array:
    """dw + weight_decay * w, after checking that w and dw have the same shape."""
    same_shape(dw, w, "the gradient dw")
    weight_decay = _positive(weight_decay, "weight_decay", allow_zero=True)
    return dw + weight_decay * w if weight_decay else dw


def sgd_step(w: Array, dw: Array, lr: float, weight_decay: float = 0.0) -> Array:
    """Plain gradient descent: w - lr * (dw + weight_decay * w). Any shape.
    Equal to torch.optim.SGD(lr, weight_decay). Introduced in 01_optimizers_and_training."""
    return w - _positive(lr, "lr") * _decay(w, dw, weight_decay)


def momentum_step(w: Array, dw: Array, v: Array | None, lr: float, beta: float = 0.9,
                  weight_decay: float = 0.0, first_step: str = "notes") -> tuple[Array, Array]:
    """Gradient descent with momentum as the notes define it; returns (new w, new v).

    v := beta v + (1 - beta) dw;  w := w - lr v.  Pass ``v=None`` on the first step: with
    ``first_step="notes"`` v starts at 0 (so v_1 = (1 - beta) dw_1); with
    ``first_step="torch"`` v_1 = dw_1, which is what torch.optim.SGD(momentum=beta,
    dampening=beta) does (it copies the first gradient into its buffer undamped). After
    that both follow the same rule, and the two v's differ by beta^t dw_1.
    Introduced in 01_optimizers_and_training.
    """
    lr, beta = _positive(lr, "lr"), _beta(beta, "beta")
    dw = _decay(w, dw, weight_decay)
    if v is None:
        choice(first_step, "first_step", ("notes", "torch"))
        v = dw * 1.0 if first_step == "torch" else (1 - beta) * dw
    else:
        same_shape(v, w, "v")
        v = beta * v + (1 - beta) * dw
    return w - lr * v, v


def rmsprop_step(w: Array, dw: Array, s: Array, lr: float, beta: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0) -> tuple[Array, Array]:
    """RMSprop: s := beta s + (1 - beta) dw^2;  w := w - lr dw / (sqrt(s) + eps).

    Start with s = 0. Returns (new w, new s). Equal to torch.optim.RMSprop(lr, alpha=beta,
    eps, weight_decay). Introduced in 01_optimizers_and_training.
    """
    lr, beta, eps = _positive(lr, "lr"), _beta(beta, "beta"), _positive(eps, "eps", allow_zero=True)
    same_shape(s, w, "s")
    dw = _decay(w, dw, weight_decay)
    s = beta * s + (1 - beta) * dw * dw
    return w - lr * dw / (s ** 0.5 + eps), s


def adam_step(w: Array, dw: Array, m: Array, s: Array, t: int, lr: float = 1e-3, beta1: float = 0.9,
              beta2: float = 0.999, eps: float = 1e-8, weight_decay: float = 0.0,
              decoupled: bool = False) -> tuple[Array, Array, Array]:
    """Adam (Adaptive Moment Estimation), step number t = 1, 2, ...; returns (w, m, s).

    m := beta1 m + (1 - beta1) dw;  s := beta2 s + (1 - beta2) dw^2;
    m_hat = m / (1 - beta1^t);  s_hat = s / (1 - beta2^t);  w := w - lr m_hat / (sqrt(s_hat) + eps).
    ``weight_decay`` adds weight_decay * w to dw (torch.optim.Adam); with ``decoupled`` it
    instead shrinks w by lr * weight_decay * w before the step (torch.optim.AdamW).
    Introduced in 01_optimizers_and_training.
    """
    t = _integer(t, "t (the step number)", 1)
    decoupled = boolean(decoupled, "decoupled")
    lr, eps = _positive(lr, "lr"), _positive(eps, "eps", allow_zero=True)
    beta1, beta2 = _beta(beta1, "beta1"), _beta(beta2, "beta2")
    same_shape(m, w, "m")
    same_shape(s, w, "s")
    dw = _decay(w, dw, 0.0 if decoupled else weight_decay)
    if decoupled:
        w = w - lr * weight_decay * w
    m = beta1 * m + (1 - beta1) * dw
    s = beta2 * s + (1 - beta2) * dw * dw
    m_hat = m / (1 - beta1 ** t)
    s_hat = s / (1 - beta2 ** t)
    return w - lr * m_hat / (s_hat ** 0.5 + eps), m, s


RULES = ("sgd", "momentum", "rmsprop", "adam")


class ScratchOptimizer(torch.optim.Optimizer):
    """A torch optimizer whose ``step`` calls the from-scratch rules above, so an nn.Module
    can be trained with them (e.g. by ``course_lib.train.fit``).

    ``rule`` is one of RULES; hyper-parameters: lr, beta (momentum / RMSprop), beta1, beta2,
    eps, weight_decay, first_step (momentum). Introduced in 01_optimizers_and_training.
    """

    def __init__(self, params, rule: str = "adam", lr: float = 1e-3, beta: float | None = None,
                 beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8, weight_decay: float = 0.0,
                 first_step: str = "notes"):
        choice(rule, "rule", RULES)
        choice(first_step, "first_step", ("notes", "torch"))
        _positive(lr, "lr")
        _positive(eps, "eps", allow_zero=True)
        _positive(weight_decay, "weight_decay", allow_zero=True)
        beta = (0.9 if rule == "momentum" else 0.99) if beta is None else beta
        for name, b in (("beta", beta), ("beta1", beta1), ("beta2", beta2)):
            _beta(b, name)
        super().__init__(params, dict(rule=rule, lr=lr, beta=beta, beta1=beta1, beta2=beta2, eps=eps,
                                      weight_decay=weight_decay, first_step=first_step))

    @torch.no_grad()
    def step(self, closure=None):  # noqa: D102 - same contract as torch.optim.Optimizer.step
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for g in self.param_groups:
            for p in g["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                w, dw, wd = p.detach(), p.grad, g["weight_decay"]
                if g["rule"] == "sgd":
                    new = sgd_step(w, dw, g["lr"], wd)
                elif g["rule"] == "momentum":
                    new, st["v"] = momentum_step(w, dw, st.get("v"), g["lr"], g["beta"], wd, g["first_step"])
                elif g["rule"] == "rmsprop":
                    new, st["s"] = rmsprop_step(w, dw, st.get("s", torch.zeros_like(w)), g["lr"], g["beta"],
                                                g["eps"], wd)
                else:
                    st["t"] = st.get("t", 0) + 1
                    new, st["m"], st["s"] = adam_step(w, dw, st.get("m", torch.zeros_like(w)),
                                                      st.get("s", torch.zeros_like(w)), st["t"], g["lr"],
                                                      g["beta1"], g["beta2"], g["eps"], wd)
                p.copy_(new)
        return loss


# --- learning-rate schedules (epoch = 0, 1, 2, ...; torch's scheduler counter) ------------------

def lr_inverse_time(epoch: int, alpha0: float, decay: float = 1.0) -> float:
    """alpha = alpha0 / (1 + decay * epoch). Equal to LambdaLR(lambda e: 1 / (1 + decay e)).
    Introduced in 01_optimizers_and_training."""
    decay = _positive(decay, "decay", allow_zero=True)
    return _positive(alpha0, "alpha0") / (1.0 + decay * _integer(epoch, "epoch"))


def lr_exponential(epoch: int, alpha0: float, rate: float = 0.95) -> float:
    """alpha = rate^epoch * alpha0. Equal to ExponentialLR(gamma=rate).
    Introduced in 01_optimizers_and_training."""
    rate = _positive(rate, "rate")
    return _positive(alpha0, "alpha0") * rate ** _integer(epoch, "epoch")


def lr_inverse_sqrt(epoch: int, alpha0: float, k: float = 1.0) -> float:
    """alpha = k / sqrt(epoch) * alpha0, for epoch >= 1 (torch: LambdaLR with that lambda).
    Introduced in 01_optimizers_and_training."""
    return _positive(k, "k") / math.sqrt(_integer(epoch, "epoch", 1)) * _positive(alpha0, "alpha0")


def lr_staircase(epoch: int, alpha0: float, step_size: int = 10, gamma: float = 0.5) -> float:
    """Staircase ("discrete") decay: alpha = alpha0 * gamma^floor(epoch / step_size).
    Equal to StepLR(step_size, gamma). Introduced in 01_optimizers_and_training."""
    step_size, gamma = _integer(step_size, "step_size", 1), _positive(gamma, "gamma")
    return _positive(alpha0, "alpha0") * gamma ** (_integer(epoch, "epoch") // step_size)


# --- hyper-parameter search -------------------------------------------------------------------

def sample_log_uniform(rng: np.random.Generator, low: float, high: float, n: int) -> np.ndarray:
    """n values spread uniformly on a log scale in [low, high]: 10^U(log10 low, log10 high).
    E.g. a learning rate in [1e-4, 1]. Introduced in 01_optimizers_and_training."""
    rng, low, high = generator(rng), _positive(low, "low"), _positive(high, "high")
    if low >= high:
        raise ValueError(f"low must be smaller than high, got low={low}, high={high}.")
    return 10.0 ** rng.uniform(math.log10(low), math.log10(high), size=_integer(n, "n"))


def sample_beta(rng: np.random.Generator, low: float, high: float, n: int) -> np.ndarray:
    """n values of beta in [low, high] (e.g. [0.9, 0.999]) sampled so that 1 - beta is
    log-uniform: beta = 1 - 10^U(log10(1 - high), log10(1 - low)).
    Introduced in 01_optimizers_and_training."""
    rng, low, high = generator(rng), _beta(low, "low"), _beta(high, "high")
    if low >= high:
        raise ValueError(f"low must be smaller than high, got low={low}, high={high}.")
    n = _integer(n, "n")
    return 1.0 - sample_log_uniform(rng, 1.0 - high, 1.0 - low, n)


def grid_points(values_a: Array, values_b: Array) -> np.ndarray:
    """Every pair (a, b) of a grid, shape (len(a) * len(b), 2).
    Introduced in 01_optimizers_and_training."""
    a, b = np.meshgrid(np.asarray(values_a, float), np.asarray(values_b, float), indexing="ij")
    return np.stack([a.ravel(), b.ravel()], axis=1)


def random_points(rng: np.random.Generator, samplers: list[Callable[[np.random.Generator, int], np.ndarray]],
                  n: int) -> np.ndarray:
    """n random points, one column per sampler(rng, n): shape (n, len(samplers)).
    Introduced in 01_optimizers_and_training."""
    rng, n = generator(rng), _integer(n, "n")
    if not isinstance(samplers, (list, tuple)) or not samplers or not all(callable(f) for f in samplers):
        raise TypeError(f"samplers must be a non-empty list of functions f(rng, n), got {samplers!r}.")
    return np.stack([s(rng, n) for s in samplers], axis=1)


# --- 2-D loss surfaces and optimizer trajectories (for the widget) ----------------------------

@dataclass(frozen=True)
class Surface:
    """A 2-D loss J(w1, w2) with its gradient, a plotting window, a start point and the minima.
    Introduced in 01_optimizers_and_training."""

    name: str
    loss: Callable[[np.ndarray], np.ndarray]   # (..., 2) -> (...)
    grad: Callable[[np.ndarray], np.ndarray]   # (2,) -> (2,)
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    start: tuple[float, float]
    minima: tuple[tuple[float, float], ...]


def _bowl_loss(w):
    return 0.5 * (w[..., 0] ** 2 + 25.0 * w[..., 1] ** 2)


def _saddle_loss(w):  # a saddle at (0, 0), minima at (0, +-1)
    return 0.5 * w[..., 0] ** 2 + 0.25 * w[..., 1] ** 4 - 0.5 * w[..., 1] ** 2


SURFACES: dict[str, Surface] = {
    "ill-conditioned bowl": Surface(
        "ill-conditioned bowl", _bowl_loss, lambda w: np.array([w[0], 25.0 * w[1]]),
        (-5.5, 5.5), (-2.0, 2.0), (-5.0, 1.5), ((0.0, 0.0),)),
    "saddle": Surface(
        "saddle", _saddle_loss, lambda w: np.array([w[0], w[1] ** 3 - w[1]]),
        (-2.5, 2.5), (-1.8, 1.8), (-2.0, 1e-3), ((0.0, 1.0), (0.0, -1.0))),
}


def surface_grid(name: str, n: int = 120) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The loss of surface ``name`` on an n x n grid over its window: (X, Y, Z), each (n, n).
    Introduced in 01_optimizers_and_training."""
    s, n = _surface(name), _integer(n, "n", 2)
    x, y = np.meshgrid(np.linspace(*s.xlim, n), np.linspace(*s.ylim, n))
    return x, y, s.loss(np.stack([x, y], axis=-1))


def _surface(name: str) -> Surface:
    return SURFACES[choice(name, "surface", tuple(SURFACES))]


@dataclass
class Trajectory:
    """Iterates ``points`` (T + 1, 2), their ``losses`` (T + 1,), and whether the run
    ``diverged`` (left a huge box or hit NaN; then ``points`` stops there).
    Introduced in 01_optimizers_and_training."""

    points: np.ndarray
    losses: np.ndarray
    diverged: bool


def optimizer_trajectory(surface: str, rule: str, lr: float, steps: int, beta: float = 0.9,
                         beta2: float = 0.999, start: tuple[float, float] | None = None) -> Trajectory:
    """Run one from-scratch optimizer on a 2-D surface (see SURFACES).

    ``rule`` in RULES; ``beta`` is the momentum / RMSprop beta and Adam's beta1; ``beta2`` is
    Adam's. Returns a :class:`Trajectory`. Introduced in 01_optimizers_and_training.
    """
    s = _surface(surface)
    choice(rule, "rule", RULES)
    lr = _positive(lr, "lr")
    _beta(beta, "beta")
    _beta(beta2, "beta2")
    steps = _integer(steps, "steps")
    if start is not None:
        if not isinstance(start, (tuple, list, np.ndarray)) or len(start) != 2:
            raise TypeError(f"start must be a point (w1, w2), got {start!r}.")
        start = tuple(number(v, "start") for v in start)
    w = np.array(s.start if start is None else start, dtype=np.float64)
    v = m = np.zeros(2)
    points, diverged = [w], False
    for t in range(1, steps + 1):
        g = s.grad(w)
        if rule == "sgd":
            w = sgd_step(w, g, lr)
        elif rule == "momentum":
            w, v = momentum_step(w, g, v, lr, beta)
        elif rule == "rmsprop":
            w, v = rmsprop_step(w, g, v, lr, beta)
        else:
            w, m, v = adam_step(w, g, m, v, t, lr, beta, beta2)
        if not np.all(np.isfinite(w)) or np.abs(w).max() > 1e6:
            diverged = True
            break
        points.append(w)
    pts = np.array(points)
    return Trajectory(pts, s.loss(pts), diverged)


# --- comparing training runs (train.History) ---------------------------------------------

CURVE_METRICS = ("loss per step", "loss per epoch", "validation loss per epoch", "validation accuracy per epoch")


def history_curves(histories: dict[str, History], metric: str = "loss per step",
                   smoothing: float = 0.0) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """x and y arrays of one metric for several runs, to draw them on one plot.

    ``metric`` is one of CURVE_METRICS; ``smoothing`` in [0, 1) is the beta of a
    bias-corrected exponentially weighted average applied to the curve (0 = raw).
    Returns {name: (x (T,), y (T,))}; x counts steps (per-step metric) or epochs (from 1).
    Introduced in 01_optimizers_and_training.
    """
    choice(metric, "metric", CURVE_METRICS)
    smoothing = number(smoothing, "smoothing", 0.0, 1.0, high_open=True)
    attr = {"loss per step": "step_loss", "loss per epoch": "loss",
            "validation loss per epoch": "val_loss", "validation accuracy per epoch": "val_acc"}[metric]
    out = {}
    for name, h in histories.items():
        y = np.asarray(getattr(h, attr), dtype=np.float64)
        if smoothing > 0 and y.size:
            y = ewma(y, smoothing, bias_correction=True)
        x = np.arange(len(y)) if attr == "step_loss" else np.arange(1, len(y) + 1)
        out[name] = (x, y)
    return out

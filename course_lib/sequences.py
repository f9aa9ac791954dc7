"""Recurrent neural networks from scratch (chapter 06): the vanilla RNN and backpropagation
through time, in numpy, CS231n-style (``forward -> (out, cache)``, ``backward(dout, cache)``).

Shapes (batch first, as ``torch.nn.RNN(batch_first=True)``): a sequence ``x`` is
``(N, T, D)`` (N sequences, T time steps, D input features), a hidden state ``h`` is
``(N, H)``; the weights are ``Wx (D, H)``, ``Wh (H, H)`` and ``b (H,)``, so that

    h_t = tanh(x_t Wx + h_{t-1} Wh + b).

torch stores the transposes and two biases (``weight_ih = Wx.T``, ``weight_hh = Wh.T``,
``b = bias_ih + bias_hh``): :func:`rnn_weights_from_torch` converts. Also here: gradient
clipping by norm, a numerical gradient, the gradient norm that reaches each earlier step
(vanishing gradients, measured) and the input-output structures of recurrent networks.
The gated cells (LSTM, GRU) are in :mod:`course_lib.gates`, the character language model
in :mod:`course_lib.char_lm`, the long-range memory task in :mod:`course_lib.memory_task`.
Bad input raises from :mod:`course_lib._checks` (TypeError for the wrong kind of value,
ValueError for a wrong value) with a sentence naming the argument.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
import torch
import torch.nn as nn

from course_lib._checks import choice, integer, module, ndim, positive, real_array
from course_lib.gradcheck import numerical_gradient  # noqa: F401  (chapter 06 checks BPTT with it)

__all__ = [
    "rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward",
    "rnn_weights_from_torch", "clip_grad_norm", "numerical_gradient",
    "gradient_norms_over_time", "IO_STRUCTURES", "io_structure",
]


# --- argument checks shared with course_lib.gates --------------------------------------------

def check_step(x: Any, h_prev: Any, Wx: Any, Wh: Any, gates: int = 1, where: str = "") -> tuple:
    """Validate one step's ``x (N, D)``, ``h_prev (N, H)``, ``Wx (D, gates*H)``,
    ``Wh (H, gates*H)``; returns them as float arrays (float64 unless all are float32)."""
    arrays = [real_array(a, n) for a, n in ((x, "x"), (h_prev, "h_prev"), (Wx, "Wx"), (Wh, "Wh"))]
    x, h_prev, Wx, Wh = arrays
    ndim(x, "x", 2, "(N, D)", where)
    ndim(h_prev, "h_prev", 2, "(N, H)", where)
    ndim(Wx, "Wx", 2, f"(D, {gates}H)" if gates > 1 else "(D, H)", where)
    ndim(Wh, "Wh", 2, f"(H, {gates}H)" if gates > 1 else "(H, H)", where)
    H = h_prev.shape[1]
    prefix = f"{where}: " if where else ""
    if h_prev.shape[0] != x.shape[0]:
        raise ValueError(f"{prefix}h_prev must have one row per sequence in x, shape (N, H) = "
                         f"({x.shape[0]}, H), got {h_prev.shape}.")
    if Wx.shape != (x.shape[1], gates * H):
        raise ValueError(f"{prefix}Wx must have shape (D, {gates}*H) = ({x.shape[1]}, {gates * H}) "
                         f"for x {x.shape} and h_prev {h_prev.shape}, got {Wx.shape}.")
    if Wh.shape != (H, gates * H):
        raise ValueError(f"{prefix}Wh must have shape (H, {gates}*H) = ({H}, {gates * H}) for "
                         f"h_prev {h_prev.shape}, got {Wh.shape}.")
    return x, h_prev, Wx, Wh


def check_bias(b: Any, size: int, name: str = "b", where: str = "") -> np.ndarray:
    """Validate a bias vector of ``size`` entries."""
    b = real_array(b, name)
    if b.shape != (size,):
        prefix = f"{where}: " if where else ""
        raise ValueError(f"{prefix}{name} must have shape ({size},) (one entry per hidden unit "
                         f"and gate), got {b.shape}.")
    return b


def check_sequence(x: Any, h0: Any, where: str = "") -> tuple[np.ndarray, np.ndarray]:
    """Validate a sequence ``x (N, T, D)`` with T >= 1 and an initial state ``h0 (N, H)``."""
    x, h0 = real_array(x, "x"), real_array(h0, "h0")
    ndim(x, "x", 3, "(N, T, D)", where)
    ndim(h0, "h0", 2, "(N, H)", where)
    prefix = f"{where}: " if where else ""
    if x.shape[1] == 0:
        raise ValueError(f"{prefix}x must have at least one time step (T >= 1), got shape {x.shape}.")
    if h0.shape[0] != x.shape[0]:
        raise ValueError(f"{prefix}h0 must have one row per sequence in x, shape (N, H) = "
                         f"({x.shape[0]}, H), got {h0.shape}.")
    return x, h0


# --- the vanilla RNN -----------------------------------------------------------------------

def rnn_step_forward(x: np.ndarray, h_prev: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                     b: np.ndarray) -> tuple[np.ndarray, tuple]:
    """One step of a tanh RNN: ``h_next = tanh(x Wx + h_prev Wh + b)``.

    ``x (N, D)``, ``h_prev (N, H)``, ``Wx (D, H)``, ``Wh (H, H)``, ``b (H,)`` ->
    ``h_next (N, H)`` and a cache for :func:`rnn_step_backward`.
    Introduced in 06_sequence_models.
    """
    x, h_prev, Wx, Wh = check_step(x, h_prev, Wx, Wh, 1, "rnn_step_forward")
    b = check_bias(b, Wh.shape[0], "b", "rnn_step_forward")
    h_next = np.tanh(x @ Wx + h_prev @ Wh + b)
    return h_next, (x, h_prev, Wx, Wh, h_next)


def rnn_step_backward(dh_next: np.ndarray, cache: tuple) -> tuple[np.ndarray, ...]:
    """Backward pass of one RNN step: with ``a = x Wx + h_prev Wh + b`` and
    ``tanh'(a) = 1 - h_next**2``, ``da = dh_next * (1 - h_next**2)``, then
    ``dx = da Wx^T``, ``dh_prev = da Wh^T``, ``dWx = x^T da``, ``dWh = h_prev^T da``,
    ``db = sum_n da``. ``dh_next (N, H)`` -> ``(dx (N, D), dh_prev (N, H), dWx, dWh, db)``.
    Introduced in 06_sequence_models.
    """
    x, h_prev, Wx, Wh, h_next = cache
    dh_next = real_array(dh_next, "dh_next")
    if dh_next.shape != h_next.shape:
        raise ValueError(f"dh_next must have the shape of h_next {h_next.shape}, got {dh_next.shape}.")
    da = dh_next * (1.0 - h_next ** 2)
    return da @ Wx.T, da @ Wh.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)


def rnn_forward(x: np.ndarray, h0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                b: np.ndarray) -> tuple[np.ndarray, list]:
    """Run the RNN over a whole sequence, the same weights at every step (parameter sharing).

    ``x (N, T, D)``, ``h0 (N, H)`` -> ``h (N, T, H)``: every hidden state (``h[:, -1]`` is
    the last one), and the list of step caches for :func:`rnn_backward`. Equal to
    ``torch.nn.RNN(D, H, batch_first=True)`` with the weights of :func:`rnn_weights_from_torch`.
    Introduced in 06_sequence_models.
    """
    x, h0 = check_sequence(x, h0, "rnn_forward")
    h_prev, hs, caches = h0, [], []
    for t in range(x.shape[1]):
        h_prev, cache = rnn_step_forward(x[:, t], h_prev, Wx, Wh, b)
        hs.append(h_prev)
        caches.append(cache)
    return np.stack(hs, axis=1), caches


def rnn_backward(dh: np.ndarray, caches: list) -> tuple[np.ndarray, ...]:
    """Backpropagation through time (BPTT, 随时间反向传播): walk the steps backwards, adding the
    gradient from the loss at step t (``dh[:, t]``) to the one flowing back from step t+1,
    and sum each step's weight gradients (the weights are shared).

    ``dh (N, T, H)`` (the upstream gradient of every hidden state) ->
    ``(dx (N, T, D), dh0 (N, H), dWx (D, H), dWh (H, H), db (H,))``.
    Introduced in 06_sequence_models.
    """
    dh = real_array(dh, "dh")
    ndim(dh, "dh", 3, "(N, T, H)", "rnn_backward")
    if not caches or dh.shape[1] != len(caches):
        raise ValueError(f"dh must have one time step per cache (T = {len(caches)}), got shape {dh.shape}.")
    x0, _, Wx, Wh, h1 = caches[0]
    if dh.shape[0] != h1.shape[0] or dh.shape[2] != h1.shape[1]:
        raise ValueError(f"dh must have shape (N, T, H) = ({h1.shape[0]}, {len(caches)}, {h1.shape[1]}), "
                         f"got {dh.shape}.")
    dx = np.zeros((dh.shape[0], len(caches), x0.shape[1]), dtype=np.result_type(dh, x0))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(Wh.shape[0], dtype=Wh.dtype)
    dh_prev = np.zeros_like(dh[:, 0])
    for t in reversed(range(len(caches))):
        dx[:, t], dh_prev, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t] + dh_prev, caches[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, dh_prev, dWx, dWh, db


def rnn_weights_from_torch(rnn: nn.Module) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The weights of a ``torch.nn.RNN`` (first layer) or ``nn.RNNCell`` in this module's
    layout, as float64: ``Wx = weight_ih.T (D, H)``, ``Wh = weight_hh.T (H, H)``,
    ``b = bias_ih + bias_hh (H,)`` (torch keeps two biases; only their sum matters).
    Introduced in 06_sequence_models.
    """
    rnn = module(rnn, "rnn")
    suffix = "_l0" if hasattr(rnn, "weight_ih_l0") else ""
    if not hasattr(rnn, "weight_ih" + suffix) or getattr(rnn, "nonlinearity", "tanh") != "tanh":
        raise TypeError(f"rnn must be a torch.nn.RNN or nn.RNNCell with tanh, got {type(rnn).__name__}.")
    get = lambda name: getattr(rnn, name + suffix, None)  # noqa: E731
    wx, wh = get("weight_ih").detach().double().numpy(), get("weight_hh").detach().double().numpy()
    b = sum(get(n).detach().double().numpy() for n in ("bias_ih", "bias_hh") if get(n) is not None)
    return wx.T.copy(), wh.T.copy(), np.zeros(wh.shape[0]) + b


# --- exploding and vanishing gradients -----------------------------------------------------

def clip_grad_norm(grads: Sequence[np.ndarray], max_norm: float) -> tuple[list[np.ndarray], float]:
    """Gradient clipping by norm (梯度裁剪): the total norm ``n = sqrt(sum_i ||g_i||^2)`` over
    all gradients; if ``n > max_norm`` every gradient is scaled by ``max_norm / (n + 1e-6)``,
    so the direction is kept and the norm becomes ``max_norm`` (as
    ``torch.nn.utils.clip_grad_norm_``). Returns (the clipped copies, n before clipping).
    Introduced in 06_sequence_models.
    """
    if not isinstance(grads, (list, tuple)) or not grads:
        raise TypeError(f"grads must be a non-empty list of arrays, got {type(grads).__name__}.")
    grads = [real_array(g, f"grads[{i}]") for i, g in enumerate(grads)]
    max_norm = positive(max_norm, "max_norm")
    total = float(np.sqrt(sum(float(np.sum(g.astype(np.float64) ** 2)) for g in grads)))
    scale = min(1.0, max_norm / (total + 1e-6))
    return [g * scale for g in grads], total


def gradient_norms_over_time(rnn: nn.Module, x: torch.Tensor, seed: int = 0) -> np.ndarray:
    """How much gradient reaches each earlier step: for a recurrent ``rnn`` (``nn.RNN``,
    ``nn.LSTM`` or ``nn.GRU`` with ``batch_first=True``) and inputs ``x (N, T, D)``, take a
    loss on the last hidden state only, ``L = h_T . v`` (``v`` a fixed random unit vector),
    and return ``g (T,)`` with ``g[k]`` = the mean over the batch of ``||dL / dx_{T-k}||``,
    the gradient that reaches the input k steps before the end (``g[0]``: the last step).
    Introduced in 06_sequence_models.
    """
    rnn = module(rnn, "rnn")
    if not isinstance(rnn, (nn.RNN, nn.LSTM, nn.GRU)) or not rnn.batch_first:
        raise TypeError(f"rnn must be a torch nn.RNN, nn.LSTM or nn.GRU with batch_first=True, "
                        f"got {type(rnn).__name__}.")
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch tensor (N, T, D), got {type(x).__name__}.")
    real_array(x, "x")
    ndim(x, "x", 3, "(N, T, D)", "gradient_norms_over_time")
    if x.shape[1] == 0 or x.shape[2] != rnn.input_size:
        raise ValueError(f"x must have shape (N, T >= 1, D = {rnn.input_size}), got {tuple(x.shape)}.")
    gen = torch.Generator().manual_seed(integer(seed, "seed"))
    v = torch.randn(rnn.hidden_size, generator=gen, dtype=x.dtype)
    x = x.detach().clone().requires_grad_(True)
    out, _ = rnn(x)
    (out[:, -1] @ (v / v.norm())).sum().backward()
    norms = x.grad.norm(dim=2).mean(dim=0).numpy()  # (T,), step 0 first
    return norms[::-1].astype(np.float64).copy()


# --- input-output structures -----------------------------------------------------------------

# name -> (which steps read an input, which steps write an output, number of steps, example)
IO_STRUCTURES: dict[str, tuple[list[int], list[int], int, str]] = {
    "one-to-one": ([0], [0], 1, "image classification"),
    "one-to-many": ([0], [0, 1, 2, 3], 4, "image captioning"),
    "many-to-one": ([0, 1, 2, 3], [3], 4, "sentiment, the memory task"),
    "many-to-many (aligned)": ([0, 1, 2, 3], [0, 1, 2, 3], 4, "tagging, a char LM"),
    "many-to-many (encoder-decoder)": ([0, 1, 2], [3, 4, 5, 6], 7, "translation"),
}


def io_structure(name: str) -> dict:
    """The layout of one input-output structure of a recurrent network, for drawing:
    ``{"name", "steps", "inputs", "outputs", "example", "feeds_back"}`` where ``inputs`` and
    ``outputs`` list the time steps that read an input / emit an output, and ``feeds_back``
    says whether each output is fed back as the next input (generation: one-to-many and the
    decoder). ``name`` is a key of ``IO_STRUCTURES``. Introduced in 06_sequence_models.
    """
    name = choice(name, "name", IO_STRUCTURES)
    inputs, outputs, steps, example = IO_STRUCTURES[name]
    feeds = name in ("one-to-many", "many-to-many (encoder-decoder)")
    return {"name": name, "steps": steps, "inputs": list(inputs), "outputs": list(outputs),
            "example": example, "feeds_back": feeds}

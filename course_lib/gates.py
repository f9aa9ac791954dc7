"""Gated recurrent cells from scratch (chapter 06): LSTM, its peephole and coupled-gate
variants, and the GRU, in numpy, equal to ``torch.nn.LSTMCell``/``GRUCell`` (and the full
``nn.LSTM``/``nn.GRU`` over a sequence) with the same weights.

Layout (as :mod:`course_lib.sequences`): ``x (N, D)``, ``h (N, H)``, ``c (N, H)``; the
gates' weights are stacked side by side, in **torch's order**:

- LSTM: ``Wx (D, 4H)``, ``Wh (H, 4H)``, ``b (4H,)``, blocks ``i, f, g, o`` (input gate,
  forget gate, cell candidate, output gate); ``b = bias_ih + bias_hh``.
- GRU: ``Wx (D, 3H)``, ``Wh (H, 3H)``, blocks ``r, z, n`` (reset, update, candidate), and
  **two** biases ``bx, bh (3H,)``: the reset gate multiplies ``h Wh_n + bh_n``, so torch's
  two biases of the candidate do not simply add.

:func:`lstm_weights_from_torch` and :func:`gru_weights_from_torch` convert a torch module.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch.nn as nn

from course_lib._checks import module, real_array
from course_lib.sequences import check_bias, check_sequence, check_step

__all__ = [
    "sigmoid", "lstm_step_forward", "lstm_forward", "peephole_lstm_step_forward",
    "coupled_lstm_step_forward", "gru_step_forward", "gru_forward",
    "lstm_weights_from_torch", "gru_weights_from_torch", "LSTM_GATES", "GRU_GATES",
]

LSTM_GATES = ("input", "forget", "candidate", "output")   # torch's order i, f, g, o
GRU_GATES = ("reset", "update", "candidate")              # torch's order r, z, n


def sigmoid(a: np.ndarray) -> np.ndarray:
    """The logistic function ``1 / (1 + exp(-a))``, computed without overflow for large |a|.
    Introduced in 06_sequence_models."""
    return _sigmoid(real_array(a, "a"))


def _sigmoid(a: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _state(c_prev: Any, h_prev: np.ndarray, where: str) -> np.ndarray:
    c_prev = real_array(c_prev, "c_prev")
    if c_prev.shape != h_prev.shape:
        raise ValueError(f"{where}: c_prev must have the shape of h_prev {h_prev.shape}, got {c_prev.shape}.")
    return c_prev


def lstm_step_forward(x: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray, Wx: np.ndarray,
                      Wh: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict]:
    """One LSTM step (长短期记忆). With ``a = x Wx + h_prev Wh + b`` split into four blocks:
    ``i = sigmoid(a_i)``, ``f = sigmoid(a_f)``, ``g = tanh(a_g)``, ``o = sigmoid(a_o)``,
    ``c = f * c_prev + i * g`` and ``h = o * tanh(c)``.

    ``x (N, D)``, ``h_prev, c_prev (N, H)``, ``Wx (D, 4H)``, ``Wh (H, 4H)``, ``b (4H,)`` ->
    ``h (N, H)``, ``c (N, H)`` and the gates ``{"input", "forget", "candidate", "output"}``,
    each (N, H). Introduced in 06_sequence_models.
    """
    x, h_prev, Wx, Wh = check_step(x, h_prev, Wx, Wh, 4, "lstm_step_forward")
    c_prev = _state(c_prev, h_prev, "lstm_step_forward")
    b = check_bias(b, 4 * h_prev.shape[1], "b", "lstm_step_forward")
    return _lstm_step(x, h_prev, c_prev, Wx, Wh, b)


def _lstm_step(x: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray, Wx: np.ndarray,
               Wh: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict]:
    """:func:`lstm_step_forward` without the argument checks, for inner loops whose inputs
    were checked once (char_lm's sampling). Same shapes and result."""
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    i, f, o = _sigmoid(a[:, :H]), _sigmoid(a[:, H:2 * H]), _sigmoid(a[:, 3 * H:])
    g = np.tanh(a[:, 2 * H:3 * H])
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, c, {"input": i, "forget": f, "candidate": g, "output": o}


def lstm_forward(x: np.ndarray, h0: np.ndarray, c0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                 b: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict]:
    """Run an LSTM over a sequence: ``x (N, T, D)``, ``h0, c0 (N, H)`` -> ``h (N, T, H)``,
    ``c (N, T, H)`` and the gates, each ``(N, T, H)`` (what the gate widget shows).
    Equal to ``torch.nn.LSTM(D, H, batch_first=True)`` with the weights of
    :func:`lstm_weights_from_torch`. Introduced in 06_sequence_models.
    """
    x, h0 = check_sequence(x, h0, "lstm_forward")
    h, c = h0, _state(c0, h0, "lstm_forward")
    hs, cs, gates = [], [], {k: [] for k in LSTM_GATES}
    for t in range(x.shape[1]):
        h, c, g = lstm_step_forward(x[:, t], h, c, Wx, Wh, b)
        hs.append(h)
        cs.append(c)
        for k in LSTM_GATES:
            gates[k].append(g[k])
    return np.stack(hs, 1), np.stack(cs, 1), {k: np.stack(v, 1) for k, v in gates.items()}


def peephole_lstm_step_forward(x: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray,
                               Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray,
                               peep: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict]:
    """An LSTM step with peephole connections (窥视孔连接, Gers & Schmidhuber 2000): the gates
    also look at the cell state, ``i = sigmoid(a_i + p_i * c_prev)``,
    ``f = sigmoid(a_f + p_f * c_prev)``, and the output gate at the *new* cell,
    ``o = sigmoid(a_o + p_o * c)``. ``peep (3, H)`` holds ``p_i, p_f, p_o`` (one weight per
    unit, element-wise); with ``peep = 0`` this is :func:`lstm_step_forward`. Shapes as there.
    Introduced in 06_sequence_models.
    """
    x, h_prev, Wx, Wh = check_step(x, h_prev, Wx, Wh, 4, "peephole_lstm_step_forward")
    c_prev = _state(c_prev, h_prev, "peephole_lstm_step_forward")
    H = h_prev.shape[1]
    peep = real_array(peep, "peep")
    if peep.shape != (3, H):
        raise ValueError(f"peep must have shape (3, H) = (3, {H}) (p_i, p_f, p_o), got {peep.shape}.")
    a = x @ Wx + h_prev @ Wh + check_bias(b, 4 * H, "b", "peephole_lstm_step_forward")
    i = sigmoid(a[:, :H] + peep[0] * c_prev)
    f = sigmoid(a[:, H:2 * H] + peep[1] * c_prev)
    g = np.tanh(a[:, 2 * H:3 * H])
    c = f * c_prev + i * g
    o = sigmoid(a[:, 3 * H:] + peep[2] * c)
    return o * np.tanh(c), c, {"input": i, "forget": f, "candidate": g, "output": o}


def coupled_lstm_step_forward(x: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray,
                              Wx: np.ndarray, Wh: np.ndarray,
                              b: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict]:
    """An LSTM step with coupled input and forget gates (耦合输入门和遗忘门, "CIFG", Greff et
    al. 2017): forget only as much as is written, ``f = 1 - i``, so
    ``c = (1 - i) * c_prev + i * g``. Three blocks ``i, g, o``: ``Wx (D, 3H)``,
    ``Wh (H, 3H)``, ``b (3H,)`` (a quarter fewer parameters) -> ``h, c (N, H)`` and the gates.
    Introduced in 06_sequence_models.
    """
    x, h_prev, Wx, Wh = check_step(x, h_prev, Wx, Wh, 3, "coupled_lstm_step_forward")
    c_prev = _state(c_prev, h_prev, "coupled_lstm_step_forward")
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + check_bias(b, 3 * H, "b", "coupled_lstm_step_forward")
    i, g, o = sigmoid(a[:, :H]), np.tanh(a[:, H:2 * H]), sigmoid(a[:, 2 * H:])
    c = (1.0 - i) * c_prev + i * g
    return o * np.tanh(c), c, {"input": i, "forget": 1.0 - i, "candidate": g, "output": o}


def gru_step_forward(x: np.ndarray, h_prev: np.ndarray, Wx: np.ndarray, Wh: np.ndarray,
                     bx: np.ndarray, bh: np.ndarray) -> tuple[np.ndarray, dict]:
    """One GRU step (门控循环单元): ``r = sigmoid(x Wx_r + bx_r + h_prev Wh_r + bh_r)``,
    ``z = sigmoid(x Wx_z + bx_z + h_prev Wh_z + bh_z)``,
    ``n = tanh(x Wx_n + bx_n + r * (h_prev Wh_n + bh_n))`` and
    ``h = (1 - z) * n + z * h_prev`` (torch's convention: z = 1 keeps the old state).

    ``x (N, D)``, ``h_prev (N, H)``, ``Wx (D, 3H)``, ``Wh (H, 3H)``, ``bx, bh (3H,)`` ->
    ``h (N, H)`` and the gates ``{"reset", "update", "candidate"}``, each (N, H).
    Introduced in 06_sequence_models.
    """
    x, h_prev, Wx, Wh = check_step(x, h_prev, Wx, Wh, 3, "gru_step_forward")
    H = h_prev.shape[1]
    ax = x @ Wx + check_bias(bx, 3 * H, "bx", "gru_step_forward")
    ah = h_prev @ Wh + check_bias(bh, 3 * H, "bh", "gru_step_forward")
    r = sigmoid(ax[:, :H] + ah[:, :H])
    z = sigmoid(ax[:, H:2 * H] + ah[:, H:2 * H])
    n = np.tanh(ax[:, 2 * H:] + r * ah[:, 2 * H:])
    return (1.0 - z) * n + z * h_prev, {"reset": r, "update": z, "candidate": n}


def gru_forward(x: np.ndarray, h0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray, bx: np.ndarray,
                bh: np.ndarray) -> tuple[np.ndarray, dict]:
    """Run a GRU over a sequence: ``x (N, T, D)``, ``h0 (N, H)`` -> ``h (N, T, H)`` and the
    gates, each ``(N, T, H)``. Equal to ``torch.nn.GRU(D, H, batch_first=True)`` with the
    weights of :func:`gru_weights_from_torch`. Introduced in 06_sequence_models.
    """
    x, h = check_sequence(x, h0, "gru_forward")
    hs, gates = [], {k: [] for k in GRU_GATES}
    for t in range(x.shape[1]):
        h, g = gru_step_forward(x[:, t], h, Wx, Wh, bx, bh)
        hs.append(h)
        for k in GRU_GATES:
            gates[k].append(g[k])
    return np.stack(hs, 1), {k: np.stack(v, 1) for k, v in gates.items()}


def _torch_weights(cell: nn.Module, kind: type, cell_kind: type, name: str) -> dict:
    cell = module(cell, name)
    if not isinstance(cell, (kind, cell_kind)):
        raise TypeError(f"{name} must be a torch {kind.__name__} or {cell_kind.__name__}, "
                        f"got {type(cell).__name__}.")
    suffix = "_l0" if isinstance(cell, kind) else ""
    out = {}
    for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        p = getattr(cell, n + suffix, None)
        rows = getattr(cell, "weight_hh" + suffix).shape[0]
        out[n] = np.zeros(rows) if p is None else p.detach().double().numpy()
    return out


def lstm_weights_from_torch(lstm: nn.Module) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The weights of a ``torch.nn.LSTMCell`` or ``nn.LSTM`` (first layer) in this module's
    layout, float64: ``Wx = weight_ih.T (D, 4H)``, ``Wh = weight_hh.T (H, 4H)``,
    ``b = bias_ih + bias_hh (4H,)``, gate blocks in torch's order i, f, g, o.
    Introduced in 06_sequence_models.
    """
    w = _torch_weights(lstm, nn.LSTM, nn.LSTMCell, "lstm")
    return w["weight_ih"].T.copy(), w["weight_hh"].T.copy(), w["bias_ih"] + w["bias_hh"]


def gru_weights_from_torch(gru: nn.Module) -> tuple[np.ndarray, ...]:
    """The weights of a ``torch.nn.GRUCell`` or ``nn.GRU`` (first layer), float64:
    ``Wx = weight_ih.T (D, 3H)``, ``Wh = weight_hh.T (H, 3H)``, ``bx = bias_ih``,
    ``bh = bias_hh`` (both kept: see the module docstring), blocks r, z, n.
    Introduced in 06_sequence_models.
    """
    w = _torch_weights(gru, nn.GRU, nn.GRUCell, "gru")
    return w["weight_ih"].T.copy(), w["weight_hh"].T.copy(), w["bias_ih"], w["bias_hh"]

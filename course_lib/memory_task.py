"""The long-range memory task of chapter 06: remember the first symbol of a sequence
(:func:`course_lib.data.first_symbol_task`) and name it after ``length`` steps.

A :class:`RecurrentClassifier` (one-hot input -> ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` ->
a linear layer on the last hidden state) is trained with Adam and gradient clipping on
fresh random batches (torch on one thread: these layers are too small to share); :func:`memory_sweep` trains each kind at each length with the same
budget and measures the accuracy on new sequences. The gated cells start from the
"chrono" initialisation (:func:`chrono_init`, Tallec & Ollivier 2018): gate biases that
make them keep their state for a typical time between 1 and ``length`` steps.
"""
from __future__ import annotations


import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from course_lib._checks import choice, integer, module, positive
from course_lib.data import first_symbol_task
from course_lib.train import single_thread

__all__ = ["KINDS", "RecurrentClassifier", "chrono_init", "train_memory_task",
           "memory_accuracy", "memory_sweep"]

KINDS = ("rnn", "lstm", "gru")
_CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class RecurrentClassifier(nn.Module):
    """One-hot tokens ``(N, T)`` (int64) -> a recurrent layer of ``hidden`` units (``kind``:
    "rnn" (tanh), "lstm" or "gru") -> ``nn.Linear`` on the last hidden state -> logits
    ``(N, classes)``. ``self.rnn`` is the torch recurrent module (batch first).
    Introduced in 06_sequence_models.
    """

    def __init__(self, kind: str, vocab: int, hidden: int, classes: int) -> None:
        super().__init__()
        self.kind = choice(kind, "kind", KINDS)
        self.vocab = integer(vocab, "vocab", 2)
        self.rnn = _CELLS[kind](self.vocab, integer(hidden, "hidden", 1), batch_first=True)
        self.out = nn.Linear(hidden, integer(classes, "classes", 2))

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        h, _ = self.rnn(F.one_hot(tokens, self.vocab).to(self.out.weight.dtype))
        return self.out(h[:, -1])


def chrono_init(rnn: nn.Module, max_length: int, seed: int = 0) -> nn.Module:
    """Chrono initialisation of a gated layer's biases (in place; returns ``rnn``): draw
    ``u ~ U(1, max_length - 1)`` per unit and set the LSTM forget-gate bias to ``log u``
    and the input-gate bias to ``-log u`` (a cell keeps about ``u`` steps of memory), or the
    GRU update-gate bias to ``log u`` (torch's z = 1 keeps the old state); the other biases
    are 0. A plain ``nn.RNN`` has no gate and is left as it is.
    Introduced in 06_sequence_models.
    """
    rnn = module(rnn, "rnn")
    max_length = integer(max_length, "max_length", 3)
    if not isinstance(rnn, (nn.LSTM, nn.GRU)):
        return rnn
    H = rnn.hidden_size
    gen = torch.Generator().manual_seed(integer(seed, "seed"))
    log_u = torch.log(1 + (max_length - 2) * torch.rand(H, generator=gen))
    with torch.no_grad():
        rnn.bias_ih_l0.zero_()
        rnn.bias_hh_l0.zero_()
        rnn.bias_hh_l0[H:2 * H] = log_u.to(rnn.bias_hh_l0.dtype)       # LSTM f / GRU z
        if isinstance(rnn, nn.LSTM):
            rnn.bias_hh_l0[:H] = -log_u.to(rnn.bias_hh_l0.dtype)       # LSTM i
    return rnn


def train_memory_task(kind: str, length: int, steps: int = 250, hidden: int = 32, lr: float = 1e-2,
                      batch_size: int = 64, symbols: int = 4, distractors: int = 4, clip: float = 1.0,
                      seed: int = 0) -> tuple[RecurrentClassifier, list[float]]:
    """Train a :class:`RecurrentClassifier` of ``kind`` on the first-symbol task with sequences
    of ``length`` steps: ``steps`` Adam updates on fresh batches of ``batch_size``, gradients
    clipped to norm ``clip``, gated kinds chrono-initialised for ``length``. Returns the model
    and the loss of every step (natural log). Seeded: the same arguments give the same model.
    Introduced in 06_sequence_models.
    """
    kind = choice(kind, "kind", KINDS)
    length, steps = integer(length, "length", 1), integer(steps, "steps", 1)
    batch_size, seed = integer(batch_size, "batch_size", 1), integer(seed, "seed")
    lr, clip = positive(lr, "lr"), positive(clip, "clip")
    symbols, distractors = integer(symbols, "symbols", 2), integer(distractors, "distractors", 1)
    torch.manual_seed(seed)
    model = RecurrentClassifier(kind, symbols + distractors, hidden, symbols)
    if length >= 3:
        chrono_init(model.rnn, length, seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    with single_thread():
        for step in range(steps):
            x, y = first_symbol_task(batch_size, length, symbols, distractors, seed=seed * 100_003 + step + 1)
            loss = F.cross_entropy(model(torch.from_numpy(x)), torch.from_numpy(y))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), clip)
            opt.step()
            losses.append(loss.item())
    return model, losses


def memory_accuracy(model: nn.Module, length: int, n: int = 2000, seed: int = 12345) -> float:
    """Accuracy of ``model`` (a :class:`RecurrentClassifier`) on ``n`` new first-symbol sequences
    of ``length`` steps (a seed the training never uses). Chance is ``1 / classes``.
    Introduced in 06_sequence_models.
    """
    model = module(model, "model")
    if not isinstance(model, RecurrentClassifier):
        raise TypeError(f"model must be a RecurrentClassifier, got {type(model).__name__}.")
    symbols = model.out.out_features
    x, y = first_symbol_task(integer(n, "n", 1), integer(length, "length", 1), symbols,
                             model.vocab - symbols, seed=integer(seed, "seed"))
    with torch.no_grad(), single_thread():
        pred = model(torch.from_numpy(x)).argmax(dim=1).numpy()
    return float(np.mean(pred == y))


def memory_sweep(kinds: tuple[str, ...] = KINDS, lengths: tuple[int, ...] = (10, 25, 50, 100),
                 steps: int = 250, seed: int = 0) -> dict[str, list[float]]:
    """Train every kind at every length with the same budget (``steps`` updates, see
    :func:`train_memory_task`) and return ``{kind: [test accuracy per length]}``.
    Introduced in 06_sequence_models.
    """
    if not isinstance(kinds, (tuple, list)) or not kinds:
        raise TypeError(f"kinds must be a non-empty tuple of names from {list(KINDS)}, got {kinds!r}.")
    if not isinstance(lengths, (tuple, list)) or not lengths:
        raise TypeError(f"lengths must be a non-empty tuple of integers, got {lengths!r}.")
    lengths = [integer(t, "lengths", 1) for t in lengths]
    out = {}
    for kind in kinds:
        choice(kind, "kinds", KINDS)
        out[kind] = [memory_accuracy(train_memory_task(kind, t, steps, seed=seed)[0], t) for t in lengths]
    return out


"""A character-level language model (字符级语言模型) of chapter 06, makemore-style: learn the
1990 US-census first names (:func:`course_lib.data.census_first_names`) one letter at a
time, compare with unigram and bigram counts in bits per character, and sample new names
with a temperature.

Tokens: ``VOCAB = ".abc...z"``; ``"."`` (id 0) marks both the start and the end of a name,
so "emma" is read as ``.emma`` and must predict ``emma.``. A model's quality is its
cross-entropy on held-out names in bits per character (bpc, 每字符比特数): the average of
``-log2 p(next character)`` over every predicted character, end marks included; perplexity
is ``2 ** bpc``. :class:`CharLSTM` is an embedding, an ``nn.LSTM`` and a linear layer; its
weights converted by :func:`course_lib.gates.lstm_weights_from_torch` drive the
from-scratch LSTM for sampling and for the gate widget (:func:`gate_trace`).
"""
from __future__ import annotations

import contextlib
import math
import weakref
from typing import Any, Sequence

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from threadpoolctl import ThreadpoolController

from course_lib._checks import integer, module, positive, real_array
from course_lib.gates import LSTM_GATES, _lstm_step, lstm_forward, lstm_weights_from_torch
from course_lib.train import single_thread

__all__ = ["VOCAB", "encode_names", "ngram_bits_per_char", "CharLSTM", "bits_per_char",
           "train_char_lm", "temperature_probs", "sample_with_temperature", "sample_names",
           "gate_trace", "temperature_state"]

VOCAB = "." + "abcdefghijklmnopqrstuvwxyz"
_ID = {c: i for i, c in enumerate(VOCAB)}


def _names(names: Any, name: str = "names") -> list[str]:
    if isinstance(names, str) or not isinstance(names, (list, tuple)) or not names:
        raise TypeError(f"{name} must be a non-empty list of strings, got {type(names).__name__}.")
    for n in names:
        if not isinstance(n, str):
            raise TypeError(f"{name} must hold strings, got {n!r} ({type(n).__name__}).")
        if not n or any(c not in _ID or c == "." for c in n):
            raise ValueError(f"{name} must hold non-empty lower-case names of letters a-z, got {n!r}.")
    return list(names)


def encode_names(names: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs and targets for a batch of names, padded to the longest: ``x (N, L)`` holds
    ``.name`` and ``y (N, L)`` holds ``name.`` (ids in ``VOCAB``), ``L = max len + 1``; the
    padding of ``y`` is -1 (ignored by the loss). Introduced in 06_sequence_models.
    """
    names = _names(names)
    L = max(len(n) for n in names) + 1
    x = np.zeros((len(names), L), dtype=np.int64)
    y = np.full((len(names), L), -1, dtype=np.int64)
    for k, n in enumerate(names):
        ids = [_ID[c] for c in n]
        x[k, 1:len(n) + 1] = ids
        y[k, :len(n) + 1] = ids + [0]
    return torch.from_numpy(x), torch.from_numpy(y)


def ngram_bits_per_char(train: Sequence[str], val: Sequence[str], order: int, alpha: float = 0.1) -> float:
    """Validation bits per character of a count model: ``order`` 1 (unigram: each character
    by its overall frequency) or 2 (bigram: by the previous character), with add-``alpha``
    smoothing, ``p(b | a) = (count(a, b) + alpha) / (count(a) + 27 alpha)``.
    Introduced in 06_sequence_models.
    """
    train, val = _names(train, "train"), _names(val, "val")
    order = integer(order, "order", 1)
    if order > 2:
        raise ValueError(f"order must be 1 (unigram) or 2 (bigram), got {order}.")
    alpha = positive(alpha, "alpha")
    V = len(VOCAB)
    counts = np.zeros((V, V))
    for n in train:
        ids = [0] + [_ID[c] for c in n] + [0]
        np.add.at(counts, (ids[:-1], ids[1:]), 1)
    if order == 1:
        counts = np.broadcast_to(counts.sum(axis=0), (V, V))
    logp = np.log2((counts + alpha) / (counts + alpha).sum(axis=1, keepdims=True))
    total, count = 0.0, 0
    for n in val:
        ids = [0] + [_ID[c] for c in n] + [0]
        total -= logp[ids[:-1], ids[1:]].sum()
        count += len(ids) - 1
    return total / count


class CharLSTM(nn.Module):
    """Character ids ``(N, L)`` -> an embedding (``embed`` numbers per character) -> an
    ``nn.LSTM`` of ``hidden`` units -> logits ``(N, L, 27)`` for the next character.
    Introduced in 06_sequence_models.
    """

    def __init__(self, hidden: int = 128, embed: int = 16) -> None:
        super().__init__()
        self.embed = nn.Embedding(len(VOCAB), integer(embed, "embed", 1))
        self.lstm = nn.LSTM(embed, integer(hidden, "hidden", 1), batch_first=True)
        self.out = nn.Linear(hidden, len(VOCAB))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, _ = self.lstm(self.embed(x))
        return self.out(h)


def bits_per_char(model: nn.Module, names: Sequence[str]) -> float:
    """Cross-entropy of ``model`` (a :class:`CharLSTM`) on ``names``, in bits per character.
    Introduced in 06_sequence_models."""
    model = module(model, "model")
    x, y = encode_names(names)
    with torch.no_grad(), single_thread():
        loss = F.cross_entropy(model(x).reshape(-1, len(VOCAB)), y.reshape(-1), ignore_index=-1)
    return loss.item() / math.log(2)


def train_char_lm(train: Sequence[str], val: Sequence[str], epochs: int = 7, hidden: int = 128,
                  lr: float = 1e-2, batch_size: int = 64, seed: int = 0) -> tuple[CharLSTM, list[float]]:
    """Train a :class:`CharLSTM` on ``train`` names: ``epochs`` passes in shuffled batches,
    Adam, gradients clipped to norm 1. Returns the model and the validation bpc after each
    epoch. Seeded. Introduced in 06_sequence_models.
    """
    train, val = _names(train, "train"), _names(val, "val")
    epochs, batch_size = integer(epochs, "epochs", 1), integer(batch_size, "batch_size", 1)
    lr, seed = positive(lr, "lr"), integer(seed, "seed")
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = CharLSTM(hidden)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    with single_thread():
        for _ in range(epochs):
            order = rng.permutation(len(train))
            for k in range(0, len(train), batch_size):
                x, y = encode_names([train[i] for i in order[k:k + batch_size]])
                loss = F.cross_entropy(model(x).reshape(-1, len(VOCAB)), y.reshape(-1), ignore_index=-1)
                opt.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                opt.step()
            history.append(bits_per_char(model, val))
    return model, history


def temperature_probs(logits: np.ndarray, temperature: float) -> np.ndarray:
    """``softmax(logits / temperature)`` along the last axis (any leading shape): T < 1
    sharpens the distribution towards the most likely character, T > 1 flattens it towards
    uniform. Introduced in 06_sequence_models."""
    logits = real_array(logits, "logits", dtype=np.float64)
    temperature = positive(temperature, "temperature")
    z = logits / temperature
    z = np.exp(z - z.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def sample_with_temperature(logits: np.ndarray, temperature: float, rng: np.random.Generator) -> np.ndarray:
    """Draw one index per row of ``logits (N, V)`` from ``softmax(logits / temperature)``
    with inverse-CDF sampling (one ``rng.random()`` per row). Returns int64 ``(N,)``.
    Introduced in 06_sequence_models."""
    p = temperature_probs(logits, temperature)
    if p.ndim != 2:
        raise ValueError(f"logits must have 2 axes (N, V), got shape {p.shape}.")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator (np.random.default_rng(seed)), got {type(rng).__name__}.")
    return _inverse_cdf(p, rng)


def _inverse_cdf(p: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    u = rng.random(p.shape[0])[:, None]
    idx = (np.cumsum(p, axis=1) < u).sum(axis=1)
    return np.minimum(idx, p.shape[1] - 1).astype(np.int64)


def _draw(logits: np.ndarray, temperature: float, rng: np.random.Generator) -> np.ndarray:
    """:func:`sample_with_temperature` on checked, finite logits (the sampling loop's)."""
    z = logits / temperature
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return _inverse_cdf(z / z.sum(axis=1, keepdims=True), rng)


_CONTROLLER: list = []


def _one_blas_thread() -> contextlib.AbstractContextManager:
    """numpy's BLAS on one thread: the tiny matrix products of sampling are 10x slower when
    OpenBLAS spreads them over busy cores."""
    if not _CONTROLLER:
        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=1, user_api="blas")


_WEIGHTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _weights(model: nn.Module) -> tuple:
    """The model's weights as float64 numpy arrays (embedding, LSTM ``(Wx, Wh, b)``, output
    layer), converted once and reused until a parameter changes (torch counts in-place
    changes in ``_version``: an optimizer step invalidates the copy)."""
    model = module(model, "model")
    if not isinstance(model, CharLSTM):
        raise TypeError(f"model must be a CharLSTM, got {type(model).__name__}.")
    version = tuple(p._version for p in model.parameters())
    cached = _WEIGHTS.get(model)
    if cached is None or cached[0] != version:
        with torch.no_grad():
            emb = model.embed.weight.double().numpy()
            wo, bo = model.out.weight.double().numpy(), model.out.bias.double().numpy()
        cached = (version, (emb, lstm_weights_from_torch(model.lstm), wo, bo))
        _WEIGHTS[model] = cached
    return cached[1]


def sample_names(model: nn.Module, n: int, temperature: float = 1.0, seed: int = 0,
                 max_length: int = 20) -> list[str]:
    """Sample ``n`` names from ``model`` (a :class:`CharLSTM`), all in parallel with the
    from-scratch :func:`course_lib.gates.lstm_step_forward`: start from ".", feed each drawn
    character back, stop a name at "." or after ``max_length`` letters. Seeded.
    Introduced in 06_sequence_models."""
    n, max_length = integer(n, "n", 1), integer(max_length, "max_length", 1)
    temperature = positive(temperature, "temperature")
    emb, (Wx, Wh, b), wo, bo = _weights(model)
    rng = np.random.default_rng(integer(seed, "seed"))
    H = Wh.shape[0]
    h, c = np.zeros((n, H)), np.zeros((n, H))
    ids = np.zeros(n, dtype=np.int64)
    out, done = [[] for _ in range(n)], np.zeros(n, dtype=bool)
    with _one_blas_thread():
        for _ in range(max_length):
            h, c, _ = _lstm_step(emb[ids], h, c, Wx, Wh, b)
            ids = _draw(h @ wo.T + bo, temperature, rng)
            done |= ids == 0
            for k in np.flatnonzero(~done):
                out[k].append(VOCAB[ids[k]])
            if done.all():
                break
    return ["".join(o) for o in out]


def gate_trace(model: nn.Module, text: str) -> dict:
    """What the gate widget shows for ``text`` read by ``model`` (a :class:`CharLSTM`):
    ``{"ok", "message", "chars", "gates", "cell", "hidden", "next_probs"}`` with ``chars`` the
    characters read (".", then the letters), each gate ``(T, H)`` (``LSTM_GATES``), the cell
    and hidden states ``(T, H)`` and the predicted next-character distribution ``(T, 27)``.
    Text that is empty, too long (> 20) or not letters a-z gives ``ok=False`` and a message.
    Introduced in 06_sequence_models."""
    bad = {"ok": False, "chars": [], "gates": {}, "cell": None, "hidden": None, "next_probs": None}
    if not isinstance(text, str):
        return {**bad, "message": f"The text must be a string, got {type(text).__name__}."}
    text = text.strip().lower()
    if not text or len(text) > 20 or any(c not in _ID or c == "." for c in text):
        return {**bad, "message": f"Type a name of 1 to 20 letters a-z (got {text!r})."}
    emb, (Wx, Wh, b), wo, bo = _weights(model)
    ids = [0] + [_ID[c] for c in text]
    H = Wh.shape[0]
    with _one_blas_thread():
        h, c, gates = lstm_forward(emb[ids][None], np.zeros((1, H)), np.zeros((1, H)), Wx, Wh, b)
        probs = temperature_probs(h[0] @ wo.T + bo, 1.0)
    nxt = VOCAB[int(probs[-1].argmax())]
    return {"ok": True, "chars": ["."] + list(text), "gates": {k: gates[k][0] for k in LSTM_GATES},
            "cell": c[0], "hidden": h[0], "next_probs": probs,
            "message": f"read '.{text}': {len(ids)} steps x {H} units; most likely next "
                       f"character: '{nxt}' (p = {probs[-1].max():.2f})"}


def temperature_state(model: nn.Module, temperature: float, train: Sequence[str], n: int = 12,
                      seed: int = 0) -> dict:
    """What the temperature widget shows: ``{"ok", "message", "names", "novel", "first_probs",
    "entropy", "temperature"}``: ``n`` names sampled at ``temperature``, the fraction of them not in
    ``train``, the distribution of the first letter at that temperature (27,) and its
    entropy in bits. A temperature <= 0 or not finite gives ``ok=False`` and a message.
    Introduced in 06_sequence_models."""
    try:
        temperature = positive(temperature, "temperature")
    except (TypeError, ValueError) as exc:
        return {"ok": False, "message": str(exc), "names": [], "novel": None,
                "first_probs": None, "entropy": None}
    emb, (Wx, Wh, b), wo, bo = _weights(model)
    H = Wh.shape[0]
    with _one_blas_thread():
        h, _, _ = _lstm_step(emb[[0]], np.zeros((1, H)), np.zeros((1, H)), Wx, Wh, b)
        p = temperature_probs(h @ wo.T + bo, temperature)[0]
    names = sample_names(model, n, temperature, seed)
    known = set(train)
    novel = float(np.mean([bool(s) and s not in known for s in names]))  # "" is no new name
    entropy = float(-(p * np.log2(np.maximum(p, 1e-300))).sum())
    return {"ok": True, "names": names, "novel": novel, "first_probs": p, "entropy": entropy,
            "temperature": temperature,
            "message": f"T = {temperature:.2f}: first-letter entropy {entropy:.2f} bits; "
                       f"{novel:.0%} of the {n} names are not in the training list"}

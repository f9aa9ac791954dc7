"""The objectives of chapter 07, forward and backward from scratch (numpy, float64):
skip-gram with a full softmax, negative sampling with the unigram^(3/4) sampler, GloVe's
weighted least squares on co-occurrence counts, and ELMo's weighted sum of layers.

Layout as in ``torch.nn.Embedding``: ``E`` (V, d) holds the word (context) embeddings
e_c, one row per word, and ``Theta`` (V, d) the output vectors theta_t of the notes. A
batch is ``centers`` (B,) and ``targets`` (B,) int arrays; losses are means over the batch
and each gradient has the shape of its parameter. Every function is checked against
autograd in ``tests/test_embeddings.py``. Introduced in 07_word_embeddings.
"""
from __future__ import annotations

import numpy as np

from course_lib._checks import generator, integer, ndim, number, positive, real_array

__all__ = ["softmax_skipgram_loss", "unigram_distribution", "sample_negatives",
           "negative_sampling_loss", "update_cost", "cooccurrence_matrix", "glove_weight",
           "glove_loss", "elmo_combine"]


def _params(E, Theta, where: str) -> tuple[np.ndarray, np.ndarray]:
    E, Theta = real_array(E, "E", dtype=np.float64), real_array(Theta, "Theta", dtype=np.float64)
    ndim(E, "E", 2, "(V, d)", where)
    if Theta.shape != E.shape:
        raise ValueError(f"{where}: Theta must have the shape of E {E.shape} (V, d), got {Theta.shape}.")
    return E, Theta


def _ids(ids, name: str, V: int, shape: tuple | None = None) -> np.ndarray:
    if hasattr(ids, "detach"):
        ids = ids.detach().cpu().numpy()
    if not isinstance(ids, np.ndarray) or ids.dtype.kind not in "iu":
        kind = getattr(ids, "dtype", type(ids).__name__)
        raise TypeError(f"{name} must be a numpy array of integer word indices, got {kind}.")
    if shape is not None and ids.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {ids.shape}.")
    if ids.size and (ids.min() < 0 or ids.max() >= V):
        raise ValueError(f"{name} must hold word indices in 0..{V - 1}, got values from "
                         f"{ids.min()} to {ids.max()}.")
    return ids.astype(np.int64, copy=False)


def _log_sigmoid(z: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -z)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.exp(_log_sigmoid(z))


def softmax_skipgram_loss(E, Theta, centers, targets) -> tuple[float, np.ndarray, np.ndarray]:
    """Skip-gram with a full softmax: p(t | c) = exp(theta_t . e_c) / sum_j exp(theta_j . e_c).

    ``E``, ``Theta``: (V, d); ``centers``, ``targets``: int (B,). Returns (loss, dE, dTheta):
    the mean over the batch of -log p(t | c) and its gradients (V, d). Every update touches
    all V output vectors: the cost grows with the vocabulary. Introduced in 07_word_embeddings.
    """
    E, Theta = _params(E, Theta, "softmax_skipgram_loss")
    V = E.shape[0]
    c = _ids(centers, "centers", V)
    ndim(c, "centers", 1, "(B,)", "softmax_skipgram_loss")
    t = _ids(targets, "targets", V, c.shape)
    B = len(c)
    if B == 0:
        raise ValueError("centers is empty; a batch needs at least one (centre, target) pair.")
    e = E[c]                                          # (B, d)
    scores = e @ Theta.T                              # (B, V)
    scores -= scores.max(axis=1, keepdims=True)
    log_p = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(B), t].mean()
    g = np.exp(log_p)                                 # dloss/dscores = (softmax - one_hot) / B
    g[np.arange(B), t] -= 1.0
    g /= B
    dTheta = g.T @ e                                  # (V, d)
    dE = np.zeros_like(E)
    np.add.at(dE, c, g @ Theta)
    return float(loss), dE, dTheta


def unigram_distribution(counts, power: float = 0.75) -> np.ndarray:
    """Negative-sampling distribution P(w) = f(w)^power / sum_j f(w_j)^power from word counts
    f (V,). power = 1 follows the corpus (mostly "the", "of"), 0 is uniform (mostly rare
    words); word2vec's 3/4 lies between. Returns float64 (V,) summing to 1.
    Introduced in 07_word_embeddings."""
    counts = real_array(counts, "counts", dtype=np.float64)
    ndim(counts, "counts", 1, "(V,)", "unigram_distribution")
    power = number(power, "power", low=0.0)
    if counts.size == 0 or (counts < 0).any() or counts.sum() <= 0:
        raise ValueError("counts must be non-negative word counts with at least one positive "
                         f"entry, got {counts.size} entries summing to {counts.sum():g}.")
    weights = np.where(counts > 0, counts, 0.0) ** power * (counts > 0)
    return weights / weights.sum()


def sample_negatives(probs, shape, rng: np.random.Generator) -> np.ndarray:
    """Draw word indices with probabilities ``probs`` (V,) by inverse-CDF sampling: a uniform
    u falls into the bin of word j when cdf[j-1] <= u < cdf[j]. Returns int64 of ``shape``,
    e.g. (B, K) negatives for a batch. Introduced in 07_word_embeddings."""
    probs = real_array(probs, "probs", dtype=np.float64)
    ndim(probs, "probs", 1, "(V,)", "sample_negatives")
    if (probs < 0).any() or abs(probs.sum() - 1.0) > 1e-6:
        raise ValueError(f"probs must be a probability vector (non-negative, summing to 1), "
                         f"got a sum of {probs.sum():.6g}.")
    rng = generator(rng, "rng")
    shape = (integer(shape, "shape", 0),) if not isinstance(shape, tuple) else \
        tuple(integer(s, "shape", 0) for s in shape)
    cdf = np.cumsum(probs)
    u = rng.random(shape) * cdf[-1]
    return np.minimum(np.searchsorted(cdf, u, side="right"), len(probs) - 1).astype(np.int64)


def negative_sampling_loss(E, Theta, centers, targets, negatives) -> tuple[float, np.ndarray, np.ndarray]:
    """Negative sampling (负采样): K + 1 logistic regressions instead of a V-way softmax.

    loss = mean over the batch of -log sigma(theta_t . e_c) - sum_k log sigma(-theta_k . e_c),
    with ``negatives`` (B, K) the words sampled for each (c, t) pair. ``E``, ``Theta``: (V, d).
    Returns (loss, dE, dTheta), gradients (V, d); only 1 + 1 + K rows of them are non-zero per
    pair. Introduced in 07_word_embeddings."""
    E, Theta = _params(E, Theta, "negative_sampling_loss")
    V = E.shape[0]
    c = _ids(centers, "centers", V)
    ndim(c, "centers", 1, "(B,)", "negative_sampling_loss")
    t = _ids(targets, "targets", V, c.shape)
    neg = _ids(negatives, "negatives", V)
    ndim(neg, "negatives", 2, "(B, K)", "negative_sampling_loss")
    if neg.shape[0] != len(c):
        raise ValueError(f"negatives must have one row per pair, shape (B, K) = ({len(c)}, K), got {neg.shape}.")
    B = len(c)
    if B == 0:
        raise ValueError("centers is empty; a batch needs at least one (centre, target) pair.")
    ids = np.concatenate([t[:, None], neg], axis=1)    # (B, K+1): the true target first
    labels = np.zeros(ids.shape)
    labels[:, 0] = 1.0
    e, th = E[c], Theta[ids]                          # (B, d), (B, K+1, d)
    z = np.einsum("bkd,bd->bk", th, e)
    sign = 2 * labels - 1                             # +1 for the target, -1 for a negative
    loss = -_log_sigmoid(sign * z).sum(axis=1).mean()
    g = (_sigmoid(z) - labels) / B                    # dloss/dz
    dE, dTheta = np.zeros_like(E), np.zeros_like(Theta)
    np.add.at(dE, c, np.einsum("bk,bkd->bd", g, th))
    np.add.at(dTheta, ids.ravel(), (g[:, :, None] * e[:, None, :]).reshape(-1, E.shape[1]))
    return float(loss), dE, dTheta


def update_cost(vocab_size: int, dim: int, negatives: int | None = None) -> int:
    """Multiply-adds of one (c, t) update: scores, output-vector gradients and the gradient of
    e_c, each (number of output vectors) x d. Full softmax: 3 V d; negative sampling with K
    negatives: 3 (K + 1) d, whatever V is. ``negatives=None`` means the full softmax.
    Introduced in 07_word_embeddings."""
    V, d = integer(vocab_size, "vocab_size", 1), integer(dim, "dim", 1)
    outputs = V if negatives is None else integer(negatives, "negatives", 1) + 1
    return 3 * outputs * d


def cooccurrence_matrix(encoded, vocab_size: int, window: int, distance_weighting: bool = True) -> np.ndarray:
    """GloVe's co-occurrence counts X (V, V): X[i, j] = how often word j appears within
    ``window`` words of word i, each occurrence counted 1/distance when ``distance_weighting``
    (as GloVe does; 1 otherwise). Symmetric. ``encoded``: index arrays of the sentences.
    Introduced in 07_word_embeddings."""
    V, window = integer(vocab_size, "vocab_size", 1), integer(window, "window", 1)
    X = np.zeros((V, V))
    for s in encoded:
        s = np.asarray(s, dtype=np.int64)
        if s.size and (s.min() < 0 or s.max() >= V):
            raise ValueError(f"encoded must hold word indices in 0..{V - 1}, got {s.min()}..{s.max()}.")
        for dist in range(1, min(window, len(s) - 1) + 1):
            w = 1.0 / dist if distance_weighting else 1.0
            np.add.at(X, (s[:-dist], s[dist:]), w)
            np.add.at(X, (s[dist:], s[:-dist]), w)
    return X


def glove_weight(x, x_max: float = 100.0, alpha: float = 0.75) -> np.ndarray:
    """GloVe's weighting f(x) = (x / x_max)^alpha for x < x_max, 1 above; f(0) = 0, so pairs
    never seen together cost nothing, rare pairs weigh little and frequent pairs ("of the")
    do not dominate. ``x``: array of counts (>= 0). Introduced in 07_word_embeddings."""
    x = real_array(x, "x", dtype=np.float64)
    if (x < 0).any():
        raise ValueError(f"x must hold co-occurrence counts >= 0, got a minimum of {x.min():g}.")
    x_max, alpha = positive(x_max, "x_max"), positive(alpha, "alpha")
    return np.minimum(x / x_max, 1.0) ** alpha


def glove_loss(W, W_tilde, b, b_tilde, X, x_max: float = 100.0, alpha: float = 0.75):
    """GloVe's objective J = sum over X_ij > 0 of f(X_ij) (w_i . w~_j + b_i + b~_j - log X_ij)^2.

    ``W``, ``W_tilde``: (V, d) word and context vectors (theta and e of the notes); ``b``,
    ``b_tilde``: (V,); ``X``: (V, V) counts. Returns (J, dW, dW_tilde, db, db_tilde).
    Introduced in 07_word_embeddings."""
    W, Wt = real_array(W, "W", dtype=np.float64), real_array(W_tilde, "W_tilde", dtype=np.float64)
    ndim(W, "W", 2, "(V, d)", "glove_loss")
    if Wt.shape != W.shape:
        raise ValueError(f"glove_loss: W_tilde must have the shape of W {W.shape}, got {Wt.shape}.")
    V = W.shape[0]
    b, bt = real_array(b, "b", dtype=np.float64), real_array(b_tilde, "b_tilde", dtype=np.float64)
    for name, v in (("b", b), ("b_tilde", bt)):
        if v.shape != (V,):
            raise ValueError(f"glove_loss: {name} must have shape (V,) = ({V},), got {v.shape}.")
    X = real_array(X, "X", dtype=np.float64)
    if X.shape != (V, V):
        raise ValueError(f"glove_loss: X must have shape (V, V) = ({V}, {V}), got {X.shape}.")
    f = glove_weight(X, x_max, alpha)
    seen = X > 0
    diff = np.where(seen, W @ Wt.T + b[:, None] + bt[None, :] - np.log(np.where(seen, X, 1.0)), 0.0)
    J = float(np.sum(f * diff ** 2))
    g = 2.0 * f * diff                                # dJ/d(score_ij)
    return J, g @ Wt, g.T @ W, g.sum(axis=1), g.sum(axis=0)


def elmo_combine(layers, s_logits, gamma: float = 1.0) -> np.ndarray:
    """ELMo's task-specific mix of a biLM's layers: ELMo_k = gamma * sum_j s_j h_{k,j} with
    s = softmax(``s_logits``). ``layers``: (L+1, T, D), layer 0 the token embeddings and
    layers 1..L the concatenated [forward; backward] LSTM states; ``s_logits``: (L+1,).
    Returns (T, D). Introduced in 07_word_embeddings."""
    h = real_array(layers, "layers", dtype=np.float64)
    ndim(h, "layers", 3, "(L+1, T, D)", "elmo_combine")
    s = real_array(s_logits, "s_logits", dtype=np.float64)
    if s.shape != (h.shape[0],):
        raise ValueError(f"s_logits must have one weight per layer, shape ({h.shape[0]},), got {s.shape}.")
    gamma = number(gamma, "gamma")
    w = np.exp(s - s.max())
    w /= w.sum()
    return gamma * np.tensordot(w, h, axes=1)

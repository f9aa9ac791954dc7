"""Training word vectors (chapter 07): skip-gram with negative sampling (the course's own
word2vec, plain torch tensors and hand-written gradients), GloVe (AdaGrad on the objective of
:mod:`course_lib.embeddings_losses`), gensim's ``Word2Vec`` with the same settings for
comparison, and a small bidirectional LSTM language model for the ELMo demonstration.
Introduced in 07_word_embeddings.
"""
from __future__ import annotations

import time
import zlib
from typing import NamedTuple, Sequence

import numpy as np
import torch
import torch.nn as nn

from course_lib._checks import integer, module, positive, real_array
from course_lib.train import single_thread
from course_lib.embeddings_losses import glove_loss, sample_negatives, unigram_distribution
from course_lib.embeddings_space import analogy_accuracy
from course_lib.embeddings_text import Vocab, build_vocab, skipgram_pair_array

__all__ = ["SkipGramResult", "skipgram_step", "softmax_skipgram_step", "train_skipgram", "train_glove",
           "train_gensim_word2vec", "BiLM", "train_bilm", "token_layers", "train_elmo_probe"]


class SkipGramResult(NamedTuple):
    """``vectors`` float32 (V, d): the learned word vectors E; ``output_vectors`` (V, d):
    Theta; ``losses``: mean negative-sampling loss per epoch; ``accuracy``: analogy accuracy
    after each epoch (empty without questions); ``seconds``: CPU time of the training loop."""

    vectors: np.ndarray
    output_vectors: np.ndarray
    losses: list[float]
    accuracy: list[float]
    seconds: float


def skipgram_step(E: torch.Tensor, Theta: torch.Tensor, centers: torch.Tensor, targets: torch.Tensor,
                  negatives: torch.Tensor, lr: float) -> float:
    """One SGD step of negative sampling on a batch of B pairs, in place: every pair's gradient
    (that of :func:`~course_lib.embeddings_losses.negative_sampling_loss` for that pair alone)
    times ``lr`` is subtracted, as word2vec does pair by pair, summed over the batch.
    ``E``, ``Theta``: float (V, d) tensors; ``centers``, ``targets``: int64 (B,);
    ``negatives``: int64 (B, K). Returns the batch's mean loss before the step.
    Introduced in 07_word_embeddings."""
    lr = positive(lr, "lr")
    ids = torch.cat([targets[:, None], negatives], dim=1)            # (B, K+1)
    e, th = E[centers], Theta[ids]                                   # (B, d), (B, K+1, d)
    z = torch.bmm(th, e[:, :, None])[..., 0]                         # (B, K+1)
    g = torch.sigmoid(z)                                             # dloss/dz per pair:
    g[:, 0] -= 1.0                                                   # sigma(z) - label
    loss = -(nn.functional.logsigmoid(z[:, 0]) + nn.functional.logsigmoid(-z[:, 1:]).sum(1)).mean()
    E.index_add_(0, centers, (g[:, :, None] * th).sum(1), alpha=-lr)
    Theta.index_add_(0, ids.reshape(-1), (g[:, :, None] * e[:, None, :]).reshape(-1, E.shape[1]), alpha=-lr)
    return float(loss)


def softmax_skipgram_step(E: torch.Tensor, Theta: torch.Tensor, centers: torch.Tensor,
                          targets: torch.Tensor, lr: float) -> float:
    """One SGD step of full-softmax skip-gram on a batch of B pairs, in place, each pair's own
    gradient (that of :func:`~course_lib.embeddings_losses.softmax_skipgram_loss`) times
    ``lr``: every one of the V output vectors changes, so a step costs O(V d) per pair.
    Same tensors as :func:`skipgram_step`. Returns the batch's mean loss before the step.
    Introduced in 07_word_embeddings."""
    lr = positive(lr, "lr")
    e = E[centers]                                                   # (B, d)
    log_p = torch.log_softmax(e @ Theta.T, dim=1)                    # (B, V)
    g = log_p.exp()
    g[torch.arange(len(centers)), targets] -= 1.0                    # softmax - one_hot
    loss = -log_p[torch.arange(len(centers)), targets].mean()
    E.index_add_(0, centers, g @ Theta, alpha=-lr)
    Theta.add_(g.T @ e, alpha=-lr)
    return float(loss)


def train_skipgram(encoded: Sequence[np.ndarray], vocab: Vocab, dim: int = 50, window: int = 4,
                   negatives: int = 5, epochs: int = 10, lr: float = 0.025, batch_size: int = 256,
                   power: float = 0.75, seed: int = 0,
                   questions: Sequence[tuple[str, str, str, str]] | None = None) -> SkipGramResult:
    """Skip-gram with negative sampling, from scratch: all (centre, context) pairs within
    ``window`` (:func:`skipgram_pair_array`), shuffled each epoch, ``negatives`` words per pair
    drawn from the unigram^``power`` distribution (:func:`sample_negatives`), SGD steps of
    ``batch_size`` pairs (:func:`skipgram_step`) with word2vec's learning rate, decaying
    linearly from ``lr`` to ``lr``/10^4. E starts uniform in [-0.5/d, 0.5/d), Theta at zero
    (word2vec's initialisation). With ``questions`` the analogy accuracy is measured after
    each epoch. ``encoded``: index arrays (``vocab.encode(sentences)``). Returns a
    :class:`SkipGramResult`. Introduced in 07_word_embeddings."""
    if not isinstance(vocab, Vocab):
        raise TypeError(f"vocab must be a course_lib.embeddings.Vocab, got {type(vocab).__name__}.")
    dim, negatives = integer(dim, "dim", 1), integer(negatives, "negatives", 1)
    epochs, batch_size = integer(epochs, "epochs", 1), integer(batch_size, "batch_size", 1)
    seed, lr = integer(seed, "seed", 0), positive(lr, "lr")
    pairs = skipgram_pair_array(encoded, window)
    if pairs.max() >= len(vocab):
        raise ValueError(f"encoded holds index {pairs.max()}, beyond the vocabulary ({len(vocab)} words).")
    probs = unigram_distribution(vocab.counts, power)
    rng = np.random.default_rng(seed)
    gen = torch.Generator().manual_seed(seed)
    E = (torch.rand(len(vocab), dim, generator=gen) - 0.5) / dim
    Theta = torch.zeros(len(vocab), dim)
    P = torch.from_numpy(pairs)
    total, done = epochs * len(P), 0
    losses, accuracy = [], []
    t0 = time.process_time()
    with single_thread(blas=True):
        for _ in range(epochs):
            _skipgram_epoch(E, Theta, P, probs, negatives, batch_size, lr, rng, total, done, losses)
            done += len(P)
            if questions is not None:
                accuracy.append(analogy_accuracy(E.numpy(), vocab, questions)["accuracy"])
    seconds = time.process_time() - t0
    return SkipGramResult(E.numpy().copy(), Theta.numpy().copy(), losses, accuracy, seconds)


def _skipgram_epoch(E, Theta, P, probs, negatives, batch_size, lr, rng, total, done, losses) -> None:
    """One shuffled pass over the pairs ``P`` (appends the epoch's mean loss to ``losses``)."""
    order = torch.from_numpy(rng.permutation(len(P)))
    neg_all = torch.from_numpy(sample_negatives(probs, (len(P), negatives), rng))  # the epoch's negatives
    running = 0.0
    for s in range(0, len(P), batch_size):
        batch, neg = P[order[s:s + batch_size]], neg_all[s:s + batch_size]
        step_lr = lr * max(1e-4, 1.0 - (done + s) / total)
        running += skipgram_step(E, Theta, batch[:, 0], batch[:, 1], neg, step_lr) * len(batch)
    losses.append(running / len(P))


def train_glove(X, dim: int = 50, epochs: int = 300, lr: float = 0.1, x_max: float = 100.0,
                alpha: float = 0.75, seed: int = 0) -> tuple[np.ndarray, list[float]]:
    """GloVe from scratch: full-batch AdaGrad (as in the paper) on :func:`glove_loss` over the
    co-occurrence matrix ``X`` (V, V). W and W~ start uniform in [-0.5/d, 0.5/d), biases at 0.
    Returns (W + W~ (V, d): the final vectors, as the notes say, since W and W~ play the
    same role; the loss J per epoch). Introduced in 07_word_embeddings."""
    X = real_array(X, "X", dtype=np.float64)
    if X.ndim != 2 or X.shape[0] != X.shape[1]:
        raise ValueError(f"X must be a square (V, V) co-occurrence matrix, got shape {X.shape}.")
    dim, epochs, seed = integer(dim, "dim", 1), integer(epochs, "epochs", 1), integer(seed, "seed", 0)
    lr = positive(lr, "lr")
    rng = np.random.default_rng(seed)
    V = X.shape[0]
    params = [(rng.random((V, dim)) - 0.5) / dim, (rng.random((V, dim)) - 0.5) / dim, np.zeros(V), np.zeros(V)]
    squares = [np.ones_like(p) for p in params]        # AdaGrad's running sums (start at 1, as GloVe's C code)
    losses = []
    with single_thread(blas=True):
        for _ in range(epochs):
            J, *grads = glove_loss(*params, X, x_max=x_max, alpha=alpha)
            losses.append(J)
            for p, g, s in zip(params, grads, squares):
                s += g * g
                p -= lr * g / np.sqrt(s)
    return params[0] + params[1], losses


def train_gensim_word2vec(sentences: Sequence[Sequence[str]], dim: int = 50, window: int = 4,
                          negatives: int = 5, epochs: int = 10, lr: float = 0.025, min_count: int = 1,
                          seed: int = 0) -> tuple[np.ndarray, Vocab, float]:
    """gensim's ``Word2Vec`` with the settings of :func:`train_skipgram`: skip-gram (sg=1),
    negative sampling (hs=0, ``negatives``, ns_exponent 0.75), a fixed window
    (shrink_windows=False), no frequent-word subsampling (sample=0), one worker, a
    deterministic word hash (crc32), ``lr`` decaying linearly to lr/10^4 over the epochs.
    Returns (vectors (V, d) in the order of :func:`build_vocab`'s vocabulary, that vocabulary,
    CPU seconds of training). Introduced in 07_word_embeddings."""
    from gensim.models import Word2Vec

    vocab = build_vocab(sentences, min_count)
    dim, window, negatives = integer(dim, "dim", 1), integer(window, "window", 1), integer(negatives, "negatives", 1)
    epochs, seed, lr = integer(epochs, "epochs", 1), integer(seed, "seed", 0), positive(lr, "lr")
    model = Word2Vec(vector_size=dim, window=window, min_count=min_count, sg=1, hs=0, negative=negatives,
                     ns_exponent=0.75, sample=0, alpha=lr, min_alpha=lr * 1e-4, workers=1, seed=seed,
                     hashfxn=lambda w: zlib.crc32(w.encode("utf-8")), shrink_windows=False)
    model.build_vocab(sentences)
    t0 = time.process_time()
    model.train(sentences, total_examples=len(sentences), epochs=epochs)
    seconds = time.process_time() - t0
    vectors = np.stack([model.wv[w] for w in vocab.words])
    return vectors, vocab, seconds


class BiLM(nn.Module):
    """A small bidirectional language model (双向语言模型), ELMo's idea: token embeddings x_t
    (layer 0), a forward LSTM stack reading left to right that predicts t_{k+1}, and a backward
    stack reading right to left that predicts t_{k-1}; the softmax layer is shared.
    ``forward(ids (B, T))`` returns (forward logits, backward logits) (B, T, V);
    ``layers(ids)`` returns (L+1, B, T, 2H): layer 0 is [x; x], layer j is [h_fwd; h_bwd] of
    LSTM layer j (each of the two stacks is ``num_layers`` deep, hidden size H = ``dim``).
    Introduced in 07_word_embeddings."""

    def __init__(self, vocab_size: int, dim: int = 32, num_layers: int = 2):
        super().__init__()
        V, self.dim = integer(vocab_size, "vocab_size", 1), integer(dim, "dim", 1)
        self.num_layers = integer(num_layers, "num_layers", 1)
        self.embed = nn.Embedding(V, self.dim)
        self.fwd = nn.ModuleList([nn.LSTM(self.dim, self.dim, batch_first=True) for _ in range(self.num_layers)])
        self.bwd = nn.ModuleList([nn.LSTM(self.dim, self.dim, batch_first=True) for _ in range(self.num_layers)])
        self.out = nn.Linear(self.dim, V)

    def _stacks(self, ids: torch.Tensor) -> tuple[torch.Tensor, list, list]:
        x = self.embed(ids)
        hf, hb, f, b = [], [], x, x.flip(1)           # the backward stack reads the reversed sentence
        for lf, lb in zip(self.fwd, self.bwd):
            f, b = lf(f)[0], lb(b)[0]
            hf.append(f)
            hb.append(b.flip(1))
        return x, hf, hb

    def forward(self, ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        _, hf, hb = self._stacks(ids)
        return self.out(hf[-1]), self.out(hb[-1])

    def layers(self, ids: torch.Tensor) -> torch.Tensor:
        x, hf, hb = self._stacks(ids)
        return torch.stack([torch.cat([x, x], -1)] + [torch.cat([f, b], -1) for f, b in zip(hf, hb)])


def train_bilm(encoded: Sequence[np.ndarray], vocab_size: int, dim: int = 32, num_layers: int = 2,
               epochs: int = 2, lr: float = 0.01, batch_size: int = 64, seed: int = 0) -> tuple[BiLM, list[float]]:
    """Train a :class:`BiLM` with Adam on both directions' next-word losses, in batches of
    sentences of one length. Returns (model in eval mode,
    mean loss per epoch, nats per predicted word, forward and backward averaged).
    Introduced in 07_word_embeddings."""
    epochs, batch_size = integer(epochs, "epochs", 1), integer(batch_size, "batch_size", 1)
    seed = integer(seed, "seed", 0)
    lr = positive(lr, "lr")
    sents = [np.asarray(s, dtype=np.int64) for s in encoded if len(s) >= 2]
    if not sents:
        raise ValueError("encoded has no sentence of two words or more; a language model needs some.")
    torch.manual_seed(seed)
    model = BiLM(vocab_size, dim, num_layers)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    rng, losses = np.random.default_rng(seed), []
    with single_thread(blas=True):
        for _ in range(epochs):
            losses.append(_bilm_epoch(model, opt, sents, rng, batch_size))
    return model.eval(), losses


def _bilm_epoch(model: BiLM, opt, sents: list, rng: np.random.Generator, batch_size: int) -> float:
    """One pass of :func:`train_bilm`: batches of sentences of equal length (so no padding
    ever enters the backward stack), in a random order; returns the mean loss."""
    by_length: dict[int, list[int]] = {}
    for i in rng.permutation(len(sents)):
        by_length.setdefault(len(sents[i]), []).append(int(i))
    batches = [ids[s:s + batch_size] for ids in by_length.values() for s in range(0, len(ids), batch_size)]
    total, count = 0.0, 0
    for b in rng.permutation(len(batches)):
        ids = torch.from_numpy(np.stack([sents[i] for i in batches[b]]))
        lf, lb = model(ids)
        # forward: position k predicts word k+1; backward: position k predicts word k-1
        V = lf.shape[-1]
        loss = (nn.functional.cross_entropy(lf[:, :-1].reshape(-1, V), ids[:, 1:].reshape(-1))
                + nn.functional.cross_entropy(lb[:, 1:].reshape(-1, V), ids[:, :-1].reshape(-1))) / 2
        opt.zero_grad()
        loss.backward()
        opt.step()
        total, count = total + float(loss.detach()) * len(ids), count + len(ids)
    return total / count


def token_layers(model: BiLM, encoded: Sequence[np.ndarray], word: int) -> tuple[np.ndarray, np.ndarray]:
    """The biLM's layers at the first occurrence of word index ``word`` in each sentence that
    has it: returns (layers float32 (L+1, N, 2H), sentence indices int64 (N,)). Sentences are
    run in batches of equal length. Introduced in 07_word_embeddings."""
    model = module(model, "model")
    word = integer(word, "word", 0)
    hits = [(n, int(np.flatnonzero(np.asarray(s) == word)[0])) for n, s in enumerate(encoded)
            if np.any(np.asarray(s) == word)]
    if not hits:
        raise ValueError(f"word index {word} occurs in no sentence of encoded.")
    by_length: dict[int, list[tuple[int, int]]] = {}
    for n, pos in hits:
        by_length.setdefault(len(encoded[n]), []).append((n, pos))
    out, order = [], []
    with torch.no_grad(), single_thread(blas=True):
        for group in by_length.values():
            ids = torch.from_numpy(np.stack([np.asarray(encoded[n], dtype=np.int64) for n, _ in group]))
            lay = model.layers(ids)                                   # (L+1, B, T, 2H)
            out.append(lay[:, torch.arange(len(group)), torch.tensor([p for _, p in group])])
            order += [n for n, _ in group]
    rows = np.argsort(order, kind="stable")
    return torch.cat(out, 1).numpy()[:, rows], np.asarray(order, dtype=np.int64)[rows]


def train_elmo_probe(layers, labels, test_fraction: float = 0.3, epochs: int = 200, lr: float = 0.05,
                     seed: int = 0) -> dict:
    """Learn ELMo's layer weights for a task: a linear classifier on gamma * sum_j softmax(s)_j
    h_j (:func:`~course_lib.embeddings_losses.elmo_combine`), trained with Adam jointly with s
    and gamma (full batch). ``layers``: (L+1, N, D) representations of N tokens; ``labels``:
    int (N,). Returns a dict: ``weights`` softmax(s) (L+1,), ``gamma``, ``s_logits``,
    ``train_accuracy``, ``test_accuracy`` (on the last ``test_fraction`` of a seeded shuffle).
    Introduced in 07_word_embeddings."""
    h = torch.as_tensor(real_array(layers, "layers", dtype=np.float32))
    if h.ndim != 3:
        raise ValueError(f"layers must have shape (L+1, N, D), got {tuple(h.shape)}.")
    y = torch.as_tensor(np.asarray(labels, dtype=np.int64))
    if y.shape != (h.shape[1],):
        raise ValueError(f"labels must have shape (N,) = ({h.shape[1]},), one per token, got {tuple(y.shape)}.")
    epochs, seed, lr = integer(epochs, "epochs", 1), integer(seed, "seed", 0), positive(lr, "lr")
    order = np.random.default_rng(seed).permutation(h.shape[1])
    n_test = int(round(h.shape[1] * float(test_fraction)))
    test, train = torch.from_numpy(order[:n_test]), torch.from_numpy(order[n_test:])
    torch.manual_seed(seed)
    s, gamma = nn.Parameter(torch.zeros(h.shape[0])), nn.Parameter(torch.ones(()))
    clf = nn.Linear(h.shape[2], int(y.max()) + 1)
    opt = torch.optim.Adam([s, gamma, *clf.parameters()], lr=lr)

    def predict(idx):
        return clf(gamma * torch.einsum("l,lnd->nd", torch.softmax(s, 0), h[:, idx]))

    with single_thread(blas=True):
        for _ in range(epochs):
            loss = nn.functional.cross_entropy(predict(train), y[train])
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            acc = {k: float((predict(i).argmax(1) == y[i]).float().mean())
                   for k, i in (("train", train), ("test", test))}
    return {"weights": torch.softmax(s, 0).detach().numpy(), "gamma": float(gamma.detach()),
            "s_logits": s.detach().numpy(), "train_accuracy": acc["train"], "test_accuracy": acc["test"]}

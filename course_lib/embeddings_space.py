"""Reading a learned embedding space (chapter 07): cosine similarity, nearest neighbours,
analogies a : b :: c : ? by b - a + c (the query words excluded, as the standard evaluation
does), analogy accuracy over a question set, overlap of two spaces' neighbourhoods, a 2-D
projection by PCA from scratch, and the state of the neighbour/analogy explorer widget.

``vectors`` is (V, d), one row per word of ``vocab`` (a :class:`~course_lib.embeddings_text.Vocab`).
Introduced in 07_word_embeddings.
"""
from __future__ import annotations

import re
from typing import Sequence

import numpy as np

from course_lib._checks import integer, ndim, real_array
from course_lib.embeddings_text import Vocab

__all__ = ["cosine_similarity", "nearest_neighbours", "analogy", "analogy_accuracy",
           "neighbour_overlap", "pca_2d", "explorer_state"]


def _space(vectors, vocab) -> np.ndarray:
    """Check (vectors, vocab) and return unit-length rows (a zero row stays zero)."""
    v = real_array(vectors, "vectors", dtype=np.float64)
    ndim(v, "vectors", 2, "(V, d)")
    if not isinstance(vocab, Vocab):
        raise TypeError(f"vocab must be a course_lib.embeddings.Vocab, got {type(vocab).__name__}.")
    if v.shape[0] != len(vocab):
        raise ValueError(f"vectors must have one row per vocabulary word, ({len(vocab)}, d), got {v.shape}.")
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.where(norms > 0, norms, 1.0)


def cosine_similarity(a, b) -> np.ndarray:
    """cos(a, b) = a . b / (|a| |b|) between the rows of ``a`` (N, d) (or one vector (d,)) and
    the rows of ``b`` (M, d) (or (d,)); returns (N, M), squeezed like the inputs. A zero
    vector has similarity 0 with everything. Introduced in 07_word_embeddings."""
    a, b = real_array(a, "a", dtype=np.float64), real_array(b, "b", dtype=np.float64)
    ndim(a, "a", (1, 2), "(d,) or (N, d)", "cosine_similarity")
    ndim(b, "b", (1, 2), "(d,) or (M, d)", "cosine_similarity")
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(f"a and b must have the same dimension d, got {a.shape[-1]} and {b.shape[-1]}.")
    A, Bm = np.atleast_2d(a), np.atleast_2d(b)
    na, nb = np.linalg.norm(A, axis=1, keepdims=True), np.linalg.norm(Bm, axis=1, keepdims=True)
    out = (A / np.where(na > 0, na, 1)) @ (Bm / np.where(nb > 0, nb, 1)).T
    if a.ndim == 1:
        return out[0, 0] if b.ndim == 1 else out[0]
    return out[:, 0] if b.ndim == 1 else out


def nearest_neighbours(vectors, vocab: Vocab, word: str, k: int = 5) -> list[tuple[str, float]]:
    """The ``k`` words most cosine-similar to ``word`` (itself excluded), best first, as
    (word, cosine) pairs. ValueError listing close words when ``word`` is unknown.
    Introduced in 07_word_embeddings."""
    U = _space(vectors, vocab)
    k = integer(k, "k", 1)
    i = vocab.index(word, "word")
    sims = U @ U[i]
    sims[i] = -np.inf
    order = np.argsort(-sims, kind="stable")[:min(k, len(vocab) - 1)]
    return [(vocab.words[j], float(sims[j])) for j in order]


def analogy(vectors, vocab: Vocab, a: str, b: str, c: str, k: int = 1,
            exclude: bool = True) -> list[tuple[str, float]]:
    """Solve "a is to b as c is to ?" (man : woman :: king : ?): the words whose vectors are
    most cosine-similar to b - a + c (king - man + woman), computed on unit-length vectors
    (3CosAdd, as word2vec and gensim do). With ``exclude`` the three query words cannot be
    the answer (the standard evaluation; without it the answer is often c itself). Returns
    ``k`` (word, cosine) pairs, best first. Introduced in 07_word_embeddings."""
    U = _space(vectors, vocab)
    k = integer(k, "k", 1)
    ia, ib, ic = vocab.index(a, "a"), vocab.index(b, "b"), vocab.index(c, "c")
    target = U[ib] - U[ia] + U[ic]
    sims = U @ (target / max(np.linalg.norm(target), 1e-12))
    if exclude:
        sims[[ia, ib, ic]] = -np.inf
    order = np.argsort(-sims, kind="stable")[:k]
    return [(vocab.words[j], float(sims[j])) for j in order]


def analogy_accuracy(vectors, vocab: Vocab, questions: Sequence[tuple[str, str, str, str]],
                     chunk: int = 2048) -> dict:
    """Fraction of analogy questions (a, b, c, d) answered d by :func:`analogy` (query words
    excluded), over the questions whose four words are all in ``vocab`` (the others are
    skipped, as gensim's ``evaluate_word_analogies`` does). Returns a dict: ``accuracy``
    (nan when no question is covered), ``correct``, ``total`` (covered questions),
    ``skipped``, ``predicted`` (the answer to each covered question) and ``covered`` (their
    indices in ``questions``). Vectorized, ``chunk`` questions at a time.
    Introduced in 07_word_embeddings."""
    U = _space(vectors, vocab)
    chunk = integer(chunk, "chunk", 1)
    if isinstance(questions, (str, bytes)) or not isinstance(questions, Sequence):
        raise TypeError(f"questions must be a list of (a, b, c, d) word tuples, got {type(questions).__name__}.")
    w2i = vocab.word_to_index
    covered, rows = [], []
    for n, q in enumerate(questions):
        if not (isinstance(q, (tuple, list)) and len(q) == 4):
            raise ValueError(f"questions[{n}] must be a tuple of 4 words (a, b, c, d), got {q!r}.")
        if all(w in w2i for w in q):
            covered.append(n)
            rows.append([w2i[w] for w in q])
    idx = np.array(rows, dtype=np.int64).reshape(-1, 4)
    predicted = np.empty(len(idx), dtype=np.int64)
    for s in range(0, len(idx), chunk):
        q = idx[s:s + chunk]
        target = U[q[:, 1]] - U[q[:, 0]] + U[q[:, 2]]
        sims = target @ U.T
        r = np.arange(len(q))[:, None]
        sims[r, q[:, :3]] = -np.inf
        predicted[s:s + chunk] = np.argmax(sims, axis=1)
    correct = int(np.sum(predicted == idx[:, 3]))
    total = len(idx)
    return {"accuracy": correct / total if total else float("nan"), "correct": correct,
            "total": total, "skipped": len(questions) - total,
            "predicted": [vocab.words[j] for j in predicted], "covered": covered}


def neighbour_overlap(vectors_a, vocab_a: Vocab, vectors_b, vocab_b: Vocab, words: Sequence[str],
                      k: int = 10) -> float:
    """Mean fraction of shared words between the ``k`` nearest neighbours of each of ``words``
    in two spaces (1: identical neighbourhoods, about k/V: unrelated). Words missing from
    either vocabulary raise ValueError. Introduced in 07_word_embeddings."""
    k = integer(k, "k", 1)
    if isinstance(words, str) or len(words) == 0:
        raise ValueError("words must be a non-empty list of words to compare neighbourhoods on.")
    shared = [len({w for w, _ in nearest_neighbours(vectors_a, vocab_a, q, k)}
                  & {w for w, _ in nearest_neighbours(vectors_b, vocab_b, q, k)}) / k for q in words]
    return float(np.mean(shared))


def pca_2d(X) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Principal component analysis (主成分分析) to 2-D from scratch: centre the rows of ``X``
    (N, d), take the two eigenvectors of the covariance matrix with the largest eigenvalues
    (``np.linalg.eigh``) and project. Each component's sign is fixed so that its largest
    entry (in absolute value) is positive. Returns (coords (N, 2), components (2, d),
    explained variance ratio (2,)). Introduced in 07_word_embeddings."""
    X = real_array(X, "X", dtype=np.float64)
    ndim(X, "X", 2, "(N, d)", "pca_2d")
    if X.shape[0] < 2 or X.shape[1] < 2:
        raise ValueError(f"X must have at least 2 rows and 2 columns to project to 2-D, got {X.shape}.")
    Xc = X - X.mean(axis=0)
    cov = Xc.T @ Xc / (X.shape[0] - 1)
    vals, vecs = np.linalg.eigh(cov)                  # ascending eigenvalues
    comps = vecs[:, ::-1][:, :2].T.copy()             # (2, d), largest first
    flip = np.sign(comps[np.arange(2), np.argmax(np.abs(comps), axis=1)])
    comps *= flip[:, None]
    total = vals.sum()
    ratio = vals[::-1][:2] / total if total > 0 else np.zeros(2)
    return Xc @ comps.T, comps, ratio


def _local_projection(U: np.ndarray, rows: list[int]) -> np.ndarray:
    """Every word (V, 2) on the two principal components of the ``rows`` words, centred on
    them and scaled so that they lie in [-1, 1]: a map of the neighbourhood being asked about."""
    if len(rows) < 2:
        return np.zeros((len(U), 2))
    mean = U[rows].mean(axis=0)
    _, comps, _ = pca_2d(U[rows])
    coords = (U - mean) @ comps.T
    scale = np.abs(coords[rows]).max()
    return coords / (scale if scale > 0 else 1.0)


_TOKEN = re.compile(r"[+-]|[^\s+-]+")


def explorer_state(vectors, vocab: Vocab, expression: str, k: int = 8) -> dict:
    """State of the neighbour/analogy explorer: ``expression`` is a word ("paris") or a sum
    of words ("king - man + woman"); the answer is the ``k`` words closest (cosine) to the
    sum of the unit vectors, the query words excluded. Never raises on a typed query: returns
    ``ok=False`` and a ``message`` (an unknown word with the closest known ones, an empty or
    malformed query). Keys: ok, message, terms [(sign, word)], results [(word, cosine)],
    highlight (query words then results), coords (V, 2): every word on the two principal
    components of the highlighted words, scaled so that those lie in [-1, 1] (only when ok).
    Introduced in 07_word_embeddings."""
    U = _space(vectors, vocab)
    k = integer(k, "k", 1)
    state = {"ok": False, "message": "", "terms": [], "results": [], "highlight": []}
    text = expression.strip().lower() if isinstance(expression, str) else ""
    if not text:
        state["message"] = "Type a word (paris) or an analogy (king - man + woman)."
        return state
    terms, sign, expect_word = [], 1.0, True
    for tok in _TOKEN.findall(text):
        if tok in "+-" and expect_word and not terms and sign == 1.0:
            sign = -1.0 if tok == "-" else 1.0        # a leading sign: "- man + woman"
        elif tok in "+-" and not expect_word:
            sign, expect_word = (-1.0 if tok == "-" else 1.0), True
        elif tok not in "+-" and expect_word:
            terms.append((sign, tok))
            sign, expect_word = 1.0, False
        else:
            terms = []
            break
    if not terms or expect_word:
        state["message"] = f"Could not read {expression!r}: use words joined by + and -, e.g. king - man + woman."
        return state
    unknown = [w for _, w in terms if w not in vocab]
    if unknown:
        try:
            vocab.index(unknown[0], "word")
        except ValueError as err:
            state["message"] = str(err)
        return state
    ids = [vocab.word_to_index[w] for _, w in terms]
    target = sum(s * U[i] for (s, _), i in zip(terms, ids))
    sims = U @ (target / max(float(np.linalg.norm(target)), 1e-12))
    sims[ids] = -np.inf
    order = np.argsort(-sims, kind="stable")[:min(k, len(vocab) - len(set(ids)))]
    results = [(vocab.words[j], float(sims[j])) for j in order]
    query = " ".join(("- " if s < 0 else ("+ " if n else "")) + w for n, (s, w) in enumerate(terms))
    highlight = list(dict.fromkeys([w for _, w in terms] + [w for w, _ in results]))
    state.update(ok=True, terms=terms, results=results, highlight=highlight,
                 coords=_local_projection(U, [vocab.word_to_index[w] for w in highlight]),
                 message=f"{query}  ->  {results[0][0]} (cosine {results[0][1]:.3f})" if results
                 else f"{query}: no other word in the vocabulary.")
    return state

"""From words to numbers (chapter 07): the vocabulary, one-hot vectors, the embedding matrix
lookup E . o_j = e_j, and the (context, target) examples a model learns embeddings from:
the last n words, a window on both sides, and skip-gram pairs.

The embedding matrix follows the notes: ``E`` has shape ``(d, V)``, one column per word, so
``E @ one_hot(j, V)`` is column j. ``torch.nn.Embedding`` stores the transpose, ``(V, d)``,
one row per word; the trainers of :mod:`course_lib.embeddings_train` use that layout.
Introduced in 07_word_embeddings.
"""
from __future__ import annotations

import difflib
from collections import Counter
from typing import Iterable, Sequence

import numpy as np

from course_lib._checks import integer, ndim, real_array

__all__ = ["Vocab", "build_vocab", "one_hot", "embedding_lookup", "last_n_contexts",
           "window_contexts", "skipgram_pairs", "skipgram_pair_array"]


def _sentences(sentences, name: str = "sentences") -> list[list[str]]:
    """A list of sentences, each a list of string tokens; a clear error otherwise."""
    if isinstance(sentences, str) or not isinstance(sentences, Sequence):
        raise TypeError(f"{name} must be a list of sentences, each a list of words (str), "
                        f"got {type(sentences).__name__}.")
    out = []
    for i, s in enumerate(sentences):
        if isinstance(s, str) or not isinstance(s, Sequence) or not all(isinstance(w, str) for w in s):
            raise TypeError(f"{name}[{i}] must be a list of words (str), got {s!r:.60}; split a "
                            f"text into words first, e.g. text.split().")
        out.append(list(s))
    return out


class Vocab:
    """Word <-> index, most frequent word first (ties in alphabetical order).

    ``words``: list of V words; ``counts``: int64 array (V,) of corpus counts; ``index(w)``
    the row of ``w``; ``encode(sentences)`` token lists -> index lists (words not in the
    vocabulary dropped, as word2vec does with rare words). An unknown word raises a
    ValueError that lists the closest known words. Introduced in 07_word_embeddings.
    """

    def __init__(self, words: Sequence[str], counts: Sequence[int]):
        self.words = list(words)
        self.counts = np.asarray(counts, dtype=np.int64)
        self.word_to_index = {w: i for i, w in enumerate(self.words)}

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.word_to_index

    def __repr__(self) -> str:
        head = ", ".join(self.words[:5])
        return f"Vocab({len(self)} words: {head}{', ...' if len(self) > 5 else ''})"

    def index(self, word: str, name: str = "word") -> int:
        """The index of ``word``; ValueError naming ``name`` and the closest known words."""
        if not isinstance(word, str):
            raise TypeError(f"{name} must be a word (str), got {word!r} ({type(word).__name__}).")
        if word not in self.word_to_index:
            close = difflib.get_close_matches(word, self.words, n=3, cutoff=0.6)
            hint = f" Closest known words: {', '.join(close)}." if close else ""
            raise ValueError(f"{name} {word!r} is not in the vocabulary ({len(self)} words).{hint}")
        return self.word_to_index[word]

    def encode(self, sentences: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """Token lists -> int64 index arrays, unknown words dropped."""
        w2i = self.word_to_index
        return [np.array([w2i[w] for w in s if w in w2i], dtype=np.int64) for s in _sentences(sentences)]


def build_vocab(sentences: Sequence[Sequence[str]], min_count: int = 1) -> Vocab:
    """The vocabulary of a corpus: every word seen at least ``min_count`` times, most frequent
    first (ties alphabetical, so the order is reproducible). ``sentences``: list of token
    lists. ValueError for an empty corpus or one with no word that frequent.
    Introduced in 07_word_embeddings."""
    sentences = _sentences(sentences)
    min_count = integer(min_count, "min_count", 1)
    counts = Counter(w for s in sentences for w in s)
    if not counts:
        raise ValueError("sentences is an empty corpus (no words at all); give at least one "
                         "sentence with words.")
    kept = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
    if not kept:
        raise ValueError(f"min_count={min_count} removes every word (the most frequent appears "
                         f"{max(counts.values())} times); lower min_count.")
    return Vocab(kept, [counts[w] for w in kept])


def one_hot(j: int, vocab_size: int) -> np.ndarray:
    """The one-hot vector o_j (独热向量): float64 (V,) with a 1 at index j, 0 elsewhere.
    Introduced in 07_word_embeddings."""
    vocab_size = integer(vocab_size, "vocab_size", 1)
    j = integer(j, "j", 0)
    if j >= vocab_size:
        raise ValueError(f"j must be a word index in 0..{vocab_size - 1}, got {j}.")
    o = np.zeros(vocab_size)
    o[j] = 1.0
    return o


def embedding_lookup(E, ids) -> np.ndarray:
    """Embeddings of the words ``ids`` from the matrix ``E`` (d, V), without the product:
    ``E @ one_hot(j)`` is column j, so the lookup is ``E[:, ids]``. ``ids``: an int -> (d,);
    a 1-D int array of B indices -> (d, B), one column per word. Equal to ``nn.Embedding``
    with weight ``E.T`` (transposed). Introduced in 07_word_embeddings."""
    E = real_array(E, "E")
    ndim(E, "E", 2, "(d, V)", "embedding_lookup")
    idx = np.asarray(ids)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"ids must be integer word indices, got dtype {idx.dtype}.")
    if idx.size and (idx.min() < 0 or idx.max() >= E.shape[1]):
        raise ValueError(f"ids must be word indices in 0..{E.shape[1] - 1} (E has V={E.shape[1]} "
                         f"columns), got values from {idx.min()} to {idx.max()}.")
    return E[:, idx]


def last_n_contexts(tokens: Sequence[str], n: int) -> list[tuple[tuple[str, ...], str]]:
    """(context, target) examples where the context is the ``n`` words before the target (a
    language model's view: "a glass of orange" -> "juice" for n = 4). Targets start at
    position n, so a sentence of L words gives L - n examples. Introduced in 07_word_embeddings."""
    tokens = _sentences([tokens], "tokens")[0]
    n = integer(n, "n", 1)
    return [(tuple(tokens[t - n:t]), tokens[t]) for t in range(n, len(tokens))]


def window_contexts(tokens: Sequence[str], window: int) -> list[tuple[tuple[str, ...], str]]:
    """(context, target) examples where the context is up to ``window`` words on each side of
    the target (fewer at the sentence's ends), left words first, in sentence order.
    Introduced in 07_word_embeddings."""
    tokens = _sentences([tokens], "tokens")[0]
    window = integer(window, "window", 1)
    out = []
    for t, w in enumerate(tokens):
        ctx = tokens[max(0, t - window):t] + tokens[t + 1:t + 1 + window]
        if ctx:
            out.append((tuple(ctx), w))
    return out


def skipgram_pairs(tokens: Sequence[str], window: int) -> list[tuple[str, str]]:
    """Skip-gram (跳字模型) training pairs of one sentence: for each position c (the context
    word of the notes, also called the centre word) every word t within ``window`` positions,
    as (c, t). Ordered by c, then by t's position. A sentence of L >= 2 words with
    L > window gives 2 * (window * L - window * (window + 1) / 2) pairs.
    Introduced in 07_word_embeddings."""
    tokens = _sentences([tokens], "tokens")[0]
    window = integer(window, "window", 1)
    return [(tokens[c], tokens[t]) for c in range(len(tokens))
            for t in range(max(0, c - window), min(len(tokens), c + window + 1)) if t != c]


def skipgram_pair_array(encoded: Iterable[np.ndarray], window: int) -> np.ndarray:
    """Every skip-gram pair of an encoded corpus at once: int64 (P, 2) of (centre, context)
    indices, the same multiset as :func:`skipgram_pairs` on each sentence (ordered by offset,
    not by position). ``encoded``: index arrays, e.g. ``vocab.encode(sentences)``.
    Introduced in 07_word_embeddings."""
    window = integer(window, "window", 1)
    chunks = []
    for s in encoded:
        s = np.asarray(s, dtype=np.int64)
        for d in range(1, min(window, len(s) - 1) + 1):
            chunks.append(np.stack([s[:-d], s[d:]], axis=1))
            chunks.append(np.stack([s[d:], s[:-d]], axis=1))
    if not chunks:
        raise ValueError("encoded has no sentence with two words or more, so there is no "
                         "skip-gram pair; give a larger corpus.")
    return np.concatenate(chunks)

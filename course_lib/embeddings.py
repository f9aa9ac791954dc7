"""Word embeddings (chapter 07): the chapter's namespace, so a notebook needs only
``from course_lib import embeddings``.

The rooms, each readable in one sitting:

- :mod:`course_lib.embeddings_text`: the vocabulary (:class:`Vocab`, :func:`build_vocab`),
  one-hot vectors and the lookup E . o_j = e_j, contexts (last n words, window) and
  skip-gram pairs;
- :mod:`course_lib.embeddings_losses`: skip-gram with a full softmax, negative sampling and
  its unigram^(3/4) sampler, the cost of an update, GloVe's co-occurrence counts, weighting
  and objective, ELMo's weighted sum of layers: forward and backward from scratch;
- :mod:`course_lib.embeddings_space`: cosine similarity, nearest neighbours, analogies
  (query words excluded), analogy accuracy, neighbour overlap, PCA to 2-D, the explorer's state;
- :mod:`course_lib.embeddings_train`: the trainers (skip-gram with negative sampling, GloVe,
  gensim's Word2Vec with the same settings, a small bidirectional LSTM language model);
- :mod:`course_lib.embeddings_corpus`: a generated corpus whose analogies are known by
  construction, and gensim's bundled Lee corpus with the standard analogy questions.

Bad input raises from :mod:`course_lib._checks`: TypeError for the wrong kind of value,
ValueError for a wrong value (an unknown word: a ValueError listing the closest known ones).
Introduced in 07_word_embeddings.
"""
from __future__ import annotations

from course_lib.embeddings_corpus import (
    ANALOGY_FAMILIES, AnalogyCorpus, LeeCorpus, analogy_corpus, lee_corpus, read_analogy_questions,
)
from course_lib.embeddings_losses import (
    cooccurrence_matrix, elmo_combine, glove_loss, glove_weight, negative_sampling_loss,
    sample_negatives, softmax_skipgram_loss, unigram_distribution, update_cost,
)
from course_lib.embeddings_space import (
    analogy, analogy_accuracy, cosine_similarity, explorer_state, nearest_neighbours,
    neighbour_overlap, pca_2d,
)
from course_lib.embeddings_text import (
    Vocab, build_vocab, embedding_lookup, last_n_contexts, one_hot, skipgram_pair_array,
    skipgram_pairs, window_contexts,
)
from course_lib.embeddings_train import (
    BiLM, SkipGramResult, skipgram_step, softmax_skipgram_step, token_layers, train_bilm, train_elmo_probe,
    train_gensim_word2vec, train_glove, train_skipgram,
)

__all__ = [
    "Vocab", "build_vocab", "one_hot", "embedding_lookup", "last_n_contexts", "window_contexts",
    "skipgram_pairs", "skipgram_pair_array",
    "softmax_skipgram_loss", "unigram_distribution", "sample_negatives", "negative_sampling_loss",
    "update_cost", "cooccurrence_matrix", "glove_weight", "glove_loss", "elmo_combine",
    "cosine_similarity", "nearest_neighbours", "analogy", "analogy_accuracy", "neighbour_overlap",
    "pca_2d", "explorer_state",
    "SkipGramResult", "skipgram_step", "softmax_skipgram_step", "train_skipgram", "train_glove",
    "train_gensim_word2vec",
    "BiLM", "train_bilm", "token_layers", "train_elmo_probe",
    "ANALOGY_FAMILIES", "AnalogyCorpus", "analogy_corpus", "LeeCorpus", "lee_corpus",
    "read_analogy_questions",
]

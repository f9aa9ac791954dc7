"""Chapter 07 (word embeddings): every from-scratch piece against torch autograd (float64,
tol 1e-10), gensim (the reference users pick) or an exact hand-worked value."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn as nn

from course_lib import embeddings as emb

TOL = 1e-10
SENTENCE = "i want a glass of orange juice to go along with my cereal".split()


def _t(a):
    return torch.tensor(a, dtype=torch.float64, requires_grad=True)


# --- one-hot and lookup ------------------------------------------------------------------
def test_one_hot_times_E_is_the_column_and_equals_nn_embedding():
    rng = np.random.default_rng(0)
    E = rng.normal(size=(4, 10))                       # (d, V) as in the notes
    for j in (0, 3, 9):
        o = emb.one_hot(j, 10)
        assert o.sum() == 1 and o[j] == 1
        np.testing.assert_array_equal(E @ o, E[:, j])
        np.testing.assert_array_equal(emb.embedding_lookup(E, j), E[:, j])
    layer = nn.Embedding.from_pretrained(torch.tensor(E.T))
    ids = np.array([1, 7, 7, 0])
    np.testing.assert_array_equal(emb.embedding_lookup(E, ids).T, layer(torch.tensor(ids)).numpy())


def test_vocab_is_frequency_ordered_and_unknown_words_list_close_ones():
    v = emb.build_vocab([["b", "a", "b"], ["c", "a", "b"]])
    assert v.words == ["b", "a", "c"] and list(v.counts) == [3, 2, 1]
    assert [list(x) for x in v.encode([["a", "zzz", "c"]])] == [[1, 2]]
    with pytest.raises(ValueError, match=r"'paris'.*Closest known words: pariss"):
        emb.build_vocab([["pariss", "rome"]]).index("paris")
    assert emb.build_vocab([["x", "x", "y"]], min_count=2).words == ["x"]
    with pytest.raises(ValueError, match="empty corpus"):
        emb.build_vocab([[], []])
    with pytest.raises(TypeError, match="split"):
        emb.build_vocab(["a sentence as one string"])


# --- contexts, hand-worked on the notes' sentence -----------------------------------------
def test_last_n_and_window_contexts_on_the_notes_sentence():
    last4 = dict((t, c) for c, t in emb.last_n_contexts(SENTENCE, 4))
    assert last4["juice"] == ("a", "glass", "of", "orange")
    assert len(emb.last_n_contexts(SENTENCE, 4)) == len(SENTENCE) - 4
    win = dict((t, c) for c, t in emb.window_contexts(SENTENCE, 2))
    assert win["juice"] == ("of", "orange", "to", "go")
    assert win["i"] == ("want", "a")                  # fewer words at the sentence's start


def test_skipgram_pairs_hand_worked_and_counted():
    pairs = emb.skipgram_pairs(SENTENCE, 2)
    assert [t for c, t in pairs if c == "orange"] == ["glass", "of", "juice", "to"]
    assert [t for c, t in pairs if c == "i"] == ["want", "a"]
    L = len(SENTENCE)
    for w in (1, 2, 3, 5):
        assert len(emb.skipgram_pairs(SENTENCE, w)) == 2 * (w * L - w * (w + 1) // 2)


def test_skipgram_pair_array_is_the_same_multiset_as_the_loop():
    corpus = emb.analogy_corpus(200, seed=3)
    vocab = emb.build_vocab(corpus.sentences)
    enc = vocab.encode(corpus.sentences)
    for window in (1, 3, 8):
        fast = sorted(map(tuple, emb.skipgram_pair_array(enc, window).tolist()))
        slow = sorted((vocab.index(c), vocab.index(t)) for s in corpus.sentences
                      for c, t in emb.skipgram_pairs(s, window))
        assert fast == slow


# --- skip-gram losses vs autograd ---------------------------------------------------------
def _batch(V=12, d=5, B=7, K=4, seed=0):
    rng = np.random.default_rng(seed)
    E, Th = rng.normal(size=(V, d)), rng.normal(size=(V, d))
    c = rng.integers(0, V, B)
    c[1] = c[0]                                        # a repeated centre word accumulates
    return E, Th, c, rng.integers(0, V, B), rng.integers(0, V, (B, K))


def test_softmax_skipgram_loss_and_gradients_equal_autograd():
    E, Th, c, t, _ = _batch()
    loss, dE, dTh = emb.softmax_skipgram_loss(E, Th, c, t)
    Et, Tt = _t(E), _t(Th)
    ref = nn.functional.cross_entropy(Et[torch.tensor(c)] @ Tt.T, torch.tensor(t))
    ref.backward()
    assert abs(loss - ref.item()) < TOL
    np.testing.assert_allclose(dE, Et.grad.numpy(), atol=TOL)
    np.testing.assert_allclose(dTh, Tt.grad.numpy(), atol=TOL)


def test_negative_sampling_loss_and_gradients_equal_autograd():
    E, Th, c, t, neg = _batch()
    neg[0, :2] = t[0]                                  # duplicates between target and negatives
    loss, dE, dTh = emb.negative_sampling_loss(E, Th, c, t, neg)
    Et, Tt = _t(E), _t(Th)
    e = Et[torch.tensor(c)]
    pos = (Tt[torch.tensor(t)] * e).sum(1)
    negs = torch.einsum("bkd,bd->bk", Tt[torch.tensor(neg)], e)
    ref = (-nn.functional.logsigmoid(pos) - nn.functional.logsigmoid(-negs).sum(1)).mean()
    ref.backward()
    assert abs(loss - ref.item()) < TOL
    np.testing.assert_allclose(dE, Et.grad.numpy(), atol=TOL)
    np.testing.assert_allclose(dTh, Tt.grad.numpy(), atol=TOL)


def test_skipgram_step_is_sgd_on_each_pairs_negative_sampling_gradient():
    E, Th, c, t, neg = _batch(B=6)
    _, dE, dTh = emb.negative_sampling_loss(E, Th, c, t, neg)
    lr, B = 0.1, len(c)
    Et, Tt = torch.tensor(E), torch.tensor(Th)
    loss = emb.skipgram_step(Et, Tt, torch.tensor(c), torch.tensor(t), torch.tensor(neg), lr)
    assert abs(loss - emb.negative_sampling_loss(E, Th, c, t, neg)[0]) < TOL
    # the loss is a mean over B pairs, the step applies each pair's own gradient: lr * B * mean
    np.testing.assert_allclose(Et.numpy(), E - lr * B * dE, atol=TOL)
    np.testing.assert_allclose(Tt.numpy(), Th - lr * B * dTh, atol=TOL)


def test_softmax_skipgram_step_is_sgd_on_each_pairs_softmax_gradient():
    E, Th, c, t, _ = _batch(B=5)
    _, dE, dTh = emb.softmax_skipgram_loss(E, Th, c, t)
    Et, Tt = torch.tensor(E), torch.tensor(Th)
    loss = emb.softmax_skipgram_step(Et, Tt, torch.tensor(c), torch.tensor(t), 0.2)
    assert abs(loss - emb.softmax_skipgram_loss(E, Th, c, t)[0]) < TOL
    np.testing.assert_allclose(Et.numpy(), E - 0.2 * 5 * dE, atol=TOL)
    np.testing.assert_allclose(Tt.numpy(), Th - 0.2 * 5 * dTh, atol=TOL)


def test_unigram_distribution_and_sampler_match_their_target():
    counts = np.array([1000, 100, 10, 1, 0])
    p = emb.unigram_distribution(counts)
    np.testing.assert_allclose(p[:4], counts[:4] ** 0.75 / np.sum(counts[:4] ** 0.75), rtol=1e-12)
    assert p[4] == 0
    np.testing.assert_allclose(emb.unigram_distribution(counts, power=1.0)[:4], counts[:4] / 1111)
    np.testing.assert_allclose(emb.unigram_distribution(counts, power=0.0), [0.25] * 4 + [0])
    samples = emb.sample_negatives(p, (200_000,), np.random.default_rng(0))
    freq = np.bincount(samples, minlength=5) / samples.size
    assert freq[4] == 0
    assert 0.5 * np.abs(freq - p).sum() < 0.005       # total variation; sampling noise ~0.001
    # a wrong sampler (power 1) would be far off: the check can fail
    assert 0.5 * np.abs(freq - emb.unigram_distribution(counts, 1.0)).sum() > 0.05


def test_update_cost_ratio_is_vocabulary_over_k_plus_one():
    assert emb.update_cost(10_000, 300) == 3 * 10_000 * 300
    assert emb.update_cost(10_000, 300, negatives=5) == 3 * 6 * 300
    assert emb.update_cost(10_000, 300) / emb.update_cost(10_000, 300, negatives=4) == 2000


# --- GloVe --------------------------------------------------------------------------------
def test_cooccurrence_counts_with_distance_weighting_hand_worked():
    X = emb.cooccurrence_matrix([np.array([0, 1, 2, 0])], 3, window=2)
    expected = np.array([[0, 1 + 0.5, 0.5 + 1], [1.5, 0, 1], [1.5, 1, 0]])
    np.testing.assert_allclose(X, expected)
    X1 = emb.cooccurrence_matrix([np.array([0, 1, 2, 0])], 3, window=2, distance_weighting=False)
    np.testing.assert_allclose(X1, [[0, 2, 2], [2, 0, 1], [2, 1, 0]])


def test_glove_weight_values():
    f = emb.glove_weight(np.array([0.0, 1.0, 50.0, 100.0, 1e4]))
    np.testing.assert_allclose(f, [0.0, 0.01 ** 0.75, 0.5 ** 0.75, 1.0, 1.0], rtol=1e-12)


def test_glove_loss_and_gradients_equal_autograd():
    rng = np.random.default_rng(1)
    V, d = 9, 4
    X = rng.poisson(3.0, size=(V, V)).astype(float) * (rng.random((V, V)) < 0.6)
    X[0, 0] = 250.0                                    # above x_max: weight 1
    W, Wt, b, bt = rng.normal(size=(V, d)), rng.normal(size=(V, d)), rng.normal(size=V), rng.normal(size=V)
    J, dW, dWt, db, dbt = emb.glove_loss(W, Wt, b, bt, X)
    tW, tWt, tb, tbt = _t(W), _t(Wt), _t(b), _t(bt)
    Xt = torch.tensor(X)
    seen = Xt > 0
    f = torch.clamp(Xt / 100.0, max=1.0) ** 0.75
    diff = tW @ tWt.T + tb[:, None] + tbt[None, :] - torch.log(torch.where(seen, Xt, torch.ones_like(Xt)))
    ref = (f * diff ** 2)[seen].sum()
    ref.backward()
    assert abs(J - ref.item()) < 1e-9
    for mine, theirs in ((dW, tW), (dWt, tWt), (db, tb), (dbt, tbt)):
        np.testing.assert_allclose(mine, theirs.grad.numpy(), atol=1e-9)


def test_train_glove_lowers_its_loss():
    corpus = emb.analogy_corpus(500, seed=1)
    vocab = emb.build_vocab(corpus.sentences)
    X = emb.cooccurrence_matrix(vocab.encode(corpus.sentences), len(vocab), 3)
    vectors, losses = emb.train_glove(X, dim=10, epochs=40)
    assert vectors.shape == (len(vocab), 10)
    assert losses[-1] < 0.5 * losses[0]


# --- reading the space --------------------------------------------------------------------
def _toy_space():
    """Vectors with an exact analogy structure: concept + role (+ a tiny offset)."""
    words = ["france", "paris", "italy", "rome", "spain", "madrid", "french"]
    concept = {"france": 0, "paris": 0, "italy": 1, "rome": 1, "spain": 2, "madrid": 2, "french": 0}
    V = np.zeros((7, 5))
    for i, w in enumerate(words):
        V[i, concept[w]] = 1.0
        V[i, 3] = 1.0 if w in ("paris", "rome", "madrid") else 0.0
        V[i, 4] = 0.1 * (w == "french")
    return V, emb.Vocab(words, [1] * 7)


def test_analogy_excludes_the_query_words_and_finds_the_constructed_answer():
    V, vocab = _toy_space()
    assert emb.analogy(V, vocab, "france", "paris", "italy")[0][0] == "rome"
    assert emb.analogy(V, vocab, "paris", "france", "madrid")[0][0] == "spain"
    # without the exclusion the nearest vector to paris - france + italy is ... rome here, but
    # for a : b :: a : ? the answer b itself wins, which the exclusion prevents
    assert emb.analogy(V, vocab, "france", "paris", "france", exclude=False)[0][0] == "paris"
    acc = emb.analogy_accuracy(V, vocab, [("france", "paris", "italy", "rome"),
                                          ("italy", "rome", "spain", "madrid"),
                                          ("france", "paris", "italy", "french"),   # wrong on purpose
                                          ("france", "paris", "peru", "lima")])    # not covered
    assert (acc["correct"], acc["total"], acc["skipped"]) == (2, 3, 1)
    assert acc["predicted"] == ["rome", "madrid", "rome"]


def test_cosine_similarity_and_neighbours():
    a, b = np.array([1.0, 0.0]), np.array([[1.0, 1.0], [0.0, 2.0], [0.0, 0.0]])
    np.testing.assert_allclose(emb.cosine_similarity(a, b), [2 ** -0.5, 0.0, 0.0])
    V, vocab = _toy_space()
    nn_ = emb.nearest_neighbours(V, vocab, "france", k=2)
    assert nn_[0][0] == "french" and nn_[0][1] == pytest.approx(1 / np.sqrt(1.01))


@pytest.fixture(scope="module")
def lee_small():
    lee = emb.lee_corpus()
    vectors, vocab, _ = emb.train_gensim_word2vec(lee.sentences[:120], dim=20, window=3, epochs=2, min_count=3)
    return lee, vectors, vocab


def test_analogy_accuracy_and_neighbours_equal_gensims_own_evaluation(lee_small):
    from gensim.models import KeyedVectors
    from gensim.test.utils import datapath

    lee, vectors, vocab = lee_small
    kv = KeyedVectors(vectors.shape[1])
    kv.add_vectors(vocab.words, vectors)
    score, sections = kv.evaluate_word_analogies(datapath("questions-words.txt"))
    ours = emb.analogy_accuracy(vectors, vocab, lee.questions)
    assert ours["total"] == len(sections[-1]["correct"]) + len(sections[-1]["incorrect"]) > 20
    assert ours["correct"] == len(sections[-1]["correct"])
    for w in vocab.words[:30]:
        assert [x for x, _ in emb.nearest_neighbours(vectors, vocab, w, 5)] == \
               [x for x, _ in kv.most_similar(w, topn=5)]
    assert emb.neighbour_overlap(vectors, vocab, vectors, vocab, vocab.words[:10]) == 1.0


def test_gensim_wrapper_is_deterministic_and_aligned_with_the_vocab(lee_small):
    lee, vectors, vocab = lee_small
    again, vocab2, _ = emb.train_gensim_word2vec(lee.sentences[:120], dim=20, window=3, epochs=2, min_count=3)
    assert vocab2.words == vocab.words
    np.testing.assert_array_equal(again, vectors)


def test_pca_2d_matches_svd_and_fixes_signs():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(40, 6)) @ rng.normal(size=(6, 6))
    coords, comps, ratio = emb.pca_2d(X)
    Xc = X - X.mean(0)
    _, S, Vt = np.linalg.svd(Xc, full_matrices=False)
    for k in range(2):
        sign = np.sign(Vt[k][np.argmax(np.abs(Vt[k]))])
        np.testing.assert_allclose(comps[k], sign * Vt[k], atol=1e-10)
        np.testing.assert_allclose(coords[:, k], Xc @ (sign * Vt[k]), atol=1e-10)
    np.testing.assert_allclose(ratio, S[:2] ** 2 / np.sum(S ** 2), atol=1e-12)
    assert all(c[np.argmax(np.abs(c))] > 0 for c in comps)


def test_explorer_state_answers_or_explains():
    V, vocab = _toy_space()
    s = emb.explorer_state(V, vocab, "paris - france + italy", k=3)
    assert s["ok"] and s["results"][0][0] == "rome"
    assert s["terms"] == [(1.0, "paris"), (-1.0, "france"), (1.0, "italy")]
    assert s["highlight"][:4] == ["paris", "france", "italy", "rome"]
    one = emb.explorer_state(V, vocab, "france")
    assert one["ok"] and one["results"][0][0] == "french" and "france" not in [w for w, _ in one["results"]]
    bad = emb.explorer_state(V, vocab, "paris - frnace")
    assert not bad["ok"] and "frnace" in bad["message"] and "france" in bad["message"]
    assert not emb.explorer_state(V, vocab, "   ")["ok"]
    assert not emb.explorer_state(V, vocab, "paris -")["ok"]


# --- corpora and training -----------------------------------------------------------------
def test_analogy_corpus_is_seeded_and_its_questions_are_all_in_the_vocabulary():
    a, b = emb.analogy_corpus(500, seed=4), emb.analogy_corpus(500, seed=4)
    assert a.sentences == b.sentences and a.sentences != emb.analogy_corpus(500, seed=5).sentences
    assert len(a.questions) == 396 == len(a.family)
    vocab = emb.build_vocab(emb.analogy_corpus().sentences)
    assert all(w in vocab for q in a.questions for w in q)
    clean = emb.analogy_corpus(300, noise=0.0, seed=0)
    pairs = {p[0]: p for _, _, ps, _ in emb.ANALOGY_FAMILIES.values() for p in ps}
    pairs.update({p[1]: p for _, _, ps, _ in emb.ANALOGY_FAMILIES.values() for p in ps})
    for s in clean.sentences:                          # without noise, the concept word matches
        words = [w for w in s if w in pairs]
        assert len(words) == 1 and any(c in s for c in pairs[words[0]][2]), s


def test_lee_corpus_is_read_offline_from_gensims_wheel():
    lee = emb.lee_corpus()
    assert len(lee.sentences) == 300 and sum(map(len, lee.sentences)) == 58152
    assert len(lee.questions) == 19544 and lee.questions[0] == ("athens", "greece", "baghdad", "iraq")
    assert lee.sections[0] == "capital-common-countries" and len(lee.similarity) == 353


def test_train_skipgram_learns_the_constructed_analogies():
    corpus = emb.analogy_corpus(seed=0)
    vocab = emb.build_vocab(corpus.sentences)
    result = emb.train_skipgram(vocab.encode(corpus.sentences), vocab, epochs=6,
                                questions=corpus.questions)
    assert result.losses[-1] < result.losses[0]
    assert result.accuracy[-1] >= 0.9, result.accuracy
    assert result.accuracy[0] < 0.5                    # it is learned, not given by construction


def test_bilm_directions_see_only_their_side_and_layer_zero_is_context_free():
    torch.manual_seed(0)
    model = emb.BiLM(20, dim=8, num_layers=2).eval()
    a = torch.tensor([[1, 2, 3, 4, 5, 6]])
    b = a.clone()
    b[0, 4:] = torch.tensor([9, 9])                    # change the words after position 3
    with torch.no_grad():
        la, lb = model.layers(a), model.layers(b)
    assert la.shape == (3, 1, 6, 16)
    H = 8
    torch.testing.assert_close(la[1:, :, :4, :H], lb[1:, :, :4, :H])   # forward: positions 0..3 unchanged
    assert not torch.allclose(la[1:, :, :4, H:], lb[1:, :, :4, H:])    # backward sees the change
    torch.testing.assert_close(la[0, :, :4], lb[0, :, :4])              # layer 0: no context at all
    c = torch.tensor([[7, 3, 8, 8, 8, 8]])
    with torch.no_grad():
        lc = model.layers(c)
    torch.testing.assert_close(la[0, 0, 2], lc[0, 0, 1])                # word 3 in two contexts: same x
    assert not torch.allclose(la[1, 0, 2], lc[1, 0, 1])                 # ... different LSTM state


def test_elmo_combine_hand_worked():
    h = np.stack([np.full((2, 3), 1.0), np.full((2, 3), 2.0), np.full((2, 3), 4.0)])
    out = emb.elmo_combine(h, np.log([1.0, 1.0, 2.0]), gamma=2.0)
    np.testing.assert_allclose(out, np.full((2, 3), 2.0 * (0.25 * 1 + 0.25 * 2 + 0.5 * 4)))


def test_bad_input_is_refused_with_the_argument_named():
    V, vocab = _toy_space()
    with pytest.raises(ValueError, match="window"):
        emb.skipgram_pairs(SENTENCE, 0)
    with pytest.raises(ValueError, match="vectors"):
        emb.nearest_neighbours(np.full((7, 5), np.nan), vocab, "paris")
    with pytest.raises(ValueError, match="word 'pariss'.*paris"):
        emb.nearest_neighbours(V, vocab, "pariss")
    with pytest.raises(ValueError, match="empty corpus"):
        emb.build_vocab([])


# --- the notebook's visible checks catch the common wrong answers ---------------------------
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "07_word_embeddings.ipynb"


@pytest.fixture(scope="module")
def notebook_namespace():
    """What the exercises' test cells use from the notebook, built cheaply: the corpus and its
    vocabulary, and (instead of 10 epochs of training) vectors with the constructed analogy
    structure, concept + role + noise."""
    from types import SimpleNamespace

    import nbformat

    from course_lib import grading

    nb = nbformat.read(NOTEBOOK, as_version=4)
    cells = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
             if c.cell_type == "code" and "grade_id" in c.metadata.get("nbgrader", {})}
    corpus = emb.analogy_corpus()
    vocab = emb.build_vocab(corpus.sentences)
    rng = np.random.default_rng(0)
    vectors = 0.1 * rng.normal(size=(len(vocab), 20))
    for k, (_, _, pairs, _) in enumerate(emb.ANALOGY_FAMILIES.values()):
        role = rng.normal(size=(2, 20))
        for p in pairs:
            concept = rng.normal(size=20)
            for r in (0, 1):
                vectors[vocab.index(p[r])] += concept + role[r]
    E_rows, Theta = rng.normal(size=(12, 5)), rng.normal(size=(12, 5))
    ns = {"np": np, "torch": torch, "nn": nn, "emb": emb, "grading": grading, "vocab": vocab, "corpus": corpus,
          "sentence": SENTENCE, "E": rng.normal(size=(4, 13)), "V": 13, "E_rows": E_rows, "Theta": Theta,
          "centers": np.array([3, 3, 7, 0]), "targets": np.array([1, 5, 5, 11]),
          "negatives": np.array([[2, 9, 9], [0, 4, 1], [6, 1, 3], [11, 8, 7]]),
          "X": emb.cooccurrence_matrix(vocab.encode(corpus.sentences[:500]), len(vocab), 4),
          "sg": SimpleNamespace(vectors=vectors), "glove_vectors": vectors}
    return cells, ns


def _run_visible(notebook_namespace, grade_id, edits):
    cells, base = notebook_namespace
    answer = cells[grade_id]
    for old, new in edits:
        assert answer.count(old) == 1, (grade_id, old)
        answer = answer.replace(old, new)
    visible = cells[grade_id + "_test"].split("### BEGIN HIDDEN TESTS")[0]
    visible = visible.replace("grading = importlib.reload(grading)", "")   # one CheckFailed class
    ns = dict(base)
    exec(compile(answer, f"<{grade_id}>", "exec"), ns)
    exec(compile(visible, f"<{grade_id}_test>", "exec"), ns)


GRADE_IDS = ["07_lookup", "07_skipgram_pairs", "07_sampling_distribution", "07_ns_loss", "07_glove_weight",
             "07_analogy"]
WRONG = [
    ("07_lookup", "rows instead of columns", [("E[:, ids]", "E[ids]")]),
    ("07_lookup", "transposed", [("E[:, ids]", "E[:, ids].T")]),
    ("07_skipgram_pairs", "window one short", [("c + window + 1", "c + window")]),
    ("07_skipgram_pairs", "centre paired with itself", [("if t != c:", "if True:")]),
    ("07_skipgram_pairs", "negative start wraps around", [("max(0, c - window)", "c - window")]),
    ("07_sampling_distribution", "raw frequencies (power 1)", [("counts ** power", "counts")]),
    ("07_sampling_distribution", "not normalised", [("return weights / weights.sum()", "return weights")]),
    ("07_sampling_distribution", "normalised before the power",
     [("np.where(counts > 0, counts ** power, 0.0)", "np.where(counts > 0, (counts / counts.sum()) ** power, 0.0)"),
      ("return weights / weights.sum()", "return weights")]),
    ("07_ns_loss", "gradient assigned, not accumulated",
     [('np.add.at(dE, centers, np.einsum("bk,bkd->bd", g, th))', 'dE[centers] = np.einsum("bk,bkd->bd", g, th)')]),
    ("07_ns_loss", "sum instead of mean", [("g = (sig - labels) / B", "g = sig - labels"),
                                           (".sum(axis=1)).mean()", ".sum(axis=1)).sum()")]),
    ("07_ns_loss", "negatives pulled closer", [("np.log(1.0 - sig[:, 1:])", "np.log(sig[:, 1:])")]),
    ("07_glove_weight", "no cap at x_max", [("np.where(x < x_max, (x / x_max) ** alpha, 1.0)", "(x / x_max) ** alpha")]),
    ("07_glove_weight", "x ** alpha / x_max", [("(x / x_max) ** alpha", "x ** alpha / x_max")]),
    ("07_analogy", "query words not excluded", [("scores[index[w]] = -np.inf", "pass")]),
    ("07_analogy", "query vectors not normalised",
     [("target = U[index[b]] - U[index[a]] + U[index[c]]",
       "target = vectors[index[b]] - vectors[index[a]] + vectors[index[c]]")]),
    ("07_analogy", "a - b + c", [("U[index[b]] - U[index[a]]", "U[index[a]] - U[index[b]]")]),
]


@pytest.mark.parametrize("grade_id", GRADE_IDS)
def test_reference_answers_pass_the_visible_checks(notebook_namespace, grade_id):
    _run_visible(notebook_namespace, grade_id, [])


@pytest.mark.parametrize("grade_id, what, edits", WRONG, ids=[f"{g}: {w}" for g, w, _ in WRONG])
def test_common_wrong_answers_fail_the_visible_checks(notebook_namespace, grade_id, what, edits):
    from course_lib import grading

    with pytest.raises(grading.CheckFailed):
        _run_visible(notebook_namespace, grade_id, edits)


def test_unfinished_exercises_fail_their_visible_checks(notebook_namespace):
    from course_lib import grading

    cells, _ = notebook_namespace
    for gid in GRADE_IDS:
        body = cells[gid].split("### BEGIN SOLUTION")[0] + "    raise NotImplementedError()\n"
        with pytest.raises(grading.CheckFailed, match="not implemented"):
            _run_visible((dict(cells, **{gid: body}), notebook_namespace[1]), gid, [])

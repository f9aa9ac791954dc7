"""Chapter 06 (sequences): the from-scratch RNN, BPTT, clipping, LSTM/GRU and their variants
against torch in float64 (tolerance 1e-10 unless stated), the memory task and the character
language model (seeded, small budgets), and the widgets' state functions."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn as nn

from course_lib import char_lm, data, gates, memory_task, sequences

TOL = 1e-10
rng = np.random.default_rng(0)


def _seq(N=3, T=5, D=4, H=6, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(N, T, D, dtype=torch.float64, generator=g)
    return x, torch.randn(N, H, dtype=torch.float64, generator=g), torch.randn(N, H, dtype=torch.float64, generator=g)


@pytest.mark.parametrize("N,T,D,H", [(1, 1, 1, 1), (3, 5, 4, 6), (2, 9, 3, 7)])
def test_rnn_forward_equals_torch(N, T, D, H):
    torch.manual_seed(N * T)
    x, h0, _ = _seq(N, T, D, H)
    rnn = nn.RNN(D, H, batch_first=True).double()
    ref, _ = rnn(x, h0[None])
    h, caches = sequences.rnn_forward(x.numpy(), h0.numpy(), *sequences.rnn_weights_from_torch(rnn))
    assert h.shape == (N, T, H) and len(caches) == T
    np.testing.assert_allclose(h, ref.detach().numpy(), atol=TOL, rtol=0)
    cell = nn.RNNCell(D, H).double()
    h1, _ = sequences.rnn_step_forward(x[:, 0].numpy(), h0.numpy(), *sequences.rnn_weights_from_torch(cell))
    np.testing.assert_allclose(h1, cell(x[:, 0], h0).detach().numpy(), atol=TOL, rtol=0)


def test_rnn_step_on_a_hand_worked_case():
    # h = tanh(1*0.5 + 0*2 + 0.25) = tanh(0.75)
    h, _ = sequences.rnn_step_forward(np.array([[1.0]]), np.array([[0.0]]), np.array([[0.5]]),
                                      np.array([[2.0]]), np.array([0.25]))
    assert h[0, 0] == pytest.approx(np.tanh(0.75), abs=1e-15)


@pytest.mark.parametrize("N,T,D,H", [(2, 1, 3, 4), (3, 6, 4, 5)])
def test_bptt_equals_autograd(N, T, D, H):
    torch.manual_seed(1)
    x, h0, _ = _seq(N, T, D, H, seed=2)
    rnn = nn.RNN(D, H, batch_first=True).double()
    xr, h0r = x.clone().requires_grad_(), h0.clone().requires_grad_()
    out, _ = rnn(xr, h0r[None])
    dout = torch.randn_like(out)
    out.backward(dout)
    _, caches = sequences.rnn_forward(x.numpy(), h0.numpy(), *sequences.rnn_weights_from_torch(rnn))
    dx, dh0, dWx, dWh, db = sequences.rnn_backward(dout.numpy(), caches)
    np.testing.assert_allclose(dx, xr.grad.numpy(), atol=TOL, rtol=0)
    np.testing.assert_allclose(dh0, h0r.grad.numpy(), atol=TOL, rtol=0)
    np.testing.assert_allclose(dWx, rnn.weight_ih_l0.grad.numpy().T, atol=TOL, rtol=0)
    np.testing.assert_allclose(dWh, rnn.weight_hh_l0.grad.numpy().T, atol=TOL, rtol=0)
    np.testing.assert_allclose(db, rnn.bias_ih_l0.grad.numpy(), atol=TOL, rtol=0)


def test_step_backward_matches_numerical_gradient():
    x, h, Wx, Wh, b = (rng.standard_normal(s) for s in [(2, 3), (2, 4), (3, 4), (4, 4), (4,)])
    dnext = rng.standard_normal((2, 4))
    _, cache = sequences.rnn_step_forward(x, h, Wx, Wh, b)
    grads = sequences.rnn_step_backward(dnext, cache)
    for k, arr in enumerate([x, h, Wx, Wh, b]):
        def f(a, k=k):
            args = [x, h, Wx, Wh, b]
            args[k] = a
            return float((sequences.rnn_step_forward(*args)[0] * dnext).sum())
        num = sequences.numerical_gradient(f, arr.copy())
        np.testing.assert_allclose(grads[k], num, atol=1e-8, rtol=1e-6)


def test_numerical_gradient_of_a_known_function():
    x = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(sequences.numerical_gradient(lambda a: float((a ** 3).sum()), x),
                               3 * x ** 2, atol=1e-8)
    assert np.array_equal(x, [1.0, -2.0, 0.5])          # restored


@pytest.mark.parametrize("max_norm", [0.1, 1.0, 1e3])
def test_clip_grad_norm_equals_torch(max_norm):
    grads = [rng.standard_normal(s) for s in [(3, 4), (4,), (2, 2, 2)]]
    params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = torch.tensor(g)
    ref_norm = nn.utils.clip_grad_norm_(params, max_norm)
    clipped, norm = sequences.clip_grad_norm(grads, max_norm)
    assert norm == pytest.approx(ref_norm.item(), rel=1e-12)
    for c, p in zip(clipped, params):
        np.testing.assert_allclose(c, p.grad.numpy(), atol=1e-14, rtol=1e-12)
    total = np.sqrt(sum((c ** 2).sum() for c in clipped))
    assert total <= max_norm + 1e-9 or max_norm > norm


def test_vanishing_gradient_measured_rnn_vs_lstm():
    torch.manual_seed(0)
    x = torch.randn(16, 60, 8)
    rnn_g = sequences.gradient_norms_over_time(nn.RNN(8, 32, batch_first=True), x)
    lstm = nn.LSTM(8, 32, batch_first=True)
    memory_task.chrono_init(lstm, 60)
    lstm_g = sequences.gradient_norms_over_time(lstm, x)
    assert rnn_g.shape == lstm_g.shape == (60,)
    assert rnn_g[50] / rnn_g[0] < 1e-6          # the tanh RNN's gradient dies within 50 steps
    assert lstm_g[50] / lstm_g[0] > 1e-3        # the chrono-initialised LSTM keeps it


def test_io_structures():
    s = sequences.io_structure("many-to-one")
    assert s["inputs"] == [0, 1, 2, 3] and s["outputs"] == [3] and not s["feeds_back"]
    e = sequences.io_structure("many-to-many (encoder-decoder)")
    assert max(e["inputs"]) < min(e["outputs"]) and e["feeds_back"]
    with pytest.raises(ValueError, match="name"):
        sequences.io_structure("two-to-two")


@pytest.mark.parametrize("N,T,D,H", [(1, 1, 2, 1), (3, 5, 4, 6)])
def test_lstm_and_gru_equal_torch(N, T, D, H):
    torch.manual_seed(3)
    x, h0, c0 = _seq(N, T, D, H, seed=4)
    lstm = nn.LSTM(D, H, batch_first=True).double()
    ref, (hT, cT) = lstm(x, (h0[None], c0[None]))
    h, c, g = gates.lstm_forward(x.numpy(), h0.numpy(), c0.numpy(), *gates.lstm_weights_from_torch(lstm))
    np.testing.assert_allclose(h, ref.detach().numpy(), atol=TOL, rtol=0)
    np.testing.assert_allclose(c[:, -1], cT[0].detach().numpy(), atol=TOL, rtol=0)
    assert set(g) == set(gates.LSTM_GATES) and all(v.shape == (N, T, H) for v in g.values())
    cell = nn.LSTMCell(D, H).double()
    rh, rc = cell(x[:, 0], (h0, c0))
    h1, c1, _ = gates.lstm_step_forward(x[:, 0].numpy(), h0.numpy(), c0.numpy(), *gates.lstm_weights_from_torch(cell))
    np.testing.assert_allclose(h1, rh.detach().numpy(), atol=TOL, rtol=0)
    np.testing.assert_allclose(c1, rc.detach().numpy(), atol=TOL, rtol=0)
    gru = nn.GRU(D, H, batch_first=True).double()
    ref, _ = gru(x, h0[None])
    h, gg = gates.gru_forward(x.numpy(), h0.numpy(), *gates.gru_weights_from_torch(gru))
    np.testing.assert_allclose(h, ref.detach().numpy(), atol=TOL, rtol=0)
    gcell = nn.GRUCell(D, H).double()
    h1, _ = gates.gru_step_forward(x[:, 0].numpy(), h0.numpy(), *gates.gru_weights_from_torch(gcell))
    np.testing.assert_allclose(h1, gcell(x[:, 0], h0).detach().numpy(), atol=TOL, rtol=0)


def test_gru_needs_both_biases():
    torch.manual_seed(5)
    x, h0, _ = _seq(2, 1, 3, 4, seed=6)
    cell = nn.GRUCell(3, 4).double()
    Wx, Wh, bx, bh = gates.gru_weights_from_torch(cell)
    merged, _ = gates.gru_step_forward(x[:, 0].numpy(), h0.numpy(), Wx, Wh, bx + bh, np.zeros(12))
    assert np.abs(merged - cell(x[:, 0], h0).detach().numpy()).max() > 1e-4


def test_lstm_variants():
    x, h, c = (rng.standard_normal(s) for s in [(2, 3), (2, 4), (2, 4)])
    Wx, Wh, b = rng.standard_normal((3, 16)), rng.standard_normal((4, 16)), rng.standard_normal(16)
    ref = gates.lstm_step_forward(x, h, c, Wx, Wh, b)
    zero = gates.peephole_lstm_step_forward(x, h, c, Wx, Wh, b, np.zeros((3, 4)))
    np.testing.assert_allclose(zero[0], ref[0], atol=1e-15)
    peep = rng.standard_normal((3, 4))
    hp, cp, gp = gates.peephole_lstm_step_forward(x, h, c, Wx, Wh, b, peep)
    a = x @ Wx + h @ Wh + b
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    i, f = sig(a[:, :4] + peep[0] * c), sig(a[:, 4:8] + peep[1] * c)
    c_new = f * c + i * np.tanh(a[:, 8:12])
    np.testing.assert_allclose(cp, c_new, atol=1e-14)
    np.testing.assert_allclose(hp, sig(a[:, 12:] + peep[2] * c_new) * np.tanh(c_new), atol=1e-14)
    hc, cc, gc = gates.coupled_lstm_step_forward(x, h, c, Wx[:, :12], Wh[:, :12], b[:12])
    np.testing.assert_allclose(gc["input"] + gc["forget"], 1.0, atol=1e-15)
    np.testing.assert_allclose(cc, (1 - gc["input"]) * c + gc["input"] * gc["candidate"], atol=1e-15)


def test_sigmoid_is_stable():
    s = gates.sigmoid(np.array([-800.0, 0.0, 800.0]))
    np.testing.assert_allclose(s, [0.0, 0.5, 1.0], atol=1e-300)
    np.testing.assert_allclose(gates.sigmoid(np.array([0.3])), torch.sigmoid(torch.tensor([0.3])).numpy(), atol=1e-7)


def test_memory_task_data_and_short_training():
    x, y = data.first_symbol_task(500, 7, seed=3)
    assert x.shape == (500, 7) and np.array_equal(x[:, 0], y) and (x[:, 1:] >= 4).all() and (x < 8).all()
    assert np.array_equal(data.first_symbol_task(500, 7, seed=3)[0], x)
    threads = torch.get_num_threads()
    model, losses = memory_task.train_memory_task("lstm", 8, steps=120)
    assert torch.get_num_threads() == threads            # trained on one thread, count restored
    assert losses[-1] < losses[0]
    assert memory_task.memory_accuracy(model, 8, n=500) > 0.9
    # chance level for an untrained model on long sequences
    untrained = memory_task.RecurrentClassifier("rnn", 8, 8, 4)
    assert abs(memory_task.memory_accuracy(untrained, 30, n=2000) - 0.25) < 0.2


def test_chrono_init_biases():
    lstm = memory_task.chrono_init(nn.LSTM(3, 5, batch_first=True), 50)
    bf = lstm.bias_hh_l0[5:10].detach()
    assert (bf >= 0).all() and (bf <= np.log(49) + 1e-6).all()
    assert torch.equal(lstm.bias_hh_l0[:5].detach(), -bf) and float(lstm.bias_ih_l0.detach().abs().sum()) == 0


@pytest.fixture(scope="module")
def names_split():
    names = data.census_first_names()
    order = np.random.default_rng(0).permutation(len(names))
    return [names[i] for i in order[500:]], [names[i] for i in order[:500]]


def test_census_names_and_encoding(names_split):
    names = data.census_first_names()
    assert len(names) == 5163 and names == sorted(set(names)) and "mary" in names
    x, y = char_lm.encode_names(["ab", "c"])
    assert x.tolist() == [[0, 1, 2], [0, 3, 0]] and y.tolist() == [[1, 2, 0], [3, 0, -1]]


def test_ngram_baselines_by_hand():
    # train "ab": transitions .->a, a->b, b->. ; unigram counts a:1, b:1, .:1
    uni = char_lm.ngram_bits_per_char(["ab"], ["ab"], 1, alpha=1e-9)
    assert uni == pytest.approx(np.log2(3), rel=1e-6)
    bi = char_lm.ngram_bits_per_char(["ab"], ["ab"], 2, alpha=1e-9)
    assert bi == pytest.approx(0.0, abs=1e-6)


def test_char_lm_beats_bigram_in_two_epochs(names_split):
    train, val = names_split
    model, history = char_lm.train_char_lm(train, val, epochs=2, hidden=64)
    assert history[-1] == pytest.approx(char_lm.bits_per_char(model, val))
    assert history[-1] < char_lm.ngram_bits_per_char(train, val, 2) < char_lm.ngram_bits_per_char(train, val, 1)
    names = char_lm.sample_names(model, 20, temperature=0.8, seed=1)
    assert len(names) == 20 and all(set(n) <= set(char_lm.VOCAB[1:]) for n in names)
    assert names == char_lm.sample_names(model, 20, temperature=0.8, seed=1)


def test_temperature_sampling_distribution():
    logits = np.log(np.array([[0.5, 0.3, 0.2]]))
    np.testing.assert_allclose(char_lm.temperature_probs(logits, 1.0), [[0.5, 0.3, 0.2]], atol=1e-12)
    cold = char_lm.temperature_probs(logits, 0.05)
    assert cold[0, 0] > 0.999
    hot = char_lm.temperature_probs(logits, 100.0)
    np.testing.assert_allclose(hot, 1 / 3, atol=0.01)
    draws = char_lm.sample_with_temperature(np.repeat(logits, 20000, 0), 1.0, np.random.default_rng(0))
    np.testing.assert_allclose(np.bincount(draws, minlength=3) / 20000, [0.5, 0.3, 0.2], atol=0.015)
    with pytest.raises(ValueError, match="temperature"):
        char_lm.temperature_probs(logits, 0.0)


def test_widget_states_report_bad_settings():
    model = char_lm.CharLSTM(hidden=8)
    ok = char_lm.gate_trace(model, "Emma")
    assert ok["ok"] and ok["chars"] == [".", "e", "m", "m", "a"] and ok["gates"]["forget"].shape == (5, 8)
    np.testing.assert_allclose(ok["next_probs"].sum(1), 1.0)
    for bad in ["", "r2d2", "x" * 21, 7]:
        st = char_lm.gate_trace(model, bad)
        assert st["ok"] is False and len(st["message"].split()) >= 4
    st = char_lm.temperature_state(model, 0.0, ["anna"])
    assert st["ok"] is False and "temperature" in st["message"]
    st = char_lm.temperature_state(model, 1.0, ["anna"], n=5)
    assert st["ok"] and len(st["names"]) == 5 and 0 <= st["novel"] <= 1
    assert 0 < st["entropy"] <= np.log2(27) + 1e-9


@pytest.mark.parametrize("call,word", [
    (lambda: sequences.rnn_step_forward(np.ones((2, 3)), np.ones((3, 4)), np.ones((3, 4)), np.ones((4, 4)), np.ones(4)),
     "h_prev"),
    (lambda: sequences.rnn_forward(np.ones((2, 0, 3)), np.ones((2, 4)), np.ones((3, 4)), np.ones((4, 4)), np.ones(4)),
     "time step"),
    (lambda: gates.lstm_step_forward(np.ones((2, 3)), np.ones((2, 4)), np.ones((2, 5)), np.ones((3, 16)),
                                     np.ones((4, 16)), np.ones(16)), "c_prev"),
    (lambda: gates.gru_step_forward(np.full((2, 3), np.nan), np.ones((2, 4)), np.ones((3, 12)), np.ones((4, 12)),
                                    np.ones(12), np.ones(12)), "x"),
    (lambda: char_lm.sample_names(char_lm.CharLSTM(hidden=4), 3, temperature=-1.0), "temperature"),
])
def test_bad_input_names_the_argument(call, word):
    with pytest.raises((ValueError, TypeError), match=word):
        call()


# --- the notebook's exercises: visible checks pass the reference, fail common wrong answers ---

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "06_sequence_models.ipynb"
_SIG = "def sigmoid(a):\n    return 1 / (1 + np.exp(-a))\n"


@pytest.fixture(scope="module")
def exercises():
    """grade_id -> (reference solution cell, visible part of its test cell), and the setup
    cell's namespace (the notebook's imports) with the notebook's sigmoid."""
    import nbformat

    cells = nbformat.read(NOTEBOOK, as_version=4).cells
    found = {}
    for i, cell in enumerate(cells):
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            found[meta["grade_id"]] = (cell.source, cells[i + 1].source.split("### BEGIN HIDDEN TESTS")[0])
    ns = {}
    exec(cells[1].source, ns)
    exec(_SIG, ns)
    return found, ns


def _visible(exercises, grade_id, answer):
    found, ns = exercises
    ns = dict(ns)
    exec(answer, ns)
    exec(found[grade_id][1], ns)


_BACK = ("def rnn_step_backward(dh_next, cache):\n    x, h_prev, Wx, Wh, h_next = cache\n    da = {da}\n"
         "    return da @ Wx.T, {dh}, x.T @ da, h_prev.T @ da, {db}\n")
_LSTM = ("def lstm_step(x, h_prev, c_prev, Wx, Wh, b):\n    H = h_prev.shape[1]\n    a = x @ Wx + h_prev @ Wh + b\n"
         "    i, f, g, o = {gates}\n    c = f * c_prev + i * g\n    return {h}, c\n")
_GATES = "sigmoid(a[:, :H]), sigmoid(a[:, H:2*H]), np.tanh(a[:, 2*H:3*H]), sigmoid(a[:, 3*H:])"
_GRU = ("def gru_step(x, h_prev, Wx, Wh, bx, bh):\n    H = h_prev.shape[1]\n    ax, ah = x @ Wx + bx, h_prev @ Wh + bh\n"
        "    r, z = sigmoid(ax[:, :H] + ah[:, :H]), sigmoid(ax[:, H:2*H] + ah[:, H:2*H])\n"
        "    n = np.tanh({n})\n    return {h}\n")
_SAMPLE = ("def sample_with_temperature(logits, temperature, rng):\n    z = {z}\n"
           "    p = np.exp(z - z.max(1, keepdims=True))\n    p /= p.sum(1, keepdims=True)\n"
           "    return {ret}\n")
_DRAW = "np.array([rng.choice(p.shape[1], p=row) for row in p])"
WRONG = [
    ("06_rnn_step_forward", "sigmoid", "def rnn_step_forward(x, h_prev, Wx, Wh, b):\n"
                                       "    return 1 / (1 + np.exp(-(x @ Wx + h_prev @ Wh + b)))\n"),
    ("06_rnn_step_forward", "no bias", "def rnn_step_forward(x, h_prev, Wx, Wh, b):\n    return np.tanh(x @ Wx + h_prev @ Wh)\n"),
    ("06_rnn_step_forward", "Wh transposed", "def rnn_step_forward(x, h_prev, Wx, Wh, b):\n"
                                             "    return np.tanh(x @ Wx + h_prev @ Wh.T + b)\n"),
    ("06_rnn_step_forward", "calls the library", "def rnn_step_forward(x, h_prev, Wx, Wh, b):\n"
                                                 "    return sequences.rnn_step_forward(x, h_prev, Wx, Wh, b)[0]\n"),
    ("06_rnn_step_backward", "tanh applied to h_next again",
     _BACK.format(da="dh_next * (1 - np.tanh(h_next) ** 2)", dh="da @ Wh.T", db="da.sum(axis=0)")),
    ("06_rnn_step_backward", "no tanh derivative", _BACK.format(da="dh_next", dh="da @ Wh.T", db="da.sum(axis=0)")),
    ("06_rnn_step_backward", "db averaged", _BACK.format(da="dh_next * (1 - h_next ** 2)", dh="da @ Wh.T",
                                                         db="da.mean(axis=0)")),
    ("06_rnn_step_backward", "Wh not transposed", _BACK.format(da="dh_next * (1 - h_next ** 2)", dh="da @ Wh",
                                                               db="da.sum(axis=0)")),
    ("06_clip_grad_norm", "each array clipped alone",
     "def clip_grad_norm(grads, max_norm):\n    t = np.sqrt(sum((g ** 2).sum() for g in grads))\n"
     "    return [g * min(1, max_norm / (np.linalg.norm(g) + 1e-6)) for g in grads], float(t)\n"),
    ("06_clip_grad_norm", "always rescaled",
     "def clip_grad_norm(grads, max_norm):\n    t = np.sqrt(sum((g ** 2).sum() for g in grads))\n"
     "    return [g * max_norm / t for g in grads], float(t)\n"),
    ("06_clip_grad_norm", "norm after clipping returned",
     "def clip_grad_norm(grads, max_norm):\n    t = np.sqrt(sum((g ** 2).sum() for g in grads))\n"
     "    s = min(1, max_norm / (t + 1e-6))\n    return [g * s for g in grads], float(t * s)\n"),
    ("06_clip_grad_norm", "squared norm", "def clip_grad_norm(grads, max_norm):\n    t = sum((g ** 2).sum() for g in grads)\n"
                                          "    s = min(1, max_norm / (t + 1e-6))\n    return [g * s for g in grads], float(t)\n"),
    ("06_lstm_step", "CS231n gate order i, f, o, g",
     _LSTM.format(gates="sigmoid(a[:, :H]), sigmoid(a[:, H:2*H]), np.tanh(a[:, 3*H:]), sigmoid(a[:, 2*H:3*H])",
                  h="o * np.tanh(c)")),
    ("06_lstm_step", "h = o * c", _LSTM.format(gates=_GATES, h="o * c")),
    ("06_lstm_step", "sigmoid candidate",
     _LSTM.format(gates=_GATES.replace("np.tanh(a[:, 2*H:3*H])", "sigmoid(a[:, 2*H:3*H])"), h="o * np.tanh(c)")),
    ("06_lstm_step", "torch's cell", "import torch\ndef lstm_step(x, h_prev, c_prev, Wx, Wh, b):\n"
                                     "    h, c = torch.lstm_cell(torch.tensor(x), (torch.tensor(h_prev), torch.tensor(c_prev)),"
                                     " torch.tensor(Wx.T), torch.tensor(Wh.T), torch.tensor(b), torch.zeros(len(b),"
                                     " dtype=torch.float64))\n    return h.numpy(), c.numpy()\n"),
    ("06_gru_step", "biases merged", _GRU.format(n="ax[:, 2*H:] + bh[2*H:] + r * (h_prev @ Wh)[:, 2*H:]",
                                                 h="(1 - z) * n + z * h_prev")),
    ("06_gru_step", "z and 1 - z swapped", _GRU.format(n="ax[:, 2*H:] + r * ah[:, 2*H:]", h="z * n + (1 - z) * h_prev")),
    ("06_gru_step", "reset applied before Wh", _GRU.format(n="ax[:, 2*H:] + (r * h_prev) @ Wh[:, 2*H:] + bh[2*H:]",
                                                          h="(1 - z) * n + z * h_prev")),
    ("06_sample_with_temperature", "multiplies by T", _SAMPLE.format(z="logits * temperature", ret=_DRAW)),
    ("06_sample_with_temperature", "ignores T", _SAMPLE.format(z="logits", ret=_DRAW)),
    ("06_sample_with_temperature", "returns probabilities", _SAMPLE.format(z="logits / temperature", ret="p")),
    ("06_sample_with_temperature", "argmax", "def sample_with_temperature(logits, temperature, rng):\n"
                                             "    return logits.argmax(axis=1)\n"),
]


def test_reference_answers_pass_the_visible_checks_and_unfinished_ones_fail(exercises):
    import re

    found, _ = exercises
    assert len(found) >= 6
    for grade_id, (solution, _) in found.items():
        _visible(exercises, grade_id, solution)
        stub = re.sub(r"### BEGIN SOLUTION.*?### END SOLUTION", "raise NotImplementedError()", solution, flags=re.S)
        with pytest.raises(AssertionError, match="not implemented yet"):
            _visible(exercises, grade_id, stub)


def test_another_correct_sampler_passes(exercises):
    _visible(exercises, "06_sample_with_temperature", _SAMPLE.format(z="logits / temperature", ret=_DRAW))


@pytest.mark.parametrize("grade_id, what, answer", WRONG, ids=[f"{g}: {w}" for g, w, _ in WRONG])
def test_common_wrong_answers_fail_the_visible_checks(exercises, grade_id, what, answer):
    with pytest.raises(AssertionError) as info:
        _visible(exercises, grade_id, answer)
    assert "raised" not in str(info.value), str(info.value)   # caught by the check, not by a crash

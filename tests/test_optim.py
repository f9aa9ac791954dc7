"""course_lib.optim against torch.optim and torch.optim.lr_scheduler (float64).

Optimizers: 50 steps on a random non-quadratic loss, same hyper-parameters as torch,
max |w_ours - w_torch| over every step <= TOL = 1e-12. In float64 the real difference is
summation-order rounding, ~1e-15; a looser bound such as 1e-6 lets plausible mistakes pass
(eps inside the square root moves w by only 1e-10..3e-8 per step), so the must-fail tests
below check that those wrong variants are caught at this tolerance.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from course_lib import optim as O

TOL = 1e-12  # float64: we see <= 2e-16; eps inside the sqrt differs by 1e-10..3e-8 (must fail)
STEPS = 50


def _problem(seed):
    """A random loss 0.5 w^T A w + sum(sin(3 w)) + b.w on a random shape; returns (loss, grad, w0)."""
    g = torch.Generator().manual_seed(seed)
    shape = tuple(int(s) for s in torch.randint(1, 6, (int(torch.randint(1, 3, (1,), generator=g)),), generator=g))
    n = math.prod(shape)
    a = torch.randn(n, n, generator=g, dtype=torch.float64)
    a = a @ a.T / n + torch.eye(n, dtype=torch.float64)
    b = torch.randn(n, generator=g, dtype=torch.float64)

    def loss(w):
        v = w.reshape(-1)
        return 0.5 * v @ a @ v + torch.sin(3 * v).sum() + b @ v

    def grad(w):
        w = w.detach().clone().requires_grad_(True)
        loss(w).backward()
        return w.grad

    return loss, grad, torch.randn(shape, generator=g, dtype=torch.float64)


def _max_diff_over_steps(seed, make_torch, ours_step):
    """Run torch's optimizer for STEPS steps; at every step apply ours to torch's current w
    and gradient (with our own state, m, s or v, carried from step to step) and compare
    our new w with torch's. Feeding torch's w back keeps each comparison one step deep: near
    the minimum of these losses the iteration is unstable (a 1e-16 rounding difference grows
    ~6x per step for RMSprop from step ~40), so two free-running trajectories would measure
    that growth, not the update rule. The state still evolves over all STEPS steps."""
    loss, _, w0 = _problem(seed)
    p = torch.nn.Parameter(w0.clone())
    opt = make_torch([p])
    state, worst = None, 0.0
    for t in range(1, STEPS + 1):
        opt.zero_grad()
        loss(p).backward()
        w, g = p.detach().clone(), p.grad.detach().clone()
        opt.step()
        new_w, state = ours_step(w, g, state, t)
        worst = max(worst, float((new_w - p.detach()).abs().max()))
    return worst


SEEDS = [0, 1, 2]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("wd", [0.0, 0.05])
def test_sgd_equals_torch(seed, wd):
    d = _max_diff_over_steps(seed, lambda ps: torch.optim.SGD(ps, lr=0.05, weight_decay=wd),
                             lambda w, g, s, t: (O.sgd_step(w, g, 0.05, wd), None))
    assert d <= TOL


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("wd", [0.0, 0.05])
def test_momentum_torch_first_step_equals_sgd_dampening(seed, wd):
    d = _max_diff_over_steps(
        seed, lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, dampening=0.9, weight_decay=wd),
        lambda w, g, v, t: O.momentum_step(w, g, v, 0.05, 0.9, wd, first_step="torch"))
    assert d <= TOL


def test_momentum_notes_first_step_differs_from_torch_dampening_by_beta_power_t():
    """The notes start v at 0; torch copies the first gradient. Their v differ by beta^t g_1."""
    beta, g1 = 0.9, np.array([2.0, -1.0])
    grads = [g1] + [np.array([0.3 * k, 1.0 / k]) for k in range(2, 12)]
    w_n = w_t = np.zeros(2)
    v_n = v_t = None
    for t, g in enumerate(grads, start=1):
        w_n, v_n = O.momentum_step(w_n, g, v_n, 0.1, beta, first_step="notes")
        w_t, v_t = O.momentum_step(w_t, g, v_t, 0.1, beta, first_step="torch")
        np.testing.assert_allclose(v_t - v_n, beta ** t * g1, atol=1e-12)
    # and the notes' version is NOT torch's dampened SGD: the gap is visible
    assert _max_diff_over_steps(
        0, lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, dampening=0.9),
        lambda w, g, v, t: O.momentum_step(w, g, v, 0.05, 0.9)) > 1e-3


@pytest.mark.parametrize("seed", SEEDS)
def test_momentum_notes_equals_undamped_torch_with_scaled_lr(seed):
    """torch's default buffer b = beta b + g is v / (1 - beta) exactly (b_1 = g_1 = v_1 / (1 - beta)),
    so the notes' rule with lr equals torch SGD(momentum=beta, dampening=0) with lr (1 - beta)."""
    lr, beta = 0.05, 0.8
    d = _max_diff_over_steps(seed, lambda ps: torch.optim.SGD(ps, lr=lr * (1 - beta), momentum=beta),
                             lambda w, g, v, t: O.momentum_step(w, g, v, lr, beta))
    assert d <= TOL


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("wd", [0.0, 0.05])
def test_rmsprop_equals_torch(seed, wd):
    d = _max_diff_over_steps(
        seed, lambda ps: torch.optim.RMSprop(ps, lr=0.01, alpha=0.9, eps=1e-8, weight_decay=wd),
        lambda w, g, s, t: O.rmsprop_step(w, g, torch.zeros_like(w) if s is None else s, 0.01, 0.9, 1e-8, wd))
    assert d <= TOL


def _adam(decoupled, **hp):
    def step(w, g, state, t):
        m, s = state if state is not None else (torch.zeros_like(w), torch.zeros_like(w))
        w, m, s = O.adam_step(w, g, m, s, t, decoupled=decoupled, **hp)
        return w, (m, s)
    return step


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("wd", [0.0, 0.05])
def test_adam_equals_torch(seed, wd):
    hp = dict(lr=0.02, beta1=0.85, beta2=0.995, eps=1e-7, weight_decay=wd)
    d = _max_diff_over_steps(
        seed, lambda ps: torch.optim.Adam(ps, lr=0.02, betas=(0.85, 0.995), eps=1e-7, weight_decay=wd),
        _adam(False, **hp))
    assert d <= TOL


@pytest.mark.parametrize("seed", SEEDS)
def test_adamw_equals_torch(seed):
    d = _max_diff_over_steps(seed, lambda ps: torch.optim.AdamW(ps, lr=0.02, weight_decay=0.1),
                             _adam(True, lr=0.02, weight_decay=0.1))
    assert d <= TOL


# --- must-fail: plausible wrong variants are told apart from torch at TOL ----------------------

def _rmsprop_eps_inside_sqrt(w, dw, s, lr, beta, eps):
    s = beta * s + (1 - beta) * dw * dw
    return w - lr * dw / (s + eps) ** 0.5, s


def _adam_variant(eps_inside_sqrt=False, beta2_used=None):
    """Adam with a common mistake: eps under the square root, or the wrong beta2."""
    def step(w, g, state, t, lr=0.02, beta1=0.85, beta2=0.995, eps=1e-7):
        beta2 = beta2 if beta2_used is None else beta2_used
        m, s = state if state is not None else (torch.zeros_like(w), torch.zeros_like(w))
        m = beta1 * m + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * g * g
        m_hat, s_hat = m / (1 - beta1 ** t), s / (1 - beta2 ** t)
        denom = (s_hat + eps) ** 0.5 if eps_inside_sqrt else s_hat ** 0.5 + eps
        return w - lr * m_hat / denom, (m, s)
    return step


@pytest.mark.parametrize("seed", SEEDS)
def test_must_fail_rmsprop_with_eps_inside_the_square_root_differs_from_torch(seed):
    d = _max_diff_over_steps(
        seed, lambda ps: torch.optim.RMSprop(ps, lr=0.01, alpha=0.9, eps=1e-8),
        lambda w, g, s, t: _rmsprop_eps_inside_sqrt(w, g, torch.zeros_like(w) if s is None else s, 0.01, 0.9, 1e-8))
    assert d > TOL, f"eps inside the sqrt is only {d:.1e} away from torch: TOL cannot tell it apart"


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("variant", [dict(eps_inside_sqrt=True), dict(beta2_used=0.99)],
                         ids=["eps inside sqrt", "beta2=0.99"])
def test_must_fail_adam_variants_differ_from_torch(seed, variant):
    make = lambda ps: torch.optim.Adam(ps, lr=0.02, betas=(0.85, 0.995), eps=1e-7)  # noqa: E731
    assert _max_diff_over_steps(seed, make, _adam_variant()) <= TOL  # the helper itself is right
    d = _max_diff_over_steps(seed, make, _adam_variant(**variant))
    assert d > TOL, f"{variant} is only {d:.1e} away from torch: TOL cannot tell it apart"


def test_tolerance_is_tight_enough_to_catch_eps_inside_sqrt():
    """Documents why TOL is not 1e-6: the eps-inside-sqrt mistake stays below 1e-6 here."""
    d = _max_diff_over_steps(
        0, lambda ps: torch.optim.RMSprop(ps, lr=0.01, alpha=0.9, eps=1e-8),
        lambda w, g, s, t: _rmsprop_eps_inside_sqrt(w, g, torch.zeros_like(w) if s is None else s, 0.01, 0.9, 1e-8))
    assert TOL < d < 1e-6


def test_adam_default_beta2_is_0999_like_torch():
    import inspect
    assert inspect.signature(O.adam_step).parameters["beta2"].default == 0.999
    assert torch.optim.Adam([torch.zeros(1, requires_grad=True)]).defaults["betas"][1] == 0.999


def test_adam_rejects_step_zero():
    with pytest.raises(ValueError, match=r"t \(the step number\) must be a positive integer, got 0"):
        O.adam_step(np.zeros(2), np.ones(2), np.zeros(2), np.zeros(2), 0)


@pytest.mark.parametrize("rule, make", [
    ("sgd", lambda ps: torch.optim.SGD(ps, lr=0.05)),
    ("momentum", lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, dampening=0.9)),
    ("rmsprop", lambda ps: torch.optim.RMSprop(ps, lr=0.01)),
    ("adam", lambda ps: torch.optim.Adam(ps, lr=0.01)),
])
def test_scratch_optimizer_trains_a_module_like_torch(rule, make):
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(5, 7), torch.nn.Tanh(), torch.nn.Linear(7, 3)).double()
    twin = torch.nn.Sequential(torch.nn.Linear(5, 7), torch.nn.Tanh(), torch.nn.Linear(7, 3)).double()
    twin.load_state_dict(net.state_dict())
    lr = {"sgd": 0.05, "momentum": 0.05, "rmsprop": 0.01, "adam": 0.01}[rule]
    ours = O.ScratchOptimizer(net.parameters(), rule, lr=lr, first_step="torch")
    ref = make(twin.parameters())
    x, y = torch.randn(20, 5, dtype=torch.float64), torch.randint(0, 3, (20,))
    for _ in range(STEPS):
        for model, opt in ((net, ours), (twin, ref)):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(x), y).backward()
            opt.step()
    for p, q in zip(net.parameters(), twin.parameters()):
        assert float((p - q).detach().abs().max()) <= TOL


def test_scratch_optimizer_rejects_bad_settings():
    p = [torch.zeros(2, requires_grad=True)]
    with pytest.raises(ValueError, match="rule"):
        O.ScratchOptimizer(p, "adma")
    with pytest.raises(ValueError, match="lr"):
        O.ScratchOptimizer(p, "adam", lr=-1.0)
    with pytest.raises(ValueError, match="beta2"):
        O.ScratchOptimizer(p, "adam", beta2=1.0)


# --- EWMA -------------------------------------------------------------------------------------

@pytest.mark.parametrize("beta", [0.5, 0.9, 0.98])
def test_ewma_closed_form_and_bias_correction(beta):
    rng = np.random.default_rng(0)
    x = rng.normal(size=40) + 10
    t = np.arange(1, 41)
    closed = np.array([(1 - beta) * np.sum(beta ** (k - np.arange(1, k + 1)) * x[:k]) for k in t])
    np.testing.assert_allclose(O.ewma(x, beta), closed, rtol=1e-12)
    np.testing.assert_allclose(O.ewma(x, beta, bias_correction=True), closed / (1 - beta ** t), rtol=1e-12)
    # a constant sequence: the corrected average is exact from the first step, the raw one starts low
    const = O.ewma(np.full(5, 3.0), beta, bias_correction=True)
    np.testing.assert_allclose(const, 3.0, rtol=1e-12)
    assert O.ewma(np.full(5, 3.0), beta)[0] == pytest.approx(3.0 * (1 - beta))


def test_ewma_equals_adam_first_moment():
    """Adam's m is an EWMA of the gradients (torch's exp_avg state), beta = beta1."""
    g = torch.Generator().manual_seed(0)
    grads = torch.randn(30, generator=g, dtype=torch.float64)
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.Adam([p], betas=(0.9, 0.999))
    for k in range(30):
        p.grad = grads[k:k + 1].clone()
        opt.step()
    assert abs(opt.state[p]["exp_avg"].item() - O.ewma(grads.numpy(), 0.9)[-1]) < 1e-12


def test_ewma_rejects_bad_beta():
    with pytest.raises(ValueError, match="beta"):
        O.ewma([1.0, 2.0], 1.0)


def test_gradient_descent_1d_converges_to_5():
    w = O.gradient_descent_1d(lambda w: 0.2 * (w - 5), 10.0, lr=1.0, steps=100)
    assert w[1] == pytest.approx(10 - 1.0)  # the gradient at W = 10 is 1
    assert abs(w[-1] - 5) < 1e-6


# --- learning-rate schedules --------------------------------------------------------------------

def _torch_lrs(make_sched, epochs, base=0.2):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base)
    sched = make_sched(opt)
    lrs = []
    for _ in range(epochs):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(lrs)


def test_inverse_time_matches_lambdalr_and_the_worked_example():
    ours = np.array([O.lr_inverse_time(e, 0.2, 1.0) for e in range(12)])
    ref = _torch_lrs(lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda e: 1 / (1 + 1.0 * e)), 12)
    np.testing.assert_allclose(ours, ref, rtol=1e-12)
    np.testing.assert_allclose(ours[1:5], [0.1, 0.2 / 3, 0.05, 0.04], rtol=1e-12)


def test_exponential_matches_exponentiallr():
    ours = np.array([O.lr_exponential(e, 0.2, 0.95) for e in range(15)])
    ref = _torch_lrs(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.95), 15)
    np.testing.assert_allclose(ours, ref, rtol=1e-12)


def test_staircase_matches_steplr():
    ours = np.array([O.lr_staircase(e, 0.2, 4, 0.5) for e in range(15)])
    ref = _torch_lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, 4, 0.5), 15)
    np.testing.assert_allclose(ours, ref, rtol=1e-12)


def test_inverse_sqrt_matches_lambdalr_from_epoch_1():
    ours = np.array([O.lr_inverse_sqrt(e, 0.2, 0.5) for e in range(1, 10)])
    ref = _torch_lrs(lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda e: 0.5 / math.sqrt(max(e, 1))), 10)
    np.testing.assert_allclose(ours, ref[1:], rtol=1e-12)
    with pytest.raises(ValueError, match="epoch"):
        O.lr_inverse_sqrt(0, 0.2)


def test_schedules_reject_bad_input():
    with pytest.raises(ValueError, match="epoch"):
        O.lr_inverse_time(-1, 0.2)
    with pytest.raises(ValueError, match="alpha0"):
        O.lr_exponential(1, 0.0)
    with pytest.raises(ValueError, match="step_size"):
        O.lr_staircase(3, 0.2, step_size=0)


# --- hyper-parameter sampling -----------------------------------------------------------------

def test_log_uniform_sampling_is_uniform_in_the_exponent():
    rng = np.random.default_rng(0)
    a = O.sample_log_uniform(rng, 1e-4, 1.0, 20000)
    assert a.min() >= 1e-4 and a.max() <= 1.0
    counts = np.histogram(np.log10(a), bins=4, range=(-4, 0))[0] / a.size
    np.testing.assert_allclose(counts, 0.25, atol=0.02)  # each decade ~ a quarter


def test_beta_sampling_is_log_uniform_in_one_minus_beta():
    rng = np.random.default_rng(1)
    b = O.sample_beta(rng, 0.9, 0.999, 20000)
    assert b.min() >= 0.9 and b.max() <= 0.999
    counts = np.histogram(np.log10(1 - b), bins=2, range=(-3, -1))[0] / b.size
    np.testing.assert_allclose(counts, 0.5, atol=0.02)  # as many in [0.9, 0.99] as in [0.99, 0.999]
    with pytest.raises(ValueError):
        O.sample_beta(rng, 0.99, 0.9, 3)


def test_grid_and_random_points():
    g = O.grid_points([1, 2, 3], [10, 20])
    assert g.shape == (6, 2) and len({tuple(r) for r in g}) == 6
    assert len(np.unique(g[:, 0])) == 3
    r = O.random_points(np.random.default_rng(0), [lambda rng, n: O.sample_log_uniform(rng, 1e-3, 1, n),
                                                   lambda rng, n: rng.uniform(0, 1, n)], 6)
    assert r.shape == (6, 2) and len(np.unique(r[:, 0])) == 6


# --- surfaces and trajectories ------------------------------------------------------------------

@pytest.mark.parametrize("name", list(O.SURFACES))
def test_surface_gradients_match_autograd(name):
    s = O.SURFACES[name]
    rng = np.random.default_rng(0)
    for _ in range(5):
        w = rng.uniform(-2, 2, size=2)
        wt = torch.tensor(w, requires_grad=True)
        s.loss(wt).backward()
        np.testing.assert_allclose(s.grad(w), wt.grad.numpy(), atol=1e-12)


def test_trajectory_follows_the_step_functions_and_reaches_the_minimum():
    tr = O.optimizer_trajectory("ill-conditioned bowl", "adam", lr=0.1, steps=300)
    assert tr.points.shape == (301, 2) and not tr.diverged
    assert tr.losses[-1] < 1e-3 * tr.losses[0]
    # plain GD with lr above 2 / 25 (the steep direction's curvature) diverges
    bad = O.optimizer_trajectory("ill-conditioned bowl", "sgd", lr=0.1, steps=300)
    assert bad.diverged and len(bad.points) < 301
    # momentum (the notes' averaged form) stays stable up to lr * 25 < 2 (1 + beta) / (1 - beta)
    mom = O.optimizer_trajectory("ill-conditioned bowl", "momentum", lr=0.3, steps=100, beta=0.9)
    assert not mom.diverged and mom.losses[-1] < 1e-3 * mom.losses[0]
    # on the saddle, Adam's normalised steps leave the flat region sooner than plain GD
    gd = O.optimizer_trajectory("saddle", "sgd", lr=0.05, steps=100)
    adam = O.optimizer_trajectory("saddle", "adam", lr=0.05, steps=100)
    assert abs(gd.points[-1, 1]) < 0.5 < abs(adam.points[-1, 1])


def test_trajectory_rejects_bad_settings():
    with pytest.raises(ValueError, match="surface"):
        O.optimizer_trajectory("volcano", "adam", 0.1, 10)
    with pytest.raises(ValueError, match="rule"):
        O.optimizer_trajectory("saddle", "adma", 0.1, 10)
    with pytest.raises(ValueError, match="lr"):
        O.optimizer_trajectory("saddle", "adam", 0.0, 10)
    x, y, z = O.surface_grid("saddle", n=30)
    assert x.shape == y.shape == z.shape == (30, 30)


def test_steps_reject_mismatched_gradient_shapes():
    w, dw = np.zeros((2, 3)), np.zeros(3)
    with pytest.raises(ValueError, match="shape"):
        O.sgd_step(w, dw, 0.1)
    with pytest.raises(ValueError, match="shape"):
        O.momentum_step(w, dw, None, 0.1)
    with pytest.raises(ValueError, match="shape"):
        O.rmsprop_step(w, dw, np.zeros((2, 3)), 0.1)
    with pytest.raises(ValueError, match="shape"):
        O.adam_step(w, dw, np.zeros((2, 3)), np.zeros((2, 3)), 1, decoupled=True)


def test_learner_errors_name_the_argument_and_the_value():
    w, rng = np.ones(3), np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"steps must be a non-negative integer, got -1\."):
        O.gradient_descent_1d(lambda x: x, 0.0, 0.1, steps=-1)
    with pytest.raises(ValueError, match=r"values contains NaN"):
        O.ewma(np.array([1.0, math.nan, 2.0]), 0.9)
    with pytest.raises(ValueError, match=r"lr must be a positive number, got nan\."):
        O.sgd_step(w, w, math.nan)
    with pytest.raises(ValueError, match=r"beta must be in \[0, 1\), got 1\.0\."):
        O.momentum_step(w, w, None, 0.1, beta=1.0)
    with pytest.raises(ValueError, match=r"v must have the shape of w \(3,\), got \(4,\)\."):
        O.momentum_step(w, w, np.ones(4), 0.1)
    with pytest.raises(ValueError, match=r"s must have the shape of w \(3,\), got \(4,\)\."):
        O.rmsprop_step(w, w, np.ones(4), 0.1)
    with pytest.raises(ValueError, match=r"eps must be a non-negative number, got -1e-08\."):
        O.rmsprop_step(w, w, np.zeros(3), 0.1, eps=-1e-8)
    with pytest.raises(ValueError, match=r"beta2 must be in \[0, 1\), got 1\.0\."):
        O.adam_step(w, w, np.zeros(3), np.zeros(3), 1, beta2=1.0)
    with pytest.raises(ValueError, match=r"m must have the shape of w \(3,\), got \(2,\)\."):
        O.adam_step(w, w, np.zeros(2), np.zeros(3), 1)
    with pytest.raises(ValueError, match=r"n must be a non-negative integer, got -1\."):
        O.sample_beta(rng, 0.9, 0.999, -1)
    with pytest.raises(TypeError, match=r"n must be an integer, got 2\.5 \(float\)\."):
        O.sample_log_uniform(rng, 1e-4, 1.0, 2.5)
    with pytest.raises(ValueError, match=r"eps must be a non-negative number"):
        O.ScratchOptimizer([torch.zeros(2, requires_grad=True)], eps=-1.0)
    # edge values that stay allowed: zero steps, beta = 0, eps = 0
    assert O.gradient_descent_1d(lambda x: x, 2.0, 0.1, steps=0).tolist() == [2.0]
    new_w, _ = O.momentum_step(w, w, None, 0.5, beta=0.0)
    np.testing.assert_allclose(new_w, 0.5 * w)
    new_w, _ = O.rmsprop_step(w, w, np.zeros(3), 0.1, beta=0.0, eps=0.0)
    np.testing.assert_allclose(new_w, 0.9 * w)

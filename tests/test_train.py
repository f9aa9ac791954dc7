"""Tests of course_lib.train: fit and evaluate (loss goes down, lengths, seeds, bad input)."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from course_lib import train


def _blobs(n=120, d=4, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=3.0, size=(classes, d))
    y = rng.integers(0, classes, size=n)
    x = centers[y] + rng.normal(size=(n, d))
    return x.astype(np.float32), y.astype(np.int64)


def _mlp(seed=0, d=4, classes=3, dropout=0.0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(d, 16), nn.ReLU(), nn.Dropout(dropout), nn.Linear(16, classes))


def test_loss_decreases_and_history_lengths():
    x, y = _blobs()
    model = _mlp()
    h = train.fit(model, (x, y), epochs=5, batch_size=16, val=(x[:30], y[:30]), progress=False,
                  optimizer=torch.optim.Adam(model.parameters(), lr=1e-2))
    assert len(h.loss) == len(h.acc) == len(h.val_loss) == len(h.val_acc) == len(h.lr) == 5
    assert h.epochs == 5
    assert len(h.step_loss) == 5 * math.ceil(120 / 16)
    assert h.loss[-1] < 0.5 * h.loss[0]
    assert h.acc[-1] > 0.9
    assert 0.0 <= min(h.val_acc) and max(h.val_acc) <= 1.0
    # evaluate agrees with a direct computation
    loss, acc = train.evaluate(model, x, y)
    with torch.no_grad():
        out = model(torch.from_numpy(x))
        ref_loss = float(nn.functional.cross_entropy(out, torch.from_numpy(y)))
        ref_acc = float((out.argmax(1) == torch.from_numpy(y)).float().mean())
    assert abs(loss - ref_loss) < 1e-5 and abs(acc - ref_acc) < 1e-6


def test_no_val_gives_empty_val_lists():
    x, y = _blobs(n=40)
    h = train.fit(_mlp(), (x, y), epochs=2, progress=False)
    assert h.val_loss == [] and h.val_acc == [] and len(h.loss) == 2


def test_seed_reproducibility_with_dropout():
    x, y = _blobs()
    runs = []
    for seed in (3, 3, 4):
        model = _mlp(dropout=0.3)
        h = train.fit(model, (x, y), epochs=3, batch_size=32, seed=seed, progress=False)
        runs.append(h.step_loss)
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_fit_does_not_touch_global_rng():
    x, y = _blobs(n=40)
    model = _mlp(dropout=0.5)
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    train.fit(model, (x, y), epochs=1, progress=False)
    assert torch.equal(torch.rand(3), expected)


def test_float64_model_and_tensor_inputs():
    x, y = _blobs(n=50)
    model = _mlp().double()
    h = train.fit(model, (torch.from_numpy(x), torch.from_numpy(y)), epochs=2, progress=False)
    assert len(h.loss) == 2 and all(np.isfinite(h.loss))


def test_bce_accuracy_and_scheduler():
    x, _ = _blobs(n=80, classes=2)
    y = (x[:, 0] > np.median(x[:, 0])).astype(np.int64)  # linearly separable labels
    model = nn.Sequential(nn.Linear(4, 1), nn.Flatten(0))
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    h = train.fit(model, (x, y.astype(np.float32)), epochs=3, loss_fn=nn.BCEWithLogitsLoss(),
                  optimizer=opt, scheduler=sched, batch_size=8, progress=False)
    assert h.lr == [0.5, 0.25, 0.125]
    assert 0.0 <= h.acc[0] <= 1.0
    loss, acc = train.evaluate(model, x, y.astype(np.float32), loss_fn=nn.BCEWithLogitsLoss())
    with torch.no_grad():
        ref_acc = float(((model(torch.from_numpy(x)) > 0).long() == torch.from_numpy(y)).double().mean())
    assert abs(acc - ref_acc) < 1e-12 and acc > 0.9


def test_regression_accuracy_is_nan():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 2)).astype(np.float32)
    t = x.sum(1, keepdims=True)
    h = train.fit(nn.Linear(2, 1), (x, t), epochs=2, loss_fn=nn.MSELoss(), progress=False)
    assert all(math.isnan(a) for a in h.acc)


def test_divergence_stops_with_warning():
    x, y = _blobs(n=40)
    x = x * 1e3
    model = _mlp()
    with pytest.warns(RuntimeWarning, match="loss became"):
        h = train.fit(model, (x, y), epochs=20, optimizer=torch.optim.SGD(model.parameters(), lr=1e6),
                      progress=False)
    assert h.epochs < 20


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(epochs=0), ValueError, "epochs"),
        (dict(epochs=2.5), TypeError, "epochs"),
        (dict(epochs=1, batch_size=0), ValueError, "batch_size"),
        (dict(epochs=1, seed=-1), ValueError, "seed"),
        (dict(epochs=1, device="tpu"), ValueError, "device"),
        (dict(epochs=1, device=0), TypeError, "device"),
    ],
)
def test_bad_arguments_raise_the_contract_type(kwargs, error, match):
    x, y = _blobs(n=20)
    with pytest.raises(error, match=match):
        train.fit(_mlp(), (x, y), progress=False, **kwargs)


def test_bad_data_raise_valueerror():
    x, y = _blobs(n=20)
    with pytest.raises(ValueError, match="samples"):
        train.fit(_mlp(), (x, y[:10]), epochs=1, progress=False)
    bad = x.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        train.fit(_mlp(), (bad, y), epochs=1, progress=False)
    with pytest.raises(TypeError, match="pair"):
        train.fit(_mlp(), x, epochs=1, progress=False)
    with pytest.raises(TypeError, match="list"):
        train.fit(_mlp(), (x.tolist(), y), epochs=1, progress=False)
    inf = x.copy()
    inf[1, 1] = np.inf
    with pytest.raises(ValueError, match="infinite"):
        train.fit(_mlp(), (inf, y), epochs=1, progress=False)
    with pytest.raises(ValueError, match="empty"):
        train.fit(_mlp(), (x[:0], y[:0]), epochs=1, progress=False)
    with pytest.raises(ValueError, match="labels must be in 0..2"):
        train.fit(_mlp(), (x, y + 1), epochs=1, progress=False)
    with pytest.raises(TypeError, match="nn.Module"):
        train.fit(lambda t: t, (x, y), epochs=1, progress=False)


# The history plot and the live plot (course_lib.plots.optim) are tested in test_widgets_optim.py.


def test_evaluating_restores_train_mode_even_when_the_block_raises():
    model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Dropout(0.5))
    model.train()
    with pytest.raises(RuntimeError, match="boom"):
        with train.evaluating(model):
            assert not model.training and not torch.is_grad_enabled()
            raise RuntimeError("boom")
    assert model.training and torch.is_grad_enabled()
    model.eval()
    with train.evaluating(model):
        pass
    assert not model.training


# --- the device: course_lib.device() by default, COURSE_DEVICE overrides -----------------------

class _DeviceSpy(nn.Module):
    """A linear layer that records where it is moved (``.to``) and the device of every batch."""

    def __init__(self, d=4, classes=3):
        super().__init__()
        self.lin = nn.Linear(d, classes)
        self.moved_to: list = []
        self.seen: list[torch.device] = []

    def to(self, *args, **kwargs):
        self.moved_to.append(args[0] if args else kwargs.get("device"))
        return super().to(*args, **kwargs)

    def forward(self, x):
        self.seen.append(x.device)
        return self.lin(x)


def _record_tensor_moves(monkeypatch) -> list:
    """Patch ``Tensor.to`` to record every device a tensor is sent to (the machine has no GPU,
    so a batch's own .device cannot tell 'moved to the CPU' from 'never moved')."""
    moves, real_to = [], torch.Tensor.to

    def to(self, *args, **kwargs):
        target = args[0] if args else kwargs.get("device")
        if isinstance(target, torch.device):
            moves.append((target, tuple(self.shape), self.dtype))
        return real_to(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "to", to)
    return moves


def test_fit_and_evaluate_move_the_model_and_every_batch_to_the_device(monkeypatch):
    import course_lib

    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    cpu = torch.device("cpu")
    assert course_lib.device() == cpu
    x, y = _blobs(n=40)
    spy = _DeviceSpy()
    moves = _record_tensor_moves(monkeypatch)
    train.fit(spy, (x, y), epochs=2, batch_size=16, val=(x[:8], y[:8]), progress=False)
    # the model once per fit and once per validation pass; each epoch x and y of 3 batches, then 1 val batch
    assert spy.moved_to == [cpu] * 3
    assert {device for device, _, _ in moves} == {cpu}
    assert _batch_moves(moves) == ([16, 16, 8, 8] * 2, [16, 16, 8, 8] * 2)  # 3 train batches, then val
    assert len(spy.seen) == 2 * 3 + 2 and set(spy.seen) == {cpu}
    spy.moved_to.clear()
    moves.clear()
    train.evaluate(spy, torch.from_numpy(x), torch.from_numpy(y), batch_size=16, device="cpu")
    assert spy.moved_to == [cpu] and _batch_moves(moves) == ([16, 16, 8], [16, 16, 8])


def _batch_moves(moves) -> tuple[list[int], list[int]]:
    """Sizes of the x batches (float (B, 4)) and y batches (int64 (B,)) sent to a device, in order
    (the model's own parameters, e.g. the (3, 4) weight, are left out)."""
    xs = [shape[0] for _, shape, dtype in moves if dtype == torch.float32 and len(shape) == 2 and shape[0] != 3]
    ys = [shape[0] for _, shape, dtype in moves if dtype == torch.int64 and len(shape) == 1]
    return xs, ys


def test_fit_refuses_a_device_it_cannot_use(monkeypatch):
    x, y = _blobs(n=20)
    monkeypatch.setenv("COURSE_DEVICE", "tpu")
    with pytest.raises(ValueError, match="COURSE_DEVICE must be 'cpu' or 'cuda'"):
        train.fit(_mlp(), (x, y), epochs=1, progress=False)
    with pytest.raises(ValueError, match="COURSE_DEVICE"):
        train.evaluate(_mlp(), x, y)
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no GPU"):
            train.fit(_mlp(), (x, y), epochs=1, progress=False, device="cuda")


def test_single_thread_restores_the_thread_count_even_on_error():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with pytest.raises(RuntimeError):
            with train.single_thread():
                assert torch.get_num_threads() == 1
                raise RuntimeError("inside")
        assert torch.get_num_threads() == 2
        from threadpoolctl import threadpool_info
        with train.single_thread(blas=True):
            assert all(p["num_threads"] == 1 for p in threadpool_info() if p["user_api"] == "blas")
    finally:
        torch.set_num_threads(before)

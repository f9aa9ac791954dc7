"""course_lib.setup: seeds, thread count (and its COURSE_THREADS override), bad input."""
import random

import numpy as np
import pytest
import torch

import course_lib


def test_setup_makes_random_numbers_repeatable():
    course_lib.setup(seed=3)
    first = (random.random(), np.random.rand(), torch.rand(1).item())
    course_lib.setup(seed=3)
    again = (random.random(), np.random.rand(), torch.rand(1).item())
    course_lib.setup(seed=4)
    other = (random.random(), np.random.rand(), torch.rand(1).item())
    assert first == again
    assert all(a != b for a, b in zip(first, other))


def test_setup_sets_threads_and_env_overrides(monkeypatch):
    before = torch.get_num_threads()
    try:
        monkeypatch.delenv("COURSE_THREADS", raising=False)
        assert course_lib.setup(threads=2) is None
        assert torch.get_num_threads() == 2
        monkeypatch.setenv("COURSE_THREADS", "1")
        course_lib.setup(threads=2)
        assert torch.get_num_threads() == 1
        monkeypatch.setenv("COURSE_THREADS", "many")
        with pytest.raises(ValueError, match="COURSE_THREADS"):
            course_lib.setup()
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("kwargs, error, word", [
    ({"seed": -1}, ValueError, "seed"), ({"seed": 1.5}, TypeError, "seed"),
    ({"threads": 0}, ValueError, "threads"), ({"threads": True}, TypeError, "threads"),
    ({"threads": 2.0}, TypeError, "threads"), ({"style": "yes"}, TypeError, "style"),
])
def test_setup_rejects_bad_input(kwargs, error, word):
    with pytest.raises(error, match=word):
        course_lib.setup(**kwargs)


def test_setup_accepts_numpy_integers(monkeypatch):
    monkeypatch.delenv("COURSE_THREADS", raising=False)
    before = torch.get_num_threads()
    try:
        course_lib.setup(seed=np.int64(3), threads=np.int32(1), style=False)
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


# --- device(): CUDA when available, COURSE_DEVICE overrides ------------------------------------

def test_device_default_is_cuda_when_available_else_cpu(monkeypatch):
    monkeypatch.delenv("COURSE_DEVICE", raising=False)
    want = "cuda" if torch.cuda.is_available() else "cpu"
    assert course_lib.device() == torch.device(want)
    assert isinstance(course_lib.device(), torch.device)


@pytest.mark.parametrize("value", ["cpu", "CPU", " cpu "])
def test_device_override_cpu(monkeypatch, value):
    monkeypatch.setenv("COURSE_DEVICE", value)
    assert course_lib.device() == torch.device("cpu")


@pytest.mark.parametrize("value", ["gpu", "tpu", "cuda:0", "1", "mps"])
def test_device_override_rejects_other_values(monkeypatch, value):
    monkeypatch.setenv("COURSE_DEVICE", value)
    with pytest.raises(ValueError, match=r"COURSE_DEVICE must be 'cpu' or 'cuda'"):
        course_lib.device()


def test_device_override_cuda(monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "cuda")
    if torch.cuda.is_available():
        assert course_lib.device().type == "cuda"
    else:
        with pytest.raises(ValueError, match=r"COURSE_DEVICE asks for CUDA .* no GPU"):
            course_lib.device()


def test_record_metric_contract(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("COURSE_METRICS_FILE", str(tmp_path / "m.jsonl"))
    assert course_lib.record_metric("acc", np.float32(0.5)) == 0.5
    assert '"value": 0.5' in (tmp_path / "m.jsonl").read_text()
    with pytest.raises(TypeError, match="value"):
        course_lib.record_metric("acc", "high")
    with pytest.raises(ValueError, match="value"):
        course_lib.record_metric("acc", float("nan"))
    with pytest.raises(TypeError, match="name"):
        course_lib.record_metric(3, 0.5)
    with pytest.raises(ValueError, match="name"):
        course_lib.record_metric("", 0.5)

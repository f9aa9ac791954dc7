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


@pytest.mark.parametrize("kwargs, word", [({"seed": -1}, "seed"), ({"seed": 1.5}, "seed"),
                                          ({"threads": 0}, "threads")])
def test_setup_rejects_bad_input(kwargs, word):
    with pytest.raises(ValueError, match=word):
        course_lib.setup(**kwargs)

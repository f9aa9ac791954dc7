"""The instant-feedback messages of course_lib.grading, as a learner sees them.

Success prints one friendly line; a wrong answer raises CheckFailed (an AssertionError,
so nbgrader counts the test cell as failed) saying what was expected and what came back
(shape, a few values) with one hint; calling the library function the exercise is about
is refused, in the code (static) and while it runs (tripwires).
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib import grading
from course_lib.grading import CheckFailed, ForbiddenCall

HINT = "Slide the window over every position."


def reference_conv(x, w):
    """Valid cross-correlation of (N, C, H, W) with (K, C, kh, kw), via torch (float64)."""
    return F.conv2d(torch.as_tensor(x), torch.as_tensor(w)).numpy()


def loop_conv(x, w):
    n, c, h, wd = x.shape
    k, _, kh, kw = w.shape
    out = np.zeros((n, k, h - kh + 1, wd - kw + 1))
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            patch = x[:, None, :, i:i + kh, j:j + kw]
            out[:, :, i, j] = (patch * w[None]).sum(axis=(2, 3, 4))
    return out


CASES = grading.random_cases(lambda r: (r.normal(size=(2, 3, 6, 5)), r.normal(size=(4, 3, 3, 2))), n=3, seed=0)


def check(func, **kwargs):
    grading.check_function(func, reference_conv, CASES, name="conv2d", hint=HINT,
                           forbidden=["torch.nn.functional.conv2d", "torch.conv2d"], **kwargs)


def failure(func, **kwargs) -> str:
    with pytest.raises(CheckFailed) as info:
        check(func, **kwargs)
    return str(info.value)


def test_success_prints_one_friendly_line(capsys):
    check(loop_conv)
    out = capsys.readouterr().out
    assert out == "\u2714 conv2d (3 test cases): correct. Well done!\n"


def test_check_failed_is_an_assertion_error_so_nbgrader_counts_it():
    assert issubclass(CheckFailed, AssertionError) and issubclass(ForbiddenCall, CheckFailed)


def test_wrong_values_show_expected_vs_got_shape_values_and_hint():
    msg = failure(lambda x, w: loop_conv(x, w) + 0.5)
    assert msg.startswith("\u2718 conv2d (test case 1): values differ (shape (2, 4, 4, 4) is right).")
    expected = reference_conv(*CASES[0])
    assert f"expected: [{expected.ravel()[0]:.4g}, " in msg
    assert f"got:      [{expected.ravel()[0] + 0.5:.4g}, " in msg
    assert "first mismatch at index (0, 0, 0, 0)" in msg and "128 of 128 entries off" in msg
    assert msg.endswith(f"Hint: {HINT}") and msg.count("Hint:") == 1


def test_wrong_shape_says_both_shapes():
    msg = failure(lambda x, w: loop_conv(x, w)[:, :, :-1])
    assert "expected shape (2, 4, 4, 4) but got shape (2, 4, 3, 4)." in msg
    assert f"Hint: {HINT}" in msg


def test_not_implemented_yet():
    def conv2d(x, w):
        raise NotImplementedError()

    msg = failure(conv2d)
    assert "not implemented yet: replace `raise NotImplementedError()` with your code." in msg
    assert f"Hint: {HINT}" in msg


def test_none_returned_asks_about_return():
    def conv2d(x, w):
        loop_conv(x, w)  # forgot the return

    msg = failure(conv2d)
    assert "your code returned None. Did you forget a `return` statement?" in msg


def test_exception_in_learner_code_is_reported_with_the_case():
    def conv2d(x, w):
        if x.shape[3] == 5 and w.shape[3] == 2:
            return x[:, :, 0, 99]
        return loop_conv(x, w)

    msg = failure(conv2d)
    assert "raised IndexError: index 99 is out of bounds" in msg
    assert "(on test case 1, arguments (2, 3, 6, 5), (4, 3, 3, 2))" in msg
    assert "return x[:, :, 0, 99]" in msg  # the line of the learner's code that raised


def test_nan_in_answer():
    msg = failure(lambda x, w: loop_conv(x, w) * np.nan)
    assert "your answer contains NaN values" in msg


def test_static_use_of_the_library_function_is_flagged_before_running():
    ran = []

    def conv2d(x, w):
        ran.append(1)
        return F.conv2d(torch.as_tensor(x), torch.as_tensor(w)).numpy()  # right values, wrong way

    with pytest.raises(ForbiddenCall) as info:
        check(conv2d)
    assert not ran
    msg = str(info.value)
    assert msg.startswith("\u2718 conv2d: your answer uses `conv2d`, the library version of what this "
                          "exercise asks you to write yourself.")


def test_alias_of_the_library_function_is_flagged():
    from torch.nn.functional import conv2d as my_fast_conv

    def conv2d(x, w):
        return my_fast_conv(torch.as_tensor(x), torch.as_tensor(w)).numpy()

    with pytest.raises(ForbiddenCall, match="your answer uses `my_fast_conv`"):
        check(conv2d)


def _helper_namespace() -> dict:
    ns: dict = {}
    exec("import torch.nn.functional as F\n"
         "def fast(x, w):\n"
         "    return getattr(F, 'conv' + '2d')(x, w)  # invisible to a static look\n", ns)
    return ns


def test_indirect_call_through_a_helper_is_caught_by_the_tripwire():
    fast = _helper_namespace()["fast"]

    def conv2d(x, w):
        return fast(torch.as_tensor(x), torch.as_tensor(w)).numpy()

    with pytest.raises(ForbiddenCall) as info:
        check(conv2d)
    assert "your answer calls `torch.nn.functional.conv2d`" in str(info.value)
    assert F.conv2d is torch.conv2d  # the tripwire is gone afterwards
    assert torch.nn.functional.conv2d(torch.ones(1, 1, 2, 2), torch.ones(1, 1, 1, 1)).sum() == 4


def test_helper_defined_in_the_notebook_that_calls_the_library_is_flagged():
    ns: dict = {}
    exec("import torch, torch.nn.functional as F\n"
         "def helper(x, w):\n"
         "    return F.conv2d(torch.as_tensor(x), torch.as_tensor(w)).numpy()\n"
         "def conv2d(x, w):\n"
         "    return helper(x, w)\n", ns)
    with pytest.raises(ForbiddenCall, match="uses `conv2d` .*through your helper `helper`"):
        check(ns["conv2d"])


def test_local_variable_with_a_forbidden_name_is_not_a_hit(capsys):
    def conv2d(x, w):
        out = loop_conv(x, w)
        return out

    grading.check_function(conv2d, reference_conv, CASES[:1], name="conv2d", forbidden=["numpy.pad", "out"])
    assert "correct" in capsys.readouterr().out


def test_tuple_outputs_wrong_count():
    with pytest.raises(CheckFailed, match=r"expected a tuple of 2 values, got tuple of 1"):
        grading.check_function(lambda x: (x,), lambda x: (x, x), [(np.ones(3),)], name="pair")


def test_check_value_messages(capsys):
    grading.check_value("output size", 5, 5)
    assert capsys.readouterr().out == "\u2714 output size: correct. Well done!\n"
    with pytest.raises(CheckFailed, match=r"output size: expected 5, got 6\.\n  Hint: floor"):
        grading.check_value("output size", 6, 5, hint="floor((n + 2p - f) / s) + 1")
    with pytest.raises(CheckFailed, match=r"expected \(5, 5\), got \(5, 4\)"):
        grading.check_value("shape", (5, 4), (5, 5))


def test_learner_cannot_change_the_cases_seen_by_the_reference():
    """An answer that zeroes its input after computing a right result: the learner's
    function runs before the reference, so without a private copy per call the reference
    would see zeros and the right answer would fail; the test's own arrays, shared by two
    cases here as the chapters share x_rgb, must come back untouched."""
    def conv2d(x, w):
        out = loop_conv(x, w)
        x[...] = 0  # mutates its input
        w[...] = 0
        return out

    x, w = CASES[0]
    x_before, w_before = x.copy(), w.copy()
    grading.check_function(conv2d, reference_conv, [(x, w), (x, w)], name="conv2d")
    assert np.array_equal(x, x_before) and np.array_equal(w, w_before)
    t = torch.tensor(x)  # tensors are copied too (they have no .copy())
    grading.check_function(lambda a: a.mul_(2) / 2, lambda a: a.clone(), [(t,), (t,)], name="halve")
    assert torch.equal(t, torch.tensor(x))


def test_numbers_are_shown_as_a_learner_writes_them():
    with pytest.raises(CheckFailed) as info:
        grading.check_value("conv_single_step", np.float64(3.25), 4.5)
    assert "expected 4.5, got 3.25." in str(info.value)
    with pytest.raises(CheckFailed) as info:
        grading.check_function(lambda n: (np.int64(n), np.int64(n)), lambda n: (n, n + 1), [(3,)], name="size")
    assert "expected 4, got 3." in str(info.value)


def test_reloading_grading_keeps_the_exception_classes():
    """Graded cells reload course_lib.grading (undoing patched checks); a CheckFailed raised
    after the reload must still be caught by an `except CheckFailed` taken before it."""
    import importlib

    before = (grading.CheckFailed, grading.ForbiddenCall)
    importlib.reload(grading)
    assert (grading.CheckFailed, grading.ForbiddenCall) == before
    with pytest.raises(CheckFailed):
        grading.check_value("n", 1, 2)

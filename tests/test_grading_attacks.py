"""A class that tries to cheat `make grade` (issue 11), graded once, each attack its exact points.

The fixture tests/fixtures/notebooks/attacks/02_tiny_conv.ipynb has two numpy exercises
shaped like chapter 02's (zero_pad 2 points, conv_forward 3 points; references from
course_lib.conv). Every attacker starts from the released notebook and adds lines to the
first solution cell, as in the issue; honest students are graded in the same run and must
get exactly their due, and the teacher's files must not change by a byte.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import nbformat
import pytest

from course_lib.grading import autograde, judge, sandbox

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "notebooks" / "attacks"
NB = "02_tiny_conv.ipynb"
TIMEOUT = 10

PAD = ("def zero_pad(x, p):\n    N, C, H, W = x.shape\n    out = np.zeros((N, C, H + 2 * p, W + 2 * p))\n"
       "    out[:, :, p:p + H, p:p + W] = x\n    return out\n")
CONV = ("def conv_forward(x, w):\n    N, C, H, W = x.shape\n    K, _, f, _ = w.shape\n"
        "    out = np.zeros((N, K, H - f + 1, W - f + 1))\n    for i in range(H - f + 1):\n"
        "        for j in range(W - f + 1):\n"
        "            out[:, :, i, j] = (x[:, None, :, i:i + f, j:j + f] * w[None]).sum(axis=(2, 3, 4))\n"
        "    return out\n")
ZEROS = ("def zero_pad(x, p):\n    return np.zeros((x.shape[0], x.shape[1], x.shape[2] + 2 * p, x.shape[3] + 2 * p))\n"
         "def conv_forward(x, w):\n"
         "    return np.zeros((x.shape[0], w.shape[0], x.shape[2] - w.shape[2] + 1, x.shape[3] - w.shape[3] + 1))\n")

# each attack: the first solution cell, the notebook's exact points, and (if given) the second
# solution cell; otherwise that one keeps `raise NotImplementedError()`
ATTACKS = {
    "patches_reload_and_check": (
        "import importlib, course_lib.grading as g\nimportlib.reload = lambda module: module\n"
        "g.check_function = lambda *args, **kwargs: print('\\u2714 correct. Well done!')\n" + ZEROS, 0),
    "patches_allclose_and_abs": (
        "import builtins\nnp.allclose = lambda *a, **k: True\nnp.isclose = lambda a, b, **k: np.ones(np.shape(b), bool)\n"
        "builtins.abs = lambda x: 0\n" + ZEROS, 0),
    "replaces_the_references": (
        "import course_lib.conv as c\n"
        "c.zero_pad = lambda x, p: np.zeros((x.shape[0], x.shape[1], x.shape[2] + 2 * p, x.shape[3] + 2 * p))\n"
        "c.conv2d_naive = lambda x, w, b, **k: np.zeros((x.shape[0], w.shape[0], x.shape[2] - w.shape[2] + 1, "
        "x.shape[3] - w.shape[3] + 1))\n" + ZEROS, 0),
    "rewrites_the_test_cells": (
        "def _blank(lines):\n    return ['pass\\n'] if any('check_function' in l for l in lines) else lines\n"
        "get_ipython().input_transformers_cleanup.append(_blank)\n" + ZEROS, 0),
    "edits_the_gradebook": (
        "import glob, sqlite3\nfor db in set(glob.glob('../../../gradebook.db') + glob.glob('/tmp/**/gradebook.db', recursive=True)):\n"
        "    try:\n        con = sqlite3.connect(db)\n        con.execute('UPDATE grade SET manual_score = 100')\n"
        "        con.commit()\n    except Exception:\n        pass\n" + ZEROS, 0),
    "writes_into_course_lib": (
        "import pathlib, course_lib.grading as g\n"
        "for path in (pathlib.Path(g.__file__), pathlib.Path(g.__file__).with_name('judge.py')):\n"
        "    try:\n        path.write_text(path.read_text() + '\\ndef check_function(*a, **k):\\n    print(\"ok\")\\n')\n"
        "    except OSError:\n        pass\n" + ZEROS, 0),
    "library_synonyms": (
        "def zero_pad(x, p):\n    return getattr(conv, 'zero' + '_pad')(x, p)\n", 0,
        "def conv_forward(x, w):\n    t = __import__('torch')\n"
        "    return t.convolution(t.from_numpy(x), t.from_numpy(w), None, (1, 1), (0, 0), (1, 1), False, (0, 0), 1).numpy()\n"),
    "private_helper_synonym": (
        "from course_lib.conv import zero_pad as _zp\nzero_pad = lambda x, p: _zp(x, p)\n", 0,
        "from course_lib.conv import conv2d_im2col as _c\n"
        "def conv_forward(x, w):\n    return _c(x, w, np.zeros(w.shape[0]))\n"),
    "kills_the_grader": ("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n" + PAD, 0, CONV),
    # not cheating, but harmful: more memory than the limit (that cell fails, the rest is graded),
    # and a cell that ignores the interrupt and loops (README: that notebook gets zero)
    "allocates_too_much": ("_hog = bytearray(5 * 2**30)\n" + PAD, 3, CONV),
    "ignores_sigint_and_loops": (PAD, 0, CONV + "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                 "while True:\n    pass\n"),
}
HONEST = {"reference": 5, "untouched": 0, "pad_only": 2, "honest_after_attackers": 5}


def _released(tmp_path) -> nbformat.NotebookNode:
    autograde.release(FIXTURES, tmp_path / "release")
    return nbformat.read(tmp_path / "release" / NB, as_version=4)


def _with(nb, first: str | None = None, second: str | None = None):
    nb = nbformat.from_dict(nb)
    sols = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    if first is not None:
        sols[0].source = first
    if second is not None:
        sols[1].source = second
    return nb


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    if sandbox.available() is not None:
        pytest.fail(f"these tests need bubblewrap: {sandbox.available()}")
    tmp = tmp_path_factory.mktemp("attacks")
    released = _released(tmp)
    subs = tmp / "submissions"
    cases = {name: _with(released, *spec[:1], *spec[2:]) for name, spec in ATTACKS.items()}
    cases["reference"] = nbformat.read(FIXTURES / NB, as_version=4)
    cases["untouched"] = released
    cases["pad_only"] = _with(released, PAD, "def conv_forward(x, w):\n    return x\n")
    cases["honest_after_attackers"] = _with(released, PAD, CONV)
    for student, nb in cases.items():
        (subs / student).mkdir(parents=True)
        nbformat.write(nb, str(subs / student / NB))
    # the package the attacks write into (the grading package, not all of course_lib: other
    # modules may change under a developer's hands while this runs)
    before = {"grading": _digest(REPO / "course_lib" / "grading"), "fixtures": _digest(FIXTURES), "subs": _digest(subs)}
    gradebooks = []
    real_close = judge.JudgeKernel.close

    def close(self):  # the grader's own gradebook, hashed before its temporary folder goes
        book = self.folder.parent / "template" / "gradebook.db"
        if book.exists():
            gradebooks.append(hashlib.sha256(book.read_bytes()).hexdigest())
        real_close(self)

    real_generate = autograde._generate

    def generate(root, notebooks):
        errors = real_generate(root, notebooks)
        gradebooks.append(hashlib.sha256((Path(root) / "gradebook.db").read_bytes()).hexdigest())
        return errors

    mp = pytest.MonkeyPatch()
    mp.setattr(judge.JudgeKernel, "close", close)
    mp.setattr(autograde, "_generate", generate)
    try:
        results = autograde.grade_folder(subs, FIXTURES, tmp / "out", workers=2, timeout=TIMEOUT)
    finally:
        mp.undo()
    after = {"grading": _digest(REPO / "course_lib" / "grading"), "fixtures": _digest(FIXTURES), "subs": _digest(subs)}
    return {r.student_id: r for r in results}, before, after, gradebooks


@pytest.mark.parametrize("student", list(ATTACKS) + list(HONEST))
def test_exact_points(graded, student):
    results = graded[0]
    want = ATTACKS[student][1] if student in ATTACKS else HONEST[student]
    r = results[student]
    assert (r.points, r.max_points) == (want, 5), (student, r.reason)
    assert (r.reason == "") == (want == 5), r.reason


def test_every_attackers_row_says_what_happened(graded):
    results = graded[0]
    for student in ATTACKS:
        assert results[student].reason, student
    assert "not implemented yet" in results["patches_reload_and_check"].reason
    assert "values differ" in results["patches_allclose_and_abs"].reason
    assert "values differ" in results["replaces_the_references"].reason
    syn = results["library_synonyms"].exercises[0].message
    assert "`course_lib` is not available in this exercise" in syn and "numpy only" in syn, syn
    assert "`torch` is not available in this exercise" in results["library_synonyms"].exercises[1].message
    assert "not available in this exercise" in results["private_helper_synonym"].exercises[1].message
    assert "killed" in results["kills_the_grader"].reason, results["kills_the_grader"].reason
    assert "MemoryError" in results["allocates_too_much"].reason
    assert "ignored the interrupt" in results["ignores_sigint_and_loops"].reason, results["ignores_sigint_and_loops"].reason
    feedback = (graded[0]["patches_allclose_and_abs"].exercises[0].message)
    assert "expected:" in feedback and "got:" in feedback


def test_teachers_files_and_gradebook_unchanged(graded):
    _, before, after, gradebooks = graded
    assert after == before
    assert len(gradebooks) == 2 and gradebooks[0] == gradebooks[1]


def test_each_submission_in_its_own_sandbox_process(graded):
    results = graded[0]
    pids = [r.worker for r in results.values() if r.worker]
    assert len(pids) == len(results) and len(set(pids)) == len(pids) and os.getpid() not in pids


def test_without_bubblewrap_grading_refuses_unless_unsafe(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sandbox, "available", lambda: "bubblewrap (`bwrap`) is not installed")
    (tmp_path / "subs" / "alice").mkdir(parents=True)
    shutil.copy(FIXTURES / NB, tmp_path / "subs" / "alice" / NB)
    with pytest.raises(autograde.SandboxUnavailable, match="--unsafe"):
        autograde.grade_folder(tmp_path / "subs", FIXTURES, None)
    assert autograde.main(["grade", str(tmp_path / "subs"), "--notebooks", str(FIXTURES),
                           "--out", str(tmp_path)]) == 3
    assert "bubblewrap" in capsys.readouterr().err
    assert not (tmp_path / "grades.csv").exists()


def test_static_check_follows_helpers_and_aliases():
    code = ["from numpy import pad as p\nimport numpy as np",
            "def helper(x, n):\n    return p(x, n)\n", "def zero_pad(x, pad):\n    return helper(x, pad)\n",
            "def clean(x, pad):\n    out = np.zeros(3)\n    return out\n"]
    assert judge.static_hits(code, "zero_pad", ["numpy.pad"]) == ["pad"]
    assert judge.static_hits(code, "clean", ["numpy.pad"]) == []  # a variable called pad is not numpy.pad


def test_extract_code_keeps_definitions_only():
    cells = [{"cell_type": "code", "source": "import numpy as np\nx = train_for_an_hour()\nK = 3\n%matplotlib inline"},
             {"cell_type": "code", "source": "def f(x):\n    return x + K\n"},
             {"cell_type": "code", "metadata": {"nbgrader": {"grade": True, "grade_id": "f_test"}},
              "source": "assert f(1) == 4"}]
    code = judge.extract_code(cells)
    assert code == ["import numpy as np", "K = 3", "def f(x):\n    return x + K"]

"""A failing check shows the learner one clean red block (expected, got, hint), not a
traceback into course_lib; the cell still fails (an error output nbgrader and nbval see);
a bug in the learner's own function is still located in their code. Executed in a real
kernel, as JupyterLab would."""
from __future__ import annotations

import re

import nbformat
import pytest
from nbclient import NotebookClient

from course_lib.grading import CheckFailed

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_render_traceback_is_the_message_only():
    err = CheckFailed("\u2718 f: expected 3, got 4.\n  Hint: add one.")
    lines = [ANSI.sub("", line) for line in err._render_traceback_()]
    assert lines == ["CheckFailed:", "\u2718 f: expected 3, got 4.", "  Hint: add one."]
    assert all(line.startswith("\x1b[1;31m") for line in err._render_traceback_())   # red


@pytest.fixture(scope="module")
def outputs():
    cells = [
        "import numpy as np\nfrom course_lib import grading\n"
        "def double(x):\n    return x * 3\n"
        "def broken(x):\n    return x.undefined_attribute\n",
        "grading.check_function(double, reference=lambda x: x * 2, cases=[(np.array([1.0, 2.0]),)],\n"
        "                       name='double', hint='multiply by two')",
        "grading.check_function(broken, reference=lambda x: x * 2, cases=[(np.array([1.0]),)], name='broken')",
        "double(np.array([1.0])) + undefined_name",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True).execute()
    return [c.outputs for c in nb.cells]


def _error(cell_outputs):
    errors = [o for o in cell_outputs if o.output_type == "error"]
    assert len(errors) == 1, cell_outputs
    return errors[0], ANSI.sub("", "\n".join(errors[0].traceback))


def test_a_wrong_answer_is_one_red_block_and_still_an_error(outputs):
    err, text = _error(outputs[1])
    assert err.ename == "CheckFailed"                      # nbgrader / nbval see a failed cell
    assert "expected" in text and "got" in text and "Hint: multiply by two" in text
    assert "grading" not in text.replace("course_lib.grading", "") and ".py" not in text   # no frames
    assert "Traceback" not in text and "File " not in text


def test_a_bug_in_the_learners_function_points_at_their_line(outputs):
    err, text = _error(outputs[2])
    assert err.ename == "CheckFailed"
    assert "AttributeError" in text and "In your code, line 6: `return x.undefined_attribute`" in text


def test_other_errors_keep_their_ordinary_traceback(outputs):
    err, text = _error(outputs[3])
    assert err.ename == "NameError" and "undefined_name" in text and "----> 1" in text

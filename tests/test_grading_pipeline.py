"""The release/grade pipeline (course_lib.grading.autograde, built on nbgrader), case by case.

Most tests use the tiny exercise notebooks in tests/fixtures/notebooks (same nbgrader cell
format as the chapters, a second each to run): one class of submissions, one per
robustness case, is graded ONCE (2 workers, a 10 s per-cell timeout) and each test checks
the exact points of its case. The last test grades the real chapter notebooks that exist:
reference solutions must get full marks and the untouched student version zero.
"""
from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_lib.grading import autograde

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "notebooks"
BASICS, MORE = "01_tiny_basics.ipynb", "02_tiny_more.ipynb"
MAX = {BASICS: 6, MORE: 4}  # points in the fixtures: scale 2, relu 3, row_sums 1 | count_positive 4
TIMEOUT = 10  # seconds per cell in these tests (the default is autograde.DEFAULT_TIMEOUT)
ODD = "Zoë O'Brien, [late] *"

CORRECT = {
    "tiny_scale": "def scale(x, a):\n    return a * np.asarray(x, dtype=float)\n",
    "tiny_relu": "def relu(x):\n    x = np.asarray(x, dtype=float)\n    return x * (x > 0)\n",
    "tiny_row_sums": "def row_sums(x):\n    return np.asarray(x).sum(axis=1)\n",
    "tiny_count_positive": "def count_positive(x):\n    return int(np.sum(np.asarray(x) > 0))\n",
}


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _student(released, name, **changes):
    """The released notebook with every exercise answered correctly, then ``changes``
    (grade_id -> new source, or None to delete the cell)."""
    nb = nbformat.from_dict(released[name])
    for gid, src in CORRECT.items():
        if any(c.metadata.get("nbgrader", {}).get("grade_id") == gid for c in nb.cells):
            _cell(nb, gid).source = src
    for gid, src in changes.items():
        if src is None:
            nb.cells.remove(_cell(nb, gid))
        else:
            _cell(nb, gid).source = src
    return nb


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    out = tmp_path_factory.mktemp("release")
    paths = autograde.release(FIXTURES, out)
    return {p.name: nbformat.read(p, as_version=4) for p in paths}


# student -> {notebook: contents (notebook, text, or None for "not handed in")}, expected points
def _class(released):
    ref = {n: nbformat.read(FIXTURES / n, as_version=4) for n in MAX}
    ok_more = _student(released, MORE)
    loop = "def scale(x, a):\n    while True:\n        pass\n"
    patch = ("import course_lib.grading as g\n"
             "g.check_function = lambda *args, **kwargs: print('correct!')\n"
             "def scale(x, a):\n    return x\n")
    return {
        "reference": ({BASICS: ref[BASICS], MORE: ref[MORE]}, {BASICS: 6, MORE: 4}),
        "untouched": ({BASICS: released[BASICS], MORE: released[MORE]}, {BASICS: 0, MORE: 0}),
        "one_wrong": ({BASICS: _student(released, BASICS, tiny_relu="def relu(x):\n    return x\n"),
                       MORE: ok_more}, {BASICS: 3, MORE: 4}),
        "calls_library": ({BASICS: _student(released, BASICS,
                                            tiny_relu="def relu(x):\n    return np.maximum(x, 0)\n"),
                           MORE: ok_more}, {BASICS: 3, MORE: 4}),
        "passes_visible_only": ({BASICS: _student(released, BASICS, tiny_row_sums=(
            "def row_sums(x):\n    return np.full(len(x), 3.0)  # right for the visible case only\n")),
            MORE: ok_more}, {BASICS: 5, MORE: 4}),
        "raises_at_import": ({BASICS: _setup(_student(released, BASICS), "import nump as np"),
                              MORE: _setup(ok_more, "import nump as np")}, {BASICS: 0, MORE: 0}),
        "infinite_loop": ({BASICS: _student(released, BASICS, tiny_scale=loop), MORE: ok_more},
                          {BASICS: 4, MORE: 4}),
        "kills_its_kernel": ({BASICS: ref[BASICS], MORE: _setup(ok_more, "import numpy as np, os\nos._exit(3)")},
                             {BASICS: 6, MORE: 0}),
        "not_json": ({BASICS: '{"cells": [ this is not json', MORE: ok_more}, {BASICS: 0, MORE: 4}),
        "empty": ({BASICS: "", MORE: ok_more}, {BASICS: 0, MORE: 4}),
        "missing": ({BASICS: None, MORE: ok_more, "notes/" + BASICS.replace("01", "1"): ref[BASICS]},
                    {BASICS: 0, MORE: 4}),
        "unzipped_in_a_subfolder": ({"hw/" + BASICS: ref[BASICS], "hw/" + MORE: ok_more},
                                    {BASICS: 6, MORE: 4}),
        ODD: ({BASICS: ref[BASICS], MORE: ref[MORE]}, {BASICS: 6, MORE: 4}),
        "deleted_test": ({BASICS: _student(released, BASICS, tiny_scale_test=None), MORE: ok_more},
                         {BASICS: 4, MORE: 4}),
        "edited_test": ({BASICS: _student(released, BASICS, tiny_scale="def scale(x, a):\n    return x\n",
                                          tiny_scale_test="print('all tests passed')"), MORE: ok_more},
                        {BASICS: 4, MORE: 4}),
        "redefined_check": ({BASICS: _student(released, BASICS, tiny_scale=patch), MORE: ok_more},
                            {BASICS: 4, MORE: 4}),
    }


def _setup(nb, source):
    nb = nbformat.from_dict(nb)
    next(c for c in nb.cells if c.cell_type == "code").source = source
    return nb


@pytest.fixture(scope="module")
def graded(released, tmp_path_factory):
    root = tmp_path_factory.mktemp("grading")
    subs = root / "submissions"
    cases = _class(released)
    for student, (files, _) in cases.items():
        (subs / student).mkdir(parents=True)
        for name, content in files.items():
            (subs / student / name).parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, str):
                (subs / student / name).write_text(content, encoding="utf-8")
            elif content is not None:
                nbformat.write(content, str(subs / student / name))
    (subs / "stray_file.txt").write_text("not a student folder")
    (subs / ".ipynb_checkpoints").mkdir()
    cwd = root / "cwd"  # grading must leave no gradebook.db or log where it is run
    cwd.mkdir()
    here = os.getcwd()
    os.chdir(cwd)
    try:
        results = autograde.grade_folder(subs, FIXTURES, root / "out", workers=2, timeout=TIMEOUT)
    finally:
        os.chdir(here)
    assert list(cwd.iterdir()) == []
    return cases, {(r.student_id, r.notebook): r for r in results}, root / "out"


def test_release_writes_student_versions_only_for_exercise_notebooks(released):
    assert sorted(released) == [BASICS, MORE]  # 00_tiny_intro has no exercises
    for name, nb in released.items():
        text = nbformat.writes(nb)
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
        assert "hidden" not in text  # the hidden checks' names went with them
        solutions = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
        assert solutions and all("raise NotImplementedError()" in c.source for c in solutions)
        tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
        assert tests and all(c.metadata.nbgrader.locked and c.metadata.get("editable") is False
                             and c.metadata.get("deletable") is False for c in tests)
        assert all(c.source.startswith("import importlib, course_lib.grading as grading") for c in tests)
        assert all(c.get("outputs", []) == [] for c in nb.cells if c.cell_type == "code")


def test_release_command_changes_nothing_outside_release(tmp_path):
    work = tmp_path / "course"
    shutil.copytree(FIXTURES, work / "notebooks")
    (work / "README.md").write_text("a course\n")

    def snapshot():
        return {str(p.relative_to(work)): (p.stat().st_size, p.stat().st_mtime_ns)
                for p in work.rglob("*") if "release" not in p.relative_to(work).parts}

    before = snapshot()
    done = subprocess.run([sys.executable, "-m", "course_lib.grading.autograde", "release"], cwd=work,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert snapshot() == before
    assert sorted(p.name for p in (work / "release").iterdir()) == [BASICS, MORE]
    assert "Wrote 2 student notebook(s)" in done.stdout


def test_makefile_targets_call_the_entry_point():
    dry = subprocess.run(["make", "-n", "release", "grade", "SUBMISSIONS=subs"], cwd=REPO,
                         capture_output=True, text=True, timeout=60)
    assert dry.returncode == 0, dry.stderr
    assert "-m course_lib.grading.autograde release" in dry.stdout
    assert "-m course_lib.grading.autograde grade" in dry.stdout and "subs" in dry.stdout


def test_grade_without_submissions_is_a_clear_error(capsys):
    assert autograde.main(["grade"]) == 2
    assert "make grade SUBMISSIONS=<folder>" in capsys.readouterr().err
    assert autograde.main(["grade", "/no/such/folder"]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_grade_an_empty_folder_says_so(tmp_path, capsys):
    (tmp_path / "alice.ipynb").write_text("{}")
    assert autograde.main(["grade", str(tmp_path), "--notebooks", str(FIXTURES), "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "Not student folders, so not graded: alice.ipynb" in err and "No student folder in" in err


@pytest.mark.parametrize("student", [
    "reference", "untouched", "one_wrong", "calls_library", "passes_visible_only",
    "raises_at_import", "infinite_loop", "kills_its_kernel", "not_json", "empty", "missing", "unzipped_in_a_subfolder", ODD,
    "deleted_test", "edited_test", "redefined_check"])
def test_exact_points(graded, student):
    cases, results, _ = graded
    for name, expected in cases[student][1].items():
        r = results[(student, name)]
        assert (r.points, r.max_points) == (expected, MAX[name]), (student, name, r.reason)
        assert (r.reason == "") == (expected == MAX[name]), f"a reason for every loss only: {r.reason!r}"


def test_reasons_say_what_went_wrong(graded):
    _, results, _ = graded
    reason = {k[0]: r.reason for k, r in results.items() if k[1] == BASICS}
    assert reason["untouched"].count("not implemented yet") == 3
    assert reason["one_wrong"].startswith("tiny_relu (-3): relu (test case 1): values differ")
    assert "numpy.maximum" in reason["calls_library"] or "`maximum`" in reason["calls_library"]
    assert reason["passes_visible_only"].startswith("tiny_row_sums (-1): row_sums (hidden) (test case 1)")
    assert "ModuleNotFoundError: No module named 'nump'" in reason["raises_at_import"]
    assert f"did not finish within {TIMEOUT} s" in reason["infinite_loop"]
    assert "not valid JSON" in reason["not_json"]
    assert results[("kills_its_kernel", MORE)].reason.startswith("the notebook's kernel died")
    assert "empty file" in reason["empty"]
    assert reason["missing"] == f"missing notebook (the folder holds: {MORE}, notes/1_tiny_basics.ipynb)"
    assert "deleted" in reason["deleted_test"]
    assert reason["edited_test"].startswith("tiny_scale (-2): scale (test case 1): values differ")
    assert reason["redefined_check"].startswith("tiny_scale (-2): scale (test case 1): values differ")


def test_grades_csv_has_one_row_per_student_and_notebook(graded):
    cases, results, out = graded
    with open(out / "grades.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["student_id", "notebook", "points", "max_points", "reason"]
    assert {(r["student_id"], r["notebook"]) for r in rows} == {(s, n) for s in cases for n in MAX}
    for row in rows:
        assert float(row["points"]) == cases[row["student_id"]][1][row["notebook"]]
        assert float(row["max_points"]) == MAX[row["notebook"]]
    assert "stray_file.txt" not in {r["student_id"] for r in rows}


def test_feedback_file_per_student_with_the_checks_message(graded):
    cases, _, out = graded
    files = sorted(p.name for p in (out / "feedback").glob("*.md"))
    assert len(files) == len(cases)
    text = (out / "feedback" / "one_wrong.md").read_text(encoding="utf-8")
    assert "## 01_tiny_basics.ipynb: 3 / 6 points" in text
    assert "\u2718 `tiny_relu`: 0 / 3" in text and "\u2714 `tiny_scale`: 2 / 2" in text
    assert "expected:" in text and "got:" in text and "Hint: Keep positive entries" in text
    odd = [f for f in files if f.startswith("Zoë")]
    assert odd, files
    assert f"# Feedback for {ODD}" in (out / "feedback" / odd[0]).read_text(encoding="utf-8")


def test_each_submission_ran_in_a_sandbox_process_of_its_own(graded):
    _, results, _ = graded
    workers = [r.worker for r in results.values() if r.worker]
    assert len(workers) >= 20 and len(set(workers)) == len(workers) and os.getpid() not in workers


def test_real_chapters_reference_full_marks_untouched_zero(tmp_path):
    chapters = autograde.exercise_notebooks(REPO / "notebooks")
    if not chapters:
        pytest.skip("no chapter notebook in notebooks/ has nbgrader exercises yet")
    released = autograde.release(REPO / "notebooks", tmp_path / "release")
    for p in chapters:
        for student, src in (("reference", p), ("untouched", tmp_path / "release" / p.name)):
            (tmp_path / "subs" / student).mkdir(parents=True, exist_ok=True)
            shutil.copy(src, tmp_path / "subs" / student / p.name)
    assert len(released) == len(chapters)
    for p in chapters:  # no solution line and no hidden test survives in the student version
        student = nbformat.read(tmp_path / "release" / p.name, as_version=4)
        by_id = {c.metadata.nbgrader.grade_id: c.source for c in student.cells if "nbgrader" in c.metadata}
        for cell in nbformat.read(p, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            for begin, end in (("### BEGIN SOLUTION", "### END SOLUTION"),
                               ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")):
                if begin in cell.source and meta.get("grade_id"):
                    secret = cell.source.split(begin)[1].split(end)[0].strip()
                    assert secret not in by_id[meta["grade_id"]], (p.name, meta["grade_id"], begin)
                    assert begin not in by_id[meta["grade_id"]]
            if meta.get("solution"):
                assert "raise NotImplementedError()" in by_id[meta["grade_id"]]
    # generous per-cell timeout: this checks marks, not speed (chapters train small models)
    results = autograde.grade_folder(tmp_path / "subs", REPO / "notebooks", None, workers=2, timeout=600)
    assert len(results) == 2 * len(chapters)
    for r in results:
        want = r.max_points if r.student_id == "reference" else 0
        assert r.max_points > 0 and r.points == want, (r.student_id, r.notebook, r.reason)


def test_failure_reason_is_read_from_nbgrader_log():
    log = ("[ERROR] There was an error processing assignment: x\n"
           "    jsonschema.exceptions.ValidationError: 'cells' is a required property\n"
           "nbgrader.converters.base.NbGraderException: Please see the the above traceback\n")
    assert autograde._failure(log) == ("nbgrader could not run this notebook: "
                                       "ValidationError: 'cells' is a required property")
    assert autograde._failure("nothing useful") == "nbgrader could not run this notebook: no error message"


def test_release_names_the_cell_that_breaks_nbgrader_and_still_writes_the_others(tmp_path):
    shutil.copy(FIXTURES / BASICS, tmp_path / BASICS)
    nb = nbformat.read(FIXTURES / MORE, as_version=4)
    nb.cells[0].source += "\nWrite your code between the `### BEGIN SOLUTION` and `### END SOLUTION` lines."
    nbformat.write(nb, str(tmp_path / MORE))
    with pytest.raises(RuntimeError) as info:
        autograde.release(tmp_path, tmp_path / "release")
    assert f"could not make the student version of {tmp_path / MORE}" in str(info.value)
    assert "Found: cell 1 (markdown): Write your code between" in str(info.value)
    assert sorted(p.name for p in (tmp_path / "release").iterdir()) == [BASICS]


def test_every_chapter_test_cell_reloads_the_real_checks():
    """A check redefined in a student's notebook is undone only if each graded cell reloads
    course_lib.grading first (the cell format in the developers' guide)."""
    head = ("import importlib, course_lib.grading as grading\n"
            "grading = importlib.reload(grading)")
    chapters = autograde.exercise_notebooks(REPO / "notebooks")
    if not chapters:
        pytest.skip("no chapter notebook in notebooks/ has nbgrader exercises yet")
    for p in chapters:
        for cell in nbformat.read(p, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade"):
                assert cell.source.startswith(head), (p.name, meta.get("grade_id"))
                assert meta.get("points", 0) > 0 and meta.get("locked"), (p.name, meta.get("grade_id"))

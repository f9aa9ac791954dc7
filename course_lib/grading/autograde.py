"""Release student notebooks and grade a class's submissions, with nbgrader.

``make release`` calls :func:`release`: every ``notebooks/*.ipynb`` that holds nbgrader
exercise cells goes through nbgrader's ``generate_assignment`` (solutions replaced by
``raise NotImplementedError()``, hidden tests removed, graded cells locked) into
``release/``. ``make grade SUBMISSIONS=<folder>`` calls :func:`grade_folder`: each
``<folder>/<student_id>/<notebook>.ipynb`` goes through nbgrader's ``autograde`` (the
instructor's test cells, hidden tests included, overwrite the student's; every cell runs
under a per-cell timeout), in parallel worker processes, each with its own temporary
course directory and gradebook. A submission that cannot be read or graded becomes a row
with zero points and a reason; it never stops the others. Results go to ``grades.csv``
and ``feedback/<student_id>.md`` (written by :mod:`course_lib.grading.report`). Nothing is
written outside ``release/``, the output folder and the system's temporary directory.
Teachers' tooling: no notebook introduces it; README.md "For teachers" documents it.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Sequence

import nbformat

from course_lib.grading import judge, sandbox, submission
from course_lib.grading.report import Exercise, Result, format_points, write_feedback, write_grades_csv
from course_lib.grading.submission import failure as _failure, first_line

__all__ = ["Exercise", "Result", "SandboxUnavailable", "exercise_notebooks", "release", "grade_folder",
           "write_grades_csv", "write_feedback", "main"]

# Seconds per cell (README "For teachers"): a chapter's longest cell takes up to ~60 s on an
# idle 2-core machine, and grading runs two kernels at once, so twice that.
DEFAULT_TIMEOUT = 120
# Per submission (README "For teachers"): address space per process, and wall clock in all.
# 4 GiB: torch maps much address space it never touches, and chapter 03 trains models in
# the notebook (its reference run failed to allocate under 2 GiB).
DEFAULT_MEMORY_GIB = 4.0
DEFAULT_WALL = 600.0


# --- which notebooks, and nbgrader set-up ---------------------------------------------

def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _graded_cells(nb) -> list[tuple[str, float]]:
    return [(_meta(c)["grade_id"], float(_meta(c).get("points", 0))) for c in nb.cells
            if _meta(c).get("grade") and "grade_id" in _meta(c)]


def exercise_notebooks(notebooks_dir: str | Path = "notebooks") -> list[Path]:
    """The ``*.ipynb`` files in ``notebooks_dir`` that hold nbgrader solution or graded cells.

    Detected from the cell metadata, so a new chapter needs no code change here.
    Returns the paths sorted by name.
    """
    found = []
    for path in sorted(Path(notebooks_dir).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if any(_meta(c).get("solution") or _meta(c).get("grade") for c in nb.cells):
            found.append(path)
    return found


def _alembic_head() -> str:
    """What nbgrader.api.get_alembic_version asks the `alembic` script for when it creates a
    gradebook, computed in-process: `make` runs .venv/bin/python without .venv/bin on PATH."""
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", ALEMBIC_DIR)
    return ScriptDirectory.from_config(cfg).get_current_head()


def _api(root: Path, timeout: int | None = None):
    import logging

    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    import nbgrader.api

    nbgrader.api.get_alembic_version = _alembic_head
    c = Config()
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.course_id = "course"
    if timeout is not None:
        c.Execute.timeout = int(timeout)
        # no shared IPython history database between parallel kernels; no kernel chatter
        c.Execute.extra_arguments = ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR"]
    api = NbGraderAPI(config=c)
    # nbgrader's log is captured per call (and shown when something fails): keep the
    # terminal calm, and leave the shared "traitlets" logger alone
    log = logging.getLogger("course_lib.grading.autograde.nbgrader")
    log.setLevel(logging.INFO)
    log.propagate = False
    if not log.handlers:
        log.addHandler(logging.NullHandler())
    api.log = log
    return api


def _generate(root: Path, notebooks: Sequence[Path]) -> dict[str, str]:
    """nbgrader generate_assignment, one assignment per notebook; {name: error} for failures."""
    api = _api(root)
    errors = {}
    for path in notebooks:
        src = root / "source" / path.stem
        src.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, src / path.name)
        out = api.generate_assignment(path.stem, force=True, create=True)
        if not out["success"]:
            log = out.get("log", "")
            first = log[log.find("[ERROR]"):][:600] if "[ERROR]" in log else log[-600:]
            hint = ""
            if "solution statement" in log:
                cells = nbformat.read(path, as_version=4).cells
                where = [f"cell {i + 1} ({c.cell_type}): {ln.strip()[:90]}" for i, c in enumerate(cells)
                         if not _meta(c).get("solution") for ln in c.source.splitlines()
                         if "### BEGIN SOLUTION" in ln or "### END SOLUTION" in ln]
                hint = ("\nHint: nbgrader reads `### BEGIN SOLUTION` / `### END SOLUTION` in EVERY "
                        "cell, markdown included; in prose, write them without the `###`. Found: "
                        + "; ".join(where[:3]))
            errors[path.name] = f"nbgrader could not make the student version of {path}:\n{first}{hint}"
            shutil.rmtree(src)
    return errors


def release(notebooks_dir: str | Path = "notebooks", out_dir: str | Path = "release") -> list[Path]:
    """Write the student version of every exercise notebook to ``out_dir/<name>.ipynb``.

    Uses nbgrader's generate_assignment in a temporary course directory (its gradebook
    lives and dies there). Older ``*.ipynb`` in ``out_dir`` that no chapter produces any
    more are removed. Returns the written paths; if a notebook cannot be released, the
    others are still written and a RuntimeError then says what is wrong with it.
    """
    notebooks = exercise_notebooks(notebooks_dir)
    out = Path(out_dir)
    written = []
    with tempfile.TemporaryDirectory(prefix="course-release-") as tmp:
        errors = _generate(Path(tmp), notebooks)
        out.mkdir(parents=True, exist_ok=True)
        for path in notebooks:
            if path.name not in errors:
                target = out / path.name
                shutil.copyfile(Path(tmp) / "release" / path.stem / path.name, target)
                written.append(target)
    for stale in set(out.glob("*.ipynb")) - set(written) - {out / n for n in errors}:
        stale.unlink()
    if errors:
        raise RuntimeError("\n\n".join(errors.values()))
    return written


# --- one submission ---------------------------------------------------------------

def _precheck(path: Path) -> str | None:
    """Why this file cannot be graded at all (missing, empty, not JSON), or None."""
    if not path.is_file():
        return None
    data = path.read_bytes()
    if not data.strip():
        return "empty file (0 bytes of notebook)"
    try:
        text = data.decode("utf-8")
        json.loads(text)
        nbformat.reads(text, as_version=4)
    except UnicodeDecodeError:
        return "not a text file, so not a notebook"
    except json.JSONDecodeError as exc:
        return f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}), so not a notebook"
    except Exception as exc:  # valid JSON but not a notebook: say what nbformat said
        return f"not a Jupyter notebook ({type(exc).__name__}: {str(exc).splitlines()[0][:120]})"
    return None


def _inside(root: str, stem: str, internal_id: str, timeout: str) -> int:
    """In a submission's sandbox: nbgrader autograde of ``root/submitted/<id>/<stem>``.
    Prints one JSON line {success, log, pid} for the grader (which trusts none of it)."""
    warnings.filterwarnings("ignore", module="sqlalchemy")  # nbgrader's, harmless here
    warnings.filterwarnings("ignore", message=".*not in session.*")
    api = _api(Path(root), int(timeout))
    out = api.autograde(stem, internal_id, force=True, create=True)
    print(json.dumps({"success": bool(out["success"]), "pid": os.getpid(),
                      "log": f"{out.get('log', '')}\n{out.get('error', '') or ''}"[-20000:]}))
    return 0


# --- a whole class ----------------------------------------------------------------------

def _find(folder: Path, name: str) -> Path | None:
    """``folder/name``, or the only ``name`` deeper in ``folder`` (an unzipped sub-folder)."""
    if (folder / name).is_file():
        return folder / name
    deeper = [p for p in folder.rglob(name) if p.is_file() and ".ipynb_checkpoints" not in p.parts]
    return deeper[0] if len(deeper) == 1 else None


class SandboxUnavailable(RuntimeError):
    """bubblewrap cannot run here, and the teacher did not pass ``unsafe=True``."""


def grade_folder(submissions: str | Path, notebooks_dir: str | Path = "notebooks",
                 out_dir: str | Path | None = ".", workers: int = 2, timeout: int = DEFAULT_TIMEOUT,
                 only: Sequence[str] | None = None, unsafe: bool = False,
                 memory_gib: float = DEFAULT_MEMORY_GIB, wall: float = DEFAULT_WALL) -> list[Result]:
    """Grade ``submissions/<student_id>/<notebook>.ipynb`` for the exercise notebooks.

    ``notebooks_dir`` holds the instructor's notebooks (with solutions and hidden tests).
    The notebooks graded are ``only`` (names or stems) if given, else every exercise
    notebook that at least one student handed in; a student without it gets zero and
    "missing". Each submission runs in its own bubblewrap sandbox (``memory_gib`` of
    address space per process, ``wall`` seconds in all, each cell under ``timeout``
    seconds), ``workers`` at once; the marks come from the judge, a kernel running the
    teacher's notebook (:mod:`course_lib.grading.submission`). Without bwrap this raises
    SandboxUnavailable unless ``unsafe`` (then every row says so). Writes
    ``out_dir/grades.csv`` and ``out_dir/feedback/`` unless ``out_dir`` is None. Returns
    one :class:`Result` per (student, notebook), sorted.
    """
    submissions = Path(submissions)
    if not submissions.is_dir():
        raise ValueError(f"submissions must be a folder of <student_id>/<notebook>.ipynb, "
                         f"got {str(submissions)!r}, which is not a folder.")
    if int(timeout) < 1 or int(workers) < 1 or not memory_gib > 0 or not wall > 0:
        raise ValueError(f"timeout, workers, memory_gib and wall must be positive, got timeout={timeout}, "
                         f"workers={workers}, memory_gib={memory_gib}, wall={wall}.")
    why = None if unsafe else sandbox.available()
    if why:
        raise SandboxUnavailable(
            f"make grade runs every submission in a bubblewrap sandbox, but {why}. Install it "
            f"(README, For teachers), or grade without a sandbox at your own risk with --unsafe "
            f"(UNSAFE=1 for make grade): every row of grades.csv then says so.")
    available = {p.name: p for p in exercise_notebooks(notebooks_dir)}
    students = sorted(p for p in submissions.iterdir() if p.is_dir() and not p.name.startswith("."))
    if only:
        wanted = [n if n.endswith(".ipynb") else f"{n}.ipynb" for n in only]
        unknown = [n for n in wanted if n not in available]
        if unknown:
            raise ValueError(f"no exercise notebook called {unknown} in {notebooks_dir}; "
                             f"there are {sorted(available)}.")
    else:
        wanted = [n for n in available if any(_find(s, n) for s in students)] or list(available)
    graded_cells = {n: _graded_cells(nbformat.read(available[n], as_version=4)) for n in wanted}
    results: list[Result] = []
    tasks = []
    for k, folder in enumerate(students):
        for name in wanted:
            max_points = sum(p for _, p in graded_cells[name])
            path = _find(folder, name)
            held = sorted(str(p.relative_to(folder)) for p in folder.rglob("*.ipynb"))
            reason = _precheck(path) if path else (
                f"missing notebook (the folder holds: {', '.join(held) or 'no notebook'})")
            if reason:
                results.append(Result(folder.name, name, 0.0, max_points, reason))
            else:
                tasks.append(dict(student_id=folder.name, internal_id=f"s{k:04d}", notebook=name,
                                  stem=Path(name).stem, path=str(path), max_points=max_points,
                                  graded=graded_cells[name]))
    if tasks:
        with tempfile.TemporaryDirectory(prefix="course-grade-") as base:
            results += _grade_tasks(tasks, [available[n] for n in wanted], Path(base), int(workers),
                                    int(timeout), unsafe, sandbox.Limits(int(memory_gib * 2**30), float(wall)))
    results.sort(key=lambda r: (r.student_id, r.notebook))
    if out_dir is not None:
        write_grades_csv(results, Path(out_dir) / "grades.csv")
        write_feedback(results, Path(out_dir) / "feedback")
    return results


def _grade_tasks(tasks: list[dict], notebooks: list[Path], base: Path, workers: int, timeout: int,
                 unsafe: bool, limits) -> list[Result]:
    """Prepare (nbgrader template, one judge per notebook), run the sandboxes ``workers`` at
    a time, score every answer in the judges, and make the rows."""
    results: list[Result] = []

    def skip(notebook: str, why: str) -> None:
        for t in [t for t in tasks if t["notebook"] == notebook]:
            tasks.remove(t)
            results.append(Result(t["student_id"], t["notebook"], 0.0, t["max_points"], why))

    broken = _generate(base / "template", notebooks)
    for name, error in broken.items():
        skip(name, f"not graded: the teacher's notebook could not be prepared ({first_line(error.splitlines()[1])})")
    (base / "runner").mkdir()
    shutil.copyfile(Path(__file__).with_name("runner.py"), base / "runner" / "runner.py")
    judges: dict[str, judge.JudgeKernel] = {}
    judge_errors: dict[str, str] = {}
    ready = {path.name: threading.Event() for path in notebooks}
    ctx = dict(base=str(base), template=str(base / "template"), timeout=timeout, limits=limits,
               unsafe=unsafe, runner=str(base / "runner"), judges=judges, judge_errors=judge_errors,
               ready=ready, threads=max(1, (os.cpu_count() or 1) // workers))
    partials = []
    try:
        with cf.ThreadPoolExecutor(workers) as pool:
            futures = {pool.submit(submission.run_sandboxed, t, ctx): t for t in tasks}
            try:  # while the sandboxes run the notebooks: the judges, here (their kernels stay in this thread)
                for path in notebooks:
                    if path.name not in broken and any(t["notebook"] == path.name for t in tasks):
                        try:
                            judges[path.name] = judge.JudgeKernel(path, base / f"judge-{path.stem}", timeout).start()
                        except RuntimeError as exc:
                            judge_errors[path.name] = f"not graded: {exc}"
                    ready[path.name].set()
            finally:
                for event in ready.values():
                    event.set()
            for fut in cf.as_completed(futures):
                t = futures[fut]
                try:
                    partials.append(fut.result())
                except Exception as exc:  # a bug of ours or nbgrader's: one row, not a crash
                    results.append(Result(t["student_id"], t["notebook"], 0.0, t["max_points"],
                                          f"grading error: {type(exc).__name__}: {exc}"))
        for p in [p for p in partials if p["task"]["notebook"] in judge_errors]:
            partials.remove(p)
            t = p["task"]
            results.append(Result(t["student_id"], t["notebook"], 0.0, t["max_points"],
                                  judge_errors[t["notebook"]]))
        for name, jk in list(judges.items()):
            mine = [p for p in partials if p["task"]["notebook"] == name]
            try:
                verdicts = jk.score([str(f) for p in mine for f, _ in p["answers"].values()])
            except Exception:  # the judge died on some answer: a fresh judge, one submission at a time
                verdicts = {}
                for p in mine:
                    try:
                        jk.close()
                        judges[name] = jk = judge.JudgeKernel(jk.notebook, jk.folder.with_name(
                            jk.folder.name + f"-{p['task']['internal_id']}"), timeout).start()
                        verdicts.update(jk.score([str(f) for f, _ in p["answers"].values()]))
                    except Exception as exc:
                        p["why"], p["cells"] = (f"grading error: the judge could not read this submission's "
                                                f"answers ({type(exc).__name__})"), None
            results += [submission.finish(p, verdicts, jk.checks, timeout, unsafe) for p in mine]
    finally:
        for jk in judges.values():
            jk.close()
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m course_lib.grading.autograde release|grade ...`` (see --help)."""
    parser = argparse.ArgumentParser(prog="python -m course_lib.grading.autograde",
                                     description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rel = sub.add_parser("release", help="write the student notebooks into release/")
    rel.add_argument("--notebooks", default="notebooks")
    rel.add_argument("--out", default="release")
    gr = sub.add_parser("grade", help="grade a folder of submissions: <folder>/<student_id>/<notebook>.ipynb")
    gr.add_argument("submissions", nargs="?", default="", help="<folder>/<student_id>/<notebook>.ipynb")
    gr.add_argument("--notebooks", default="notebooks", help="the teacher's notebooks (default: notebooks)")
    gr.add_argument("--out", default=".", help="where grades.csv and feedback/ go")
    gr.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT, help=f"seconds per cell (default: {DEFAULT_TIMEOUT})")
    gr.add_argument("--workers", type=int, default=2, help="notebooks graded at once (default: 2)")
    gr.add_argument("--only", nargs="*", help="notebook names to grade (default: those handed in)")
    gr.add_argument("--memory", type=float, default=DEFAULT_MEMORY_GIB,
                    help=f"GiB of address space per process in a sandbox (default: {DEFAULT_MEMORY_GIB:g})")
    gr.add_argument("--wall", type=float, default=DEFAULT_WALL,
                    help=f"seconds per submission in all (default: {DEFAULT_WALL:g})")
    gr.add_argument("--unsafe", action="store_true",
                    help="grade without the bubblewrap sandbox (every row of grades.csv says so)")
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "_inside":  # in a submission's sandbox
        return _inside(*sys.argv[2:6])
    args = parser.parse_args(argv)
    if args.command == "release":
        try:
            written = release(args.notebooks, args.out)
        except RuntimeError as exc:
            print(f"make release: {exc}", file=sys.stderr)
            return 1
        print(f"Wrote {len(written)} student notebook(s) to {args.out}/: "
              f"{', '.join(p.name for p in written) or 'none (no notebook has exercises yet)'}")
        return 0
    if not args.submissions:
        print("make grade needs a folder: make grade SUBMISSIONS=<folder>, laid out as "
              "<folder>/<student_id>/<notebook>.ipynb", file=sys.stderr)
        return 2
    start = time.perf_counter()
    try:
        results = grade_folder(args.submissions, args.notebooks, args.out, args.workers,
                               args.timeout, args.only, args.unsafe, args.memory, args.wall)
    except SandboxUnavailable as exc:
        print(f"make grade: {exc}", file=sys.stderr)
        return 3
    except ValueError as exc:
        print(f"make grade: {exc}", file=sys.stderr)
        return 2
    ignored = sorted(p.name for p in Path(args.submissions).iterdir()
                     if not p.is_dir() or p.name.startswith("."))
    if ignored:
        print(f"Not student folders, so not graded: {', '.join(ignored)}", file=sys.stderr)
    if not results:
        print(f"No student folder in {args.submissions}: expected <folder>/<student_id>/<notebook>.ipynb",
              file=sys.stderr)
        return 1
    for r in results:
        points = f"{format_points(r.points):>5} / {format_points(r.max_points):<5}"
        print(f"{r.student_id:>20}  {r.notebook:<36} {points} {r.reason[:70]}")
    students = len({r.student_id for r in results})
    print(f"Graded {len(results)} notebook(s) of {students} student(s) in {time.perf_counter() - start:.1f} s "
          f"({args.workers} sandboxes at once, {args.timeout} s per cell"
          f"{', WITHOUT sandbox (--unsafe)' if args.unsafe else ''}). Wrote {Path(args.out) / 'grades.csv'} "
          f"and {Path(args.out) / 'feedback'}/.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Grade one submission: run it sandboxed, rerun each exercise for the judge, combine.

Two kinds of sandbox (:mod:`course_lib.grading.sandbox`) per submission:

1. the whole notebook, through nbgrader's ``autograde`` (the teacher's test cells, hidden
   tests included, replace the student's; every cell under the per-cell timeout), in a
   private copy of the course folder: this gives the feedback notebook, what each test
   cell said, and whether the notebook runs at all;
2. per exercise, :mod:`course_lib.grading.runner` in a fresh sandbox that sees none of the
   above: the definitions of the submitted notebook, the judge's test inputs and nothing
   of the packages the exercise's rule (:mod:`course_lib.grading.rules`) takes away. Its
   answers (plain data) go to the judge (:class:`course_lib.grading.judge.JudgeKernel`).

An exercise gets its points only if the judge found every answer right, the function uses
none of the forbidden names, and its test cell ran without error in (1). What (1) reports
can only take points away: nothing in a student's kernel can add any.
Teachers' tooling: README.md "For teachers" documents it.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import nbformat

from course_lib.grading import judge, rules, sandbox
from course_lib.grading.report import Exercise, Result, format_points

__all__ = ["run_sandboxed", "finish"]

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def error_text(outputs: list, timeout: int) -> str:
    """What a cell's error outputs say, in one message (a timeout says so)."""
    errors = [o for o in outputs if isinstance(o, dict) and o.get("output_type") == "error"]
    if any(o.get("ename") == "CellTimeoutError" for o in errors):
        return (f"timed out: the cell did not finish within {timeout} s (an infinite loop, "
                f"or code far too slow?)")
    if not errors:
        return ""
    err = errors[0]
    text = _ANSI.sub("", str(err.get("evalue", "")))
    if err.get("ename") in ("CheckFailed", "ForbiddenCall"):
        return text.removeprefix("\u2718 ").strip()
    return f"{err.get('ename')}: {text}".strip()


def failure(log: str) -> str:
    """Why nbgrader could not grade a notebook at all, from its log."""
    if "DeadKernelError" in log:
        return ("the notebook's kernel died (os._exit, a crash, or out of memory?), so nothing "
                "could be graded")
    if "CellTimeoutError" in log:
        return ("a cell did not finish within the per-cell limit and ignored the interrupt (SIGINT), "
                "so nbgrader stopped the notebook and nothing could be graded")
    if "unresponsive" in log:
        return "the notebook's kernel stopped responding and could not be interrupted"
    found = [m for m in re.findall(r"^\s*([A-Za-z_][\w.]*(?:Error|Exception)): (.+)$", log, re.M)
             if not m[0].endswith("NbGraderException")]
    why = f"{found[-1][0].rpartition('.')[2]}: {found[-1][1]}" if found else "no error message"
    return f"nbgrader could not run this notebook: {first_line(why, 160)}"


def first_line(text: str, limit: int = 110) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _notebook_run(task: dict, ctx: dict) -> tuple[dict | None, str, int]:
    """(1): nbgrader autograde in a sandbox. Returns (graded cells by grade_id or None,
    why it could not run, process id)."""
    stem, iid = task["stem"], task["internal_id"]
    scratch = Path(ctx["base"]) / "runs" / f"{iid}-{stem}"
    course = scratch / "course"
    shutil.copytree(Path(ctx["template"]), course, ignore=shutil.ignore_patterns("source", "release"))
    sub_dir = course / "submitted" / iid / stem
    sub_dir.mkdir(parents=True)
    shutil.copyfile(task["path"], sub_dir / f"{stem}.ipynb")
    cmd = [sys.executable, "-m", "course_lib.grading.autograde", "_inside", str(course), stem, iid,
           str(ctx["timeout"])]
    out = sandbox.run(cmd, scratch, ctx["limits"], env={"COURSE_THREADS": str(ctx["threads"])},
                      unsafe=ctx["unsafe"])
    if out.returncode is None:
        return None, (f"stopped: the notebook did not finish within the limit of "
                      f"{ctx['limits'].wall:.0f} s per submission, so nothing could be graded"), out.pid
    status = {}
    for line in reversed(out.stdout.strip().splitlines()):
        try:
            status = json.loads(line)
            break
        except ValueError:
            continue
    if not isinstance(status, dict) or "success" not in status:
        sig = f" (signal {out.signal})" if out.signal else f" (exit status {out.returncode})"
        return None, (f"the grading process in this submission's sandbox was killed{sig}: the notebook "
                      f"ended it (os.kill?) or ran out of memory, so nothing could be graded"), out.pid
    graded_path = course / "autograded" / iid / stem / f"{stem}.ipynb"
    if not status["success"] or not graded_path.is_file() or graded_path.is_symlink():
        return None, failure(str(status.get("log", ""))), out.pid
    try:
        nb = nbformat.read(graded_path, as_version=4)
        cells = {"__all__": nb.cells}
        cells.update({_meta(c).get("grade_id"): c for c in nb.cells if _meta(c).get("grade")})
    except Exception as exc:  # the sandbox wrote something that is not a notebook
        return None, f"the graded notebook could not be read ({type(exc).__name__})", out.pid
    return cells, "", out.pid


def _answers(task: dict, ctx: dict, code: list[str]) -> dict[str, tuple[Path, bool]]:
    """(2): each exercise's function on the judge's inputs, in a sandbox of its own.
    Returns {test grade_id: (answers folder, stopped at the time limit)}."""
    checks = ctx["judges"][task["notebook"]].checks
    key = ctx["judges"][task["notebook"]].key
    answers = {}
    for gid in dict.fromkeys(c["grade_id"] for c in checks if c["portable"]):
        rule = rules.rule_for(gid)
        folder = Path(ctx["base"]) / "answers" / f"{task['internal_id']}-{task['stem']}" / gid
        folder.mkdir(parents=True)
        spec = {"code": code, "inputs": str(key / "inputs"), "out": str(folder / "out"),
                "unavailable": list(rule.unavailable), "why": rule.why,
                "checks": [{"idx": c["idx"], "func": c["func"]} for c in checks
                           if c["grade_id"] == gid and c["portable"]]}
        (folder / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
        limits = sandbox.Limits(ctx["limits"].memory, float(ctx["timeout"]))
        out = sandbox.run([sys.executable, str(Path(ctx["runner"]) / "runner.py"), str(folder / "spec.json")],
                          folder, limits, readonly=[key / "inputs", Path(ctx["runner"])],
                          hide=sandbox.hidden_paths(rule.unavailable), unsafe=ctx["unsafe"],
                          env={"COURSE_THREADS": "1", "OMP_NUM_THREADS": "1"})
        answers[gid] = (folder / "out", out.returncode is None)
    return answers


def run_sandboxed(task: dict, ctx: dict) -> dict:
    """Both sandboxes of one submission (runs in a grader thread). Returns what
    :func:`finish` needs once the judge has scored the answers."""
    start = time.perf_counter()
    cells, why, pid = _notebook_run(task, ctx)
    answers, code = {}, []
    ctx["ready"][task["notebook"]].wait()  # the judge of this notebook has recorded its checks
    if cells is not None and task["notebook"] in ctx["judges"]:  # the file as handed in (read here, outside any sandbox), not as it ran
        code = judge.extract_code(nbformat.read(task["path"], as_version=4).cells)
        answers = _answers(task, ctx, code)
    return dict(task=task, cells=cells, why=why, pid=pid, answers=answers, code=code,
                seconds=time.perf_counter() - start)


def _forbidden_message(name: str, hit: str) -> str:
    return (f"{name}: your answer uses `{hit}`, the library version of what this exercise asks you to "
            f"write yourself. Implement it with basic numpy/torch operations instead (loops, slicing, "
            f"sums, products).")


def _judged(gid: str, checks: list[dict], partial: dict, verdicts: dict, timeout: int) -> str | None:
    """The judge's message for one exercise ('' if right); None if the judge cannot rerun it
    (inputs or answers that are not plain data, e.g. a model): then the notebook's own
    test cell decides, as in plain nbgrader (README, "What is left to trust")."""
    mine = [c for c in checks if c["grade_id"] == gid]
    if not mine:
        return ("this test cell has no course_lib.grading check the judge can rerun, so it cannot be "
                "graded (a problem in the teacher's notebook)")
    if not all(c["portable"] for c in mine):
        return None
    folder, stopped = partial["answers"].get(gid, (None, False))
    for c in mine:
        hits = judge.static_hits(partial["code"], c["func"], c["forbidden"])
        if hits:
            return _forbidden_message(c["name"], hits[0])
    for c in mine:
        msg = verdicts.get(str(folder), {}).get(c["idx"], "no answer")
        if msg and stopped and not (Path(folder) / str(c["idx"]) / "result.json").exists():
            return (f"timed out: {c['name']} did not finish within {timeout} s (an infinite loop, "
                    f"or code far too slow?)")
        if msg:
            return msg.removeprefix("\u2718 ").strip()
    return ""


def finish(partial: dict, verdicts: dict, checks: list[dict], timeout: int, unsafe: bool) -> Result:
    """One row of grades.csv from the sandboxes' results and the judge's verdicts."""
    task, cells = partial["task"], partial["cells"]
    result = Result(task["student_id"], task["notebook"], 0.0, task["max_points"],
                    seconds=partial["seconds"], worker=partial["pid"])
    note = "; graded WITHOUT a sandbox (--unsafe)" if unsafe else ""
    if cells is None:
        result.reason = partial["why"] + note
        return result
    for gid, max_points in task["graded"]:
        name = gid.removesuffix("_test")
        if gid not in cells:
            msg = ("the test cell was deleted (or its nbgrader metadata removed), so it could not run: "
                   "no marks from it")
        else:
            in_kernel = error_text(cells[gid].get("outputs", []), timeout)
            judged = _judged(gid, checks, partial, verdicts, timeout)
            msg = in_kernel if judged is None or in_kernel.startswith("timed out") else (judged or in_kernel)
        result.exercises.append(Exercise(name, 0.0 if msg else max_points, max_points, msg))
    result.points = sum(e.points for e in result.exercises)
    lost = [f"{e.name} (-{format_points(e.max_points - e.points)}): "
            f"{first_line(e.message).rstrip('.') or 'failed'}"
            for e in result.exercises if e.points < e.max_points]
    first = next(((i, c) for i, c in enumerate(cells["__all__"]) if c.cell_type == "code"
                  and not _meta(c).get("grade") and error_text(c.get("outputs", []), timeout)), None)
    if lost and first is not None:
        i, cell = first
        lost.append(f"first error in the notebook, cell {i + 1}: "
                    f"{first_line(error_text(cell.get('outputs', []), timeout))}")
    result.reason = "; ".join(lost) + note
    return result

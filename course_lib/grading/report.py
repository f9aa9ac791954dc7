"""The results of grading a class: ``grades.csv`` and one feedback page per student.

:func:`course_lib.grading.autograde.grade_folder` returns a :class:`Result` per (student,
notebook), each holding an :class:`Exercise` per graded test cell; this module writes them
out: a table for the teacher, a Markdown page a student can read. Teachers' tooling: no
notebook introduces it; README.md "For teachers" documents it.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

__all__ = ["Exercise", "Result", "format_points", "write_grades_csv", "write_feedback"]


@dataclass
class Exercise:
    """One graded test cell of one submission: its points and, if any were lost, why."""
    name: str
    points: float
    max_points: float
    message: str = ""


@dataclass
class Result:
    """One row of grades.csv: a student's notebook, its points and the reason for any loss."""
    student_id: str
    notebook: str
    points: float
    max_points: float
    reason: str = ""
    exercises: list[Exercise] = field(default_factory=list)
    seconds: float = 0.0
    worker: int = 0  # process id of the sandbox that ran it, on the grader's side (0: not run)


def format_points(x: float) -> str:
    """3.0 -> "3", 2.5 -> "2.50": points as a table shows them."""
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}"


def _safe_name(student_id: str) -> str:
    return re.sub(r"[^\w.-]+", "_", student_id).strip("._") or "student"


def write_grades_csv(results: Sequence[Result], path: str | Path) -> Path:
    """One row per (student, notebook): student_id, notebook, points, max_points, reason."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student_id", "notebook", "points", "max_points", "reason"])
        for r in results:
            writer.writerow([r.student_id, r.notebook, format_points(r.points),
                             format_points(r.max_points), r.reason])
    return path


def write_feedback(results: Sequence[Result], folder: str | Path) -> dict[str, Path]:
    """``folder/<student_id>.md`` per student: each exercise, its points, and what failed."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    by_student: dict[str, list[Result]] = {}
    for r in results:
        by_student.setdefault(r.student_id, []).append(r)
    paths: dict[str, Path] = {}
    used: set[str] = set()
    for sid, rows in sorted(by_student.items()):
        stem = base = _safe_name(sid)
        n = 1
        while stem.lower() in used:
            n += 1
            stem = f"{base}_{n}"
        used.add(stem.lower())
        lines = [f"# Feedback for {sid}", ""]
        for r in rows:
            lines += [f"## {r.notebook}: {format_points(r.points)} / {format_points(r.max_points)} points", ""]
            if r.reason and not r.exercises:
                lines += [f"Not graded: {r.reason}", ""]
            for e in r.exercises:
                mark = "\u2714" if e.points >= e.max_points else "\u2718"
                lines.append(f"- {mark} `{e.name}`: {format_points(e.points)} / {format_points(e.max_points)}")
                if e.message:
                    lines += ["", "  ```text", *[f"  {ln}" for ln in e.message.splitlines()], "  ```"]
            if r.reason.startswith("first error") or "first error in the notebook" in r.reason:
                lines += ["", "Note: " + r.reason.split("; ")[-1]]
            lines.append("")
        paths[sid] = folder / f"{stem}.md"
        paths[sid].write_text("\n".join(lines), encoding="utf-8")
    return paths

"""Grading throughput and honesty for ``make bench``: a class of one chapter, graded by the
pipeline's own ``course_lib.grading.autograde.grade_folder`` (sandboxed nbgrader autograde
and the judge, 2 submissions at a time).

``n`` submissions are the instructor's notebook itself (reference answers: full marks
each), plus three that must get exactly their due: the untouched student version (0), one
wrong exercise (loses exactly its points) and a cheater who replaces the checks and
answers with zeros (0). The time is wall clock for the whole ``grade_folder`` call. Run
as a separate process (``python bench/grading_bench.py --json out.json``).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def grading_throughput(notebook: str, n: int = 30, workers: int = 2, timeout: int = 300) -> dict:
    try:
        from course_lib.grading import autograde
    except ImportError as exc:
        return {"ok": False, "why": f"course_lib.grading.autograde is missing ({exc})"}
    if not hasattr(autograde, "grade_folder"):
        return {"ok": False, "why": "course_lib.grading.autograde has no grade_folder"}
    src = REPO / "notebooks" / notebook
    if not src.exists():
        return {"ok": False, "why": f"notebooks/{notebook} does not exist"}
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        subs = Path(tmp) / "submissions"
        for k in range(n):
            (subs / f"student_{k:02d}").mkdir(parents=True)
            shutil.copy(src, subs / f"student_{k:02d}" / notebook)
        due = _special_students(src, Path(tmp), subs)
        t0 = time.perf_counter()
        results = autograde.grade_folder(subs, notebooks_dir=REPO / "notebooks", out_dir=None,
                                         workers=workers, timeout=timeout, only=[notebook])
        seconds = time.perf_counter() - t0
    special = {r.student_id: r for r in results if r.student_id in due}
    wrong_due = {sid: (r.points, due[sid]) for sid, r in special.items() if r.points != due[sid]}
    results = [r for r in results if r.student_id not in due]
    full = sum(1 for r in results if r.max_points > 0 and r.points == r.max_points)
    reasons = sorted({r.reason for r in results if r.reason})
    return {"ok": True, "notebook": notebook, "n": n, "workers": workers, "seconds": seconds,
            "graded": len(results), "full_marks": full, "reasons": reasons[:3],
            "due": {sid: [special[sid].points if sid in special else None, d] for sid, d in due.items()},
            "due_ok": len(special) == len(due) and not wrong_due,
            "per_submission_s": seconds / max(n + len(due), 1), "per_minute": 60 * (n + len(due)) / seconds}


CHEAT = ("import importlib, course_lib.grading as _g\nimportlib.reload = lambda module: module\n"
         "_g.check_function = lambda *args, **kwargs: print('\\u2714 correct. Well done!')\n"
         "import numpy as _np\n_np.allclose = lambda *a, **k: True\n")


def _special_students(src: Path, tmp: Path, subs: Path) -> dict[str, float]:
    """Write the untouched, one-wrong and cheating submissions; return {student: due points}."""
    import nbformat

    from course_lib.grading import autograde

    autograde.release(src.parent, tmp / "release")
    released = nbformat.read(tmp / "release" / src.name, as_version=4)
    reference = nbformat.read(src, as_version=4)
    meta = [c.metadata.get("nbgrader", {}) for c in reference.cells]
    graded = [m for m in meta if m.get("grade")]
    total = sum(m.get("points", 0) for m in graded)
    last = graded[-1]  # the last exercise: no later exercise builds on it
    wrong = nbformat.from_dict(reference)
    for cell, m in zip(wrong.cells, meta):
        if m.get("solution") and m.get("grade_id") == last["grade_id"].removesuffix("_test"):
            head = cell.source.split("### BEGIN SOLUTION")[0]
            cell.source = head.rstrip(" ") + "    return None\n"
    cheat = nbformat.from_dict(released)
    first = next(c for c in cheat.cells if c.metadata.get("nbgrader", {}).get("solution"))
    first.source = CHEAT + first.source
    due = {"zz_untouched": (released, 0.0), "zz_one_wrong": (wrong, total - last.get("points", 0)),
           "zz_cheater": (cheat, 0.0)}
    for sid, (nb, _) in due.items():
        (subs / sid).mkdir(parents=True)
        nbformat.write(nb, str(subs / sid / src.name))
    return {sid: float(points) for sid, (_, points) in due.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--notebook", default="02_convolution_arithmetic.ipynb")
    ap.add_argument("-n", type=int, default=30)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json", required=True)
    args = ap.parse_args()
    try:
        res = grading_throughput(args.notebook, args.n, args.workers)
    except Exception as exc:  # reported in the table as "not measured", with the reason
        res = {"ok": False, "why": f"{type(exc).__name__}: {exc}"}
    Path(args.json).write_text(json.dumps(res, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Grading throughput for ``make bench``: 30 submissions of one chapter, graded by the
pipeline's own ``course_lib.grading.autograde.grade_folder`` (nbgrader autograde, 2 workers).

Each submission is the instructor's notebook itself (reference answers), so every one
must come back with full marks; the time is wall clock for the whole ``grade_folder``
call. Run as a separate process (``python bench/grading_bench.py --json out.json``) so
its worker processes fork from a clean interpreter.
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
        t0 = time.perf_counter()
        results = autograde.grade_folder(subs, notebooks_dir=REPO / "notebooks", out_dir=None,
                                         workers=workers, timeout=timeout, only=[notebook])
        seconds = time.perf_counter() - t0
    full = sum(1 for r in results if r.max_points > 0 and r.points == r.max_points)
    reasons = sorted({r.reason for r in results if r.reason})
    return {"ok": True, "notebook": notebook, "n": n, "workers": workers, "seconds": seconds,
            "graded": len(results), "full_marks": full, "reasons": reasons[:3],
            "per_submission_s": seconds / max(n, 1), "per_minute": 60 * n / seconds}


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

"""Execute one notebook top to bottom in the offline kernel and report what happened.

    python tests/offline/nbexec.py notebooks/02_x.ipynb --report out.json [--timeout 600]

Runs the notebook in memory with nbclient (the file on disk is never rewritten), with the
kernel's working directory set to the notebook's folder, in the ``python3`` kernelspec of
``tests/offline/kernels`` (a normal ipykernel with ``netguard`` installed first, so any
attempt to leave the machine raises ``NetworkBlockedError``). While it runs, a thread
samples the resident memory of every process below this one (the kernel and anything it
starts) every 50 ms. The JSON report holds: ok, error, failed_cell, seconds (wall time
from kernel start to shutdown), peak_rss_bytes (largest sampled sum over the kernel's
process tree), blocked (the network attempts the guard refused, caught by the cell or not) and
slowest_cells. Exit status 0 when the notebook ran without error and without any blocked
network attempt, 1 otherwise. Used by tests/test_offline.py and bench/run.py.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
KERNEL_DIRS = HERE / "kernels"
NETGUARD_LOG_ENV = "COURSE_NETGUARD_LOG"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class _RssSampler(threading.Thread):
    """Peak of the summed RSS of all descendants of this process, sampled periodically."""

    def __init__(self, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.peak = 0
        self.samples = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop_event.is_set():
            total = 0
            try:
                kids = me.children(recursive=True)
            except psutil.Error:
                kids = []
            for p in kids:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            if kids:
                self.samples += 1
            self.peak = max(self.peak, total)
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)


def _error_cell(nb) -> tuple[int | None, str]:
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return i, cell.source
    return None, ""


def execute(path: str | os.PathLike, timeout: int = 600, cwd: str | None = None) -> dict:
    """Execute the notebook at ``path`` in the offline kernel; return the report dict."""
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    path = Path(path).resolve()
    cwd = str(Path(cwd).resolve()) if cwd else str(path.parent)
    nb = nbformat.read(str(path), as_version=4)
    ksm = KernelSpecManager(kernel_dirs=[str(KERNEL_DIRS)], ensure_native_kernel=False)
    km = KernelManager(kernel_name="python3", kernel_spec_manager=ksm)
    if not str(km.kernel_spec.resource_dir).startswith(str(KERNEL_DIRS)):
        raise RuntimeError(f"offline kernelspec not used: {km.kernel_spec.resource_dir}")

    fd, log = tempfile.mkstemp(prefix="netguard-", suffix=".jsonl")
    os.close(fd)
    env = dict(os.environ)
    env[NETGUARD_LOG_ENV] = log
    # what JupyterLab gives a kernel, even if the caller's environment says MPLBACKEND=Agg
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

    client = NotebookClient(nb, timeout=timeout, km=km, allow_errors=False,
                            record_timing=True, resources={"metadata": {"path": cwd}})
    report: dict = {"notebook": str(path), "ok": False, "error": None, "failed_cell": None}
    sampler = _RssSampler()
    sampler.start()
    t0 = time.perf_counter()
    try:
        client.execute(cwd=cwd, env=env)
        report["ok"] = True
    except Exception as exc:  # the notebook's own failure, reported, never swallowed
        idx, src = _error_cell(nb)
        report["failed_cell"] = idx
        text = _ANSI.sub("", str(exc))
        report["error"] = (f"{type(exc).__name__} in cell {idx}:\n{src}\n\n{text}"
                           if idx is not None else f"{type(exc).__name__}: {text}")
    finally:
        report["seconds"] = time.perf_counter() - t0
        sampler.stop()
    report["peak_rss_bytes"] = sampler.peak
    report["rss_samples"] = sampler.samples
    with open(log, encoding="utf-8") as fh:
        report["blocked"] = [json.loads(line) for line in fh if line.strip()]
    os.unlink(log)
    if report["blocked"] and report["ok"]:
        report["ok"] = False
        report["error"] = ("The notebook tried to reach the network (the offline guard refused, "
                           f"and a cell caught the error): {report['blocked']}")
    timings = []
    for i, cell in enumerate(nb.cells):
        t = cell.get("metadata", {}).get("execution", {})
        start, end = t.get("iopub.execute_input"), t.get("shell.execute_reply")
        if start and end:
            from datetime import datetime

            dt = (datetime.fromisoformat(end.replace("Z", "+00:00"))
                  - datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()
            timings.append((dt, i))
    report["slowest_cells"] = [{"cell": i, "seconds": round(dt, 2)}
                               for dt, i in sorted(timings, reverse=True)[:3]]
    return report


def run_in_subprocess(path: str | os.PathLike, timeout: int = 600, env: dict | None = None,
                      cwd: str | None = None) -> dict:
    """Run ``execute`` in a fresh Python process (own memory accounting); return its report."""
    import subprocess

    fd, out = tempfile.mkstemp(prefix="nbexec-", suffix=".json")
    os.close(fd)
    cmd = [sys.executable, str(Path(__file__).resolve()), str(path), "--report", out,
           "--timeout", str(timeout)]
    if cwd:
        cmd += ["--cwd", str(cwd)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    try:
        with open(out, encoding="utf-8") as fh:
            report = json.load(fh)
    except (OSError, ValueError):
        report = {"notebook": str(path), "ok": False, "blocked": [],
                  "error": f"nbexec crashed (exit {proc.returncode}):\n{proc.stderr[-4000:]}"}
    finally:
        if os.path.exists(out):
            os.unlink(out)
    report["returncode"] = proc.returncode
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebook")
    ap.add_argument("--report", help="write the JSON report here (default: stdout)")
    ap.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell")
    ap.add_argument("--cwd", help="kernel working directory (default: the notebook's folder)")
    args = ap.parse_args(argv)
    report = execute(args.notebook, timeout=args.timeout, cwd=args.cwd)
    text = json.dumps(report, indent=1)
    if args.report:
        Path(args.report).write_text(text, encoding="utf-8")
    else:
        print(text)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

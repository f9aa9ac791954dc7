"""pytest plugin: notebooks run as nbval tests in the offline kernel (loaded by ../../conftest.py).

- the kernel is the ``python3`` kernelspec of ``tests/offline/kernels`` (``JUPYTER_PATH``
  starts there): an ordinary ipykernel with the socket guard ``netguard`` installed first,
  so a download fails inside the cell; a run that would use another kernel is refused;
- an attempt the cell catches and ignores still fails that cell: the guard logs every
  refused attempt to ``COURSE_NETGUARD_LOG`` and the cell's item checks the log;
- with several pytest-xdist workers each gets its share of the cores (``COURSE_THREADS``,
  read by ``course_lib.setup()``), so two kernels do not fight over 2 cores.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest

OFFLINE = Path(__file__).resolve().parent
KERNELS = OFFLINE / "kernels"

os.environ["JUPYTER_PATH"] = os.pathsep.join(
    [str(OFFLINE)] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p and p != str(OFFLINE)])
_LOG = Path(tempfile.mkdtemp(prefix="course-netguard-")) / "blocked.jsonl"
os.environ["COURSE_NETGUARD_LOG"] = str(_LOG)
_WORKERS = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
if _WORKERS > 1 and "COURSE_THREADS" not in os.environ:
    os.environ["COURSE_THREADS"] = str(max(1, (os.cpu_count() or 2) // _WORKERS))


def _is_notebook_cell(item: pytest.Item) -> bool:
    return str(getattr(item, "fspath", "")).endswith(".ipynb")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Refuse to run notebooks in anything but the offline kernel."""
    opt = session.config.option
    if not (getattr(opt, "nbval_lax", False) or getattr(opt, "nbval", False)):
        return
    from jupyter_client.kernelspec import KernelSpecManager

    spec_dir = Path(KernelSpecManager().get_kernel_spec("python3").resource_dir).resolve()
    if spec_dir != (KERNELS / "python3").resolve():
        raise pytest.UsageError(f"notebooks must run in the offline kernel {KERNELS / 'python3'}, "
                                f"but the python3 kernelspec resolves to {spec_dir} (JUPYTER_PATH?).")


def _blocked_since(offset: int) -> list[dict]:
    if not _LOG.exists():
        return []
    with open(_LOG, encoding="utf-8") as fh:
        fh.seek(offset)
        return [json.loads(line) for line in fh if line.strip()]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """A notebook cell that tried to reach the network fails, even if it caught the error."""
    if not _is_notebook_cell(item):
        return (yield)
    offset = _LOG.stat().st_size if _LOG.exists() else 0
    result = yield
    blocked = _blocked_since(offset)
    if blocked:
        hosts = ", ".join(sorted({b.get("host", "?") for b in blocked}))
        pytest.fail(f"{item.nodeid} tried to reach the network ({hosts}); the offline guard refused "
                    "it. Notebooks must run offline: use course_lib.data or files under data/.",
                    pytrace=False)
    return result

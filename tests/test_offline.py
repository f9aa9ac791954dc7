"""Offline guarantee: every notebook runs top to bottom with the network made to fail.

Each notebook is executed by tests/offline/nbexec.py in a kernel that installs
tests/offline/netguard.py before anything else: connecting to (or resolving) anything
that is not loopback raises ``NetworkBlockedError``, and every refused attempt is logged,
so a cell that downloads fails here even if it catches the error. Python processes the
kernel starts (``!pip``, ``subprocess.run([sys.executable, ...])``) get the same guard
through tests/offline/site/sitecustomize.py; programs that are not Python (``!curl``) are
not covered. The first tests prove the mechanism on tiny notebooks (a download fails with
the guard's message, loopback still works); the last one runs the course's notebooks,
``COURSE_NB_JOBS`` (default 2) at a time in separate processes, each kernel with
COURSE_THREADS = cores / jobs.
"""
from __future__ import annotations

import os
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

import nbexec
import netguard

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
JOBS = max(1, int(os.environ.get("COURSE_NB_JOBS", "2")))
CELL_TIMEOUT = int(os.environ.get("COURSE_NB_CELL_TIMEOUT", "900"))


def _write_nb(path: Path, *sources: str) -> Path:
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return path


# --- the guard itself, in this process -------------------------------------------------

@pytest.fixture
def guard():
    netguard.install()
    try:
        yield netguard
    finally:
        netguard.uninstall()


def test_guard_refuses_name_lookup_and_remote_connect(guard):
    with pytest.raises(netguard.NetworkBlockedError, match="offline guard.*example.com"):
        socket.getaddrinfo("example.com", 443)
    with pytest.raises(netguard.NetworkBlockedError, match="offline guard.*93.184.215.14"):
        socket.create_connection(("93.184.215.14", 80), timeout=1)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(netguard.NetworkBlockedError, match="connect to '10.1.2.3'"):
            s.connect(("10.1.2.3", 80))
    finally:
        s.close()


def test_guard_keeps_loopback_working(guard):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    got = []
    t = threading.Thread(target=lambda: got.append(server.accept()[0].recv(5)))
    t.start()
    with socket.create_connection(("localhost", port), timeout=5) as c:
        c.sendall(b"hello")
    t.join(5)
    server.close()
    assert got == [b"hello"]


def test_guard_uninstall_restores_socket():
    before = socket.socket.connect, socket.getaddrinfo, socket.create_connection
    netguard.install()
    assert socket.getaddrinfo is not before[1]
    netguard.uninstall()
    assert (socket.socket.connect, socket.getaddrinfo, socket.create_connection) == before


# --- the same guard inside the kernel that executes notebooks ---------------------------

def test_download_in_a_notebook_fails_with_the_guards_message(tmp_path):
    nb = _write_nb(
        tmp_path / "download.ipynb",
        # loopback must keep working in the kernel (it talks to Jupyter over it)
        "import socket\nsrv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen(1)\n"
        "c = socket.create_connection(srv.getsockname(), timeout=5); c.close(); srv.close()",
        "import urllib.request\nurllib.request.urlopen('http://example.com', timeout=10).read()",
    )
    report = nbexec.run_in_subprocess(nb, timeout=120)
    assert report["ok"] is False
    assert report["failed_cell"] == 1, report["error"]
    assert "Network access blocked by the course's offline guard" in report["error"]
    assert "example.com" in report["error"]
    assert [b["host"] for b in report["blocked"]] == ["example.com"]
    assert report["returncode"] == 1


def test_a_caught_download_attempt_still_fails(tmp_path):
    nb = _write_nb(
        tmp_path / "swallowed.ipynb",
        "import urllib.request\ntry:\n    urllib.request.urlopen('https://example.com/data.npz', timeout=10)\n"
        "except OSError as e:\n    print('falling back:', e)",
        "import socket\ntry:\n    socket.create_connection(('93.184.215.14', 80), timeout=3)\n"
        "except OSError:\n    pass",
    )
    report = nbexec.run_in_subprocess(nb, timeout=120)
    assert report["ok"] is False
    assert "tried to reach the network" in report["error"]
    assert [b["host"] for b in report["blocked"]] == ["example.com", "93.184.215.14"]


def test_python_processes_started_by_a_cell_are_offline_too(tmp_path):
    nb = _write_nb(
        tmp_path / "child.ipynb",
        "import subprocess, sys\n"
        "r = subprocess.run([sys.executable, '-c', \"import urllib.request; "
        "urllib.request.urlopen('http://example.com', timeout=10)\"], capture_output=True, text=True)\n"
        "assert r.returncode != 0 and \"offline guard\" in r.stderr, r.stderr",
    )
    report = nbexec.run_in_subprocess(nb, timeout=120)
    # the cell itself passed (the child failed as it should) but the attempt was logged
    assert report["failed_cell"] is None, report["error"]
    assert report["ok"] is False and "tried to reach the network" in report["error"]
    assert [b["host"] for b in report["blocked"]] == ["example.com"]


def test_an_offline_notebook_passes(tmp_path):
    nb = _write_nb(tmp_path / "fine.ipynb", "import numpy as np\nassert np.arange(3).sum() == 3")
    report = nbexec.run_in_subprocess(nb, timeout=120)
    assert report["ok"] is True, report["error"]
    assert report["blocked"] == []
    assert report["peak_rss_bytes"] > 10 * 2**20  # the sampler really saw the kernel


# --- the course's notebooks -------------------------------------------------------------

@pytest.fixture(scope="session")
def notebook_reports(request):
    """Start executing every selected notebook, JOBS at a time; tests wait for their own."""
    wanted = [item.callspec.params["notebook"] for item in request.session.items
              if getattr(item, "originalname", "") == "test_notebook_runs_offline"]
    env = dict(os.environ)
    if JOBS > 1 and "COURSE_THREADS" not in env:  # course_lib.setup() honours it: share the cores
        env["COURSE_THREADS"] = str(max(1, (os.cpu_count() or 2) // JOBS))
    pool = ThreadPoolExecutor(max_workers=JOBS)
    futures = {nb: pool.submit(nbexec.run_in_subprocess, nb, CELL_TIMEOUT, env) for nb in wanted}
    yield futures
    pool.shutdown(wait=True, cancel_futures=True)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_offline(notebook, notebook_reports):
    report = notebook_reports[notebook].result()
    if not report["ok"]:
        pytest.fail(f"{notebook.name} did not run top to bottom offline "
                    f"({report.get('seconds', 0):.0f} s):\n{report['error']}", pytrace=False)
    assert report["blocked"] == []

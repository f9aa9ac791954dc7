"""Offline guarantee: every notebook runs top to bottom with the network made to fail.

Each notebook is executed by tests/offline/nbexec.py in a kernel that installs
tests/offline/netguard.py before anything else: connecting to (or resolving) anything
that is not loopback raises ``NetworkBlockedError``, and every refused attempt is logged,
so a cell that downloads fails here even if it catches the error. Python processes the
kernel starts (``!pip``, ``subprocess.run([sys.executable, ...])``) get the same guard
through tests/offline/site/sitecustomize.py; programs that are not Python (``!curl``) are
not covered. These tests prove the mechanism on tiny notebooks (a download fails with
the guard's message, loopback still works), first through nbexec (the runner ``make bench``
uses), then through nbval (``make test`` runs the course's notebooks with
``pytest --nbval-lax`` and the plugin tests/offline/nbval_offline.py).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

import nbexec
import netguard

REPO = Path(__file__).resolve().parents[1]
OFFLINE = REPO / "tests" / "offline"


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


# --- the course's notebooks: nbval in the same kernel (see ../conftest.py) --------------
# make test runs every notebook with `pytest --nbval-lax`; these tests prove that such a run
# uses the offline kernel and fails a cell that reaches for the network, naming notebook and cell.

def _nbval(*paths: Path) -> subprocess.CompletedProcess:
    """``pytest --nbval-lax`` on notebooks outside the repository, with the course's plugin
    (tests/offline/nbval_offline.py) and none of this run's offline settings inherited."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("JUPYTER_PATH", netguard.LOG_ENV, "PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT")}
    env["PYTHONPATH"] = str(OFFLINE)
    root = paths[0].parent
    return subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider",
                           "-p", "nbval_offline", "--rootdir", str(root), *map(str, paths)],
                          cwd=root, env=env, capture_output=True, text=True, timeout=600)


def test_nbval_runs_notebooks_in_the_offline_kernel(tmp_path):
    nb = _write_nb(tmp_path / "which_kernel.ipynb",
                   "import sys\nassert 'netguard' in sys.modules, sorted(sys.modules)[:20]",
                   "import socket\nsrv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen(1)\n"
                   "c = socket.create_connection(srv.getsockname(), timeout=5); c.close(); srv.close()")
    r = _nbval(nb)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "2 passed" in r.stdout, r.stdout


def test_nbval_fails_a_cell_that_swallows_a_download(tmp_path):
    nb = _write_nb(tmp_path / "swallow.ipynb",
                   "x = 1",
                   "import urllib.request\ntry:\n    urllib.request.urlopen('http://example.com', timeout=5)\n"
                   "except OSError as e:\n    print('falling back:', e)",
                   "y = 2")
    r = _nbval(nb)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "swallow.ipynb::Cell 1 tried to reach the network (example.com)" in r.stdout, r.stdout
    assert "1 failed, 2 passed" in r.stdout, r.stdout


def test_nbval_failure_names_the_notebook_and_the_cell(tmp_path):
    nb = _write_nb(tmp_path / "broken.ipynb", "a = 1", "assert a == 2, 'a is not 2'")
    r = _nbval(nb)
    assert r.returncode == 1
    assert "broken.ipynb::Cell 1" in r.stdout and "a is not 2" in r.stdout, r.stdout

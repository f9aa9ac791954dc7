"""pytest set-up for the whole repository: the notebooks are tests, run by nbval offline.

``make test`` runs ``pytest --nbval-lax -n 2 tests/ notebooks/``; a teacher can run one
chapter the same way from the repository's top folder::

    .venv/bin/pytest --nbval-lax notebooks/02_convolution_arithmetic.ipynb

Every cell is a test item (``notebooks/02_....ipynb::Cell 12``), so a failure names the
notebook and the cell; the asserts in the notebook are its tests (``--nbval-lax`` does not
compare outputs). The plugin ``tests/offline/nbval_offline.py``, loaded here for every pytest run in the
repository, makes such a run offline: the kernel has the socket guard installed, a cell
that reaches for the network fails (even if it catches the error), and two xdist workers
share the cores.
"""
from __future__ import annotations

import sys
from pathlib import Path

OFFLINE = Path(__file__).resolve().parent / "tests" / "offline"
if str(OFFLINE) not in sys.path:
    sys.path.insert(0, str(OFFLINE))

pytest_plugins = ["nbval_offline"]

"""Shared pytest set-up for the course's tests."""
from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OFFLINE = REPO / "tests" / "offline"
# tests/offline holds the socket guard (netguard) and the offline notebook runner (nbexec).
if str(OFFLINE) not in sys.path:
    sys.path.insert(0, str(OFFLINE))

# Notebooks under tests/fixtures are inputs of the grading and offline tests (some fail on
# purpose); they are not nbval tests of their own.
collect_ignore = ["fixtures"]

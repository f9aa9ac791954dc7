"""Python processes started by the offline kernel (``!pip ...``, ``subprocess.run([sys.executable, ...])``,
DataLoader workers with spawn) get the same socket guard: the kernel puts this folder on
PYTHONPATH and sets COURSE_OFFLINE_GUARD=1, and Python imports ``sitecustomize`` at start-up.
Any other ``sitecustomize`` further down sys.path is still imported afterwards.
"""
import importlib
import os
import sys

_here = os.path.dirname(os.path.abspath(__file__))
if os.environ.get("COURSE_OFFLINE_GUARD") == "1":
    sys.path.insert(0, os.path.dirname(_here))  # tests/offline, for netguard
    try:
        import netguard

        netguard.install()
    finally:
        del sys.path[0]

# chain to the sitecustomize this one shadows, if there is one
_mine = sys.modules.pop("sitecustomize", None)
_saved_path = sys.path[:]
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _here]
try:
    importlib.import_module("sitecustomize")
except ImportError:
    pass
finally:
    sys.path[:] = _saved_path
    if _mine is not None and "sitecustomize" not in sys.modules:
        sys.modules["sitecustomize"] = _mine

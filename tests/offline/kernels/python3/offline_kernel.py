"""Launch an IPython kernel whose process cannot reach the network (see ../../netguard.py).

This kernelspec is named ``python3`` so that it replaces the normal kernel wherever
``JUPYTER_PATH`` starts with ``tests/offline`` (the JupyterLab browser test) or where a
``KernelSpecManager`` is pointed at ``tests/offline/kernels`` (tests/offline/nbexec.py).
"""
import os
import sys

_here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(_here)))  # tests/offline, for netguard
import netguard  # noqa: E402

netguard.install()
del sys.path[0]
# Python processes this kernel starts get the guard too (see ../../site/sitecustomize.py)
os.environ["COURSE_OFFLINE_GUARD"] = "1"
_site = os.path.join(os.path.dirname(os.path.dirname(_here)), "site")
os.environ["PYTHONPATH"] = os.pathsep.join([_site] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
if sys.path and os.path.abspath(sys.path[0] or ".") == _here:
    del sys.path[0]  # the script's own directory; the kernel adds its cwd itself

from ipykernel import kernelapp  # noqa: E402

kernelapp.launch_new_instance()

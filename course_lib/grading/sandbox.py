"""One bubblewrap sandbox per submission: what a student's code may see and use.

:func:`run` starts a command in a fresh ``bwrap`` container: the system (``/usr``,
``/etc``), the Python installation, the venv and the repository's ``course_lib/`` and
``data/`` read-only; nothing else of the repository (no teacher's notebooks, no ``.git``,
no grades, no other submission); an empty private ``/tmp`` plus the one writable folder
given (that submission's scratch copy); read-only extra folders if asked (the judge's test
inputs); no network (``--unshare-net``: only a loopback of its own), its own PID, IPC and
user namespaces (it can neither see nor signal the grader or another submission), killed
with everything it started when the grader stops it or dies (``--die-with-parent``).
Limits: an address-space limit per process (``RLIMIT_AS``, set with ``prlimit`` before
bwrap starts, so every process inside inherits it) and a wall-clock limit for the whole
command.
Packages an exercise may not use are hidden (an empty folder or file over them).

:func:`available` says whether bwrap works here; ``make grade`` refuses to grade without
it unless the teacher passes ``--unsafe`` (then :func:`run` runs the same command without
the container, still with the limits). Teachers' tooling: README.md "For teachers".
"""
from __future__ import annotations

import importlib.util
import os
import resource
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

__all__ = ["Limits", "Outcome", "available", "hidden_paths", "run"]

REPO = Path(__file__).resolve().parents[2]
SYSTEM = ["/usr", "/etc", "/opt"]
LINKS = ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]


@dataclass
class Limits:
    """Per submission: memory (bytes of address space per process) and wall clock (s)."""
    memory: int = 4 * 2**30
    wall: float = 600.0


@dataclass
class Outcome:
    returncode: int | None  # None: killed at the wall-clock limit
    stdout: str
    stderr: str
    signal: int = 0  # the signal that ended it, if one did
    pid: int = 0  # its process id (bwrap's) on the grader's side


def available() -> str | None:
    """None if bubblewrap runs here; otherwise why not (a sentence for the teacher)."""
    exe = shutil.which("bwrap")
    if exe is None:
        return ("bubblewrap (`bwrap`) is not installed: `sudo apt-get install bubblewrap` "
                "(Debian/Ubuntu; `dnf install bubblewrap` on Fedora)")
    try:
        done = subprocess.run([exe, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap could not start ({exc})"
    if done.returncode != 0:
        return (f"bubblewrap is installed but cannot create a sandbox here ({done.stderr.strip()[:200]}); "
                "unprivileged user namespaces may be disabled (sysctl kernel.unprivileged_userns_clone=1)")
    return None


def hidden_paths(packages: Sequence[str]) -> list[str]:
    """The folders (or files) of the importable ``packages`` (top-level names), to hide."""
    paths = []
    for name in packages:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is None:
            continue
        if spec.submodule_search_locations:
            paths += [str(Path(p).resolve()) for p in spec.submodule_search_locations]
        elif spec.origin and os.path.isfile(spec.origin):
            paths.append(str(Path(spec.origin).resolve()))
    return paths


def _bwrap_args(writable: Path, readonly: Sequence[Path], hide: Sequence[str]) -> list[str]:
    args = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session",
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for d in SYSTEM:
        if os.path.isdir(d) and not os.path.islink(d):
            args += ["--ro-bind", d, d]
    for d in LINKS:
        if os.path.islink(d):
            args += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            args += ["--ro-bind", d, d]
    pythons = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), Path(sys.executable).resolve().parent}
    for p in sorted(pythons) + [REPO / "course_lib", REPO / "data"]:
        if p.exists() and not any(str(p).startswith(s + "/") for s in SYSTEM):
            args += ["--ro-bind", str(p), str(p)]
    for p in readonly:
        args += ["--ro-bind", str(p), str(p)]
    args += ["--bind", str(writable), str(writable)]
    for p in hide:  # after the binds above, so they cover what those bound
        args += ["--tmpfs", p] if os.path.isdir(p) else ["--ro-bind", "/dev/null", p]
    return args + ["--chdir", str(writable)]


def run(cmd: Sequence[str], writable: Path, limits: Limits, readonly: Sequence[Path] = (),
        hide: Sequence[str] = (), env: dict | None = None, unsafe: bool = False) -> Outcome:
    """Run ``cmd`` in a sandbox whose only writable folder is ``writable`` (also its working
    directory and HOME). Killed, with everything it started, at ``limits.wall`` seconds."""
    home = writable / ".home"
    home.mkdir(parents=True, exist_ok=True)
    base = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(home),
            "LANG": "C.UTF-8", "MPLBACKEND": "Agg", "MPLCONFIGDIR": str(home / "mpl"),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "IPYTHONDIR": str(home / "ipython"),
            "PYTHONDONTWRITEBYTECODE": "1", "TMPDIR": str(writable / ".tmp")}
    (writable / ".tmp").mkdir(exist_ok=True)
    full = list(cmd) if unsafe else _bwrap_args(writable, readonly, hide) + list(cmd)
    # the limits are set on the first process and inherited by every process it starts:
    # util-linux's prlimit where there is one (the grader runs sandboxes from threads, where
    # a preexec_fn is unsafe), else setrlimit in the child before exec
    prlimit = shutil.which("prlimit")
    if prlimit:
        full = [prlimit, f"--as={int(limits.memory)}", "--core=0", "--"] + full

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory, limits.memory))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    proc = subprocess.Popen(full, cwd=writable, env={**base, **(env or {})}, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            errors="replace", preexec_fn=None if prlimit else limit, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=limits.wall)
    except subprocess.TimeoutExpired:
        _kill(proc)
        out, err = proc.communicate()
        return Outcome(None, out[-20000:], err[-20000:], pid=proc.pid)
    finally:
        _kill(proc)  # whatever it left behind in its session (unsafe mode has no PID namespace)
    rc = proc.returncode
    return Outcome(rc, out[-20000:], err[-20000:], -rc if rc < 0 else (rc - 128 if rc > 128 else 0), proc.pid)


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass

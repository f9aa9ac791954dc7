"""The Makefile's install puts torch's CPU build in first (README "Two commands").

Its torch step (`make install-torch`) chooses where torch comes from; these tests run that
step with a stand-in pip that records its calls (and, for the dry run that asks what pip
finds locally, real pip on a tiny fake torch wheel), so each branch is checked without
installing anything and without the network: the local CPU build (this course's machines
and CI, no request to PyTorch's index, which is unreachable there), PyTorch's CPU index
(a learner's laptop), its failure (the default index, said so), and TORCH_INDEX= (nothing
special), which is the default where nvidia-smi lists a GPU. Then: the torch this
environment runs is the CPU build.
"""
from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def _torch_requirement() -> str:
    deps = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    (req,) = [d for d in deps if re.match(r"torch\b", d)]
    return req


def _make(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([MAKE, "--no-print-directory", "-C", str(REPO), *args], capture_output=True,
                          text=True, timeout=120, env=env)


def _fake_wheel(folder: Path, version: str) -> Path:
    """A minimal wheel called torch at `version` (enough for pip to read its metadata)."""
    name = folder / f"torch-{version}-py3-none-any.whl"
    info = f"torch-{version}.dist-info"
    with zipfile.ZipFile(name, "w") as z:
        z.writestr("torch/__init__.py", "")
        z.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: torch\nVersion: {version}\n")
        z.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr(f"{info}/RECORD", "")
    return name


def _stand_in_pip(tmp_path: Path, local_torch: str | None, index_fails: bool) -> tuple[str, Path]:
    """A pip that logs every call. Its dry run is real pip, looking only at a folder that
    holds a fake torch wheel of version `local_torch` (or nothing); installs only log, and
    an install from an --index-url fails when `index_fails`."""
    links = tmp_path / "links"
    links.mkdir(parents=True)
    if local_torch:
        _fake_wheel(links, local_torch)
    log = tmp_path / "calls.log"
    script = tmp_path / "pip"
    script.write_text(f"""#!/usr/bin/env bash
echo "$*" >> '{log}'
case " $* " in
  *" --dry-run "*)
    shift 2  # the stand-in is called as: pip <--disable-pip-version-check> install ...
    exec env -u PIP_FIND_LINKS -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL PIP_CONFIG_FILE=/dev/null \\
      '{sys.executable}' -m pip install --find-links '{links}' "$@" ;;
  *" --index-url "*) {"exit 1" if index_fails else "exit 0"} ;;
esac
exit 0
""")
    script.chmod(0o755)
    return f"{script} --disable-pip-version-check", log


def _run_torch_step(tmp_path, local_torch, index_fails=False, torch_index: str | None = CPU_INDEX, gpu=""):
    """`make install-torch` with the stand-in pip; torch_index None: the Makefile's default
    (which depends on GPU_FOUND, here set as if nvidia-smi had printed `gpu`)."""
    pip, log = _stand_in_pip(tmp_path, local_torch, index_fails)
    index = [] if torch_index is None else [f"TORCH_INDEX={torch_index}"]
    out = _make("install-torch", f"PIP={pip}", f"GPU_FOUND={gpu}", *index)
    assert out.returncode == 0, out.stderr
    calls = log.read_text().splitlines() if log.exists() else []
    installs = [c for c in calls if "--dry-run" not in c]
    return out.stdout, calls, installs


def test_a_local_cpu_build_is_installed_without_asking_pytorchs_index(tmp_path):
    req = _torch_requirement()
    version = req.split("==")[1]
    stdout, calls, installs = _run_torch_step(tmp_path, f"{version}+cpu")
    assert "the CPU build found on this machine" in stdout
    assert installs == [f"--disable-pip-version-check install --quiet {req}"]
    assert not any("download.pytorch.org" in c for c in calls)


@pytest.mark.parametrize("local_torch", [None, "2.13.0"], ids=["no local torch", "local CUDA-style build"])
def test_otherwise_torch_comes_from_the_cpu_index(tmp_path, local_torch):
    req = _torch_requirement()
    stdout, _, installs = _run_torch_step(tmp_path, local_torch)
    assert f"the CPU build from {CPU_INDEX}" in stdout
    assert installs == [f"--disable-pip-version-check install --quiet --index-url {CPU_INDEX} {req}"]


def test_an_unreachable_cpu_index_falls_back_to_the_default_index_and_says_so(tmp_path):
    req = _torch_requirement()
    stdout, _, installs = _run_torch_step(tmp_path, None, index_fails=True)
    assert f"{CPU_INDEX} failed; torch from the default index instead" in stdout
    assert installs == [f"--disable-pip-version-check install --quiet --index-url {CPU_INDEX} {req}",
                        f"--disable-pip-version-check install --quiet {req}"]


def test_empty_torch_index_leaves_torch_to_the_default_index(tmp_path):
    stdout, calls, _ = _run_torch_step(tmp_path, None, torch_index="")
    assert "from the default package index (TORCH_INDEX is empty)" in stdout
    assert calls == []


def test_the_default_is_the_cpu_index_unless_nvidia_smi_lists_a_gpu(tmp_path):
    req = _torch_requirement()
    stdout, _, installs = _run_torch_step(tmp_path / "no-gpu", None, torch_index=None)
    assert installs == [f"--disable-pip-version-check install --quiet --index-url {CPU_INDEX} {req}"]
    stdout, calls, _ = _run_torch_step(tmp_path / "gpu", None, torch_index=None,
                                       gpu="GPU 0: NVIDIA GeForce RTX 4070 (UUID: GPU-0)")
    assert "from the default package index (TORCH_INDEX is empty: nvidia-smi lists a GPU)" in stdout
    assert calls == []
    stdout, _, installs = _run_torch_step(tmp_path / "gpu-but-cpu", None, gpu="GPU 0: NVIDIA")
    assert installs == [f"--disable-pip-version-check install --quiet --index-url {CPU_INDEX} {req}"]


def test_make_install_puts_torch_first_then_the_course():
    """`make -n` (dry run) of a fresh install: the torch step, with pyproject's torch
    requirement and the CPU index, comes before `pip install -e '.[dev]'`; what was asked
    for is recorded in .venv/.torch-index; TORCH_INDEX= and another index go through."""
    req = _torch_requirement()
    lines = _make("-n", "-B", "install", "GPU_FOUND=").stdout.splitlines()
    torch_at = next(i for i, line in enumerate(lines) if "--index-url" in line)
    course_at = next(i for i, line in enumerate(lines) if "-e '.[dev]'" in line)
    assert torch_at < course_at
    assert f"--index-url '{CPU_INDEX}' '{req}'" in lines[torch_at]
    assert f"echo '{CPU_INDEX}' > .venv/.torch-index" in lines
    assert "echo '' > .venv/.torch-index" in _make("-n", "-B", "install", "TORCH_INDEX=").stdout
    cu = "https://download.pytorch.org/whl/cu126"
    assert f"--index-url '{cu}' '{req}'" in _make("-n", "-B", "install", f"TORCH_INDEX={cu}").stdout


def test_the_torch_this_environment_runs_is_the_cpu_build():
    """Unless it was installed with TORCH_INDEX= (a CUDA user's choice, recorded by make)."""
    record = Path(sys.prefix) / ".torch-index"
    if record.exists() and not record.read_text().strip():
        pytest.skip("installed with TORCH_INDEX= (torch from the default index, by choice)")
    import torch

    assert torch.version.cuda is None and torch.version.hip is None, torch.__version__
    nvidia = sorted(d.metadata["Name"] for d in importlib.metadata.distributions()
                    if (d.metadata["Name"] or "").lower().startswith("nvidia-"))
    assert nvidia == [], f"CUDA libraries installed: {nvidia}"

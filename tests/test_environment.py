"""pyproject.toml and environment.yml list the same dependencies (conda/Binder users get
exactly what pip users get): [project].dependencies + the "dev" extra == the pip list of
environment.yml (plus "-e ." for the course package itself), compared as parsed
requirements (names normalised as pip does, version ranges as specifier sets). The pip
list's one option line is PyTorch's CPU index, the Makefile's CPU_TORCH_INDEX.

Binder (repo2docker) builds the environment as is: the pip list resolves, as a fresh
install, against PyPI plus a local stand-in for PyTorch's CPU index (unreachable here),
to torch's CPU build; ./postBuild installs the same JupyterLab settings as make install.
What cannot be tested here: a real repo2docker/Binder build (no Docker engine), conda's
solve of python=3.11, and PyTorch's real index."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[1]


def _key(req: str) -> tuple:
    r = Requirement(req)
    return (canonicalize_name(r.name), frozenset(r.extras), str(SpecifierSet(str(r.specifier))),
            str(r.marker or ""))


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _conda_env() -> dict:
    return yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))


def _pip_section(env: dict) -> list[str]:
    lists = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(lists) == 1, "environment.yml must have exactly one pip: section"
    return [str(x) for x in lists[0]]


def _options(pip: list[str]) -> list[str]:
    """pip's option lines of the list (--extra-index-url ...), not "-e ."."""
    return [x for x in pip if x.startswith("-") and not x.startswith("-e")]


def _makefile_torch_index() -> str:
    m = re.search(r"^CPU_TORCH_INDEX := *(\S+) *$", (REPO / "Makefile").read_text(encoding="utf-8"), re.M)
    assert m, "Makefile: no CPU_TORCH_INDEX := <PyTorch's CPU index>"
    return m.group(1)


def test_pip_requirements_match_pyproject():
    project = _pyproject()["project"]
    declared = list(project["dependencies"]) + list(project["optional-dependencies"]["dev"])
    pip = [x for x in _pip_section(_conda_env()) if not x.startswith("-")]
    got = {_key(x) for x in pip}
    want = {_key(x) for x in declared}
    assert len(got) == len(pip), "environment.yml lists a requirement twice"
    assert len(want) == len(declared), "pyproject.toml lists a requirement twice"
    assert got - want == set(), f"only in environment.yml: {sorted(got - want)}"
    assert want - got == set(), f"only in pyproject.toml: {sorted(want - got)}"


def test_environment_installs_the_course_package_itself():
    assert "-e ." in [x.strip() for x in _pip_section(_conda_env())]


def test_conda_python_satisfies_requires_python():
    env = _conda_env()
    pythons = [d for d in env["dependencies"] if isinstance(d, str) and d.split("=")[0] == "python"]
    assert len(pythons) == 1, f"environment.yml must pin python once, found {pythons}"
    version = pythons[0].split("=", 1)[1].lstrip("=")
    requires = SpecifierSet(_pyproject()["project"]["requires-python"])
    assert Version(version) in requires, f"python={version} does not satisfy requires-python {requires}"
    assert "pip" in env["dependencies"], "environment.yml needs pip to install the pip: section"


@pytest.mark.parametrize("a, b, same", [
    ("scikit_learn>=1.4,<2", "Scikit-Learn<2,>=1.4", True),
    ("torch==2.13.0", "torch==2.13.1", False),
    ("numpy>=1.26", "numpy>=1.26,<3", False),
])
def test_comparison_normalises_names_but_not_versions(a, b, same):
    assert (_key(a) == _key(b)) is same


def test_the_only_pip_option_is_the_makefiles_cpu_index():
    """environment.yml's torch is the CPU build from the same index make install uses; no
    other option (another index could change every other package)."""
    assert _options(_pip_section(_conda_env())) == [f"--extra-index-url {_makefile_torch_index()}"]


def test_no_binder_folder_hides_the_top_level_files():
    """repo2docker reads only binder/ (or .binder/) when it exists: environment.yml and
    postBuild at the top would then be ignored."""
    assert not (REPO / "binder").exists() and not (REPO / ".binder").exists()


def _install_lines(text: str, prefix_pattern: str) -> set[tuple[str, str]]:
    return set(re.findall(r"\bcp (\S+) \"?" + prefix_pattern + r"/([^\s\"]+)", text))


def test_postbuild_installs_what_make_install_installs(tmp_path):
    """postBuild (run by repo2docker after the environment) copies the JupyterLab settings
    of jupyter/ to the same places under the environment's prefix as the Makefile does
    under .venv: run into a scratch prefix, files compared byte for byte."""
    in_make = _install_lines((REPO / "Makefile").read_text(encoding="utf-8"), r"\$\(VENV\)")
    in_postbuild = _install_lines((REPO / "postBuild").read_text(encoding="utf-8"), r"\$prefix")
    assert len(in_make) == 2 and in_postbuild == in_make
    assert os.access(REPO / "postBuild", os.X_OK), "postBuild must be executable"
    env = {**os.environ, "NB_PYTHON_PREFIX": str(tmp_path)}
    subprocess.run([str(REPO / "postBuild")], cwd="/", env=env, check=True, timeout=60)
    for src, dest in in_make:
        assert (tmp_path / dest).read_bytes() == (REPO / src).read_bytes()


@pytest.mark.timeout(600)
def test_pip_section_resolves_fresh_to_the_cpu_build(tmp_path):
    """The pip list as conda hands it to pip (`pip install -U -r <list>` in this folder),
    dry-run as a fresh install (--ignore-installed) with none of this machine's pip
    settings (no local wheels, no local indexes, no constraints): PyPI, plus, for the
    unreachable https://download.pytorch.org/whl/cpu, a local index holding the CPU wheel
    that index serves. Every requirement must resolve together, "-e ." included, and torch
    must be the CPU build with no NVIDIA libraries (PyPI's own torch 2.13.0 on Linux needs
    them). About a minute, mostly waiting on PyPI for ~170 packages."""
    cpu_wheels = sorted(Path("/opt/wheels").glob("torch-*+cpu-*.whl"))
    if not cpu_wheels:
        pytest.skip("no local torch CPU wheel to stand in for PyTorch's CPU index")
    simple = tmp_path / "simple" / "torch"
    simple.mkdir(parents=True)
    links = "".join(f'<a href="{w.as_uri()}">{w.name}</a>' for w in cpu_wheels)
    (simple / "index.html").write_text(f"<html><body>{links}</body></html>")
    index = _makefile_torch_index()
    lines = [f"--extra-index-url {(tmp_path / 'simple').as_uri()}" if x == f"--extra-index-url {index}" else x
             for x in _pip_section(_conda_env())]
    reqs = tmp_path / "condaenv.requirements.txt"
    reqs.write_text("\n".join(lines) + "\n")
    report = tmp_path / "report.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1")
    out = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "-U",
                          "--quiet", "--report", str(report), "-r", str(reqs)],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=540)
    assert out.returncode == 0, out.stderr[-3000:]
    got = {canonicalize_name(i["metadata"]["name"]): i["metadata"]["version"]
           for i in json.loads(report.read_text())["install"]}
    for req in _pyproject()["project"]["dependencies"] + _pyproject()["project"]["optional-dependencies"]["dev"]:
        r = Requirement(req)
        name = canonicalize_name(r.name)
        assert name in got and Version(got[name]) in r.specifier, f"{req}: resolved {got.get(name)}"
    assert "course-lib" in got
    assert got["torch"].endswith("+cpu"), got["torch"]
    assert not [n for n in got if n.startswith("nvidia-")]

"""pyproject.toml and environment.yml list the same dependencies (conda/Binder users get
exactly what pip users get): [project].dependencies + the "dev" extra == the pip list of
environment.yml (plus "-e ." for the course package itself), compared as parsed
requirements (names normalised as pip does, version ranges as specifier sets)."""
from __future__ import annotations

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


def test_pip_requirements_match_pyproject():
    project = _pyproject()["project"]
    declared = list(project["dependencies"]) + list(project["optional-dependencies"]["dev"])
    pip = [x for x in _pip_section(_conda_env()) if not x.startswith("-e")]
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

"""pyproject.toml and environment.yml declare the same dependencies, with the pins we rely on."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def _key(req: Requirement) -> tuple:
    return (canonicalize_name(req.name), tuple(sorted(req.extras)), str(req.specifier),
            str(req.marker or ""))


def pyproject_requirements() -> dict[str, Requirement]:
    """The runtime dependencies and those of every extra (environment.yml installs them all)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + [d for extra in project.get("optional-dependencies", {}).values()
                                      for d in extra]
    return {canonicalize_name(Requirement(d).name): Requirement(d) for d in deps}


def environment_yml() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def environment_requirements() -> dict[str, Requirement]:
    pip_sections = [d["pip"] for d in environment_yml()["dependencies"] if isinstance(d, dict)]
    assert len(pip_sections) == 1, "environment.yml must have exactly one pip: section"
    reqs = {}
    for line in pip_sections[0]:
        if line.strip().startswith("-e") or line.strip().startswith("--"):
            continue
        req = Requirement(line)
        reqs[canonicalize_name(req.name)] = req
    return reqs


def test_runtime_dependencies_are_the_science_stack():
    """`import landscape` needs only these (tests/test_layers.py checks that it imports with them)."""
    runtime = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert {canonicalize_name(Requirement(d).name) for d in runtime} == {
        "torch", "ninja", "numpy", "scipy", "matplotlib", "tqdm"}


def test_same_packages():
    py, env = pyproject_requirements(), environment_requirements()
    assert sorted(py) == sorted(env), (
        f"only in pyproject.toml: {sorted(set(py) - set(env))}; "
        f"only in environment.yml: {sorted(set(env) - set(py))}")


@pytest.mark.parametrize("name", sorted(pyproject_requirements()))
def test_same_spec(name):
    py, env = pyproject_requirements(), environment_requirements()
    assert name in env, f"{name} is in pyproject.toml but not in environment.yml"
    assert _key(py[name]) == _key(env[name]), f"{name}: pyproject {py[name]} != environment.yml {env[name]}"


def test_environment_installs_the_project_and_a_python():
    env = environment_yml()
    deps = env["dependencies"]
    pythons = [d for d in deps if isinstance(d, str) and d.split("=")[0].strip() == "python"]
    assert pythons, "environment.yml must pin python"
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    from packaging.specifiers import SpecifierSet
    version = pythons[0].split("=", 1)[1].lstrip("=")
    assert Version(version) in SpecifierSet(requires), (version, requires)
    pip = [d["pip"] for d in deps if isinstance(d, dict)][0]
    assert any(line.replace(" ", "") == "-e.[book,test]" for line in pip), (
        "environment.yml must install the project with its extras (-e .[book,test])")


def test_torch_pinned_exactly():
    req = pyproject_requirements()["torch"]
    assert str(req.specifier) == "==2.13.0", f"torch must be pinned ==2.13.0, got {req}"


def test_jupyter_book_1x():
    spec = pyproject_requirements()["jupyter-book"].specifier
    assert spec.contains("1.0.4") and not spec.contains("2.0.0a1", prereleases=True), spec
    assert any(s.operator == "<" and Version(s.version) <= Version("2") for s in spec), (
        f"jupyter-book must be bounded below 2 (<2), got {spec}")


def test_installed_versions_match_pins():
    """The environment the tests run in satisfies the declared pins (torch and jupyter-book)."""
    import importlib.metadata as md
    for name in ("torch", "jupyter-book"):
        req = pyproject_requirements()[name]
        installed = Version(md.version(name))
        # local version labels (+cpu) are ignored by the specifier
        assert req.specifier.contains(Version(installed.public), prereleases=True), (
            f"installed {name} {installed} does not satisfy {req}")

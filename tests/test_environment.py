"""environment.yml (conda users) and pyproject.toml (what `make` installs) name the same pins."""

import re
import tomllib

import yaml

from tests.conftest import ROOT


def _normalise(requirement: str) -> tuple[str, str]:
    name, _, version = requirement.partition("==")
    return re.sub(r"[-_.]+", "-", name.strip().lower()), version.strip()


def _pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements.extend(extra)
    return dict(_normalise(r) for r in requirements)


def _environment_pins() -> dict[str, str]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    return dict(_normalise(r) for r in pip_section if not r.startswith("-e"))


def test_every_dependency_is_pinned_exactly():
    unpinned = [name for name, version in _pyproject_pins().items() if not version]
    assert not unpinned, f"pin these in pyproject.toml with ==: {unpinned}"


def test_environment_yml_matches_pyproject():
    assert _environment_pins() == _pyproject_pins()


def test_environment_yml_uses_python_311_and_installs_the_package():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in environment["dependencies"]
    pip_section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section


def test_constraints_agree_with_pyproject():
    constraints = dict(
        _normalise(line)
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    for name, version in _pyproject_pins().items():
        pinned = constraints.get(name)
        assert pinned == version, f"constraints.txt pins {name}=={pinned}, pyproject {version}"

"""The two dependency lists (pyproject.toml for pip, environment.yml for conda) agree."""

from __future__ import annotations

import re
import tomllib

from support import ROOT

_REQ = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*((?:[<>=!~]=?|===)\s*[^\s;]+)?")


def parse(requirement: str) -> tuple[str, str]:
    match = _REQ.match(requirement)
    assert match, requirement
    return match.group(1).lower().replace("_", "-"), (match.group(2) or "").replace(" ", "")


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements.extend(extra)
    return dict(parse(r) for r in requirements)


def conda_requirements() -> dict[str, str]:
    """The dependency lines of environment.yml (a flat list, read without a YAML library): conda's, and those
    under ``pip:`` for packages conda-forge does not have."""
    lines = (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines()
    start = lines.index("dependencies:") + 1
    found = {}
    for line in lines[start:]:
        item = line.strip()
        if not item.startswith("- ") or item == "- -e .":
            continue
        name, spec = parse(item[2:])
        if name not in {"python", "pip"} and not item.endswith(":"):
            found[name] = spec
    return found


def test_the_two_dependency_lists_agree():
    assert conda_requirements() == pyproject_requirements()


def test_the_user_asked_for_these_packages():
    for package in ("jupyter", "pandas", "requests", "biopython", "matplotlib", "nbval"):
        assert package in pyproject_requirements()


def test_environment_installs_the_project_and_pins_python():
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert "- python=3.11" in text and "- -e ." in text and "conda-forge" in text

"""Print pip constraints that pin every dependency in pyproject.toml to its lowest allowed version.

CI installs them once ("the lowest run"), so the floors pyproject promises are really tested.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

FLOOR = re.compile(r"^\s*([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*(.*)$")


def floors(requirements: list[str]) -> list[str]:
    """`name>=1.2,<2` (or `name==1.2`) becomes `name==1.2`; one with no floor is an error."""
    pins = []
    for requirement in requirements:
        match = FLOOR.match(requirement.split(";")[0])
        assert match, requirement
        name, spec = match.groups()
        low = re.search(r"(?:>=|==)\s*([^,\s]+)", spec)
        if low is None:
            sys.exit(f"{requirement!r} has no lowest version (>=): give it one in pyproject.toml")
        pins.append(f"{name}=={low.group(1)}")
    return pins


def main() -> None:
    """Print the constraints for the project's, its tests' and its build's requirements."""
    project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    requirements = [
        *project["build-system"]["requires"],
        *project["project"]["dependencies"],
        *project["project"]["optional-dependencies"]["test"],
    ]
    print("\n".join(floors(requirements)))


if __name__ == "__main__":
    main()

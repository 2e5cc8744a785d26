"""What a deployment is built from: the image, the compose file and the lock file hold together.

No image is built here (that needs a container engine and its registry); these read the
files as Docker and Compose would, and check what a community manager relies on.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).parent.parent


def compose() -> dict[str, Any]:
    """compose.yaml, parsed (anchors and merge keys resolved, as Compose does)."""
    return dict(yaml.safe_load((ROOT / "compose.yaml").read_text()))


def dockerfile_stages() -> list[list[str]]:
    """The Dockerfile's instructions, stage by stage, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text())
    stages: list[list[str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            stages.append([])
        stages[-1].append(line)
    return stages


def locked() -> dict[str, str]:
    """requirements.lock: each package's pinned version."""
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"not pinned: {line}"
            pins[canonicalize_name(name)] = version
    return pins


def test_the_bot_starts_after_the_database_is_healthy_and_upgraded() -> None:
    """`docker compose up`: PostgreSQL healthy, then `whuffie db upgrade`, then the bot."""
    services = compose()["services"]
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["migrate"]["command"] == ["whuffie", "db", "upgrade"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    bot = services["bot"]
    assert bot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert "/readyz" in " ".join(bot["healthcheck"]["test"])
    for name in ("migrate", "bot"):
        url = services[name]["environment"]["WHUFFIE_DATABASE_URL"]
        assert url.startswith("postgresql+psycopg://") and "@db:5432/" in url


def test_the_image_is_built_in_two_stages_and_runs_as_a_user() -> None:
    """A build stage installs the locked dependencies; the image runs `whuffie run`, not as root."""
    build, *_, final = dockerfile_stages()
    assert any("pip install -r requirements.lock" in line for line in build)
    assert any("pip install --no-deps ." in line for line in build)
    assert any(line.startswith("COPY --from=") for line in final)
    users = [line.split()[1] for line in final if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert final[-1] == 'CMD ["whuffie", "run"]'
    assert any(line.startswith("HEALTHCHECK") and "/healthz" in line for line in final)


def test_secrets_and_databases_stay_out_of_the_image() -> None:
    """`.dockerignore` keeps .env, local databases and virtual environments out."""
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".env", "*.db", ".venv*", ".git"):
        assert entry in ignored


def test_the_lock_file_pins_what_pyproject_allows() -> None:
    """Every dependency is pinned in requirements.lock, to a version pyproject.toml allows."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = locked()
    for line in project["dependencies"]:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in requirements.lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (name, pins[name])

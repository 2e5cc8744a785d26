"""The layers hold: the core and the matcher never name a platform, the matcher nothing of ours."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The adapters package and every chat library an adapter wraps.
PLATFORM_MODULES = ("adapters", "slack_bolt", "slack_sdk", "slack", "discord")
# A string that is a module path into one of them (as importlib or an entry point takes it).
MODULE_PATH = re.compile(rf"^(?:{'|'.join(PLATFORM_MODULES)})(?:\.[A-Za-z_]\w*)*(?::\w+)?$")
# `python -m bot` hands over to the composition root, the one place allowed to know the adapters.
ROOT_HANDOVER = {Path("bot/__main__.py")}


def sources(package: str) -> Iterator[Path]:
    """Every Python file of a package, migrations included."""
    yield from sorted((ROOT / package).rglob("*.py"))


def imported(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Each module a file imports, with its line: statements, importlib and __import__ calls."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
        elif isinstance(node, ast.Call) and node.args:
            name = ast.unparse(node.func)
            first = node.args[0]
            if name.endswith(("import_module", "__import__")) and isinstance(first, ast.Constant):
                yield node.lineno, str(first.value)


def named_modules(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Strings that spell a platform module's path ('adapters.discord.invite')."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and MODULE_PATH.match(node.value.strip())
        ):
            yield node.lineno, node.value


def top(module: str) -> str:
    """The top-level package of a dotted module name."""
    return module.split(".")[0]


@pytest.mark.parametrize("package", ["bot", "matching"])
def test_no_core_or_matcher_file_imports_or_names_a_platform(package: str) -> None:
    """No import of `adapters`, slack_bolt, slack_sdk or discord, and no string naming one."""
    found = []
    for path in sources(package):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        relative = path.relative_to(ROOT)
        for line, module in imported(tree):
            if top(module) in PLATFORM_MODULES:
                found.append(f"{relative}:{line} imports {module}")
            if top(module) == "whuffie" and relative not in ROOT_HANDOVER:
                found.append(f"{relative}:{line} imports the composition root ({module})")
        found += [f"{relative}:{line} names {text!r}" for line, text in named_modules(tree)]
    assert found == []


def test_the_matcher_imports_nothing_else_of_the_project() -> None:
    """`matching/` is pure: none of bot, adapters, whuffie."""
    found = []
    for path in sources("matching"):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        found += [
            f"{path.relative_to(ROOT)}:{line} imports {module}"
            for line, module in imported(tree)
            if top(module) in ("bot", "adapters", "whuffie")
        ]
    assert found == []


def test_the_walk_sees_every_way_of_naming_a_platform(tmp_path: Path) -> None:
    """The checks catch a plain import, a from-import, importlib and a module path string."""
    code = (
        "import discord\n"
        "from slack_bolt.async_app import AsyncApp\n"
        "import importlib\n"
        "importlib.import_module('adapters.slack')\n"
        "PLUGIN = 'adapters.discord.invite'\n"
        "TEXT = 'a Slack workspace, a Discord server'\n"
    )
    tree = ast.parse(code)
    assert [m for _, m in imported(tree)] == [
        "discord",
        "slack_bolt.async_app",
        "importlib",
        "adapters.slack",
    ]
    assert sorted(t for _, t in named_modules(tree)) == [
        "adapters.discord.invite",
        "adapters.slack",
    ]

"""Every command explains itself, and the README stays true to the CLI."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import Result

import atoz.cli  # noqa: F401  (registers every command on the app)
from atoz.cli.app import app

ROOT = Path(__file__).parents[1]


def _command(path: tuple[str, ...]) -> Any:
    command: Any = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]
    return command


def _paths(group: Any = None, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command as the words that call it (`policy set` included)."""
    group = group if group is not None else typer.main.get_command(app)
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((*prefix, name))
        if hasattr(command, "commands"):
            found += _paths(command, (*prefix, name))
    return found


COMMANDS = _paths()


def test_the_cli_has_its_commands() -> None:
    assert len(COMMANDS) >= 10
    assert {("due-today",), ("skip",), ("migrate",), ("policy", "set"),
            ("policy", "unset")} <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_has_a_summary_and_an_example(
        run: Callable[..., Result], path: tuple[str, ...]) -> None:
    result = run(*path, "--help")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "-h, --help" in text
    # The docstring's first line is the summary: one sentence, shown first by --help.
    summary = (_command(path).help or "").split("\n\n")[0]
    assert "\n" not in summary and summary[:1].isupper() and summary.endswith("."), summary
    after_usage = result.stdout.split("\n\n", 1)[1]
    assert " ".join(after_usage.split()).startswith(summary)
    example = text.split("Example", 1)
    assert len(example) == 2, "no example"
    assert f"atoz {' '.join(path)}" in example[1], "the example runs another command"


def test_version_is_the_packaged_version(run: Callable[..., Result]) -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert run("--version").stdout == f"atoz {version}\n"


def test_every_command_the_readme_shows_exists() -> None:
    blocks = (ROOT / "README.md").read_text().split("```")[1::2]
    shown = {name for block in blocks
             for name in re.findall(r"\batoz ([a-z][a-z-]+)", block)}
    assert shown, "the README shows no commands"
    top = {path[0] for path in COMMANDS}
    assert shown <= top, shown - top


def test_ci_runs_the_readme_quick_start_verbatim() -> None:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Quick start", 1)[1].split("```", 2)[1]
    lines = [line for line in block.splitlines() if line.strip()]
    assert len(lines) == 2
    ci = (ROOT / ".ci" / "run").read_text()
    for line in lines:
        assert line in ci.splitlines(), line
    # ...in a copy of the checkout with its own .venv: the developer's is never removed.
    before = ci.split(lines[0], 1)[0]
    assert 'cd "$copy"' in before.splitlines() and "mktemp -d" in before
    assert not re.search(r"rm -rf\s+[\"']?\.?/?\.venv", ci)

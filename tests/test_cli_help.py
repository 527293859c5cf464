"""Every command explains itself, and the README stays true to the CLI."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import typer
from typer.testing import Result

from atoz.cli import app

ROOT = Path(__file__).parents[1]


def _commands() -> list[str]:
    group = typer.main.get_command(app)
    return sorted(group.commands)  # type: ignore[attr-defined]


def test_every_command_has_a_summary_and_an_example(run: Callable[..., Result]) -> None:
    assert len(_commands()) >= 10
    for name in _commands():
        result = run(name, "--help")
        assert result.exit_code == 0, name
        assert "Example" in result.stdout, name
        assert "-h, --help" in result.stdout, name


def test_version(run: Callable[..., Result]) -> None:
    assert run("--version").stdout.startswith("atoz 0.")


def test_every_command_the_readme_shows_exists() -> None:
    blocks = (ROOT / "README.md").read_text().split("```")[1::2]
    shown = {name for block in blocks
             for name in re.findall(r"\batoz ([a-z][a-z-]+)", block)}
    assert shown, "the README shows no commands"
    assert shown <= set(_commands()), shown - set(_commands())


def test_ci_runs_the_readme_quick_start_verbatim() -> None:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Quick start", 1)[1].split("```", 2)[1]
    lines = [line for line in block.splitlines() if line.strip()]
    assert len(lines) == 2
    ci = (ROOT / ".ci" / "run").read_text()
    for line in lines:
        assert line in ci.splitlines(), line

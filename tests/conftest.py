"""Every test gets its own database and templates folder; nothing touches the user's files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from atoz.cli import app
from atoz.store import Store


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "atoz.db"
    Store.open(db).close()  # an empty, migrated database, as after a seller's first command
    monkeypatch.setenv("ATOZ_DB", str(db))
    monkeypatch.setenv("ATOZ_TEMPLATES", str(tmp_path / "templates"))
    monkeypatch.delenv("ATOZ_TODAY", raising=False)
    return db


@pytest.fixture
def db_path(isolated: Path) -> Path:
    return isolated


@pytest.fixture
def run() -> Callable[..., Result]:
    """Run `atoz ARGS...` in-process; stdout and stderr are kept apart."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, list(args), input=input)

    return invoke


@pytest.fixture
def run_json(run: Callable[..., Result]) -> Callable[..., Any]:
    """Run a command with --json, assert it succeeded, and return the parsed stdout."""

    def invoke(*args: str) -> Any:
        result = run(*args, "--json")
        assert result.exit_code == 0, result.output + result.stderr
        return json.loads(result.stdout)

    return invoke

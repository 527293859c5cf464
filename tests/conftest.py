"""Every test gets its own database and templates folder; nothing touches the user's files.

The migrated empty database is built once per session and copied: migrating it for every test
cost more than most tests do.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from atoz.cli import app

# Saturday 28 November 2026, 12:00 UTC: the same calendar day from UTC-11 to UTC+11, so the
# seller's "today" is the 28th in every zone the tests use: 04:00 PST in Los Angeles (the default
# seller; the day has begun in every marketplace), 20:00 CST in Shanghai, 21:00 in Tokyo, 12:00 in
# London, 13:00 in Berlin. Claims in the tests are filed in October and November 2026.
NOW = "2026-11-28T12:00:00+00:00"
# For the whole run: session fixtures seed databases before any test's own environment.
os.environ["ATOZ_NOW"] = NOW


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from atoz.store import Store

    path = tmp_path_factory.mktemp("template") / "atoz.db"
    Store.open_write(path).close()  # an empty, migrated database, as after a first command
    return path


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, migrated: Path) -> Path:
    db = tmp_path / "atoz.db"
    shutil.copyfile(migrated, db)
    db.chmod(0o600)
    monkeypatch.setenv("ATOZ_DB", str(db))
    monkeypatch.setenv("ATOZ_TEMPLATES", str(tmp_path / "templates"))
    # A seller in Los Angeles: at 00:00 of a day (`--today D`), D has begun in every
    # marketplace atoz knows, so a test may file a claim "today" anywhere. Tests of the
    # seller's own zone set ATOZ_TZ themselves.
    monkeypatch.setenv("ATOZ_TZ", "America/Los_Angeles")
    # A seller with one store, in the US: `atoz add` without -m files there. Tests of the
    # marketplace being required delete it (a developer's own value never leaks in).
    monkeypatch.setenv("ATOZ_MARKETPLACE", "US")
    monkeypatch.setenv("COLUMNS", "200")
    for name in ("ATOZ_TODAY", "ATOZ_FORWARDERS", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    # Every command acts at one fixed moment unless it passes --now/--today, so no test depends
    # on the day the suite runs (in-process runs and subprocesses that copy os.environ alike).
    # Tests of the machine's clock delete it; a test that sets ATOZ_TODAY must too (ATOZ_NOW
    # wins over ATOZ_TODAY).
    monkeypatch.setenv("ATOZ_NOW", NOW)
    return db


@pytest.fixture
def utc_seller(monkeypatch: pytest.MonkeyPatch) -> None:
    """The seller's clock reads UTC: times print as UTC, `--today D` is 00:00 UTC of D."""
    monkeypatch.setenv("ATOZ_TZ", "UTC")


@pytest.fixture
def db_path(isolated: Path) -> Path:
    return isolated


@pytest.fixture
def run() -> Callable[..., Result]:
    """Run `atoz ARGS...` in-process; stdout and stderr are kept apart."""
    runner = CliRunner()

    def invoke(*args: str, input: str | bytes | None = None) -> Result:
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


@pytest.fixture
def no_db(isolated: Path) -> Iterator[Path]:
    """A test that starts without any database file."""
    isolated.unlink()
    yield isolated

"""The store: migrations, an older database moving forward, backups (issues 2 and 6)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlite_utils import Database
from typer.testing import Result

from atoz.schema import migrations
from atoz.store import Store

DATA = Path(__file__).parent / "data"


def _columns(db: Database) -> dict[str, list[str]]:
    return {name: [c.name for c in db.table(name).columns] for name in db.table_names()}


def test_migrations_applied_twice_on_an_empty_database_change_nothing() -> None:
    db = Database(memory=True, execute_plugins=False)
    migrations().apply(db)
    first = _columns(db)
    migrations().apply(db)
    Store(db.conn)
    assert _columns(db) == first
    assert {"claims", "history", "steps", "orders"} <= set(first)
    assert migrations().pending(db) == []


def test_a_database_from_the_first_schema_opens_and_migrates_without_loss(
        tmp_path: Path, run_json: Callable[..., Any], monkeypatch: Any) -> None:
    old = tmp_path / "old.db"
    shutil.copy(DATA / "schema-0001.db", old)
    before = sqlite3.connect(old).execute("select * from history order by id").fetchall()
    monkeypatch.setenv("ATOZ_DB", str(old))
    info = run_json("info")
    assert info["schema"] == migrations().applied(Database(old))[-1].name
    assert info["claims"] == 2
    after = sqlite3.connect(old).execute("select * from history order by id").fetchall()
    assert after == before
    claim = run_json("status", "1")
    assert claim["status"] == "granted-seller-funded" and claim["buyer"] == "Dana Ortiz"
    assert {s["step"]: s["state"] for s in claim["steps"]}["appeal"] == "open"


def test_backup_is_a_sound_private_copy_and_never_overwrites(
        run: Callable[..., Result], tmp_path: Path) -> None:
    run("add", "113-1234567-1234567", "--order-date", "2026-10-01", "--latest-delivery",
        "2026-10-09", "--buyer", "Dana Ortiz")
    target = tmp_path / "backup.db"
    result = run("backup", str(target))
    assert result.exit_code == 0, result.output
    assert "1 claims, integrity ok" in result.stdout
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    copy = sqlite3.connect(target)
    assert copy.execute("select buyer from claims").fetchall() == [("Dana Ortiz",)]
    again = run("backup", str(target))
    assert again.exit_code == 2 and "already exists" in again.stderr  # bad input: FILE


def test_info_check_runs_the_integrity_check(run: Callable[..., Result]) -> None:
    result = run("info", "--check")
    assert result.exit_code == 0 and "integrity     ok" in result.stdout


def test_a_file_that_is_not_a_database_is_a_clear_error(
        run: Callable[..., Result], tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    result = run("list", "--db", str(junk))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot open database") and "Traceback" not in \
        result.output


def test_a_read_never_creates_a_database_so_a_mistyped_path_is_caught(
        run: Callable[..., Result], tmp_path: Path) -> None:
    typo = tmp_path / "atoz-backup.bd"
    for args in (("info", "--check"), ("list",), ("due-today",), ("report",), ("status", "1")):
        result = run(*args, "--db", str(typo))
        assert result.exit_code == 1, args
        assert result.stderr.startswith(f"Error: no database at {typo}"), args
    assert not typo.exists()
    where = run("info", "--db", str(typo))
    assert where.exit_code == 0 and "created by the first atoz add" in where.stdout
    assert not typo.exists()
    assert run("add", "113-1234567-1234567", "--order-date", "2026-10-01", "--latest-delivery",
               "2026-10-09", "--db", str(typo)).exit_code == 0
    assert typo.exists()

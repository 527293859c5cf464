"""The store: migrations, older databases moving forward, newer ones left alone, backups and the
check that says a file can be trusted (issues 2, 6 and 12).

`tests/data/schema-0001.db` was written by atoz 0.1.0's first schema. `tests/data/schema-0005.db`
was written by atoz 0.1.0 itself (its last schema, `0005_steps_by_deadline`), run from
`git archive` of the 0.1.0 commit with ATOZ_TODAY=2026-11-20:

    import orders.tsv    (two orders: 250-3333333-3333333 JPY 7480, 116-2222222-2222222 USD 110.45)
    add 113-1111111-1111111 --order-date 2026-10-01 --latest-delivery 2026-10-09
        --claim-date "2026-10-20 14:30" --amount 24.99 --reason not-received --buyer "Dana Ortiz"
    done 1 contact --on 2026-10-21 --note "first message sent"
    status 1 granted-seller-funded --on 2026-10-30 --note debited
    add 302-2222222-2222222 -m DE --order-date 2026-10-05 --latest-delivery 2026-10-12
        --claim-date 2026-11-16 --amount 19.90
    add 250-3333333-3333333 --claim-date 2026-11-17 --amount 7480 --reason not-as-described
    edit 3 --claim-date "2026-11-17 09:15"
    add 116-2222222-2222222 --claim-date 2026-10-25 --amount 92.77
    status 4 denied --on 2026-10-29 --note "tracking shows delivered"
    add 203-4444444-4444444 -m UK --order-date 2026-10-10 --latest-delivery 2026-10-18
        --claim-date 2026-10-28 --amount 0.10
    status 5 refunded --on 2026-11-02;  status 5 under-review --on 2026-11-03 --note reopened
    add 114-5555555-5555555 --order-date 2026-10-10 --latest-delivery 2026-10-18
        --claim-date 2026-10-28;  status 6 withdrawn --on 2026-11-01

`tests/data/schema-0005-finance.db` and `tests/data/export-v1-finance.json` (its `atoz export`)
were written the same way by 0.1.0, with a claim that 0.1.0 created from a finance debit:

    import orders.tsv    (one order: 117-7777777-7777777, 2026-10-02, delivery by 2026-10-12)
    import fin.json      (a GuaranteeClaimEvent for it, posted 2026-11-05T18:00:00Z, 42.50 USD)
    add 113-1111111-1111111 --order-date 2026-10-01 --latest-delivery 2026-10-09
        --claim-date 2026-11-16 --amount 24.99
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database
from typer.testing import Result

import atoz.backup
from atoz import __version__
from atoz.money import MINOR_UNITS
from atoz.schema import DERIVED, MIGRATIONS, migrations
from tests.helpers import ADD, snapshot

Run = Callable[..., Result]
Json = Callable[..., Any]
DATA = Path(__file__).parent / "data"
LATEST = MIGRATIONS[-1][0]


def _schema(db: Database) -> list[tuple[str, str, str]]:
    """Every table, index and view with its SQL: what a migration could change."""
    return sorted(db.execute("select type, name, coalesce(sql, '') from sqlite_master "
                             "where name not like 'sqlite_%'").fetchall())


def _rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _copy(name: str, folder: Path) -> Path:
    target = folder / name
    shutil.copyfile(DATA / name, target)
    return target


# --- migrations ---------------------------------------------------------------------------
def test_migrations_applied_twice_on_an_empty_database_change_nothing() -> None:
    db = Database(memory=True, execute_plugins=False)
    migrations().apply(db)
    first = _schema(db)
    migrations().apply(db)
    assert _schema(db) == first
    tables = set(db.table_names())
    assert {"claims", "history", "steps", "decisions", "orders", "policy_rules", "meta"} <= tables
    assert {"claims_overview", "open_steps"} <= set(db.view_names())
    assert "amount_minor" in db.table("claims").columns_dict
    assert migrations().pending(db) == []


def test_a_database_from_the_first_schema_migrates_forward_without_loss(
        tmp_path: Path, run: Run, run_json: Json, monkeypatch: pytest.MonkeyPatch) -> None:
    old = _copy("schema-0001.db", tmp_path)
    history = _rows(old, "select * from history order by id")
    monkeypatch.setenv("ATOZ_DB", str(old))
    result = run("migrate")
    assert result.exit_code == 0, result.output + result.stderr
    assert f"schema {LATEST}" in result.stdout
    assert "Brought 2 claims forward" in result.stderr
    info = run_json("info")
    assert (info["schema"], info["claims"], info["history"]) == (LATEST, 2, 4)
    assert _rows(old, "select * from history order by id") == history
    assert _rows(old, "select id, amount_minor, currency from claims order by id") == [
        (1, 2499, "USD"), (2, 1990, "EUR")]
    claim = run_json("status", "1", "--today", "2026-11-20")
    assert (claim["outcome"], claim["buyer"], claim["payer"], claim["odr"]) == (
        "granted-seller-funded", "Dana Ortiz", "seller", "counted")
    steps = {s["step"]: s for s in claim["steps"]}
    # The appeal deadline, rebuilt as an instant: the end of 30 days after the grant.
    assert (steps["appeal"]["state"], steps["appeal"]["deadline"]) == (
        "open", "2026-11-30T00:00:00-08:00")
    assert (steps["contact"]["state"], steps["contact"]["done_on"]) == ("done", "2026-10-21")
    # Derived state follows today's rules: Germany's response time is 72 hours now.
    de = run_json("status", "2", "--today", "2026-11-17")
    assert de["response_deadline"] == "2026-11-19T00:00:00+01:00"
    assert {s["step"]: s["due"] for s in de["steps"]} == {
        "contact": "2026-11-17", "follow-up": "2026-11-18", "represent": "2026-11-18"}


def test_a_database_written_by_atoz_0_1_0_moves_forward_on_the_next_write(
        tmp_path: Path, run: Run, run_json: Json, monkeypatch: pytest.MonkeyPatch) -> None:
    old = _copy("schema-0005.db", tmp_path)
    history = _rows(old, "select * from history order by id")
    amounts = _rows(old, "select id, amount, currency from claims order by id")
    totals = _rows(old, "select order_id, total, currency from orders order by order_id")
    monkeypatch.setenv("ATOZ_DB", str(old))
    # Any command that records something migrates first (here: marking a step done).
    done = run("done", "3", "contact", "--on", "2026-11-18")
    assert done.exit_code == 0, done.output + done.stderr
    assert "Brought 6 claims forward" in done.stderr
    assert run_json("info")["schema"] == LATEST
    after = _rows(old, "select * from history order by id")
    assert after[:len(history)] == history  # the old history, untouched
    assert [(r[1], r[2], r[3]) for r in after[len(history):]] == [(3, "done", None)]

    def minor(amount: str | None, currency: str) -> int | None:
        if amount is None:
            return None
        return int(Decimal(amount) * 10 ** MINOR_UNITS.get(currency, 2))

    assert _rows(old, "select id, amount_minor, currency from claims order by id") == [
        (i, minor(a, c), c) for i, a, c in amounts]
    assert [m for (m,) in _rows(old, "select amount_minor from claims order by id")] == [
        2499, 1990, 7480, 9277, 10, None]
    assert _rows(old, "select order_id, total_minor, currency from orders order by order_id"
                 ) == [(o, minor(t, c), c) for o, t, c in totals]
    claims = {c["claim_id"]: c for c in run_json("list", "--today", "2026-11-20")}
    assert {i: (c["outcome"], c["decided_on"], c["payer"], c["odr"])
            for i, c in claims.items()} == {
        1: ("granted-seller-funded", "2026-10-30", "seller", "counted"),
        2: ("under-review", None, None, "pending"),
        3: ("under-review", None, None, "pending"),
        4: ("denied", "2026-10-29", "none", "not-counted"),
        5: ("under-review", None, None, "pending"),  # refunded, then reopened
        6: ("withdrawn", "2026-11-01", "none", "not-counted")}
    # The JP claim's corrected time is its claim moment: 48 hours from 09:15 JST.
    assert claims[3]["response_deadline"] == "2026-11-19T09:15:00+09:00"
    assert claims[4]["window_opens"] == "2026-10-16"
    denied = run_json("status", "4", "--today", "2026-11-20")
    assert denied["reopen_until"] == "2026-11-28"


def _check_finance_stand_in(run_json: Json) -> None:
    """0.1.0's finance-created claim: its claim date is the debit's posted day, a stand-in, so
    it has no response deadline to meet and no playbook days, only the grant's appeal."""
    finance = run_json("status", "117-7777777-7777777", "--today", "2026-11-20")
    assert (finance["source"], finance["claim_date"], finance["claim_date_known"],
            finance["outcome"]) == ("finance", "2026-11-05", False, "granted-seller-funded")
    assert [s["step"] for s in finance["steps"]] == ["appeal"]
    manual = run_json("status", "113-1111111-1111111", "--today", "2026-11-20")
    assert (manual["claim_date_known"], [s["step"] for s in manual["steps"]]) == (
        True, ["contact", "follow-up", "represent"])


def test_a_finance_claim_from_atoz_0_1_0_keeps_its_claim_date_a_stand_in_when_migrated(
        tmp_path: Path, run: Run, run_json: Json, monkeypatch: pytest.MonkeyPatch) -> None:
    old = _copy("schema-0005-finance.db", tmp_path)
    monkeypatch.setenv("ATOZ_DB", str(old))
    assert run("migrate").exit_code == 0
    assert _rows(old, "select id, source, claim_date_known from claims order by id") == [
        (1, "finance", 0), (2, "manual", 1)]
    _check_finance_stand_in(run_json)
    shown = run("status", "1", "--today", "2026-11-20").stdout
    assert "respond by       unknown (the filing moment is unknown)" in shown
    assert "a stand-in, not the filing date: Amazon's finance data has only" in shown


def test_a_finance_claim_in_a_version_1_export_restores_as_a_stand_in(
        run: Run, run_json: Json) -> None:
    result = run("import", str(DATA / "export-v1-finance.json"), "--today", "2026-11-20")
    assert result.exit_code == 0, result.output + result.stderr
    assert "2 added" in result.stdout
    _check_finance_stand_in(run_json)


# Edits 0.1.0 wrote (history.detail as it stored it) when the seller gave the filing moment of
# claim 1, created from a finance debit posted 2026-11-05. A time for the same day is only a
# `claim_time` change, and 0.1.0 left the claim's source `finance`; a new day is `claim_date`
# (0.1.0 then also set the source to manual: kept `finance` here, as an earlier 0.1 left it).
GAVE_FILING = [
    pytest.param("2026-11-05", "14:00", {"claim_time": {"new": "14:00", "old": None}},
                 "2026-11-08T14:00:00-08:00", "2026-11-05 14:00:00", id="time"),
    pytest.param("2026-11-03", None, {"claim_date": {"new": "2026-11-03", "old": "2026-11-05"}},
                 "2026-11-06T00:00:00-08:00", "2026-11-03", id="day"),
]


def _check_filing_given(run: Run, run_json: Json, deadline: str, csv_date: str) -> None:
    """The filing moment the seller gave is still the claim's: its response deadline counts
    from it, status shows no stand-in, and the CSV export keeps it."""
    finance = run_json("status", "1", "--today", "2026-11-20")
    assert (finance["claim_date_known"], finance["response_deadline"]) == (True, deadline)
    shown = run("status", "1", "--today", "2026-11-20").stdout
    assert "stand-in" not in shown
    exported = run("export", "--format", "csv", "--today", "2026-11-20").stdout
    row = next(csv.DictReader(io.StringIO(exported)))
    assert (row["claim_id"], row["claim_date"], row["claim_date_known"]) == (
        "1", csv_date, "yes")


@pytest.mark.parametrize(("day", "time", "detail", "deadline", "csv_date"), GAVE_FILING)
def test_a_finance_claim_whose_filing_moment_0_1_0_was_given_keeps_it_when_migrated(
        tmp_path: Path, run: Run, run_json: Json, monkeypatch: pytest.MonkeyPatch, day: str,
        time: str | None, detail: dict[str, Any], deadline: str, csv_date: str) -> None:
    old = _copy("schema-0005-finance.db", tmp_path)
    conn = sqlite3.connect(old)
    with conn:  # as 0.1.0's `atoz edit 1 --claim-date ...` left it
        conn.execute("update claims set claim_date = ?, claim_time = ? where id = 1", (day, time))
        conn.execute("insert into history (claim_id, kind, status, step, on_date, note, detail, "
                     "recorded_at) values (1, 'edit', null, null, '2026-11-19', null, ?, "
                     "'2026-11-19T05:23:35+00:00')", (json.dumps(detail, sort_keys=True),))
    conn.close()
    monkeypatch.setenv("ATOZ_DB", str(old))
    assert run("migrate").exit_code == 0
    assert _rows(old, "select id, source, claim_date_known from claims order by id") == [
        (1, "finance", 1), (2, "manual", 1)]
    _check_filing_given(run, run_json, deadline, csv_date)


@pytest.mark.parametrize(("day", "time", "detail", "deadline", "csv_date"), GAVE_FILING)
def test_a_finance_claim_whose_filing_moment_0_1_0_was_given_keeps_it_when_restored(
        tmp_path: Path, run: Run, run_json: Json, day: str, time: str | None,
        detail: dict[str, Any], deadline: str, csv_date: str) -> None:
    export = json.loads((DATA / "export-v1-finance.json").read_text(encoding="utf-8"))
    claim = export["claims"][0]
    claim.update(claim_date=day, claim_time=time)  # as 0.1.0's `atoz export` wrote it
    claim["history"].append({"kind": "edit", "status": None, "step": None,
                             "on_date": "2026-11-19", "note": None, "detail": detail,
                             "recorded_at": "2026-11-19T05:23:35+00:00"})
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    result = run("import", str(path), "--today", "2026-11-20")
    assert result.exit_code == 0, result.output + result.stderr
    _check_filing_given(run, run_json, deadline, csv_date)


# --- one writer of the claim core --------------------------------------------------------
ATOZ = Path(__file__).parents[1] / "atoz"


def test_only_the_store_writes_claims_history_steps_and_decisions_or_begins_a_transaction(
        ) -> None:
    """Item 7: the bulk import and the restore each held their own INSERT SQL and column list,
    and the order staging its own BEGIN; one Store method writes claims in bulk for both."""
    write = re.compile(r"insert\s+(or\s+\w+\s+)?into\s+(claims|history|steps|decisions)\b",
                       re.IGNORECASE)
    begin = re.compile(r"execute\(\s*[\"'](BEGIN|COMMIT|ROLLBACK|SAVEPOINT)\b", re.IGNORECASE)
    found = [f"{path.relative_to(ATOZ)}: {m.group(0)}" for path in sorted(ATOZ.rglob("*.py"))
             if path.name != "store.py"
             for m in [*write.finditer(path.read_text()), *begin.finditer(path.read_text())]]
    assert found == []


def test_an_order_items_staging_key_is_the_same_in_every_process() -> None:
    """Python's hash() of a string changes from process to process (PYTHONHASHSEED)."""
    code = ("from atoz.imports.staging import item_key; "
            "print(item_key('113-1234567-1234567\\t2026-10-01\\tSKU-1'))")
    keys = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2")}
    assert len(keys) == 1 and int(keys.pop()) != 0


# --- read-only commands on an older or newer database -------------------------------------
@pytest.mark.parametrize("args", [("list",), ("status", "1"), ("due-today",), ("report",),
                                  ("odr",), ("draft", "1", "contact")])
def test_a_read_on_an_older_database_refuses_naming_atoz_migrate_and_writes_nothing(
        tmp_path: Path, run: Run, args: tuple[str, ...]) -> None:
    old = _copy("schema-0005.db", tmp_path)
    pristine = _digest(DATA / "schema-0005.db")
    # SQLite keeps an empty -wal and -shm beside a WAL database it reads; digest from there.
    assert run("info", "--db", str(old)).exit_code == 0
    before = snapshot(old)
    result = run(*args, "--db", str(old))
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"Error: {old} was made by an older atoz (schema "
                                    "0005_steps_by_deadline): run `atoz migrate`")
    assert snapshot(old) == before
    assert _digest(old) == pristine
    assert old.with_name(old.name + "-wal").stat().st_size == 0


def test_info_on_an_older_database_shows_its_schema_without_migrating_it(
        tmp_path: Path, run_json: Json) -> None:
    old = _copy("schema-0005.db", tmp_path)
    info = run_json("info", "--db", str(old))
    assert (info["schema"], info["claims"]) == ("0005_steps_by_deadline", 6)
    assert _digest(old) == _digest(DATA / "schema-0005.db")


def _from_a_newer_atoz(db: Path) -> None:
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("insert into _sqlite_migrations (migration_set, name, applied_at) "
                     "values ('atoz', '0099_from_the_future', '2027-06-01')")
        conn.execute("update meta set value = '9.1.0' where key = 'written_by'")
    conn.close()


def test_a_database_from_a_newer_atoz_is_refused_for_writing_but_still_read(
        run: Run, run_json: Json, db_path: Path) -> None:
    assert run(*ADD).exit_code == 0
    _from_a_newer_atoz(db_path)
    before = snapshot(db_path)
    for args in (("add", "114-1234567-1234567", "--order-date", "2026-10-01",
                  "--latest-delivery", "2026-10-09"), ("done", "1", "contact"), ("migrate",)):
        result = run(*args)
        assert result.exit_code == 1, (args, result.output)
        assert (f"was written by atoz 9.1.0 (schema 0099_from_the_future), newer than this "
                f"atoz {__version__}: upgrade atoz to write to it") in result.stderr, args
        assert snapshot(db_path) == before, args
    assert [c["order_id"] for c in run_json("list")] == ["113-1234567-1234567"]
    assert run_json("status", "1")["outcome"] == "under-review"
    assert run_json("info")["schema"] == "0099_from_the_future"


@pytest.mark.parametrize("derived", [str(int(DERIVED) + 1), "10", f"{DERIVED}.1"])
def test_a_newer_derived_state_is_refused_for_writing_and_never_rebuilt_backwards(
        run: Run, run_json: Json, db_path: Path, derived: str) -> None:
    # Compared as versions: '10' is after '3' (as text it sorts before), and a newer atoz's
    # deadlines are never recomputed by this one's older rules.
    assert run(*ADD).exit_code == 0
    with sqlite3.connect(db_path) as conn:
        conn.execute("update meta set value = ? where key = 'derived'", [derived])
        conn.execute("update meta set value = '0.3.0' where key = 'written_by'")
    conn.close()
    before = snapshot(db_path)
    newer = (f"{db_path} was written by atoz 0.3.0 (derived state {derived}, this atoz's is "
             f"{DERIVED}), newer than this atoz {__version__}")
    for args in (("migrate",), ("done", "1", "contact"), ("add", "114-1234567-1234567",
                                                          "--order-date", "2026-10-01",
                                                          "--latest-delivery", "2026-10-09")):
        result = run(*args)
        assert result.exit_code == 1, (args, result.output)
        assert result.stderr == f"Error: {newer}: upgrade atoz to write to it (reading still " \
                                "works)\n", args
        assert snapshot(db_path) == before, args
    assert _rows(db_path, "select value from meta where key = 'derived'") == [(derived,)]
    listed = run("list", "--json")
    assert listed.exit_code == 0, listed.stderr
    assert [c["order_id"] for c in json.loads(listed.stdout)] == ["113-1234567-1234567"]
    assert "older" not in listed.stderr and newer in listed.stderr


def test_an_older_derived_state_is_rebuilt_on_the_next_write(
        run: Run, run_json: Json, db_path: Path) -> None:
    assert run(*ADD).exit_code == 0
    with sqlite3.connect(db_path) as conn:
        conn.execute("update meta set value = ? where key = 'derived'", [f"{DERIVED}.0"])
    conn.close()
    assert run("list").exit_code == 0  # the same version, however written
    with sqlite3.connect(db_path) as conn:
        conn.execute("update meta set value = '1' where key = 'derived'")
    conn.close()
    read = run("list")
    assert read.exit_code == 1 and "made by an older atoz" in read.stderr
    migrated = run("migrate")
    assert migrated.exit_code == 0, migrated.stderr
    assert "Brought 1 claims forward" in migrated.stderr
    assert _rows(db_path, "select value from meta where key = 'derived'") == [(DERIVED,)]


# --- backups and the check ----------------------------------------------------------------
def test_backup_is_a_sound_private_copy_and_never_overwrites(
        run: Run, tmp_path: Path) -> None:
    run("add", "113-1234567-1234567", "--order-date", "2026-10-01", "--latest-delivery",
        "2026-10-09", "--buyer", "Dana Ortiz")
    target = tmp_path / "backup.db"
    result = run("backup", str(target))
    assert result.exit_code == 0, result.output + result.stderr
    assert "1 claims, integrity ok" in result.stdout
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert _rows(target, "select buyer from claims") == [("Dana Ortiz",)]
    # A standalone file: no write-ahead log to carry around with it.
    assert _rows(target, "pragma journal_mode") == [("delete",)]
    before = _digest(target)
    again = run("backup", str(target))
    assert again.exit_code == 2 and "already exists" in again.stderr
    assert _digest(target) == before
    assert run("info", "--check", "--db", str(target)).exit_code == 0


def test_backup_writes_a_temporary_name_and_renames_only_once_checked(
        run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(*ADD).exit_code == 0
    folder = tmp_path / "backups"
    folder.mkdir()
    target = folder / "b.db"
    checked: list[Path] = []
    real_check = atoz.backup.check

    def spy(path: Path) -> atoz.backup.Check:
        checked.append(path)
        assert not target.exists(), "the backup had its name before it was checked"
        return real_check(path)

    monkeypatch.setattr(atoz.backup, "check", spy)
    assert run("backup", str(target)).exit_code == 0
    assert len(checked) == 1 and checked[0].parent == folder and checked[0] != target
    assert sorted(p.name for p in folder.iterdir()) == ["b.db"]

    def failing(path: Path) -> atoz.backup.Check:
        return atoz.backup.Check(path, "x", 0, "*** page 3: btree damaged")

    monkeypatch.setattr(atoz.backup, "check", failing)
    bad = run("backup", str(folder / "c.db"))
    assert bad.exit_code == 1 and "failed its check" in bad.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["b.db"]  # nothing kept, no temp file


def test_a_claim_added_while_a_backup_runs_does_not_fail_it(
        run: Run, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The copy and the count it is checked against come from one snapshot: an `atoz add`
    # committing after the copy (here: while the copy is being checked) is in neither.
    assert run(*ADD).exit_code == 0
    real_check = atoz.backup.check

    def add_meanwhile(path: Path) -> atoz.backup.Check:
        other = run("add", "114-7654321-7654321", "--order-date", "2026-10-01",
                    "--latest-delivery", "2026-10-09")
        assert other.exit_code == 0, other.stderr
        return real_check(path)

    monkeypatch.setattr(atoz.backup, "check", add_meanwhile)
    target = tmp_path / "backup.db"
    result = run("backup", str(target))
    assert result.exit_code == 0, result.stderr
    assert "1 claims, integrity ok" in result.stdout
    assert _rows(target, "select order_id from claims") == [("113-1234567-1234567",)]
    assert _rows(db_path, "select count(*) from claims") == [(2,)]


def test_info_check_runs_the_integrity_check(run: Run) -> None:
    result = run("info", "--check")
    assert result.exit_code == 0 and "integrity     ok" in result.stdout


@pytest.mark.parametrize("kind", ["empty", "schema-less", "not sqlite"])
def test_info_check_fails_on_a_file_that_is_not_a_sound_atoz_database_and_leaves_it_alone(
        run: Run, tmp_path: Path, kind: str) -> None:
    path = tmp_path / "b.db"
    if kind == "empty":
        path.touch()
    elif kind == "schema-less":
        conn = sqlite3.connect(path)
        conn.execute("create table notes (x)")
        conn.commit()
        conn.close()
    else:
        path.write_bytes(b"this is not sqlite" * 100)
    before = _digest(path)
    result = run("info", "--check", "--db", str(path))
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"Error: {path}")
    assert {"empty": "is empty", "schema-less": "has no atoz schema",
            "not sqlite": "not a SQLite database"}[kind] in result.stderr
    assert "integrity" not in result.stdout
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("b.db")) == ["b.db"]


def test_info_check_fails_on_a_left_over_journal_and_never_rolls_it_into_the_file(
        run: Run, tmp_path: Path) -> None:
    assert run(*ADD).exit_code == 0
    copy = tmp_path / "copy.db"
    assert run("backup", str(copy)).exit_code == 0  # a rollback-journal database
    # A copy taken while a transaction was writing: the file and its hot journal.
    conn = sqlite3.connect(copy, isolation_level=None)
    conn.execute("pragma cache_size = 1")  # spill changed pages into the file at once
    conn.execute("begin immediate")
    conn.execute("update claims set note = ? ", ["x" * 50_000])
    interrupted = tmp_path / "interrupted.db"
    shutil.copyfile(copy, interrupted)
    journal = interrupted.with_name(interrupted.name + "-journal")
    shutil.copyfile(copy.with_name(copy.name + "-journal"), journal)
    conn.execute("rollback")
    conn.close()
    assert journal.stat().st_size > 0
    before = (_digest(interrupted), _digest(journal))
    result = run("info", "--check", "--db", str(interrupted))
    assert result.exit_code == 1, result.output
    assert "left-over journal" in result.stderr and "integrity" not in result.stdout
    assert (_digest(interrupted), _digest(journal)) == before


def test_a_file_that_is_not_a_database_is_a_clear_error(run: Run, tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    before = _digest(junk)
    for args in (("list",), ("add", *ADD[1:])):
        result = run(*args, "--db", str(junk))
        assert result.exit_code == 1, args
        assert result.stderr.startswith(f"Error: {junk} is not a SQLite database"), args
        assert "Traceback" not in result.output
    assert _digest(junk) == before


def test_a_read_never_creates_a_database_so_a_mistyped_path_is_caught(
        run: Run, tmp_path: Path) -> None:
    typo = tmp_path / "atoz-backup.bd"
    for args in (("info", "--check"), ("list",), ("due-today",), ("report",), ("status", "1")):
        result = run(*args, "--db", str(typo))
        assert result.exit_code == 1, args
        assert result.stderr.startswith(f"Error: no database at {typo}"), args
    assert not typo.exists()
    where = run("info", "--db", str(typo))
    assert where.exit_code == 0 and "first atoz add or atoz import creates it" in where.stdout
    assert not typo.exists()
    assert run("add", "113-1234567-1234567", "--order-date", "2026-10-01", "--latest-delivery",
               "2026-10-09", "--db", str(typo)).exit_code == 0
    assert typo.exists()


# --- a WAL database on read-only media ----------------------------------------------------
def _read_only_folder_command(folder: Path) -> list[str] | None:
    """A command prefix under which `folder` cannot be written, or None (then the test skips).
    Not root: chmod is enough. Root ignores permissions: a read-only bind mount in a private
    mount namespace, where the machine allows one."""
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        return []
    if shutil.which("unshare") is None:
        return None
    mount = f"mount --bind '{folder}' '{folder}' && mount -o remount,ro,bind '{folder}'"
    probe = subprocess.run(["unshare", "-m", "sh", "-c", f"{mount} && ! touch '{folder}/x'"],
                           capture_output=True)
    if probe.returncode != 0:
        return None
    return ["unshare", "-m", "sh", "-c", f'{mount} && exec "$@"', "sh"]


def _in_read_only(folder: Path, run: Run, *args: str) -> tuple[int, str, str]:
    """`atoz ARGS` while `folder` cannot be written (a subprocess under root): exit code,
    stdout, stderr; skips the test where no folder can be made unwritable."""
    prefix = _read_only_folder_command(folder)
    if prefix is None:
        pytest.skip("cannot make a folder unwritable here: running as root without "
                    "permission to make a read-only bind mount")
    if prefix:
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
        command = [*prefix, sys.executable, "-m", "atoz", *args]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        return done.returncode, done.stdout, done.stderr
    modes = {path: stat.S_IMODE(path.stat().st_mode) for path in folder.iterdir()}
    folder.chmod(0o555)
    for path in modes:
        path.chmod(0o444)
    try:
        result = run(*args)
    finally:
        folder.chmod(0o700)
        for path, mode in modes.items():
            path.chmod(mode)
    return result.exit_code, result.stdout, result.stderr


def test_a_wal_database_in_a_read_only_folder_can_be_read(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "media"
    folder.mkdir()
    db = folder / "atoz.db"
    assert run(*ADD, "--db", str(db)).exit_code == 0
    assert _rows(db, "pragma journal_mode") == [("wal",)]
    before = _digest(db)
    code, output, errors = _in_read_only(folder, run, "list", "--json", "--db", str(db))
    assert code == 0, errors
    assert '"order_id": "113-1234567-1234567"' in output
    assert _digest(db) == before
    assert sorted(p.name for p in folder.iterdir()) == ["atoz.db"]


def _copied_mid_write(run: Run, tmp_path: Path, companions: tuple[str, ...]) -> Path:
    """A copy of a database whose latest commit (a second claim) is still in its `-wal`, as
    a copy taken while another program holds it open: the file, and the `companions`."""
    db = tmp_path / "atoz.db"
    assert run(*ADD, "--db", str(db)).exit_code == 0
    holder = sqlite3.connect(db)  # the last to close would fold the log into the file
    holder.execute("select count(*) from claims").fetchone()
    assert run("add", "114-7654321-7654321", "--order-date", "2026-10-01",
               "--latest-delivery", "2026-10-09", "--db", str(db)).exit_code == 0
    media = tmp_path / "media"
    media.mkdir()
    for name in ("atoz.db", *companions):
        shutil.copyfile(tmp_path / name, media / name)
    holder.close()
    assert (media / "atoz.db-wal").stat().st_size > 0  # (opening it here would fold it in)
    assert sorted(p.name for p in media.iterdir()) == sorted(("atoz.db", *companions))
    return media / "atoz.db"


@pytest.mark.parametrize("args", [("list", "--json"), ("info", "--check"), ("backup", "B")])
def test_a_read_only_copy_sees_the_commits_still_in_its_write_ahead_log(
        run: Run, tmp_path: Path, args: tuple[str, ...]) -> None:
    # `immutable` would read the file alone: one claim, and a backup missing the other.
    db = _copied_mid_write(run, tmp_path, ("atoz.db-wal", "atoz.db-shm"))
    target = tmp_path / "backup.db"
    code, output, errors = _in_read_only(
        db.parent, run, *(str(target) if a == "B" else a for a in args), "--db", str(db))
    assert code == 0, errors
    if args[0] == "list":
        assert output.count('"order_id"') == 2
    elif args[0] == "info":
        assert "claims        2" in output
    else:
        assert "2 claims, integrity ok" in output
        assert _rows(target, "select count(*) from claims") == [(2,)]


def test_a_log_that_cannot_be_read_in_a_read_only_folder_is_an_error_not_missing_claims(
        run: Run, tmp_path: Path) -> None:
    # Without its -shm, SQLite cannot read the log where nothing can be created.
    db = _copied_mid_write(run, tmp_path, ("atoz.db-wal",))
    code, output, errors = _in_read_only(db.parent, run, "list", "--json", "--db", str(db))
    assert code == 1 and output == ""
    assert errors.startswith(f"Error: {db} cannot be read where it is: its write-ahead log "
                             "(atoz.db-wal) holds committed changes"), errors


def test_the_fact_columns_follow_the_order_of_the_fields() -> None:
    # The bulk importers write claims as tuples in this order: a mismatch would shift columns.
    import datetime as dt

    from atoz.records import ClaimFacts

    facts = ClaimFacts("113-1234567-1234567", "US", None, None, dt.date(2026, 11, 1))
    assert list(facts.columns()) == list(ClaimFacts.__dataclass_fields__)


def test_the_overview_view_shows_no_deadline_for_a_claim_whose_filing_date_is_unknown(
        run: Run, db_path: Path) -> None:
    sample = Path(__file__).resolve().parents[1] / "sample_data" / "finance-events.json"
    assert run("import", str(sample), "--now", "2026-11-20 10:00").exit_code == 0
    assert run(*ADD).exit_code == 0
    rows = _rows(db_path, "select claim_date_known, count(response_deadline_utc), count(*) "
                          "from claims_overview group by claim_date_known")
    assert rows == [(0, 0, 8), (1, 1, 1)]

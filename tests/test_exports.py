"""Exports (issue 4): the JSON export restores exactly, the CSV export is spreadsheet-safe, the
calendar parses back with stable UIDs, and files holding buyer names are owner-only."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from tests.helpers import snapshot
from tests.test_report import HAND, TODAY, load_sample

Run = Callable[..., Result]
Json = Callable[..., Any]


def _export(run: Run, *args: str) -> dict[str, Any]:
    result = run("export", *args)
    assert result.exit_code == 0, result.output + result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _without_stamp(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "atoz_export": {k: v for k, v in data["atoz_export"].items()
                                    if k != "exported_at"}}


def _import(run: Run, path: Path, db: Path) -> Result:
    result = run("import", str(path), "--db", str(db), "--today", TODAY)
    assert result.exit_code == 0, result.output + result.stderr
    return result


def _add(run: Run, order: str, claim_date: str, *extra: str) -> None:
    result = run("add", order, "--order-date", "2026-10-01", "--latest-delivery", "2026-10-09",
                 "--claim-date", claim_date, "--amount", "20.00", "--today", TODAY, *extra)
    assert result.exit_code == 0, result.output + result.stderr


# --- JSON export and restore ----------------------------------------------------------------
def test_the_json_export_starts_with_its_marker_and_holds_everything(
        db_path: Path, run: Run) -> None:
    load_sample(db_path)
    assert run("done", "30", "contact", "--today", TODAY).exit_code == 0
    text = run("export").stdout
    assert text.lstrip().startswith('{\n  "atoz_export"')
    data = json.loads(text)
    assert data["atoz_export"]["version"] == 1
    claims = data["claims"]
    assert [c["id"] for c in claims] == list(range(1, 37))
    claim = claims[29]
    assert claim["order_id"] == "114-6592186-6823251" and claim["claim_time"] == "18:20"
    assert claim["computed"]["response_deadline"] == "2026-11-17T18:20-08:00"
    assert (claim["computed"]["window_opens"], claim["computed"]["window_closes"]) == (
        "2026-09-27", "2026-12-23")
    assert claim["computed"]["filed"] == "in-window"
    assert [(s["step"], s["state"]) for s in claim["steps"]] == [
        ("contact", "done"), ("follow-up", "open"), ("represent", "open")]
    assert [(h["kind"], h["status"], h["step"]) for h in claim["history"]] == [
        ("status", "under-review", None), ("done", None, "contact")]
    assert claims[2]["computed"]["appeal_deadline"] == "2026-11-05"


def test_export_json_imports_into_an_empty_database_and_exports_again_identically(
        db_path: Path, tmp_path: Path, run: Run) -> None:
    load_sample(db_path)
    # Some history of every kind: a step done, an outcome, an edit.
    assert run("done", "31", "contact", "--note", "=sent on the app", "--today",
               TODAY).exit_code == 0
    assert run("status", "32", "withdrawn", "--on", TODAY, "--today", TODAY).exit_code == 0
    assert run("edit", "33", "--amount", "40.00", "--buyer", "Owen F.", "--today",
               TODAY).exit_code == 0
    first = tmp_path / "first.json"
    assert run("export", "--out", str(first)).exit_code == 0
    other = tmp_path / "other.db"
    result = _import(run, first, other)
    assert "36 added" in result.stdout
    again = _export(run, "--db", str(other))
    assert _without_stamp(again) == _without_stamp(json.loads(first.read_text()))
    assert json.loads(run("status", "33", "--db", str(other), "--json").stdout)["amount"] == \
        "40.00"


def test_importing_the_same_export_twice_changes_nothing(
        db_path: Path, tmp_path: Path, run: Run) -> None:
    load_sample(db_path)
    export = tmp_path / "export.json"
    assert run("export", "-o", str(export)).exit_code == 0
    other = tmp_path / "other.db"
    _import(run, export, other)
    before = snapshot(other)
    result = _import(run, export, other)
    assert "0 added, 0 updated, 36 unchanged, 0 skipped" in result.stdout
    assert snapshot(other) == before
    # Into the database it came from, too.
    assert "36 unchanged" in _import(run, export, db_path).stdout


def test_an_export_into_a_non_empty_database_never_overwrites(
        db_path: Path, tmp_path: Path, run: Run, run_json: Json) -> None:
    _add(run, "113-0000000-0000001", "2026-11-10")
    _add(run, "113-0000000-0000002", "2026-11-11")
    _add(run, "113-0000000-0000003", "2026-11-12")
    old = tmp_path / "old.json"
    assert run("export", "-o", str(old)).exit_code == 0
    # A copy of the database moves on: claim 1 gets an outcome there.
    copy = tmp_path / "copy.db"
    _import(run, old, copy)
    assert run("status", "1", "denied", "--on", TODAY, "--db", str(copy)).exit_code == 0
    # Here, claim 2 moves on differently from the copy, which also marks it.
    assert run("done", "2", "contact", "--today", TODAY).exit_code == 0
    assert run("done", "2", "follow-up", "--today", TODAY, "--db", str(copy)).exit_code == 0
    # And a claim only the copy has.
    _add(run, "113-0000000-0000009", "2026-11-13", "--db", str(copy))
    newer = tmp_path / "newer.json"
    assert run("export", "-o", str(newer), "--db", str(copy)).exit_code == 0
    result = _import(run, newer, db_path)
    assert "1 added, 1 updated, 1 unchanged, 1 skipped" in result.stdout
    assert "kept claim 2 as it is in the database" in result.stderr
    claims = {c["order_id"]: c for c in run_json("list")}
    assert claims["113-0000000-0000001"]["status"] == "denied"  # brought up to date
    steps = {s["step"]: s["state"] for s in run_json("status", "2")["steps"]}
    assert (steps["contact"], steps["follow-up"]) == ("done", "open")  # ours, untouched
    assert claims["113-0000000-0000009"]["id"] == 4  # a new id: the database was not empty
    # The old export, taken before all this, is behind on every claim here: nothing to do.
    assert "0 added, 0 updated, 3 unchanged, 0 skipped" in _import(run, old, db_path).stdout


def test_a_claim_recorded_separately_for_the_same_order_and_date_is_not_duplicated(
        tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    _add(run, "113-0000000-0000001", "2026-11-10")
    export = tmp_path / "export.json"
    assert run("export", "-o", str(export)).exit_code == 0
    other = tmp_path / "other.db"
    later = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)  # recorded at another moment
    monkeypatch.setattr("atoz.clock.now_utc", lambda: later)
    _add(run, "113-0000000-0000001", "2026-11-10", "--db", str(other))
    result = _import(run, export, other)
    assert "0 added, 0 updated, 0 unchanged, 1 skipped" in result.stdout
    assert "recorded separately" in result.stderr


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["atoz_export"].update(version=2), "atoz_export.version: 2:"),
    (lambda d: d.pop("claims"), "claims: required"),
    (lambda d: d["claims"][0].update(history=[]), "claims[0]: history: required"),
    (lambda d: d["claims"][0]["history"][1].update(status="won"),
     "claims[0].history[1]: status: 'won': unknown outcome"),
    (lambda d: d["claims"][0]["history"][0].update(on_date="18/11/2026"),
     "claims[0].history[0]: on_date: '18/11/2026': not a date"),
    (lambda d: d["claims"][0].update(order_id="12345"), "claims[0]: order_id: '12345'"),
    (lambda d: d["claims"][0].update(amount=12.5), "claims[0]: amount: 12.5: not text"),
    (lambda d: d["claims"][0].update(id="one"), "claims[0]: id: 'one'"),
    (lambda d: d["claims"].append(dict(d["claims"][0])), "claims[1]: id: 1: appears twice"),
])
def test_a_bad_export_is_refused_whole_naming_the_place(
        tmp_path: Path, run: Run, change: Callable[[dict[str, Any]], Any], message: str
) -> None:
    _add(run, "113-0000000-0000001", "2026-11-10")
    assert run("status", "1", "denied", "--on", TODAY).exit_code == 0
    data = _export(run)
    change(data)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    other = tmp_path / "other.db"
    _add(run, "113-0000000-0000005", "2026-11-10", "--db", str(other))
    before = snapshot(other)
    result = run("import", str(bad), "--db", str(other))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Error: bad.json: {message}"), result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(other) == before  # all or nothing


# --- CSV export -----------------------------------------------------------------------------
def test_the_csv_export_has_a_row_per_claim_with_dates_steps_and_history(
        db_path: Path, run: Run) -> None:
    load_sample(db_path)
    rows = list(csv.DictReader(io.StringIO(run("export", "--format", "csv").stdout)))
    assert len(rows) == 36
    row = rows[29]
    assert (row["order_id"], row["response_deadline"], row["counts_toward_odr"]) == (
        "114-6592186-6823251", "2026-11-17T18:20-08:00", "pending")
    assert row["steps"].splitlines() == ["contact: open, due 2026-11-15",
                                         "follow-up: open, due 2026-11-17",
                                         "represent: open, due 2026-11-17"]
    assert rows[2]["appeal_deadline"] == "2026-11-05"
    assert rows[2]["history"].splitlines()[-1].startswith("2026-10-06 granted-seller-funded")


def test_csv_export_escapes_cells_that_a_spreadsheet_would_run(run: Run) -> None:
    _add(run, "113-0000000-0000001", "2026-11-10", "--buyer", "=HYPERLINK(\"http://x\",\"y\")",
         "--note", "@SUM(A1:A9)")
    assert run("done", "1", "contact", "--note", "+1 555 0100", "--today", TODAY).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(run("export", "-f", "csv").stdout)))
    assert rows[0]["buyer"] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert rows[0]["note"] == "'@SUM(A1:A9)"
    every_cell = [cell for row in rows for cell in row.values()]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in every_cell)


def test_an_unknown_export_format_is_refused(run: Run) -> None:
    result = run("export", "--format", "xlsx")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --format: 'xlsx': unknown; use csv or json")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
@pytest.mark.parametrize("args", [("-f", "json"), ("-f", "csv"), ()])
def test_files_written_with_out_are_readable_by_the_owner_only(
        tmp_path: Path, run: Run, args: tuple[str, ...]) -> None:
    _add(run, "113-0000000-0000001", "2026-11-10", "--buyer", "Ana")
    out = tmp_path / "out.file"
    out.write_text("old")
    out.chmod(0o644)  # an older, looser file is replaced, not reused
    command = "calendar" if not args else "export"
    result = run(command, *args, "--out", str(out))
    assert result.exit_code == 0, result.output + result.stderr
    assert out.stat().st_mode & 0o777 == 0o600
    assert out.read_bytes() != b"old"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_the_csv_file_has_a_byte_order_mark_for_spreadsheets(tmp_path: Path, run: Run) -> None:
    _add(run, "113-0000000-0000001", "2026-11-10", "--buyer", "佐藤 健")
    out = tmp_path / "claims.csv"
    assert run("export", "-f", "csv", "-o", str(out)).exit_code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,order_id,") and b"\r\n" in raw
    assert "佐藤 健" in raw.decode("utf-8-sig")


def test_out_into_a_missing_folder_is_a_clear_error(tmp_path: Path, run: Run) -> None:
    result = run("export", "--out", str(tmp_path / "nope" / "x.json"))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --out:")


# --- calendar -------------------------------------------------------------------------------
def _events(text: str) -> dict[str, Any]:
    from icalendar import Calendar

    cal = Calendar.from_ical(text)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_the_calendar_parses_back_with_an_event_per_open_step_and_hard_deadline(
        db_path: Path, run: Run) -> None:
    load_sample(db_path)
    result = run("calendar")
    assert result.exit_code == 0, result.stderr
    events = _events(result.stdout)
    # 9 open claims: 3 steps and a response deadline each; 6 seller-funded grants not appealed:
    # an appeal step and an appeal deadline each.
    grants = HAND["all"]["granted-seller-funded"]
    assert len(events) == 9 * 4 + grants * 2 == 48
    event = events["claim-30-represent@atoz"]
    assert event.decoded("DTSTART").isoformat() == "2026-11-17"
    assert event.decoded("DTEND").isoformat() == "2026-11-18"
    description = str(event["DESCRIPTION"])
    assert "Claim 30, order 114-6592186-6823251" in description
    assert "Tell Amazon your side" in description
    assert "2026-11-17 18:20 PST" in description
    deadline = events["claim-30-response-deadline@atoz"]
    assert deadline.decoded("DTSTART").isoformat() == "2026-11-17"
    # A deadline at 00:00 falls on the day before: that is the last day to act.
    assert events["claim-27-response-deadline@atoz"].decoded("DTSTART").isoformat() == \
        "2026-11-11"
    assert events["claim-3-appeal-deadline@atoz"].decoded("DTSTART").isoformat() == \
        "2026-11-05"
    # No buyer names in a calendar (calendars get synced to other services).
    assert "Samantha" not in result.stdout and "Ortiz" not in result.stdout


def test_calendar_uids_are_stable_and_a_change_raises_the_sequence(
        db_path: Path, run: Run) -> None:
    load_sample(db_path)
    first = run("calendar").stdout
    assert run("calendar").stdout == first  # same data, same file (no clock in it)
    assert run("done", "30", "contact", "--today", TODAY).exit_code == 0
    before, after = _events(first), _events(run("calendar").stdout)
    assert set(before) - set(after) == {"claim-30-contact@atoz"}
    assert set(after) <= set(before)
    assert int(after["claim-30-represent@atoz"]["SEQUENCE"]) == \
        int(before["claim-30-represent@atoz"]["SEQUENCE"]) + 1
    assert after["claim-31-contact@atoz"].to_ical() == before["claim-31-contact@atoz"].to_ical()


def test_an_empty_calendar_is_still_a_valid_calendar(run: Run) -> None:
    from icalendar import Calendar

    raw = run("calendar").stdout_bytes
    assert raw.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert raw.endswith(b"END:VCALENDAR\r\n")
    assert Calendar.from_ical(raw).walk("VEVENT") == []


def test_export_and_calendar_help_is_there(run: Run) -> None:
    for command in ("export", "calendar"):
        assert "Example" in run(command, "--help").stdout
    assert os.environ.get("ATOZ_DB")

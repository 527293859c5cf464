"""The calendar as a reminder that works (issue 10): deadlines as timed events at their instant
with reminders, due days as all-day events, stable UIDs, and done steps cancelled."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar
from typer.testing import Result

Run = Callable[..., Result]
NOW = ("--now", "2026-11-21T08:00:00+00:00")


def _events(run: Run, *args: str) -> dict[str, Any]:
    result = run("calendar", *NOW, *args)
    assert result.exit_code == 0, result.output
    cal = Calendar.from_ical(result.stdout_bytes)
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def _add(run: Run, order: str, market: str, claim_date: str) -> None:
    result = run("add", order, "-m", market, "--order-date", "2026-11-01", "--latest-delivery",
                 "2026-11-10", "--claim-date", claim_date, "--amount", "20", *NOW)
    assert result.exit_code == 0, result.output


def test_a_response_deadline_is_a_timed_event_with_reminders(run: Run) -> None:
    _add(run, "113-1234567-1234567", "US", "2026-11-20 10:00")
    events = _events(run)
    deadline = events["113-1234567-1234567-2026-11-20-response-deadline@atoz"]
    start = deadline.decoded("dtstart")
    assert isinstance(start, dt.datetime) and start == dt.datetime(2026, 11, 23, 18, 0,
                                                                  tzinfo=dt.UTC)
    triggers = sorted(alarm.decoded("trigger") for alarm in deadline.walk("VALARM"))
    assert triggers == [-dt.timedelta(hours=24), -dt.timedelta(hours=2)]
    contact = events["113-1234567-1234567-2026-11-20-contact@atoz"]
    assert contact.decoded("dtstart") == dt.date(2026, 11, 21)  # an all-day event, day 1
    assert str(contact["status"]) == "CONFIRMED"


def test_alarms_are_configurable(run: Run) -> None:
    _add(run, "113-1234567-1234567", "US", "2026-11-20 10:00")
    deadline = _events(run, "--alarm", "6h")[
        "113-1234567-1234567-2026-11-20-response-deadline@atoz"]
    assert [a.decoded("trigger") for a in deadline.walk("VALARM")] == [-dt.timedelta(hours=6)]
    assert run("calendar", "--alarm", "soon", *NOW).exit_code == 2


def test_a_japanese_deadline_lands_on_the_right_day_for_a_seller_in_the_us(run: Run) -> None:
    # Filed 2026-11-20 10:00 in Tokyo; 48 hours: 2026-11-22 10:00 JST, which is 2026-11-21
    # 17:00 in Los Angeles. An all-day event on the 22nd would be a day late there.
    _add(run, "503-1234567-1234567", "JP", "2026-11-20 10:00")
    start = _events(run)["503-1234567-1234567-2026-11-20-response-deadline@atoz"].decoded(
        "dtstart")
    assert start.astimezone(ZoneInfo("America/Los_Angeles")).date() == dt.date(2026, 11, 21)
    assert start.astimezone(ZoneInfo("Asia/Tokyo")) == dt.datetime(
        2026, 11, 22, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


def test_done_skipped_and_moot_steps_stay_as_cancelled_events(run: Run) -> None:
    _add(run, "113-1234567-1234567", "US", "2026-11-20 10:00")
    assert run("done", "1", "contact", *NOW).exit_code == 0
    assert run("skip", "1", "follow-up", *NOW).exit_code == 0
    events = _events(run)
    prefix = "113-1234567-1234567-2026-11-20-"
    assert str(events[prefix + "contact@atoz"]["status"]) == "CANCELLED"
    assert str(events[prefix + "follow-up@atoz"]["status"]) == "CANCELLED"
    assert str(events[prefix + "represent@atoz"]["status"]) == "CONFIRMED"
    assert run("status", "1", "denied", *NOW).exit_code == 0
    events = _events(run)
    assert str(events[prefix + "represent@atoz"]["status"]) == "CANCELLED"
    assert str(events[prefix + "response-deadline@atoz"]["status"]) == "CANCELLED"
    assert not list(events[prefix + "response-deadline@atoz"].walk("VALARM"))


def test_uids_survive_a_restore_into_another_database(run: Run, tmp_path: Path,
                                                      monkeypatch: Any) -> None:
    _add(run, "113-1234567-1234567", "US", "2026-11-20 10:00")
    _add(run, "202-1234567-1234567", "UK", "2026-11-19")
    before = set(_events(run))
    export = tmp_path / "all.json"
    assert run("export", "--out", str(export), *NOW).exit_code == 0
    other = tmp_path / "other.db"
    monkeypatch.setenv("ATOZ_DB", str(other))
    # A claim already in the new database shifts the numbers; the UIDs must not move.
    _add(run, "114-7654321-7654321", "US", "2026-11-18")
    assert run("import", str(export), *NOW).exit_code == 0
    assert before <= set(_events(run))


def test_the_file_is_written_privately_and_never_over_the_database(run: Run, tmp_path: Path,
                                                                   db_path: Path) -> None:
    _add(run, "113-1234567-1234567", "US", "2026-11-20 10:00")
    target = tmp_path / "atoz.ics"
    assert run("calendar", "--out", str(target), *NOW).exit_code == 0
    assert target.stat().st_mode & 0o777 == 0o600
    assert run("calendar", "--out", str(target), *NOW).exit_code == 0  # a daily refresh
    before = db_path.read_bytes()
    refused = run("calendar", "--out", str(db_path), *NOW)
    assert refused.exit_code == 2 and "database" in refused.stderr
    assert db_path.read_bytes() == before


INFO_REQUEST = Path(__file__).parents[1] / "sample_data" / "emails" / "us-info-request.eml"


def test_no_deadline_is_invented_for_a_claim_whose_filing_date_is_unknown(
        run: Run, monkeypatch: Any) -> None:
    # Amazon's request for information names the order, not the day the claim was filed: atoz
    # keeps a stand-in day, and counts no response deadline from it anywhere.
    import json

    monkeypatch.setenv("ATOZ_TZ", "Asia/Shanghai")
    monkeypatch.setenv("COLUMNS", "80")
    at = ("--now", "2026-11-26 08:00")  # the day after the e-mail
    assert run("import", str(INFO_REQUEST), *at).exit_code == 0
    later = ("--now", "2026-11-29 18:00")  # past 72 h from the stand-in day

    def uids() -> set[str]:
        cal = Calendar.from_ical(run("calendar", *at).stdout_bytes)
        return {str(e["uid"]) for e in cal.walk("VEVENT")}

    assert not [u for u in uids() if u.endswith("-response-deadline@atoz")]
    assert [u for u in uids() if u.endswith("-request-deadline@atoz")]  # the request's own
    (claim,) = json.loads(run("list", "--json", *later).stdout)
    assert (claim["claim_date_known"], claim["response_deadline"]) == (False, None)
    assert "unknown" in run("list", *later).stdout
    rows = json.loads(run("due-today", "--json", *later).stdout)
    assert "record-outcome" not in [r["step"] for r in rows]
    text = " ".join(run("due-today", *later).stdout.split())
    assert "Awaiting" not in text
    assert ("Filing date unknown for claim(s) 1 (under review): no response deadline can be "
            "counted; set it with atoz edit CLAIM --claim-date DATE") in text
    # Once the seller gives it, the deadline is real and on the calendar.
    assert run("edit", "1", "--claim-date", "2026-11-24 10:00", *at).exit_code == 0
    assert [u for u in uids() if u.endswith("-response-deadline@atoz")]
    assert "Filing date unknown" not in run("due-today", *later).stdout

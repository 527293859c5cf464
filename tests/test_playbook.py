"""The playbook: steps from the claim moment, the response deadline (an instant), and the clamping
rule ("never let the response deadline pass", domain.md; 72 h US help 27951/G202041210, 48 h UK).

Deadlines are instants (issue 10): a step is *missed* once now >= its deadline, *overdue* once
its due day (a marketplace calendar day) has ended in the marketplace's zone. Most tests here put
the seller in the marketplace's own zone, so `--today D` is the marketplace's day D as the
playbook counts it; the tests named after Shanghai and London put the seller elsewhere.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import Result

from atoz.instants import start_of
from atoz.playbook import (
    PRE_DECISION,
    Recorded,
    claim_moment,
    last_day_starting_before,
    response_deadline,
    schedule,
)
from atoz.policy import LocalRule, PolicyBook, marketplaces, packaged
from atoz.records import Decision, Odr, Outcome

Run = Callable[..., Result]
Json = Callable[..., Any]
LA = ZoneInfo("America/Los_Angeles")
US_ORDER, UK_ORDER = "113-1234567-1234567", "202-1234567-1234567"


@pytest.fixture
def in_la(monkeypatch: pytest.MonkeyPatch) -> None:
    """The seller sits in the US marketplace's zone: `--today D` is the US day D."""
    monkeypatch.setenv("ATOZ_TZ", "America/Los_Angeles")


def _claim(run: Run, claim_date: str, market: str = "US", order: str = US_ORDER,
           ordered: tuple[str, str] = ("2026-10-20", "2026-10-30")) -> None:
    result = run("add", order, "-m", market, "--order-date", ordered[0], "--latest-delivery",
                 ordered[1], "--claim-date", claim_date, "--amount", "24.99")
    assert result.exit_code == 0, result.output + result.stderr


def _ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output + result.stderr
    return result


def _due(run_json: Json, today: str) -> list[tuple[str, str, str]]:
    return [(i["step"], i["due"], i["deadline"]) for i in
            run_json("due-today", "--today", today)]


def _steps(run_json: Json, *args: str) -> dict[str, Any]:
    return {s["step"]: s for s in run_json("status", "1", *args)["steps"]}


# --- the schedule -------------------------------------------------------------------------
def test_us_claim_with_a_time_contact_on_day_1_then_day_3_steps_by_the_72_hour_deadline(
        run: Run, run_json: Json, in_la: None) -> None:
    _claim(run, "2026-11-02 14:30")
    assert _due(run_json, "2026-11-03") == [("contact", "2026-11-03",
                                             "2026-11-05T14:30:00-08:00")]
    day3 = run_json("due-today", "--today", "2026-11-05")
    # Day 1's contact is overdue (its day has ended) but not missed: 14.5 hours remain.
    assert [(i["step"], i["due"], i["state"], i["overdue"], i["missed"]) for i in day3] == [
        ("contact", "2026-11-03", "overdue", True, False),
        ("follow-up", "2026-11-05", "due", False, False),
        ("represent", "2026-11-05", "due", False, False)]
    assert {i["deadline"] for i in day3} == {"2026-11-05T14:30:00-08:00"}
    assert {(i["seconds_left"], i["time_left"]) for i in day3} == {(52200, "14 h left")}


def test_without_a_time_the_deadline_counts_from_midnight_and_day_3_moves_to_day_2(
        run: Run, run_json: Json, in_la: None) -> None:
    _claim(run, "2026-11-02")
    data = run_json("status", "1")
    assert data["response_deadline"] == "2026-11-05T00:00:00-08:00"
    steps = {s["step"]: s for s in data["steps"]}
    assert steps["follow-up"]["due"] == steps["represent"]["due"] == "2026-11-04"
    assert steps["represent"]["moved"] == ("moved from day 3: 72-hour rule, counted from 00:00 "
                                           "(no claim time)")
    text = run("due-today", "--today", "2026-11-04").stdout
    assert "moved from day 3: 72-hour rule" in text
    assert "atoz edit CLAIM --claim-date 'YYYY-MM-DD HH:MM'" in text
    assert "atoz edit 1 --claim-date 'YYYY-MM-DD HH:MM'" in run("status", "1").stdout


def test_in_a_48_hour_marketplace_day_3_steps_move_to_the_deadline_day(
        run: Run, run_json: Json) -> None:
    _claim(run, "2026-11-02 14:30", market="UK", order=UK_ORDER)
    data = run_json("status", "1")
    assert data["response_deadline"] == "2026-11-04T14:30:00+00:00"
    steps = {s["step"]: (s["due"], s["moved"]) for s in data["steps"]}
    assert steps["contact"] == ("2026-11-03", None)
    assert steps["represent"] == ("2026-11-04", "moved from day 3: 48-hour rule")
    assert "moved from day 3: 48-hour rule" in run("status", "1", "--today", "2026-11-03").stdout


def test_a_step_is_on_time_only_if_its_day_starts_before_the_deadline_instant() -> None:
    assert last_day_starting_before(dt.datetime(2026, 11, 5, 0, 0, tzinfo=LA), LA) == dt.date(
        2026, 11, 4)
    assert last_day_starting_before(dt.datetime(2026, 11, 5, 0, 1, tzinfo=LA), LA) == dt.date(
        2026, 11, 5)
    # The same instant read in UTC (the deadline as stored) gives the same marketplace day.
    stored = dt.datetime(2026, 11, 5, 8, 0, tzinfo=dt.UTC)  # 00:00 PST
    assert last_day_starting_before(stored, LA) == dt.date(2026, 11, 4)


def test_the_response_deadline_counts_elapsed_hours_across_a_dst_change() -> None:
    # US clocks go back on 2026-11-01: 72 elapsed hours from Oct 31 12:00 PDT is Nov 3 11:00 PST
    # (the wall clock shows 71 hours later).
    deadline = response_deadline(dt.date(2026, 10, 31), dt.time(12, 0), packaged("US"))
    assert deadline.astimezone(LA).isoformat() == "2026-11-03T11:00:00-08:00"
    # Spring forward (2026-03-08): 72 elapsed hours from Mar 7 12:00 PST is Mar 10 13:00 PDT.
    spring = response_deadline(dt.date(2026, 3, 7), dt.time(12, 0), packaged("US"))
    assert spring.astimezone(LA).isoformat() == "2026-03-10T13:00:00-07:00"


@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2040, 1, 1)),
       st.times(), st.sampled_from(marketplaces()),
       st.one_of(st.none(), st.integers(min_value=1, max_value=24 * 10)))
def test_the_deadline_is_the_claim_moment_plus_the_policy_hours_and_no_step_falls_after_it(
        day: dt.date, at: dt.time, market: str, local_hours: int | None) -> None:
    book = PolicyBook([LocalRule(1, market, "response_hours", local_hours, "test",
                                 dt.date.min, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))]
                      if local_hours else [])
    policy = book.policy(market, day)
    for claim_time in (at, None):
        moment = claim_moment(day, claim_time, policy.tz)
        deadline = response_deadline(day, claim_time, policy)
        assert deadline.astimezone(dt.UTC) - moment.astimezone(dt.UTC) == dt.timedelta(
            hours=policy.hours("response_hours"))
        under_review = [Decision(Outcome.UNDER_REVIEW, day, None, Odr.PENDING)]
        steps = schedule(day, claim_time, policy, under_review, Recorded({}, {}))
        assert [s.name for s in steps] == list(PRE_DECISION)
        for step in steps:
            assert start_of(step.due, policy.tz) < deadline  # its day starts in time
            assert step.due >= day  # never before the claim day
            assert step.deadline == deadline


# --- decisions and steps ------------------------------------------------------------------
def test_a_decision_makes_open_steps_moot_and_a_seller_funded_grant_schedules_the_appeal(
        run: Run, run_json: Json, in_la: None) -> None:
    _claim(run, "2026-11-02 14:30")
    _ok(run("done", "1", "contact", "--on", "2026-11-03"))
    _ok(run("status", "1", "denied", "--on", "2026-11-06"))
    states = {name: s["state"] for name, s in _steps(run_json).items()}
    assert states == {"contact": "done", "follow-up": "moot", "represent": "moot"}
    _ok(run("status", "1", "granted-seller-funded", "--on", "2026-11-20"))
    data = run_json("status", "1", "--today", "2026-11-20")
    appeal = {s["step"]: s for s in data["steps"]}["appeal"]
    # 30 calendar days after the grant: the last day is 2026-12-20, so the deadline is its end.
    assert (appeal["state"], appeal["due"], appeal["deadline"]) == (
        "open", "2026-11-20", "2026-12-21T00:00:00-08:00")
    assert data["appeal_until"] == "2026-12-20"
    # A row once its deadline is in view (today + --ahead days).
    assert [i["step"] for i in run_json("due-today", "--today", "2026-11-20", "--ahead",
                                        "30")] == ["appeal"]
    # Amazon reverses itself on appeal: the appeal step is no longer needed.
    _ok(run("status", "1", "granted-amazon-funded", "--on", "2026-12-01", "--today",
            "2026-12-01"))
    assert _steps(run_json)["appeal"]["state"] == "moot"


def test_done_twice_or_a_step_the_claim_lacks_is_an_error(run: Run) -> None:
    _claim(run, "2026-11-02")
    assert run("done", "1", "contact", "--on", "2026-11-03").exit_code == 0
    twice = run("done", "1", "contact")
    assert twice.exit_code == 2 and "already done for claim 1 on 2026-11-03" in twice.stderr
    missing = run("done", "1", "appeal")
    assert missing.exit_code == 2 and "claim 1 has no appeal step" in missing.stderr
    unknown = run("done", "1", "call")
    assert unknown.exit_code == 2 and "STEP: 'call': unknown" in unknown.stderr


def test_done_is_recorded_in_the_history(run: Run, run_json: Json) -> None:
    _claim(run, "2026-11-02")
    _ok(run("done", "1", "contact", "--on", "2026-11-03", "--note", "sent via buyer messages"))
    done = [h for h in run_json("status", "1")["history"] if h["kind"] == "done"]
    assert done == [{"kind": "done", "outcome": None, "step": "contact", "on": "2026-11-03",
                     "note": "sent via buyer messages", "detail": None,
                     "recorded_at": done[0]["recorded_at"]}]


def test_edit_of_latest_delivery_prints_the_moved_window_dates(run: Run, run_json: Json) -> None:
    _claim(run, "2026-11-02")
    result = _ok(run("edit", "1", "--latest-delivery", "2026-11-01"))
    assert "latest_delivery: 2026-10-30 -> 2026-11-01" in result.stdout
    assert "window opens: 2026-11-02 -> 2026-11-04" in result.stdout
    assert "window closes: 2027-01-28 -> 2027-01-30" in result.stdout
    edit = [h for h in run_json("status", "1")["history"] if h["kind"] == "edit"][0]
    assert edit["detail"] == {"latest_delivery": {"old": "2026-10-30", "new": "2026-11-01"}}


def test_edit_of_claim_date_moves_open_steps_and_the_deadline_but_not_done_ones(
        run: Run, run_json: Json) -> None:
    _claim(run, "2026-11-02")
    _ok(run("done", "1", "contact", "--on", "2026-11-03"))
    # Recorded while the steps are still open (a correction on day 1).
    result = _ok(run("edit", "1", "--claim-date", "2026-11-03 09:00", "--now",
                     "2026-11-03T18:00:00Z"))
    assert ("response deadline: 2026-11-05T00:00:00-08:00 -> 2026-11-06T09:00:00-08:00"
            in result.stdout)
    assert "follow-up due: 2026-11-04 -> 2026-11-06" in result.stdout
    steps = _steps(run_json)
    assert (steps["contact"]["state"], steps["contact"]["done_on"]) == ("done", "2026-11-03")


# --- due-today ----------------------------------------------------------------------------
def test_due_today_orders_by_deadline_instant_then_due_then_amount_and_fails_if_overdue(
        run: Run, run_json: Json, utc_seller: None) -> None:
    # The seller's zone is UTC. The UK deadline (2026-11-04 14:30 UTC) comes before the US one
    # (2026-11-05 22:30 UTC): two marketplaces compare by instant.
    _claim(run, "2026-11-02 14:30")
    _claim(run, "2026-11-02 14:30", market="UK", order=UK_ORDER)
    items = run_json("due-today", "--today", "2026-11-04")
    assert [(i["claim_id"], i["step"]) for i in items] == [
        (2, "contact"), (2, "follow-up"), (2, "represent"), (1, "contact")]
    assert run("due-today", "--today", "2026-11-03", "--fail-if-overdue").exit_code == 0
    assert run("due-today", "--today", "2026-11-04", "--fail-if-overdue").exit_code == 3
    first, last = items[0], items[-1]
    assert {"claim_id", "order_id", "marketplace", "step", "state", "due", "deadline",
            "deadline_local", "missed", "overdue", "seconds_left", "time_left", "moved", "what",
            "next", "amount", "amount_minor", "currency"} == set(first)
    # The UK day 1 has ended in London; the US day 1 (16:00 in Los Angeles) has not.
    assert (first["state"], first["overdue"], first["missed"]) == ("overdue", True, False)
    assert (last["state"], last["overdue"]) == ("due", False)
    assert (first["deadline"], first["deadline_local"]) == ("2026-11-04T14:30:00+00:00",
                                                            "2026-11-04T14:30:00+00:00")
    assert (last["deadline"], last["deadline_local"]) == ("2026-11-05T14:30:00-08:00",
                                                          "2026-11-05T22:30:00+00:00")
    assert (first["amount"], first["amount_minor"], first["currency"]) == ("24.99", 2499, "GBP")


def test_nothing_due_names_the_next_thing_coming(run: Run, in_la: None) -> None:
    assert "No open steps" in run("due-today", "--today", "2026-11-01").stdout
    _claim(run, "2026-11-02 14:30")
    text = run("due-today", "--today", "2026-11-02").stdout
    assert "Nothing due today (as of 2026-11-02 00:00 America/Los_Angeles)" in text
    assert "Next: contact for claim 1 (order 113-1234567-1234567), due 2026-11-03 US" in text
    assert _json_list(run, "due-today", "--today", "2026-11-02") == []
    assert len(_json_list(run, "due-today", "--today", "2026-11-02", "--ahead", "1")) == 1


def _json_list(run: Run, *args: str) -> list[Any]:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output + result.stderr
    value: list[Any] = json.loads(result.stdout)
    return value


def test_a_step_whose_hard_deadline_passed_is_missed_not_overdue_and_ages_out(
        run: Run, run_json: Json, utc_seller: None) -> None:
    _claim(run, "2026-11-02 14:30", market="UK", order=UK_ORDER)
    items = run_json("due-today", "--today", "2026-11-06")
    steps = [i for i in items if i["step"] != "record-outcome"]
    assert sorted((i["step"], i["state"], i["missed"], i["overdue"]) for i in steps) == [
        ("contact", "missed", True, False), ("follow-up", "missed", True, False),
        ("represent", "missed", True, False)]
    assert all(i["seconds_left"] == -120600 for i in steps)  # 33.5 hours past the deadline
    text = run("due-today", "--today", "2026-11-06")
    assert "Nothing due today" in text.stdout
    assert "Missed: 3 step(s) whose deadline passed in the last 30 days" in text.stdout
    assert run("due-today", "--today", "2026-11-06", "--fail-if-overdue").exit_code == 3
    # A month later the missed steps are history: due-today lists only that Amazon's decision
    # is awaited; status still shows them, missed.
    later = run_json("due-today", "--today", "2026-12-10")
    assert [(i["step"], i["state"]) for i in later] == [("record-outcome", "awaiting-decision")]
    assert {s["state"] for s in _steps(run_json, "--today", "2026-12-10").values()} == {
        "missed"}


def test_an_appeal_not_made_in_30_days_is_missed_and_its_hint_names_the_appeal(
        run: Run, run_json: Json, in_la: None) -> None:
    _claim(run, "2026-11-02 14:30")
    _ok(run("status", "1", "granted-seller-funded", "--on", "2026-11-06"))
    assert [i["step"] for i in run_json("due-today", "--today", "2026-12-06")] == ["appeal"]
    late = run_json("due-today", "--today", "2026-12-07")
    assert [(i["step"], i["missed"]) for i in late] == [("appeal", True)]
    hint = late[0]["next"]
    assert "appeal" in hint and "record Amazon's decision" not in hint
    text = run("due-today", "--today", "2026-12-07").stdout
    assert "the appeal window has closed" in text and "record Amazon's decision" not in text


def test_an_appeal_is_never_overdue_before_its_deadline_so_cron_stays_quiet(
        run: Run, run_json: Json, in_la: None) -> None:
    _claim(run, "2026-11-02 14:30")
    _ok(run("status", "1", "granted-seller-funded", "--on", "2026-11-06"))
    item = run_json("due-today", "--today", "2026-11-20", "--ahead", "16")[0]
    # The deadline is the end of 2026-12-06, 17 days after 2026-11-20 00:00.
    assert (item["step"], item["state"], item["overdue"], item["time_left"]) == (
        "appeal", "due", False, "17 days left")
    assert run("due-today", "--today", "2026-11-20", "--fail-if-overdue").exit_code == 0
    last = run_json("due-today", "--today", "2026-12-06")[0]
    assert (last["overdue"], last["time_left"]) == (False, "24 h left")
    assert run("due-today", "--today", "2026-12-06", "--fail-if-overdue").exit_code == 0


# --- issue 10: instants in the seller's zone ------------------------------------------------
def test_shanghai_seller_a_us_deadline_is_not_missed_while_hours_remain(
        run: Run, run_json: Json, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATOZ_TZ", "Asia/Shanghai")
    # Filed 2026-11-24 14:30 Pacific: deadline 2026-11-27 14:30 PST = 2026-11-28 06:30 CST.
    _claim(run, "2026-11-24 14:30")
    before = run_json("due-today", "--now", "2026-11-28 05:00")
    assert [i["step"] for i in before] == ["contact", "follow-up", "represent"]
    assert {(i["missed"], i["seconds_left"]) for i in before} == {(False, 5400)}
    assert {(i["deadline"], i["deadline_local"]) for i in before} == {
        ("2026-11-27T14:30:00-08:00", "2026-11-28T06:30:00+08:00")}
    after = run_json("due-today", "--now", "2026-11-28 07:00")
    steps = [i for i in after if i["step"] != "record-outcome"]
    assert sorted((i["step"], i["missed"], i["seconds_left"]) for i in steps) == [
        ("contact", True, -1800), ("follow-up", True, -1800), ("represent", True, -1800)]
    assert [i["step"] for i in after if i["step"] == "record-outcome"] == ["record-outcome"]
    assert run("due-today", "--now", "2026-11-28 05:00", "--fail-if-overdue").exit_code == 3
    assert run("due-today", "--now", "2026-11-28 07:00", "--fail-if-overdue").exit_code == 3


def test_shanghai_seller_only_a_day_that_has_ended_makes_cron_fail(
        run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATOZ_TZ", "Asia/Shanghai")
    _claim(run, "2026-11-24 14:30")
    _ok(run("done", "1", "contact", "--on", "2026-11-25"))
    # 05:00 in Shanghai is 13:00 on the 27th in Los Angeles: the day-3 steps are due, not late.
    assert run("due-today", "--now", "2026-11-28 05:00", "--fail-if-overdue").exit_code == 0
    assert run("due-today", "--now", "2026-11-28 07:00", "--fail-if-overdue").exit_code == 3


def test_london_seller_a_uk_claim_without_a_time_is_missed_once_48_hours_from_midnight_pass(
        run: Run, run_json: Json, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATOZ_TZ", "Europe/London")
    _claim(run, "2026-03-26", market="UK", order=UK_ORDER, ordered=("2026-03-01", "2026-03-10"))
    # 2026-03-26 00:00 GMT + 48 hours = 2026-03-28 00:00 GMT: gone at the start of the 28th.
    rows = {i["step"]: i for i in run_json("due-today", "--today", "2026-03-28")}
    assert {name: (rows[name]["due"], rows[name]["missed"]) for name in (
        "follow-up", "represent")} == {"follow-up": ("2026-03-27", True),
                                       "represent": ("2026-03-27", True)}
    assert {s["state"] for s in _steps(run_json, "--today", "2026-03-28").values()} == {
        "missed"}
    assert "Missed: 3 step(s)" in run("due-today", "--today", "2026-03-28").stdout


def test_a_claim_awaiting_amazons_decision_gets_a_row_that_is_never_overdue(
        run: Run, run_json: Json, in_la: None) -> None:
    _claim(run, "2026-11-02 14:30")
    for step in ("contact", "follow-up", "represent"):
        _ok(run("done", "1", step, "--on", "2026-11-04"))
    assert run_json("due-today", "--today", "2026-11-05") == []
    rows = run_json("due-today", "--today", "2026-11-20")
    assert [(r["step"], r["state"], r["deadline"], r["overdue"], r["missed"], r["seconds_left"])
            for r in rows] == [("record-outcome", "awaiting-decision", None, False, False,
                                None)]
    assert "atoz status CLAIM OUTCOME" in rows[0]["what"]
    assert run("due-today", "--today", "2026-11-20", "--fail-if-overdue").exit_code == 0
    text = run("due-today", "--today", "2026-11-20").stdout
    assert "Awaiting Amazon's decision: 1 claim(s)" in text
    _ok(run("status", "1", "denied", "--on", "2026-11-20"))
    assert run_json("due-today", "--today", "2026-11-21") == []


def test_skip_acknowledges_a_missed_step_keeps_it_in_history_and_quiets_cron(
        run: Run, run_json: Json, in_la: None) -> None:
    _claim(run, "2026-11-02 14:30")
    _ok(run("status", "1", "granted-seller-funded", "--on", "2026-11-06"))
    assert run("due-today", "--today", "2026-12-10", "--fail-if-overdue").exit_code == 3
    result = _ok(run("skip", "1", "appeal", "--note", "small refund: not appealing",
                     "--today", "2026-12-10"))
    assert "appeal skipped on 2026-12-10" in result.stdout
    assert run("due-today", "--today", "2026-12-10", "--fail-if-overdue").exit_code == 0
    assert run_json("due-today", "--today", "2026-12-10") == []
    skips = [h for h in run_json("status", "1")["history"] if h["kind"] == "skip"]
    assert [(h["step"], h["on"], h["note"]) for h in skips] == [
        ("appeal", "2026-12-10", "small refund: not appealing")]
    assert _steps(run_json)["appeal"]["state"] == "skipped"
    again = run("skip", "1", "appeal")
    assert again.exit_code == 2 and "already skipped" in again.stderr


def test_status_shows_respond_by_in_the_sellers_zone_then_the_marketplaces(
        run: Run, run_json: Json, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATOZ_TZ", "Asia/Shanghai")
    _claim(run, "2026-11-24 14:30")
    text = run("status", "1", "--now", "2026-11-28 05:00").stdout
    assert "respond by       2026-11-28 06:30 CST (2026-11-27 14:30 PST)" in text
    data = run_json("status", "1")
    assert (data["response_deadline"], data["response_deadline_local"]) == (
        "2026-11-27T14:30:00-08:00", "2026-11-28T06:30:00+08:00")
    info = run("info")
    assert info.exit_code == 0 and "timezone      Asia/Shanghai" in info.stdout
    assert run_json("info")["timezone"] == "Asia/Shanghai"


def test_a_local_time_the_clocks_skipped_is_refused_naming_the_gap(
        run: Run, run_json: Json, in_la: None) -> None:
    result = run("add", US_ORDER, "--order-date", "2026-02-20", "--latest-delivery",
                 "2026-03-01", "--claim-date", "2026-03-08 02:30")
    assert result.exit_code == 2
    assert ("--claim-date: '2026-03-08 02:30': 2026-03-08 02:00 to 03:00 does not exist in "
            "America/Los_Angeles: clocks moved forward") in result.stderr
    assert run_json("list") == []
    now = run("due-today", "--now", "2026-03-08 02:30")
    assert now.exit_code == 2 and "does not exist in America/Los_Angeles" in now.stderr


def test_a_local_time_that_happens_twice_takes_the_earlier_instant_and_says_so(
        run: Run, run_json: Json) -> None:
    result = run("add", US_ORDER, "--order-date", "2026-10-20", "--latest-delivery",
                 "2026-10-30", "--claim-date", "2026-11-01 01:30")
    assert result.exit_code == 0, result.output + result.stderr
    assert ("01:30 happens twice in America/Los_Angeles on 2026-11-01; took the earlier, "
            "01:30 PDT (UTC-07:00)") in result.stderr
    # 01:30 PDT is 08:30 UTC; 72 elapsed hours later is 2026-11-04 00:30 PST.
    assert run_json("status", "1")["response_deadline"] == "2026-11-04T00:30:00-08:00"


def test_shanghai_seller_filing_today_files_on_the_marketplaces_day_not_their_own(
        run: Run, run_json: Json, monkeypatch: pytest.MonkeyPatch) -> None:
    # 2026-11-28 08:00 in Shanghai is 2026-11-27 16:00 in Los Angeles: a US claim logged
    # "today" was filed on the 27th, so the 72 hours run from the 27th, not the 28th.
    monkeypatch.setenv("ATOZ_TZ", "Asia/Shanghai")
    _ok(run("add", US_ORDER, "-m", "US", "--order-date", "2026-11-01", "--latest-delivery",
            "2026-11-10", "--now", "2026-11-28 08:00"))
    data = run_json("status", "1", "--now", "2026-11-28 08:00")
    assert (data["claim_date"], data["response_deadline"]) == (
        "2026-11-27", "2026-11-30T00:00:00-08:00")
    late = run("add", UK_ORDER, "-m", "US", "--order-date", "2026-11-01", "--latest-delivery",
               "2026-11-10", "--claim-date", "2026-11-28", "--now", "2026-11-28 08:00")
    assert late.exit_code == 2
    assert ("--claim-date: '2026-11-28': has not begun in the marketplace yet (it is "
            "2026-11-27 16:00 PST there)") in late.stderr


def test_today_means_the_whole_day_so_a_time_on_it_has_happened(
        run: Run, run_json: Json, in_la: None) -> None:
    _claim(run, "2026-11-02 14:30")
    result = run("add", UK_ORDER, "-m", "US", "--order-date", "2026-10-20", "--latest-delivery",
                 "2026-10-30", "--claim-date", "2026-11-02 14:30", "--today", "2026-11-02")
    assert result.exit_code == 0, result.stderr
    assert run("add", "113-7654321-7654321", "-m", "US", "--order-date", "2026-10-20",
               "--latest-delivery", "2026-10-30", "--claim-date", "2026-11-03 00:30",
               "--today", "2026-11-02").exit_code == 2


@pytest.mark.parametrize("posix_tz", ["CST-8", "XYZ+5"])
def test_a_machine_zone_without_a_name_still_shows_what_is_due(
        run: Run, monkeypatch: pytest.MonkeyPatch, posix_tz: str) -> None:
    # Without ATOZ_TZ and with a POSIX TZ string atoz follows the C library's local time.
    _claim(run, "2026-11-02 14:30")
    monkeypatch.delenv("ATOZ_TZ")
    monkeypatch.setenv("TZ", posix_tz)
    for args in (("due-today", "--today", "2026-11-03"), ("due-today",), ("list",)):
        result = run(*args)
        assert result.exit_code in (0, 3), result.stderr + repr(result.exception)
    assert "contact" in run("due-today", "--today", "2026-11-03").stdout
    info = run("info")
    assert "the machine's local time" in info.stdout


# --- the hour the clocks repeat or skip --------------------------------------------------------
FALL_BACK = ("--order-date", "2026-10-01", "--latest-delivery", "2026-10-09")


def _deadline(run_json: Json) -> str:
    return str(run_json("status", "1", "--now", "2026-11-02T12:00:00-08:00")[
        "response_deadline"])


def test_the_second_0130_given_with_its_offset_stays_the_second_through_later_commands(
        run: Run, run_json: Json) -> None:
    # 2026-11-01 01:30 happens twice in Los Angeles; -08:00 names the second one (09:30 UTC),
    # so the 72 hours end at 2026-11-04 01:30 PST, and stay there whatever is done later.
    result = _ok(run("add", US_ORDER, "-m", "US", *FALL_BACK, "--claim-date",
                     "2026-11-01T01:30-08:00", "--now", "2026-11-02 12:00"))
    assert "happens twice" not in result.stdout + result.stderr
    assert _deadline(run_json) == "2026-11-04T01:30:00-08:00"
    assert run_json("status", "1")["claim_time"] == "01:30:00-08:00"
    _ok(run("done", "1", "contact", "--now", "2026-11-02 12:00"))
    _ok(run("edit", "1", "--note", "buyer answered", "--now", "2026-11-02 12:00"))
    assert _deadline(run_json) == "2026-11-04T01:30:00-08:00"


def test_a_bare_0130_on_the_night_clocks_go_back_takes_the_first_and_says_how_to_name_the_second(
        run: Run, run_json: Json) -> None:
    result = _ok(run("add", US_ORDER, "-m", "US", *FALL_BACK, "--claim-date",
                     "2026-11-01 01:30", "--now", "2026-11-02 12:00"))
    assert ("01:30 happens twice in America/Los_Angeles on 2026-11-01; took the earlier, 01:30 "
            "PDT (UTC-07:00); for the later one write 2026-11-01T01:30-08:00") in (
                result.stdout + result.stderr)
    assert _deadline(run_json) == "2026-11-04T00:30:00-08:00"  # 08:30 UTC + 72 h
    _ok(run("edit", "1", "--claim-date", "2026-11-01T01:30-08:00", "--now", "2026-11-02 12:00"))
    assert _deadline(run_json) == "2026-11-04T01:30:00-08:00"


def test_a_claim_time_the_clocks_skipped_kept_from_0_1_counts_from_its_earlier_reading(
        run: Run, run_json: Json, db_path: Path) -> None:
    # 0.1 accepted 2026-03-08 02:30 in Los Angeles, an hour that never happened. Read with
    # either offset it is 09:30 UTC (02:30 PDT, shown 01:30 PST) or 10:30 UTC (02:30 PST);
    # counting from the earlier keeps the deadline on the safe side. An unrelated edit works.
    _ok(run("add", US_ORDER, "-m", "US", "--order-date", "2026-02-20", "--latest-delivery",
            "2026-03-01", "--claim-date", "2026-03-08 01:00", "--today", "2026-03-09"))
    with sqlite3.connect(db_path) as con:
        con.execute("update claims set claim_time = '02:30:00' where id = 1")
    con.close()
    assert claim_moment(dt.date(2026, 3, 8), dt.time(2, 30), LA) == dt.datetime(
        2026, 3, 8, 9, 30, tzinfo=dt.UTC)
    result = _ok(run("edit", "1", "--note", "called the buyer", "--today", "2026-03-09"))
    assert ("2026-03-08 02:30 does not exist in America/Los_Angeles (clocks moved forward); "
            "read as 01:30 PST (UTC-08:00)") in result.stdout + result.stderr
    data = run_json("status", "1", "--today", "2026-03-09")
    assert (data["claim_time"], data["response_deadline"]) == (
        "01:30:00", "2026-03-11T02:30:00-07:00")  # 09:30 UTC + 72 h


@given(st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 12, 31),
                    timezones=st.just(dt.UTC)),
       st.sampled_from(["America/Los_Angeles", "Europe/London", "Europe/Berlin", "Asia/Tokyo",
                        "America/Sao_Paulo", "Australia/Sydney"]))
def test_every_instant_survives_being_stored_as_a_wall_time(instant: dt.datetime,
                                                            zone: str) -> None:
    from atoz.dates import pinned_time

    tz = ZoneInfo(zone)
    local = instant.replace(microsecond=0).astimezone(tz)
    stored = pinned_time(local, tz).isoformat()
    assert claim_moment(local.date(), dt.time.fromisoformat(stored), tz) == local


def test_a_step_whose_day_has_not_begun_in_the_marketplace_says_from_when(
        run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    # 08:00 in Shanghai: a JP claim filed at 08:30 JST has day 1 (the 29th in Tokyo) from 23:00
    # Shanghai time tonight; writing to the buyer this morning would be day 0.
    monkeypatch.setenv("ATOZ_TZ", "Asia/Shanghai")
    _ok(run("add", "503-1234567-1234567", "-m", "JP", "--order-date", "2026-11-01",
            "--latest-delivery", "2026-11-10", "--claim-date", "2026-11-28 08:30",
            "--now", "2026-11-28 08:00"))
    text = run("due-today", "--now", "2026-11-28 08:00").stdout
    assert "from 2026-11-28 23:00 CST: Message the buyer" in text
    assert "from " not in run("due-today", "--now", "2026-11-28 23:30").stdout


def test_skip_all_missed_acknowledges_every_missed_step_at_once_and_quiets_cron(
        run: Run, run_json: Json, in_la: None) -> None:
    # A backlog imported late: two claims whose steps were all missed before atoz knew them.
    _claim(run, "2026-11-02 14:30")
    _claim(run, "2026-11-02 10:00", market="UK", order=UK_ORDER)
    at = ("--today", "2026-11-10")
    assert run("due-today", *at, "--fail-if-overdue").exit_code == 3
    result = _ok(run("skip", "all", "missed", "--note", "imported late", *at))
    assert result.stdout.startswith("Skipped 6 missed step(s): claim 1 contact, claim 1 follow-up")
    assert run("due-today", *at, "--fail-if-overdue").exit_code == 0
    skips = [(h["step"], h["on"], h["note"]) for h in run_json("status", "1", *at)["history"]
             if h["kind"] == "skip"]
    assert sorted(skips) == [("contact", "2026-11-10", "imported late"),
                             ("follow-up", "2026-11-10", "imported late"),
                             ("represent", "2026-11-10", "imported late")]
    assert run_json("skip", "all", "missed", *at) == []
    wrong = run("skip", "all", "contact", *at)
    assert wrong.exit_code == 2 and "only 'missed'" in wrong.stderr


def test_under_today_d_a_claim_filed_on_d_takes_steps_and_decisions_on_d(
        run: Run, run_json: Json, monkeypatch: pytest.MonkeyPatch) -> None:
    # In Shanghai `--today 2026-11-28` starts at 08:00 on the 27th in Los Angeles, yet covers
    # the US 28th too: a claim filed then takes its decision that day by default.
    monkeypatch.setenv("ATOZ_TZ", "Asia/Shanghai")
    day = ("--today", "2026-11-28")
    _ok(run("add", US_ORDER, "-m", "US", "--claim-date", "2026-11-28", *day))
    decided = run_json("status", "1", "denied", *day)
    assert (decided["outcome"], decided["decided_on"]) == ("denied", "2026-11-28")

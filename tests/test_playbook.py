"""The playbook: steps from the claim date, the response deadline, and the clamping rule
("never let the response deadline pass", domain.md; 72 h US help G202041210, 48 h UK)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from typer.testing import Result

from atoz.playbook import last_day_starting_before, response_deadline, schedule
from atoz.policy import get_policy, marketplaces

Run = Callable[..., Result]
Json = Callable[..., Any]


def _claim(run: Run, claim_date: str, market: str = "US", order: str = "113-1234567-1234567"
           ) -> None:
    result = run("add", order, "-m", market, "--order-date", "2026-10-20", "--latest-delivery",
                 "2026-10-30", "--claim-date", claim_date, "--amount", "24.99")
    assert result.exit_code == 0, result.output


def _due(run_json: Json, today: str) -> list[tuple[str, str, str]]:
    return [(i["step"], i["due"], i["deadline"]) for i in
            run_json("due-today", "--today", today)]


def test_us_claim_with_a_time_contact_on_day_1_then_day_3_steps_by_the_72_hour_deadline(
        run: Run, run_json: Json) -> None:
    _claim(run, "2026-11-02 14:30")
    assert _due(run_json, "2026-11-03") == [("contact", "2026-11-03", "2026-11-05T14:30-08:00")]
    day3 = run_json("due-today", "--today", "2026-11-05")
    assert [(i["step"], i["due"], i["overdue_days"]) for i in day3] == [
        ("contact", "2026-11-03", 2), ("follow-up", "2026-11-05", 0),
        ("represent", "2026-11-05", 0)]
    assert {i["deadline"] for i in day3} == {"2026-11-05T14:30-08:00"}


def test_without_a_time_the_deadline_counts_from_midnight_and_day_3_moves_to_day_2(
        run: Run, run_json: Json) -> None:
    _claim(run, "2026-11-02")
    data = run_json("status", "1")
    assert data["response_deadline"] == "2026-11-05T00:00-08:00"
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
    _claim(run, "2026-11-02 14:30", market="UK", order="202-1234567-1234567")
    data = run_json("status", "1")
    assert data["response_deadline"] == "2026-11-04T14:30+00:00"
    steps = {s["step"]: (s["due"], s["moved"]) for s in data["steps"]}
    assert steps["contact"] == ("2026-11-03", None)
    assert steps["represent"] == ("2026-11-04", "moved from day 3: 48-hour rule")
    assert "moved from day 3: 48-hour rule" in run("status", "1").stdout


def test_a_step_is_on_time_only_if_its_day_starts_before_the_deadline_instant() -> None:
    la = get_policy("US").tz
    assert last_day_starting_before(dt.datetime(2026, 11, 5, 0, 0, tzinfo=la)) == dt.date(
        2026, 11, 4)
    assert last_day_starting_before(dt.datetime(2026, 11, 5, 0, 1, tzinfo=la)) == dt.date(
        2026, 11, 5)


def test_the_response_deadline_counts_elapsed_hours_across_a_dst_change() -> None:
    # US clocks go back on 2026-11-01: 72 elapsed hours from Oct 31 12:00 PDT is Nov 3 11:00 PST.
    deadline = response_deadline(dt.date(2026, 10, 31), dt.time(12, 0), get_policy("US"))
    assert deadline.isoformat() == "2026-11-03T11:00:00-08:00"


def test_a_decision_makes_open_steps_moot_and_a_seller_funded_grant_schedules_the_appeal(
        run: Run, run_json: Json) -> None:
    _claim(run, "2026-11-02 14:30")
    run("done", "1", "contact", "--on", "2026-11-03")
    run("status", "1", "denied", "--on", "2026-11-06")
    states = {s["step"]: s["state"] for s in run_json("status", "1")["steps"]}
    assert states == {"contact": "done", "follow-up": "moot", "represent": "moot"}
    run("status", "1", "granted-seller-funded", "--on", "2026-11-20")
    appeal = {s["step"]: s for s in run_json("status", "1")["steps"]}["appeal"]
    assert (appeal["state"], appeal["due"], appeal["deadline"]) == ("open", "2026-11-20",
                                                                    "2026-12-20")
    assert [i["step"] for i in run_json("due-today", "--today", "2026-11-20")] == ["appeal"]
    # Amazon reverses itself on appeal: the appeal step is no longer needed.
    run("status", "1", "granted-amazon-funded", "--on", "2026-12-01", "--today", "2026-12-01")
    appeal = {s["step"]: s for s in run_json("status", "1")["steps"]}["appeal"]
    assert appeal["state"] == "moot"


def test_done_twice_or_a_step_the_claim_lacks_is_an_error(run: Run) -> None:
    _claim(run, "2026-11-02")
    assert run("done", "1", "contact").exit_code == 0
    twice = run("done", "1", "contact")
    assert twice.exit_code == 2 and "already done on" in twice.stderr
    missing = run("done", "1", "appeal")
    assert missing.exit_code == 2 and "claim 1 has no appeal step" in missing.stderr
    unknown = run("done", "1", "call")
    assert unknown.exit_code == 2 and "step: 'call': unknown step" in unknown.stderr


def test_done_is_recorded_in_the_history(run: Run, run_json: Json) -> None:
    _claim(run, "2026-11-02")
    run("done", "1", "contact", "--on", "2026-11-03", "--note", "sent via buyer messages")
    done = [h for h in run_json("status", "1")["history"] if h["kind"] == "done"]
    assert done == [{"kind": "done", "status": None, "step": "contact", "on": "2026-11-03",
                     "note": "sent via buyer messages", "detail": None,
                     "recorded_at": done[0]["recorded_at"]}]


def test_edit_of_latest_delivery_prints_the_moved_window_dates(run: Run, run_json: Json) -> None:
    _claim(run, "2026-11-02")
    result = run("edit", "1", "--latest-delivery", "2026-11-01")
    assert result.exit_code == 0, result.output
    assert "latest_delivery: 2026-10-30 -> 2026-11-01" in result.stdout
    assert "window opens: 2026-11-02 -> 2026-11-04" in result.stdout
    assert "window closes: 2027-01-28 -> 2027-01-30" in result.stdout
    edit = [h for h in run_json("status", "1")["history"] if h["kind"] == "edit"][0]
    assert edit["detail"] == {"latest_delivery": {"old": "2026-10-30", "new": "2026-11-01"}}


def test_edit_of_claim_date_moves_open_steps_and_the_deadline_but_not_done_ones(
        run: Run, run_json: Json) -> None:
    _claim(run, "2026-11-02")
    run("done", "1", "contact", "--on", "2026-11-03")
    result = run("edit", "1", "--claim-date", "2026-11-03 09:00")
    assert result.exit_code == 0, result.output
    assert "response deadline: 2026-11-05 00:00-08:00 -> 2026-11-06 09:00-08:00" in result.stdout
    assert "follow-up due: 2026-11-04 -> 2026-11-06" in result.stdout
    steps = {s["step"]: s for s in run_json("status", "1")["steps"]}
    assert (steps["contact"]["state"], steps["contact"]["done_on"]) == ("done", "2026-11-03")


def test_due_today_orders_by_deadline_then_due_then_amount_and_fails_if_overdue(
        run: Run, run_json: Json) -> None:
    _claim(run, "2026-11-02 14:30")
    _claim(run, "2026-11-02 14:30", market="UK", order="202-1234567-1234567")
    items = run_json("due-today", "--today", "2026-11-04")
    assert [(i["claim_id"], i["step"]) for i in items] == [
        (2, "contact"), (2, "follow-up"), (2, "represent"), (1, "contact")]
    assert run("due-today", "--today", "2026-11-03", "--fail-if-overdue").exit_code == 0
    assert run("due-today", "--today", "2026-11-04", "--fail-if-overdue").exit_code == 3
    first = items[0]
    assert {"claim_id", "order_id", "step", "due", "deadline", "overdue_days", "amount",
            "currency"} <= set(first)
    assert first["overdue_days"] == 1


def test_nothing_due_names_the_next_thing_coming(run: Run) -> None:
    assert "No open steps at all" in run("due-today", "--today", "2026-11-01").stdout
    _claim(run, "2026-11-02 14:30")
    text = run("due-today", "--today", "2026-11-02").stdout
    assert "Nothing due on 2026-11-02. Next: contact for claim 1" in text
    assert "on 2026-11-03" in text
    assert run_json_list(run, "due-today", "--today", "2026-11-02") == []
    assert len(run_json_list(run, "due-today", "--today", "2026-11-02", "--ahead", "1")) == 1


def run_json_list(run: Run, *args: str) -> list[Any]:
    import json

    result = run(*args, "--json")
    assert result.exit_code == 0
    value: list[Any] = json.loads(result.stdout)
    return value


@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2040, 1, 1)),
       st.times(), st.sampled_from(marketplaces()))
def test_no_step_is_ever_due_on_a_day_that_starts_after_the_deadline(
        day: dt.date, at: dt.time, market: str) -> None:
    policy = get_policy(market)
    deadline = response_deadline(day, at, policy)
    for step in schedule(day, at, policy, [("under-review", day)], {}):
        start = dt.datetime.combine(step.due, dt.time(0), tzinfo=policy.tz)
        assert start < deadline
        assert step.due >= day
        assert step.deadline == deadline.isoformat(timespec="minutes")


def test_a_step_whose_hard_deadline_passed_is_missed_not_overdue_and_ages_out(
        run: Run, run_json: Json) -> None:
    _claim(run, "2026-11-02 14:30", market="UK", order="202-1234567-1234567")
    items = run_json("due-today", "--today", "2026-11-06")
    assert [(i["step"], i["missed"]) for i in items] == [
        ("contact", True), ("follow-up", True), ("represent", True)]
    text = run("due-today", "--today", "2026-11-06")
    assert "Nothing due on 2026-11-06" in text.stdout
    assert "Missed: 3 step(s) whose hard deadline passed" in text.stdout
    assert run("due-today", "--today", "2026-11-06", "--fail-if-overdue").exit_code == 3
    # A month later the missed steps are history: due-today is quiet, status still shows them.
    assert run_json("due-today", "--today", "2026-12-10") == []
    assert {s["state"] for s in run_json("status", "1", "--today", "2026-12-10")["steps"]} == {
        "open"}


def test_an_appeal_not_made_in_30_days_is_missed(run: Run, run_json: Json) -> None:
    _claim(run, "2026-11-02 14:30")
    run("status", "1", "granted-seller-funded", "--on", "2026-11-06")
    assert [i["step"] for i in run_json("due-today", "--today", "2026-12-06")] == ["appeal"]
    late = run_json("due-today", "--today", "2026-12-07")
    assert [(i["step"], i["missed"]) for i in late] == [("appeal", True)]


def test_an_appeal_is_never_overdue_before_its_deadline_so_cron_stays_quiet(
        run: Run, run_json: Json) -> None:
    _claim(run, "2026-11-02 14:30")
    run("status", "1", "granted-seller-funded", "--on", "2026-11-06")
    item = run_json("due-today", "--today", "2026-11-20")[0]
    assert (item["step"], item["overdue_days"], item["time_left"]) == (
        "appeal", 0, "16 days to appeal")
    assert run("due-today", "--today", "2026-11-20", "--fail-if-overdue").exit_code == 0
    assert run_json("due-today", "--today", "2026-12-06")[0]["time_left"] == "last day to appeal"

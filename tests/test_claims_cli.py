"""Claims from the command line: add, list, status, outcomes with their money and ODR facts,
corrections, local rules, and their history (issues 2, 10 and 11)."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from atoz.records import Outcome
from tests.helpers import ADD, snapshot

Run = Callable[..., Result]
Json = Callable[..., Any]
OUTCOMES = [str(o) for o in Outcome]


def _ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output + result.stderr
    return result


def test_add_prints_the_id_the_window_and_how_it_was_filed(run: Run, utc_seller: None
                                                            ) -> None:
    result = _ok(run(*ADD))
    assert "Added claim 1 for order 113-1234567-1234567" in result.stdout
    assert "window 2026-10-12 to 2027-01-07: filed in-window" in result.stdout
    assert "respond by 2026-10-23 07:00 UTC (2026-10-23 00:00 PDT)" in result.stdout


def test_add_json_is_the_claim_with_its_id(run_json: Json) -> None:
    claim = run_json(*ADD)
    assert claim["claim_id"] == 1
    assert claim["outcome"] == "under-review" and claim["odr"] == "pending"
    assert (claim["amount"], claim["amount_minor"], claim["currency"]) == ("24.99", 2499, "USD")
    assert (claim["window_opens"], claim["window_closes"]) == ("2026-10-12", "2027-01-07")
    assert claim["response_deadline"] == "2026-10-23T00:00:00-07:00"


def test_window_json_has_the_keys_other_tools_rely_on(run_json: Json) -> None:
    data = run_json("window", "--order-date", "2026-01-01", "--latest-delivery", "2026-01-10",
                    "--claim-date", "2026-04-15")
    assert data["opens"] == "2026-01-13" and data["closes"] == "2026-04-10"
    assert data["marketplace"] == "US"
    assert data["policy"]["policy_id"] and data["policy"]["as_of"]
    assert data["why_opens"].startswith("latest delivery 2026-01-10 + 3 days")
    assert data["why_closes"] == "latest delivery 2026-01-10 + 90 days"
    assert "nodeId=200783670" in data["source_opens"] and data["source_closes"]
    assert data["opened_by"] == "window_opens_after_delivery"
    assert (data["filed"], data["days_outside"]) == ("late", 5)


def test_window_text_names_each_reason_and_the_source(run: Run) -> None:
    result = _ok(run("window", "--order-date", "2026-01-01", "--latest-delivery", "2026-01-10"))
    assert ("opens  2026-01-13: latest delivery 2026-01-10 + 3 days, earlier than order date "
            "2026-01-01 + 30 days (2026-01-31)") in result.stdout
    assert "nodeId=200783670" in result.stdout


def test_window_opens_on_a_confirmed_delivery_the_us_reading_or_three_days_later_in_canada(
        run: Run, run_json: Json) -> None:
    args = ("window", "--order-date", "2026-01-01", "--latest-delivery", "2026-01-20",
            "--delivered-on", "2026-01-08")
    us = run_json(*args)
    assert (us["opens"], us["opened_by"]) == ("2026-01-08", "window_opens_after_confirmed_delivery")
    assert us["why_opens"].startswith("delivery confirmed by tracking 2026-01-08, earlier than")
    ca = run_json(*args, "--marketplace", "CA")
    assert ca["opens"] == "2026-01-11"
    assert ca["why_opens"].startswith("delivery confirmed by tracking 2026-01-08 + 3 days")
    assert "amazon.ca" in ca["source_opens"]
    assert "opens  2026-01-08: delivery confirmed by tracking" in run(*args).stdout


def test_currency_defaults_to_the_marketplace(run_json: Json) -> None:
    claim = run_json("add", "302-1234567-1234567", "-m", "DE", "--order-date", "2026-10-01",
                     "--latest-delivery", "2026-10-09", "--amount", "19.9",
                     "--today", "2026-10-20")
    assert (claim["currency"], claim["amount"], claim["amount_minor"], claim["claim_date"]) == (
        "EUR", "19.90", 1990, "2026-10-20")


# --- outcomes -----------------------------------------------------------------------------
def test_every_outcome_can_follow_any_other_and_history_keeps_each(
        run: Run, run_json: Json) -> None:
    _ok(run(*ADD))
    for day, outcome in enumerate(OUTCOMES[1:] + OUTCOMES[:1], start=21):
        _ok(run("status", "1", outcome, "--on", f"2026-10-{day}", "--note", f"n{day}"))
    data = run_json("status", "1")
    assert data["outcome"] == "under-review"
    assert [h["outcome"] for h in data["history"] if h["kind"] == "status"] == [
        "under-review", *OUTCOMES[1:], "under-review"]
    assert all({"kind", "on", "outcome", "step", "note", "detail", "recorded_at"} == set(h)
               for h in data["history"])


def test_recording_the_outcome_a_claim_already_has_is_refused_naming_since_when(
        run: Run, run_json: Json, db_path: Path) -> None:
    _ok(run(*ADD))
    _ok(run("status", "1", "denied", "--on", "2026-10-28"))
    before = snapshot(db_path)
    again = run("status", "1", "denied", "--on", "2026-11-02")
    assert again.exit_code == 2
    assert "claim 1 is already denied since 2026-10-28" in again.stderr
    assert "atoz edit 1 --help" in again.stderr
    assert snapshot(db_path) == before
    assert run_json("status", "1")["decided_on"] == "2026-10-28"


def test_edit_decided_on_moves_the_decision_as_a_correction_counted_in_one_week_only(
        run: Run, run_json: Json) -> None:
    _ok(run(*ADD))
    _ok(run("status", "1", "denied", "--on", "2026-10-28"))
    result = _ok(run("edit", "1", "--decided-on", "2026-11-03", "--why", "Amazon's e-mail date"))
    assert "decided_on: 2026-10-28 -> 2026-11-03" in result.stdout
    data = run_json("status", "1")
    assert data["decided_on"] == "2026-11-03"
    assert [h["outcome"] for h in data["history"] if h["kind"] == "status"] == [
        "under-review", "denied"]  # no second decision: a correction
    edit = [h for h in data["history"] if h["kind"] == "edit"]
    assert [(h["detail"], h["note"]) for h in edit] == [
        ({"decided_on": {"old": "2026-10-28", "new": "2026-11-03"}}, "Amazon's e-mail date")]
    w44 = run_json("report", "--week", "2026-W44", "--today", "2026-11-10")  # 26 Oct..1 Nov
    w45 = run_json("report", "--week", "2026-W45", "--today", "2026-11-10")  # 2..8 Nov
    assert (w44["decided"], w45["decided"]) == (0, 1)


def test_edit_decided_on_of_a_denial_shows_the_reopen_day_that_moved(run: Run) -> None:
    _ok(run(*ADD))
    _ok(run("status", "1", "denied", "--on", "2026-10-28"))
    result = _ok(run("edit", "1", "--decided-on", "2026-11-03"))
    assert "2026-11-27 -> 2026-12-03" in result.stdout


@pytest.mark.parametrize(("outcome", "payer", "odr"), [
    ("under-review", None, "pending"), ("granted-seller-funded", "seller", "counted"),
    ("granted-amazon-funded", "amazon", "not-counted"), ("refunded", "seller", "counted"),
    ("denied", "none", "not-counted"), ("withdrawn", "none", "not-counted"),
    ("cancelled", "seller", "not-counted")])
def test_money_and_odr_per_outcome_follow_the_policy_data(
        run: Run, run_json: Json, outcome: str, payer: str | None, odr: str) -> None:
    _ok(run(*ADD))
    if outcome != "under-review":
        _ok(run("status", "1", outcome, "--on", "2026-10-28"))
    data = run_json("status", "1")
    assert (data["payer"], data["odr"]) == (payer, odr)
    assert data["window"]["opens"] == "2026-10-12"
    defaults = run_json("policy", "--marketplace", "US")[0]["outcomes"][outcome]
    assert (defaults["payer"], defaults["odr"]) == (payer, odr)


def test_a_grant_amazon_did_not_count_is_out_of_the_odr_ledger_but_its_money_is_lost(
        run: Run, run_json: Json) -> None:
    # Amazon (Dec 2024): "we will not count the claim against your Order Defect Rate, but will
    # debit your account". The order was placed 2026-10-01: in the ODR window on 2026-11-28.
    _ok(run(*ADD))
    _ok(run("status", "1", "granted-seller-funded", "--on", "2026-10-28", "--odr",
            "not-counted", "--note", "Amazon: not counted, debited"))
    data = run_json("status", "1")
    assert (data["outcome"], data["payer"], data["odr"]) == (
        "granted-seller-funded", "seller", "not-counted")
    assert run_json("odr", "--today", "2026-11-28")["marketplaces"] == []
    report = run_json("report", "--today", "2026-11-28")
    assert report["lost_all_time"] == [{"amount": "24.99", "amount_minor": 2499,
                                        "currency": "USD"}]
    assert "ODR: not counted" in run("status", "1").stdout
    # Amazon's record said otherwise after all: a correction puts it back in the ledger.
    _ok(run("edit", "1", "--odr", "counted"))
    ledger = run_json("odr", "--today", "2026-11-28")["marketplaces"]
    assert [(c["claim_id"], c["leaves_window"]) for m in ledger for c in m["counted"]] == [
        (1, "2026-12-14")]
    history = run_json("status", "1")["history"]
    assert [(h["kind"], h["outcome"], h["detail"]) for h in history[1:]] == [
        ("status", "granted-seller-funded", {"odr": "not-counted"}),
        ("edit", None, {"odr": {"old": "not-counted", "new": "counted"}})]


def test_a_won_appeal_reverses_the_facts_it_names_and_both_stay_in_history(
        run: Run, run_json: Json) -> None:
    _ok(run(*ADD))
    _ok(run("status", "1", "granted-seller-funded", "--on", "2026-10-28"))
    assert run_json("report", "--today", "2026-11-28")["lost_all_time"] != []
    result = _ok(run("appeal-result", "1", "won", "--reversed", "odr", "--on", "2026-11-10",
                     "--note", "debit stays, ODR cleared"))
    assert "appeal won on 2026-11-10; now paid by seller, ODR not-counted" in result.stdout
    data = run_json("status", "1")
    assert (data["outcome"], data["payer"], data["odr"]) == (
        "granted-seller-funded", "seller", "not-counted")
    assert run_json("odr", "--today", "2026-11-28")["marketplaces"] == []
    assert run_json("report", "--today", "2026-11-28")["lost_all_time"][0]["amount"] == "24.99"
    assert {s["step"]: s["state"] for s in data["steps"]}["appeal"] == "done"
    appeal = [h for h in data["history"] if h["kind"] == "appeal-result"]
    assert [(h["on"], h["detail"], h["note"]) for h in appeal] == [
        ("2026-11-10", {"won": True, "reversed": ["odr"]}, "debit stays, ODR cleared")]


def test_a_won_appeal_reversing_both_facts_is_money_back_and_out_of_odr(
        run: Run, run_json: Json) -> None:
    _ok(run(*ADD))
    _ok(run("status", "1", "granted-seller-funded", "--on", "2026-10-28"))
    _ok(run("appeal-result", "1", "won", "--on", "2026-11-10"))
    data = run_json("status", "1")
    assert (data["payer"], data["odr"]) == ("amazon", "not-counted")
    report = run_json("report", "--today", "2026-11-28")
    assert report["lost_all_time"] == []
    assert report["win_rate_all_time"] == {"won": 1, "decided": 1, "rate_percent": 100.0}
    bad = run("appeal-result", "1", "maybe")
    assert bad.exit_code == 2 and "use won or lost" in bad.stderr


def test_a_denial_may_reopen_for_30_days_and_status_says_until_when(
        run: Run, run_json: Json) -> None:
    # amazon.co.uk G9VEMT3X4FQET5DH: the buyer may "submit an appeal within 30 calendar days
    # of the decision".
    _ok(run(*ADD))
    _ok(run("status", "1", "denied", "--on", "2026-10-28"))
    assert run_json("status", "1")["reopen_until"] == "2026-11-27"
    assert ("denial           may still reopen: the buyer may appeal until 2026-11-27"
            in run("status", "1", "--today", "2026-11-27").stdout)
    assert ("denial           final: the buyer may appeal until 2026-11-27"
            in run("status", "1", "--today", "2026-11-28").stdout)
    _ok(run("status", "1", "withdrawn", "--on", "2026-10-29"))
    assert run_json("status", "1")["reopen_until"] is None


def test_status_by_order_id_and_several_claims_on_one_order_are_listed(run: Run) -> None:
    _ok(run(*ADD))
    assert run("status", "113-1234567-1234567").exit_code == 0
    _ok(run("status", "1", "denied", "--on", "2026-10-28"))
    again = list(ADD)
    again[again.index("--claim-date") + 1] = "2026-11-05"
    _ok(run(*again))
    result = run("status", "113-1234567-1234567")
    assert result.exit_code == 2
    assert "has 2 claims: 1 (denied" in result.stderr and "2 (under-review" in result.stderr


def test_status_text_shows_the_whole_picture(run: Run, utc_seller: None) -> None:
    _ok(run(*ADD, "--buyer", "Dana Ortiz"))
    _ok(run("status", "1", "denied", "--on", "2026-10-28", "--note", "tracking shows delivered"))
    out = run("status", "1").stdout
    for expected in ("order date       2026-10-01", "window opens     2026-10-12",
                     "Denied on 2026-10-28; no refund; ODR: not counted", "Dana Ortiz",
                     "tracking shows delivered", "Under review",
                     "respond by       2026-10-23 07:00 UTC (2026-10-23 00:00 PDT)"):
        assert expected in out


# --- listing ------------------------------------------------------------------------------
def test_list_is_newest_first_and_filters(run: Run, run_json: Json) -> None:
    _ok(run(*ADD))
    _ok(run("add", "114-1234567-1234567", "--order-date", "2026-10-01", "--latest-delivery",
            "2026-10-09", "--claim-date", "2026-10-25", "-m", "CA"))
    _ok(run("status", "1", "denied", "--on", "2026-10-28"))
    rows = run_json("list")
    assert [r["claim_id"] for r in rows] == [2, 1]
    assert {"claim_id", "order_id", "outcome", "claim_date", "amount", "amount_minor",
            "currency", "decided_on", "payer", "odr"} <= set(rows[0])
    assert [r["claim_id"] for r in run_json("list", "--open")] == [2]
    assert [r["claim_id"] for r in run_json("list", "--outcome", "denied")] == [1]
    assert [r["claim_id"] for r in run_json("list", "--status", "denied")] == [1]
    assert [r["claim_id"] for r in run_json("list", "--marketplace", "ca")] == [2]
    assert run_json("list", "--status", "withdrawn") == []


def test_list_shows_the_50_newest_unless_limit_or_all(
        run: Run, run_json: Json, tmp_path: Path) -> None:
    rows = [f"113-{i:07d}-{i:07d},2026-10-01,2026-10-09,2026-10-{10 + i % 20:02d}"
            for i in range(53)]
    claims = tmp_path / "claims.csv"
    claims.write_text("order_id,order_date,latest_delivery,claim_date\n" + "\n".join(rows)
                      + "\n", encoding="utf-8")
    _ok(run("import", str(claims)))
    shown = run("list", "--json")
    assert shown.exit_code == 0
    listed = json.loads(shown.stdout)
    assert len(listed) == 50
    assert "The 50 newest; --all for every claim." in shown.stderr
    dates = [c["claim_date"] for c in listed]
    assert dates == sorted(dates, reverse=True)
    everything = run_json("list", "--all")
    assert len(everything) == 53 and everything[:50] == listed
    assert run_json("list", "--limit", "3") == listed[:3]
    text = run("list")
    assert "--limit N or --all for more" in text.stderr
    assert len([line for line in text.stdout.splitlines() if "113-" in line]) == 50


def test_database_is_created_readable_by_its_owner_only(run: Run, no_db: Path) -> None:
    _ok(run(*ADD))
    assert stat.S_IMODE(os.stat(no_db).st_mode) == 0o600


def test_info_reports_path_zone_schema_counts_and_policy(run_json: Json, db_path: Path,
                                                         utc_seller: None) -> None:
    data = run_json("info")
    assert data["database"] == str(db_path.absolute())
    assert data["timezone"] == "UTC"
    assert data["schema"].startswith("00") and data["claims"] == 0
    assert data["policy_as_of"] == "2026-11-28"


def test_policy_lists_every_marketplace_and_one_marketplace_in_detail(run: Run) -> None:
    table = run("policy").stdout
    for code in ("US", "CA", "MX", "UK", "DE", "FR", "IT", "ES", "JP", "AU", "IN", "AE"):
        assert f"\n{code} " in table
    detail = run("policy", "--marketplace", "US").stdout
    assert "response_hours: 72 hours" in detail and "G202041210" in detail
    assert 'reading: 48 (older page): "48 hours"' in detail
    assert "claim_notification_response: 7 days until 2016-11-13" in detail


# --- local rules (issue 11) ---------------------------------------------------------------
SOURCE = "https://sellercentral.amazon.com/gp/help/external/27951"


def _add_on(run: Run, order: str, claim_date: str) -> None:
    _ok(run("add", order, "--order-date", "2026-11-20", "--latest-delivery", "2026-11-25",
            "--claim-date", claim_date, "--today", "2026-12-05"))


def test_a_local_rule_applies_to_claims_filed_from_its_day_and_is_marked_local(
        run: Run, run_json: Json, db_path: Path) -> None:
    _add_on(run, "113-0000000-0000001", "2026-11-30 10:00")
    _add_on(run, "113-0000000-0000002", "2026-12-02 10:00")
    result = _ok(run("policy", "set", "US", "response_hours", "48", "--source", SOURCE,
                     "--from", "2026-12-01", "--today", "2026-12-05"))
    assert "response_hours = 48 for claims filed from 2026-12-01" in result.stdout
    assert ("response deadline: 2026-12-05T10:00:00-08:00 -> 2026-12-04T10:00:00-08:00"
            in result.stdout)
    assert "claim 1 " not in result.stdout  # filed before: keeps the rule it was filed under
    deadlines = {c["claim_id"]: c["response_deadline"] for c in run_json("list")}
    assert deadlines == {1: "2026-12-03T10:00:00-08:00",  # 72 hours
                         2: "2026-12-04T10:00:00-08:00"}  # 48 hours
    # A claim added later under the rule gets it too.
    _add_on(run, "113-0000000-0000003", "2026-12-03 10:00")
    assert run_json("status", "3")["response_deadline"] == "2026-12-05T10:00:00-08:00"
    # Before its day the rule is listed as coming; from its day it is the rule, marked local.
    before = run_json("policy", "--marketplace", "US", "--today", "2026-11-30")[0]
    assert before["rules"]["response_hours"]["value"] == 72
    assert before["later"] == [{"rule": "response_hours", "value": 48, "source": SOURCE,
                                "effective_from": "2026-12-01"}]
    assert "From 2026-12-01: US response_hours 48 (local)" in run(
        "policy", "--today", "2026-11-30").stdout
    rule = run_json("policy", "--marketplace", "US", "--today", "2026-12-05")[0]["rules"][
        "response_hours"]
    assert (rule["value"], rule["local"], rule["effective_from"], rule["source"]) == (
        48, True, "2026-12-01", SOURCE)
    assert "response_hours: 48 hours  LOCAL from 2026-12-01" in run(
        "policy", "--marketplace", "US", "--today", "2026-12-05").stdout
    assert "48*" in [line for line in run("policy", "--today", "2026-12-05").stdout.splitlines()
                     if line.startswith("US ")][0]
    # Taken back: recorded, not forgotten; the rule pack applies again and the dates move back.
    unset = _ok(run("policy", "unset", "US", "response_hours", "--today", "2026-12-05"))
    assert "response_hours back to atoz's rule pack" in unset.stdout
    assert "2026-12-04T10:00:00-08:00 -> 2026-12-05T10:00:00-08:00" in unset.stdout
    assert run_json("status", "2")["response_deadline"] == "2026-12-05T10:00:00-08:00"
    assert run_json("policy", "--marketplace", "US")[0]["rules"]["response_hours"][
        "local"] is False
    conn = sqlite3.connect(db_path)
    log = conn.execute("select rule, value, source from policy_rules order by id").fetchall()
    conn.close()
    assert log == [("response_hours", 48, SOURCE), ("response_hours", None, "unset")]


def test_a_local_rule_needs_a_source_and_a_sane_value(run: Run, db_path: Path) -> None:
    before = snapshot(db_path)
    for args, words in (
            (("US", "response_hours", "0", "--source", SOURCE), "from 1 to 1440"),
            (("US", "response_days", "3", "--source", SOURCE), "not a rule atoz lets you set"),
            (("US", "response_hours", "48", "--source", " "), "required: where the rule is"),
            (("ZZ", "response_hours", "48", "--source", SOURCE), "unknown")):
        result = run("policy", "set", *args)
        assert result.exit_code == 2 and words in result.stderr, (args, result.stderr)
    assert snapshot(db_path) == before
    nothing = run("policy", "unset", "US", "response_hours")
    assert nothing.exit_code == 2 and "no local response_hours rule" in nothing.stderr


# Bad input: exit 2, one line naming the field and the value, and nothing written. ------------
def _with(option: str, value: str) -> list[str]:
    args = list(ADD)
    args[args.index(option) + 1] = value
    return args


BAD_ADDS = [
    (_with("--order-date", "03/04/2026"),
     "--order-date: '03/04/2026': numeric dates are refused"),
    (_with("--order-date", "Jan 5"), "--order-date: 'Jan 5': has no year"),
    (_with("--latest-delivery", "2026-02-30"),
     "--latest-delivery: '2026-02-30': not a real date"),
    (_with("--latest-delivery", "2026-09-01"),
     "--latest-delivery: '2026-09-01': is before the order date"),
    ([*ADD, "--delivered-on", "2026-09-01"],
     "--delivered-on: '2026-09-01': is before the order date"),
    (_with("--claim-date", "2026-09-01"), "--claim-date: '2026-09-01': is before the order date"),
    (_with("--amount", "-5"), "--amount: '-5': negative"),
    (_with("--amount", "1,2345"), "--amount: '1,2345': separators in the wrong places"),
    (_with("--amount", "abc"), "--amount: 'abc': not an amount"),
    (_with("--amount", "1.999"), "--amount: '1.999': more decimals than USD"),
    (_with("--currency", "XYZ"), "--currency: 'XYZ': unknown currency"),
    (_with("--reason", "angry"), "--reason: 'angry': unknown"),
    ([*ADD, "--marketplace", "ZZ"], "--marketplace: 'ZZ': unknown"),
    (_with("--claim-date", "2027-06-01"),
     "--claim-date: '2027-06-01': has not begun in the marketplace yet"),
    (["add", "113-123-1234567", *ADD[2:]], "'113-123-1234567': not an Amazon order id"),
    (["add", "1131234567", *ADD[2:]], "'1131234567': not an Amazon order id"),
]


@pytest.mark.parametrize(("args", "message"), BAD_ADDS)
def test_bad_add_is_refused_with_one_line_and_nothing_written(
        run: Run, db_path: Path, args: list[str], message: str) -> None:
    _ok(run("add", "114-1234567-1234567", "--order-date", "2026-10-01", "--latest-delivery",
            "2026-10-09"))
    before = snapshot(db_path)
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert snapshot(db_path) == before


def test_a_second_open_claim_on_the_same_order_is_refused(run: Run, db_path: Path) -> None:
    _ok(run(*ADD))
    before = snapshot(db_path)
    result = run(*ADD)
    assert result.exit_code == 2
    assert "'113-1234567-1234567': already has open claim 1" in result.stderr
    assert snapshot(db_path) == before


@pytest.mark.parametrize(("args", "message"), [
    (("status", "1", "lost"), "OUTCOME: 'lost': unknown"),
    (("status", "1", "denied", "--on", "2026-10-01"), "--on: '2026-10-01': is before the claim"),
    (("status", "1", "denied", "--on", "10/28/2026"),
     "--on: '10/28/2026': numeric dates are refused"),
    (("status", "1", "--note", "x"), "--on, --odr, --paid-by, --note and --correct go "
                                     "with an outcome"),
    (("status", "1", "denied", "--odr", "maybe"), "--odr: 'maybe': unknown"),
    (("status", "1", "denied", "--paid-by", "bob"), "--paid-by: 'bob': unknown"),
    (("edit", "1", "--decided-on", "2026-10-25"), "claim 1 has no decision yet"),
    (("edit", "1", "--odr", "counted"), "claim 1 has no decision yet"),
])
def test_bad_status_change_is_refused(run: Run, db_path: Path, args: tuple[str, ...],
                                      message: str) -> None:
    _ok(run(*ADD))
    before = snapshot(db_path)
    result = run(*args)
    assert result.exit_code == 2 and message in result.stderr, result.stderr
    assert snapshot(db_path) == before


def test_missing_claim_is_exit_1(run: Run) -> None:
    result = run("status", "42")
    assert result.exit_code == 1 and result.stderr == "Error: no claim 42; `atoz list` shows " \
                                                      "the claims\n"


def test_amounts_are_stored_exactly_as_minor_units(run: Run, db_path: Path) -> None:
    _ok(run(*_with("--amount", "0.10")))
    conn = sqlite3.connect(db_path)
    value = conn.execute("select amount_minor, typeof(amount_minor), currency from claims"
                         ).fetchone()
    conn.close()
    assert value == (10, "integer", "USD")


@pytest.mark.parametrize("args", [("list",), ("status", "1"), ("info",), ("policy",),
                                  ("due-today",), ("window", "--order-date", "2026-01-01",
                                                   "--latest-delivery", "2026-01-10")])
def test_json_output_is_pure_json_on_stdout_with_exit_0(run: Run, args: tuple[str, ...]
                                                        ) -> None:
    _ok(run(*ADD))
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output + result.stderr
    json.loads(result.stdout)
    assert result.stdout.lstrip()[0] in "[{"


@pytest.mark.parametrize("args", [("list",), ("list", "--open"), ("due-today",)])
def test_a_listing_with_nothing_to_list_prints_an_empty_json_array(
        run: Run, args: tuple[str, ...]) -> None:
    result = run(*args, "--json", "--today", "2026-11-28")
    assert result.exit_code == 0, result.output + result.stderr
    assert result.stdout == "[]\n"


# --- the marketplace of a claim added by hand ------------------------------------------------
NEW_CLAIM = ("add", "113-1234567-1234567", "--order-date", "2026-10-01", "--latest-delivery",
             "2026-10-09", "--claim-date", "2026-10-20", "--amount", "24.99")


def test_add_without_a_marketplace_is_refused_naming_the_field_and_the_codes(
        run: Run, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ATOZ_MARKETPLACE")
    before = snapshot(db_path)
    result = run(*NEW_CLAIM)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --marketplace: required")
    assert "US, CA, MX, UK, DE" in result.stderr and "ATOZ_MARKETPLACE" in result.stderr
    assert snapshot(db_path) == before  # never filed under US by default


def test_atoz_marketplace_is_the_default_of_a_seller_with_one_store(
        run_json: Json, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATOZ_MARKETPLACE", "uk")
    claim = run_json(*NEW_CLAIM)
    assert (claim["marketplace"], claim["currency"]) == ("UK", "GBP")
    given = run_json("add", "118-1234567-1234567", "-m", "DE", *NEW_CLAIM[2:])
    assert (given["marketplace"], given["currency"]) == ("DE", "EUR")  # -m beats the default


def test_a_bad_atoz_marketplace_is_named_as_the_variable(
        run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATOZ_MARKETPLACE", "Mars")
    result = run(*NEW_CLAIM)
    assert result.exit_code == 2
    assert "ATOZ_MARKETPLACE: 'Mars': unknown; use one of US" in result.stderr


def test_a_known_order_gives_its_marketplace_before_atoz_marketplace(
        run: Run, run_json: Json, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.samples import report, report_row

    orders = tmp_path / "orders.tsv"
    orders.write_bytes(report(report_row(sales_channel="Amazon.co.uk", currency="GBP")))
    _ok(run("import", str(orders), "--today", "2026-10-20"))
    monkeypatch.setenv("ATOZ_MARKETPLACE", "US")  # the order's own marketplace wins
    claim = run_json("add", "116-2222222-2222222", "--claim-date", "2026-10-20",
                     "--today", "2026-10-21")
    assert (claim["marketplace"], claim["currency"]) == ("UK", "GBP")
    # A second claim on an order atoz knows only from a claim keeps that claim's marketplace.
    monkeypatch.delenv("ATOZ_MARKETPLACE")
    _ok(run("add", "117-1234567-1234567", "-m", "DE", "--order-date", "2026-10-01",
            "--latest-delivery", "2026-10-09", "--claim-date", "2026-10-20"))
    _ok(run("status", "2", "denied", "--on", "2026-10-22"))
    again = run_json("add", "117-1234567-1234567", "--order-date", "2026-10-01",
                     "--latest-delivery", "2026-10-09", "--claim-date", "2026-10-25")
    assert (again["marketplace"], again["currency"]) == ("DE", "EUR")


def test_moving_a_claim_to_another_marketplace_moves_its_default_currency(
        run: Run, run_json: Json) -> None:
    _ok(run(*NEW_CLAIM, "-m", "US"))
    moved = run("edit", "1", "-m", "UK")
    _ok(moved)
    assert "currency: USD -> GBP" in moved.stdout
    assert "The currency follows the marketplace: USD -> GBP" in moved.stderr
    assert run_json("status", "1")["currency"] == "GBP"
    # A currency given on purpose stays; --currency chooses.
    _ok(run("edit", "1", "--currency", "USD"))
    assert "currency" not in run("edit", "1", "-m", "DE").stdout
    _ok(run("edit", "1", "-m", "US", "--currency", "EUR"))
    assert run_json("status", "1")["currency"] == "EUR"


def test_a_currency_move_the_amount_cannot_follow_is_refused_naming_the_currency(
        run: Run, db_path: Path) -> None:
    _ok(run(*NEW_CLAIM, "-m", "US"))
    before = snapshot(db_path)
    result = run("edit", "1", "-m", "JP")
    assert result.exit_code == 2
    assert "--currency: 'JPY'" in result.stderr and "24.99 USD" in result.stderr
    assert snapshot(db_path) == before


# --- the seller's local rules where every date is computed ------------------------------------
WINDOW_ARGS = ("window", "--order-date", "2026-01-01", "--latest-delivery", "2026-01-20")


def test_atoz_window_applies_the_local_rules_claims_get(run: Run, run_json: Json) -> None:
    _ok(run("policy", "set", "US", "window_opens_after_delivery", "1", "--source", SOURCE,
            "--from", "2026-01-01"))
    _add_on(run, "113-0000000-0000001", "2026-12-01 10:00")
    shown = run_json("status", "1")["window"]
    assert shown["why_opens"].startswith("latest delivery 2026-11-25 + 1 day")
    window = run_json(*WINDOW_ARGS, "--claim-date", "2026-02-01")
    assert (window["opens"], window["policy"]["local_rules"]) == (
        "2026-01-21", ["window_opens_after_delivery"])
    text = _ok(run(*WINDOW_ARGS)).stdout
    assert "opens  2026-01-21: latest delivery 2026-01-20 + 1 day" in text
    assert "with your local window_opens_after_delivery 1" in text
    # The rules of the day: before the local rule's first day, the rule pack's 3 days.
    _ok(run("policy", "unset", "US", "window_opens_after_delivery"))
    _ok(run("policy", "set", "US", "window_opens_after_delivery", "1", "--source", SOURCE,
            "--from", "2026-03-01"))
    assert run_json(*WINDOW_ARGS, "--claim-date", "2026-02-01")["opens"] == "2026-01-23"


def test_atoz_window_needs_no_database_and_creates_none(run: Run, no_db: Path) -> None:
    assert "opens  2026-01-23" in _ok(run(*WINDOW_ARGS)).stdout
    assert not no_db.exists()


def test_atoz_window_fits_80_columns(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    text = _ok(run(*WINDOW_ARGS, "--delivered-on", "2026-01-08", "-m", "CA")).stdout
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines), text
    # A wrapped reason sits under the reason, not under the label.
    assert lines[2].startswith("         ") and lines[2].strip()[0].isalnum()


def test_a_rule_change_starts_on_the_marketplaces_today_not_the_sellers(
        run: Run, run_json: Json, monkeypatch: pytest.MonkeyPatch) -> None:
    # 08:00 on the 28th in Shanghai is still the 27th in Los Angeles: a US claim filed on the
    # 27th is filed under the rule Amazon applies from the 27th.
    monkeypatch.setenv("ATOZ_TZ", "Asia/Shanghai")
    now = ("--now", "2026-11-28 08:00")
    _ok(run("add", "113-0000000-0000001", "--order-date", "2026-11-10", "--latest-delivery",
            "2026-11-20", "--claim-date", "2026-11-27 06:00", *now))
    change = run_json("policy", "set", "US", "response_hours", "48", "--source", SOURCE, *now)
    assert (change["effective_from"], change["recomputed"]) == ("2026-11-27", 1)
    assert run_json("status", "1", *now)["response_deadline"] == "2026-11-29T06:00:00-08:00"
    assert run_json("policy", "-m", "US", *now)[0]["rules"]["response_hours"]["value"] == 48
    # `--from today` is the marketplace's today too.
    uk = run_json("policy", "set", "JP", "response_hours", "24", "--source", SOURCE,
                  "--from", "today", *now)
    assert uk["effective_from"] == "2026-11-28"


def test_a_rule_change_that_moves_nothing_says_so(run: Run) -> None:
    result = _ok(run("policy", "set", "US", "response_hours", "48", "--source", SOURCE))
    assert result.stdout.rstrip().endswith("0 claim(s) recomputed, no date moved.")


# --- an appeal has one result -------------------------------------------------------------------
def test_an_appeal_has_one_result_and_status_then_shows_it_not_a_deadline(
        run: Run, run_json: Json, db_path: Path) -> None:
    today = ("--today", "2026-11-12")
    _ok(run(*ADD))
    _ok(run("status", "1", "granted-seller-funded", "--on", "2026-10-28", *today))
    assert "appeal           until 2026-11-27 (last day; atoz draft 1 appeal)" in run(
        "status", "1", *today).stdout
    _ok(run("done", "1", "appeal", "--on", "2026-11-02", *today))
    assert "appeal           made on 2026-11-02; record Amazon's answer: atoz appeal-result " \
        "1 won|lost" in run("status", "1", *today).stdout
    _ok(run("appeal-result", "1", "won", "--reversed", "odr", "--on", "2026-11-10", *today))
    shown = run("status", "1", *today).stdout
    assert "appeal           won on 2026-11-10, reversed: ODR" in shown
    assert "until" not in [line for line in shown.splitlines() if "appeal " in line][0]
    before = snapshot(db_path)
    again = run("appeal-result", "1", "lost", "--on", "2026-11-11", *today)
    assert again.exit_code == 2
    assert again.stderr == ("Error: RESULT: 'lost': claim 1's appeal already has its result: "
                            "won on 2026-11-10\n")
    assert snapshot(db_path) == before
    assert run_json("status", "1", *today)["odr"] == "not-counted"


def test_a_claim_number_typed_in_full_width_digits_is_that_claim(run: Run, run_json: Json
                                                                  ) -> None:
    _ok(run(*ADD))
    assert run_json("status", "\uff11")["claim_id"] == 1  # １, as a Chinese keyboard types it
    _ok(run("done", "\uff11", "contact"))


def test_status_shows_the_filing_moment_with_its_zones_and_hints_under_the_table(
        run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATOZ_TZ", "Asia/Shanghai")
    monkeypatch.setenv("COLUMNS", "80")
    _ok(run("add", "304-4469639-4910337", "-m", "DE", "--order-date", "2026-10-16",
            "--latest-delivery", "2026-10-30", "--claim-date", "2026-11-16 19:30",
            "--today", "2026-11-19"))
    added = _ok(run("add", "113-0000000-0000002", "--order-date", "2026-10-27",
                    "--latest-delivery", "2026-11-12", "--claim-date", "2026-11-16",
                    "--today", "2026-11-19"))
    assert "filed 2026-11-16." in added.stdout  # a day without a time is a day
    text = _ok(run("status", "1", "--now", "2026-11-19 12:00")).stdout
    assert "  claim filed      2026-11-17 02:30 CST (2026-11-16 19:30 CET)" in text
    lines = _ok(run("status", "2", "--now", "2026-11-19 12:00")).stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Deadlines marked"))
    assert lines[start + 1].startswith("time Amazon's notification")  # not indented 19 deep


def test_giving_a_stand_in_claim_its_filing_date_moves_the_deadline_from_unknown(
        run: Run, run_json: Json) -> None:
    # The finance data names the decision, not the filing: no deadline is invented before
    # the seller says when the claim was filed, and the edit says it came from nowhere.
    sample = Path(__file__).resolve().parents[1] / "sample_data" / "finance-events.json"
    assert run("import", str(sample), "--now", "2026-11-20 10:00").exit_code == 0
    edited = run_json("edit", "8", "--claim-date", "2026-11-10", "--now", "2026-11-20 10:00")
    assert edited["moved"]["response deadline"] == {
        "old": "unknown", "new": "2026-11-13T00:00:00-08:00"}


def test_moving_a_claim_to_another_marketplace_reads_its_days_there(
        run: Run, run_json: Json, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 13:14 in Shanghai on the 28th is already the 28th in Tokyo, still the 27th in Los
    # Angeles: a claim logged "today" in JP cannot move to US as filed on the 28th.
    monkeypatch.setenv("ATOZ_TZ", "Asia/Shanghai")
    at = ("--now", "2026-11-28 13:14")
    assert run("add", "503-9000001-0000001", "-m", "JP", "--claim-date", "today", *at
               ).exit_code == 0
    before = snapshot(db_path)
    moved = run("edit", "1", "-m", "US", *at)
    assert moved.exit_code == 2 and moved.stderr.count("\n") == 1
    assert ("--claim-date: '2026-11-28': has not begun in the marketplace yet (it is "
            "2026-11-27 21:14 PST there)") in moved.stderr
    assert "give it with the move" in moved.stderr
    assert snapshot(db_path) == before
    fixed = run_json("edit", "1", "-m", "US", "--claim-date", "2026-11-27", *at)
    assert (fixed["claim_date"], fixed["response_deadline"]) == (
        "2026-11-27", "2026-11-30T00:00:00-08:00")


@pytest.mark.parametrize("option", ["--claim-date", "--order-date", "--latest-delivery",
                                    "--delivered-on"])
def test_an_empty_date_is_refused_not_read_as_today_or_none(
        run: Run, db_path: Path, option: str) -> None:
    # A script's empty $DATE must not file a claim today, nor clear a date on edit.
    assert run(*ADD).exit_code == 0
    before = snapshot(db_path)
    for args in (("add", "113-7654321-7654321", "-m", "US", option, ""),
                 ("edit", "1", option, "")):
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr == f"Error: {option}: empty; give a date (YYYY-MM-DD), or leave " \
                                "it out\n"
    assert snapshot(db_path) == before


def test_add_refuses_a_marketplace_the_imported_order_contradicts(run: Run, db_path: Path
                                                                  ) -> None:
    sample = Path(__file__).resolve().parents[1] / "sample_data" / "orders.tsv"
    assert run("import", str(sample)).exit_code == 0
    before = snapshot(db_path)
    result = run("add", "204-4918498-6191048", "-m", "US", "--claim-date", "2026-09-10")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert result.stderr.startswith("Error: --marketplace: 'US': order 204-4918498-6191048 is "
                                    "on UK (Amazon.co.uk) in orders.tsv")
    assert snapshot(db_path) == before
    assert run("add", "204-4918498-6191048", "--claim-date", "2026-09-10").exit_code == 0

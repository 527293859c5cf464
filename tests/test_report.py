"""The weekly report and the ODR ledger (issues 4 and 11): ISO weeks, outcomes, money per
currency read from the payer fact, the win rate, and the ODR ledger as Amazon counts it (a 60-day
window of order dates, 14 days behind today, per marketplace), against a hand count of the
sample data.

The seller here sits in Los Angeles (the sample data's sellers mostly sell into the US), so
`--today D` is D in the US marketplace too. The sample is read as of the demo's moment,
2026-11-18 20:00 Pacific.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from atoz.exports import csv_safe
from tests.samples import finance, finance_event

Run = Callable[..., Result]
Json = Callable[..., Any]
ROOT = Path(__file__).parents[1]
SAMPLE = ROOT / "sample_data" / "claims.csv"
POLICIES = json.loads((ROOT / "atoz" / "policies.json").read_text(encoding="utf-8"))
NOW = "2026-11-18T20:00:00-08:00"  # the demo's moment: ISO week 2026-W47, 16..22 Nov
TODAY = "2026-11-18"


@pytest.fixture(autouse=True)
def seller_in_los_angeles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATOZ_TZ", "America/Los_Angeles")


def load_sample(run: Run) -> None:
    result = run("import", str(SAMPLE), "--now", NOW)
    assert result.exit_code == 0, result.output + result.stderr


def _add(run: Run, order: str, claim_date: str, *, order_date: str = "2026-10-01",
         amount: str = "10.00", market: str = "US") -> None:
    result = run("add", order, "-m", market, "--order-date", order_date, "--latest-delivery",
                 order_date, "--claim-date", claim_date, "--amount", amount,
                 "--today", "2026-12-31")  # recording, not reporting: any later day will do
    assert result.exit_code == 0, result.output + result.stderr


def _decide(run: Run, claim: str, outcome: str, on: str, *more: str) -> None:
    result = run("status", claim, outcome, "--on", on, "--today", "2026-12-31", *more)
    assert result.exit_code == 0, result.output + result.stderr


def _money(amounts: list[dict[str, Any]]) -> dict[str, str]:
    """The JSON contract's money list as {currency: amount}, checking the minor units agree."""
    for a in amounts:
        places = 0 if a["currency"] == "JPY" else 2
        assert Decimal(a["amount"]) * 10 ** places == a["amount_minor"], a
    return {a["currency"]: a["amount"] for a in amounts}


def _ledger(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["marketplace"]: m for m in data["marketplaces"]}


# --- the hand count on the sample data ------------------------------------------------------
# Counted by hand from sample_data/claims.csv (36 rows), today 2026-11-18, week 16..22 Nov:
#   filed this week: 304-4469639 (16th), 112-8170850 (16th), 702-6499629, 114-2513341 (17th),
#     205-4997897, 111-8003107 (18th) = 6
#   decided this week: 113-7827800 denied, 202-4739537 refunded (16th); 113-2178055
#     seller-funded, 304-5532834 withdrawn (17th); 702-2333751 Amazon-funded, 113-8829029 denied,
#     205-7590115 withdrawn (18th) = 7, of which won 5 (2 denied, 2 withdrawn, 1 Amazon-funded)
#   open now: the 9 rows without a status
#   all time: denied 7, withdrawn 5, Amazon-funded 3, seller-funded 6, refunded 4, cancelled 2
#     -> won (the seller did not pay) 15 of 27 decided
#   lost this week (the seller paid): 171.54 USD (113-2178055) and 44.50 GBP (202-4739537)
#   lost all time (seller-funded, refunded and cancelled: the seller paid each):
#     CAD 56.44; EUR 117.00 + 145.49; GBP 40.98 + 16.00 + 44.50; JPY 6570 + 13880;
#     USD 63.27 + 74.00 + 171.54 + 186.38
#   at stake in open claims: USD 110.45 + 56.79 + 74.51 + 92.77 + 55.77 = 390.29; EUR 17.00;
#     GBP 43.89; CAD 35.58; JPY 7480
#   ODR window: orders placed 2026-09-06..2026-11-04 (60 days ending 14 days before today; in
#     UK, DE and JP, where it is already the 19th, 09-07..11-05), per marketplace;
#     seller-funded or refunded with an order date in it, leaving it order date + 74 days:
#     CA 702-4511965 (09-28, 12-11); DE 028-6970258 (09-08, 11-21); JP 250-2205045
#     (09-23, 12-06); UK 204-6903994 (10-04, 12-17), 202-4739537 (10-18, 12-31); US 114-6683654
#     (09-14, 11-27), 113-9335198 (09-25, 12-08), 113-2178055 (10-15, 12-28). 028-6062052
#     (refunded, ordered 09-05) left the window yesterday; 203-1936768 (08-26) long ago. None on
#     an order too recent to count yet. Under review on orders from 09-06 on: US 5, others 1.
#   appeal windows closing in 14 days: 250-2205045 (11-23), 113-9335198 (11-28),
#     204-6903994 (12-01) = 3
HAND: dict[str, Any] = {
    "filed": 6, "decided": 7, "open": 9,
    "week": {"under-review": 6, "granted-seller-funded": 1, "granted-amazon-funded": 1,
             "refunded": 1, "denied": 2, "withdrawn": 2, "cancelled": 0},
    "all": {"under-review": 9, "granted-seller-funded": 6, "granted-amazon-funded": 3,
            "refunded": 4, "denied": 7, "withdrawn": 5, "cancelled": 2},
    "lost": {"GBP": "44.50", "USD": "171.54"},
    "lost_all": {"CAD": "56.44", "EUR": "262.49", "GBP": "101.48", "JPY": "20450",
                 "USD": "495.19"},
    "won": (5, 15),
    "at_stake": {"CAD": "35.58", "EUR": "17.00", "GBP": "43.89", "JPY": "7480",
                 "USD": "390.29"},
    "odr": {"CA": [("702-4511965-5127866", "2026-12-11")],
            "DE": [("028-6970258-2644936", "2026-11-21")],
            "JP": [("250-2205045-1889591", "2026-12-06")],
            "UK": [("204-6903994-9410133", "2026-12-17"), ("202-4739537-1309415", "2026-12-31")],
            "US": [("114-6683654-0964786", "2026-11-27"), ("113-9335198-8292294", "2026-12-08"),
                   ("113-2178055-9577256", "2026-12-28")]},
    "not_yet": {},
    "pending": {"CA": 1, "DE": 1, "JP": 1, "UK": 1, "US": 5},
    "appeals": ["250-2205045-1889591", "113-9335198-8292294", "204-6903994-9410133"],
}


def _read_sample() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _rule(name: str, market: str) -> int:
    rules = {**POLICIES["defaults"], **POLICIES["marketplaces"][market]["rules"]}
    return int(rules[name]["value"])


def _independent_count() -> dict[str, Any]:
    """The same figures read straight off the CSV and the rules as policies.json states them, to
    tell a changed sample (or rule pack) from a bug."""
    rows = _read_sample()
    today = dt.date.fromisoformat(TODAY)
    start, end = "2026-11-16", "2026-11-22"
    decided = [r for r in rows if r["status"] and start <= r["decided_on"] <= end]
    open_rows = [r for r in rows if not r["status"]]
    outcomes = POLICIES["outcomes"]

    def paid(r: dict[str, str]) -> bool:
        return bool(outcomes[r["status"]]["payer"] == "seller")

    def money(selected: list[dict[str, str]]) -> dict[str, str]:
        sums: dict[str, Decimal] = {}
        for r in selected:
            sums[r["currency"]] = sums.get(r["currency"], Decimal(0)) + Decimal(r["amount"])
        return {cur: str(total) for cur, total in sorted(sums.items())}

    odr: dict[str, list[tuple[str, str]]] = {}
    not_yet: dict[str, list[tuple[str, str]]] = {}
    pending: dict[str, int] = {}
    for r in sorted(rows, key=lambda r: r["order_date"]):
        market = r["marketplace"]
        days, delay = _rule("odr_window_days", market), _rule("odr_delay_days", market)
        window_end = today - dt.timedelta(days=delay)
        window_start = window_end - dt.timedelta(days=days - 1)
        ordered = dt.date.fromisoformat(r["order_date"])
        if not r["status"] and ordered >= window_start:
            pending[market] = pending.get(market, 0) + 1
        if not r["status"] or outcomes[r["status"]]["odr"] != "counted":
            continue
        if window_start <= ordered <= window_end:
            leaves = ordered + dt.timedelta(days=days + delay)
            odr.setdefault(market, []).append((r["order_id"], leaves.isoformat()))
        elif window_end < ordered <= today:
            counts = ordered + dt.timedelta(days=delay)
            not_yet.setdefault(market, []).append((r["order_id"], counts.isoformat()))
    appeal_days = _rule("appeal_days", "US")
    return {
        "filed": sum(1 for r in rows if start <= r["claim_date"][:10] <= end),
        "decided": len(decided),
        "open": len(open_rows),
        "week": {"under-review": sum(1 for r in rows if start <= r["claim_date"][:10] <= end),
                 **{s: Counter(r["status"] for r in decided)[s] for s in (
                     "granted-seller-funded", "granted-amazon-funded", "refunded", "denied",
                     "withdrawn", "cancelled")}},
        "all": {"under-review": len(open_rows),
                **{s: Counter(r["status"] for r in rows)[s] for s in (
                    "granted-seller-funded", "granted-amazon-funded", "refunded", "denied",
                    "withdrawn", "cancelled")}},
        "lost": money([r for r in decided if paid(r)]),
        "lost_all": money([r for r in rows if r["status"] and paid(r)]),
        "won": (sum(1 for r in decided if not paid(r)),
                sum(1 for r in rows if r["status"] and not paid(r))),
        "at_stake": money(open_rows),
        "odr": dict(sorted(odr.items())),
        "not_yet": not_yet,
        "pending": dict(sorted(pending.items())),
        "appeals": [r["order_id"] for r in rows if r["status"] == "granted-seller-funded"
                    and TODAY <= (dt.date.fromisoformat(r["decided_on"])
                                  + dt.timedelta(days=appeal_days)).isoformat() <= "2026-12-02"],
    }


def test_the_hand_count_still_describes_the_sample_data() -> None:
    assert _independent_count() == HAND, ("sample_data/claims.csv or atoz/policies.json changed: "
                                          "redo the hand count in this file")


def test_report_on_the_sample_matches_the_hand_count(run: Run, run_json: Json) -> None:
    load_sample(run)
    data = run_json("report", "--now", NOW)
    assert (data["week"], data["start"], data["end"], data["today"]) == (
        "2026-W47", "2026-11-16", "2026-11-22", TODAY)
    assert (data["filed"], data["decided"], data["open"]) == (
        HAND["filed"], HAND["decided"], HAND["open"])
    assert {o["outcome"]: o["week"] for o in data["outcomes"]} == HAND["week"]
    assert {o["outcome"]: o["all_time"] for o in data["outcomes"]} == HAND["all"]
    assert _money(data["lost_week"]) == HAND["lost"]
    assert _money(data["lost_all_time"]) == HAND["lost_all"]
    assert _money(data["at_stake_open"]) == HAND["at_stake"]
    assert data["win_rate_week"] == {"won": 5, "decided": 7, "rate_percent": 71.4}
    assert data["win_rate_all_time"] == {"won": 15, "decided": 27, "rate_percent": 55.6}
    ledger = _ledger(data["odr"])
    # 20:00 on the 18th in Los Angeles is already the 19th in Europe and Japan: each window
    # counts back from its marketplace's own today.
    assert {m: (x["window_start"], x["window_end"], x["window_days"], x["delay_days"])
            for m, x in ledger.items()} == {
        m: ("2026-09-06", "2026-11-04", 60, 14) if m in ("US", "CA") else
        ("2026-09-07", "2026-11-05", 60, 14) for m in HAND["odr"]}
    assert {m: [(c["order_id"], c["leaves_window"]) for c in x["counted"]]
            for m, x in ledger.items()} == HAND["odr"]
    assert all(x["not_yet_counted"] == [] for x in ledger.values())
    assert {m: len(x["pending"]) for m, x in ledger.items()} == HAND["pending"]
    assert {m: x["rate_percent"] for m, x in ledger.items()} == dict.fromkeys(HAND["odr"])
    assert [a["order_id"] for a in data["appeals_closing"]] == HAND["appeals"]
    # Due, overdue, missed and awaiting are due-today's rows, as of the same moment.
    rows = run_json("due-today", "--now", NOW, "--ahead", "7")
    assert data["due_next_7_days"] == [i for i in rows if i["state"] in ("due", "upcoming")]
    assert data["overdue_steps"] == [i for i in rows if i["state"] == "overdue"]
    assert data["missed_steps"] == [i for i in rows if i["state"] == "missed"]
    assert data["awaiting_decision"] == [i for i in rows if i["state"] == "awaiting-decision"]
    assert data["overdue"] == len(data["overdue_steps"]) > 0
    assert data["missed"] == len(data["missed_steps"]) > 0


def test_odr_on_the_sample_gives_the_rate_per_marketplace(run: Run, run_json: Json) -> None:
    load_sample(run)
    data = run_json("odr", "--now", NOW)
    assert "negative feedback and chargebacks" in data["note"]
    assert {m: [c["order_id"] for c in x["counted"]] for m, x in _ledger(data).items()} == {
        m: [order for order, _ in claims] for m, claims in HAND["odr"].items()}
    # Amazon rates each marketplace on its own: a rate needs one.
    mixed = run("odr", "--now", NOW, "--orders", "800")
    assert mixed.exit_code == 2
    assert "Amazon counts ODR per marketplace" in mixed.stderr and "(-m)" in mixed.stderr
    us = run_json("odr", "--now", NOW, "--orders", "400", "-m", "US")
    (only,) = us["marketplaces"]
    assert [c["order_id"] for c in only["counted"]] == [o for o, _ in HAND["odr"]["US"]]
    # 3 of 400 = 0.75%; the rate reaches 1% at 4 orders with a counted claim: 1 more.
    assert (only["rate_percent"], only["over_target"], only["more_to_cross"]) == (0.75, False, 1)


# --- weeks ----------------------------------------------------------------------------------
@pytest.mark.parametrize("week", ["2026-w48", "2026-48", "2026-W5", "2026-W00", "2025-W53",
                                  "W48", "2026-W48-1", "", "9999-W52"])
def test_a_bad_week_is_refused_naming_it(run: Run, week: str) -> None:
    result = run("report", "--week", week, "--today", TODAY)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --week:")
    assert repr(week) in result.stderr or week == ""
    assert "Traceback" not in result.output + result.stderr


def test_weeks_run_monday_to_sunday(run: Run, run_json: Json) -> None:
    _add(run, "113-0000001-0000001", "2026-11-22")  # Sunday of W47
    _add(run, "113-0000002-0000002", "2026-11-23")  # Monday of W48
    _decide(run, "1", "denied", "2026-11-23")
    w47 = run_json("report", "--week", "2026-W47", "--today", "2026-11-24")
    w48 = run_json("report", "--week", "2026-W48", "--today", "2026-11-24")
    assert (w47["start"], w47["end"], w47["filed"], w47["decided"]) == (
        "2026-11-16", "2026-11-22", 1, 0)
    assert (w48["start"], w48["end"], w48["filed"], w48["decided"]) == (
        "2026-11-23", "2026-11-29", 1, 1)
    # 2026 has 53 ISO weeks; its week 53 ends in January 2027.
    w53 = run_json("report", "--week", "2026-W53", "--today", "2026-11-24")
    assert (w53["start"], w53["end"]) == ("2026-12-28", "2027-01-03")


def test_the_default_week_is_the_one_containing_today(run_json: Json) -> None:
    assert run_json("report", "--today", "2026-11-22")["week"] == "2026-W47"
    assert run_json("report", "--today", "2026-11-23")["week"] == "2026-W48"
    assert run_json("report", "--today", "2027-01-01")["week"] == "2026-W53"


def test_a_claim_decided_twice_in_a_week_counts_once_with_its_last_outcome(
        run: Run, run_json: Json) -> None:
    _add(run, "113-0000001-0000001", "2026-11-10", amount="30.00")
    _decide(run, "1", "granted-seller-funded", "2026-11-16")
    _decide(run, "1", "denied", "2026-11-17")  # Amazon reversed it
    data = run_json("report", "--today", TODAY)
    week = {o["outcome"]: o["week"] for o in data["outcomes"]}
    assert data["decided"] == 1
    assert (week["denied"], week["granted-seller-funded"]) == (1, 0)
    assert data["lost_week"] == []


def test_a_decision_re_dated_with_edit_counts_in_its_new_week_only(
        run: Run, run_json: Json) -> None:
    _add(run, "113-0000001-0000001", "2026-11-10", amount="30.00")
    _decide(run, "1", "granted-seller-funded", "2026-11-16")  # W47
    result = run("edit", "1", "--decided-on", "2026-11-24", "--today", "2026-12-31")  # W48
    assert result.exit_code == 0, result.output + result.stderr
    w47 = run_json("report", "--week", "2026-W47", "--today", "2026-12-01")
    w48 = run_json("report", "--week", "2026-W48", "--today", "2026-12-01")
    assert (w47["decided"], w47["lost_week"], w47["win_rate_week"]["decided"]) == (0, [], 0)
    assert (w48["decided"], _money(w48["lost_week"])) == (1, {"USD": "30.00"})
    assert {o["outcome"]: o["week"] for o in w48["outcomes"]}["granted-seller-funded"] == 1


# --- win rate and money ---------------------------------------------------------------------
def test_with_nothing_decided_the_win_rate_is_null_not_zero(run: Run, run_json: Json) -> None:
    data = run_json("report", "--today", TODAY)
    nothing = {"won": 0, "decided": 0, "rate_percent": None}
    assert (data["win_rate_week"], data["win_rate_all_time"]) == (nothing, nothing)
    assert data["odr"]["marketplaces"] == [] and data["due_next_7_days"] == []
    text = run("report", "--today", TODAY).stdout
    assert "n/a (nothing decided)" in text


def test_win_rate_counts_the_decisions_the_seller_did_not_pay_for(
        run: Run, run_json: Json) -> None:
    outcomes = ["denied", "withdrawn", "granted-amazon-funded", "granted-seller-funded",
                "refunded", "cancelled"]
    for n, outcome in enumerate(outcomes, start=1):
        _add(run, f"113-0000000-000000{n}", "2026-11-10")
        _decide(run, str(n), outcome, "2026-11-17")
    _add(run, "113-0000000-0000009", "2026-11-10")  # still open: not decided
    data = run_json("report", "--today", TODAY)
    assert data["win_rate_week"] == {"won": 3, "decided": 6, "rate_percent": 50.0}
    assert data["win_rate_all_time"] == data["win_rate_week"]


def test_money_lost_reads_who_paid_not_the_outcome(run: Run, run_json: Json) -> None:
    _add(run, "113-0000000-0000001", "2026-11-10", amount="11.00")
    _add(run, "113-0000000-0000002", "2026-11-10", amount="22.00")
    _add(run, "113-0000000-0000003", "2026-11-10", amount="33.00")
    # Granted, but Amazon covered it: nothing lost, and a win.
    _decide(run, "1", "granted-seller-funded", "2026-11-17", "--paid-by", "amazon")
    _decide(run, "2", "cancelled", "2026-11-17")  # the seller refunds a cancelled order
    _decide(run, "3", "denied", "2026-11-17", "--paid-by", "seller")  # a goodwill refund
    data = run_json("report", "--today", TODAY)
    assert _money(data["lost_week"]) == {"USD": "55.00"}
    assert _money(data["lost_all_time"]) == {"USD": "55.00"}
    assert data["win_rate_week"] == {"won": 1, "decided": 3, "rate_percent": 33.3}


def test_money_lost_is_the_debit_when_amazons_finance_data_gives_it(
        run: Run, run_json: Json, tmp_path: Path) -> None:
    _add(run, "113-1234567-1234567", "2026-10-20", amount="24.99")
    events = tmp_path / "events.json"
    events.write_bytes(finance(finance_event(ShipmentItemAdjustmentList=[
        {"ItemChargeAdjustmentList": [{"ChargeType": "Principal", "ChargeAmount": {
            "CurrencyCode": "USD", "CurrencyAmount": -20.0}}]}])))
    result = run("import", str(events), "--today", "2026-11-02")
    assert result.exit_code == 0, result.output + result.stderr
    data = run_json("report", "--week", "2026-W44", "--today", "2026-11-02")  # 26 Oct..1 Nov
    assert _money(data["lost_week"]) == {"USD": "20.00"}
    assert _money(data["lost_all_time"]) == {"USD": "20.00"}


def test_money_is_never_added_across_currencies(run: Run, run_json: Json) -> None:
    _add(run, "113-0000000-0000001", "2026-11-16", amount="10.50")
    _add(run, "113-0000000-0000002", "2026-11-16", amount="4.50")
    _add(run, "028-0000000-0000003", "2026-11-16", amount="7.25", market="DE")
    _add(run, "250-0000000-0000004", "2026-11-16", amount="1200", market="JP")
    for n in ("1", "3", "4"):
        _decide(run, n, "refunded", "2026-11-17")
    data = run_json("report", "--today", TODAY)
    assert _money(data["at_stake_open"]) == {"USD": "4.50"}
    assert _money(data["lost_week"]) == {"EUR": "7.25", "JPY": "1200", "USD": "10.50"}
    refunded = {o["outcome"]: o for o in data["outcomes"]}["refunded"]
    assert refunded["amounts_week"] == data["lost_week"]
    assert "7.25 EUR, 1200 JPY, 10.50 USD" in run("report", "--today", TODAY).stdout


def test_all_time_amounts_are_summed_exactly_per_currency(
        run: Run, run_json: Json, tmp_path: Path) -> None:
    rows = [("0.10", "USD"), ("0.20", "USD"), ("1.5", "EUR"), ("2.25", "EUR"), ("7480", "JPY"),
            ("", "USD")]
    claims = tmp_path / "claims.csv"
    claims.write_text(
        "order_id,order_date,latest_delivery,claim_date,amount,currency,status,decided_on\n"
        + "".join(f"113-0000000-000000{n},2026-10-01,2026-10-09,2026-10-20,{amount},{currency},"
                  "denied,2026-10-28\n" for n, (amount, currency) in enumerate(rows)),
        encoding="utf-8")
    result = run("import", str(claims), "--today", TODAY)
    assert result.exit_code == 0, result.output + result.stderr
    denied = {o["outcome"]: o for o in run_json("report", "--today", TODAY)["outcomes"]}[
        "denied"]
    assert denied["all_time"] == 6
    assert _money(denied["amounts_all_time"]) == {"EUR": "3.75", "JPY": "7480", "USD": "0.30"}


# --- ODR ------------------------------------------------------------------------------------
def test_odr_window_is_60_days_of_order_dates_ending_14_days_before_today(
        run: Run, run_json: Json) -> None:
    # Amazon staff: "a time window of 60 days, with a 14-day delay", "reflected from the order
    # date". Today 2026-11-18: the window holds orders placed 2026-09-06..2026-11-04.
    _add(run, "113-0000000-0000001", "2026-11-10", order_date="2026-09-06")  # first day in
    _add(run, "113-0000000-0000002", "2026-11-10", order_date="2026-09-05")  # a day out
    _add(run, "113-0000000-0000003", "2026-11-10", order_date="2026-11-04")  # last day in
    _add(run, "113-0000000-0000004", "2026-11-10", order_date="2026-11-05")  # not yet in
    _add(run, "113-0000000-0000005", "2026-11-10", order_date="2026-10-01")
    for n in ("1", "2", "3", "4"):
        _decide(run, n, "granted-seller-funded", "2026-11-12")
    _decide(run, "5", "denied", "2026-11-12")  # does not count
    (us,) = run_json("odr", "--today", TODAY)["marketplaces"]
    assert (us["marketplace"], us["window_start"], us["window_end"]) == (
        "US", "2026-09-06", "2026-11-04")
    assert [(c["claim_id"], c["leaves_window"]) for c in us["counted"]] == [
        (1, "2026-11-19"), (3, "2027-01-17")]
    assert [(c["claim_id"], c["counts_from"]) for c in us["not_yet_counted"]] == [
        (4, "2026-11-19")]
    (tomorrow,) = run_json("odr", "--today", "2026-11-19")["marketplaces"]
    assert [c["claim_id"] for c in tomorrow["counted"]] == [3, 4]
    assert tomorrow["not_yet_counted"] == []
    text = run("odr", "--today", TODAY).stdout
    assert "ODR ledger US: orders placed 2026-09-06 to 2026-11-04" in text
    assert ("Not counted yet: claim 4 (order 113-0000000-0000004, ordered 2026-11-05) counts "
            "from 2026-11-19.") in text


def test_the_odr_ledger_as_amazon_counts_it_on_2026_11_28(run: Run, run_json: Json) -> None:
    _add(run, "113-0000000-0000001", "2026-10-20", order_date="2026-10-01")
    _add(run, "113-0000000-0000002", "2026-11-22", order_date="2026-11-20")
    _add(run, "113-0000000-0000003", "2026-09-10", order_date="2026-09-01")
    for n, day in (("1", "2026-10-28"), ("2", "2026-11-26"), ("3", "2026-09-20")):
        _decide(run, n, "granted-seller-funded", day)
    (us,) = run_json("odr", "--today", "2026-11-28")["marketplaces"]
    assert [(c["order_id"], c["leaves_window"]) for c in us["counted"]] == [
        ("113-0000000-0000001", "2026-12-14")]
    assert [(c["order_id"], c["counts_from"]) for c in us["not_yet_counted"]] == [
        ("113-0000000-0000002", "2026-12-04")]
    listed = {c["order_id"] for c in us["counted"] + us["not_yet_counted"]} | {
        c["order_id"] for c in us["pending"] + us["counted_without_order_date"]}
    assert "113-0000000-0000003" not in listed  # ordered 09-01: no longer counts


def test_each_marketplace_has_its_own_ledger(run: Run, run_json: Json) -> None:
    _add(run, "113-0000000-0000001", "2026-11-01")
    _add(run, "202-0000000-0000002", "2026-11-01", market="UK", amount="5.00")
    _add(run, "202-0000000-0000003", "2026-11-01", market="UK", amount="6.00")
    for n in ("1", "2", "3"):
        _decide(run, n, "refunded", "2026-11-02")
    ledger = _ledger(run_json("odr", "--today", TODAY))
    assert {m: [c["claim_id"] for c in x["counted"]] for m, x in ledger.items()} == {
        "UK": [2, 3], "US": [1]}
    assert {m: x["defective_orders"] for m, x in ledger.items()} == {"UK": 2, "US": 1}
    uk = run_json("odr", "--today", TODAY, "-m", "UK", "--orders", "150")["marketplaces"]
    assert [(x["marketplace"], x["rate_percent"]) for x in uk] == [("UK", 1.33)]


def test_two_counted_claims_on_one_order_are_one_defective_order(run: Run, run_json: Json
                                                                 ) -> None:
    _add(run, "113-0000000-0000001", "2026-11-01")
    _decide(run, "1", "refunded", "2026-11-02")
    _add(run, "113-0000000-0000001", "2026-11-05")
    _decide(run, "2", "granted-seller-funded", "2026-11-06")
    (us,) = run_json("odr", "--today", TODAY, "-m", "US", "--orders", "150")["marketplaces"]
    assert len(us["counted"]) == 2
    assert us["defective_orders"] == 1
    assert us["rate_percent"] == 0.67


@pytest.mark.parametrize(("orders", "counted", "rate", "over", "more"), [
    (100, 0, 0.0, False, 1),   # one claim in 100 orders is 1%: not under the target
    (100, 1, 1.0, True, 0),
    (150, 1, 0.67, False, 1),  # 2 of 150 = 1.33%
    (1000, 3, 0.3, False, 7),
])
def test_orders_give_the_rate_and_how_many_more_claims_cross_1_percent(
        run: Run, run_json: Json, orders: int, counted: int, rate: float, over: bool,
        more: int) -> None:
    for n in range(1, counted + 1):
        _add(run, f"113-0000000-000000{n}", "2026-11-01")
        _decide(run, str(n), "refunded", "2026-11-02")
    (us,) = run_json("odr", "--today", TODAY, "-m", "US", "--orders", str(orders))[
        "marketplaces"]
    assert (us["rate_percent"], us["over_target"], us["more_to_cross"]) == (rate, over, more)
    assert us["target_percent"] == 1


def test_orders_fewer_than_the_counted_claims_or_zero_are_refused(run: Run) -> None:
    for n in (1, 2):
        _add(run, f"113-0000000-000000{n}", "2026-11-01")
        _decide(run, str(n), "refunded", "2026-11-02")
    result = run("odr", "--today", TODAY, "-m", "US", "--orders", "1")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --orders: 1: fewer than the 2 orders")
    assert run("odr", "-m", "US", "--orders", "0").exit_code == 2


def test_the_odr_text_says_atoz_sees_only_a_to_z_claims(run: Run) -> None:
    _add(run, "113-0000000-0000001", "2026-11-01")
    _decide(run, "1", "refunded", "2026-11-02")
    out = run("odr", "--today", TODAY).stdout
    assert "negative feedback and chargebacks also count toward ODR" in out
    assert "Give --orders N" in out
    empty = run("odr", "--today", "2027-06-01").stdout
    assert "no claim counts" in empty and "negative feedback and chargebacks" in empty


# --- formats --------------------------------------------------------------------------------
def test_report_renders_in_simple_github_grid_csv_and_json(run: Run) -> None:
    load_sample(run)
    simple = run("report", "--now", NOW)
    assert simple.exit_code == 0, simple.stderr
    for title in ("Summary", "Outcomes", "Due in the next 7 days", "Overdue",
                  "Missed (deadline passed)", "Appeal windows closing", "ODR ledger US"):
        assert title in simple.stdout
    assert "Granted, seller funded" in simple.stdout
    github = run("report", "--now", NOW, "--format", "github").stdout
    assert "### Summary" in github and "|-" in github
    grid = run("report", "--now", NOW, "-f", "grid").stdout
    assert "+====" in grid
    rows = list(csv.reader(run("report", "--now", NOW, "--format", "csv").stdout.splitlines()))
    assert ["claims filed this week", "6"] in rows
    assert ["Summary"] in rows
    assert ["ODR ledger US: orders placed 2026-09-06 to 2026-11-04"] in rows
    data = json.loads(run("report", "--now", NOW, "--format", "json").stdout)
    assert data == json.loads(run("report", "--now", NOW, "--json").stdout)
    assert set(data) >= {"week", "start", "end", "filed", "decided", "open", "overdue",
                         "missed", "awaiting", "outcomes", "odr", "due_next_7_days",
                         "appeals_closing", "lost_week", "lost_all_time", "win_rate_week"}
    assert all(set(o) >= {"outcome", "week", "all_time", "amounts_week", "amounts_all_time"}
               for o in data["outcomes"])
    assert [o["outcome"] for o in data["outcomes"]] == [
        "under-review", "granted-seller-funded", "granted-amazon-funded", "refunded", "denied",
        "withdrawn", "cancelled"]


def test_odr_renders_in_every_format(run: Run) -> None:
    load_sample(run)
    github = run("odr", "--now", NOW, "-f", "github").stdout
    assert re.search(r"^\|\s+11 \| 250-2205045-1889591 ", github, re.MULTILINE)
    rows = list(csv.reader(run("odr", "--now", NOW, "-f", "csv").stdout.splitlines()))
    assert rows[1][:2] == ["claim", "order"] and len(rows) > 8
    assert json.loads(run("odr", "--now", NOW, "-f", "json").stdout) == json.loads(
        run("odr", "--now", NOW, "--json").stdout)


@pytest.mark.parametrize("command", ["report", "odr"])
def test_an_unknown_format_is_refused_naming_it(run: Run, command: str) -> None:
    result = run(command, "--format", "excel")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --format: 'excel': unknown")
    assert result.stdout == ""


@pytest.mark.parametrize(("cell", "escaped"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1+2", "'+1+2"),
    ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("2026-11-18", "2026-11-18"), ("a=b", "a=b"), ("", ""), (None, ""), (7, "7"),
])
def test_csv_cells_that_start_like_a_formula_are_escaped(cell: Any, escaped: str) -> None:
    assert csv_safe(cell) == escaped


def test_the_demo_ends_with_the_report(run: Run) -> None:
    result = run("demo")
    assert result.exit_code == 0, result.output + result.stderr
    out = result.stdout
    assert "$ atoz due-today" in out
    last = out.rindex("\n$ atoz ")
    assert out[last:].startswith("\n$ atoz report")
    assert "Weekly report 2026-W47" in out[last:] and "ODR ledger" in out[last:]


def test_each_odr_window_counts_back_from_its_marketplaces_today(
        run: Run, run_json: Json, monkeypatch: pytest.MonkeyPatch) -> None:
    # 08:00 on 28 Nov in Shanghai: still the 27th in the US, already the 28th in Japan.
    monkeypatch.setenv("ATOZ_TZ", "Asia/Shanghai")
    now = ("--now", "2026-11-28 08:00")
    (us,) = run_json("odr", "-m", "US", *now)["marketplaces"]
    (jp,) = run_json("odr", "-m", "JP", *now)["marketplaces"]
    assert (us["window_start"], us["window_end"]) == ("2026-09-15", "2026-11-13")
    assert (jp["window_start"], jp["window_end"]) == ("2026-09-16", "2026-11-14")


def test_the_odr_note_names_the_counted_claims_it_leaves_out(run: Run, tmp_path: Path) -> None:
    events = tmp_path / "finance.json"
    events.write_bytes(finance(finance_event(), finance_event(AmazonOrderId="113-7654321-7654321")))
    assert run("import", str(events), "--today", TODAY).exit_code == 0
    text = run("odr", "--today", TODAY).stdout
    assert "Left out: 2 counted claim(s) with no order date (1, 2)" in " ".join(text.split())


def test_an_appeal_window_is_a_row_only_once_its_deadline_is_in_view(
        run: Run, run_json: Json) -> None:
    # Granted 2026-10-28: the appeal may be made any day until 2026-11-27 (US). A row for each
    # of those 30 days would bury the day's work; one line says the window is open.
    _add(run, "113-0000000-0000001", "2026-10-20")
    _decide(run, "1", "granted-seller-funded", "2026-10-28")
    today = ("--today", "2026-11-02")
    assert run_json("due-today", *today) == []
    text = " ".join(run("due-today", *today).stdout.split())
    assert ("1 appeal window(s) open, the first closes 2026-11-27 US (claim 1): atoz due-today "
            "--ahead 25 lists it") in text
    assert "No open steps" not in text
    assert run_json("due-today", *today, "--ahead", "24") == []
    (row,) = run_json("due-today", *today, "--ahead", "25")
    assert (row["step"], row["claim_id"]) == ("appeal", 1)
    assert "appeal window(s) open" not in run("due-today", *today, "--ahead", "25").stdout
    report = run_json("report", *today)
    assert [r["step"] for r in report["due_next_7_days"]] == []
    assert [a["order_id"] for a in report["appeals_closing"]] == []
    assert "1 appeal window(s) open, the first closes 2026-11-27 US" in " ".join(
        run("report", *today).stdout.split())
    # In its last week it is a row of the report's next 7 days, and on its last day of today's.
    assert [r["step"] for r in run_json("report", "--today", "2026-11-21")[
        "due_next_7_days"]] == ["appeal"]
    assert [r["step"] for r in run_json("due-today", "--today", "2026-11-27")] == ["appeal"]


def test_an_appeal_ending_in_the_night_is_a_row_the_day_before_not_first_seen_missed(
        run: Run, run_json: Json) -> None:
    # A JP grant on 2026-10-29: the appeal may be made until the end of 2026-11-28 in Tokyo,
    # 2026-11-28 07:00 in Los Angeles. The seller there must see it on the 27th, with hours
    # left, not first on the 28th as missed.
    _add(run, "503-0000000-0000001", "2026-10-20", market="JP", amount="7480")
    _decide(run, "1", "granted-seller-funded", "2026-10-29")
    (row,) = run_json("due-today", "--now", "2026-11-27T08:00:00-08:00")
    assert (row["step"], row["missed"], row["seconds_left"]) == ("appeal", False, 23 * 3600)
    assert run("due-today", "--now", "2026-11-27T08:00:00-08:00",
               "--fail-if-overdue").exit_code == 0

"""The weekly report and the ODR ledger (issue 4): ISO weeks, outcomes, money per currency,
the win rate, and the ODR ledger against a hand count of the sample data."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from atoz.exports import csv_safe
from atoz.imports import ImportOptions
from atoz.imports.claims_file import import_csv
from atoz.store import Store

Run = Callable[..., Result]
Json = Callable[..., Any]
ROOT = Path(__file__).parents[1]
SAMPLE = ROOT / "sample_data" / "claims.csv"
TODAY = "2026-11-18"  # the demo's fixed today: ISO week 2026-W47, Monday 16 to Sunday 22 Nov


def load_sample(db: Path) -> None:
    """Import the sample claims straight through the CSV importer (not through report.py)."""
    store = Store.open(db)
    import_csv(store, SAMPLE, ImportOptions(today=dt.date.fromisoformat(TODAY)))


def _add(run: Run, order: str, claim_date: str, *, order_date: str = "2026-10-01",
         amount: str = "10.00", market: str = "US") -> None:
    result = run("add", order, "-m", market, "--order-date", order_date, "--latest-delivery",
                 order_date, "--claim-date", claim_date, "--amount", amount,
                 "--today", "2026-12-31")  # recording, not reporting: any later day will do
    assert result.exit_code == 0, result.output + result.stderr


def _decide(run: Run, claim: str, outcome: str, on: str) -> None:
    result = run("status", claim, outcome, "--on", on, "--today", "2026-12-31")
    assert result.exit_code == 0, result.output + result.stderr


# --- the hand count on the sample data ------------------------------------------------------
# Counted by hand from sample_data/claims.csv (36 rows), today 2026-11-18, week 16..22 Nov:
#   filed this week: 304-4469639 (16th), 112-8170850 (16th), 702-6499629, 114-2513341 (17th),
#     205-4997897, 111-8003107 (18th) = 6
#   decided this week: 113-7827800 denied, 202-4739537 refunded (16th); 113-2178055
#     seller-funded, 304-5532834 withdrawn (17th); 702-2333751 Amazon-funded, 113-8829029 denied,
#     205-7590115 withdrawn (18th) = 7, of which won 5 (2 denied, 2 withdrawn, 1 Amazon-funded)
#   open now: the 9 rows without a status
#   all time: denied 7, withdrawn 5, Amazon-funded 3, seller-funded 6, refunded 4, cancelled 2
#     -> won 15 of 27 decided
#   lost this week: 171.54 USD (113-2178055) and 44.50 GBP (202-4739537)
#   at stake in open claims: USD 110.45 + 56.79 + 74.51 + 92.77 + 55.77 = 390.29; EUR 17.00;
#     GBP 43.89; CAD 35.58; JPY 7480
#   ODR window 2026-09-20..2026-11-18; seller-funded or refunded with an order date in it:
#     250-2205045 (ordered 09-23, leaves 11-22), 113-9335198 (09-25, 11-24),
#     702-4511965 (09-28, 11-27), 204-6903994 (10-04, 12-03), 113-2178055 (10-15, 12-14),
#     202-4739537 (10-18, 12-17) = 6; still under review on orders in the window: 8
#   appeal deadlines in 18 Nov..2 Dec: 250-2205045 (11-23), 113-9335198 (11-28),
#     204-6903994 (12-01) = 3
HAND: dict[str, Any] = {
    "filed": 6, "decided": 7, "open": 9,
    "week": {"under-review": 6, "granted-seller-funded": 1, "granted-amazon-funded": 1,
             "refunded": 1, "denied": 2, "withdrawn": 2, "cancelled": 0},
    "all": {"under-review": 9, "granted-seller-funded": 6, "granted-amazon-funded": 3,
            "refunded": 4, "denied": 7, "withdrawn": 5, "cancelled": 2},
    "lost": {"GBP": "44.50", "USD": "171.54"},
    "at_stake": {"CAD": "35.58", "EUR": "17.00", "GBP": "43.89", "JPY": "7480",
                 "USD": "390.29"},
    "odr": [("250-2205045-1889591", "2026-11-22"), ("113-9335198-8292294", "2026-11-24"),
            ("702-4511965-5127866", "2026-11-27"), ("204-6903994-9410133", "2026-12-03"),
            ("113-2178055-9577256", "2026-12-14"), ("202-4739537-1309415", "2026-12-17")],
    "pending": 8,
    "appeals": ["250-2205045-1889591", "113-9335198-8292294", "204-6903994-9410133"],
}


def _read_sample() -> list[dict[str, str]]:
    with SAMPLE.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _independent_count() -> dict[str, Any]:
    """The same figures read straight off the CSV, to tell a changed sample from a bug."""
    rows = _read_sample()
    start, end = "2026-11-16", "2026-11-22"
    window_start = "2026-09-20"
    decided = [r for r in rows if r["status"] and start <= r["decided_on"] <= end]
    open_rows = [r for r in rows if not r["status"]]

    def money(selected: list[dict[str, str]]) -> dict[str, str]:
        sums: dict[str, Decimal] = {}
        for r in selected:
            sums[r["currency"]] = sums.get(r["currency"], Decimal(0)) + Decimal(r["amount"])
        return {cur: str(total) for cur, total in sorted(sums.items())}

    counted = sorted((r for r in rows if r["status"] in ("granted-seller-funded", "refunded")
                      and window_start <= r["order_date"] <= TODAY),
                     key=lambda r: r["order_date"])
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
        "lost": money([r for r in decided
                       if r["status"] in ("granted-seller-funded", "refunded")]),
        "at_stake": money(open_rows),
        "odr": [(r["order_id"], (dt.date.fromisoformat(r["order_date"])
                                 + dt.timedelta(days=60)).isoformat()) for r in counted],
        "pending": sum(1 for r in open_rows if window_start <= r["order_date"] <= TODAY),
        "appeals": [r["order_id"] for r in rows if r["status"] == "granted-seller-funded"
                    and TODAY <= (dt.date.fromisoformat(r["decided_on"])
                                  + dt.timedelta(days=30)).isoformat() <= "2026-12-02"],
    }


def test_the_hand_count_still_describes_the_sample_data() -> None:
    assert _independent_count() == HAND, ("sample_data/claims.csv changed: redo the hand count "
                                          "in this file")


def test_report_on_the_sample_matches_the_hand_count(db_path: Path, run_json: Json) -> None:
    load_sample(db_path)
    data = run_json("report", "--today", TODAY)
    assert (data["week"], data["start"], data["end"]) == ("2026-W47", "2026-11-16", "2026-11-22")
    assert (data["filed"], data["decided"], data["open"]) == (
        HAND["filed"], HAND["decided"], HAND["open"])
    assert {slug: o["week"] for slug, o in data["outcomes"].items()} == HAND["week"]
    assert {slug: o["all"] for slug, o in data["outcomes"].items()} == HAND["all"]
    assert data["money"]["lost_week"] == HAND["lost"]
    assert data["money"]["at_stake_open"] == HAND["at_stake"]
    assert data["win_rate"]["week"] == {"won": 5, "decided": 7, "percent": 71.4}
    assert data["win_rate"]["all"] == {"won": 15, "decided": 27, "percent": 55.6}
    odr = data["odr"]
    assert (odr["window_start"], odr["window_end"], odr["window_days"]) == (
        "2026-09-20", TODAY, 60)
    assert [(c["order_id"], c["leaves_window"]) for c in odr["claims"]] == HAND["odr"]
    assert odr["orders_with_counted_claims"] == 6
    assert odr["pending_in_window"] == HAND["pending"]
    assert odr["rate"] is None
    assert [a["order_id"] for a in data["appeals_closing"]] == HAND["appeals"]
    # Due and overdue are due-today's items, split at today.
    due = [i for i in run_json("due-today", "--today", TODAY, "--ahead", "7")
           if not i["missed"]]
    assert data["due_next_7_days"] == [i for i in due if not i["overdue_days"]]
    assert data["overdue_steps"] == [i for i in due if i["overdue_days"]]
    assert data["overdue"] == len(data["overdue_steps"]) > 0


def test_odr_on_the_sample_with_orders_gives_the_rate(db_path: Path, run_json: Json) -> None:
    load_sample(db_path)
    data = run_json("odr", "--today", TODAY, "--orders", "800")
    assert [c["order_id"] for c in data["claims"]] == [o for o, _ in HAND["odr"]]
    # 6 of 800 = 0.75%; the rate reaches 1% at 8 orders with a counted claim: 2 more.
    assert (data["rate"], data["over_target"], data["more_to_cross"]) == (0.75, False, 2)
    assert "negative feedback and chargebacks" in data["note"]
    us = run_json("odr", "--today", TODAY, "--orders", "800", "-m", "US")
    assert [c["order_id"] for c in us["claims"]] == ["113-9335198-8292294",
                                                    "113-2178055-9577256"]


# --- weeks ----------------------------------------------------------------------------------
@pytest.mark.parametrize("week", ["2026-w48", "2026-48", "2026-W5", "2026-W00", "2025-W53",
                                  "W48", "2026-W48-1", ""])
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
    _decide(run, "1", "denied", "2026-11-17")  # a correction: Amazon reversed it
    data = run_json("report", "--today", TODAY)
    assert data["decided"] == 1
    assert data["outcomes"]["denied"]["week"] == 1
    assert data["outcomes"]["granted-seller-funded"]["week"] == 0
    assert data["money"]["lost_week"] == {}


# --- win rate and money ---------------------------------------------------------------------
def test_with_nothing_decided_the_win_rate_is_null_not_zero(run: Run, run_json: Json) -> None:
    data = run_json("report", "--today", TODAY)
    assert data["win_rate"] == {"week": {"won": 0, "decided": 0, "percent": None},
                                "all": {"won": 0, "decided": 0, "percent": None}}
    assert data["odr"]["claims"] == [] and data["due_next_7_days"] == []
    text = run("report", "--today", TODAY).stdout
    assert "n/a (nothing decided)" in text


def test_win_rate_counts_denied_withdrawn_and_amazon_funded_over_all_decided(
        run: Run, run_json: Json) -> None:
    outcomes = ["denied", "withdrawn", "granted-amazon-funded", "granted-seller-funded",
                "refunded", "cancelled"]
    for n, outcome in enumerate(outcomes, start=1):
        _add(run, f"113-0000000-000000{n}", "2026-11-10")
        _decide(run, str(n), outcome, "2026-11-17")
    _add(run, "113-0000000-0000009", "2026-11-10")  # still open: not decided
    data = run_json("report", "--today", TODAY)
    assert data["win_rate"]["week"] == {"won": 3, "decided": 6, "percent": 50.0}
    assert data["win_rate"]["all"] == data["win_rate"]["week"]


def test_money_is_never_added_across_currencies(run: Run, run_json: Json) -> None:
    _add(run, "113-0000000-0000001", "2026-11-16", amount="10.50")
    _add(run, "113-0000000-0000002", "2026-11-16", amount="4.50")
    _add(run, "028-0000000-0000003", "2026-11-16", amount="7.25", market="DE")
    _add(run, "250-0000000-0000004", "2026-11-16", amount="1200", market="JP")
    for n in ("1", "3", "4"):
        _decide(run, n, "refunded", "2026-11-17")
    data = run_json("report", "--today", TODAY)
    assert data["money"]["at_stake_open"] == {"USD": "4.50"}
    assert data["money"]["lost_week"] == {"EUR": "7.25", "JPY": "1200", "USD": "10.50"}
    assert data["outcomes"]["refunded"]["amount"] == data["money"]["lost_week"]
    assert "7.25 EUR, 1200 JPY, 10.50 USD" in run("report", "--today", TODAY).stdout


# --- ODR ------------------------------------------------------------------------------------
def test_odr_window_is_60_days_by_order_date_and_each_claim_leaves_60_days_after_its_order(
        run: Run, run_json: Json) -> None:
    # today 2026-11-18: the window is 2026-09-20..2026-11-18 (60 days, both ends included).
    _add(run, "113-0000000-0000001", "2026-11-01", order_date="2026-09-20")  # first day in
    _add(run, "113-0000000-0000002", "2026-11-01", order_date="2026-09-19")  # a day out
    _add(run, "113-0000000-0000003", "2026-11-18", order_date="2026-11-18")
    _add(run, "113-0000000-0000004", "2026-11-01", order_date="2026-10-01")
    for n in ("1", "2", "3"):
        _decide(run, n, "granted-seller-funded", "2026-11-18")
    _decide(run, "4", "denied", "2026-11-18")  # does not count
    data = run_json("odr", "--today", TODAY)
    assert (data["window_start"], data["window_end"]) == ("2026-09-20", TODAY)
    assert [(c["claim_id"], c["leaves_window"]) for c in data["claims"]] == [
        (1, "2026-11-19"), (3, "2027-01-17")]
    tomorrow = run_json("odr", "--today", "2026-11-19")
    assert [c["claim_id"] for c in tomorrow["claims"]] == [3]


def test_two_counted_claims_on_one_order_are_one_defective_order(run: Run, run_json: Json
                                                                 ) -> None:
    _add(run, "113-0000000-0000001", "2026-11-01")
    _decide(run, "1", "refunded", "2026-11-02")
    _add(run, "113-0000000-0000001", "2026-11-05")
    _decide(run, "2", "granted-seller-funded", "2026-11-06")
    data = run_json("odr", "--today", TODAY, "--orders", "150")
    assert len(data["claims"]) == 2
    assert data["orders_with_counted_claims"] == 1
    assert data["rate"] == 0.67


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
    data = run_json("odr", "--today", TODAY, "--orders", str(orders))
    assert (data["rate"], data["over_target"], data["more_to_cross"]) == (rate, over, more)
    assert data["target_percent"] == 1


def test_orders_fewer_than_the_counted_claims_or_zero_are_refused(run: Run) -> None:
    for n in (1, 2):
        _add(run, f"113-0000000-000000{n}", "2026-11-01")
        _decide(run, str(n), "refunded", "2026-11-02")
    result = run("odr", "--today", TODAY, "--orders", "1")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --orders: 1: fewer than the 2 orders")
    assert run("odr", "--orders", "0").exit_code == 2


def test_the_odr_text_says_atoz_sees_only_a_to_z_claims(run: Run) -> None:
    out = run("odr", "--today", TODAY).stdout
    assert "negative feedback and chargebacks also count toward ODR" in out
    assert "Give --orders N" in out


# --- formats --------------------------------------------------------------------------------
def test_report_renders_in_simple_github_csv_and_json(db_path: Path, run: Run) -> None:
    load_sample(db_path)
    simple = run("report", "--today", TODAY)
    assert simple.exit_code == 0, simple.stderr
    for title in ("Summary", "Outcomes", "Due in the next 7 days", "Overdue",
                  "Appeal windows closing", "ODR ledger"):
        assert title in simple.stdout
    assert "Granted, seller funded" in simple.stdout
    github = run("report", "--today", TODAY, "--format", "github").stdout
    assert "### Summary" in github and "|-" in github
    grid = run("report", "--today", TODAY, "-f", "grid").stdout
    assert "+====" in grid
    rows = list(csv.reader(run("report", "--today", TODAY, "--format", "csv").stdout
                           .splitlines()))
    assert ["claims filed this week", "6"] in rows
    assert ["Summary"] in rows and ["ODR ledger: orders placed 2026-09-20 to 2026-11-18 "
                                    "(60 days)"] in rows
    data = json.loads(run("report", "--today", TODAY, "--format", "json").stdout)
    assert set(data) >= {"week", "start", "end", "filed", "decided", "open", "overdue",
                         "outcomes", "odr", "due_next_7_days", "appeals_closing"}
    assert set(data["odr"]) >= {"claims", "window_start", "window_end", "rate"}
    assert all(set(o) >= {"week", "all", "amount"} for o in data["outcomes"].values())
    assert list(data["outcomes"]) == ["under-review", "granted-seller-funded",
                                      "granted-amazon-funded", "refunded", "denied",
                                      "withdrawn", "cancelled"]


def test_odr_renders_in_every_format(db_path: Path, run: Run) -> None:
    load_sample(db_path)
    assert "| 11 " in run("odr", "--today", TODAY, "-f", "github").stdout
    rows = list(csv.reader(run("odr", "--today", TODAY, "-f", "csv").stdout.splitlines()))
    assert rows[1][:2] == ["claim", "order"] and len(rows) > 8
    assert json.loads(run("odr", "--today", TODAY, "-f", "json").stdout) == json.loads(
        run("odr", "--today", TODAY, "--json").stdout)


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


def test_all_time_amounts_are_exact_even_with_mixed_decimal_places(db_path: Path) -> None:
    """The all-time sums are done in SQL as whole minor units; text with another number of
    decimals (not something atoz writes, but possible in an old file) is summed exactly too."""
    store = Store.open(db_path)
    base = {"marketplace": "US", "order_date": "2026-10-01", "latest_delivery": "2026-10-09",
            "claim_date": "2026-10-20", "status": "denied", "created_at": "x"}
    for n, (amount, currency) in enumerate([("0.10", "USD"), ("0.20", "USD"), ("1.5", "EUR"),
                                            ("2.25", "EUR"), ("7480", "JPY"), (None, "USD")]):
        store.insert_claim({**base, "order_id": f"113-0000000-000000{n}", "amount": amount,
                            "currency": currency})
    totals = {(r["status"], r["currency"]): r for r in store.outcome_totals()}
    assert totals[("denied", "USD")]["places"] == 2 and totals[("denied", "EUR")]["places"] is None
    from atoz.report import weekly_report

    data = weekly_report(store, dt.date.fromisoformat(TODAY))
    assert data["outcomes"]["denied"]["amount"] == {"EUR": "3.75", "JPY": "7480", "USD": "0.30"}
    assert data["outcomes"]["denied"]["all"] == 6

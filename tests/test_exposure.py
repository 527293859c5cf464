"""The exposure forecast (issue 5): orders whose A-to-z filing window has not closed, on a small
hand-made set whose figures are counted by hand below."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from atoz.exposure import exposure
from atoz.money import parse_amount
from atoz.policy import PolicyBook
from atoz.records import Order
from atoz.serialize import exposure_json
from atoz.weeks import week_of

Run = Callable[..., Result]
TODAY = dt.date(2026, 11, 18)  # a Wednesday in ISO week 2026-W47
HEADER = ("order-id", "purchase-date", "latest-delivery-date", "sales-channel", "currency",
          "item-price", "order-status")
# (order id, order date, latest delivery, sales channel, currency, price, status), US windows:
# opens = min(delivery + 3, order + 30), closes = delivery + 90.
ORDERS = [
    # A: opens 2026-11-23 (after today): not yet claimable; closes 2027-02-18 (2027-W07).
    ("113-0000001-0000001", "2026-11-10", "2026-11-20", "Amazon.com", "USD", "10.00", ""),
    # B: opened 2026-10-13: claimable; closes 2027-01-08 (2027-W01).
    ("113-0000002-0000002", "2026-10-01", "2026-10-10", "Amazon.com", "USD", "20.00", ""),
    # C: closes 2026-11-18, today: still claimable, its last day (2026-W47).
    ("113-0000003-0000003", "2026-08-01", "2026-08-20", "Amazon.com", "USD", "5.50", ""),
    # D: closed 2026-11-17: no longer exposed.
    ("113-0000004-0000004", "2026-08-01", "2026-08-19", "Amazon.com", "USD", "99.00", ""),
    # E: UK, opened 2026-11-17: claimable; closes 2027-02-12 (2027-W06).
    ("202-0000005-0000005", "2026-11-01", "2026-11-14", "Amazon.co.uk", "GBP", "7.00", ""),
    # F: JP, Amazon-fulfilled, no promise, ordered within 90 days: counted apart.
    ("249-0000006-0000006", "2026-11-02", "", "Amazon.co.jp", "JPY", "1200", ""),
    # G: no promise, ordered 2026-08-01: even delivered that day, closed 2026-10-30.
    ("113-0000007-0000007", "2026-08-01", "", "Amazon.com", "USD", "8.00", ""),
    # H: cancelled: left out.
    ("113-0000008-0000008", "2026-11-01", "2026-11-12", "Amazon.com", "USD", "30.00",
     "Cancelled"),
    # I: already has a claim in atoz: left out.
    ("113-0000009-0000009", "2026-10-20", "2026-11-01", "Amazon.com", "USD", "40.00", ""),
    # J: a long promise: opens 2026-11-24 by the order date; closes 2027-03-05 (2027-W09).
    ("113-0000010-0000010", "2026-10-25", "2026-12-05", "Amazon.com", "USD", "3.25", ""),
]
CLAIMED = "113-0000009-0000009"


def value(*amounts: tuple[str, str]) -> list[dict[str, Any]]:
    """Per-currency totals as the JSON contract writes them: decimal text, minor units, code."""
    return [{"amount": amount, "amount_minor": parse_amount(amount, currency),
             "currency": currency} for amount, currency in amounts]


EXPECTED = {
    "today": "2026-11-18",
    "week": "2026-W47",
    "open": {"orders": 5, "value": value(("7.00", "GBP"), ("38.75", "USD"))},
    "not_yet_claimable": {"orders": 2, "value": value(("13.25", "USD"))},
    "claimable_now": {"orders": 3, "value": value(("7.00", "GBP"), ("25.50", "USD"))},
    "no_delivery_promise": {"orders": 1, "value": value(("1200", "JPY")),
                            "ordered_since": "2026-08-20"},
    "left_out": {"claimed": 1, "cancelled": 1},
    "weeks": [
        {"week": "2026-W47", "start": "2026-11-16", "end": "2026-11-22", "orders": 1,
         "value": value(("5.50", "USD"))},
        {"week": "2027-W01", "start": "2027-01-04", "end": "2027-01-10", "orders": 1,
         "value": value(("20.00", "USD"))},
        {"week": "2027-W06", "start": "2027-02-08", "end": "2027-02-14", "orders": 1,
         "value": value(("7.00", "GBP"))},
        {"week": "2027-W07", "start": "2027-02-15", "end": "2027-02-21", "orders": 1,
         "value": value(("10.00", "USD"))},
        {"week": "2027-W09", "start": "2027-03-01", "end": "2027-03-07", "orders": 1,
         "value": value(("3.25", "USD"))},
    ],
}


def orders(claimed: frozenset[str] = frozenset({CLAIMED})) -> list[tuple[Order, bool]]:
    """The hand-made orders as the store gives them: each with whether a claim names it."""
    markets = {"Amazon.com": "US", "Amazon.co.uk": "UK", "Amazon.co.jp": "JP"}
    return [(Order(o, dt.date.fromisoformat(od), dt.date.fromisoformat(ld) if ld else None,
                   markets[ch], None, status.lower() or None, parse_amount(price, cur), cur,
                   "orders.tsv"), o in claimed)
            for o, od, ld, ch, cur, price, status in ORDERS]


def import_orders(run: Run, tmp_path: Path) -> None:
    lines = ["\t".join(HEADER)] + ["\t".join(order) for order in ORDERS]
    report = tmp_path / "orders.tsv"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("import", str(report))
    assert result.exit_code == 0, result.output
    result = run("add", CLAIMED, "--claim-date", "2026-11-10", "--today", "2026-11-18")
    assert result.exit_code == 0, result.output


def test_exposure_matches_the_hand_count() -> None:
    result = exposure(orders(), TODAY, PolicyBook())
    assert exposure_json(result) == EXPECTED


def test_exposure_command_on_imported_orders_matches_the_hand_count(
        run: Run, run_json: Callable[..., Any], tmp_path: Path) -> None:
    import_orders(run, tmp_path)
    assert run_json("exposure", "--today", "2026-11-18") == EXPECTED
    shown = run("exposure", "--today", "2026-11-18")
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    # Each label stays on its row, beside its count and value (COLUMNS=200 has room for all).
    assert any(line.startswith("window still open") and line.endswith("7.00 GBP, 38.75 USD")
               for line in lines), shown.stdout
    assert any(line.startswith("no delivery promise (ordered since 2026-08-20)")
               and line.endswith("1200 JPY") for line in lines), shown.stdout
    assert any(line.split() == ["2027-W09", "2027-03-01", "2027-03-07", "1", "3.25", "USD"]
               for line in lines), shown.stdout
    assert "window cannot be computed until a date is given" in shown.stdout
    assert "Left out: 1 orders that already have a claim, 1 cancelled." in shown.stdout


@pytest.mark.parametrize("width", [80, 100])
def test_exposure_table_fits_the_terminal(run: Run, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch, width: int) -> None:
    """Issue 13: no line wider than the terminal, and no amount or date split."""
    import_orders(run, tmp_path)
    monkeypatch.setenv("COLUMNS", str(width))
    shown = run("exposure", "--today", "2026-11-18")
    assert shown.exit_code == 0, shown.output
    assert max(len(line) for line in shown.stdout.splitlines()) <= width, shown.stdout
    assert "38.75 USD" in shown.stdout and "2027-W09" in shown.stdout


def test_exposure_never_adds_currencies_together() -> None:
    result = exposure(orders(), TODAY, PolicyBook())
    assert set(result.claimable.value) == {"GBP", "USD"}
    assert json.dumps(exposure_json(result))  # plain data


def test_an_order_named_by_a_claim_is_left_out_only_while_its_window_is_open() -> None:
    every = frozenset(o for o, *_ in ORDERS)
    result = exposure(orders(every), TODAY, PolicyBook())
    # D and G have closed windows: gone, claimed or not. The other eight are "claimed".
    assert (result.claimed, result.cancelled, result.open.orders) == (8, 0, 0)


def test_exposure_with_no_orders(run: Run, run_json: Callable[..., Any]) -> None:
    data = run_json("exposure", "--today", "2026-11-18")
    assert data["open"] == {"orders": 0, "value": []} and data["weeks"] == []
    result = run("exposure", "--today", "2026-11-18")
    assert result.exit_code == 0 and "No orders imported yet" in result.stderr


def test_iso_week_labels_across_the_year_end() -> None:
    assert week_of(dt.date(2026, 12, 31)).label == "2026-W53"
    assert week_of(dt.date(2027, 1, 4)).label == "2027-W01"
    assert (week_of(dt.date(2027, 1, 3)).start, week_of(dt.date(2027, 1, 3)).end) == (
        dt.date(2026, 12, 28), dt.date(2027, 1, 3))

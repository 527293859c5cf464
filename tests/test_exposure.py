"""The exposure forecast (issue 5): orders whose A-to-z filing window has not closed, on a small
hand-made set whose figures are counted by hand below."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import Result

from atoz.exposure import exposure, iso_week

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
EXPECTED = {
    "today": "2026-11-18",
    "week": "2026-W47",
    "open": {"orders": 5, "value": {"GBP": "7.00", "USD": "38.75"}},
    "not_yet_claimable": {"orders": 2, "value": {"USD": "13.25"}},
    "claimable_now": {"orders": 3, "value": {"GBP": "7.00", "USD": "25.50"}},
    "no_delivery_promise": {"orders": 1, "value": {"JPY": "1200"}, "ordered_since": "2026-08-20",
                            "why": "window cannot be computed until a date is given"},
    "left_out": {"claimed": 1, "cancelled": 1},
    "weeks": [
        {"week": "2026-W47", "from": "2026-11-16", "to": "2026-11-22", "orders": 1,
         "value": {"USD": "5.50"}},
        {"week": "2027-W01", "from": "2027-01-04", "to": "2027-01-10", "orders": 1,
         "value": {"USD": "20.00"}},
        {"week": "2027-W06", "from": "2027-02-08", "to": "2027-02-14", "orders": 1,
         "value": {"GBP": "7.00"}},
        {"week": "2027-W07", "from": "2027-02-15", "to": "2027-02-21", "orders": 1,
         "value": {"USD": "10.00"}},
        {"week": "2027-W09", "from": "2027-03-01", "to": "2027-03-07", "orders": 1,
         "value": {"USD": "3.25"}},
    ],
}


def rows() -> list[dict[str, Any]]:
    markets = {"Amazon.com": "US", "Amazon.co.uk": "UK", "Amazon.co.jp": "JP"}
    return [{"order_id": o, "purchase_date": od, "latest_delivery": ld or None,
             "marketplace": markets[ch], "currency": cur, "total": price,
             "order_status": status.lower() or None}
            for o, od, ld, ch, cur, price, status in ORDERS]


def test_exposure_matches_the_hand_count() -> None:
    result = exposure(rows(), TODAY, {"113-0000009-0000009"})
    assert result.to_dict() == EXPECTED


def test_exposure_command_on_imported_orders_matches_the_hand_count(
        run: Run, run_json: Callable[..., Any], tmp_path: Path) -> None:
    lines = ["\t".join(HEADER)] + ["\t".join(order) for order in ORDERS]
    report = tmp_path / "orders.tsv"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("import", str(report))
    assert result.exit_code == 0, result.output
    result = run("add", "113-0000009-0000009", "--claim-date", "2026-11-10")
    assert result.exit_code == 0, result.output
    assert run_json("exposure", "--today", "2026-11-18") == EXPECTED
    shown = run("exposure", "--today", "2026-11-18")
    assert shown.exit_code == 0, shown.output
    assert "window still open" in shown.stdout and "38.75 USD" in shown.stdout
    assert "2027-W09" in shown.stdout
    assert "window cannot be computed until a date is given" in shown.stdout


def test_exposure_never_adds_currencies_together() -> None:
    result = exposure(rows(), TODAY)
    assert set(result.claimable.value) == {"GBP", "USD"}
    assert json.dumps(result.to_dict())  # plain data


def test_exposure_with_no_orders(run: Run, run_json: Callable[..., Any]) -> None:
    data = run_json("exposure", "--today", "2026-11-18")
    assert data["open"] == {"orders": 0, "value": {}} and data["weeks"] == []
    result = run("exposure", "--today", "2026-11-18")
    assert result.exit_code == 0 and "No orders imported yet" in result.stderr


def test_iso_week_labels_across_the_year_end() -> None:
    assert iso_week(dt.date(2026, 12, 31)) == "2026-W53"
    assert iso_week(dt.date(2027, 1, 4)) == "2027-W01"

"""Claims from the command line: add, list, status, outcomes and their history (issue 2)."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from atoz.outcomes import OUTCOMES
from tests.helpers import ADD, snapshot

Run = Callable[..., Result]


def test_add_prints_the_id_the_window_and_how_it_was_filed(run: Run) -> None:
    result = run(*ADD)
    assert result.exit_code == 0, result.output
    assert "Added claim 1 for order 113-1234567-1234567" in result.stdout
    assert "window 2026-10-12 to 2027-01-07: filed in-window" in result.stdout


def test_add_json_is_the_claim_with_its_id(run_json: Callable[..., Any]) -> None:
    claim = run_json(*ADD)
    assert claim["id"] == 1
    assert claim["status"] == "under-review"
    assert claim["amount"] == "24.99" and claim["currency"] == "USD"
    assert claim["window"]["filed"] == "in-window"


def test_window_json_has_the_keys_other_tools_rely_on(run_json: Callable[..., Any]) -> None:
    data = run_json("window", "--order-date", "2026-01-01", "--latest-delivery", "2026-01-10",
                    "--claim-date", "2026-04-15")
    assert data["opens"] == "2026-01-13" and data["closes"] == "2026-04-10"
    assert data["marketplace"] == "US"
    assert data["policy"]["id"] and data["policy"]["as_of"]
    assert set(data["why"]) == {"opens", "closes"}
    assert (data["claim_date"], data["filed"], data["days_outside"]) == ("2026-04-15", "late", 5)


def test_window_text_names_each_reason_and_the_source(run: Run) -> None:
    result = run("window", "--order-date", "2026-01-01", "--latest-delivery", "2026-01-10")
    assert result.exit_code == 0
    assert ("opens  2026-01-13: latest delivery 2026-01-10 + 3 days, earlier than order date "
            "2026-01-01 + 30 days (2026-01-31)") in result.stdout
    assert "nodeId=200783670" in result.stdout


def test_currency_defaults_to_the_marketplace(run_json: Callable[..., Any]) -> None:
    claim = run_json("add", "302-1234567-1234567", "-m", "DE", "--order-date", "2026-10-01",
                     "--latest-delivery", "2026-10-09", "--amount", "19.9",
                     "--today", "2026-10-20")
    assert (claim["currency"], claim["amount"], claim["claim_date"]) == ("EUR", "19.90",
                                                                          "2026-10-20")


def test_every_outcome_can_follow_any_other_and_history_keeps_each(
        run: Run, run_json: Callable[..., Any]) -> None:
    run(*ADD)
    for day, outcome in enumerate(OUTCOMES[1:] + OUTCOMES[:1], start=21):
        result = run("status", "1", outcome, "--on", f"2026-10-{day}", "--note", f"n{day}")
        assert result.exit_code == 0, result.output
    data = run_json("status", "1")
    assert data["status"] == "under-review"
    assert [h["status"] for h in data["history"] if h["kind"] == "status"] == [
        "under-review", *OUTCOMES[1:], "under-review"]
    assert all({"status", "on", "note", "recorded_at"} <= set(h) for h in data["history"])


@pytest.mark.parametrize(("outcome", "odr"), [
    ("under-review", None), ("granted-seller-funded", True), ("granted-amazon-funded", False),
    ("refunded", True), ("denied", False), ("withdrawn", False), ("cancelled", False)])
def test_odr_per_outcome_follows_the_policy_data(
        run: Run, run_json: Callable[..., Any], outcome: str, odr: bool | None) -> None:
    run(*ADD)
    if outcome != "under-review":
        run("status", "1", outcome, "--on", "2026-10-28")
    data = run_json("status", "1")
    assert data["odr"] is odr
    assert data["window"]["opens"] == "2026-10-12"


def test_status_by_order_id_and_several_claims_on_one_order_are_listed(run: Run) -> None:
    run(*ADD)
    assert run("status", "113-1234567-1234567").exit_code == 0
    run("status", "1", "denied", "--on", "2026-10-28")
    again = list(ADD)
    again[again.index("--claim-date") + 1] = "2026-11-05"
    assert run(*again).exit_code == 0
    result = run("status", "113-1234567-1234567")
    assert result.exit_code == 2
    assert "has 2 claims: 1 (denied" in result.stderr and "2 (under-review" in result.stderr


def test_status_text_shows_the_whole_picture(run: Run) -> None:
    run(*ADD, "--buyer", "Dana Ortiz")
    run("status", "1", "denied", "--on", "2026-10-28", "--note", "tracking shows delivered")
    out = run("status", "1").stdout
    for expected in ("order date       2026-10-01", "window opens     2026-10-12",
                     "Denied (since 2026-10-28); counts toward ODR: no", "Dana Ortiz",
                     "tracking shows delivered", "Under review"):
        assert expected in out


def test_list_is_newest_first_and_filters(run: Run, run_json: Callable[..., Any]) -> None:
    run(*ADD)
    run("add", "114-1234567-1234567", "--order-date", "2026-10-01", "--latest-delivery",
        "2026-10-09", "--claim-date", "2026-10-25", "-m", "CA")
    run("status", "1", "denied", "--on", "2026-10-28")
    rows = run_json("list")
    assert [r["id"] for r in rows] == [2, 1]
    assert {"id", "order_id", "status", "claim_date", "amount", "currency"} <= set(rows[0])
    assert [r["id"] for r in run_json("list", "--open")] == [2]
    assert [r["id"] for r in run_json("list", "--status", "denied")] == [1]
    assert [r["id"] for r in run_json("list", "--marketplace", "ca")] == [2]
    assert run_json("list", "--status", "withdrawn") == []


def test_database_is_created_readable_by_its_owner_only(run: Run, db_path: Path) -> None:
    run(*ADD)
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600


def test_info_reports_path_schema_counts_and_policy(run_json: Callable[..., Any],
                                                    db_path: Path) -> None:
    data = run_json("info")
    assert data["database"] == str(db_path.resolve())
    assert data["schema"].startswith("00") and data["claims"] == 0
    assert data["policy_as_of"] == "2026-11-01"


def test_policy_lists_every_marketplace_and_one_marketplace_in_detail(run: Run) -> None:
    table = run("policy").stdout
    for code in ("US", "CA", "MX", "UK", "DE", "FR", "IT", "ES", "JP", "AU", "IN", "AE"):
        assert f"\n{code} " in table
    detail = run("policy", "--marketplace", "US").stdout
    assert "response_hours: 72 hours" in detail and "G202041210" in detail
    assert "claim_notification_response: 7 days until 2016-11-13" in detail


# Bad input: exit 2, one line naming the field and the value, and nothing written. ------------
def _with(option: str, value: str) -> list[str]:
    args = list(ADD)
    args[args.index(option) + 1] = value
    return args


BAD_ADDS = [
    (_with("--order-date", "03/04/2026"), "order_date: '03/04/2026': numeric dates are refused"),
    (_with("--order-date", "Jan 5"), "order_date: 'Jan 5': has no year"),
    (_with("--latest-delivery", "2026-02-30"), "latest_delivery: '2026-02-30': not a real date"),
    (_with("--latest-delivery", "2026-09-01"), "latest_delivery: '2026-09-01': is before the "
                                               "order date"),
    (_with("--claim-date", "2026-09-01"), "claim_date: '2026-09-01': is before the order date"),
    (_with("--amount", "-5"), "amount: '-5': negative"),
    (_with("--amount", "12,50"), "amount: '12,50': not a number"),
    (_with("--amount", "abc"), "amount: 'abc': not a number"),
    (_with("--amount", "1.999"), "amount: '1.999': more decimals than USD"),
    (_with("--currency", "XYZ"), "currency: 'XYZ': unknown currency"),
    (_with("--reason", "angry"), "reason: 'angry': unknown reason"),
    ([*ADD, "--marketplace", "ZZ"], "marketplace: 'ZZ': unknown"),
    (_with("--claim-date", "2027-06-01"), "claim_date: '2027-06-01': is in the future"),
    (["add", "113-123-1234567", *ADD[2:]], "order_id: '113-123-1234567': not an Amazon order id"),
    (["add", "1131234567", *ADD[2:]], "order_id: '1131234567': not an Amazon order id"),
]


@pytest.mark.parametrize(("args", "message"), BAD_ADDS)
def test_bad_add_is_refused_with_one_line_and_nothing_written(
        run: Run, db_path: Path, args: list[str], message: str) -> None:
    run("add", "114-1234567-1234567", "--order-date", "2026-10-01", "--latest-delivery",
        "2026-10-09")
    before = snapshot(db_path)
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert snapshot(db_path) == before


def test_a_second_open_claim_on_the_same_order_is_refused(run: Run, db_path: Path) -> None:
    run(*ADD)
    before = snapshot(db_path)
    result = run(*ADD)
    assert result.exit_code == 2
    assert "order_id: '113-1234567-1234567': already has open claim 1" in result.stderr
    assert snapshot(db_path) == before


@pytest.mark.parametrize(("args", "message"), [
    (("status", "1", "lost"), "outcome: 'lost': unknown outcome"),
    (("status", "1", "denied", "--on", "2026-10-01"), "--on: '2026-10-01': is before the claim"),
    (("status", "1", "denied", "--on", "10/28/2026"),
     "--on: '10/28/2026': numeric dates are refused"),
    (("status", "1", "--note", "x"), "--on and --note go with an outcome"),
])
def test_bad_status_change_is_refused(run: Run, db_path: Path, args: tuple[str, ...],
                                      message: str) -> None:
    run(*ADD)
    before = snapshot(db_path)
    result = run(*args)
    assert result.exit_code == 2 and message in result.stderr
    assert snapshot(db_path) == before


def test_missing_claim_is_exit_1(run: Run) -> None:
    result = run("status", "42")
    assert result.exit_code == 1 and result.stderr == "Error: no claim 42; `atoz list` shows " \
                                                      "the claims\n"


def test_amounts_are_stored_exactly(run: Run, db_path: Path) -> None:
    run(*_with("--amount", "0.10"))
    import sqlite3

    value = sqlite3.connect(db_path).execute("select amount, typeof(amount) from claims").fetchone()
    assert value == ("0.10", "text")


def test_json_output_is_pure_json(run: Run) -> None:
    run(*ADD)
    for args in (("list", "--json"), ("status", "1", "--json"), ("info", "--json"),
                 ("policy", "--json")):
        result = run(*args)
        json.loads(result.stdout)

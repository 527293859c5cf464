"""atoz's own claims CSV: all rows or none, --skip-bad, and a second import that adds nothing.

Also the files sellers really have: saved by LibreOffice or Excel (quoted header, CRLF, a
byte-order mark, `;` between cells), piped in on standard input, classic Mac line ends, amounts
written the local way, and a claim identified by its order and first filing day (issue 12, 13).
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from tests.helpers import snapshot

Run = Callable[..., Result]
RunJson = Callable[..., Any]
TODAY = ("--today", "2026-11-28")
# 0.1.0's header (`status` is read as `outcome`): files sellers kept keep importing.
HEADER = ("order_id,order_date,latest_delivery,claim_date,amount,currency,reason,marketplace,"
          "buyer,status,decided_on,note\n")
GOOD = ("113-1111111-1111111,2026-10-01,2026-10-09,2026-10-20,24.99,USD,not-received,US,"
        "\"Ortiz, Dana\",denied,2026-10-28,tracking shows delivered\n"
        "302-2222222-2222222,Oct 3 2026,2026-10-12,2026-10-25,19.00,EUR,other,DE,,,,\n")
BAD = "113-3333333-3333333,2026-10-01,2026-09-09\n"


def _write(tmp_path: Path, text: str | bytes, name: str = "claims.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output + result.stderr
    return result


def claims_by_order(run_json: RunJson) -> dict[str, dict[str, Any]]:
    listed = run_json("list", "--all")
    found = {c["order_id"]: c for c in listed}
    assert len(found) == len(listed), "two claims on one order"
    return found


def test_claims_with_their_outcomes_import_and_a_second_import_adds_nothing(
        run: Run, run_json: RunJson, tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + GOOD)
    first = ok(run("import", str(path), *TODAY))
    assert "2 added, 0 updated, 0 unchanged, 0 skipped" in first.stdout
    again = ok(run("import", str(path), *TODAY))
    assert "0 added, 0 updated, 2 unchanged, 0 skipped" in again.stdout
    claims = claims_by_order(run_json)
    assert len(claims) == 2
    denied = claims["113-1111111-1111111"]
    assert (denied["outcome"], denied["decided_on"], denied["buyer"]) == (
        "denied", "2026-10-28", "Ortiz, Dana")
    assert (denied["amount"], denied["amount_minor"], denied["currency"]) == ("24.99", 2499, "USD")
    euro = claims["302-2222222-2222222"]
    assert (euro["order_date"], euro["outcome"], euro["amount_minor"]) == (
        "2026-10-03", "under-review", 1900)


def test_one_bad_row_rejects_the_whole_file_and_names_its_line(
        run: Run, db_path: Path, tmp_path: Path) -> None:
    before = snapshot(db_path)
    result = run("import", str(_write(tmp_path, HEADER + GOOD + BAD)), *TODAY)
    assert result.exit_code == 2
    assert result.stderr == ("Error: claims.csv:4: latest_delivery: '2026-09-09': is before the "
                             "order date 2026-10-01\n")
    assert snapshot(db_path) == before


def test_skip_bad_imports_the_good_rows_and_writes_the_bad_ones_with_the_reason(
        run: Run, tmp_path: Path) -> None:
    rejects = tmp_path / "rejects.csv"
    result = ok(run("import", str(_write(tmp_path, HEADER + BAD + GOOD)), "--skip-bad",
                    str(rejects), *TODAY))
    assert "2 added, 0 updated, 0 unchanged, 1 skipped" in result.stdout
    lines = rejects.read_text().splitlines()
    assert lines[0].endswith(",reject-reason")
    assert lines[1].startswith("113-3333333-3333333,2026-10-01,2026-09-09,")
    assert "line 2: latest_delivery: '2026-09-09': is before the order date" in lines[1]
    assert stat.S_IMODE(os.stat(rejects).st_mode) == 0o600


def test_a_decision_before_the_claim_date_is_refused(run: Run, tmp_path: Path) -> None:
    row = ("113-4444444-4444444,2026-10-01,2026-10-09,2026-10-20,5.00,USD,other,US,,denied,"
           "2026-10-02,\n")
    result = run("import", str(_write(tmp_path, HEADER + row)), *TODAY)
    assert result.exit_code == 2
    assert "claims.csv:2: decided_on: '2026-10-02': is before the claim date" in result.stderr
    assert run("list", "--json").stdout.strip() == "[]"


def test_the_0_2_columns_carry_the_money_and_odr_facts(run: Run, run_json: RunJson,
                                                       tmp_path: Path) -> None:
    text = ("order_id,order_date,latest_delivery,delivered_on,claim_date,amount,currency,"
            "outcome,decided_on,paid_by,odr\n"
            "113-5555555-5555555,2026-10-01,2026-10-20,2026-10-06,2026-10-21,32.07,USD,"
            "granted-seller-funded,2026-10-30,seller,not-counted\n")
    ok(run("import", str(_write(tmp_path, text)), *TODAY))
    claim = run_json("status", "1")
    assert (claim["outcome"], claim["payer"], claim["odr"], claim["delivered_on"]) == (
        "granted-seller-funded", "seller", "not-counted", "2026-10-06")


# --- one claim per order and first filing day (issue 12 item 4) ----------------------------------
def test_reimport_after_editing_the_claim_date_changes_nothing_and_reports_the_difference(
        run: Run, run_json: RunJson, db_path: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + GOOD)
    ok(run("import", str(path), *TODAY))
    ok(run("edit", "1", "--claim-date", "2026-10-19", *TODAY))
    history = run_json("status", "1")["history"]
    result = ok(run("import", str(path), *TODAY))
    assert "0 added, 0 updated, 2 unchanged, 0 skipped" in result.stdout
    assert ("claim 1 (order 113-1111111-1111111): the file says claim_date 2026-10-20 (atoz has "
            "2026-10-19); kept atoz's") in result.stderr
    claims = claims_by_order(run_json)
    assert len(claims) == 2
    assert claims["113-1111111-1111111"]["claim_date"] == "2026-10-19"
    assert run_json("status", "1")["history"] == history


def test_reimport_after_editing_the_amount_reports_it_and_keeps_the_correction(
        run: Run, run_json: RunJson, tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + GOOD)
    ok(run("import", str(path), *TODAY))
    ok(run("edit", "2", "--amount", "21.00", *TODAY))
    result = ok(run("import", str(path), *TODAY))
    assert "0 added, 0 updated, 2 unchanged" in result.stdout
    assert ("claim 2 (order 302-2222222-2222222): the file says amount 19.00 (atoz has 21.00)"
            ) in result.stderr
    assert claims_by_order(run_json)["302-2222222-2222222"]["amount"] == "21.00"


def test_an_order_claimed_twice_keeps_both_claims_and_reimports_unchanged(
        run: Run, run_json: RunJson, tmp_path: Path) -> None:
    """Filed, withdrawn, filed again: two claims on one order, told apart by their filing day."""
    rows = ("113-6666666-6666666,2026-09-07,2026-09-24,2026-10-12,56.79,USD,not-received,US,,"
            "withdrawn,2026-10-14,found it\n"
            "113-6666666-6666666,2026-09-07,2026-09-24,2026-11-14 18:20,56.79,USD,not-received,"
            "US,,,,filed again\n")
    path = _write(tmp_path, HEADER + rows)
    assert "2 added" in ok(run("import", str(path), *TODAY)).stdout
    assert "0 added, 0 updated, 2 unchanged" in ok(run("import", str(path), *TODAY)).stdout
    listed = sorted(run_json("list", "--all"), key=lambda c: c["claim_id"])
    assert [(c["claim_date"], c["claim_time"], c["outcome"]) for c in listed] == [
        ("2026-10-12", None, "withdrawn"), ("2026-11-14", "18:20:00", "under-review")]


def test_a_new_decision_in_the_file_is_recorded_on_the_claim_already_there(
        run: Run, run_json: RunJson, tmp_path: Path) -> None:
    open_row = ("113-1111111-1111111,2026-10-01,2026-10-09,2026-10-20,24.99,USD,not-received,"
                "US,,,,\n")
    ok(run("import", str(_write(tmp_path, HEADER + open_row)), *TODAY))
    decided = open_row.replace(",,,\n", ",denied,2026-10-28,\n")
    result = ok(run("import", str(_write(tmp_path, HEADER + decided)), *TODAY))
    assert "0 added, 1 updated, 0 unchanged" in result.stdout
    claim = claims_by_order(run_json)["113-1111111-1111111"]
    assert (claim["claim_id"], claim["outcome"], claim["decided_on"]) == (1, "denied",
                                                                          "2026-10-28")


# --- files as spreadsheets save them (issue 13) ---------------------------------------------------
SHEET = [["order_id", "order_date", "latest_delivery", "claim_date", "amount", "currency",
          "reason", "marketplace", "buyer", "outcome", "decided_on", "note"],
         ["302-2222222-2222222", "2026-10-03", "2026-10-12", "2026-10-25", "1.234,56", "EUR",
          "other", "DE", "Jürgen Weiß", "", "", "Teil 1; Teil 2"],
         ["250-2185612-3197763", "2026/09/09", "2026/09/15", "2026/09/28", "7,480", "JPY",
          "not-received", "JP", "佐藤 健", "withdrawn", "2026/10/01", ""]]


def _sheet(sep: str) -> bytes:
    """What LibreOffice and Excel save: every cell quoted, CRLF, a UTF-8 byte-order mark."""
    lines = [sep.join(f'"{cell}"' for cell in line) for line in SHEET]
    return b"\xef\xbb\xbf" + ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _check_sheet(run_json: RunJson) -> None:
    claims = claims_by_order(run_json)
    euro, yen = claims["302-2222222-2222222"], claims["250-2185612-3197763"]
    assert (euro["amount"], euro["amount_minor"], euro["currency"], euro["buyer"]) == (
        "1234.56", 123456, "EUR", "Jürgen Weiß")
    assert (yen["amount"], yen["amount_minor"], yen["currency"], yen["buyer"]) == (
        "7480", 7480, "JPY", "佐藤 健")
    assert (yen["order_date"], yen["claim_date"], yen["outcome"], yen["decided_on"]) == (
        "2026-09-09", "2026-09-28", "withdrawn", "2026-10-01")


@pytest.mark.parametrize(("sep", "saved_by"), [(";", "LibreOffice, European locale"),
                                               (",", "Excel, CSV UTF-8")])
def test_a_claims_csv_saved_by_a_spreadsheet_is_recognised_and_read(
        run: Run, run_json: RunJson, tmp_path: Path, sep: str, saved_by: str) -> None:
    path = _write(tmp_path, _sheet(sep), "Claims.csv")
    result = ok(run("import", str(path), *TODAY))
    assert "claims-csv: 2 added, 0 updated, 0 unchanged, 0 skipped" in result.stdout, saved_by
    _check_sheet(run_json)
    status = run_json("status", "302-2222222-2222222")
    assert status["note"] == "Teil 1; Teil 2"  # a separator inside quotes stays in the cell
    assert "0 added, 0 updated, 2 unchanged" in ok(run("import", str(path), *TODAY)).stdout


def test_import_from_standard_input_with_the_kind(run: Run, run_json: RunJson) -> None:
    result = ok(run("import", "-", "--kind", "claims-csv", *TODAY, input=_sheet(";")))
    assert "Imported stdin: claims-csv: 2 added" in result.stdout
    _check_sheet(run_json)


def test_import_from_standard_input_names_stdin_in_errors(run: Run, db_path: Path) -> None:
    before = snapshot(db_path)
    result = run("import", "-", "--kind", "claims-csv", *TODAY,
                 input=HEADER + GOOD + BAD)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: stdin:4: latest_delivery: '2026-09-09': ")
    assert snapshot(db_path) == before


@pytest.mark.parametrize(("amount", "currency", "problem"), [
    # A decimal point, or a thousands dot? Refused, offering the other reading.
    ("1.234", "EUR", "if the dot groups thousands, write 1234"),
    ("1,2345", "USD", "separators in the wrong places"),
    ("74.80", "JPY", "JPY has no decimals"),
    ("$24.99", "USD", "leave out the currency sign"),
])
def test_amounts_that_cannot_be_read_one_way_are_refused(
        run: Run, tmp_path: Path, amount: str, currency: str, problem: str) -> None:
    row = f'113-1111111-1111111,2026-10-01,2026-10-09,2026-10-20,"{amount}",{currency},,US,,,,\n'
    result = run("import", str(_write(tmp_path, HEADER + row)), *TODAY)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Error: claims.csv:2: amount: '{amount}': "), result.stderr
    assert problem in result.stderr


def test_cr_only_line_ends_are_read_row_by_row(run: Run, run_json: RunJson,
                                               tmp_path: Path) -> None:
    """Issue 12 item 6: a file saved with classic Mac line ends; never "0 added" for rows."""
    text = (HEADER + GOOD).replace("\n", "\r")
    result = ok(run("import", str(_write(tmp_path, text)), *TODAY))
    assert "2 added, 0 updated, 0 unchanged, 0 skipped" in result.stdout
    assert claims_by_order(run_json)["113-1111111-1111111"]["outcome"] == "denied"


def test_cr_only_line_ends_name_the_line_of_a_bad_row(run: Run, tmp_path: Path) -> None:
    text = (HEADER + GOOD + BAD).replace("\n", "\r")
    result = run("import", str(_write(tmp_path, text)), *TODAY)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: claims.csv:4: latest_delivery: '2026-09-09': ")


@pytest.mark.parametrize(("header", "column", "where"), [
    ("order_id,order_date,latest_delivery,claim_date,latest_delivery", "latest_delivery",
     "columns 3 and 5"),
    # 0.1.0's `status` is `outcome`: both at once is one column twice.
    ("order_id,order_date,latest_delivery,claim_date,status,outcome", "outcome",
     "columns 5 and 6"),
    ('"Order_ID";"Claim_Date";"order_id"', "order_id", "columns 1 and 3"),
])
def test_a_duplicated_column_is_refused_naming_the_line_and_both_columns(
        run: Run, db_path: Path, tmp_path: Path, header: str, column: str, where: str) -> None:
    sep = ";" if ";" in header else ","
    cells = header.count(sep) + 1
    row = sep.join(["113-1111111-1111111", "2026-10-01", "2026-10-09", "2026-10-20",
                    "denied", "denied"][:cells])
    before = snapshot(db_path)
    result = run("import", str(_write(tmp_path, f"{header}\n{row}\n")), *TODAY)
    assert result.exit_code == 2, result.output
    assert result.stderr == (f"Error: claims.csv:1: header: column '{column}' appears twice "
                             f"({where}); keep one\n")
    assert snapshot(db_path) == before


# --- only order_id is required: the rest may come from an imported order ------------------------
ORDERS_TSV = ("order-id\tpurchase-date\tlatest-delivery-date\tsales-channel\tcurrency\t"
              "item-price\n113-7777777-7777777\t2026-10-01T18:00:00Z\t2026-10-14T06:59:59Z\t"
              "Amazon.com\tUSD\t26.80\n"
              "205-2289308-5585906\t2026-08-21T14:56:11Z\t2026-09-01T22:59:59Z\t"
              "Amazon.co.uk\tGBP\t50.89\n")
# An imported order, a claim day on it and the claim's response deadline in its marketplace:
# 72 hours in the US, 48 in the UK (from 00:00: no claim time).
US_ORDER = ("113-7777777-7777777", "2026-10-01", "2026-10-13", "2026-10-20", "US", "USD",
            "26.80", "2026-10-23T00:00:00-07:00")
UK_ORDER = ("205-2289308-5585906", "2026-08-21", "2026-09-01", "2026-09-10", "UK", "GBP",
            "50.89", "2026-09-12T00:00:00+01:00")


def _claim_row(order: tuple[str, ...], dated: bool, marketplace: str = "") -> str:
    """A claims CSV naming the order and the claim day; `dated`: with the order's dates too (a
    new claim then takes the bulk path, without them the one-claim path)."""
    order_id, order_date, latest, claim_date = order[:4]
    if dated:
        return ("order_id,order_date,latest_delivery,claim_date,amount,marketplace\n"
                f"{order_id},{order_date},{latest},{claim_date},13.00,{marketplace}\n")
    return f"order_id,claim_date,marketplace\n{order_id},{claim_date},{marketplace}\n"


@pytest.mark.parametrize("dated", [False, True], ids=["order-and-claim-date", "order-dates"])
@pytest.mark.parametrize("order", [US_ORDER, UK_ORDER], ids=["US", "UK"])
def test_a_claims_csv_with_only_the_order_and_claim_date_takes_the_imported_order(
        run: Run, run_json: RunJson, tmp_path: Path, order: tuple[str, ...],
        dated: bool) -> None:
    """A row that names no marketplace is on its imported order's: its zone, currency and
    rules (a UK order's row was filed as US, with a deadline a day late, when it gave the
    order's dates)."""
    order_id, order_date, latest, _, marketplace, currency, total, deadline = order
    ok(run("import", str(_write(tmp_path, ORDERS_TSV, "orders.tsv"))))
    ok(run("import", str(_write(tmp_path, _claim_row(order, dated))), *TODAY))
    claim = run_json("status", "1", *TODAY)
    assert (claim["order_date"], claim["latest_delivery"], claim["amount"], claim["currency"],
            claim["marketplace"], claim["response_deadline"]) == (
        order_date, latest, "13.00" if dated else total, currency, marketplace, deadline)
    assert claim["history"][0]["detail"] is None  # the order said: nothing assumed


@pytest.mark.parametrize("dated", [False, True], ids=["order-and-claim-date", "order-dates"])
def test_a_row_whose_marketplace_contradicts_its_imported_order_is_refused_naming_both(
        run: Run, db_path: Path, tmp_path: Path, dated: bool) -> None:
    ok(run("import", str(_write(tmp_path, ORDERS_TSV, "orders.tsv"))))
    before = snapshot(db_path)
    result = run("import", str(_write(tmp_path, _claim_row(UK_ORDER, dated, "US"))), *TODAY)
    assert result.exit_code == 2
    assert result.stderr == ("Error: claims.csv:2: marketplace: 'US': the imported order is on "
                             "UK; write UK or leave the cell empty\n")
    assert snapshot(db_path) == before
    same = _claim_row(UK_ORDER, dated, "gb")  # the UK by another name agrees
    ok(run("import", str(_write(tmp_path, same)), *TODAY))


@pytest.mark.parametrize("dated", [False, True], ids=["claim-date", "order-dates"])
@pytest.mark.parametrize(("flag", "marketplace", "assumed"), [
    ((), "US", True), (("-m", "DE"), "DE", False)], ids=["default", "flag"])
def test_a_row_naming_no_marketplace_of_an_order_not_imported_takes_the_flag_else_us_assumed(
        run: Run, run_json: RunJson, tmp_path: Path, dated: bool, flag: tuple[str, ...],
        marketplace: str, assumed: bool) -> None:
    """`--marketplace` is for the rows that do not say and whose order atoz does not know; with
    neither, US is taken and the claim's filing says it was assumed (an e-mail may correct it).
    An imported order's marketplace comes before the flag."""
    ok(run("import", str(_write(tmp_path, ORDERS_TSV, "orders.tsv"))))
    text = _claim_row(("302-1111111-1111111", "2026-10-01", "2026-10-09", "2026-10-20"), dated)
    text += _claim_row(UK_ORDER, dated).splitlines()[1] + "\n"
    ok(run("import", str(_write(tmp_path, text)), *flag, *TODAY))
    claim = run_json("status", "302-1111111-1111111", *TODAY)
    assert claim["marketplace"] == marketplace
    assert bool((claim["history"][0]["detail"] or {}).get("marketplace_assumed")) is assumed
    assert run_json("status", UK_ORDER[0], *TODAY)["marketplace"] == "UK"


@pytest.mark.parametrize("orders", [False, True])
def test_a_claim_without_order_dates_or_an_imported_order_is_recorded_with_its_window_unknown(
        run: Run, run_json: RunJson, tmp_path: Path, orders: bool) -> None:
    """Item 5: a claim an e-mail or a finance debit created has no order dates; its CSV row
    must import (it used to fail "order_date: required"), saying the window is unknown."""
    if orders:  # another order imported: the id may be a typo, and the note says so
        ok(run("import", str(_write(tmp_path, ORDERS_TSV, "orders.tsv"))))
    text = "order_id,claim_date,amount\n113-8888888-8888888,2026-10-20,12.00\n"
    result = ok(run("import", str(_write(tmp_path, text)), *TODAY))
    assert "1 added, 0 updated, 0 unchanged, 0 skipped" in result.stdout
    typo = " (check the id)" if orders else ""
    assert (f"claim 1 (order 113-8888888-8888888): no order dates, and the order is not among "
            f"the imported orders{typo}: the filing window cannot be computed until atoz edit 1 "
            "--order-date D --latest-delivery D") in result.stderr
    claim = run_json("status", "1", *TODAY)
    assert (claim["order_date"], claim["window"], claim["claim_date"], claim["amount"]) == (
        None, None, "2026-10-20", "12.00")
    again = ok(run("import", str(_write(tmp_path, text)), *TODAY))
    assert "0 added, 0 updated, 1 unchanged" in again.stdout


def test_atoz_add_without_order_dates_records_the_claim_and_says_the_window_is_unknown(
        run: Run, run_json: RunJson) -> None:
    result = ok(run("add", "113-8888888-8888888", "-m", "US", "--claim-date", "2026-11-20",
                    *TODAY))
    assert "Added claim 1 for order 113-8888888-8888888 (US), filed 2026-11-20." in result.stdout
    assert ("window: cannot be computed without the order date and latest delivery; give them "
            "with atoz edit 1 --order-date D --latest-delivery D") in result.stdout
    ok(run("edit", "1", "--order-date", "2026-11-01", "--latest-delivery", "2026-11-09", *TODAY))
    assert run_json("status", "1", *TODAY)["window_opens"] == "2026-11-12"


# --- look-alike digits (issue 12 item 5) ---------------------------------------------------------
@pytest.mark.parametrize("order_id", ["１１３－１１１１１１１－１１１１１１１",  # full-width
                                      "113-1111111-111111𝟏"])  # a mathematical bold 1
def test_order_ids_that_normalise_to_ascii_are_the_same_claim(
        run: Run, run_json: RunJson, tmp_path: Path, order_id: str) -> None:
    ok(run("import", str(_write(tmp_path, HEADER + GOOD)), *TODAY))
    same = GOOD.splitlines()[0].replace("113-1111111-1111111", order_id)
    result = ok(run("import", str(_write(tmp_path, HEADER + same + "\n")), *TODAY))
    assert "0 added, 0 updated, 1 unchanged" in result.stdout
    assert len(claims_by_order(run_json)) == 2


@pytest.mark.parametrize("digit", ["٣", "३"])  # Arabic-Indic, Devanagari: digits to `\d`
def test_order_ids_with_other_digits_are_refused(run: Run, db_path: Path, tmp_path: Path,
                                                 digit: str) -> None:
    order_id = "113-1111111-111111" + digit
    rows = GOOD.replace("113-1111111-1111111", order_id)
    before = snapshot(db_path)
    result = run("import", str(_write(tmp_path, HEADER + rows)), *TODAY)
    assert result.exit_code == 2, result.output
    assert result.stderr == (f"Error: claims.csv:2: order_id: '{order_id}': has digits other "
                             "than 0-9; expected 3-7-7 digits like 113-1234567-1234567 (or "
                             "S01-1234567-1234567)\n")
    assert snapshot(db_path) == before


def test_order_ids_with_other_digits_are_refused_in_an_atoz_export(
        run: Run, db_path: Path, tmp_path: Path) -> None:
    claim = {"id": 1, "order_id": "119-5555555-555555٥", "marketplace": "US",
             "order_date": "2026-10-01", "latest_delivery": "2026-10-09",
             "claim_date": "2026-10-20", "amount": "24.99", "currency": "USD",
             "reason": "other", "status": "under-review",
             "status_on": "2026-10-20", "created_at": "2026-10-20T10:00:00+00:00",
             "history": [{"kind": "status", "status": "under-review", "on_date": "2026-10-20",
                          "note": "claim filed",
                          "recorded_at": "2026-10-20T10:00:00+00:00"}]}
    text = json.dumps({"atoz_export": {"version": 1}, "claims": [claim]}, ensure_ascii=False)
    before = snapshot(db_path)
    result = run("import", str(_write(tmp_path, text, "export.json")), *TODAY)
    assert result.exit_code == 2, result.output
    assert "order_id: '119-5555555-555555٥': has digits other than 0-9" in result.stderr
    assert snapshot(db_path) == before


# --- a decision already recorded, or older than the one in force ---------------------------------
DENIED = ("order_id,order_date,latest_delivery,claim_date,amount,outcome,decided_on\n"
          "113-1111111-1111111,2026-10-01,2026-10-09,2026-10-20,24.99,denied,2026-10-25\n")


def test_reimporting_a_file_does_not_bring_back_a_decision_superseded_since(
        run: Run, run_json: RunJson, tmp_path: Path) -> None:
    """The seller recorded a later grant; the same file imported again changes nothing (it
    used to record the file's denial again, in force, and the appeal and the money vanished)."""
    path = _write(tmp_path, DENIED)
    ok(run("import", str(path), *TODAY))
    ok(run("status", "1", "granted-seller-funded", "--on", "2026-11-10", *TODAY))
    before = run_json("status", "1", *TODAY)
    result = ok(run("import", str(path), *TODAY))
    assert "0 added, 0 updated, 1 unchanged, 0 skipped" in result.stdout
    after = run_json("status", "1", *TODAY)
    assert after == before
    assert (after["outcome"], after["decided_on"], after["appeal_until"]) == (
        "granted-seller-funded", "2026-11-10", "2026-12-10")
    assert [h["outcome"] for h in after["history"]] == [
        "under-review", "denied", "granted-seller-funded"]


def test_a_file_decision_older_than_the_one_in_force_is_refused_or_rejected(
        run: Run, run_json: RunJson, db_path: Path, tmp_path: Path) -> None:
    ok(run("import", str(_write(tmp_path, DENIED)), *TODAY))
    ok(run("status", "1", "granted-seller-funded", "--on", "2026-11-10", *TODAY))
    older = _write(tmp_path, DENIED.replace("denied,2026-10-25", "withdrawn,2026-10-27"),
                   "older.csv")
    before = snapshot(db_path)
    refused = run("import", str(older), *TODAY)
    assert refused.exit_code == 2, refused.output
    assert refused.stderr.startswith(
        "Error: older.csv:2: decided_on: '2026-10-27': is before the outcome in force "
        "(granted-seller-funded on 2026-11-10)")
    assert snapshot(db_path) == before
    rejects = tmp_path / "rejects.csv"
    skipped = ok(run("import", str(older), "--skip-bad", str(rejects), *TODAY))
    assert "0 added, 0 updated, 0 unchanged, 1 skipped" in skipped.stdout
    assert "decided_on: '2026-10-27': is before the outcome in force" in rejects.read_text()
    assert run_json("status", "1", *TODAY)["outcome"] == "granted-seller-funded"


def test_atoz_status_refuses_an_outcome_dated_before_the_one_in_force_unless_a_correction(
        run: Run, run_json: RunJson, db_path: Path, tmp_path: Path) -> None:
    ok(run("import", str(_write(tmp_path, DENIED.replace(",denied,2026-10-25", ",,"))),
           *TODAY))
    ok(run("status", "1", "granted-seller-funded", "--on", "2026-11-10", *TODAY))
    before = snapshot(db_path)
    refused = run("status", "1", "denied", "--on", "2026-10-25", *TODAY)
    assert refused.exit_code == 2, refused.output
    assert refused.stderr == (
        "Error: --on: '2026-10-25': is before the outcome in force (granted-seller-funded on "
        "2026-11-10), which it would replace; if granted-seller-funded was recorded by "
        "mistake, record it with atoz status 1 denied --on 2026-10-25 --correct\n")
    assert snapshot(db_path) == before
    ok(run("status", "1", "denied", "--on", "2026-10-25", "--correct", *TODAY))
    claim = run_json("status", "1", *TODAY)
    assert (claim["outcome"], claim["decided_on"]) == ("denied", "2026-10-25")
    assert claim["history"][-1]["detail"] == {"correction": True}
    assert "appeal" not in [s["step"] for s in claim["steps"]]  # gone with the mistaken grant
    shown = ok(run("status", "1", *TODAY)).stdout
    assert "Denied (a correction)" in shown


def test_a_reopened_claim_refuses_a_decision_before_its_reopening(
        run: Run, tmp_path: Path) -> None:
    ok(run("import", str(_write(tmp_path, DENIED)), *TODAY))
    ok(run("status", "1", "under-review", "--on", "2026-11-05", "--note", "buyer appealed",
           *TODAY))
    refused = run("status", "1", "withdrawn", "--on", "2026-11-01", *TODAY)
    assert refused.exit_code == 2
    assert "is before the outcome in force (under-review on 2026-11-05)" in refused.stderr
    ok(run("status", "1", "withdrawn", "--on", "2026-11-06", *TODAY))


# --- a row without a claim date (item 4) ---------------------------------------------------------
def test_a_row_without_a_claim_date_records_an_unknown_filing_date_and_reimports_the_next_day(
        run: Run, run_json: RunJson, tmp_path: Path) -> None:
    """It used to take the import day as the filing date (a made-up response deadline), and
    the next day's import of the same file failed: "already has open claim 1"."""
    path = _write(tmp_path, "order_id,order_date,latest_delivery,amount\n"
                            "113-1111111-1111111,2026-10-01,2026-10-09,24.99\n")
    first = ok(run("import", str(path), *TODAY))
    assert "1 added" in first.stdout
    assert ("claim 1 (order 113-1111111-1111111): no claim_date, so the filing date is unknown "
            "(2026-11-28 stands in; no response deadline or playbook days): give it with atoz "
            "edit 1 --claim-date D") in first.stderr
    claim = run_json("status", "1", *TODAY)
    assert (claim["claim_date_known"], claim["window_opens"], claim["steps"]) == (
        False, "2026-10-12", [])
    shown = ok(run("status", "1", *TODAY)).stdout
    assert "respond by       unknown (the filing moment is unknown)" in shown
    assert "(a stand-in, not the filing date: the claims CSV row gave none;" in shown
    again = ok(run("import", str(path), "--today", "2026-11-29"))
    assert "0 added, 0 updated, 1 unchanged, 0 skipped" in again.stdout
    assert len(run_json("list", "--all")) == 1


def test_a_row_without_a_claim_date_records_its_decision_on_the_orders_claim(
        run: Run, run_json: RunJson, tmp_path: Path) -> None:
    ok(run("import", str(_write(tmp_path, "order_id,order_date,latest_delivery\n"
                                          "113-1111111-1111111,2026-10-01,2026-10-09\n")),
           *TODAY))
    decided = _write(tmp_path, "order_id,outcome,decided_on\n"
                               "113-1111111-1111111,denied,2026-11-20\n", "decided.csv")
    result = ok(run("import", str(decided), "--today", "2026-11-30"))
    assert "0 added, 1 updated, 0 unchanged" in result.stdout
    claim = run_json("status", "1", "--today", "2026-11-30")
    assert (claim["claim_id"], claim["outcome"], claim["decided_on"]) == (1, "denied",
                                                                          "2026-11-20")
    # A claim date given later completes the claim instead of adding a second one.
    dated = _write(tmp_path, "order_id,claim_date\n113-1111111-1111111,2026-10-20\n",
                   "dated.csv")
    completed = ok(run("import", str(dated), "--today", "2026-11-30"))
    assert "0 added, 1 updated" in completed.stdout
    claim = run_json("status", "1", "--today", "2026-11-30")
    assert (claim["claim_date"], claim["claim_date_known"], claim["outcome"]) == (
        "2026-10-20", True, "denied")


def test_a_decided_row_without_a_claim_date_stands_its_decision_day_in(
        run: Run, run_json: RunJson, tmp_path: Path) -> None:
    path = _write(tmp_path, "order_id,order_date,latest_delivery,outcome,decided_on\n"
                            "113-1111111-1111111,2026-10-01,2026-10-09,granted-seller-funded,"
                            "2026-10-30\n")
    ok(run("import", str(path), *TODAY))
    claim = run_json("status", "1", *TODAY)
    assert (claim["claim_date"], claim["claim_date_known"], claim["outcome"]) == (
        "2026-10-30", False, "granted-seller-funded")
    assert [s["step"] for s in claim["steps"]] == ["appeal"]
    assert "0 added, 0 updated, 1 unchanged" in ok(run("import", str(path), *TODAY)).stdout


# --- a debit on a row without a decision ---------------------------------------------------
@pytest.mark.parametrize(("claim_date", "filed"), [("2026-11-02", "2026-11-02"),
                                                  ("", "2026-11-05")], ids=["dated", "undated"])
def test_a_debit_on_an_undecided_row_is_a_seller_funded_grant_whichever_path_it_takes(
        run: Run, run_json: RunJson, tmp_path: Path, claim_date: str, filed: str) -> None:
    """Amazon debited the seller, so the claim was granted at the seller's cost, as
    `record_debit` records it. A row with the order's dates (the bulk path) used to leave the
    claim under review, its amount counted both at stake and lost; one without them (the
    one-claim path) recorded the grant. Without a claim date the debit's day stands in for the
    filing (not the import day, after the grant), as for a claim from Amazon's finance data."""
    text = ("order_id,order_date,latest_delivery,claim_date,amount,debited_on\n"
            f"113-1111111-1111111,2026-10-01,2026-10-09,{claim_date},24.99,2026-11-05\n"
            f"113-2222222-2222222,,,{claim_date},24.99,2026-11-05\n")
    ok(run("import", str(_write(tmp_path, text)), *TODAY))
    bulk, one = (run_json("status", order, *TODAY)
                 for order in ("113-1111111-1111111", "113-2222222-2222222"))

    def outcome(claim: dict[str, Any]) -> tuple[Any, ...]:
        return (claim["outcome"], claim["decided_on"], claim["payer"], claim["odr"],
                claim["debited_on"], claim["debited_amount"])

    def steps(claim: dict[str, Any]) -> list[tuple[Any, ...]]:
        return [(s["step"], s["state"], s["due"]) for s in claim["steps"]]

    def history(claim: dict[str, Any]) -> list[tuple[Any, ...]]:
        return [(h["kind"], h["on"], h["outcome"], h["note"], h["detail"])
                for h in claim["history"]]

    assert outcome(bulk) == outcome(one) == (
        "granted-seller-funded", "2026-11-05", "seller", "counted", "2026-11-05", "24.99")
    assert steps(bulk) == steps(one)
    assert [s for s, state, _ in steps(bulk) if state == "open"] == ["appeal"]
    assert (one["claim_date"], one["claim_date_known"]) == (filed, bool(claim_date))
    assert history(bulk) == history(one)
    assert (bulk["claim_date"], bulk["claim_date_known"]) == (filed, bool(claim_date))
    assert [h[:3] for h in history(bulk)] == [
        ("status", filed, "under-review"), ("debit", "2026-11-05", None),
        ("status", "2026-11-05", "granted-seller-funded")]
    report = run_json("report", *TODAY)
    assert (report["at_stake_open"], report["lost_all_time"]) == ([], [
        {"currency": "USD", "amount": "49.98", "amount_minor": 4998}])

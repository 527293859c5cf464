"""Amazon's data in: order reports, SP-API order payloads and finance events (issue 5).

The files are built here from the documented report headers and from the reference payloads in
tests/data (copies of ../shared/reference), encoded the ways sellers really have them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import stat
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from atoz.imports.amazon import guess_encoding, local_date
from atoz.imports.detect import detect_kind
from atoz.imports.order_report import import_report
from atoz.policy import packaged
from atoz.records import Claim, Order
from atoz.store import Store
from tests.helpers import import_options, snapshot

Run = Callable[..., Result]
RunJson = Callable[..., Any]
DATA = Path(__file__).parent / "data"
SAMPLE = Path(__file__).parents[1] / "sample_data"
HEADER = ("order-id", "order-item-id", "purchase-date", "payments-date", "buyer-email",
          "buyer-name", "sku", "product-name", "quantity-purchased", "currency", "item-price",
          "item-tax", "shipping-price", "shipping-tax", "ship-service-level", "sales-channel",
          "latest-delivery-date")
D = dt.date.fromisoformat


def row(order_id: str = "113-4829301-5520913", *, item: str = "11111111111111",
        purchase: str = "2026-10-01T18:04:11+00:00", latest: str = "2026-10-14T06:59:59+00:00",
        name: str = "Dana Whitfield", product: str = "LED Strip Lights 5m",
        price: str = "24.99", tax: str = "1.81", shipping: str = "0.00", currency: str = "USD",
        channel: str = "Amazon.com", **extra: str) -> dict[str, str]:
    return {"order-id": order_id, "order-item-id": item, "purchase-date": purchase,
            "payments-date": purchase, "buyer-email": "abc123@marketplace.amazon.com",
            "buyer-name": name, "sku": "SKU-1", "product-name": product,
            "quantity-purchased": "1", "currency": currency, "item-price": price,
            "item-tax": tax, "shipping-price": shipping, "shipping-tax": "0.00",
            "ship-service-level": "Standard", "sales-channel": channel,
            "latest-delivery-date": latest, **extra}


def report(rows: list[dict[str, str]], header: tuple[str, ...] = HEADER,
           newline: str = "\n") -> str:
    lines = ["\t".join(header)] + ["\t".join(r.get(c, "") for c in header) for r in rows]
    return newline.join(lines) + newline


def write(tmp_path: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def order(db: Path, order_id: str) -> Order | None:
    store = Store.open_read(db)
    try:
        return store.order(order_id)
    finally:
        store.close()


def all_claims(db: Path) -> list[Claim]:
    store = Store.open_read(db)
    try:
        return store.claims()
    finally:
        store.close()


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output + result.stderr
    return result


# --- the SP-API payloads ------------------------------------------------------------------------
def test_orders_v0_reference_payload_imports(run: Run, db_path: Path) -> None:
    result = ok(run("import", str(DATA / "getOrders-v0.json")))
    assert "orders-v0: 2 added, 0 updated, 0 unchanged, 0 skipped" in result.stdout
    assert "NextToken" in result.stderr
    first = order(db_path, "111-0000001-0000001")
    assert first is not None
    assert (first.purchase_date, first.latest_delivery) == (D("2026-01-05"), D("2026-01-13"))
    assert (first.marketplace, first.fulfillment_channel) == ("US", "MFN")
    assert (first.total_minor, first.currency, first.order_status) == (2499, "USD", "shipped")


def test_latest_delivery_is_taken_in_the_marketplace_zone_2026_01_14T07_59_59Z_is_13_january(
        run: Run, db_path: Path) -> None:
    ok(run("import", str(DATA / "getOrders-v0.json")))
    found = order(db_path, "111-0000001-0000001")
    assert found is not None and found.latest_delivery == D("2026-01-13")


@pytest.mark.parametrize(("stamp", "market", "day"), [
    ("2026-01-14T07:59:59Z", "US", "2026-01-13"),
    ("2026-01-14T08:00:00Z", "US", "2026-01-14"),
    ("2026-01-13T15:00:00Z", "JP", "2026-01-14"),
    ("2026-07-01T23:30:00Z", "UK", "2026-07-02"),
    ("2026-10-14T23:59:59-07:00", "US", "2026-10-14"),
    ("2026-10-14", "DE", "2026-10-14"),
])
def test_timestamps_convert_to_the_marketplace_zone_before_the_date(
        stamp: str, market: str, day: str) -> None:
    assert local_date(stamp, "PurchaseDate", packaged(market)) == day


def test_amazon_fulfilled_order_without_a_promise_is_kept_without_one(
        run: Run, db_path: Path) -> None:
    ok(run("import", str(DATA / "getOrders-v0.json")))
    afn = order(db_path, "112-0000002-0000002")
    assert afn is not None
    assert (afn.fulfillment_channel, afn.latest_delivery) == ("AFN", None)
    assert (afn.total_minor, afn.currency) == (5140, "USD")


def test_orders_2026_reference_payload_imports(run: Run, db_path: Path) -> None:
    result = ok(run("import", str(DATA / "searchOrders-2026.json")))
    assert "orders-2026: 1 added" in result.stdout
    found = order(db_path, "111-0000001-0000001")
    assert found is not None
    assert (found.purchase_date, found.latest_delivery, found.marketplace) == (
        D("2026-01-05"), D("2026-01-13"), "US")
    assert (found.fulfillment_channel, found.total_minor) == ("MFN", 2499)


def test_marketplace_comes_from_the_marketplace_id_never_the_order_id_prefix(
        run: Run, db_path: Path, tmp_path: Path) -> None:
    payload = json.loads((DATA / "getOrders-v0.json").read_text())
    first = payload["payload"]["Orders"][0]
    first["AmazonOrderId"] = "503-1234567-1234567"  # a prefix seen on amazon.co.jp
    path = write(tmp_path, "orders.json", json.dumps(payload))
    ok(run("import", str(path)))
    found = order(db_path, "503-1234567-1234567")
    assert found is not None and found.marketplace == "US"


def test_a_payload_without_a_marketplace_needs_the_flag(run: Run, db_path: Path,
                                                        tmp_path: Path) -> None:
    payload = json.loads((DATA / "searchOrders-2026.json").read_text())
    del payload["orders"][0]["salesChannel"]
    path = write(tmp_path, "orders.json", json.dumps(payload, indent=2))
    result = run("import", str(path))
    assert result.exit_code == 2
    assert "orders.json:4: salesChannel.marketplaceId:" in result.stderr
    assert "--marketplace" in result.stderr
    ok(run("import", str(path), "--marketplace", "JP"))
    found = order(db_path, "111-0000001-0000001")
    # Taken in Tokyo time: 2026-01-14T07:59:59Z is the afternoon of the 14th there.
    assert found is not None and (found.marketplace, found.latest_delivery) == (
        "JP", D("2026-01-14"))


def test_each_kind_is_detected_from_the_content(tmp_path: Path) -> None:
    def kind(path: Path) -> str:
        return detect_kind(path, path.name)

    assert kind(DATA / "getOrders-v0.json") == "orders-v0"
    assert kind(DATA / "searchOrders-2026.json") == "orders-2026"
    assert kind(write(tmp_path, "r.txt", report([row()]))) == "order-report"
    assert kind(write(tmp_path, "f.json", json.dumps(finance([])))) == "finance-events"


# --- the flat-file order report -----------------------------------------------------------------
def test_report_item_rows_collapse_into_one_order(run: Run, db_path: Path,
                                                  tmp_path: Path) -> None:
    rows = [row(item="1", price="24.99", tax="1.81", shipping="4.99"),
            row(item="2", price="10.00", tax="0.73"),
            row("113-1111111-2222222", item="3", price="5.00", tax="0.00")]
    result = ok(run("import", str(write(tmp_path, "orders.tsv", report(rows)))))
    assert "order-report: 2 added" in result.stdout
    found = order(db_path, "113-4829301-5520913")
    assert found is not None
    assert (found.total_minor, found.currency) == (4252, "USD")  # 24.99+1.81+4.99+10.00+0.73
    assert (found.purchase_date, found.latest_delivery) == (D("2026-10-01"), D("2026-10-13"))


def test_report_rows_that_disagree_on_a_date_are_reported(run: Run, db_path: Path,
                                                          tmp_path: Path) -> None:
    rows = [row(item="1", latest="2026-10-14T06:59:59+00:00"),
            row(item="2", latest="2026-10-17T06:59:59+00:00")]
    result = ok(run("import", str(write(tmp_path, "orders.tsv", report(rows)))))
    assert ("order 113-4829301-5520913: rows disagree on latest delivery: 2026-10-13 on line 2, "
            "2026-10-16 on line 3; kept 2026-10-16 (the latest)") in result.stderr
    found = order(db_path, "113-4829301-5520913")
    assert found is not None and found.latest_delivery == D("2026-10-16")


def test_report_columns_are_read_by_name_in_any_order(run: Run, db_path: Path,
                                                      tmp_path: Path) -> None:
    header = ("sales-channel", "item-price", "amazon-order-id", "currency", "purchase-date")
    text = report([{"sales-channel": "Amazon.co.uk", "item-price": "12.50",
                    "amazon-order-id": "026-1234567-7654321", "currency": "GBP",
                    "purchase-date": "2026-10-02T23:30:00+00:00"}], header)
    ok(run("import", str(write(tmp_path, "all-orders.txt", text))))
    found = order(db_path, "026-1234567-7654321")
    assert found is not None
    assert (found.marketplace, found.purchase_date, found.latest_delivery, found.total_minor,
            found.currency) == ("UK", D("2026-10-03"), None, 1250, "GBP")


def test_report_with_a_utf8_byte_order_mark(run: Run, db_path: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "orders.tsv", "\ufeff" + report([row(name="Zoë Ångström")]))
    result = ok(run("import", str(path)))
    assert "encoding: UTF-8 (byte-order mark)" in result.stderr
    assert order(db_path, "113-4829301-5520913") is not None


def test_report_with_crlf_line_ends(run: Run, db_path: Path, tmp_path: Path) -> None:
    rows = [row(item="1"), row("113-1111111-2222222", item="2")]
    result = ok(run("import", str(write(tmp_path, "orders.tsv", report(rows, newline="\r\n")))))
    assert "2 added" in result.stdout
    found = order(db_path, "113-1111111-2222222")
    assert found is not None and found.latest_delivery == D("2026-10-13")


def test_report_with_cr_only_line_ends_is_read_row_by_row(run: Run, db_path: Path,
                                                          tmp_path: Path) -> None:
    """Issue 12 item 6: classic Mac line ends once imported nothing and said "0 added"."""
    rows = [row(item="1"), row("113-1111111-2222222", item="2", price="5.00")]
    result = ok(run("import", str(write(tmp_path, "orders.tsv", report(rows, newline="\r")))))
    assert "order-report: 2 added, 0 updated, 0 unchanged, 0 skipped" in result.stdout
    found = order(db_path, "113-1111111-2222222")
    assert found is not None
    assert (found.latest_delivery, found.total_minor) == (D("2026-10-13"), 681)  # 5.00 + 1.81


def test_report_with_cr_only_line_ends_names_the_line_of_a_bad_row(
        run: Run, db_path: Path, tmp_path: Path) -> None:
    rows = [row(item="1"), row("113-1111111-2222222", item="2", price="abc")]
    result = run("import", str(write(tmp_path, "orders.tsv", report(rows, newline="\r"))))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: orders.tsv:3: item-price: 'abc': ")
    assert order(db_path, "113-4829301-5520913") is None


def test_report_with_a_duplicated_column_is_refused_naming_both(
        run: Run, db_path: Path, tmp_path: Path) -> None:
    """Issue 12 item 6: a second latest-delivery-date once silently decided the window."""
    before = snapshot(db_path)
    header = (*HEADER, "latest-delivery-date")
    text = report([row(**{"latest-delivery-date": "2026-10-14T06:59:59+00:00"})], header)
    result = run("import", str(write(tmp_path, "orders.tsv", text)))
    assert result.exit_code == 2, result.output
    assert result.stderr == ("Error: orders.tsv:1: header: column 'latest-delivery-date' "
                             "appears twice (columns 17 and 18); keep one\n")
    assert snapshot(db_path) == before


def test_report_columns_that_differ_only_in_spelling_count_as_one_column(
        run: Run, tmp_path: Path) -> None:
    """`Purchase Date` and `purchase-date` are the same column to the reader: refused too."""
    header = (*HEADER, "Purchase Date")
    result = run("import", str(write(tmp_path, "orders.tsv", report([row()], header))))
    assert result.exit_code == 2, result.output
    assert "orders.tsv:1: header: column 'purchase-date' appears twice (columns 3 and 18)" in \
        result.stderr


def test_report_in_windows_1252_with_an_accented_name(run: Run, db_path: Path,
                                                     tmp_path: Path) -> None:
    rows = [row("302-1234567-1234567", name="Jürgen Weiß", product="Schneidematte für Bastler",
                currency="EUR", channel="Amazon.de", tax="0.00",
                purchase="2026-10-01T22:30:00+00:00", latest="2026-10-12T21:59:59+00:00")]
    path = write(tmp_path, "orders.tsv", report(rows), encoding="cp1252")
    result = ok(run("import", str(path)))
    assert "encoding: Windows-1252" in result.stderr
    found = order(db_path, "302-1234567-1234567")
    assert found is not None
    # 22:30 UTC on 1 October is already 2 October in Berlin.
    assert (found.marketplace, found.purchase_date, found.latest_delivery) == (
        "DE", D("2026-10-02"), D("2026-10-12"))


def test_report_in_shift_jis_cp932(run: Run, db_path: Path, tmp_path: Path) -> None:
    rows = [row("249-1234567-1234567", name="佐藤 健", product="スマホケース 透明",
                currency="JPY", channel="Amazon.co.jp", price="1980", tax="0", shipping="350",
                purchase="2026-10-01T16:10:00+00:00", latest="2026-10-06T14:59:59+00:00")]
    path = write(tmp_path, "orders.tsv", report(rows), encoding="cp932")
    result = ok(run("import", str(path)))
    assert "encoding: Shift-JIS (cp932)" in result.stderr
    found = order(db_path, "249-1234567-1234567")
    assert found is not None
    assert (found.purchase_date, found.latest_delivery, found.total_minor, found.currency) == (
        D("2026-10-02"), D("2026-10-06"), 2330, "JPY")


def test_report_saved_by_excel_as_unicode_text_utf16(run: Run, db_path: Path,
                                                      tmp_path: Path) -> None:
    path = write(tmp_path, "orders.txt", report([row(name="Zoë")], newline="\r\n"),
                 encoding="utf-16")
    result = ok(run("import", str(path)))
    assert "encoding: UTF-16" in result.stderr
    assert order(db_path, "113-4829301-5520913") is not None


def test_encoding_given_with_the_flag_wins(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path, "orders.tsv", report([row(name="Zoë")]), encoding="cp1252")
    result = ok(run("import", str(path), "--encoding", "latin-1"))
    assert "given with --encoding" in result.stderr


@pytest.mark.parametrize(("text", "encoding", "expected"), [
    ("Jürgen Müller", "utf-8", "utf-8"),
    ("Jürgen Müller\tKöln", "cp1252", "cp1252"),
    ("Gérard\t", "cp1252", "cp1252"),
    ("田中\t", "cp932", "cp932"),
    ("スマホケース", "cp932", "cp932"),
])
def test_encoding_guess(text: str, encoding: str, expected: str) -> None:
    assert guess_encoding(text.encode(encoding))[0] == expected


def test_report_product_name_with_a_raw_double_quote(run: Run, db_path: Path,
                                                     tmp_path: Path) -> None:
    rows = [row(item="1", product='Magnetic Car Mount for 6.7" Phones'),
            row("113-1111111-2222222", item="2", product='"Best" cable 10" long')]
    result = ok(run("import", str(write(tmp_path, "orders.tsv", report(rows)))))
    assert "2 added" in result.stdout


def test_report_bad_row_rejects_the_whole_file_and_writes_nothing(
        run: Run, db_path: Path, tmp_path: Path) -> None:
    ok(run("import", str(write(tmp_path, "first.tsv", report([row()])))))
    before = snapshot(db_path)
    rows = [row("113-1111111-2222222", item="1"), row("113-3333333-4444444", item="2",
                                                      purchase="03/10/2026")]
    result = run("import", str(write(tmp_path, "orders.tsv", report(rows))))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: orders.tsv:3: purchase-date: '03/10/2026': ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(db_path) == before
    assert order(db_path, "113-1111111-2222222") is None


@pytest.mark.parametrize(("change", "field"), [
    ({"order-id": "113-12345-1"}, "order-id"),
    # A dot followed by three digits groups thousands in Germany: ambiguous in a USD report.
    ({"item-price": "12.990"}, "item-price"),
    ({"item-price": "12,9999"}, "item-price"),
    ({"currency": "XYZ"}, "currency"),
    ({"sales-channel": "Amazon.zz"}, "sales-channel"),
    ({"latest-delivery-date": "2026-09-01T00:00:00+00:00"}, "latest-delivery-date"),
])
def test_report_bad_values_name_the_line_and_field(run: Run, tmp_path: Path,
                                                   change: dict[str, str], field: str) -> None:
    bad = {**row(), **change}
    result = run("import", str(write(tmp_path, "orders.tsv", report([row("113-1111111-2222222"),
                                                                      bad]))))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: orders.tsv:3: {field}: "), result.stderr


def test_report_amount_with_a_decimal_comma_is_read_where_it_cannot_group(
        run: Run, db_path: Path, tmp_path: Path) -> None:
    """0.2.0 reads amounts as sellers' spreadsheets write them (issue 13): `12,99` can only be
    a decimal comma, `1.234,56` EUR groups by dots, `7,480` JPY groups by a comma."""
    rows = [row("302-1234567-1234567", currency="EUR", channel="Amazon.de", price="1.234,56",
                tax="12,99", purchase="2026-10-01T10:00:00+00:00",
                latest="2026-10-12T10:00:00+00:00"),
            row("249-1234567-1234567", item="2", currency="JPY", channel="Amazon.co.jp",
                price="7,480", tax="0", purchase="2026-10-01T10:00:00+00:00",
                latest="2026-10-06T10:00:00+00:00")]
    ok(run("import", str(write(tmp_path, "orders.tsv", report(rows)))))
    euro, yen = order(db_path, "302-1234567-1234567"), order(db_path, "249-1234567-1234567")
    assert euro is not None and (euro.total_minor, euro.currency) == (124755, "EUR")
    assert yen is not None and (yen.total_minor, yen.currency) == (7480, "JPY")


def test_skip_bad_imports_the_good_rows_and_writes_the_bad_ones(
        run: Run, db_path: Path, tmp_path: Path) -> None:
    rows = [row("113-1111111-2222222", item="1"),
            row("113-3333333-4444444", item="2", price="abc"),
            row("113-5555555-6666666", item="3")]
    rejects = tmp_path / "rejects.tsv"
    result = ok(run("import", str(write(tmp_path, "orders.tsv", report(rows))),
                    "--skip-bad", str(rejects)))
    assert "2 added, 0 updated, 0 unchanged, 1 skipped" in result.stdout
    assert "1 bad row written to" in result.stderr
    lines = rejects.read_text(encoding="utf-8").splitlines()
    assert lines[0].endswith("latest-delivery-date\treject-reason")
    assert lines[1].startswith("113-3333333-4444444\t")
    assert lines[1].endswith("\tline 3: item-price: 'abc': not an amount; write it like 24.99")
    assert stat.S_IMODE(os.stat(rejects).st_mode) == 0o600
    assert order(db_path, "113-3333333-4444444") is None
    assert order(db_path, "113-5555555-6666666") is not None


def test_importing_the_same_file_twice_changes_nothing(run: Run, db_path: Path,
                                                       tmp_path: Path) -> None:
    path = write(tmp_path, "orders.tsv", report([row(item="1"), row(item="2"),
                                                 row("113-1111111-2222222", item="3")]))
    ok(run("import", str(path)))
    before = order(db_path, "113-4829301-5520913")
    result = ok(run("import", str(path)))
    assert "0 added, 0 updated, 2 unchanged, 0 skipped" in result.stdout
    assert order(db_path, "113-4829301-5520913") == before
    again = ok(run("import", str(DATA / "getOrders-v0.json")))
    assert "2 added" in again.stdout
    assert "0 added, 0 updated, 2 unchanged" in ok(run("import",
                                                       str(DATA / "getOrders-v0.json"))).stdout


def test_a_file_without_a_value_does_not_erase_a_known_one(run: Run, db_path: Path,
                                                          tmp_path: Path) -> None:
    ok(run("import", str(write(tmp_path, "orders.tsv", report([row()])))))
    # The All Orders report has no delivery promise column.
    header = tuple(c for c in HEADER if c != "latest-delivery-date") + ("order-status",)
    text = report([row(**{"order-status": "Shipped"})], header)
    result = ok(run("import", str(write(tmp_path, "all-orders.txt", text))))
    assert "0 added, 1 updated" in result.stdout
    found = order(db_path, "113-4829301-5520913")
    assert found is not None
    assert (found.latest_delivery, found.order_status) == (D("2026-10-13"), "shipped")


def test_repeated_identical_rows_count_once(run: Run, db_path: Path, tmp_path: Path) -> None:
    result = ok(run("import", str(write(tmp_path, "orders.tsv", report([row(), row()])))))
    assert "1 repeated rows" in result.stderr
    found = order(db_path, "113-4829301-5520913")
    assert found is not None and found.total_minor == 2680


def test_one_order_in_two_currencies_is_refused(run: Run, tmp_path: Path) -> None:
    rows = [row(item="1"), row("113-1111111-2222222", item="2"),
            row(item="3", currency="CAD")]
    result = run("import", str(write(tmp_path, "orders.tsv", report(rows))))
    assert result.exit_code == 2
    assert "orders.tsv:4: currency: 'CAD': order 113-4829301-5520913 is USD on line 2" in (
        result.stderr)


def test_multi_channel_rows_are_left_out(run: Run, db_path: Path, tmp_path: Path) -> None:
    rows = [row(), row("MCF-7781", item="2", channel="Non-Amazon")]
    result = ok(run("import", str(write(tmp_path, "orders.tsv", report(rows)))))
    assert "1 added, 0 updated, 0 unchanged, 1 skipped" in result.stdout
    assert "Multi-Channel Fulfillment" in result.stderr


class Recorder:
    """A Progress that keeps what it is told, and can run a probe on every advance."""

    def __init__(self, probe: Callable[[str], None] | None = None) -> None:
        self.phases: list[tuple[str, int | None]] = []
        self.done: dict[str, int] = {}
        self.probe = probe

    def phase(self, name: str, total: int | None = None, unit: str = "rows") -> None:
        self.phases.append((name, total))
        self.done[name] = 0

    def advance(self, count: int = 1) -> None:
        name = self.phases[-1][0]
        self.done[name] += count
        if self.probe is not None:
            self.probe(name)


def test_a_long_report_reports_progress_across_every_phase(tmp_path: Path, db_path: Path) -> None:
    rows = [row(f"113-{n:07d}-1234567", item=str(n)) for n in range(12_000)]
    path = write(tmp_path, "orders.tsv", report(rows))
    seen = Recorder()
    store = Store.open_write(db_path)
    try:
        result = import_report(store, path, import_options(path, progress=seen))
    finally:
        store.close()
    assert result.added == 12_000
    assert [name for name, _ in seen.phases] == ["reading orders", "checking orders",
                                                 "writing orders"]
    assert seen.done["reading orders"] == 12_000
    # The last phase knows its total, and the bar ends full.
    assert seen.phases[-1] == ("writing orders", 12_000)
    assert seen.done["writing orders"] == 12_000


def test_a_report_is_staged_outside_the_write_lock(tmp_path: Path, db_path: Path) -> None:
    """Issue 12 item 14: another command can write while a long report is read and checked; the
    lock is taken only for the final merge."""
    rows = [row(f"113-{n:07d}-1234567", item=str(n)) for n in range(6_000)]
    path = write(tmp_path, "orders.tsv", report(rows))
    writable: dict[str, list[bool]] = {}

    def probe(phase: str) -> None:
        other = sqlite3.connect(db_path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            writable.setdefault(phase, []).append(True)
        except sqlite3.OperationalError as exc:
            assert "locked" in str(exc)
            writable.setdefault(phase, []).append(False)
        finally:
            other.close()

    store = Store.open_write(db_path)
    try:
        import_report(store, path, import_options(path, progress=Recorder(probe)))
    finally:
        store.close()
    assert writable["reading orders"] and all(writable["reading orders"])
    # The probe does see a held lock: the merge writes inside one write transaction.
    assert writable["writing orders"] and not any(writable["writing orders"])


def test_the_sample_orders_hold_every_sample_claims_order(run: Run, db_path: Path) -> None:
    for name in ("orders.tsv", "orders-v0.json", "orders-2026.json"):
        ok(run("import", str(SAMPLE / name)))
    ok(run("import", str(SAMPLE / "claims.csv"), "--today", "2026-11-28"))
    store = Store.open_read(db_path)
    try:
        assert store.counts()["orders"] >= 200
        claims = store.claims()
        assert claims
        for claim in claims:
            found = store.order(claim.order_id)
            assert found is not None, claim.order_id
            assert (found.purchase_date, found.latest_delivery, found.marketplace) == (
                claim.facts.order_date, claim.facts.latest_delivery, claim.marketplace)
    finally:
        store.close()


# --- look-alike digits in order ids (issue 12 item 5) ---------------------------------------------
FULL_WIDTH = "１１３-４８２９３０１-５５２０９１３"  # what a Chinese or Japanese keyboard types
ARABIC_INDIC = "113-4829301-552091٣"  # \u0663: a digit to `\d`, not to Amazon


def test_report_order_id_in_full_width_digits_is_the_same_order(
        run: Run, db_path: Path, tmp_path: Path) -> None:
    ok(run("import", str(write(tmp_path, "orders.tsv", report([row()])))))
    result = ok(run("import", str(write(tmp_path, "wide.tsv", report([row(FULL_WIDTH)])))))
    assert "0 added, 0 updated, 1 unchanged" in result.stdout
    assert order(db_path, "113-4829301-5520913") is not None


@pytest.mark.parametrize("kind", ["order-report", "orders-v0", "orders-2026"])
def test_order_ids_with_other_digits_are_refused_in_every_order_file(
        run: Run, db_path: Path, tmp_path: Path, kind: str) -> None:
    if kind == "order-report":
        path = write(tmp_path, "orders.tsv", report([row("113-1111111-2222222"),
                                                     row(ARABIC_INDIC)]))
        field, line = "order-id", 3
    else:
        payload = json.loads((DATA / ("getOrders-v0.json" if kind == "orders-v0" else
                                      "searchOrders-2026.json")).read_text())
        records = payload["payload"]["Orders"] if kind == "orders-v0" else payload["orders"]
        field = "AmazonOrderId" if kind == "orders-v0" else "orderId"
        records[0][field] = ARABIC_INDIC
        text = json.dumps(payload, indent=2, ensure_ascii=False)
        path = write(tmp_path, "orders.json", text)
        line = next(n for n, t in enumerate(text.splitlines(), 1) if ARABIC_INDIC in t)
    before = snapshot(db_path)
    result = run("import", str(path))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Error: {path.name}:{line}: {field}: "), result.stderr
    assert "digits other than 0-9" in result.stderr
    assert snapshot(db_path) == before


def test_finance_event_order_id_with_other_digits_is_refused_and_full_width_matches(
        run: Run, run_json: RunJson, db_path: Path, tmp_path: Path) -> None:
    ok(run("add", "113-4829301-5520913", "--order-date", "2026-10-01", "--latest-delivery",
           "2026-10-13", "--claim-date", "2026-10-20", "--amount", "24.99"))
    before = snapshot(db_path)
    text = json.dumps(finance([event(ARABIC_INDIC, "2026-11-04T03:15:00Z")]), indent=2,
                      ensure_ascii=False)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if ARABIC_INDIC in t)
    result = run("import", str(write(tmp_path, "finance.json", text)), "--today", "2026-11-05")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Error: finance.json:{line}: AmazonOrderId: ")
    assert "digits other than 0-9" in result.stderr
    assert snapshot(db_path) == before
    wide = write(tmp_path, "wide.json", json.dumps(finance(
        [event(FULL_WIDTH, "2026-11-04T03:15:00Z")]), ensure_ascii=False))
    result = ok(run("import", str(wide), "--today", "2026-11-05"))
    assert "0 added, 1 updated" in result.stdout  # the claim already recorded, not a new one
    assert [c["claim_id"] for c in run_json("list", "--all")] == [1]


# --- atoz add ORDER_ID alone ----------------------------------------------------------------------
def test_add_by_order_id_alone_after_an_import(run: Run, run_json: RunJson,
                                               tmp_path: Path) -> None:
    ok(run("import", str(write(tmp_path, "orders.tsv", report([row()])))))
    result = ok(run("add", "113-4829301-5520913", "--today", "2026-11-02"))
    assert "order_date 2026-10-01 from imported order (orders.tsv)" in result.stdout
    assert "latest_delivery 2026-10-13 from imported order (orders.tsv)" in result.stdout
    assert "amount 26.80 from imported order (orders.tsv)" in result.stdout
    shown = run_json("status", "1")
    assert (shown["order_date"], shown["latest_delivery"], shown["amount"],
            shown["amount_minor"], shown["currency"], shown["marketplace"]) == (
        "2026-10-01", "2026-10-13", "26.80", 2680, "USD", "US")


def test_add_options_given_win_over_the_imported_order(run: Run, tmp_path: Path) -> None:
    ok(run("import", str(write(tmp_path, "orders.tsv", report([row()])))))
    result = ok(run("add", "113-4829301-5520913", "--amount", "10.00", "--today", "2026-11-02",
                    "--json"))
    shown = json.loads(result.stdout)
    assert (shown["amount"], shown["amount_minor"]) == ("10.00", 1000)
    assert "amount" not in shown["filled_from"] and "order_date" in shown["filled_from"]


def test_add_for_an_order_without_a_delivery_promise_says_so(run: Run) -> None:
    ok(run("import", str(DATA / "getOrders-v0.json")))
    result = run("add", "112-0000002-0000002", "--today", "2026-02-10")
    assert result.exit_code == 2
    assert "no delivery promise" in result.stderr and "--latest-delivery" in result.stderr
    ok(run("add", "112-0000002-0000002", "--latest-delivery", "2026-01-09", "--today",
           "2026-02-10"))


def test_report_promise_date_is_a_ship_by_date_never_a_delivery_promise(
        run: Run, db_path: Path, tmp_path: Path) -> None:
    """Issue 11 item 4: in the Unshipped Orders report promise-date is the ship-by date; taken
    as the latest delivery it closed the window early. The order imports without a promise,
    the import says so, and `add` asks for the delivery date."""
    header = ("order-id", "purchase-date", "promise-date", "sales-channel", "item-price")
    text = report([{"order-id": "113-4829301-5520913", "purchase-date": "2026-10-01T18:04:11Z",
                    "promise-date": "2026-10-09T06:59:59Z", "sales-channel": "Amazon.com",
                    "item-price": "9.99"}], header)
    result = ok(run("import", str(write(tmp_path, "unshipped.txt", text))))
    assert "order-report: 1 added, 0 updated, 0 unchanged, 0 skipped" in result.stdout
    assert ("1 rows have a promise-date but no latest-delivery-date: promise-date is the "
            "ship-by date, not a delivery date, so those orders have no delivery promise"
            ) in result.stderr
    assert "--latest-delivery" in result.stderr
    found = order(db_path, "113-4829301-5520913")
    assert found is not None
    assert (found.purchase_date, found.latest_delivery, found.total_minor) == (
        D("2026-10-01"), None, 999)
    refused = run("add", "113-4829301-5520913", "--today", "2026-11-02")
    assert refused.exit_code == 2
    assert "no delivery promise" in refused.stderr


def test_report_with_both_dates_takes_the_delivery_date_not_the_promise_date(
        run: Run, db_path: Path, tmp_path: Path) -> None:
    header = (*HEADER, "promise-date")
    text = report([row(**{"promise-date": "2026-10-03T06:59:59+00:00"})], header)
    result = ok(run("import", str(write(tmp_path, "orders.tsv", text))))
    assert "promise-date" not in result.stderr
    found = order(db_path, "113-4829301-5520913")
    assert found is not None and found.latest_delivery == D("2026-10-13")


# --- finance events -------------------------------------------------------------------------------
def event(order_id: str, posted: str, amount: float = -24.99,
          market: str | None = "Amazon.com") -> dict[str, Any]:
    found: dict[str, Any] = {"AmazonOrderId": order_id, "PostedDate": posted,
                             "ShipmentItemAdjustmentList": [{
                                 "SellerSKU": "SKU-1", "QuantityShipped": 1,
                                 "ItemChargeAdjustmentList": [{
                                     "ChargeType": "Principal",
                                     "ChargeAmount": {"CurrencyCode": "USD",
                                                      "CurrencyAmount": amount}}]}]}
    if market:
        found["MarketplaceName"] = market
    return found


def finance(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {"payload": {"FinancialEvents": {"ShipmentEventList": [], "RefundEventList": [],
                                            "GuaranteeClaimEventList": events}}}


def test_finance_event_records_the_debit_and_grants_the_claim_with_an_appeal(
        run: Run, run_json: RunJson, tmp_path: Path) -> None:
    ok(run("add", "113-4829301-5520913", "--order-date", "2026-10-01", "--latest-delivery",
           "2026-10-13", "--claim-date", "2026-10-20", "--amount", "24.99"))
    ok(run("add", "113-1111111-2222222", "--order-date", "2026-10-01", "--latest-delivery",
           "2026-10-13", "--claim-date", "2026-10-21"))
    # 03:15 UTC on 4 November is still 3 November in Los Angeles.
    path = write(tmp_path, "finance.json", json.dumps(finance(
        [event("113-4829301-5520913", "2026-11-04T03:15:00Z")])))
    result = ok(run("import", str(path), "--today", "2026-11-05"))
    assert "finance-events: 0 added, 1 updated, 0 unchanged, 0 skipped" in result.stdout
    assert "appeal by 2026-12-03" in result.stderr
    claim = run_json("status", "1")
    assert (claim["outcome"], claim["decided_on"], claim["payer"], claim["odr"]) == (
        "granted-seller-funded", "2026-11-03", "seller", "counted")
    assert (claim["debited_amount"], claim["debited_amount_minor"], claim["debited_on"]) == (
        "24.99", 2499, "2026-11-03")
    assert claim["appeal_until"] == "2026-12-03"
    appeal = [s for s in claim["steps"] if s["step"] == "appeal"]
    # Open until the end of 3 December in the marketplace's zone (Pacific time).
    assert appeal and appeal[0]["state"] == "open"
    assert appeal[0]["deadline"] == "2026-12-04T00:00:00-08:00"
    assert [h["kind"] for h in claim["history"]] == ["status", "debit", "status"]
    assert run_json("status", "2")["outcome"] == "under-review"
    again = ok(run("import", str(path), "--today", "2026-11-05"))
    assert "0 added, 0 updated, 1 unchanged, 0 skipped" in again.stdout
    assert run_json("status", "1")["history"] == claim["history"]


def test_finance_event_on_a_decided_claim_keeps_its_outcome_and_odr_choice(
        run: Run, run_json: RunJson, tmp_path: Path) -> None:
    """Issue 11 item 3: a debit is a money fact; it never overwrites the seller's ODR choice."""
    ok(run("add", "113-4829301-5520913", "--order-date", "2026-10-01", "--latest-delivery",
           "2026-10-13", "--claim-date", "2026-10-20", "--amount", "24.99"))
    ok(run("status", "1", "granted-seller-funded", "--on", "2026-10-30", "--odr", "not-counted",
           "--today", "2026-11-01"))
    path = write(tmp_path, "finance.json", json.dumps(finance(
        [event("113-4829301-5520913", "2026-11-04T03:15:00Z")])))
    result = ok(run("import", str(path), "--today", "2026-11-05"))
    assert "0 added, 1 updated" in result.stdout
    assert "ODR not-counted) kept" in result.stderr
    claim = run_json("status", "1")
    assert (claim["outcome"], claim["decided_on"], claim["odr"]) == (
        "granted-seller-funded", "2026-10-30", "not-counted")
    assert (claim["debited_amount_minor"], claim["debited_on"]) == (2499, "2026-11-03")


def test_finance_event_without_a_claim_creates_one_even_without_the_order(
        run: Run, run_json: RunJson, tmp_path: Path) -> None:
    ok(run("import", str(write(tmp_path, "orders.tsv", report([row()])))))
    path = write(tmp_path, "finance.json", json.dumps(finance(
        [event("113-4829301-5520913", "2026-11-06T20:00:00Z", amount=-26.8),
         event("113-9999999-9999999", "2026-11-06T20:00:00Z")])))
    result = ok(run("import", str(path), "--today", "2026-11-07"))
    assert "2 added, 0 updated, 0 unchanged, 0 skipped" in result.stdout
    assert ("claim 2 (order 113-9999999-9999999) created from the finance data: granted, seller "
            "funded on 2026-11-06; appeal by 2026-12-06; its order dates are unknown"
            ) in result.stderr
    claim = run_json("status", "113-4829301-5520913")
    assert (claim["source"], claim["outcome"], claim["claim_date"], claim["claim_date_known"],
            claim["amount"]) == ("finance", "granted-seller-funded", "2026-11-06", False,
                                 "26.80")
    assert (claim["order_date"], claim["latest_delivery"]) == ("2026-10-01", "2026-10-13")
    unknown = run_json("status", "113-9999999-9999999")
    assert (unknown["source"], unknown["outcome"], unknown["amount"], unknown["order_date"],
            unknown["latest_delivery"], unknown["window"]) == (
        "finance", "granted-seller-funded", "24.99", None, None, None)
    again = ok(run("import", str(path), "--today", "2026-11-07"))
    assert "0 added, 0 updated, 2 unchanged, 0 skipped" in again.stdout


def test_finance_event_without_a_claim_order_or_marketplace_needs_the_flag(
        run: Run, run_json: RunJson, tmp_path: Path) -> None:
    path = write(tmp_path, "finance.json", json.dumps(finance(
        [event("113-9999999-9999999", "2026-11-06T20:00:00Z", market=None)]), indent=2))
    result = run("import", str(path), "--today", "2026-11-07")
    assert result.exit_code == 2
    assert "finance.json:" in result.stderr and "MarketplaceName" in result.stderr
    assert "--marketplace" in result.stderr
    ok(run("import", str(path), "--today", "2026-11-07", "--marketplace", "US"))
    assert run_json("status", "1")["marketplace"] == "US"


def test_finance_event_matches_the_latest_claim_filed_before_it(
        run: Run, run_json: RunJson, tmp_path: Path) -> None:
    base = ("--order-date", "2026-09-01", "--latest-delivery", "2026-09-12")
    ok(run("add", "113-4829301-5520913", *base, "--claim-date", "2026-09-20"))
    ok(run("status", "1", "withdrawn", "--on", "2026-09-22", "--today", "2026-09-25"))
    ok(run("add", "113-4829301-5520913", *base, "--claim-date", "2026-10-20"))
    path = write(tmp_path, "finance.json", json.dumps(finance(
        [event("113-4829301-5520913", "2026-10-30T18:00:00Z", market=None)])))
    ok(run("import", str(path), "--today", "2026-11-01"))
    first, second = run_json("status", "1"), run_json("status", "2")
    assert (first["outcome"], first["debited_on"]) == ("withdrawn", None)
    assert (second["outcome"], second["debited_on"]) == ("granted-seller-funded", "2026-10-30")


def test_finance_bad_event_rejects_the_file(run: Run, db_path: Path, tmp_path: Path) -> None:
    ok(run("add", "113-4829301-5520913", "--order-date", "2026-10-01", "--latest-delivery",
           "2026-10-13", "--claim-date", "2026-10-20"))
    before = snapshot(db_path)
    path = write(tmp_path, "finance.json", json.dumps(finance(
        [event("113-4829301-5520913", "2026-11-04T03:15:00Z"),
         event("113-4829301-5520913", "yesterday-ish")]), indent=2))
    result = run("import", str(path), "--today", "2026-11-05")
    assert result.exit_code == 2
    assert "finance.json:" in result.stderr and "PostedDate: 'yesterday-ish'" in result.stderr
    assert snapshot(db_path) == before


def test_skip_bad_on_an_api_file_writes_json_lines(run: Run, db_path: Path,
                                                   tmp_path: Path) -> None:
    payload = json.loads((DATA / "getOrders-v0.json").read_text())
    payload["payload"]["Orders"][1]["PurchaseDate"] = "sometime"
    path = write(tmp_path, "orders.json", json.dumps(payload, indent=2))
    rejects = tmp_path / "rejects.jsonl"
    result = ok(run("import", str(path), "--skip-bad", str(rejects)))
    assert "1 added, 0 updated, 0 unchanged, 1 skipped" in result.stdout
    bad = json.loads(rejects.read_text(encoding="utf-8"))
    assert bad["record"]["AmazonOrderId"] == "112-0000002-0000002"
    assert bad["reason"].startswith(f"line {bad['line']}: PurchaseDate: 'sometime': ")


def test_claims_filed_after_their_finance_events_complete_those_claims_not_duplicate_them(
        run: Run, run_json: RunJson, db_path: Path) -> None:
    # The sample CSV has a claim filed 2026-11-18 08:15 (UK time): import after it.
    for name in ("orders.tsv", "finance-events.json", "claims.csv"):
        ok(run("import", str(SAMPLE / name), "--now", "2026-11-18 23:00"))
    claims = run_json("list", "--all")
    csv_rows = (SAMPLE / "claims.csv").read_text(encoding="utf-8").splitlines()[1:]
    csv_orders = {line.split(",")[0] for line in csv_rows}
    finance_data = json.loads((SAMPLE / "finance-events.json").read_text())
    debited = {e["AmazonOrderId"] for e in
               finance_data["payload"]["FinancialEvents"]["GuaranteeClaimEventList"]}
    # Every CSV row is one claim; a finance event adds one only for an order the CSV lacks.
    assert len(claims) == len(csv_rows) + len(debited - csv_orders)
    per_order = Counter(c["order_id"] for c in claims)
    assert per_order == Counter(line.split(",")[0] for line in csv_rows) + Counter(
        debited - csv_orders)
    for claim in claims:
        if claim["order_id"] in debited & csv_orders:
            # Completed: the real filing date from the CSV, and the grant from the debit.
            assert (claim["source"], claim["claim_date_known"]) == ("csv", True), claim
            assert claim["claim_date"] < "2026-11-18"
        elif claim["order_id"] in debited:
            assert (claim["source"], claim["claim_date_known"], claim["outcome"]) == (
                "finance", False, "granted-seller-funded"), claim
    assert all(c.facts.claim_date_known for c in all_claims(db_path)
               if c.order_id in csv_orders)


def test_add_after_a_finance_event_completes_the_finance_claim(
        run: Run, run_json: RunJson) -> None:
    ok(run("import", str(SAMPLE / "orders.tsv")))
    ok(run("import", str(SAMPLE / "finance-events.json"), "--today", "2026-11-28"))
    finance_claim = next(c for c in run_json("list", "--all")
                         if c["outcome"] == "granted-seller-funded" and c["order_date"])
    filed = (D(finance_claim["order_date"]) + dt.timedelta(days=12)).isoformat()
    result = ok(run("add", finance_claim["order_id"], "--claim-date", filed, "--buyer",
                    "Ann Lee", "--today", "2026-11-28"))
    assert (f"already had claim {finance_claim['claim_id']}, from Amazon's finance data; "
            "completed it instead of adding another") in result.stdout
    assert f"claim_date: {finance_claim['claim_date']} -> {filed}" in result.stdout
    again = [c for c in run_json("list", "--all") if c["order_id"] == finance_claim["order_id"]]
    assert len(again) == 1
    assert (again[0]["claim_date"], again[0]["claim_date_known"], again[0]["buyer"],
            again[0]["outcome"]) == (filed, True, "Ann Lee", "granted-seller-funded")


@pytest.mark.parametrize("outcome", ["denied", "withdrawn", "granted-amazon-funded"])
def test_finance_event_on_a_claim_recorded_as_not_paid_counts_the_money_and_says_so(
        run: Run, run_json: RunJson, tmp_path: Path, outcome: str) -> None:
    """Issue 11: a debit is the seller's money, whatever the decision recorded said; it used to
    be stored but never counted (money lost and the win rate read payer=seller only)."""
    ok(run("add", "113-4829301-5520913", "--order-date", "2026-10-01", "--latest-delivery",
           "2026-10-13", "--claim-date", "2026-10-20", "--amount", "24.99"))
    ok(run("status", "1", outcome, "--on", "2026-10-29", "--today", "2026-11-01"))
    odr = run_json("status", "1")["odr"]
    path = write(tmp_path, "finance.json", json.dumps(finance(
        [event("113-4829301-5520913", "2026-11-04T03:15:00Z")])))
    result = ok(run("import", str(path), "--today", "2026-11-05"))
    assert "0 added, 1 updated" in result.stdout
    assert (f"claim 1 (order 113-4829301-5520913) was recorded as {outcome} on 2026-10-29; "
            f"Amazon debited you 24.99 USD on 2026-11-03: counted as money you paid (ODR {odr} "
            "kept). If Amazon granted it after all, record it: atoz status 1 "
            "granted-seller-funded --on 2026-11-03") in result.stderr
    claim = run_json("status", "1")
    assert (claim["outcome"], claim["payer"], claim["odr"], claim["debited_amount"]) == (
        outcome, "seller", odr, "24.99")
    report = run_json("report", "--today", "2026-11-05")
    assert report["lost_all_time"] == [{"amount": "24.99", "amount_minor": 2499,
                                        "currency": "USD"}]
    assert (report["win_rate_all_time"]["won"], report["win_rate_all_time"]["decided"]) == (0, 1)
    # Recording the grant the debit points to is not refused as older than the decision.
    ok(run("status", "1", "granted-seller-funded", "--on", "2026-11-03", "--today", "2026-11-05"))
    assert run_json("status", "1")["appeal_until"] == "2026-12-03"

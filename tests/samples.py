"""One small valid file of each kind atoz imports, built so a test can break one thing in it,
and what the bad-input and fuzz tests share: the seeded database and the check of a refusal.

The bad-input table and the fuzz tests start from these samples: a case changes one field of a
valid sample, so the error it expects is the one it means to test, not some other problem.
"""

from __future__ import annotations

import json
import traceback
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from atoz.cli import app
from atoz.imports.claims_file import COLUMNS
from tests.helpers import ADD

SEEDED_ORDER = "114-7654321-7654321"

# --- atoz's claims CSV --------------------------------------------------------------------------
CLAIMS_HEADER = ",".join(COLUMNS)
_CLAIM = {"order_id": "115-1111111-1111111", "order_date": "2026-10-01",
          "latest_delivery": "2026-10-09", "claim_date": "2026-10-20", "amount": "24.99",
          "currency": "USD", "reason": "not-received", "marketplace": "US", "buyer": "Dana Ortiz",
          "status": "", "decided_on": "", "note": "tracking shows delivered"}


def claim_row(**changes: str) -> str:
    """One CSV line (already quoted where a value needs it)."""
    values = {**_CLAIM, **changes}
    return ",".join(values[name] for name in COLUMNS)


def claims_csv(*rows: str, header: str = CLAIMS_HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


# --- Amazon's flat-file order report (tab-separated) -------------------------------------------
REPORT_HEADER = ("order-id", "order-item-id", "purchase-date", "currency", "item-price",
                 "sales-channel", "latest-delivery-date", "buyer-name")
_REPORT_ROW = {"order-id": "116-2222222-2222222", "order-item-id": "11111111111111",
               "purchase-date": "2026-10-01T18:04:11+00:00", "currency": "USD",
               "item-price": "24.99", "sales-channel": "Amazon.com",
               "latest-delivery-date": "2026-10-14T06:59:59+00:00", "buyer-name": "Dana Ortiz"}


def report_row(**changes: str) -> str:
    """One report line; keyword names use `_` for the header's `-` (purchase_date=...)."""
    values = {**_REPORT_ROW, **{k.replace("_", "-"): v for k, v in changes.items()}}
    return "\t".join(values[name] for name in REPORT_HEADER)


def report(*rows: str, header: tuple[str, ...] = REPORT_HEADER) -> bytes:
    return ("\n".join(["\t".join(header), *rows]) + "\n").encode("utf-8")


# --- SP-API getOrders (Orders v0) ---------------------------------------------------------------
def v0_order(**changes: Any) -> dict[str, Any]:
    return {"AmazonOrderId": "117-3333333-3333333", "PurchaseDate": "2026-10-01T10:22:31Z",
            "LatestDeliveryDate": "2026-10-14T07:59:59Z", "OrderStatus": "Shipped",
            "FulfillmentChannel": "MFN", "SalesChannel": "Amazon.com",
            "MarketplaceId": "ATVPDKIKX0DER",
            "OrderTotal": {"CurrencyCode": "USD", "Amount": "24.99"}, **changes}


def v0(*orders: Any) -> bytes:
    return json.dumps({"payload": {"Orders": list(orders)}}, indent=2).encode("utf-8")


# --- SP-API searchOrders (Orders 2026-01-01) ----------------------------------------------------
def v2026_order(**changes: Any) -> dict[str, Any]:
    return {"orderId": "118-4444444-4444444", "createdTime": "2026-10-01T10:22:31Z",
            "salesChannel": {"marketplaceId": "ATVPDKIKX0DER", "marketplaceName": "Amazon.com"},
            "proceeds": {"grandTotal": {"amount": "24.99", "currencyCode": "USD"}},
            "fulfillment": {"fulfillmentStatus": "SHIPPED", "fulfilledBy": "MERCHANT",
                            "deliverByWindow": {"latestDateTime": "2026-10-14T07:59:59Z"}},
            **changes}


def v2026(*orders: Any) -> bytes:
    return json.dumps({"orders": list(orders)}, indent=2).encode("utf-8")


# --- Finances API: guarantee claim events ------------------------------------------------------
# The event names the order of the claim the tests seed (tests.helpers.ADD).
def finance_event(**changes: Any) -> dict[str, Any]:
    return {"AmazonOrderId": "113-1234567-1234567", "MarketplaceName": "Amazon.com",
            "PostedDate": "2026-10-30T12:05:00Z",
            "ShipmentItemAdjustmentList": [{"ItemChargeAdjustmentList": [
                {"ChargeType": "Principal",
                 "ChargeAmount": {"CurrencyCode": "USD", "CurrencyAmount": -24.99}}]}],
            **changes}


def finance(*events: Any) -> bytes:
    return json.dumps({"payload": {"FinancialEvents": {"GuaranteeClaimEventList": list(events)}}},
                      indent=2).encode("utf-8")


# --- atoz's own JSON export --------------------------------------------------------------------
def export_claim(**changes: Any) -> dict[str, Any]:
    return {"id": 1, "order_id": "119-5555555-5555555", "marketplace": "US",
            "order_date": "2026-10-01", "latest_delivery": "2026-10-09",
            "claim_date": "2026-10-20", "claim_time": None, "amount": "24.99", "currency": "USD",
            "reason": "other", "buyer": None, "note": None, "source": "manual",
            "status": "under-review", "status_on": "2026-10-20",
            "created_at": "2026-10-20T10:00:00+00:00",
            "history": [{"kind": "status", "status": "under-review", "step": None,
                         "on_date": "2026-10-20", "note": "claim filed", "detail": None,
                         "recorded_at": "2026-10-20T10:00:00+00:00"}],
            **changes}


def export(*claims: Any) -> bytes:
    return json.dumps({"atoz_export": {"version": 1, "exported_at": "2026-10-21T00:00:00+00:00"},
                       "claims": list(claims)}, indent=2).encode("utf-8")


# Every kind with its valid sample: (kind, file name, content).
VALID: list[tuple[str, str, bytes]] = [
    ("claims-csv", "claims.csv", claims_csv(claim_row())),
    ("claims-json", "export.json", export(export_claim())),
    ("order-report", "orders.tsv", report(report_row())),
    ("orders-v0", "orders-v0.json", v0(v0_order())),
    ("orders-2026", "orders-2026.json", v2026(v2026_order())),
    ("finance-events", "events.json", finance(finance_event())),
]


def make_seed(folder: Path) -> Path:
    """A database with one open claim (tests.helpers.ADD, filed 2026-10-20) and one imported
    order (SEEDED_ORDER), so that "unchanged" means something."""
    db = folder / "atoz.db"
    orders = folder / "seed-orders.tsv"
    orders.write_bytes(report(report_row(order_id=SEEDED_ORDER)))
    runner = CliRunner()
    for args in (ADD, ("import", str(orders))):
        result = runner.invoke(app, [*args, "--db", str(db)])
        assert result.exit_code == 0, result.output
    return db


def check_refused(result: Result, code: int = 2) -> str:
    """The run failed as a user mistake should: `code`, exactly one `Error: ` line on stderr,
    no traceback, no huge value echoed whole. Returns the line."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError("".join(traceback.format_exception(result.exception)))
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.exit_code == code, output[:2000]
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr[:2000]
    assert len(lines[0]) < 2000, "a huge value is echoed whole"
    return lines[0]

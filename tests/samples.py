"""One small valid file of each kind atoz imports, built so a test can break one thing in it,
and what the bad-input and fuzz tests share: the seeded database and the check of a refusal.

The bad-input table and the fuzz tests start from these samples: a case changes one field of a
valid sample, so the error it expects is the one it means to test, not some other problem.
"""

from __future__ import annotations

import hashlib
import json
import traceback
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from atoz.cli.app import app
from atoz.imports.claims_rows import ALIASES, COLUMNS
from tests.helpers import ADD

SEEDED_ORDER = "114-7654321-7654321"

# --- atoz's claims CSV --------------------------------------------------------------------------
CLAIMS_HEADER = ",".join(COLUMNS)
_CLAIM = {"order_id": "115-1111111-1111111", "order_date": "2026-10-01",
          "latest_delivery": "2026-10-09", "delivered_on": "", "claim_date": "2026-10-20",
          "amount": "24.99", "currency": "USD", "reason": "not-received", "marketplace": "US",
          "buyer": "Dana Ortiz", "outcome": "", "decided_on": "", "paid_by": "", "odr": "",
          "note": "tracking shows delivered", "steps_recorded": "", "debited_amount": "",
          "debited_on": ""}


def claim_row(**changes: str) -> str:
    """One CSV line (already quoted where a value needs it); 0.1.0's column names (`status`)
    are read as the importer reads them."""
    values = {**_CLAIM, **{ALIASES.get(k, k): v for k, v in changes.items()}}
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
# Version 1, as atoz 0.1.0 wrote it (`id`, `status`, `status_on`, history `status`/`on_date`):
# sellers' backups in that form must keep restoring.
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


# Version 2, as atoz 0.2.0 writes it: `claim_id`, `outcome`, history `outcome`/`on`, and the
# imported orders and the seller's local rules beside the claims. Computed keys are left out:
# a restore recomputes them.
def export2_claim(**changes: Any) -> dict[str, Any]:
    return {"claim_id": 1, "order_id": "119-5555555-5555555", "marketplace": "US",
            "outcome": "under-review", "claim_date": "2026-10-20", "claim_time": None,
            "claim_date_known": True, "order_date": "2026-10-01",
            "latest_delivery": "2026-10-09", "delivered_on": None, "amount": "24.99",
            "amount_minor": 2499, "currency": "USD", "reason": "other", "buyer": None,
            "source": "manual", "note": None, "created_at": "2026-10-20T10:00:00+00:00",
            "history": [{"kind": "status", "on": "2026-10-20", "outcome": "under-review",
                         "step": None, "note": "claim filed", "detail": None,
                         "recorded_at": "2026-10-20T10:00:00+00:00"}],
            **changes}


def export2_order(**changes: Any) -> dict[str, Any]:
    return {"order_id": "119-6666666-6666666", "purchase_date": "2026-10-01",
            "latest_delivery": "2026-10-13", "marketplace": "US", "fulfillment_channel": "MFN",
            "order_status": None, "amount": "24.99", "amount_minor": 2499, "currency": "USD",
            "source_file": "orders.tsv", **changes}


def export2_rule(**changes: Any) -> dict[str, Any]:
    return {"marketplace": "US", "rule": "response_hours", "value": 48,
            "source": "https://sellercentral.amazon.com/gp/help/external/G1781",
            "effective_from": "2026-12-01", "recorded_at": "2026-10-20T10:00:00+00:00",
            **changes}


def export2(claims: list[Any], orders: list[Any] | None = None,
            rules: list[Any] | None = None) -> bytes:
    return json.dumps({"atoz_export": {"version": 2, "exported_at": "2026-10-21T00:00:00+00:00",
                                       "atoz": "0.2.0"},
                       "policy_rules": rules or [], "messages": [], "orders": orders or [],
                       "claims": claims}, indent=2).encode("utf-8")


# --- Amazon's claim e-mail (a new claim, as amazon.com sends it) --------------------------------
def email(**headers: str) -> bytes:
    """A US "claim received" notice; `headers` replace or add header lines (`Message_ID=`
    for `Message-ID`)."""
    fields = {"Date": "Tue, 24 Nov 2026 14:30:05 -0800",
              "From": '"Amazon A-to-z Guarantee" <atoz-guarantee-no-reply@amazon.com>',
              "To": "kim@shop.example",
              "Subject": "Claim received on order 122-8888888-8888888",
              "Message-ID": "<fuzz-sample-1@atoz-samples.invalid>", "MIME-Version": "1.0",
              "X-Space-Notification-Type": "A_Z_CLAIM_RESPONDENT_NOTIFY",
              "Content-Type": "text/plain; charset=UTF-8",
              **{k.replace("_", "-"): v for k, v in headers.items()}}
    head = "".join(f"{name}: {value}\n" for name, value in fields.items())
    body = ("\nHello,\n\nWe received an A-to-z Guarantee claim of $24.99 on the order "
            "122-8888888-8888888.\n\nA sample message written for atoz's tests.\n")
    return (head + body).encode("utf-8")


# Every kind with its valid sample: (kind, file name, content).
VALID: list[tuple[str, str, bytes]] = [
    ("claims-csv", "claims.csv", claims_csv(claim_row())),
    ("claims-json", "export.json", export(export_claim())),
    ("claims-json", "export-v2.json", export2([export2_claim()], [export2_order()],
                                              [export2_rule()])),
    ("order-report", "orders.tsv", report(report_row())),
    ("orders-v0", "orders-v0.json", v0(v0_order())),
    ("orders-2026", "orders-2026.json", v2026(v2026_order())),
    ("finance-events", "events.json", finance(finance_event())),
    ("email", "claim.eml", email()),
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


def stored(db: Path) -> str:
    """A digest of what the database holds: its file and its write-ahead log, byte for byte
    (tests.helpers.snapshot), except that an empty log counts as none. SQLite leaves an empty
    `-wal` (and a `-shm`) beside a WAL database a read-only command opened, and a writer removes
    it on closing; neither holds a byte of data, and any byte written still shows."""
    wal = db.with_name(db.name + "-wal")
    digest = hashlib.sha256(db.read_bytes())
    digest.update(wal.read_bytes() if wal.exists() and wal.stat().st_size else b"<none>")
    return digest.hexdigest()


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

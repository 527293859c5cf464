"""The database schema, as named migrations applied in order (sqlite-utils 4's Migrations).

Append-only: a migration that has shipped is never edited; a change is a new one at the end.
sqlite-utils is imported only when a migration has to run, so a command on an up-to-date
database starts without it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database

MIGRATION_SET = "atoz"


def _initial(db: Database) -> None:
    db.table("claims").create(
        {
            "id": int, "order_id": str, "marketplace": str, "order_date": str,
            "latest_delivery": str, "claim_date": str, "claim_time": str, "amount": str,
            "currency": str, "reason": str, "buyer": str, "note": str, "source": str,
            "status": str, "status_on": str, "created_at": str,
        },
        pk="id",
        not_null={"order_id", "marketplace", "order_date", "latest_delivery", "claim_date",
                  "status", "created_at"},
    )
    db.table("claims").create_index(["order_id"])
    db.table("claims").create_index(["status", "claim_date"])
    db.table("claims").create_index(["claim_date"])
    db.table("history").create(
        {
            "id": int, "claim_id": int, "kind": str, "status": str, "step": str, "on_date": str,
            "note": str, "detail": str, "recorded_at": str,
        },
        pk="id",
        foreign_keys=[("claim_id", "claims", "id")],
        not_null={"claim_id", "kind", "recorded_at"},
    )
    db.table("history").create_index(["claim_id"])
    db.table("history").create_index(["kind", "on_date"])
    db.table("steps").create(
        {
            "claim_id": int, "step": str, "due": str, "deadline": str, "deadline_key": str,
            "moved": str, "state": str, "done_on": str,
        },
        pk=("claim_id", "step"),
        foreign_keys=[("claim_id", "claims", "id")],
    )
    db.table("steps").create_index(["state", "due"])


def _orders(db: Database) -> None:
    db.table("orders").create(
        {
            "order_id": str, "purchase_date": str, "latest_delivery": str, "marketplace": str,
            "fulfillment_channel": str, "total": str, "currency": str, "source_file": str,
            "imported_at": str,
        },
        pk="order_id",
    )
    db.table("orders").create_index(["latest_delivery"])


def _order_status(db: Database) -> None:
    # Amazon's order status (shipped, pending, cancelled...): a cancelled order is kept, since a
    # claim may name it, but it leaves the exposure forecast.
    db.table("orders").add_column("order_status", str)


def _report_indexes(db: Database) -> None:
    # The ODR ledger reads counted outcomes by order date; the report's all-time outcome table
    # sums amounts per outcome and currency from the index alone (no table scan, no sort).
    db.table("claims").create_index(["status", "order_date"])
    db.table("claims").create_index(["status", "currency", "amount"])


def _steps_by_deadline(db: Database) -> None:
    # due-today reads the open steps whose hard deadline has not passed: an index on the
    # deadline keeps that one range read however many years of missed steps lie behind it.
    db.table("steps").create_index(["state", "deadline_key"])


MIGRATIONS: list[tuple[str, Callable[[Database], None]]] = [
    ("0001_claims_history_steps", _initial),
    ("0002_orders", _orders),
    ("0003_order_status", _order_status),
    ("0004_report_indexes", _report_indexes),
    ("0005_steps_by_deadline", _steps_by_deadline),
]


def migrations() -> Any:
    """The sqlite-utils Migrations object for atoz's schema."""
    from sqlite_utils.migrations import Migrations

    registry = Migrations(MIGRATION_SET)
    for name, function in MIGRATIONS:
        registry(name=name)(function)
    return registry

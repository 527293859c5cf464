"""The database schema, as named migrations applied in order (sqlite-utils 4's Migrations).

Append-only: a migration that has shipped is never edited; a change is a new one at the end.
Tables derived from history (steps, decisions, the claims' derived columns) are rebuilt by the
claims module when `meta.derived` is older than the code (`DERIVED` below).
sqlite-utils is imported only when a migration has to run, so a command on an up-to-date
database starts without it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from atoz.money import MINOR_UNITS

if TYPE_CHECKING:
    from sqlite_utils import Database

MIGRATION_SET = "atoz"
# The keys of an edit entry's detail that give a claim's filing moment. 0.1.0 kept the day and
# the time apart: a new day is `claim_date`; a time given for the same day only `claim_time`.
FILING_EDITS = ("claim_date", "claim_time")


def gives_filing(detail: Mapping[str, Any] | None) -> bool:
    """Whether an edit entry (by its detail) gave the claim's filing day or time."""
    return detail is not None and any(key in detail for key in FILING_EDITS)


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


def _minor(amount: str | None, currency: str | None) -> int | None:
    """0.1.0 kept amounts as decimal text already quantized to the currency's digits."""
    if amount is None or amount == "":
        return None
    digits = MINOR_UNITS.get(currency or "", 2)
    return int((Decimal(amount) * 10**digits).to_integral_value())


def _instants_and_money(db: Database) -> None:
    """0.2.0: amounts as integer minor units (text sorted 92.77 above 110.45), deadlines as UTC
    instants, the money and ODR facts of each decision, and optional order dates (a claim read
    from an e-mail may not know them yet). Derived tables are rebuilt from history afterwards."""
    db.conn.create_function("atoz_minor", 2, _minor, deterministic=True)
    claims = db.table("claims")
    for index in claims.indexes:
        db.execute(f"drop index [{index.name}]")
    claims.add_column("amount_minor", int)
    db.execute("update claims set amount_minor = atoz_minor(amount, currency)")
    claims.transform(
        rename={"status": "outcome", "status_on": "decided_on"},
        drop={"amount"},
        not_null={"order_date": False, "latest_delivery": False},
        column_order=["id", "order_id", "marketplace", "order_date", "latest_delivery",
                      "claim_date", "claim_time", "amount_minor", "currency"],
    )
    for name, kind, default in (
            ("claim_date_known", int, 1), ("delivered_on", str, None), ("payer", str, None),
            ("odr", str, "pending"), ("debited_minor", int, None), ("debited_on", str, None),
            ("window_opens", str, None), ("window_closes", str, None),
            # A placeholder instant (a claim row must read as a record) until the rebuild that
            # meta.derived = 0 forces replaces it, before any command shows it.
            ("response_deadline", str, "1970-01-01T00:00:00Z")):
        claims.add_column(name, kind, not_null_default=default)
    # 0.1.0 gave a claim created from a finance debit the posted date as its claim date: a
    # stand-in, not a filing date (no response deadline or playbook days count from it),
    # unless the seller gave the filing moment since (an edit; 0.1.0 left such a claim's source
    # `finance` when the edit gave only a time).
    db.conn.create_function("atoz_gives_filing", 1,
                            lambda detail: gives_filing(json.loads(detail) if detail else None),
                            deterministic=True)
    db.execute("update claims set claim_date_known = 0 where source = 'finance' and not exists "
               "(select 1 from history h where h.claim_id = claims.id and h.kind = 'edit' "
               "and atoz_gives_filing(h.detail))")
    claims.create_index(["order_id"])
    claims.create_index(["outcome", "response_deadline"])
    claims.create_index(["claim_date"])
    claims.create_index(["marketplace", "odr", "order_date"])
    # The report's all-time figures read this covering index alone: no table scan.
    claims.create_index(["outcome", "payer", "currency", "amount_minor", "debited_minor"])
    db.execute("drop table steps")
    db.table("steps").create(
        {"claim_id": int, "step": str, "due": str, "deadline": str, "moved": str, "state": str,
         "done_on": str},
        pk=("claim_id", "step"), foreign_keys=[("claim_id", "claims", "id")],
        not_null={"due", "deadline", "state"})
    db.table("steps").create_index(["state", "deadline"])
    db.table("decisions").create(
        {"claim_id": int, "seq": int, "outcome": str, "on_date": str, "payer": str, "odr": str},
        pk=("claim_id", "seq"), foreign_keys=[("claim_id", "claims", "id")])
    db.table("decisions").create_index(["on_date"])
    orders = db.table("orders")
    orders.add_column("total_minor", int)
    db.execute("update orders set total_minor = atoz_minor(total, currency)")
    orders.transform(drop={"total"})
    db.table("policy_rules").create(
        {"id": int, "marketplace": str, "rule": str, "value": int, "source": str,
         "effective_from": str, "recorded_at": str},
        pk="id", not_null={"marketplace", "rule", "recorded_at"})
    db.table("mail_messages").create(
        {"message_id": str, "claim_id": int, "kind": str, "sent_at": str, "subject": str,
         "imported_at": str},
        pk="message_id", foreign_keys=[("claim_id", "claims", "id")])
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("meta").insert({"key": "derived", "value": "0"})  # rebuild what history implies


def _views(db: Database) -> None:
    """Views for people who browse the file (Datasette, sqlite-utils): amounts as numbers."""
    digits = " ".join(f"when '{code}' then {10 ** places}"
                      for code, places in sorted(MINOR_UNITS.items()) if places != 2)
    amount = f"(c.amount_minor * 1.0 / case c.currency {digits} else 100 end)"
    db.execute(f"""create view claims_overview as
        select c.id as claim_id, c.order_id, c.marketplace, c.outcome, c.order_date,
               c.latest_delivery, c.claim_date, c.claim_time, c.claim_date_known,
               {amount} as amount, c.currency, c.amount_minor, c.reason, c.buyer,
               c.window_opens, c.window_closes,
               -- no deadline counted from a stand-in filing day (finance data, e-mails)
               case when c.claim_date_known then c.response_deadline end
                   as response_deadline_utc,
               c.decided_on, c.payer, c.odr, c.source
        from claims c""")
    db.execute("""create view open_steps as
        select s.claim_id, c.order_id, c.marketplace, s.step, s.due,
               s.deadline as deadline_utc, s.moved, c.outcome
        from steps s join claims c on c.id = s.claim_id
        where s.state = 'open' and s.deadline > strftime('%Y-%m-%dT%H:%M:%SZ', 'now')""")


MIGRATIONS: list[tuple[str, Callable[[Database], None]]] = [
    ("0001_claims_history_steps", _initial),
    ("0002_orders", _orders),
    ("0003_order_status", _order_status),
    ("0004_report_indexes", _report_indexes),
    ("0005_steps_by_deadline", _steps_by_deadline),
    ("0006_instants_and_money", _instants_and_money),
    ("0007_views", _views),
]
KNOWN = frozenset(name for name, _ in MIGRATIONS)
# The version of the state derived from history (the claims' derived columns, steps, decisions):
# raised when the rules that derive it change, so a database rebuilds it once, on its next write.
DERIVED = "4"  # 3: a debit after a decision makes the seller its payer; corrections.
# 4: the newest information request sets the answer step, whatever order it was read in


def migrations() -> Any:
    """The sqlite-utils Migrations object for atoz's schema."""
    from sqlite_utils.migrations import Migrations

    registry = Migrations(MIGRATION_SET)
    for name, function in MIGRATIONS:
        registry(name=name)(function)
    return registry

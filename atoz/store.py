"""Where claims live: one SQLite file, schema by named migrations (sqlite-utils 4).

The history table is append-only: an outcome, a done step or an edit is a new row, never an
overwrite. `claims.status` and the `steps` table are derived from it (kept in the same
transaction) so that listings and `due-today` stay single indexed queries on years of claims.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from atoz.errors import AtozError

migrations = Migrations("atoz")


@migrations(name="0001_claims_history_steps")
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


@migrations(name="0002_orders")
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


def _create_private(path: Path) -> None:
    """Create the file readable by its owner only before SQLite opens it (it holds buyer names)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
    os.close(fd)


def connect(path: Path) -> Database:
    if not path.exists():
        _create_private(path)
    conn = sqlite3.connect(str(path), timeout=30)
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA foreign_keys = ON")
    db = Database(conn, execute_plugins=False)
    if db.journal_mode != "wal":
        db.enable_wal()
    return db


class Store:
    """Every read and write atoz makes; callers never write SQL."""

    def __init__(self, db: Database) -> None:
        self.db = db
        if migrations.pending(db):
            with self._write_lock():
                migrations.apply(db)

    @classmethod
    def open(cls, path: Path) -> Store:
        try:
            return cls(connect(path))
        except sqlite3.DatabaseError as exc:
            raise AtozError(f"cannot open database {path}: {exc}") from None

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _write_lock(self) -> Iterator[None]:
        # BEGIN IMMEDIATE takes the write lock up front, so two processes never both read,
        # then both try to write (which SQLite would refuse with "database is locked").
        self.db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.conn.rollback()
            raise
        else:
            self.db.conn.commit()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside happen, or none do."""
        if self.db.conn.in_transaction:
            with self.db.atomic():
                yield
        else:
            with self._write_lock():
                yield

    def schema_version(self) -> str:
        applied = migrations.applied(self.db)
        return applied[-1].name if applied else "none"

    # claims -----------------------------------------------------------------------------
    def insert_claim(self, row: dict[str, Any]) -> int:
        table = self.db.table("claims")
        table.insert(row)
        return int(str(table.last_pk))

    def update_claim(self, claim_id: int, values: dict[str, Any]) -> None:
        self.db.table("claims").update(claim_id, values)

    def claim(self, claim_id: int) -> dict[str, Any] | None:
        rows = list(self.db.query("select * from claims where id = ?", [claim_id]))
        return rows[0] if rows else None

    def claims_for_order(self, order_id: str) -> list[dict[str, Any]]:
        return list(self.db.query(
            "select * from claims where order_id = ? order by id", [order_id]))

    def claims(
        self, *, statuses: Sequence[str] = (), marketplace: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        where: list[str] = []
        params: list[str] = []
        if statuses:
            where.append(f"status in ({', '.join('?' for _ in statuses)})")
            params.extend(statuses)
        if marketplace:
            where.append("marketplace = ?")
            params.append(marketplace)
        sql = "select * from claims"
        if where:
            sql += " where " + " and ".join(where)
        sql += " order by claim_date desc, id desc"
        if limit:
            sql += f" limit {int(limit)}"
        return list(self.db.query(sql, params))

    def all_claims(self) -> Iterator[dict[str, Any]]:
        return self.db.query("select * from claims order by id")

    # history ----------------------------------------------------------------------------
    def append_history(self, claim_id: int, kind: str, recorded_at: str, *, status: str = "",
                       step: str = "", on_date: str = "", note: str | None = None,
                       detail: dict[str, Any] | None = None) -> None:
        self.db.table("history").insert({
            "claim_id": claim_id, "kind": kind, "status": status or None, "step": step or None,
            "on_date": on_date or None, "note": note or None,
            "detail": json.dumps(detail, sort_keys=True) if detail else None,
            "recorded_at": recorded_at,
        })

    def history(self, claim_id: int) -> list[dict[str, Any]]:
        rows = list(self.db.query(
            "select * from history where claim_id = ? order by id", [claim_id]))
        for row in rows:
            row["detail"] = json.loads(row["detail"]) if row["detail"] else None
        return rows

    def history_between(self, kind: str, start: str, end: str) -> list[dict[str, Any]]:
        return list(self.db.query(
            "select * from history where kind = ? and on_date between ? and ? order by id",
            [kind, start, end]))

    # steps ------------------------------------------------------------------------------
    def replace_steps(self, claim_id: int, steps: list[dict[str, Any]]) -> None:
        """The steps table is derived from history: replaced whole for one claim at a time."""
        self.db.execute("delete from steps where claim_id = ?", [claim_id])
        if steps:
            self.db.table("steps").insert_all({"claim_id": claim_id, **s} for s in steps)

    def steps(self, claim_id: int) -> list[dict[str, Any]]:
        return list(self.db.query(
            "select * from steps where claim_id = ? order by due, step", [claim_id]))

    def open_steps_due(self, until: str) -> list[dict[str, Any]]:
        return list(self.db.query(
            """select s.*, c.order_id, c.amount, c.currency, c.marketplace
               from steps s join claims c on c.id = s.claim_id
               where s.state = 'open' and s.due <= ?""", [until]))

    def next_open_step(self, after: str) -> dict[str, Any] | None:
        rows = list(self.db.query(
            """select s.*, c.order_id from steps s join claims c on c.id = s.claim_id
               where s.state = 'open' and s.due > ? order by s.due, s.deadline_key limit 1""",
            [after]))
        return rows[0] if rows else None

    # orders -----------------------------------------------------------------------------
    def order(self, order_id: str) -> dict[str, Any] | None:
        rows = list(self.db.query("select * from orders where order_id = ?", [order_id]))
        return rows[0] if rows else None

    # info -------------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        return {name: self.db.table(name).count for name in ("claims", "history", "steps",
                                                             "orders")}

    def backup(self, target: Path) -> None:
        """SQLite's online backup: a consistent copy even while another process writes."""
        if target.exists():
            raise AtozError(f"backup: {target} already exists; choose a new file name")
        _create_private(target)
        destination = sqlite3.connect(str(target))
        try:
            self.db.conn.backup(destination)
        finally:
            destination.close()

    def integrity(self) -> str:
        return str(self.db.execute("pragma integrity_check").fetchone()[0])


def sqlite_utils_version() -> str:
    from importlib.metadata import version

    return version(sqlite_utils.__name__.replace("_", "-"))

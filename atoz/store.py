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
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from atoz.errors import AtozError
from atoz.schema import MIGRATION_SET, MIGRATIONS, migrations

if TYPE_CHECKING:
    from sqlite_utils import Database

def _create_private(path: Path) -> None:
    """Create the file readable by its owner only before SQLite opens it (it holds buyer names)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)  # no-op if another process won
    os.close(fd)


def connect(path: Path) -> sqlite3.Connection:
    if not path.exists():
        _create_private(path)
    conn = sqlite3.connect(str(path), timeout=30)
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA foreign_keys = ON")
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        # Write-ahead logging: readers never block the writer, so two atoz processes coexist.
        conn.execute("PRAGMA journal_mode = wal")
    return conn


def _dict_row(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> dict[str, Any]:
    return {column[0]: value for column, value in zip(cursor.description, row, strict=True)}


class Store:
    """Every read and write atoz makes; callers never write SQL.

    Reads go straight to sqlite3; sqlite-utils (tables, upserts, migrations) is loaded on the
    first write, which keeps read-only commands such as due-today quick to start.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        if self.applied_migrations() != [name for name, _ in MIGRATIONS]:
            with self._write_lock():
                migrations().apply(self.db)

    @cached_property
    def db(self) -> Database:
        from sqlite_utils import Database

        return Database(self.conn, execute_plugins=False)

    def _query(self, sql: str, params: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
        cursor = self.conn.execute(sql, params)
        cursor.row_factory = _dict_row
        yield from cursor

    def applied_migrations(self) -> list[str]:
        try:
            return [row["name"] for row in self._query(
                "select name from _sqlite_migrations where migration_set = ? order by id",
                [MIGRATION_SET])]
        except sqlite3.OperationalError:  # a new database: no migrations table yet
            return []

    @classmethod
    def open(cls, path: Path) -> Store:
        try:
            return cls(connect(path))
        except sqlite3.DatabaseError as exc:
            raise AtozError(f"cannot open database {path}: {exc}") from None

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def _write_lock(self) -> Iterator[None]:
        # BEGIN IMMEDIATE takes the write lock up front, so two processes never both read,
        # then both try to write (which SQLite would refuse with "database is locked").
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.rollback()
            raise
        else:
            self.conn.commit()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside happen, or none do."""
        if self.conn.in_transaction:
            with self.db.atomic():
                yield
        else:
            with self._write_lock():
                yield

    def schema_version(self) -> str:
        applied = self.applied_migrations()
        return applied[-1] if applied else "none"

    # claims -----------------------------------------------------------------------------
    def insert_claim(self, row: dict[str, Any]) -> int:
        table = self.db.table("claims")
        table.insert(row)
        return int(str(table.last_pk))

    def update_claim(self, claim_id: int, values: dict[str, Any]) -> None:
        self.db.table("claims").update(claim_id, values)

    def claim(self, claim_id: int) -> dict[str, Any] | None:
        rows = list(self._query("select * from claims where id = ?", [claim_id]))
        return rows[0] if rows else None

    def claims_for_order(self, order_id: str) -> list[dict[str, Any]]:
        return list(self._query(
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
        return list(self._query(sql, params))

    def all_claims(self) -> Iterator[dict[str, Any]]:
        return self._query("select * from claims order by id")

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
        rows = list(self._query(
            "select * from history where claim_id = ? order by id", [claim_id]))
        for row in rows:
            row["detail"] = json.loads(row["detail"]) if row["detail"] else None
        return rows

    def history_between(self, kind: str, start: str, end: str) -> list[dict[str, Any]]:
        return list(self._query(
            "select * from history where kind = ? and on_date between ? and ? order by id",
            [kind, start, end]))

    # steps ------------------------------------------------------------------------------
    def replace_steps(self, claim_id: int, steps: list[dict[str, Any]]) -> None:
        """The steps table is derived from history: replaced whole for one claim at a time."""
        self.conn.execute("delete from steps where claim_id = ?", [claim_id])
        if steps:
            self.db.table("steps").insert_all({"claim_id": claim_id, **s} for s in steps)

    def steps(self, claim_id: int) -> list[dict[str, Any]]:
        return list(self._query(
            "select * from steps where claim_id = ? order by due, step", [claim_id]))

    def open_steps_by_deadline(self, deadline_from: str, deadline_to: str | None = None
                               ) -> list[dict[str, Any]]:
        """Open steps whose hard deadline key (UTC) is in [from, to], with their claim."""
        sql = """select s.*, c.order_id, c.amount, c.currency, c.marketplace
                 from steps s join claims c on c.id = s.claim_id
                 where s.state = 'open' and s.deadline_key >= ?"""
        params = [deadline_from]
        if deadline_to is not None:
            sql += " and s.deadline_key <= ?"
            params.append(deadline_to)
        return list(self._query(sql, params))

    def next_open_step(self, after: str) -> dict[str, Any] | None:
        rows = list(self._query(
            """select s.*, c.order_id from steps s join claims c on c.id = s.claim_id
               where s.state = 'open' and s.due > ? order by s.due, s.deadline_key limit 1""",
            [after]))
        return rows[0] if rows else None

    # orders -----------------------------------------------------------------------------
    def order(self, order_id: str) -> dict[str, Any] | None:
        rows = list(self._query("select * from orders where order_id = ?", [order_id]))
        return rows[0] if rows else None

    # An import stages its rows (one per item, or one per order) in a temporary table, then
    # folds them into orders: memory stays flat on a million-row report, and the items of one
    # order collapse wherever they sit in the file.
    def start_staging(self) -> None:
        self.conn.execute("drop table if exists temp.order_rows")
        self.conn.execute("drop table if exists temp.order_merged")
        self.conn.execute(
            """create temp table order_rows (
                 order_id text not null, item integer not null, line integer not null,
                 purchase_date text, latest_delivery text, marketplace text not null,
                 fulfillment_channel text, order_status text, currency text, total_minor integer,
                 primary key (order_id, item))""")

    def stage_rows(self, rows: Sequence[tuple[Any, ...]], *, replace: bool) -> int:
        """Stage rows; a repeated (order, item) is kept once (replace: the last one wins).
        Returns how many rows were new."""
        verb = "insert or replace" if replace else "insert or ignore"
        cursor = self.conn.executemany(
            f"{verb} into temp.order_rows values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        return int(cursor.rowcount)

    def staged_conflicts(self) -> list[dict[str, Any]]:
        """Orders whose staged rows name two marketplaces or two currencies."""
        return list(self._query(
            """select order_id, min(line) as line from temp.order_rows group by order_id
               having count(distinct marketplace) > 1 or count(distinct currency) > 1
               order by min(line)"""))

    def staged_lines(self, order_id: str) -> list[dict[str, Any]]:
        return list(self._query(
            "select * from temp.order_rows where order_id = ? order by line", [order_id]))

    def unstage(self, order_id: str) -> None:
        self.conn.execute("delete from temp.order_rows where order_id = ?", [order_id])

    def staged_disagreements(self) -> Iterator[dict[str, Any]]:
        """Orders whose staged rows disagree on a date, first line first."""
        return self._query(
            """select order_id from temp.order_rows group by order_id
               having count(distinct purchase_date) > 1 or count(distinct latest_delivery) > 1
               order by min(line)""")

    def merge_staged(self) -> None:
        """One row per order: the earliest purchase date, the latest delivery promise."""
        self.conn.execute(
            """create temp table order_merged as
               select order_id, min(line) as line, min(purchase_date) as purchase_date,
                      max(latest_delivery) as latest_delivery, min(marketplace) as marketplace,
                      max(fulfillment_channel) as fulfillment_channel,
                      max(order_status) as order_status, min(currency) as currency,
                      sum(total_minor) as total_minor
               from temp.order_rows group by order_id order by min(line)""")

    def merged_chunk(self, after: int, size: int) -> list[dict[str, Any]]:
        """The next merged orders (by rowid), each with the stored order's columns as old_*."""
        return list(self._query(
            """select m.rowid as rid, m.*, o.order_id is not null as known,
                      o.purchase_date as old_purchase_date,
                      o.latest_delivery as old_latest_delivery, o.marketplace as old_marketplace,
                      o.fulfillment_channel as old_fulfillment_channel,
                      o.order_status as old_order_status, o.total as old_total,
                      o.currency as old_currency
               from temp.order_merged m left join orders o on o.order_id = m.order_id
               where m.rowid > ? order by m.rowid limit ?""", [after, size]))

    def upsert_orders(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert or replace orders: (order_id, purchase_date, latest_delivery, marketplace,
        fulfillment_channel, total, currency, order_status, source_file, imported_at)."""
        self.conn.executemany(
            """insert into orders (order_id, purchase_date, latest_delivery, marketplace,
                                   fulfillment_channel, total, currency, order_status,
                                   source_file, imported_at)
               values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               on conflict (order_id) do update set
                 purchase_date = excluded.purchase_date,
                 latest_delivery = excluded.latest_delivery,
                 marketplace = excluded.marketplace,
                 fulfillment_channel = excluded.fulfillment_channel, total = excluded.total,
                 currency = excluded.currency, order_status = excluded.order_status,
                 source_file = excluded.source_file, imported_at = excluded.imported_at""", rows)

    def recent_orders(self, delivered_since: str, ordered_since: str) -> Iterator[dict[str, Any]]:
        """Orders promised on or after one date, and orders without a promise placed on or
        after another (the exposure forecast narrows them down further)."""
        return self._query(
            """select * from orders where latest_delivery >= ?
               or (latest_delivery is null and purchase_date >= ?)""",
            [delivered_since, ordered_since])

    def claimed_order_ids(self) -> set[str]:
        return {row["order_id"] for row in self._query("select distinct order_id from claims")}

    # reports and exports --------------------------------------------------------------
    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see one consistent state of the file, even while another process writes
        (a deferred transaction in WAL mode: it takes no write lock)."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            self.conn.rollback()

    def has_claims(self) -> bool:
        return bool(list(self._query("select 1 from claims limit 1")))

    def claims_filed_between(self, start: str, end: str) -> list[dict[str, Any]]:
        return list(self._query(
            "select * from claims where claim_date between ? and ? order by claim_date, id",
            [start, end]))

    def status_changes_between(self, start: str, end: str) -> list[dict[str, Any]]:
        """Outcome entries dated in [start, end], oldest recorded first, with their claim."""
        return list(self._query(
            """select h.id as history_id, h.claim_id, h.status, h.on_date, c.order_id,
                      c.marketplace, c.amount, c.currency
               from history h join claims c on c.id = h.claim_id
               where h.kind = 'status' and h.on_date between ? and ? order by h.id""",
            [start, end]))

    def outcome_totals(self) -> list[dict[str, Any]]:
        """Claims per outcome and currency, with their amounts summed exactly as whole numbers
        of the smallest unit shown (`units` at `places` decimals). Amounts are decimal text; when
        a group's amounts do not all have the same number of decimals, `places` is None and the
        caller sums `amounts(status, currency)` instead. One pass over an index."""
        places = ("case when instr(amount, '.') = 0 then 0 "
                  "else length(amount) - instr(amount, '.') end")
        rows = list(self._query(
            f"""select status, currency, count(*) as n,
                       sum(cast(replace(amount, '.', '') as integer)) as units,
                       min({places}) as low, max({places}) as high
                from claims group by status, currency"""))
        for row in rows:
            row["places"] = row.pop("low") if row["low"] == row.pop("high") else None
        return rows

    def amounts(self, status: str, currency: str | None) -> list[str]:
        return [row["amount"] for row in self._query(
            "select amount from claims where status = ? and currency is ? and amount is not null",
            [status, currency])]

    def claims_by_order_date(self, statuses: Sequence[str], start: str, end: str
                             ) -> list[dict[str, Any]]:
        marks = ", ".join("?" for _ in statuses)
        return list(self._query(
            f"""select * from claims where status in ({marks}) and order_date between ? and ?
                order by order_date, id""", [*statuses, start, end]))

    def open_steps_with_deadline(self, step: str, start: str, end: str) -> list[dict[str, Any]]:
        """Open steps of one kind whose hard deadline (a date) is in [start, end]."""
        return list(self._query(
            """select s.*, c.order_id, c.amount, c.currency, c.marketplace, c.status_on
               from steps s join claims c on c.id = s.claim_id
               where s.state = 'open' and s.step = ? and s.deadline between ? and ?
               order by s.deadline, s.claim_id""", [step, start, end]))

    def all_history(self) -> Iterator[dict[str, Any]]:
        """Every history entry, by claim then in the order recorded (for a streamed export)."""
        for row in self._query("select * from history order by claim_id, id"):
            row["detail"] = json.loads(row["detail"]) if row["detail"] else None
            yield row

    def all_steps(self) -> Iterator[dict[str, Any]]:
        return self._query("select * from steps order by claim_id, due, step")

    def history_stamps(self, claim_ids: Sequence[int]) -> dict[int, tuple[int, str]]:
        """For each claim: how many history entries it has and when the last was recorded."""
        stamps: dict[int, tuple[int, str]] = {}
        ids = list(claim_ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ", ".join("?" for _ in chunk)
            for row in self._query(
                    f"""select claim_id, count(*) as n, max(recorded_at) as last from history
                        where claim_id in ({marks}) group by claim_id""", chunk):
                stamps[int(row["claim_id"])] = (int(row["n"]), str(row["last"]))
        return stamps

    # info -------------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        return {name: int(self.conn.execute(f"select count(*) from {name}").fetchone()[0])
                for name in ("claims", "history", "steps", "orders")}

    def backup(self, target: Path) -> None:
        """SQLite's online backup: a consistent copy even while another process writes."""
        if target.exists():
            raise AtozError(f"backup: {target} already exists; choose a new file name")
        _create_private(target)
        destination = sqlite3.connect(str(target))
        try:
            self.conn.backup(destination)
        finally:
            destination.close()

    def integrity(self) -> str:
        return str(self.conn.execute("pragma integrity_check").fetchone()[0])



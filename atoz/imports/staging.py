"""Writing imported orders: rows are staged in temporary tables, then merged into `orders`.

Staging happens outside the database's write lock (temporary tables live in the connection's
own temp database), so a million-row report does not block an `atoz add` for a minute: the lock
is held only for the final merge. Memory stays flat (rows go to SQLite in chunks), and the items
of one order collapse wherever they sit in the file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from atoz.errors import InputError
from atoz.imports.common import NOTES_SHOWN, ImportOptions, ImportResult
from atoz.imports.rejects import Rejects
from atoz.store import Store

CHUNK = 5000  # rows per write batch
# A staged row: (order_id, item key, line, purchase_date, latest_delivery, marketplace,
# fulfillment_channel, order_status, currency, total in minor units).
Row = tuple[str, int, int, str | None, str | None, str, str | None, str | None, str | None,
            int | None]


def item_key(line: str) -> int:
    """An item's key within its order: a digest of its line, the same in every run (Python's
    `hash` of a string changes from process to process). Identical lines are one item."""
    return int.from_bytes(hashlib.blake2b(line.encode("utf-8", "surrogatepass"),
                                          digest_size=8).digest(), "big", signed=True)


_COLUMNS = ("purchase_date", "latest_delivery", "marketplace", "fulfillment_channel",
            "total_minor", "currency", "order_status")


class OrderSink:
    """Collects checked order rows, checks orders across rows, and writes them as orders.

    Rows are one per item (reports: an order's items are summed, its dates reconciled) or one
    per order (API files: a repeated order keeps its last version). A value the file leaves
    empty never erases one already stored (an All Orders report has no delivery promise).
    """

    def __init__(self, store: Store, options: ImportOptions, kind: str, *,
                 per_order: bool) -> None:
        self.store = store
        self.options = options
        self.per_order = per_order
        self.result = ImportResult(kind)
        self.repeated = 0
        self._batch: list[Row] = []

    def _sql(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return list(self.store.rows(sql, params))

    @contextmanager
    def staging(self) -> Iterator[OrderSink]:
        """A transaction on the temporary tables only: no write lock on the database."""
        conn = self.store.conn
        conn.execute("drop table if exists temp.order_rows")
        conn.execute("drop table if exists temp.order_merged")
        conn.execute(
            """create temp table order_rows (
                 order_id text not null, item integer not null, line integer not null,
                 purchase_date text, latest_delivery text, marketplace text not null,
                 fulfillment_channel text, order_status text, currency text, total_minor integer,
                 primary key (order_id, item))""")
        with self.store.scratch():
            yield self
            self._flush()

    def add(self, row: Row) -> None:
        self._batch.append(row)
        if len(self._batch) >= CHUNK:
            self._flush()

    def _flush(self) -> None:
        if not self._batch:
            return
        verb = "insert or replace" if self.per_order else "insert or ignore"
        cursor = self.store.conn.executemany(
            f"{verb} into temp.order_rows values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", self._batch)
        if not self.per_order:  # a repeated (order, item) is an identical line: kept once
            self.repeated += len(self._batch) - int(cursor.rowcount)
        self.options.progress.advance(len(self._batch))
        self._batch = []

    def check(self, rejects: Rejects,
              reread: Callable[[set[int]], dict[int, str]] | None = None) -> None:
        """Check orders across rows (inside `staging`). `reread` fetches raw lines by number,
        for the REJECTS file, when rows of one order far apart contradict each other."""
        self._flush()
        self.options.progress.phase("checking orders", None)
        conflicts = [(c["order_id"], self._lines(c["order_id"])) for c in self._sql(
            """select order_id from temp.order_rows group by order_id
               having count(distinct marketplace) > 1 or count(distinct currency) > 1
               order by min(line)""")]
        wanted = {r["line"] for _, rows in conflicts for r in rows}
        raw = reread(wanted) if wanted and reread and rejects.target else {}
        for order_id, rows in conflicts:
            self._conflict(order_id, rows, rejects, raw)
        self._disagreements()
        self.store.conn.execute(
            """create temp table order_merged as
               select order_id, min(line) as line, min(purchase_date) as purchase_date,
                      max(latest_delivery) as latest_delivery, min(marketplace) as marketplace,
                      max(fulfillment_channel) as fulfillment_channel,
                      max(order_status) as order_status, min(currency) as currency,
                      sum(total_minor) as total_minor
               from temp.order_rows group by order_id order by min(line)""")

    def _lines(self, order_id: str) -> list[dict[str, Any]]:
        return self._sql("select * from temp.order_rows where order_id = ? order by line",
                         [order_id])

    def _conflict(self, order_id: str, rows: list[dict[str, Any]], rejects: Rejects,
                  lines: dict[int, str]) -> None:
        first = rows[0]
        for row in rows[1:]:
            for column in ("marketplace", "currency"):
                if row[column] != first[column]:
                    exc = InputError(column, row[column], f"order {order_id} is "
                                     f"{first[column]} on line {first['line']}; one order has "
                                     f"one {column}")
                    for bad in [row, *(r for r in rows if r is not row)]:
                        rejects.bad(bad["line"], exc, lines.get(bad["line"], order_id))
                    self.store.conn.execute("delete from temp.order_rows where order_id = ?",
                                            [order_id])
                    self.result.skipped += len(rows)
                    return

    def _disagreements(self) -> None:
        """Say which orders' rows disagree on a date, and which date was kept."""
        found = [r["order_id"] for r in self.store.rows(
            """select order_id from temp.order_rows group by order_id
               having count(distinct purchase_date) > 1
                   or count(distinct latest_delivery) > 1 order by min(line)""")]
        for order_id in found[:NOTES_SHOWN]:
            rows = self._lines(order_id)
            parts = []
            for column, keep in (("purchase_date", min), ("latest_delivery", max)):
                values = {r[column]: r["line"] for r in reversed(rows) if r[column]}
                if len(values) > 1:
                    seen = ", ".join(f"{v} on line {n}" for v, n in sorted(values.items()))
                    rule = "the earliest" if keep is min else "the latest"
                    parts.append(f"{column.replace('_', ' ')}: {seen}; kept {keep(values)} "
                                 f"({rule})")
            self.result.notes.append(f"order {order_id}: rows disagree on " + "; ".join(parts))
        if len(found) > NOTES_SHOWN:
            self.result.notes.append(f"... and {len(found) - NOTES_SHOWN} more orders whose rows "
                                     "disagree on a date")

    def write(self) -> ImportResult:
        """Merge the staged orders into `orders` (inside the caller's write transaction)."""
        total = int(self.store.conn.execute("select count(*) from temp.order_merged")
                    .fetchone()[0])
        self.options.progress.phase("writing orders", total, "orders")
        imported_at = self.options.now.recorded.isoformat()
        after = 0
        while chunk := self._sql(
                """select m.rowid as rid, m.*, o.order_id is not null as known,
                          o.purchase_date as old_purchase_date,
                          o.latest_delivery as old_latest_delivery,
                          o.marketplace as old_marketplace,
                          o.fulfillment_channel as old_fulfillment_channel,
                          o.order_status as old_order_status, o.total_minor as old_total_minor,
                          o.currency as old_currency
                   from temp.order_merged m left join orders o on o.order_id = m.order_id
                   where m.rowid > ? order by m.rowid limit ?""", [after, CHUNK]):
            writes = [self._merge(row, imported_at) for row in chunk]
            self.store.conn.executemany(
                """insert into orders (order_id, purchase_date, latest_delivery, marketplace,
                                       fulfillment_channel, total_minor, currency, order_status,
                                       source_file, imported_at)
                   values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   on conflict (order_id) do update set
                     purchase_date = excluded.purchase_date,
                     latest_delivery = excluded.latest_delivery,
                     marketplace = excluded.marketplace,
                     fulfillment_channel = excluded.fulfillment_channel,
                     total_minor = excluded.total_minor, currency = excluded.currency,
                     order_status = excluded.order_status, source_file = excluded.source_file,
                     imported_at = excluded.imported_at""", [w for w in writes if w])
            self.options.progress.advance(len(chunk))
            after = chunk[-1]["rid"]
        if self.repeated:
            self.result.notes.append(f"{self.repeated} repeated rows (identical lines) counted "
                                     "once")
        return self.result

    def _merge(self, row: dict[str, Any], imported_at: str) -> tuple[Any, ...] | None:
        new = {column: row[column] for column in _COLUMNS}
        if row["known"]:
            old = {column: row[f"old_{column}"] for column in _COLUMNS}
            merged = {c: new[c] if new[c] is not None else old[c] for c in _COLUMNS}
            if merged == old:
                self.result.unchanged += 1
                return None
            self.result.updated += 1
        else:
            merged = new
            self.result.added += 1
        return (row["order_id"], *(merged[c] for c in _COLUMNS), self.options.name,
                imported_at)

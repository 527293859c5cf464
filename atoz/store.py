"""Where claims live: one SQLite file, its schema by named migrations (sqlite-utils 4).

The history table is append-only: an outcome, a done step or an edit is a new row, never an
overwrite. The claims' derived columns, `steps` and `decisions` are rebuilt from it in the same
transaction as every change. A command that only reads opens the file read-only and never
creates, migrates or writes it; only a command that records something opens it for writing.
An older atoz's file is brought forward in a transaction that commits with the command's own
writes: a command that fails leaves the file exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote

from atoz import __version__
from atoz.errors import AtozError, InputError
from atoz.files import companions, create_private, is_sqlite, make_private_dirs, remove_quietly
from atoz.policy import LocalRule
from atoz.records import (
    FACT_COLUMNS,
    Claim,
    ClaimFacts,
    Decision,
    Derived,
    HistoryEntry,
    NewEntry,
    Order,
    Outcome,
    Source,
    Step,
    utc_text,
)
from atoz.schema import DERIVED, KNOWN, MIGRATION_SET, MIGRATIONS, migrations

if TYPE_CHECKING:
    from sqlite_utils import Database

HISTORY_COLUMNS = "claim_id, kind, status, step, on_date, note, detail, recorded_at"
# A claim row in the order ClaimFacts.columns() and Derived.columns() give their values.
_CLAIM_COLUMNS = ("id", *FACT_COLUMNS, "source", "created_at", *Derived.__dataclass_fields__)
_INSERT_CLAIM = (f"insert into claims ({', '.join(_CLAIM_COLUMNS)}) values "
                 f"({', '.join('?' for _ in _CLAIM_COLUMNS)})")
_INSERT_HISTORY = f"insert into history ({HISTORY_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?)"
_INSERT_STEP = "insert into steps values (?, ?, ?, ?, ?, ?, ?)"
_INSERT_DECISION = "insert into decisions values (?, ?, ?, ?, ?, ?)"
LOCK_WAIT_S = 300  # how long a write waits for another atoz command before giving up
_CLAIM = "select * from claims"


def _row(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> dict[str, Any]:
    return {column[0]: value for column, value in zip(cursor.description, row, strict=True)}


class SchemaError(AtozError):
    """The file is not a database this atoz can use (as asked)."""


def _derived_age(version: str | None) -> int:
    """How the derived-state version a file records compares with this atoz's: -1 older
    (rebuild it), 0 the same, 1 newer (made by a newer atoz: never rebuilt backwards).
    Compared as numbers ('10' is after '9'); a version this atoz cannot read counts as newer."""
    if version is None:
        return -1  # before meta.derived existed
    try:
        theirs = [int(part) for part in version.split(".")]
    except ValueError:
        return 1
    ours = [int(part) for part in DERIVED.split(".")]
    size = max(len(theirs), len(ours))  # '2.0' is '2'
    theirs, ours = theirs + [0] * (size - len(theirs)), ours + [0] * (size - len(ours))
    return (theirs > ours) - (theirs < ours)


def _connect_read(path: Path) -> sqlite3.Connection:
    """A read-only connection that sees every committed write, the ones still in the `-wal` too.

    A WAL database in a folder nobody can write (read-only media, a backup mount) with no `-wal`
    beside it cannot be opened read-only (SQLite would create its `-shm`): only then is it opened
    `immutable`, which is safe because no writer can exist there. Never beside a `-wal`:
    `immutable` ignores the log and would miss the commits still in it.
    """
    uri = f"file:{quote(str(path.absolute()))}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
    try:
        conn.execute("select count(*) from sqlite_master").fetchone()
        return conn
    except sqlite3.DatabaseError as exc:
        conn.close()
        if "unable to open" not in str(exc):
            raise SchemaError(f"{path}: {exc}") from None
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        raise AtozError(f"{path} cannot be read where it is: its write-ahead log ({wal.name}) "
                        f"holds committed changes, and SQLite cannot create {path.name}-shm "
                        "in a read-only folder; copy the folder somewhere writable")
    return sqlite3.connect(f"{uri}&immutable=1", uri=True, timeout=30, isolation_level=None)


class NewClaim(NamedTuple):
    """A claim about to be written whole (a bulk import or a restore): its facts, its history
    and what they imply (derived state, steps, decisions). A named tuple: one is built per row
    of a 100,000-row import, and a frozen dataclass takes three times as long to build."""

    claim_id: int
    facts: ClaimFacts
    source: Source
    created_at: dt.datetime
    history: Sequence[NewEntry]
    derived: Derived
    steps: Sequence[Step]
    decisions: Sequence[Decision]


def _claim_row(claim_id: int | None, facts: ClaimFacts, source: Source, created_at: str,
               derived: Derived) -> tuple[Any, ...]:
    return (claim_id, *facts.columns().values(), str(source), created_at,
            *derived.columns().values())


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


class ClaimWriter:
    """Whole claims with their history, steps and decisions, written with one `executemany`
    per table, so a 100,000-claim import costs no query per claim. Each claim becomes plain
    rows as it is added (thousands of pending records would keep the garbage collector busy);
    `flush` writes them."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.claims: list[tuple[Any, ...]] = []
        self.history: list[tuple[Any, ...]] = []
        self.steps: list[tuple[Any, ...]] = []
        self.decisions: list[tuple[Any, ...]] = []
        self._stamps: dict[dt.datetime, str] = {}  # an import's claims share one moment

    def add(self, c: NewClaim) -> None:
        stamp = self._stamps.get(c.created_at) or self._stamps.setdefault(
            c.created_at, _stamp(c.created_at))
        self.claims.append(_claim_row(c.claim_id, c.facts, c.source, stamp, c.derived))
        self.history.extend(e.columns(c.claim_id) for e in c.history)
        self.steps.extend(s.columns(c.claim_id) for s in c.steps)
        self.decisions.extend(d.columns(c.claim_id, seq) for seq, d in enumerate(c.decisions))

    def flush(self) -> None:
        self.conn.executemany(_INSERT_CLAIM, self.claims)
        self.conn.executemany(_INSERT_HISTORY, self.history)
        self.conn.executemany(_INSERT_STEP, self.steps)
        self.conn.executemany(_INSERT_DECISION, self.decisions)
        self.claims, self.history, self.steps, self.decisions = [], [], [], []


class Store:
    """Every read and write of the claim core; callers never write SQL for it.

    Reads go straight to sqlite3; sqlite-utils (migrations) is loaded only when a write needs it.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, *, writable: bool,
                 waiting: Callable[[str], None] | None = None) -> None:
        self.conn = conn
        self.path = path
        self.writable = writable
        self._waiting = waiting
        self.created: list[Path] | None = None  # made by open_write: the folders it made
        # The transaction bringing an older atoz's file forward is open: the command's first
        # write commits it, `commit_forward` does if the command writes nothing of its own.
        self._forward = False

    # opening -----------------------------------------------------------------------------
    @classmethod
    def open_read(cls, path: Path, *, current: bool = True) -> Store:
        """Open for reading only: a missing file is an error, nothing is created or migrated,
        and a file on read-only media (a backup) is still readable. `current=False` accepts a
        database an older atoz made (to back it up or check it before migrating)."""
        if not path.exists():
            raise AtozError(f"no database at {path}: add a claim (atoz add) or import a file "
                            "(atoz import) first, or choose the file with --db or ATOZ_DB")
        if path.is_dir():
            raise InputError("db", str(path), "is a folder; give the database file")
        if path.stat().st_size == 0 or not is_sqlite(path):
            what = "empty" if path.stat().st_size == 0 else "not a SQLite database"
            raise SchemaError(f"{path} is {what}: not an atoz database")
        conn = _connect_read(path)
        store = cls(conn, path, writable=False)
        try:
            store._check_readable(current)
        except BaseException:
            conn.close()
            raise
        return store

    @classmethod
    def open_write(cls, path: Path, waiting: Callable[[str], None] | None = None) -> Store:
        """Open for writing, creating the file (0600, in 0700 folders) and applying pending
        migrations; refuses a database written by a newer atoz. A file with no schema yet gets
        it at once (a failed first command removes a file it created: `discard_if_unused`); an
        older atoz's file is migrated in a transaction left open (`bringing_forward`), which
        the command's first write commits and `abandon` rolls back."""
        if path.is_dir():
            raise InputError("db", str(path), "is a folder; give the database file")
        new = not path.exists()
        if not new and path.stat().st_size > 0 and not is_sqlite(path):
            raise SchemaError(f"{path} is not a SQLite database; atoz will not write into it")
        made: list[Path] = []
        if new:
            made = make_private_dirs(path.parent)
            new = create_private(path)  # False: another atoz created it meanwhile
        # Autocommit: atoz begins every transaction itself (BEGIN IMMEDIATE), never sqlite3.
        conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        store = cls(conn, path, writable=True, waiting=waiting)
        store.created = made if new else None
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            store._migrate()
        except BaseException:
            conn.close()
            raise
        return store

    def close(self) -> None:
        self.conn.close()

    def commit_forward(self) -> None:
        """Commit the bringing forward when the command has succeeded without a write of its
        own to commit it with (`atoz migrate`)."""
        if self._forward:
            self._forward = False
            self._commit_forward()

    def abandon(self) -> None:
        """The command failed: roll back the bringing forward with everything written since,
        and remove a database this store created if nothing was recorded in it."""
        if self._forward:
            self._forward = False
            self._rollback()
        self.discard_if_unused()

    def discard_if_unused(self) -> bool:
        """Remove the database this store created, and the folders made for it, when nothing
        was recorded in it: a first command that fails leaves no file behind. The check and the
        removal happen under the write lock, so a file another atoz has begun to fill is kept.
        Closes the store."""
        if self.created is None:
            return False
        made, self.created = self.created, None
        try:
            self._rollback()
            self.conn.execute("PRAGMA busy_timeout = 0")  # busy: another atoz is using it
            self.conn.execute("BEGIN IMMEDIATE")
            tables = [name for (name,) in self.conn.execute(
                "select name from sqlite_master where type = 'table' and name not like "
                "'sqlite_%' and name not in ('meta', '_sqlite_migrations')")]
            if any(self.conn.execute(f"select 1 from [{name}] limit 1").fetchone()
                   for name in tables):
                return False
            for path in companions(self.path):
                remove_quietly(path)
        except sqlite3.Error:
            return False
        finally:
            self.conn.close()
        for folder in reversed(made):
            try:
                folder.rmdir()
            except OSError:  # something else was put there meanwhile
                break
        return True

    @cached_property
    def db(self) -> Database:
        from sqlite_utils import Database

        return Database(self.conn, execute_plugins=False)

    # schema ------------------------------------------------------------------------------
    def applied_migrations(self) -> list[str]:
        try:
            return [row[0] for row in self.conn.execute(
                "select name from _sqlite_migrations where migration_set = ? order by id",
                [MIGRATION_SET])]
        except sqlite3.OperationalError:  # a new database: no migrations table yet
            return []

    def schema_version(self) -> str:
        applied = self.applied_migrations()
        return applied[-1] if applied else "none"

    def meta(self, key: str) -> str | None:
        try:
            row = self.conn.execute("select value from meta where key = ?", [key]).fetchone()
        except sqlite3.OperationalError:
            return None
        return str(row[0]) if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("insert into meta (key, value) values (?, ?) on conflict (key) do "
                          "update set value = excluded.value", [key, value])

    def newer(self) -> str | None:
        """Why this file is newer than this atoz (its schema or its derived state), or None.
        A newer atoz's file can still be read; it is never written."""
        applied = self.applied_migrations()
        unknown = [name for name in applied if name not in KNOWN]
        if unknown:
            what = f"schema {unknown[-1]}"
        elif _derived_age(self.meta("derived")) > 0:
            what = f"derived state {self.meta('derived')}, this atoz's is {DERIVED}"
        else:
            return None
        made_by = self.meta("written_by") or "a newer atoz"
        return (f"{self.path} was written by atoz {made_by} ({what}), newer than this atoz "
                f"{__version__}")

    def _check_readable(self, current: bool) -> None:
        try:
            applied = self.applied_migrations()
            has_claims = self.conn.execute(
                "select 1 from sqlite_master where type = 'table' and name = 'claims'"
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            raise SchemaError(f"{self.path}: {exc}") from None
        if not applied or not has_claims:
            raise SchemaError(f"{self.path} has no atoz schema: not an atoz database")
        if self.newer() or not current:
            return  # a newer atoz's file: reading may go on, writing is refused
        if applied != [name for name, _ in MIGRATIONS] or not self.derived_is_current:
            raise SchemaError(f"{self.path} was made by an older atoz (schema "
                              f"{applied[-1]}): run `atoz migrate` (or any command that "
                              "records something) to bring it forward")

    def _migrate(self) -> None:
        if problem := self.newer():
            raise SchemaError(f"{problem}: upgrade atoz to write to it (reading still works)")
        applied = self.applied_migrations()
        if applied and (applied != [name for name, _ in MIGRATIONS]
                        or not self.derived_is_current):
            # An older atoz's file: migrated, and its derived state rebuilt (by the caller),
            # in a transaction that commits with the command's own writes or not at all. The
            # file keeps its journal mode until then (WAL is marked in the file's header).
            self._begin()
            try:
                self._apply_migrations()
            except BaseException:
                self._rollback()
                raise
            self._forward = True
            return
        self._use_wal()
        if not applied:  # a new file (or one another atoz is creating): its schema at once
            with self.transaction():
                self._apply_migrations()

    def _apply_migrations(self) -> None:
        migrations().apply(self.db)  # none again that another atoz applied meanwhile
        if not self.has_claims():  # nothing derived to rebuild
            self.set_meta("derived", DERIVED)

    def _use_wal(self) -> None:
        """Write-ahead logging: readers never block the writer. (Not inside a transaction.)"""
        if self.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            self.conn.execute("PRAGMA journal_mode = wal")

    @property
    def bringing_forward(self) -> bool:
        """Whether an older atoz's file is being brought forward, uncommitted as yet."""
        return self._forward

    @property
    def derived_is_current(self) -> bool:
        """False when an older atoz derived the state from history (a newer one's is refused
        for writing before this is asked)."""
        return _derived_age(self.meta("derived")) == 0

    # transactions ------------------------------------------------------------------------
    def _begin(self) -> None:
        """BEGIN IMMEDIATE takes the write lock up front, so two processes never both read,
        then both try to write. While another atoz holds it, say once what we wait for."""
        self.conn.execute("PRAGMA busy_timeout = 2000")
        started = time.monotonic()
        told = False
        while True:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if time.monotonic() - started > LOCK_WAIT_S:
                    raise AtozError(f"{self.path} is locked by another atoz command for over "
                                    f"{LOCK_WAIT_S // 60} minutes; try again when it ends"
                                    ) from None
                if not told and self._waiting is not None:
                    self._waiting(f"waiting: another atoz command is writing to {self.path} "
                                  "(an import holds it for its final step)")
                    told = True
        self.conn.execute("PRAGMA busy_timeout = 30000")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside happen, or none do. Nested blocks are savepoints. While a file is
        being brought forward, the first block commits that too when it ends; if it fails, the
        bringing forward stays open for `abandon` to roll back."""
        if not self.writable:
            raise AtozError("internal: a read-only command tried to write")
        if self._forward:
            self._forward = False
            try:
                with self._savepoint():
                    yield
            except BaseException:
                self._forward = self.conn.in_transaction
                raise
            self._commit_forward()
            return
        if self.conn.in_transaction:
            with self._savepoint():
                yield
            return
        self._begin()
        try:
            yield
        except BaseException:
            self._rollback()
            raise
        self._commit()

    @contextmanager
    def _savepoint(self) -> Iterator[None]:
        self.conn.execute("SAVEPOINT atoz")
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK TO atoz")
                self.conn.execute("RELEASE atoz")
            raise
        self.conn.execute("RELEASE atoz")

    def _rollback(self) -> None:
        """Roll back the open transaction, unless SQLite already has (it does on some errors,
        a full disk among them)."""
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def _commit(self) -> None:
        try:
            self.set_meta("written_by", __version__)
            self.conn.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise

    def _commit_forward(self) -> None:
        self._commit()
        self._use_wal()  # a file from before WAL switches once it has been brought forward

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see one consistent state of the file, even while another process writes
        (a deferred transaction in WAL mode takes no write lock)."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            self.conn.execute("ROLLBACK")

    @contextmanager
    def scratch(self) -> Iterator[None]:
        """A transaction for the connection's temporary tables only (an import staging its
        rows): a deferred BEGIN that writes no table of the file takes no write lock, so other
        atoz commands write meanwhile; the lock is taken later, by `transaction`, to merge.
        While an older atoz's file is being brought forward, a savepoint in that transaction
        instead: it holds the lock already, for this one command."""
        if self._forward:
            with self._savepoint():
                yield
            return
        if not self.writable or self.conn.in_transaction:
            raise AtozError("internal: staging needs a writable store outside a transaction")
        self.conn.execute("BEGIN")
        try:
            yield
        except BaseException:
            self._rollback()
            raise
        self.conn.execute("COMMIT")

    def rows(self, sql: str, params: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
        """Rows as dicts: for the query modules beside the store (reports, exports, staging)."""
        cursor = self.conn.execute(sql, params)
        cursor.row_factory = _row
        yield from cursor

    # claims ------------------------------------------------------------------------------
    def claim(self, claim_id: int) -> Claim | None:
        found = [Claim.from_row(r) for r in self.rows(f"{_CLAIM} where id = ?", [claim_id])]
        return found[0] if found else None

    def claims_for_order(self, order_id: str) -> list[Claim]:
        return [Claim.from_row(r) for r in self.rows(
            f"{_CLAIM} where order_id = ? order by id", [order_id])]

    def claims(self, *, outcomes: Sequence[Outcome] = (), marketplace: str | None = None,
               limit: int | None = None) -> list[Claim]:
        """Claims newest first (by claim date), optionally filtered."""
        where: list[str] = []
        params: list[str] = []
        if outcomes:
            where.append(f"outcome in ({', '.join('?' for _ in outcomes)})")
            params.extend(str(o) for o in outcomes)
        if marketplace:
            where.append("marketplace = ?")
            params.append(marketplace)
        sql = _CLAIM + (" where " + " and ".join(where) if where else "")
        sql += " order by claim_date desc, id desc" + (f" limit {int(limit)}" if limit else "")
        return [Claim.from_row(r) for r in self.rows(sql, params)]

    def insert_claim(self, facts: ClaimFacts, source: Source, created_at: dt.datetime,
                     derived: Derived, claim_id: int | None = None) -> int:
        cursor = self.conn.execute(_INSERT_CLAIM, _claim_row(claim_id, facts, source,
                                                             _stamp(created_at), derived))
        return int(cursor.lastrowid or 0)

    def claim_writer(self) -> ClaimWriter:
        """A writer of whole claims in bulk (an import, a restore), inside a transaction."""
        return ClaimWriter(self.conn)

    def next_claim_id(self) -> int:
        return int(self.conn.execute("select coalesce(max(id), 0) + 1 from claims").fetchone()[0])

    def update_facts(self, claim_id: int, facts: ClaimFacts) -> None:
        values = facts.columns()
        self.conn.execute(f"update claims set {', '.join(f'{k} = ?' for k in values)} "
                          "where id = ?", [*values.values(), claim_id])

    def set_source(self, claim_id: int, source: Source) -> None:
        self.conn.execute("update claims set source = ? where id = ?", [str(source), claim_id])

    def save_derived(self, claim_id: int, derived: Derived, steps: Sequence[Step],
                     decisions: Sequence[Decision]) -> None:
        """The derived state of one claim, replaced whole (it is a function of the history)."""
        values = derived.columns()
        self.conn.execute(f"update claims set {', '.join(f'{k} = ?' for k in values)} "
                          "where id = ?", [*values.values(), claim_id])
        self.conn.execute("delete from steps where claim_id = ?", [claim_id])
        self.conn.execute("delete from decisions where claim_id = ?", [claim_id])
        self.insert_steps(claim_id, steps, decisions)

    def insert_steps(self, claim_id: int, steps: Sequence[Step],
                     decisions: Sequence[Decision]) -> None:
        """The steps and decisions of a claim that has none yet (one just inserted, its
        derived columns written with it)."""
        self.conn.executemany(_INSERT_STEP, [s.columns(claim_id) for s in steps])
        self.conn.executemany(_INSERT_DECISION, [d.columns(claim_id, seq)
                                                 for seq, d in enumerate(decisions)])

    # history -----------------------------------------------------------------------------
    def append(self, claim_id: int, entry: NewEntry) -> None:
        self.conn.execute(_INSERT_HISTORY, entry.columns(claim_id))

    def history(self, claim_id: int) -> list[HistoryEntry]:
        return [HistoryEntry.from_row(r) for r in self.rows(
            "select * from history where claim_id = ? order by id", [claim_id])]

    # steps -------------------------------------------------------------------------------
    def steps(self, claim_id: int) -> list[Step]:
        return [Step.from_row(r) for r in self.rows(
            "select * from steps where claim_id = ? order by due, deadline, step", [claim_id])]

    def open_steps(self, deadline_after: dt.datetime, deadline_until: dt.datetime | None = None
                   ) -> list[tuple[Claim, Step]]:
        """Open steps whose deadline instant is in (after, until], with their claims: one range
        read on the (state, deadline) index, however many years lie behind it."""
        return self.steps_with_deadline(["open"], deadline_after, deadline_until)

    def steps_with_deadline(self, states: Sequence[str], after: dt.datetime,
                            until: dt.datetime | None = None) -> list[tuple[Claim, Step]]:
        marks = ", ".join("?" for _ in states)
        sql = ("select s.*, c.* from steps s join claims c on c.id = s.claim_id "
               f"where s.state in ({marks}) and s.deadline > ?")
        params = [*states, utc_text(after)]
        if until is not None:
            sql += " and s.deadline <= ?"
            params.append(utc_text(until))
        return self._with_claims(sql, params)

    def _with_claims(self, sql: str, params: Sequence[Any]) -> list[tuple[Claim, Step]]:
        cursor = self.conn.execute(sql, params)
        names = [column[0] for column in cursor.description]
        split = names.index("id")  # steps' columns come first, then the claim's
        found = []
        for values in cursor:
            step = dict(zip(names[:split], values[:split], strict=True))
            claim = dict(zip(names[split:], values[split:], strict=True))
            found.append((Claim.from_row(claim), Step.from_row(step)))
        return found

    def awaiting_decision(self, now: dt.datetime) -> list[Claim]:
        """Claims still under review after their response deadline: Amazon is deciding."""
        return [Claim.from_row(r) for r in self.rows(
            f"{_CLAIM} where outcome = 'under-review' and response_deadline <= ? "
            "order by response_deadline, id", [utc_text(now)])]

    # orders ------------------------------------------------------------------------------
    def order(self, order_id: str) -> Order | None:
        found = [Order.from_row(r) for r in self.rows(
            "select * from orders where order_id = ?", [order_id])]
        return found[0] if found else None

    # local rules and remembered messages ---------------------------------------------------
    def local_rules(self) -> list[LocalRule]:
        try:
            rows = list(self.rows("select * from policy_rules order by id"))
        except sqlite3.OperationalError:  # an older atoz's file, read before migrating
            return []
        return [LocalRule(r["id"], r["marketplace"], r["rule"], r["value"], r["source"] or "",
                          dt.date.fromisoformat(r["effective_from"]) if r["effective_from"]
                          else dt.date.min, dt.datetime.fromisoformat(r["recorded_at"]))
                for r in rows]

    def add_local_rule(self, marketplace: str, rule: str, value: int | None, source: str,
                       effective_from: dt.date | None, recorded_at: dt.datetime) -> None:
        self.conn.execute(
            "insert into policy_rules (marketplace, rule, value, source, effective_from, "
            "recorded_at) values (?, ?, ?, ?, ?, ?)",
            [marketplace, rule, value, source,
             effective_from.isoformat() if effective_from else None,
             _stamp(recorded_at)])

    def message_seen(self, message_id: str) -> bool:
        return self.conn.execute("select 1 from mail_messages where message_id = ?",
                                 [message_id]).fetchone() is not None

    def remember_message(self, message_id: str, claim_id: int | None, kind: str,
                         sent_at: dt.datetime, subject: str, imported_at: dt.datetime) -> None:
        self.conn.execute(
            "insert or ignore into mail_messages values (?, ?, ?, ?, ?, ?)",
            [message_id, claim_id, kind, utc_text(sent_at), subject[:300],
             _stamp(imported_at)])

    # the whole file ------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        return {name: int(self.conn.execute(f"select count(*) from {name}").fetchone()[0])
                for name in ("claims", "history", "steps", "orders")}

    def has_claims(self) -> bool:
        return self.conn.execute("select 1 from claims limit 1").fetchone() is not None

    def has_orders(self) -> bool:
        return self.conn.execute("select 1 from orders limit 1").fetchone() is not None

    def integrity(self) -> str:
        return str(self.conn.execute("pragma integrity_check").fetchone()[0])


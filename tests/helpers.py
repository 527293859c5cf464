"""Small helpers shared by the tests."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from atoz.imports.common import ImportOptions
from atoz.instants import Now
from atoz.policy import PolicyBook


def snapshot(db: Path) -> str:
    """A digest of the database file and its write-ahead log: equal means nothing was written.
    An empty log counts as none: SQLite's readers create one beside a WAL database."""
    digest = hashlib.sha256()
    for path in (db, db.with_name(db.name + "-wal")):
        data = path.read_bytes() if path.exists() else b""
        digest.update(data or b"<none>")
    return digest.hexdigest()


def now_at(text: str = "2026-11-28T09:00:00+00:00", zone: str = "UTC") -> Now:
    """A fixed `Now` (the instant, the seller's zone), as the CLI would pass it down."""
    tz = ZoneInfo(zone)
    at = dt.datetime.fromisoformat(text)
    if at.tzinfo is None:
        at = at.replace(tzinfo=tz)
    return Now(at.astimezone(dt.UTC), tz, zone, dt.datetime(2026, 11, 28, tzinfo=dt.UTC))


def import_options(path: Path, now: Now | None = None, **changes: Any) -> ImportOptions:
    return ImportOptions(now=now or now_at(), book=PolicyBook(), name=path.name, **changes)


ADD = ("add", "113-1234567-1234567", "--order-date", "2026-10-01", "--latest-delivery",
       "2026-10-09", "--claim-date", "2026-10-20", "--amount", "24.99", "--currency", "USD",
       "--reason", "not-received", "-m", "US")

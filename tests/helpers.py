"""Small helpers shared by the tests."""

from __future__ import annotations

import hashlib
from pathlib import Path


def snapshot(db: Path) -> str:
    """A digest of the database file and its write-ahead log: equal means nothing was written."""
    digest = hashlib.sha256()
    for path in (db, db.with_name(db.name + "-wal")):
        digest.update(path.read_bytes() if path.exists() else b"<none>")
    return digest.hexdigest()


ADD = ("add", "113-1234567-1234567", "--order-date", "2026-10-01", "--latest-delivery",
       "2026-10-09", "--claim-date", "2026-10-20", "--amount", "24.99", "--currency", "USD",
       "--reason", "not-received")

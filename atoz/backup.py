"""Backups that can be trusted, and the check that says so.

A backup is written with SQLite's online backup into a private temporary file beside the target,
checked (integrity, the same number of claims) and only then renamed to its name: a backup killed
mid-copy, or one to a full disk, never leaves a file that looks like a backup. The check refuses
an empty file, a file without atoz's schema, and one with a left-over rollback journal (a copy
that was interrupted).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from atoz.errors import AtozError, InputError
from atoz.files import make_private_dirs, remove_quietly, temp_beside
from atoz.store import Store


@dataclass(frozen=True)
class Check:
    path: Path
    schema: str
    claims: int
    integrity: str

    @property
    def ok(self) -> bool:
        return self.integrity == "ok"


@dataclass(frozen=True)
class Contents:
    """What a database holds, as `atoz info` shows it."""

    schema: str
    claims: int
    history: int
    steps: int
    orders: int
    local_rules: int  # the seller's rule changes in force or still to start


def contents(store: Store) -> Contents:
    from atoz.policy import PolicyBook

    counts = store.counts()
    return Contents(store.schema_version(), counts["claims"], counts["history"],
                    counts["steps"], counts["orders"],
                    len(PolicyBook(store.local_rules()).active()))


def check(path: Path) -> Check:
    """Open read-only and check a database (yours or a backup) before trusting it."""
    journal = path.with_name(path.name + "-journal")
    if journal.exists():
        raise AtozError(f"{path}: a left-over journal ({journal.name}) says it was being written "
                        "when something stopped: not a sound copy")
    store = Store.open_read(path, current=False)
    try:
        return Check(path, store.schema_version(), store.counts()["claims"], store.integrity())
    finally:
        store.close()


def backup(store: Store, target: Path) -> Check:
    """Copy the database to `target` (a new file), all or nothing."""
    if target.exists() or target.is_symlink():
        raise InputError("file", str(target), "is a folder; give a new file name"
                         if target.is_dir() else "already exists; choose a new file name")
    make_private_dirs(target.parent)
    fd, temp = temp_beside(target)
    os.close(fd)
    try:
        destination = sqlite3.connect(str(temp))
        try:
            # One snapshot for the copy and the count it is checked against: an `atoz add`
            # committing meanwhile is in neither (and does not fail a sound backup).
            with store.snapshot():
                claims = store.counts()["claims"]
                store.conn.backup(destination)
            # A standalone file: no write-ahead log to carry around with it.
            destination.execute("PRAGMA journal_mode = DELETE")
        finally:
            destination.close()
        copied = check(temp)
        if not copied.ok or copied.claims != claims:
            raise AtozError(f"backup to {target} failed its check (integrity "
                            f"{copied.integrity}, {copied.claims} claims); nothing was kept")
        if target.exists():
            raise AtozError(f"{target} appeared meanwhile; nothing was overwritten")
        os.replace(temp, target)
    except BaseException:
        remove_quietly(temp)
        remove_quietly(temp.with_name(temp.name + "-journal"))
        raise
    return Check(target, copied.schema, copied.claims, copied.integrity)

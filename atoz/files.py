"""Files atoz writes: private, whole, and never over a database.

- Folders atoz creates are 0700 and files 0600: they hold buyer names.
- An output is written to a temporary file created exclusively (O_EXCL, never following a
  link) with a random name in the target's own folder, then renamed over the target, so a
  reader never sees half a file and another user cannot plant a link to redirect the write.
- An output never replaces the database in use, its `-wal`/`-shm`/`-journal`, or any file that
  is a SQLite database (read from its header): `atoz calendar --out atoz.db` must not destroy
  the claims.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from atoz.errors import AtozError, InputError

SQLITE_HEADER = b"SQLite format 3\x00"
PARTIAL = ".atoz-partial-"  # in every temporary name, so a left-over one says what it is
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)


def is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def companions(database: Path) -> list[Path]:
    """The database file and the files SQLite keeps beside it."""
    return [database, *(database.with_name(database.name + end)
                        for end in ("-wal", "-shm", "-journal"))]


def check_target(target: Path, field: str, protect: Sequence[Path] = ()) -> None:
    """Refuse an output path that is a folder, sits in no folder, or would replace a database."""
    if target.is_dir():
        raise InputError(field, str(target), "is a folder; give a file name")
    folder = target.parent
    if not folder.is_dir():
        raise InputError(field, str(target), f"no such folder {folder}")
    real = _resolved(target)
    for database in protect:
        if real in {_resolved(p) for p in companions(database)}:
            raise InputError(field, str(target), f"is atoz's database ({database}) or one of "
                                                 "its files; choose another name")
    if target.exists() and is_sqlite(target):
        raise InputError(field, str(target), "is a SQLite database; atoz never writes an "
                                             "output over one: choose another name")


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:  # a loop of links: compare the path as given
        return path.absolute()


def make_private_dirs(folder: Path) -> list[Path]:
    """Create `folder` and any missing parents, each 0700 whatever the umask (Path.mkdir gives
    parents the default mode, 0777 under `umask 000`). Returns the folders it made, outermost
    first."""
    missing = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    made = []
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            continue  # another process made it meanwhile
        os.chmod(path, 0o700)  # a umask cannot widen 0700, but a default ACL could
        made.append(path)
    return made


def create_private(path: Path) -> bool:
    """Create an empty file readable by its owner only, unless it exists (never following a
    link planted where the file would go). True when this call created it."""
    make_private_dirs(path.parent)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | _NOFOLLOW, 0o600)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def temp_beside(target: Path) -> tuple[int, Path]:
    """A new private file (0600, never through a link) with a random name beside `target`."""
    for _ in range(100):
        temp = target.with_name(f".{target.name}{PARTIAL}{secrets.token_hex(6)}")
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY,
                         0o600)
        except FileExistsError:
            continue
        return fd, temp
    raise AtozError(f"cannot create a temporary file beside {target}")


@contextmanager
def replacing(target: Path, field: str, protect: Sequence[Path] = ()) -> Iterator[IO[bytes]]:
    """A binary handle on a private temporary file that replaces `target` when the block ends
    without an error (and is removed when it does not)."""
    check_target(target, field, protect)
    try:
        fd, temp = temp_beside(target)
    except OSError as exc:
        raise AtozError(f"cannot write {target}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise AtozError(f"cannot write {target}: {exc.strerror}") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_private(target: Path, chunks: Iterable[bytes], field: str = "out",
                  protect: Sequence[Path] = ()) -> None:
    """Write chunks to `target`, readable by its owner only, all or nothing."""
    with replacing(target, field, protect) as handle:
        for chunk in chunks:
            handle.write(chunk)


def writable_by_others(path: Path) -> bool:
    """True when someone other than this user (or root) could change the file or folder."""
    info = path.stat()
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return True
    uid = getattr(os, "getuid", lambda: info.st_uid)()
    return info.st_uid not in (uid, 0)


def remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()

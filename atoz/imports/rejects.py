"""Bad rows of an import: an error that rejects the file, or with `--skip-bad` a REJECTS file.

The REJECTS file is checked and its temporary file created before anything is imported (an
unwritable folder fails first, not after the import has committed). The temporary file is
created exclusively with a random name in the target's folder, never through a link another user
planted. It is written and flushed to disk before the import commits (`transaction`), so a full
disk rolls the import back rather than committing rows whose rejects were lost, and renamed to
REJECTS once it has.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from atoz.errors import AtozError, InputError
from atoz.files import replacing
from atoz.imports.common import ImportOptions, row_error
from atoz.store import Store


class Rejects:
    """Bad rows: an error (all or nothing), or with `--skip-bad` a line in the REJECTS file,
    readable by its owner only (rows carry buyer names). For a report it is the header plus the
    bad lines, each with a `reject-reason` cell; for JSON, one JSON object per line."""

    def __init__(self, source: Path | None, options: ImportOptions, header: str | None = None,
                 sep: str = "\t") -> None:
        self.name = options.name
        self.sep = sep
        self.target = options.skip_bad
        self.protect = options.protect
        self.header = header
        self.count = 0
        self._context: Any = None
        self._handle: IO[bytes] | None = None
        if self.target is None:
            return
        if source is not None and self.target.exists() and self.target.resolve() == \
                source.resolve():
            raise InputError("skip_bad", str(self.target), "is the file being imported")

    def __enter__(self) -> Rejects:
        if self.target is not None:
            # Checked there (a folder, no folder, the database) before anything is imported.
            self._context = replacing(self.target, "skip_bad", self.protect)
            self._handle = self._context.__enter__()
            if self.header is not None:
                self._write(f"{self.header}{self.sep}reject-reason\n")
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._context is not None:
            # Written even when empty, so a REJECTS file from an earlier run never lingers;
            # on an error the temporary file is removed and REJECTS is left as it was.
            self._context.__exit__(kind, exc, tb)

    @contextmanager
    def transaction(self, store: Store) -> Iterator[None]:
        """The import's write transaction, committed only once the bad rows are on disk: use
        as `with Rejects(...) as rejects, rejects.transaction(store):` (the rename to REJECTS
        follows the commit, when the Rejects block ends)."""
        with store.transaction():
            yield
            self._sync()

    def _sync(self) -> None:
        if self._handle is None:
            return
        try:
            self._handle.flush()
            os.fsync(self._handle.fileno())
        except OSError as exc:
            raise AtozError(f"cannot write {self.target}: {exc.strerror}") from None

    def _write(self, text: str) -> None:
        assert self._handle is not None
        self._handle.write(text.encode("utf-8"))

    def bad(self, line: int | str, exc: InputError, raw: str | Any) -> None:
        """Raise the row's error, or (with --skip-bad) write the row and its reason."""
        error = row_error(self.name, line, exc)
        if self.target is None:
            raise error
        reason = f"line {line}: {exc}"
        if isinstance(raw, str):
            if self.sep == ",":  # a CSV cell: quoted, inner quotes doubled
                reason = '"' + reason.replace('"', '""') + '"'
            self._write(f"{raw}{self.sep}{reason}\n")
        else:
            self._write(json.dumps({"line": line, "reason": reason, "record": raw},
                                   ensure_ascii=False, default=str) + "\n")
        self.count += 1

    def note(self) -> str | None:
        if self.target is None:
            return None
        if not self.count:
            return f"no rows rejected ({self.target} written empty)"
        rows = "1 bad row" if self.count == 1 else f"{self.count} bad rows"
        return f"{rows} written to {self.target}, with the reason for each"


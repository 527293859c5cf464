"""Bad rows of an import: an error that rejects the file, or with `--skip-bad` a REJECTS file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import TracebackType
from typing import Any

from atoz.errors import InputError
from atoz.imports import ImportOptions, row_error


class Rejects:
    """Bad rows: an error (all or nothing), or with `--skip-bad` a line in the REJECTS file.

    The file is written beside its final name and renamed when the import commits, readable by
    its owner only (rows carry buyer names). For a report it is the header plus the bad lines,
    each with a `reject-reason` cell; for JSON, one JSON object per line.
    """

    def __init__(self, path: Path, options: ImportOptions, header: str | None = None,
                 sep: str = "\t") -> None:
        self.source = path
        self.sep = sep
        self.target = options.skip_bad
        self.header = header
        self.count = 0
        self._handle: Any = None
        if self.target is not None:
            if self.target.resolve() == path.resolve():
                raise InputError("--skip-bad", str(self.target), "is the file being imported")
            if self.target.is_dir():
                raise InputError("--skip-bad", str(self.target), "is a folder; give a file name")
            if not self.target.parent.is_dir():
                raise InputError("--skip-bad", str(self.target), "its folder does not exist")

    def __enter__(self) -> Rejects:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.target is None:
            return
        if kind is not None:
            if self._handle is not None:
                self._handle.close()
            self._partial().unlink(missing_ok=True)
            return
        # Written even when empty, so a REJECTS file from an earlier run never lingers.
        if self._handle is None:
            self._handle = self._open()
        self._handle.close()
        os.replace(self._partial(), self.target)

    def _partial(self) -> Path:
        assert self.target is not None
        return self.target.with_name(self.target.name + ".part")

    def _open(self) -> Any:
        partial = self._partial()
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        if hasattr(os, "fchmod"):  # a leftover file keeps its mode through O_TRUNC
            os.fchmod(fd, 0o600)
        handle = open(fd, "w", encoding="utf-8", newline="")  # noqa: SIM115 (closed in __exit__)
        if self.header is not None:
            handle.write(f"{self.header}{self.sep}reject-reason\n")
        return handle

    def bad(self, line: int, exc: InputError, raw: str | Any) -> None:
        """Raise the row's error, or (with --skip-bad) write the row and its reason."""
        error = row_error(self.source, line, exc)
        if self.target is None:
            raise error
        if self._handle is None:
            self._handle = self._open()
        reason = f"line {line}: {exc}"
        if isinstance(raw, str):
            if self.sep == ",":  # a CSV cell: quoted, inner quotes doubled
                reason = '"' + reason.replace('"', '""') + '"'
            self._handle.write(f"{raw}{self.sep}{reason}\n")
        else:
            self._handle.write(json.dumps({"line": line, "reason": reason, "record": raw},
                                          ensure_ascii=False, default=str) + "\n")
        self.count += 1

    def note(self) -> str | None:
        if self.target is None:
            return None
        if not self.count:
            return "no rows rejected"
        rows = "1 bad row" if self.count == 1 else f"{self.count} bad rows"
        return f"{rows} written to {self.target}, with the reason for each"

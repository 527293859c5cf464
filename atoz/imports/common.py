"""What every importer shares: its options and result, reading text and JSON, and row errors.

Every importer is all-or-nothing: one bad row rejects the file with `file:line: field: problem`,
or with `--skip-bad REJECTS` the good rows are imported and the bad ones written to REJECTS.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atoz.errors import FileFormatError, InputError, quote
from atoz.instants import Now
from atoz.policy import PolicyBook
from atoz.progress import NO_PROGRESS, Progress

NOTES_SHOWN = 10  # row-level notes listed one by one before "and N more"


@dataclass
class ImportResult:
    kind: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.kind}: {self.added} added, {self.updated} updated, "
                f"{self.unchanged} unchanged, {self.skipped} skipped")

    def tell(self, lines: list[str]) -> None:
        """Row-level notes: the first few, then how many more."""
        self.notes.extend(lines[:NOTES_SHOWN])
        if len(lines) > NOTES_SHOWN:
            self.notes.append(f"... and {len(lines) - NOTES_SHOWN} more")


@dataclass(frozen=True)
class ImportOptions:
    now: Now
    book: PolicyBook
    name: str  # the file's name in messages ("orders.tsv", or "stdin")
    marketplace: str | None = None
    encoding: str | None = None
    skip_bad: Path | None = None
    protect: tuple[Path, ...] = ()  # files no output may replace (the database)
    forwarders: frozenset[str] = frozenset()  # addresses whose forwarded e-mails count
    progress: Progress = NO_PROGRESS


def row_error(name: str, line: int | str, exc: InputError) -> FileFormatError:
    value = f" {quote(exc.value)}:" if exc.value != "" else ""
    return FileFormatError(f"{name}:{line}: {exc.field}:{value} {exc.problem}")


def read_text(path: Path, name: str, encoding: str | None) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileFormatError(f"{name}: cannot read: {exc.strerror}") from None
    try:
        return data.decode(encoding or "utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileFormatError(f"{name}: not {encoding or 'UTF-8'} text (byte {exc.start}); "
                              "save it as UTF-8 or give --encoding") from None
    except LookupError:
        raise InputError("encoding", encoding, "unknown encoding") from None


# A \uD800-\uDFFF escape: JSON's way to write half of a UTF-16 pair (see parse_json).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LONG_NUMBER = re.compile(r"[0-9]{4000,}")


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def parse_json(name: str, text: str, **options: Any) -> Any:
    """The JSON document in `text`, or a FileFormatError with the line: for bad syntax, and for
    what the json module takes but atoz cannot keep (a number past Python's 4300 digits, nesting
    deep enough to exhaust the stack, a lone surrogate escape that is not Unicode text)."""
    try:
        data = json.loads(text, **options)
    except json.JSONDecodeError as exc:
        raise FileFormatError(f"{name}:{exc.lineno}: json: {exc.msg}") from None
    except RecursionError:
        raise FileFormatError(f"{name}:1: json: nested too deeply") from None
    except ValueError:  # int() of a number past sys.get_int_max_str_digits()
        found = _LONG_NUMBER.search(text)
        raise FileFormatError(f"{name}:{_line(text, found.start() if found else 0)}: json: "
                              "a number too long to read") from None
    if _SURROGATE_ESCAPE.search(text):
        try:
            json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
        except UnicodeEncodeError:
            raise FileFormatError(f"{name}:{_lone_surrogate_line(text)}: json: a \\u escape "
                                  "that is half of a UTF-16 pair (a lone surrogate), not "
                                  "Unicode text") from None
    return data


def _lone_surrogate_line(text: str) -> int:
    """The line of the first surrogate escape that is not part of a high-low pair."""
    high: int | None = None  # where an unpaired high surrogate escape starts
    for match in _SURROGATE_ESCAPE.finditer(text):
        low = int(match.group()[2:], 16) >= 0xDC00
        if low and high is not None and match.start() == high + 6:
            high = None  # the second half of a pair
        elif high is not None or low:
            return _line(text, high if high is not None else match.start())
        else:
            high = match.start()
    return _line(text, high or 0)


def duplicated(names: list[str], name: str) -> None:
    """Refuse a header that names one column twice: which of the two would count is a guess
    (a second latest-delivery-date would silently shorten the window)."""
    seen: dict[str, int] = {}
    for index, column in enumerate(names):
        if column in seen:
            raise FileFormatError(f"{name}:1: header: column {column!r} appears twice (columns "
                                  f"{seen[column] + 1} and {index + 1}); keep one")
        seen[column] = index

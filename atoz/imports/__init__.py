"""Importing files: detect what a file is, then hand it to the importer for that kind.

Every importer is all-or-nothing: it checks and writes inside one transaction, and one bad row
rejects the file with `file:line: field: problem` (unless the kind supports `--skip-bad`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atoz.errors import FileFormatError, InputError, quote
from atoz.store import Store

MAX_FILE_BYTES = 2 * 1024**3


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


@dataclass(frozen=True)
class ImportOptions:
    marketplace: str | None = None
    encoding: str | None = None
    skip_bad: Path | None = None
    today: object = None  # datetime.date; resolves `today` in claim dates
    progress: Callable[[int, int], None] | None = None  # (bytes read, file size) on long files


Importer = Callable[[Store, Path, ImportOptions], ImportResult]


def row_error(path: Path, line: int, exc: InputError) -> FileFormatError:
    value = f" {quote(exc.value)}:" if exc.value != "" else ""
    return FileFormatError(f"{path.name}:{line}: {exc.field}:{value} {exc.problem}")


# A \uD800-\uDFFF escape: JSON's way to write half of a UTF-16 pair (see parse_json).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LONG_NUMBER = re.compile(r"\d{4000,}")


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def parse_json(path: Path, text: str, **options: Any) -> Any:
    """The JSON document in `text`, or a FileFormatError with the line: for bad syntax, and for
    what the json module takes but atoz cannot keep (a number past Python's 4300 digits, nesting
    deep enough to exhaust the stack, a lone surrogate escape that is not Unicode text)."""
    try:
        data = json.loads(text, **options)
    except json.JSONDecodeError as exc:
        raise FileFormatError(f"{path.name}:{exc.lineno}: json: {exc.msg}") from None
    except RecursionError:
        raise FileFormatError(f"{path.name}:1: json: nested too deeply") from None
    except ValueError:  # int() of a number past sys.get_int_max_str_digits()
        found = _LONG_NUMBER.search(text)
        raise FileFormatError(f"{path.name}:{_line(text, found.start() if found else 0)}: json: "
                              "a number too long to read") from None
    if _SURROGATE_ESCAPE.search(text):
        try:
            json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
        except UnicodeEncodeError:
            raise FileFormatError(f"{path.name}:{_lone_surrogate_line(text)}: json: a \\u "
                                  "escape that is half of a UTF-16 pair (a lone surrogate), "
                                  "not Unicode text") from None
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


def read_head(path: Path, size: int = 4096) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(size)
    except OSError as exc:
        raise FileFormatError(f"{path}: cannot read: {exc.strerror}") from None


def detect_kind(path: Path) -> str:
    """The kind of file, from its content (the name is only a hint)."""
    head = read_head(path)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 (Excel's "Unicode Text")
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    if not head.strip():
        raise FileFormatError(f"{path.name}: the file is empty")
    if b"\x00" in head:
        if min(head[0::2].count(0), head[1::2].count(0)) == 0 and head.count(0) > len(head) // 4:
            raise FileFormatError(f"{path.name}: looks like UTF-16 text without a byte-order "
                                  "mark; save it as UTF-8 (or UTF-16 with a BOM)")
        raise FileFormatError(f"{path.name}: not a text file (binary data)")
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff").lstrip()
    if text.startswith(("{", "[")):
        return _json_kind(path, text)
    first_line = text.splitlines()[0] if text else ""
    if "\t" in first_line:
        return "order-report"
    if first_line.replace(" ", "").lower().startswith("order_id"):
        return "claims-csv"
    raise FileFormatError(
        f"{path.name}:1: header: not a file atoz knows; expected atoz's claims CSV "
        "(order_id,order_date,latest_delivery,...), an Amazon order report (tab-separated), "
        "or SP-API / Finances JSON")


def _json_kind(path: Path, head: str) -> str:
    for marker, kind in KIND_MARKERS:
        if marker in head:
            return kind
    raise FileFormatError(f"{path.name}:1: json: not a JSON file atoz knows (no Orders, orders, "
                          "FinancialEvents or atoz export keys)")


# Markers in a JSON file's first 4 KB that tell the kinds apart; the importers check the rest.
KIND_MARKERS: list[tuple[str, str]] = [
    ('"atoz_export"', "claims-json"),
    ('"FinancialEvents"', "finance-events"),
    ('"GuaranteeClaimEventList"', "finance-events"),
    ('"Orders"', "orders-v0"),
    ('"AmazonOrderId"', "orders-v0"),
    ('"orders"', "orders-2026"),
    ('"orderId"', "orders-2026"),
]


def importers() -> dict[str, Importer]:
    from atoz.imports import claims_file, finance, order_report, orders_api

    kinds: dict[str, Importer] = {
        "claims-csv": claims_file.import_csv,
        "claims-json": claims_file.import_json,
        "orders-v0": orders_api.import_v0,
        "orders-2026": orders_api.import_2026,
        "order-report": order_report.import_report,
        "finance-events": finance.import_events,
    }
    return kinds


def run_import(store: Store, path: Path, kind: str | None, options: ImportOptions) -> ImportResult:
    if not path.is_file():
        raise InputError("FILE", str(path), "is a folder, not a file" if path.is_dir()
                         else "not a regular file" if path.exists() else "no such file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise FileFormatError(f"{path.name}: larger than 2 GB; split it")
    available = importers()
    chosen = kind or detect_kind(path)
    if chosen not in available:
        raise InputError("--kind", chosen, f"unknown; use one of {', '.join(available)}")
    return available[chosen](store, path, options)

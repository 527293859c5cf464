"""What a file is, from its content (the name is only a hint), and the importer for each kind."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from atoz.errors import FileFormatError, InputError
from atoz.imports.common import ImportOptions, ImportResult
from atoz.store import Store

MAX_FILE_BYTES = 2 * 1024**3
Importer = Callable[[Store, Path, ImportOptions], ImportResult]
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
    from atoz.imports import claims_csv, finance, mail_claims, order_report, orders_api, restore

    return {
        "claims-csv": claims_csv.import_csv,
        "claims-json": restore.restore,
        "orders-v0": orders_api.import_v0,
        "orders-2026": orders_api.import_2026,
        "order-report": order_report.import_report,
        "finance-events": finance.import_events,
        "email": mail_claims.import_mail,
    }


def _head(path: Path, name: str) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(4096)
    except OSError as exc:
        raise FileFormatError(f"{name}: cannot read: {exc.strerror}") from None


def detect_kind(path: Path, name: str) -> str:
    """The kind of file, from its content."""
    from atoz.imports.mail import is_maildir, looks_like_mail

    if path.is_dir():
        if is_maildir(path):
            return "email"
        raise InputError("file", str(path), "is a folder, not a file (nor a Maildir folder)")
    head = _head(path, name)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 (Excel's "Unicode Text")
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    if not head.strip():
        raise FileFormatError(f"{name}: the file is empty")
    if b"\x00" in head:
        if min(head[0::2].count(0), head[1::2].count(0)) == 0 and head.count(0) > len(head) // 4:
            raise FileFormatError(f"{name}: looks like UTF-16 text without a byte-order mark; "
                                  "save it as UTF-8 (or UTF-16 with a BOM)")
        raise FileFormatError(f"{name}: not a text file (binary data)")
    if looks_like_mail(head):
        return "email"
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff").lstrip()
    if text.startswith(("{", "[")):
        for marker, kind in KIND_MARKERS:
            if marker in text:
                return kind
        raise FileFormatError(f"{name}:1: json: not a JSON file atoz knows (no Orders, orders, "
                              "FinancialEvents or atoz export keys)")
    first = text.replace("\r\n", "\n").replace("\r", "\n").split("\n", 1)[0]
    from atoz.imports.claims_rows import dialect_of, header_names

    cells = next(csv.reader([first], dialect_of(first)), [])
    names = header_names(cells)
    if "order_id" in names:
        return "claims-csv"
    if "\t" in first and ({"order-id", "amazon-order-id"} & {c.strip().strip('"').lower()
                                                              for c in first.split("\t")}):
        return "order-report"
    raise FileFormatError(
        f"{name}:1: header: not a file atoz knows; expected atoz's claims CSV "
        "(order_id,order_date,latest_delivery,...), an Amazon order report (tab-separated), "
        "SP-API / Finances JSON, an atoz export, or Amazon's claim e-mails (.eml, mbox, Maildir)")


def kind_of(path: Path, kind: str | None, name: str) -> str:
    """The importer `path` needs (`kind`, else detected), after checking the file can be
    imported at all: the CLI asks before it opens, or creates, the database."""
    if not path.exists():
        raise InputError("file", str(path), "no such file")
    if not path.is_dir() and not path.is_file():
        raise InputError("file", str(path), "not a regular file")
    if path.is_file() and path.stat().st_size > MAX_FILE_BYTES:
        raise FileFormatError(f"{name}: larger than 2 GB; split it")
    available = importers()
    chosen = (kind.strip().lower() if kind else None) or detect_kind(path, name)
    if chosen not in available:
        raise InputError("kind", chosen, f"unknown; use one of {', '.join(available)}")
    if path.is_dir() and chosen != "email":
        raise InputError("file", str(path), "is a folder; only e-mail (Maildir) imports take one")
    return chosen


def run_import(store: Store, path: Path, kind: str | None, options: ImportOptions
               ) -> ImportResult:
    return importers()[kind_of(path, kind, options.name)](store, path, options)

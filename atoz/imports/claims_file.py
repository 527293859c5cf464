"""atoz's own claims files: the CSV a seller keeps by hand, and the JSON `atoz export` writes."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

from atoz import clock
from atoz.claims import (
    FINANCE,
    add_claim,
    build_claim,
    complete_finance_claim,
    not_future,
    set_outcome,
)
from atoz.dates import parse_date
from atoz.errors import FileFormatError, InputError
from atoz.imports import ImportOptions, ImportResult, parse_json
from atoz.imports.rejects import Rejects
from atoz.outcomes import UNDER_REVIEW, parse_outcome
from atoz.store import Store

COLUMNS = ("order_id", "order_date", "latest_delivery", "claim_date", "amount", "currency",
           "reason", "marketplace", "buyer", "status", "decided_on", "note")
REQUIRED = COLUMNS[:3]


def read_text(path: Path, encoding: str | None) -> str:
    try:
        return path.read_bytes().decode(encoding or "utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileFormatError(f"{path.name}: not {encoding or 'UTF-8'} text (byte {exc.start}); "
                              "save it as UTF-8 or give --encoding") from None
    except LookupError:
        raise InputError("--encoding", encoding, "unknown encoding") from None


def _record(store: Store, values: dict[str, str | None], today: dt.date,
            result: ImportResult, source: str) -> None:
    """Add one claim row (with its known outcome), or count it unchanged if already recorded."""
    row = build_claim(values, today=today)
    status = parse_outcome(values.get("status") or UNDER_REVIEW, "status")
    decided_text = values.get("decided_on") or ""
    decided = None
    if status != UNDER_REVIEW:
        if not decided_text.strip():
            raise InputError("decided_on", "", f"required when status is {status}")
        decided = parse_date(decided_text, "decided_on", today=today)
        not_future(decided, today, "decided_on", decided_text)
    existing = [r for r in store.claims_for_order(row["order_id"])
                if r["claim_date"] == row["claim_date"] and r["source"] != FINANCE]
    if existing:
        result.unchanged += 1
        return
    completed = complete_finance_claim(store, row["order_id"], values, today=today,
                                       source=source)
    if completed:
        claim, changed = completed
        result.updated += 1
        result.notes.append(f"claim {claim.id} (order {claim.row['order_id']}), created from "
                            "Amazon's finance data, completed with this file's facts")
        if status != claim.status and decided is not None:
            set_outcome(store, claim, status, decided, values.get("note"))
        return
    add_claim(store, row, source=source, status=status, decided_on=decided,
              note=values.get("note"))
    result.added += 1


def import_csv(store: Store, path: Path, options: ImportOptions) -> ImportResult:
    text = read_text(path, options.encoding)
    # strict: a quote left open is an error, not a cell that swallows the rest of the file.
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        names = reader.fieldnames or []
    except csv.Error as exc:  # the header itself: a quote left open, a NUL...
        raise FileFormatError(f"{path.name}:1: header: {exc}") from None
    header = [(name or "").strip().lower() for name in names]
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        raise FileFormatError(f"{path.name}:1: header: unknown column {unknown[0]!r}; "
                              f"columns are {', '.join(COLUMNS)}")
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise FileFormatError(f"{path.name}:1: header: missing column {missing[0]!r}")
    reader.fieldnames = header
    today = options.today if isinstance(options.today, dt.date) else clock.today()
    result = ImportResult("claims-csv")
    with Rejects(path, options, ",".join(header), sep=",") as rejects, store.transaction():
        try:
            for values in reader:
                line = reader.line_num
                if not any((v or "").strip() for k, v in values.items() if k is not None):
                    continue
                try:
                    if None in values:
                        raise InputError("row", "", "more cells than columns")
                    # A savepoint per row: a row refused half-way leaves nothing behind.
                    with store.db.atomic():
                        _record(store, values, today, result, "csv")
                except InputError as exc:
                    rejects.bad(line, exc, _csv_line(values, header))
                    result.skipped += 1
        except csv.Error as exc:
            # reader.reader: DictReader's own line_num stops at the last row it returned.
            raise FileFormatError(f"{path.name}:{reader.reader.line_num}: csv: {exc}") from None
        if result.added + result.unchanged + result.skipped == 0:
            raise FileFormatError(f"{path.name}: no claims in the file (only a header)")
    note = rejects.note()
    if note:
        result.notes.append(note)
    return result


def _csv_line(values: dict[str | None, Any], header: list[str]) -> str:
    buffer = io.StringIO()
    cells = [values.get(name) or "" for name in header] + list(values.get(None) or [])
    csv.writer(buffer, lineterminator="").writerow(cells)
    return buffer.getvalue()


def import_json(store: Store, path: Path, options: ImportOptions) -> ImportResult:
    """An `atoz export --format json` file, claim by claim with its whole history."""
    from atoz.exports import restore_claims

    data: Any = parse_json(path, read_text(path, options.encoding))
    with store.transaction():
        return restore_claims(store, path, data)

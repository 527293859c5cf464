"""What every importer of Amazon's own data shares: reading the bytes as sellers have them,
taking dates in the marketplace's time zone, exact amounts, bad rows, and writing orders.

Amazon's data is taken as Amazon delivers it: UTF-8 with or without a byte-order mark, CRLF line
ends, Windows-1252 (EU downloads) or Shift-JIS/cp932 (Japan) text, raw `"` in product names.
A timestamp is converted to the marketplace's time zone before its date is taken, and the
marketplace comes from the data (marketplace id, sales channel), never from the order id.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from atoz import clock
from atoz.errors import FileFormatError, InputError
from atoz.imports import ImportOptions, ImportResult, parse_json
from atoz.imports.rejects import Rejects
from atoz.money import MINOR_UNITS, parse_currency
from atoz.policy import Policy, by_marketplace_id, by_sales_channel, get_policy
from atoz.store import Store

CHUNK = 5000  # rows per write batch and per progress report
NOTES_SHOWN = 10  # row-level notes listed one by one before "and N more"
_KANA = re.compile("[\u3040-\u30ff]")
_AMOUNT = re.compile(r"(-?)(\d+)(?:\.(\d+))?")
_LABELS = {"utf-8": "UTF-8", "cp932": "Shift-JIS (cp932)", "cp1252": "Windows-1252"}


# --- reading the bytes ------------------------------------------------------------------------
def open_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, line without its end) for each line; a UTF-16 file is re-encoded as UTF-8."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise FileFormatError(f"{path.name}: cannot read: {exc.strerror}") from None
    with handle:
        head = handle.peek(4)[:4] if hasattr(handle, "peek") else b""
        source: Any = handle
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            # Excel's "Unicode Text": tab-separated UTF-16.
            text = io.TextIOWrapper(handle, encoding="utf-16", newline="")
            source = (line.encode("utf-8") for line in text)
        for number, raw in enumerate(source, start=1):
            yield number, raw.rstrip(b"\r\n")


def guess_encoding(sample: bytes) -> tuple[str, str]:
    """The encoding of some non-ASCII bytes, and why. A strict-decode cascade is enough here:
    UTF-8 is self-checking; cp932 text has kana or lead bytes in 0x81-0x9F, where Windows-1252
    text has only rare punctuation; Windows-1252 decodes nearly anything, so it comes last."""
    try:
        sample.decode("utf-8")
        return "utf-8", "valid UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        japanese: str | None = sample.decode("cp932")
    except UnicodeDecodeError:
        japanese = None
    high = [b for b in sample if b >= 0x80]
    lead_share = sum(1 for b in high if b <= 0x9F) / max(1, len(high))
    if japanese is not None and (_KANA.search(japanese) or lead_share >= 0.3):
        return "cp932", "not UTF-8; the bytes read as Japanese text"
    try:
        sample.decode("cp1252")
        return "cp1252", "not UTF-8 or Shift-JIS; the bytes read as Western European text"
    except UnicodeDecodeError:
        pass
    if japanese is not None:
        return "cp932", "not UTF-8 or Windows-1252; the bytes read as Shift-JIS"
    raise FileFormatError("cannot tell the text encoding (not UTF-8, Shift-JIS or "
                          "Windows-1252); give --encoding")


class Decoder:
    """Decodes a file's lines in one encoding: the one given, or the first one the bytes
    allow (decided at the first line that is not plain ASCII, then kept for the whole file)."""

    def __init__(self, path: Path, given: str | None) -> None:
        self.path = path
        self.encoding: str | None = None
        self.why = ""
        if given:
            try:
                self.encoding = codecs.lookup(given).name
                # rot13, zlib, hex... are codecs but not text encodings (an empty input is not
                # checked, and one byte may not decode in, say, UTF-16).
                with contextlib.suppress(UnicodeDecodeError):
                    b"\n".decode(self.encoding)
            except LookupError:
                raise InputError("--encoding", given, "unknown encoding; try utf-8, cp1252 "
                                                       "or cp932") from None
            self.why = "given with --encoding"
        self.utf16 = False
        with path.open("rb") as handle:
            if handle.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
                # open_lines re-encodes it as UTF-8 (a given encoding cannot apply).
                self.encoding, self.why, self.utf16 = "utf-8", "byte-order mark", True

    @property
    def label(self) -> str:
        if self.utf16:
            return "UTF-16"
        return _LABELS.get(self.encoding or "", self.encoding or "ASCII")

    def note(self) -> str:
        if self.encoding is None:
            return "encoding: plain ASCII"
        return f"encoding: {self.label} ({self.why})"

    def decode(self, raw: bytes, line: int) -> str:
        if line == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
            if self.encoding is None:
                self.encoding, self.why = "utf-8", "byte-order mark"
        if self.encoding is None:
            if raw.isascii():
                return raw.decode("ascii")
            try:
                encoding, why = guess_encoding(raw)
            except FileFormatError as exc:
                raise FileFormatError(f"{self.path.name}:{line}: encoding: {exc}") from None
            self.encoding, self.why = encoding, f"detected at line {line}: {why}"
        try:
            return raw.decode(self.encoding)
        except UnicodeDecodeError as exc:
            raise FileFormatError(
                f"{self.path.name}:{line}: encoding: byte {exc.start + 1} is not "
                f"{self.label} ({self.why}); give --encoding (utf-8, cp1252 or cp932)") from None


def load_json(path: Path, encoding: str | None) -> tuple[Any, str]:
    """The parsed document and its text (for line numbers in messages)."""
    from atoz.imports.claims_file import read_text

    text = read_text(path, encoding)
    return parse_json(path, text, parse_float=Decimal), text


def json_lines(text: str, keys: list[str | None]) -> list[int]:
    """The line where each record starts, found by its id in file order (1 when not found)."""
    lines, position, line = [], 0, 1
    for key in keys:
        found = text.find(f'"{key}"', position) if key else -1
        if found >= 0:
            line += text.count("\n", position, found)
            position = found
        lines.append(line)
    return lines


# --- values -----------------------------------------------------------------------------------
def local_date(text: str, field: str, policy: Policy) -> str:
    """An Amazon timestamp's date in the marketplace's zone (`2026-01-14T07:59:59Z` on
    amazon.com is 2026-01-13), as ISO text. A bare date is taken as it is."""
    from atoz.dates import HINT, check_range, parse_date

    raw = text.strip()
    try:
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        return parse_date(raw, field, today=None, tz=policy.tz).isoformat()
    if moment.tzinfo is not None:
        try:
            moment = moment.astimezone(policy.tz)
        except OverflowError:  # past year 9999 in the marketplace's zone
            raise InputError(field, text, f"not a valid timestamp; {HINT}") from None
    return check_range(moment.date(), field, text).isoformat()


def to_minor(text: str, currency: str, field: str, *, signed: bool = False) -> int:
    """`24.99` USD -> 2499; `1200` JPY -> 1200. Exact: digits only, no floats on the way."""
    raw = text.strip()
    match = _AMOUNT.fullmatch(raw)
    if match is None or len(raw) > 20:
        raise InputError(field, text, "not an amount; expected digits with a dot, like 24.99")
    sign, whole, fraction = match.groups()
    if sign and not signed:
        raise InputError(field, text, "negative")
    digits = MINOR_UNITS[currency]
    fraction = fraction or ""
    if fraction[digits:].strip("0"):
        raise InputError(field, text, f"more decimals than {currency} has")
    value = int(whole + fraction[:digits].ljust(digits, "0"))
    return -value if sign else value


def from_minor(value: int, currency: str) -> str:
    return str(Decimal(value).scaleb(-MINOR_UNITS[currency]))


def amount_minor(amount: object, currency: object, field: str) -> tuple[int, str]:
    """An SP-API money object's amount (string or JSON number) in minor units, and its currency."""
    code = parse_currency(str(currency or ""), f"{field}.currency")
    return to_minor(str(amount), code, f"{field}.amount", signed=True), code


@cache
def channel_policy(channel: str) -> Policy | None:
    return by_sales_channel(channel)


@cache
def id_policy(marketplace_id: str) -> Policy | None:
    return by_marketplace_id(marketplace_id)


def fallback_policy(options: ImportOptions, field: str) -> Policy:
    """The marketplace for records that do not say: `--marketplace`, or an error naming it."""
    if options.marketplace:
        return get_policy(options.marketplace)
    raise InputError(field, "", "the file does not say which marketplace; give --marketplace")


def order_status(text: str | None) -> str | None:
    """Amazon writes `Canceled` (API), `Cancelled` (reports), `CANCELLED` (2026 API)."""
    if not text or not text.strip():
        return None
    status = text.strip().lower().replace(" ", "-")
    return "cancelled" if status == "canceled" else status


CHANNELS = {"afn": "AFN", "amazon": "AFN", "mfn": "MFN", "merchant": "MFN", "seller": "MFN"}


def fulfillment_channel(text: str | None) -> str | None:
    if not text or not text.strip():
        return None
    return CHANNELS.get(text.strip().lower(), text.strip().upper())


# --- writing orders ---------------------------------------------------------------------------
# A staged row: (order_id, item key, line, purchase_date, latest_delivery, marketplace,
# fulfillment_channel, order_status, currency, total in minor units).
Row = tuple[str, int, int, str | None, str | None, str, str | None, str | None, str | None,
            int | None]
_COLUMNS = ("purchase_date", "latest_delivery", "marketplace", "fulfillment_channel", "total",
            "currency", "order_status")  # in store.upsert_orders' order


class OrderSink:
    """Collects checked order rows and writes them as orders, inside the caller's transaction.

    Rows are one per item (reports: an order's items are summed, its dates reconciled) or one
    per order (API files: a repeated order keeps its last version). A value the file leaves
    empty never erases one already stored (an All Orders report has no delivery promise).
    """

    def __init__(self, store: Store, path: Path, kind: str, *, per_order: bool) -> None:
        self.store = store
        self.path = path
        self.per_order = per_order
        self.result = ImportResult(kind)
        self.repeated = 0
        self._batch: list[Row] = []
        store.start_staging()

    def add(self, row: Row) -> None:
        self._batch.append(row)
        if len(self._batch) >= CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self._batch:
            new = self.store.stage_rows(self._batch, replace=self.per_order)
            if not self.per_order:
                self.repeated += len(self._batch) - new
            self._batch = []

    def finish(self, rejects: Rejects,
               reread: Callable[[set[int]], dict[int, str]] | None = None) -> ImportResult:
        """Check orders across rows, then write them. `reread` fetches raw lines by number, for
        the REJECTS file, when rows of one order far apart in the file contradict each other."""
        self._flush()
        conflicts = [(c["order_id"], self.store.staged_lines(c["order_id"]))
                     for c in self.store.staged_conflicts()]
        wanted = {r["line"] for _, rows in conflicts for r in rows}
        raw = reread(wanted) if wanted and reread and rejects.target else {}
        for order_id, rows in conflicts:
            self._conflict(order_id, rows, rejects, raw)
        self._disagreements()
        self.store.merge_staged()
        imported_at = clock.now_utc().isoformat()
        after = 0
        while chunk := self.store.merged_chunk(after, CHUNK):
            writes = [self._merge(row, imported_at) for row in chunk]
            self.store.upsert_orders([w for w in writes if w is not None])
            after = chunk[-1]["rid"]
        if self.repeated:
            self.result.notes.append(f"{self.repeated} repeated rows (identical lines) counted "
                                     "once")
        return self.result

    def _conflict(self, order_id: str, rows: list[dict[str, Any]], rejects: Rejects,
                  lines: dict[int, str]) -> None:
        first = rows[0]
        for row in rows[1:]:
            for column, field in (("marketplace", "marketplace"), ("currency", "currency")):
                if row[column] != first[column]:
                    exc = InputError(field, row[column], f"order {order_id} is "
                                     f"{first[column]} on line {first['line']}; one order has "
                                     "one " + field)
                    for bad in [row, *(r for r in rows if r is not row)]:
                        rejects.bad(bad["line"], exc, lines.get(bad["line"], order_id))
                    self.store.unstage(order_id)
                    self.result.skipped += len(rows)
                    return

    def _disagreements(self) -> None:
        shown = 0
        total = 0
        for row in self.store.staged_disagreements():
            total += 1
            if shown >= NOTES_SHOWN:
                continue
            shown += 1
            rows = self.store.staged_lines(row["order_id"])
            parts = []
            for column, keep in (("purchase_date", min), ("latest_delivery", max)):
                values = {r[column]: r["line"] for r in reversed(rows) if r[column]}
                if len(values) > 1:
                    seen = ", ".join(f"{v} on line {n}" for v, n in sorted(values.items()))
                    rule = "the earliest" if keep is min else "the latest"
                    parts.append(f"{column.replace('_', ' ')}: {seen}; kept {keep(values)} "
                                 f"({rule})")
            self.result.notes.append(f"order {row['order_id']}: rows disagree on "
                                     + "; ".join(parts))
        if total > shown:
            self.result.notes.append(f"... and {total - shown} more orders whose rows disagree "
                                     "on a date")

    def _merge(self, row: dict[str, Any], imported_at: str) -> tuple[Any, ...] | None:
        new = {
            "purchase_date": row["purchase_date"], "latest_delivery": row["latest_delivery"],
            "marketplace": row["marketplace"], "fulfillment_channel": row["fulfillment_channel"],
            "order_status": row["order_status"], "currency": row["currency"],
            "total": (from_minor(row["total_minor"], row["currency"])
                      if row["total_minor"] is not None and row["currency"] else None),
        }
        if row["known"]:
            old = {column: row[f"old_{column}"] for column in _COLUMNS}
            merged = {c: new[c] if new[c] is not None else old[c] for c in _COLUMNS}
            if merged == old:
                self.result.unchanged += 1
                return None
            self.result.updated += 1
        else:
            merged = new
            self.result.added += 1
        return (row["order_id"], *(merged[c] for c in _COLUMNS), self.path.name, imported_at)

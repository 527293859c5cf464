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
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from atoz.dates import HINT, check_range, parse_date
from atoz.errors import FileFormatError, InputError
from atoz.imports.common import ImportOptions, parse_json, read_text
from atoz.money import parse_amount, parse_currency
from atoz.policy import Policy, by_domain, by_marketplace_id, packaged

_KANA = re.compile("[\u3040-\u30ff]")
_LABELS = {"utf-8": "UTF-8", "cp932": "Shift-JIS (cp932)", "cp1252": "Windows-1252"}


# --- reading the bytes ------------------------------------------------------------------------
def open_lines(path: Path, name: str) -> Iterator[tuple[int, bytes]]:
    """(line number, line without its end) for each line, whatever ends the lines: LF, CRLF, or
    a lone CR (classic Mac), which would otherwise read as one line; a UTF-16 file is
    re-encoded as UTF-8."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise FileFormatError(f"{name}: cannot read: {exc.strerror}") from None
    with handle:
        head = handle.peek(4096)[:4096] if hasattr(handle, "peek") else b""
        source: Any = handle
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            source = _utf16_lines(handle, name)
        elif b"\r" in head and b"\n" not in head:
            source = _cr_lines(handle)
        for number, raw in enumerate(source, start=1):
            yield number, raw.rstrip(b"\r\n")


def _utf16_lines(handle: Any, name: str) -> Iterator[bytes]:
    """Excel's "Unicode Text" (tab-separated UTF-16), re-encoded as UTF-8; a file that starts
    like UTF-16 and then is not (an odd byte at the end, a broken pair) is refused by line."""
    read = 0
    try:
        for line in io.TextIOWrapper(handle, encoding="utf-16", newline=""):
            yield line.encode("utf-8")
            read += 1
    except UnicodeDecodeError:
        # Decoded in chunks: the bad bytes lie somewhere after the last whole line read.
        where = f" after line {read}" if read else ""
        raise FileFormatError(f"{name}: not valid UTF-16{where}, though the file starts with a "
                              "UTF-16 byte-order mark") from None


def _cr_lines(handle: Any) -> Iterator[bytes]:
    pending = b""
    while chunk := handle.read(1 << 16):
        parts = (pending + chunk).split(b"\r")
        pending = parts.pop()
        yield from parts
    if pending:
        yield pending


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

    def __init__(self, path: Path, name: str, given: str | None) -> None:
        self.name = name
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
                raise InputError("encoding", given, "unknown encoding; try utf-8, cp1252 "
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
                raise FileFormatError(f"{self.name}:{line}: encoding: {exc}") from None
            self.encoding, self.why = encoding, f"detected at line {line}: {why}"
        try:
            return raw.decode(self.encoding)
        except UnicodeDecodeError as exc:
            raise FileFormatError(
                f"{self.name}:{line}: encoding: byte {exc.start + 1} is not "
                f"{self.label} ({self.why}); give --encoding (utf-8, cp1252 or cp932)") from None


def load_json(path: Path, options: ImportOptions) -> tuple[Any, str]:
    """The parsed document and its text (for line numbers in messages)."""
    text = read_text(path, options.name, options.encoding)
    return parse_json(options.name, text, parse_float=Decimal), text


def json_lines(text: str, records: list[Any], id_key: str) -> list[int]:
    """The line where each record starts, found by its id (its `id_key`) in file order (1
    when not found)."""
    keys = [r.get(id_key) if isinstance(r, dict) and isinstance(r.get(id_key), str) else None
            for r in records]
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


def amount_minor(amount: object, currency: object, field: str) -> tuple[int, str]:
    """An SP-API money object's amount (string or JSON number) in minor units, and its currency."""
    code = parse_currency(str(currency or ""), f"{field}.currency")
    return parse_amount(str(amount), code, f"{field}.amount", signed=True), code


def dig(record: Any, *keys: str) -> Any:
    """record[k1][k2]..., or None where a level is missing or not an object."""
    for key in keys:
        if not isinstance(record, dict):
            return None
        record = record.get(key)
    return record


@cache
def channel_policy(channel: str) -> Policy | None:
    return by_domain(channel)


@cache
def id_policy(marketplace_id: str) -> Policy | None:
    return by_marketplace_id(marketplace_id)


def fallback_policy(options: ImportOptions, field: str) -> Policy:
    """The marketplace for records that do not say: `--marketplace`, or an error naming it."""
    if options.marketplace:
        return packaged(options.marketplace)
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



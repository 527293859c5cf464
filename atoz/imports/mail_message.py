"""From one parsed message to the `Letter`s classification reads: the message itself and the
messages it forwards (attached as message/rfc822, or quoted inline the way Gmail, Outlook, Apple
Mail and Thunderbird write a forward).

Text comes out decoded (quoted-printable, base64; UTF-8, ISO-8859-1, ISO-2022-JP, Shift_JIS...),
HTML-only bodies as plain text, and dates as aware instants. A structure that cannot be read
raises `Unreadable`, whose text names the problem.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email import errors as email_errors
from email import policy
from email.headerregistry import Address
from email.message import Message
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser

from dateutil import parser as dateutil_parser

from atoz.errors import quote
from atoz.imports.notices import Letter, fold, is_amazon, phrase_book

MAX_PARTS = 500
MAX_DEPTH = 20
MAX_FIELD = 998  # characters kept of a header (RFC 5322's line limit)
PARSER = BytesParser(policy=policy.default)


class Unreadable(Exception):
    """A message the reader gives up on; the text is the problem, for a BadMessage."""


# --- one message's letters ----------------------------------------------------------------------
def letters(msg: Message, zone: tzinfo) -> tuple[Letter, list[Letter]]:
    """The message itself and the messages it forwards (attached, else inline)."""
    text, attached = _body(msg)
    outer = _letter(msg, text, zone, "the Date")
    forwards = [_letter(inner, _body(inner)[0], zone, "the forwarded Date")
                for inner in attached]
    if not forwards and not is_amazon(outer.sender):
        inline = _inline_forward(text, zone)
        forwards = [inline] if inline else []
    return outer, forwards


def _letter(msg: Message, text: str, zone: tzinfo, what: str) -> Letter:
    sent_at, note = _sent_at(msg, zone, what)
    return Letter(sender=sender(msg), subject=header(msg, "subject"), sent_at=sent_at,
                  date_note=note, message_id=header(msg, "message-id"),
                  notification_type=header(msg, "x-space-notification-type"),
                  marketplace_id=header(msg, "x-marketplace-id"), text=text)


def sender(msg: Message) -> str:
    """The one From address, lower case; "" when there is none or more than one."""
    addresses: tuple[Address, ...] = getattr(msg.get("from"), "addresses", ())
    if len(addresses) != 1 or not addresses[0].username or not addresses[0].domain:
        return ""
    return _clean(f"{addresses[0].username}@{addresses[0].domain}").lower()


_SURROGATE = re.compile("[\udc80-\udcff]")


def header(msg: Message, name: str) -> str:
    """A header (its first occurrence) as one line of text. Raw 8-bit or ISO-2022-JP bytes (old
    Japanese mailers) are decoded here, where the email package would leave replacement
    characters; plain ASCII is taken as it is, which skims a large folder fast."""
    raw = next((v for k, v in msg.raw_items() if k.lower() == name), None)
    if raw is None:
        return ""
    if not isinstance(raw, str) or "=?" in raw:
        text = str(msg.get(name))  # RFC 2047 encoded words
    elif "\x1b" in raw or _SURROGATE.search(raw):
        data = b"".join(raw.encode("utf-8", "surrogateescape").splitlines())
        text = _decode(data, "iso-2022-jp" if b"\x1b$" in data else _charset(msg), strict=True)
    else:
        text = raw
    return " ".join(_clean(text).split())[:MAX_FIELD]


def _charset(msg: Message) -> str:
    return str(msg.get_content_charset() or "utf-8")


def _clean(text: str) -> str:
    """No lone surrogates or control characters: the text can be stored and shown."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", text)


# --- bodies ---------------------------------------------------------------------------------------
_BROKEN = {
    email_errors.StartBoundaryNotFoundDefect: "a multipart whose first boundary is missing",
    email_errors.CloseBoundaryNotFoundDefect: "a multipart cut short (no closing boundary)",
    email_errors.MultipartInvariantViolationDefect: "a multipart without parts",
}


def _body(msg: Message) -> tuple[str, list[Message]]:
    """The message's own text (its plain part, else its HTML as text) and the messages attached
    to it. Raises Unreadable for a broken structure."""
    plain: str | None = None
    html: str | None = None
    attached: list[Message] = []
    stack: list[tuple[Message, int]] = [(msg, 0)]
    parts = 0
    while stack:
        part, depth = stack.pop()
        parts += 1
        if parts > MAX_PARTS or depth > MAX_DEPTH:
            raise Unreadable(f"a MIME structure over {MAX_PARTS} parts or {MAX_DEPTH} deep")
        for defect in part.defects:
            if type(defect) in _BROKEN:
                raise Unreadable(f"a broken MIME part: {_BROKEN[type(defect)]}")
        kind = part.get_content_type()
        payload = part.get_payload()
        payload = payload if isinstance(payload, list) else []
        if kind == "message/rfc822":
            attached += [m for m in payload[:1] if isinstance(m, Message)]
        elif part.is_multipart():
            stack += [(child, depth + 1) for child in reversed(payload)
                      if isinstance(child, Message)]
        elif part.get_content_disposition() == "attachment":
            if (part.get_filename() or "").lower().endswith(".eml"):  # a message saved as a file
                data = part.get_payload(decode=True)
                attached += [PARSER.parsebytes(data)] if isinstance(data, bytes) else []
        elif kind == "text/plain" and plain is None:
            plain = _part_text(part)
        elif kind == "text/html" and html is None:
            html = _part_text(part)
    if plain and plain.strip():
        return plain, attached
    return (html_text(html) if html else plain or ""), attached


def _part_text(part: Message) -> str:
    data = part.get_payload(decode=True)  # undoes quoted-printable and base64
    if any(isinstance(d, email_errors.InvalidBase64LengthDefect) for d in part.defects):
        raise Unreadable("a base64 part cut short")
    return _decode(data, _charset(part)) if isinstance(data, bytes) else ""


# Labels mail programs write for a superset that decodes what they mean (WHATWG's reading).
_CHARSETS = {"shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932",
             "windows-31j": "cp932", "iso-2022-jp": "iso2022_jp_2", "iso-8859-1": "cp1252",
             "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "utf-8", "ascii": "utf-8",
             "gb2312": "gb18030", "gbk": "gb18030", "ks_c_5601-1987": "cp949"}


def _decode(data: bytes, charset: str, strict: bool = False) -> str:
    name = _CHARSETS.get(charset.lower(), charset)
    if strict:  # a raw header: the declared charset if it fits, else UTF-8, else Latin
        for attempt in (name, "utf-8"):
            try:
                return data.decode(attempt)
            except (LookupError, UnicodeError, ValueError):
                continue
        return data.decode("cp1252", "replace")
    try:
        return data.decode(name, "replace")
    except (LookupError, UnicodeError, ValueError):  # LookupError too for "hex", "rot13"
        raise Unreadable(f"unknown charset {quote(charset)}") from None


class _HtmlText(HTMLParser):
    _BLOCKS = frozenset({"br", "p", "div", "tr", "li", "ul", "ol", "table", "blockquote", "hr",
                         "h1", "h2", "h3", "h4", "h5", "h6"})
    _HIDDEN = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self._hidden = 0  # a <head> that was never closed
        elif tag in self._HIDDEN:
            self._hidden += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")
        elif tag == "td":
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_text(html: str) -> str:
    """HTML as plain text lines: tags dropped, blocks on lines of their own."""
    reader = _HtmlText()
    reader.feed(html)
    reader.close()
    lines = (" ".join(line.split()) for line in "".join(reader.parts).splitlines())
    return "\n".join(line for line in lines if line)


# --- inline forwards ----------------------------------------------------------------------------
_LABEL = re.compile(r"^[>\s]*\**([^:*\n]{1,30}?)\**\s*:\s*(.*)$")
_ADDRESS = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"


def _inline_forward(text: str, zone: tzinfo) -> Letter | None:
    """The message quoted after a forward line (Gmail's "---------- Forwarded message",
    Outlook's "-----Original Message-----" or its rule of underscores, Apple Mail's "Begin
    forwarded message:"), or an Outlook "From: ... Sent: ..." block without one."""
    lines = [unicodedata.normalize("NFKC", line) for line in text.splitlines()]
    markers = phrase_book().forward_markers
    for index, line in enumerate(lines):
        bare = fold(line).strip("-_ >*:")
        rule = len(line.strip()) >= 10 and set(line.strip()) == {"_"}
        if bare in markers or rule:
            letter = _forward_block(lines, index + 1, zone)
            if letter:
                return letter
    for index, line in enumerate(lines):
        if _label(line)[0] == "from":
            letter = _forward_block(lines, index, zone)
            if letter and letter.sent_at:
                return letter
    return None


def _label(line: str) -> tuple[str, str]:
    found = _LABEL.match(line)
    if found is None:
        return "", ""
    return phrase_book().forward_labels.get(fold(found.group(1)), ""), found.group(2).strip()


def _forward_block(lines: list[str], start: int, zone: tzinfo) -> Letter | None:
    index = start
    while index < len(lines) and index < start + 3 and not lines[index].strip(" >\t"):
        index += 1
    fields: dict[str, str] = {}
    last = ""
    while index < len(lines) and lines[index].strip(" >\t"):
        name, value = _label(lines[index])
        if name:
            fields.setdefault(name, value)
            last = name
        elif last and lines[index][:1] in (" ", "\t"):
            fields[last] += " " + lines[index].strip()  # a long value wrapped
        else:
            break
        index += 1
    if "from" not in fields or not ({"date", "subject"} & fields.keys()):
        return None
    sent_at, note = read_date(fields.get("date", ""), zone, "the forwarded Date")
    return Letter(sender=_address(fields["from"]), subject=fields.get("subject", "")[:MAX_FIELD],
                  sent_at=sent_at, date_note=note, text="\n".join(lines[index:]))


def _address(value: str) -> str:
    """The address in `Name <a@b>` or `Name [mailto:a@b]`; a bare one only when it is alone."""
    found = set(re.findall(rf"[<\[](?:mailto:)?\s*({_ADDRESS})\s*[>\]]", value))
    found = found or set(re.findall(_ADDRESS, value))
    return found.pop().lower().rstrip(".") if len(found) == 1 else ""


# --- dates ----------------------------------------------------------------------------------------
# Unambiguous zone abbreviations; CST (US or China), IST and BST are read in the seller's zone.
_ZONES = {"UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 60, "CET": 60, "CEST": 120,
          "EET": 120, "EEST": 180, "EST": -300, "EDT": -240, "CDT": -300, "MST": -420,
          "MDT": -360, "PST": -480, "PDT": -420, "AKST": -540, "AKDT": -480, "HST": -600,
          "JST": 540, "KST": 540, "HKT": 480, "SGT": 480, "AWST": 480, "ACST": 570,
          "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780}
_ZONE_TAIL = re.compile(r"(?:^|\s)\(?(?:(?:GMT|UTC)\s?([+-])(\d{1,2})(?::?(\d{2}))?"
                        r"|([+-])(\d{2}):?(\d{2})|([A-Z]{1,5}))\)?$")
_RFC_DATE = re.compile(r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}"
                       r"(?::\d{2})?(?:\s+(?:[+-]\d{4}|[A-Z]{1,5}))?(?:\s*\(.*\))?$")
_UTC_MARK = re.compile(r"[+-]0000$|\b(?:UT|UTC|GMT|Z)$")
_CJK = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日[^0-9]*?"
                  r"(午前|午後|上午|下午|AM|PM)?\s*(\d{1,2}):(\d{2})(?::(\d{2}))?")
_YEAR = re.compile(r"(?<![0-9])(19[7-9][0-9]|2[01][0-9][0-9])(?![0-9])")


def _sent_at(msg: Message, zone: tzinfo, what: str) -> tuple[datetime | None, str]:
    found, note = read_date(header(msg, "date"), zone, what)
    if found:
        return found, note
    received = header(msg, "received").rpartition(";")[2]
    found, _ = read_date(received, zone, what)
    if found:
        return found, f"{what} was missing or unreadable; the time the message was received is used"
    return read_date(header(msg, "sent"), zone, what)  # Outlook's saved text has Sent:, no Date:


def read_date(text: str, zone: tzinfo, what: str = "the Date") -> tuple[datetime | None, str]:
    """An aware instant from a Date as RFC 5322, Gmail, Outlook, Apple Mail or a Chinese or
    Japanese mail program write it, and a note when no offset was written and `zone` was used.
    None when it cannot be read."""
    text = " ".join(text.split())[:120]
    if not text:
        return None, ""
    parsed: datetime | None = None
    if _RFC_DATE.match(text):  # the email package reads "10:05 PM" as 10:05: RFC forms only
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            parsed = None
    if parsed is not None and parsed.tzinfo is not None:
        return _checked(parsed), ""
    if parsed is not None and _UTC_MARK.search(text):  # -0000: UTC, the sender's zone unknown
        return _checked(parsed.replace(tzinfo=UTC)), ""
    tail = _ZONE_TAIL.search(text)
    abbreviation = tail.group(7) if tail and tail.group(7) not in ("AM", "PM") else None
    offset: timedelta | None = None
    if tail and (tail.group(1) or tail.group(4)):
        sign, hours, minutes = (tail.group(1, 2, 3) if tail.group(1) else tail.group(4, 5, 6))
        offset = timedelta(hours=int(hours), minutes=int(minutes or 0)) * (-1 if sign == "-"
                                                                             else 1)
        if abs(offset) >= timedelta(hours=24):
            return None, ""
    elif abbreviation in _ZONES:
        offset = timedelta(minutes=_ZONES[abbreviation])
    rest = text[:tail.start()] if tail and (offset is not None or abbreviation) else text
    naive = parsed or _naive(rest)
    if naive is None:
        return None, ""
    if offset is not None:
        return _checked(naive.replace(tzinfo=timezone(offset))), ""
    local = naive.replace(tzinfo=zone)
    if abbreviation and local.tzname() == abbreviation:
        return _checked(local), ""  # the seller's own zone, named
    name = getattr(zone, "key", None) or local.tzname() or str(zone)
    why = (f"had the zone {abbreviation!r}, which is ambiguous" if abbreviation
           else "had no offset")
    return _checked(local), f"{what} {why}; read in {name} (the seller's zone)"


def _naive(text: str) -> datetime | None:
    cjk = _CJK.search(text)
    try:
        if cjk:
            year, month, day, half, hour, minute, second = cjk.groups()
            afternoon = half in ("午後", "下午", "PM") and int(hour) < 12
            return datetime(int(year), int(month), int(day), int(hour) + 12 * afternoon,
                            int(minute), int(second or 0))
        if not _YEAR.search(text):
            return None  # dateutil would fill a missing year from today: a guess
        return dateutil_parser.parse(re.sub(r"\bat\b", " ", text),
                                     default=datetime(2000, 1, 1), ignoretz=True)
    except (ValueError, OverflowError):
        return None


def _checked(found: datetime) -> datetime | None:
    return found if 1970 <= found.year <= 2200 else None

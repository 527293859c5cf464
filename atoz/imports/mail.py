"""Reading e-mail files into A-to-z notices: one message (.eml, or what a mail program's "Save as"
writes), an mbox (Thunderbird's folders, exports), or a Maildir folder.

A message's header is parsed first and its body only when the header says it may be a notice
(`notices.may_be_notice`), so a folder of thousands of unrelated messages is skimmed. Whatever the
`email` package cannot read becomes a `BadMessage`; nothing here prints or stores, and nothing of
a message is kept beyond the `Notice` fields.
"""

from __future__ import annotations

import codecs
import mailbox
import re
from collections.abc import Callable, Iterator
from datetime import tzinfo
from email import policy
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import NamedTuple, Protocol

from atoz.dates import plural
from atoz.errors import FileFormatError
from atoz.imports.mail_message import PARSER, Unreadable, header, letters, sender
from atoz.imports.notices import (
    BadMessage,
    Letter,
    Notice,
    NoticeKind,
    classify,
    forwarding_addresses,
    is_amazon,
    may_be_notice,
)

MAX_MESSAGE_BYTES = 8 * 1024**2  # a notice is ~50 KB; room for a forward with a photo or two
MAX_HEADER_BYTES = 256 * 1024
PROGRESS_EVERY = 250  # messages between progress calls
_MAIL_FIELDS = frozenset({b"from", b"to", b"subject", b"date", b"sent", b"received", b"cc",
                          b"return-path", b"message-id", b"mime-version", b"delivered-to",
                          b"content-type", b"reply-to", b"x-mozilla-status"})
_FIELD = re.compile(rb"([!-9;-~]+)[ \t]*:")
_HEADERS = BytesHeaderParser(policy=policy.default)
_OLE = b"\xd0\xcf\x11\xe0"  # an Outlook .msg file
_POSTMARK = re.compile(rb"From \S*\s.*\d{1,2}:\d{2}.*\d{4}")  # `From x Tue Nov 24 14:30:00 2026`


class _Readable(Protocol):
    def readline(self, size: int, /) -> bytes: ...
    def read(self, size: int, /) -> bytes: ...


class _Source(NamedTuple):
    where: str
    handle: _Readable  # at the message's header
    # False for an mbox message whose `From ` line is no postmark: most likely a body line its
    # writer did not escape, so a headless piece there is part of the message before, not bad.
    postmarked: bool = True


# --- what a file is -------------------------------------------------------------------------------
def looks_like_mail(head: bytes) -> bool:
    """Whether a file's first bytes are an mbox (`From ` line) or an RFC 822 message: header
    lines from the first line on, two of them fields every mail program writes."""
    head = head.removeprefix(codecs.BOM_UTF8)
    if head.startswith(b"From "):
        return True
    names: set[bytes] = set()
    for number, line in enumerate(head.splitlines()[:80]):
        if not line.strip():
            break
        if line[:1] in (b" ", b"\t") and number > 0:
            continue  # a folded header's next line
        field = _FIELD.match(line)
        if field is None:
            if number == 0:
                return False
            break
        names.add(field.group(1).lower())
    return len(names & _MAIL_FIELDS) >= 2


def is_maildir(path: Path) -> bool:
    return path.is_dir() and ((path / "cur").is_dir() or (path / "new").is_dir())


def read_notices(path: Path, *, seller_zone: tzinfo, forwarders: frozenset[str] = frozenset(),
                 progress: Callable[[int, int], None] | None = None) -> MailScan:
    """The notices in a message file, an mbox or a Maildir folder, one item per message that may
    be a notice; the others are only counted. `seller_zone` reads dates written without an
    offset; `forwarders` are the seller's addresses trusted to forward Amazon's mail (bare, or
    `Kim <kim@shop.example>`).
    Raises FileFormatError when the path cannot be read at all."""
    return MailScan(path, seller_zone, forwarding_addresses(forwarders), progress)


class MailScan(Iterator[Notice | BadMessage]):
    """Notices and bad messages, read lazily; the counts grow while it is iterated."""

    def __init__(self, path: Path, seller_zone: tzinfo, forwarders: frozenset[str],
                 progress: Callable[[int, int], None] | None) -> None:
        self.path = path
        self.seen = self.skipped = self.notices = self.unrecognised = self.bad = 0
        self._zone = seller_zone
        self._forwarders = forwarders
        self._progress = progress
        self.total = 0  # known once the first message is read (an mbox is indexed then)
        self._items = self._read(_sources(path, self._count))

    def _count(self, total: int) -> None:
        self.total = total

    def __next__(self) -> Notice | BadMessage:
        return next(self._items)

    def summary(self) -> str:
        """`200 messages: 5 A-to-z notices, 195 other mail`. The notices, the ones not
        recognised and the unreadable ones are what the import counts (added, updated,
        unchanged or skipped); other mail is not read past its header, and not counted."""
        parts = [plural(self.notices, "A-to-z notice")]
        if self.unrecognised:
            parts.append(f"{self.unrecognised} not recognised")
        if self.bad:
            parts.append(f"{self.bad} unreadable")
        if self.skipped:
            parts.append(f"{self.skipped} other mail")
        return f"{plural(self.seen, 'message')}: {', '.join(parts)}"

    def _read(self, sources: Iterator[_Source]) -> Iterator[Notice | BadMessage]:
        for source in sources:
            try:
                items = self._message(source)
            except OSError as exc:
                raise FileFormatError(f"{source.where}: cannot read: {exc.strerror or exc}"
                                      ) from None
            self.seen += 1
            if items is None:
                self.skipped += 1
            for item in items or ():
                if isinstance(item, BadMessage):
                    self.bad += 1
                elif item.kind is NoticeKind.UNRECOGNISED:
                    self.unrecognised += 1
                else:
                    self.notices += 1
                yield item
            if self._progress and (self.seen % PROGRESS_EVERY == 0 or self.seen == self.total):
                self._progress(self.seen, self.total)

    def _message(self, source: _Source) -> list[Notice | BadMessage] | None:
        """The items of one message, or None when its header says it is not a notice."""
        where, handle = source.where, source.handle
        head, end = _read_head(handle)
        if head.startswith(_OLE):
            return [BadMessage(where, "an Outlook .msg file, which atoz cannot read; save the "
                                      "message as .eml, or export the folder as mbox")]
        try:
            top = _HEADERS.parsebytes(head)
            if not top.keys():
                return [BadMessage(where, "not an e-mail (no header lines)")
                        ] if source.postmarked else None
            # The address parser is the slow part of a skim: run it only when the From text
            # could hold an Amazon or a forwarding address.
            written = header(top, "from").lower()
            maybe = "amazon" in written or any(f in written for f in self._forwarders)
            address, subject = sender(top) if maybe else "", header(top, "subject")
            label = header(top, "x-space-notification-type")
        except Exception as exc:  # the email package's many ways to fail on hostile bytes
            return [BadMessage(where, _failure(exc))]
        if not may_be_notice(address, subject, label, self._forwarders):
            return None
        if end == "eof":
            return [BadMessage(where, "the message ends inside its header (a truncated file?)")]
        if end == "long":
            return [BadMessage(where, f"a header longer than {MAX_HEADER_BYTES // 1024} KB")]
        rest = handle.read(MAX_MESSAGE_BYTES + 1 - len(head))
        if len(head) + len(rest) > MAX_MESSAGE_BYTES:
            return [BadMessage(where, f"larger than {MAX_MESSAGE_BYTES // 1024**2} MB; not read")]
        try:
            outer, forwards = letters(PARSER.parsebytes(head + rest), self._zone)
        except Unreadable as exc:
            return [BadMessage(where, str(exc))]
        except Exception as exc:
            return [BadMessage(where, _failure(exc))]
        return self._classify(where, outer, forwards)

    def _classify(self, where: str, outer: Letter, forwards: list[Letter]
                  ) -> list[Notice | BadMessage] | None:
        forwards = [f for f in forwards
                    if may_be_notice(f.sender, f.subject, f.notification_type, frozenset())]
        if is_amazon(outer.sender) or not forwards:
            if not is_amazon(outer.sender) and not may_be_notice(
                    outer.sender, outer.subject, outer.notification_type, frozenset()):
                return None  # a forwarder's own mail with no A-to-z notice in it
            if outer.sent_at is None:
                return [BadMessage(where, "no readable Date header")]
            return [classify(outer, where, forwarders=self._forwarders)]
        items: list[Notice | BadMessage] = []
        for number, inner in enumerate(forwards, start=1):
            place = f"{where}, forwarded message {number}" if len(forwards) > 1 else where
            if inner.sent_at is None and outer.sent_at is None:
                items.append(BadMessage(place, "no readable Date header"))
            else:
                items.append(classify(inner, place, forwarders=self._forwarders, outer=outer))
        return items


def _failure(exc: Exception) -> str:
    return f"cannot be read as an e-mail ({type(exc).__name__})"


# --- where the messages are ---------------------------------------------------------------------
def _sources(path: Path, count: Callable[[int], None]) -> Iterator[_Source]:
    """Each message's place and bytes (positioned at its header); `count` hears how many there
    are before the first. A path that cannot be read raises here, before any message."""
    if path.is_dir():
        if not is_maildir(path):
            raise FileFormatError(f"{path.name}: a folder, but not a Maildir (no cur/ or new/)")
        files = [entry for sub in ("new", "cur") if (path / sub).is_dir()
                 for entry in sorted((path / sub).iterdir())
                 if entry.is_file() and not entry.name.startswith(".")]
        count(len(files))
        return _files(files, lambda f: f"{path.name}/{f.parent.name}/{f.name}")
    try:
        with path.open("rb") as handle:
            first = handle.read(5)
    except OSError as exc:
        raise FileFormatError(f"{path.name}: cannot read: {exc.strerror or exc}") from None
    if first == b"From ":
        return _mbox(path, count)
    count(1)
    return _files([path], lambda f: f.name)


def _files(files: list[Path], name: Callable[[Path], str]) -> Iterator[_Source]:
    for file in files:
        try:
            handle = file.open("rb")
        except OSError as exc:
            raise FileFormatError(f"{name(file)}: cannot read: {exc.strerror}") from None
        with handle:
            yield _Source(name(file), handle)


def _mbox(path: Path, count: Callable[[int], None]) -> Iterator[_Source]:
    try:
        box = mailbox.mbox(path, factory=None, create=False)
        keys = box.keys()  # one pass over the file finds every `From ` line
    except OSError as exc:
        raise FileFormatError(f"{path.name}: cannot read: {exc.strerror or exc}") from None
    try:
        count(len(keys))
        for number, key in enumerate(keys, start=1):
            handle = box.get_file(key, from_=True)
            postmark = handle.readline(MAX_HEADER_BYTES)
            yield _Source(f"{path.name}: message {number}", handle, bool(_POSTMARK.match(postmark)))
    finally:
        box.close()


def _read_head(handle: _Readable) -> tuple[bytes, str]:
    """The header section and how it ended: "end" (a blank line), "eof" or "long"."""
    lines: list[bytes] = []
    size = 0
    while size <= MAX_HEADER_BYTES:
        line = handle.readline(MAX_HEADER_BYTES + 1 - size)
        if not line:
            return b"".join(lines), "eof"
        lines.append(line)
        size += len(line)
        if line in (b"\n", b"\r\n"):
            return b"".join(lines), "end"
    return b"".join(lines), "long"

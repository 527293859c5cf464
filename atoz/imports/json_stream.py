"""Reading one large JSON object key by key, its arrays element by element, without holding the
file in memory: a 230 MB export restores in the memory of one claim at a time.

Each value is decoded with the json module's own decoder (`raw_decode`) from a buffer that grows
only while a value is incomplete, so the grammar is JSON's, not a second one of ours.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from atoz.errors import FileFormatError

_CHUNK = 1 << 20
_SPACE = " \t\r\n"


class _Reader:
    def __init__(self, handle: IO[str], name: str) -> None:
        self.handle = handle
        self.name = name
        self.buffer = ""
        self.at = 0
        self.line = 1  # of buffer[0]
        self.eof = False
        self.decoder = json.JSONDecoder()

    def _more(self) -> bool:
        if self.eof:
            return False
        chunk = self.handle.read(_CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.line += self.buffer.count("\n", 0, self.at)
        self.buffer = self.buffer[self.at:] + chunk
        self.at = 0
        return True

    def fail(self, problem: str) -> FileFormatError:
        return FileFormatError(f"{self.name}:{self.line + self.buffer.count(chr(10), 0, self.at)}"
                               f": json: {problem}")

    def peek(self) -> str:
        """The next character that is not white space ("" at the end of the file)."""
        while True:
            while self.at < len(self.buffer) and self.buffer[self.at] in _SPACE:
                self.at += 1
            if self.at < len(self.buffer):
                return self.buffer[self.at]
            if not self._more():
                return ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            found = self.peek() or "the end of the file"
            raise self.fail(f"expected {char!r}, found {found!r}")
        self.at += 1

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.at)
            except json.JSONDecodeError as exc:
                if self._more():
                    continue
                raise self.fail(exc.msg) from None
            except RecursionError:
                raise self.fail("nested too deeply") from None
            except ValueError:  # a number past Python's digit limit
                raise self.fail("a number too long to read") from None
            # A number may run on past the buffer's end (`12` of `123`): read on to be sure.
            if end == len(self.buffer) and not self.eof and self._more():
                continue
            self.at = end
            return value


def stream_object(path: Path, name: str, encoding: str | None = None
                  ) -> Iterator[tuple[str, Any]]:
    """(key, value) for each member of the top-level object, in file order; for a member whose
    value is an array, (key, element) once per element instead."""
    try:
        handle = path.open(encoding=encoding or "utf-8-sig", newline="")
    except OSError as exc:
        raise FileFormatError(f"{name}: cannot read: {exc.strerror}") from None
    with handle:
        reader = _Reader(handle, name)
        try:
            reader.expect("{")
            if reader.peek() == "}":
                return
            while True:
                key = reader.value()
                if not isinstance(key, str):
                    raise reader.fail("expected a key")
                reader.expect(":")
                if reader.peek() == "[":
                    reader.expect("[")
                    if reader.peek() != "]":
                        while True:
                            yield key, reader.value()
                            if reader.peek() == ",":
                                reader.expect(",")
                                continue
                            break
                    reader.expect("]")
                else:
                    yield key, reader.value()
                if reader.peek() == ",":
                    reader.expect(",")
                    continue
                reader.expect("}")
                break
            if reader.peek():
                raise reader.fail("text after the end of the document")
        except UnicodeDecodeError as exc:
            raise FileFormatError(f"{name}: not UTF-8 text ({exc.reason}); save it as "
                                  "UTF-8") from None

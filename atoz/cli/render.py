"""Everything the CLI prints goes through here: tables that fit the terminal, JSON as UTF-8
bytes, messages on stderr, in any locale, and nothing user-derived that can move the cursor.

tabulate and wcwidth are imported inside the functions that render tables, so `atoz --help` and
`--json` never pay for them.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Literal, NoReturn, TextIO

Style = Literal["red", "yellow", "bold", "dim", "green"]
_SGR: dict[str, str] = {"red": "31", "yellow": "33", "green": "32", "bold": "1", "dim": "2"}

# Markup rendered by something else (or tab-separated for scripts): a line there is not what a
# person sees, so fitting it to the terminal would only lose columns.
_NOT_FITTED = frozenset({"tsv", "html", "unsafehtml", "latex", "latex_raw", "latex_booktabs",
                         "latex_longtable", "mediawiki"})
_INDENT = "    "  # before the wrapped free text under a row
_FLOOR = 12  # free text is never cut below this: wider than an amount ("6570 JPY") or a date


@dataclass(frozen=True)
class Terminal:
    width: int
    color: bool = False
    wide: bool = False  # --wide: every column, nothing shortened


def detect_terminal(*, no_color: bool = False, wide: bool = False) -> Terminal:
    """The terminal stdout goes to: its width (COLUMNS, else the real width, else 80) and whether
    it takes colour (a terminal, no NO_COLOR, no --no-color)."""
    return Terminal(width=_width_of_stdout(), color=_colour_on_stdout(no_color), wide=wide)


def _width_of_stdout() -> int:
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):  # a pipe, a file, or a test's stream
        return 80


def _colour_on_stdout(no_color: bool) -> bool:
    if no_color or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):  # a closed or fake stream
        return False


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_ESCAPES: dict[int, str] = {c: _NAMED.get(chr(c), f"\\x{c:02x}")
                            for c in (*range(0x20), *range(0x7F, 0xA0))}
# Bidi overrides and isolates reorder what follows them (Trojan Source, CVE-2021-42574); the
# line and paragraph separators could pass for a new line.
_ESCAPES.update({c: f"\\u{c:04x}"
                 for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029)})


def safe(text: str) -> str:
    """`text` with every control character shown as a visible escape, so a value can never move
    the cursor, clear the screen, add a line or change colours."""
    return text if text.isprintable() else text.translate(_ESCAPES)


@dataclass(frozen=True)
class Styled:
    """A table cell in colour (only on a terminal that takes it)."""

    text: str
    style: Style


@dataclass(frozen=True)
class Column:
    header: str
    align: Literal["left", "right"] = "left"
    drop: int = 0  # when too wide, dropped highest first; 0: never
    shorten: Callable[[str], str] | None = None  # a shorter form, tried before dropping anything
    wrap: bool = False  # free text: moves to its own indented line under each row when too wide


Cell = str | Styled | int | dt.date | None


def render_table(rows: Sequence[Sequence[Cell]], columns: Sequence[Column], term: Terminal, *,
                 fmt: str = "simple") -> str:
    """The table as tabulate lays it out, made to fit `term.width` (unless `term.wide`):
    shorten, move the free text under each row, drop columns, and last cut free text."""
    grid = _Grid(rows, columns)
    # Fit only a table that is too wide: `fit` makes its first change before any check.
    if not term.wide and fmt not in _NOT_FITTED and grid.measure(fmt) > term.width:
        for _ in grid.fit(term.width, fmt):
            if grid.measure(fmt) <= term.width:
                break
        grid.lengthen(term.width, fmt)
    return grid.render(fmt, term)


class _Grid:
    """The cells, column by column, and what fitting has done to them so far."""

    def __init__(self, rows: Sequence[Sequence[Cell]], columns: Sequence[Column]) -> None:
        self.columns = list(columns)
        self.headers = [safe(c.header) for c in columns]
        cells = [[_cell(value) for _, value in zip(columns, row, strict=True)] for row in rows]
        self.count = len(cells)
        self.texts = [[row[i][0] for row in cells] for i in range(len(columns))]
        self.styles = [[row[i][1] for row in cells] for i in range(len(columns))]
        self.shown = list(range(len(columns)))
        self.under: list[int] = []
        self.shortened: list[tuple[int, list[str]]] = []  # (column, its full texts)
        self.dropped: list[int] = []
        self._widest: dict[int, str] = {}  # each column's widest cell, until its texts change

    def fit(self, width: int, fmt: str) -> Iterator[None]:
        """Yields after each change, most harmless first; the caller stops once it fits.
        Columns that may go (drop > 0) are shortened, then dropped, before a column that must
        stay (a deadline) loses its full form."""
        by_use = sorted(self.shown, key=lambda i: (-self.columns[i].drop, -i))  # least first
        may_go = [i for i in by_use if self.columns[i].drop]
        must_stay = [i for i in by_use if not self.columns[i].drop]
        for i in may_go:
            if self.columns[i].shorten:
                self._shorten(i)
                yield
        if wrapped := [i for i in self.shown if self.columns[i].wrap]:
            self.under = wrapped
            self.shown = [i for i in self.shown if i not in wrapped]
            yield
        for i in may_go:
            if i in self.shown and len(self.shown) > 1:
                self.shown.remove(i)
                self.dropped.append(i)
                yield
        for i in must_stay:
            if self.columns[i].shorten:
                self._shorten(i)
                yield
        while (excess := self.measure(fmt) - width) > 0:
            cuttable = [i for i in self.shown if self._cuttable(i)]
            if not cuttable:
                return  # only amounts, dates and ids left: better too wide than wrong
            i = max(cuttable, key=self._width)
            limit = max(_FLOOR, self._width(i) - excess)
            self._set(i, [_cut(text, limit) for text in self.texts[i]])
            self.headers[i] = _cut(self.headers[i], limit)
            yield

    def lengthen(self, width: int, fmt: str) -> None:
        """Fitting may have gone further than it had to (the free text moving out made room):
        give back what still fits, the most useful first: a column that must stay its full
        form, then dropped columns, then the others' full forms."""
        for i, full in reversed(self.shortened):
            if not self.columns[i].drop:
                self._try(width, fmt, partial(self._set, i, full))
        for i in sorted(self.dropped, key=lambda i: (self.columns[i].drop, i)):
            self._try(width, fmt, partial(self._show, i))
        for i, full in reversed(self.shortened):
            if self.columns[i].drop:
                self._try(width, fmt, partial(self._set, i, full))

    def _try(self, width: int, fmt: str, change: Callable[[], None]) -> None:
        """Make `change`, and undo it if the table no longer fits."""
        before = list(self.shown), list(self.texts), list(self.dropped)
        change()
        if self.measure(fmt) > width:
            self.shown, self.texts, self.dropped = before
            self._widest.clear()

    def _shorten(self, i: int) -> None:
        shorten = self.columns[i].shorten
        assert shorten is not None
        self.shortened.append((i, self.texts[i]))
        self._set(i, [safe(shorten(text)) if text else text for text in self.texts[i]])

    def _show(self, i: int) -> None:
        self.shown = sorted([*self.shown, i])
        self.dropped.remove(i)

    def _set(self, i: int, texts: list[str]) -> None:
        self.texts[i] = texts
        self._widest.pop(i, None)

    def _cuttable(self, i: int) -> bool:
        column = self.columns[i]
        return column.align == "left" and column.shorten is None and self._width(i) > _FLOOR

    def _width(self, i: int) -> int:
        return max(display_width(self.headers[i]), display_width(self.widest(i)))

    def widest(self, i: int) -> str:
        if i not in self._widest:
            self._widest[i] = max(self.texts[i], key=display_width, default="")
        return self._widest[i]

    def measure(self, fmt: str) -> int:
        """The table's width, from a one-row stand-in holding each column's widest cell: a
        format's width depends on nothing else, and this stays quick on 100,000 rows."""
        stand_in = self._tabulate([[self.widest(i) for i in self.shown]], fmt)
        return max(map(display_width, stand_in.split("\n")))

    def render(self, fmt: str, term: Terminal) -> str:
        rows = [[_paint(self.texts[i][r], self.styles[i][r], term.color) for i in self.shown]
                for r in range(self.count)]
        table = self._tabulate(rows, fmt)
        if not self.under:
            return table
        first, step = _row_lines(fmt)
        lines = table.split("\n")
        out = lines[:first]
        for r in range(len(rows)):
            at = first + r * step
            out.append(lines[at])
            for i in self.under:  # under its row, before any rule to the next row
                out.extend(_INDENT + _paint(part, self.styles[i][r], term.color)
                           for part in _wrap(self.texts[i][r], term.width - len(_INDENT)))
            out.extend(lines[at + 1:at + step])
        out.extend(lines[first + len(rows) * step:])
        return "\n".join(out)

    def _tabulate(self, rows: list[list[str]], fmt: str) -> str:
        from tabulate import tabulate

        return tabulate(rows, headers=[self.headers[i] for i in self.shown], tablefmt=fmt,
                        colalign=[self.columns[i].align for i in self.shown],
                        disable_numparse=True, missingval="")


def _cell(value: Cell) -> tuple[str, Style | None]:
    if isinstance(value, Styled):
        return safe(value.text), value.style
    return ("" if value is None else safe(str(value))), None


def _paint(text: str, style: Style | None, color: bool) -> str:
    return f"\x1b[{_SGR[style]}m{text}\x1b[0m" if color and style and text else text


def named(items: Sequence[object], shown: int = 10) -> str:
    """`1, 2, 3 and 8 more`: the first `shown` of a list a note names."""
    listed = ", ".join(str(item) for item in items[:shown])
    return listed + (f" and {len(items) - shown} more" if len(items) > shown else "")


def display_width(text: str) -> int:
    """Columns `text` takes on a terminal: 2 for each Chinese or Japanese character."""
    if text.isascii():
        return len(text)
    try:
        from wcwidth import wcswidth
    except ImportError:  # then tabulate counts characters too, and the two agree
        return len(text)
    width = wcswidth(text)
    return width if width >= 0 else len(text)


def _cut(text: str, limit: int) -> str:
    if display_width(text) <= limit:
        return text
    return _clip(text, limit - 1) + "…"


def _clip(text: str, limit: int) -> str:
    """The longest start of `text` at most `limit` columns wide (at least one character)."""
    used = 0
    for n, char in enumerate(text):
        used += display_width(char)
        if used > limit:
            return text[:max(n, 1)]
    return text


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` columns, broken at spaces; only a word longer than a whole line
    (a URL, or Chinese text without spaces) is broken inside."""
    width = max(width, 20)
    lines: list[str] = []
    line, used = "", 0
    for word in text.split():
        size = display_width(word)
        if line and used + 1 + size <= width:
            line, used = f"{line} {word}", used + 1 + size
            continue
        if line:
            lines.append(line)
        while size > width:
            head = _clip(word, width)
            lines.append(head)
            word = word[len(head):]
            size = display_width(word)
        line, used = word, size
    return [*lines, line] if line else lines


def _row_lines(fmt: str) -> tuple[int, int]:
    """Where the first data row is in `fmt`'s output, and how many lines each row takes (2 in
    the grid formats, with a rule between rows): learned from tabulate, not hard-coded."""
    from tabulate import tabulate

    two = tabulate([["@0@"], ["@1@"]], headers=["h"], tablefmt=fmt).split("\n")
    first = next(n for n, line in enumerate(two) if "@0@" in line)
    second = next(n for n, line in enumerate(two) if "@1@" in line)
    return first, second - first


def print_table(rows: Sequence[Sequence[Cell]], columns: Sequence[Column],
                term: Terminal | None = None, *, title: str | None = None) -> None:
    """`title` (if any) and the table on stdout, fitted to `term` (the real terminal if None)."""
    term = term or detect_terminal()
    if title is not None:
        say(title, term)
    _write(sys.stdout, render_table(rows, columns, term) + "\n")


def wrapped(text: str, term: Terminal, hang: int = 0) -> list[str]:
    """One line of prose as lines that fit the terminal, broken at spaces; lines after the
    first are indented by `hang` (to sit under a value, not under its label)."""
    line = safe(text)
    if term.wide or display_width(line) <= term.width:
        return [line]
    # The label (the first `hang` columns, or the leading spaces) stays as it is written.
    keep = hang if 0 < hang < len(line) else len(line) - len(line.lstrip(" "))
    head, body = line[:keep], line[keep:]
    first, *rest = _wrap(body, term.width - display_width(head))
    pieces = [head + first]
    if rest:
        pieces += [" " * hang + part for part in _wrap(" ".join(rest), term.width - hang)]
    return pieces


def say(line: str, term: Terminal, hang: int = 0) -> None:
    """One line of prose on stdout, escaped and wrapped to the terminal (tables' titles, notes,
    the status lines): a value's own line break shows as `\\n`, it never starts a line."""
    for piece in wrapped(line, term, hang):
        _write(sys.stdout, piece + "\n")


def print_json(data: object) -> None:
    """Every --json goes through here: UTF-8 bytes whatever the locale, two-space indent."""
    import json

    text = json.dumps(data, ensure_ascii=False, indent=2, default=_not_json) + "\n"
    # A lone surrogate (an undecodable file name) becomes `\udcXX`: still valid JSON.
    write_bytes(text.encode("utf-8", "backslashreplace"))


def _not_json(value: object) -> NoReturn:
    raise TypeError(f"{type(value).__name__} is not JSON data; its owner should turn it into "
                    "plain values first")


def write_bytes(data: bytes) -> None:
    """Bytes to stdout (JSON, CSV, calendar), after any text already written."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a text-only stream, as some test harnesses use
        sys.stdout.write(data.decode("utf-8", "replace"))
        return
    buffer.write(data)
    buffer.flush()


def out(line: str = "") -> None:
    """One line on stdout, escaped."""
    _write(sys.stdout, safe(line) + "\n")


def out_lines(text: str) -> None:
    """atoz's own multi-line text, one escaped line at a time (a value cannot add a line)."""
    for line in text.removesuffix("\n").split("\n"):
        out(line.removesuffix("\r"))  # templates saved on Windows


def note(line: str) -> None:
    """A message for the person, not the pipe: stderr, after what stdout already has."""
    sys.stdout.flush()  # both sent to one file, the two streams stay in order
    _write(sys.stderr, safe(line) + "\n")
    sys.stderr.flush()


def error(message: str) -> None:
    note(f"Error: {message}")


def _write(stream: TextIO, text: str) -> None:
    """Characters the stream's encoding lacks become "?" rather than a UnicodeEncodeError."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    stream.write(text.encode(encoding, "replace").decode(encoding))

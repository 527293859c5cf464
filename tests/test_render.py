"""What a seller sees on the terminal: tables that fit, colour only where it helps, Chinese and
Japanese names aligned, no traceback in any locale, one JSON writer, progress on stderr."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from rich.console import Console

from atoz.cli import render
from atoz.cli.progress import progress_on_stderr
from atoz.cli.render import (
    Column,
    Styled,
    Terminal,
    detect_terminal,
    display_width,
    error,
    note,
    out,
    out_lines,
    print_json,
    render_table,
    safe,
    write_bytes,
)
from atoz.progress import NO_PROGRESS, Progress

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Rendering needs no database: point ATOZ_DB away from the user's, but create nothing."""
    monkeypatch.setenv("ATOZ_DB", str(tmp_path / "atoz.db"))
    return tmp_path / "atoz.db"


def visible(line: str) -> int:
    return display_width(ANSI.sub("", line))


def short_order(order_id: str) -> str:
    first, *_, last = order_id.split("-")
    return f"{first}-…-{last}"


def short_deadline(deadline: str) -> str:
    return deadline[5:].split(" (")[0]  # "2026-11-28 15:00 CST (...)" -> "11-28 15:00 CST"


STEPS = [Column("claim", "right"), Column("order", drop=3, shorten=short_order),
         Column("buyer", drop=4), Column("step"), Column("due"),
         Column("deadline", shorten=short_deadline), Column("left", drop=2),
         Column("amount", "right"), Column("what to do", wrap=True)]
CONTACT = ("Write to the buyer through Buyer-Seller Messaging: ask them to check with "
           "neighbours and the carrier")
ROWS: list[list[str | Styled | int | None]] = [
    [1, "113-1234567-1234567", "王小明", "contact", "2026-11-22",
     "2026-11-28 15:00 CST (2026-11-27 23:00 PST)", Styled("overdue 2d", "red"), "6570 JPY",
     CONTACT],
    [12, "250-7654321-7654321", "Jane Müller-Lüdenscheidt", "follow-up", "2026-11-25",
     "2026-11-30 09:00 CET (2026-11-30 00:00 PST)", Styled("today", "yellow"), "92.77 EUR",
     "Follow up with the tracking number and a photo of the parcel at the door"],
    [3, "503-1111111-2222222", "佐藤花子", "represent", "2026-12-01",
     "2026-12-03 18:00 JST (2026-12-03 01:00 PST)", "5d", "7480 JPY", None],
]
AMOUNTS = ["6570 JPY", "92.77 EUR", "7480 JPY"]
DATES = ["2026-11-22", "2026-11-25", "2026-12-01"]


def lines_of(table: str) -> list[str]:
    return table.split("\n")


@pytest.mark.parametrize("width", [80, 100])
@pytest.mark.parametrize("fmt", ["simple", "github", "grid", "pipe"])
def test_every_line_fits_and_no_amount_or_date_is_split(width: int, fmt: str) -> None:
    table = render_table(ROWS, STEPS, Terminal(width, color=True), fmt=fmt)
    assert max(map(visible, lines_of(table))) <= width, table
    for whole in AMOUNTS + DATES + ["11-28 15:00 CST"]:
        assert table.count(whole) == 1, (whole, table)
    assert "6570 J\n" not in table and "2026-11\n" not in table


def test_the_full_table_would_not_have_fitted() -> None:
    wide = render_table(ROWS, STEPS, Terminal(80, wide=True))
    assert max(map(visible, lines_of(wide))) > 200


def test_wide_keeps_every_column_in_full() -> None:
    table = render_table(ROWS, STEPS, Terminal(80, wide=True))
    header = lines_of(table)[0]
    assert all(column.header in header for column in STEPS)
    assert "113-1234567-1234567" in table and "王小明" in table
    assert "2026-11-28 15:00 CST (2026-11-27 23:00 PST)" in table and CONTACT in table


def test_free_text_moves_under_its_row_before_any_column_is_dropped() -> None:
    table = render_table(ROWS, STEPS, Terminal(160))
    lines = lines_of(table)
    header = lines[0]
    assert all(c.header in header for c in STEPS if not c.wrap)
    assert "what to do" not in header
    assert "113-1234567-1234567" in table  # room again once the text moved out
    assert "2026-11-28 15:00 CST (2026-11-27 23:00 PST)" in table
    first = next(n for n, line in enumerate(lines) if "6570 JPY" in line)
    assert lines[first + 1] == "    " + CONTACT


def test_columns_that_may_go_go_before_a_deadline_loses_its_full_form() -> None:
    # The least useful first (the buyer, then the order): the deadline with the marketplace's
    # own time beside it is shortened only once every column that may go has gone.
    at_120 = render_table(ROWS, STEPS, Terminal(120))
    assert lines_of(at_120)[0].split() == ["claim", "order", "step", "due", "deadline", "left",
                                           "amount"]
    assert "113-1234567-1234567" in at_120
    assert "2026-11-28 15:00 CST (2026-11-27 23:00 PST)" in at_120
    at_100 = render_table(ROWS, STEPS, Terminal(100))
    assert lines_of(at_100)[0].split() == ["claim", "step", "due", "deadline", "left",
                                           "amount"]
    assert "2026-11-28 15:00 CST (2026-11-27 23:00 PST)" in at_100
    at_80 = render_table(ROWS, STEPS, Terminal(80))
    # Once the deadline is short, a dropped column that fits again comes back.
    assert lines_of(at_80)[0].split() == ["claim", "step", "due", "deadline", "left", "amount"]
    assert "11-28 15:00 CST" in at_80 and "(2026-11-27" not in at_80
    at_60 = render_table(ROWS, STEPS, Terminal(60))
    assert lines_of(at_60)[0].split() == ["claim", "step", "due", "deadline", "amount"]
    assert max(map(visible, lines_of(at_60))) <= 60


def test_free_text_wraps_only_at_spaces() -> None:
    lines = lines_of(render_table(ROWS, STEPS, Terminal(60)))
    first = next(n for n, line in enumerate(lines) if "6570 JPY" in line)
    second = next(n for n, line in enumerate(lines) if "92.77 EUR" in line)
    wrapped = [line.removeprefix("    ") for line in lines[first + 1:second]]
    assert len(wrapped) > 1 and " ".join(wrapped) == CONTACT
    assert all(len(line) <= 60 for line in lines)


def test_last_resort_cuts_free_text_but_not_short_values() -> None:
    columns = [Column("rule"), Column("days", "right"), Column("source")]
    rows = [["Respond to the buyer's message within two business days", "2",
             "https://sellercentral.amazon.com/help/hub/reference/external/G27951"],
            ["Appeal a decision on a claim within thirty calendar days", "30",
             "https://sellercentral.amazon.co.jp/help/hub/reference/external/G201790310"]]
    table = render_table(rows, columns, Terminal(80))
    assert max(map(visible, lines_of(table))) <= 80
    assert "…" in table and "Respond to the" in table and " 30" in table


def test_east_asian_names_align() -> None:
    rows = [["王小明", "6570 JPY"], ["Jane Doe", "92.77 EUR"], ["佐藤花子", "7480 JPY"]]
    table = render_table(rows, [Column("buyer"), Column("amount", "right")], Terminal(80),
                         fmt="grid")
    assert len({visible(line) for line in lines_of(table)}) == 1, table
    assert display_width("王小明") == 6


def test_colour_only_when_the_terminal_takes_it() -> None:
    coloured = render_table(ROWS, STEPS, Terminal(100, color=True))
    plain = render_table(ROWS, STEPS, Terminal(100, color=False))
    assert "\x1b[31moverdue 2d\x1b[0m" in coloured and "\x1b[33mtoday\x1b[0m" in coloured
    assert "\x1b" not in plain
    assert ANSI.sub("", coloured) == plain  # colour never changes the layout


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_detect_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setattr(sys, "stdout", FakeTerminal())
    assert detect_terminal() == Terminal(width=100, color=True, wide=False)
    assert detect_terminal(no_color=True, wide=True) == Terminal(100, color=False, wide=True)
    monkeypatch.setenv("NO_COLOR", "1")
    assert not detect_terminal().color
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("COLUMNS", "wide")
    monkeypatch.setattr(sys, "stdout", io.StringIO())  # a pipe: no size, no colour
    assert detect_terminal() == Terminal(width=80, color=False, wide=False)


def test_safe_shows_every_control_character() -> None:
    assert safe("a\nb\rc\td\x1b[2Je\x7f\x9b\u202eZ\u2066") == (
        "a\\nb\\rc\\td\\x1b[2Je\\x7f\\x9b\\u202eZ\\u2066")
    assert safe("王小明 Müller 6570 JPY") == "王小明 Müller 6570 JPY"


def test_a_value_cannot_add_a_line_or_move_the_cursor(capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    evil = "Jane\n      9  999-0000000-0000000  contact\x1b[2J\u202e"
    table = render_table([[evil, "6570 JPY"]], [Column("buyer"), Column("amount")],
                         Terminal(200))
    assert len(lines_of(table)) == 3 and "\x1b" not in table and "\u202e" not in table
    out(evil)
    note(evil)
    error("bad --on: " + evil)
    out_lines("Dear buyer,\r\n\r\nOrder 113-1234567-1234567\x1b[2J\r\n")  # a template from Windows
    captured = capsys.readouterr()
    assert captured.out.split("\n") == [safe(evil), "Dear buyer,", "",
                                        "Order 113-1234567-1234567\\x1b[2J", ""]
    assert captured.err.split("\n") == [safe(evil), "Error: bad --on: " + safe(evil), ""]


def test_stdout_and_stderr_stay_in_order_in_one_file(monkeypatch: pytest.MonkeyPatch) -> None:
    shared = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(shared, encoding="utf-8"))
    monkeypatch.setattr(sys, "stderr", io.TextIOWrapper(shared, encoding="utf-8"))
    out("claims:")
    note("3 rows skipped")
    write_bytes(b"id,order\r\n")
    sys.stderr.flush()
    assert shared.getvalue() == b"claims:\n3 rows skipped\nid,order\r\n"


def test_json_is_exact_utf8_whatever_the_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="cp1252"))
    data = [{"buyer": "王小明", "note": "line\nnext \x1b[31m\u202e", "amount": "6570"}]
    out("before")
    print_json(data)
    assert raw.getvalue().startswith(b"before\n[\n  {\n    \"buyer\": \"\xe7\x8e\x8b")
    text = raw.getvalue().decode("utf-8").removeprefix("before\n")
    assert text.endswith("]\n") and json.loads(text) == data
    assert "\\u001b[31m\u202e" in text  # JSON's own escapes, nothing more


def test_json_refuses_what_is_not_plain_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO()))
    for value in (Decimal("92.77"), date(2026, 11, 22), {"a", "b"}):
        with pytest.raises(TypeError, match="not JSON data"):
            print_json({"value": value})


# Escaped: under LC_ALL=C the command line itself cannot carry Chinese characters.
LOCALE_SCRIPT = r"""
from atoz.cli.render import Column, Terminal, note, print_json, print_table
buyer = "\u738b\u5c0f\u660e"
print_json([{"buyer": buyer, "amount": "6570", "currency": "JPY"}])
print_table([[buyer, "6570 JPY"]], [Column("buyer"), Column("amount")], Terminal(80))
note("skipped a row for " + buyer)
"""


@pytest.mark.parametrize("env", [
    {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},  # a bare server or cron
    {"PYTHONIOENCODING": "cp1252"},  # a Windows console with an old code page
], ids=["LC_ALL=C", "cp1252"])
def test_any_locale_no_traceback(env: dict[str, str]) -> None:
    environ = {k: v for k, v in os.environ.items()
               if k not in ("PYTHONIOENCODING", "LANG", "LC_ALL", "LC_CTYPE")} | env
    done = subprocess.run([sys.executable, "-c", LOCALE_SCRIPT], capture_output=True,
                          env=environ, timeout=60)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    body, table = done.stdout.split(b"]\n", 1)
    assert json.loads(body + b"]") == [{"buyer": "王小明", "amount": "6570",
                                        "currency": "JPY"}]
    assert b"???" in table and b"6570 JPY" in table
    assert done.stderr == b"skipped a row for ???\n"


def test_render_imports_no_table_library() -> None:
    path = Path(render.__file__)
    script = ("import importlib.util, sys\n"
              f"spec = importlib.util.spec_from_file_location('render', {str(path)!r})\n"
              "sys.modules['render'] = module = importlib.util.module_from_spec(spec)\n"
              "spec.loader.exec_module(module)\n"
              "print(sorted({'tabulate', 'wcwidth', 'json', 'rich'} & set(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


def fake_terminal(clock: Callable[[], float] | None = None) -> tuple[Console, io.StringIO]:
    screen = io.StringIO()
    return Console(file=screen, force_terminal=True, width=100, get_time=clock), screen


class Clock:
    """A monotonic clock the test moves: rates come out the same on a loaded machine."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


def work(progress: Progress, clock: Clock) -> None:
    """3,000 rows over 0.3 s of the test's clock, all handed over, then the screen drawn."""
    for _ in range(30):
        progress.advance(100)
        clock.seconds += 0.01
    progress.flush()  # type: ignore[attr-defined]
    progress._display.refresh()  # type: ignore[attr-defined]


def test_progress_moves_through_every_phase_with_a_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    monkeypatch.setattr("atoz.cli.progress.time", SimpleNamespace(monotonic=clock))
    console, screen = fake_terminal(clock)
    with progress_on_stderr("Importing claims.csv", console=console) as progress:
        progress.phase("reading")
        work(progress, clock)
        progress.phase("checking", total=3000)
        work(progress, clock)
        progress.phase("writing", unit="claims")
        progress.advance(5)
    frames = screen.getvalue().split("\r")
    assert any("Importing claims.csv: reading" in f and "rows/s" in f for f in frames)
    assert any("checking" in f and "3,000/3,000 rows" in f and "rows/s" in f
               for f in frames)
    last = [f for f in frames if "Importing" in f][-1]
    assert "writing" in last and "5 claims" in last and "3,000" not in last


def test_a_note_during_progress_gets_its_own_line_above_the_bar() -> None:
    console, screen = fake_terminal()
    with progress_on_stderr("Importing", console=console) as progress:
        progress.phase("reading", total=10)
        progress.advance(5)
        note("row 7: no order date for 王小明")
    assert "\x1b[2Krow 7: no order date for 王小明\nImporting: reading" in screen.getvalue()


def test_no_progress_off_a_terminal_or_when_turned_off() -> None:
    with progress_on_stderr("Importing", console=Console(file=io.StringIO())) as progress:
        assert progress is NO_PROGRESS
    with progress_on_stderr("Importing") as progress:  # pytest's stderr is not a terminal
        assert progress is NO_PROGRESS
    console, screen = fake_terminal()
    with progress_on_stderr("Importing", enabled=False, console=console) as progress:
        assert progress is NO_PROGRESS
    assert screen.getvalue() == ""


def test_progress_hands_rows_to_rich_a_few_times_a_second_not_once_per_row(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from atoz.cli.progress import _HAND_OVER_SECONDS

    console, _ = fake_terminal()
    with progress_on_stderr("Importing", console=console) as progress:
        progress.phase("reading", total=600_000)
        display = progress._display  # type: ignore[attr-defined]
        handed: list[int] = []
        real = display.advance
        monkeypatch.setattr(display, "advance",
                            lambda task, n: (handed.append(n), real(task, n))[1])
        started = time.monotonic()
        for _ in range(200_000):
            progress.advance()
        took = time.monotonic() - started
        progress.flush()  # type: ignore[attr-defined]
    assert sum(handed) == 200_000  # every row counted
    assert len(handed) <= took / _HAND_OVER_SECONDS + 2  # but rich called a few times a second

"""Output that fits where it runs (issue 13): every table within 80 and 100 columns, colour
only on a terminal, any locale without a traceback, control characters never reach the screen."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from atoz.cli.render import display_width

SAMPLE = Path(__file__).parents[1] / "sample_data"
NOW = ("--now", "2026-11-18T20:00:00-08:00")
TABLES = [("due-today", "--ahead", "7"), ("list", "--all"), ("status", "1"), ("status", "27"),
          ("report",), ("odr",), ("policy",), ("policy", "-m", "US"), ("exposure",)]


@pytest.fixture
def seeded(run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("claims.csv", "orders.tsv", "finance-events.json"):
        assert run("import", str(SAMPLE / name), *NOW).exit_code == 0
    monkeypatch.setenv("ATOZ_TZ", "Asia/Shanghai")  # deadlines in two zones: the widest case


@pytest.mark.parametrize("width", [80, 100])
@pytest.mark.parametrize("args", TABLES, ids=lambda a: " ".join(a))
def test_every_table_fits_the_terminal(seeded: None, run: Callable[..., Result],
                                       monkeypatch: pytest.MonkeyPatch, width: int,
                                       args: tuple[str, ...]) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    timed = () if args[0] == "policy" else NOW
    result = run(*args, *timed)
    assert result.exit_code == 0, result.output
    wide = [line for line in result.stdout.splitlines() if display_width(line) > width]
    assert not wide, f"{len(wide)} line(s) wider than {width}: {wide[:3]}"


def _table_header(output: str) -> list[str]:
    """The first table's column names (two spaces or more apart)."""
    lines = output.splitlines()
    rule = next(n for n, line in enumerate(lines) if line.startswith("---"))
    return re.split(r"\s{2,}", lines[rule - 1].strip())


@pytest.mark.parametrize("width", [80, 100, 120])
def test_policy_keeps_the_response_hours_and_the_time_zone(
        seeded: None, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch,
        width: int) -> None:
    # The window's days (the same almost everywhere) go first, never the hours a seller
    # works to or the zone they are counted in.
    monkeypatch.setenv("COLUMNS", str(width))
    header = _table_header(run("policy").stdout)
    assert {"mkt", "time zone", "respond h", "appeal d", "closes +d"} <= set(header)
    if width == 80:
        assert not any(name.startswith("opens") for name in header)


@pytest.mark.parametrize("width", [100, 120])
def test_due_today_keeps_the_marketplace_time_beside_the_deadline(
        seeded: None, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch,
        width: int) -> None:
    # Columns that may go (the order, the due day) go before the deadline loses the
    # marketplace's own time.
    monkeypatch.setenv("COLUMNS", str(width))
    output = run("due-today", "--ahead", "7", *NOW).stdout
    header = _table_header(output)
    assert "deadline" in header and "order" not in header
    assert re.search(r"2026-11-19 16:00 CST \(2026-11-19 00:00 PST\)", output)
    assert ("due" in header) == (width == 120)


@pytest.mark.parametrize("width", [80, 100, 120, 200])
def test_every_footnote_has_its_mark_in_the_table(
        seeded: None, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch,
        width: int) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    lines = run("due-today", "--ahead", "7", *NOW).stdout.splitlines()
    notes = [line.split("]")[0] + "]" for line in lines if re.match(r"\[[0-9]+\] ", line)]
    assert notes, "the sample data has steps whose due day moved"
    rows = [line for line in lines if not re.match(r"\[[0-9]+\] ", line)]
    for mark in notes:
        assert any(mark in row for row in rows), f"{mark} explains nothing shown at {width}"


def test_amounts_and_dates_are_never_split_and_wide_shows_every_column(
        seeded: None, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    narrow = run("due-today", "--ahead", "7", *NOW).stdout
    wide = run("due-today", "--ahead", "7", "--wide", *NOW).stdout
    money = re.compile(r"(?<![0-9:])[0-9]+(?:\.[0-9]+)? (?:USD|GBP|EUR|JPY|CAD)\b")
    amounts = set(money.findall(wide))
    assert "6570 JPY" in amounts and amounts == set(money.findall(narrow))
    assert not re.search(r"[0-9]{4}-[0-9]{0,2}$|^[0-9]{1,2}-[0-9]{2}\b", narrow, re.MULTILINE)
    header = next(line for line in wide.splitlines() if line.strip().startswith("claim"))
    assert all(name in header for name in ("order", "due", "deadline", "amount", "what to do"))
    assert "(2026-11-" in wide  # the marketplace's own time beside yours


def _tty_run(*args: str, env: dict[str, str]) -> bytes:
    """Run atoz with its stdout on a pseudo-terminal, as a person would."""
    main, child = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "atoz", *args], stdout=child,
                            stderr=subprocess.DEVNULL, env=env)
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(main)
    return b"".join(chunks)


def test_colour_only_on_a_terminal_and_never_with_no_color(
        seeded: None, db_path: Path) -> None:
    env = {**os.environ, "ATOZ_DB": str(db_path), "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    on_tty = _tty_run("due-today", "--ahead", "7", *NOW, env=env)
    assert b"\x1b[31m" in on_tty  # missed / overdue in red
    assert b"\x1b[33m" in on_tty  # due today in yellow
    assert b"\x1b[" not in _tty_run("due-today", *NOW, env={**env, "NO_COLOR": "1"})
    assert b"\x1b[" not in _tty_run("due-today", *NOW, "--no-color", env=env)
    piped = subprocess.run([sys.executable, "-m", "atoz", "due-today", *NOW], env=env,
                           capture_output=True, check=True)
    assert b"\x1b[" not in piped.stdout


@pytest.mark.parametrize("locale_env", [{"LC_ALL": "C", "PYTHONUTF8": "0",
                                         "PYTHONCOERCECLOCALE": "0"},
                                        {"PYTHONIOENCODING": "cp1252"}])
def test_any_locale_no_traceback_json_stays_exact(run: Callable[..., Result], db_path: Path,
                                                  locale_env: dict[str, str]) -> None:
    assert run("add", "113-1234567-1234567", "--order-date", "2026-10-01", "--latest-delivery",
               "2026-10-09", "--claim-date", "2026-10-20", "--buyer", "王小明",
               "--today", "2026-11-01").exit_code == 0
    env = {**os.environ, "ATOZ_DB": str(db_path), **locale_env}
    listed = subprocess.run([sys.executable, "-m", "atoz", "list", "--json"], env=env,
                            capture_output=True)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout.decode("utf-8"))[0]["buyer"] == "王小明"
    table = subprocess.run([sys.executable, "-m", "atoz", "list"], env=env,
                           capture_output=True)
    assert table.returncode == 0 and b"Traceback" not in table.stderr
    exported = subprocess.run([sys.executable, "-m", "atoz", "export", "--format", "csv"],
                              env=env, capture_output=True)
    assert exported.returncode == 0 and "王小明".encode() in exported.stdout


def test_control_characters_never_reach_the_terminal(run: Callable[..., Result],
                                                     tmp_path: Path) -> None:
    assert run("add", "113-1234567-1234567", "--order-date", "2026-10-01", "--latest-delivery",
               "2026-10-09", "--claim-date", "2026-10-20", "--buyer", "Eve\x1b[2J\x1b[31m",
               "--note", "line one\nError: forged", "--today", "2026-11-01").exit_code == 0
    shown = run("status", "1", "--today", "2026-11-01").stdout + run("list").stdout
    assert "\x1b" not in shown and "\\x1b[2J" in shown
    assert "\nError: forged" not in shown
    forged = tmp_path / "x\nError: forged.csv"
    forged.write_text("nonsense\n", encoding="utf-8")
    result = run("import", str(forged))
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    data = json.loads(run("list", "--json").stdout)
    assert data[0]["buyer"] == "Eve\x1b[2J\x1b[31m"  # JSON stays exact

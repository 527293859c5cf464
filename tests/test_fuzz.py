"""Fuzzing the parsers and the importers with hypothesis (issues 6, 10, 12-14).

Whatever the text, the date, instant, amount, order id and week parsers return a value in their
contract or raise InputError with a one-line message naming the field; nothing else ever comes
out. Whatever the file, `atoz import` exits 0 or exits 2 with one `Error:` line, never a
traceback; a refused import leaves the database byte-for-byte unchanged, and what an accepted
import stored can be shown by the reading commands. tests/test_dates.py and
tests/test_input_forms.py hold the example tests and the first properties.

Kept quick (issue 9): an importer example costs one import and, when it is accepted, one reading
command drawn from all of them, so every reader is exercised across the examples without each
example paying for seven more commands. The long hunt, with every reading command after every
accepted import, is marked slow; ATOZ_FUZZ_SCALE=20 makes every test hunt longer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import sqlite3
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from atoz.cli.app import app
from atoz.dates import FIRST_DAY, LAST_DAY, local_instant, parse_date, parse_instant, parse_moment
from atoz.errors import InputError
from atoz.imports.amazon import amount_minor, local_date
from atoz.money import MAX_AMOUNT, MINOR_UNITS, decimal_text, parse_amount, parse_currency
from atoz.orders import ORDER_ID, parse_order_id
from atoz.policy import marketplaces, packaged
from atoz.weeks import parse_week
from tests.helpers import snapshot
from tests.samples import VALID, check_refused, make_seed

TODAY = "2026-11-28"  # after every sample's dates (the e-mail sample is of 24 Nov)
POLICIES = [packaged(code) for code in marketplaces()]
# Zones with every kind of clock change: spring-forward gaps and fall-back folds at 02:00,
# a gap at midnight (Sao Paulo until 2019), half-hour shifts (Lord Howe), a skipped day (Apia).
ZONES = [ZoneInfo(name) for name in (
    "UTC", "America/Los_Angeles", "Europe/London", "Europe/Berlin", "Asia/Shanghai",
    "Asia/Tokyo", "America/Sao_Paulo", "Australia/Lord_Howe", "Pacific/Apia",
    "America/St_Johns")]
SCALE = int(os.environ.get("ATOZ_FUZZ_SCALE", "1"))
# Parser examples take well under a millisecond each.
FAST = settings(max_examples=200 * SCALE, deadline=None)
# An importer example takes ~25 ms, plus one reading command when the import is accepted.
SLOW = settings(max_examples=40 * SCALE, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# The hunt marked slow: far more examples, every reading command after each accepted one.
HUNT = settings(SLOW, max_examples=300 * SCALE)


def refused_cleanly(exc: InputError, field: str) -> None:
    message = str(exc)
    assert message.startswith(f"{field}:") and "\n" not in message, message


# --- dates --------------------------------------------------------------------------------------
# Pieces that reach every branch of the parser, glued together in any order.
DATE_PIECES = st.sampled_from([
    "2026", "1994", "0000", "0001", "9999", "2199", "2200", "01", "1", "02", "12", "13", "29",
    "30", "31", "32", "-", "/", ".", " ", "T", ":", "00", "23", "24", "59", "60", "Z", "z",
    "+00:00", "+25:00", "-12:00", "+14:00", "+0530", "年", "月", "日", "時", "分", "秒", "Jan",
    "jan.", "February", "Sept", "Foo", ",", "st", "th", "today", "Yesterday", "\x00", "\n", "٣",
    "２", "：", "／", "\udcff", "02:30", "2026-03-08", "2026/11/02", "2026年11月2日",
])
DATE_TEXT = st.one_of(
    st.lists(DATE_PIECES, max_size=12).map("".join),
    st.text(max_size=40),
    st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30),
                 timezones=st.timezones()).map(lambda d: d.isoformat()),
)
TODAYS = st.none() | st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)


@FAST
@given(text=DATE_TEXT, today=TODAYS, policy=st.sampled_from(POLICIES))
def test_the_date_parser_returns_a_date_atoz_handles_or_input_error(
        text: str, today: dt.date | None, policy: Any) -> None:
    try:
        day, time = parse_moment(text, "order_date", today=today, tz=policy.tz)
    except InputError as exc:
        refused_cleanly(exc, "order_date")
        return
    assert FIRST_DAY <= day <= LAST_DAY
    assert time is None or isinstance(time, dt.time)


@FAST
@given(text=DATE_TEXT, policy=st.sampled_from(POLICIES))
def test_amazon_timestamps_give_a_date_atoz_handles_or_input_error(text: str, policy: Any) -> None:
    try:
        day = local_date(text, "PurchaseDate", policy)
    except InputError as exc:
        refused_cleanly(exc, "PurchaseDate")
        return
    assert FIRST_DAY <= dt.date.fromisoformat(day) <= LAST_DAY


@FAST
@given(moment=st.datetimes(min_value=dt.datetime(1995, 1, 2), max_value=dt.datetime(2199, 12, 30),
                           timezones=st.timezones()),
       policy=st.sampled_from(POLICIES))
def test_a_timestamp_is_dated_in_the_marketplace_zone(moment: dt.datetime, policy: Any) -> None:
    expected = moment.astimezone(policy.tz).date()
    offset = moment.utcoffset() or dt.timedelta()
    # Amazon's offsets are whole minutes (old local mean times like +00:09:21 are not).
    if FIRST_DAY <= expected <= LAST_DAY and offset.seconds % 60 == 0:
        assert parse_date(moment.isoformat(), "d", today=None, tz=policy.tz) == expected
        assert local_date(moment.isoformat(), "d", policy) == expected.isoformat()


@FAST
@given(day=st.dates().filter(lambda d: not FIRST_DAY <= d <= LAST_DAY))
def test_dates_outside_the_years_atoz_handles_are_refused(day: dt.date) -> None:
    for text in (day.isoformat(), f"{day.day} {day.strftime('%B')} {day.year:04d}",
                 f"{day.year:04d}年{day.month}月{day.day}日"):
        with pytest.raises(InputError, match="outside the years"):
            parse_date(text, "d", today=None)


# --- instants (issue 10) ------------------------------------------------------------------------
@FAST
@given(text=DATE_TEXT, today=TODAYS, tz=st.sampled_from(ZONES))
def test_a_typed_moment_is_an_exact_instant_or_input_error(
        text: str, today: dt.date | None, tz: ZoneInfo) -> None:
    try:
        at, note = parse_instant(text, "now", tz=tz, today=today)
    except InputError as exc:
        refused_cleanly(exc, "now")
        return
    assert at.tzinfo is not None and FIRST_DAY <= at.astimezone(tz).date() <= LAST_DAY
    assert "\n" not in note


@FAST
@given(wall=st.datetimes(min_value=dt.datetime(1996, 1, 1), max_value=dt.datetime(2037, 12, 31)),
       tz=st.sampled_from(ZONES))
# St John's went back from 00:01 to 23:01 in 1998: 23:01 happened twice.
@example(wall=dt.datetime(1998, 10, 24, 23, 1), tz=ZoneInfo("America/St_Johns"))
@example(wall=dt.datetime(1998, 10, 24, 23, 1, fold=1), tz=ZoneInfo("America/St_Johns"))
def test_a_wall_time_is_that_time_the_earlier_of_two_or_refused_as_a_gap(
        wall: dt.datetime, tz: ZoneInfo) -> None:
    wall = wall.replace(microsecond=0)
    try:
        at, note = local_instant(wall.date(), wall.time(), tz, "claim_date", str(wall))
    except InputError as exc:
        refused_cleanly(exc, "claim_date")
        assert "does not exist" in exc.problem  # a gap, named as such
        # ...and it is one: no instant shows this wall time in the zone.
        assert all(wall.replace(tzinfo=tz, fold=f).astimezone(dt.UTC).astimezone(tz)
                   .replace(tzinfo=None) != wall for f in (0, 1))
        return
    # Never moved an hour silently.
    assert at.astimezone(tz).replace(tzinfo=None, fold=0) == wall.replace(fold=0)
    first, second = (wall.replace(tzinfo=tz, fold=f).astimezone(dt.UTC) for f in (0, 1))
    # Compared in UTC: Python never calls a time in a fold equal to one in another zone.
    at_utc = at.astimezone(dt.UTC)
    if first != second and second.astimezone(tz).replace(tzinfo=None) == wall.replace(fold=0):
        if wall.fold:  # the time says which (it came with an offset): that one, no note
            assert at_utc == max(first, second) and note == ""
        else:  # a bare time that happens twice: the earlier, and said so
            assert at_utc == min(first, second) and "happens twice" in note
    else:
        assert note == ""


# --- amounts ------------------------------------------------------------------------------------
AMOUNT_TEXT = st.one_of(
    st.text(max_size=25),
    st.lists(st.sampled_from(["0", "1", "9", "24", ".", ".99", ",", "-", "+", "e", "E", "9999",
                              "NaN", "inf", " ", "\u0663", "_", "00", "000", ",000", ".000",
                              "$", "円", "USD", "１", "．"]), max_size=10).map("".join),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
CURRENCIES = st.sampled_from(sorted(MINOR_UNITS))


@FAST
@given(text=AMOUNT_TEXT, currency=CURRENCIES, signed=st.booleans())
def test_the_amount_parser_gives_exact_minor_units_or_input_error(
        text: str, currency: str, signed: bool) -> None:
    try:
        minor = parse_amount(text, currency, signed=signed)
    except InputError as exc:
        refused_cleanly(exc, "amount")
        return
    assert isinstance(minor, int) and (signed or minor >= 0)
    assert abs(minor) < MAX_AMOUNT * 10 ** MINOR_UNITS[currency]
    # What atoz writes back (exports, JSON) reads back as the same amount.
    assert parse_amount(decimal_text(minor, currency), currency, signed=True) == minor


@FAST
@given(minor=st.integers(min_value=0, max_value=MAX_AMOUNT - 1), currency=CURRENCIES,
       grouped=st.booleans())
def test_an_amount_written_plainly_or_grouped_reads_back_exactly(
        minor: int, currency: str, grouped: bool) -> None:
    text = decimal_text(minor, currency)
    if grouped:  # 1,234,567.89: thousands grouped as a spreadsheet writes them
        whole, _, fraction = text.partition(".")
        text = f"{int(whole):,}" + (f".{fraction}" if fraction else "")
    assert parse_amount(text, currency) == minor


@FAST
@given(amount=st.one_of(AMOUNT_TEXT, st.floats(), st.integers(), st.none()),
       currency=st.one_of(CURRENCIES, st.text(max_size=4), st.none()))
def test_an_sp_api_money_object_gives_minor_units_or_input_error(
        amount: object, currency: object) -> None:
    try:
        minor, code = amount_minor(amount, currency, "OrderTotal")
    except InputError as exc:
        assert exc.field in ("OrderTotal.amount", "OrderTotal.currency"), exc.field
        assert "\n" not in str(exc)
        return
    assert isinstance(minor, int) and code in MINOR_UNITS


@FAST
@given(text=st.text(max_size=8))
def test_the_currency_parser_gives_a_known_code_or_input_error(text: str) -> None:
    try:
        assert parse_currency(text) in MINOR_UNITS
    except InputError as exc:
        refused_cleanly(exc, "currency")


# --- order ids and weeks (issues 12 and 13) -----------------------------------------------------
ID_PIECES = st.sampled_from(["113", "1234567", "-", "S01", "s01", "７", "٣", "۳", "१", "－",
                             "‐", "ー", " ", "\u200b", "A", "0", "\x00", "\udcff"])
ORDER_TEXT = st.one_of(st.lists(ID_PIECES, max_size=8).map("".join), st.text(max_size=25))


@FAST
@given(text=ORDER_TEXT)
def test_an_order_id_is_ascii_3_7_7_or_input_error(text: str) -> None:
    try:
        order_id = parse_order_id(text)
    except InputError as exc:
        refused_cleanly(exc, "order_id")
        return
    assert order_id.isascii() and ORDER_ID.fullmatch(order_id)
    # One order, however it was typed: the id is what NFKC makes of the text.
    assert order_id == unicodedata.normalize("NFKC", text).strip().upper()


@FAST
@given(text=st.one_of(st.text(max_size=12),
                      st.lists(st.sampled_from(["2026", "9999", "0000", "1994", "2199", "-W",
                                                "-w", "W", "00", "01", "52", "53", "54", "99",
                                                "-", " ", "２"]), max_size=5).map("".join)))
def test_a_week_is_an_iso_week_atoz_handles_or_input_error(text: str) -> None:
    try:
        week = parse_week(text)
    except InputError as exc:
        refused_cleanly(exc, "week")
        return
    assert FIRST_DAY.year <= week.year <= LAST_DAY.year
    assert week.start.isocalendar()[:2] == (week.year, week.number)


# --- the importers, through the command line ----------------------------------------------------
RUNNER = CliRunner()
KINDS = sorted({kind for kind, _, _ in VALID})
# Bytes that break parsers: quotes, separators, line ends, a BOM, NUL, bad UTF-8, escapes,
# numbers and dates at the edges, MIME pieces.
NASTY = st.sampled_from([
    b'"', b"'", b"\t", b",", b";", b"\n", b"\r\n", b"\r", b"\\", b"{", b"}", b"[", b"]", b":",
    b"\x00", b"\xff", b"\xef\xbb\xbf", b"\xff\xfe", b"\\ud800", b"\\u0000", b"-", b"9" * 30,
    b"NaN", b"1e9999", b"-0", b"9999-12-31T23:59:59-12:00", b"0000-01-01", b"2026-02-30",
    b"null", b"true", b"[]", b"{}", b"\xe5\xb9\xb4", b"\x80\x81", "é".encode("latin-1"),
    b"=?utf-8?b?====?=", b"Content-Type: multipart/mixed; boundary=b\n", b"--b\n", b"From ",
    "\uff17".encode(), "\u0663".encode(),
])
INSERT = st.one_of(NASTY, st.binary(max_size=6), st.text(max_size=6).map(str.encode))


@st.composite
def mutated(draw: st.DrawFn, content: bytes) -> bytes:
    """A valid file with a few bytes deleted, inserted, replaced, or cut off at the end."""
    data = bytearray(content)
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["delete", "insert", "replace", "cut"]))
        if action == "delete":
            del data[where:where + draw(st.integers(1, 12))]
        elif action == "insert":
            data[where:where] = draw(INSERT)
        elif action == "replace":
            data[where:where + draw(st.integers(1, 6))] = draw(INSERT)
        else:
            del data[where:]
    return bytes(data)


JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
    | st.sampled_from(["", "2026-02-30", "9999-12-31T23:59:59-12:00", "-5.00", "1,299.00",
                       "1,29.00", "USD", "XYZ", "Amazon.moon", "\ud800", "113-1234567-1234567",
                       "113-1234567-123456\u0667", "granted-seller-funded", "contact", "edit",
                       "counted", "response_hours", 10**30, -1, 1e308]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                 max_size=3),
    max_leaves=6)


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))


@st.composite
def json_with_a_bad_value(draw: st.DrawFn, content: bytes) -> bytes:
    """A valid JSON file with one value (anywhere, even the whole document) replaced."""
    document = json.loads(content)
    path = draw(st.sampled_from(list(_leaves(document))))
    value = draw(JSON_VALUE)
    if not path:
        document = value
    else:
        holder = document
        for key in path[:-1]:
            holder = holder[key]
        holder[path[-1]] = value
    return json.dumps(document, indent=2).encode("utf-8")


@st.composite
def table_with_a_bad_cell(draw: st.DrawFn, content: bytes, separator: str) -> bytes:
    """A valid CSV or TSV file with one cell (header or row) replaced by any text."""
    lines = content.decode("utf-8").splitlines()
    row = draw(st.integers(0, len(lines) - 1))
    cells = lines[row].split(separator)
    cells[draw(st.integers(0, len(cells) - 1))] = draw(
        st.text(max_size=20) | NASTY.map(lambda b: b.decode("utf-8", "replace")))
    lines[row] = separator.join(cells)
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_seed(tmp_path_factory.mktemp("fuzz-seed"))


def _claim_ids(db: Path) -> list[int]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return [row[0] for row in conn.execute("select id from claims order by id")]


def reading_commands(db: Path) -> list[list[str]]:
    """Every reading command, on every claim an import added (the seeded claim is 1)."""
    commands = [["list", "--all"], ["export"], ["export", "-f", "csv"], ["calendar"], ["report"],
                ["odr"], ["exposure"], ["due-today", "--ahead", "30"], ["info"]]
    for claim_id in _claim_ids(db)[1:]:
        commands += [["status", str(claim_id)], ["draft", str(claim_id), "contact"]]
    return commands


def shows(db: Path, args: list[str]) -> None:
    """A value stored is a value that can be shown: the command exits 0, no traceback."""
    result = RUNNER.invoke(app, [*args, "--db", str(db), "--today", TODAY])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"atoz {' '.join(args)}") from result.exception
    assert result.exit_code == 0, (args, result.output, result.stderr)


def import_outcome(seed: Path, name: str, content: bytes, kind: str | None,
                   pick: st.DataObject | None) -> None:
    """Import `content` into a copy of the seeded database: either it goes in and can be shown
    (by one reading command `pick` draws, or by every one when `pick` is None), or it is
    refused in one line and the database is unchanged."""
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "atoz.db"
        shutil.copyfile(seed, db)
        path = Path(folder) / name
        path.write_bytes(content)
        before = snapshot(db)
        args = ["import", str(path), "--db", str(db), "--today", TODAY]
        result = RUNNER.invoke(app, [*args, *(["--kind", kind] if kind else [])])
        if result.exit_code == 0 and result.exception is None:
            readers = reading_commands(db)
            for command in readers if pick is None else [pick.draw(st.sampled_from(readers))]:
                shows(db, command)
            return
        check_refused(result)
        assert snapshot(db) == before


SAMPLES = st.sampled_from(VALID)
JSON_SAMPLES = st.sampled_from([s for s in VALID if s[1].endswith(".json")])
TABLE_SAMPLES = st.sampled_from([s for s in VALID if s[0] in ("claims-csv", "order-report")])


def _separator(kind: str) -> str:
    return "," if kind == "claims-csv" else "\t"


@SLOW
@given(content=st.binary(max_size=400), kind=st.none() | st.sampled_from(KINDS),
       pick=st.data())
def test_import_of_random_bytes(seed: Path, content: bytes, kind: str | None,
                                pick: st.DataObject) -> None:
    import_outcome(seed, "junk.dat", content, kind, pick)


@SLOW
@given(data=st.data(), sample=SAMPLES, forced=st.booleans())
def test_import_of_a_valid_file_with_bytes_deleted_inserted_or_replaced(
        seed: Path, data: st.DataObject, sample: tuple[str, str, bytes], forced: bool) -> None:
    kind, name, content = sample
    import_outcome(seed, name, data.draw(mutated(content)), kind if forced else None, data)


@SLOW
@given(data=st.data(), sample=JSON_SAMPLES)
def test_import_of_a_valid_json_file_with_any_value_anywhere(
        seed: Path, data: st.DataObject, sample: tuple[str, str, bytes]) -> None:
    kind, name, content = sample
    import_outcome(seed, name, data.draw(json_with_a_bad_value(content)), kind, data)


@SLOW
@given(data=st.data(), sample=TABLE_SAMPLES)
def test_import_of_a_valid_table_with_any_text_in_a_cell(
        seed: Path, data: st.DataObject, sample: tuple[str, str, bytes]) -> None:
    kind, name, content = sample
    import_outcome(seed, name, data.draw(table_with_a_bad_cell(content, _separator(kind))),
                   kind, data)


@pytest.mark.slow
@HUNT
@given(data=st.data(), sample=SAMPLES)
def test_the_long_hunt_every_reading_command_after_every_accepted_import(
        seed: Path, data: st.DataObject, sample: tuple[str, str, bytes]) -> None:
    kind, name, content = sample
    change = data.draw(st.sampled_from(["bytes", "value", "cell"]))
    if change == "value" and name.endswith(".json"):
        content = data.draw(json_with_a_bad_value(content))
    elif change == "cell" and kind in ("claims-csv", "order-report"):
        content = data.draw(table_with_a_bad_cell(content, _separator(kind)))
    else:
        content = data.draw(mutated(content))
    import_outcome(seed, name, content, data.draw(st.sampled_from([kind, None])), None)


# --- a claim's fields on the command line -------------------------------------------------------
ADD_OPTIONS = ["--order-date", "--latest-delivery", "--delivered-on", "--claim-date", "--amount",
               "--currency", "--reason", "--marketplace", "--buyer", "--note"]
GOOD_ADD = {"--order-date": "2026-10-01", "--latest-delivery": "2026-10-09",
            "--claim-date": "2026-10-20", "--amount": "24.99", "--reason": "not-received"}


@SLOW
@given(option=st.sampled_from(ADD_OPTIONS),
       value=st.one_of(DATE_TEXT, AMOUNT_TEXT, st.text(max_size=30)), pick=st.data())
def test_add_with_any_value_in_one_option(seed: Path, option: str, value: str,
                                          pick: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "atoz.db"
        shutil.copyfile(seed, db)
        before = snapshot(db)
        values = {**GOOD_ADD, option: value}
        args = ["add", "121-7777777-7777777", *(f"{k}={v}" for k, v in values.items()),
                "--db", str(db), "--today", TODAY]
        result = RUNNER.invoke(app, args)
        if result.exit_code == 0 and result.exception is None:
            shows(db, pick.draw(st.sampled_from(reading_commands(db))))
            return
        line = check_refused(result)
        # Named as the command spells it (an empty date is no date: the order is looked up).
        assert any(flag in line for flag in (*ADD_OPTIONS, "ORDER_ID")), line
        assert snapshot(db) == before

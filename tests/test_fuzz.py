"""Fuzzing the parsers and the importers with hypothesis (issue 6).

Whatever the text, the date and amount parsers return a value in their contract or raise
InputError with a one-line message naming the field; nothing else ever comes out. Whatever the
file, `atoz import` exits 0 or exits 2 with one `Error:` line, never a traceback; a refused import
leaves the database byte-for-byte unchanged, and what an accepted import stored can be shown by
every reading command. tests/test_dates.py holds the example tests and the first properties.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from atoz.cli import app
from atoz.dates import FIRST_DAY, LAST_DAY, parse_date, parse_moment
from atoz.errors import InputError
from atoz.imports.amazon import from_minor, local_date, to_minor
from atoz.money import MAX_AMOUNT, MINOR_UNITS, parse_amount, parse_currency
from atoz.policy import get_policy, marketplaces
from tests.helpers import snapshot
from tests.samples import VALID, check_refused, make_seed

TODAY = "2026-11-01"
POLICIES = [get_policy(code) for code in marketplaces()]
# Bounded so the file runs in well under a minute; ATOZ_FUZZ_SCALE=20 hunts longer.
SCALE = int(os.environ.get("ATOZ_FUZZ_SCALE", "1"))
FAST = settings(max_examples=300 * SCALE, deadline=None)
# Importer runs: a few dozen milliseconds each, and reading commands after each accepted one.
SLOW = settings(max_examples=60 * SCALE, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def refused_cleanly(exc: InputError, field: str) -> None:
    message = str(exc)
    assert message.startswith(f"{field}:") and "\n" not in message, message


# --- dates --------------------------------------------------------------------------------------
# Pieces that reach every branch of the parser, glued together in any order.
DATE_PIECES = st.sampled_from([
    "2026", "1994", "0000", "0001", "9999", "2199", "2200", "01", "1", "02", "12", "13", "29",
    "30", "31", "32", "-", "/", ".", " ", "T", ":", "00", "23", "24", "59", "60", "Z", "z",
    "+00:00", "+25:00", "-12:00", "+14:00", "+0530", "年", "月", "日", "Jan", "jan.", "February",
    "Sept", "Foo", ",", "st", "th", "today", "Yesterday", "\x00", "\n", "٣", "２", "\udcff",
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
    # Each rule adds a few months at most to a date it accepted.
    assert day + dt.timedelta(days=400) > day


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


# --- amounts ------------------------------------------------------------------------------------
AMOUNT_TEXT = st.one_of(
    st.text(max_size=25),
    st.lists(st.sampled_from(["0", "1", "9", "24", ".", ".99", ",", "-", "+", "e", "E", "9999",
                              "NaN", "inf", " ", "\u0663", "_", "00"]), max_size=10).map("".join),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
CURRENCIES = st.sampled_from(sorted(MINOR_UNITS))


@FAST
@given(text=AMOUNT_TEXT, currency=CURRENCIES)
def test_the_amount_parser_gives_an_exact_non_negative_amount_or_input_error(
        text: str, currency: str) -> None:
    try:
        amount = parse_amount(text, currency)
    except InputError as exc:
        refused_cleanly(exc, "amount")
        return
    value = Decimal(amount)
    assert value >= 0 and value.as_tuple().exponent == -MINOR_UNITS[currency]
    assert parse_amount(amount, currency) == amount  # what it stores, it reads back the same


@FAST
@given(text=AMOUNT_TEXT, currency=CURRENCIES, signed=st.booleans())
def test_amazon_amounts_are_whole_minor_units_or_input_error(
        text: str, currency: str, signed: bool) -> None:
    try:
        minor = to_minor(text, currency, "item-price", signed=signed)
    except InputError as exc:
        refused_cleanly(exc, "item-price")
        return
    assert isinstance(minor, int) and (signed or minor >= 0)
    with contextlib.suppress(InputError):  # both parsers agree where both accept the text
        assert Decimal(parse_amount(text, currency)) == Decimal(from_minor(minor, currency))


@FAST
@given(value=st.decimals(min_value=0, max_value=MAX_AMOUNT - 1, places=2), currency=CURRENCIES)
def test_an_amount_written_plainly_reads_back_exactly(value: Decimal, currency: str) -> None:
    places = MINOR_UNITS[currency]
    text = f"{value.quantize(Decimal(1).scaleb(-places)):f}"
    assert Decimal(parse_amount(text, currency)) == Decimal(text)
    assert Decimal(from_minor(to_minor(text, currency, "a"), currency)) == Decimal(text)


@FAST
@given(text=st.text(max_size=8))
def test_the_currency_parser_gives_a_known_code_or_input_error(text: str) -> None:
    try:
        assert parse_currency(text) in MINOR_UNITS
    except InputError as exc:
        refused_cleanly(exc, "currency")


# --- the importers, through the command line ----------------------------------------------------
RUNNER = CliRunner()
KINDS = [kind for kind, _, _ in VALID]
# Bytes that break parsers: quotes, separators, line ends, a BOM, NUL, bad UTF-8, escapes,
# numbers and dates at the edges.
NASTY = st.sampled_from([
    b'"', b"'", b"\t", b",", b"\n", b"\r\n", b"\r", b"\\", b"{", b"}", b"[", b"]", b":", b"\x00",
    b"\xff", b"\xef\xbb\xbf", b"\xff\xfe", b"\\ud800", b"\\u0000", b"-", b"9" * 30, b"NaN",
    b"1e9999", b"-0", b"9999-12-31T23:59:59-12:00", b"0000-01-01", b"2026-02-30", b"null",
    b"true", b"[]", b"{}", b"\xe5\xb9\xb4", b"\x80\x81", "é".encode("latin-1"),
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
                       "USD", "XYZ", "Amazon.moon", "\ud800", "113-1234567-1234567",
                       "granted-seller-funded", "contact", 10**30, -1, 1e308]),
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


def shows_everything(db: Path) -> None:
    """Every reading command works on what an import accepted (a value stored is a value that
    can be shown: no crash in a later command)."""
    base = ["--db", str(db)]
    dated = [*base, "--today", TODAY]
    commands = [["list", *base], ["export", *base], ["export", "-f", "csv", *base],
                ["calendar", *base], ["report", *dated], ["exposure", *dated],
                ["due-today", "--ahead", "30", *dated]]
    for claim_id in _claim_ids(db)[1:]:  # the seeded claim is shown by the other tests
        commands += [["status", str(claim_id), *dated], ["draft", str(claim_id), "contact",
                                                          *dated]]
    for args in commands:
        result = RUNNER.invoke(app, args)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"atoz {' '.join(args[:3])}") from result.exception
        assert result.exit_code == 0, (args, result.output)


def import_outcome(seed: Path, name: str, content: bytes, kind: str | None) -> None:
    """Import `content` into a copy of the seeded database: either it goes in and every reading
    command can show it, or it is refused in one line and the database is unchanged."""
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "atoz.db"
        shutil.copyfile(seed, db)
        path = Path(folder) / name
        path.write_bytes(content)
        before = snapshot(db)
        args = ["import", str(path), "--db", str(db), "--today", TODAY]
        result = RUNNER.invoke(app, [*args, *(["--kind", kind] if kind else [])])
        if result.exit_code == 0 and result.exception is None:
            shows_everything(db)
            return
        check_refused(result)
        assert snapshot(db) == before


SAMPLES = st.sampled_from(VALID)


@SLOW
@given(content=st.binary(max_size=400), kind=st.none() | st.sampled_from(KINDS))
def test_import_of_random_bytes(seed: Path, content: bytes, kind: str | None) -> None:
    import_outcome(seed, "junk.dat", content, kind)


@SLOW
@given(data=st.data(), sample=SAMPLES, forced=st.booleans())
def test_import_of_a_valid_file_with_bytes_deleted_inserted_or_replaced(
        seed: Path, data: st.DataObject, sample: tuple[str, str, bytes], forced: bool) -> None:
    kind, name, content = sample
    import_outcome(seed, name, data.draw(mutated(content)), kind if forced else None)


@settings(SLOW, max_examples=80 * SCALE)
@given(data=st.data(), sample=st.sampled_from([s for s in VALID if s[1].endswith(".json")]))
def test_import_of_a_valid_json_file_with_any_value_anywhere(
        seed: Path, data: st.DataObject, sample: tuple[str, str, bytes]) -> None:
    kind, name, content = sample
    import_outcome(seed, name, data.draw(json_with_a_bad_value(content)), kind)


@settings(SLOW, max_examples=80 * SCALE)
@given(data=st.data(), sample=st.sampled_from([s for s in VALID if s[0] in ("claims-csv",
                                                                            "order-report")]))
def test_import_of_a_valid_table_with_any_text_in_a_cell(
        seed: Path, data: st.DataObject, sample: tuple[str, str, bytes]) -> None:
    kind, name, content = sample
    separator = "," if kind == "claims-csv" else "\t"
    import_outcome(seed, name, data.draw(table_with_a_bad_cell(content, separator)), kind)


# --- a claim's fields on the command line -------------------------------------------------------
ADD_OPTIONS = ["--order-date", "--latest-delivery", "--claim-date", "--amount", "--currency",
               "--reason", "--marketplace", "--buyer", "--note"]
GOOD_ADD = {"--order-date": "2026-10-01", "--latest-delivery": "2026-10-09",
            "--claim-date": "2026-10-20", "--amount": "24.99", "--reason": "not-received"}


@SLOW
@given(option=st.sampled_from(ADD_OPTIONS), value=st.one_of(DATE_TEXT, AMOUNT_TEXT,
                                                            st.text(max_size=30)))
def test_add_with_any_value_in_one_option(seed: Path, option: str, value: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "atoz.db"
        shutil.copyfile(seed, db)
        before = snapshot(db)
        values = {**GOOD_ADD, option: value}
        args = ["add", "121-7777777-7777777", *(f"{k}={v}" for k, v in values.items()),
                "--db", str(db), "--today", TODAY]
        result = RUNNER.invoke(app, args)
        if result.exit_code == 0 and result.exception is None:
            shows_everything(db)
            return
        check_refused(result)
        assert snapshot(db) == before

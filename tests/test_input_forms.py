"""The forms sellers type: dates and moments (with clock changes), amounts, order ids.

Each example test is named after the rule it checks; the properties at the end of each part
check the rule over generated input. Clock changes are found from zoneinfo itself (by sampling
and bisecting the UTC offset), never from a table in the test.
"""

from __future__ import annotations

import datetime as dt
import itertools
import unicodedata
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from atoz.dates import FIRST_DAY, LAST_DAY, local_instant, parse_date, parse_instant, parse_moment
from atoz.errors import InputError
from atoz.money import (
    MAX_AMOUNT,
    MINOR_UNITS,
    decimal_text,
    fmt,
    fmt_totals,
    parse_amount,
    parse_currency,
    totals,
)
from atoz.orders import ORDER_ID, parse_order_id

UTC = dt.UTC
LA = ZoneInfo("America/Los_Angeles")
LONDON = ZoneInfo("Europe/London")
SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 11, 28)
SECOND = dt.timedelta(seconds=1)
PROPERTY = settings(max_examples=150, deadline=None)
# Zones with clock changes of every shape: US/EU, southern hemisphere, half-hour (Lord Howe),
# 45-minute offsets (Chatham), midnight changes (Santiago, Beirut, Havana), a skipped day (Apia
# 2011), DST that ended (Sao Paulo 2019, Tehran 2022), Morocco's Ramadan changes; and none.
ZONES = [ZoneInfo(name) for name in (
    "America/Los_Angeles", "America/New_York", "Europe/London", "Europe/Berlin",
    "America/Santiago", "Asia/Beirut", "America/Havana", "Australia/Lord_Howe",
    "Pacific/Chatham", "Australia/Sydney", "Pacific/Apia", "America/Sao_Paulo", "Asia/Tehran",
    "Africa/Casablanca", "Asia/Tokyo", "Asia/Shanghai", "Asia/Kathmandu",
)]


@pytest.fixture(autouse=True)
def isolated() -> None:
    """Overrides conftest's per-test database: these are pure functions, touching no files."""


def utc(instant: dt.datetime) -> dt.datetime:
    """The instant in UTC. Compare instants so: `==` between zones is always False for a time in
    a fold (PEP 495), however equal the instants."""
    return instant.astimezone(UTC)


def refusal(exc: pytest.ExceptionInfo[InputError], field: str) -> str:
    """The message, after checking it is one line naming the field."""
    message = str(exc.value)
    assert message.startswith(f"{field}:") and "\n" not in message, message
    return message


# --- dates: accepted forms ----------------------------------------------------------------------
@pytest.mark.parametrize("text", ["2026/10/05", "2026/10/5", "2026.10.05", " 2026/10/05 "])
def test_year_first_with_slashes_or_dots_is_a_date(text: str) -> None:
    assert parse_date(text, "order_date", today=None) == dt.date(2026, 10, 5)


@pytest.mark.parametrize(("text", "time"), [
    ("2026/11/02 14:30", dt.time(14, 30)),
    ("2026-11-02 14:30", dt.time(14, 30)),
    ("2026-11-02T14:30:15", dt.time(14, 30, 15)),
    ("2026/11/02 9:05", dt.time(9, 5)),
])
def test_year_first_dates_carry_a_time(text: str, time: dt.time) -> None:
    assert parse_moment(text, "claim_date", today=None) == (dt.date(2026, 11, 2), time)


@pytest.mark.parametrize(("text", "time"), [
    ("2026年11月2日", None),
    ("2026年11月2日 14:30", dt.time(14, 30)),
    ("2026年11月2日14:30", dt.time(14, 30)),
    ("2026年11月2日14時30分", dt.time(14, 30)),
    ("2026年11月2日 14時30分05秒", dt.time(14, 30, 5)),
    ("2026年11月2日 9時", dt.time(9, 0)),
])
def test_amazon_japan_forms_are_dates_with_an_optional_time(text: str, time: dt.time | None
                                                            ) -> None:
    assert parse_moment(text, "claim_date", today=None) == (dt.date(2026, 11, 2), time)


@pytest.mark.parametrize("text", [
    "２０２６年１１月２日　１４：３０", "２０２６/１１/０２ １４:３０", "2026-11-02 14：30",
])
def test_full_width_digits_from_an_asian_keyboard_read_as_ascii(text: str) -> None:
    assert parse_moment(text, "claim_date", today=None) == (dt.date(2026, 11, 2), dt.time(14, 30))


# --- dates: refused forms -----------------------------------------------------------------------
@pytest.mark.parametrize(("text", "readings"), [
    ("03/04/2026", "(2026-04-03 or 2026-03-04?)"),
    ("03.04.2026", "(2026-04-03 or 2026-03-04?)"),
    ("3-4-2026", "(2026-04-03 or 2026-03-04?)"),
    ("03/04/2026 14:30", "(2026-04-03 or 2026-03-04?)"),
    ("13/04/2026", "(2026-04-13?)"),
    ("03/04/26", "ambiguous;"),
])
def test_numeric_day_month_dates_are_refused_with_a_hint_showing_how_to_add_a_time(
        text: str, readings: str) -> None:
    with pytest.raises(InputError) as err:
        parse_moment(text, "claim_date", today=None)
    message = refusal(err, "claim_date")
    assert "day/month order is ambiguous" in message and readings in message
    assert message.endswith("use YYYY-MM-DD, or YYYY-MM-DD HH:MM for a time")


@pytest.mark.parametrize("text", ["٢٠٢٦-١١-٠٢", "२०२६-११-०२", "2026-11-0٢"])
def test_digits_of_other_scripts_are_refused(text: str) -> None:
    with pytest.raises(InputError) as err:
        parse_date(text, "order_date", today=None)
    assert "digits other than 0-9" in refusal(err, "order_date")


@pytest.mark.parametrize(("text", "words"), [
    ("1994/12/31", "outside the years atoz handles"),
    ("2200年1月1日 10:00", "outside the years atoz handles"),
    ("2026/02/30", "not a real date"),
    ("2026年2月30日", "not a real date"),
    ("2026/11/02 24:00", "not a real time"),
    ("2026年11月2日25時", "not a real time"),
    ("2026/10-05", "not a date"),
    ("11月2日", "has no year"),
])
def test_impossible_out_of_range_and_mixed_dates_are_refused(text: str, words: str) -> None:
    with pytest.raises(InputError) as err:
        parse_instant(text, "now", tz=LA, today=None)
    message = refusal(err, "now")
    assert words in message and "YYYY-MM-DD" in message


# --- instants -----------------------------------------------------------------------------------
def test_a_wall_time_is_taken_in_the_given_zone() -> None:
    instant, note = parse_instant("2026-11-28 08:47", "now", tz=SHANGHAI, today=None)
    assert utc(instant) == dt.datetime(2026, 11, 28, 0, 47, tzinfo=UTC) and note == ""
    assert instant.tzinfo is SHANGHAI  # shown in the seller's zone


@pytest.mark.parametrize("text", ["2026-11-28T08:47:00+08:00", "2026-11-28T00:47:00Z",
                                  "2026-11-28 00:47z", "2026-11-27T16:47-08:00",
                                  "2026-11-27T16:47-0800"])
def test_an_offset_names_the_instant_exactly_whatever_the_zone(text: str) -> None:
    for tz in (LA, SHANGHAI, LONDON):
        instant, note = parse_instant(text, "now", tz=tz, today=None)
        assert utc(instant) == dt.datetime(2026, 11, 28, 0, 47, tzinfo=UTC) and note == ""


def test_a_date_alone_is_midnight_in_the_zone() -> None:
    for text in ("2026-11-28", "2026/11/28", "2026年11月28日", "today"):
        instant, _ = parse_instant(text, "now", tz=LA, today=TODAY)
        assert utc(instant) == dt.datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


def test_today_needs_a_given_today() -> None:
    with pytest.raises(InputError) as err:
        parse_instant("today", "now", tz=LA, today=None)
    assert "needs a fixed date" in refusal(err, "now")


@pytest.mark.parametrize(("zone", "text", "gap"), [
    ("America/Los_Angeles", "2026-03-08 02:30",
     "2026-03-08 02:00 to 03:00 does not exist in America/Los_Angeles: clocks moved forward; "
     "give a time before 02:00 or from 03:00"),
    ("America/Los_Angeles", "2026/03/08 02:00", "2026-03-08 02:00 to 03:00 does not exist"),
    ("Europe/London", "2026-03-29 01:30",
     "2026-03-29 01:00 to 02:00 does not exist in Europe/London: clocks moved forward"),
    ("Australia/Lord_Howe", "2026-10-04 02:15", "2026-10-04 02:00 to 02:30 does not exist"),
    ("Pacific/Apia", "2011-12-30 10:00",
     "2011-12-30 00:00 to 2011-12-31 00:00 does not exist in Pacific/Apia"),
])
def test_a_time_in_a_spring_forward_gap_is_refused_naming_the_gap(zone: str, text: str,
                                                                   gap: str) -> None:
    with pytest.raises(InputError) as err:
        parse_instant(text, "claim_date", tz=ZoneInfo(zone), today=None)
    assert gap in refusal(err, "claim_date")


@pytest.mark.parametrize(("zone", "day", "after"), [
    ("America/Santiago", "2026-09-06", "2026-09-06 01:00"),
    ("Asia/Beirut", "2026-03-29", "2026-03-29 01:00"),
    ("America/Havana", "2026-03-08", "2026-03-08 01:00"),
])
def test_midnight_in_a_gap_is_refused_for_a_date_alone(zone: str, day: str, after: str) -> None:
    with pytest.raises(InputError) as err:
        parse_instant(day, "now", tz=ZoneInfo(zone), today=None)
    message = refusal(err, "now")
    assert f"{day} 00:00 to 01:00 does not exist in {zone}" in message
    assert f"(a date alone means 00:00); give a time, like {after}" in message
    with pytest.raises(InputError):
        local_instant(dt.date.fromisoformat(day), None, ZoneInfo(zone), "now", day)


def test_a_time_that_happens_twice_takes_the_earlier_and_says_so() -> None:
    instant, note = parse_instant("2026-11-01 01:30", "claim_date", tz=LA, today=None)
    assert utc(instant) == dt.datetime(2026, 11, 1, 8, 30, tzinfo=UTC)
    assert note.startswith("01:30 happens twice in America/Los_Angeles on 2026-11-01; took the "
                           "earlier, 01:30 PDT (UTC-07:00)")
    assert note.endswith("for the later one write 2026-11-01T01:30-08:00")
    later, later_note = parse_instant("2026-11-01T01:30-08:00", "claim_date", tz=LA, today=None)
    assert utc(later) == dt.datetime(2026, 11, 1, 9, 30, tzinfo=UTC) and later_note == ""
    instant, note = local_instant(dt.date(2026, 10, 25), dt.time(1, 30), LONDON, "t", "")
    assert utc(instant) == dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert "took the earlier, 01:30 BST (UTC+01:00)" in note


def test_an_ordinary_time_has_no_note() -> None:
    instant, note = local_instant(dt.date(2026, 11, 27), dt.time(23), LA, "deadline", "")
    assert utc(instant) == dt.datetime(2026, 11, 28, 7, 0, tzinfo=UTC) and note == ""


# --- instants: properties -----------------------------------------------------------------------
def offset(instant: dt.datetime, tz: ZoneInfo) -> dt.timedelta:
    return instant.astimezone(tz).utcoffset() or dt.timedelta()


def offset_changes(tz: ZoneInfo, year: int) -> list[tuple[dt.datetime, dt.timedelta, dt.timedelta]]:
    """(instant, offset before, offset after) of each change in `year`: sampled every 5 days,
    then bisected to the second."""
    points = [dt.datetime(year, 1, 1, tzinfo=UTC) + dt.timedelta(days=5 * i) for i in range(74)]
    changes = []
    for lo, hi in itertools.pairwise(points):
        before = offset(lo, tz)
        if offset(hi, tz) == before:
            continue
        while hi - lo > SECOND:
            mid = lo + (hi - lo) // SECOND // 2 * SECOND
            lo, hi = (mid, hi) if offset(mid, tz) == before else (lo, mid)
        changes.append((hi, before, offset(hi, tz)))
    return changes


def readings(wall: dt.datetime, tz: ZoneInfo) -> list[dt.datetime]:
    """Every UTC instant that shows `wall` in `tz`, by brute force over quarter-hour offsets
    (every offset in use since 1995 is one)."""
    quarter = dt.timedelta(minutes=15)
    found = {(wall - k * quarter).replace(tzinfo=UTC) for k in range(-4 * 15, 4 * 15)}
    return sorted(u for u in found if u.astimezone(tz).replace(tzinfo=None) == wall)


WALLS = st.datetimes(min_value=dt.datetime(1995, 1, 2), max_value=dt.datetime(2199, 12, 30)
                     ).map(lambda d: d.replace(second=0, microsecond=0))


@PROPERTY
@given(wall=WALLS, tz=st.sampled_from(ZONES))
def test_every_instant_shows_the_wall_time_it_was_given_or_the_time_does_not_exist(
        wall: dt.datetime, tz: ZoneInfo) -> None:
    text = f"{wall:%Y/%m/%d %H:%M}"
    if not readings(wall, tz):
        with pytest.raises(InputError, match="does not exist"):
            parse_instant(text, "now", tz=tz, today=None)
        return
    instant, _ = parse_instant(text, "now", tz=tz, today=None)
    assert instant.astimezone(tz).replace(tzinfo=None) == wall
    kanji = parse_instant(f"{wall:%Y年%m月%d日%H時%M分}", "now", tz=tz, today=None)[0]
    assert utc(kanji) == utc(instant)


CHANGES = st.tuples(st.sampled_from(ZONES), st.integers(1995, 2199), st.data())


@PROPERTY
@given(case=CHANGES)
def test_gap_times_always_raise(case: tuple[ZoneInfo, int, st.DataObject]) -> None:
    tz, year, data = case
    forward = [c for c in offset_changes(tz, year) if c[2] > c[1]]
    assume(forward)
    instant, before, after = data.draw(st.sampled_from(forward))
    start = (instant + before).replace(tzinfo=None)
    minutes = int((after - before).total_seconds() // 60)
    wall = start + dt.timedelta(minutes=data.draw(st.integers(0, minutes - 1)))
    with pytest.raises(InputError) as err:
        local_instant(wall.date(), wall.time(), tz, "now", str(wall))
    assert "does not exist in" in refusal(err, "now")


@PROPERTY
@given(case=CHANGES)
def test_folds_always_return_the_earlier_of_the_two_instants(
        case: tuple[ZoneInfo, int, st.DataObject]) -> None:
    tz, year, data = case
    backward = [c for c in offset_changes(tz, year) if c[2] < c[1]]
    assume(backward)
    instant, before, after = data.draw(st.sampled_from(backward))
    minutes = int((before - after).total_seconds() // 60)
    wall = (instant + after).replace(tzinfo=None) + dt.timedelta(
        minutes=data.draw(st.integers(0, minutes - 1)))
    got, note = local_instant(wall.date(), wall.time(), tz, "now", str(wall))
    both = readings(wall, tz)
    assert len(both) == 2 and utc(got) == both[0] == (wall - before).replace(tzinfo=UTC)
    assert got.astimezone(tz).replace(tzinfo=None) == wall
    assert "happens twice" in note and "took the earlier" in note


@PROPERTY
@given(day=st.dates(min_value=FIRST_DAY, max_value=LAST_DAY))
def test_dates_round_trip_through_isoformat_and_the_other_numeric_forms(day: dt.date) -> None:
    for text in (day.isoformat(), f"{day:%Y/%m/%d}", f"{day.year}年{day.month}月{day.day}日"):
        assert parse_date(text, "d", today=None) == day


@PROPERTY
@given(moment=st.datetimes(min_value=dt.datetime(1995, 1, 2), max_value=dt.datetime(2199, 12, 30),
                           timezones=st.sampled_from([UTC, *ZONES])),
       tz=st.sampled_from(ZONES))
def test_instants_round_trip_through_isoformat(moment: dt.datetime, tz: ZoneInfo) -> None:
    moment = moment.replace(microsecond=0)
    assume((moment.utcoffset() or dt.timedelta()).seconds % 60 == 0)  # no pre-1900 LMT seconds
    instant, note = parse_instant(moment.isoformat(), "now", tz=tz, today=None)
    assert utc(instant) == utc(moment) and note == ""


# --- money --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "currency", "minor"), [
    ("24.99", "USD", 2499), ("24", "USD", 2400), ("1234.5", "USD", 123450), ("0.05", "USD", 5),
    ("7480", "JPY", 7480), (" 24.99 ", "USD", 2499), ("１２３４．５", "USD", 123450),
    ("1200.00", "JPY", 1200), ("24.9900", "USD", 2499),
])
def test_plain_amounts_are_minor_units(text: str, currency: str, minor: int) -> None:
    assert parse_amount(text, currency) == minor


@pytest.mark.parametrize(("text", "currency", "minor"), [
    ("7,480", "JPY", 7480), ("1,234.56", "USD", 123456), ("1.234,56", "EUR", 123456),
    ("1,234", "USD", 123400), ("1,234,567.89", "USD", 123456789), ("1.234.567", "EUR", 123456700),
    ("1,23,456.78", "INR", 12345678), ("1,234,567", "JPY", 1234567), ("1.234,5", "EUR", 123450),
])
def test_thousands_separators_are_read_where_the_currency_makes_them_unambiguous(
        text: str, currency: str, minor: int) -> None:
    assert parse_amount(text, currency) == minor


@pytest.mark.parametrize(("text", "minor"), [("24,99", 2499), ("24,9", 2490), ("0,05", 5)])
def test_a_single_comma_followed_by_at_most_the_currencys_decimals_is_a_decimal_comma(
        text: str, minor: int) -> None:
    assert parse_amount(text, "EUR") == minor


def test_negatives_only_where_signed() -> None:
    assert parse_amount("-24.99", "USD", "item-price", signed=True) == -2499
    with pytest.raises(InputError) as err:
        parse_amount("-24.99", "USD")
    assert "negative; give the amount as a positive number, like 24.99" in refusal(err, "amount")


@pytest.mark.parametrize(("text", "currency", "words"), [
    ("abc", "USD", "not an amount; write it like 24.99"),
    ("NaN", "USD", "not an amount"), ("1e5", "USD", "not an amount"),
    ("+5", "USD", "not an amount"), (".99", "USD", "not an amount"),
    ("24.", "USD", "not an amount"), ("24 99", "USD", "not an amount"),
    ("", "JPY", "empty; write it like 7480"),
    ("٢٤.٩٩", "USD", "digits other than 0-9"),
    ("$24.99", "USD", "leave out the currency sign or code; write the number alone, like 24.99"),
    ("24.99 USD", "USD", "leave out the currency"), ("€24,99", "EUR", "leave out the currency"),
    ("7480円", "JPY", "leave out the currency"), ("￥7,480", "JPY", "leave out the currency"),
])
def test_non_numbers_are_refused_saying_how_to_write_one(text: str, currency: str, words: str
                                                         ) -> None:
    with pytest.raises(InputError) as err:
        parse_amount(text, currency)
    assert words in refusal(err, "amount")


@pytest.mark.parametrize(("text", "currency", "words"), [
    ("24.9999", "USD", "more decimals than USD has (2); write it like 24.99"),
    ("0.125", "USD", "more decimals than USD has (2)"),
    ("7480.5", "JPY", "JPY has no decimals; write a whole number like 7480"),
    ("24,99", "JPY", "JPY has no decimals"),
    ("1,234.567,89", "USD", "mixed-up separators; use one for thousands and one for decimals"),
    ("1.234.56", "EUR", "separators in the wrong places"),
    ("1,23,4", "USD", "separators in the wrong places; group thousands by three"),
    ("12,34,567", "USD", "separators in the wrong places"),
    ("1234,567", "EUR", "separators in the wrong places"),
    ("1,2345", "USD", "separators in the wrong places"),
])
def test_extra_decimals_and_misplaced_separators_are_refused(text: str, currency: str,
                                                             words: str) -> None:
    with pytest.raises(InputError) as err:
        parse_amount(text, currency)
    assert words in refusal(err, "amount")


@pytest.mark.parametrize(("text", "currency", "words"), [
    ("24.990", "USD", "ambiguous: write 24.99 if the dot is a decimal point, or 24990 if it"),
    ("7.000", "JPY", "ambiguous: write 7 if the dot is a decimal point, or 7000"),
    ("1.234", "EUR", "more decimals than EUR has (2); if the dot groups thousands, write 1234"),
    ("7.480", "JPY", "JPY has no decimals; if the dot groups thousands, write 7480"),
])
def test_a_lone_dot_before_three_digits_is_refused_offering_both_readings(
        text: str, currency: str, words: str) -> None:
    with pytest.raises(InputError) as err:
        parse_amount(text, currency)
    assert words in refusal(err, "amount")


def test_amounts_of_max_amount_or_more_and_long_text_are_refused() -> None:
    assert parse_amount("999999999999.99", "USD") == MAX_AMOUNT * 100 - 1
    for text, currency in (("1000000000000", "USD"), ("1,000,000,000,000", "JPY")):
        with pytest.raises(InputError) as err:
            parse_amount(text, currency)
        assert "too large (must be under 1,000,000,000,000" in refusal(err, "amount")
    with pytest.raises(InputError) as err:
        parse_amount("0" * 29 + "1.0", "USD")
    assert "too long for an amount (over 30 characters); write it like" in refusal(err, "amount")


def test_currency_codes_are_iso_and_normalised() -> None:
    assert parse_currency(" jpy ") == "JPY" and parse_currency("ＥＵＲ") == "EUR"
    with pytest.raises(InputError) as err:
        parse_currency("RMB")
    assert "use an ISO code such as USD" in refusal(err, "currency")


def test_amounts_are_written_back_as_decimal_text_in_their_currency() -> None:
    assert [decimal_text(m, c) for m, c in ((2499, "USD"), (7480, "JPY"), (5, "USD"),
                                            (-5, "EUR"), (0, "GBP"))] == [
        "24.99", "7480", "0.05", "-0.05", "0.00"]
    assert fmt(2499, "USD") == "24.99 USD" and fmt(None, "USD") == "" and fmt(None, None) == ""
    assert fmt(2499, None) == "2499 minor units"  # no currency: no guessed decimal point


def test_totals_are_per_currency_and_never_mixed() -> None:
    sums = totals([(2499, "USD"), (7480, "JPY"), (1, "USD"), (None, "USD"), (500, None)])
    assert sums == {"JPY": 7480, "USD": 2500}
    assert fmt_totals(sums) == "7480 JPY, 25.00 USD" and fmt_totals({}) == "-"


CURRENCY = st.sampled_from(sorted(MINOR_UNITS))


@PROPERTY
@given(data=st.data(), currency=CURRENCY)
def test_decimal_text_reads_back_to_the_same_minor_units(data: st.DataObject, currency: str
                                                         ) -> None:
    top = MAX_AMOUNT * 10 ** MINOR_UNITS[currency] - 1
    minor = data.draw(st.integers(-top, top) | st.integers(0, 1000))
    assert parse_amount(decimal_text(minor, currency), currency, signed=True) == minor
    if minor >= 0:
        assert parse_amount(decimal_text(minor, currency), currency) == minor


@PROPERTY
@given(minor=st.none() | st.integers(), currency=st.none() | st.text() | CURRENCY)
def test_fmt_never_breaks_a_line(minor: int | None, currency: str | None) -> None:
    assert len(fmt(minor, currency).splitlines()) <= 1


@PROPERTY
@given(pairs=st.lists(st.tuples(st.none() | st.integers(-10**14, 10**14),
                                st.none() | CURRENCY)))
def test_totals_are_exact(pairs: list[tuple[int | None, str | None]]) -> None:
    sums = totals(pairs)
    for currency in MINOR_UNITS:
        kept = [m for m, c in pairs if c == currency and m is not None]
        assert sums.get(currency, 0) == sum(kept)
    assert "\n" not in fmt_totals(sums)


# --- order ids ----------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "113-1234567-1234567", " 113-1234567-1234567\n", "１１３-１２３４５６７-１２３４５６７",
    "113－1234567－1234567", "113-1234567-123456７",
])
def test_order_ids_are_nfkc_normalised_to_ascii_digits(text: str) -> None:
    assert parse_order_id(text) == "113-1234567-1234567"


def test_a_letter_prefix_is_upper_cased() -> None:
    assert parse_order_id("s01-1234567-1234567") == "S01-1234567-1234567"


@pytest.mark.parametrize("text", [
    "113-1234567-123456٣",  # Arabic-Indic
    "۱۱۳-1234567-1234567",  # Extended Arabic-Indic (Persian)
    "११३-1234567-1234567",  # Devanagari
    "১১৩-1234567-1234567",  # Bengali
])
def test_digits_that_only_look_like_ascii_are_refused(text: str) -> None:
    with pytest.raises(InputError) as err:
        parse_order_id(text, "AmazonOrderId")
    message = refusal(err, "AmazonOrderId")
    assert "digits other than 0-9" in message and "113-1234567-1234567" in message


@pytest.mark.parametrize(("text", "words"), [
    ("113–1234567–1234567", "has '–' where a hyphen (-) belongs"),
    ("113ー1234567ー1234567", "has 'ー' where a hyphen (-) belongs"),
    ("113-123456-1234567", "not an Amazon order id; expected 3-7-7 digits"),
    ("1131234567123456", "not an Amazon order id"),
    ("ı01-1234567-1234567", "not an Amazon order id"),  # upper() would make it I01
    ("113-1234567-1234567\u200b", "not an Amazon order id"),
    ("", "not an Amazon order id"),
    ("113-1234567-1234567" * 10, "not an Amazon order id"),
])
def test_anything_else_is_refused_showing_the_expected_form(text: str, words: str) -> None:
    with pytest.raises(InputError) as err:
        parse_order_id(text)
    message = refusal(err, "order_id")
    assert words in message and "like 113-1234567-1234567 (or S01-1234567-1234567)" in message


NON_ASCII_DIGITS = st.characters(categories=["Nd"]).filter(
    lambda c: not unicodedata.normalize("NFKC", c).isascii())


@PROPERTY
@given(digits=st.lists(st.integers(0, 9), min_size=17, max_size=17),
       wide=st.lists(st.booleans(), min_size=17, max_size=17),
       foreign=st.tuples(st.integers(0, 16), NON_ASCII_DIGITS))
def test_full_width_digits_are_normalised_and_other_digits_refused(
        digits: list[int], wide: list[bool], foreign: tuple[int, str]) -> None:
    chars = [chr(0xFF10 + d) if w else str(d) for d, w in zip(digits, wide, strict=True)]

    def shaped(cs: list[str]) -> str:
        return f"{''.join(cs[:3])}-{''.join(cs[3:10])}-{''.join(cs[10:])}"

    ascii_id = shaped([str(d) for d in digits])
    assert parse_order_id(shaped(chars)) == ascii_id
    where, digit = foreign
    chars[where] = digit
    with pytest.raises(InputError, match="digits other than 0-9"):
        parse_order_id(shaped(chars))


@PROPERTY
@given(text=st.text(max_size=30))
def test_an_order_id_is_ascii_3_7_7_or_refused(text: str) -> None:
    try:
        order_id = parse_order_id(text)
    except InputError as exc:
        assert str(exc).startswith("order_id:") and "\n" not in str(exc)
        return
    assert order_id.isascii() and ORDER_ID.fullmatch(order_id)

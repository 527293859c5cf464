"""Dates and moments as sellers and Amazon write them; ambiguous, incomplete or impossible ones
are refused (domain.md: Amazon's timestamps are taken in the marketplace's zone; issue 10: a
local time a clock change skipped is refused, one that happens twice takes the earlier instant)."""

from __future__ import annotations

import contextlib
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from atoz.dates import FIRST_DAY, LAST_DAY, local_instant, parse_date, parse_instant, parse_moment
from atoz.errors import InputError

TODAY = dt.date(2026, 11, 18)
LA = ZoneInfo("America/Los_Angeles")
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("text", ["2026-01-05", "Jan 5 2026", "January 5, 2026", "5 January 2026",
                                  "5 Jan. 2026", "2026年1月5日", " 2026-01-05 ", "2026/01/05",
                                  "2026/1/5", "2026.01.05", "２０２６-０１-０５"])
def test_accepted_forms(text: str) -> None:
    assert parse_date(text, "d", today=TODAY) == dt.date(2026, 1, 5)


def test_today_and_yesterday_come_from_the_given_today() -> None:
    assert parse_date("today", "d", today=TODAY) == TODAY
    assert parse_date("Yesterday", "d", today=TODAY) == dt.date(2026, 11, 17)


def test_amazon_timestamp_is_converted_to_the_marketplace_zone_before_the_date_is_taken() -> None:
    # domain.md: LatestDeliveryDate 2026-01-14T07:59:59Z on amazon.com is 13 January.
    assert parse_date("2026-01-14T07:59:59Z", "d", today=TODAY, tz=LA) == dt.date(2026, 1, 13)
    assert parse_date("2026-01-14T08:00:00+00:00", "d", today=TODAY, tz=LA) == dt.date(2026, 1, 14)


@pytest.mark.parametrize("text", ["2026-11-02 14:30", "2026/11/02 14:30", "2026年11月2日 14:30",
                                  "2026年11月2日14時30分", "2026-11-02T14:30"])
def test_a_local_time_is_kept_with_the_date(text: str) -> None:
    assert parse_moment(text, "d", today=TODAY) == (dt.date(2026, 11, 2), dt.time(14, 30))


def test_a_timestamp_with_an_offset_is_read_as_the_marketplaces_wall_time() -> None:
    assert parse_moment("2026-11-02T22:30:00Z", "d", today=TODAY, tz=LA) == (
        dt.date(2026, 11, 2), dt.time(14, 30))


@pytest.mark.parametrize(("text", "words"), [
    ("03/04/2026", "day/month order is ambiguous (2026-04-03 or 2026-03-04?)"),
    ("3.4.2026", "day/month order is ambiguous"),
    ("Jan 5", "no year"),
    ("5 January", "no year"),
    ("2026-02-30", "not a real date"),
    ("2026年2月30日", "not a real date"),
    ("Foo 5 2026", "unknown month"),
    ("next tuesday", "not a date"),
    ("", "empty"),
    ("2026-11-02 25:00", "not a real time"),
    ("٢٠٢٦-٠١-٠٥", "digits other than 0-9"),
    ("0001-01-01", "outside the years atoz handles"),
])
def test_refused_forms_say_why_and_suggest_iso(text: str, words: str) -> None:
    with pytest.raises(InputError) as err:
        parse_date(text, "order_date", today=TODAY)
    assert words in str(err.value)
    assert "order_date" in str(err.value)
    assert "YYYY-MM-DD" in str(err.value)


# --- local times and the instants they name (issue 10) -------------------------------------
def test_a_local_time_the_clocks_skipped_is_refused_naming_the_gap() -> None:
    # US spring forward, 2026-03-08: 02:00 became 03:00.
    with pytest.raises(InputError) as err:
        local_instant(dt.date(2026, 3, 8), dt.time(2, 30), LA, "claim_date", "2026-03-08 02:30")
    assert str(err.value) == (
        "claim_date: '2026-03-08 02:30': 2026-03-08 02:00 to 03:00 does not exist in "
        "America/Los_Angeles: clocks moved forward; give a time before 02:00 or from 03:00")


def test_a_day_whose_midnight_was_skipped_is_refused_with_a_time_to_give() -> None:
    with pytest.raises(InputError) as err:
        local_instant(dt.date(2018, 11, 4), None, ZoneInfo("America/Sao_Paulo"), "d",
                      "2018-11-04")
    assert "2018-11-04 00:00 to 01:00 does not exist" in str(err.value)
    assert "(a date alone means 00:00); give a time, like 2018-11-04 01:00" in str(err.value)


def test_a_local_time_that_happens_twice_takes_the_earlier_instant_and_says_so() -> None:
    # US fall back, 2026-11-01: 01:30 happens at PDT (08:30 UTC) and again at PST (09:30 UTC).
    instant, note = local_instant(dt.date(2026, 11, 1), dt.time(1, 30), LA, "d", "x")
    assert instant.astimezone(dt.UTC) == dt.datetime(2026, 11, 1, 8, 30, tzinfo=dt.UTC)
    assert note == ("01:30 happens twice in America/Los_Angeles on 2026-11-01; took the earlier, "
                    "01:30 PDT (UTC-07:00); for the later one write 2026-11-01T01:30-08:00")
    # The later one, written with its offset, is taken exactly.
    later, said = parse_instant("2026-11-01T01:30-08:00", "now", tz=LA, today=TODAY)
    assert (later.astimezone(dt.UTC), said) == (
        dt.datetime(2026, 11, 1, 9, 30, tzinfo=dt.UTC), "")


def test_an_ordinary_local_time_is_one_instant_without_a_note() -> None:
    instant, note = local_instant(dt.date(2026, 11, 24), dt.time(14, 30), LA, "d", "x")
    assert (instant.astimezone(dt.UTC), note) == (
        dt.datetime(2026, 11, 24, 22, 30, tzinfo=dt.UTC), "")


def test_now_is_read_in_the_sellers_zone_unless_it_carries_an_offset() -> None:
    at, _ = parse_instant("2026-11-28 08:47", "now", tz=SHANGHAI, today=TODAY)
    assert at.astimezone(dt.UTC) == dt.datetime(2026, 11, 28, 0, 47, tzinfo=dt.UTC)
    exact, _ = parse_instant("2026-11-28T08:47:00+08:00", "now", tz=LA, today=TODAY)
    assert exact.astimezone(dt.UTC) == at.astimezone(dt.UTC)
    midnight, _ = parse_instant("2026-11-28", "now", tz=SHANGHAI, today=TODAY)
    assert midnight.astimezone(dt.UTC) == dt.datetime(2026, 11, 27, 16, 0, tzinfo=dt.UTC)


# --- properties ---------------------------------------------------------------------------
@given(st.text(max_size=40))
def test_parser_never_raises_anything_but_input_error(text: str) -> None:
    with contextlib.suppress(InputError):
        parse_date(text, "d", today=TODAY, tz=LA)
    with contextlib.suppress(InputError):
        parse_instant(text, "d", today=TODAY, tz=LA)


@given(st.dates(min_value=FIRST_DAY, max_value=LAST_DAY))
def test_iso_round_trip(day: dt.date) -> None:
    assert parse_date(day.isoformat(), "d", today=TODAY) == day
    assert parse_date(day.strftime("%d %B %Y"), "d", today=TODAY) == day


@given(st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2040, 1, 1)),
       st.sampled_from(["America/Los_Angeles", "Europe/London", "Europe/Berlin",
                        "Australia/Sydney", "America/Sao_Paulo", "Asia/Tokyo"]))
def test_a_local_time_is_refused_or_names_an_instant_that_shows_that_time(
        wall: dt.datetime, zone: str) -> None:
    tz = ZoneInfo(zone)
    wall = wall.replace(second=0, microsecond=0)
    try:
        instant, note = local_instant(wall.date(), wall.time(), tz, "d", "x")
    except InputError as err:
        assert "does not exist" in str(err)  # only a skipped time is refused
        return
    assert instant.astimezone(tz).replace(tzinfo=None) == wall
    later = instant.astimezone(dt.UTC) + dt.timedelta(hours=1)
    if note:  # a repeated time: the earlier reading, the later one an hour on shows it too
        assert later.astimezone(tz).replace(tzinfo=None) == wall


# --- the clock: read once, from the machine unless told ----------------------------------------
def test_a_command_acts_at_the_machines_clock_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite fixes ATOZ_NOW for every other test; here the machine's clock, and the order
    in which the settings win."""
    from atoz.cli.clock import read_now

    monkeypatch.setenv("ATOZ_TZ", "Asia/Shanghai")
    monkeypatch.delenv("ATOZ_NOW")
    before = dt.datetime.now(dt.UTC)
    now, note = read_now(None, None)
    assert before <= now.at <= dt.datetime.now(dt.UTC) and note == ""
    assert not now.whole_day
    monkeypatch.setenv("ATOZ_TODAY", "2026-03-08")
    assert read_now(None, None)[0].at == dt.datetime(2026, 3, 7, 16, tzinfo=dt.UTC)
    monkeypatch.setenv("ATOZ_NOW", "2026-03-08 09:30")  # wins over ATOZ_TODAY
    assert read_now(None, None)[0].at == dt.datetime(2026, 3, 8, 1, 30, tzinfo=dt.UTC)
    # A flag wins over both.
    assert read_now(None, "2026-03-09")[0].at == dt.datetime(2026, 3, 8, 16, tzinfo=dt.UTC)

"""Dates as sellers and Amazon write them; ambiguous or incomplete ones are refused."""

from __future__ import annotations

import contextlib
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from atoz.dates import FIRST_DAY, LAST_DAY, parse_date, parse_moment
from atoz.errors import InputError

TODAY = dt.date(2026, 11, 18)
LA = ZoneInfo("America/Los_Angeles")


@pytest.mark.parametrize("text", ["2026-01-05", "Jan 5 2026", "January 5, 2026", "5 January 2026",
                                  "5 Jan. 2026", "2026年1月5日", " 2026-01-05 "])
def test_accepted_forms(text: str) -> None:
    assert parse_date(text, "d", today=TODAY) == dt.date(2026, 1, 5)


def test_today_and_yesterday_come_from_the_given_today() -> None:
    assert parse_date("today", "d", today=TODAY) == TODAY
    assert parse_date("Yesterday", "d", today=TODAY) == dt.date(2026, 11, 17)


def test_amazon_timestamp_is_converted_to_the_marketplace_zone_before_the_date_is_taken() -> None:
    # domain.md: LatestDeliveryDate 2026-01-14T07:59:59Z on amazon.com is 13 January.
    assert parse_date("2026-01-14T07:59:59Z", "d", today=TODAY, tz=LA) == dt.date(2026, 1, 13)
    assert parse_date("2026-01-14T08:00:00+00:00", "d", today=TODAY, tz=LA) == dt.date(2026, 1, 14)


def test_a_local_time_is_kept_with_the_date() -> None:
    assert parse_moment("2026-11-02 14:30", "d", today=TODAY) == (
        dt.date(2026, 11, 2), dt.time(14, 30))


@pytest.mark.parametrize(("text", "words"), [
    ("03/04/2026", "day/month order is ambiguous"),
    ("3.4.2026", "day/month order is ambiguous"),
    ("Jan 5", "no year"),
    ("5 January", "no year"),
    ("2026-02-30", "not a real date"),
    ("2026年2月30日", "not a real date"),
    ("Foo 5 2026", "unknown month"),
    ("next tuesday", "not a date"),
    ("", "empty"),
    ("2026-11-02 25:00", "not a real time"),
])
def test_refused_forms_say_why_and_suggest_iso(text: str, words: str) -> None:
    with pytest.raises(InputError) as err:
        parse_date(text, "order_date", today=TODAY)
    assert words in str(err.value)
    assert "order_date" in str(err.value)


@given(st.text(max_size=40))
def test_parser_never_raises_anything_but_input_error(text: str) -> None:
    with contextlib.suppress(InputError):
        parse_date(text, "d", today=TODAY, tz=LA)


@given(st.dates(min_value=FIRST_DAY, max_value=LAST_DAY))
def test_iso_round_trip(day: dt.date) -> None:
    assert parse_date(day.isoformat(), "d", today=TODAY) == day
    assert parse_date(day.strftime("%d %B %Y"), "d", today=TODAY) == day

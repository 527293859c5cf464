"""Reading the dates people and Amazon write.

Accepted: `YYYY-MM-DD`, `today`, `yesterday`, month names with a year (`Jan 5 2026`,
`5 January 2026`), `2026年1月5日`, and ISO timestamps; a timestamp with an offset is converted to
the marketplace's time zone before the date is taken (Amazon's `2026-01-14T07:59:59Z` is
13 January in Pacific time). Refused, because a wrong guess costs a deadline: purely numeric
day/month forms (`03/04/2026` is March or April), dates without a year, impossible dates, and
dates outside FIRST_DAY..LAST_DAY (year 1 or 9999 is a typo, and the rules add days to a date).
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from atoz.errors import InputError

HINT = "use YYYY-MM-DD"
# Amazon took its first order in 1995; the rules add months to a date, so the years stay far
# from the calendar's end (9999-12-31 + 90 days does not exist).
FIRST_DAY = dt.date(1995, 1, 1)
LAST_DAY = dt.date(2199, 12, 31)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_LOCAL_TIME = re.compile(r"(\d{4}-\d{1,2}-\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2}))?")
_KANJI = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_MONTH_FIRST = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
_DAY_FIRST = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})")
_NUMERIC = re.compile(r"\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}")
_NO_YEAR = re.compile(r"[A-Za-z]+\.?\s+\d{1,2}|\d{1,2}\s+[A-Za-z]+\.?|\d{1,2}[/.]\d{1,2}"
                      r"|\d{1,2}\s*月\s*\d{1,2}\s*日")
_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$", re.IGNORECASE)


def _make(field: str, text: str, year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise InputError(field, text, f"not a real date; {HINT}") from None


def check_range(day: dt.date, field: str, text: str) -> dt.date:
    """The date, if it lies in the years atoz handles; else an InputError naming the field."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InputError(field, text, f"outside the years atoz handles ({FIRST_DAY.year} to "
                                      f"{LAST_DAY.year}); {HINT}")
    return day


def _month(field: str, text: str, name: str) -> int:
    number = _MONTHS.get(name.lower())
    if number is None:
        raise InputError(field, text, f"unknown month {name!r}; {HINT}")
    return number


def _timestamp(field: str, text: str, tz: ZoneInfo | None) -> dt.datetime:
    """An ISO timestamp with an offset, as an aware datetime in `tz` (UTC if none given)."""
    from dateutil.parser import isoparse

    try:
        return isoparse(text.replace(" ", "T", 1)).astimezone(tz or dt.UTC)
    except (ValueError, OverflowError):  # OverflowError: past year 9999 in the zone
        raise InputError(field, text, f"not a valid timestamp; {HINT}") from None


def parse_moment(
    text: str, field: str, *, today: dt.date | None, tz: ZoneInfo | None = None
) -> tuple[dt.date, dt.time | None]:
    """A date and, when the text carries one, the local time of day in the marketplace.

    `2026-11-02 14:30` is 14:30 in the marketplace's zone; a timestamp with an offset is
    converted to it first. `today` resolves the words `today` and `yesterday`.
    """
    day, time = _moment(text, field, today, tz)
    return check_range(day, field, text), time


def _moment(text: str, field: str, today: dt.date | None, tz: ZoneInfo | None
            ) -> tuple[dt.date, dt.time | None]:
    raw = text.strip()
    lowered = raw.lower()
    if not raw:
        raise InputError(field, text, f"empty; {HINT}")
    if lowered in ("today", "yesterday"):
        if today is None:
            raise InputError(field, text, f"needs a fixed date here; {HINT}")
        return (today if lowered == "today" else today - dt.timedelta(days=1)), None
    if _OFFSET.search(raw) and re.match(r"\d{4}-\d{2}-\d{2}[T ]", raw):
        moment = _timestamp(field, raw, tz)
        return moment.date(), moment.time().replace(tzinfo=None)
    if m := _LOCAL_TIME.fullmatch(raw):
        day = parse_moment(m.group(1), field, today=today, tz=tz)[0]
        hour, minute, second = int(m.group(2)), int(m.group(3)), int(m.group(4) or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise InputError(field, text, "not a real time of day; use YYYY-MM-DD HH:MM")
        return day, dt.time(hour, minute, second)
    if m := _ISO_DATE.fullmatch(raw):
        return _make(field, text, int(m[1]), int(m[2]), int(m[3])), None
    if m := _KANJI.fullmatch(raw):
        return _make(field, text, int(m[1]), int(m[2]), int(m[3])), None
    if m := _MONTH_FIRST.fullmatch(raw):
        return _make(field, text, int(m[3]), _month(field, text, m[1]), int(m[2])), None
    if m := _DAY_FIRST.fullmatch(raw):
        return _make(field, text, int(m[3]), _month(field, text, m[2]), int(m[1])), None
    if _NUMERIC.fullmatch(raw):
        raise InputError(field, text, "numeric dates are refused: the day/month order is "
                                      f"ambiguous; {HINT}")
    if _NO_YEAR.fullmatch(raw):
        raise InputError(field, text, f"has no year; {HINT}")
    raise InputError(field, text, f"not a date; {HINT}")


def parse_date(
    text: str, field: str, *, today: dt.date | None, tz: ZoneInfo | None = None
) -> dt.date:
    """A calendar date; see the module docstring for what is accepted."""
    return parse_moment(text, field, today=today, tz=tz)[0]


def plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"

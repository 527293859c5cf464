"""Reading the dates and moments people and Amazon write.

Dates: `YYYY-MM-DD`, year first with slashes or dots (`2026/10/05`, `2026.10.05`), Amazon
Japan's `2026年10月5日`, month names with a year (`Jan 5 2026`, `5 January 2026`), `today` and
`yesterday`. The numeric forms may carry a time of day: `2026-11-02 14:30`, `2026/11/02 14:30`,
`2026年11月2日 14:30`, `2026年11月2日14時30分`. ISO timestamps with an offset (`...Z`,
`...+08:00`) name an exact instant; their date is taken in the marketplace's zone (Amazon's
`2026-01-14T07:59:59Z` is 13 January in Pacific time).

Text is NFKC-normalised first, so full-width digits from a Chinese or Japanese keyboard read as
ASCII; digits of other scripts are refused. Refused too, because a wrong guess costs a deadline:
purely numeric day/month forms (`03/04/2026` is March or April), dates without a year, impossible
dates, dates outside FIRST_DAY..LAST_DAY (year 1 or 9999 is a typo, and the rules add days to a
date), and local times that a DST change skipped.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import NamedTuple

from atoz.errors import InputError

HINT = "use YYYY-MM-DD"
TIME_HINT = "use YYYY-MM-DD, or YYYY-MM-DD HH:MM for a time"
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
# [0-9], never \d: \d also matches Arabic-Indic, Devanagari... digits, which int() then reads.
_CLOCK = r"(?P<h>[0-9]{1,2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2}))?"
_JP_CLOCK = (r"(?P<jh>[0-9]{1,2})\s*時(?:\s*(?P<jmi>[0-9]{1,2})\s*分"
             r"(?:\s*(?P<js>[0-9]{1,2})\s*秒)?)?")
# Year first is unambiguous whatever the separator, as long as it is the same one twice.
_YEAR_FIRST = re.compile(r"(?P<y>[0-9]{4})(?P<sep>[-/.])(?P<mo>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})"
                         r"(?:(?:T|\s+)" + _CLOCK + ")?")
_KANJI = re.compile(r"(?P<y>[0-9]{4})\s*年\s*(?P<mo>[0-9]{1,2})\s*月\s*(?P<d>[0-9]{1,2})\s*日"
                    r"(?:\s*(?:" + _CLOCK + "|" + _JP_CLOCK + "))?")
_MONTH_FIRST = re.compile(r"([A-Za-z]+)\.?\s+([0-9]{1,2})(?:st|nd|rd|th)?,?\s+([0-9]{4})")
_DAY_FIRST = re.compile(r"([0-9]{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+([0-9]{4})")
_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ].*(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)",
                        re.IGNORECASE)
_NUMERIC = re.compile(r"([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4}|[0-9]{2})(?:(?:T|\s+).*)?")
_NO_YEAR = re.compile(r"[A-Za-z]+\.?\s+[0-9]{1,2}|[0-9]{1,2}\s+[A-Za-z]+\.?"
                      r"|[0-9]{1,2}[/.][0-9]{1,2}|[0-9]{1,2}\s*月\s*[0-9]{1,2}\s*日")


class _Reading(NamedTuple):
    """What the text said: a wall date (and time), or an exact instant (an offset given)."""

    day: dt.date
    time: dt.time | None
    instant: dt.datetime | None  # in UTC; `day` and `time` are then its UTC wall time


def check_range(day: dt.date, field: str, text: str) -> dt.date:
    """The date, if it lies in the years atoz handles; else an InputError naming the field."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InputError(field, text, f"outside the years atoz handles ({FIRST_DAY.year} to "
                                      f"{LAST_DAY.year}); {HINT}")
    return day


def _make(field: str, text: str, hint: str, year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise InputError(field, text, f"not a real date; {hint}") from None


def _time_of_day(field: str, text: str, hour: str | None, minute: str | None, second: str | None
           ) -> dt.time | None:
    if hour is None:
        return None
    try:
        return dt.time(int(hour), int(minute or 0), int(second or 0))
    except ValueError:
        raise InputError(field, text, "not a real time of day; use YYYY-MM-DD HH:MM") from None


def _month(field: str, text: str, hint: str, name: str) -> int:
    number = _MONTHS.get(name.lower())
    if number is None:
        raise InputError(field, text, f"unknown month {name!r}; {hint}")
    return number


def _ambiguous(field: str, text: str, m: re.Match[str]) -> InputError:
    """A numeric day/month date, refused with the readings it could have, so the fix is a copy."""
    first, second, year = int(m[1]), int(m[2]), m[3]
    readings: list[str] = []
    if len(year) == 4:
        for month, day in ((second, first), (first, second)):
            try:
                reading = dt.date(int(year), month, day).isoformat()
            except ValueError:
                continue
            if reading not in readings:
                readings.append(reading)
    which = f" ({' or '.join(readings)}?)" if readings else ""
    return InputError(field, text, "numeric dates are refused: the day/month order is "
                                   f"ambiguous{which}; {TIME_HINT}")


def _read(text: str, field: str, today: dt.date | None, hint: str) -> _Reading:
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and text.isascii():
        try:  # the common case, YYYY-MM-DD, without the regular expressions (bulk imports)
            return _Reading(dt.date.fromisoformat(text), None, None)
        except ValueError:
            pass  # read again below, for the right message
    raw = unicodedata.normalize("NFKC", text).strip()
    lowered = raw.lower()
    if not raw:
        raise InputError(field, text, f"empty; {hint}")
    if lowered in ("today", "yesterday"):
        if today is None:
            raise InputError(field, text, f"needs a fixed date here; {hint}")
        return _Reading(today if lowered == "today" else today - dt.timedelta(days=1), None, None)
    if _TIMESTAMP.fullmatch(raw):
        # dateutil 4's isoparse wants exactly the expected number of ASCII digits per field
        # and raises ValueError otherwise; it returns tzutc/tzoffset, converted to UTC here.
        from dateutil.parser import isoparse

        try:
            instant = isoparse(raw.replace(" ", "T", 1)).astimezone(dt.UTC)
        except (ValueError, OverflowError):  # OverflowError: before year 1 in UTC
            raise InputError(field, text, f"not a valid timestamp; {hint}") from None
        return _Reading(instant.date(), instant.time(), instant)
    if m := _YEAR_FIRST.fullmatch(raw) or _KANJI.fullmatch(raw):
        day = _make(field, text, hint, int(m["y"]), int(m["mo"]), int(m["d"]))
        groups = m.groupdict()
        if groups.get("jh") is not None:
            return _Reading(day, _time_of_day(field, text, m["jh"], m["jmi"], m["js"]), None)
        return _Reading(day, _time_of_day(field, text, m["h"], m["mi"], m["s"]), None)
    if m := _MONTH_FIRST.fullmatch(raw):
        day = _make(field, text, hint, int(m[3]), _month(field, text, hint, m[1]), int(m[2]))
        return _Reading(day, None, None)
    if m := _DAY_FIRST.fullmatch(raw):
        day = _make(field, text, hint, int(m[3]), _month(field, text, hint, m[2]), int(m[1]))
        return _Reading(day, None, None)
    if m := _NUMERIC.fullmatch(raw):
        raise _ambiguous(field, text, m)
    if _NO_YEAR.fullmatch(raw):
        raise InputError(field, text, f"has no year; {hint}")
    if any(c.isdecimal() and not c.isascii() for c in raw):
        raise InputError(field, text, f"has digits other than 0-9; {hint}")
    raise InputError(field, text, f"not a date; {hint}")


def _in_zone(instant: dt.datetime, tz: dt.tzinfo, field: str, text: str) -> dt.datetime:
    try:
        local = instant.astimezone(tz)
    except OverflowError:  # past year 9999 in the zone
        raise InputError(field, text, f"outside the years atoz handles ({FIRST_DAY.year} to "
                                      f"{LAST_DAY.year}); {HINT}") from None
    check_range(local.date(), field, text)
    return local


def _moment(text: str, field: str, today: dt.date | None, tz: dt.tzinfo | None, hint: str
            ) -> tuple[dt.date, dt.time | None]:
    reading = _read(text, field, today, hint)
    if reading.instant is not None:
        local = _in_zone(reading.instant, tz or dt.UTC, field, text)
        return local.date(), local.time()
    return check_range(reading.day, field, text), reading.time


def parse_moment(
    text: str, field: str, *, today: dt.date | None, tz: dt.tzinfo | None = None
) -> tuple[dt.date, dt.time | None]:
    """A date and, when the text carries one, the local time of day in the marketplace.

    `2026-11-02 14:30` is 14:30 in the marketplace's zone; a timestamp with an offset is
    converted to it first (to UTC when no zone is given). `today` resolves the words `today`
    and `yesterday`.
    """
    return _moment(text, field, today, tz, TIME_HINT)


def parse_date(
    text: str, field: str, *, today: dt.date | None, tz: dt.tzinfo | None = None
) -> dt.date:
    """A calendar date; see the module docstring for what is accepted."""
    return _moment(text, field, today, tz, HINT)[0]


# --- instants --------------------------------------------------------------------------------
def _zone_name(tz: dt.tzinfo) -> str:
    return getattr(tz, "key", None) or str(tz)


def _hm(moment: dt.datetime | dt.time) -> str:
    return f"{moment:%H:%M:%S}" if moment.second else f"{moment:%H:%M}"


def _utc_offset(offset: dt.timedelta | None) -> str:
    """`-07:00` for a timedelta of minus seven hours (seconds shown only when there are some)."""
    seconds = int((offset or dt.timedelta()).total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def _readings(wall: dt.datetime, tz: dt.tzinfo) -> list[dt.datetime]:
    """The instants (in UTC) whose wall clock in `tz` shows `wall`: none in a spring-forward gap,
    two in a fall-back fold. zoneinfo reads a wall time with the offset before a change
    (fold=0) or after it (fold=1); a reading is real only if it round-trips through UTC."""
    found: list[dt.datetime] = []
    for fold in (0, 1):
        instant = wall.replace(tzinfo=tz, fold=fold).astimezone(dt.UTC)
        if instant.astimezone(tz).replace(tzinfo=None) == wall and instant not in found:
            found.append(instant)
    return sorted(found)


def _gap(wall: dt.datetime, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime] | None:
    """The wall-clock span a DST change skipped around `wall`, from bisecting the UTC instants
    between the wall time's two readings for the second the offset changed."""
    a, b = (wall.replace(tzinfo=tz, fold=f).astimezone(dt.UTC) for f in (0, 1))
    lo, hi = min(a, b), max(a, b)
    before = lo.astimezone(tz).utcoffset()
    if before is None or hi.astimezone(tz).utcoffset() == before:
        return None
    second = dt.timedelta(seconds=1)
    while hi - lo > second:  # invariant: the offset at lo is `before`, at hi it is not
        mid = lo + (hi - lo) // second // 2 * second
        if mid.astimezone(tz).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    return (hi + before).replace(tzinfo=None), hi.astimezone(tz).replace(tzinfo=None)


def _gap_problem(wall: dt.datetime, tz: dt.tzinfo, had_time: bool) -> str:
    zone = _zone_name(tz)
    span = _gap(wall, tz)
    if span is None:
        return (f"{wall:%Y-%m-%d} {_hm(wall)} does not exist in {zone}: the clocks skipped it; "
                "give another time, or an offset like 2026-03-08T02:30-08:00")
    start, end = span
    if end.date() == start.date():
        start_text, end_text = _hm(start), _hm(end)
        span_text = f"{start:%Y-%m-%d} {start_text} to {end_text}"
    else:  # a skipped day (Pacific/Apia, 2011-12-30) or a gap across midnight
        start_text, end_text = (f"{x:%Y-%m-%d} {_hm(x)}" for x in (start, end))
        span_text = f"{start_text} to {end_text}"
    problem = f"{span_text} does not exist in {zone}: clocks moved forward"
    if not had_time:
        return f"{problem} (a date alone means 00:00); give a time, like {end:%Y-%m-%d} {_hm(end)}"
    return f"{problem}; give a time before {start_text} or from {end_text}"


def local_instant(
    day: dt.date, time: dt.time | None, tz: dt.tzinfo, field: str, text: str,
    *, recorded: bool = False
) -> tuple[dt.datetime, str]:
    """The instant a wall-clock time in `tz` names (00:00 when no time is given), and a note.

    A time that a spring-forward skipped raises InputError naming the gap (silently moving it
    would put a deadline an hour past what the rule allows); a `recorded` one (kept from
    before, when atoz accepted it) takes the earlier of its two readings and says so. A time
    that happens twice takes the earlier instant, the safe side for a deadline, and the note
    says so, unless the time says which (`fold`, set when it came with an offset).
    """
    wall = dt.datetime.combine(day, time or dt.time(0)).replace(fold=0)
    readings = _readings(wall, tz)
    if not readings:
        if not recorded:
            raise InputError(field, text, _gap_problem(wall, tz, time is not None))
        earlier = min(wall.replace(tzinfo=tz, fold=f).astimezone(dt.UTC) for f in (0, 1))
        local = earlier.astimezone(tz)
        return local, (f"{wall:%Y-%m-%d} {_hm(wall)} does not exist in {_zone_name(tz)} "
                       f"(clocks moved forward); read as {_hm(local)} {zone_label(local)}, the "
                       "earlier of its two readings (the safe side for a deadline)")
    earlier = readings[0].astimezone(tz)
    if len(readings) == 1:
        return earlier, ""
    later = readings[-1].astimezone(tz)
    if time is not None and time.fold:
        return later, ""
    hm = _hm(wall)
    note = (f"{hm} happens twice in {_zone_name(tz)} on {day.isoformat()}; took the earlier, "
            f"{hm} {zone_label(earlier)}; for the later one write "
            f"{day.isoformat()}T{hm}{_utc_offset(later.utcoffset())}")
    return earlier, note


def zone_label(local: dt.datetime) -> str:
    """`PDT (UTC-07:00)`, or just `(UTC+08:00)` where the zone has no letters of its own."""
    abbreviation = local.tzname() or ""
    named = f"{abbreviation} " if abbreviation[:1].isalpha() else ""  # not a bare "+08"
    return f"{named}(UTC{_utc_offset(local.utcoffset())})"


class Moment(NamedTuple):
    """A day in a zone and, when one was given, the wall time on it (see `pinned_time`)."""

    day: dt.date
    time: dt.time | None
    note: str


def pinned_time(local: dt.datetime, tz: dt.tzinfo) -> dt.time:
    """The wall time of an instant in `tz`. A wall time the zone shows twice (the hour clocks
    go back) keeps its UTC offset, so the instant survives being stored as text: `01:30-07:00`
    is the first 01:30 on the night Los Angeles leaves summer time, `01:30-08:00` the second."""
    wall = local.replace(tzinfo=None, fold=0)
    if len(_readings(wall, tz)) < 2:
        return wall.time()
    offset = local.utcoffset() or dt.timedelta(0)
    return wall.time().replace(tzinfo=dt.timezone(offset))


def parse_wall_moment(text: str, field: str, *, today: dt.date | None, tz: dt.tzinfo,
                      recorded: bool = False) -> Moment:
    """A day in `tz` and, when the text carries one, the time of day there, exactly: a
    timestamp with an offset names its instant (no note, whichever reading it is); a wall time
    is read by `local_instant`, and the day is the one the instant falls on."""
    reading = _read(text, field, today, TIME_HINT)
    if reading.instant is None and reading.time is None:
        return Moment(check_range(reading.day, field, text), None, "")
    local, note = _instant_of(reading, field, text, tz, recorded=recorded)
    return Moment(local.date(), pinned_time(local, tz), note)


def parse_instant(
    text: str, field: str, *, tz: dt.tzinfo, today: dt.date | None
) -> tuple[dt.datetime, str]:
    """A moment a person types for "now" or a claim time, as an aware datetime in `tz`, and a note.

    `2026-11-28 08:47` (and every date form with a time) is that wall time in `tz`, checked by
    `local_instant`; a date alone is 00:00 in `tz`; `2026-11-28T08:47:00+08:00` or `...Z` names
    the instant exactly, whatever `tz` is.
    """
    return _instant_of(_read(text, field, today, TIME_HINT), field, text, tz)


def _instant_of(reading: _Reading, field: str, text: str, tz: dt.tzinfo, *,
                recorded: bool = False) -> tuple[dt.datetime, str]:
    """The instant a reading names: exactly, when it carried an offset; else its wall time
    (00:00 without one) in `tz`, by `local_instant`."""
    if reading.instant is not None:
        return _in_zone(reading.instant, tz, field, text), ""
    day = check_range(reading.day, field, text)
    return local_instant(day, reading.time, tz, field, text, recorded=recorded)


def plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"

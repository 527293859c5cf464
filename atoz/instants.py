"""Instants and the zones they are shown in.

A deadline is an instant; a day is a day in a named zone. `Now` is the one instant a command acts
as of (read once, in the CLI) with the seller's own zone; the helpers here show an instant in the
seller's zone with the marketplace's own time beside it, and say how much time is left.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property, lru_cache

from atoz.dates import plural

HOUR = 3600
DAY = 86400


@dataclass(frozen=True)
class Now:
    """When a command runs, as a value: `at` is the instant it acts as of (`--now`, `--today`
    or the machine's clock), `zone` the seller's time zone, and `recorded` the real instant that
    history stamps (never overridden, so the record says when it was really written).
    `whole_day` is set by `--today D`: the seller means the day D, so a time typed on D has
    happened (`horizon`), while deadlines still count from 00:00 of D."""

    at: dt.datetime
    zone: dt.tzinfo
    zone_name: str
    recorded: dt.datetime
    whole_day: bool = False

    @cached_property
    def horizon(self) -> dt.datetime:
        """The latest instant that may already have happened: now, or the end of `--today`."""
        return self.end_of_today() if self.whole_day else self.at

    @cached_property
    def today(self) -> dt.date:
        """The seller's calendar day."""
        return self.at.astimezone(self.zone).date()

    def today_in(self, tz: dt.tzinfo) -> dt.date:
        """The calendar day in another zone (a marketplace's) at this instant."""
        return _day_in(self.at, tz)

    def latest_day_in(self, tz: dt.tzinfo) -> dt.date:
        """The last day in a zone that has begun by `horizon`."""
        return _day_in(self.horizon, tz)

    def end_of_today(self, days_ahead: int = 0) -> dt.datetime:
        """The instant the seller's day (plus `days_ahead` days) ends."""
        return start_of(self.today + dt.timedelta(days=days_ahead + 1), self.zone)


@lru_cache(maxsize=64)
def _day_in(at: dt.datetime, tz: dt.tzinfo) -> dt.date:
    return at.astimezone(tz).date()


@lru_cache(maxsize=4096)
def start_of(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """The instant a calendar day starts in a zone (where midnight falls in a DST gap, the day
    starts at the first instant that exists)."""
    local = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    back = local.astimezone(dt.UTC).astimezone(tz)
    return back if back.date() == day else local


def wall_text(instant: dt.datetime, tz: dt.tzinfo) -> str:
    """`2026-11-28 15:00 CST`: minutes are cut, never rounded up, so a deadline shown is never
    later than the real one."""
    local = instant.astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} {zone_abbr(local)}"


def moment_text(instant: dt.datetime, tz: dt.tzinfo) -> str:
    """`2026-11-24 22:05:13 PST`: a recorded moment (not a deadline) with its seconds when it
    has some, in `tz`."""
    local = instant.astimezone(tz)
    seconds = f":{local:%S}" if local.second else ""
    return f"{local:%Y-%m-%d %H:%M}{seconds} {zone_abbr(local)}"


def zone_abbr(local: dt.datetime) -> str:
    name = local.tzname() or ""
    if not name or name[0] in "+-":  # zones without an abbreviation: show the offset as UTC+4
        offset = local.utcoffset() or dt.timedelta(0)
        minutes = int(offset.total_seconds()) // 60
        sign = "+" if minutes >= 0 else "-"
        hours, rest = divmod(abs(minutes), 60)
        name = f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
    return name


def two_zones(instant: dt.datetime, seller: dt.tzinfo, market: dt.tzinfo) -> str:
    """`2026-11-28 15:00 CST (2026-11-27 23:00 PST)`: the seller's time, then the marketplace's;
    one time when both zones show the same."""
    mine, theirs = wall_text(instant, seller), wall_text(instant, market)
    return mine if mine == theirs else f"{mine} ({theirs})"


def rfc3339(instant: dt.datetime, tz: dt.tzinfo) -> str:
    """`2026-11-27T23:00:00-08:00`: seconds and an offset, as the JSON contract says."""
    return instant.astimezone(tz).isoformat(timespec="seconds")


def seconds_between(now: dt.datetime, deadline: dt.datetime) -> int:
    """Seconds from now to the deadline: negative once it has passed."""
    return int((deadline - now).total_seconds() // 1)


def left_text(seconds: int) -> str:
    """`5 h left`, `45 min left`, `3 days left`, `missed 3 h ago`: hours under 48 hours, days
    beyond. Cut down, so the time left is never overstated."""
    span = abs(seconds)
    if span < HOUR:
        amount = f"{span // 60} min"
    elif span < 48 * HOUR:
        amount = f"{span // HOUR} h"
    else:
        amount = plural(span // DAY, "day")
    return f"{amount} left" if seconds > 0 else f"missed {amount} ago"

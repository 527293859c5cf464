"""ISO weeks (Monday to Sunday), as the weekly report and the exposure forecast count them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from atoz.dates import FIRST_DAY, LAST_DAY
from atoz.errors import InputError

_WEEK = re.compile(r"([0-9]{4})-W([0-9]{2})")


@dataclass(frozen=True, order=True)
class Week:
    year: int
    number: int

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def start(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.number, 1)

    @property
    def end(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.number, 7)


def week_of(day: dt.date) -> Week:
    year, number, _ = day.isocalendar()
    return Week(year, number)


def parse_week(text: str) -> Week:
    """`2026-W48` exactly (ISO 8601 week), in the years atoz handles."""
    match = _WEEK.fullmatch(text.strip())
    if not match:
        raise InputError("week", text, "not an ISO week; write it like 2026-W48")
    year, number = int(match[1]), int(match[2])
    if not FIRST_DAY.year <= year <= LAST_DAY.year:
        raise InputError("week", text, f"outside the years atoz handles ({FIRST_DAY.year} to "
                                       f"{LAST_DAY.year})")
    try:
        dt.date.fromisocalendar(year, number, 1)
    except ValueError:
        raise InputError("week", text, f"{year} has no week {number}") from None
    return Week(year, number)

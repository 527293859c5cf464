"""The one place atoz reads the clock.

Every command takes `--today` (or `ATOZ_TODAY`) so that what it shows is reproducible; only
when neither is given does atoz ask the operating system.
"""

from __future__ import annotations

import datetime as dt
import os


def today(override: str | None = None) -> dt.date:
    """Today's date: `override`, else `ATOZ_TODAY`, else the machine's local date."""
    text = override or os.environ.get("ATOZ_TODAY")
    if text:
        from atoz.dates import parse_date

        return parse_date(text, "--today", today=None)
    return dt.date.today()


def now_utc() -> dt.datetime:
    """When something is recorded (history's `recorded_at`): a real instant, never overridden."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)

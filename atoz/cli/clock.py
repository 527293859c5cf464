"""The one place atoz reads the clock and finds the seller's time zone.

`--now` (or `ATOZ_NOW`) sets the instant exactly; `--today D` (or `ATOZ_TODAY`) acts from 00:00 of
D in the seller's zone, and a time typed on D counts as past (`Now.whole_day`); without them the
machine's clock is read. The seller's zone is `ATOZ_TZ`
(an IANA name), else the machine's own. Everything below the CLI receives these as values.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.tz import tzlocal

from atoz.errors import InputError
from atoz.instants import Now, start_of


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def seller_zone() -> tuple[dt.tzinfo, str]:
    """The seller's zone and its name: `ATOZ_TZ`, else the machine's (`TZ`, /etc/localtime)."""
    given = os.environ.get("ATOZ_TZ", "").strip()
    if given:
        zone = _zone(given)
        if zone is None:
            raise InputError("ATOZ_TZ", given, "not a time zone name; use an IANA name such as "
                                               "Asia/Shanghai or America/Los_Angeles")
        return zone, given
    machine = os.environ.get("TZ", "").strip().lstrip(":")
    if machine and (zone := _zone(machine)) is not None:
        return zone, machine
    if not machine:
        for name in _system_zone_names():
            if (zone := _zone(name)) is not None:
                return zone, name
    # A POSIX TZ string ("CST-8") or an unknown system: the C library's local time, which
    # follows the machine's own rules (dateutil reads it through the time module).
    local = _MachineZone()
    return local, f"the machine's local time ({dt.datetime.now(local):%Z})"


class _MachineZone(tzlocal):
    """dateutil's tzlocal, hashable: it keys the caches of days and midnights like any zone
    (tzlocal defines equality, so it drops the hash; one instance lives per run)."""

    def __hash__(self) -> int:  # type: ignore[override]
        return id(self)


def _system_zone_names() -> list[str]:
    names = []
    try:
        target = os.readlink("/etc/localtime")
        if "zoneinfo/" in target:
            names.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    with contextlib.suppress(OSError):
        names.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    return [name for name in names if name]


def read_now(now_text: str | None, today_text: str | None) -> tuple[Now, str]:
    """The instant the command acts as of, and a note when a typed time was ambiguous."""
    from atoz.dates import parse_instant, parse_moment

    zone, zone_name = seller_zone()
    real = dt.datetime.now(dt.UTC)
    real_today = real.astimezone(zone).date()
    if now_text and today_text:
        raise InputError("now", now_text, "give --now or --today, not both")
    note = ""
    if not now_text and not today_text:
        now_text = os.environ.get("ATOZ_NOW") or None
        if not now_text:
            today_text = os.environ.get("ATOZ_TODAY") or None
    if now_text:
        at, note = parse_instant(now_text, "now", tz=zone, today=real_today)
    elif today_text:
        day, time = parse_moment(today_text, "today", today=real_today, tz=zone)
        if time is not None:
            raise InputError("today", today_text, "is a day; give a moment with --now")
        at = start_of(day, zone)
    else:
        at = real
    return Now(at.astimezone(dt.UTC), zone, zone_name, real,
               whole_day=bool(today_text) and not now_text), note

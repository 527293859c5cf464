"""The deadlines as an iCalendar (RFC 5545) file a seller subscribes to or imports.

- A hard deadline (the response deadline, an answer to Amazon's request, the last moment to
  appeal) is a timed event at its instant, in UTC, with reminders before it (VALARM): it lands
  at the right hour whatever zone the calendar shows.
- A step's due day stays an all-day event on the marketplace's calendar day (the playbook's
  day N).
- Steps done, skipped or made moot, and deadlines of claims decided, stay in the file for a month
  with STATUS:CANCELLED, so a calendar that re-subscribes removes them.
- UIDs are built from the order id and the claim's first filing day, not the row id, so they
  survive a restore into another database.
The file is written here (folding, escaping, CRLF): icalendar did it in 0.1, at about a
millisecond an event, which made a calendar's cost grow with a long history's recent events.
The tests read every file back with icalendar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from atoz.instants import Now, two_zones
from atoz.money import fmt
from atoz.playbook import STEP_WORDS
from atoz.policy import PolicyBook
from atoz.queries import calendar_steps, claims_stamps, decided_since, open_response_deadlines
from atoz.records import Claim, StepName, StepState
from atoz.store import Store

KEEP_CANCELLED_DAYS = 30  # how long a cancelled event stays, so subscribers drop it
DEFAULT_ALARMS = (dt.timedelta(hours=24), dt.timedelta(hours=2))


@dataclass(frozen=True)
class Stamp:
    """What makes an event's identity and version: the claim's first filing day (for the UID)
    and its history so far (SEQUENCE and DTSTAMP grow with it, so the newer event wins)."""

    filed: str
    entries: int
    first: dt.datetime
    last: dt.datetime

    @property
    def ever_open(self) -> bool:
        """Recorded over more than one moment: a claim imported already decided never had an
        open step on anyone's calendar, so there is nothing to cancel."""
        return self.first != self.last


def uid(claim: Claim, stamp: Stamp, what: str) -> str:
    return f"{claim.order_id}-{stamp.filed}-{what}@atoz"


def _about(claim: Claim) -> str:
    amount = fmt(claim.facts.amount_minor, claim.facts.currency)
    return (f"Claim {claim.id}, order {claim.order_id} ({claim.marketplace}"
            + (f", {amount}" if amount else "") + ").")


def _text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks escaped."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _fold(line: str) -> bytes:
    """A content line folded at 75 octets (RFC 5545 3.1), never inside a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return data + b"\r\n"
    out, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # a continuation byte
            end -= 1
        out.append((b" " if start else b"") + data[start:end])
        start, limit = end, 74  # a folded line starts with a space
    return b"\r\n".join(out) + b"\r\n"


def _utc(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _before(delta: dt.timedelta) -> str:
    """A reminder's trigger as an RFC 5545 duration: `-PT24H`, `-PT30M`."""
    minutes = int(delta.total_seconds()) // 60
    hours, rest = divmod(minutes, 60)
    return "-PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest or not hours else "")


def _event(uid_text: str, summary: str, lines: Sequence[str], stamp: Stamp, *,
           day: dt.date | None = None, at: dt.datetime | None = None, cancelled: bool = False,
           alarms: Sequence[dt.timedelta] = ()) -> list[str]:
    event = ["BEGIN:VEVENT", f"UID:{_text(uid_text)}", f"SUMMARY:{_text(summary)}",
             f"DESCRIPTION:{_text(chr(10).join(lines))}"]
    if at is not None:  # a deadline: an instant, in UTC
        event.append(f"DTSTART:{_utc(at)}")
    elif day is not None:
        event += [f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                  f"DTEND;VALUE=DATE:{day + dt.timedelta(days=1):%Y%m%d}"]
    event += [f"DTSTAMP:{_utc(stamp.last)}", f"LAST-MODIFIED:{_utc(stamp.last)}",
              f"SEQUENCE:{max(0, stamp.entries - 1)}", "TRANSP:TRANSPARENT",
              f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}"]
    if at is not None and not cancelled:
        for before in alarms:
            event += ["BEGIN:VALARM", "ACTION:DISPLAY", f"DESCRIPTION:{_text(summary)}",
                      f"TRIGGER:{_before(before)}", "END:VALARM"]
    return [*event, "END:VEVENT"]


def calendar_ics(store: Store, book: PolicyBook, now: Now,
                 alarms: Sequence[dt.timedelta] = DEFAULT_ALARMS) -> bytes:
    """The calendar as of `now`. Buyer names are left out: calendars are often synced to other
    services."""
    since = now.at - dt.timedelta(days=KEEP_CANCELLED_DAYS)
    with store.snapshot():
        steps = calendar_steps(store, since)
        open_claims = open_response_deadlines(store, now.at)
        decided = decided_since(store, since)
        stamps = {claim_id: Stamp(filed, count, dt.datetime.fromisoformat(first),
                                  dt.datetime.fromisoformat(last))
                  for claim_id, (filed, count, first, last) in claims_stamps(
                      store, [c.id for c, _ in steps] + [c.id for c in open_claims]
                      + [c.id for c in decided]).items()}
    events: list[tuple[str, str, list[str]]] = []

    def add(sort: str, event: list[str]) -> None:
        events.append((sort, event[1], event))

    for claim, step in steps:
        stamp = stamps[claim.id]
        tz = book.policy(claim.marketplace).tz
        when = two_zones(step.deadline, now.zone, tz)
        state = step.state_at(now.at)
        over = state in (StepState.DONE, StepState.SKIPPED, StepState.MOOT)
        if state is StepState.MISSED or (over and not stamp.ever_open):
            continue  # no reminder of what can no longer be done on time
        lines = [_about(claim), f"What to do: {STEP_WORDS[step.name].todo}."]
        if step.moved:
            lines.append(f"Due early: {step.moved}.")
        lines += [f"Hard deadline: {when}.",
                  f"Then: atoz draft {claim.id} {step.name}; atoz done {claim.id} {step.name}"]
        title = f"A-to-z claim {claim.id}: {STEP_WORDS[step.name].title}"
        deadline_title = f"DEADLINE {title}"
        add(step.due.isoformat(), _event(uid(claim, stamp, str(step.name)), title, lines, stamp,
                                         day=step.due, cancelled=over))
        if step.name in (StepName.APPEAL, StepName.ANSWER_REQUEST):
            what = "appeal-deadline" if step.name is StepName.APPEAL else "request-deadline"
            add(step.deadline.isoformat(), _event(
                uid(claim, stamp, what), deadline_title,
                [_about(claim), f"The last moment: {when}.", lines[-1]], stamp,
                at=step.deadline, cancelled=over, alarms=alarms))
    for claim in [*open_claims, *decided]:  # only claims whose filing moment is known
        stamp = stamps[claim.id]
        if not claim.is_open and not stamp.ever_open:
            continue
        tz = book.policy(claim.marketplace).tz
        when = two_zones(claim.response_deadline, now.zone, tz)
        hours = book.policy(claim.marketplace, claim.facts.claim_date).hours("response_hours")
        add(claim.response_deadline.isoformat(), _event(
            uid(claim, stamp, "response-deadline"),
            f"DEADLINE A-to-z claim {claim.id}: answer Amazon by {when}",
            [_about(claim), f"Amazon's deadline for your answer: {when} ({hours}-hour rule).",
             f"See: atoz status {claim.id}"], stamp, at=claim.response_deadline,
            cancelled=not claim.is_open, alarms=alarms))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//atoz//A-to-z claim deadlines//EN",
             "CALSCALE:GREGORIAN", "X-WR-CALNAME:A-to-z claims (atoz)"]
    for _sort, _uid, event in sorted(events, key=lambda e: (e[0], e[1])):
        lines += event
    return b"".join(_fold(line) for line in [*lines, "END:VCALENDAR"])


def parse_alarms(texts: Sequence[str]) -> list[dt.timedelta]:
    """`24h`, `2h`, `30m`, `1d`: how long before a deadline a reminder goes off."""
    from atoz.errors import InputError

    found = []
    units = {"m": 60, "h": 3600, "d": 86400}
    for text in texts:
        raw = text.strip().lower()
        if len(raw) < 2 or raw[-1] not in units or not raw[:-1].isdigit() or not raw.isascii():
            raise InputError("alarm", text, "write it like 24h, 2h, 30m or 1d")
        seconds = int(raw[:-1]) * units[raw[-1]]
        if not 0 < seconds <= 30 * 86400:
            raise InputError("alarm", text, "between 1 minute and 30 days")
        found.append(dt.timedelta(seconds=seconds))
    return found


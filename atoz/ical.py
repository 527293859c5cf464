"""The deadlines as an iCalendar (RFC 5545) file a seller subscribes to or imports.

One all-day event per open step and per hard deadline, with stable UIDs so that importing a
newer file updates the events instead of duplicating them. icalendar does the format's folding
and escaping; it is imported only when a calendar is made.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from atoz.claims import Claim
from atoz.outcomes import UNDER_REVIEW
from atoz.playbook import WHAT_TO_DO, last_day_starting_before, show_deadline, zone_of
from atoz.store import Store

CAL_UID = "claim-{claim_id}-{what}@atoz"
_TITLES = {"contact": "first message to the buyer", "follow-up": "second message to the buyer",
           "represent": "tell Amazon your side", "appeal": "appeal the grant"}


def _event(uid: str, day: dt.date, summary: str, description: str,
           stamp: tuple[int, str] | None) -> Any:
    from icalendar import Event

    event = Event()
    event.add("uid", uid)
    event.add("summary", summary)
    event.add("description", description)
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    # Stamped with the claim's last history entry, not the clock: the same data gives the same
    # file, and SEQUENCE grows with the append-only history so a calendar takes the newer event.
    count, last = stamp or (1, "1970-01-01T00:00:00+00:00")
    recorded = dt.datetime.fromisoformat(last).astimezone(dt.UTC)
    event.add("dtstamp", recorded)
    event.add("last-modified", recorded)
    event.add("sequence", max(0, count - 1))
    event.add("transp", "TRANSPARENT")
    return event


def _about(claim_id: int, row: dict[str, Any]) -> str:
    amount = f", {row['amount']} {row['currency']}" if row.get("amount") else ""
    return f"Claim {claim_id}, order {row['order_id']} ({row['marketplace']}{amount})."


def calendar_ics(store: Store) -> bytes:
    """An iCalendar (RFC 5545) file: an all-day event per open step (on its due day) and per
    hard deadline of an open matter: the response deadline of each claim under review (on the
    last day that starts before it) and the appeal deadline of each seller-funded grant not yet
    appealed. Buyer names are left out: calendars are often synced to other services."""
    from icalendar import Calendar

    from atoz.policy import get_policy

    with store.snapshot():
        steps = store.open_steps_by_deadline("")
        open_claims = store.claims(statuses=[UNDER_REVIEW])
        stamps = store.history_stamps(
            sorted({s["claim_id"] for s in steps} | {c["id"] for c in open_claims}))
    events: list[tuple[dt.date, str, Any]] = []
    for s in steps:
        claim_id, step = s["claim_id"], s["step"]
        tz = get_policy(s["marketplace"]).tz
        deadline = f"{show_deadline(s['deadline'])} {zone_of(s['deadline'], tz)}".strip()
        lines = [_about(claim_id, s), f"What to do: {WHAT_TO_DO[step]}."]
        if s["moved"]:
            lines.append(f"Due early: {s['moved']}.")
        if step == "appeal":
            lines.append(f"Appeal by {deadline} (the last day).")
        else:
            lines.append(f"Hard deadline: answer Amazon by {deadline}.")
        lines.append(f"Then: atoz draft {claim_id} {step}; atoz done {claim_id} {step}")
        uid = CAL_UID.format(claim_id=claim_id, what=step)
        day = dt.date.fromisoformat(s["due"])
        events.append((day, uid, _event(uid, day, f"A-to-z claim {claim_id}: {_TITLES[step]}",
                                        "\n".join(lines), stamps.get(claim_id))))
        if step == "appeal":
            uid = CAL_UID.format(claim_id=claim_id, what="appeal-deadline")
            until = dt.date.fromisoformat(s["deadline"])
            events.append((until, uid, _event(
                uid, until, f"DEADLINE A-to-z claim {claim_id}: last day to appeal",
                "\n".join([_about(claim_id, s), "The last day to appeal the seller-funded "
                           "grant (30 days after it).", f"Then: atoz draft {claim_id} appeal; "
                           f"atoz done {claim_id} appeal"]),
                stamps.get(claim_id))))
    for row in open_claims:
        claim = Claim(row)
        deadline = claim.response_deadline()
        instant = dt.datetime.fromisoformat(deadline)
        shown = f"{show_deadline(deadline)} {zone_of(deadline, claim.policy.tz)}".strip()
        uid = CAL_UID.format(claim_id=claim.id, what="response-deadline")
        day = last_day_starting_before(instant.astimezone(claim.policy.tz))
        events.append((day, uid, _event(
            uid, day, f"DEADLINE A-to-z claim {claim.id}: answer Amazon by {shown}",
            "\n".join([_about(claim.id, row),
                       f"Amazon's deadline for your answer: {shown} "
                       f"({claim.policy.hours('response_hours')}-hour rule, "
                       f"{claim.policy.policy_id}).",
                       f"See: atoz status {claim.id}"]),
            stamps.get(claim.id))))
    cal = Calendar()
    cal.add("prodid", "-//atoz//A-to-z claim deadlines//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "A-to-z claims (atoz)")
    for _day, _uid, event in sorted(events, key=lambda e: (e[0], e[1])):
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data

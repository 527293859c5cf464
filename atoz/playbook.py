"""The playbook: which steps a claim needs, when each is due, and its hard deadline.

Pure functions of a claim's facts, its outcome history and the steps done so far; the store keeps
their result so that `due-today` is one indexed query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from atoz.dates import plural
from atoz.outcomes import SELLER_FUNDED, is_open
from atoz.policy import Policy

PRE_DECISION = ("contact", "follow-up", "represent")
NO_TIME = "no claim time"
NO_TIME_HINT = ("Deadlines marked 'no claim time' count from 00:00 of the claim day; give the time "
                "Amazon's notification shows with: atoz edit CLAIM --claim-date 'YYYY-MM-DD HH:MM'")
STEPS = (*PRE_DECISION, "appeal")
_DAY_RULE = {"contact": "contact_day", "follow-up": "follow_up_day", "represent": "represent_day"}
WHAT_TO_DO = {
    "contact": "Message the buyer: apologise, ask to withdraw",
    "follow-up": "Message the buyer: ask for photos and details",
    "represent": "Tell Amazon your side and the history",
    "appeal": "Appeal: what happened, what you will change",
}


@dataclass(frozen=True)
class Step:
    step: str
    due: dt.date
    deadline: str  # an ISO instant with offset (response deadline) or an ISO date (appeal)
    deadline_key: str  # the same moment in UTC, so deadlines of any kind sort together
    moved: str  # why the due date was moved earlier, or ""
    state: str  # open, done or moot
    done_on: dt.date | None = None


def response_deadline(
    claim_date: dt.date, claim_time: dt.time | None, policy: Policy
) -> dt.datetime:
    """The instant the seller's answer is due: claim moment + the policy's hours.

    Without a time of day the start of the claim day is assumed, so the deadline shown is never
    later than the real one. Hours are elapsed time, so a DST change is counted right.
    """
    tz = policy.tz
    start = dt.datetime.combine(claim_date, claim_time or dt.time(0), tzinfo=tz)
    hours = dt.timedelta(hours=policy.hours("response_hours"))
    return (start.astimezone(dt.UTC) + hours).astimezone(tz)


def last_day_starting_before(instant: dt.datetime) -> dt.date:
    """The last calendar day (in the instant's zone) whose start is before the instant."""
    day = instant.date()
    tz = instant.tzinfo
    if dt.datetime.combine(day, dt.time(0), tzinfo=tz) >= instant:
        day -= dt.timedelta(days=1)
    return day


def _key(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).isoformat(timespec="minutes")


def appeal_deadline(decided_on: dt.date, policy: Policy) -> dt.date:
    return decided_on + dt.timedelta(days=policy.days("appeal_days"))


def schedule(
    claim_date: dt.date,
    claim_time: dt.time | None,
    policy: Policy,
    outcomes: list[tuple[str, dt.date]],
    done: dict[str, dt.date],
) -> list[Step]:
    """Every step the claim has, in playbook order.

    `outcomes` is the outcome history, oldest first (the last entry is the current outcome);
    `done` maps each step recorded as done to its date.
    """
    status = outcomes[-1][0] if outcomes else "under-review"
    deadline = response_deadline(claim_date, claim_time, policy)
    last_day = last_day_starting_before(deadline)
    hours = policy.hours("response_hours")
    steps = []
    for name in PRE_DECISION:
        day = policy.days(_DAY_RULE[name])
        due = claim_date + dt.timedelta(days=day)
        moved = ""
        if due > last_day:
            due = last_day
            moved = f"moved from day {day}: {hours}-hour rule"
            if claim_time is None:
                moved += f", counted from 00:00 ({NO_TIME})"
        state = "done" if name in done else ("open" if is_open(status) else "moot")
        steps.append(Step(name, due, deadline.isoformat(timespec="minutes"), _key(deadline),
                          moved, state, done.get(name)))
    grants = [on for outcome, on in outcomes if outcome == SELLER_FUNDED]
    if grants:
        decided = grants[-1]
        until = appeal_deadline(decided, policy)
        end_of_day = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(0), tzinfo=policy.tz)
        state = "done" if "appeal" in done else ("open" if status == SELLER_FUNDED else "moot")
        steps.append(Step("appeal", decided, until.isoformat(), _key(end_of_day), "", state,
                          done.get("appeal")))
    return steps


def overdue_days(step: str, due: dt.date, today: dt.date) -> int:
    """Days past the due date. An appeal has no day of its own in the playbook: it may be made
    any day until its deadline, so it is never overdue, only missed once the deadline passes."""
    if step == "appeal":
        return 0
    return max(0, (today - due).days)


def time_left(step: str, due: dt.date, deadline: str, today: dt.date) -> str:
    if step == "appeal":
        days = (dt.date.fromisoformat(deadline[:10]) - today).days
        return "last day to appeal" if days == 0 else f"{plural(days, 'day')} to appeal"
    days = (due - today).days
    if days == 0:
        return "today"
    if days < 0:
        return f"overdue {plural(-days, 'day')}"
    return plural(days, "day")


def show_deadline(deadline: str) -> str:
    """`2026-11-05T14:30-08:00` -> `2026-11-05 14:30`; dates stay as they are."""
    return deadline[:16].replace("T", " ")


def zone_of(deadline: str, tz: ZoneInfo) -> str:
    if "T" not in deadline:
        return ""
    return dt.datetime.fromisoformat(deadline).astimezone(tz).tzname() or ""

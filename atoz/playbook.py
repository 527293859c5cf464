"""The playbook: which steps a claim needs, the marketplace day each is due, and its hard
deadline instant.

Pure functions of a claim's moment, its decisions and the steps recorded so far; the store keeps
their result so that `due-today` is one indexed query. A step's due day is a calendar day in the
marketplace's zone (the playbook's day N); its deadline is an instant (domain.md: hour-based
deadlines are instants, not dates).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from atoz.instants import start_of
from atoz.policy import Policy
from atoz.records import Decision, Outcome, Step, StepName, StepState

PRE_DECISION = (StepName.CONTACT, StepName.FOLLOW_UP, StepName.REPRESENT)
NO_TIME = "no claim time"
NO_TIME_HINT = ("Deadlines marked 'no claim time' count from 00:00 of the claim day; give the "
                "time Amazon's notification shows with: atoz edit CLAIM --claim-date "
                "'YYYY-MM-DD HH:MM'")
_DAY_RULE = {StepName.CONTACT: "contact_day", StepName.FOLLOW_UP: "follow_up_day",
             StepName.REPRESENT: "represent_day"}


@dataclass(frozen=True)
class Words:
    """How a step reads: `title` in calendars and history, `todo` in the daily list, `missed`
    once its deadline has passed (the right next action, not "record the decision" for all)."""

    title: str
    todo: str
    missed: str


STEP_WORDS = {
    StepName.CONTACT: Words(
        "first message to the buyer", "Message the buyer: apologise, ask to withdraw",
        "write to the buyer anyway, then record Amazon's decision when it comes"),
    StepName.FOLLOW_UP: Words(
        "second message to the buyer, asking for photos and details",
        "Message the buyer: ask for photos and details",
        "record Amazon's decision when it comes"),
    StepName.REPRESENT: Words(
        "our response to Amazon", "Tell Amazon your side and the history",
        "record Amazon's decision when it comes (atoz status CLAIM OUTCOME)"),
    StepName.ANSWER_REQUEST: Words(
        "our answer to Amazon's request for information",
        "Answer Amazon's request for information", "record Amazon's decision when it comes"),
    StepName.APPEAL: Words(
        "our appeal to Amazon", "Appeal: what happened, what you will change",
        "the appeal window has closed; if you appealed, record it with atoz done CLAIM "
        "appeal --on DATE"),
}
RECORD_OUTCOME = "record-outcome"  # the daily row for a claim awaiting Amazon's decision


def claim_moment(claim_date: dt.date, claim_time: dt.time | None, tz: dt.tzinfo) -> dt.datetime:
    """When the claim was filed, as an instant. Without a time of day the start of the claim day
    is taken, so the deadline shown is never later than the real one. A wall time that happens
    twice carries its UTC offset (`dates.pinned_time`), which names the instant. A bare wall
    time with two readings (one that happens twice, or one a spring-forward skipped, which 0.1
    accepted) takes the earlier, the safe side."""
    if claim_time is None:
        return start_of(claim_date, tz)
    if claim_time.tzinfo is not None:
        return dt.datetime.combine(claim_date, claim_time).astimezone(tz)
    wall = dt.datetime.combine(claim_date, claim_time, tzinfo=tz)
    return min(wall.replace(fold=0).astimezone(dt.UTC),
               wall.replace(fold=1).astimezone(dt.UTC)).astimezone(tz)


def response_deadline(claim_date: dt.date, claim_time: dt.time | None,
                      policy: Policy) -> dt.datetime:
    """The instant the seller's answer is due (UTC): the claim moment + the policy's hours, as
    elapsed time, so a DST change in between is counted right."""
    start = claim_moment(claim_date, claim_time, policy.tz).astimezone(dt.UTC)
    return start + dt.timedelta(hours=policy.hours("response_hours"))


def last_day_starting_before(instant: dt.datetime, tz: dt.tzinfo) -> dt.date:
    """The last calendar day (in `tz`) whose start is before the instant."""
    day = instant.astimezone(tz).date()
    if start_of(day, tz) >= instant:
        day -= dt.timedelta(days=1)
    return day


def appeal_until(decided_on: dt.date, policy: Policy) -> dt.date:
    """The last day an appeal may be made (calendar days after the grant)."""
    return decided_on + dt.timedelta(days=policy.days("appeal_days"))


def end_of_day(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    return start_of(day + dt.timedelta(days=1), tz).astimezone(dt.UTC)


def last_day(deadline: dt.datetime, tz: dt.tzinfo) -> dt.date:
    """The last calendar day (in `tz`) that ends by a deadline at the end of a day."""
    return (deadline.astimezone(tz) - dt.timedelta(seconds=1)).date()


@dataclass(frozen=True)
class Recorded:
    """What the history says about the steps: done and skipped days, and the moment of the
    latest information request."""

    done: Mapping[StepName, dt.date]
    skipped: Mapping[StepName, dt.date]
    info_request: dt.datetime | None = None
    # False for a claim recorded already decided (an import of past claims): it was never open
    # while atoz knew it, so it gets no playbook days, only what a decision brings (an appeal).
    was_open: bool = True


def schedule(claim_date: dt.date, claim_time: dt.time | None, policy: Policy,
             decisions: Sequence[Decision], recorded: Recorded,
             claim_date_known: bool = True, deadline: dt.datetime | None = None) -> list[Step]:
    """Every step the claim has, in playbook order. `decisions` is the outcome history, oldest
    first (the last one is in force); `deadline` the response deadline, if already known."""
    tz = policy.tz
    current = decisions[-1].outcome if decisions else Outcome.UNDER_REVIEW
    deadline = deadline or response_deadline(claim_date, claim_time, policy)
    last_day = last_day_starting_before(deadline, tz)
    hours = policy.hours("response_hours")

    def state(name: StepName, open_while: bool) -> StepState:
        if name in recorded.done:
            return StepState.DONE
        if name in recorded.skipped:
            return StepState.SKIPPED
        return StepState.OPEN if open_while else StepState.MOOT

    steps = []
    # A claim whose filing date is a stand-in (a finance debit, a decision e-mail) gets no
    # playbook days: counting them from a made-up day would send the seller at the wrong time.
    for name in PRE_DECISION if claim_date_known and recorded.was_open else ():
        day = policy.days(_DAY_RULE[name])
        due = claim_date + dt.timedelta(days=day)
        moved = ""
        if due > last_day:
            due = last_day
            moved = f"moved from day {day}: {hours}-hour rule"
            if claim_time is None:
                moved += f", counted from 00:00 ({NO_TIME})"
        steps.append(Step(name, due, deadline, moved,
                          state(name, current is Outcome.UNDER_REVIEW),
                          recorded.done.get(name)))
    if recorded.info_request is not None:
        asked = recorded.info_request.astimezone(dt.UTC)
        until = asked + dt.timedelta(hours=hours)
        steps.append(Step(StepName.ANSWER_REQUEST, asked.astimezone(tz).date(), until, "",
                           state(StepName.ANSWER_REQUEST, current is Outcome.UNDER_REVIEW),
                           recorded.done.get(StepName.ANSWER_REQUEST)))
    grants = [d.on for d in decisions if d.outcome is Outcome.GRANTED_SELLER_FUNDED]
    if grants:
        decided = grants[-1]
        steps.append(Step(StepName.APPEAL, decided, end_of_day(appeal_until(decided, policy), tz),
                          "", state(StepName.APPEAL, current is Outcome.GRANTED_SELLER_FUNDED),
                          recorded.done.get(StepName.APPEAL)))
    return steps


def overdue(step: Step, now: dt.datetime, tz: dt.tzinfo) -> bool:
    """An open step is overdue once its due day has ended in the marketplace's zone (and it is
    not yet missed). An appeal has no day of its own: it may be made any day until its
    deadline, so it is never overdue, only missed once the deadline passes."""
    if step.name is StepName.APPEAL or step.state_at(now) is not StepState.OPEN:
        return False
    return now >= end_of_day(step.due, tz)

"""What is due: the day's steps, most urgent first; the steps whose hard deadline passed
(missed: nothing left to do on time, but the seller must know); and the claims awaiting Amazon's
decision. Everything is measured from one instant, `now`.

"Today" is the seller's day: a step is due when its due day (a marketplace calendar day) has
started before the seller's day ends, so a seller in Shanghai sees in the morning what is due on
the US day that is about to begin. A step is overdue once its due day has ended in the
marketplace's zone, and missed once its deadline instant has passed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from atoz.claims import claim_tz, mark_step
from atoz.instants import Now, seconds_between, start_of
from atoz.playbook import RECORD_OUTCOME, STEP_WORDS, last_day_starting_before, overdue
from atoz.policy import PolicyBook
from atoz.queries import open_filing_unknown
from atoz.records import Claim, HistoryKind, Step, StepName
from atoz.store import Store

# How far back due-today still lists missed steps. A display choice, not an Amazon rule: after a
# month a missed step is history, and `atoz status` still shows it.
MISSED_LOOKBACK_DAYS = 30
AWAIT_TEXT = "Record Amazon's decision (atoz status CLAIM OUTCOME)"


class Urgency(StrEnum):
    OVERDUE = "overdue"  # its due day has ended; the deadline has not passed
    DUE = "due"  # due today (the seller's day)
    UPCOMING = "upcoming"  # due in the --ahead days
    MISSED = "missed"  # the deadline instant has passed
    AWAITING = "awaiting-decision"  # under review after the response deadline


@dataclass(frozen=True)
class Item:
    """One row of the day: a step of a claim, or a claim awaiting Amazon's decision."""

    claim: Claim
    step: Step | None  # None: the claim awaits Amazon's decision (step "record-outcome")
    urgency: Urgency
    seconds_left: int | None  # to the deadline; negative once missed; None without one

    @property
    def step_name(self) -> str:
        return str(self.step.name) if self.step else RECORD_OUTCOME

    @property
    def what(self) -> str:
        return STEP_WORDS[self.step.name].todo if self.step else AWAIT_TEXT

    @property
    def missed(self) -> bool:
        return self.urgency is Urgency.MISSED


@dataclass(frozen=True)
class Agenda:
    now: Now
    items: list[Item]  # due, overdue and upcoming steps, most urgent first
    missed: list[Item]  # missed in the last MISSED_LOOKBACK_DAYS, most recent first
    awaiting: list[Item]  # under review after the response deadline, oldest first
    next_step: tuple[Claim, Step] | None  # when nothing is due: what comes next
    filing_unknown: list[Claim]  # under review, filing date unknown: no deadline to show
    appeals_later: list[tuple[Claim, Step]]  # open appeals closing after the days shown

    @property
    def overdue(self) -> list[Item]:
        return [i for i in self.items if i.urgency is Urgency.OVERDUE]

    @property
    def failing(self) -> bool:
        """What makes `--fail-if-overdue` exit 3: an overdue step, or a missed one nobody has
        acknowledged (a skipped step is not open, so it never counts)."""
        return bool(self.overdue or self.missed)


def _urgency(claim: Claim, step: Step, now: Now) -> Urgency:
    tz = claim_tz(claim)
    if overdue(step, now.at, tz):
        return Urgency.OVERDUE
    if start_of(step.due, tz) < now.end_of_today():
        return Urgency.DUE
    return Urgency.UPCOMING


def _key(item: Item) -> tuple[dt.datetime, dt.date, int, int]:
    assert item.step is not None
    return (item.step.deadline, item.step.due, -(item.claim.facts.amount_minor or 0),
            item.claim.id)


def agenda(store: Store, now: Now, ahead_days: int = 0) -> Agenda:
    """The day's work as of `now`, plus `ahead_days` more days of upcoming steps."""
    horizon = now.end_of_today(ahead_days)
    with store.snapshot():
        open_rows = store.open_steps(now.at)
        missed = _missed(store, now)
        # Past a response deadline counted from a stand-in day is no fact: such claims are
        # listed apart, as claims whose filing date the seller should give.
        waiting = [c for c in store.awaiting_decision(now.at) if c.facts.claim_date_known]
        unknown = open_filing_unknown(store)
    shown: list[tuple[Claim, Step]] = []
    later: list[tuple[Claim, Step]] = []
    appeals: list[tuple[Claim, Step]] = []
    for claim, step in open_rows:
        if step.name is StepName.APPEAL:
            # An appeal may be made any day of its 30: listing it every day for a month
            # would bury the day's work, so it is a row once its last marketplace day has
            # begun by the end of the days shown (never first seen when already missed).
            tz = claim_tz(claim)
            last_day = last_day_starting_before(step.deadline, tz)
            (shown if start_of(last_day, tz) < horizon else appeals).append((claim, step))
        elif start_of(step.due, claim_tz(claim)) < horizon:
            shown.append((claim, step))
        else:
            later.append((claim, step))
    items = sorted((Item(claim, step, _urgency(claim, step, now),
                         seconds_between(now.at, step.deadline)) for claim, step in shown),
                   key=_key)
    next_step = None if items else min(later, key=lambda pair: pair[1].deadline, default=None)
    awaiting = [Item(claim, None, Urgency.AWAITING, None) for claim in waiting]
    appeals.sort(key=lambda pair: (pair[1].deadline, pair[0].id))
    return Agenda(now, items, missed, awaiting, next_step, unknown, appeals)


def _missed(store: Store, now: Now) -> list[Item]:
    """Open steps whose deadline passed in the last MISSED_LOOKBACK_DAYS, the latest first."""
    since = now.at - dt.timedelta(days=MISSED_LOOKBACK_DAYS)
    return sorted((Item(claim, step, Urgency.MISSED, seconds_between(now.at, step.deadline))
                   for claim, step in store.open_steps(since, now.at)), key=_key, reverse=True)


def ahead_for(now: Now, instant: dt.datetime) -> int:
    """The smallest `--ahead` whose days reach `instant` (a deadline at 00:00 ends the day
    before)."""
    return max(0, (last_day_starting_before(instant, now.zone) - now.today).days)


def skip_missed(store: Store, book: PolicyBook, now: Now, note: str | None
                ) -> list[tuple[Claim, Step]]:
    """Acknowledge, as skipped today, every missed step `due-today` lists (after importing a
    backlog, one command instead of one per step). Call inside a write transaction."""
    marked = []
    for item in sorted(_missed(store, now), key=lambda i: (i.claim.id,
                                                          i.step.due if i.step else None)):
        assert item.step is not None
        marked.append(mark_step(store, book, item.claim.id, str(item.step.name),
                                now.today_in(claim_tz(item.claim)), now,
                                note or "acknowledged as missed", HistoryKind.SKIP))
    return marked

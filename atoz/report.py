"""The weekly report: plain records computed from the store, no printing.

Two spans of time meet here. The week's figures (filed, decided, money lost, outcomes this
week) cover an ISO week, Monday to Sunday. The state figures (open claims, overdue and coming
steps, appeal windows, the ODR ledger) are as of `now`, which may fall in another week when
`--week` is given.

A claim's outcome in a week is its last decision dated in that week, with dates as corrected
(`atoz edit --decided-on`), so a claim is never counted as decided in two weeks. Money is summed
per currency, never across currencies. "Lost" reads the money fact (the seller paid), the ODR
ledger reads the metric fact, and the win rate counts the decisions the seller did not pay for.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from atoz.agenda import Item, Urgency, agenda
from atoz.instants import Now
from atoz.money import totals
from atoz.odr import Ledger, odr_ledger
from atoz.policy import PolicyBook
from atoz.queries import (
    appeals_closing,
    claims_filed_between,
    decisions_between,
    open_claims,
    outcome_totals,
)
from atoz.records import Claim, Decision, Odr, Outcome, Payer, Step
from atoz.store import Store
from atoz.weeks import Week, week_of

DUE_AHEAD_DAYS = 7
APPEAL_AHEAD_DAYS = 14


@dataclass(frozen=True)
class WinRate:
    """Decisions the seller did not pay for, over all decisions; no rate without decisions
    (a rate of nothing is not 0%)."""

    won: int
    decided: int

    @property
    def percent(self) -> float | None:
        return round(self.won * 100 / self.decided, 1) if self.decided else None


@dataclass(frozen=True)
class OutcomeLine:
    outcome: Outcome
    odr: Odr  # the policy's default reading for the outcome
    week: int  # claims that reached it this week (under review: filed this week)
    amount_week: dict[str, int]
    all: int  # claims in it now
    amount_all: dict[str, int]


@dataclass(frozen=True)
class WeeklyReport:
    week: Week
    now: Now
    filed: list[Claim]
    decided: list[tuple[Claim, Decision]]
    open: list[Claim]
    at_stake: dict[str, int]
    lost_week: dict[str, int]
    lost_all: dict[str, int]
    outcomes: list[OutcomeLine]
    win_week: WinRate
    win_all: WinRate
    coming: list[Item]  # due in the next DUE_AHEAD_DAYS days
    appeals_later: list[tuple[Claim, Step]]  # open appeals closing after those days
    overdue: list[Item]
    missed: list[Item]
    awaiting: list[Item]
    appeals: list[tuple[Claim, Step]]  # appeal windows closing within APPEAL_AHEAD_DAYS
    odr: Ledger


def _lost(claim: Claim, decision: Decision) -> int | None:
    if decision.payer is not Payer.SELLER:
        return None
    return claim.debited_minor if claim.debited_minor is not None else claim.facts.amount_minor


def weekly_report(store: Store, book: PolicyBook, now: Now, week: Week | None = None,
                  orders: int | None = None, marketplace: str | None = None) -> WeeklyReport:
    week = week or week_of(now.today)
    with store.snapshot():
        filed = claims_filed_between(store, week.start, week.end)
        decided = decisions_between(store, week.start, week.end)
        totals_all = outcome_totals(store)
        still_open = open_claims(store)
        day = agenda(store, now, DUE_AHEAD_DAYS)
        appeals = appeals_closing(store, now.at,
                                  now.at + dt.timedelta(days=APPEAL_AHEAD_DAYS + 1))
        ledger = odr_ledger(store, book, now, marketplace, orders)
    defaults = book.policy(marketplace or "US")
    week_money: dict[Outcome, list[tuple[int | None, str | None]]] = defaultdict(list)
    week_money[Outcome.UNDER_REVIEW] = [(c.facts.amount_minor, c.facts.currency) for c in filed]
    for claim, decision in decided:
        week_money[decision.outcome].append((claim.facts.amount_minor, claim.facts.currency))
    all_counts: dict[Outcome, int] = defaultdict(int)
    all_money: dict[Outcome, list[tuple[int | None, str | None]]] = defaultdict(list)
    lost_all: list[tuple[int | None, str | None]] = []
    won_all = decided_all = 0
    for total in totals_all:
        all_counts[total.outcome] += total.claims
        all_money[total.outcome].append((total.amount_minor, total.currency))
        if total.outcome.decided:
            decided_all += total.claims
            if total.payer is Payer.SELLER:
                lost_all.append((total.lost_minor, total.currency))
            else:
                won_all += total.claims
    outcomes = [OutcomeLine(o, defaults.facts(o).odr, len(week_money[o]), totals(week_money[o]),
                            all_counts[o], totals(all_money[o])) for o in Outcome]
    won_week = sum(1 for _, d in decided if d.payer is not Payer.SELLER)
    return WeeklyReport(
        week=week, now=now, filed=filed, decided=decided, open=still_open,
        at_stake=totals((c.facts.amount_minor, c.facts.currency) for c in still_open),
        lost_week=totals((_lost(c, d), c.facts.currency) for c, d in decided),
        lost_all=totals(lost_all), outcomes=outcomes,
        win_week=WinRate(won_week, len(decided)), win_all=WinRate(won_all, decided_all),
        coming=[i for i in day.items if i.urgency is not Urgency.OVERDUE],
        appeals_later=day.appeals_later,
        overdue=day.overdue, missed=day.missed, awaiting=day.awaiting, appeals=appeals,
        odr=ledger)

"""The buyer's filing window: when an A-to-z claim can be filed against an order.

Opens on the earliest of (latest estimated delivery + 3 days), (order date + 30 days) and, when
tracking confirmed the delivery, (the delivery day + the marketplace's reading: 0 days in the
US, 3 in Canada); closes 90 days after the latest estimated delivery. Calendar days; the numbers
and their sources come from the policy. Pure: no reading of the time, no storage.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from atoz.dates import plural
from atoz.errors import InputError
from atoz.policy import Policy

AFTER_DELIVERY = "window_opens_after_delivery"
AFTER_ORDER = "window_opens_after_order"
AFTER_CONFIRMED = "window_opens_after_confirmed_delivery"
CLOSES = "window_closes_after_delivery"


class Filed(StrEnum):
    EARLY = "early"
    IN_WINDOW = "in-window"
    LATE = "late"


@dataclass(frozen=True)
class Window:
    order_date: dt.date
    latest_delivery: dt.date
    delivered_on: dt.date | None
    opens: dt.date
    closes: dt.date
    opened_by: str  # the rule that won: one of AFTER_DELIVERY, AFTER_ORDER, AFTER_CONFIRMED
    policy: Policy
    # Each opening rule that applied: (the day it opens, the rule, the day it counts from,
    # what that day is), earliest first. The reasons are written from these only when shown:
    # a bulk import computes thousands of windows and shows none.
    candidates: tuple[tuple[dt.date, str, dt.date, str], ...] = ()

    def _reads(self, rule: str, base: dt.date, what: str) -> str:
        days = self.policy.days(rule)
        return f"{what} {base}" + (f" + {plural(days, 'day')}" if days else "")

    @property
    def why_opens(self) -> str:
        (day, rule, base, what), *others = self.candidates
        reason = self._reads(rule, base, what)
        if not others:
            return reason
        tie = any(other[0] == day for other in others)
        joined = " and ".join(f"{self._reads(r, b, w)} ({d})" for d, r, b, w in others)
        return f"{reason}, {'no later than' if tie else 'earlier than'} {joined}"

    @property
    def why_closes(self) -> str:
        days = self.policy.days(CLOSES)
        return f"latest delivery {self.latest_delivery} + {plural(days, 'day')}"

    @property
    def source_opens(self) -> str:
        return self.policy.rules[self.opened_by].source

    @property
    def source_closes(self) -> str:
        return self.policy.rules[CLOSES].source


@dataclass(frozen=True)
class Filing:
    """Where a claim date fell against the window: a fact to cite to Amazon, never an error."""

    claim_date: dt.date
    filed: Filed
    days_outside: int

    def describe(self, window: Window) -> str:
        if self.filed is Filed.EARLY:
            return (f"filed {self.claim_date}: {plural(self.days_outside, 'day')} before the "
                    f"window opened on {window.opens}")
        if self.filed is Filed.LATE:
            return (f"filed {self.claim_date}: {plural(self.days_outside, 'day')} after the "
                    f"window closed on {window.closes}")
        return f"filed {self.claim_date}: in the window ({window.opens} to {window.closes})"


def check_order_dates(order_date: dt.date, latest_delivery: dt.date,
                      delivered_on: dt.date | None = None) -> None:
    if latest_delivery < order_date:
        raise InputError("latest_delivery", latest_delivery.isoformat(),
                         f"is before the order date {order_date}")
    if delivered_on is not None and delivered_on < order_date:
        raise InputError("delivered_on", delivered_on.isoformat(),
                         f"is before the order date {order_date}")


def filing_window(order_date: dt.date, latest_delivery: dt.date, policy: Policy,
                  delivered_on: dt.date | None = None) -> Window:
    check_order_dates(order_date, latest_delivery, delivered_on)
    found: list[tuple[dt.date, int, str, dt.date, str]] = []  # (day, rank, rule, base, what)
    for rank, (rule, base, what) in enumerate([
            (AFTER_DELIVERY, latest_delivery, "latest delivery"),
            (AFTER_ORDER, order_date, "order date"),
            (AFTER_CONFIRMED, delivered_on, "delivery confirmed by tracking")]):
        if base is not None:
            found.append((base + dt.timedelta(days=policy.days(rule)), rank, rule, base, what))
    found.sort()
    opens, _, rule, _, _ = found[0]
    return Window(order_date, latest_delivery, delivered_on, opens,
                  latest_delivery + dt.timedelta(days=policy.days(CLOSES)), rule, policy,
                  tuple((day, name, base, what) for day, _, name, base, what in found))


def classify_filing(window: Window, claim_date: dt.date) -> Filing:
    return filing_between(window.opens, window.closes, claim_date)


def filing_between(opens: dt.date, closes: dt.date, claim_date: dt.date) -> Filing:
    """A claim filed before the window opened, after it closed, or in it (a window's dates as
    stored)."""
    if claim_date < opens:
        return Filing(claim_date, Filed.EARLY, (opens - claim_date).days)
    if claim_date > closes:
        return Filing(claim_date, Filed.LATE, (claim_date - closes).days)
    return Filing(claim_date, Filed.IN_WINDOW, 0)

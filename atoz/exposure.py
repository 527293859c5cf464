"""The exposure forecast: how much of a seller's recent business can still turn into A-to-z claims.

Pure functions over imported order rows and the policy: an order is exposed while its filing window
(atoz.windows) has not closed. It is "not yet claimable" before the window opens, "claimable now"
inside it, and its risk ends in the week the window closes. Values are summed per currency, never
across currencies. An order without a delivery promise has no computable window; it is counted on
its own, for as long as its window is certainly still open (until the order date plus the closing
days: the promise cannot be earlier than the order).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from atoz.money import totals
from atoz.policy import PolicyBook, marketplaces, packaged
from atoz.records import Order
from atoz.weeks import Week, week_of
from atoz.windows import CLOSES, filing_window

CANCELLED = "cancelled"
NO_PROMISE = "window cannot be computed until a date is given"


def horizon(today: dt.date) -> dt.date:
    """The earliest latest-delivery (or order) date whose window can still be open today, in
    any marketplace: the store reads only orders from here on."""
    longest = max(packaged(code).days(CLOSES) for code in marketplaces())
    return today - dt.timedelta(days=longest)


@dataclass
class Tally:
    """A count of orders and their value per currency (in minor units)."""

    orders: int = 0
    value: dict[str, int] = field(default_factory=dict)

    def add(self, total: int | None, currency: str | None) -> None:
        self.orders += 1
        if total is not None and currency:
            self.value[currency] = self.value.get(currency, 0) + total

    @classmethod
    def merged(cls, *tallies: Tally) -> Tally:
        return cls(sum(t.orders for t in tallies),
                   totals((v, c) for t in tallies for c, v in t.value.items()))


@dataclass
class Exposure:
    today: dt.date
    not_yet: Tally = field(default_factory=Tally)  # the window opens later
    claimable: Tally = field(default_factory=Tally)  # inside the window today
    no_promise: Tally = field(default_factory=Tally)
    claimed: int = 0  # orders left out: they already have a claim in atoz
    cancelled: int = 0
    weeks: dict[Week, Tally] = field(default_factory=dict)  # by the week the window closes

    @property
    def open(self) -> Tally:
        """Every order whose window has not closed (not yet claimable + claimable now)."""
        return Tally.merged(self.not_yet, self.claimable)

    @property
    def ordered_since(self) -> dt.date:
        return horizon(self.today)


def exposure(orders: Iterable[tuple[Order, bool]], today: dt.date, book: PolicyBook
             ) -> Exposure:
    """Sort each order (with whether a claim names it) into the forecast for `today`."""
    result = Exposure(today)
    for order, claimed in orders:
        policy = book.policy(order.marketplace)
        window = None
        if order.latest_delivery is None:
            still_open = order.purchase_date + dt.timedelta(days=policy.days(CLOSES)) >= today
        else:
            window = filing_window(order.purchase_date, order.latest_delivery, policy)
            still_open = window.closes >= today
        if not still_open:
            continue
        if claimed:
            result.claimed += 1
            continue
        if order.order_status == CANCELLED:
            result.cancelled += 1
            continue
        if window is None:
            result.no_promise.add(order.total_minor, order.currency)
            continue
        (result.not_yet if today < window.opens else result.claimable).add(
            order.total_minor, order.currency)
        result.weeks.setdefault(week_of(window.closes), Tally()).add(order.total_minor,
                                                                     order.currency)
    return result

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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from atoz.money import totals
from atoz.policy import get_policy, marketplaces
from atoz.windows import filing_window

CANCELLED = "cancelled"
CLOSE_RULE = "window_closes_after_delivery"
NO_PROMISE = "window cannot be computed until a date is given"


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def horizon(today: dt.date) -> dt.date:
    """The earliest latest-delivery (or order) date whose window can still be open today, in
    any marketplace: the store reads only orders from here on."""
    longest = max(get_policy(code).days(CLOSE_RULE) for code in marketplaces())
    return today - dt.timedelta(days=longest)


@dataclass
class Tally:
    """A count of orders and their value per currency (compacted as it grows)."""

    orders: int = 0
    _pairs: list[tuple[str | None, str | None]] = field(default_factory=list)

    def add(self, total: str | None, currency: str | None) -> None:
        self.orders += 1
        if total is not None and currency:
            self._pairs.append((total, currency))
            if len(self._pairs) >= 1000:
                self._pairs = [(v, c) for c, v in totals(self._pairs).items()]

    @property
    def value(self) -> dict[str, str]:
        return totals(self._pairs)

    @classmethod
    def merged(cls, *tallies: Tally) -> Tally:
        both = cls(sum(t.orders for t in tallies))
        both._pairs = [(amount, currency) for t in tallies for currency, amount in t.value.items()]
        return both

    def to_dict(self) -> dict[str, Any]:
        return {"orders": self.orders, "value": self.value}


@dataclass
class Exposure:
    today: dt.date
    not_yet: Tally = field(default_factory=Tally)  # the window opens later
    claimable: Tally = field(default_factory=Tally)  # inside the window today
    no_promise: Tally = field(default_factory=Tally)
    claimed: int = 0  # orders left out: they already have a claim in atoz
    cancelled: int = 0
    weeks: dict[str, Tally] = field(default_factory=dict)  # by the week the window closes

    @property
    def open(self) -> Tally:
        """Every order whose window has not closed (not yet claimable + claimable now)."""
        return Tally.merged(self.not_yet, self.claimable)

    def week_rows(self) -> list[dict[str, Any]]:
        rows = []
        for week in sorted(self.weeks):
            tally = self.weeks[week]
            year, number = week.split("-W")
            monday = dt.date.fromisocalendar(int(year), int(number), 1)
            rows.append({"week": week, "from": monday.isoformat(),
                         "to": (monday + dt.timedelta(days=6)).isoformat(), **tally.to_dict()})
        return rows

    def to_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "week": iso_week(self.today),
            "open": self.open.to_dict(),
            "not_yet_claimable": self.not_yet.to_dict(),
            "claimable_now": self.claimable.to_dict(),
            "no_delivery_promise": {**self.no_promise.to_dict(),
                                    "ordered_since": horizon(self.today).isoformat(),
                                    "why": NO_PROMISE},
            "left_out": {"claimed": self.claimed, "cancelled": self.cancelled},
            "weeks": self.week_rows(),
        }


def exposure(orders: Iterable[Mapping[str, Any]], today: dt.date,
             claimed: frozenset[str] | set[str] = frozenset()) -> Exposure:
    """Sort each order row (columns as in the orders table) into the forecast for `today`."""
    result = Exposure(today)
    for row in orders:
        policy = get_policy(row["marketplace"])
        purchase = dt.date.fromisoformat(row["purchase_date"])
        if row["latest_delivery"] is None:
            still_open = purchase + dt.timedelta(days=policy.days(CLOSE_RULE)) >= today
        else:
            window = filing_window(purchase, dt.date.fromisoformat(row["latest_delivery"]),
                                   policy)
            still_open = window.closes >= today
        if not still_open:
            continue
        if row["order_id"] in claimed:
            result.claimed += 1
            continue
        if row.get("order_status") == CANCELLED:
            result.cancelled += 1
            continue
        total, currency = row["total"], row["currency"]
        if row["latest_delivery"] is None:
            result.no_promise.add(total, currency)
            continue
        (result.not_yet if today < window.opens else result.claimable).add(total, currency)
        week = iso_week(window.closes)
        result.weeks.setdefault(week, Tally()).add(total, currency)
    return result

"""The buyer's filing window: when an A-to-z claim can be filed against an order.

Opens on the earlier of (latest estimated delivery + 3 days) and (order date + 30 days); closes
90 days after the latest estimated delivery. Calendar days; the numbers come from the policy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from atoz.dates import plural
from atoz.errors import InputError
from atoz.policy import Policy

FILED = ("early", "in-window", "late")


@dataclass(frozen=True)
class Window:
    order_date: dt.date
    latest_delivery: dt.date
    opens: dt.date
    closes: dt.date
    why_opens: str
    why_closes: str
    policy: Policy

    def to_dict(self) -> dict[str, Any]:
        return {
            "order_date": self.order_date.isoformat(),
            "latest_delivery": self.latest_delivery.isoformat(),
            "opens": self.opens.isoformat(),
            "closes": self.closes.isoformat(),
            "marketplace": self.policy.marketplace,
            "policy": self.policy.ref(),
            "why": {"opens": self.why_opens, "closes": self.why_closes},
            "sources": {
                "opens": self.policy.rules["window_opens_after_delivery"].source,
                "closes": self.policy.rules["window_closes_after_delivery"].source,
            },
        }


@dataclass(frozen=True)
class Filing:
    """Where a claim date fell against the window: a fact to cite to Amazon, never an error."""

    claim_date: dt.date
    filed: str  # one of FILED
    days_outside: int

    def describe(self, window: Window) -> str:
        if self.filed == "early":
            return (f"filed {self.claim_date}: {plural(self.days_outside, 'day')} before the "
                    f"window opened on {window.opens}")
        if self.filed == "late":
            return (f"filed {self.claim_date}: {plural(self.days_outside, 'day')} after the "
                    f"window closed on {window.closes}")
        return f"filed {self.claim_date}: in the window ({window.opens} to {window.closes})"

    def to_dict(self) -> dict[str, Any]:
        return {"claim_date": self.claim_date.isoformat(), "filed": self.filed,
                "days_outside": self.days_outside}


def check_order_dates(order_date: dt.date, latest_delivery: dt.date) -> None:
    if latest_delivery < order_date:
        raise InputError("latest_delivery", latest_delivery.isoformat(),
                         f"is before the order date {order_date}")


def filing_window(order_date: dt.date, latest_delivery: dt.date, policy: Policy) -> Window:
    check_order_dates(order_date, latest_delivery)
    after_delivery = policy.days("window_opens_after_delivery")
    after_order = policy.days("window_opens_after_order")
    close_days = policy.days("window_closes_after_delivery")
    by_delivery = latest_delivery + dt.timedelta(days=after_delivery)
    by_order = order_date + dt.timedelta(days=after_order)
    closes = latest_delivery + dt.timedelta(days=close_days)
    delivery_text = f"latest delivery {latest_delivery} + {plural(after_delivery, 'day')}"
    order_text = f"order date {order_date} + {plural(after_order, 'day')}"
    if by_delivery <= by_order:
        opens = by_delivery
        tie = "the same day as" if by_delivery == by_order else "earlier than"
        why_opens = f"{delivery_text}, {tie} {order_text} ({by_order})"
    else:
        opens = by_order
        why_opens = f"{order_text}, earlier than {delivery_text} ({by_delivery})"
    why_closes = f"latest delivery {latest_delivery} + {plural(close_days, 'day')}"
    return Window(order_date, latest_delivery, opens, closes, why_opens, why_closes, policy)


def classify_filing(window: Window, claim_date: dt.date) -> Filing:
    if claim_date < window.opens:
        return Filing(claim_date, "early", (window.opens - claim_date).days)
    if claim_date > window.closes:
        return Filing(claim_date, "late", (claim_date - window.closes).days)
    return Filing(claim_date, "in-window", 0)

"""The ODR ledger: the claims that count toward the Order Defect Rate as Amazon counts it.

Amazon's staff: the ODR "will look at a time window of 60 days, with a 14-day delay", dated by
order date, per marketplace. So on day T the window holds the orders placed from T-14-59 to T-14;
a counted claim leaves it on order date + 60 + 14 days, and a claim on an order from the last 14
days is not counted yet: it counts from order date + 14. Both numbers are policy data. Whether a
claim counts is its own recorded fact (`odr`), not a rule of its outcome.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, Decimal

from atoz.errors import InputError
from atoz.instants import Now
from atoz.policy import PolicyBook, marketplace_code, marketplaces, packaged
from atoz.queries import claims_by_order_date, counted_without_order_date, ledger_marketplaces
from atoz.records import Claim, Odr
from atoz.store import Store

NOTE = ("atoz only sees A-to-z claims: negative feedback and chargebacks also count toward ODR, "
        "so the account's real rate is at least this.")


@dataclass(frozen=True)
class Counted:
    claim: Claim
    leaves_window: dt.date  # the first day it no longer counts
    counts_from: dt.date | None  # for an order too recent: the first day it counts


@dataclass(frozen=True)
class Rate:
    orders: int
    defective: int
    rate_percent: Decimal
    over_target: bool
    more_to_cross: int


@dataclass(frozen=True)
class MarketLedger:
    marketplace: str
    window_start: dt.date
    window_end: dt.date
    window_days: int
    delay_days: int
    target_percent: int
    counted: list[Counted]  # counted now, with the day each leaves the window
    not_yet: list[Counted]  # on orders too recent to be in the window yet
    pending: list[Claim]  # under review on orders in (or after) the window
    no_order_date: list[Claim]  # counted, but the order date is unknown
    rate: Rate | None

    @property
    def defective_orders(self) -> int:
        """One order with two counted claims is one defective order."""
        return len({c.claim.order_id for c in self.counted})


@dataclass(frozen=True)
class Ledger:
    today: dt.date  # the seller's; each marketplace's window counts from its own today
    markets: list[MarketLedger]


def market_ledger(store: Store, book: PolicyBook, marketplace: str, today: dt.date,
                  orders: int | None = None) -> MarketLedger:
    policy = book.policy(marketplace)
    days, delay = policy.days("odr_window_days"), policy.days("odr_delay_days")
    end = today - dt.timedelta(days=delay)
    start = end - dt.timedelta(days=days - 1)
    rows = claims_by_order_date(store, policy.marketplace, start, today,
                                [str(Odr.COUNTED), str(Odr.PENDING)])
    counted, not_yet, pending = [], [], []
    for claim in rows:  # by order date, so by the day each leaves the window
        order_date = claim.facts.order_date
        assert order_date is not None
        leaves = order_date + dt.timedelta(days=days + delay)
        if claim.odr is Odr.PENDING:
            pending.append(claim)
        elif order_date <= end:
            counted.append(Counted(claim, leaves, None))
        else:
            not_yet.append(Counted(claim, leaves, order_date + dt.timedelta(days=delay)))
    target = policy.percent("odr_target_percent")
    ledger = MarketLedger(policy.marketplace, start, end, days, delay, target, counted,
                          not_yet, pending, counted_without_order_date(store, policy.marketplace),
                          None)
    if orders is None:
        return ledger
    defective = ledger.defective_orders
    if orders < defective:
        raise InputError("orders", orders, f"fewer than the {defective} orders with a counted "
                                           "claim in the window")
    # The target is "under 1%": the rate crosses it at the first count >= orders * 1%.
    threshold = int((Decimal(orders) * target / 100).to_integral_value(rounding=ROUND_CEILING))
    rate = Rate(orders, defective, (Decimal(defective * 100) / orders).quantize(Decimal("0.01")),
                defective >= threshold, max(0, threshold - defective))
    return replace(ledger, rate=rate)


def odr_ledger(store: Store, book: PolicyBook, now: Now, marketplace: str | None = None,
               orders: int | None = None) -> Ledger:
    """The ledger of one marketplace, or of each marketplace with claims in its window: Amazon
    rates each marketplace on its own, so the rate (with `orders`) needs one marketplace. Each
    window is counted back from that marketplace's today, as Amazon dates orders there."""

    def today(code: str) -> dt.date:
        return now.today_in(packaged(code).tz)

    with store.snapshot():
        if marketplace:
            codes = [marketplace_code(marketplace)]
        else:
            codes = ledger_marketplaces(store, {
                code: today(code) - dt.timedelta(days=book.policy(code).days(
                    "odr_window_days") + book.policy(code).days("odr_delay_days"))
                for code in marketplaces()})
            if orders is not None and len(codes) > 1:
                raise InputError("orders", orders, "Amazon counts ODR per marketplace and your "
                                                   f"claims span {', '.join(codes)}: give the "
                                                   "marketplace (-m) with the orders")
        return Ledger(now.today, [market_ledger(store, book, code, today(code), orders)
                                  for code in codes])


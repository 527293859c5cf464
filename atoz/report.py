"""The weekly report and the ODR ledger: plain data computed from the store, no printing.

Two clocks meet here. The week's figures (filed, decided, money lost, outcomes this week) cover
an ISO week, Monday to Sunday. The state figures (open claims, overdue and coming steps, appeal
windows, the ODR ledger) are as of `today`, which may fall in another week when `--week` is given.

A claim's outcome in a week is its last outcome entry dated in that week (history is append-only,
so a correction recorded later wins, as it does for the claim's current status). Money is summed
per currency: different currencies are never added together.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

from atoz.agenda import due_steps
from atoz.errors import InputError
from atoz.money import totals
from atoz.outcomes import LABELS, LOSSES, OUTCOMES, UNDER_REVIEW, WINS, counts_toward_odr
from atoz.policy import Policy, get_policy, marketplaces
from atoz.store import Store

DUE_AHEAD_DAYS = 7
APPEAL_AHEAD_DAYS = 14
ODR_NOTE = ("atoz only sees A-to-z claims: negative feedback and chargebacks also count toward "
            "ODR, so the account's real rate is at least this. Amazon counts by order date and "
            "per marketplace.")
_WEEK = re.compile(r"(\d{4})-W(\d{2})")


@dataclass(frozen=True)
class Week:
    year: int
    number: int

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def start(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.number, 1)

    @property
    def end(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.number, 7)


def week_of(day: dt.date) -> Week:
    year, number, _ = day.isocalendar()
    return Week(year, number)


def parse_week(text: str) -> Week:
    """`2026-W48` exactly (ISO 8601 week); anything else names the value and the form."""
    match = _WEEK.fullmatch(text.strip())
    if not match:
        raise InputError("--week", text, "not an ISO week; write it like 2026-W48")
    year, number = int(match[1]), int(match[2])
    try:
        dt.date.fromisocalendar(year, number, 1)
    except ValueError:
        raise InputError("--week", text, f"{year} has no week {number}") from None
    return Week(year, number)


# --- win rate -------------------------------------------------------------------------------
def win_rate(outcome_counts: dict[str, int]) -> dict[str, Any]:
    """Won (denied, withdrawn, Amazon-funded) over all decided; `percent` is None when nothing
    was decided (a rate of nothing is not 0%)."""
    decided = sum(n for slug, n in outcome_counts.items() if slug != UNDER_REVIEW)
    won = sum(n for slug, n in outcome_counts.items() if slug in WINS)
    percent = round(won * 100 / decided, 1) if decided else None
    return {"won": won, "decided": decided, "percent": percent}


# --- ODR ------------------------------------------------------------------------------------
def _odr_policy(marketplace: str | None) -> Policy:
    return get_policy(marketplace or "US")


def _window_days(marketplace: str | None) -> int:
    """The ODR window: the marketplace's, or without one the longest any marketplace uses."""
    if marketplace:
        return _odr_policy(marketplace).days("odr_window_days")
    return max(get_policy(code).days("odr_window_days") for code in marketplaces())


def odr_ledger(store: Store, today: dt.date, orders: int | None = None,
               marketplace: str | None = None) -> dict[str, Any]:
    """The claims that count toward ODR (per each claim's policy) on orders placed in the
    trailing window ending today, with the day each drops out; with `orders`, the rate.

    One order with two counted claims is one defective order, so the rate counts orders.
    """
    with store.snapshot():
        return _odr_ledger(store, today, orders, marketplace)


def _odr_ledger(store: Store, today: dt.date, orders: int | None,
                marketplace: str | None) -> dict[str, Any]:
    market = get_policy(marketplace).marketplace if marketplace else None
    days = _window_days(market)
    start = today - dt.timedelta(days=days - 1)
    counted_statuses = sorted({s for code in ([market] if market else marketplaces())
                               for s in get_policy(code).odr_outcomes})
    claims: list[dict[str, Any]] = []
    for row in store.claims_by_order_date(counted_statuses, start.isoformat(), today.isoformat()):
        policy = get_policy(row["marketplace"])
        if market and policy.marketplace != market:
            continue
        order_date = dt.date.fromisoformat(row["order_date"])
        own_days = policy.days("odr_window_days")
        if not counts_toward_odr(row["status"], policy) or order_date < today - dt.timedelta(
                days=own_days - 1):
            continue
        claims.append({
            "claim_id": row["id"], "order_id": row["order_id"],
            "marketplace": row["marketplace"], "status": row["status"],
            "order_date": row["order_date"], "claim_date": row["claim_date"],
            "decided_on": row["status_on"], "amount": row["amount"], "currency": row["currency"],
            "leaves_window": (order_date + dt.timedelta(days=own_days)).isoformat(),
        })
    claims.sort(key=lambda c: (c["leaves_window"], c["claim_id"]))
    pending = [row for row in store.claims(statuses=[UNDER_REVIEW], marketplace=market)
               if start.isoformat() <= row["order_date"] <= today.isoformat()]
    defective = len({c["order_id"] for c in claims})
    markets = sorted({c["marketplace"] for c in claims})
    target = Decimal(str(_odr_policy(market).rules["odr_target_percent"].value))
    result: dict[str, Any] = {
        "today": today.isoformat(),
        "marketplace": market,
        "window_start": start.isoformat(),
        "window_end": today.isoformat(),
        "window_days": days,
        "claims": claims,
        "orders_with_counted_claims": defective,
        "pending_in_window": len(pending),
        "target_percent": int(target) if target == target.to_integral_value() else float(target),
        "orders": orders,
        "rate": None,
        "over_target": None,
        "more_to_cross": None,
        "marketplaces": markets,
        "note": ODR_NOTE,
    }
    if orders is not None:
        if orders < 1:
            raise InputError("--orders", orders, "give the number of orders in the window (1 or "
                                                 "more)")
        if orders < defective:
            raise InputError("--orders", orders, f"fewer than the {defective} orders with a "
                                                 "counted claim in the window")
        # The target is "under 1%": the rate crosses it at the first count >= orders * 1%.
        threshold = int((orders * target / 100).to_integral_value(rounding=ROUND_CEILING))
        result["rate"] = round(defective * 100 / orders, 2)
        result["over_target"] = defective >= threshold
        result["more_to_cross"] = max(0, threshold - defective)
    return result


# --- the weekly report ----------------------------------------------------------------------
def _money(rows: list[dict[str, Any]]) -> dict[str, str]:
    return totals((r["amount"], r["currency"]) for r in rows)


def weekly_report(store: Store, today: dt.date, week: Week | None = None,
                  orders: int | None = None, marketplace: str | None = None) -> dict[str, Any]:
    """Everything `atoz report` shows, as plain JSON-ready data (see the module docstring)."""
    week = week or week_of(today)
    start, end = week.start.isoformat(), week.end.isoformat()
    with store.snapshot():
        filed = store.claims_filed_between(start, end)
        # Each claim's last outcome entry dated in the week (entries come oldest recorded first).
        last_in_week: dict[int, dict[str, Any]] = {}
        for entry in store.status_changes_between(start, end):
            last_in_week[entry["claim_id"]] = entry
        decided = [e for e in last_in_week.values() if e["status"] != UNDER_REVIEW]
        all_rows = store.outcome_totals()
        for row in all_rows:
            if row["units"] is not None and row["places"] is None:  # mixed decimals: sum them
                row["total"] = sum((Decimal(a) for a in store.amounts(row["status"],
                                                                       row["currency"])),
                                   Decimal(0))
            elif row["units"] is not None:
                row["total"] = Decimal(row["units"]).scaleb(-row["places"])
        open_claims = store.claims(statuses=[UNDER_REVIEW])
        items = due_steps(store, today, DUE_AHEAD_DAYS)
        appeals = store.open_steps_with_deadline(
            "appeal", today.isoformat(), (today + dt.timedelta(days=APPEAL_AHEAD_DAYS)).isoformat())
        odr = odr_ledger(store, today, orders, marketplace)

    overdue = [i for i in items if i["overdue_days"]]
    coming = [i for i in items if not i["overdue_days"]]
    week_counts = {slug: 0 for slug in OUTCOMES}
    week_counts[UNDER_REVIEW] = len(filed)
    week_money: dict[str, list[dict[str, Any]]] = defaultdict(list)
    week_money[UNDER_REVIEW] = filed
    for entry in decided:
        week_counts[entry["status"]] += 1
        week_money[entry["status"]].append(entry)
    all_counts = {slug: 0 for slug in OUTCOMES}
    all_money: dict[str, dict[str, Decimal]] = {slug: defaultdict(Decimal) for slug in OUTCOMES}
    for row in all_rows:
        all_counts[row["status"]] += row["n"]
        if row["units"] is not None and row["currency"]:
            all_money[row["status"]][row["currency"]] += row["total"]
    odr_flags = {slug: counts_toward_odr(slug, get_policy(marketplace or "US"))
                 for slug in OUTCOMES}
    outcomes = {
        slug: {
            "label": LABELS[slug],
            "odr": odr_flags[slug],
            "week": week_counts[slug],
            "amount_week": _money(week_money[slug]),
            "all": all_counts[slug],
            "amount": {cur: str(total) for cur, total in sorted(all_money[slug].items())},
        }
        for slug in OUTCOMES
    }
    return {
        "week": week.label,
        "start": start,
        "end": end,
        "today": today.isoformat(),
        "filed": len(filed),
        "decided": len(decided),
        "open": len(open_claims),
        "overdue": len(overdue),
        "money": {
            "at_stake_open": _money(open_claims),
            "lost_week": _money([e for e in decided if e["status"] in LOSSES]),
        },
        "outcomes": outcomes,
        "win_rate": {"week": win_rate(week_counts), "all": win_rate(all_counts)},
        "due_next_7_days": coming,
        "overdue_steps": overdue,
        "appeals_closing": [
            {"claim_id": a["claim_id"], "order_id": a["order_id"],
             "marketplace": a["marketplace"], "decided_on": a["status_on"],
             "deadline": a["deadline"],
             "days_left": (dt.date.fromisoformat(a["deadline"]) - today).days,
             "amount": a["amount"], "currency": a["currency"]}
            for a in appeals
        ],
        "odr": odr,
    }

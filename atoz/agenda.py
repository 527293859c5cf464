"""What is due: the open steps on or before a day, most urgent first, and the ones whose hard
deadline has already passed (missed: nothing left to do on time, but the seller must know)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from atoz.playbook import WHAT_TO_DO, overdue_days, time_left
from atoz.store import Store

# How far back due-today still lists missed steps. A display choice, not an Amazon rule: after a
# month a missed step is history, and `atoz status` still shows it.
MISSED_LOOKBACK_DAYS = 30


def _deadline_day(row: dict[str, Any]) -> dt.date:
    # Deadlines are stored as local ISO instants or dates: the first ten characters are the
    # marketplace's calendar day either way.
    return dt.date.fromisoformat(row["deadline"][:10])


def _key_bound(day: dt.date) -> str:
    # deadline_key is UTC; a day earlier is a safe lower bound in any time zone, and
    # _deadline_day filters exactly.
    return (day - dt.timedelta(days=1)).isoformat()


def _urgency(row: dict[str, Any]) -> tuple[str, str, Decimal]:
    return (row["deadline_key"], row["due"], -Decimal(row["amount"] or 0))


def due_steps(store: Store, today: dt.date, ahead: int = 0) -> list[dict[str, Any]]:
    """Open steps due on or before today + `ahead` days whose deadline is today or later:
    hard deadline first, then due date, then the larger amount."""
    until = today + dt.timedelta(days=ahead)
    rows = [r for r in store.open_steps_by_deadline(_key_bound(today))
            if r["due"] <= until.isoformat() and _deadline_day(r) >= today]
    return [_item(row, today) for row in sorted(rows, key=_urgency)]


def missed_steps(store: Store, today: dt.date) -> list[dict[str, Any]]:
    """Open steps whose hard deadline passed in the last MISSED_LOOKBACK_DAYS days."""
    since = today - dt.timedelta(days=MISSED_LOOKBACK_DAYS)
    rows = [r for r in store.open_steps_by_deadline(_key_bound(since), today.isoformat() + "~")
            if since <= _deadline_day(r) < today]
    return [{**_item(row, today), "missed": True} for row in sorted(rows, key=_urgency)]


def _item(row: dict[str, Any], today: dt.date) -> dict[str, Any]:
    due = dt.date.fromisoformat(row["due"])
    return {
        "claim_id": row["claim_id"],
        "order_id": row["order_id"],
        "marketplace": row["marketplace"],
        "step": row["step"],
        "due": row["due"],
        "deadline": row["deadline"],
        "time_left": time_left(row["step"], due, row["deadline"], today),
        "overdue_days": overdue_days(row["step"], due, today),
        "amount": row["amount"],
        "currency": row["currency"],
        "moved": row["moved"],
        "what": WHAT_TO_DO[row["step"]],
        "missed": False,
    }


def next_step(store: Store, after: dt.date) -> dict[str, Any] | None:
    return store.next_open_step(after.isoformat())

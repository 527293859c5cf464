"""What is due: the open steps on or before a day, most urgent first."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from atoz.playbook import WHAT_TO_DO, time_left
from atoz.store import Store


def due_steps(store: Store, today: dt.date, ahead: int = 0) -> list[dict[str, Any]]:
    """Open steps due on or before today + `ahead` days: hard deadline first, then due date,
    then the larger amount."""
    until = today + dt.timedelta(days=ahead)
    rows = store.open_steps_due(until.isoformat())
    rows.sort(key=lambda r: (r["deadline_key"], r["due"], -Decimal(r["amount"] or 0)))
    return [_item(row, today) for row in rows]


def _item(row: dict[str, Any], today: dt.date) -> dict[str, Any]:
    due = dt.date.fromisoformat(row["due"])
    what = WHAT_TO_DO[row["step"]]
    return {
        "claim_id": row["claim_id"],
        "order_id": row["order_id"],
        "marketplace": row["marketplace"],
        "step": row["step"],
        "due": row["due"],
        "deadline": row["deadline"],
        "time_left": time_left(due, today),
        "overdue_days": max(0, (today - due).days),
        "amount": row["amount"],
        "currency": row["currency"],
        "moved": row["moved"],
        "what": what,
    }


def next_step(store: Store, after: dt.date) -> dict[str, Any] | None:
    return store.next_open_step(after.isoformat())

"""Claims: checking what a seller enters, recording it, and the whole picture of one claim.

Every change is a history entry; `claims.status` and the steps are recomputed from the history
in the same transaction, so what atoz shows is always what the history says.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from atoz import clock
from atoz.dates import parse_date, parse_moment
from atoz.errors import InputError, NotFoundError
from atoz.money import parse_amount, parse_currency
from atoz.outcomes import UNDER_REVIEW, counts_toward_odr, is_open, parse_outcome
from atoz.playbook import STEPS, Step, overdue_days, response_deadline, schedule
from atoz.policy import Policy, get_policy
from atoz.store import Store
from atoz.windows import Window, check_order_dates, classify_filing, filing_window

ORDER_ID = re.compile(r"(\d{3}|[A-Z]\d{2})-\d{7}-\d{7}")
REASONS = ("not-received", "not-as-described", "return", "refund", "other")
FIELDS = ("order_id", "order_date", "latest_delivery", "claim_date", "amount", "currency",
          "reason", "marketplace", "buyer", "note")
MAX_TEXT = 2000
FINANCE = "finance"  # the source of a claim created from a finance event: its date is a stand-in
MAX_ID = 2**63 - 1  # SQLite's largest integer: a larger claim id cannot exist


def parse_order_id(text: str, field: str = "order_id") -> str:
    order_id = text.strip().upper()
    if not ORDER_ID.fullmatch(order_id):
        raise InputError(field, text, "not an Amazon order id; expected 3-7-7 digits like "
                                      "113-1234567-1234567 (or S01-1234567-1234567)")
    return order_id


def parse_reason(text: str, field: str = "reason") -> str:
    reason = text.strip().lower()
    if reason not in REASONS:
        raise InputError(field, text, f"unknown reason; use one of {', '.join(REASONS)}")
    return reason


def is_text(value: str, limit: int = MAX_TEXT) -> bool:
    """Text atoz can store and print: not too long, no NUL, valid Unicode (no lone surrogate,
    which is how Python carries bytes that were not UTF-8 in a command line or a JSON file)."""
    if len(value) > limit or "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def free_text(value: str | None, field: str) -> str | None:
    """A buyer name or a note: stripped, None when blank; InputError when it is not text."""
    if value is None or not value.strip():
        return None
    if not is_text(value):
        raise InputError(field, value, f"too long or not text (at most {MAX_TEXT} characters "
                                       "of UTF-8, no NUL)")
    return value.strip()


def not_future(day: dt.date, today: dt.date, field: str, text: str | None = None) -> None:
    """Refuse a date after today. A day of grace: in the marketplace's time zone it may
    already be tomorrow (a seller in Los Angeles with a claim on amazon.co.jp)."""
    if day > today + dt.timedelta(days=1):
        raise InputError(field, text or day.isoformat(), f"is in the future (today is {today})")


def build_claim(values: Mapping[str, str | None], *, today: dt.date) -> dict[str, Any]:
    """Check a claim's fields (as text, keyed like the CSV columns) and return its row.

    Raises InputError naming the first bad field. Dates accept every form `parse_date` does;
    the claim date may carry a time of day (in the marketplace's zone).
    """
    def get(name: str) -> str | None:
        value = values.get(name)
        return value if value is not None and value.strip() != "" else None

    order_id = parse_order_id(get("order_id") or "")
    policy = get_policy(get("marketplace") or "US")
    currency = parse_currency(get("currency") or policy.currency)
    for required in ("order_date", "latest_delivery"):
        if get(required) is None:
            raise InputError(required, "", "required (YYYY-MM-DD)")
    order_date = parse_date(get("order_date") or "", "order_date", today=today, tz=policy.tz)
    latest = parse_date(get("latest_delivery") or "", "latest_delivery", today=today,
                        tz=policy.tz)
    check_order_dates(order_date, latest)
    claim_day, claim_time = parse_moment(get("claim_date") or "today", "claim_date",
                                         today=today, tz=policy.tz)
    if claim_day < order_date:
        raise InputError("claim_date", get("claim_date") or claim_day.isoformat(),
                         f"is before the order date {order_date}")
    not_future(order_date, today, "order_date", get("order_date"))
    not_future(claim_day, today, "claim_date", get("claim_date"))
    amount_text = get("amount")
    return {
        "order_id": order_id,
        "marketplace": policy.marketplace,
        "order_date": order_date.isoformat(),
        "latest_delivery": latest.isoformat(),
        "claim_date": claim_day.isoformat(),
        "claim_time": claim_time.strftime("%H:%M") if claim_time else None,
        "amount": parse_amount(amount_text, currency) if amount_text else None,
        "currency": currency,
        "reason": parse_reason(get("reason") or "other"),
        "buyer": free_text(get("buyer"), "buyer"),
        "note": free_text(get("note"), "note"),
    }


# --- the picture of one claim ---------------------------------------------------------------
@dataclass(frozen=True)
class Claim:
    row: dict[str, Any]

    @property
    def id(self) -> int:
        return int(self.row["id"])

    @property
    def policy(self) -> Policy:
        return get_policy(self.row["marketplace"])

    @property
    def status(self) -> str:
        return str(self.row["status"])

    @property
    def claim_date(self) -> dt.date:
        return dt.date.fromisoformat(self.row["claim_date"])

    @property
    def claim_time(self) -> dt.time | None:
        text = self.row["claim_time"]
        return dt.time.fromisoformat(text) if text else None

    def window(self) -> Window:
        return filing_window(dt.date.fromisoformat(self.row["order_date"]),
                             dt.date.fromisoformat(self.row["latest_delivery"]), self.policy)

    def window_dict(self) -> dict[str, Any]:
        window = self.window()
        return {**window.to_dict(), **classify_filing(window, self.claim_date).to_dict()}

    def response_deadline(self) -> str:
        return response_deadline(self.claim_date, self.claim_time, self.policy).isoformat(
            timespec="minutes")

    def summary(self) -> dict[str, Any]:
        """The row `list --json` prints."""
        keys = ("id", "order_id", "status", "claim_date", "amount", "currency", "marketplace",
                "reason", "buyer", "order_date", "latest_delivery")
        return {key: self.row[key] for key in keys}


def find_claim(store: Store, ref: str) -> Claim:
    """A claim by numeric id or by order id (refusing to guess when several share an order)."""
    text = ref.strip()
    if text.isascii() and text.isdigit():  # "²".isdigit() too, but int("²") fails
        row = store.claim(int(text)) if int(text) <= MAX_ID else None
        if row is None:
            raise NotFoundError(f"no claim {text}; `atoz list` shows the claims")
        return Claim(row)
    order_id = parse_order_id(text, "claim")
    rows = store.claims_for_order(order_id)
    if not rows:
        raise NotFoundError(f"no claim for order {order_id}; `atoz list` shows the claims")
    if len(rows) > 1:
        listed = ", ".join(f"{r['id']} ({r['status']}, filed {r['claim_date']})" for r in rows)
        raise InputError("claim", text, f"order has {len(rows)} claims: {listed}; give the "
                                        "claim id")
    return Claim(rows[0])


def _outcomes(history: list[dict[str, Any]]) -> list[tuple[str, dt.date]]:
    return [(h["status"], dt.date.fromisoformat(h["on_date"]))
            for h in history if h["kind"] == "status"]


def _done(history: list[dict[str, Any]]) -> dict[str, dt.date]:
    return {h["step"]: dt.date.fromisoformat(h["on_date"]) for h in history if h["kind"] == "done"}


def plan(claim: Claim, history: list[dict[str, Any]]) -> list[Step]:
    return schedule(claim.claim_date, claim.claim_time, claim.policy, _outcomes(history),
                    _done(history))


def refresh(store: Store, claim_id: int) -> Claim:
    """Recompute the derived state (status, steps) of one claim from its history."""
    row = store.claim(claim_id)
    assert row is not None
    history = store.history(claim_id)
    outcomes = _outcomes(history)
    status, on = outcomes[-1]
    store.update_claim(claim_id, {"status": status, "status_on": on.isoformat()})
    claim = Claim({**row, "status": status, "status_on": on.isoformat()})
    store.replace_steps(claim_id, [
        {"step": s.step, "due": s.due.isoformat(), "deadline": s.deadline,
         "deadline_key": s.deadline_key, "moved": s.moved or None, "state": s.state,
         "done_on": s.done_on.isoformat() if s.done_on else None}
        for s in plan(claim, history)])
    return claim


def add_claim(store: Store, row: dict[str, Any], *, source: str = "manual",
              status: str = UNDER_REVIEW, decided_on: dt.date | None = None,
              note: str | None = None) -> Claim:
    """Record a new claim (under review, or with a known outcome when importing)."""
    open_claims = [r for r in store.claims_for_order(row["order_id"]) if is_open(r["status"])]
    if open_claims:
        raise InputError("order_id", row["order_id"],
                         f"already has open claim {open_claims[0]['id']}; record its outcome "
                         f"first (atoz status {open_claims[0]['id']} OUTCOME)")
    recorded = clock.now_utc().isoformat()
    claim_id = store.insert_claim({**row, "source": source, "status": UNDER_REVIEW,
                                   "status_on": row["claim_date"], "created_at": recorded})
    store.append_history(claim_id, "status", recorded, status=UNDER_REVIEW,
                         on_date=row["claim_date"], note=row.get("note") or "claim filed")
    if status != UNDER_REVIEW:
        on = decided_on or dt.date.fromisoformat(row["claim_date"])
        if on < dt.date.fromisoformat(row["claim_date"]):
            raise InputError("decided_on", on.isoformat(), "is before the claim date")
        store.append_history(claim_id, "status", recorded, status=status,
                             on_date=on.isoformat(), note=note)
    return refresh(store, claim_id)


def complete_finance_claim(store: Store, order_id: str, given: Mapping[str, str | None], *,
                           today: dt.date, source: str
                           ) -> tuple[Claim, dict[str, tuple[Any, Any]]] | None:
    """If the order's claim was created from Amazon's finance data (which has no filing date),
    complete that claim with the facts the seller gives (`given`: text keyed like the CSV
    columns; only what was given) instead of adding a second claim for the same order.
    Returns the claim and what changed, or None when the order has no such claim."""
    rows = [r for r in store.claims_for_order(order_id) if r["source"] == FINANCE]
    if not rows:
        return None
    claim = Claim(rows[-1])
    changes: dict[str, str | None] = {
        k: v for k, v in given.items() if k in EDITABLE and v is not None and v.strip()}
    changed: dict[str, tuple[Any, Any]] = {}
    try:
        claim, changed, _ = edit_claim(store, claim, changes, today=today,
                                       note="completed: the finance data had no filing date")
    except InputError as exc:
        if exc.field != "edit":  # "nothing to change": the facts already agree
            raise
    store.update_claim(claim.id, {"source": source})
    return Claim({**claim.row, "source": source}), changed


def set_outcome(store: Store, claim: Claim, outcome: str, on: dt.date, note: str | None) -> Claim:
    status = parse_outcome(outcome, "outcome")
    if on < claim.claim_date:
        raise InputError("--on", on.isoformat(), f"is before the claim date {claim.claim_date}")
    store.append_history(claim.id, "status", clock.now_utc().isoformat(), status=status,
                         on_date=on.isoformat(), note=free_text(note, "--note") or "")
    return refresh(store, claim.id)


def mark_done(store: Store, claim: Claim, step: str, on: dt.date, note: str | None) -> Claim:
    steps = {s["step"]: s for s in store.steps(claim.id)}
    if step not in STEPS:
        raise InputError("step", step, f"unknown step; use one of {', '.join(STEPS)}")
    if step not in steps:
        raise InputError("step", step, f"claim {claim.id} has no {step} step "
                                       f"(it has: {', '.join(steps) or 'none'})")
    if steps[step]["state"] == "done":
        raise InputError("step", step, f"already done on {steps[step]['done_on']} for claim "
                                       f"{claim.id}")
    if on < claim.claim_date:
        raise InputError("--on", on.isoformat(), f"is before the claim date {claim.claim_date}")
    store.append_history(claim.id, "done", clock.now_utc().isoformat(), step=step,
                         on_date=on.isoformat(), note=free_text(note, "--note") or "")
    return refresh(store, claim.id)


EDITABLE = ("order_date", "latest_delivery", "claim_date", "amount", "currency", "reason",
            "marketplace", "buyer", "note")


def _moments(claim: Claim) -> dict[str, str]:
    """Every date atoz derives for a claim, by name, to show what an edit moved."""
    window = claim.window()
    return {"window opens": window.opens.isoformat(), "window closes": window.closes.isoformat(),
            "response deadline": claim.response_deadline()}


def edit_claim(store: Store, claim: Claim, changes: dict[str, str | None], *,
               today: dt.date, note: str | None = None
               ) -> tuple[Claim, dict[str, tuple[Any, Any]], dict[str, tuple[str, str]]]:
    """Correct a claim's facts. Returns the claim, the changed fields and the moved dates."""
    current = {name: claim.row[name] for name in FIELDS}
    if current["claim_date"] and claim.row["claim_time"]:
        current["claim_date"] = f"{claim.row['claim_date']} {claim.row['claim_time']}"
    merged = {**current, **{k: v for k, v in changes.items() if v is not None}}
    row = build_claim(merged, today=today)
    decisions = [h["on_date"] for h in store.history(claim.id)
                 if h["kind"] == "status" and h["status"] != UNDER_REVIEW]
    if decisions and row["claim_date"] > min(decisions):
        raise InputError("claim_date", row["claim_date"],
                         f"is after the claim's first decision on {min(decisions)}")
    changed = {k: (claim.row[k], v) for k, v in row.items() if claim.row[k] != v}
    if not changed:
        raise InputError("edit", "", "nothing to change; give at least one new value")
    before_dates, before_steps = _moments(claim), {s["step"]: s for s in store.steps(claim.id)}
    store.update_claim(claim.id, row)
    store.append_history(claim.id, "edit", clock.now_utc().isoformat(), on_date=today.isoformat(),
                         note=note or "", detail={k: {"old": o, "new": n}
                                                  for k, (o, n) in changed.items()})
    if claim.row["source"] == FINANCE and "claim_date" in changed:
        store.update_claim(claim.id, {"source": "manual"})  # the real filing date is known now
    updated = refresh(store, claim.id)
    after_dates = _moments(updated)
    moved = {k: (v, after_dates[k]) for k, v in before_dates.items() if after_dates[k] != v}
    for step in store.steps(claim.id):
        old = before_steps.get(step["step"])
        if old and old["state"] == "open" and old["due"] != step["due"]:
            moved[f"{step['step']} due"] = (old["due"], step["due"])
    return updated, changed, moved


def picture(store: Store, claim: Claim, today: dt.date) -> dict[str, Any]:
    """Everything about one claim: what `status --json` prints."""
    history = store.history(claim.id)
    steps = store.steps(claim.id)
    for step in steps:
        step["overdue_days"] = (overdue_days(step["step"], dt.date.fromisoformat(step["due"]),
                                             today) if step["state"] == "open" else 0)
    return {
        **claim.summary(),
        "claim_time": claim.row["claim_time"],
        "note": claim.row["note"],
        "source": claim.row["source"],
        "odr": counts_toward_odr(claim.status, claim.policy),
        "status_on": claim.row["status_on"],
        "window": claim.window_dict(),
        "response_deadline": claim.response_deadline(),
        "steps": steps,
        "history": [
            {"kind": h["kind"], "status": h["status"], "step": h["step"], "on": h["on_date"],
             "note": h["note"], "detail": h["detail"], "recorded_at": h["recorded_at"]}
            for h in history
        ],
    }

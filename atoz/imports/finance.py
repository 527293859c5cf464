"""Finances API events: each `GuaranteeClaimEvent` is an A-to-z claim decided against the
seller (granted and debited). No Amazon API lists the claims themselves; this is the one trace of
them in Amazon's data.

For each event (order id, posted date): the order's claim filed on or before that date (the open
one, or else the latest) becomes `granted-seller-funded` on the posted date, which schedules the
appeal. With no such claim, one is created from the imported order and marked as coming from the
finance data; its filing date is unknown, so the posted date stands in for it. An order atoz has
not imported cannot become a claim (its dates are unknown): the event is skipped with the reason,
and importing the orders first, then the events again, picks it up. An event already applied
(same order, same posted date) changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from atoz import clock
from atoz.claims import Claim, add_claim, build_claim, parse_order_id, set_outcome
from atoz.errors import FileFormatError, InputError
from atoz.imports import ImportOptions, ImportResult
from atoz.imports.amazon import (
    NOTES_SHOWN,
    amount_minor,
    channel_policy,
    fallback_policy,
    from_minor,
    json_lines,
    load_json,
    local_date,
)
from atoz.imports.orders_api import dig
from atoz.imports.rejects import Rejects
from atoz.outcomes import SELLER_FUNDED, is_open
from atoz.playbook import appeal_deadline
from atoz.policy import Policy, get_policy
from atoz.store import Store

KIND = "finance-events"


@dataclass(frozen=True)
class Event:
    order_id: str
    posted: dt.date
    policy: Policy
    amount: str | None  # what was debited, as a positive amount
    currency: str | None


def _event_list(page: Any) -> list[Any] | None:
    for holder in (dig(page, "payload", "FinancialEvents"), dig(page, "FinancialEvents"), page):
        events = dig(holder, "GuaranteeClaimEventList")
        if isinstance(events, list):
            return events
    return None


def _events(path: Path, data: Any) -> list[Any]:
    lists = [_event_list(page) for page in (data if isinstance(data, list) else [data])]
    if all(events is None for events in lists):
        raise FileFormatError(f"{path.name}:1: json: no FinancialEvents.GuaranteeClaimEventList;"
                              " is this a Finances API listFinancialEvents response?")
    return [event for events in lists for event in events or []]


def _listed(record: Any, key: str) -> list[Any]:
    """record[key] as a list: absent or null is empty; anything else but a list is an error."""
    value = dig(record, key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(key, value, "not a list")
    return value


def _debited(record: dict[str, Any]) -> tuple[str | None, str | None]:
    """The amount debited: the sum of the event's charge adjustments, as a positive amount."""
    total, currency = 0, None
    charges = [c for item in _listed(record, "ShipmentItemAdjustmentList")
               for c in _listed(item, "ItemChargeAdjustmentList")]
    charges += _listed(record, "OrderChargeAdjustmentList")
    for charge in charges:
        money = dig(charge, "ChargeAmount")
        if not isinstance(money, dict) or money.get("CurrencyAmount") is None:
            continue
        minor, code = amount_minor(money["CurrencyAmount"], money.get("CurrencyCode"),
                                   "ChargeAmount")
        if currency not in (None, code):
            raise InputError("ChargeAmount.currency", code, f"differs from {currency} in the "
                                                            "same event")
        total, currency = total + minor, code
    if currency is None or total == 0:
        return None, currency
    return from_minor(abs(total), currency), currency


def parse_event(store: Store, record: Any, options: ImportOptions) -> Event:
    if not isinstance(record, dict):
        raise InputError("event", type(record).__name__, "not a JSON object")
    order_id = parse_order_id(str(record.get("AmazonOrderId") or ""), "AmazonOrderId")
    posted_text = record.get("PostedDate")
    if not isinstance(posted_text, str) or not posted_text.strip():
        raise InputError("PostedDate", posted_text or "", "missing")
    policy = _policy(store, order_id, record.get("MarketplaceName"), options)
    posted = dt.date.fromisoformat(local_date(posted_text, "PostedDate", policy))
    amount, currency = _debited(record)
    return Event(order_id, posted, policy, amount, currency)


def _policy(store: Store, order_id: str, name: Any, options: ImportOptions) -> Policy:
    """From the event's MarketplaceName, else the imported order, else its claim, else
    --marketplace: the posted date is taken in that marketplace's time zone."""
    if name:
        found = channel_policy(str(name))
        if found is None:
            raise InputError("MarketplaceName", name, "not a marketplace atoz knows")
        return found
    order = store.order(order_id)
    if order is not None:
        return get_policy(order["marketplace"])
    claims = store.claims_for_order(order_id)
    if claims:
        return get_policy(claims[-1]["marketplace"])
    return fallback_policy(options, "MarketplaceName")


def _already(store: Store, claim: dict[str, Any], posted: str) -> bool:
    if claim["status"] == SELLER_FUNDED and claim["status_on"] <= posted:
        return True
    return any(h["kind"] == "status" and h["status"] == SELLER_FUNDED and h["on_date"] == posted
               for h in store.history(claim["id"]))


def apply_event(store: Store, event: Event, today: dt.date) -> tuple[str, str]:
    """Apply one event: ("added" | "updated" | "unchanged" | "skipped", what happened)."""
    posted = event.posted.isoformat()
    appeal = appeal_deadline(event.posted, event.policy).isoformat()
    earlier = [c for c in store.claims_for_order(event.order_id) if c["claim_date"] <= posted]
    if earlier:
        open_claims = [c for c in earlier if is_open(c["status"])]
        target = open_claims[0] if open_claims else max(
            earlier, key=lambda c: (c["claim_date"], c["id"]))
        if _already(store, target, posted):
            return "unchanged", ""
        claim = set_outcome(store, Claim(target), SELLER_FUNDED, event.posted,
                            f"Amazon's finance data: guarantee claim debited {posted}")
        return "updated", (f"claim {claim.id} (order {event.order_id}): granted, seller funded "
                           f"on {posted}; appeal by {appeal}")
    order = store.order(event.order_id)
    if order is None:
        return "skipped", (f"order {event.order_id} (debited {posted}): not imported, so its "
                           "dates are unknown; import its orders, then these events again")
    if not order["latest_delivery"]:
        return "skipped", (f"order {event.order_id} (debited {posted}): no delivery promise in "
                           f"Amazon's data; add the claim with atoz add {event.order_id} "
                           "--latest-delivery DATE, then import these events again")
    row = build_claim({
        "order_id": event.order_id, "order_date": order["purchase_date"],
        "latest_delivery": order["latest_delivery"], "claim_date": posted,
        "amount": event.amount or order["total"],
        "currency": event.currency or order["currency"], "marketplace": order["marketplace"],
        "reason": "other",
        "note": (f"from Amazon's finance data: guarantee claim debited {posted}; the filing "
                 "date is unknown, the posted date stands in for it"),
    }, today=today)
    claim = add_claim(store, row, source="finance", status=SELLER_FUNDED, decided_on=event.posted,
                      note="Amazon's finance data: guarantee claim debited")
    return "added", (f"claim {claim.id} (order {event.order_id}) created from the finance data: "
                     f"granted, seller funded on {posted}; appeal by {appeal}")


def import_events(store: Store, path: Path, options: ImportOptions) -> ImportResult:
    data, text = load_json(path, options.encoding)
    records = _events(path, data)
    today = options.today if isinstance(options.today, dt.date) else clock.today()
    result = ImportResult(KIND)
    told: list[str] = []
    keys = [r.get("AmazonOrderId") if isinstance(r, dict) and
            isinstance(r.get("AmazonOrderId"), str) else None for r in records]
    with Rejects(path, options) as rejects, store.transaction():
        for record, line in zip(records, json_lines(text, keys), strict=True):
            try:
                event = parse_event(store, record, options)
                outcome, told_what = apply_event(store, event, today)
            except InputError as exc:
                rejects.bad(line, exc, record)
                result.skipped += 1
                continue
            setattr(result, outcome, getattr(result, outcome) + 1)
            if told_what:
                told.append(told_what)
    if not records:
        result.notes.append("no guarantee claim events in the file")
    result.notes.extend(told[:NOTES_SHOWN])
    if len(told) > NOTES_SHOWN:
        result.notes.append(f"... and {len(told) - NOTES_SHOWN} more")
    if note := rejects.note():
        result.notes.append(note)
    return result

"""Finances API events: each `GuaranteeClaimEvent` says the seller was debited for an A-to-z
claim. It is a money fact, not a verdict: it says nothing of the Order Defect Rate, and no Amazon
API lists the claims themselves, so this is the one trace of them in Amazon's data.

For each event (order id, posted date, amount): the debit is recorded on the order's claim filed
on or before that date (the open one, or else the latest). A claim still under review becomes
`granted-seller-funded` on the posted date (which schedules the appeal), with the ODR per the
policy's default; a decision already recorded keeps its ODR choice, and one recorded as not paid
by the seller (denied, withdrawn, Amazon funded) now counts the debit as money the seller paid,
and the summary says the data contradicts it. With no claim, one is
created, marked as coming from the finance data: its filing date is unknown, so the posted date
stands in for it, and the order's dates come from an imported order when there is one. An event
already applied (same claim, same posted date) changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from atoz.claims import add_claim, debited_on, record_debit
from atoz.errors import FileFormatError, InputError
from atoz.imports.amazon import (
    amount_minor,
    channel_policy,
    dig,
    fallback_policy,
    json_lines,
    load_json,
    local_date,
)
from atoz.imports.common import ImportOptions, ImportResult
from atoz.imports.rejects import Rejects
from atoz.money import fmt
from atoz.orders import parse_order_id
from atoz.playbook import appeal_until
from atoz.policy import Policy, packaged
from atoz.records import ClaimFacts, Payer, Reason, Source
from atoz.store import Store

KIND = "finance-events"


@dataclass(frozen=True)
class Event:
    order_id: str
    posted: dt.date
    policy: Policy
    amount_minor: int | None  # what was debited, as a positive amount
    currency: str | None


def _event_list(page: Any) -> list[Any] | None:
    for holder in (dig(page, "payload", "FinancialEvents"), dig(page, "FinancialEvents"), page):
        events = dig(holder, "GuaranteeClaimEventList")
        if isinstance(events, list):
            return events
    return None


def _events(name: str, data: Any) -> list[Any]:
    lists = [_event_list(page) for page in (data if isinstance(data, list) else [data])]
    if all(events is None for events in lists):
        raise FileFormatError(f"{name}:1: json: no FinancialEvents.GuaranteeClaimEventList;"
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


def _debited(record: dict[str, Any]) -> tuple[int | None, str | None]:
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
    return abs(total), currency


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
        return packaged(order.marketplace)
    claims = store.claims_for_order(order_id)
    if claims:
        return packaged(claims[-1].marketplace)
    return fallback_policy(options, "MarketplaceName")


def apply_event(store: Store, event: Event, options: ImportOptions) -> tuple[str, str]:
    """Apply one event: ("added" | "updated" | "unchanged", what happened)."""
    posted = event.posted
    appeal = appeal_until(posted, event.policy)
    amount = fmt(event.amount_minor, event.currency)
    earlier = [c for c in store.claims_for_order(event.order_id) if c.facts.claim_date <= posted]
    if earlier:
        open_claims = [c for c in earlier if c.is_open]
        target = open_claims[0] if open_claims else max(
            earlier, key=lambda c: (c.facts.claim_date, c.id))
        if debited_on(store, target.id, posted):
            return "unchanged", ""
        claim = record_debit(store, options.book, target.id, event.amount_minor,
                             event.currency, posted, options.now,
                             f"Amazon's finance data: guarantee claim debited {posted}")
        debited = amount or "an amount the data does not give"
        if target.outcome.decided and target.payer is not Payer.SELLER:
            # The data contradicts the decision recorded: say so, count the money as paid.
            return "updated", (
                f"claim {claim.id} (order {event.order_id}) was recorded as {target.outcome} "
                f"on {target.decided_on}; Amazon debited you {debited} on {posted}: counted as "
                f"money you paid (ODR {claim.odr} kept). If Amazon granted it after all, record "
                f"it: atoz status {claim.id} granted-seller-funded --on {posted}")
        what = ("granted, seller funded" if target.is_open else
                f"debit recorded; its decision ({claim.outcome}, ODR {claim.odr}) kept")
        return "updated", (f"claim {claim.id} (order {event.order_id}): {what} on {posted} "
                           f"({amount or 'amount not given'}); appeal by {appeal}")
    order = store.order(event.order_id)
    facts = ClaimFacts(
        order_id=event.order_id, marketplace=event.policy.marketplace,
        order_date=order.purchase_date if order else None,
        latest_delivery=order.latest_delivery if order and order.latest_delivery else None,
        claim_date=posted, claim_date_known=False,
        amount_minor=event.amount_minor if event.amount_minor is not None else
        (order.total_minor if order else None),
        currency=event.currency or (order.currency if order and order.currency else
                                    event.policy.currency),
        reason=Reason.OTHER,
        note=f"from Amazon's finance data: guarantee claim debited {posted}")
    if facts.latest_delivery is None:  # both order dates, or neither
        facts = replace(facts, order_date=None)
    claim = add_claim(store, options.book, facts, options.now, source=Source.FINANCE,
                      filed_note="the filing date is unknown: the debit's posted date stands in")
    claim = record_debit(store, options.book, claim.id, event.amount_minor, event.currency,
                         posted, options.now, "Amazon's finance data: guarantee claim debited")
    dates = "" if facts.order_date else "; its order dates are unknown (import the order, or " \
        f"atoz edit {claim.id} --order-date D --latest-delivery D)"
    return "added", (f"claim {claim.id} (order {event.order_id}) created from the finance data: "
                     f"granted, seller funded on {posted}; appeal by {appeal}{dates}")


def import_events(store: Store, path: Path, options: ImportOptions) -> ImportResult:
    data, text = load_json(path, options)
    records = _events(options.name, data)
    result = ImportResult(KIND)
    told: list[str] = []
    options.progress.phase("applying debits", len(records), "events")
    with Rejects(path, options) as rejects, rejects.transaction(store):
        for record, line in zip(records, json_lines(text, records, "AmazonOrderId"), strict=True):
            options.progress.advance()
            try:
                event = parse_event(store, record, options)
                outcome, told_what = apply_event(store, event, options)
            except InputError as exc:
                rejects.bad(line, exc, record)
                result.skipped += 1
                continue
            setattr(result, outcome, getattr(result, outcome) + 1)
            if told_what:
                told.append(told_what)
    if not records:
        result.notes.append("no guarantee claim events in the file")
    result.tell(told)
    if note := rejects.note():
        result.notes.append(note)
    return result

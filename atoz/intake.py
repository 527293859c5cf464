"""Taking in a claim the seller gives: filling what they left out from an imported order, and
completing a claim that Amazon's data created first (a finance debit or a decision e-mail, which
know the order but not the filing date) instead of adding a second claim for one order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from atoz.claims import MARKETPLACE_ASSUMED, add_claim, edit_claim
from atoz.derive import window_of
from atoz.errors import InputError
from atoz.facts import FACT_FIELDS, check_facts
from atoz.instants import Now
from atoz.money import decimal_text
from atoz.orders import parse_order_id
from atoz.policy import PolicyBook, marketplace_code, packaged
from atoz.records import Claim, Source
from atoz.store import Store
from atoz.windows import Filing, Window, classify_filing

# Claims whose filing date is a stand-in: created from Amazon's data before the seller told atoz
# of the claim, or from a claims CSV row without a claim date. A claim date completes them.
STAND_INS = {Source.FINANCE: "Amazon's finance data", Source.EMAIL: "a decision e-mail",
             Source.CSV: "a claims CSV row without a claim date"}


@dataclass(frozen=True)
class Added:
    claim: Claim
    completed: str | None = None  # what created the claim this completed, if it did
    changed: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    filled_from: dict[str, str] = field(default_factory=dict)  # field: where it came from
    notes: list[str] = field(default_factory=list)
    filing: tuple[Window, Filing] | None = None


def fill_from_order(store: Store, given: dict[str, str | None], typed: bool = True
                    ) -> dict[str, str]:
    """Fill the fields the seller left out from an imported order; say where each came from.
    With no order dates and no imported order the claim is still recorded: its window is
    unknown until they are given. `typed`: the seller typed the order id (not a file), so
    one missing from the imported orders is most likely a typo."""
    order = store.order(parse_order_id(given.get("order_id") or ""))
    if order is None:
        neither = not given.get("order_date") and not given.get("latest_delivery")
        if neither and typed and store.has_orders():
            raise InputError("order_id", given.get("order_id") or "",
                             "not among the imported orders; check the id, or give the "
                             "order date and the latest delivery")
        return {}
    source = f"imported order ({order.source_file})"
    said = given.get("marketplace")
    if said and order.marketplace and marketplace_code(said) != order.marketplace:
        raise InputError("marketplace", said, f"order {order.order_id} is on "
                         f"{order.marketplace} ({packaged(order.marketplace).name}) in "
                         f"{order.source_file}; leave the marketplace out to take the order's")
    filled: dict[str, str] = {}
    offered = {
        "order_date": order.purchase_date.isoformat(),
        "latest_delivery": order.latest_delivery.isoformat() if order.latest_delivery else None,
        "amount": (decimal_text(order.total_minor, order.currency)
                   if order.total_minor is not None and order.currency else None),
        "currency": order.currency, "marketplace": order.marketplace}
    for name, value in offered.items():
        if not given.get(name) and value:
            given[name] = value
            filled[name] = source
    if not given.get("latest_delivery"):
        raise InputError("latest_delivery", "", f"order {order.order_id} has no delivery "
                         "promise in Amazon's data, so its window cannot be computed; give it")
    return filled


def add_or_complete(store: Store, book: PolicyBook, given: Mapping[str, str | None], now: Now,
                    source: Source = Source.MANUAL, claim_date_known: bool = True,
                    marketplace_assumed: bool = False) -> Added:
    """Add the claim, or complete the one Amazon's data created for the order. Call inside a
    write transaction. `claim_date_known=False`: the claim date given is a stand-in.
    `marketplace_assumed`: the marketplace given is the seller's default, not said for this
    claim (a claim e-mail from another marketplace may correct it)."""
    values = dict(given)
    order_id = parse_order_id(values.get("order_id") or "")
    stand_in = [c for c in store.claims_for_order(order_id)
                if c.source in STAND_INS and not c.facts.claim_date_known]
    if stand_in:
        claim = stand_in[-1]
        changes = {k: v for k, v in values.items()
                   if k in FACT_FIELDS and k != "order_id" and v and v.strip()}
        try:
            edit = edit_claim(store, book, claim.id, changes, now,
                              note=f"completed: {STAND_INS[claim.source]} had no filing date")
        except InputError as exc:
            if exc.field != "edit":  # "nothing to change": the facts already agree
                raise
            return Added(claim, STAND_INS[claim.source])
        store.set_source(edit.claim.id, source)
        return Added(edit.claim, STAND_INS[claim.source], edit.changed, notes=edit.notes)
    filled = fill_from_order(store, values, typed=source is Source.MANUAL)
    checked = check_facts(values, now, claim_date_known)
    assumed = marketplace_assumed or not (values.get("marketplace") or "").strip()
    claim = add_claim(store, book, checked.facts, now, source=source,
                      filed_note=None if claim_date_known else
                      "the filing date is unknown: the claims CSV row gave none",
                      filed_detail={MARKETPLACE_ASSUMED: True} if assumed else None)
    window = window_of(claim.facts, book.policy(claim.marketplace, claim.facts.claim_date))
    filing = (window, classify_filing(window, claim.facts.claim_date)) if window else None
    return Added(claim, filled_from=filled, notes=checked.notes, filing=filing)

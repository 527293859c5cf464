"""What a seller (or a file) says about a claim, checked: each field read from text, refused
with one error naming the field and the value when it cannot be right. Pure: the moment `now`
is given, nothing is read from the clock or stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from atoz.dates import parse_date, parse_wall_moment
from atoz.errors import InputError
from atoz.instants import Now, wall_text
from atoz.money import decimal_text, parse_amount, parse_currency
from atoz.orders import parse_order_id
from atoz.playbook import claim_moment
from atoz.policy import marketplace_code, packaged
from atoz.records import ClaimFacts, Odr, Outcome, Reason
from atoz.windows import check_order_dates

MAX_TEXT = 2000
# Facts a seller may give or correct, keyed as the claims CSV's columns.
FACT_FIELDS = ("order_id", "order_date", "latest_delivery", "delivered_on", "claim_date",
               "amount", "currency", "reason", "marketplace", "buyer", "note")
DECISION_FIELDS = ("decided_on", "payer", "odr")
DATE_FIELDS = ("order_date", "latest_delivery", "delivered_on", "claim_date")


def parse_choice(text: str, choices: type[StrEnum], field: str) -> Any:
    value = text.strip().lower()
    try:
        return choices(value)
    except ValueError:
        options = ", ".join(str(c) for c in choices if c is not Odr.PENDING)
        raise InputError(field, text, f"unknown; use one of {options}") from None


def parse_outcome(text: str, field: str = "outcome") -> Outcome:
    outcome: Outcome = parse_choice(text, Outcome, field)
    return outcome


def parse_odr(text: str, field: str = "odr") -> Odr:
    odr: Odr = parse_choice(text, Odr, field)
    if odr is Odr.PENDING:
        raise InputError(field, text, "use counted or not-counted")
    return odr


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


def not_future(day: dt.date, now: Now, tz: dt.tzinfo, field: str, text: str | None = None
               ) -> None:
    """Refuse a day that has not begun in the marketplace. A claim's days are the
    marketplace's: while it is still the 27th in Los Angeles, a US claim cannot have been filed
    on the 28th, though a seller in Shanghai already lives it (taking it would put the deadline
    a day late)."""
    if day > now.latest_day_in(tz):
        raise InputError(field, text or day.isoformat(),
                         f"has not begun in the marketplace yet (it is {wall_text(now.at, tz)} "
                         "there); dates are the marketplace's days")


def not_before_filing(day: dt.date, facts: ClaimFacts, field: str, text: str | None = None
                      ) -> None:
    """Refuse a day (a step, a decision, a debit) before the claim was filed, when that is
    known."""
    if facts.claim_date_known and day < facts.claim_date:
        raise InputError(field, text or day.isoformat(),
                         f"is before the claim date {facts.claim_date}")


def parse_day(text: str, field: str, now: Now, tz: dt.tzinfo) -> dt.date:
    """A day a seller types for something that happened in a marketplace (`today` is the
    marketplace's today), not in the future."""
    day = parse_date(text, field, today=now.today_in(tz), tz=tz)
    not_future(day, now, tz, field, text)
    return day


@dataclass(frozen=True)
class Checked:
    """Facts checked from text, and what the seller should know about how they were read."""

    facts: ClaimFacts
    notes: list[str] = field(default_factory=list)


def check_facts(values: Mapping[str, str | None], now: Now,
                claim_date_known: bool = True, recorded: AbstractSet[str] = frozenset()
                ) -> Checked:
    """Check a claim's fields (as text, keyed like the CSV columns) and return its facts.

    Raises InputError naming the first bad field. The claim date may carry a time of day in the
    marketplace's zone (or an offset); a wall time that does not exist there is refused, one
    that happens twice takes the earlier instant and says so. `recorded` names the fields atoz
    recorded before (all of them for a restore, the ones an edit keeps): they are not
    refused for lying after `now` (a clock that ran behind) and a claim time the clocks skipped,
    which 0.1 accepted, is read as its earlier instant with a note rather than refused.
    """
    for name in DATE_FIELDS:  # `--claim-date ""` from a script's empty variable is no "today"
        text = values.get(name)
        if text is not None and not text.strip():
            raise InputError(name, text, "empty; give a date (YYYY-MM-DD), or leave it out")
    given = {k: v for k, v in values.items() if v is not None and v.strip()}
    get = given.get

    order_id = parse_order_id(get("order_id") or "")
    base = packaged(marketplace_code(get("marketplace") or "US"))
    tz = base.tz
    currency = parse_currency(get("currency") or base.currency)

    def day(name: str, happened: bool = True) -> dt.date | None:
        text = get(name)
        if text is None:
            return None
        if happened and name not in recorded:  # an order or a delivery cannot be in the future
            return parse_day(text, name, now, tz)
        return parse_date(text, name, today=now.today_in(tz), tz=tz)  # a promise may be

    order_date, delivered = day("order_date"), day("delivered_on")
    latest = day("latest_delivery", happened=False)
    if order_date is not None and latest is not None:
        check_order_dates(order_date, latest, delivered)
    elif (order_date is None) != (latest is None):
        missing = "order_date" if order_date is None else "latest_delivery"
        raise InputError(missing, "", "required with the other order date (YYYY-MM-DD)")
    claim_text = get("claim_date") or "today"
    claim = parse_wall_moment(claim_text, "claim_date", today=now.today_in(tz), tz=tz,
                              recorded="claim_date" in recorded)
    claim_day, claim_time = claim.day, claim.time
    notes = [claim.note] if claim.note else []
    if "claim_date" not in recorded:
        if claim_time is None:
            not_future(claim_day, now, tz, "claim_date", claim_text)
        elif claim_moment(claim_day, claim_time, tz) > now.horizon:
            raise InputError("claim_date", claim_text, "is in the future (it is "
                                                       f"{wall_text(now.at, tz)} there)")
    if order_date is not None and claim_day < order_date and claim_date_known:
        if "claim_date" in recorded and "order_date" not in recorded:  # name what was given
            raise InputError("order_date", get("order_date") or "",
                             f"is after the claim date {claim_day}")
        raise InputError("claim_date", claim_text, f"is before the order date {order_date}")
    amount_text = get("amount")
    facts = ClaimFacts(
        order_id=order_id, marketplace=base.marketplace, order_date=order_date,
        latest_delivery=latest, claim_date=claim_day, claim_time=claim_time,
        claim_date_known=claim_date_known, delivered_on=delivered,
        amount_minor=parse_amount(amount_text, currency) if amount_text else None,
        currency=currency, reason=parse_choice(get("reason") or "other", Reason, "reason"),
        buyer=free_text(get("buyer"), "buyer"), note=free_text(get("note"), "note"))
    return Checked(facts, notes)


def fact_texts(facts: ClaimFacts) -> dict[str, str | None]:
    """The facts back as text keyed like the CSV columns (to merge a correction into them)."""
    claim = facts.claim_date.isoformat() + (
        f" {facts.claim_time.isoformat()}" if facts.claim_time else "")
    return {
        "order_id": facts.order_id, "marketplace": facts.marketplace,
        "order_date": facts.order_date.isoformat() if facts.order_date else None,
        "latest_delivery": facts.latest_delivery.isoformat() if facts.latest_delivery else None,
        "delivered_on": facts.delivered_on.isoformat() if facts.delivered_on else None,
        "claim_date": claim,
        "amount": (decimal_text(facts.amount_minor, facts.currency)
                   if facts.amount_minor is not None else None),
        "currency": facts.currency, "reason": str(facts.reason), "buyer": facts.buyer,
        "note": facts.note,
    }

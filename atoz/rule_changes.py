"""Applying a rule change the seller makes (`atoz policy set` / `unset`).

Amazon changes its pages without notice; a seller who reads a new rule records it with its
source and the day it applies from. Claims filed on or after that day are recomputed under it,
claims filed before keep the rule they were filed under, and every date that moves is reported
old -> new. An unset is recorded too: the log of local rules is append-only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from atoz.claims import moments, moved_between, refresh
from atoz.errors import InputError
from atoz.instants import Now
from atoz.policy import PolicyBook, check_local_value, marketplace_code, packaged
from atoz.records import Claim
from atoz.store import Store

MAX_SOURCE = 500


@dataclass(frozen=True)
class Moved:
    claim: Claim
    moved: dict[str, tuple[str, str]]


@dataclass(frozen=True)
class RuleChange:
    marketplace: str
    rule: str
    value: int | None  # None: unset
    effective_from: dt.date | None
    recomputed: int
    moved: list[Moved]


def _claims_from(store: Store, marketplace: str, since: dt.date | None) -> list[Claim]:
    return [Claim.from_row(r) for r in store.rows(
        "select * from claims where marketplace = ? and claim_date >= ? order by id",
        [marketplace, (since or dt.date.min).isoformat()])]


def _recompute(store: Store, before: PolicyBook, book: PolicyBook, marketplace: str,
               since: dt.date | None) -> tuple[int, list[Moved]]:
    """Recompute the claims filed from `since` under `book`; what moved, claim by claim."""
    moved = []
    claims = _claims_from(store, marketplace, since)
    for claim in claims:
        old = moments(claim, store.steps(claim.id), before)
        updated = refresh(store, book, claim.id)
        changes = moved_between(old, moments(updated, store.steps(updated.id), book))
        if changes:
            moved.append(Moved(updated, changes))
    return len(claims), moved


def set_rule(store: Store, marketplace: str, rule: str, value: str, source: str,
             effective_from: dt.date | None, now: Now) -> RuleChange:
    """Record a local rule and recompute the claims it applies to (inside a transaction)."""
    code = marketplace_code(marketplace)
    number = check_local_value(rule, value)
    text = source.strip()
    if not text or len(text) > MAX_SOURCE:
        raise InputError("source", source, "required: where the rule is written (a URL or the "
                                           "page's name), at most 500 characters")
    # Amazon changes a rule on its marketplace's day: while it is still the 27th in Los Angeles,
    # a seller in Shanghai's "today" (the 28th) would leave out the US claims filed on the 27th.
    start = effective_from or now.today_in(packaged(code).tz)
    before = PolicyBook(store.local_rules())
    store.add_local_rule(code, rule, number, text, start, now.recorded)
    count, moved = _recompute(store, before, PolicyBook(store.local_rules()), code, start)
    return RuleChange(code, rule, number, start, count, moved)


def unset_rule(store: Store, marketplace: str, rule: str, effective_from: dt.date | None,
               now: Now) -> RuleChange:
    """Take back local rules (all of that rule, or the one starting on `effective_from`)."""
    code = marketplace_code(marketplace)
    before = PolicyBook(store.local_rules())
    taken = [r for r in before.active(code) if r.rule == rule and (
        effective_from is None or r.effective_from == effective_from)]
    if not taken:
        raise InputError("rule", rule, f"no local {rule} rule is in force for {code}"
                         + (f" from {effective_from}" if effective_from else "")
                         + "; atoz policy lists them")
    store.add_local_rule(code, rule, None, "unset", effective_from, now.recorded)
    since = min(r.effective_from for r in taken)
    count, moved = _recompute(store, before, PolicyBook(store.local_rules()), code, since)
    return RuleChange(code, rule, None, effective_from, count, moved)

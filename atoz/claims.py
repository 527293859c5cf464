"""Claims: recording what happens to them, and the whole picture of one claim (the checking
of what a seller enters is atoz.facts).

Every change is a history entry; the claim's derived state (outcome, decision facts, window,
deadline, steps) is recomputed from the history in the same transaction, so what atoz shows is
always what the history says. Functions here take the store, the policy book and `now` as values,
and raise InputError naming the field (the CLI maps fields to its flags).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from atoz.derive import Derivation, derive, window_of
from atoz.errors import InputError, NotFoundError
from atoz.facts import (
    DATE_FIELDS,
    DECISION_FIELDS,
    FACT_FIELDS,
    check_facts,
    fact_texts,
    free_text,
    not_before_filing,
    parse_choice,
    parse_day,
    parse_odr,
)
from atoz.instants import Now, rfc3339
from atoz.orders import parse_order_id
from atoz.playbook import claim_moment, last_day
from atoz.policy import Policy, PolicyBook, packaged
from atoz.progress import NO_PROGRESS, Progress
from atoz.records import (
    Claim,
    ClaimFacts,
    Entry,
    HistoryEntry,
    HistoryKind,
    NewEntry,
    Odr,
    Outcome,
    Payer,
    Source,
    Step,
    StepName,
    StepState,
)
from atoz.schema import DERIVED
from atoz.store import Store
from atoz.windows import Window

MAX_ID = 2**63 - 1  # SQLite's largest integer: a larger claim id cannot exist
# The filing entry's detail when no marketplace was given and atoz took its default (US): a later
# source that knows the marketplace (Amazon's own e-mail) may then correct it.
MARKETPLACE_ASSUMED = "marketplace_assumed"


def day_on(text: str | None, now: Now, claim: Claim) -> dt.date:
    """The day something happened to a claim (`--on`): as typed, else today in its
    marketplace's zone."""
    tz = claim_tz(claim)
    if text:
        return parse_day(text, "on", now, tz)
    # Under `--today D` (the whole of D) a claim may be filed on a marketplace day that begins
    # after 00:00 of D: the default day is then that one, never before the filing.
    return max(now.today_in(tz), claim.facts.claim_date) if claim.facts.claim_date_known \
        else now.today_in(tz)


# --- finding a claim ---------------------------------------------------------------------------
def find_claim(store: Store, ref: str) -> Claim:
    """A claim by its number or by its order id (refusing to guess when several share one).
    NFKC first: a Chinese or Japanese keyboard types `１２` for 12."""
    text = unicodedata.normalize("NFKC", ref).strip()
    if text.isascii() and text.isdigit():
        found = store.claim(int(text)) if int(text) <= MAX_ID else None
        if found is None:
            raise NotFoundError(f"no claim {text}; `atoz list` shows the claims")
        return found
    try:
        order_id = parse_order_id(text, "claim")
    except InputError:
        if "-" in text:  # meant as an order id: its own message says what is wrong with it
            raise
        raise InputError("claim", ref, "neither a claim number (atoz list shows them) nor an "
                                       "Amazon order id (113-1234567-1234567)") from None
    claims = store.claims_for_order(order_id)
    if not claims:
        raise NotFoundError(f"no claim for order {order_id}; `atoz list` shows the claims")
    if len(claims) > 1:
        listed = ", ".join(f"{c.id} ({c.outcome}, filed {c.facts.claim_date})" for c in claims)
        raise InputError("claim", text, f"order has {len(claims)} claims: {listed}; give the "
                                        "claim number")
    return claims[0]


def reload(store: Store, claim_id: int) -> Claim:
    claim = store.claim(claim_id)
    if claim is None:
        raise NotFoundError(f"no claim {claim_id}")
    return claim


# --- derived state -----------------------------------------------------------------------------
def derivation(book: PolicyBook, facts: ClaimFacts, history: Sequence[Entry]
               ) -> Derivation:
    return derive(facts, history, book.policy(facts.marketplace, facts.claim_date))


def refresh(store: Store, book: PolicyBook, claim_id: int) -> Claim:
    """Recompute one claim's derived state from its facts and history."""
    claim = reload(store, claim_id)
    result = derivation(book, claim.facts, store.history(claim_id))
    store.save_derived(claim_id, result.derived, result.steps, result.decisions)
    return reload(store, claim_id)


def rebuild_all(store: Store, book: PolicyBook, progress: Progress = NO_PROGRESS) -> int:
    """Recompute every claim's derived state (after a migration or a rule change); returns how
    many claims. One ordered pass over claims and history, no query per claim."""
    from atoz.queries import claims_with_history

    count = 0
    progress.phase("recomputing deadlines", store.counts()["claims"], "claims")
    for claim, history in claims_with_history(store):
        result = derivation(book, claim.facts, history)
        store.save_derived(claim.id, result.derived, result.steps, result.decisions)
        count += 1
        progress.advance()
    store.set_meta("derived", DERIVED)
    return count


# --- recording -------------------------------------------------------------------------------
def add_claim(store: Store, book: PolicyBook, facts: ClaimFacts, now: Now, *,
              source: Source = Source.MANUAL, filed_note: str | None = None,
              filed_detail: Mapping[str, Any] | None = None) -> Claim:
    """Record a new claim, under review. Refuses a second open claim on one order."""
    open_claims = [c for c in store.claims_for_order(facts.order_id) if c.is_open]
    if open_claims:
        first = open_claims[0]
        raise InputError("order_id", facts.order_id,
                         f"already has open claim {first.id}; record its outcome first "
                         f"(atoz status {first.id} OUTCOME)")
    filing = NewEntry(HistoryKind.STATUS, facts.claim_date, now.recorded,
                      outcome=Outcome.UNDER_REVIEW, note=filed_note or facts.note or
                      "claim filed", detail=filed_detail)
    result = derivation(book, facts, [filing])
    claim_id = store.insert_claim(facts, source, now.recorded, result.derived)
    store.append(claim_id, filing)
    store.insert_steps(claim_id, result.steps, result.decisions)
    return reload(store, claim_id)


def record_outcome(store: Store, book: PolicyBook, claim_id: int, outcome: Outcome,
                   on: dt.date, now: Now, *, payer: Payer | None = None, odr: Odr | None = None,
                   note: str | None = None, detail: Mapping[str, Any] | None = None,
                   field_name: str = "outcome", day_field: str = "on",
                   correction: bool = False) -> Claim:
    """Record a new outcome (read inside the caller's write transaction).

    The last outcome recorded is the one in force, so one dated before it would bring an older
    state back (an old file imported again): refused, unless it is a `correction` (the outcome
    in force was recorded by mistake), which history marks as such."""
    claim = reload(store, claim_id)
    if outcome is claim.outcome:
        since = claim.decided_on or claim.facts.claim_date
        raise InputError(field_name, str(outcome),
                         f"claim {claim.id} is already {outcome} since {since}; to correct "
                         "that decision's day, who paid or its ODR count, see "
                         f"atoz edit {claim.id} --help")
    not_before_filing(on, claim.facts, day_field)
    in_force = in_force_since(claim, store.history(claim.id))
    if correction and in_force is None:
        raise InputError("correct", "", f"claim {claim.id} has no decision to correct; record "
                                        f"it without --correct")
    if in_force is not None and on < in_force and not correction:
        raise InputError(day_field, on.isoformat(),
                         f"is before the outcome in force ({claim.outcome} on {in_force}), which "
                         f"it would replace; if {claim.outcome} was recorded by mistake, "
                         f"record it with atoz status {claim.id} {outcome} --on {on} --correct")
    facts_detail = dict(detail or {})
    if payer is not None:
        facts_detail["payer"] = str(payer)
    if odr is not None:
        facts_detail["odr"] = str(odr)
    if correction:
        facts_detail["correction"] = True
    store.append(claim.id, NewEntry(HistoryKind.STATUS, on, now.recorded, outcome=outcome,
                                    note=free_text(note, "note"),
                                    detail=facts_detail or None))
    return refresh(store, book, claim.id)


def in_force_since(claim: Claim, history: Sequence[Entry]) -> dt.date | None:
    """The day the outcome in force was recorded for (as corrected by an edit); None while the
    claim has had no outcome but its filing."""
    if claim.outcome.decided:
        return claim.decided_on
    changes = [h.on for h in history if h.kind is HistoryKind.STATUS]
    return changes[-1] if len(changes) > 1 else None  # reopened under review on that day


def _step(claim: Claim, steps: Sequence[Step], name: str) -> Step:
    wanted = parse_choice(name, StepName, "step")
    for step in steps:
        if step.name is wanted:
            return step
    have = ", ".join(str(s.name) for s in steps) or "none"
    raise InputError("step", name, f"claim {claim.id} has no {wanted} step (it has: {have})")


def mark_step(store: Store, book: PolicyBook, claim_id: int, name: str, on: dt.date, now: Now,
              note: str | None, kind: HistoryKind) -> tuple[Claim, Step]:
    """Record a step as done (or, with kind SKIP, as deliberately not done)."""
    claim = reload(store, claim_id)
    step = _step(claim, store.steps(claim.id), name)
    if step.state in (StepState.DONE, StepState.SKIPPED):
        raise InputError("step", str(step.name), f"already {step.state} for claim {claim.id}"
                         + (f" on {step.done_on}" if step.done_on else ""))
    not_before_filing(on, claim.facts, "on")
    store.append(claim.id, NewEntry(kind, on, now.recorded, step=step.name,
                                    note=free_text(note, "note")))
    claim = refresh(store, book, claim.id)
    return claim, _step(claim, store.steps(claim.id), name)


@dataclass(frozen=True)
class Edit:
    claim: Claim
    changed: dict[str, tuple[Any, Any]]  # field: (old, new)
    moved: dict[str, tuple[str, str]]  # derived date: (old, new)
    notes: list[str]


def moments(claim: Claim, steps: Sequence[Step], book: PolicyBook) -> dict[str, str]:
    """Every date and instant atoz derives for a claim, by name: to show what a change moved."""
    tz = claim_tz(claim)
    found = {"window opens": str(claim.window_opens or "-"),
             "window closes": str(claim.window_closes or "-"),
             "response deadline": (rfc3339(claim.response_deadline, tz)
                                   if claim.facts.claim_date_known else "unknown")}
    reopen = reopen_until(claim, book.policy(claim.marketplace, claim.facts.claim_date))
    if reopen is not None:
        found["denial may reopen until"] = reopen.isoformat()
    for step in steps:
        if step.state is StepState.OPEN:
            found[f"{step.name} due"] = step.due.isoformat()
            found[f"{step.name} deadline"] = rfc3339(step.deadline, tz)
    return found


def claim_tz(claim: Claim) -> dt.tzinfo:
    return packaged(claim.marketplace).tz


def moved_between(before: Mapping[str, str], after: Mapping[str, str]) -> dict[str, tuple[str,
                                                                                          str]]:
    return {name: (old, after[name]) for name, old in before.items()
            if name in after and after[name] != old}


def edit_claim(store: Store, book: PolicyBook, claim_id: int, changes: Mapping[str, str | None],
               now: Now, note: str | None = None) -> Edit:
    """Correct a claim's facts or its decision's facts, reading the claim inside the caller's
    write transaction (so a concurrent edit is never lost and history's "old" is what was
    really there). Returns what changed and every derived date that moved."""
    claim = reload(store, claim_id)
    given = {k: v for k, v in changes.items() if v is not None}
    unknown = set(given) - set(FACT_FIELDS) - set(DECISION_FIELDS)
    if unknown:
        raise InputError("edit", ", ".join(sorted(unknown)), "not a field atoz can correct")
    merged = {**fact_texts(claim.facts), **{k: v for k, v in given.items() if k in FACT_FIELDS}}
    # Only what the seller gives now is checked as new; the rest was accepted before, except
    # the days when the marketplace moves: they are read again as the new marketplace's days.
    kept = set(FACT_FIELDS) - set(given)
    if "marketplace" in given:
        kept -= set(DATE_FIELDS)
    try:
        checked = check_facts(merged, now, claim.facts.claim_date_known or "claim_date" in given,
                              recorded=kept)
    except InputError as exc:
        if "marketplace" not in given or exc.field not in DATE_FIELDS or exc.field in given:
            raise
        raise InputError(exc.field, exc.value, f"{exc.problem} (the claim's {exc.field} read "
                         f"as a day of the new marketplace; give it with the move)") from None
    facts = checked.facts
    if "claim_date" in given:
        facts = replace(facts, claim_date_known=True)
    history = store.history(claim.id)
    decisions_on = [h.on for h in history if h.kind is HistoryKind.STATUS and h.outcome and
                    h.outcome.decided and h.on]
    if decisions_on and facts.claim_date > min(decisions_on) and "claim_date" in given:
        raise InputError("claim_date", given["claim_date"] or "",
                         f"is after the claim's first decision on {min(decisions_on)}")
    changed: dict[str, tuple[Any, Any]] = {}
    old_texts, new_texts = fact_texts(claim.facts), fact_texts(facts)
    for name in FACT_FIELDS:
        if old_texts.get(name) != new_texts.get(name):
            changed[name] = (old_texts.get(name), new_texts.get(name))
    changed.update(_decision_changes(claim, given, now))
    if not changed:
        raise InputError("edit", "", "nothing to change; give at least one new value")
    before = moments(claim, store.steps(claim.id), book)
    if facts != claim.facts:
        store.update_facts(claim.id, facts)
    store.append(claim.id, NewEntry(
        HistoryKind.EDIT, now.today, now.recorded, note=free_text(note, "note"),
        detail={k: {"old": o, "new": n} for k, (o, n) in changed.items()}))
    if claim.source in (Source.FINANCE, Source.EMAIL) and "claim_date" in changed:
        store.set_source(claim.id, Source.MANUAL)  # the real filing date is known now
    updated = refresh(store, book, claim.id)
    moved = moved_between(before, moments(updated, store.steps(updated.id), book))
    return Edit(updated, changed, moved, checked.notes)


def _decision_changes(claim: Claim, given: Mapping[str, str], now: Now
                      ) -> dict[str, tuple[Any, Any]]:
    wanted = {k: given[k] for k in DECISION_FIELDS if k in given}
    if not wanted:
        return {}
    if not claim.outcome.decided:
        raise InputError(next(iter(wanted)), next(iter(wanted.values())),
                         f"claim {claim.id} has no decision yet; record one with atoz status "
                         f"{claim.id} OUTCOME")
    changes: dict[str, tuple[Any, Any]] = {}
    if "decided_on" in wanted:
        on = parse_day(wanted["decided_on"], "decided_on", now, claim_tz(claim))
        not_before_filing(on, claim.facts, "decided_on", wanted["decided_on"])
        if on != claim.decided_on:
            changes["decided_on"] = (str(claim.decided_on), on.isoformat())
    if "payer" in wanted:
        payer: Payer = parse_choice(wanted["payer"], Payer, "payer")
        if payer is not claim.payer:
            changes["payer"] = (str(claim.payer) if claim.payer else None, str(payer))
    if "odr" in wanted:
        odr = parse_odr(wanted["odr"])
        if odr is not claim.odr:
            changes["odr"] = (str(claim.odr), str(odr))
    return changes


def debited_on(store: Store, claim_id: int, day: dt.date) -> bool:
    """Whether a debit of that day is already recorded on the claim (imported again)."""
    return any(h.kind is HistoryKind.DEBIT and h.on == day for h in store.history(claim_id))


def record_debit(store: Store, book: PolicyBook, claim_id: int, amount_minor: int | None,
                 currency: str | None, posted: dt.date, now: Now, note: str) -> Claim:
    """Amazon debited the seller for the claim: a money fact. It says nothing of the ODR, so a
    claim still under review becomes a seller-funded grant with the policy's default ODR
    reading, and a decision already recorded (with its ODR choice) is left as it is."""
    claim = reload(store, claim_id)
    store.append(claim.id, NewEntry(
        HistoryKind.DEBIT, posted, now.recorded, note=note,
        detail={"amount_minor": amount_minor if amount_minor is not None else
                claim.facts.amount_minor or 0, "currency": currency or claim.facts.currency}))
    if claim.is_open:
        return record_outcome(store, book, claim.id, Outcome.GRANTED_SELLER_FUNDED, posted, now,
                              payer=Payer.SELLER, note=note)
    return refresh(store, book, claim.id)


def record_appeal_result(store: Store, book: PolicyBook, claim_id: int, won: bool,
                         reversed_facts: Sequence[str], on: dt.date, now: Now,
                         note: str | None) -> Claim:
    """An appeal's result: won, it may reverse the money, the ODR or both (G202041210: "either
    the cost of the refund or the impact to your ODR may be reversed"); both stay in history."""
    claim = reload(store, claim_id)
    if claim.outcome is not Outcome.GRANTED_SELLER_FUNDED:
        raise InputError("claim", str(claim.id), f"is {claim.outcome}: only a seller-funded "
                                                 "grant is appealed")
    history = store.history(claim.id)
    first = appeal_result(history)
    if first is not None:  # a grant is appealed once; history keeps the result it has
        raise InputError("result", "won" if won else "lost",
                         f"claim {claim.id}'s appeal already has its result: "
                         f"{'won' if (first.detail or {}).get('won') else 'lost'} on "
                         f"{first.on}")
    store.append(claim.id, NewEntry(
        HistoryKind.APPEAL_RESULT, on, now.recorded, note=free_text(note, "note"),
        detail={"won": won, "reversed": list(reversed_facts) if won else []}))
    if not any(h.kind is HistoryKind.DONE and h.step is StepName.APPEAL for h in history):
        store.append(claim.id, NewEntry(HistoryKind.DONE, on, now.recorded,
                                        step=StepName.APPEAL, note="appeal decided"))
    return refresh(store, book, claim.id)


def appeal_result(history: Sequence[HistoryEntry]) -> HistoryEntry | None:
    """The result recorded for the appeal of the claim's latest seller-funded grant, if any."""
    found = None
    for entry in history:
        if entry.kind is HistoryKind.STATUS and entry.outcome is Outcome.GRANTED_SELLER_FUNDED:
            found = None  # a new grant opens a new appeal
        elif entry.kind is HistoryKind.APPEAL_RESULT:
            found = entry
    return found


def record_info_request(store: Store, book: PolicyBook, claim_id: int, at: dt.datetime,
                        now: Now, note: str, detail: Mapping[str, Any] | None = None) -> Claim:
    claim = reload(store, claim_id)
    tz = claim_tz(claim)
    store.append(claim.id, NewEntry(
        HistoryKind.INFO_REQUEST, at.astimezone(tz).date(), now.recorded, note=note,
        detail={**(detail or {}), "at": at.astimezone(dt.UTC).isoformat()}))
    return refresh(store, book, claim.id)


def marketplace_assumed(history: Sequence[HistoryEntry]) -> bool:
    """Whether the claim's marketplace is still the default atoz took when none was given (no
    edit has set it since)."""
    if not history or not (history[0].detail or {}).get(MARKETPLACE_ASSUMED):
        return False
    return not any(h.kind is HistoryKind.EDIT and "marketplace" in (h.detail or {})
                   for h in history)


def claim_instant(claim: Claim) -> dt.datetime:
    return claim_moment(claim.facts.claim_date, claim.facts.claim_time, claim_tz(claim))


# --- the whole picture of one claim ------------------------------------------------------------
def picture(store: Store, book: PolicyBook, claim: Claim) -> ClaimPicture:
    history = store.history(claim.id)
    policy = book.policy(claim.marketplace, claim.facts.claim_date)
    return ClaimPicture(claim, history, store.steps(claim.id), policy,
                        window_of(claim.facts, policy))


@dataclass(frozen=True)
class ClaimPicture:
    """Everything about one claim, as `atoz status` shows it and the drafts read it."""

    claim: Claim
    history: list[HistoryEntry]
    steps: list[Step]
    policy: Policy
    window: Window | None

    @property
    def appeal_until(self) -> dt.date | None:
        for step in self.steps:
            if step.name is StepName.APPEAL:
                return last_day(step.deadline, self.policy.tz)
        return None

    @property
    def reopen_until(self) -> dt.date | None:
        return reopen_until(self.claim, self.policy)


def reopen_until(claim: Claim, policy: Policy) -> dt.date | None:
    """A denial is not final for 30 days: the buyer may appeal it until this day."""
    if claim.outcome is Outcome.DENIED and claim.decided_on:
        return claim.decided_on + dt.timedelta(days=policy.days("buyer_appeal_days"))
    return None

"""Amazon's claim e-mails in: each notice read from a message (atoz.imports.mail) becomes a fact
on a claim, with the message as its source.

- A new claim creates the claim, or completes the one already there for that order; the claim
  moment is the message's `Date` in the marketplace's zone, so the response deadline is exact.
- An information request sets its own deadline from that message's moment.
- A decision records the outcome on the message's day (its money and ODR facts by the policy's
  default); for a claim not yet recorded it creates one whose filing date is unknown, and says so.
- A message already read (its Message-ID is remembered) changes nothing; one not recognised is
  listed with its date and subject, never guessed. Nothing of a message is kept beyond its ids,
  date, subject and the facts read: no buyer address, no body.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from atoz.claims import (
    add_claim,
    edit_claim,
    record_info_request,
    record_outcome,
)
from atoz.errors import InputError
from atoz.imports.common import ImportOptions, ImportResult
from atoz.imports.mail import read_notices
from atoz.imports.notices import BadMessage, Notice, NoticeKind
from atoz.imports.rejects import Rejects
from atoz.instants import wall_text
from atoz.money import parse_amount
from atoz.policy import packaged
from atoz.records import Claim, ClaimFacts, Odr, Outcome, Reason, Source
from atoz.store import Store


def message_key(notice: Notice) -> str:
    """What identifies a message when it is read again: its Message-ID, else a digest of its
    sender, date and subject (a message saved without one)."""
    # A forward's own Message-ID would differ from Amazon's original (and one forward may carry
    # several notices): the inner one identifies the notice.
    if notice.inner_message_id:
        return notice.inner_message_id
    if notice.message_id:
        return notice.message_id
    seen = f"{notice.sender}|{notice.sent_at.isoformat()}|{notice.subject}"
    return "atoz-digest:" + hashlib.sha256(seen.encode("utf-8", "replace")).hexdigest()[:32]


def provenance(notice: Notice) -> str:
    """How history says where a fact came from."""
    tz = packaged(notice.marketplace or "US").tz
    said = f"from e-mail of {wall_text(notice.sent_at, tz)}"
    if notice.message_id or notice.inner_message_id:
        said += f", Message-ID {notice.inner_message_id or notice.message_id}"
    if notice.forwarded_by:
        said += f", forwarded by {notice.forwarded_by}"
    if notice.date_note:
        said += f" ({notice.date_note})"
    return said


def _amount(notice: Notice) -> tuple[int | None, str | None]:
    if notice.amount is None or notice.currency is None:
        return None, notice.currency
    return parse_amount(notice.amount, notice.currency, "amount"), notice.currency


def _facts(store: Store, notice: Notice, known: bool) -> ClaimFacts:
    """A claim's facts from a notice (and from the imported order, when there is one)."""
    assert notice.order_id is not None and notice.marketplace is not None
    policy = packaged(notice.marketplace)
    local = notice.sent_at.astimezone(policy.tz)
    order = store.order(notice.order_id)
    amount, currency = _amount(notice)
    dated = order is not None and order.latest_delivery is not None
    return ClaimFacts(
        order_id=notice.order_id, marketplace=policy.marketplace,
        order_date=order.purchase_date if order and dated else None,
        latest_delivery=order.latest_delivery if order and dated else None,
        claim_date=local.date(), claim_time=local.time().replace(microsecond=0) if known
        else None, claim_date_known=known, amount_minor=amount,
        currency=currency or policy.currency, reason=Reason.OTHER)


def _target(store: Store, notice: Notice) -> Claim | None:
    """The order's claim a notice is about: the open one, else the latest filed by then."""
    assert notice.order_id is not None
    claims = store.claims_for_order(notice.order_id)
    open_claims = [c for c in claims if c.is_open]
    if open_claims:
        return open_claims[-1]
    day = notice.sent_at.astimezone(packaged(notice.marketplace or "US").tz).date()
    earlier = [c for c in claims if c.facts.claim_date <= day]
    return max(earlier, key=lambda c: (c.facts.claim_date, c.id)) if earlier else None


def _new_claim(store: Store, notice: Notice, options: ImportOptions) -> tuple[str, Claim]:
    said = provenance(notice)
    target = _target(store, notice)
    facts = _facts(store, notice, known=True)
    if target is not None and (target.is_open or not target.facts.claim_date_known):
        changes: dict[str, str | None] = {}
        moment = f"{facts.claim_date} {facts.claim_time}"
        if (target.facts.claim_date, target.facts.claim_time) != (facts.claim_date,
                                                                  facts.claim_time):
            changes["claim_date"] = moment
        if target.facts.amount_minor is None and notice.amount:
            changes["amount"], changes["currency"] = notice.amount, notice.currency
        if not changes:
            return "unchanged", target
        edit = edit_claim(store, options.book, target.id, changes, options.now, note=said)
        if target.source in (Source.FINANCE, Source.EMAIL):
            store.set_source(target.id, Source.EMAIL)
        return "updated", edit.claim
    return "added", add_claim(store, options.book, facts, options.now, source=Source.EMAIL,
                              filed_note=f"claim filed ({said})")


def _stand_in(store: Store, notice: Notice, options: ImportOptions, why: str) -> Claim:
    """A claim Amazon decided (or asked about) before atoz knew of it: its filing date is
    unknown, the message's day stands in for it."""
    return add_claim(store, options.book, _facts(store, notice, known=False), options.now,
                     source=Source.EMAIL,
                     filed_note=f"the filing date is unknown: {why} ({provenance(notice)})")


def _decision(store: Store, notice: Notice, options: ImportOptions) -> tuple[str, Claim]:
    assert notice.outcome is not None
    outcome = Outcome(str(notice.outcome))
    policy = packaged(notice.marketplace or "US")
    day = notice.sent_at.astimezone(policy.tz).date()
    target = _target(store, notice)
    state = "updated"
    if target is None:
        target = _stand_in(store, notice, options, "created from a decision e-mail")
        state = "added"
    elif target.outcome is outcome:
        return "unchanged", target
    claim = record_outcome(store, options.book, target.id, outcome,
                           max(day, target.facts.claim_date), options.now,
                           odr=Odr.NOT_COUNTED if notice.odr_not_counted else None,
                           note=provenance(notice), detail={"message_id": message_key(notice)})
    return state, claim


def _info_request(store: Store, notice: Notice, options: ImportOptions) -> tuple[str, Claim]:
    target = _target(store, notice)
    state = "updated"
    if target is None:
        target = _stand_in(store, notice, options, "created from an information request")
        state = "added"
    claim = record_info_request(store, options.book, target.id, notice.sent_at, options.now,
                                f"Amazon asked for information ({provenance(notice)})",
                                {"message_id": message_key(notice)})
    return state, claim


def import_mail(store: Store, path: Path, options: ImportOptions) -> ImportResult:
    result = ImportResult("email")
    told: list[str] = []
    unrecognised: list[str] = []
    progress = options.progress
    progress.phase("reading messages", None, "messages")
    scan = read_notices(path, seller_zone=options.now.zone, forwarders=options.forwarders)
    with Rejects(None, options) as rejects, rejects.transaction(store):
        for item in scan:
            progress.advance()
            if isinstance(item, BadMessage):
                if rejects.target is None:  # its place already names the file
                    raise item.error()
                rejects.bad(item.where, InputError("message", "", item.problem),
                            {"message": item.where})
                result.skipped += 1
                continue
            key = message_key(item)
            when = item.sent_at.isoformat(timespec="minutes")
            if item.kind is NoticeKind.UNRECOGNISED or not item.order_id or \
                    not item.marketplace:
                unrecognised.append(f"{item.where}: {when} {item.subject!r}: not recognised"
                                    + (f" ({item.reason})" if item.reason else ""))
                result.skipped += 1
                continue
            if store.message_seen(key):
                result.unchanged += 1
                continue
            apply = {NoticeKind.NEW_CLAIM: _new_claim, NoticeKind.DECISION: _decision,
                     NoticeKind.INFO_REQUEST: _info_request}[item.kind]
            state, claim = apply(store, item, options)
            store.remember_message(key, claim.id, str(item.kind), item.sent_at, item.subject,
                                   options.now.recorded)
            setattr(result, state, getattr(result, state) + 1)
            if state != "unchanged":
                told.append(f"{item.where}: {item.kind} for order {item.order_id}: claim "
                            f"{claim.id} {state}")
    result.notes.append(scan.summary())
    result.tell(told)
    result.notes.extend(unrecognised[:20])
    if len(unrecognised) > 20:
        result.notes.append(f"... and {len(unrecognised) - 20} more not recognised")
    if note := rejects.note():
        result.notes.append(note)
    return result


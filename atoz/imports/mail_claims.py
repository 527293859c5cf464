"""Amazon's claim e-mails in: each notice read from a message (atoz.imports.mail) becomes a fact
on a claim, with the message as its source.

- A new claim creates the claim, or completes the one already there for that order; the claim
  moment is the message's `Date` (an instant), so the response deadline is exact. It only ever
  moves a recorded moment earlier (or gives a missing time): a later one is a reminder.
- An information request sets its own deadline from that message's moment.
- A decision records the outcome on the message's day (its money and ODR facts by the policy's
  default); for a claim not yet recorded it creates one whose filing date is unknown, and says so.
  Decisions and requests are about a claim filed by then, never a later one.
- The e-mail's marketplace corrects one atoz assumed; one the seller gave and the e-mail
  contradicts refuses the message, as any fact that cannot be applied does (with `--skip-bad`,
  it is skipped and written to REJECTS). A message dated after now is not applied.
- A message already read (its Message-ID is remembered) changes nothing; one not recognised is
  listed with its date and subject, never guessed. Nothing of a message is kept beyond its ids,
  date, subject and the facts read: no buyer address, no body.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from atoz.claims import (
    add_claim,
    claim_instant,
    claim_tz,
    edit_claim,
    in_force_since,
    marketplace_assumed,
    record_info_request,
    record_outcome,
)
from atoz.dates import pinned_time
from atoz.errors import FileFormatError, InputError
from atoz.imports.common import ImportOptions, ImportResult
from atoz.imports.mail import read_notices
from atoz.imports.notices import BadMessage, Notice, NoticeKind
from atoz.imports.rejects import Rejects
from atoz.instants import moment_text, two_zones, wall_text
from atoz.money import parse_amount
from atoz.playbook import claim_moment
from atoz.policy import currency_after_move, packaged
from atoz.records import Claim, ClaimFacts, Odr, Reason, Source
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


@dataclass(frozen=True)
class Applied:
    """What one notice did to its claim, and what the import summary should add about it."""

    state: str  # "added", "updated" or "unchanged"
    claim: Claim
    told: list[str] = field(default_factory=list)  # indented lines: what moved, what was kept


def _facts(store: Store, notice: Notice, known: bool) -> ClaimFacts:
    """A claim's facts from a notice (and from the imported order, when there is one)."""
    assert notice.order_id is not None and notice.marketplace is not None
    policy = packaged(notice.marketplace)
    local = notice.sent_at.astimezone(policy.tz).replace(microsecond=0)
    order = store.order(notice.order_id)
    amount, currency = _amount(notice)
    dated = order is not None and order.latest_delivery is not None
    return ClaimFacts(
        order_id=notice.order_id, marketplace=policy.marketplace,
        order_date=order.purchase_date if order and dated else None,
        latest_delivery=order.latest_delivery if order and dated else None,
        claim_date=local.date(), claim_time=pinned_time(local, policy.tz) if known else None,
        claim_date_known=known, amount_minor=amount,
        currency=currency or policy.currency, reason=Reason.OTHER)


def _day(notice: Notice, claim: Claim) -> dt.date:
    """The notice's day in the claim's marketplace."""
    return notice.sent_at.astimezone(claim_tz(claim)).date()


def _about(store: Store, notice: Notice) -> Claim | None:
    """The claim a decision or an information request is about: one filed by the notice's
    moment (never one filed after it: that is another claim on the same order), the open one
    first, else the latest filed. A claim whose filing date is unknown may have been filed by
    then; it comes after those known to have been."""
    assert notice.order_id is not None
    claims = [c for c in store.claims_for_order(notice.order_id)
              if not c.facts.claim_date_known or claim_instant(c) <= notice.sent_at]
    if not claims:
        return None
    return max(claims, key=lambda c: (c.facts.claim_date_known or c.facts.claim_date <=
                                      _day(notice, c), c.is_open, c.facts.claim_date, c.id))


def _filed_by(store: Store, notice: Notice) -> Claim | None:
    """The recorded claim whose filing a new-claim notice reports: one filed that day; else one
    whose filing date is unknown and whose stand-in day is not before the notice's (the decision
    or request that created it came after the filing); else the order's open claim when it was
    filed by then (Amazon's reminders repeat the notice) or is the order's only claim (typed
    with a later day). None: a claim atoz has not recorded."""
    assert notice.order_id is not None
    claims = store.claims_for_order(notice.order_id)
    same = [c for c in claims if c.facts.claim_date_known and
            c.facts.claim_date == _day(notice, c)]
    unknown = [c for c in claims if not c.facts.claim_date_known and
               c.facts.claim_date >= _day(notice, c)]
    for found in (same, unknown):
        if found:
            return max(found, key=lambda c: (c.is_open, c.id))
    open_claims = [c for c in claims if c.is_open]
    if open_claims and (len(claims) == 1 or claim_instant(open_claims[-1]) <= notice.sent_at):
        return open_claims[-1]
    return None


def _marketplace_fix(store: Store, claim: Claim, notice: Notice
                     ) -> tuple[dict[str, str | None], list[str]]:
    """The correction that makes the claim's marketplace the e-mail's: none when they agree; the
    e-mail's when the claim's was only assumed (none was given). Raises InputError naming both
    when the seller gave another one: which is right is theirs to say."""
    assert notice.marketplace is not None
    if notice.marketplace == claim.marketplace:
        return {}, []
    policy = packaged(notice.marketplace)
    if not marketplace_assumed(store.history(claim.id)):
        raise InputError("marketplace", notice.marketplace, (
            f"the e-mail is from {policy.name}, but claim {claim.id} is recorded in "
            f"{claim.marketplace} ({packaged(claim.marketplace).name}); if the e-mail is "
            f"right: atoz edit {claim.id} --marketplace {policy.marketplace}, then import it "
            "again"))
    changes: dict[str, str | None] = {"marketplace": policy.marketplace}
    if notice.amount:  # Amazon's amount, in the marketplace's money
        changes["amount"], changes["currency"] = notice.amount, notice.currency
    elif claim.facts.amount_minor is None:
        changes["currency"] = notice.currency or policy.currency
    elif moved := currency_after_move(claim.facts.currency, claim.marketplace,
                                      policy.marketplace):
        changes["currency"] = moved
    return changes, [f"  marketplace {claim.marketplace} -> {policy.marketplace} (from the "
                     f"e-mail; {claim.marketplace} was assumed, none was given)"]


def _edit_note(notice: Notice, changes: Mapping[str, str | None]) -> str:
    said = provenance(notice)
    if "marketplace" in changes:
        said += "; the marketplace was assumed (none was given): the e-mail's is taken"
    return said


def _new_claim(store: Store, notice: Notice, options: ImportOptions) -> Applied:
    target = _filed_by(store, notice)
    if target is None:
        _refuse_before_open(store, notice, "reports a claim")
        return Applied("added", add_claim(
            store, options.book, _facts(store, notice, known=True), options.now,
            source=Source.EMAIL, filed_note=f"claim filed ({provenance(notice)})"))
    changes, told = _marketplace_fix(store, target, notice)
    tz = packaged(changes.get("marketplace") or target.marketplace).tz
    facts = target.facts
    recorded = claim_moment(facts.claim_date, facts.claim_time, tz)
    moment = notice.sent_at
    filling = moment.astimezone(tz).date() == facts.claim_date and (
        facts.claim_time is None or not facts.claim_date_known)
    # Only ever earlier: a later "new claim" e-mail is a reminder (Amazon's "Action required"),
    # and taking its moment would put the response deadline late.
    if moment < recorded or (filling and moment != recorded):
        changes["claim_date"] = moment.isoformat(timespec="seconds")  # the instant itself
    elif moment > recorded:
        told.append(f"  kept the earlier moment {_wall(facts, tz)} (e-mail: "
                    f"{wall_text(moment, tz)})")
    if facts.amount_minor is None and notice.amount:
        changes["amount"], changes["currency"] = notice.amount, notice.currency
    if not changes:
        return Applied("unchanged", target, told)
    edit = edit_claim(store, options.book, target.id, changes, options.now,
                      note=_edit_note(notice, changes))
    if target.source in (Source.FINANCE, Source.EMAIL):
        store.set_source(target.id, Source.EMAIL)
    if "claim_date" in edit.changed:
        old, new = edit.changed["claim_date"]
        how = ("the filing moment from the e-mail" if not facts.claim_date_known else
               "the time from the e-mail" if moment >= recorded else "moved earlier")
        told.append(f"  filed {old} -> {moment_text(claim_instant(edit.claim), tz)} ({how})")
        told.append("  respond by "
                    + two_zones(edit.claim.response_deadline, options.now.zone, tz))
    return Applied("updated", edit.claim, told)


def _wall(facts: ClaimFacts, tz: dt.tzinfo) -> str:
    """A claim's recorded moment as the summary shows it: `2026-11-15 14:30 PST`, or its day."""
    if facts.claim_time is None:
        return facts.claim_date.isoformat()
    return wall_text(claim_moment(facts.claim_date, facts.claim_time, tz), tz)


def _refuse_before_open(store: Store, notice: Notice, what: str) -> None:
    """A notice about a claim filed before the order's open claim (which is not it, see
    _filed_by and _about): a second claim cannot be opened beside it, so say which claim to
    correct if it is the same one."""
    assert notice.order_id is not None
    for claim in store.claims_for_order(notice.order_id):
        if claim.is_open:
            raise InputError("claim", str(claim.id), (
                f"the e-mail {what} filed by {wall_text(notice.sent_at, claim_tz(claim))}, "
                f"but open claim {claim.id} on this order was filed {claim.facts.filed_text}; "
                f"if it is that claim, correct its date (atoz edit {claim.id} --claim-date D) "
                "and import the e-mail again"))


def _stand_in(store: Store, notice: Notice, options: ImportOptions, why: str) -> Claim:
    """A claim Amazon decided (or asked about) before atoz knew of it: its filing date is
    unknown, the message's day stands in for it."""
    return add_claim(store, options.book, _facts(store, notice, known=False), options.now,
                     source=Source.EMAIL,
                     filed_note=f"the filing date is unknown: {why} ({provenance(notice)})")


def _agreeing(store: Store, claim: Claim, notice: Notice, options: ImportOptions
              ) -> tuple[Claim, list[str]]:
    """The claim with the e-mail's marketplace (see _marketplace_fix)."""
    changes, told = _marketplace_fix(store, claim, notice)
    if changes:
        claim = edit_claim(store, options.book, claim.id, changes, options.now,
                           note=_edit_note(notice, changes)).claim
    return claim, told


def _decision(store: Store, notice: Notice, options: ImportOptions) -> Applied:
    outcome = notice.outcome
    assert outcome is not None
    target = _about(store, notice)
    if target is None:
        _refuse_before_open(store, notice, "decides a claim")
        claim = _stand_in(store, notice, options, "created from a decision e-mail")
        state: str = "added"
        told: list[str] = []
    else:
        claim, told = _agreeing(store, target, notice, options)
        state = "updated"
        if claim.outcome is outcome:
            return Applied("updated" if told else "unchanged", claim, told)
        day = _day(notice, claim)  # its own day, not raised to a stand-in filing day
        since = in_force_since(claim, store.history(claim.id))
        if since is not None and day < since:
            # An older decision (a second copy, a late forward): the one recorded since stands.
            told.append(f"  kept {claim.outcome} since {since}: this e-mail's decision "
                        f"({outcome} on {day}) came before it")
            return Applied("updated" if len(told) > 1 else "unchanged", claim, told)
    claim = record_outcome(store, options.book, claim.id, outcome,
                           max(_day(notice, claim), claim.facts.claim_date), options.now,
                           odr=Odr.NOT_COUNTED if notice.odr_not_counted else None,
                           note=provenance(notice), detail={"message_id": message_key(notice)})
    return Applied(state, claim, told)


def _info_request(store: Store, notice: Notice, options: ImportOptions) -> Applied:
    target = _about(store, notice)
    told: list[str] = []
    if target is None:
        _refuse_before_open(store, notice, "asks about a claim")
        target = _stand_in(store, notice, options, "created from an information request")
        state = "added"
    else:
        target, told = _agreeing(store, target, notice, options)
        state = "updated"
    claim = record_info_request(store, options.book, target.id, notice.sent_at, options.now,
                                f"Amazon asked for information ({provenance(notice)})",
                                {"message_id": message_key(notice)})
    return Applied(state, claim, told)


def import_mail(store: Store, path: Path, options: ImportOptions) -> ImportResult:
    result = ImportResult("email")
    told: list[str] = []
    listed: list[str] = []  # messages not recognised, or recognised and refused
    tally = Counter[str]()  # why messages were skipped, as the summary counts them
    untrusted: set[str] = set()  # forwarders not in the list
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
                tally["unreadable"] += 1
                continue
            key = message_key(item)
            if item.kind is NoticeKind.UNRECOGNISED or not item.order_id or \
                    not item.marketplace:
                listed.append(_listed(item, "not recognised", item.reason))
                tally["not recognised"] += 1
                if item.forwarded_by and item.forwarded_by not in options.forwarders:
                    untrusted.add(item.forwarded_by)
                continue
            if store.message_seen(key):
                result.unchanged += 1
                continue
            if item.sent_at > options.now.horizon:  # as `add` refuses a claim not filed yet
                tz = packaged(item.marketplace).tz
                listed.append(_listed(item, "refused", f"dated in the future: it is "
                                      f"{wall_text(options.now.at, tz)} there"))
                tally["refused"] += 1
                continue
            apply = {NoticeKind.NEW_CLAIM: _new_claim, NoticeKind.DECISION: _decision,
                     NoticeKind.INFO_REQUEST: _info_request}[item.kind]
            try:
                with store.transaction():  # a savepoint: a refused message leaves nothing
                    applied = apply(store, item, options)
                    store.remember_message(key, applied.claim.id, str(item.kind), item.sent_at,
                                           item.subject, options.now.recorded)
            except InputError as exc:
                problem = f"{item.kind} for order {item.order_id}: {exc}"
                if rejects.target is None:
                    raise FileFormatError(f"{item.where}: {problem}") from None
                rejects.bad(item.where, InputError("message", "", problem),
                            {"message": item.where, "order_id": item.order_id})
                listed.append(_listed(item, "refused", str(exc)))
                tally["refused"] += 1
                continue
            setattr(result, applied.state, getattr(result, applied.state) + 1)
            if applied.state != "unchanged" or applied.told:
                told.append(f"{item.where}: {item.kind} for order {item.order_id}: claim "
                            f"{applied.claim.id} {applied.state}")
                told.extend(applied.told)
    result.skipped = sum(tally.values())
    result.notes.append(scan.summary())
    result.tell(told)
    result.notes.extend(listed[:20])
    if len(listed) > 20:
        result.notes.append(f"... and {len(listed) - 20} more not recognised or refused")
    if result.skipped:
        result.notes.append(f"{result.skipped} skipped: " + ", ".join(
            f"{tally[why]} {why}" for why in ("not recognised", "refused", "unreadable")
            if tally[why]))
    if untrusted:
        addresses = ",".join(sorted(options.forwarders | untrusted))  # the option replaces
        whose = "is yours" if len(untrusted) == 1 else "are yours"
        result.notes.append(f"if {' and '.join(sorted(untrusted))} {whose}, import again with "
                            f"--forwarders {addresses}")
    if note := rejects.note():
        result.notes.append(note)
    return result


def _listed(notice: Notice, what: str, why: str) -> str:
    """`claims.mbox: message 3: 2026-11-24T14:30-08:00 'Claim received ...': not recognised
    (why)`: a message the import did not apply, with its date and subject."""
    when = notice.sent_at.isoformat(timespec="minutes")
    return f"{notice.where}: {when} {notice.subject!r}: {what}" + (f" ({why})" if why else "")

"""Records as JSON: the one contract every `--json` output and the JSON export follow
(docs/json.md). Built from the records here and nowhere else.

Every deadline is RFC 3339 with seconds and the marketplace's offset, with `*_local` beside it
in the seller's zone; every amount is a decimal string with its `currency` and an `*_minor`
integer; dates are ISO days; outcomes, steps and states are the StrEnum values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from atoz import __version__
from atoz.agenda import Item, Urgency
from atoz.claims import ClaimPicture, Edit
from atoz.exposure import Exposure, Tally
from atoz.instants import Now, left_text, rfc3339, seconds_between
from atoz.money import decimal_text
from atoz.odr import NOTE as ODR_NOTE
from atoz.odr import Counted, Ledger, MarketLedger
from atoz.playbook import STEP_WORDS, last_day, overdue
from atoz.policy import LocalRule, Policy, Reading, packaged
from atoz.records import Claim, HistoryEntry, Order, Step, StepState, iso
from atoz.report import WeeklyReport, WinRate
from atoz.weeks import week_of
from atoz.windows import Filing, Window, classify_filing

if TYPE_CHECKING:  # the modules of single commands, loaded only by them
    from atoz.backup import Contents
    from atoz.imports.common import ImportResult
    from atoz.intake import Added
    from atoz.rule_changes import RuleChange

Json = dict[str, Any]


def money(amount_minor: int | None, currency: str | None, prefix: str = "") -> Json:
    """`amount` (decimal text), `amount_minor` (integer) and `currency`, as the contract says."""
    key = f"{prefix}amount"
    return {key: decimal_text(amount_minor, currency) if amount_minor is not None and currency
            else None, f"{key}_minor": amount_minor, f"{prefix}currency": currency}


def totals_json(sums: Mapping[str, int]) -> list[Json]:
    return [money(value, currency) for currency, value in sorted(sums.items())]


def market_tz(marketplace: str) -> dt.tzinfo:
    return packaged(marketplace).tz


def deadline_json(instant: dt.datetime | None, marketplace: str, now: Now,
                  key: str = "deadline") -> Json:
    if instant is None:
        return {key: None, f"{key}_local": None}
    return {key: rfc3339(instant, market_tz(marketplace)),
            f"{key}_local": rfc3339(instant, now.zone)}


def claim_json(claim: Claim, now: Now) -> Json:
    """A claim as `list --json` prints it (and the start of `status --json`)."""
    facts = claim.facts
    return {
        "claim_id": claim.id, "order_id": facts.order_id, "marketplace": facts.marketplace,
        "outcome": str(claim.outcome), "claim_date": iso(facts.claim_date),
        "claim_time": facts.claim_time.isoformat() if facts.claim_time else None,
        "claim_date_known": facts.claim_date_known, "order_date": iso(facts.order_date),
        "latest_delivery": iso(facts.latest_delivery), "delivered_on": iso(facts.delivered_on),
        **money(facts.amount_minor, facts.currency), "reason": str(facts.reason),
        "buyer": facts.buyer, "decided_on": iso(claim.decided_on),
        "payer": str(claim.payer) if claim.payer else None, "odr": str(claim.odr),
        "window_opens": iso(claim.window_opens), "window_closes": iso(claim.window_closes),
        # No deadline counted from a stand-in filing day (claim_date_known false).
        **deadline_json(claim.response_deadline if facts.claim_date_known else None,
                        facts.marketplace, now, "response_deadline"),
        "source": str(claim.source),
    }


def window_json(window: Window, filing: Filing | None) -> Json:
    return {
        "order_date": iso(window.order_date), "latest_delivery": iso(window.latest_delivery),
        "delivered_on": iso(window.delivered_on), "opens": iso(window.opens),
        "closes": iso(window.closes), "marketplace": window.policy.marketplace,
        "opened_by": window.opened_by, "why_opens": window.why_opens,
        "why_closes": window.why_closes, "source_opens": window.source_opens,
        "source_closes": window.source_closes, "policy": policy_ref(window.policy),
        "filed": str(filing.filed) if filing else None,
        "days_outside": filing.days_outside if filing else None,
    }


def policy_ref(policy: Policy) -> Json:
    return {"policy_id": policy.policy_id, "marketplace": policy.marketplace,
            "as_of": policy.as_of,
            "local_rules": [rule.name for rule in policy.local_rules]}


def step_json(step: Step, claim: Claim, now: Now) -> Json:
    state = step.state_at(now.at)
    return {
        "step": str(step.name), "state": str(state), "due": iso(step.due),
        **deadline_json(step.deadline, claim.marketplace, now),
        "seconds_left": seconds_between(now.at, step.deadline) if state in (
            StepState.OPEN, StepState.MISSED) else None,
        "overdue": overdue(step, now.at, market_tz(claim.marketplace)),
        "moved": step.moved or None, "done_on": iso(step.done_on),
    }


def history_json(entry: HistoryEntry) -> Json:
    return {"kind": str(entry.kind), "on": iso(entry.on),
            "outcome": str(entry.outcome) if entry.outcome else None,
            "step": str(entry.step) if entry.step else None, "note": entry.note,
            "detail": dict(entry.detail) if entry.detail else None,
            "recorded_at": entry.recorded_at.isoformat()}


def picture_json(p: ClaimPicture, now: Now) -> Json:
    claim = p.claim
    filing = classify_filing(p.window, claim.facts.claim_date) if p.window and \
        claim.facts.claim_date_known else None
    return {
        **claim_json(claim, now), "note": claim.facts.note,
        **money(claim.debited_minor, claim.facts.currency, "debited_"),
        "debited_on": iso(claim.debited_on),
        "created_at": claim.created_at.isoformat(),
        "window": window_json(p.window, filing) if p.window else None,
        "appeal_until": iso(p.appeal_until), "reopen_until": iso(p.reopen_until),
        "policy": policy_ref(p.policy),
        "steps": [step_json(s, claim, now) for s in p.steps],
        "history": [history_json(h) for h in p.history],
    }


def item_json(item: Item, now: Now) -> Json:
    claim, step = item.claim, item.step
    return {
        "claim_id": claim.id, "order_id": claim.order_id, "marketplace": claim.marketplace,
        "step": item.step_name, "state": str(item.urgency), "due": iso(step.due) if step else None,
        **deadline_json(step.deadline if step else None, claim.marketplace, now),
        "missed": item.missed, "overdue": item.urgency is Urgency.OVERDUE,
        "seconds_left": item.seconds_left,
        "time_left": left_text(item.seconds_left) if item.seconds_left is not None else None,
        "moved": step.moved or None if step else None, "what": item.what,
        "next": STEP_WORDS[step.name].missed if step and item.missed else None,
        **money(claim.facts.amount_minor, claim.facts.currency),
    }


def export_header_json(now: Now, schema: str | None, version: int) -> Json:
    """The JSON export's first record. `exported_at` is the moment the export is as of
    (`--now`), like every computed part: two runs with one --now are the same bytes."""
    return {"version": version, "exported_at": rfc3339(now.at, now.zone), "atoz": __version__,
            "schema": schema}


def local_rule_json(rule: LocalRule) -> Json:
    """A local rule as the JSON export keeps it (a rule from the start has no day: null)."""
    return {"marketplace": rule.marketplace, "rule": rule.rule, "value": rule.value,
            "source": rule.source,
            "effective_from": None if rule.effective_from.year == 1 else iso(rule.effective_from),
            "recorded_at": rule.recorded_at.isoformat()}


def order_json(order: Order) -> Json:
    return {"order_id": order.order_id, "purchase_date": iso(order.purchase_date),
            "latest_delivery": iso(order.latest_delivery), "marketplace": order.marketplace,
            "fulfillment_channel": order.fulfillment_channel,
            "order_status": order.order_status, **money(order.total_minor, order.currency),
            "source_file": order.source_file}


# --- the ODR ledger and the weekly report ----------------------------------------------------
def ledger_json(ledger: Ledger, now: Now) -> Json:
    return {"today": iso(ledger.today), "note": ODR_NOTE,
            "marketplaces": [market_ledger_json(m, now) for m in ledger.markets]}


def _counted(c: Counted) -> Json:
    facts = c.claim.facts
    return {"claim_id": c.claim.id, "order_id": facts.order_id,
            "marketplace": facts.marketplace, "outcome": str(c.claim.outcome),
            "order_date": iso(facts.order_date), "decided_on": iso(c.claim.decided_on),
            **money(facts.amount_minor, facts.currency),
            "leaves_window": iso(c.leaves_window), "counts_from": iso(c.counts_from)}


def market_ledger_json(m: MarketLedger, now: Now) -> Json:
    rate = m.rate
    return {
        "marketplace": m.marketplace, "window_start": iso(m.window_start),
        "window_end": iso(m.window_end), "window_days": m.window_days,
        "delay_days": m.delay_days, "target_percent": m.target_percent,
        "counted": [_counted(c) for c in m.counted],
        "not_yet_counted": [_counted(c) for c in m.not_yet],
        "pending": [claim_json(c, now) for c in m.pending],
        "counted_without_order_date": [claim_json(c, now) for c in m.no_order_date],
        "defective_orders": m.defective_orders,
        "orders": rate.orders if rate else None,
        "rate_percent": float(rate.rate_percent) if rate else None,
        "over_target": rate.over_target if rate else None,
        "more_to_cross": rate.more_to_cross if rate else None,
    }


def win_json(rate: WinRate) -> Json:
    return {"won": rate.won, "decided": rate.decided, "rate_percent": rate.percent}


def report_json(r: WeeklyReport) -> Json:
    now = r.now
    return {
        "week": r.week.label, "start": iso(r.week.start), "end": iso(r.week.end),
        "today": iso(now.today), "now": rfc3339(now.at, now.zone),
        "filed": len(r.filed), "decided": len(r.decided), "open": len(r.open),
        "overdue": len(r.overdue), "missed": len(r.missed), "awaiting": len(r.awaiting),
        "at_stake_open": totals_json(r.at_stake), "lost_week": totals_json(r.lost_week),
        "lost_all_time": totals_json(r.lost_all),
        "win_rate_week": win_json(r.win_week), "win_rate_all_time": win_json(r.win_all),
        "outcomes": [{"outcome": str(o.outcome), "odr_default": str(o.odr), "week": o.week,
                      "amounts_week": totals_json(o.amount_week), "all_time": o.all,
                      "amounts_all_time": totals_json(o.amount_all)} for o in r.outcomes],
        "due_next_7_days": [item_json(i, now) for i in r.coming],
        "overdue_steps": [item_json(i, now) for i in r.overdue],
        "missed_steps": [item_json(i, now) for i in r.missed],
        "awaiting_decision": [item_json(i, now) for i in r.awaiting],
        "appeals_closing": [{"claim_id": c.id, "order_id": c.order_id,
                             "marketplace": c.marketplace, "decided_on": iso(c.decided_on),
                             **deadline_json(s.deadline, c.marketplace, now),
                             "appeal_until": iso(last_day(s.deadline, market_tz(c.marketplace))),
                             **money(c.facts.amount_minor, c.facts.currency)}
                            for c, s in r.appeals],
        "odr": ledger_json(r.odr, now),
    }


def exposure_json(e: Exposure) -> Json:
    def tally(t: Tally) -> Json:
        return {"orders": t.orders, "value": totals_json(t.value)}

    return {
        "today": iso(e.today), "week": week_of(e.today).label, "open": tally(e.open),
        "not_yet_claimable": tally(e.not_yet), "claimable_now": tally(e.claimable),
        "no_delivery_promise": {**tally(e.no_promise), "ordered_since": iso(e.ordered_since)},
        "left_out": {"claimed": e.claimed, "cancelled": e.cancelled},
        "weeks": [{"week": w.label, "start": iso(w.start), "end": iso(w.end), **tally(t)}
                  for w, t in sorted(e.weeks.items())],
    }


# --- what a writing command did --------------------------------------------------------------
def pairs(changes: Mapping[str, tuple[Any, Any]]) -> Json:
    """`changed` and `moved`: each field's `{"old": ..., "new": ...}`."""
    return {name: {"old": old, "new": new} for name, (old, new) in changes.items()}


def added_json(added: Added, now: Now) -> Json:
    return {**claim_json(added.claim, now), "completed": added.completed,
            "filled_from": added.filled_from, "notes": added.notes}


def marked_json(claim: Claim, step: Step, now: Now) -> Json:
    return {**claim_json(claim, now), "step": step_json(step, claim, now)}


def edited_json(edit: Edit, now: Now) -> Json:
    return {**claim_json(edit.claim, now), "changed": pairs(edit.changed),
            "moved": pairs(edit.moved), "notes": edit.notes}


def decided_json(p: ClaimPicture, moved: Mapping[str, tuple[str, str]], now: Now) -> Json:
    return {**picture_json(p, now), "moved": pairs(moved)}


def import_json(name: str, result: ImportResult) -> Json:
    return {"file": name, "kind": result.kind, "added": result.added,
            "updated": result.updated, "unchanged": result.unchanged,
            "skipped": result.skipped, "notes": result.notes}


# --- the rules --------------------------------------------------------------------------------
def _reading_json(x: Reading, *, dated: bool) -> Json:
    when = {"checked": x.checked, "current": x.current} if dated else {}
    return {"value": x.value, "source": x.source, **when, "quote": x.quote, "note": x.note}


def policy_json(p: Policy, later: Sequence[LocalRule]) -> Json:
    """The rules in force for a marketplace, and the local rules of `later` that start later."""
    return {
        "marketplace": p.marketplace, "name": p.name, "domain": p.domain,
        "marketplace_id": p.marketplace_id, "timezone": p.timezone, "currency": p.currency,
        "policy_id": p.policy_id, "as_of": p.as_of,
        "rules": {name: {
            "value": r.value, "unit": r.unit, "source": r.source, "as_of": r.as_of,
            "note": r.note, "local": r.local is not None,
            "effective_from": iso(r.local.effective_from) if r.local else None,
            "readings": [_reading_json(x, dated=True) for x in r.readings]}
            for name, r in p.rules.items()},
        "outcomes": {str(o): {"payer": str(f.payer) if f.payer else None, "odr": str(f.odr),
                              "source": f.source, "note": f.note,
                              "readings": [_reading_json(x, dated=False) for x in f.readings]}
                     for o, f in p.outcomes.items()},
        "later": [{"rule": r.rule, "value": r.value, "source": r.source,
                   "effective_from": iso(r.effective_from)}
                  for r in later if r.marketplace == p.marketplace],
    }


def rule_change_json(change: RuleChange) -> Json:
    return {"marketplace": change.marketplace, "rule": change.rule, "value": change.value,
            "effective_from": iso(change.effective_from), "recomputed": change.recomputed,
            "moved": [{"claim_id": m.claim.id, "order_id": m.claim.order_id,
                       "moved": pairs(m.moved)} for m in change.moved]}


# --- the tool itself --------------------------------------------------------------------------
def info_json(database: Path, now: Now, held: Contents | None,
              integrity: str | None = None) -> Json:
    """`atoz info`: where the database is (`held` None: not created yet) and what it holds;
    `integrity` with --check."""
    data: Json = {
        "version": __version__, "database": str(database.absolute()),
        "timezone": now.zone_name, "now": rfc3339(now.at, now.zone),
        "policy_as_of": packaged("US").as_of,
        "schema": held.schema if held else None, "claims": held.claims if held else None,
        "history": held.history if held else None, "steps": held.steps if held else None,
        "orders": held.orders if held else None,
        "local_rules": held.local_rules if held else None}
    if integrity is not None:
        data["integrity"] = integrity
    return data

"""The claim commands' records as text: tables, the status picture, history lines.
(Their JSON is built in atoz.serialize, the one place records become JSON.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from atoz.agenda import Item, Urgency, ahead_for
from atoz.claims import ClaimPicture, appeal_result, claim_instant, claim_tz
from atoz.cli.render import Column, Styled, Terminal, print_table, say
from atoz.history_text import describe
from atoz.instants import Now, left_text, seconds_between, start_of, two_zones, wall_text
from atoz.money import fmt
from atoz.playbook import (
    NO_TIME,
    NO_TIME_HINT,
    STEP_WORDS,
    last_day,
    overdue,
)
from atoz.records import Claim, HistoryEntry, Outcome, Step, StepName, StepState, iso
from atoz.serialize import market_tz
from atoz.windows import classify_filing


# --- text ---------------------------------------------------------------------------------
def short_order(order_id: str) -> str:
    """`113-1234567-1234567` -> `113-…-1234567`: the order id loses its middle first."""
    head, _, tail = order_id.rpartition("-")
    return f"{head.split('-')[0]}-…-{tail}" if head else order_id


def short_deadline(text: str) -> str:
    """`2026-11-28 15:00 CST (2026-11-27 23:00 PST)` -> `11-28 15:00 CST`."""
    return text.split(" (")[0][5:]


def deadline_text(instant: dt.datetime, marketplace: str, now: Now) -> str:
    return two_zones(instant, now.zone, market_tz(marketplace))


def filed_text(claim: Claim, now: Now) -> str:
    """When the claim was filed: its day, or with a time the instant as every instant is
    shown (`2026-11-17 02:30 CST (2026-11-16 19:30 CET)`)."""
    if claim.facts.claim_time is None:
        return claim.facts.claim_date.isoformat()
    return two_zones(claim_instant(claim), now.zone, claim_tz(claim))


def amount_text(claim: Claim) -> str:
    return fmt(claim.facts.amount_minor, claim.facts.currency)


def _left(item: Item) -> str | Styled:
    if item.urgency is Urgency.MISSED:
        return Styled(left_text(item.seconds_left or 0), "red")
    text = "awaiting" if item.seconds_left is None else left_text(item.seconds_left)
    if item.urgency is Urgency.OVERDUE:
        return Styled(f"overdue, {text}", "red")
    if item.urgency is Urgency.DUE:
        return Styled(text, "yellow")
    return text


STEP_COLUMNS = [
    Column("claim", align="right"),
    Column("order", drop=3, shorten=short_order),
    Column("step"),
    Column("due", drop=2),
    Column("deadline", shorten=short_deadline),
    Column("left"),
    Column("amount", align="right", drop=1),
    Column("what to do", wrap=True),
]


def step_rows(items: Sequence[Item], now: Now, reasons: list[str]) -> list[list[Any]]:
    """Rows for STEP_COLUMNS; why a due day was moved goes into numbered notes (`reasons`)."""
    rows = []
    for item in items:
        claim, step = item.claim, item.step
        name, due, deadline = item.step_name, "", ""
        if step is not None:
            due = f"{step.due} {claim.marketplace}"
            if step.moved:  # the note's mark goes on the step: a column that is never dropped
                if step.moved not in reasons:
                    reasons.append(step.moved)
                name += f" [{reasons.index(step.moved) + 1}]"
            deadline = deadline_text(step.deadline, claim.marketplace, now)
        what = item.what if not item.missed or step is None else \
            f"{STEP_WORDS[step.name].todo}; missed: {STEP_WORDS[step.name].missed}"
        if step is not None and not item.missed:
            begins = start_of(step.due, market_tz(claim.marketplace))
            if begins > now.at:  # its day has not begun in the marketplace: not before then
                what = f"from {wall_text(begins, now.zone)}: {what}"
        rows.append([claim.id, claim.order_id, name, due, deadline, _left(item),
                     amount_text(claim), what.replace("CLAIM", str(claim.id))])
    return rows


def appeals_note(appeals: Sequence[tuple[Claim, Step]], now: Now) -> str:
    """One line for the open appeal windows that close after the days shown (their rows would
    crowd every day of their 30)."""
    if not appeals:
        return ""
    claim, step = appeals[0]
    closes = last_day(step.deadline, claim_tz(claim))
    return (f"{len(appeals)} appeal window(s) open, the first closes {closes} "
            f"{claim.marketplace} (claim {claim.id}): atoz due-today --ahead "
            f"{ahead_for(now, step.deadline)} lists it")


def no_time_hint(reasons: Iterable[str]) -> bool:
    return any(NO_TIME in reason for reason in reasons)


def history_line(entry: HistoryEntry, tz: dt.tzinfo) -> list[str]:
    """[on, what, note, recorded] for one history entry."""
    return [iso(entry.on) or "", describe(entry, tz), entry.note or "",
            entry.recorded_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")]


def outcome_summary(claim: Claim) -> str:
    if claim.outcome is Outcome.UNDER_REVIEW:
        return f"{claim.outcome.label} (filed {claim.facts.claim_date}); ODR: pending"
    paid = {"seller": "you paid", "amazon": "Amazon paid", "none": "no refund"}
    payer = paid.get(str(claim.payer), "payer unknown")
    return (f"{claim.outcome.label} on {claim.decided_on}; {payer}; ODR: "
            f"{'counted' if claim.odr == 'counted' else 'not counted'}")


def appeal_line(p: ClaimPicture, now: Now) -> str:
    """Where the appeal of a seller-funded grant stands: open until its last day, made, not
    made, or decided (then no "until": there is nothing left to appeal)."""
    claim = p.claim
    step = next((s for s in p.steps if s.name is StepName.APPEAL), None)
    if step is None or claim.outcome is not Outcome.GRANTED_SELLER_FUNDED:
        return ""
    result = appeal_result(p.history)
    if result is not None:
        detail = result.detail or {}
        undone = " and ".join("ODR" if f == "odr" else f for f in detail.get("reversed") or [])
        return (f"won on {result.on}" + (f", reversed: {undone}" if undone else "")
                if detail.get("won") else f"lost on {result.on}")
    state = step.state_at(now.at)
    if state is StepState.DONE:
        return (f"made on {step.done_on}; record Amazon's answer: atoz appeal-result "
                f"{claim.id} won|lost")
    if state is StepState.SKIPPED:
        return "not made (skipped)"
    if state is StepState.MISSED:
        return f"the window closed on {p.appeal_until}"
    return f"until {p.appeal_until} (last day; atoz draft {claim.id} appeal)"


def show_picture(p: ClaimPicture, now: Now, term: Terminal) -> None:
    """`atoz status CLAIM` as text."""

    def line(text: str) -> None:  # long values wrap under the value, not under the label
        say(text, term, 19)

    claim, facts = p.claim, p.claim.facts
    line(f"Claim {claim.id}  order {facts.order_id}  ({facts.marketplace})")
    line(f"  outcome          {outcome_summary(claim)}")
    if claim.debited_minor is not None:
        line(f"  debited          {fmt(claim.debited_minor, facts.currency)} on "
            f"{claim.debited_on}")
    appeal = appeal_line(p, now)
    if appeal:
        line(f"  appeal           {appeal}")
    if p.reopen_until:
        state = "may still reopen" if now.today <= p.reopen_until else "final"
        line(f"  denial           {state}: the buyer may appeal until {p.reopen_until}")
    line(f"  order date       {facts.order_date or 'unknown'}")
    line(f"  latest delivery  {facts.latest_delivery or 'unknown'}"
        + (f"; delivered {facts.delivered_on}" if facts.delivered_on else ""))
    filed = filed_text(claim, now)
    if not facts.claim_date_known:
        filed += (" (a stand-in, not the filing date: " + {
            "finance": "Amazon's finance data has only the debit date",
            "email": "the e-mail Amazon sent does not give it",
            "csv": "the claims CSV row gave none"}.get(str(claim.source), "unknown")
            + f"; give it with atoz edit {claim.id} --claim-date DATE)")
    details = [str(facts.reason)]
    if facts.amount_minor is not None:
        details.append(amount_text(claim))
    if facts.buyer:
        details.append(f"buyer {facts.buyer}")
    line(f"  claim filed      {filed}  ({', '.join(details)})")
    if p.window:
        w = p.window
        line(f"  window opens     {w.opens}: {w.why_opens}")
        line(f"  window closes    {w.closes}: {w.why_closes}")
        if facts.claim_date_known:
            filing = classify_filing(w, facts.claim_date)
            outside = (f" ({filing.days_outside} days outside the window: cite it to Amazon)"
                       if filing.days_outside else "")
            line(f"  filed            {filing.filed}{outside}")
    else:
        line("  window           unknown: give the order date and latest delivery "
            f"(atoz edit {claim.id} --order-date D --latest-delivery D)")
    if facts.claim_date_known:
        line(f"  respond by       {deadline_text(claim.response_deadline, facts.marketplace, now)}"
            + (" (no claim time: counted from 00:00)" if facts.claim_time is None else ""))
    else:
        line("  respond by       unknown (the filing moment is unknown)")
    if p.policy.local_rules:
        line(f"  rules            {p.policy.policy_id} with your local "
            + ", ".join(f"{r.name} {r.value}" for r in p.policy.local_rules))
    if facts.note:
        line(f"  note             {facts.note}")
    if p.steps:
        line("")
        rows = []
        for step in p.steps:
            state = step.state_at(now.at)
            shown: str | Styled = str(state)
            if state is StepState.DONE:
                shown = f"done {step.done_on}"
            elif state is StepState.MISSED:
                shown = Styled("missed", "red")
            elif state is StepState.OPEN:
                left = left_text(seconds_between(now.at, step.deadline))
                shown = Styled(f"overdue, {left}", "red") if overdue(
                    step, now.at, claim_tz(claim)) else left
            what = step.moved or (STEP_WORDS[step.name].todo if state is StepState.OPEN else "")
            if state is StepState.MISSED:
                what = STEP_WORDS[step.name].missed.replace("CLAIM", str(claim.id))
            rows.append([str(step.name), shown, f"{step.due}",
                         deadline_text(step.deadline, facts.marketplace, now), what])
        print_table(rows, [Column("step"), Column("state"), Column("due", drop=1),
                           Column("deadline", shorten=short_deadline),
                           Column("what / why", wrap=True)], term, title="Steps")
        if no_time_hint(s.moved for s in p.steps):  # a note under the table, not a field
            say(NO_TIME_HINT.replace("CLAIM", str(claim.id)), term)
    line("")
    tz = claim_tz(claim)
    print_table([history_line(h, tz) for h in p.history],
                [Column("on"), Column("what", wrap=True), Column("note", drop=1, wrap=True),
                 Column("recorded (UTC)", drop=2)], term, title="History")

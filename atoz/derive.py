"""What a claim's history implies: its decisions (with their money and ODR facts), its steps and
its derived state. Pure: a function of the facts, the history and the policy.

History is append-only, so a correction is a later entry that changes how an earlier one reads:
an edit of `decided_on`, `payer` or `odr` amends the decision in force when it was recorded; an
outcome recorded as a correction takes the place of the decision in force (a mistake, never
counted); a debit after a decision makes the seller its payer; an appeal result reverses the
money, the metric or both of the decision it appealed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from atoz.playbook import Recorded, response_deadline, schedule
from atoz.policy import Policy
from atoz.records import (
    ClaimFacts,
    Decision,
    Derived,
    Entry,
    HistoryKind,
    Odr,
    Outcome,
    Payer,
    Step,
    StepName,
)
from atoz.windows import Window, filing_window

# The detail keys an edit entry may carry about the decision in force.
DECISION_EDITS = ("decided_on", "payer", "odr")


@dataclass(frozen=True)
class Derivation:
    derived: Derived
    steps: list[Step]
    decisions: list[Decision]


def decision_for(outcome: Outcome, on: dt.date, policy: Policy, payer: Payer | None = None,
                 odr: Odr | None = None) -> Decision:
    """A decision with its two facts: as given, else the policy's default for the outcome."""
    facts = policy.facts(outcome)
    return Decision(outcome, on, payer if payer is not None else facts.payer,
                    odr if odr is not None else facts.odr)


def decisions_of(history: Sequence[Entry], policy: Policy) -> list[Decision]:
    decisions: list[Decision] = []
    for entry in history:
        detail = entry.detail or {}
        if entry.kind is HistoryKind.STATUS and entry.outcome and entry.on:
            payer = Payer(detail["payer"]) if detail.get("payer") else None
            odr = Odr(detail["odr"]) if detail.get("odr") else None
            decision = decision_for(entry.outcome, entry.on, policy, payer, odr)
            if detail.get("correction") and len(decisions) > 1:
                decisions[-1] = decision  # the decision in force was recorded by mistake
            else:
                decisions.append(decision)
        elif entry.kind is HistoryKind.EDIT and decisions and any(
                key in detail for key in DECISION_EDITS):
            last = decisions[-1]
            on = detail.get("decided_on", {}).get("new")
            payer_text = detail.get("payer", {}).get("new")
            odr_text = detail.get("odr", {}).get("new")
            decisions[-1] = replace(
                last, on=dt.date.fromisoformat(on) if on else last.on,
                payer=Payer(payer_text) if payer_text else last.payer,
                odr=Odr(odr_text) if odr_text else last.odr)
        elif entry.kind is HistoryKind.DEBIT and decisions and decisions[-1].outcome.decided:
            # Amazon debited the seller after the decision in force (recorded as denied,
            # withdrawn or Amazon-funded): whatever the decision said, the seller paid. The
            # money is a fact of its own; the ODR reading is left as recorded.
            decisions[-1] = replace(decisions[-1], payer=Payer.SELLER)
        elif entry.kind is HistoryKind.APPEAL_RESULT and decisions:
            reversed_facts = detail.get("reversed", [])
            last = decisions[-1]
            decisions[-1] = replace(
                last, payer=Payer.AMAZON if "money" in reversed_facts else last.payer,
                odr=Odr.NOT_COUNTED if "odr" in reversed_facts else last.odr)
    return decisions


def recorded_steps(history: Sequence[Entry]) -> Recorded:
    done: dict[StepName, dt.date] = {}
    skipped: dict[StepName, dt.date] = {}
    asked: dt.datetime | None = None
    for entry in history:
        if entry.kind is HistoryKind.DONE and entry.step and entry.on:
            done[entry.step] = entry.on
        elif entry.kind is HistoryKind.SKIP and entry.step and entry.on:
            skipped[entry.step] = entry.on
        elif entry.kind is HistoryKind.INFO_REQUEST and entry.detail:
            at = dt.datetime.fromisoformat(entry.detail["at"])
            if asked is None or at > asked:  # an older request read late changes nothing
                asked = at
                # A newer request reopens the answer: an earlier "done" answered an older one.
                done.pop(StepName.ANSWER_REQUEST, None)
                skipped.pop(StepName.ANSWER_REQUEST, None)
    return Recorded(done, skipped, asked, was_open(history))


def was_open(history: Sequence[Entry]) -> bool:
    """Whether atoz knew the claim while it was under review: not when its first decision came
    right after its filing, recorded in the same moment (a claim imported already decided)."""
    if len(history) < 2:
        return True
    filing, then = history[0], history[1]
    return not (filing.kind is then.kind is HistoryKind.STATUS
                and filing.outcome is Outcome.UNDER_REVIEW
                and then.outcome is not None and then.outcome.decided
                and then.recorded_at == filing.recorded_at)


def window_of(facts: ClaimFacts, policy: Policy) -> Window | None:
    """The filing window, when the order's dates are known."""
    if facts.order_date is None or facts.latest_delivery is None:
        return None
    return filing_window(facts.order_date, facts.latest_delivery, policy, facts.delivered_on)


def debit_of(history: Sequence[Entry]) -> tuple[int | None, dt.date | None]:
    for entry in reversed(history):
        if entry.kind is HistoryKind.DEBIT and entry.detail:
            return int(entry.detail["amount_minor"]), entry.on
    return None, None


def derive(facts: ClaimFacts, history: Sequence[Entry], policy: Policy) -> Derivation:
    decisions = decisions_of(history, policy)
    if not decisions:  # cannot happen for a stored claim: its first entry is the filing
        decisions = [decision_for(Outcome.UNDER_REVIEW, facts.claim_date, policy)]
    current = decisions[-1]
    window = window_of(facts, policy)
    debited, debited_on = debit_of(history)
    deadline = response_deadline(facts.claim_date, facts.claim_time, policy)
    derived = Derived(
        outcome=current.outcome,
        decided_on=current.on if current.outcome.decided else None,
        payer=current.payer, odr=current.odr, debited_minor=debited, debited_on=debited_on,
        window_opens=window.opens if window else None,
        window_closes=window.closes if window else None,
        response_deadline=deadline)
    steps = schedule(facts.claim_date, facts.claim_time, policy, decisions,
                     recorded_steps(history), facts.claim_date_known, deadline)
    return Derivation(derived, steps, decisions)

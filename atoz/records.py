"""The things atoz records, as typed values: claims, their history, their steps, orders.

Each record is built from a database row in exactly one place (the `from_row` class methods), so
no other module reads a row by column name. Closed sets of words are `StrEnum`s: their values are
what the database and the JSON output hold.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any


class Outcome(StrEnum):
    """The seven outcomes a claim can have (domain.md)."""

    UNDER_REVIEW = "under-review"
    GRANTED_SELLER_FUNDED = "granted-seller-funded"
    GRANTED_AMAZON_FUNDED = "granted-amazon-funded"
    REFUNDED = "refunded"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]

    @property
    def decided(self) -> bool:
        return self is not Outcome.UNDER_REVIEW


OUTCOME_LABELS = {
    Outcome.UNDER_REVIEW: "Under review",
    Outcome.GRANTED_SELLER_FUNDED: "Granted, seller funded",
    Outcome.GRANTED_AMAZON_FUNDED: "Granted, Amazon funded",
    Outcome.REFUNDED: "Order refunded",
    Outcome.DENIED: "Denied",
    Outcome.WITHDRAWN: "Withdrawn",
    Outcome.CANCELLED: "Order cancelled",
}


class Payer(StrEnum):
    """Who paid the buyer on a decision: a fact of its own, apart from the ODR (Amazon decides
    the two separately: "not counted against your ODR, but will debit your account")."""

    SELLER = "seller"  # the seller was debited, or refunded the buyer
    AMAZON = "amazon"  # Amazon funded it (e.g. Buy Shipping claims protection)
    NONE = "none"  # no refund


class Odr(StrEnum):
    """Whether a claim counts toward the Order Defect Rate."""

    COUNTED = "counted"
    NOT_COUNTED = "not-counted"
    PENDING = "pending"  # no decision yet


class StepName(StrEnum):
    CONTACT = "contact"
    FOLLOW_UP = "follow-up"
    REPRESENT = "represent"
    ANSWER_REQUEST = "answer-request"  # Amazon asked for more information
    APPEAL = "appeal"


class StepState(StrEnum):
    """A step's state. MISSED is never stored: an open step becomes missed when its deadline
    instant passes, which depends on when you look."""

    OPEN = "open"
    DONE = "done"
    SKIPPED = "skipped"
    MOOT = "moot"  # a decision made it unnecessary
    MISSED = "missed"


class HistoryKind(StrEnum):
    STATUS = "status"  # an outcome (the first entry is the filing)
    DONE = "done"  # a step done
    SKIP = "skip"  # a step deliberately not done
    EDIT = "edit"  # a correction of the claim's facts or of a decision
    DEBIT = "debit"  # Amazon debited the seller (finance data)
    APPEAL_RESULT = "appeal-result"  # an appeal won or lost, reversing money and/or ODR
    INFO_REQUEST = "info-request"  # Amazon asked for more information, at an instant


class Source(StrEnum):
    """Where a claim came from."""

    MANUAL = "manual"
    CSV = "csv"
    IMPORT = "import"  # restored from an atoz export
    FINANCE = "finance"  # created from a finance debit: the filing date is a stand-in
    EMAIL = "email"


class Reason(StrEnum):
    NOT_RECEIVED = "not-received"
    NOT_AS_DESCRIBED = "not-as-described"
    RETURN = "return"
    REFUND = "refund"
    OTHER = "other"


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _instant(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


@lru_cache(maxsize=4096)
def utc_text(instant: dt.datetime) -> str:
    """How an instant is stored: UTC with seconds, `2026-11-27T22:30:00Z` (sorts as text)."""
    return instant.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


@dataclass(frozen=True)
class ClaimFacts:
    """What a seller (or a file) says about a claim: everything else is derived from these and
    from the history. Dates are the marketplace's calendar days; `claim_time` is its wall time."""

    order_id: str
    marketplace: str
    order_date: dt.date | None
    latest_delivery: dt.date | None
    claim_date: dt.date
    claim_time: dt.time | None = None
    claim_date_known: bool = True  # False: a stand-in (finance debit, decision e-mail)
    delivered_on: dt.date | None = None  # delivery confirmed by tracking
    amount_minor: int | None = None
    currency: str = "USD"
    reason: Reason = Reason.OTHER
    buyer: str | None = None
    note: str | None = None

    @property
    def filed_text(self) -> str:
        """`2026-11-27 09:15` (seconds only when the moment has them, as an e-mail's Date)."""
        if self.claim_time is None:
            return self.claim_date.isoformat()
        spec = "seconds" if self.claim_time.second else "minutes"
        return f"{self.claim_date} {self.claim_time.isoformat(timespec=spec)}"

    def columns(self) -> dict[str, Any]:
        """The claims table's fact columns, in the order the fields are declared (bulk writers
        rely on it)."""
        return {
            "order_id": self.order_id, "marketplace": self.marketplace,
            "order_date": iso(self.order_date), "latest_delivery": iso(self.latest_delivery),
            "claim_date": self.claim_date.isoformat(),
            "claim_time": self.claim_time.isoformat() if self.claim_time else None,
            "claim_date_known": int(self.claim_date_known),
            "delivered_on": iso(self.delivered_on), "amount_minor": self.amount_minor,
            "currency": self.currency, "reason": str(self.reason), "buyer": self.buyer,
            "note": self.note,
        }


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


FACT_COLUMNS = tuple(ClaimFacts.__dataclass_fields__)


@dataclass(frozen=True)
class Claim:
    """A claim as stored: its facts, where it came from, and the state derived from its history
    (kept in the same transaction as every change, so listings stay single indexed queries)."""

    id: int
    facts: ClaimFacts
    source: Source
    created_at: dt.datetime
    outcome: Outcome
    decided_on: dt.date | None
    payer: Payer | None
    odr: Odr
    debited_minor: int | None
    debited_on: dt.date | None
    response_deadline: dt.datetime  # UTC
    window_opens: dt.date | None
    window_closes: dt.date | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Claim:
        facts = ClaimFacts(
            order_id=row["order_id"], marketplace=row["marketplace"],
            order_date=_date(row["order_date"]), latest_delivery=_date(row["latest_delivery"]),
            claim_date=dt.date.fromisoformat(row["claim_date"]),
            claim_time=dt.time.fromisoformat(row["claim_time"]) if row["claim_time"] else None,
            claim_date_known=bool(row["claim_date_known"]),
            delivered_on=_date(row["delivered_on"]), amount_minor=row["amount_minor"],
            currency=row["currency"], reason=Reason(row["reason"]), buyer=row["buyer"],
            note=row["note"])
        return cls(
            id=int(row["id"]), facts=facts, source=Source(row["source"]),
            created_at=dt.datetime.fromisoformat(row["created_at"]),
            outcome=Outcome(row["outcome"]), decided_on=_date(row["decided_on"]),
            payer=Payer(row["payer"]) if row["payer"] else None, odr=Odr(row["odr"]),
            debited_minor=row["debited_minor"], debited_on=_date(row["debited_on"]),
            response_deadline=dt.datetime.fromisoformat(row["response_deadline"]),
            window_opens=_date(row["window_opens"]), window_closes=_date(row["window_closes"]))

    @property
    def order_id(self) -> str:
        return self.facts.order_id

    @property
    def marketplace(self) -> str:
        return self.facts.marketplace

    @property
    def is_open(self) -> bool:
        return self.outcome is Outcome.UNDER_REVIEW

    @property
    def lost_minor(self) -> int | None:
        """What the seller paid on this claim: the debit when Amazon's data gave it, else the
        amount claimed; None when the seller did not pay."""
        if self.payer is not Payer.SELLER:
            return None
        return self.debited_minor if self.debited_minor is not None else self.facts.amount_minor


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a claim's append-only history."""

    id: int
    claim_id: int
    kind: HistoryKind
    on: dt.date | None
    recorded_at: dt.datetime
    outcome: Outcome | None = None
    step: StepName | None = None
    note: str | None = None
    detail: Mapping[str, Any] | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> HistoryEntry:
        return cls(
            id=int(row["id"]), claim_id=int(row["claim_id"]), kind=HistoryKind(row["kind"]),
            on=_date(row["on_date"]), recorded_at=dt.datetime.fromisoformat(row["recorded_at"]),
            outcome=Outcome(row["status"]) if row["status"] else None,
            step=StepName(row["step"]) if row["step"] else None, note=row["note"],
            detail=json.loads(row["detail"]) if row["detail"] else None)


@dataclass(frozen=True)
class NewEntry:
    """A history entry about to be written (no id yet)."""

    kind: HistoryKind
    on: dt.date | None
    recorded_at: dt.datetime
    outcome: Outcome | None = None
    step: StepName | None = None
    note: str | None = None
    detail: Mapping[str, Any] | None = None

    def columns(self, claim_id: int) -> tuple[Any, ...]:
        """(claim_id, kind, status, step, on_date, note, detail, recorded_at)."""
        return (claim_id, str(self.kind), str(self.outcome) if self.outcome else None,
                str(self.step) if self.step else None, iso(self.on), self.note or None,
                json.dumps(self.detail, sort_keys=True, ensure_ascii=False) if self.detail
                else None, self.recorded_at.astimezone(dt.UTC).isoformat())


# What the derivation reads of an entry: one recorded (HistoryEntry) or about to be (NewEntry).
Entry = HistoryEntry | NewEntry


@dataclass(frozen=True)
class Step:
    """A playbook step: due on a marketplace calendar day, with a hard deadline instant."""

    name: StepName
    due: dt.date
    deadline: dt.datetime  # UTC
    moved: str  # why the due day was moved earlier, or ""
    state: StepState
    done_on: dt.date | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Step:
        return cls(StepName(row["step"]), dt.date.fromisoformat(row["due"]),
                   dt.datetime.fromisoformat(row["deadline"]), row["moved"] or "",
                   StepState(row["state"]), _date(row["done_on"]))

    def columns(self, claim_id: int) -> tuple[Any, ...]:
        """(claim_id, step, due, deadline, moved, state, done_on)."""
        return (claim_id, str(self.name), self.due.isoformat(), utc_text(self.deadline),
                self.moved or None, str(self.state), iso(self.done_on))

    def state_at(self, now: dt.datetime) -> StepState:
        """The state as of `now`: an open step whose deadline has passed is missed."""
        if self.state is StepState.OPEN and now >= self.deadline:
            return StepState.MISSED
        return self.state


@dataclass(frozen=True)
class Decision:
    """One outcome in force from a day, with its two facts (money and the metric)."""

    outcome: Outcome
    on: dt.date
    payer: Payer | None
    odr: Odr

    def columns(self, claim_id: int, seq: int) -> tuple[Any, ...]:
        return (claim_id, seq, str(self.outcome), self.on.isoformat(),
                str(self.payer) if self.payer else None, str(self.odr))


@dataclass(frozen=True)
class Order:
    """An order imported from Amazon's data."""

    order_id: str
    purchase_date: dt.date
    latest_delivery: dt.date | None
    marketplace: str
    fulfillment_channel: str | None
    order_status: str | None
    total_minor: int | None
    currency: str | None
    source_file: str | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Order:
        return cls(row["order_id"], dt.date.fromisoformat(row["purchase_date"]),
                   _date(row["latest_delivery"]), row["marketplace"],
                   row["fulfillment_channel"], row["order_status"], row["total_minor"],
                   row["currency"], row["source_file"])


@dataclass(frozen=True)
class Derived:
    """A claim's state derived from its facts and history (stored beside the facts)."""

    outcome: Outcome
    decided_on: dt.date | None
    payer: Payer | None
    odr: Odr
    debited_minor: int | None
    debited_on: dt.date | None
    window_opens: dt.date | None
    window_closes: dt.date | None
    response_deadline: dt.datetime

    def columns(self) -> dict[str, Any]:
        return {"outcome": str(self.outcome), "decided_on": iso(self.decided_on),
                "payer": str(self.payer) if self.payer else None, "odr": str(self.odr),
                "debited_minor": self.debited_minor, "debited_on": iso(self.debited_on),
                "window_opens": iso(self.window_opens),
                "window_closes": iso(self.window_closes),
                "response_deadline": utc_text(self.response_deadline)}

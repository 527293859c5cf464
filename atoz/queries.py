"""The read-only queries behind reports, the ODR ledger, exports, the calendar and the exposure
forecast. Each one reads an index range or streams in id order, so its cost follows what it
shows, not how many years of claims lie behind it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from atoz.records import Claim, Decision, HistoryEntry, Odr, Order, Outcome, Payer, Step, utc_text
from atoz.store import Store

_CLAIMS = "select * from claims"


def _grouped(rows: Iterator[dict[str, Any]]) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """Group rows already ordered by claim_id."""
    current: int | None = None
    group: list[dict[str, Any]] = []
    for row in rows:
        if row["claim_id"] != current:
            if current is not None:
                yield current, group
            current, group = row["claim_id"], []
        group.append(row)
    if current is not None:
        yield current, group


def _rows_by_claim(groups: Iterator[tuple[int, list[dict[str, Any]]]]
                   ) -> Callable[[int], list[dict[str, Any]]]:
    """Each claim's rows from a stream grouped by claim id, asked for in increasing id order."""
    pending = next(groups, None)

    def take(claim_id: int) -> list[dict[str, Any]]:
        nonlocal pending
        while pending is not None and pending[0] < claim_id:
            pending = next(groups, None)
        return pending[1] if pending is not None and pending[0] == claim_id else []

    return take


def all_claims(store: Store) -> Iterator[Claim]:
    return (Claim.from_row(r) for r in store.rows(f"{_CLAIMS} order by id"))


def claims_with_history(store: Store) -> Iterator[tuple[Claim, list[HistoryEntry]]]:
    """Every claim with its history, in id order (two ordered reads merged, no query per
    claim). Materialised in chunks: the caller may write while this reads."""
    last = 0
    while True:
        claims = [Claim.from_row(r) for r in store.rows(
            f"{_CLAIMS} where id > ? order by id limit 2000", [last])]
        if not claims:
            return
        history = store.rows("select * from history where claim_id between ? and ? "
                             "order by claim_id, id", [claims[0].id, claims[-1].id])
        entries = _rows_by_claim(iter(list(_grouped(history))))
        for claim in claims:
            yield claim, [HistoryEntry.from_row(r) for r in entries(claim.id)]
        last = claims[-1].id


@dataclass(frozen=True)
class Record:
    """One claim with all that is recorded and derived about it (for exports)."""

    claim: Claim
    history: list[HistoryEntry]
    steps: list[Step]


def records(store: Store) -> Iterator[Record]:
    """Every claim with its history and steps, in id order, from one snapshot."""
    history = _rows_by_claim(_grouped(store.rows("select * from history order by claim_id, id")))
    steps = _rows_by_claim(_grouped(store.rows(
        "select * from steps order by claim_id, due, deadline, step")))
    for claim in all_claims(store):
        yield Record(claim, [HistoryEntry.from_row(r) for r in history(claim.id)],
                     [Step.from_row(s) for s in steps(claim.id)])


def all_orders(store: Store) -> Iterator[Order]:
    return (Order.from_row(r) for r in store.rows("select * from orders order by order_id"))


# --- the weekly report -----------------------------------------------------------------------
def claims_filed_between(store: Store, start: dt.date, end: dt.date) -> list[Claim]:
    return [Claim.from_row(r) for r in store.rows(
        f"{_CLAIMS} where claim_date between ? and ? and claim_date_known = 1 "
        "order by claim_date, id", [start.isoformat(), end.isoformat()])]


def decisions_between(store: Store, start: dt.date, end: dt.date
                      ) -> list[tuple[Claim, Decision]]:
    """Each claim's last decision dated in [start, end] (decisions carry corrected dates)."""
    rows = store.rows(
        "select d.seq, d.outcome as d_outcome, d.on_date as d_on, d.payer as d_payer, "
        "d.odr as d_odr, c.* from decisions d join claims c on c.id = d.claim_id "
        "where d.on_date between ? and ? and d.outcome != 'under-review' "
        "order by d.claim_id, d.seq", [start.isoformat(), end.isoformat()])
    last: dict[int, tuple[Claim, Decision]] = {}
    for row in rows:
        decision = Decision(Outcome(row["d_outcome"]), dt.date.fromisoformat(row["d_on"]),
                            Payer(row["d_payer"]) if row["d_payer"] else None,
                            Odr(row["d_odr"]))
        last[int(row["id"])] = (Claim.from_row(row), decision)
    return list(last.values())


@dataclass(frozen=True)
class OutcomeTotal:
    """Claims of one outcome, payer and currency: how many, what was claimed, what was lost."""

    outcome: Outcome
    payer: Payer | None
    currency: str | None
    claims: int
    amount_minor: int
    lost_minor: int


def outcome_totals(store: Store) -> list[OutcomeTotal]:
    """All-time totals in one pass over a covering index (no table scan at a million claims)."""
    return [OutcomeTotal(Outcome(r["outcome"]), Payer(r["payer"]) if r["payer"] else None,
                         r["currency"], int(r["n"]), int(r["total"] or 0), int(r["lost"] or 0))
            for r in store.rows(
                "select outcome, payer, currency, count(*) as n, sum(amount_minor) as total, "
                "sum(coalesce(debited_minor, amount_minor)) as lost from claims "
                "group by outcome, payer, currency")]


def open_claims(store: Store) -> list[Claim]:
    return [Claim.from_row(r) for r in store.rows(
        f"{_CLAIMS} where outcome = 'under-review' order by claim_date, id")]


def appeals_closing(store: Store, after: dt.datetime, until: dt.datetime
                    ) -> list[tuple[Claim, Step]]:
    return [pair for pair in store.open_steps(after, until) if pair[1].name == "appeal"]


# --- the ODR ledger --------------------------------------------------------------------------
def claims_by_order_date(store: Store, marketplace: str, start: dt.date, end: dt.date,
                         odr: Sequence[str]) -> list[Claim]:
    marks = ", ".join("?" for _ in odr)
    return [Claim.from_row(r) for r in store.rows(
        f"{_CLAIMS} where marketplace = ? and odr in ({marks}) and order_date between ? and ? "
        "order by order_date, id", [marketplace, *odr, start.isoformat(), end.isoformat()])]


def counted_without_order_date(store: Store, marketplace: str) -> list[Claim]:
    return [Claim.from_row(r) for r in store.rows(
        f"{_CLAIMS} where marketplace = ? and odr = 'counted' and order_date is null "
        "order by id", [marketplace])]


def ledger_marketplaces(store: Store, since: Mapping[str, dt.date]) -> list[str]:
    """The marketplaces (of `since`'s keys) with a claim on an order from that marketplace's
    `since` day on, or with no order date. Two index seeks per marketplace: a `distinct` over
    the claims would read every claim of years of history."""
    sql = ("select exists(select 1 from claims where marketplace = ? and odr in "
           "('counted', 'pending') and order_date >= ?) or exists(select 1 from claims where "
           "marketplace = ? and odr in ('counted', 'pending') and order_date is null)")
    return [code for code, day in sorted(since.items())
            if store.conn.execute(sql, [code, day.isoformat(), code]).fetchone()[0]]


# --- the calendar ----------------------------------------------------------------------------
def calendar_steps(store: Store, since: dt.datetime) -> list[tuple[Claim, Step]]:
    """Every step whose deadline is after `since`, in any state (done, skipped and moot ones
    are kept so a subscribed calendar cancels them)."""
    return store.steps_with_deadline(["open", "done", "skipped", "moot"], since)


# A claim whose filing date is unknown (a stand-in from a finance debit or an e-mail) has no
# response deadline atoz could show: its stored one counts from the stand-in day.
def open_response_deadlines(store: Store, after: dt.datetime) -> list[Claim]:
    return [Claim.from_row(r) for r in store.rows(
        f"{_CLAIMS} where outcome = 'under-review' and response_deadline > ? "
        "and claim_date_known = 1 order by id", [utc_text(after)])]


def decided_since(store: Store, since: dt.datetime) -> list[Claim]:
    """Claims decided whose response deadline is after `since` (their calendar event is to be
    cancelled): one range per decided outcome on the (outcome, response_deadline) index."""
    decided = [str(o) for o in Outcome if o.decided]
    marks = ", ".join("?" for _ in decided)
    return [Claim.from_row(r) for r in store.rows(
        f"{_CLAIMS} where outcome in ({marks}) and response_deadline > ? "
        "and claim_date_known = 1 order by id", [*decided, utc_text(since)])]


def open_filing_unknown(store: Store) -> list[Claim]:
    """Claims under review whose filing date is unknown: no deadline can be counted for them
    until the seller gives it."""
    return [Claim.from_row(r) for r in store.rows(
        f"{_CLAIMS} where outcome = 'under-review' and claim_date_known = 0 order by id")]


def claims_stamps(store: Store, claim_ids: Sequence[int]
                  ) -> dict[int, tuple[str, int, str, str]]:
    """For each claim: its first filing day as first recorded (history's first entry never
    changes), how many history entries it has, and when the first and last were recorded."""
    stamps: dict[int, tuple[str, int, str, str]] = {}
    ids = sorted(set(claim_ids))
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        marks = ", ".join("?" for _ in chunk)
        for r in store.rows(
                "select claim_id, count(*) as n, max(recorded_at) as last, "
                "min(recorded_at) as first, "
                "(select on_date from history f where f.claim_id = h.claim_id order by id "
                f"limit 1) as filed from history h where claim_id in ({marks}) "
                "group by claim_id", chunk):
            stamps[int(r["claim_id"])] = (str(r["filed"]), int(r["n"]), str(r["first"]),
                                          str(r["last"]))
    return stamps


# --- the exposure forecast -------------------------------------------------------------------
def recent_orders(store: Store, since: dt.date) -> Iterator[tuple[Order, bool]]:
    """Orders promised on or after `since` (or without a promise, placed on or after it), each
    with whether a claim names it: a join, not a set of every claimed order id."""
    for r in store.rows(
            "select o.*, exists (select 1 from claims c where c.order_id = o.order_id) "
            "as claimed from orders o where o.latest_delivery >= ? "
            "or (o.latest_delivery is null and o.purchase_date >= ?)",
            [since.isoformat(), since.isoformat()]):
        yield Order.from_row(r), bool(r["claimed"])

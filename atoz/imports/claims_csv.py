"""Importing atoz's claims CSV: the sheet a seller keeps by hand, and what `atoz export
--format csv` writes (reading and checking its rows is atoz.imports.claims_rows).

A claim is identified by its order and the day it was first filed, never by a value the seller
may later correct, so importing the same file again changes nothing, and a field edited since
is reported rather than duplicated. A row without a claim date is the order's claim (the open
one, else the latest): its filing date is unknown, as for a claim Amazon's finance data
created. A decision already in the claim's history is already recorded; one dated before the
decision in force is refused (it would bring an older state back). A row that names no
marketplace is on its imported order's, else `--marketplace`'s, else the US (which its filing
says was assumed); one that contradicts its imported order is refused.

Fast on a long history: rows are checked a chunk at a time, the chunk's imported orders and
recorded claims are looked up a query per 500 orders, and new claims are written with one
`executemany` per table; only a row that meets a claim already recorded takes the one-claim
path.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from atoz.claims import (
    debited_on,
    derivation,
    mark_step,
    record_debit,
    record_outcome,
    reload,
)
from atoz.derive import recorded_steps
from atoz.errors import FileFormatError, InputError
from atoz.facts import fact_texts
from atoz.imports.claims_rows import Raw, Read, Row, check_row, read_rows
from atoz.imports.common import ImportOptions, ImportResult
from atoz.imports.rejects import Rejects
from atoz.intake import STAND_INS, add_or_complete
from atoz.orders import parse_order_id
from atoz.records import Claim, ClaimFacts, HistoryKind, NewEntry, Source, Step, StepName, StepState
from atoz.store import NewClaim, Store

CHUNK = 2000


def import_csv(store: Store, path: Path, options: ImportOptions) -> ImportResult:
    header, rows = read_rows(path, options)
    progress = options.progress
    progress.phase("importing claims", max(1, path.stat().st_size // 80), "rows")
    seen_rows = 0
    with Rejects(path, options, ",".join(header), sep=",") as rejects, \
            rejects.transaction(store):
        job = _Import(store, options, rejects)
        chunk: list[Read] = []
        for read in rows:
            seen_rows += 1
            chunk.append(read)
            if len(chunk) >= CHUNK:
                job.chunk(chunk)
                progress.advance(len(chunk))
                chunk = []
        job.chunk(chunk)
        progress.advance(len(chunk))
        if seen_rows == 0:
            raise FileFormatError(f"{options.name}: no claims in the file (only a header)")
    result = job.result
    result.tell(job.unknown)
    if note := rejects.note():
        result.notes.append(note)
    return result


@dataclass(frozen=True)
class Known:
    """A claim already recorded, as its identity: the order and the day it was first filed."""

    claim: Claim
    first_filed: str


def _for_orders(store: Store, sql: str, order_ids: Sequence[str]) -> Iterator[dict[str, Any]]:
    """The rows `sql` reads for the orders (`{ids}` in it), 500 order ids a query."""
    for i in range(0, len(order_ids), 500):
        part = order_ids[i:i + 500]
        yield from store.rows(sql.format(ids=", ".join("?" for _ in part)), part)


def _known(store: Store, order_ids: Sequence[str]) -> dict[str, list[Known]]:
    found: dict[str, list[Known]] = defaultdict(list)
    for row in _for_orders(store, "select c.*, (select on_date from history h where "
                                  "h.claim_id = c.id order by h.id limit 1) as first_filed "
                                  "from claims c where c.order_id in ({ids}) order by c.id",
                           order_ids):
        found[row["order_id"]].append(Known(Claim.from_row(row), row["first_filed"]))
    return found


def _ordered(store: Store, chunk: Sequence[Read]) -> dict[str, str]:
    """The marketplace of each imported order the chunk's rows name (by order id)."""
    ids = set()
    for _, _, values in chunk:
        try:
            ids.add(parse_order_id(values.get("order_id") or ""))
        except InputError:
            continue  # the row is refused when checked
    return {row["order_id"]: row["marketplace"] for row in _for_orders(
        store, "select order_id, marketplace from orders where order_id in ({ids})",
        sorted(ids))}


def _match(row: Row, known: list[Known]) -> Claim | None:
    """The claim a row is about: the one first filed on its claim date; for a row without a
    claim date, the order's open claim, else its latest."""
    if not known:
        return None
    if row.facts.claim_date_known:
        day = row.facts.claim_date.isoformat()
        return next((k.claim for k in known if day in (k.first_filed,
                                                       k.claim.facts.claim_date.isoformat())),
                    None)
    return next((k.claim for k in known if k.claim.is_open), None) or max(
        (k.claim for k in known), key=lambda c: (c.facts.claim_date, c.id))


class _Import:
    """One import's writes: new claims in bulk, a row meeting a recorded claim on its own."""

    def __init__(self, store: Store, options: ImportOptions, rejects: Rejects) -> None:
        self.store = store
        self.options = options
        self.rejects = rejects
        self.result = ImportResult("claims-csv")
        self.next_id = store.next_claim_id()
        self.has_orders = store.has_orders()
        self.writer = store.claim_writer()  # new claims, written when the chunk ends
        self.unknown: list[str] = []  # notes on claims added without a claim or order dates

    def reject(self, line: int, exc: InputError, raw: Raw) -> None:
        self.rejects.bad(line, exc, str(raw))
        self.result.skipped += 1

    def chunk(self, reads: list[Read]) -> None:
        if not reads:
            return
        ordered = _ordered(self.store, reads) if self.has_orders else {}
        chunk: list[Row] = []
        for line, raw, values in reads:
            try:
                if values.pop("__extra__", False):
                    raise InputError("row", "", "more cells than columns")
                chunk.append(check_row(values, line, raw, self.options, ordered))
            except InputError as exc:
                self.reject(line, exc, raw)
        known = _known(self.store, sorted({r.facts.order_id for r in chunk}))
        for row in chunk:
            order_id = row.facts.order_id
            try:
                claim = _match(row, known[order_id])
                stand_in = [k for k in known[order_id] if k.claim.source in STAND_INS and
                            not k.claim.facts.claim_date_known]
                if claim is not None or stand_in or row.facts.order_date is None:
                    self.writer.flush()  # the one-claim path reads what came before it
                    with self.store.transaction():  # a rejected row leaves nothing behind
                        if claim is None:
                            self._one(row, completes=bool(stand_in))
                        else:
                            self._meet(claim, row)
                    self.next_id = self.store.next_claim_id()  # _one may have added one
                    known[order_id] = _known(self.store, [order_id])[order_id]
                    continue
                if any(k.claim.is_open for k in known[order_id]):
                    first = next(k.claim for k in known[order_id] if k.claim.is_open)
                    raise InputError("order_id", order_id, f"already has open claim {first.id};"
                                                           " record its outcome first")
                new = self._bulk(row)
            except InputError as exc:
                self.reject(row.line, exc, row.raw)
                continue
            known[order_id].append(Known(_stub(new), row.facts.claim_date.isoformat()))
            if not row.facts.claim_date_known:
                self._tell(new.claim_id, row.facts)
        self.writer.flush()

    def _bulk(self, row: Row) -> NewClaim:
        """A new claim, written with the chunk's others."""
        history = row.history(self.options.now)
        d = derivation(self.options.book, row.facts, history)
        _check_steps(row.steps, d.steps)
        claim_id = self.next_id
        self.next_id += 1
        new = NewClaim(claim_id, row.facts, Source.CSV, self.options.now.recorded, history,
                       d.derived, d.steps, d.decisions)
        self.writer.add(new)
        self.result.added += 1
        return new

    def _tell(self, claim_id: int, facts: ClaimFacts) -> None:
        label = f"claim {claim_id} (order {facts.order_id})"
        if not facts.claim_date_known:
            self.unknown.append(f"{label}: no claim_date, so the filing date is unknown ("
                                f"{facts.claim_date} stands in; no response deadline or "
                                f"playbook days): give it with atoz edit {claim_id} "
                                "--claim-date D")
        if facts.order_date is None:
            typo = " (check the id)" if self.has_orders else ""
            self.unknown.append(f"{label}: no order dates, and the order is not among the "
                                f"imported orders{typo}: the filing window cannot be "
                                f"computed until atoz edit {claim_id} --order-date D "
                                "--latest-delivery D")

    def _one(self, row: Row, completes: bool) -> None:
        """A row that completes a claim Amazon's data created, or needs its order's dates."""
        values = dict(row.values)
        if not (completes or row.marketplace_assumed):  # a stand-in keeps its own, unless
            values["marketplace"] = row.facts.marketplace  # the row names one
        if not row.facts.claim_date_known:
            values["claim_date"] = row.facts.claim_date.isoformat()
        added = add_or_complete(self.store, self.options.book, values, self.options.now,
                                Source.CSV, claim_date_known=row.facts.claim_date_known)
        if added.completed:
            self.result.updated += 1
            self.result.notes.append(f"claim {added.claim.id} (order {added.claim.order_id}), "
                                     f"created from {added.completed}, completed with this "
                                     "file's facts")
        else:
            self.result.added += 1
            self._tell(added.claim.id, added.claim.facts)
        self._record(added.claim, row, [])

    def _meet(self, claim: Claim, row: Row) -> None:
        """A row for a claim already recorded: what is new is recorded; facts the seller has
        corrected since are kept as corrected and reported."""
        stored, given = fact_texts(claim.facts), fact_texts(row.facts)
        differs = [f"{n} {given[n]} (atoz has {stored[n] or '-'})" for n in (
            "order_date", "latest_delivery", "claim_date", "amount", "currency", "reason",
            "marketplace") if row.values.get(n) and stored.get(n) != given.get(n)]
        if self._record(claim, row, differs):
            self.result.updated += 1
        else:
            self.result.unchanged += 1
        if differs:
            self.result.notes.append(f"claim {claim.id} (order {claim.order_id}): the file says "
                                     f"{', '.join(differs)}; kept atoz's (correct it with atoz "
                                     "edit if the file is right)")

    def _record(self, claim: Claim, row: Row, differs: list[str]) -> bool:
        """Record the row's steps and decision that the claim's history lacks, in the order
        they happened; say where the file and atoz disagree. Whether anything was recorded."""
        before = [e for e in row.steps if e.step is not StepName.APPEAL]
        after = [e for e in row.steps if e.step is StepName.APPEAL]
        changed = self._mark(claim, before, differs)
        changed = self._decide(reload(self.store, claim.id), row, differs) or changed
        changed = self._debit(claim, row) or changed
        return self._mark(reload(self.store, claim.id), after, differs) or changed

    def _debit(self, claim: Claim, row: Row) -> bool:
        debit = row.debit
        if debit is None or debit.on is None or debited_on(self.store, claim.id, debit.on):
            return False
        detail = debit.detail or {}
        record_debit(self.store, self.options.book, claim.id, detail.get("amount_minor"),
                     detail.get("currency"), debit.on, self.options.now, debit.note or "")
        return True

    def _mark(self, claim: Claim, entries: list[NewEntry], differs: list[str]) -> bool:
        steps = {s.name: s for s in self.store.steps(claim.id)}
        changed = False
        for entry in entries:
            assert entry.step is not None and entry.on is not None
            step = steps.get(entry.step)
            state = StepState.DONE if entry.kind is HistoryKind.DONE else StepState.SKIPPED
            if step is None:
                _check_steps((entry,), steps.values())
            elif step.state in (StepState.DONE, StepState.SKIPPED):
                history = recorded_steps(self.store.history(claim.id))
                had = (history.done if step.state is StepState.DONE else
                       history.skipped).get(entry.step)
                if (step.state, had) != (state, entry.on):
                    differs.append(f"{entry.step} {_WORD[state]} {entry.on} (atoz has "
                                   f"{_WORD[step.state]} {had or '-'})")
            else:
                mark_step(self.store, self.options.book, claim.id, str(entry.step), entry.on,
                          self.options.now, None, entry.kind)
                changed = True
        return changed

    def _decide(self, claim: Claim, row: Row, differs: list[str]) -> bool:
        if not (row.outcome.decided and row.decided_on):
            return False
        if row.outcome is claim.outcome:
            if row.decided_on != claim.decided_on:
                differs.append(f"decided_on {row.decided_on} (atoz has {claim.decided_on})")
            return False
        if any(h.kind is HistoryKind.STATUS and h.outcome is row.outcome and
               h.on == row.decided_on for h in self.store.history(claim.id)):
            return False  # that decision is already in the history, superseded since
        record_outcome(self.store, self.options.book, claim.id, row.outcome, row.decided_on,
                       self.options.now, payer=row.payer, odr=row.odr, note=row.facts.note,
                       day_field="decided_on")
        return True


_WORD = {StepState.DONE: "done", StepState.SKIPPED: "skipped"}


def _check_steps(entries: Sequence[NewEntry], steps: Iterable[Step]) -> None:
    """Refuse a step the claim does not have (as `atoz done` does)."""
    if not entries:
        return
    names = [s.name for s in steps]
    for entry in entries:
        if entry.step not in names:
            have = ", ".join(str(n) for n in names) or "none"
            raise InputError("steps_recorded", str(entry.step),
                             f"the claim has no {entry.step} step (it has: {have})")


def _stub(new: NewClaim) -> Claim:
    """A claim written with the chunk, as a record (for the rest of the chunk to see it)."""
    d = new.derived
    return Claim(new.claim_id, new.facts, new.source, new.created_at, d.outcome, d.decided_on,
                 d.payer, d.odr, d.debited_minor, d.debited_on, d.response_deadline,
                 d.window_opens, d.window_closes)

"""atoz's claims CSV: the sheet a seller keeps by hand, and what `atoz export --format csv`
writes (its extra columns are read-only facts atoz computes, and are ignored here).

Read with the `csv` module whatever saved it: a header in quotes, CRLF, a byte-order mark, and
`;` between cells as European spreadsheets write it. A claim is identified by its order and the
day it was first filed, never by a value the seller may later correct, so importing the same
file again changes nothing, and a field edited since is reported rather than duplicated.

Fast on a long history: rows are checked a chunk at a time, the chunk's orders are looked up in
one query, and new claims are written with one `executemany` per table; only a row that meets a
claim already recorded takes the one-claim path.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from atoz.claims import derivation, record_outcome
from atoz.errors import FileFormatError, InputError
from atoz.facts import check_facts, fact_texts, parse_choice, parse_day, parse_odr, parse_outcome
from atoz.imports.common import ImportOptions, ImportResult, duplicated, read_text
from atoz.imports.rejects import Rejects
from atoz.intake import STAND_INS, add_or_complete
from atoz.policy import packaged
from atoz.records import (
    Claim,
    ClaimFacts,
    HistoryKind,
    NewEntry,
    Odr,
    Outcome,
    Payer,
    Source,
)
from atoz.store import NewClaim, Store

COLUMNS = ("order_id", "order_date", "latest_delivery", "delivered_on", "claim_date", "amount",
           "currency", "reason", "marketplace", "buyer", "outcome", "decided_on", "paid_by",
           "odr", "note")
REQUIRED = ("order_id",)
ALIASES = {"status": "outcome", "payer": "paid_by"}  # 0.1.0's names
# Columns `atoz export --format csv` adds: computed by atoz, so not read back.
EXPORT_ONLY = ("claim_id", "claim_date_known", "source", "amount_minor", "response_deadline",
               "response_deadline_local", "window_opens", "window_closes", "filed",
               "days_outside", "appeal_until", "debited_amount", "debited_on", "steps",
               "history", "created_at")
CHUNK = 2000


def header_names(cells: list[str]) -> list[str]:
    return [ALIASES.get(n, n) for n in
            (c.strip().strip('"').lstrip("\ufeff").strip().lower() for c in cells)]


def dialect_of(sample: str) -> type[csv.Dialect] | csv.Dialect:
    """The CSV dialect of a sample: `,`, `;` or a tab between cells."""
    try:
        sniffed = csv.Sniffer().sniff(sample.split("\n", 1)[0] + "\n", delimiters=",;\t")
    except csv.Error:
        return csv.excel
    # Only the delimiter: from a header line the sniffer cannot see how a quote inside a cell
    # is written (it then says "not doubled"), and every spreadsheet doubles it.
    return type("Sniffed", (csv.excel,), {"delimiter": sniffed.delimiter})


def _unescaped(cell: str) -> str:
    """A cell as it was before atoz's CSV export escaped it for spreadsheets (exports.csv_safe
    puts an apostrophe before text that starts like a formula), so the export imports back."""
    if cell.startswith("'") and cell[1:].startswith(("=", "+", "-", "@", "\t", "\r")):
        return cell[1:]
    return cell


@dataclass(frozen=True)
class Row:
    line: int
    raw: Raw
    values: dict[str, str | None]
    facts: ClaimFacts
    outcome: Outcome
    decided_on: dt.date | None
    payer: Payer | None
    odr: Odr | None


def _check(values: dict[str, str | None], line: int, raw: Raw, options: ImportOptions) -> Row:
    if not values.get("order_id"):
        raise InputError("order_id", "", "required")
    checked = check_facts(values, options.now)
    facts = checked.facts
    outcome = parse_outcome(values.get("outcome") or "under-review")
    decided_text = (values.get("decided_on") or "").strip()
    decided = None
    if outcome.decided:
        if not decided_text:
            raise InputError("decided_on", "", f"required when the outcome is {outcome}")
        decided = parse_day(decided_text, "decided_on", options.now,
                            packaged(facts.marketplace).tz)
        if decided < facts.claim_date:
            raise InputError("decided_on", decided_text, f"is before the claim date "
                                                         f"{facts.claim_date}")
    payer_text, odr_text = values.get("paid_by"), values.get("odr")
    payer = parse_choice(payer_text, Payer, "paid_by") if payer_text and outcome.decided else None
    odr = parse_odr(odr_text) if odr_text and outcome.decided else None
    return Row(line, raw, values, facts, outcome, decided, payer, odr)


@dataclass(frozen=True)
class Raw:
    """A row as the file had it, written back only if it goes to the REJECTS file."""

    cells: list[str]
    delimiter: str

    def __str__(self) -> str:
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=self.delimiter, lineterminator="").writerow(self.cells)
        return buffer.getvalue()


def _rows(path: Path, options: ImportOptions
          ) -> tuple[list[str], Iterator[tuple[int, Raw, dict[str, Any]]]]:
    text = read_text(path, options.name, options.encoding)
    if "\r" in text and "\n" not in text:
        text = text.replace("\r", "\n")  # a file saved with classic Mac line ends
    reader = csv.reader(io.StringIO(text, newline=""), dialect_of(text[:4096]), strict=True)
    try:
        header_cells = next(reader, None)
    except csv.Error as exc:
        raise FileFormatError(f"{options.name}:1: header: {exc}") from None
    if not header_cells:
        raise FileFormatError(f"{options.name}: the file is empty")
    header = header_names(header_cells)
    duplicated(header, options.name)
    unknown = [n for n in header if n not in COLUMNS and n not in EXPORT_ONLY and n]
    if unknown:
        raise FileFormatError(f"{options.name}:1: header: unknown column {unknown[0]!r}; "
                              f"columns are {', '.join(COLUMNS)}")
    missing = [n for n in REQUIRED if n not in header]
    if missing:
        raise FileFormatError(f"{options.name}:1: header: missing column {missing[0]!r}")
    delimiter = getattr(reader.dialect, "delimiter", ",")

    def rows() -> Iterator[tuple[int, Raw, dict[str, Any]]]:
        try:
            for cells in reader:
                if not any(c.strip() for c in cells):
                    continue
                values: dict[str, Any] = {
                    n: (c if c[:1] != "'" else _unescaped(c)) if c.strip() else None
                    for n, c in zip(header, cells, strict=False) if n in COLUMNS}
                if len(cells) > len(header):
                    values["__extra__"] = True
                yield reader.line_num, Raw(cells, delimiter), values
        except csv.Error as exc:
            raise FileFormatError(f"{options.name}:{reader.line_num}: csv: {exc}") from None

    return header, rows()


def import_csv(store: Store, path: Path, options: ImportOptions) -> ImportResult:
    header, rows = _rows(path, options)
    result = ImportResult("claims-csv")
    progress = options.progress
    size = path.stat().st_size
    progress.phase("importing claims", max(1, size // 80), "rows")
    seen_rows = 0
    with Rejects(path, options, ",".join(header), sep=",") as rejects, \
            rejects.transaction(store):
        next_id = int(store.conn.execute("select coalesce(max(id), 0) + 1 from claims")
                      .fetchone()[0])
        chunk: list[Row] = []
        for line, raw, values in rows:
            seen_rows += 1
            try:
                if values.pop("__extra__", False):
                    raise InputError("row", "", "more cells than columns")
                chunk.append(_check(values, line, raw, options))
            except InputError as exc:
                rejects.bad(line, exc, str(raw))
                result.skipped += 1
            if len(chunk) >= CHUNK:
                next_id = _write_chunk(store, chunk, options, result, rejects, next_id)
                progress.advance(len(chunk))
                chunk = []
        next_id = _write_chunk(store, chunk, options, result, rejects, next_id)
        progress.advance(len(chunk))
        if seen_rows == 0:
            raise FileFormatError(f"{options.name}: no claims in the file (only a header)")
    if note := rejects.note():
        result.notes.append(note)
    return result


@dataclass(frozen=True)
class Known:
    """A claim already recorded, as its identity: the order and the day it was first filed."""

    claim: Claim
    first_filed: str


def _known(store: Store, order_ids: list[str]) -> dict[str, list[Known]]:
    found: dict[str, list[Known]] = defaultdict(list)
    for i in range(0, len(order_ids), 500):
        part = order_ids[i:i + 500]
        marks = ", ".join("?" for _ in part)
        for row in store.rows(
                "select c.*, (select on_date from history h where h.claim_id = c.id "
                f"order by h.id limit 1) as first_filed from claims c where c.order_id in "
                f"({marks}) order by c.id", part):
            found[row["order_id"]].append(Known(Claim.from_row(row), row["first_filed"]))
    return found


def _write_chunk(store: Store, chunk: list[Row], options: ImportOptions, result: ImportResult,
                 rejects: Rejects, next_id: int) -> int:
    """Write a chunk: new claims in bulk, rows meeting a recorded claim one by one."""
    if not chunk:
        return next_id
    known = _known(store, sorted({r.facts.order_id for r in chunk}))
    writer = store.claim_writer()
    book, now = options.book, options.now
    for row in chunk:
        order_id = row.facts.order_id
        day = row.facts.claim_date.isoformat()
        same = [k for k in known[order_id] if day in (k.first_filed, k.claim.facts.claim_date
                                                      .isoformat())]
        stand_in = [k for k in known[order_id] if k.claim.source in STAND_INS and
                    not k.claim.facts.claim_date_known]
        try:
            if same:
                _meet(store, same[0].claim, row, options, result)
                continue
            if stand_in or row.facts.order_date is None:
                _one(store, row, options, result)
                known[order_id] = [Known(c, c.facts.claim_date.isoformat())
                                   for c in store.claims_for_order(order_id)]
                continue
            if any(k.claim.is_open for k in known[order_id]):
                first = next(k.claim for k in known[order_id] if k.claim.is_open)
                raise InputError("order_id", order_id, f"already has open claim {first.id}; "
                                                       "record its outcome first")
        except InputError as exc:
            rejects.bad(row.line, exc, str(row.raw))
            result.skipped += 1
            continue
        claim_id = next_id
        next_id += 1
        entries = [NewEntry(HistoryKind.STATUS, row.facts.claim_date, now.recorded,
                            outcome=Outcome.UNDER_REVIEW, note=row.facts.note or "claim filed")]
        if row.outcome.decided and row.decided_on:
            detail = {k: str(v) for k, v in (("payer", row.payer), ("odr", row.odr)) if v}
            entries.append(NewEntry(HistoryKind.STATUS, row.decided_on, now.recorded,
                                    outcome=row.outcome, detail=detail or None))
        derived = derivation(book, row.facts, entries)
        writer.add(NewClaim(claim_id, row.facts, Source.CSV, now.recorded, entries,
                            derived.derived, derived.steps, derived.decisions))
        known[order_id].append(Known(_stub(claim_id, row, derived.derived, now.recorded), day))
        result.added += 1
    writer.flush()
    return next_id


def _stub(claim_id: int, row: Row, derived: Any, created: dt.datetime) -> Claim:
    """The claim just written, as a record (for the rest of the chunk to see it)."""
    return Claim(claim_id, row.facts, Source.CSV, created, derived.outcome,
                 derived.decided_on, derived.payer, derived.odr, None, None,
                 derived.response_deadline, derived.window_opens, derived.window_closes)


def _one(store: Store, row: Row, options: ImportOptions, result: ImportResult) -> None:
    """A row that completes a claim Amazon's data created, or needs its order's dates."""
    added = add_or_complete(store, options.book, row.values, options.now, Source.CSV)
    if added.completed:
        result.updated += 1
        result.notes.append(f"claim {added.claim.id} (order {added.claim.order_id}), created "
                            f"from {added.completed}, completed with this file's facts")
    else:
        result.added += 1
    if row.outcome.decided and row.decided_on and row.outcome is not added.claim.outcome:
        record_outcome(store, options.book, added.claim.id, row.outcome, row.decided_on,
                       options.now, payer=row.payer, odr=row.odr, note=row.facts.note)


def _meet(store: Store, claim: Claim, row: Row, options: ImportOptions,
          result: ImportResult) -> None:
    """A row for a claim already recorded: a new decision is recorded; facts the seller has
    corrected since are kept as corrected and reported."""
    stored, given = fact_texts(claim.facts), fact_texts(row.facts)
    differs = [n for n in ("order_date", "latest_delivery", "claim_date", "amount", "currency",
                           "reason", "marketplace") if row.values.get(n) and
               stored.get(n) != given.get(n)]
    if differs:
        shown = ", ".join(f"{n} {given[n]} (atoz has {stored[n] or '-'})" for n in differs)
        result.notes.append(f"claim {claim.id} (order {claim.order_id}): the file says {shown};"
                            " kept atoz's (correct it with atoz edit if the file is right)")
    if row.outcome.decided and row.decided_on and row.outcome is not claim.outcome:
        record_outcome(store, options.book, claim.id, row.outcome, row.decided_on, options.now,
                       payer=row.payer, odr=row.odr, note=row.facts.note)
        result.updated += 1
    else:
        result.unchanged += 1


"""atoz's claims CSV as a file: its columns, and each row read and checked into the facts,
the decision and the steps it records (atoz.imports.claims_csv writes them). What `atoz export
--format csv` adds after the columns is computed by atoz, and ignored here.

Read with the `csv` module whatever saved it: a header in quotes, CRLF, a byte-order mark, and
`;` between cells as European spreadsheets write it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from atoz.claims import MARKETPLACE_ASSUMED
from atoz.derive import recorded_steps
from atoz.errors import FileFormatError, InputError
from atoz.facts import (
    check_facts,
    not_before_filing,
    parse_choice,
    parse_day,
    parse_odr,
    parse_outcome,
)
from atoz.imports.common import ImportOptions, duplicated, read_text
from atoz.instants import Now
from atoz.money import parse_amount
from atoz.orders import parse_order_id
from atoz.playbook import PRE_DECISION
from atoz.policy import marketplace_code, packaged
from atoz.records import (
    Claim,
    ClaimFacts,
    Entry,
    HistoryKind,
    NewEntry,
    Odr,
    Outcome,
    Payer,
    Step,
    StepName,
    StepState,
)

COLUMNS = ("order_id", "order_date", "latest_delivery", "delivered_on", "claim_date", "amount",
           "currency", "reason", "marketplace", "buyer", "outcome", "decided_on", "paid_by",
           "odr", "note", "steps_recorded", "debited_amount", "debited_on")
REQUIRED = ("order_id",)
ALIASES = {"status": "outcome", "payer": "paid_by"}  # 0.1.0's names
# Columns `atoz export --format csv` adds: computed by atoz, so not read back.
EXPORT_ONLY = ("claim_id", "claim_date_known", "source", "amount_minor", "response_deadline",
               "response_deadline_local", "window_opens", "window_closes", "filed",
               "days_outside", "appeal_until", "steps", "history", "created_at")
_STATES = {"done": HistoryKind.DONE, "skipped": HistoryKind.SKIP}


# --- the steps a seller recorded, as one cell: "contact done 2026-11-03; appeal skipped ..." --
def steps_recorded_text(claim: Claim, steps: Sequence[Step], history: Sequence[Entry]) -> str:
    """The steps done or skipped, with their days, that an import of the row re-creates: the
    playbook's own steps (a claim with a known filing date) and the appeal of a grant in force
    (an information request, and so its answer, is not a column of the file)."""
    recorded = recorded_steps(history)
    parts = []
    for step in steps:
        if not (step.name in PRE_DECISION and claim.facts.claim_date_known or
                step.name is StepName.APPEAL and
                claim.outcome is Outcome.GRANTED_SELLER_FUNDED):
            continue
        if step.state is StepState.DONE and step.name in recorded.done:
            parts.append(f"{step.name} done {recorded.done[step.name]}")
        elif step.state is StepState.SKIPPED and step.name in recorded.skipped:
            parts.append(f"{step.name} skipped {recorded.skipped[step.name]}")
    return "; ".join(parts)


def _steps(text: str | None, facts: ClaimFacts, now: Now) -> tuple[NewEntry, ...]:
    if not text:
        return ()
    entries: list[NewEntry] = []
    for part in (p.strip() for p in re.split(r"[;\n]", text or "")):
        if not part:
            continue
        words = part.split()
        if len(words) < 3 or words[1].lower() not in _STATES:
            raise InputError("steps_recorded", part, "write each step as STEP done DAY or STEP "
                                                     "skipped DAY, separated by ;")
        step: StepName = parse_choice(words[0], StepName, "steps_recorded")
        on = parse_day(" ".join(words[2:]), "steps_recorded", now,
                       packaged(facts.marketplace).tz)
        not_before_filing(on, facts, "steps_recorded", part)
        if any(e.step is step for e in entries):
            raise InputError("steps_recorded", part, f"names {step} twice")
        entries.append(NewEntry(_STATES[words[1].lower()], on, now.recorded, step=step))
    return tuple(entries)


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
class Raw:
    """A row as the file had it, written back only if it goes to the REJECTS file."""

    cells: list[str]
    delimiter: str

    def __str__(self) -> str:
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=self.delimiter, lineterminator="").writerow(self.cells)
        return buffer.getvalue()


Read = tuple[int, Raw, dict[str, Any]]  # a row as read: its line, its cells, its values


def read_rows(path: Path, options: ImportOptions) -> tuple[list[str], Iterator[Read]]:
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
    read = [n in COLUMNS for n in header]  # the columns read back (not the computed ones)

    def rows() -> Iterator[Read]:
        try:
            for cells in reader:
                if not any(c.strip() for c in cells):
                    continue
                values: dict[str, Any] = {
                    n: (c if c[:1] != "'" else _unescaped(c)) if c.strip() else None
                    for n, c, wanted in zip(header, cells, read, strict=False) if wanted}
                if len(cells) > len(header):
                    values["__extra__"] = True
                yield reader.line_num, Raw(cells, delimiter), values
        except csv.Error as exc:
            raise FileFormatError(f"{options.name}:{reader.line_num}: csv: {exc}") from None

    return header, rows()


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
    steps: tuple[NewEntry, ...]  # DONE and SKIP entries
    debit: NewEntry | None  # Amazon debited the seller (as Amazon's finance data says)
    marketplace_assumed: bool  # atoz's default (US): neither the row, its order nor -m said

    def history(self, now: Now) -> list[NewEntry]:
        """The history of a new claim from this row: its filing, then its steps, decision and
        debit in the order they happened (a step's entry between them says the claim was open;
        on one day, a step comes first, then the decision, the debit and an appeal)."""
        later = [(e, 3 if e.step is StepName.APPEAL else 0) for e in self.steps]
        if self.outcome.decided and self.decided_on:
            detail = {k: str(v) for k, v in (("payer", self.payer), ("odr", self.odr)) if v}
            later.append((NewEntry(HistoryKind.STATUS, self.decided_on, now.recorded,
                                   outcome=self.outcome, detail=detail or None), 1))
        if self.debit:
            later.append((self.debit, 2))
            if not self.outcome.decided:  # the seller paid: granted at their cost, on the
                # debit's day, entered as claims.record_debit enters it (after the debit)
                later.append((NewEntry(HistoryKind.STATUS, self.debit.on, now.recorded,
                                       outcome=Outcome.GRANTED_SELLER_FUNDED,
                                       note=self.debit.note,
                                       detail={"payer": str(Payer.SELLER)}), 2))
        later.sort(key=lambda pair: (pair[0].on, pair[1]))  # stable: a grant after its debit
        filed = self.facts.note or ("claim filed" if self.facts.claim_date_known else
                                    "the filing date is unknown: the claims CSV row gave none")
        return [NewEntry(HistoryKind.STATUS, self.facts.claim_date, now.recorded,
                         outcome=Outcome.UNDER_REVIEW, note=filed,
                         detail={MARKETPLACE_ASSUMED: True} if self.marketplace_assumed else
                         None), *(entry for entry, _ in later)]


def check_row(values: dict[str, str | None], line: int, raw: Raw, options: ImportOptions,
              ordered: Mapping[str, str]) -> Row:
    """A row checked. `ordered`: the marketplace of each imported order among the rows'."""
    if not values.get("order_id"):
        raise InputError("order_id", "", "required")
    marketplace = _marketplace(values, options, ordered)
    dated = bool((values.get("claim_date") or "").strip())
    facts = check_facts({**values, "marketplace": marketplace}, options.now,
                        claim_date_known=dated).facts
    outcome = parse_outcome(values.get("outcome") or "under-review")
    decided_text = (values.get("decided_on") or "").strip()
    decided = None
    if outcome.decided:
        if not decided_text:
            raise InputError("decided_on", "", f"required when the outcome is {outcome}")
        decided = parse_day(decided_text, "decided_on", options.now,
                            packaged(facts.marketplace).tz)
        not_before_filing(decided, facts, "decided_on", decided_text)
        if facts.order_date and decided < facts.order_date:
            raise InputError("decided_on", decided_text, f"is before the order date "
                                                         f"{facts.order_date}")
        if not dated:  # the claim existed by its decision: that day stands in for its filing
            facts = replace(facts, claim_date=decided)
    payer_text, odr_text = values.get("paid_by"), values.get("odr")
    payer = parse_choice(payer_text, Payer, "paid_by") if payer_text and outcome.decided else None
    odr = parse_odr(odr_text) if odr_text and outcome.decided else None
    steps = _steps(values.get("steps_recorded"), facts, options.now)
    debit = _debit(values, facts, options.now)
    if debit and debit.on and not dated and not outcome.decided:  # granted by the debit: its
        facts = replace(facts, claim_date=debit.on)  # day stands in, as for a finance claim
    return Row(line, raw, values, facts, outcome, decided, payer, odr, steps, debit,
               marketplace is None)


def _marketplace(values: Mapping[str, str | None], options: ImportOptions,
                 ordered: Mapping[str, str]) -> str | None:
    """The row's marketplace: as it says, else its imported order's, else --marketplace; None
    leaves atoz's default. One that contradicts the imported order is refused: the order's
    marketplace is Amazon's own, and the claim's zone, currency and rules follow it."""
    text = (values.get("marketplace") or "").strip()
    said = marketplace_code(text) if text else None
    order = ordered.get(parse_order_id(values.get("order_id") or "")) if ordered else None
    if said and order and said != order:
        raise InputError("marketplace", text, f"the imported order is on {order}; write "
                                              f"{order} or leave the cell empty")
    return said or order or options.marketplace


def _debit(values: dict[str, str | None], facts: ClaimFacts, now: Now) -> NewEntry | None:
    """A debit as atoz's CSV export writes it: its day, and its amount (else the claim's)."""
    amount, day = values.get("debited_amount"), values.get("debited_on")
    if not day:
        if amount:
            raise InputError("debited_on", "", "required with debited_amount")
        return None
    on = parse_day(day, "debited_on", now, packaged(facts.marketplace).tz)
    not_before_filing(on, facts, "debited_on", day)
    minor = parse_amount(amount, facts.currency, "debited_amount") if amount else \
        facts.amount_minor or 0
    return NewEntry(HistoryKind.DEBIT, on, now.recorded, note="debited (claims CSV)",
                    detail={"amount_minor": minor, "currency": facts.currency})

"""Data out: every claim as CSV or JSON, streamed in chunks so years of claims never sit in
memory.

- The JSON export holds everything atoz recorded (each claim's facts and whole history, the
  imported orders, the seller's local rules, the e-mails already read) plus what atoz computed
  (in the same keys as `status --json`). `atoz import` restores it exactly; only what was
  recorded is read back, the computed parts are recomputed.
- The CSV export starts with the claims CSV's own columns, so it imports back to the same
  claims (with the steps done or skipped, and no claim date where atoz has only a stand-in);
  the columns after them are computed and ignored on import. Cells that start like a
  formula are escaped so a spreadsheet never runs them; amounts are plain numbers it can sum.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Generator, Iterable, Sequence
from typing import Any

from atoz.history_text import describe
from atoz.imports.claims_rows import COLUMNS, EXPORT_ONLY, steps_recorded_text
from atoz.instants import Now
from atoz.money import decimal_text
from atoz.playbook import last_day
from atoz.progress import NO_PROGRESS, Progress
from atoz.queries import Record, all_orders, records
from atoz.records import iso
from atoz.serialize import (
    claim_json,
    export_header_json,
    history_json,
    local_rule_json,
    market_tz,
    order_json,
    step_json,
)
from atoz.store import Store
from atoz.windows import filing_between

EXPORT_VERSION = 2
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets (tab and
# carriage return too, per OWASP's CSV injection advice). A leading apostrophe makes it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> str:
    """One cell as text that a spreadsheet shows and never runs. A negative number stays a
    number (it is not a formula)."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not _number(text):
        return "'" + text
    return text


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and "e" not in text.lower() and "n" not in text.lower()


def csv_text(rows: Iterable[Sequence[Any]], newline: str = "\n", delimiter: str = ",") -> str:
    """Rows as CSV with every cell escaped by `csv_safe` (the one CSV writer atoz uses)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline, delimiter=delimiter)
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return buffer.getvalue()


# --- JSON export ------------------------------------------------------------------------------
def claim_record(record: Record, now: Now) -> dict[str, Any]:
    claim = record.claim
    return {**claim_json(claim, now), "note": claim.facts.note,
            "created_at": claim.created_at.isoformat(),
            "steps": [step_json(s, claim, now) for s in record.steps],
            "history": [history_json(h) for h in record.history]}


def export_json(store: Store, now: Now, progress: Progress = NO_PROGRESS
                ) -> Generator[str, None, None]:
    """The JSON export, in chunks: one record per line, `atoz_export` first (`atoz import`
    detects the file by it)."""
    with store.snapshot():
        header = export_header_json(now, store.schema_version(), EXPORT_VERSION)
        yield '{\n"atoz_export": ' + json.dumps(header, ensure_ascii=False)
        yield ',\n"policy_rules": ['
        yield ",".join("\n" + json.dumps(local_rule_json(r), ensure_ascii=False)
                       for r in store.local_rules())
        yield '\n],\n"messages": ['
        yield ",".join("\n" + json.dumps(m, ensure_ascii=False) for m in store.rows(
            "select message_id, claim_id, kind, sent_at, subject from mail_messages "
            "order by rowid"))
        counts = store.counts()
        progress.phase("exporting orders", counts["orders"], "orders")
        yield '\n],\n"orders": ['
        first = True
        for order in all_orders(store):
            yield ("\n" if first else ",\n") + json.dumps(order_json(order), ensure_ascii=False)
            first = False
            progress.advance()
        progress.phase("exporting claims", counts["claims"], "claims")
        yield '\n],\n"claims": ['
        first = True
        for record in records(store):
            yield ("\n" if first else ",\n") + json.dumps(claim_record(record, now),
                                                          ensure_ascii=False)
            first = False
            progress.advance()
        yield "\n]\n}\n"


# --- CSV export -------------------------------------------------------------------------------
def _steps_cell(record: Record, now: Now) -> str:
    lines = []
    for step in record.steps:
        state = step.state_at(now.at)
        shown = {"done": f"done {step.done_on}", "open": f"open, due {step.due}"}.get(
            str(state), str(state))
        lines.append(f"{step.name}: {shown}")
    return "\n".join(lines)


def _history_cell(record: Record) -> str:
    tz = market_tz(record.claim.marketplace)
    return "\n".join(f"{iso(h.on) or ''} {describe(h, tz)}" + (f": {h.note}" if h.note else "")
                     for h in record.history)


def export_csv(store: Store, now: Now, newline: str = "\n", progress: Progress = NO_PROGRESS
               ) -> Generator[str, None, None]:
    """One row per claim: the claims CSV's columns, then what atoz computed."""
    yield csv_text([COLUMNS + EXPORT_ONLY], newline)
    with store.snapshot():
        progress.phase("exporting claims", store.counts()["claims"], "claims")
        for record in records(store):
            claim, facts = record.claim, record.claim.facts
            data = claim_json(claim, now)
            when = facts.claim_date.isoformat() + (
                f" {facts.claim_time.isoformat()}" if facts.claim_time else "")
            appeal = [s for s in record.steps if s.name == "appeal"]
            filed, outside = None, None
            if claim.window_opens and claim.window_closes and facts.claim_date_known:
                filing = filing_between(claim.window_opens, claim.window_closes,
                                        facts.claim_date)
                filed, outside = str(filing.filed), filing.days_outside
            imported = {
                **{name: data.get(name) for name in COLUMNS},
                # A stand-in (finance debit, decision e-mail) is not a filing date: left empty,
                # it imports back as unknown.
                "claim_date": when if facts.claim_date_known else None,
                "paid_by": data["payer"],
                "odr": data["odr"] if claim.outcome.decided else None,
                "note": facts.note,
                "outcome": data["outcome"],
                "steps_recorded": steps_recorded_text(claim, record.steps, record.history),
                "debited_amount": decimal_text(claim.debited_minor, facts.currency)
                if claim.debited_minor is not None else None,
                "debited_on": iso(claim.debited_on),
            }
            computed = {
                "claim_id": claim.id, "claim_date_known": "yes" if facts.claim_date_known
                else "no", "source": str(claim.source), "amount_minor": facts.amount_minor,
                "response_deadline": data["response_deadline"],
                "response_deadline_local": data["response_deadline_local"],
                "window_opens": data["window_opens"], "window_closes": data["window_closes"],
                "filed": filed, "days_outside": outside,
                "appeal_until": iso(last_day(appeal[0].deadline, market_tz(claim.marketplace)))
                if appeal else None,
                "steps": _steps_cell(record, now),
                "history": _history_cell(record),
                "created_at": claim.created_at.isoformat(),
            }
            yield csv_text([[*(imported[c] for c in COLUMNS), *(computed[c] for c in
                                                                 EXPORT_ONLY)]], newline)
            progress.advance()

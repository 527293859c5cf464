"""Restoring an atoz JSON export (version 1 from atoz 0.1, version 2 from 0.2): claims with
their history exactly, the imported orders, the seller's local rules and the e-mails read.

Read as a stream (one claim in memory at a time) and checked claim by claim: a bad claim further
on raises, and the caller's transaction takes back everything written before it. Into an empty
database the claims keep their numbers and are written in bulk. Otherwise nothing is
overwritten: a claim already here (same order, same first history entry) is unchanged, or brought
up to date when the export holds its history plus newer entries; a claim that changed on both
sides, or clashes with one recorded separately here, is kept as it is here and reported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from atoz.claims import MAX_ID, derivation, refresh
from atoz.dates import check_range
from atoz.errors import FileFormatError, InputError, quote
from atoz.facts import FACT_FIELDS, MAX_TEXT, check_facts, fact_texts, is_text
from atoz.imports.common import ImportOptions, ImportResult
from atoz.imports.json_stream import stream_object
from atoz.money import parse_amount, parse_currency
from atoz.orders import parse_order_id
from atoz.policy import check_local_value, marketplace_code
from atoz.records import (
    ClaimFacts,
    HistoryEntry,
    HistoryKind,
    NewEntry,
    Outcome,
    Source,
    StepName,
)
from atoz.schema import gives_filing
from atoz.store import NewClaim, Store

VERSIONS = (1, 2)
BULK = 2000


def _fail(where: str, field: str, value: Any, problem: str) -> FileFormatError:
    shown = f" {quote(value)}:" if value not in ("", None) else ""
    return FileFormatError(f"{where}: {field}:{shown} {problem}")


def _text(entry: Mapping[str, Any], name: str, where: str) -> str | None:
    value = entry.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not is_text(value):
        raise _fail(where, name, value, f"not text of at most {MAX_TEXT} characters")
    return value


def _instant(entry: Mapping[str, Any], name: str, where: str) -> dt.datetime:
    """When atoz recorded something: an ISO timestamp with its offset, as atoz writes them."""
    value = entry.get(name)
    if isinstance(value, str) and len(value) <= 40:
        try:
            moment = dt.datetime.fromisoformat(value)
            if moment.tzinfo is not None:
                return moment.astimezone(dt.UTC)
        except (ValueError, OverflowError):
            pass
    raise _fail(where, name, value, "required: an ISO timestamp with its offset")


def _day(value: Any, where: str, field: str) -> dt.date:
    if not isinstance(value, str) or len(value) != 10:
        raise _fail(where, field, value, "not a date (YYYY-MM-DD)")
    try:
        return check_range(dt.date.fromisoformat(value), field, value)
    except ValueError:
        raise _fail(where, field, value, "not a real date") from None
    except InputError as exc:
        raise _fail(where, field, value, exc.problem) from None


def _change(value: Any) -> bool:
    """One field of an edit's detail: {"old": ..., "new": ...}."""
    return isinstance(value, dict) and {"old", "new"} <= set(value) and all(
        v is None or isinstance(v, int | float) or (isinstance(v, str) and is_text(v))
        for v in (value["old"], value["new"]))


def _detail(kind: HistoryKind, detail: Any, where: str) -> dict[str, Any] | None:
    if detail is None:
        return None
    if not isinstance(detail, dict) or len(str(detail)) > 20_000:
        raise _fail(where, "detail", detail, "not an object")
    if kind is HistoryKind.EDIT and not all(_change(v) for v in detail.values()):
        raise _fail(where, "detail", detail, 'not an object of {"old": ..., "new": ...} changes')
    if kind is HistoryKind.INFO_REQUEST:
        _instant(detail, "at", where)
    if kind is HistoryKind.DEBIT and not isinstance(detail.get("amount_minor"), int):
        raise _fail(where, "detail", detail, "a debit needs its amount_minor")
    return detail


def _entry(raw: Any, where: str) -> NewEntry:
    if not isinstance(raw, dict):
        raise _fail(where, "entry", "", "not an object")
    try:
        kind = HistoryKind(str(raw.get("kind")))
    except ValueError:
        raise _fail(where, "kind", raw.get("kind"), "unknown; use one of "
                    + ", ".join(k.value for k in HistoryKind)) from None
    day_text = raw.get("on", raw.get("on_date"))  # version 2, version 1
    # Errors name the key the file has: version 1 wrote on_date, status and id.
    on = _day(day_text, where, "on" if "on" in raw else "on_date") if day_text is not None \
        or kind is not HistoryKind.EDIT else None
    outcome = step = None
    if kind is HistoryKind.STATUS:
        try:
            outcome = Outcome(str(raw.get("outcome", raw.get("status")) or ""))
        except ValueError:
            raise _fail(where, "outcome" if "outcome" in raw else "status",
                        raw.get("outcome", raw.get("status")), "unknown") from None
    if kind in (HistoryKind.DONE, HistoryKind.SKIP):
        try:
            step = StepName(str(raw.get("step") or ""))
        except ValueError:
            raise _fail(where, "step", raw.get("step"), "unknown") from None
    return NewEntry(kind, on, _instant(raw, "recorded_at", where), outcome=outcome, step=step,
                    note=_text(raw, "note", where), detail=_detail(kind, raw.get("detail"), where))


@dataclass(frozen=True)
class Exported:
    claim_id: int
    facts: ClaimFacts
    source: Source
    created_at: dt.datetime
    history: list[NewEntry]


def _claim(record: Any, where: str, options: ImportOptions) -> Exported:
    if not isinstance(record, dict):
        raise _fail(where, "claim", "", "not an object")
    claim_id = record.get("claim_id", record.get("id"))
    if not isinstance(claim_id, int) or isinstance(claim_id, bool) or not 1 <= claim_id <= MAX_ID:
        raise _fail(where, "claim_id" if "claim_id" in record else "id", claim_id,
                    "not a claim number (a whole number from 1)")
    values: dict[str, str | None] = {}
    for name in ("order_id", "order_date", "latest_delivery", "delivered_on", "claim_date",
                 "claim_time", "amount", "currency", "reason", "marketplace", "buyer", "note"):
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            raise _fail(where, name, value, "not text")
        values[name] = value
    if values["claim_time"]:
        values["claim_date"] = f"{values['claim_date']} {values['claim_time']}"
    try:
        source = Source(_text(record, "source", where) or "import")
    except ValueError:
        source = Source.IMPORT
    entries = record.get("history")
    if not isinstance(entries, list) or not entries:
        raise _fail(where, "history", "", "required: the claim's history (a non-empty list)")
    history = [_entry(e, f"{where}.history[{i}]") for i, e in enumerate(entries)]
    if history[0].kind is not HistoryKind.STATUS:
        raise _fail(f"{where}.history[0]", "kind", str(history[0].kind),
                    "the first entry must be the claim's filing (kind status)")
    # Version 1 (atoz 0.1.0) has no claim_date_known: its finance-created claims carry the
    # debit's posted date, a stand-in, unless an edit gave the filing moment since (as
    # migration 0006 marks them in a 0.1.0 database).
    known = record.get("claim_date_known", source is not Source.FINANCE or any(
        h.kind is HistoryKind.EDIT and gives_filing(h.detail) for h in history)) is not False
    try:
        facts = check_facts(values, options.now, claim_date_known=known,
                            recorded=frozenset(FACT_FIELDS)).facts
    except InputError as exc:
        raise _fail(where, exc.field, exc.value, exc.problem) from None
    return Exported(claim_id, facts, source, _instant(record, "created_at", where), history)


def _second(moment: dt.datetime) -> dt.datetime:
    """An instant as exports write it: to the second (the database may hold microseconds)."""
    return moment.astimezone(dt.UTC).replace(microsecond=0)


def _identity(entries: list[NewEntry] | list[HistoryEntry]) -> tuple[Any, Any]:
    """A claim's first history entry never changes (history is append-only)."""
    return entries[0].on, _second(entries[0].recorded_at)


def _key(e: NewEntry | HistoryEntry) -> tuple[Any, ...]:
    return (e.kind, e.on, e.outcome, e.step, e.note or None, dict(e.detail or {}) or None,
            _second(e.recorded_at))


class Restore:
    def __init__(self, store: Store, options: ImportOptions) -> None:
        self.store = store
        self.options = options
        self.result = ImportResult("claims-json")
        self.keep_ids = not store.has_claims()
        self.bulk: list[Exported] = []
        self.seen: set[int] = set()
        self.orders = 0
        self.messages: list[list[Any]] = []

    def claim(self, record: Any, where: str) -> None:
        exported = _claim(record, where, self.options)
        if exported.claim_id in self.seen:
            raise _fail(where, "claim_id" if "claim_id" in record else "id", exported.claim_id,
                        "appears twice")
        self.seen.add(exported.claim_id)
        self.options.progress.advance()
        if self.keep_ids:
            self.bulk.append(exported)
            if len(self.bulk) >= BULK:
                self.flush()
        else:
            self._one(exported)

    def flush(self) -> None:
        """Write the pending claims in bulk (into an empty database)."""
        book = self.options.book
        writer = self.store.claim_writer()
        for e in self.bulk:
            d = derivation(book, e.facts, e.history)
            writer.add(NewClaim(e.claim_id, e.facts, e.source, e.created_at, e.history,
                                d.derived, d.steps, d.decisions))
        writer.flush()
        self.result.added += len(self.bulk)
        self.bulk = []

    def _one(self, e: Exported) -> None:
        store, book = self.store, self.options.book
        label = f"claim {e.claim_id} (order {e.facts.order_id}, filed {e.facts.claim_date})"
        same_order = store.claims_for_order(e.facts.order_id)
        for existing in same_order:
            have = store.history(existing.id)
            if not have or _identity(have) != _identity(e.history):
                continue
            have_keys, want_keys = [_key(h) for h in have], [_key(h) for h in e.history]
            if have_keys == want_keys and existing.facts == e.facts or (
                    len(have_keys) >= len(want_keys) and have_keys[:len(want_keys)] ==
                    want_keys):
                self.result.unchanged += 1  # the same, or this database is further along
            elif len(have_keys) < len(want_keys) and want_keys[:len(have_keys)] == have_keys:
                newer = e.history[len(have):]
                for entry in newer:
                    store.append(existing.id, entry)
                self._facts(existing.id, existing.facts, e.facts, newer)
                refresh(store, book, existing.id)
                self.result.updated += 1
            else:
                self.result.skipped += 1
                self.result.notes.append(
                    f"{label}: kept claim {existing.id} as it is here; it changed here too "
                    f"since this export (compare with atoz status {existing.id})")
            return
        clash = [c for c in same_order if c.facts.claim_date == e.facts.claim_date]
        if clash:
            self.result.skipped += 1
            self.result.notes.append(f"{label}: kept claim {clash[0].id}, recorded separately "
                                     "here for the same order and claim date")
            return
        if any(c.is_open for c in same_order) and _last_outcome(e.history) is \
                Outcome.UNDER_REVIEW:
            open_id = next(c.id for c in same_order if c.is_open)
            self.result.skipped += 1
            self.result.notes.append(f"{label}: the order already has open claim {open_id} "
                                     "here; record its outcome first, then import again")
            return
        derived = derivation(book, e.facts, e.history)
        claim_id = store.insert_claim(e.facts, e.source, e.created_at, derived.derived)
        for entry in e.history:
            store.append(claim_id, entry)
        store.insert_steps(claim_id, derived.steps, derived.decisions)  # as the bulk path does
        self.result.added += 1

    def _facts(self, claim_id: int, have: ClaimFacts, want: ClaimFacts,
               newer: list[NewEntry]) -> None:
        """An export further along may carry corrected facts; a correction with no edit entry
        of its own in the export gets one, so history still says what changed and when."""
        if have == want:
            return
        old, new = fact_texts(have), fact_texts(want)
        changed = {k: {"old": old[k], "new": new[k]} for k in old if old[k] != new[k]}
        explained = {k for e in newer if e.kind is HistoryKind.EDIT for k in (e.detail or {})}
        unexplained = {k: v for k, v in changed.items() if k not in explained}
        self.store.update_facts(claim_id, want)
        if unexplained:
            self.store.append(claim_id, NewEntry(
                HistoryKind.EDIT, self.options.now.today, self.options.now.recorded,
                note=f"from the export {self.options.name}, whose history had no edit for this",
                detail=unexplained))

    def order(self, raw: Any, where: str) -> None:
        if not isinstance(raw, dict):
            raise _fail(where, "order", "", "not an object")
        try:
            order_id = parse_order_id(str(raw.get("order_id") or ""))
            market = marketplace_code(str(raw.get("marketplace") or ""))
            purchase = _day(raw.get("purchase_date"), where, "purchase_date")
            latest = _day(raw["latest_delivery"], where, "latest_delivery") if raw.get(
                "latest_delivery") else None
            currency = parse_currency(str(raw.get("currency") or "")) if raw.get("currency") \
                else None
            total = parse_amount(str(raw["amount"]), currency) if raw.get("amount") and \
                currency else None
        except InputError as exc:
            raise _fail(where, exc.field, exc.value, exc.problem) from None
        cursor = self.store.conn.execute(
            "insert or ignore into orders (order_id, purchase_date, latest_delivery, "
            "marketplace, fulfillment_channel, total_minor, currency, order_status, "
            "source_file, imported_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [order_id, purchase.isoformat(), latest.isoformat() if latest else None, market,
             _text(raw, "fulfillment_channel", where), total, currency,
             _text(raw, "order_status", where), _text(raw, "source_file", where),
             self.options.now.recorded.isoformat()])
        self.orders += cursor.rowcount

    def rule(self, raw: Any, where: str) -> None:
        if not isinstance(raw, dict):
            raise _fail(where, "rule", "", "not an object")
        try:
            market = marketplace_code(str(raw.get("marketplace") or ""))
            rule = str(raw.get("rule") or "")
            value = None if raw.get("value") is None else check_local_value(
                rule, str(raw["value"]))
        except InputError as exc:
            raise _fail(where, exc.field, exc.value, exc.problem) from None
        start = _day(raw["effective_from"], where, "effective_from") if raw.get(
            "effective_from") else None
        recorded = _instant(raw, "recorded_at", where)
        if any(r.marketplace == market and r.rule == rule and r.value == value and
               r.recorded_at == recorded for r in self.store.local_rules()):
            return
        self.store.add_local_rule(market, rule, value, _text(raw, "source", where) or "",
                                  start, recorded)

    def message(self, raw: Any, where: str) -> None:
        if not isinstance(raw, dict) or not _text(raw, "message_id", where):
            raise _fail(where, "message", "", "not an object with a message_id")
        self.messages.append(
            [raw["message_id"], raw.get("claim_id"), _text(raw, "kind", where),
             _text(raw, "sent_at", where), _text(raw, "subject", where),
             self.options.now.recorded.isoformat()])

    def flush_messages(self) -> None:
        """The e-mails read, after the claims they name (a message refers to its claim). Into
        an empty database the claims keep their numbers, so each message keeps its claim."""
        for row in self.messages:
            known = isinstance(row[1], int) and self.keep_ids and row[1] in self.seen
            row[1] = row[1] if known else None
        self.store.conn.executemany(
            "insert or ignore into mail_messages (message_id, claim_id, kind, sent_at, subject, "
            "imported_at) values (?, ?, ?, ?, ?, ?)", self.messages)


def _last_outcome(history: list[NewEntry]) -> Outcome:
    return [h.outcome for h in history if h.kind is HistoryKind.STATUS and h.outcome][-1]


def restore(store: Store, path: Path, options: ImportOptions) -> ImportResult:
    """Restore an export, inside one write transaction (all or nothing)."""
    name = options.name
    counts: dict[str, int] = {}
    options.progress.phase("restoring", max(1, path.stat().st_size // 1500), "claims")
    with store.transaction():
        job = Restore(store, options)
        started = False
        for key, value in stream_object(path, name, options.encoding):
            index = counts.get(key, 0)
            counts[key] = index + 1
            where = f"{name}: {key}[{index}]"
            if not started:
                if key != "atoz_export" or not isinstance(value, dict):
                    raise FileFormatError(f"{name}: not an atoz export (it must start with an "
                                          '"atoz_export" object)')
                if value.get("version") not in VERSIONS:
                    raise FileFormatError(f"{name}: atoz_export.version: "
                                          f"{value.get('version')!r}: this atoz reads versions "
                                          f"{', '.join(map(str, VERSIONS))}; a newer atoz wrote "
                                          "this file")
                started = True
            elif key == "claims":
                job.claim(value, where)
            elif key == "orders":
                job.order(value, where)
            elif key == "policy_rules":
                job.rule(value, where)
                job.options = replace(options, book=type(options.book)(store.local_rules()))
            elif key == "messages":
                job.message(value, where)
        if not started:
            raise FileFormatError(f"{name}: not an atoz export (no \"atoz_export\" object)")
        job.flush()
        job.flush_messages()
    result = job.result
    if not counts.get("claims"):
        result.notes.append(f"{name}: the export holds no claims")
    elif not job.keep_ids and result.added:
        result.notes.append(f"{result.added} new claim(s) got new numbers: the database was not "
                            "empty")
    if job.orders:
        result.notes.append(f"{job.orders} imported order(s) restored")
    return result


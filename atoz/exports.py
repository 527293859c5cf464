"""Data out, and back in: the CSV and JSON exports, and their restore.

- The JSON export holds every claim as atoz recorded it (facts, whole history) plus what atoz
  computed from it (window, response deadline, steps), and `atoz import` restores it exactly.
  Only the facts and the history are read back; the computed parts are recomputed.
- CSV cells that start like a formula are escaped (`csv_safe`) so a spreadsheet never runs them.
- The calendar lives in atoz/ical.py; both write files through `write_private`.

Nothing here prints: the exports are produced as chunks of text the caller writes, so an export
of years of claims streams instead of sitting in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import textwrap
from collections.abc import Generator, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from atoz import __version__, clock
from atoz.claims import MAX_ID, MAX_TEXT, Claim, build_claim, is_text, refresh
from atoz.dates import check_range
from atoz.errors import AtozError, FileFormatError, InputError, quote
from atoz.imports import ImportResult
from atoz.outcomes import counts_toward_odr, is_open, parse_outcome
from atoz.playbook import STEPS
from atoz.store import Store

EXPORT_VERSION = 1
# The claim's own facts, as stored (the JSON export's first keys; what a restore reads back).
CLAIM_FIELDS = ("id", "order_id", "marketplace", "order_date", "latest_delivery", "claim_date",
                "claim_time", "amount", "currency", "reason", "buyer", "note", "source",
                "status", "status_on", "created_at")
HISTORY_FIELDS = ("kind", "status", "step", "on_date", "note", "detail", "recorded_at")
STEP_FIELDS = ("step", "due", "deadline", "moved", "state", "done_on")
HISTORY_KINDS = ("status", "done", "edit")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


# --- CSV ------------------------------------------------------------------------------------
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets (tab and
# carriage return too, per OWASP's CSV injection advice). A leading apostrophe makes it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> str:
    """One cell as text that a spreadsheet shows and never runs."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(rows: Iterable[Sequence[Any]], newline: str = "\n") -> str:
    """Rows as CSV with every cell escaped by `csv_safe` (the one CSV writer atoz uses)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return buffer.getvalue()


# --- reading every claim --------------------------------------------------------------------
def _by_claim(rows: Iterator[dict[str, Any]]) -> Iterator[tuple[int, list[dict[str, Any]]]]:
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


def _records(store: Store) -> Iterator[dict[str, Any]]:
    """Every claim with its computed dates, steps and history, in id order, from one snapshot
    (three ordered reads merged: no query per claim)."""
    with store.snapshot():
        histories = _by_claim(store.all_history())
        steps = _by_claim(store.all_steps())
        next_history = next(histories, None)
        next_steps = next(steps, None)
        for row in store.all_claims():
            claim_id = row["id"]
            while next_history is not None and next_history[0] < claim_id:
                next_history = next(histories, None)
            while next_steps is not None and next_steps[0] < claim_id:
                next_steps = next(steps, None)
            history = next_history[1] if next_history and next_history[0] == claim_id else []
            claim_steps = next_steps[1] if next_steps and next_steps[0] == claim_id else []
            yield _record(Claim(row), history, claim_steps)


def _record(claim: Claim, history: list[dict[str, Any]], steps: list[dict[str, Any]]
            ) -> dict[str, Any]:
    appeal = [s["deadline"] for s in steps if s["step"] == "appeal"]
    window = claim.window_dict()
    return {
        **{name: claim.row[name] for name in CLAIM_FIELDS},
        # The dates only; `atoz status` explains each with its rule and source.
        "computed": {
            "policy": claim.policy.policy_id,
            "window_opens": window["opens"],
            "window_closes": window["closes"],
            "filed": window["filed"],
            "days_outside": window["days_outside"],
            "response_deadline": claim.response_deadline(),
            "appeal_deadline": appeal[0] if appeal else None,
            "counts_toward_odr": counts_toward_odr(claim.status, claim.policy),
        },
        "steps": [{name: s[name] for name in STEP_FIELDS} for s in steps],
        "history": [{name: h[name] for name in HISTORY_FIELDS} for h in history],
    }


# --- JSON export ----------------------------------------------------------------------------
def export_json(store: Store, exported_at: str) -> Generator[str, None, None]:
    """The JSON export, in chunks. `"atoz_export"` comes first: `atoz import` detects the file
    by it."""
    header = {"version": EXPORT_VERSION, "exported_at": exported_at, "atoz": __version__,
              "schema": store.schema_version()}
    yield '{\n  "atoz_export": ' + json.dumps(header, ensure_ascii=False) + ',\n  "claims": ['
    first = True
    for record in _records(store):
        text = json.dumps(record, ensure_ascii=False, indent=2)
        yield ("\n" if first else ",\n") + textwrap.indent(text, "    ")
        first = False
    yield ("\n  ]\n}\n" if not first else "]\n}\n")


# --- CSV export -----------------------------------------------------------------------------
CSV_COLUMNS = (*CLAIM_FIELDS, "counts_toward_odr", "window_opens", "window_closes", "filed",
               "days_outside", "response_deadline", "appeal_deadline", "steps", "history")


def _steps_cell(steps: list[dict[str, Any]]) -> str:
    lines = []
    for s in steps:
        state = {"done": f"done {s['done_on']}", "open": f"open, due {s['due']}"}.get(
            s["state"], s["state"])
        lines.append(f"{s['step']}: {state}")
    return "\n".join(lines)


def _history_cell(history: list[dict[str, Any]]) -> str:
    lines = []
    for h in history:
        if h["kind"] == "status":
            what = h["status"]
        elif h["kind"] == "done":
            what = f"{h['step']} done"
        else:
            what = "edited " + ", ".join(f"{k} {v['old']} -> {v['new']}"
                                         for k, v in (h["detail"] or {}).items())
        lines.append(f"{h['on_date']} {what}" + (f": {h['note']}" if h["note"] else ""))
    return "\n".join(lines)


def export_csv(store: Store, newline: str = "\n") -> Generator[str, None, None]:
    """One row per claim: its facts, computed dates, and its steps and history (one line each
    inside the cell)."""
    yield csv_text([CSV_COLUMNS], newline)
    for record in _records(store):
        computed = record["computed"]
        odr = computed["counts_toward_odr"]
        yield csv_text([[
            *(record[name] for name in CLAIM_FIELDS),
            "pending" if odr is None else ("yes" if odr else "no"),
            computed["window_opens"], computed["window_closes"], computed["filed"],
            computed["days_outside"], computed["response_deadline"], computed["appeal_deadline"],
            _steps_cell(record["steps"]), _history_cell(record["history"]),
        ]], newline)


# --- restore (atoz import of a JSON export) -------------------------------------------------
def _fail(where: str, field: str, value: Any, problem: str) -> FileFormatError:
    shown = f" {quote(value)}:" if value not in ("", None) else ""
    return FileFormatError(f"{where}: {field}:{shown} {problem}")


def _optional_text(entry: dict[str, Any], name: str, where: str) -> str | None:
    value = entry.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not is_text(value):
        raise _fail(where, name, value, f"not text of at most {MAX_TEXT} characters")
    return value


def _instant(entry: dict[str, Any], name: str, where: str, what: str) -> str:
    """When atoz recorded something: an ISO timestamp with its offset, as atoz writes them
    (the calendar stamps events with it)."""
    value = entry.get(name)
    if isinstance(value, str) and len(value) <= 40:
        try:
            moment = dt.datetime.fromisoformat(value)
            if moment.tzinfo is not None:
                moment.astimezone(dt.UTC)
                return value
        except (ValueError, OverflowError):
            pass
    raise _fail(where, name, value, f"required: when atoz recorded {what} (an ISO timestamp "
                                    "with its offset)")


def _change(value: Any) -> bool:
    """One field of an edit's detail, as `atoz status` shows it: {"old": ..., "new": ...}."""
    return isinstance(value, dict) and {"old", "new"} <= set(value) and all(
        v is None or isinstance(v, int | float) or (isinstance(v, str) and is_text(v))
        for v in (value["old"], value["new"]))


def _history_entry(entry: Any, where: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise _fail(where, "entry", "", "not an object")
    kind = entry.get("kind")
    if kind not in HISTORY_KINDS:
        raise _fail(where, "kind", kind, f"unknown; use one of {', '.join(HISTORY_KINDS)}")
    on_date = entry.get("on_date")
    if on_date is not None or kind != "edit":
        if not isinstance(on_date, str) or not _ISO_DAY.fullmatch(on_date):
            raise _fail(where, "on_date", on_date, "not a date (YYYY-MM-DD)")
        try:
            check_range(dt.date.fromisoformat(on_date), "on_date", on_date)
        except ValueError:
            raise _fail(where, "on_date", on_date, "not a real date") from None
        except InputError as exc:
            raise _fail(where, "on_date", on_date, exc.problem) from None
    status = step = None
    if kind == "status":
        try:
            status = parse_outcome(str(entry.get("status") or ""), "status")
        except InputError as exc:
            raise _fail(where, "status", exc.value, exc.problem) from None
    if kind == "done":
        step = entry.get("step")
        if step not in STEPS:
            raise _fail(where, "step", step, f"unknown; use one of {', '.join(STEPS)}")
    recorded_at = _instant(entry, "recorded_at", where, "it")
    detail = entry.get("detail")
    if detail is not None and not (isinstance(detail, dict) and all(
            _change(v) for v in detail.values())):
        raise _fail(where, "detail", detail, 'not an object of {"old": ..., "new": ...} changes')
    return {"kind": kind, "status": status, "step": step, "on_date": on_date,
            "note": _optional_text(entry, "note", where), "detail": detail or None,
            "recorded_at": recorded_at}


def _claim_record(record: Any, where: str) -> tuple[int, dict[str, Any], dict[str, Any],
                                                     list[dict[str, Any]]]:
    """Check one exported claim: (its exported id, the row to store, extras, its history)."""
    if not isinstance(record, dict):
        raise _fail(where, "claim", "", "not an object")
    claim_id = record.get("id")
    if not isinstance(claim_id, int) or isinstance(claim_id, bool) or not 1 <= claim_id <= MAX_ID:
        raise _fail(where, "id", claim_id, "not a claim id (a whole number from 1)")
    values: dict[str, str | None] = {}
    for name in ("order_id", "order_date", "latest_delivery", "claim_date", "claim_time",
                 "amount", "currency", "reason", "marketplace", "buyer", "note"):
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            raise _fail(where, name, value, "not text")
        values[name] = value
    if values["claim_time"]:
        values["claim_date"] = f"{values['claim_date']} {values['claim_time']}"
    try:
        row = build_claim(values, today=clock.today())
    except InputError as exc:
        raise _fail(where, exc.field, exc.value, exc.problem) from None
    created_at = _instant(record, "created_at", where, "the claim")
    extras = {"source": _optional_text(record, "source", where) or "import",
              "created_at": created_at}
    entries = record.get("history")
    if not isinstance(entries, list) or not entries:
        raise _fail(where, "history", "", "required: the claim's history (a non-empty list)")
    history = [_history_entry(e, f"{where}.history[{i}]") for i, e in enumerate(entries)]
    first = history[0]
    if first["kind"] != "status":
        raise _fail(f"{where}.history[0]", "kind", first["kind"],
                    "the first entry must be the claim's filing (kind status)")
    return claim_id, row, extras, history


def _identity(history: list[dict[str, Any]]) -> tuple[Any, Any]:
    """A claim's first history entry never changes (history is append-only): when it was filed
    as first recorded, and when atoz recorded that. Edits of the claim date keep it."""
    return history[0]["on_date"], history[0]["recorded_at"]


def _key(entry: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(entry.get(name) or None for name in HISTORY_FIELDS)


def _append(store: Store, claim_id: int, entries: list[dict[str, Any]]) -> None:
    for h in entries:
        store.append_history(claim_id, h["kind"], h["recorded_at"], status=h["status"] or "",
                             step=h["step"] or "", on_date=h["on_date"] or "",
                             note=h["note"] or "", detail=h["detail"])


def _restore_one(store: Store, claim_id: int, row: dict[str, Any], extras: dict[str, Any],
                 history: list[dict[str, Any]], keep_id: bool, result: ImportResult) -> None:
    label = f"claim {claim_id} (order {row['order_id']}, filed {row['claim_date']})"
    same_order = store.claims_for_order(row["order_id"])
    for existing in same_order:
        have = store.history(existing["id"])
        if not have or _identity(have) != _identity(history):
            continue
        have_keys, want_keys = [_key(h) for h in have], [_key(h) for h in history]
        same_facts = all(existing[name] == value for name, value in row.items())
        if (have_keys == want_keys and same_facts) or (
                len(have_keys) > len(want_keys) and have_keys[:len(want_keys)] == want_keys):
            result.unchanged += 1  # the same, or this database is further along
        elif len(have_keys) < len(want_keys) and want_keys[:len(have_keys)] == have_keys:
            store.update_claim(existing["id"], row)
            _append(store, existing["id"], history[len(have):])
            refresh(store, existing["id"])
            result.updated += 1
        else:
            result.skipped += 1
            result.notes.append(
                f"{label}: kept claim {existing['id']} as it is in the database; it changed "
                "there too since this export (compare with atoz status "
                f"{existing['id']})")
        return
    clash = [c for c in same_order if c["claim_date"] == row["claim_date"]]
    if clash:
        result.skipped += 1
        result.notes.append(f"{label}: kept claim {clash[0]['id']}, recorded separately in this "
                            "database for the same order and claim date")
        return
    final_status = [h["status"] for h in history if h["kind"] == "status"][-1]
    open_clash = [c for c in same_order if is_open(c["status"])]
    if is_open(final_status) and open_clash:
        result.skipped += 1
        result.notes.append(f"{label}: the order already has open claim {open_clash[0]['id']} "
                            "here; record its outcome first, then import again")
        return
    new_id = store.insert_claim({
        **({"id": claim_id} if keep_id else {}), **row, **extras,
        "status": final_status, "status_on": row["claim_date"]})
    _append(store, new_id, history)
    refresh(store, new_id)
    result.added += 1


def restore_claims(store: Store, path: Path, data: Any) -> ImportResult:
    """Re-create the claims of a JSON export, with their history exactly.

    Into an empty database the claims keep their ids. Otherwise, nothing is overwritten: a claim
    already here (same order and same first history entry) is unchanged, or brought up to date
    when the export holds its history plus newer entries; a claim that changed on both sides,
    or that clashes with one recorded separately here, is kept as it is here and reported.
    New claims get new ids. The caller holds the transaction (all or nothing).
    """
    name = path.name
    if not isinstance(data, dict) or not isinstance(data.get("atoz_export"), dict):
        raise FileFormatError(f"{name}: not an atoz export (no \"atoz_export\" object)")
    version = data["atoz_export"].get("version")
    if version != EXPORT_VERSION:
        raise FileFormatError(f"{name}: atoz_export.version: {version!r}: this atoz reads "
                              f"version {EXPORT_VERSION}; a newer atoz wrote this file")
    records = data.get("claims")
    if not isinstance(records, list):
        raise FileFormatError(f"{name}: claims: required: a list of claims")
    keep_ids = not store.has_claims()
    seen: set[int] = set()
    result = ImportResult("claims-json")
    # Checked and written one claim at a time: a bad claim further on raises, and the caller's
    # transaction takes back everything written before it.
    for i, record in enumerate(records):
        where = f"{name}: claims[{i}]"
        claim_id, row, extras, history = _claim_record(record, where)
        if claim_id in seen:
            raise _fail(where, "id", claim_id, "appears twice")
        seen.add(claim_id)
        _restore_one(store, claim_id, row, extras, history, keep_ids, result)
    if not records:
        result.notes.append(f"{name}: the export holds no claims")
    elif not keep_ids and result.added:
        result.notes.append(f"{result.added} new claim(s) got new ids: the database was not "
                            "empty")
    return result


# --- files ----------------------------------------------------------------------------------
def write_private(path: Path, chunks: Iterable[bytes]) -> None:
    """Write a file readable by its owner only (exports hold buyer names), atomically: a
    temporary file created 0600 beside it, then renamed over it, so a reader never sees half a
    file and an old file's looser permissions are not inherited."""
    if path.is_dir():
        raise InputError("--out", str(path), "is a folder; give a file name")
    if not path.parent.is_dir():
        raise InputError("--out", str(path), f"no such folder {path.parent}")
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     0o600)
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise AtozError(f"cannot write {path}: {exc.strerror}") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise

"""How one history entry reads, in one line: the one wording `atoz status` and the CSV export
share (the drafts tell the history in prose of their own, for Amazon)."""

from __future__ import annotations

import datetime as dt

from atoz.instants import wall_text
from atoz.money import fmt
from atoz.records import HistoryEntry, HistoryKind


def describe(entry: HistoryEntry, tz: dt.tzinfo) -> str:
    detail = entry.detail or {}
    if entry.kind is HistoryKind.STATUS:
        what = entry.outcome.label if entry.outcome else ""
        facts = [f"{key} {detail[key]}" for key in ("payer", "odr") if detail.get(key)]
        if detail.get("correction"):
            facts.append("a correction")
        return what + (f" ({', '.join(facts)})" if facts else "")
    if entry.kind is HistoryKind.DONE:
        return f"{entry.step} done"
    if entry.kind is HistoryKind.SKIP:
        return f"{entry.step} skipped"
    if entry.kind is HistoryKind.EDIT:
        return "edited " + ", ".join(f"{key} {change.get('old') or '-'} -> "
                                     f"{change.get('new') or '-'}"
                                     for key, change in detail.items())
    if entry.kind is HistoryKind.DEBIT:
        return "debited " + fmt(detail.get("amount_minor"), detail.get("currency"))
    if entry.kind is HistoryKind.APPEAL_RESULT:
        reversed_facts = detail.get("reversed") or []
        return ("appeal won" if detail.get("won") else "appeal lost") + (
            f", reversed: {' and '.join(reversed_facts)}" if reversed_facts else "")
    at = detail.get("at")
    return "Amazon asked for information" + (
        f" at {wall_text(dt.datetime.fromisoformat(at), tz)}" if at else "")

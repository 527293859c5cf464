"""Exports (issues 4, 12, 13): the JSON export restores exactly (claims, orders, local rules,
e-mails read) and streams; the CSV export is spreadsheet-safe and imports back to the same
claims; outputs are private, atomic, and never written over a database; the calendar parses
back with stable UIDs."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from atoz.files import PARTIAL
from tests.helpers import snapshot
from tests.samples import email, stored

Run = Callable[..., Result]
Json = Callable[..., Any]

SAMPLE = Path(__file__).parents[1] / "sample_data"
# After every sample claim was filed (the last at 2026-11-18 08:15 in London).
NOW = ("--now", "2026-11-18T20:00:00+00:00")
DAY = "2026-11-18"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output + result.stderr
    return result


def load_sample(run: Run, *db: str) -> None:
    """The 36 sample claims and the 183 imported orders behind them."""
    for name in ("claims.csv", "orders.tsv"):
        ok(run("import", str(SAMPLE / name), *NOW, *db))


def _export(run: Run, *args: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ok(run("export", *NOW, *args)).stdout)
    return data


def _without_stamp(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "atoz_export": {k: v for k, v in data["atoz_export"].items()
                                    if k != "exported_at"}}


def _import(run: Run, path: Path, *db: str) -> Result:
    return ok(run("import", str(path), *NOW, *db))


def _add(run: Run, order: str, claim_date: str, *extra: str) -> None:
    ok(run("add", order, "--order-date", "2026-10-01", "--latest-delivery", "2026-10-09",
           "--claim-date", claim_date, "--amount", "20.00", *NOW, *extra))


def _claims(run_json: Json, *db: str) -> dict[str, dict[str, Any]]:
    return {c["order_id"]: c for c in run_json("list", "--all", *NOW, *db)}


# --- JSON export and restore ----------------------------------------------------------------
def test_the_json_export_starts_with_its_marker_and_holds_everything(run: Run,
                                                                     utc_seller: None) -> None:
    load_sample(run)
    ok(run("done", "36", "contact", *NOW))
    ok(run("policy", "set", "US", "response_hours", "48", "--source", "https://example.com/g1781",
           "--from", "2026-12-01", *NOW))
    text = ok(run("export", *NOW)).stdout
    assert text.startswith('{\n"atoz_export"')  # `atoz import` detects the file by it
    data = json.loads(text)
    assert list(data) == ["atoz_export", "policy_rules", "messages", "orders", "claims"]
    assert data["atoz_export"]["version"] == 2
    assert [(r["marketplace"], r["rule"], r["value"], r["effective_from"])
            for r in data["policy_rules"]] == [("US", "response_hours", 48, "2026-12-01")]
    assert len(data["orders"]) == 183
    claims = data["claims"]
    assert [c["claim_id"] for c in claims] == list(range(1, 37))
    claim = claims[29]
    assert (claim["order_id"], claim["claim_date"], claim["claim_time"]) == (
        "114-6592186-6823251", "2026-11-14", "18:20:00")
    assert claim["response_deadline"] == "2026-11-17T18:20:00-08:00"
    assert claim["response_deadline_local"] == "2026-11-18T02:20:00+00:00"
    assert (claim["window_opens"], claim["window_closes"]) == ("2026-09-27", "2026-12-23")
    assert (claim["amount"], claim["amount_minor"], claim["currency"]) == ("56.79", 5679, "USD")
    assert [(s["step"], s["state"]) for s in claim["steps"]] == [
        ("contact", "missed"), ("follow-up", "missed"), ("represent", "missed")]
    fresh = claims[35]
    assert [(s["step"], s["state"], s["due"]) for s in fresh["steps"]] == [
        ("contact", "done", "2026-11-19"), ("follow-up", "open", "2026-11-20"),
        ("represent", "open", "2026-11-20")]
    assert [(h["kind"], h["outcome"], h["step"]) for h in fresh["history"]] == [
        ("status", "under-review", None), ("done", None, "contact")]
    granted = claims[2]
    assert (granted["outcome"], granted["payer"], granted["odr"]) == (
        "granted-seller-funded", "seller", "counted")
    assert [s["deadline"] for s in granted["steps"] if s["step"] == "appeal"] == [
        "2026-11-06T00:00:00+01:00"]  # 30 days after the grant, to the end of 5 Nov in Berlin


def test_export_json_restores_into_an_empty_database_and_exports_again_identically(
        tmp_path: Path, run: Run, run_json: Json) -> None:
    load_sample(run)
    mail = tmp_path / "claim.eml"
    mail.write_bytes(email(Date="Tue, 17 Nov 2026 14:30:05 -0800"))
    ok(run("import", str(mail), *NOW))  # claim 37, and the message remembered
    # History of every kind: a step done and one skipped, an outcome with its ODR fact
    # overridden, an edit, and a local rule.
    ok(run("done", "34", "contact", "--note", "=sent on the app", *NOW))
    ok(run("skip", "34", "follow-up", "--note", "buyer answered", *NOW))
    ok(run("status", "32", "withdrawn", "--on", DAY, *NOW))
    ok(run("status", "31", "granted-seller-funded", "--on", DAY, "--odr", "not-counted", *NOW))
    ok(run("edit", "33", "--amount", "40.00", "--buyer", "Owen F.", *NOW))
    ok(run("policy", "set", "DE", "response_hours", "48", "--source", "https://example.de/x",
           *NOW))
    first = tmp_path / "first.json"
    ok(run("export", "--out", str(first), *NOW))
    other = tmp_path / "other.db"
    result = _import(run, first, "--db", str(other))
    assert "37 added" in result.stdout and "183 imported order(s) restored" in result.stderr
    again = _export(run, "--db", str(other))
    original = json.loads(first.read_text(encoding="utf-8"))
    assert _without_stamp(again) == _without_stamp(original)  # claims keep their numbers too
    assert run_json("status", "33", "--db", str(other), *NOW)["amount"] == "40.00"
    # What was imported comes back (issue 13): the orders, so `exposure` counts the same and
    # `add ORDER_ID` fills the dates in; the local rule, so a new DE claim gets 48 hours.
    exposure = run_json("exposure", *NOW)
    assert exposure["open"]["orders"] > 100  # most of the 183 orders can still be claimed
    assert run_json("exposure", "--db", str(other), *NOW) == exposure
    assert run_json("info", "--db", str(other), *NOW)["local_rules"] == 1
    added = run_json("add", "305-1603437-5180713", "--claim-date", "2026-11-18 09:00",
                     "--db", str(other), *NOW)
    assert (added["order_date"], added["latest_delivery"]) == ("2026-08-03", "2026-08-11")
    assert added["response_deadline"] == "2026-11-20T09:00:00+01:00"  # 48 hours: DE, local
    # The e-mail read is remembered: importing it again changes nothing there either.
    result = ok(run("import", str(mail), "--db", str(other), *NOW))
    assert "0 added, 0 updated, 1 unchanged" in result.stdout


def test_importing_the_same_export_twice_changes_nothing(tmp_path: Path, run: Run,
                                                         db_path: Path) -> None:
    load_sample(run)
    export = tmp_path / "export.json"
    ok(run("export", "-o", str(export), *NOW))
    other = tmp_path / "other.db"
    _import(run, export, "--db", str(other))
    before = snapshot(other)
    result = _import(run, export, "--db", str(other))
    assert "0 added, 0 updated, 36 unchanged, 0 skipped" in result.stdout
    assert snapshot(other) == before
    # Into the database it came from, too.
    before = stored(db_path)
    assert "36 unchanged" in _import(run, export).stdout
    assert stored(db_path) == before


def test_an_export_into_a_non_empty_database_never_overwrites(
        tmp_path: Path, run: Run, run_json: Json) -> None:
    _add(run, "113-0000000-0000001", "2026-11-10")
    _add(run, "113-0000000-0000002", "2026-11-11")
    _add(run, "113-0000000-0000003", "2026-11-12")
    old = tmp_path / "old.json"
    ok(run("export", "-o", str(old), *NOW))
    # A copy of the database moves on: claim 1 gets an outcome there.
    copy = ("--db", str(tmp_path / "copy.db"))
    _import(run, old, *copy)
    ok(run("status", "1", "denied", "--on", DAY, *copy, *NOW))
    # Here, claim 2 moves on differently from the copy, which also marks it.
    ok(run("done", "2", "contact", *NOW))
    ok(run("done", "2", "follow-up", *copy, *NOW))
    # And a claim only the copy has.
    _add(run, "113-0000000-0000009", "2026-11-13", *copy)
    newer = tmp_path / "newer.json"
    ok(run("export", "-o", str(newer), *copy, *NOW))
    result = _import(run, newer)
    assert "1 added, 1 updated, 1 unchanged, 1 skipped" in result.stdout
    assert "kept claim 2 as it is here" in result.stderr
    claims = _claims(run_json)
    assert claims["113-0000000-0000001"]["outcome"] == "denied"  # brought up to date
    history = run_json("status", "2", *NOW)["history"]
    assert [h["step"] for h in history if h["kind"] == "done"] == ["contact"]  # ours, untouched
    assert claims["113-0000000-0000009"]["claim_id"] == 4  # a new number: the database had 3
    # The old export, taken before all this, is behind on every claim here: nothing to do.
    assert "0 added, 0 updated, 3 unchanged, 0 skipped" in _import(run, old).stdout


def test_an_export_further_along_brings_its_history_and_says_what_changed_without_an_edit(
        tmp_path: Path, run: Run, run_json: Json) -> None:
    # Issue 12 item 4: facts that differ must never change silently.
    _add(run, "113-0000000-0000001", "2026-11-10", "--buyer", "Ana Lima")
    old = tmp_path / "old.json"
    ok(run("export", "-o", str(old), *NOW))
    copy = ("--db", str(tmp_path / "copy.db"))
    _import(run, old, *copy)
    ok(run("edit", "1", "--amount", "24.99", *copy, *NOW))  # an edit, with its entry
    ok(run("status", "1", "denied", "--on", "2026-11-15", *copy, *NOW))
    newer = _export(run, *copy)
    newer["claims"][0]["buyer"] = "A. Lima"  # changed by hand: no edit entry says so
    path = tmp_path / "newer.json"
    path.write_text(json.dumps(newer), encoding="utf-8")
    assert "0 added, 1 updated, 0 unchanged, 0 skipped" in _import(run, path).stdout
    picture = run_json("status", "1", *NOW)
    assert (picture["amount"], picture["buyer"], picture["outcome"]) == (
        "24.99", "A. Lima", "denied")
    kinds = [(h["kind"], h["outcome"], sorted(h["detail"] or {})) for h in picture["history"]]
    # Added without a marketplace: the filing says US was assumed (an e-mail may correct it).
    assert kinds == [("status", "under-review", ["marketplace_assumed"]),
                     ("edit", None, ["amount"]),
                     ("status", "denied", []), ("edit", None, ["buyer"])]
    unexplained = picture["history"][-1]
    assert unexplained["detail"]["buyer"] == {"old": "Ana Lima", "new": "A. Lima"}
    assert "newer.json" in unexplained["note"] and "no edit" in unexplained["note"]
    # Imported again: the history now holds it all, so nothing more is added.
    assert "0 added, 0 updated, 1 unchanged" in _import(run, path).stdout


def test_a_claim_recorded_separately_for_the_same_order_and_date_is_not_duplicated(
        tmp_path: Path, run: Run) -> None:
    _add(run, "113-0000000-0000001", "2026-11-10")
    data = _export(run)
    # The same claim, recorded in another database at another moment.
    data["claims"][0]["history"][0]["recorded_at"] = "2026-11-10T09:00:00+00:00"
    export = tmp_path / "export.json"
    export.write_text(json.dumps(data), encoding="utf-8")
    other = ("--db", str(tmp_path / "other.db"))
    _add(run, "113-0000000-0000001", "2026-11-10", *other)
    result = _import(run, export, *other)
    assert "0 added, 0 updated, 0 unchanged, 1 skipped" in result.stdout
    assert "recorded separately" in result.stderr


# An export as atoz 0.1.0 wrote it (version 1: `id`, `status`, `status_on`, history
# `status`/`on_date`, a `computed` block), made with 0.1.0 itself: a seller's old backups.
V1_EXPORT = {
    "atoz_export": {"version": 1, "exported_at": "2026-11-12T03:01:08+00:00", "atoz": "0.1.0",
                    "schema": "0005_steps_by_deadline"},
    "claims": [
        {"id": 1, "order_id": "113-0000000-0000001", "marketplace": "US",
         "order_date": "2026-10-01", "latest_delivery": "2026-10-09",
         "claim_date": "2026-11-10", "claim_time": "14:30", "amount": "24.99",
         "currency": "USD", "reason": "other", "buyer": "Ana Lima", "note": None,
         "source": "manual", "status": "under-review", "status_on": "2026-11-10",
         "created_at": "2026-11-10T22:31:06+00:00",
         "computed": {"policy": "atoz-2026.11-US", "window_opens": "2026-10-12",
                      "window_closes": "2027-01-07", "filed": "in-window", "days_outside": 0,
                      "response_deadline": "2026-11-13T14:30-08:00", "appeal_deadline": None,
                      "counts_toward_odr": None},
         "steps": [{"step": "contact", "due": "2026-11-11",
                    "deadline": "2026-11-13T14:30-08:00", "moved": None, "state": "done",
                    "done_on": "2026-11-12"},
                   {"step": "follow-up", "due": "2026-11-13",
                    "deadline": "2026-11-13T14:30-08:00", "moved": None, "state": "open",
                    "done_on": None},
                   {"step": "represent", "due": "2026-11-13",
                    "deadline": "2026-11-13T14:30-08:00", "moved": None, "state": "open",
                    "done_on": None}],
         "history": [{"kind": "status", "status": "under-review", "step": None,
                      "on_date": "2026-11-10", "note": "claim filed", "detail": None,
                      "recorded_at": "2026-11-10T22:31:06+00:00"},
                     {"kind": "done", "status": None, "step": "contact",
                      "on_date": "2026-11-12", "note": "sent on the app", "detail": None,
                      "recorded_at": "2026-11-12T03:01:07+00:00"},
                     {"kind": "edit", "status": None, "step": None, "on_date": "2026-11-12",
                      "note": None, "detail": {"amount": {"new": "24.99", "old": "20.00"}},
                      "recorded_at": "2026-11-12T03:01:07+00:00"}]},
        {"id": 2, "order_id": "113-0000000-0000002", "marketplace": "UK",
         "order_date": "2026-10-01", "latest_delivery": "2026-10-09",
         "claim_date": "2026-10-20", "claim_time": None, "amount": "15.00", "currency": "GBP",
         "reason": "other", "buyer": None, "note": None, "source": "manual",
         "status": "granted-seller-funded", "status_on": "2026-10-25",
         "created_at": "2026-10-20T10:00:07+00:00",
         "computed": {"policy": "atoz-2026.11-UK", "window_opens": "2026-10-12",
                      "window_closes": "2027-01-07", "filed": "in-window", "days_outside": 0,
                      "response_deadline": "2026-10-22T00:00+01:00",
                      "appeal_deadline": "2026-11-24", "counts_toward_odr": True},
         "steps": [{"step": "appeal", "due": "2026-10-25", "deadline": "2026-11-24",
                    "moved": None, "state": "open", "done_on": None}],
         "history": [{"kind": "status", "status": "under-review", "step": None,
                      "on_date": "2026-10-20", "note": "claim filed", "detail": None,
                      "recorded_at": "2026-10-20T10:00:07+00:00"},
                     {"kind": "status", "status": "granted-seller-funded", "step": None,
                      "on_date": "2026-10-25", "note": None, "detail": None,
                      "recorded_at": "2026-10-25T10:00:07+00:00"}]},
    ],
}


def test_a_version_1_export_from_atoz_0_1_still_restores(tmp_path: Path, run: Run,
                                                         run_json: Json) -> None:
    path = tmp_path / "atoz-0.1-backup.json"
    path.write_text(json.dumps(V1_EXPORT, indent=2), encoding="utf-8")
    assert "2 added" in _import(run, path).stdout
    restored = _export(run)["claims"]
    assert [c["claim_id"] for c in restored] == [1, 2]
    first, granted = restored
    assert (first["claim_time"], first["amount"], first["buyer"]) == ("14:30:00", "24.99",
                                                                      "Ana Lima")
    assert first["response_deadline"] == "2026-11-13T14:30:00-08:00"
    assert [(h["kind"], h["on"], h["outcome"], h["step"]) for h in first["history"]] == [
        ("status", "2026-11-10", "under-review", None), ("done", "2026-11-12", None, "contact"),
        ("edit", "2026-11-12", None, None)]
    assert first["history"][2]["detail"] == {"amount": {"old": "20.00", "new": "24.99"}}
    assert first["history"][0]["recorded_at"] == "2026-11-10T22:31:06+00:00"  # kept exactly
    assert [(s["step"], s["state"]) for s in first["steps"]][0] == ("contact", "done")
    # The outcome's money and ODR facts take the outcome's defaults (0.1.0 had neither).
    assert (granted["outcome"], granted["decided_on"], granted["payer"], granted["odr"]) == (
        "granted-seller-funded", "2026-10-25", "seller", "counted")
    assert run_json("status", "2", *NOW)["appeal_until"] == "2026-11-24"
    # Importing it again changes nothing.
    assert "0 added, 0 updated, 2 unchanged" in _import(run, path).stdout


def _bad_rule(d: dict[str, Any]) -> None:
    d["policy_rules"].append({"marketplace": "US", "rule": "response_hours", "value": "abc",
                              "source": "x", "effective_from": None,
                              "recorded_at": "2026-11-10T00:00:00+00:00"})


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["atoz_export"].update(version=3), "atoz_export.version: 3: this atoz reads"),
    (lambda d: d["claims"][0].update(history=[]), "claims[0]: history: required"),
    (lambda d: d["claims"][0]["history"][1].update(outcome="won"),
     "claims[0].history[1]: outcome: 'won': unknown"),
    (lambda d: d["claims"][0]["history"][0].update(on="18/11/2026"),
     "claims[0].history[0]: on: '18/11/2026': not a real date"),
    (lambda d: d["claims"][0].update(order_id="12345"), "claims[0]: order_id: '12345'"),
    (lambda d: d["claims"][0].update(amount=12.5), "claims[0]: amount: 12.5: not text"),
    (lambda d: d["claims"][0].update(claim_id="one"), "claims[0]: claim_id: 'one'"),
    (lambda d: d["claims"].append(dict(d["claims"][0])), "claims[1]: claim_id: 1: appears twice"),
    (lambda d: d["orders"].append({"order_id": "1", "marketplace": "US"}),
     "orders[0]: order_id: '1'"),
    (_bad_rule, "policy_rules[0]: "),
])
def test_a_bad_export_is_refused_whole_naming_the_place(
        tmp_path: Path, run: Run, change: Callable[[dict[str, Any]], Any], message: str
) -> None:
    _add(run, "113-0000000-0000001", "2026-11-10")
    ok(run("status", "1", "denied", "--on", DAY, *NOW))
    data = _export(run)
    change(data)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    other = tmp_path / "other.db"
    _add(run, "113-0000000-0000005", "2026-11-10", "--db", str(other))
    before = stored(other)
    result = run("import", str(bad), "--db", str(other), *NOW)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Error: bad.json: {message}"), result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert stored(other) == before  # all or nothing


def test_a_restore_streams_the_file_instead_of_loading_it_whole(
        tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue 9: a 100,000-claim export must restore in the memory of a few claims. The memory
    # figures are the benchmark's (bench/run.py); here, that the file is never read whole.
    _add(run, "113-0000000-0000001", "2026-11-10")
    export = tmp_path / "export.json"
    ok(run("export", "-o", str(export), *NOW))

    def refuse(what: str) -> Callable[..., Any]:
        def whole(*args: Any, **kwargs: Any) -> Any:
            raise AssertionError(f"the export was read whole ({what})")
        return whole

    real = {name: getattr(Path, name) for name in ("read_text", "read_bytes")}
    for name, method in real.items():
        monkeypatch.setattr(Path, name, lambda self, *a, _m=method, _n=name, **k: refuse(_n)()
                            if self == export else _m(self, *a, **k))
    monkeypatch.setattr(json, "load", refuse("json.load"))
    loads = json.loads
    monkeypatch.setattr(json, "loads", lambda text, *a, **k: refuse("json.loads")()
                        if "atoz_export" in str(text)[:100] else loads(text, *a, **k))
    result = _import(run, export, "--db", str(tmp_path / "other.db"))
    assert "1 added" in result.stdout


# --- CSV export -----------------------------------------------------------------------------
def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_csv_export_has_a_row_per_claim_with_dates_steps_and_history(run: Run) -> None:
    load_sample(run)
    rows = _csv_rows(ok(run("export", "--format", "csv", *NOW)).stdout)
    assert len(rows) == 36
    row = rows[29]
    assert (row["claim_id"], row["order_id"], row["claim_date"]) == (
        "30", "114-6592186-6823251", "2026-11-14 18:20:00")
    assert (row["response_deadline"], row["odr"], row["outcome"]) == (
        "2026-11-17T18:20:00-08:00", "", "under-review")
    assert (row["amount"], row["amount_minor"], row["currency"]) == ("56.79", "5679", "USD")
    assert rows[35]["steps"].splitlines() == ["contact: open, due 2026-11-19",
                                              "follow-up: open, due 2026-11-20",
                                              "represent: open, due 2026-11-20"]
    granted = rows[2]
    assert (granted["outcome"], granted["paid_by"], granted["odr"], granted["appeal_until"]) == (
        "granted-seller-funded", "seller", "counted", "2026-11-05")
    assert granted["history"].splitlines()[-1] == "2026-10-06 Granted, seller funded"


def test_the_csv_export_imports_back_to_the_same_claims(
        tmp_path: Path, run: Run, run_json: Json, db_path: Path) -> None:
    # Issue 13 (0.1.0 said "unknown column 'id'"); with the cells escaped for spreadsheets,
    # quotes inside cells, a decision whose ODR fact was overridden, and yen.
    load_sample(run)
    ok(run("status", "31", "granted-seller-funded", "--on", DAY, "--odr", "not-counted", *NOW))
    ok(run("edit", "33", "--buyer", '=HYPERLINK("http://x","y")', "--note", "- parcel lost",
           *NOW))
    ok(run("edit", "34", "--delivered-on", "2026-11-10", "--note", "-12.50", *NOW))
    for excel in ((), ("--excel",)):
        out = tmp_path / f"claims{len(excel)}.csv"
        ok(run("export", "-f", "csv", *excel, "-o", str(out), *NOW))
        other = ("--db", str(tmp_path / f"other{len(excel)}.db"))
        assert "36 added" in _import(run, out, *other).stdout

        def facts(claims: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
            return {order: {k: v for k, v in c.items() if k != "source"}
                    for order, c in claims.items()}

        assert facts(_claims(run_json, *other)) == facts(_claims(run_json))
        for claim in ("33", "34"):
            mine, theirs = (run_json("status", claim, *NOW, *db)["note"] for db in ((), other))
            assert mine == theirs
    # Into the database it came from: the same claims, recognised, nothing added.
    before = stored(db_path)
    assert "0 added, 0 updated, 36 unchanged" in _import(run, tmp_path / "claims0.csv").stdout
    assert stored(db_path) == before


LATER = ("--now", "2026-11-30T00:00:00+00:00")  # after every sample e-mail and debit


def _comparable(run_json: Json, *db: str) -> dict[str, Any]:
    """What a CSV round trip must keep of each claim, by order: the facts, the decision, the
    money, and the steps done or skipped with their days. Not kept, by design: where a claim
    came from, its number, the stand-in day of a filing date atoz does not know (and what is
    counted from it), an information request (not a column of the file)."""
    found: dict[str, Any] = {}
    for claim in run_json("list", "--all", *LATER, *db):
        status = run_json("status", str(claim["claim_id"]), *LATER, *db)
        skip = {"claim_id", "source"} | (set() if claim["claim_date_known"] else {
            "claim_date", "response_deadline", "response_deadline_local"})
        found[claim["order_id"]] = (
            {k: v for k, v in claim.items() if k not in skip},
            {k: status[k] for k in ("debited_amount", "debited_on", "appeal_until",
                                    "reopen_until", "note")},
            sorted((s["step"], s["state"], s["done_on"]) for s in status["steps"]
                   if s["state"] in ("done", "skipped")))
    return found


def test_a_csv_round_trip_keeps_steps_debits_and_claims_without_order_or_filing_dates(
        tmp_path: Path, run: Run, run_json: Json) -> None:
    """Item 5: done and skipped steps came back open; a claim an e-mail or a debit created
    (no order dates) did not import at all ("order_date: required"); a debit was lost."""
    ok(run("import", str(SAMPLE / "claims.csv"), *NOW))
    for name in ("emails/mixed.mbox", "finance-events.json"):
        ok(run("import", str(SAMPLE / name), *LATER))
    listed = run_json("list", "--all", *LATER)
    open_claim = next(c["claim_id"] for c in listed if c["outcome"] == "under-review" and
                      c["claim_date_known"] and c["claim_date"] >= "2026-11-17")
    granted = next(c["claim_id"] for c in listed if c["outcome"] == "granted-seller-funded" and
                   c["claim_date_known"] and c["decided_on"] >= "2026-11-10")
    ok(run("done", str(open_claim), "contact", *LATER))
    ok(run("skip", str(open_claim), "follow-up", "--on", "2026-11-19", *LATER))
    ok(run("done", str(granted), "appeal", "--on", "2026-11-25", *LATER))
    out = tmp_path / "claims.csv"
    ok(run("export", "--format", "csv", "--out", str(out), *LATER))
    rows = {r["claim_id"]: r for r in _csv_rows(out.read_text(encoding="utf-8"))}
    assert rows[str(open_claim)]["steps_recorded"] == (
        "contact done 2026-11-29; follow-up skipped 2026-11-19")
    assert rows[str(granted)]["steps_recorded"] == "appeal done 2026-11-25"
    other = ("--db", str(tmp_path / "other.db"))
    result = ok(run("import", str(out), *LATER, *other))
    assert f"{len(listed)} added, 0 updated, 0 unchanged, 0 skipped" in result.stdout
    mine, theirs = _comparable(run_json), _comparable(run_json, *other)
    assert theirs == mine
    undated = [o for o, (c, _, _) in mine.items() if not c["claim_date_known"]]
    dateless = [o for o, (c, _, _) in mine.items() if c["order_date"] is None]
    assert undated and dateless  # the trial covered both
    # Imported again into either database: nothing changes.
    for db in ((), other):
        before = run_json("list", "--all", *LATER, *db)
        again = ok(run("import", str(out), *LATER, *db))
        assert f"0 added, 0 updated, {len(listed)} unchanged" in again.stdout
        assert run_json("list", "--all", *LATER, *db) == before


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_csv_export_escapes_cells_that_a_spreadsheet_would_run(run: Run) -> None:
    _add(run, "113-0000000-0000001", "2026-11-10", "--buyer", '=HYPERLINK("http://x","y")',
         "--note", "@SUM(A1:A9)")
    _add(run, "113-0000000-0000002", "2026-11-10", "--buyer", "+1 555 0100",
         "--note", "-12.50")
    _add(run, "113-0000000-0000003", "2026-11-10", "--buyer", "-cmd|' /C calc'!A0",
         "--note", "=1+1")
    ok(run("done", "1", "contact", "--note", "+1 555 0100", *NOW))
    rows = _csv_rows(ok(run("export", "-f", "csv", *NOW)).stdout)
    assert rows[0]["buyer"] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert rows[0]["note"] == "'@SUM(A1:A9)"
    assert rows[1]["buyer"] == "'+1 555 0100"
    assert rows[1]["note"] == "-12.50"  # a negative number stays a number a sheet can sum
    assert rows[2]["buyer"] == "'-cmd|' /C calc'!A0"
    assert rows[2]["note"] == "'=1+1"
    every_cell = [cell for row in rows for cell in row.values()]
    assert not [c for c in every_cell if c.startswith(FORMULA_STARTS) and not _is_number(c)]


def test_excel_csv_has_a_byte_order_mark_and_crlf_on_stdout_and_in_a_file(
        tmp_path: Path, run: Run) -> None:
    _add(run, "113-0000000-0000001", "2026-11-10", "--buyer", "佐藤 健")
    out = tmp_path / "claims.csv"
    ok(run("export", "-f", "csv", "--excel", "-o", str(out), *NOW))
    stdout = ok(run("export", "-f", "csv", "--excel", *NOW)).stdout_bytes
    for raw in (out.read_bytes(), stdout):
        assert raw.startswith(b"\xef\xbb\xbforder_id,order_date,")
        # Each record ends in CRLF (a header and one claim); line breaks inside a cell stay LF.
        assert raw.endswith(b"\r\n") and raw.count(b"\r\n") == 2
        assert "佐藤 健" in raw.decode("utf-8-sig")
    assert out.read_bytes() == stdout
    # Without --excel: plain UTF-8, LF line ends, no BOM.
    plain = ok(run("export", "-f", "csv", *NOW)).stdout_bytes
    assert plain.startswith(b"order_id,") and b"\r\n" not in plain


def test_an_unknown_export_format_is_refused(run: Run) -> None:
    result = run("export", "--format", "xlsx")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --format: 'xlsx': unknown; use csv or json")


# --- where outputs go (issue 12 item 1, issue 13) -------------------------------------------
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
@pytest.mark.parametrize("args", [("export", "-f", "json"), ("export", "-f", "csv"),
                                  ("calendar",)])
def test_files_written_with_out_are_readable_by_the_owner_only(
        tmp_path: Path, run: Run, args: tuple[str, ...]) -> None:
    _add(run, "113-0000000-0000001", "2026-11-10", "--buyer", "Ana")
    out = tmp_path / "out.file"
    out.write_text("old")
    out.chmod(0o644)  # an older, looser file is replaced, not reused
    ok(run(*args, "--out", str(out), *NOW))
    assert out.stat().st_mode & 0o777 == 0o600
    assert out.read_bytes() != b"old"
    assert [p.name for p in tmp_path.iterdir() if PARTIAL in p.name] == []


@pytest.mark.parametrize("command", ["export", "calendar"])
def test_an_output_replaces_a_file_atomically(tmp_path: Path, run: Run, command: str) -> None:
    # A daily `atoz calendar --out atoz.ics` keeps working: a reader (a calendar app syncing
    # the file) sees the old file or the new one, never half of one.
    _add(run, "113-0000000-0000001", "2026-11-10")
    target = tmp_path / "atoz.ics"
    target.write_bytes(b"yesterday's file\n")
    inode = target.stat().st_ino
    with target.open("rb") as reader:
        result = ok(run(command, "--out", str(target), *NOW))
        assert reader.read() == b"yesterday's file\n"  # the open file was not rewritten
    assert target.stat().st_ino != inode  # a new file renamed into place
    assert target.read_bytes() == ok(run(command, *NOW)).stdout_bytes
    assert f"Wrote {target}" in result.stderr
    assert [p.name for p in tmp_path.iterdir() if PARTIAL in p.name] == []


def _sqlite_file(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("create table t (x)")
        conn.execute("insert into t values ('keep me')")
    conn.close()


@pytest.mark.parametrize("command", ["export", "calendar"])
@pytest.mark.parametrize("target", ["atoz.db", "atoz.db-wal", "atoz.db-shm", "other.sqlite"])
def test_an_output_never_replaces_the_database_its_log_or_any_sqlite_file(
        tmp_path: Path, run: Run, db_path: Path, command: str, target: str) -> None:
    _add(run, "113-0000000-0000001", "2026-11-10")
    _sqlite_file(tmp_path / "other.sqlite")
    path = tmp_path / target
    before = path.read_bytes() if path.exists() else None
    database = stored(db_path)
    result = run(command, "--out", str(path), *NOW)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Error: --out: '{path}': ")
    assert result.stderr.count("\n") == 1
    assert ("atoz's database" if target.startswith("atoz.db") else "SQLite database") in \
        result.stderr
    assert stored(db_path) == database
    if target.endswith(("-wal", "-shm")):
        # SQLite itself may make these beside a database it reads; atoz's output never lands
        # in them.
        after = path.read_bytes() if path.exists() else b""
        assert b"atoz_export" not in after and b"VCALENDAR" not in after
    else:
        assert path.read_bytes() == before
    assert ok(run("list", "--json", *NOW)).stdout.count("113-0000000-0000001") == 1  # still works


def test_out_dash_writes_standard_output(run: Run, tmp_path: Path) -> None:
    _add(run, "113-0000000-0000001", "2026-11-10")
    for command, starts in (("export", b'{\n"atoz_export"'), ("calendar", b"BEGIN:VCALENDAR")):
        result = ok(run(command, "--out", "-", *NOW))
        assert result.stdout_bytes.startswith(starts)
        assert result.stdout_bytes == ok(run(command, *NOW)).stdout_bytes
        assert "Wrote" not in result.stderr
    assert not (tmp_path / "-").exists()


def test_the_same_now_gives_the_same_bytes_whatever_the_real_clock_says(
        run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    # `export --out -` once differed from `export` under load: the header's exported_at came
    # from the real clock, so two runs a second apart differed. With --now, nothing may.
    import datetime as dt
    from types import SimpleNamespace

    import atoz.cli.clock

    load_sample(run)
    ok(run("policy", "set", "UK", "response_hours", "72", "--source", "https://x.example",
           *NOW))

    class Clock(dt.datetime):
        real = dt.datetime(2026, 12, 1, 9, 0, 0, tzinfo=dt.UTC)

        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> Clock:
            cls.real += dt.timedelta(seconds=61)  # every command a minute after the last
            return cls.fromtimestamp(cls.real.timestamp(), tz)

    monkeypatch.setattr(atoz.cli.clock, "dt", SimpleNamespace(**{**vars(dt), "datetime": Clock}))
    for command in (("export",), ("export", "--format", "csv"), ("calendar",)):
        first = ok(run(*command, *NOW)).stdout_bytes
        assert ok(run(*command, "--out", "-", *NOW)).stdout_bytes == first, command


def test_out_into_a_missing_folder_is_a_clear_error(tmp_path: Path, run: Run) -> None:
    result = run("export", "--out", str(tmp_path / "nope" / "x.json"))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --out:") and "no such folder" in result.stderr


# --- calendar -------------------------------------------------------------------------------
def _events(raw: bytes) -> dict[str, Any]:
    from icalendar import Calendar

    return {str(e["UID"]): e for e in Calendar.from_ical(raw).walk("VEVENT")}


def test_the_calendar_has_an_event_on_the_day_of_each_open_step_and_at_each_deadline(
        run: Run, utc_seller: None) -> None:
    load_sample(run)
    raw = ok(run("calendar", *NOW)).stdout_bytes
    events = _events(raw)
    live = {uid: e for uid, e in events.items() if str(e.get("STATUS")) != "CANCELLED"}
    # Every step the export calls open has its all-day event on its due day, and every
    # response deadline still ahead its timed event at the deadline's instant.
    expected = set()

    def found(claim: dict[str, Any], name: str, starts: str) -> None:
        [uid] = [u for u in live if u.startswith(claim["order_id"]) and u.endswith(
            f"-{name}@atoz")]
        assert live[uid].decoded("DTSTART").isoformat() == starts, uid
        expected.add(uid)

    for claim in _export(run)["claims"]:
        for step in claim["steps"]:
            if step["state"] != "open":
                continue
            found(claim, step["step"], step["due"])
            if step["step"] == "represent":
                found(claim, "response-deadline", claim["response_deadline_local"])
            if step["step"] == "appeal":
                found(claim, "appeal-deadline", step["deadline_local"])
    # 6 claims under review: 3 steps and the response deadline each; 5 grants not appealed
    # yet: the appeal on its day and its deadline. Nothing else is live.
    assert expected == set(live) and len(live) == 6 * 4 + 5 * 2
    event = live["111-8003107-1653903-2026-11-18-represent@atoz"]
    description = str(event["DESCRIPTION"])
    assert "Claim 36, order 111-8003107-1653903" in description
    assert "Tell Amazon your side" in description
    assert "2026-11-21 08:00 UTC (2026-11-21 00:00 PST)" in description
    # No buyer names in a calendar (calendars get synced to other services).
    assert b"Samantha" not in raw and b"Ortiz" not in raw


def test_calendar_uids_are_stable_and_a_change_raises_the_sequence(run: Run) -> None:
    load_sample(run)
    first = ok(run("calendar", *NOW)).stdout_bytes
    assert ok(run("calendar", *NOW)).stdout_bytes == first  # same data, same file
    ok(run("done", "36", "contact", *NOW))
    before, after = _events(first), _events(ok(run("calendar", *NOW)).stdout_bytes)
    assert set(after) == set(before)  # a done step stays, cancelled, so subscribers drop it
    contact = "111-8003107-1653903-2026-11-18-contact@atoz"
    assert (str(before[contact]["STATUS"]), str(after[contact]["STATUS"])) == (
        "CONFIRMED", "CANCELLED")
    represent = "111-8003107-1653903-2026-11-18-represent@atoz"
    assert int(after[represent]["SEQUENCE"]) == int(before[represent]["SEQUENCE"]) + 1
    other = "205-4997897-9110755-2026-11-18-contact@atoz"  # claim 35: untouched
    assert after[other].to_ical() == before[other].to_ical()


def test_an_empty_calendar_is_still_a_valid_calendar(run: Run) -> None:
    from icalendar import Calendar

    raw = ok(run("calendar", *NOW)).stdout_bytes
    assert raw.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert raw.endswith(b"END:VCALENDAR\r\n")
    assert Calendar.from_ical(raw).walk("VEVENT") == []


def test_export_and_calendar_help_is_there(run: Run) -> None:
    for command in ("export", "calendar"):
        assert "Example" in run(command, "--help").stdout
    assert os.environ.get("ATOZ_DB")

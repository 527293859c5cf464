"""The bad input corpus (issues 6, 10-14): malformed input to every command and every import
format.

Each case runs against a database holding one claim and one imported order, and must end with
exit 2 (1 only for a claim that does not exist), exactly one line on stderr starting with
`Error: ` that names the field as the command spells it (`--claim-date`, `ORDER_ID`) and the
value (or `file:line: field: problem` for an import, `file: message N: problem` for e-mail), no
traceback, and the database and its log byte-for-byte as they were (`samples.stored`).
"""

from __future__ import annotations

import codecs
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from _pytest.mark.structures import ParameterSet
from typer.testing import Result

from tests.helpers import ADD
from tests.samples import (
    REPORT_HEADER,
    SEEDED_ORDER,
    check_refused,
    claim_row,
    claims_csv,
    export,
    export_claim,
    finance,
    finance_event,
    make_seed,
    report,
    report_row,
    stored,
    v0,
    v0_order,
    v2026,
    v2026_order,
)

Run = Callable[..., Result]
# A file's content: bytes, bytes made when the case runs (the big ones), or None for a folder.
Content = bytes | Callable[[], bytes] | None

MB = 1024 * 1024
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
RANDOM = bytes.fromhex("9f3ac00b7e11d2f48865aa01fe20c3b7" * 64)  # fixed "random" bytes


@dataclass(frozen=True)
class Bad:
    args: tuple[str, ...]
    says: tuple[str, ...]
    files: tuple[tuple[str, Content], ...] = ()
    env: tuple[tuple[str, str | None], ...] = ()
    code: int = 2
    first: tuple[tuple[str, ...], ...] = ()


def bad(case_id: str, *args: str, says: tuple[str, ...] | str,
        files: dict[str, Content] | None = None, env: dict[str, str | None] | None = None,
        code: int = 2, first: tuple[tuple[str, ...], ...] = ()) -> ParameterSet:
    """A case: `atoz ARGS` ({tmp} in an argument is the test's folder; `files` are written
    there first, and the commands in `first` run and succeed before it; `env` sets variables,
    None unsets one) must fail with `code` and an error line holding every part of `says`."""
    parts = (says,) if isinstance(says, str) else says
    return pytest.param(Bad(args, parts, tuple((files or {}).items()),
                            tuple((env or {}).items()), code, first), id=case_id)


def imp(name: str, *extra: str) -> tuple[str, ...]:
    """The arguments to import the case's file `name` (written from its `files`)."""
    return ("import", f"{{tmp}}/{name}", *extra)


def csv_file(*rows: str, header: str | None = None) -> dict[str, Content]:
    return {"claims.csv": claims_csv(*rows) if header is None else claims_csv(*rows,
                                                                               header=header)}


WINDOW = ("window", "--order-date", "2026-10-01", "--latest-delivery", "2026-10-09")
NEW = ("add", "120-6666666-6666666", "--order-date", "2026-10-01", "--latest-delivery",
       "2026-10-09", "--claim-date", "2026-10-20")
CSV = imp("claims.csv")
TSV = imp("orders.tsv")
V0 = imp("orders.json")
EVENTS = imp("events.json")
EXPORT = imp("export.json")


def _half(content: bytes) -> bytes:
    return content[: len(content) // 2]


CASES = [
    # --- window: dates in every wrong shape -----------------------------------------------------
    bad("window-order-date-ambiguous-day-month", "window", "--order-date", "03/04/2026",
        "--latest-delivery", "2026-04-10", says=("--order-date", "'03/04/2026'", "ambiguous")),
    bad("window-latest-delivery-without-a-year", "window", "--order-date", "2026-01-01",
        "--latest-delivery", "Jan 10", says=("--latest-delivery", "'Jan 10'", "no year")),
    bad("window-order-date-impossible-feb-30", "window", "--order-date", "2026-02-30",
        "--latest-delivery", "2026-03-10", says=("--order-date", "'2026-02-30'", "not a real")),
    bad("window-order-date-year-0", "window", "--order-date", "0000-01-01",
        "--latest-delivery", "2026-03-10", says=("--order-date", "'0000-01-01'")),
    bad("window-order-date-year-1", "window", "--order-date", "0001-01-01",
        "--latest-delivery", "2026-03-10", says=("--order-date", "'0001-01-01'")),
    bad("window-latest-delivery-year-9999", "window", "--order-date", "9999-12-30",
        "--latest-delivery", "9999-12-31", says=("--order-date", "'9999-12-30'")),
    bad("window-order-date-garbage", "window", "--order-date", "soon-ish",
        "--latest-delivery", "2026-03-10", says=("--order-date", "'soon-ish'", "YYYY-MM-DD")),
    bad("window-order-date-offset-25-hours", "window", "--order-date",
        "2026-01-01T00:00:00+25:00", "--latest-delivery", "2026-03-10",
        says=("--order-date", "'2026-01-01T00:00:00+25:00'")),
    bad("window-order-date-timestamp-past-year-9999", "window", "--order-date",
        "9999-12-31T23:59:59-12:00", "--latest-delivery", "2026-03-10",
        says=("--order-date", "'9999-12-31T23:59:59-12:00'")),
    bad("window-claim-date-garbage", *WINDOW, "--claim-date", "\x00\x01",
        says=("--claim-date", "'\\x00\\x01'")),
    bad("window-latest-delivery-before-order-date", "window", "--order-date", "2026-10-09",
        "--latest-delivery", "2026-10-01", says=("--latest-delivery", "'2026-10-01'", "before")),
    bad("window-marketplace-unknown", *WINDOW, "-m", "Narnia",
        says=("--marketplace", "'Narnia'", "unknown")),
    bad("window-order-date-missing", "window", "--latest-delivery", "2026-10-09",
        says=("--order-date",)),
    bad("window-today-month-13", *WINDOW, "--today", "2026-13-01",
        says=("--today", "'2026-13-01'")),
    bad("window-today-from-env-garbage", *WINDOW, "--claim-date", "today",
        # ATOZ_NOW (set by conftest) would win over ATOZ_TODAY: a seller who sets only this one.
        env={"ATOZ_NOW": None, "ATOZ_TODAY": "someday"}, says=("--today", "'someday'")),

    # --- add: ids, amounts, codes, text ---------------------------------------------------------
    bad("add-order-id-too-short", "add", "113-123-123", "--order-date", "2026-10-01",
        "--latest-delivery", "2026-10-09", says=("ORDER_ID", "'113-123-123'", "3-7-7")),
    bad("add-order-id-letters", "add", "ABC-1234567-1234567", "--order-date", "2026-10-01",
        "--latest-delivery", "2026-10-09", says=("ORDER_ID", "'ABC-1234567-1234567'")),
    bad("add-order-id-empty", "add", "", "--order-date", "2026-10-01",
        "--latest-delivery", "2026-10-09", says=("ORDER_ID",)),
    bad("add-amount-negative", *NEW, "--amount", "-5", says=("--amount", "'-5'", "negative")),
    bad("add-amount-nan", *NEW, "--amount", "NaN", says=("--amount", "'NaN'", "not an amount")),
    bad("add-amount-1e9999", *NEW, "--amount", "1e9999", says=("--amount", "'1e9999'")),
    # 1,000.00 is unambiguous in USD and accepted (issue 13); separators in the wrong places
    # are not.
    bad("add-amount-separators-misplaced", *NEW, "--amount", "1,00.00",
        says=("--amount", "'1,00.00'", "wrong places")),
    bad("add-amount-too-many-decimals", *NEW, "--amount", "24.999",
        says=("--amount", "'24.999'", "decimals")),
    bad("add-amount-yen-with-decimals", *NEW, "--amount", "1200.5", "--currency", "JPY",
        says=("--amount", "'1200.5'", "JPY")),
    bad("add-amount-100-digits", *NEW, "--amount", "9" * 100, says=("--amount",)),
    bad("add-currency-unknown", *NEW, "--currency", "XYZ", says=("--currency", "'XYZ'")),
    bad("add-reason-unknown", *NEW, "--reason", "lost", says=("--reason", "'lost'", "unknown")),
    bad("add-marketplace-unknown", *NEW, "-m", "ZZ", says=("--marketplace", "'ZZ'")),
    bad("add-buyer-100k-characters", *NEW, "--buyer", "x" * 100_000,
        says=("--buyer", "'xxxxxxxx")),
    bad("add-note-with-nul", *NEW, "--note", "a\x00b", says=("--note",)),
    bad("add-buyer-not-utf8", *NEW, "--buyer", "Bj\udcf6rk", says=("--buyer", "\\udcf6")),
    bad("add-claim-date-before-order-date", "add", "120-6666666-6666666", "--order-date",
        "2026-10-01", "--latest-delivery", "2026-10-09", "--claim-date", "2026-09-01",
        says=("--claim-date", "'2026-09-01'", "before")),
    bad("add-claim-time-25-oclock", "add", "120-6666666-6666666", "--order-date",
        "2026-10-01", "--latest-delivery", "2026-10-09", "--claim-date", "2026-10-20 25:61",
        says=("--claim-date", "'2026-10-20 25:61'")),
    bad("add-claim-date-year-9999", "add", "120-6666666-6666666", "--order-date",
        "2026-10-01", "--latest-delivery", "2026-10-09", "--claim-date", "9999-12-31",
        says=("--claim-date", "'9999-12-31'")),
    bad("add-second-open-claim-on-an-order", *ADD,
        says=("ORDER_ID", "'113-1234567-1234567'", "open claim 1")),
    bad("add-unknown-order-without-dates", "add", "120-6666666-6666666",
        says=("ORDER_ID", "'120-6666666-6666666'", "not among the imported orders")),
    bad("add-unknown-option", *NEW, "--colour", "red", says=("--colour",)),
    bad("add-imported-order-claim-date-before-it", "add", SEEDED_ORDER, "--claim-date",
        "2026-09-30", says=("--claim-date", "'2026-09-30'", "before the order date")),
    bad("add-imported-order-amount-bad", "add", SEEDED_ORDER, "--amount", "12.3.4",
        says=("--amount", "'12.3.4'")),

    # --- list, status, done, edit, draft --------------------------------------------------------
    bad("list-status-unknown", "list", "--status", "won", says=("--outcome", "'won'", "unknown")),
    bad("list-marketplace-unknown", "list", "-m", "Atlantis", says=("--marketplace", "'Atlantis'")),
    bad("list-limit-negative", "list", "--limit", "-1", says=("--limit", "-1")),
    bad("list-limit-huge", "list", "--limit", "1" + "0" * 23, says=("--limit",)),
    bad("list-limit-not-a-number", "list", "--limit", "ten", says=("--limit", "'ten'")),
    bad("status-claim-missing", "status", "99", code=1, says="no claim 99"),
    bad("status-claim-by-order-missing", "status", "999-1234567-1234567", code=1,
        says="no claim for order 999-1234567-1234567"),
    bad("status-claim-id-beyond-64-bits", "status", "9" * 30, code=1, says="no claim 999"),
    bad("status-claim-garbage", "status", "first", says=("CLAIM", "'first'")),
    # NFKC, as order ids: a full-width or superscript digit is its ASCII digit (claim 2).
    bad("status-claim-superscript-digit", "status", "\u00b2", code=1, says="no claim 2"),
    bad("status-claim-arabic-indic-digit", "status", "\u0662", says=("CLAIM", "'\u0662'")),
    bad("status-outcome-unknown", "status", "1", "won", says=("OUTCOME", "'won'", "unknown")),
    bad("status-on-impossible", "status", "1", "denied", "--on", "2026-11-31",
        says=("--on", "'2026-11-31'")),
    bad("status-on-before-the-claim", "status", "1", "denied", "--on", "2026-10-01",
        says=("--on", "'2026-10-01'", "before the claim date")),
    bad("status-on-without-an-outcome", "status", "1", "--on", "2026-10-25",
        says=("OUTCOME", "--on")),
    bad("status-note-100k-characters", "status", "1", "denied", "--on", "2026-10-25",
        "--note", "n" * 100_000, says=("--note", "'nnnnnn")),
    bad("status-note-not-utf8", "status", "1", "denied", "--on", "2026-10-25",
        "--note", "caf\udce9", says=("--note", "\\udce9")),
    bad("done-step-unknown", "done", "1", "dance", says=("STEP", "'dance'", "unknown")),
    bad("done-on-garbage", "done", "1", "contact", "--on", "2026-10-2x",
        says=("--on", "'2026-10-2x'")),
    bad("done-claim-missing", "done", "42", "contact", code=1, says="no claim 42"),
    bad("done-note-with-nul", "done", "1", "contact", "--on", "2026-10-21", "--note", "\x00",
        says=("--note",)),
    bad("edit-nothing-to-change", "edit", "1", "--amount", "24.99",
        says=("edit", "nothing to change")),
    bad("edit-amount-negative", "edit", "1", "--amount", "-0.01", says=("--amount", "'-0.01'")),
    bad("edit-latest-delivery-before-order-date", "edit", "1", "--latest-delivery",
        "2026-09-01", says=("--latest-delivery", "'2026-09-01'", "before")),
    bad("edit-currency-unknown", "edit", "1", "--currency", "BTC", says=("--currency", "'BTC'")),
    bad("edit-claim-missing", "edit", "7", "--amount", "1.00", code=1, says="no claim 7"),
    bad("draft-step-unknown", "draft", "1", "thank-you", says=("STEP", "'thank-you'")),
    bad("draft-claim-missing", "draft", "5", "contact", code=1, says="no claim 5"),
    bad("draft-template-is-binary", "draft", "1", "contact",
        files={"templates/contact.txt": PNG}, says=("template", "contact.txt", "UTF-8")),
    bad("draft-template-reaches-an-attribute", "draft", "1", "contact",
        files={"templates/contact.txt": b"Hello {claim.__class__}\n"},
        says=("template", "'{claim.__class__}'")),
    bad("draft-templates-folder-is-a-file", "draft", "1", "contact", "--templates",
        "{tmp}/tpl.txt", files={"tpl.txt": b"not a folder"}, says=("--templates", "tpl.txt")),

    # --- export, calendar, report, odr, exposure, due-today -------------------------------------
    bad("export-format-unknown", "export", "--format", "xml", says=("--format", "'xml'")),
    bad("export-out-is-a-folder", "export", "--out", "{tmp}/out", files={"out": None},
        says=("--out", "folder")),
    bad("export-out-in-a-missing-folder", "export", "--out", "{tmp}/nowhere/x.json",
        says=("--out", "no such folder")),
    bad("calendar-out-is-a-folder", "calendar", "--out", "{tmp}/out", files={"out": None},
        says=("--out", "folder")),
    bad("report-week-garbage", "report", "--week", "last week", says=("--week", "'last week'")),
    bad("report-week-54", "report", "--week", "2026-W54", says=("--week", "'2026-W54'")),
    bad("report-week-0", "report", "--week", "2026-W00", says=("--week", "'2026-W00'")),
    bad("report-format-unknown", "report", "--format", "excel", says=("--format", "'excel'")),
    bad("report-orders-zero", "report", "--orders", "0", says=("--orders", "0")),
    bad("report-orders-not-a-number", "report", "--orders", "1.5k", says=("--orders", "'1.5k'")),
    bad("report-marketplace-unknown", "report", "-m", "EU", says=("--marketplace", "'EU'")),
    bad("report-today-impossible", "report", "--today", "2026-02-29",
        says=("--today", "'2026-02-29'")),
    bad("odr-format-unknown", "odr", "-f", "pdf", says=("--format", "'pdf'")),
    bad("odr-orders-nan", "odr", "--orders", "NaN", says=("--orders", "'NaN'")),
    bad("odr-orders-negative", "odr", "--orders", "-3", says=("--orders", "-3")),
    bad("exposure-today-ambiguous", "exposure", "--today", "03/04/2026",
        says=("--today", "'03/04/2026'", "ambiguous")),
    bad("due-today-ahead-negative", "due-today", "--ahead", "-1", says=("--ahead", "-1")),
    bad("due-today-ahead-beyond-a-year", "due-today", "--ahead", "367", says=("--ahead", "367")),
    bad("due-today-ahead-not-a-number", "due-today", "--ahead", "two",
        says=("--ahead", "'two'")),
    bad("due-today-today-without-a-year", "due-today", "--today", "5 January",
        says=("--today", "'5 January'", "no year")),

    # --- backup, info, policy, the command line itself ------------------------------------------
    bad("backup-onto-an-existing-file", "backup", "{tmp}/old.db", files={"old.db": b"keep me"},
        says=("FILE", "old.db", "already exists")),
    bad("backup-onto-a-folder", "backup", "{tmp}/out", files={"out": None},
        says=("FILE", "out")),
    bad("info-db-is-a-folder", "info", "--db", "{tmp}/dbdir", files={"dbdir": None},
        says=("--db", "dbdir", "folder")),
    bad("policy-marketplace-unknown", "policy", "-m", "MARS", says=("--marketplace", "'MARS'")),
    bad("unknown-command", "lsit", says=("lsit",)),

    # --- 0.2.0: instants, outcomes, rules, look-alike digits (issues 10-12) ---------------------
    bad("add-claim-time-in-a-dst-gap", "add", "120-6666666-6666666", "-m", "US", "--order-date",
        "2026-02-20", "--latest-delivery", "2026-03-01", "--claim-date", "2026-03-08 02:30",
        "--today", "2026-03-10",
        says=("--claim-date", "'2026-03-08 02:30'",
              "02:00 to 03:00 does not exist in America/Los_Angeles")),
    bad("due-today-now-in-a-dst-gap", "due-today", "--now", "2026-03-08 02:30",
        env={"ATOZ_TZ": "America/Los_Angeles"},
        says=("--now", "'2026-03-08 02:30'", "does not exist in America/Los_Angeles")),
    bad("due-today-now-garbage", "due-today", "--now", "half past", says=("--now", "'half past'")),
    bad("due-today-now-from-env-garbage", "due-today", env={"ATOZ_NOW": "garbage"},
        says=("--now", "'garbage'")),
    bad("list-now-and-today-together", "list", "--now", "2026-11-01 10:00", "--today",
        "2026-11-01", says=("--now", "'2026-11-01 10:00'", "--today", "not both")),
    bad("list-seller-zone-unknown", "list", env={"ATOZ_TZ": "Not/AZone"},
        says=("ATOZ_TZ", "'Not/AZone'", "time zone")),
    bad("due-today-today-with-a-time", "due-today", "--today", "2026-11-28 08:00",
        says=("--today", "'2026-11-28 08:00'", "is a day", "--now")),
    bad("import-marketplace-unknown-even-when-no-row-needs-it", *CSV, "-m", "XX",
        files=csv_file("113-1234567-1234567,2026-10-01,2026-10-09,2026-10-20"),
        says=("--marketplace", "'XX'", "unknown")),
    bad("report-week-9999", "report", "--week", "9999-W52",
        says=("--week", "'9999-W52'", "outside the years")),
    bad("status-the-outcome-it-already-has", "status", "1", "denied", "--on", "2026-10-27",
        "--today", "2026-10-28",
        first=(("status", "1", "denied", "--on", "2026-10-25", "--today", "2026-10-26"),),
        says=("OUTCOME", "'denied'", "already denied since 2026-10-25", "atoz edit 1 --help")),
    bad("status-correct-with-no-decision-to-correct", "status", "1", "denied", "--correct",
        says=("--correct", "claim 1 has no decision to correct")),
    bad("status-odr-unknown", "status", "1", "denied", "--odr", "maybe",
        says=("--odr", "'maybe'", "unknown")),
    bad("status-paid-by-unknown", "status", "1", "granted-seller-funded", "--paid-by", "buyer",
        says=("--paid-by", "'buyer'", "unknown")),
    bad("window-claim-before-the-order", *WINDOW, "--claim-date", "2026-09-01",
        says=("--claim-date", "'2026-09-01'", "is before the order date 2026-10-01")),
    bad("edit-order-date-after-the-claim-date", "edit", "1", "--order-date", "2026-10-25",
        "--latest-delivery", "2026-11-01",
        says=("--order-date", "'2026-10-25'", "is after the claim date 2026-10-20")),
    bad("edit-decided-on-before-any-decision", "edit", "1", "--decided-on", "2026-10-25",
        says=("--decided-on", "'2026-10-25'", "no decision yet")),
    bad("appeal-result-unknown", "appeal-result", "1", "maybe",
        says=("RESULT", "'maybe'", "won or lost")),
    bad("appeal-result-of-a-claim-not-granted", "appeal-result", "1", "won",
        says=("CLAIM", "'1'", "only a seller-funded grant")),
    bad("skip-step-unknown", "skip", "1", "dance", says=("STEP", "'dance'", "unknown")),
    bad("skip-claim-missing", "skip", "99", "contact", code=1, says="no claim 99"),
    bad("window-delivered-on-before-order-date", *WINDOW, "--delivered-on", "2026-09-01",
        says=("--delivered-on", "'2026-09-01'", "before the order date")),
    bad("policy-set-value-not-a-number", "policy", "set", "US", "response_hours", "abc",
        "--source", "x", says=("VALUE", "'abc'", "whole number")),
    bad("policy-set-rule-unknown", "policy", "set", "US", "colour", "5", "--source", "x",
        says=("RULE", "'colour'", "not a rule")),
    bad("policy-set-marketplace-unknown", "policy", "set", "XX", "response_hours", "48",
        "--source", "x", says=("MARKETPLACE", "'XX'", "unknown")),
    bad("policy-set-from-garbage", "policy", "set", "US", "response_hours", "48", "--source",
        "x", "--from", "soon", says=("--from", "'soon'")),
    bad("policy-unset-nothing-set", "policy", "unset", "US", "response_hours",
        says=("RULE", "'response_hours'", "no local")),
    bad("calendar-alarm-garbage", "calendar", "--alarm", "5x", says=("--alarm", "'5x'")),
    # Issue 12 item 5: NFKC, then ASCII digits only, in every entry path. A full-width digit is
    # the same order (so it meets the open claim); an Arabic-Indic one is refused.
    bad("add-order-id-arabic-indic-digit", "add", "113-1234567-123456\u0667", "--order-date",
        "2026-10-01", "--latest-delivery", "2026-10-09",
        says=("ORDER_ID", "'113-1234567-123456\u0667'", "digits other than 0-9")),
    bad("add-order-id-full-width-digit-is-the-same-order", "add", "113-1234567-123456\uff17",
        "--order-date", "2026-10-01", "--latest-delivery", "2026-10-09", "--claim-date",
        "2026-10-22", says=("ORDER_ID", "'113-1234567-1234567'", "open claim 1")),
    bad("status-order-id-arabic-indic-digit", "status", "113-1234567-123456\u0667",
        says=("CLAIM", "digits other than 0-9")),
    # Issue 12 item 1: no output over the database, its log, or any SQLite file.
    bad("calendar-out-is-the-database", "calendar", "--out", "{tmp}/atoz.db",
        says=("--out", "atoz.db", "atoz's database")),
    bad("export-out-is-the-wal", "export", "--out", "{tmp}/atoz.db-wal",
        says=("--out", "atoz.db-wal", "atoz's database")),
    bad("export-out-is-another-sqlite-file", "export", "--out", "{tmp}/other.db",
        files={"other.db": b"SQLite format 3\x00" + bytes(100)},
        says=("--out", "other.db", "SQLite database")),
    bad("import-skip-bad-is-the-database", *imp("claims.csv", "--skip-bad", "{tmp}/atoz.db"),
        files=csv_file(claim_row()), says=("--skip-bad", "atoz.db", "atoz's database")),

    # --- import: the file itself ----------------------------------------------------------------
    bad("import-missing-file", "import", "{tmp}/nope.csv", says=("FILE", "nope.csv", "no such")),
    bad("import-a-folder", "import", "{tmp}/folder", files={"folder": None},
        says=("FILE", "folder")),
    bad("import-kind-unknown", *imp("claims.csv", "--kind", "xlsx"),
        files=csv_file(claim_row()), says=("--kind", "'xlsx'")),
    bad("import-encoding-nonsense-csv", *imp("claims.csv", "--encoding", "nonsense"),
        files=csv_file(claim_row()), says=("--encoding", "'nonsense'")),
    bad("import-encoding-nonsense-report", *imp("orders.tsv", "--encoding", "nonsense"),
        files={"orders.tsv": report(report_row())}, says=("--encoding", "'nonsense'")),
    bad("import-encoding-rot13-report", *imp("orders.tsv", "--encoding", "rot13"),
        files={"orders.tsv": report(report_row())}, says=("--encoding", "'rot13'")),
    bad("import-encoding-zlib-csv", *imp("claims.csv", "--encoding", "zlib"),
        files=csv_file(claim_row()), says=("--encoding", "'zlib'")),
    bad("import-marketplace-unknown", *imp("orders.tsv", "-m", "Mars"),
        files={"orders.tsv": report(report_row(sales_channel=""))},
        says=("--marketplace", "'Mars'")),
    bad("import-skip-bad-is-the-file-itself", *imp("claims.csv", "--skip-bad",
                                                   "{tmp}/claims.csv"),
        files=csv_file(claim_row()), says=("--skip-bad", "claims.csv", "being imported")),
    bad("import-a-device-not-a-file", "import", "/dev/null",
        says=("FILE", "'/dev/null'", "not a regular file")),
    bad("import-skip-bad-into-a-folder", *imp("claims.csv", "--skip-bad", "{tmp}/rej"),
        files={**csv_file(claim_row()), "rej": None}, says=("--skip-bad", "rej")),
    bad("import-empty-file", *CSV, files={"claims.csv": b""}, says=("claims.csv", "empty")),
    bad("import-whitespace-only", *CSV, files={"claims.csv": b" \n\r\n\t\n"},
        says=("claims.csv", "empty")),
    bad("import-random-bytes", *CSV, files={"claims.csv": RANDOM}, says=("claims.csv",)),
    bad("import-png-header", *imp("orders.tsv"), files={"orders.tsv": PNG},
        says=("orders.tsv",)),
    bad("import-nul-bytes-in-text", *CSV,
        files={"claims.csv": claims_csv(claim_row()).replace(b"Dana", b"Da\x00na")},
        says=("claims.csv",)),
    bad("import-unknown-text", *CSV, files={"claims.csv": b"hello,world\n1,2\n"},
        says=("claims.csv:1", "header")),

    # --- atoz's claims CSV ----------------------------------------------------------------------
    bad("csv-header-only", *CSV, files=csv_file(), says=("claims.csv", "only a header")),
    bad("csv-unknown-column", *CSV,
        files=csv_file(claim_row() + ",x", header=claims_csv().decode().strip() + ",colour"),
        says=("claims.csv:1", "header", "'colour'")),
    # Only order_id is required in the header now: dates may come from an imported order.
    bad("csv-missing-required-column", *imp("claims.csv", "--kind", "claims-csv"),
        files=csv_file("2026-10-01,2026-10-09,2026-10-20",
                       header="order_date,latest_delivery,claim_date"),
        says=("claims.csv:1", "header", "missing column 'order_id'")),
    bad("csv-column-twice", *CSV,
        files=csv_file(claim_row() + ",2026-10-02",
                       header=claims_csv().decode().strip() + ",latest_delivery"),
        says=("claims.csv:1", "header", "'latest_delivery' appears twice")),
    bad("csv-order-date-without-latest-delivery", *CSV,
        files=csv_file("115-1111111-1111111,2026-10-01", header="order_id,order_date"),
        says=("claims.csv:2: latest_delivery:", "required")),
    bad("csv-unterminated-quote", *CSV,
        files=csv_file(claim_row(buyer='"Dana Ortiz'), claim_row(order_id="115-2222222-22"
                                                                          "22222")),
        says=("claims.csv",)),
    bad("csv-date-ambiguous", *CSV, files=csv_file(claim_row(order_date="03/04/2026")),
        says=("claims.csv:2: order_date: '03/04/2026'", "ambiguous")),
    bad("csv-date-without-year", *CSV, files=csv_file(claim_row(claim_date="Oct 20")),
        says=("claims.csv:2: claim_date: 'Oct 20'", "no year")),
    bad("csv-amount-nan", *CSV, files=csv_file(claim_row(amount="nan")),
        says="claims.csv:2: amount: 'nan'"),
    bad("csv-amount-separators-misplaced", *CSV, files=csv_file(claim_row(amount='"1,00.00"')),
        says=("claims.csv:2: amount: '1,00.00'", "wrong places")),
    bad("csv-currency-unknown", *CSV, files=csv_file(claim_row(currency="DOGE")),
        says="claims.csv:2: currency: 'DOGE'"),
    bad("csv-status-unknown", *CSV,
        files=csv_file(claim_row(outcome="won", decided_on="2026-10-25")),
        says="claims.csv:2: outcome: 'won'"),
    bad("csv-paid-by-unknown", *CSV,
        files=csv_file(claim_row(outcome="denied", decided_on="2026-10-25", paid_by="buyer")),
        says="claims.csv:2: paid_by: 'buyer'"),
    bad("csv-odr-unknown", *CSV,
        files=csv_file(claim_row(outcome="denied", decided_on="2026-10-25", odr="maybe")),
        says="claims.csv:2: odr: 'maybe'"),
    bad("csv-decided-on-missing", *CSV, files=csv_file(claim_row(status="denied")),
        says=("claims.csv:2: decided_on:", "required")),
    bad("csv-order-id-bad", *CSV, files=csv_file(claim_row(order_id="12345")),
        says="claims.csv:2: order_id: '12345'"),
    bad("csv-order-id-arabic-indic-digit", *CSV,
        files=csv_file(claim_row(order_id="115-1111111-111111\u0661")),
        says=("claims.csv:2: order_id:", "digits other than 0-9")),
    bad("csv-more-cells-than-columns", *CSV, files=csv_file(claim_row() + ",extra"),
        says=("claims.csv:2: row:", "more cells")),
    bad("csv-second-row-bad-writes-nothing", *CSV,
        files=csv_file(claim_row(), claim_row(order_id="115-2222222-2222222",
                                              latest_delivery="2026-09-01")),
        says="claims.csv:3: latest_delivery: '2026-09-01'"),
    bad("csv-claim-on-an-order-with-an-open-claim", *CSV,
        files=csv_file(claim_row(order_id="113-1234567-1234567", claim_date="2026-10-22")),
        says=("claims.csv:2: order_id: '113-1234567-1234567'", "open claim 1")),
    bad("csv-10mb-cell", *CSV,
        files={"claims.csv": lambda: claims_csv(claim_row(note="n" * (10 * MB)))},
        says=("claims.csv:2",)),
    bad("csv-buyer-100k-characters", *CSV, files=csv_file(claim_row(buyer="b" * 100_000)),
        says=("claims.csv:2: buyer: 'bbbbbb",)),
    bad("csv-latin1-bytes-given-utf8", *imp("claims.csv", "--encoding", "utf-8"),
        files={"claims.csv": claims_csv(claim_row(buyer="Tobias Groß")).replace(
            "Groß".encode(), "Groß".encode("latin-1"))},
        says=("claims.csv", "utf-8")),
    bad("csv-utf16-without-bom", *CSV,
        files={"claims.csv": claims_csv(claim_row()).decode().encode("utf-16-le")},
        says=("claims.csv", "UTF-16")),

    # --- atoz's JSON export ---------------------------------------------------------------------
    bad("export-json-cut-in-half", *EXPORT,
        files={"export.json": _half(export(export_claim()))}, says=("export.json:", "json")),
    bad("export-json-version-3", *EXPORT,
        files={"export.json": export(export_claim()).replace(b'"version": 1', b'"version": 3')},
        says=("export.json", "version", "3", "newer atoz")),
    bad("export-json-claim-date-impossible", *EXPORT,
        files={"export.json": export(export_claim(claim_date="2026-10-32"))},
        says=("export.json: claims[0]: claim_date: '2026-10-32'",)),
    bad("export-json-id-beyond-64-bits", *EXPORT,
        files={"export.json": export(export_claim(id=10**30))},
        says=("export.json: claims[0]: id:", "1000000")),
    bad("export-json-note-lone-surrogate", *EXPORT,
        files={"export.json": export(export_claim(note="\ud800"))},
        says=("export.json: claims[0]: note: '\\ud800'", "not text")),
    bad("export-json-history-empty", *EXPORT,
        files={"export.json": export(export_claim(history=[]))},
        says=("export.json: claims[0]: history:",)),
    bad("export-json-recorded-at-lone-surrogate", *EXPORT,
        files={"export.json": export(export_claim(history=[
            {**export_claim()["history"][0], "recorded_at": "\udfff"}]))},
        says=("export.json: claims[0].history[0]: recorded_at: '\\udfff'",)),
    bad("export-json-recorded-at-not-a-timestamp", *EXPORT,
        files={"export.json": export(export_claim(history=[
            {**export_claim()["history"][0], "recorded_at": "yesterday"}]))},
        says=("export.json: claims[0].history[0]: recorded_at: 'yesterday'",)),
    bad("export-json-decided-on-year-9999", *EXPORT,
        files={"export.json": export(export_claim(history=[
            export_claim()["history"][0],
            {**export_claim()["history"][0], "status": "granted-seller-funded",
             "on_date": "9999-12-31"}]))},
        says=("export.json: claims[0].history[1]: on_date: '9999-12-31'",)),
    bad("export-json-edit-detail-not-changes", *EXPORT,
        files={"export.json": export(export_claim(history=[
            export_claim()["history"][0],
            {**export_claim()["history"][0], "kind": "edit", "detail": {"amount": 5}}]))},
        says=("export.json: claims[0].history[1]: detail: {'amount': 5}",)),
    bad("export-json-not-an-export", *imp("export.json", "--kind", "claims-json"),
        files={"export.json": b'{"claims": []}'}, says=("export.json", "atoz_export")),

    # --- Amazon's order report (tab-separated) --------------------------------------------------
    bad("report-row-missing-cells", *TSV,
        files={"orders.tsv": report("116-2222222-2222222\t1")},
        says=("orders.tsv:2: sales-channel:", "empty")),
    bad("report-unknown-columns-only", *TSV, files={"orders.tsv": b"colour\tsize\nred\t9\n"},
        says=("orders.tsv:1: header:", "not a file atoz knows")),
    bad("report-column-twice", *TSV,
        files={"orders.tsv": report(report_row() + "\t2026-10-10T06:59:59+00:00",
                                    header=(*REPORT_HEADER, "latest-delivery-date"))},
        says=("orders.tsv:1: header:", "'latest-delivery-date' appears twice")),
    bad("report-order-id-bad", *TSV, files={"orders.tsv": report(report_row(order_id="116-1"))},
        says="orders.tsv:2: order-id: '116-1'"),
    bad("report-order-id-arabic-indic-digit", *TSV,
        files={"orders.tsv": report(report_row(order_id="116-2222222-222222\u0662"))},
        says=("orders.tsv:2: order-id:", "digits other than 0-9")),
    bad("report-10mb-order-id", *TSV,
        files={"orders.tsv": lambda: report(report_row(order_id="9" * (10 * MB)))},
        says=("orders.tsv:2: order-id: '9999",)),
    bad("report-purchase-date-garbage", *TSV,
        files={"orders.tsv": report(report_row(purchase_date="yesterday-ish"))},
        says="orders.tsv:2: purchase-date: 'yesterday-ish'"),
    bad("report-purchase-date-year-0", *TSV,
        files={"orders.tsv": report(report_row(purchase_date="0000-01-01T00:00:00Z"))},
        says="orders.tsv:2: purchase-date: '0000-01-01T00:00:00Z'"),
    bad("report-delivery-timestamp-past-year-9999", *TSV,
        files={"orders.tsv": report(report_row(latest_delivery_date="9999-12-31T23:59:59-12:00"))},
        says="orders.tsv:2: latest-delivery-date: '9999-12-31T23:59:59-12:00'"),
    bad("report-amount-negative", *TSV,
        files={"orders.tsv": report(report_row(item_price="-5.00"))},
        says=("orders.tsv:2: item-price: '-5.00'", "negative")),
    bad("report-amount-separators-misplaced", *TSV,
        files={"orders.tsv": report(report_row(item_price="1,29.00"))},
        says=("orders.tsv:2: item-price: '1,29.00'", "wrong places")),
    bad("report-amount-1e9999", *TSV,
        files={"orders.tsv": report(report_row(item_price="1e9999"))},
        says="orders.tsv:2: item-price: '1e9999'"),
    bad("report-amount-too-many-decimals", *TSV,
        files={"orders.tsv": report(report_row(item_price="24.991"))},
        says="orders.tsv:2: item-price: '24.991'"),
    bad("report-currency-unknown", *TSV,
        files={"orders.tsv": report(report_row(currency="ZZZ"))},
        says="orders.tsv:2: currency: 'ZZZ'"),
    bad("report-sales-channel-unknown", *TSV,
        files={"orders.tsv": report(report_row(sales_channel="Amazon.xyz"))},
        says="orders.tsv:2: sales-channel: 'Amazon.xyz'"),
    bad("report-more-cells-than-header", *TSV,
        files={"orders.tsv": report(report_row() + "\textra")}, says="orders.tsv:2: row:"),
    bad("report-latin1-bytes-given-utf8", *imp("orders.tsv", "--encoding", "utf-8"),
        files={"orders.tsv": report(report_row(buyer_name="Groß")).replace(
            "Groß".encode(), "Groß".encode("latin-1"))},
        says=("orders.tsv:2: encoding:",)),
    bad("report-utf16-without-bom", *TSV,
        files={"orders.tsv": report(report_row()).decode().encode("utf-16-le")},
        says=("orders.tsv", "UTF-16")),
    bad("report-utf16-without-bom-kind-given", *imp("orders.tsv", "--kind",
                                                    "order-report"),
        files={"orders.tsv": report(report_row()).decode().encode("utf-16-le")},
        says=("orders.tsv",)),
    # A byte-order mark, then a last line cut at an odd byte (found by the long hunt).
    bad("report-utf16-odd-byte-at-the-end", *imp("orders.tsv", "--kind", "order-report"),
        files={"orders.tsv": codecs.BOM_UTF16_LE + report(report_row()).decode()
               .encode("utf-16-le") + b"o"},
        says=("orders.tsv", "not valid UTF-16 after line 2")),

    # --- SP-API getOrders (v0) ------------------------------------------------------------------
    bad("v0-cut-in-half", *V0, files={"orders.json": _half(v0(v0_order()))},
        says=("orders.json:", "json")),
    bad("v0-order-id-bad", *V0, files={"orders.json": v0(v0_order(AmazonOrderId="#1"))},
        says=("orders.json:", "AmazonOrderId: '#1'")),
    bad("v0-purchase-date-impossible", *V0,
        files={"orders.json": v0(v0_order(PurchaseDate="2026-02-30T10:00:00Z"))},
        says=("orders.json:", "PurchaseDate: '2026-02-30T10:00:00Z'")),
    bad("v0-amount-json-nan", *V0,
        files={"orders.json": v0(v0_order(OrderTotal={"CurrencyCode": "USD", "Amount": 1}))
               .replace(b'"Amount": 1', b'"Amount": NaN')},
        says=("orders.json:", "OrderTotal.amount: 'nan'")),
    bad("v0-amount-json-1e9999", *V0,
        files={"orders.json": v0(v0_order(OrderTotal={"CurrencyCode": "USD", "Amount": 1}))
               .replace(b'"Amount": 1', b'"Amount": 1e9999')},
        says=("orders.json:", "OrderTotal.amount")),
    bad("v0-amount-5000-digit-number", *V0,
        files={"orders.json": v0(v0_order(OrderTotal={"CurrencyCode": "USD", "Amount": 1}))
               .replace(b'"Amount": 1', b'"Amount": ' + b"9" * 5000)},
        says=("orders.json",)),
    bad("v0-amount-negative", *V0,
        files={"orders.json": v0(v0_order(OrderTotal={"CurrencyCode": "USD",
                                                      "Amount": "-5.00"}))},
        says=("orders.json:", "OrderTotal.amount: '-5.00'", "negative")),
    bad("v0-currency-unknown", *V0,
        files={"orders.json": v0(v0_order(OrderTotal={"CurrencyCode": "ABC",
                                                      "Amount": "5.00"}))},
        says=("orders.json:", "OrderTotal.currency: 'ABC'")),
    bad("v0-marketplace-id-unknown", *V0,
        files={"orders.json": v0(v0_order(MarketplaceId="XXXXXXXX"))},
        says=("orders.json:", "MarketplaceId: 'XXXXXXXX'")),
    bad("v0-orders-not-a-list", *V0, files={"orders.json": b'{"payload": {"Orders": 5}}'},
        says=("orders.json:1: json:", "payload.Orders")),
    bad("v0-order-not-an-object", *V0, files={"orders.json": b'{"payload": {"Orders": [7]}}'},
        says=("orders.json:", "order: 'int'")),
    bad("v0-nested-100k-deep", *imp("orders.json", "--kind", "orders-v0"),
        files={"orders.json": b"[" * 100_000 + b"]" * 100_000}, says=("orders.json",)),

    bad("v0-order-id-arabic-indic-digit", *V0,
        files={"orders.json": v0(v0_order(AmazonOrderId="117-3333333-333333\u0663"))},
        says=("orders.json:", "AmazonOrderId:", "digits other than 0-9")),

    # --- SP-API searchOrders (2026) -------------------------------------------------------------
    bad("v2026-order-id-missing", *V0, files={"orders.json": v2026(
        {k: v for k, v in v2026_order().items() if k != "orderId"}, v2026_order())},
        says=("orders.json:", "orderId:", "missing")),
    bad("v2026-created-time-without-year", *V0,
        files={"orders.json": v2026(v2026_order(createdTime="Oct 1"))},
        says=("orders.json:", "createdTime: 'Oct 1'")),
    bad("v2026-latest-delivery-before-created", *V0,
        files={"orders.json": v2026(v2026_order(createdTime="2026-10-20T00:00:00Z"))},
        says=("orders.json:", "fulfillment.deliverByWindow.latestDateTime", "before")),
    bad("v2026-amount-separators-misplaced", *V0,
        files={"orders.json": v2026(v2026_order(
            proceeds={"grandTotal": {"amount": "1,29.00", "currencyCode": "USD"}}))},
        says=("orders.json:", "proceeds.grandTotal.amount: '1,29.00'")),
    bad("v2026-cut-in-half", *V0, files={"orders.json": _half(v2026(v2026_order()))},
        says=("orders.json:", "json")),

    # --- Finances API events --------------------------------------------------------------------
    bad("finance-posted-date-garbage", *EVENTS,
        files={"events.json": finance(finance_event(PostedDate="last Tuesday"))},
        says=("events.json:", "PostedDate: 'last Tuesday'")),
    bad("finance-order-id-bad", *EVENTS,
        files={"events.json": finance(finance_event(AmazonOrderId="113-1234567"))},
        says=("events.json:", "AmazonOrderId: '113-1234567'")),
    bad("finance-amount-nan-text", *EVENTS, files={"events.json": finance(finance_event(
        ShipmentItemAdjustmentList=[{"ItemChargeAdjustmentList": [{"ChargeAmount": {
            "CurrencyCode": "USD", "CurrencyAmount": "NaN"}}]}]))},
        says=("events.json:", "ChargeAmount.amount: 'NaN'")),
    bad("finance-currency-unknown", *EVENTS, files={"events.json": finance(finance_event(
        ShipmentItemAdjustmentList=[{"ItemChargeAdjustmentList": [{"ChargeAmount": {
            "CurrencyCode": "XAU", "CurrencyAmount": -1}}]}]))},
        says=("events.json:", "ChargeAmount.currency: 'XAU'")),
    bad("finance-marketplace-unknown", *EVENTS,
        files={"events.json": finance(finance_event(MarketplaceName="Amazon.moon"))},
        says=("events.json:", "MarketplaceName: 'Amazon.moon'")),
    bad("finance-no-event-list", *imp("events.json", "--kind", "finance-events"),
        files={"events.json": b'{"payload": {"FinancialEvents": {}}}'},
        says=("events.json:1: json:", "GuaranteeClaimEventList")),
    bad("finance-order-id-arabic-indic-digit", *EVENTS,
        files={"events.json": finance(finance_event(AmazonOrderId="113-1234567-123456\u0667"))},
        says=("events.json:", "AmazonOrderId:", "digits other than 0-9")),
    bad("finance-cut-in-half", *EVENTS, files={"events.json": _half(finance(finance_event()))},
        says=("events.json:", "json")),

    # --- Amazon's claim e-mails (issue 14) -----------------------------------------------------
    bad("email-not-an-email", *imp("message.eml", "--kind", "email"),
        files={"message.eml": b"hello\n"}, says="message.eml: not an e-mail"),
    bad("email-mbox-cut-inside-a-header", *imp("claims.mbox"),
        files={"claims.mbox": b"From a@b Sat Jan  1 00:00:00 2026\nFrom: atoz-guarantee-no-reply"
                              b"@amazon.com\nSubject: Claim received on order 113-1234567-12345"
                              b"67\n"},
        says="claims.mbox: message 1: the message ends inside its header"),
]


@pytest.fixture(scope="session")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_seed(tmp_path_factory.mktemp("seed"))


@pytest.fixture
def seeded(seed: Path, db_path: Path) -> Path:
    for suffix in ("", "-wal"):
        source = seed.with_name(seed.name + suffix)
        if source.exists():
            shutil.copyfile(source, db_path.with_name(db_path.name + suffix))
    return db_path


def _write_files(folder: Path, files: tuple[tuple[str, Content], ...]) -> None:
    for name, content in files:
        path = folder / name
        if content is None:
            path.mkdir(parents=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content() if callable(content) else content)


def test_the_corpus_is_big_enough_and_covers_every_command_and_format() -> None:
    assert len(CASES) >= 60
    commands = {case.values[0].args[0] for case in CASES}  # type: ignore[union-attr]
    assert {"window", "add", "list", "status", "done", "skip", "edit", "appeal-result",
            "draft", "import", "export", "calendar", "report", "odr", "exposure", "due-today",
            "backup", "info", "policy"} <= commands
    names = {str(case.id).split("-")[0] for case in CASES}
    assert {"csv", "export", "report", "v0", "v2026", "finance", "email"} <= names


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_refused_in_one_line_and_writes_nothing(
        case: Bad, run: Run, seeded: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _write_files(tmp_path, case.files)
    for name, value in case.env:
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    for command in case.first:
        done = run(*command)
        assert done.exit_code == 0, done.output + done.stderr
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in case.args]
    before = stored(seeded)
    line = check_refused(run(*args), case.code)
    for part in case.says:
        assert part in line, line
    assert stored(seeded) == before
    assert not list(tmp_path.glob("**/*.part")), "a half-written file was left behind"


def test_the_seed_holds_what_the_cases_rely_on(run: Run, seeded: Path) -> None:
    result = run("list", "--json")
    assert [c["order_id"] for c in json.loads(result.stdout)] == ["113-1234567-1234567"]
    info = json.loads(run("info", "--json").stdout)
    assert (info["claims"], info["orders"]) == (1, 1)
    assert os.path.getsize(seeded) > 0


def test_bytes_that_are_not_utf8_on_a_real_command_line_are_refused(seeded: Path) -> None:
    # A shell in a Latin-1 locale passes "Björk" as the byte 0xF6; Python carries it as a lone
    # surrogate, which SQLite cannot store and a terminal cannot print.
    env = {**os.environ, "ATOZ_DB": str(seeded), "PYTHONPATH": str(Path(__file__).parents[1])}
    before = stored(seeded)
    result = subprocess.run(
        [sys.executable, "-m", "atoz", *NEW[:1], *(arg.encode() for arg in NEW[1:]),
         b"--buyer", b"Bj\xf6rk"], env=env, capture_output=True, timeout=60)
    stderr = result.stderr.decode("utf-8")
    assert result.returncode == 2, stderr
    assert stderr.startswith("Error: --buyer: 'Bj\\udcf6rk': ") and stderr.count("\n") == 1
    assert stored(seeded) == before


@pytest.mark.parametrize(("name", "content"), [
    pytest.param("orders.tsv", report(), id="order-report-header-only"),
    pytest.param("orders.json", v0(), id="v0-no-orders"),
    pytest.param("orders.json", v2026(), id="v2026-no-orders"),
    pytest.param("events.json", finance(), id="finance-no-events"),
])
def test_amazon_data_with_nothing_in_it_is_not_an_error(
        run: Run, seeded: Path, tmp_path: Path, name: str, content: bytes) -> None:
    # Unlike atoz's own CSV (one a seller wrote, where a header alone is a mistake), these are
    # what Amazon sends for a day without orders or claims: a cron job importing them must not
    # fail. Nothing is written.
    path = tmp_path / name
    path.write_bytes(content)
    before = stored(seeded)
    result = run("import", str(path))
    assert result.exit_code == 0, result.output
    assert "0 added, 0 updated, 0 unchanged, 0 skipped" in result.stdout
    assert "no " in result.stderr
    assert stored(seeded) == before


@pytest.mark.parametrize("args", [
    pytest.param(("import", "{tmp}/nope.csv"), id="import-missing-file"),
    pytest.param(("import", "{tmp}/claims.csv"), id="import-bad-row"),
    pytest.param((*NEW[:3], "2026-13-01", *NEW[4:]), id="add-bad-date"),
    pytest.param(("policy", "set", "US", "response_hours", "abc", "--source", "https://x"),
                 id="policy-set-bad-value"),
    pytest.param(("done", "7", "contact"), id="done-no-such-claim"),
    pytest.param(("migrate", "--db", "{tmp}/folder"), id="db-is-a-folder"),
])
def test_a_failed_first_command_leaves_no_database_behind(
        run: Run, no_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        args: tuple[str, ...]) -> None:
    # A first command with a typo must not leave a migrated, empty database (nor the folders
    # made for it): the next one would then find a file that looks like the user's data.
    (tmp_path / "claims.csv").write_bytes(claims_csv(claim_row(order_date="2026-02-30")))
    (tmp_path / "folder").mkdir()
    db = tmp_path / "new" / "nested" / "atoz.db"
    monkeypatch.setenv("ATOZ_DB", str(db))
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run(*(arg.replace("{tmp}", str(tmp_path)) for arg in args))
    check_refused(result, 1 if args[0] == "done" else 2)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_first_command_that_succeeds_keeps_its_new_database(
        run: Run, no_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "new" / "atoz.db"
    monkeypatch.setenv("ATOZ_DB", str(db))
    assert run("migrate").exit_code == 0  # an empty database, made on purpose
    assert db.exists()
    assert run(*NEW).exit_code == 0
    assert run("done", "9", "contact").exit_code == 1  # a failure later removes nothing
    assert db.exists() and json.loads(run("list", "--json").stdout)[0]["claim_id"] == 1

"""Every `--json` output follows the one contract written in docs/json.md (issue 13): the rules
for instants, days, money and rates, and each object's keys exactly as the page lists them."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

ROOT = Path(__file__).parents[1]
SAMPLE = ROOT / "sample_data"
NOW = "2026-11-18T20:00:00-08:00"
INSTANT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?"
                     r"[+-][0-9]{2}:[0-9]{2}")
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")
INSTANT_KEYS = re.compile(r"(now|deadline|.*_deadline|.*_at|.*_local)")
DAY_KEYS = re.compile(r"(on|.*_on|.*_date|due|opens|closes|today|start|end|window_.*|"
                      r"leaves_window|counts_from|.*_until|latest_delivery)")
FORBIDDEN = {"id", "status", "status_on", "on_date", "deadline_key", "counts_toward_odr",
             "rate", "percent"}
OPAQUE = {"detail", "changed", "moved", "rules", "outcomes", "readings", "filled_from"}


def contract() -> dict[str, list[str]]:
    """Each object's keys, read from docs/json.md (`(Claim)` expands to Claim's keys)."""
    objects: dict[str, list[str]] = {}
    text = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    for name, keys in re.findall(r"^- `(\w+)`: (.+)$", text, flags=re.MULTILINE):
        found: list[str] = []
        for key in keys.split(", "):
            key = key.strip()
            found += objects[key[1:-1]] if key.startswith("(") else [key]
        objects[name] = found
    return objects


OBJECTS = contract()


def check_rules(value: Any, where: str = "$") -> None:
    if isinstance(value, list):
        for i, item in enumerate(value):
            check_rules(item, f"{where}[{i}]")
        return
    if not isinstance(value, dict):
        return
    for key, item in value.items():
        at = f"{where}.{key}"
        assert key not in FORBIDDEN, f"{at}: an internal or renamed key"
        if key in OPAQUE:
            continue
        if isinstance(item, str) and INSTANT_KEYS.fullmatch(key):
            assert INSTANT.fullmatch(item), f"{at}: {item!r} is not RFC 3339 with an offset"
        elif isinstance(item, str) and DAY_KEYS.fullmatch(key):
            assert DAY.fullmatch(item), f"{at}: {item!r} is not an ISO date"
        if key.endswith("amount"):
            prefix = key.removesuffix("amount")
            assert item is None or (isinstance(item, str) and DECIMAL.fullmatch(item)), at
            assert f"{prefix}amount_minor" in value and f"{prefix}currency" in value, at
            if item is not None:
                assert isinstance(value[f"{prefix}amount_minor"], int), at
        if "rate" in key and isinstance(item, int | float) and not isinstance(item, bool):
            assert key.endswith("_percent"), f"{at}: a rate without its unit in the name"
        check_rules(item, at)


def keys(obj: Any, name: str) -> None:
    assert isinstance(obj, dict), name
    assert list(obj) == OBJECTS[name], f"{name}: {list(obj)} != docs/json.md"


@pytest.fixture
def seeded(run: Callable[..., Result]) -> Callable[..., Any]:
    for args in (["import", str(SAMPLE / "claims.csv")], ["import", str(SAMPLE / "orders.tsv")],
                 ["import", str(SAMPLE / "finance-events.json")],
                 ["import", str(SAMPLE / "emails" / "mixed.mbox")]):
        result = run(*args, "--now", NOW)
        assert result.exit_code == 0, result.output

    def json_of(*args: str) -> Any:
        timed = ["--now", NOW] if args[0] != "policy" else []
        result = run(*args, *timed, "--json")
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        check_rules(data)
        return data

    return json_of


def test_the_contract_page_lists_every_object_the_tests_use() -> None:
    assert {"Claim", "ClaimPicture", "Step", "HistoryEntry", "Window", "Item", "Ledger",
            "Report", "Exposure", "Info", "ImportResult"} <= set(OBJECTS)


def test_claims_list_status_and_due_today(seeded: Callable[..., Any]) -> None:
    claims = seeded("list", "--all")
    assert claims and all(list(c) == OBJECTS["Claim"] for c in claims)
    picture = seeded("status", str(claims[0]["claim_id"]))
    keys(picture, "ClaimPicture")
    for step in picture["steps"]:
        keys(step, "Step")
    for entry in picture["history"]:
        keys(entry, "HistoryEntry")
    keys(picture["policy"], "PolicyRef")
    if picture["window"] is not None:
        keys(picture["window"], "Window")
    items = seeded("due-today", "--ahead", "3")
    assert items and all(list(i) == OBJECTS["Item"] for i in items)
    assert {i["state"] for i in items} >= {"due", "missed", "awaiting-decision"}


def test_reports_ledger_exposure_info(seeded: Callable[..., Any]) -> None:
    report = seeded("report")
    keys(report, "Report")
    keys(report["win_rate_week"], "WinRate")
    for line in report["outcomes"]:
        keys(line, "OutcomeLine")
    for total in report["at_stake_open"]:
        keys(total, "Money")
    for appeal in report["appeals_closing"]:
        keys(appeal, "Appeal")
    ledger = seeded("odr")
    keys(ledger, "Ledger")
    for market in ledger["marketplaces"]:
        keys(market, "MarketLedger")
        for counted in market["counted"] + market["not_yet_counted"]:
            keys(counted, "Counted")
    exposure = seeded("exposure")
    keys(exposure, "Exposure")
    for week in exposure["weeks"]:
        keys(week, "ExposureWeek")
    keys(seeded("info"), "Info")


def test_writing_commands_say_what_changed(seeded: Callable[..., Any], tmp_path: Path) -> None:
    open_claim = next(c for c in seeded("list", "--open") if c["order_date"])
    number = str(open_claim["claim_id"])
    keys(seeded("done", number, "contact"), "Marked")
    keys(seeded("skip", number, "follow-up"), "Marked")
    skipped = seeded("skip", "all", "missed")
    assert skipped  # the sample has missed steps
    for marked in skipped:
        keys(marked, "Marked")
    keys(seeded("edit", number, "--amount", "19.99"), "Edited")
    keys(seeded("status", number, "granted-seller-funded"), "Decided")
    keys(seeded("appeal-result", number, "won", "--reversed", "odr"), "Claim")
    added = seeded("add", "113-0000001-0000001", "--order-date", "2026-11-01",
                   "--latest-delivery", "2026-11-10", "--claim-date", "2026-11-15")
    keys(added, "Added")
    keys(seeded("window", "--order-date", "2026-11-01", "--latest-delivery", "2026-11-10"),
         "Window")
    rows = tmp_path / "one.csv"
    rows.write_text("order_id,order_date,latest_delivery,claim_date\n"
                    "113-0000002-0000002,2026-11-01,2026-11-10,2026-11-12\n", encoding="utf-8")
    keys(seeded("import", str(rows)), "ImportResult")
    change = seeded("policy", "set", "US", "response_hours", "48", "--source",
                    "https://sellercentral.amazon.com/gp/help/external/27951")
    keys(change, "RuleChange")
    assert all(list(p) == OBJECTS["Policy"] for p in seeded("policy"))


def test_an_empty_listing_is_an_empty_array(run: Callable[..., Result]) -> None:
    result = run("list", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout) == []
    result = run("due-today", "--json", "--today", "2026-11-28")
    assert result.exit_code == 0 and json.loads(result.stdout) == []


def test_every_json_output_is_built_in_serialize() -> None:
    # One contract, one place: a command hands records to an atoz.serialize function and
    # prints what it returns; a dict built in a command module would drift from docs/json.md.
    import ast

    from atoz import serialize

    built_there = {name for name in dir(serialize) if name.endswith("_json")}

    def from_serialize(value: ast.expr) -> bool:
        if isinstance(value, ast.ListComp):
            value = value.elt
        return isinstance(value, ast.Call) and getattr(value.func, "id", "") in built_there

    for path in sorted((ROOT / "atoz" / "cli").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {target.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
                 and from_serialize(node.value) for target in node.targets
                 if isinstance(target, ast.Name)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "print_json":
                (value,) = node.args
                assert from_serialize(value) or getattr(value, "id", "") in names, \
                    f"{path.name}:{node.lineno}: JSON built outside atoz/serialize.py"


def test_info_says_where_the_database_will_be_before_it_exists(
        run: Callable[..., Result], no_db: Path) -> None:
    result = run("info", "--json", "--now", NOW)
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    keys(info, "Info")
    assert info["database"] == str(no_db) and info["claims"] is None
    assert not no_db.exists()
    checked = run("info", "--check", "--json", "--now", NOW)
    assert checked.exit_code == 1 and "no database at" in checked.stderr

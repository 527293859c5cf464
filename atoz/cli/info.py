"""Commands about the tool itself: the rules in force, and the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from atoz.cli import DbOption, JsonOption, app, db_path, open_store
from atoz.render import out, print_json, print_table


@app.command()
def policy(
    marketplace: Annotated[str | None, typer.Option(
        "--marketplace", "-m", help="One marketplace (default: all, in a summary table).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Print the A-to-z rules in force, each with its source and as-of date.

    Example: atoz policy --marketplace UK
    """
    from dataclasses import asdict

    from atoz.policy import get_policy, history, marketplaces

    codes = [get_policy(marketplace).marketplace] if marketplace else marketplaces()
    policies = [get_policy(code) for code in codes]
    if as_json:
        print_json([{**{k: v for k, v in asdict(p).items() if k != "rules"}, "as_of": p.as_of,
                     "rules": {n: asdict(r) for n, r in p.rules.items()}} for p in policies])
        return
    if not marketplace:
        print_table(
            [[p.marketplace, p.name, p.timezone, p.currency,
              *(p.rules[name].value for name in ("window_opens_after_delivery",
                                                 "window_opens_after_order",
                                                 "window_closes_after_delivery",
                                                 "response_hours", "appeal_days")),
              p.as_of] for p in policies],
            ["mkt", "site", "time zone", "cur", "opens +d (delivery)", "opens +d (order)",
             "closes +d", "respond h", "appeal d", "as of"])
        out("\nEach rule's source and notes: atoz policy --marketplace CODE")
        return
    p = policies[0]
    out(f"{p.name} ({p.marketplace}), policy {p.policy_id}, time zone {p.timezone}, "
        f"currency {p.currency}")
    for rule in p.rules.values():
        value = ", ".join(rule.value) if isinstance(rule.value, list) else rule.value
        unit = rule.unit.removesuffix("s") if rule.value == 1 else rule.unit
        out(f"\n{rule.name}: {value} {unit}  (as of {rule.as_of})")
        out(f"  source: {rule.source}")
        if rule.note:
            out(f"  note: {rule.note}")
    out("\nEarlier rules:")
    for old in history():
        span = f"until {old['until']}" if "until" in old else f"from {old['from']}"
        out(f"  {old['rule']}: {old['value']} {old['unit']} {span}; {old['note']} "
            f"({old['source']})")


@app.command()
def info(
    check: Annotated[bool, typer.Option("--check", help="Also run SQLite's integrity check.")
                     ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show where the database is, its schema version and what it holds.

    Example: atoz info --check
    """
    from atoz import __version__
    from atoz.policy import get_policy

    path = db_path(db)
    data: dict[str, object] = {"version": __version__, "database": str(path.resolve()),
                               "policy_as_of": get_policy("US").as_of}
    if not path.exists() and not check:
        # Where the database will be, without creating it: a new user's first question.
        data["schema"] = "none (created by the first atoz add or atoz import)"
    else:
        store = open_store(db)
        data.update({"schema": store.schema_version(), **store.counts()})
    if check:
        data["integrity"] = store.integrity()
    if as_json:
        print_json(data)
        return
    for key, value in data.items():
        out(f"{key:13} {value}")
    if check and data["integrity"] != "ok":
        raise typer.Exit(1)


@app.command()
def backup(
    file: Annotated[Path, typer.Argument(help="Where to write the backup (a new file).",
                                         show_default=False)],
    db: DbOption = None,
) -> None:
    """Copy the database to FILE safely, even while atoz is running elsewhere.

    Example: atoz backup ~/atoz-backup-2026-11-26.db
    """
    if file.exists():
        from atoz.errors import InputError

        raise InputError("FILE", str(file), "is a folder; give a new file name" if file.is_dir()
                         else "already exists; choose a new file name")
    store = open_store(db)
    store.backup(file)
    copy = open_store(file)
    out(f"Backed up {db_path(db)} to {file} ({copy.counts()['claims']} claims, "
        f"integrity {copy.integrity()}).")

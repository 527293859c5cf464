"""Commands about the tool itself: where the data is, backups, and bringing a database forward."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from atoz.cli.app import DbOption, JsonOption, NowOption, TodayOption, app, session
from atoz.cli.render import out, print_json


@app.command()
def info(
    ctx: typer.Context,
    check: Annotated[bool, typer.Option(
        "--check", help="Also check the file (integrity, schema, no left-over journal); exit 1 "
                        "if it is not sound.")] = False,
    db: DbOption = None,
    now: NowOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show where the database is, your time zone, the schema and what it holds.

    Never creates or changes the file. Example: atoz info --check --db ~/atoz-backup.db
    """
    from atoz.backup import check as check_file
    from atoz.backup import contents
    from atoz.serialize import info_json

    s = session(ctx)
    moment = s.now(now, today)
    path = s.db_path(db)
    integrity = check_file(path).integrity if check else None  # refuses a missing file
    # Without one, where the database will be, and no file created: a new user's question.
    store = s.read_if_any(db)
    data = info_json(path, moment, contents(store) if store is not None else None, integrity)
    if as_json:
        print_json(data)
    else:
        for key, value in data.items():
            if value is None and key != "schema":
                continue
            shown = value if value is not None else "none yet (the first atoz add or atoz " \
                                                    "import creates it)"
            out(f"{key.replace('_', ' '):13} {shown}")
    if integrity not in (None, "ok"):
        raise typer.Exit(1)


@app.command()
def backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Where to write the backup (a new file).",
                                         show_default=False)],
    db: DbOption = None,
) -> None:
    """Copy the database to FILE safely, even while atoz is running elsewhere.

    The copy is checked before it gets its name. Example: atoz backup ~/atoz-2026-11-28.db
    """
    from atoz.backup import backup as make_backup

    s = session(ctx)
    store = s.read(db, current=False)
    result = make_backup(store, file)
    out(f"Backed up {store.path} to {file} ({result.claims} claims, integrity "
        f"{result.integrity}).")


@app.command()
def migrate(ctx: typer.Context, db: DbOption = None) -> None:
    """Bring a database made by an older atoz forward (back it up first).

    Any command that records something does this too. Example: atoz migrate
    """
    s = session(ctx)
    store = s.write(db)
    store.commit_forward()  # committed before it says so
    out(f"{store.path}: schema {store.schema_version()}, up to date for this atoz.")

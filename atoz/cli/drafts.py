"""`atoz draft`: the message for a playbook step, filled with the claim's facts."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from atoz.cli.app import DbOption, NowOption, TodayOption, app, session
from atoz.cli.render import note, out_lines

TemplatesOption = Annotated[Path | None, typer.Option(
    "--templates", show_default=False,
    help="Folder of your own templates (default: ATOZ_TEMPLATES, else 'templates' beside the "
         "database).")]


@app.command()
def draft(
    ctx: typer.Context,
    claim: Annotated[str, typer.Argument(help="Claim number, or its order id.")],
    step: Annotated[str, typer.Argument(
        help="contact, follow-up, represent, answer-request or appeal.")],
    templates: TemplatesOption = None,
    db: DbOption = None,
    now: NowOption = None,
    today: TodayOption = None,
) -> None:
    """Print the message for a playbook step, filled with the claim's facts.

    contact and follow-up are for the buyer; represent, answer-request and appeal for Amazon.
    The text goes to stdout; warnings about wording Amazon forbids (money for a withdrawal or a
    review, links, contact details off Amazon) go to stderr. To use your own words, put a file
    of the same name (contact.txt...) in your templates folder, writable by you only.

    Example: atoz draft 1 contact
    """
    from atoz.claims import find_claim, picture
    from atoz.drafts import make_draft, override_path, parse_step, templates_folder

    name = parse_step(step)
    s = session(ctx)
    moment = s.now(now, today)
    store = s.read(db)
    found = find_claim(store, claim)
    given = templates or (Path(os.environ["ATOZ_TEMPLATES"])
                          if os.environ.get("ATOZ_TEMPLATES") else None)
    folder = templates_folder(given, store.path)
    made = make_draft(picture(store, s.book(store), found), name, moment, folder)
    out_lines(made.text)
    for hit in made.hits:
        note(f'Warning: "{hit.phrase}": {hit.why}')
    if made.template.own:
        note(f"Template: yours, {made.template.source}")
    else:
        note(f"Template: atoz's own; to use your words, save yours as "
             f"{override_path(name, folder)}")
    for line in made.notes:
        note(line)

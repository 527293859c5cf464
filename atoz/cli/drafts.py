"""`atoz draft`: the message for a playbook step, filled with the claim's facts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from atoz.cli import DbOption, TodayOption, app, db_path, get_today, open_store
from atoz.render import note, out

TemplatesOption = Annotated[
    Path | None,
    typer.Option("--templates", envvar="ATOZ_TEMPLATES", show_default=False,
                 help="Folder of your own templates (default: 'templates' beside the database; "
                      "env ATOZ_TEMPLATES)."),
]


@app.command()
def draft(
    claim: Annotated[str, typer.Argument(help="Claim id, or its order id.")],
    step: Annotated[str, typer.Argument(help="contact, follow-up, represent or appeal.")],
    templates: TemplatesOption = None,
    db: DbOption = None,
    today: TodayOption = None,
) -> None:
    """Print the message for a playbook step, filled with the claim's facts.

    contact and follow-up are for the buyer, represent and appeal for Amazon. The text goes to
    stdout; warnings about wording Amazon forbids (money for a withdrawal or a review, links,
    contact details off Amazon) go to stderr. To use your own words, put a file of the same
    name (contact.txt...) in your templates folder; `{order_id}` and the other names listed at
    the top of the packaged template are filled in.

    Example: atoz draft 1 contact
    """
    from atoz.claims import find_claim
    from atoz.drafts import make_draft, override_path, parse_step, templates_folder

    name = parse_step(step)
    day = get_today(today)
    store = open_store(db)
    found = find_claim(store, claim)
    folder = templates_folder(templates, db_path(db))
    made = make_draft(store, found, name, day, folder)
    out(made.text)
    for hit in made.hits:
        note(f'Warning: "{hit.phrase}" — {hit.why}')
    if made.template.own:
        note(f"Template: yours, {made.template.source}")
    else:
        note(f"Template: atoz's own; to use your words, save yours as "
             f"{override_path(name, folder)}")
    for line in made.notes:
        note(line)

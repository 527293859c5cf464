"""Data out: every claim as CSV or JSON, and the deadlines as an iCalendar file."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Annotated

import typer

from atoz.cli import DbOption, app, open_store
from atoz.errors import InputError
from atoz.render import note

OutOption = Annotated[Path | None, typer.Option(
    "--out", "-o", show_default=False,
    help="Write to this file, readable by you only (default, or -: print to stdout).")]


def _encoded(chunks: Iterable[str], prefix: str = "") -> Iterator[bytes]:
    if prefix:
        yield prefix.encode("utf-8")
    for chunk in chunks:
        yield chunk.encode("utf-8")


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", "-f", help="json (default: restores with "
                                                            "atoz import) or csv.")] = "json",
    out: OutOption = None,
    db: DbOption = None,
) -> None:
    """Export every claim with its computed dates, steps and history.

    The JSON export imports back (atoz import FILE) to the same data. CSV cells that start like
    a formula are escaped so a spreadsheet never runs them.

    Example: atoz export --format csv --out claims-export.csv
    """
    from atoz import clock
    from atoz.exports import export_csv, export_json, write_private

    chosen = fmt.strip().lower()
    if chosen not in ("csv", "json"):
        raise InputError("--format", fmt, "unknown; use csv or json")
    store = open_store(db)
    if out is None or str(out) == "-":
        chunks = (export_json(store, clock.now_utc().isoformat()) if chosen == "json"
                  else export_csv(store))
        with closing(chunks):  # ends the read snapshot even if the reader stops early
            for chunk in chunks:
                sys.stdout.write(chunk)
        return
    if chosen == "json":
        write_private(out, _encoded(export_json(store, clock.now_utc().isoformat())))
    else:
        # A byte-order mark and CRLF (RFC 4180), so Excel reads accented and Chinese names right.
        write_private(out, _encoded(export_csv(store, newline="\r\n"), prefix="\ufeff"))
    note(f"Wrote {out} (readable by you only: it holds buyer names).")


@app.command()
def calendar(
    out: OutOption = None,
    db: DbOption = None,
) -> None:
    """Write an iCalendar file of every open step and hard deadline, one all-day event each.

    Import it in Google Calendar or Outlook, or subscribe to it; each event keeps its UID, so
    importing a newer file updates the events instead of duplicating them.

    Example: atoz calendar --out atoz.ics
    """
    from atoz.exports import write_private
    from atoz.ical import calendar_ics

    data = calendar_ics(open_store(db))
    if out is None or str(out) == "-":
        # Bytes as they are: RFC 5545 lines end in CRLF, which a text stream may rewrite.
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    write_private(out, [data])
    note(f"Wrote {out}.")

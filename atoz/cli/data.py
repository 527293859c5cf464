"""Data in and out: import, export, calendar."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager, nullcontext
from pathlib import Path
from typing import Annotated

import typer

from atoz.cli.app import (
    DbOption,
    JsonOption,
    NowOption,
    OutOption,
    TodayOption,
    app,
    session,
)
from atoz.cli.render import note, out, print_json, write_bytes
from atoz.errors import InputError

KINDS = "claims-csv, claims-json, order-report, orders-v0, orders-2026, finance-events, email"


@contextmanager
def _stdin_file(kind: str | None) -> Iterator[Path]:
    """Standard input, spooled to a private temporary file (importers read files twice: to
    detect the kind and to count lines for the REJECTS file)."""
    import tempfile

    if kind is None and sys.stdin.isatty():
        raise InputError("file", "-", "reads standard input: pipe a file in (and give --kind)")
    with tempfile.TemporaryDirectory(prefix="atoz-stdin-") as folder:
        path = Path(folder) / "stdin"
        with path.open("wb") as handle:
            stream = getattr(sys.stdin, "buffer", None)
            if stream is None:
                handle.write(sys.stdin.read().encode("utf-8"))
            else:
                while chunk := stream.read(1 << 20):
                    handle.write(chunk)
        yield path


@app.command("import")
def import_file(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The file (or Maildir folder) to import; - for "
                                              "standard input.", show_default=False)],
    kind: Annotated[str | None, typer.Option(
        "--kind", help=f"What it is: {KINDS} (default: detected from its content).")] = None,
    marketplace: Annotated[str | None, typer.Option(
        "--marketplace", "-m", help="Marketplace for rows that do not say.")] = None,
    encoding: Annotated[str | None, typer.Option(
        "--encoding", help="Text encoding (default: detected).")] = None,
    skip_bad: Annotated[Path | None, typer.Option(
        "--skip-bad", metavar="REJECTS",
        help="Import the good rows and write the bad ones, with the reason, to REJECTS.")
                        ] = None,
    forwarders: Annotated[str | None, typer.Option(
        "--forwarders", help="Your addresses whose forwards of Amazon's e-mails count, "
                             "comma-separated, bare or 'Kim <kim@shop.example>' (env "
                             "ATOZ_FORWARDERS).")] = None,
    db: DbOption = None,
    now: NowOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import claims (atoz CSV or JSON export), Amazon order data, or Amazon's claim e-mails.

    All rows or none (or --skip-bad). Importing the same file again changes nothing.
    Examples: atoz import sample_data/claims.csv;  atoz import ~/mail/amazon.mbox;
    cat orders.tsv | atoz import - --kind order-report
    """
    from atoz.cli.progress import progress_on_stderr
    from atoz.imports.common import ImportOptions
    from atoz.imports.detect import kind_of, run_import
    from atoz.imports.notices import forwarding_addresses
    from atoz.policy import marketplace_code

    s = session(ctx)
    moment = s.now(now, today)
    marketplace = marketplace_code(marketplace) if marketplace else None  # before any row
    listed = forwarders if forwarders is not None else os.environ.get("ATOZ_FORWARDERS", "")
    trusted = forwarding_addresses([listed])
    name = "stdin" if str(file) == "-" else file.name
    with _stdin_file(kind) if str(file) == "-" else nullcontext(file) as path:
        kind = kind_of(path, kind, name)  # a file that cannot be imported opens no database
        store = s.write(db)
        with progress_on_stderr(f"Importing {name}") as progress:
            options = ImportOptions(
                now=moment, book=s.book(store), name=name, marketplace=marketplace,
                encoding=encoding, skip_bad=skip_bad, protect=(store.path,),
                forwarders=trusted, progress=progress)
            result = run_import(store, path, kind, options)
    if as_json:
        from atoz.serialize import import_json

        print_json(import_json(name, result))
        return
    for line in result.notes:
        note(line)
    out(f"Imported {name}: {result.summary()}")


def _out_to(out: Path | None) -> bool:
    return out is None or str(out) == "-"


@app.command()
def export(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", "-f", help="json (default: restores with "
                                                            "atoz import) or csv.")] = "json",
    out: OutOption = None,
    excel: Annotated[bool, typer.Option(
        "--excel", help="CSV for Excel: a byte-order mark and CRLF, so Chinese names open "
                        "right (also on stdout).")] = False,
    db: DbOption = None,
    now: NowOption = None,
    today: TodayOption = None,
) -> None:
    """Export every claim with its history (and, in JSON, the imported orders and your rules).

    The JSON export imports back (atoz import FILE) to the same data; the CSV export imports
    back to the same claims. Example: atoz export --format csv --excel --out claims.csv
    """
    from atoz.cli.progress import progress_on_stderr
    from atoz.exports import export_csv, export_json
    from atoz.files import write_private

    chosen = fmt.strip().lower()
    if chosen not in ("csv", "json"):
        raise InputError("fmt", fmt, "unknown; use csv or json")
    s = session(ctx)
    moment = s.now(now, today)
    store = s.read(db)
    with progress_on_stderr("Exporting") as progress:
        if chosen == "json":
            chunks = export_json(store, moment, progress)
            prefix = ""
        else:
            chunks = export_csv(store, moment, "\r\n" if excel else "\n", progress)
            prefix = "\ufeff" if excel else ""
        # closing: the read snapshot ends here even when the write fails half-way (a full
        # disk), not when the generator is collected after the database has closed.
        with closing(chunks):
            encoded = _encoded(prefix, chunks)
            if _out_to(out):
                for piece in encoded:
                    write_bytes(piece)
                return
            assert out is not None
            write_private(out, encoded, "out", (store.path,))
    note(f"Wrote {out} (readable by you only: it holds buyer names).")


def _encoded(prefix: str, chunks: Iterator[str]) -> Iterator[bytes]:
    if prefix:
        yield prefix.encode("utf-8")
    for chunk in chunks:
        yield chunk.encode("utf-8")


@app.command()
def calendar(
    ctx: typer.Context,
    out: OutOption = None,
    alarm: Annotated[list[str] | None, typer.Option(
        "--alarm", help="A reminder before each deadline, e.g. 24h, 2h, 30m (repeatable; "
                        "default 24h and 2h).")] = None,
    db: DbOption = None,
    now: NowOption = None,
    today: TodayOption = None,
) -> None:
    """Write an iCalendar file: deadlines as timed events with reminders, steps on their days.

    Subscribe to it or import it: each event keeps its UID, so a newer file updates events and
    cancels the ones that are done. Example: atoz calendar --out atoz.ics
    """
    from atoz.files import write_private
    from atoz.ical import DEFAULT_ALARMS, calendar_ics, parse_alarms

    s = session(ctx)
    moment = s.now(now, today)
    alarms = parse_alarms(alarm) if alarm else list(DEFAULT_ALARMS)
    store = s.read(db)
    data = calendar_ics(store, s.book(store), moment, alarms)
    if _out_to(out):
        write_bytes(data)  # bytes as they are: RFC 5545 lines end in CRLF
        return
    assert out is not None
    write_private(out, [data], "out", (store.path,))
    note(f"Wrote {out}.")

"""Commands that move data in and out: import, and the demo on the bundled sample."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from atoz.cli import DbOption, TodayOption, app, get_today, open_store
from atoz.render import note, out

DEMO_TODAY = "2026-11-18"


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="The file to import.", show_default=False)],
    kind: Annotated[str | None, typer.Option(
        "--kind", help="What the file is: claims-csv, claims-json, order-report, orders-v0, "
                       "orders-2026 or finance-events (default: detected from its content)."
    )] = None,
    marketplace: Annotated[str | None, typer.Option(
        "--marketplace", "-m", help="Marketplace for rows that do not say.")] = None,
    encoding: Annotated[str | None, typer.Option(
        "--encoding", help="Text encoding (default: detected).")] = None,
    skip_bad: Annotated[Path | None, typer.Option(
        "--skip-bad", metavar="REJECTS",
        help="Import the good rows and write the bad ones, with the reason, to REJECTS.")
                        ] = None,
    db: DbOption = None,
    today: TodayOption = None,
) -> None:
    """Import claims (atoz CSV or JSON export) or Amazon order data. All rows or none.

    Example: atoz import sample_data/claims.csv
    """
    from atoz.imports import ImportOptions, run_import

    store = open_store(db, create=True)
    with progress_bar(file) as progress:
        options = ImportOptions(marketplace=marketplace, encoding=encoding, skip_bad=skip_bad,
                                today=get_today(today), progress=progress)
        result = run_import(store, file, kind, options)
    for line in result.notes:
        note(line)
    out(f"Imported {file.name}: {result.summary()}")


LONG_FILE_BYTES = 4 * 1024**2  # about 10,000 report rows: a second or more to import


@contextmanager
def progress_bar(path: Path) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr for a long file, and only when stderr is a terminal."""
    if not sys.stderr.isatty() or not path.is_file() or path.stat().st_size < LONG_FILE_BYTES:
        yield None
        return
    with typer.progressbar(length=path.stat().st_size, label=f"Importing {path.name}",
                           file=sys.stderr) as bar:
        def advance(done: int, total: int) -> None:
            bar.update(done - bar.pos)

        yield advance


def sample_dir() -> Path:
    """The bundled sample data: beside the package in a checkout, or installed under share/."""
    candidates = [Path(__file__).resolve().parents[2] / "sample_data",
                  Path(sys.prefix) / "share" / "atoz" / "sample_data"]
    for candidate in candidates:
        if (candidate / "claims.csv").is_file():
            return candidate
    from atoz.errors import AtozError

    raise AtozError("the sample data is not installed (looked in "
                    + ", ".join(str(c) for c in candidates) + ")")


@app.command()
def demo(
    today: Annotated[str, typer.Option("--today", help="The demo's fixed 'today'.")] = DEMO_TODAY,
    keep: Annotated[Path | None, typer.Option(
        "--keep", help="Keep the demo database at this path to explore it.")] = None,
) -> None:
    """Show what a seller sees, on the bundled sample claims, in a throwaway database.

    Never touches your own database. Example: atoz demo
    """
    from atoz.cli.claims import list_claims, status

    if keep and keep.exists():
        from atoz.errors import InputError

        raise InputError("--keep", str(keep), "already exists; give a new path")
    os.environ["ATOZ_TODAY"] = today
    with tempfile.TemporaryDirectory(prefix="atoz-demo-") as workdir:
        db = keep or Path(workdir) / "demo.db"
        sample = sample_dir()
        out(f"# atoz demo: the sample data in {sample}, as if today were {today}")
        where = f"at {db}" if keep else "deleted at the end"
        out(f"# (a throwaway database, {where}; your own database is not touched)\n")
        out("$ atoz import sample_data/claims.csv")
        import_file(sample / "claims.csv", db=db, today=today)
        out("\n$ atoz list --open")
        list_claims(open_only=True, db=db)
        store = open_store(db)
        first_open = store.claims(statuses=["under-review"], limit=1)
        if first_open:
            claim_id = str(first_open[0]["id"])
            out(f"\n$ atoz status {claim_id}")
            status(claim_id, db=db, today=today)
        for name, extra in DEMO_STEPS:
            out(f"\n$ atoz {name}")
            extra(db, today)
    out("\nTry it on your own claims: atoz add ORDER_ID --order-date ... --latest-delivery ...")


# What the demo shows after the claim list, in order; other command groups append to it.
DEMO_STEPS: list[tuple[str, Callable[[Path, str], None]]] = []

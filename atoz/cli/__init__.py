"""The `atoz` command line: parsing options and printing; the rules live in the domain modules.

Heavy imports (sqlite-utils, tabulate, dateutil) happen inside the commands so `atoz --help`
stays fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from atoz import __version__
from atoz.errors import AtozError


def _usage_error(exc: Exception) -> typer.Exit:
    """Click's usage error (a missing option, a value of the wrong type, an unknown command) as
    one `Error:` line like atoz's own, instead of click's usage block over four lines."""
    ctx = getattr(exc, "ctx", None)
    where = f" (see {ctx.command_path} --help)" if ctx is not None else ""
    message = " ".join(str(getattr(exc, "format_message", exc.__str__)()).split())
    typer.echo(f"Error: {message}{where}", err=True)
    return typer.Exit(2)


class _Group(TyperGroup):
    """Turns an AtozError or a usage error into one line on stderr and its exit code: never a
    traceback, never a usage block."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        # Typer 0.26-0.28 vendor click as typer._click (pinned in pyproject.toml).
        from typer._click.exceptions import NoArgsIsHelpError, UsageError

        try:
            return super().make_context(*args, **kwargs)
        except NoArgsIsHelpError:
            raise
        except UsageError as exc:  # `atoz --bogus`
            raise _usage_error(exc) from None

    def invoke(self, ctx: Any) -> Any:
        from typer._click.exceptions import UsageError

        try:
            return super().invoke(ctx)
        except UsageError as exc:
            raise _usage_error(exc) from None
        except AtozError as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except Exception as exc:
            import sqlite3  # here, not at the top: `atoz --help` never needs it

            if not isinstance(exc, sqlite3.DatabaseError):  # locked, full disk, damaged file
                raise
            typer.echo(f"Error: database: {exc}", err=True)
            raise typer.Exit(1) from None
        finally:
            # Close what the command opened, so the write-ahead log is folded back into the
            # database file when the command ends, not whenever the process exits.
            while _opened:
                _opened.pop().close()


app = typer.Typer(
    cls=_Group,
    name="atoz",
    help="Keep every Amazon A-to-z Guarantee claim deadline, locally.\n\n"
         "Start with `atoz demo`; every morning run `atoz due-today`.",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", envvar="ATOZ_DB", show_default=False,
                 help="Database file (default: atoz.db in your data folder; env ATOZ_DB)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
TodayOption = Annotated[
    str | None,
    typer.Option("--today", envvar="ATOZ_TODAY", show_default=False,
                 help="Act as if today were this date (env ATOZ_TODAY)."),
]
MarketplaceOption = Annotated[
    str, typer.Option("--marketplace", "-m", help="Marketplace code: US, CA, UK, DE, JP...")
]


def default_db_path() -> Path:
    """The user's data folder: XDG on Linux, Application Support on macOS, APPDATA on Windows."""
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "atoz" / "atoz.db"


def db_path(option: Path | None) -> Path:
    return option if option is not None else default_db_path()


_opened: list[Any] = []


def open_store(option: Path | None, *, create: bool = False) -> Any:
    """The database for a command. Only commands that record something create a new file: a
    mistyped --db for a read (or for `info --check` on a backup) must not pass as empty."""
    from atoz.store import Store

    path = db_path(option)
    if path.is_dir():
        from atoz.errors import InputError

        raise InputError("--db", str(path), "is a folder; give the database file")
    if not create and not path.exists():
        from atoz.errors import NotFoundError

        raise NotFoundError(f"no database at {path}: add a claim (atoz add) or import a file "
                            "(atoz import) first, or choose the file with --db or ATOZ_DB")
    store = Store.open(path)
    _opened.append(store)
    return store


def get_today(option: str | None) -> Any:
    from atoz import clock

    return clock.today(option)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"atoz {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
    db: Annotated[Path | None, typer.Option(
        "--db", show_default=False, help="Database file for the command that follows (the "
                                         "same as the command's own --db).")] = None,
) -> None:
    """Keep every Amazon A-to-z Guarantee claim deadline, locally."""
    if db is not None:
        # Read by the command's own --db option (its environment variable), parsed after this.
        os.environ["ATOZ_DB"] = str(db)


def main() -> None:
    app()


from atoz.cli import claims, daily, data, drafts, exports, info, orders, reports  # noqa: E402,F401  (registers the commands)

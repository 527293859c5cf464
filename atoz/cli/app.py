"""The `atoz` app, its shared options, and the per-command session (database, clock, terminal).

Every command module imports from here and nowhere else in `atoz.cli`, so the command modules
never import each other. Per-invocation state lives on typer's context (`ctx.obj`) and is closed
with `ctx.call_on_close`; nothing is written into the environment or module globals.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from atoz import __version__
from atoz.errors import AtozError, InputError

if TYPE_CHECKING:
    from atoz.cli.render import Terminal
    from atoz.instants import Now
    from atoz.policy import PolicyBook
    from atoz.store import Store


@dataclass
class Session:
    """What one invocation has opened and read: closed when the command ends."""

    root_db: Path | None = None
    root_no_color: bool = False
    command: Any = None  # the click command running, to name its flags in errors
    stores: list[Store] = field(default_factory=list)
    _now: Now | None = None
    _brought: list[str] = field(default_factory=list)  # said once the command has succeeded

    def db_path(self, option: Path | None) -> Path:
        """--db on the command > --db before it > ATOZ_DB > the user's data folder."""
        if option is not None:
            return option
        if self.root_db is not None:
            return self.root_db
        if os.environ.get("ATOZ_DB"):
            return Path(os.environ["ATOZ_DB"])
        return default_db_path()

    def read(self, option: Path | None, *, current: bool = True) -> Store:
        """The database, read-only: never created, migrated or written."""
        from atoz.store import Store

        store = Store.open_read(self.db_path(option), current=current)
        self.stores.append(store)
        if newer := store.newer():
            from atoz.cli.render import note

            note(f"{newer}: reading it, but only a newer atoz can record anything in it")
        return store

    def read_if_any(self, option: Path | None) -> Store | None:
        """The database read-only as it is, if there is one yet (for its local rules or what it
        holds); None, and no file created, when there is not."""
        return self.read(option, current=False) if self.db_path(option).exists() else None

    def write(self, option: Path | None) -> Store:
        """The database for a command that records something: created if missing; migrated,
        and its derived state rebuilt, if an older atoz made it. That bringing forward commits
        with the command's first write (or when it succeeds, see `finish`) and is rolled back
        if it fails: a failed command leaves an older file exactly as it was."""
        from atoz.claims import rebuild_all
        from atoz.cli.progress import progress_on_stderr
        from atoz.cli.render import note
        from atoz.store import Store

        store = Store.open_write(self.db_path(option), waiting=note)
        self.stores.append(store)
        if store.bringing_forward and not store.derived_is_current:
            # In the transaction open_write left open: no commit of its own.
            with progress_on_stderr("Bringing the database forward") as progress:
                count = rebuild_all(store, self.book(store), progress)
            if count:
                self._brought.append(f"Brought {count} claims forward to atoz {__version__}: "
                                     "deadlines recomputed from their history.")
        return store

    def book(self, store: Store | None) -> PolicyBook:
        """The rule pack plus the seller's local rules recorded in this database."""
        from atoz.policy import PolicyBook

        return PolicyBook(store.local_rules() if store is not None else ())

    def now(self, now: str | None, today: str | None) -> Now:
        """The one clock reading of the command (see atoz.cli.clock)."""
        if self._now is None:
            from atoz.cli.clock import read_now
            from atoz.cli.render import note

            self._now, said = read_now(now, today)
            if said:
                note(said)
        return self._now

    def terminal(self, *, wide: bool = False, no_color: bool = False) -> Terminal:
        from atoz.cli.render import detect_terminal

        return detect_terminal(no_color=no_color or self.root_no_color, wide=wide)

    def finish(self) -> None:
        """The command succeeded: commit a bringing forward that no write of its own has
        committed, and say what was brought forward."""
        from atoz.cli.render import note

        for store in self.stores:
            store.commit_forward()
        for text in self._brought:
            note(text)
        self._brought.clear()

    def abandon(self) -> None:
        """The command failed: an older database it was bringing forward is left as it was,
        and a database it created (and left empty) goes away again, so a mistyped first
        command leaves no file, as if it had never run."""
        self._brought.clear()
        for store in self.stores:
            store.abandon()

    def close(self) -> None:
        # Closing folds the write-ahead log back into the file when the command ends.
        while self.stores:
            self.stores.pop().close()


def session(ctx: typer.Context) -> Session:
    """The invocation's session (made by the root callback; a bare one in direct calls)."""
    root = ctx.find_root()
    if not isinstance(root.obj, Session):
        root.obj = Session()
        root.call_on_close(root.obj.close)
    root.obj.command = ctx.command
    return root.obj


def default_db_path() -> Path:
    """The user's data folder: XDG on Linux, Application Support on macOS, APPDATA on Windows."""
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "atoz" / "atoz.db"


# --- errors ---------------------------------------------------------------------------------
def _flag(command: Any, name: str) -> str:
    """The command's own word for a field the domain named (`claim_date` -> `--claim-date`)."""
    for param in getattr(command, "params", []):
        if param.name == name or name.replace("_", "-") in [o.lstrip("-") for o in param.opts]:
            longs = [o for o in param.opts if o.startswith("--")]
            return longs[0] if longs else (param.human_readable_name or name).upper()
    return name


def _message(exc: AtozError, command: Any) -> str:
    if isinstance(exc, InputError):
        flag = _flag(command, exc.field)
        if flag != exc.field:
            return str(InputError(flag, exc.value, exc.problem))
    return str(exc)


def _usage_error(exc: Exception) -> typer.Exit:
    """Click's usage error (a missing option, a value of the wrong type, an unknown command) as
    one `Error:` line like atoz's own, instead of click's usage block."""
    from atoz.cli.render import error

    ctx = getattr(exc, "ctx", None)
    where = f" (see {ctx.command_path} --help)" if ctx is not None else ""
    message = " ".join(str(getattr(exc, "format_message", exc.__str__)()).split())
    error(f"{message}{where}")
    return typer.Exit(2)


def _failed(exc: BaseException) -> bool:
    """Whether the command ended in failure (an exit code other than 0, or an exception)."""
    if isinstance(exc, SystemExit):
        return exc.code not in (0, None)
    code = getattr(exc, "exit_code", None)  # click's Exit, as typer.Exit raises it
    return code != 0 if isinstance(code, int) else True


class Group(TyperGroup):
    """Turns an AtozError, a usage error, an OS error or a database error into one line on
    stderr and its exit code: never a traceback for anything a user or the machine did."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        # Typer 0.26-0.28 vendor click as typer._click (pinned in pyproject.toml).
        from typer._click.exceptions import NoArgsIsHelpError, UsageError

        try:
            return super().make_context(*args, **kwargs)
        except NoArgsIsHelpError:
            raise
        except UsageError as exc:
            raise _usage_error(exc) from None

    def invoke(self, ctx: Any) -> Any:
        try:
            return self._invoke(ctx)
        except BaseException as exc:
            if isinstance(ctx.obj, Session) and _failed(exc):
                ctx.obj.abandon()
            raise

    def _invoke(self, ctx: Any) -> Any:
        from typer._click.exceptions import UsageError

        from atoz.cli.render import error

        try:
            result = super().invoke(ctx)
            if isinstance(ctx.obj, Session):
                ctx.obj.finish()
            return result
        except UsageError as exc:
            raise _usage_error(exc) from None
        except AtozError as exc:
            command = ctx.obj.command if isinstance(ctx.obj, Session) else None
            if command is None and ctx.invoked_subcommand:  # raised before session(ctx)
                command = self.get_command(ctx, ctx.invoked_subcommand)
            error(_message(exc, command))
            raise typer.Exit(exc.exit_code) from None
        except BrokenPipeError:  # the reader left (`| head`): main() ends quietly
            raise
        except KeyboardInterrupt:
            error("interrupted; nothing of the unfinished command was written")
            raise typer.Exit(130) from None
        except OSError as exc:  # a path under a file, /proc, a full disk, a dangling link...
            where = f"{exc.filename}: " if exc.filename else ""
            error(f"{where}{exc.strerror or exc}")
            raise typer.Exit(1) from None
        except Exception as exc:
            import sqlite3  # here, not at the top: `atoz --help` never needs it

            if not isinstance(exc, sqlite3.DatabaseError):
                raise
            path = ctx.obj.stores[-1].path if isinstance(ctx.obj, Session) and \
                ctx.obj.stores else "database"
            error(f"{path}: {exc}")
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=Group,
    name="atoz",
    help="Keep every Amazon A-to-z Guarantee claim deadline, locally.\n\n"
         "Start with `atoz demo`; every morning run `atoz due-today`.",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    # --install-completion: measured at no cost to start-up (134 ms either way, 25 runs).
    add_completion=True,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# --- options every command shares ---------------------------------------------------------
DbOption = Annotated[Path | None, typer.Option(
    "--db", show_default=False,
    help="Database file (default: ATOZ_DB, else atoz.db in your data folder).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (docs/json.md).")]
NowOption = Annotated[str | None, typer.Option(
    "--now", show_default=False,
    help="Act as of this moment, e.g. '2026-11-28 08:47' in your zone (env ATOZ_NOW).")]
TodayOption = Annotated[str | None, typer.Option(
    "--today", show_default=False,
    help="Act as of 00:00 of this day in your zone; a time on it counts as past (env "
         "ATOZ_TODAY).")]
WideOption = Annotated[bool, typer.Option("--wide", help="Show every column, however wide.")]
NoColorOption = Annotated[bool, typer.Option("--no-color", help="No colour (also NO_COLOR).")]
MarketplaceOption = Annotated[str | None, typer.Option(
    "--marketplace", "-m", show_default=False,
    help="Marketplace code: US, CA, UK, DE, JP...")]
OnOption = Annotated[str | None, typer.Option("--on", help="Day it happened (default today).")]
NoteOption = Annotated[str | None, typer.Option("--note", help="A note kept in the history.")]
OutOption = Annotated[Path | None, typer.Option(
    "--out", "-o", show_default=False,
    help="Write to this file, readable by you only (default, or -: standard output).")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"atoz {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
    db: Annotated[Path | None, typer.Option(
        "--db", show_default=False, help="Database file for the command that follows.")] = None,
    no_color: NoColorOption = False,
) -> None:
    """Keep every Amazon A-to-z Guarantee claim deadline, locally."""
    state = Session(root_db=db, root_no_color=no_color)
    ctx.obj = state
    ctx.call_on_close(state.close)

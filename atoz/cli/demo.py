"""`atoz demo`: one explicit script of real commands on the bundled sample data, in a throwaway
database with a fixed day, so a newcomer sees what a seller sees every morning."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from atoz.cli.app import app, session
from atoz.cli.render import out
from atoz.errors import AtozError, InputError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

# The sample data's "today": an evening in Los Angeles, already the next morning in Shanghai,
# so the demo shows deadlines in your zone and the marketplace's wherever you run it.
DEMO_NOW = "2026-11-18T20:00:00-08:00"
# The script: each line is an atoz command as a seller would type it. {sample} is the bundled
# sample data, {claim} the first open claim once the claims are in.
SCRIPT = (
    "import {sample}/claims.csv",
    "import {sample}/emails/mixed.mbox",
    "list --open",
    "status {claim}",
    "due-today",
    "import {sample}/orders.tsv",
    "exposure",
    "report",
)


def sample_dir() -> Traversable:
    """The bundled sample data: installed as package data (importlib.resources finds it in a
    virtualenv, `pip install --user` or pipx alike), or beside the package in a checkout that
    was installed editable. (Imported here, not at the top: every command loads this module.)"""
    from importlib import resources

    try:
        folder: Traversable = resources.files("atoz.sample_data")
    except ModuleNotFoundError:
        folder = Path(__file__).resolve().parents[2] / "sample_data"
    if not folder.joinpath("claims.csv").is_file():
        raise AtozError("the sample data is not installed with this atoz (reinstall it with "
                        "pip install .)")
    return folder


def _run(args: list[str]) -> None:
    """Run one atoz command in this process, as if typed."""
    import typer.main

    command = typer.main.get_command(app)
    # Outside standalone mode click returns the exit code (an error was already printed).
    if command.main(args=args, prog_name="atoz", standalone_mode=False):
        raise AtozError("the demo stopped: the step above failed")


@app.command()
def demo(
    ctx: typer.Context,
    now: Annotated[str, typer.Option("--now", help="The demo's fixed moment.")] = DEMO_NOW,
    keep: Annotated[Path | None, typer.Option(
        "--keep", help="Keep the demo database at this path to explore it.")] = None,
) -> None:
    """Show what a seller sees, on the bundled sample claims, in a throwaway database.

    Never touches your own database. Example: atoz demo
    """
    if keep is not None and keep.exists():
        raise InputError("keep", str(keep), "already exists; give a new path")
    import tempfile
    from importlib import resources

    session(ctx)
    with tempfile.TemporaryDirectory(prefix="atoz-demo-") as work, \
            resources.as_file(sample_dir()) as sample:
        db = keep or Path(work) / "demo.db"
        out(f"# atoz demo: the sample data as if it were {now}")
        out(f"# (from {sample})")
        where = f"kept at {db}" if keep else "deleted at the end"
        out(f"# (a throwaway database, {where}; your own database is not touched)")
        claim = ""
        for line in SCRIPT:
            if "{claim}" in line:
                claim = _first_open(db)
                if not claim:
                    continue
            shown = line.format(sample="sample_data", claim=claim)
            out("")
            out(f"$ atoz {shown}")
            args = line.format(sample=sample, claim=claim).split()
            _run(["--db", str(db), *args, "--now", now])
    out("")
    out("Your own claims: atoz add ORDER_ID -m US --order-date D --latest-delivery D")


def _first_open(db: Path) -> str:
    from atoz.records import Outcome
    from atoz.store import Store

    store = Store.open_read(db)
    try:
        found = store.claims(outcomes=[Outcome.UNDER_REVIEW], limit=1)
    finally:
        store.close()
    return str(found[0].id) if found else ""

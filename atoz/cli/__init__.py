"""The `atoz` command line: parsing options and printing; the rules live in the domain modules.

The app and its shared options live in `atoz.cli.app`; importing the command modules here
registers their commands. Heavy imports (sqlite-utils, tabulate, dateutil) happen inside the
commands, so `atoz --help` stays fast.
"""

from __future__ import annotations

import os
import sys

from atoz.cli import claims, daily, data, demo, drafts, info, policy, reports  # noqa: F401
from atoz.cli.app import app


def main() -> None:
    try:
        app()
    except BrokenPipeError:  # `atoz list --json | head`: the reader left, nothing is wrong
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)

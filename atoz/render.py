"""The one rendering path: tables through tabulate, `--json` through `print_json`, and messages
on stderr so that stdout stays clean for pipes."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any


def print_json(data: Any) -> None:
    """Every `--json` prints through here: UTF-8, two-space indent, stable key order."""
    import json
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str], fmt: str = "simple") -> str:
    from tabulate import tabulate

    return tabulate(rows, headers=list(headers), tablefmt=fmt, disable_numparse=True,
                    missingval="")


def print_table(rows: Sequence[Sequence[Any]], headers: Sequence[str], fmt: str = "simple",
                title: str | None = None) -> None:
    if title:
        sys.stdout.write(f"{title}\n")
    sys.stdout.write(table(rows, headers, fmt) + "\n")


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def note(text: str) -> None:
    """A message for the person, not the pipe."""
    sys.stdout.flush()  # so that, both sent to one file, the two streams stay in order
    sys.stderr.write(text + "\n")

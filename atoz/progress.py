"""How long work reports its progress without knowing about terminals.

Importers, restore, export and the rebuild of derived state take a `Progress` and call it (the
calendar is quick enough to need none); the CLI decides what, if anything, the person sees
(`atoz.cli.progress`). `advance` is called once per row, so an implementation must make it cheap.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def phase(self, name: str, total: int | None = None, unit: str = "rows") -> None:
        """Start the next phase ("reading", "checking", "writing"...); `total` None if unknown."""

    def advance(self, count: int = 1) -> None:
        """`count` more units of the current phase are done."""


class _NoProgress:
    """For tests, scripts and pipes: reports go nowhere."""

    def phase(self, name: str, total: int | None = None, unit: str = "rows") -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass


NO_PROGRESS: Progress = _NoProgress()

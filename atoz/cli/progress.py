"""Progress on stderr for long work (imports, restore, export, bringing a database forward),
drawn by rich.

rich is imported only when a bar is shown: on a pipe, in cron or in tests the domain code gets
`NO_PROGRESS` and nothing is loaded.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from atoz.cli.render import safe
from atoz.progress import NO_PROGRESS, Progress

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress as Display
    from rich.progress import ProgressColumn

_HAND_OVER_SECONDS = 0.1  # rich sees the count at most this often, however fast rows go by


@contextmanager
def progress_on_stderr(label: str, *, enabled: bool | None = None,
                       console: Console | None = None) -> Iterator[Progress]:
    """A progress line on stderr while the block runs, when stderr is a terminal and `enabled`
    is not False (--quiet, say); otherwise `NO_PROGRESS`. Tests pass their own `console`."""
    if enabled is False or not _is_terminal(console):
        yield NO_PROGRESS
        return
    from rich.console import Console
    from rich.progress import Progress as Display

    display = Display(*_columns(), console=console or Console(stderr=True), transient=True,
                      redirect_stdout=False)  # stdout carries data (CSV, JSON): leave it alone
    with display:
        reporter = _RichProgress(display, safe(label))
        try:
            yield reporter
        finally:
            reporter.flush()


def _is_terminal(console: Console | None) -> bool:
    if console is not None:
        return console.is_terminal
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed
        return False


class _RichProgress:
    """One line that moves from phase to phase. `advance` only counts, and hands the count to
    rich a few times a second, so the call per row costs next to nothing."""

    def __init__(self, display: Display, label: str) -> None:
        self._display = display
        self._label = label
        self._task = display.add_task(label, total=None, unit="rows")
        self._pending = 0
        self._handed = time.monotonic()

    def phase(self, name: str, total: int | None = None, unit: str = "rows") -> None:
        # A new task, not a reset: its own total (or none), count and rate, so the line never
        # sits full, or at the last phase's rate, while this phase works.
        self.flush()
        self._display.remove_task(self._task)
        self._task = self._display.add_task(f"{self._label}: {safe(name)}", total=total,
                                            unit=safe(unit))

    def advance(self, count: int = 1) -> None:
        self._pending += count
        now = time.monotonic()
        if now - self._handed >= _HAND_OVER_SECONDS:
            self._handed = now
            self.flush()

    def flush(self) -> None:
        if self._pending:
            self._display.advance(self._task, self._pending)
            self._pending = 0


def _columns() -> list[ProgressColumn]:
    """What is being done, a bar or spinner, the count, the rate and the time so far. Defined
    here because rich's classes exist only once rich is imported."""
    from rich.progress import (
        BarColumn,
        ProgressColumn,
        SpinnerColumn,
        Task,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.text import Text

    class BarOrSpinner(ProgressColumn):
        """A bar when the total is known; a spinner while it is not (a file being read)."""

        def __init__(self) -> None:
            super().__init__()
            self.bar, self.spinner = BarColumn(), SpinnerColumn(finished_text="")

        def render(self, task: Task) -> Any:
            return self.bar.render(task) if task.total is not None else self.spinner.render(task)

    class Count(ProgressColumn):
        def render(self, task: Task) -> Text:
            total = "" if task.total is None else f"/{int(task.total):,}"
            unit = task.fields.get("unit", "rows")
            return Text(f"{int(task.completed):,}{total} {unit}", style="progress.download")

    class Rate(ProgressColumn):
        def render(self, task: Task) -> Text:
            speed, unit = task.speed, task.fields.get("unit", "rows")
            return Text(f"{speed:,.0f} {unit}/s" if speed else "", style="progress.data.speed")

    return [TextColumn("{task.description}", markup=False), BarOrSpinner(), Count(), Rate(),
            TimeElapsedColumn()]

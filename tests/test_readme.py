"""The README's examples stay true: its `jq` one-liners and its SQL for people who browse the
database run against the sample data and give answers (issue 13)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

ROOT = Path(__file__).parents[1]
SAMPLE = ROOT / "sample_data"
NOW = "2026-11-18T20:00:00-08:00"


def block_after(heading: str) -> list[str]:
    """The lines of the first code block under a README heading."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(heading, 1)[1]
    code = section.split("```", 2)[1]
    return [line for line in code.splitlines() if line.strip()]


@pytest.fixture
def sample_db(run: Callable[..., Result], db_path: Path) -> Path:
    for name in ("claims.csv", "orders.tsv", "finance-events.json"):
        assert run("import", str(SAMPLE / name), "--now", NOW).exit_code == 0
    return db_path


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed on this machine")
def test_the_readmes_jq_one_liners_run_on_the_sample(sample_db: Path) -> None:
    lines = block_after("### Scripts and JSON")
    assert len(lines) >= 4 and all("| jq" in line for line in lines)
    env = {**os.environ, "ATOZ_DB": str(sample_db), "ATOZ_NOW": NOW}
    outputs = []
    for line in lines:
        done = subprocess.run(["bash", "-o", "pipefail", "-c", line], env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, (line, done.stderr)
        assert done.stdout.strip(), line
        outputs.append(done.stdout)
    assert int(outputs[1]) >= 1  # steps whose deadline is within a day
    assert '"marketplace": "US"' in outputs[3]


def test_the_readmes_sql_runs_on_the_sample(sample_db: Path) -> None:
    lines = block_after("### Browse the database")
    queries = [shlex.split(line)[3] for line in lines if line.startswith("sqlite-utils query")]
    assert len(queries) == 3
    conn = sqlite3.connect(sample_db)
    by_outcome, open_steps, counted = (conn.execute(q).fetchall() for q in queries)
    # Amounts are numbers: the sums add up, and a USD sum is not text.
    totals = {(o, c): a for o, c, _n, a in by_outcome}
    assert isinstance(totals[("denied", "USD")], float) and totals[("denied", "USD")] > 0
    # The view is for people browsing now: it reads SQLite's clock, the machine's, not ATOZ_NOW.
    machine_now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ahead = conn.execute("select count(*) from steps where state = 'open' and deadline > ?",
                         [machine_now]).fetchone()[0]
    assert len(open_steps) == ahead and all(row[4].endswith("Z") for row in open_steps)
    assert dict(counted).get("US", 0) >= 1
    top = conn.execute("select max(amount), max(amount_minor) from claims_overview "
                       "where currency = 'USD'").fetchone()
    assert top[0] == top[1] / 100  # max() reads the number, not the text ("92.77" > "110.45")


def test_sqlite_utils_runs_the_readme_queries_as_written(sample_db: Path) -> None:
    tool = shutil.which("sqlite-utils")
    if tool is None:
        pytest.skip("the sqlite-utils command is not on PATH")
    for line in block_after("### Browse the database"):
        args = shlex.split(line)
        args[0], args[2] = tool, str(sample_db)
        done = subprocess.run(args, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, (line, done.stderr)
        rows = json.loads(done.stdout)
        # open_steps lists what lies ahead of the machine's clock: it may be empty.
        assert isinstance(rows, list) and (rows or "open_steps" in line), line

"""Nothing lost under concurrent writers or a killed process (issue 6).

Two writers of 100 claims each prove the write lock as well as 500 did (each `add` waits for the
other's transaction; a lost or failed one shows in the counts) in a fraction of the time. Still a
few seconds of processes: marked slow, so `.ci/run` runs it and the default `pytest` does not.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

WRITER = textwrap.dedent("""
    import sys
    from atoz.cli import app
    prefix, count = sys.argv[1], int(sys.argv[2])
    for i in range(count):
        try:
            code = app(["add", f"{prefix}-{i:07d}-{i:07d}", "--order-date", "2026-10-01",
                        "--latest-delivery", "2026-10-09", "--claim-date", "2026-10-20",
                        "--amount", "9.99"], standalone_mode=False)
        except SystemExit as exc:
            code = exc.code
        if code:
            sys.exit(f"add {i} of {prefix} failed with exit {code}")
""")
PER_WRITER = 100


def _env(db: Path) -> dict[str, str]:
    return {**os.environ, "ATOZ_DB": str(db), "PYTHONPATH": str(Path(__file__).parents[1])}


def _count(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"select count(*) from {table}").fetchone()[0])


@pytest.mark.slow
def test_two_processes_adding_claims_at_once_all_land(
        db_path: Path, run: Callable[..., Result]) -> None:
    env = _env(db_path)
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, prefix, str(PER_WRITER)],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True)
               for prefix in ("111", "222")]
    errors = [w.communicate(timeout=600)[1] for w in writers]
    assert [w.returncode for w in writers] == [0, 0], errors
    assert not any("locked" in e for e in errors)
    conn = sqlite3.connect(db_path)
    assert _count(conn, "claims") == 2 * PER_WRITER
    assert _count(conn, "history") == 2 * PER_WRITER  # one filing entry each
    assert _count(conn, "steps") == 3 * 2 * PER_WRITER
    assert conn.execute("select count(distinct order_id) from claims").fetchone()[0] == (
        2 * PER_WRITER)
    conn.close()
    check = run("info", "--check")
    assert check.exit_code == 0 and "integrity     ok" in check.stdout


def test_a_process_killed_mid_import_leaves_a_sound_database_without_that_import(
        db_path: Path, tmp_path: Path, run: Callable[..., Result]) -> None:
    env = _env(db_path)
    subprocess.run([sys.executable, "-m", "atoz", "add", "113-0000000-0000001", "--order-date",
                    "2026-10-01", "--latest-delivery", "2026-10-09"], env=env, check=True,
                   capture_output=True)
    big = tmp_path / "big.csv"
    with big.open("w") as handle:
        handle.write("order_id,order_date,latest_delivery,claim_date,amount\n")
        for i in range(60_000):
            handle.write(f"114-{i:07d}-{i:07d},2026-10-01,2026-10-09,2026-10-20,5.00\n")
    importer = subprocess.Popen([sys.executable, "-m", "atoz", "import", str(big)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wal = db_path.with_name(db_path.name + "-wal")
    deadline = time.monotonic() + 60
    # Wait until the import is really writing (its pages reach the write-ahead log).
    while time.monotonic() < deadline and (not wal.exists() or wal.stat().st_size < 1_000_000):
        time.sleep(0.05)
    assert importer.poll() is None, "the import finished before it could be killed"
    importer.send_signal(signal.SIGKILL)
    importer.wait()
    conn = sqlite3.connect(db_path)
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert conn.execute("select order_id from claims").fetchall() == [("113-0000000-0000001",)]
    assert _count(conn, "history") == 1 and _count(conn, "steps") == 3
    conn.close()
    # atoz itself carries on: reads and writes work on the file the killed import left.
    listed = run("list", "--json")
    assert listed.exit_code == 0, listed.output + listed.stderr
    assert '"order_id": "113-0000000-0000001"' in listed.stdout
    again = run("add", "114-0000000-0000000", "--order-date", "2026-10-01",
                "--latest-delivery", "2026-10-09")
    assert again.exit_code == 0, again.output + again.stderr

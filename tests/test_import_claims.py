"""atoz's own claims CSV: all rows or none, --skip-bad, and a second import that adds nothing."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import Result

from tests.helpers import snapshot

Run = Callable[..., Result]
HEADER = ("order_id,order_date,latest_delivery,claim_date,amount,currency,reason,marketplace,"
          "buyer,status,decided_on,note\n")
GOOD = ("113-1111111-1111111,2026-10-01,2026-10-09,2026-10-20,24.99,USD,not-received,US,"
        "\"Ortiz, Dana\",denied,2026-10-28,tracking shows delivered\n"
        "302-2222222-2222222,Oct 3 2026,2026-10-12,2026-10-25,19.00,EUR,other,DE,,,,\n")
BAD = "113-3333333-3333333,2026-10-01,2026-09-09\n"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "claims.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_claims_with_their_outcomes_import_and_a_second_import_adds_nothing(
        run: Run, run_json: Callable[..., Any], tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + GOOD)
    first = run("import", str(path))
    assert first.exit_code == 0, first.output
    assert "2 added, 0 updated, 0 unchanged, 0 skipped" in first.stdout
    again = run("import", str(path))
    assert "0 added, 0 updated, 2 unchanged" in again.stdout
    claims = {c["order_id"]: c for c in run_json("list")}
    assert claims["113-1111111-1111111"]["status"] == "denied"
    assert claims["113-1111111-1111111"]["buyer"] == "Ortiz, Dana"
    assert claims["302-2222222-2222222"]["order_date"] == "2026-10-03"


def test_one_bad_row_rejects_the_whole_file_and_names_its_line(
        run: Run, db_path: Path, tmp_path: Path) -> None:
    run("info")
    before = snapshot(db_path)
    result = run("import", str(_write(tmp_path, HEADER + GOOD + BAD)))
    assert result.exit_code == 2
    assert result.stderr == ("Error: claims.csv:4: latest_delivery: '2026-09-09': is before the "
                             "order date 2026-10-01\n")
    assert snapshot(db_path) == before


def test_skip_bad_imports_the_good_rows_and_writes_the_bad_ones_with_the_reason(
        run: Run, tmp_path: Path) -> None:
    rejects = tmp_path / "rejects.csv"
    result = run("import", str(_write(tmp_path, HEADER + BAD + GOOD)), "--skip-bad",
                 str(rejects))
    assert result.exit_code == 0, result.output
    assert "2 added, 0 updated, 0 unchanged, 1 skipped" in result.stdout
    lines = rejects.read_text().splitlines()
    assert lines[0].endswith(",reject-reason")
    assert lines[1].startswith("113-3333333-3333333,2026-10-01,2026-09-09,")
    assert "line 2: latest_delivery: '2026-09-09': is before the order date" in lines[1]
    assert stat.S_IMODE(os.stat(rejects).st_mode) == 0o600


def test_a_decision_before_the_claim_date_is_refused(run: Run, tmp_path: Path) -> None:
    row = ("113-4444444-4444444,2026-10-01,2026-10-09,2026-10-20,5.00,USD,other,US,,denied,"
           "2026-10-02,\n")
    result = run("import", str(_write(tmp_path, HEADER + row)))
    assert result.exit_code == 2
    assert "claims.csv:2: decided_on: '2026-10-02': is before the claim date" in result.stderr
    assert run("list", "--json").stdout.strip() == "[]"

"""The fault suite (issue 12): hostile paths, racing writers, kill -9 at random points in every
writing command, and a full disk. Whatever happens, a command ends in one line (never a
traceback), and the database is sound and either as it was before or as it is after.

The process-level trials are marked slow: `.ci/run` runs them, the default `pytest` does not.
"""

from __future__ import annotations

import hashlib
import os
import random
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

from tests.helpers import snapshot

Run = Callable[..., Result]
ROOT = Path(__file__).parents[1]
SAMPLE = ROOT / "sample_data"
ADD = ("add", "113-1234567-1234567", "--order-date", "2026-10-01", "--latest-delivery",
       "2026-10-09", "--claim-date", "2026-10-20", "--amount", "24.99", "--today", "2026-11-01")


def _one_clean_line(result: Result, code: int) -> None:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output and "Exception" not in result.output
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr


# --- hostile paths ------------------------------------------------------------------------------
HOSTILE_DB = {
    "under a file": "/etc/hostname/atoz.db",
    "in /proc": "/proc/atoz.db",
    "a name over 255 bytes": "/tmp/" + "x" * 300 + ".db",
    "a folder": "/tmp",
}


@pytest.mark.parametrize("where", list(HOSTILE_DB))
def test_a_hostile_database_path_is_one_line(run: Run, where: str) -> None:
    for args in (ADD, ("list",), ("info", "--check")):
        result = run(*args, "--db", HOSTILE_DB[where])
        _one_clean_line(result, result.exit_code if result.exit_code in (1, 2) else 1)


def test_a_dangling_link_as_the_database_is_one_line(run: Run, tmp_path: Path) -> None:
    link = tmp_path / "linked.db"
    link.symlink_to(tmp_path / "gone" / "atoz.db")
    _one_clean_line(run(*ADD, "--db", str(link)), 1)
    _one_clean_line(run("list", "--db", str(link)), 1)


def test_an_unusable_home_is_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("ATOZ_DB", "XDG_DATA_HOME")}
    env["HOME"] = "/proc/nonexistent"
    for args in (("list",), ADD):
        done = subprocess.run([sys.executable, "-m", "atoz", *args], env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 1 and done.stderr.startswith("Error: ")
        assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1


@pytest.mark.parametrize("target", ["/proc/atoz-backup.db", "/etc/hostname/backup.db"])
def test_a_backup_to_nowhere_is_one_line(run: Run, target: str) -> None:
    assert run(*ADD).exit_code == 0
    _one_clean_line(run("backup", target), 1)


def test_templates_in_proc_are_one_line_or_ignored(run: Run) -> None:
    assert run(*ADD).exit_code == 0
    result = run("draft", "1", "contact", "--templates", "/proc/1/root", "--today", "2026-11-01")
    assert "Traceback" not in result.output and result.exit_code in (0, 1, 2)


def test_skip_bad_into_a_folder_that_cannot_exist_fails_before_importing(
        run: Run, db_path: Path, tmp_path: Path) -> None:
    before = snapshot(db_path)
    result = run("import", str(SAMPLE / "orders.tsv"), "--skip-bad", "/proc/nope/rej.tsv")
    _one_clean_line(result, 2)
    assert snapshot(db_path) == before  # nothing was imported first


def test_a_planted_link_at_the_rejects_temporary_name_is_never_followed(
        run: Run, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    rejects = tmp_path / "rej.tsv"
    # 0.1.0 wrote REJECTS.part with O_TRUNC, following a link planted there.
    (tmp_path / "rej.tsv.part").symlink_to(victim)
    bad = tmp_path / "orders.tsv"
    bad.write_text("order-id\tpurchase-date\tsales-channel\nnot-an-id\t2026-10-01\tAmazon.com\n",
                   encoding="utf-8")
    assert run("import", str(bad), "--skip-bad", str(rejects)).exit_code == 0
    assert victim.read_text(encoding="utf-8") == "precious"
    assert "not-an-id" in rejects.read_text(encoding="utf-8")
    assert not list(tmp_path.glob(".rej.tsv.atoz-partial-*"))


def test_folders_atoz_creates_are_private_under_umask_000(tmp_path: Path) -> None:
    db = tmp_path / "a" / "b" / "atoz.db"
    code = ("import os; os.umask(0); from atoz.cli import main; import sys; "
            f"sys.argv = ['atoz', *{list(ADD)!r}, '--db', {str(db)!r}]; main()")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=60)
    for folder in (tmp_path / "a", tmp_path / "a" / "b"):
        assert folder.stat().st_mode & 0o777 == 0o700, folder
    assert db.stat().st_mode & 0o777 == 0o600


def test_a_template_others_can_change_is_refused(run: Run, tmp_path: Path) -> None:
    assert run(*ADD).exit_code == 0
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "contact.txt").write_text("Hello {buyer}, pay us on PayPal.\n", encoding="utf-8")
    folder.chmod(0o777)
    result = run("draft", "1", "contact", "--templates", str(folder), "--today", "2026-11-01")
    _one_clean_line(result, 2)
    assert "other users" in result.stderr
    folder.chmod(0o700)
    (folder / "contact.txt").chmod(0o666)
    _one_clean_line(run("draft", "1", "contact", "--templates", str(folder),
                        "--today", "2026-11-01"), 2)


# --- racing writers -----------------------------------------------------------------------------
EDITOR = textwrap.dedent("""
    import sys
    from atoz.cli import app
    field, count = sys.argv[1], int(sys.argv[2])
    for i in range(count):
        value = f"{10 + i}.{sys.argv[3]}" if field == "--amount" else f"note {sys.argv[3]}-{i}"
        code = app(["edit", "1", field, value, "--today", "2026-11-01"], standalone_mode=False)
        if code:
            sys.exit(code)
""")


def _env(db: Path) -> dict[str, str]:
    return {**os.environ, "ATOZ_DB": str(db), "PYTHONPATH": str(ROOT)}


@pytest.mark.slow
def test_racing_edits_lose_no_update_and_history_tells_what_was_really_there(
        run: Run, db_path: Path) -> None:
    assert run(*ADD).exit_code == 0
    writers = [subprocess.Popen([sys.executable, "-c", EDITOR, field, "25", tag],
                                env=_env(db_path), stderr=subprocess.PIPE, text=True)
               for field, tag in (("--amount", "11"), ("--note", "a"), ("--amount", "22"),
                                  ("--note", "b"))]
    errors = [w.communicate(timeout=600)[1] for w in writers]
    assert [w.returncode for w in writers] == [0, 0, 0, 0], errors
    conn = sqlite3.connect(db_path)
    edits = [row[0] for row in conn.execute(
        "select detail from history where kind = 'edit' order by id")]
    assert len(edits) == 100
    import json

    last: dict[str, object] = {"amount": "24.99", "note": None}
    for detail in map(json.loads, edits):
        for field, change in detail.items():
            assert change["old"] == last[field], (field, change, last[field])
            last[field] = change["new"]
    amount, note = conn.execute("select amount_minor, note from claims where id = 1").fetchone()
    assert f"{amount / 100:.2f}" == last["amount"] and note == last["note"]


# --- kill -9 at random points -------------------------------------------------------------------
def _seed(db: Path) -> None:
    env = _env(db)
    subprocess.run([sys.executable, "-m", "atoz", *ADD], env=env, check=True,
                   capture_output=True)
    subprocess.run([sys.executable, "-m", "atoz", "import", str(SAMPLE / "claims.csv"),
                    "--now", "2026-11-18T20:00:00-08:00"], env=env, check=True,
                   capture_output=True)


def _state(db: Path) -> tuple[str, ...]:
    """What the database holds, table by table, as digests of every row: equal states hold the
    same claims, history, steps, orders, rules and e-mails. Columns that stamp the real clock
    (`*_at`) are left out: a trial and its twin ran at different moments."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        # The derived outcome always equals what the history says last.
        mismatched = conn.execute(
            """select count(*) from claims c where c.outcome != (
                 select h.status from history h where h.claim_id = c.id and h.kind = 'status'
                 order by h.id desc limit 1)""").fetchone()[0]
        assert mismatched == 0
        digests = []
        for table in ("claims", "history", "steps", "decisions", "orders", "policy_rules",
                      "mail_messages"):
            columns = [row[1] for row in conn.execute(f"pragma table_info({table})")
                       if not row[1].endswith("_at")]
            rows = conn.execute(f"select {', '.join(columns)} from {table} "
                                f"order by {', '.join(columns)}").fetchall()
            digests.append(f"{table}:{len(rows)}:" + hashlib.sha256(
                repr(rows).encode()).hexdigest()[:16])
        return tuple(digests)
    finally:
        conn.close()


def _big_csv(path: Path) -> Path:
    with path.open("w", encoding="utf-8") as out:
        out.write("order_id,order_date,latest_delivery,claim_date,amount\n")
        for i in range(20_000):
            out.write(f"114-{i:07d}-{i:07d},2026-10-01,2026-10-09,2026-10-20,5.00\n")
    return path


WRITERS: dict[str, list[str]] = {
    "add": ["add", "115-0000000-0000001", "-m", "US", "--order-date", "2026-10-01",
            "--latest-delivery", "2026-10-09", "--claim-date", "2026-10-20", "--today",
            "2026-11-01"],
    "status": ["status", "1", "denied", "--today", "2026-11-01"],
    "done": ["done", "1", "contact", "--today", "2026-11-01"],
    "edit": ["edit", "1", "--amount", "30.00", "--today", "2026-11-01"],
    "import claims": ["import", "{csv}"],
    "import orders": ["import", str(SAMPLE / "orders.tsv")],
    "import finance": ["import", str(SAMPLE / "finance-events.json")],
    "import e-mail": ["import", str(SAMPLE / "emails" / "mixed.mbox"),
                      "--now", "2026-11-30T00:00:00Z"],
    "policy set": ["policy", "set", "US", "response_hours", "48", "--source", "x"],
}


@pytest.mark.slow
@pytest.mark.parametrize("command", list(WRITERS))
def test_kill_9_at_a_random_point_leaves_the_database_before_or_after(
        command: str, tmp_path: Path) -> None:
    rng = random.Random(f"{command}-20261128")
    big = _big_csv(tmp_path / "big.csv")
    args = [a.replace("{csv}", str(big)) for a in WRITERS[command]]
    # The command run to its end once: how long it takes, and the state it leaves.
    twin = tmp_path / "twin.db"
    _seed(twin)
    before = _state(twin)
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "atoz", *args], env=_env(twin), capture_output=True,
                   timeout=300)
    took, after = time.monotonic() - started, _state(twin)
    assert after != before, f"{command} changed nothing: the trial would prove nothing"
    # Half the trials kill at a random point of the whole run (most land before the database
    # is touched); the other half wait until the command's first write reaches the
    # write-ahead log, then kill within a few milliseconds: inside the write or its commit.
    trials, outcomes = 8, {"before commit": 0, "after commit": 0, "finished": 0}
    while_writing = 0
    for trial in range(trials):
        db = tmp_path / f"t{trial}.db"
        _seed(db)
        wal = db.with_name(db.name + "-wal")
        proc = subprocess.Popen([sys.executable, "-m", "atoz", *args], env=_env(db),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if trial % 2:
            while proc.poll() is None and not (wal.exists() and wal.stat().st_size):
                time.sleep(0.0002)
            time.sleep(rng.uniform(0, 0.003))
        else:
            time.sleep(rng.uniform(0, took))  # a random point in the command's own run
        proc.send_signal(signal.SIGKILL)
        killed = proc.wait() == -signal.SIGKILL
        state = _state(db)
        assert state in (before, after), (command, before, state, after)
        if not killed:
            assert state == after, f"{command} finished but left another state"
        while_writing += killed and trial % 2 == 1
        outcomes["finished" if not killed else
                 "before commit" if state == before else "after commit"] += 1
    print(f"kill -9 during {command} ({took:.2f} s): {outcomes}, {while_writing} of them "
          "after its first write")  # the figures, with pytest -s
    # The trials must really have interrupted the command, some of them while it wrote.
    assert outcomes["finished"] <= trials // 2 and while_writing >= 1, outcomes


# --- a full disk --------------------------------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path: Path) -> object:
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(mount)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root): " + done.stderr.decode()[:80])
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


@pytest.mark.slow
def test_a_full_disk_is_one_line_and_leaves_nothing_half_written(
        db_path: Path, small_disk: Path) -> None:
    _seed(db_path)
    env = _env(db_path)
    target = small_disk / "export.json"
    done = subprocess.run([sys.executable, "-m", "atoz", "export", "--out", str(target)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "No space left" in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1 and "Exception ignored" not in done.stderr
    assert not target.exists() and not list(small_disk.iterdir())


# A file with good rows and enough bad ones that their REJECTS fill the small disk's last page
# but not the writer's buffer: written only when the import ends, it fails there, and the
# import must not commit its good rows without it.
REJECTED = {
    "claims csv": ("claims.csv", "order_id,order_date,latest_delivery,claim_date,amount\n"
                   "116-0000000-0000001,2026-10-01,2026-10-09,2026-10-20,5.00\n" + "".join(
                       f"116-0000000-{i:07d},2026-10-01,2026-09-09,2026-10-20,5.00\n"
                       for i in range(2, 50))),
    "order report": ("orders.tsv", "order-id\tpurchase-date\tsales-channel\n"
                     "116-0000000-0000001\t2026-10-01\tAmazon.com\n" + "".join(
                         f"bad-{i}\t2026-10-01\tAmazon.com\n" for i in range(40))),
}


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(REJECTED))
def test_an_import_whose_rejects_do_not_fit_the_disk_commits_nothing(
        db_path: Path, small_disk: Path, tmp_path: Path, kind: str) -> None:
    name, text = REJECTED[kind]
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    _seed(db_path)
    env = _env(db_path)
    args = [sys.executable, "-m", "atoz", "import", str(source), "--today", "2026-11-01",
            "--skip-bad"]
    # The same import with room for its REJECTS: it adds the good row, and its REJECTS is
    # bigger than the disk's one free page but fits the 8 KiB buffer (so the trial below
    # would let the import commit first if REJECTS were written after the commit).
    twin = tmp_path / "twin.db"
    _seed(twin)
    done = subprocess.run([*args, str(tmp_path / "rej")], env=_env(twin), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and "1 added" in done.stdout, done.stdout + done.stderr
    size = (tmp_path / "rej").stat().st_size
    assert 4096 < size < 8192, size
    (small_disk / "filler").write_bytes(b"x" * 3 * 4096)  # the 16 KiB disk: one page left
    before = snapshot(db_path)
    done = subprocess.run([*args, str(small_disk / "rej")], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert "No space left" in done.stderr and "Traceback" not in done.stderr
    assert snapshot(db_path) == before  # the import did not commit without its REJECTS
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]

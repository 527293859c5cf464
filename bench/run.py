"""The atoz benchmark: generate data with a fixed seed, run the commands as a user would (whole
processes), and print the median wall time and peak memory of each against its target.

    python bench/run.py            # the full run: 100,000 claims, 100k and 1M-row order reports
    python bench/run.py --quick    # a smaller run to check the script itself

Data and databases go to bench/out/ (ignored by git).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
TODAY = "2026-11-18"
OUTCOMES = ["denied", "withdrawn", "granted-seller-funded", "granted-amazon-funded", "refunded",
            "cancelled"]
OPEN_NOW = 30  # claims under review on the benchmark's "today"
GRANTS_NOW = 10  # seller-funded grants still inside their appeal window
MARKETS = [("US", "USD", "113"), ("UK", "GBP", "202"), ("DE", "EUR", "302"), ("JP", "JPY", "503"),
           ("CA", "CAD", "701")]


@dataclass
class Measure:
    name: str
    runs: int
    median_ms: float
    peak_mb: float
    target: str
    ok: bool | None


def write_claims_csv(path: Path, count: int, seed: int = 20261118) -> None:
    """`count` claims over three years before TODAY, as a long-selling seller's history looks:
    everything older than two weeks decided, and about OPEN_NOW claims still under review, so
    that history grows with `count` while today's workload stays that of a real morning."""
    rng = random.Random(seed)
    end = dt.date.fromisoformat(TODAY)
    recent = count * 14 / 1095  # claims filed in the last two weeks
    open_share = min(1.0, OPEN_NOW / recent)
    grant_share = min(1.0, GRANTS_NOW / (count * 30 / 1095))  # of the last 30 days' decisions
    with path.open("w", encoding="utf-8") as out:
        out.write("order_id,order_date,latest_delivery,claim_date,amount,currency,reason,"
                  "marketplace,buyer,status,decided_on,note\n")
        for i in range(count):
            market, currency, prefix = rng.choice(MARKETS)
            age = int(1095 * (1 - i / count))  # oldest first, so ids grow with time
            claim = end - dt.timedelta(days=age)
            order = claim - dt.timedelta(days=rng.randint(12, 60))
            latest = order + dt.timedelta(days=rng.randint(3, 20))
            amount = (str(rng.randint(500, 20000)) if currency == "JPY"
                      else f"{rng.randint(5, 300)}.{rng.randint(0, 99):02d}")
            status, decided = "", ""
            if age > 14 or rng.random() >= open_share:
                status = rng.choice(OUTCOMES)
                # Appealable grants (open appeal steps) are today's workload too: keep them few.
                while (age <= 45 and status == "granted-seller-funded"
                       and rng.random() >= grant_share):
                    status = rng.choice(OUTCOMES)
                decided = min(end, claim + dt.timedelta(days=rng.randint(2, 20))).isoformat()
            out.write(f"{prefix}-{i:07d}-{rng.randrange(10**7):07d},{order},{latest},{claim},"
                      f"{amount},{currency},not-received,{market},Buyer {i},{status},{decided},\n")


def run_once(args: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, peak resident MB and exit code of one whole process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 3):
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {err}")
    return wall, usage.ru_maxrss / 1024, proc.returncode


def measure(name: str, args: list[str], env: dict[str, str], runs: int, target_ms: float | None,
            target_mb: float | None = None, before: list[str] | None = None) -> Measure:
    walls, peaks = [], []
    run_once(args, env)  # warm the file cache, as a seller's second run of the day would be
    for _ in range(runs):
        if before:
            subprocess.run(before, check=True)
        wall, peak, _ = run_once(args, env)
        walls.append(wall * 1000)
        peaks.append(peak)
    median = statistics.median(walls)
    checks = []
    target = []
    if target_ms is not None:
        checks.append(median <= target_ms)
        target.append(f"<= {target_ms:.0f} ms")
    if target_mb is not None:
        checks.append(max(peaks) <= target_mb)
        target.append(f"<= {target_mb:.0f} MB")
    return Measure(name, runs, median, max(peaks), ", ".join(target),
                   all(checks) if checks else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, to test the script")
    parser.add_argument("--runs", type=int, default=11)
    options = parser.parse_args()
    claims = 5_000 if options.quick else 100_000
    report_rows = 10_000 if options.quick else 100_000
    big_rows = 50_000 if options.quick else 1_000_000
    runs = 3 if options.quick else options.runs

    sys.path.insert(0, str(HERE))
    from gen_orders import write_order_report  # the same generator the import tests trust

    OUT.mkdir(exist_ok=True)
    atoz = [str(Path(sys.executable).with_name("atoz"))]  # the command a seller types
    env = {**os.environ, "ATOZ_TODAY": TODAY}
    env.pop("ATOZ_DB", None)

    claims_csv = OUT / f"claims-{claims}.csv"
    full_db, empty_db = OUT / f"claims-{claims}.db", OUT / "empty.db"
    if not full_db.exists():
        write_claims_csv(claims_csv, claims)
        started = time.perf_counter()
        subprocess.run([*atoz, "import", str(claims_csv), "--db", str(full_db)], env=env,
                       check=True, stdout=subprocess.DEVNULL)
        print(f"built {full_db.name}: {claims:,} claims imported in "
              f"{time.perf_counter() - started:.1f} s")
    if not empty_db.exists():  # an empty, migrated database, as after a first `atoz add`
        subprocess.run([sys.executable, "-c", "import sys, pathlib; from atoz.store import Store;"
                        " Store.open(pathlib.Path(sys.argv[1])).close()", str(empty_db)],
                       check=True)
    report, big = OUT / f"orders-{report_rows}.tsv", OUT / f"orders-{big_rows}.tsv"
    for path, rows in ((report, report_rows), (big, big_rows)):
        if not path.exists():
            write_order_report(path, rows, seed=7)
    scratch = OUT / "import.db"
    reset = [sys.executable, "-c", f"import pathlib; [p.unlink() for p in pathlib.Path("
             f"{str(OUT)!r}).glob('import.db*')]"]

    results = [
        measure("atoz --help", [*atoz, "--help"], env, runs, 80),
        measure("atoz due-today (empty db)", [*atoz, "due-today", "--db", str(empty_db)], env,
                runs, None),
    ]
    empty_due = results[-1].median_ms
    due = measure(f"atoz due-today ({claims:,} claims)",
                  [*atoz, "due-today", "--db", str(full_db)], env, runs, 150)
    due.target += f", <= 1.3x empty ({1.3 * empty_due:.0f} ms)"
    due.ok = bool(due.ok) and due.median_ms <= 1.3 * empty_due
    results.append(due)
    results.append(measure(f"atoz status {claims // 2} ({claims:,} claims)",
                           [*atoz, "status", str(claims // 2), "--db", str(full_db)], env,
                           runs, 250))
    results.append(measure(f"atoz report ({claims:,} claims)",
                           [*atoz, "report", "--db", str(full_db)], env, runs, 250))
    results.append(measure(f"atoz import {report_rows:,}-row order report",
                           [*atoz, "import", str(report), "--db", str(scratch)], env,
                           max(3, runs // 3), 5000, before=reset))
    results.append(measure(f"atoz import {big_rows:,}-row order report",
                           [*atoz, "import", str(big), "--db", str(scratch)], env, 1, None,
                           150, before=reset))
    shutil.rmtree(OUT / "tmp", ignore_errors=True)

    from tabulate import tabulate

    print(f"\nPython {sys.version.split()[0]}, {os.cpu_count()} cores; medians of whole "
          f"processes after one warm-up run\n")
    print(tabulate([[m.name, m.runs, f"{m.median_ms:,.0f}", f"{m.peak_mb:,.0f}", m.target,
                     {True: "met", False: "MISSED", None: ""}[m.ok]] for m in results],
                   headers=["command", "runs", "median ms", "peak MB", "target", ""],
                   tablefmt="github", disable_numparse=True))


if __name__ == "__main__":
    main()

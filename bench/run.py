"""The atoz benchmark: generate data with a fixed seed, run the commands as a seller would (whole
processes), and print each median wall time and peak memory against its target. Every target is
a ratio to a reference measured in the same run, on the same machine:

- start-up: `atoz --help`, `due-today`, `status`, `report` beside `python -c "import typer"`;
- bulk: importing 100,000 claims from atoz's CSV, and restoring a 100,000-claim JSON export,
  each beside `sqlite-utils insert` of the same claims into a plain table (<= 2x, <= 150 MB);
- history: every daily command on 1,000,000 claims beside the same command on an empty
  database (<= 1.5x; `report` <= 3x), each under 150 MB;
- order reports: 100,000 and 1,000,000 rows.

    python bench/run.py            # the full run (about 15 minutes on 2 cores)
    python bench/run.py --quick    # small sizes, to check the script itself

Data and databases go to bench/out/ (ignored by git).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
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
NOW = "2026-11-18T20:00:00-08:00"
TODAY = dt.date(2026, 11, 18)
OUTCOMES = ["denied", "withdrawn", "granted-seller-funded", "granted-amazon-funded", "refunded",
            "cancelled"]
OPEN_NOW = 30  # claims under review on the benchmark's "today"
GRANTS_NOW = 10  # seller-funded grants still inside their appeal window
RECENT = 300  # claims in the last 60 days
MARKETS = [("US", "USD", "113"), ("UK", "GBP", "202"), ("DE", "EUR", "302"), ("JP", "JPY", "503"),
           ("CA", "CAD", "701")]
MB = 150


@dataclass
class Measure:
    name: str
    runs: int
    median_ms: float
    peak_mb: float
    target: str = ""
    ok: bool | None = None


def write_claims_csv(path: Path, count: int, seed: int = 20261118) -> None:
    """`count` claims, as a long-selling seller's history looks: the last 60 days hold a real
    small seller's months (RECENT claims, about OPEN_NOW of them still under review and about
    GRANTS_NOW grants still appealable), and everything else lies 150 days to three years
    back, decided: far enough that no decision, appeal window or 30-day look-back of it reaches
    today. So history grows with `count` while the work of a morning stays the same: what the
    benchmark measures is the cost of history."""
    rng = random.Random(seed)
    recent = min(count, RECENT)
    open_share = min(1.0, OPEN_NOW / (recent * 14 / 60))
    grant_share = min(1.0, GRANTS_NOW / (recent * 30 / 60))
    with path.open("w", encoding="utf-8") as out:
        out.write("order_id,order_date,latest_delivery,claim_date,amount,currency,reason,"
                  "marketplace,buyer,outcome,decided_on,note\n")
        for i in range(count):
            market, currency, prefix = rng.choice(MARKETS)
            old = count - recent  # oldest first, so numbers grow with time
            age = (150 + int(945 * (1 - i / old))) if i < old else \
                int(60 * (1 - (i - old) / recent))
            claim = TODAY - dt.timedelta(days=age)
            order = claim - dt.timedelta(days=rng.randint(12, 60))
            latest = order + dt.timedelta(days=rng.randint(3, 20))
            amount = (str(rng.randint(500, 20000)) if currency == "JPY"
                      else f"{rng.randint(5, 300)}.{rng.randint(0, 99):02d}")
            status, decided = "", ""
            if age > 14 or rng.random() >= open_share:
                status = rng.choice(OUTCOMES)
                while (age <= 45 and status == "granted-seller-funded"
                       and rng.random() >= grant_share):
                    status = rng.choice(OUTCOMES)
                decided = min(TODAY, claim + dt.timedelta(days=rng.randint(2, 20))).isoformat()
            out.write(f"{prefix}-{i:07d}-{rng.randrange(10**7):07d},{order},{latest},{claim},"
                      f"{amount},{currency},not-received,{market},Buyer {i},{status},{decided},"
                      "\n")


def run_once(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one whole process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 3):
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{' '.join(args)} failed ({code}): {err}")
    return wall, usage.ru_maxrss / 1024


def measure(name: str, args: list[str], env: dict[str, str], runs: int,
            before: list[str] | None = None, warm: bool = True) -> Measure:
    walls, peaks = [], []
    if warm:
        if before:
            subprocess.run(before, check=True)
        run_once(args, env)  # warm the file cache, as a seller's second run of the day would be
    for _ in range(runs):
        if before:
            subprocess.run(before, check=True)
        wall, peak = run_once(args, env)
        walls.append(wall * 1000)
        peaks.append(peak)
    return Measure(name, runs, statistics.median(walls), max(peaks))


def against(m: Measure, reference: Measure, ratio: float, mb: float | None = MB) -> Measure:
    m.target = f"<= {ratio:g}x {reference.name} ({ratio * reference.median_ms:,.0f} ms)"
    m.ok = m.median_ms <= ratio * reference.median_ms
    if mb is not None:
        m.target += f", <= {mb:.0f} MB"
        m.ok = m.ok and m.peak_mb <= mb
    m.name += f"  [{m.median_ms / reference.median_ms:.2f}x]"
    return m


def reset(*paths: Path) -> list[str]:
    names = [str(p) for p in paths]
    return [sys.executable, "-c", "import pathlib, sys\nfor n in sys.argv[1:]:\n"
            "    for p in pathlib.Path(n).parent.glob(pathlib.Path(n).name + '*'): p.unlink()",
            *names]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, to test the script")
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    bulk = 5_000 if options.quick else 100_000
    history = 20_000 if options.quick else 1_000_000
    report_rows = 10_000 if options.quick else 100_000
    big_rows = 50_000 if options.quick else 1_000_000
    runs = 3 if options.quick else options.runs
    bulk_runs = 1 if options.quick else 3

    sys.path.insert(0, str(HERE))
    from gen_orders import write_order_report  # the same generator the import tests trust

    OUT.mkdir(exist_ok=True)
    bin_dir = Path(sys.executable).parent
    atoz, sqlite_utils = [str(bin_dir / "atoz")], [str(bin_dir / "sqlite-utils")]
    env = {**os.environ, "ATOZ_NOW": NOW, "ATOZ_TZ": "Asia/Shanghai", "COLUMNS": "100"}
    # PYTHONDONTWRITEBYTECODE would make every run compile atoz again: a seller's install has
    # its bytecode (pip writes it), so the benchmark lets Python keep it too.
    for name in ("ATOZ_DB", "ATOZ_TODAY", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    results: list[Measure] = []

    # --- start-up, against importing typer alone ----------------------------------------------
    empty = OUT / "empty.db"
    if not empty.exists():
        subprocess.run([*atoz, "migrate", "--db", str(empty)], env=env, check=True,
                       stdout=subprocess.DEVNULL)
    typer_ref = measure('python -c "import typer"', [sys.executable, "-c", "import typer"], env,
                        runs)
    results.append(typer_ref)
    for name, args in (("atoz --help", ["--help"]), ("atoz due-today (empty)", ["due-today"]),
                       ("atoz status (empty)", ["info"]), ("atoz report (empty)", ["report"])):
        extra = [] if name == "atoz --help" else ["--db", str(empty)]
        m = measure(name, [*atoz, *args, *extra], env, runs)
        m.target = f"{m.median_ms - typer_ref.median_ms:+,.0f} ms beside typer"
        results.append(m)

    # --- bulk: 100,000 claims from CSV, and a restore, against sqlite-utils insert ------------
    claims_csv = OUT / f"claims-{bulk}.csv"
    if not claims_csv.exists():
        write_claims_csv(claims_csv, bulk)
    ref_db, scratch = OUT / "reference.db", OUT / "bulk.db"
    insert_csv = measure(f"sqlite-utils insert {bulk:,}-claim CSV",
                         [*sqlite_utils, "insert", str(ref_db), "claims", str(claims_csv),
                          "--csv"], env, bulk_runs, before=reset(ref_db), warm=False)
    results.append(insert_csv)
    results.append(against(measure(f"atoz import {bulk:,}-claim CSV",
                                   [*atoz, "import", str(claims_csv), "--db", str(scratch)], env,
                                   bulk_runs, before=reset(scratch), warm=False),
                           insert_csv, 2))
    export = OUT / f"export-{bulk}.json"
    if not export.exists():
        subprocess.run([*atoz, "export", "--db", str(scratch), "--out", str(export)], env=env,
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    claims_json = OUT / f"export-{bulk}-claims.json"
    if not claims_json.exists():  # the same claims, as the JSON array sqlite-utils takes
        with claims_json.open("w", encoding="utf-8") as out:
            out.write("[\n")
            first = True
            with export.open(encoding="utf-8") as source:
                inside = False
                for line in source:
                    if line.startswith('"claims": ['):
                        inside = True
                        continue
                    if inside and line.startswith("{"):
                        out.write(("" if first else ",\n") + line.rstrip().rstrip(","))
                        first = False
            out.write("\n]\n")
    insert_json = measure(f"sqlite-utils insert {bulk:,}-claim JSON",
                          [*sqlite_utils, "insert", str(ref_db), "claims", str(claims_json)],
                          env, bulk_runs, before=reset(ref_db), warm=False)
    results.append(insert_json)
    results.append(against(measure(f"atoz import {bulk:,}-claim JSON export (restore)",
                                   [*atoz, "import", str(export), "--db", str(scratch)], env,
                                   bulk_runs, before=reset(scratch), warm=False),
                           insert_json, 2))

    # --- history: daily commands on 1,000,000 claims against an empty database -----------------
    big_csv = OUT / f"claims-{history}.csv"
    full = OUT / f"claims-{history}.db"
    orders = OUT / f"orders-{report_rows}.tsv"
    if not orders.exists():
        write_order_report(orders, report_rows, seed=7)
    if not full.exists():
        write_claims_csv(big_csv, history)
        started = time.perf_counter()
        subprocess.run([*atoz, "import", str(big_csv), "--db", str(full)], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run([*atoz, "import", str(orders), "--db", str(full)], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"built {full.name}: {history:,} claims in {time.perf_counter() - started:.0f} s",
              flush=True)
    middle = str(history // 2)
    orders_only = OUT / "orders-only.db"  # exposure's baseline: the same orders, no claims
    if not orders_only.exists():
        subprocess.run([*atoz, "import", str(orders), "--db", str(orders_only)], env=env,
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for name, args, ratio in (
            ("due-today", ["due-today"], 1.5), ("status", ["status", "1"], 1.5),
            ("list", ["list"], 1.5), ("odr", ["odr"], 1.5), ("exposure", ["exposure"], 1.5),
            ("calendar", ["calendar"], 1.5), ("report", ["report"], 3.0)):
        # An empty database has no claim to show: `info` reads it the same way instead; the
        # exposure forecast is of orders, so its baseline holds the same orders and no claims.
        base = orders_only if name == "exposure" else empty
        label = "orders, no claims" if base == orders_only else "empty"
        on_empty = measure(f"atoz {name} ({label})",
                           [*atoz, *(["info"] if name == "status" else args), "--db",
                            str(base)], env, runs)
        args = [middle if a == "1" else a for a in args]
        results.append(on_empty)
        results.append(against(measure(f"atoz {name} ({history:,} claims)",
                                       [*atoz, *args, "--db", str(full)], env, runs),
                               on_empty, ratio))

    # --- order reports -----------------------------------------------------------------------
    report, big = OUT / f"orders-{report_rows}.tsv", OUT / f"orders-{big_rows}.tsv"
    for path, rows in ((report, report_rows), (big, big_rows)):
        if not path.exists():
            write_order_report(path, rows, seed=7)
    orders_db = OUT / "orders.db"
    m = measure(f"atoz import {report_rows:,}-row order report",
                [*atoz, "import", str(report), "--db", str(orders_db)], env, bulk_runs,
                before=reset(orders_db), warm=False)
    m.target, m.ok = f"<= {MB} MB", m.peak_mb <= MB
    results.append(m)
    m = measure(f"atoz import {big_rows:,}-row order report",
                [*atoz, "import", str(big), "--db", str(orders_db)], env, 1,
                before=reset(orders_db), warm=False)
    m.target, m.ok = f"<= {MB} MB", m.peak_mb <= MB
    results.append(m)
    shutil.rmtree(OUT / "tmp", ignore_errors=True)

    from tabulate import tabulate

    print(f"\nPython {sys.version.split()[0]}, {os.cpu_count()} cores; medians of whole "
          "processes (start-up and daily commands after one warm-up run)\n")
    print(tabulate([[m.name, m.runs, f"{m.median_ms:,.0f}", f"{m.peak_mb:,.0f}", m.target,
                     {True: "met", False: "MISSED", None: ""}[m.ok]] for m in results],
                   headers=["command", "runs", "median ms", "peak MB", "target", ""],
                   tablefmt="github", disable_numparse=True))
    (OUT / "results.json").write_text(json.dumps([m.__dict__ for m in results], indent=2))


if __name__ == "__main__":
    main()

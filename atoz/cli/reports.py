"""The weekly report and the ODR ledger, in any table format, CSV or JSON."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer

from atoz.cli import DbOption, JsonOption, TodayOption, app, get_today, open_store
from atoz.cli.data import DEMO_STEPS
from atoz.errors import InputError
from atoz.render import print_json

FormatOption = Annotated[str, typer.Option(
    "--format", "-f", help="simple (default), github, grid or any tabulate format; csv; json.")]
OrdersOption = Annotated[int | None, typer.Option(
    "--orders", min=1, show_default=False,
    help="Orders placed in the ODR window (from Seller Central): gives the rate vs 1%.")]
OdrMarketOption = Annotated[str | None, typer.Option(
    "--marketplace", "-m", show_default=False,
    help="ODR for this marketplace only (Amazon counts ODR per marketplace).")]
# Formats that read as Markdown get Markdown headings, so a pasted report keeps its titles.
_MARKDOWN = ("github", "pipe")
# A table in a chat or a terminal stops being read long before this; CSV and JSON keep all rows.
SHOWN_ROWS = 50


@dataclass(frozen=True)
class Section:
    """One titled table of a report, with lines of notes under it. `more` says where to see
    every row when a text table shows only the first SHOWN_ROWS."""

    title: str
    headers: Sequence[str]
    rows: list[list[Any]]
    notes: list[str] = field(default_factory=list)
    more: str | None = None


def check_format(fmt: str) -> str:
    from tabulate import tabulate_formats

    name = fmt.strip().lower()
    if name in ("csv", "json") or name in tabulate_formats:
        return name
    raise InputError("--format", fmt, "unknown; use csv, json or a table format: "
                     + ", ".join(sorted(tabulate_formats)))


def render(sections: Sequence[Section], fmt: str, heading: str | None = None) -> str:
    """Every section in one format; CSV puts each title, table and notes one after another."""
    from atoz.render import table

    if fmt == "csv":
        from atoz.exports import csv_text

        lines: list[Sequence[Any]] = [[heading]] if heading else []
        for s in sections:
            lines += [[s.title], list(s.headers), *s.rows, *([n] for n in s.notes), []]
        return csv_text(lines)
    parts = [heading + "\n"] if heading else []
    for s in sections:
        title = f"### {s.title}" if fmt in _MARKDOWN else s.title
        rows, notes = s.rows, s.notes
        if s.more and len(rows) > SHOWN_ROWS:
            notes = [f"... and {len(rows) - SHOWN_ROWS} more: {s.more}", *notes]
            rows = rows[:SHOWN_ROWS]
        body = table(rows, s.headers, fmt) if rows else "(none)"
        parts.append("\n".join([title, body, *notes]) + "\n")
    return "\n".join(parts)


def _amount(row: dict[str, Any]) -> str:
    return f"{row['amount'] or ''} {row['currency'] or ''}".strip() if row["amount"] else ""


def _steps_section(title: str, items: list[dict[str, Any]], more: str) -> Section:
    from atoz.playbook import show_deadline

    return Section(title, ["claim", "order", "step", "due", "deadline", "left", "amount",
                           "what to do"],
                   [[i["claim_id"], i["order_id"], i["step"], i["due"],
                     show_deadline(i["deadline"]), i["time_left"], _amount(i),
                     i["what"] + (f" ({i['moved'].split(',')[0]})" if i["moved"] else "")]
                    for i in items], more=more)


def odr_section(odr: dict[str, Any]) -> Section:
    from atoz.outcomes import LABELS
    from atoz.policy import get_policy

    where = f" ({odr['marketplace']})" if odr["marketplace"] else ""
    counted = sorted(get_policy(odr["marketplace"] or "US").odr_outcomes)
    notes = [f"{odr['orders_with_counted_claims']} order(s) with a claim that counts "
             f"({', '.join(LABELS[s] for s in counted)})."]
    if odr["rate"] is not None:
        verdict = ("OVER the target now" if odr["over_target"] else
                   f"{odr['more_to_cross']} more counted claim(s) would reach it")
        notes.append(f"Claim rate {odr['rate']:.2f}% of {odr['orders']} orders; target under "
                     f"{odr['target_percent']}%: {verdict}.")
        if len(odr["marketplaces"]) > 1:
            notes.append(f"These claims span {', '.join(odr['marketplaces'])}: give -m for the "
                         "rate of one marketplace.")
    else:
        notes.append("Give --orders N (orders placed in the window) for the rate against "
                     f"{odr['target_percent']}%.")
    if odr["pending_in_window"]:
        notes.append(f"{odr['pending_in_window']} claim(s) on orders in the window are still "
                     "under review and would count if granted against you or refunded.")
    notes.append(odr["note"])
    return Section(
        f"ODR ledger{where}: orders placed {odr['window_start']} to {odr['window_end']} "
        f"({odr['window_days']} days)",
        ["claim", "order", "mkt", "outcome", "ordered", "decided", "amount", "leaves window"],
        [[c["claim_id"], c["order_id"], c["marketplace"], LABELS[c["status"]], c["order_date"],
          c["decided_on"], _amount(c), c["leaves_window"]] for c in odr["claims"]],
        notes, more="atoz odr --format csv (or --json) lists them all")


def _rate(rate: dict[str, Any]) -> str:
    if not rate["decided"]:
        return "n/a (nothing decided)"
    return f"{rate['won']} of {rate['decided']} ({rate['percent']:.1f}%)"


def report_sections(data: dict[str, Any]) -> list[Section]:
    import datetime as dt

    from atoz.money import fmt_totals

    today = dt.date.fromisoformat(data["today"])
    odr_text = {True: "yes", False: "no", None: "pending"}
    outcomes = data["outcomes"]
    return [
        Section("Summary", ["figure", "value"], [
            ["claims filed this week", data["filed"]],
            ["decided this week", data["decided"]],
            ["open now", data["open"]],
            ["overdue steps now", data["overdue"]],
            ["at stake in open claims", fmt_totals(data["money"]["at_stake_open"])],
            ["lost this week (seller-funded grants, refunds)",
             fmt_totals(data["money"]["lost_week"])],
            ["win rate this week", _rate(data["win_rate"]["week"])],
            ["win rate all time", _rate(data["win_rate"]["all"])],
        ], ["Win rate: denied, withdrawn and Amazon-funded over all decided."]),
        Section("Outcomes", ["outcome", "counts toward ODR", "this week", "amount this week",
                             "all time", "amount all time"],
                [[o["label"], odr_text[o["odr"]], o["week"], fmt_totals(o["amount_week"]),
                  o["all"], fmt_totals(o["amount"])] for o in outcomes.values()],
                ["This week: claims that reached the outcome this week (for Under review: "
                 "filed this week). All time: claims in that outcome now."]),
        _steps_section(f"Due in the next 7 days (to {today + dt.timedelta(days=7)})",
                       data["due_next_7_days"], "atoz due-today --ahead 7 lists them all"),
        _steps_section("Overdue", data["overdue_steps"], "atoz due-today lists them all"),
        Section(f"Appeal windows closing (by {today + dt.timedelta(days=14)})",
                ["claim", "order", "mkt", "granted", "appeal by", "days left", "amount"],
                [[a["claim_id"], a["order_id"], a["marketplace"], a["decided_on"],
                  a["deadline"], a["days_left"], _amount(a)] for a in data["appeals_closing"]],
                ["Seller-funded grants not yet appealed: atoz draft CLAIM appeal"]
                if data["appeals_closing"] else []),
        odr_section(data["odr"]),
    ]


def _print(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


@app.command()
def report(
    week: Annotated[str | None, typer.Option(
        "--week", show_default=False,
        help="ISO week, e.g. 2026-W48 (default: the week containing today).")] = None,
    orders: OrdersOption = None,
    marketplace: OdrMarketOption = None,
    fmt: FormatOption = "simple",
    db: DbOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print the weekly report: claims in and decided, money, what is due, the ODR ledger.

    The week's figures cover --week (Monday to Sunday); open claims, due and overdue steps,
    appeal windows and the ODR ledger are as of --today.

    Example: atoz report --week 2026-W47 --orders 1200 --format github
    """
    from atoz.report import parse_week, weekly_report

    chosen = "json" if as_json else check_format(fmt)
    picked = parse_week(week) if week is not None else None
    day = get_today(today)
    data = weekly_report(open_store(db), day, picked, orders, marketplace)
    if chosen == "json":
        print_json(data)
        return
    heading = (f"Weekly report {data['week']} (Monday {data['start']} to Sunday {data['end']}),"
               f" as of {data['today']}")
    _print(render(report_sections(data), chosen, heading))


@app.command()
def odr(
    orders: OrdersOption = None,
    marketplace: OdrMarketOption = None,
    fmt: FormatOption = "simple",
    db: DbOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show the claims that count toward your Order Defect Rate, and when each drops out.

    Example: atoz odr --orders 1200
    """
    from atoz.report import odr_ledger

    chosen = "json" if as_json else check_format(fmt)
    data = odr_ledger(open_store(db), get_today(today), orders, marketplace)
    if chosen == "json":
        print_json(data)
        return
    _print(render([odr_section(data)], chosen))


def _demo_report(db: Path, today: str) -> None:
    report(db=db, today=today)


DEMO_STEPS.append(("report", _demo_report))

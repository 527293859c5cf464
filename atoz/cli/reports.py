"""The weekly report, the ODR ledger and the exposure forecast, as tables (any tabulate
format, fitted to the terminal), CSV or JSON."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

import typer

from atoz.cli.app import (
    DbOption,
    JsonOption,
    MarketplaceOption,
    NoColorOption,
    NowOption,
    TodayOption,
    WideOption,
    app,
    session,
)
from atoz.cli.render import Column, Terminal, named, print_json, render_table
from atoz.errors import InputError

if TYPE_CHECKING:
    from atoz.agenda import Item
    from atoz.instants import Now
    from atoz.odr import Ledger
    from atoz.report import WeeklyReport

FormatOption = Annotated[str, typer.Option(
    "--format", "-f", help="simple (default), github, grid or any tabulate format; csv; json.")]
OrdersOption = Annotated[int | None, typer.Option(
    "--orders", min=1, show_default=False,
    help="Orders placed in the ODR window (from Seller Central), for the rate vs 1%.")]
_MARKDOWN = ("github", "pipe")  # formats that read as Markdown get Markdown headings
SHOWN_ROWS = 50  # a table stops being read long before this; CSV and JSON keep every row


@dataclass(frozen=True)
class Section:
    """One titled table of a report, with lines of notes under it. `more` says where to see
    every row when a text table shows only the first SHOWN_ROWS."""

    title: str
    columns: Sequence[Column]
    rows: list[list[Any]]
    notes: list[str] = field(default_factory=list)
    more: str | None = None
    pairs: bool = False  # a list of figures: "figure   value" lines in a terminal


def check_format(fmt: str) -> str:
    """The --format asked for: csv, json or one of tabulate's table formats."""
    from tabulate import tabulate_formats

    name = fmt.strip().lower()
    if name in ("csv", "json") or name in tabulate_formats:
        return name
    raise InputError("fmt", fmt, "unknown; use csv, json or a table format: "
                     + ", ".join(sorted(tabulate_formats)))


def render(sections: Sequence[Section], fmt: str, term: Terminal, heading: str = "") -> str:
    """Every section in one format; CSV puts each title, table and notes one after another."""
    from atoz.cli.render import display_width, safe, wrapped

    if fmt == "csv":
        from atoz.exports import csv_text

        lines: list[Sequence[Any]] = [[heading]] if heading else []
        for s in sections:
            lines += [[s.title], [c.header for c in s.columns], *s.rows,
                      *([n] for n in s.notes), []]
        return csv_text(lines)

    def prose(text: str) -> list[str]:
        return wrapped(text, term) if fmt not in _MARKDOWN else [safe(text)]

    parts = ["\n".join(prose(heading)) + "\n"] if heading else []
    for s in sections:
        title = f"### {s.title}" if fmt in _MARKDOWN else s.title
        rows, notes = s.rows, s.notes
        if s.more and len(rows) > SHOWN_ROWS:
            notes = [f"... and {len(rows) - SHOWN_ROWS} more: {s.more}", *notes]
            rows = rows[:SHOWN_ROWS]
        if s.pairs and fmt == "simple":
            width = max(display_width(str(row[0])) for row in rows) + 2
            body = "\n".join(piece for row in rows for piece in wrapped(
                f"{row[0]}{' ' * (width - display_width(str(row[0])))}{row[1]}", term, width))
        else:
            body = render_table(rows, s.columns, term, fmt=fmt) if rows else "(none)"
        block = [*prose(title), body, *(piece for note in notes for piece in prose(note))]
        parts.append("\n".join(block) + "\n")
    return "\n".join(parts)


def _emit(text: str) -> None:
    from atoz.cli.render import out_lines

    out_lines(text.rstrip("\n"))


def _steps_section(title: str, items: Sequence[Item], now: Now, more: str,
                   extra: Sequence[str] = ()) -> Section:
    from atoz.cli.views import STEP_COLUMNS, step_rows

    reasons: list[str] = []
    rows = step_rows(items, now, reasons)
    return Section(title, STEP_COLUMNS, rows,
                   [*(f"[{n}] {r}" for n, r in enumerate(reasons, start=1)),
                    *(line for line in extra if line)], more=more)


def ledger_sections(ledger: Ledger) -> list[Section]:
    from atoz.cli.views import short_order
    from atoz.money import fmt
    from atoz.odr import NOTE

    sections = []
    for m in ledger.markets:
        notes = [f"{m.defective_orders} order(s) with a counted claim; Amazon looks at orders "
                 f"placed in {m.window_days} days, {m.delay_days} days behind today."]
        if m.rate is not None:
            verdict = ("OVER the target now" if m.rate.over_target else
                       f"{m.rate.more_to_cross} more counted claim(s) would reach it")
            notes.append(f"Claim rate {m.rate.rate_percent}% of {m.rate.orders} orders; target "
                         f"under {m.target_percent}%: {verdict}.")
        else:
            notes.append(f"Give --orders N (orders placed in the window) for the rate against "
                         f"{m.target_percent}%.")
        for c in m.not_yet:
            notes.append(f"Not counted yet: claim {c.claim.id} (order {c.claim.order_id}, "
                         f"ordered {c.claim.facts.order_date}) counts from {c.counts_from}.")
        if m.pending:
            notes.append(f"{len(m.pending)} claim(s) on orders in or after the window are "
                         "under review and would count if granted against you or refunded.")
        if m.no_order_date:
            ids = named([c.id for c in m.no_order_date])
            notes.append(f"Left out: {len(m.no_order_date)} counted claim(s) with no order date "
                         f"({ids}), so atoz cannot place them in the window: atoz edit CLAIM "
                         "--order-date D --latest-delivery D")
        notes.append(NOTE)
        sections.append(Section(
            f"ODR ledger {m.marketplace}: orders placed {m.window_start} to {m.window_end}",
            [Column("claim", align="right"), Column("order", shorten=short_order, drop=2),
             Column("outcome", drop=3), Column("ordered"), Column("decided", drop=4),
             Column("amount", align="right", drop=1), Column("leaves window")],
            [[c.claim.id, c.claim.order_id, c.claim.outcome.label, c.claim.facts.order_date,
              c.claim.decided_on, fmt(c.claim.facts.amount_minor, c.claim.facts.currency),
              c.leaves_window] for c in m.counted],
            notes, more="atoz odr --format csv (or --json) lists them all"))
    if not sections:
        sections.append(Section("ODR ledger: no claim counts in any marketplace's window",
                                [Column("claim")], [], [NOTE]))
    return sections


def report_sections(r: WeeklyReport) -> list[Section]:
    from atoz.cli.views import appeals_note
    from atoz.money import fmt, fmt_totals

    def rate(w: Any) -> str:
        return f"{w.won} of {w.decided} ({w.percent:.1f}%)" if w.decided else \
            "n/a (nothing decided)"

    now = r.now
    return [
        Section("Summary", [Column("figure"), Column("value", wrap=True)], [
            ["claims filed this week", len(r.filed)],
            ["decided this week", len(r.decided)],
            ["open now", len(r.open)],
            ["overdue steps now", len(r.overdue)],
            ["missed steps (last 30 days)", len(r.missed)],
            ["awaiting Amazon's decision", len(r.awaiting)],
            ["at stake in open claims", fmt_totals(r.at_stake)],
            ["lost this week (you paid)", fmt_totals(r.lost_week)],
            ["lost all time (you paid)", fmt_totals(r.lost_all)],
            ["win rate this week", rate(r.win_week)],
            ["win rate all time", rate(r.win_all)],
        ], ["Won: decided without you paying (denied, withdrawn, Amazon funded...). Lost: what "
            "you paid, the debit where Amazon's data gave it."], pairs=True),
        Section("Outcomes", [Column("outcome"), Column("ODR", drop=1),
                             Column("week", align="right"),
                             Column("amount this week", align="right", drop=3),
                             Column("all time", align="right"),
                             Column("amount all time", align="right", drop=2)],
                [[o.outcome.label, str(o.odr), o.week, fmt_totals(o.amount_week), o.all,
                  fmt_totals(o.amount_all)] for o in r.outcomes],
                ["Week: claims that reached the outcome this week (under review: filed this "
                 "week). All time: claims in it now. ODR: the default reading; a claim's own "
                 "record may differ (--odr)."]),
        _steps_section("Due in the next 7 days", r.coming, now,
                       "atoz due-today --ahead 7 lists them all",
                       [appeals_note(r.appeals_later, now)]),
        _steps_section("Overdue", r.overdue, now, "atoz due-today lists them all"),
        _steps_section("Missed (deadline passed)", r.missed, now,
                       "atoz due-today --json lists them all"),
        Section("Appeal windows closing in 14 days",
                [Column("claim", align="right"), Column("order", drop=2), Column("mkt"),
                 Column("granted", drop=3), Column("appeal until"),
                 Column("amount", align="right", drop=1)],
                [[c.id, c.order_id, c.marketplace, c.decided_on,
                  _last_day(s.deadline, c.marketplace),
                  fmt(c.facts.amount_minor, c.facts.currency)] for c, s in r.appeals],
                ["Seller-funded grants not yet appealed: atoz draft CLAIM appeal"]
                if r.appeals else []),
        *ledger_sections(r.odr),
    ]


def _last_day(deadline: Any, marketplace: str) -> str:
    from atoz.playbook import last_day
    from atoz.serialize import market_tz

    return last_day(deadline, market_tz(marketplace)).isoformat()


@app.command()
def report(
    ctx: typer.Context,
    week: Annotated[str | None, typer.Option(
        "--week", show_default=False,
        help="ISO week, e.g. 2026-W48 (default: the week of today).")] = None,
    orders: OrdersOption = None,
    marketplace: MarketplaceOption = None,
    fmt: FormatOption = "simple",
    db: DbOption = None,
    now: NowOption = None,
    today: TodayOption = None,
    wide: WideOption = False,
    no_color: NoColorOption = False,
    as_json: JsonOption = False,
) -> None:
    """Print the weekly report: claims in and decided, money, what is due, the ODR ledger.

    The week's figures cover --week (Monday to Sunday); open claims, steps, appeal windows and
    the ODR ledger are as of now. Example: atoz report --week 2026-W47 --format github
    """
    from atoz.report import weekly_report
    from atoz.serialize import report_json
    from atoz.weeks import parse_week

    chosen = "json" if as_json else check_format(fmt)
    picked = parse_week(week) if week is not None else None
    s = session(ctx)
    moment = s.now(now, today)
    store = s.read(db)
    data = weekly_report(store, s.book(store), moment, picked, orders, marketplace)
    if chosen == "json":
        print_json(report_json(data))
        return
    heading = (f"Weekly report {data.week.label} (Monday {data.week.start} to Sunday "
               f"{data.week.end}), as of {moment.today} ({moment.zone_name})")
    text = render(report_sections(data), chosen, s.terminal(wide=wide, no_color=no_color),
                  heading)
    _write(text, chosen)


def _write(text: str, fmt: str) -> None:
    if fmt == "csv":
        from atoz.cli.render import write_bytes

        write_bytes(text.encode("utf-8"))
    else:
        _emit(text)


@app.command()
def odr(
    ctx: typer.Context,
    orders: OrdersOption = None,
    marketplace: MarketplaceOption = None,
    fmt: FormatOption = "simple",
    db: DbOption = None,
    now: NowOption = None,
    today: TodayOption = None,
    wide: WideOption = False,
    no_color: NoColorOption = False,
    as_json: JsonOption = False,
) -> None:
    """Show the claims that count toward your Order Defect Rate as Amazon counts them.

    Per marketplace, by order date, in a 60-day window that ends 14 days ago: when each claim
    leaves it, and when recent ones start to count. Example: atoz odr -m US --orders 1200
    """
    from atoz.odr import odr_ledger
    from atoz.serialize import ledger_json

    chosen = "json" if as_json else check_format(fmt)
    s = session(ctx)
    moment = s.now(now, today)
    store = s.read(db)
    ledger = odr_ledger(store, s.book(store), moment, marketplace, orders)
    if chosen == "json":
        print_json(ledger_json(ledger, moment))
        return
    _write(render(ledger_sections(ledger), chosen, s.terminal(wide=wide, no_color=no_color)),
           chosen)


@app.command("exposure")
def exposure_command(
    ctx: typer.Context,
    db: DbOption = None,
    now: NowOption = None,
    today: TodayOption = None,
    wide: WideOption = False,
    no_color: NoColorOption = False,
    as_json: JsonOption = False,
) -> None:
    """Show how many imported orders can still turn into A-to-z claims, and when each risk ends.

    Orders whose filing window has not closed: not yet claimable, claimable now, and per week
    how many leave the window, with their value. Example: atoz import orders.tsv && atoz exposure
    """
    from atoz.cli.render import note
    from atoz.exposure import NO_PROMISE, exposure, horizon
    from atoz.money import fmt_totals
    from atoz.queries import recent_orders
    from atoz.serialize import exposure_json

    s = session(ctx)
    moment = s.now(now, today)
    store = s.read(db)
    with store.snapshot():
        result = exposure(recent_orders(store, horizon(moment.today)), moment.today,
                          s.book(store))
    if as_json:
        print_json(exposure_json(result))
        return
    if not store.has_orders():
        note("No orders imported yet: atoz import ORDERS_FILE (an order report or "
             "SP-API JSON).")
        return
    term = s.terminal(wide=wide, no_color=no_color)
    rows = [["window still open", result.open.orders, fmt_totals(result.open.value)],
            ["of which not yet claimable", result.not_yet.orders,
             fmt_totals(result.not_yet.value)],
            ["of which claimable now", result.claimable.orders,
             fmt_totals(result.claimable.value)],
            [f"no delivery promise (ordered since {result.ordered_since})",
             result.no_promise.orders, fmt_totals(result.no_promise.value)]]
    notes = []
    if result.no_promise.orders:
        notes.append(f"No delivery promise: {NO_PROMISE} (atoz add ORDER_ID --latest-delivery "
                     "DATE).")
    if result.claimed or result.cancelled:
        notes.append(f"Left out: {result.claimed} orders that already have a claim, "
                     f"{result.cancelled} cancelled.")
    sections = [Section(f"Exposure on {moment.today}: orders an A-to-z claim can still be "
                        "filed against",
                        [Column("orders"), Column("count", align="right"),
                         Column("value", wrap=True)], rows, notes),
                Section("Leaving the window, by the week of the last day a claim can be filed",
                        [Column("week"), Column("from", drop=1), Column("to", drop=1),
                         Column("orders", align="right"), Column("value", align="right")],
                        [[w.label, w.start, w.end, t.orders, fmt_totals(t.value)]
                         for w, t in sorted(result.weeks.items())])]
    _emit(render(sections, "simple", term))


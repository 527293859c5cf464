"""`atoz policy`: the rules in force with their sources, and the seller's own rule changes."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import typer

from atoz.cli.app import (
    DbOption,
    Group,
    JsonOption,
    MarketplaceOption,
    NoColorOption,
    NowOption,
    TodayOption,
    WideOption,
    app,
    session,
)
from atoz.cli.render import Column, Terminal, note, out, print_json, print_table, say

if TYPE_CHECKING:
    from atoz.instants import Now

policy_app = typer.Typer(cls=Group, rich_markup_mode=None, no_args_is_help=False,
                         context_settings={"help_option_names": ["-h", "--help"]})
app.add_typer(policy_app, name="policy")
SUMMARY = ("window_opens_after_delivery", "window_opens_after_order",
           "window_opens_after_confirmed_delivery", "window_closes_after_delivery",
           "response_hours", "appeal_days")
# Each rule's column, with when it may go on a narrow terminal (highest first): the window's
# days, the same almost everywhere, before the response hours a seller works to.
HEADERS = (("opens +d delivery", 5), ("opens +d order", 6), ("opens +d tracked", 7),
           ("closes +d", 4), ("respond h", 0), ("appeal d", 2))
FromOption = Annotated[str | None, typer.Option(
    "--from", show_default=False,
    help="First claim day the rule applies to (default: the marketplace's today).")]


@policy_app.callback(invoke_without_command=True)
def policy(
    ctx: typer.Context,
    marketplace: MarketplaceOption = None,
    db: DbOption = None,
    now: NowOption = None,
    today: TodayOption = None,
    wide: WideOption = False,
    no_color: NoColorOption = False,
    as_json: JsonOption = False,
) -> None:
    """Print the A-to-z rules in force for a claim filed today, each with its sources.

    Your own rules (atoz policy set) are marked local; ones that start later are listed.
    Example: atoz policy --marketplace US
    """
    if ctx.invoked_subcommand is not None:
        return
    from atoz.policy import marketplace_code, marketplaces, packaged

    s = session(ctx)
    book = s.book(s.read_if_any(db))
    codes = [marketplace_code(marketplace)] if marketplace else marketplaces()
    moment = s.now(now, today)
    days = {code: moment.today_in(packaged(code).tz) for code in codes}
    # The rules for a claim filed today (the marketplace's); local rules starting later are
    # listed apart.
    policies = [book.policy(code, days[code]) for code in codes]
    later = [r for r in book.active() if r.marketplace in codes
             and r.effective_from > days[r.marketplace]]
    if as_json:
        from atoz.serialize import policy_json

        print_json([policy_json(p, later) for p in policies])
        return
    if not marketplace:
        rows: list[list[Any]] = []
        for p in policies:
            rows.append([p.marketplace, p.timezone, p.currency,
                         *(f"{p.rules[n].value}{'*' if p.rules[n].local else ''}"
                           for n in SUMMARY)])
        print_table(rows, [Column("mkt"), Column("time zone", drop=1), Column("cur", drop=3),
                           *(Column(h, align="right", drop=d) for h, d in HEADERS)],
                    s.terminal(wide=wide, no_color=no_color),
                    title=f"A-to-z rules as of {policies[0].as_of} (* local: atoz policy set)")
        for rule in later:
            out(f"From {rule.effective_from}: {rule.marketplace} {rule.rule} {rule.value} "
                "(local)")
        out("Each rule's sources and readings: atoz policy --marketplace CODE")
        return
    _show_one(policies[0], s.terminal(wide=wide, no_color=no_color))
    for rule in later:
        out(f"From {rule.effective_from}: {rule.rule} {rule.value} (local, {rule.source})")


def _show_one(p: Any, term: Terminal) -> None:
    from atoz.policy import history

    def line(text: str) -> None:
        say(text, term, 4)

    line(f"{p.name} ({p.marketplace}), rules {p.policy_id}, time zone {p.timezone}, currency "
        f"{p.currency}")
    for rule in p.rules.values():
        unit = rule.unit.removesuffix("s") if rule.value == 1 else rule.unit
        mark = (f"  LOCAL from {rule.local.effective_from} (recorded {rule.as_of})"
                if rule.local else f"  (as of {rule.as_of})")
        line("")
        line(f"{rule.name}: {rule.value} {unit}{mark}")
        line(f"  source: {rule.source}")
        if rule.note and not rule.local:
            line(f"  note: {rule.note}")
        for reading in rule.readings:
            era = "" if reading.current else " (older page)"
            quote = f' "{reading.quote}"' if reading.quote else ""
            line(f"  reading: {reading.value}{era}:{quote} {reading.source}"
                + (f"; {reading.note}" if reading.note else ""))
    line("")
    line("Decisions: who pays and whether the claim counts toward ODR, by default "
        "(override per claim with --paid-by and --odr):")
    for facts in p.outcomes.values():
        if not facts.outcome.decided:
            continue
        line(f"  {facts.outcome}: paid by {facts.payer}, ODR {facts.odr} ({facts.source})")
        for reading in facts.readings:
            if reading.value != str(facts.odr):
                line(f"    other reading: {reading.value}: \"{reading.quote}\" {reading.source}")
    line("")
    line("Earlier rules:")
    for old in history():
        span = f"until {old['until']}" if "until" in old else f"from {old['from']}"
        line(f"  {old['rule']}: {old['value']} {old['unit']} {span}; {old['note']} "
            f"({old['source']})")


def _report(change: Any, term: Terminal, as_json: bool) -> None:
    if as_json:
        from atoz.serialize import rule_change_json

        print_json(rule_change_json(change))
        return
    what = f"{change.rule} = {change.value}" if change.value is not None else \
        f"{change.rule} back to atoz's rule pack"
    since = f" for claims filed from {change.effective_from}" if change.effective_from else ""
    moved = f"{len(change.moved)} with dates that moved:" if change.moved else "no date moved."
    say(f"{change.marketplace}: {what}{since}. {change.recomputed} claim(s) recomputed, {moved}",
        term)
    for item in change.moved[:50]:
        out(f"  claim {item.claim.id} (order {item.claim.order_id}):")
        for name, (old, new) in item.moved.items():
            out(f"    {name}: {old} -> {new}")
    if len(change.moved) > 50:
        note(f"... and {len(change.moved) - 50} more: add --json to see them all")


def _from_day(text: str | None, marketplace: str, moment: Now) -> dt.date | None:
    """--from as a day of the marketplace (`today` is its today: rules change on its days)."""
    from atoz.dates import parse_date
    from atoz.policy import packaged

    if not text:
        return None
    tz = packaged(marketplace).tz
    return parse_date(text, "effective_from", today=moment.today_in(tz), tz=tz)


@policy_app.command("set")
def set_rule(
    ctx: typer.Context,
    marketplace: Annotated[str, typer.Argument(help="Marketplace code: US, UK, DE, JP...")],
    rule: Annotated[str, typer.Argument(help="The rule, e.g. response_hours (atoz policy "
                                             "--marketplace M lists them).")],
    value: Annotated[str, typer.Argument(help="Its new value (a whole number).")],
    source: Annotated[str, typer.Option("--source", help="Where Amazon says so (a URL).")],
    effective_from: FromOption = None,
    db: DbOption = None,
    now: NowOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Apply a rule change Amazon made, with its source, from a day on.

    Claims filed before that day keep the rule they were filed under. Example: atoz policy set
    US response_hours 48 --source https://sellercentral.amazon.com/... --from 2026-12-01
    """
    from atoz.rule_changes import set_rule as record

    s = session(ctx)
    moment = s.now(now, today)
    start = _from_day(effective_from, marketplace, moment)
    store = s.write(db)
    with store.transaction():
        change = record(store, marketplace, rule, value, source, start, moment)
    _report(change, s.terminal(), as_json)


@policy_app.command("unset")
def unset_rule(
    ctx: typer.Context,
    marketplace: Annotated[str, typer.Argument(help="Marketplace code.")],
    rule: Annotated[str, typer.Argument(help="The rule to take back.")],
    effective_from: FromOption = None,
    db: DbOption = None,
    now: NowOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Take back your local rule (recorded, not forgotten): atoz's rule pack applies again.

    Example: atoz policy unset US response_hours
    """
    from atoz.rule_changes import unset_rule as record

    s = session(ctx)
    moment = s.now(now, today)
    start = _from_day(effective_from, marketplace, moment)
    store = s.write(db)
    with store.transaction():
        change = record(store, marketplace, rule, start, moment)
    _report(change, s.terminal(), as_json)

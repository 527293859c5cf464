"""Commands for the claims themselves: window, add, list, status."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer

from atoz.cli.app import (
    DbOption,
    JsonOption,
    MarketplaceOption,
    NoColorOption,
    NoteOption,
    NowOption,
    OnOption,
    TodayOption,
    WideOption,
    app,
    session,
)
from atoz.cli.render import Column, note, out, print_json, print_table

if TYPE_CHECKING:
    from atoz.store import Store

DeliveredOption = Annotated[str | None, typer.Option(
    "--delivered-on", show_default=False,
    help="Day tracking confirmed the delivery (it can open the window earlier).")]
OdrOption = Annotated[str | None, typer.Option(
    "--odr", show_default=False,
    help="counted or not-counted: whether Amazon counts it toward your ODR (default: per "
         "the outcome; see atoz policy).")]
PaidByOption = Annotated[str | None, typer.Option(
    "--paid-by", show_default=False,
    help="seller, amazon or none: who paid the buyer (default: per the outcome).")]


@app.command()
def window(
    ctx: typer.Context,
    order_date: Annotated[str, typer.Option("--order-date", help="Order date.")],
    latest_delivery: Annotated[str, typer.Option(
        "--latest-delivery", help="Latest (maximum) estimated delivery date.")],
    delivered_on: DeliveredOption = None,
    claim_date: Annotated[str | None, typer.Option(
        "--claim-date", help="Say whether a claim on this day was early, in the window or "
                             "late.")] = None,
    marketplace: MarketplaceOption = None,
    db: DbOption = None,
    now: NowOption = None,
    today: TodayOption = None,
    wide: WideOption = False,
    as_json: JsonOption = False,
) -> None:
    """Compute the buyer's A-to-z filing window for an order, with the reason for each date.

    No database needed; your local rules (atoz policy set) apply when you have one.
    Example: atoz window --order-date 2026-01-01 --latest-delivery 2026-01-10 --delivered-on
    2026-01-08
    """
    from atoz.cli.render import say
    from atoz.dates import parse_date
    from atoz.facts import parse_day
    from atoz.policy import marketplace_code, packaged
    from atoz.serialize import window_json
    from atoz.windows import classify_filing, filing_window

    s = session(ctx)
    code = marketplace_code(marketplace) if marketplace else _default_marketplace() or "US"
    tz = packaged(code).tz
    moment = s.now(now, today)
    day = moment.today_in(tz)  # `today` and the rules in force are the marketplace's
    filed = parse_date(claim_date, "claim_date", today=day, tz=tz) if claim_date else None
    # The rules of a claim filed that day (or today), with the seller's local rules if a
    # database holds them; read only: no database is created for a calculation.
    policy = s.book(s.read_if_any(db)).policy(code, filed or day)
    w = filing_window(parse_date(order_date, "order_date", today=day, tz=tz),
                      parse_date(latest_delivery, "latest_delivery", today=day, tz=tz), policy,
                      parse_day(delivered_on, "delivered_on", moment, tz)
                      if delivered_on else None)
    if filed is not None and filed < w.order_date:
        from atoz.errors import InputError

        raise InputError("claim_date", claim_date or "", f"is before the order date "
                                                         f"{w.order_date}")
    filing = classify_filing(w, filed) if filed else None
    if as_json:
        print_json(window_json(w, filing))
        return
    term = s.terminal(wide=wide)
    say(f"Filing window for an order on {policy.name} ({policy.marketplace})", term)
    say(f"  opens  {w.opens}: {w.why_opens}", term, 9)
    say(f"  closes {w.closes}: {w.why_closes}", term, 9)
    if filing:
        say(f"  claim  {filing.describe(w)}", term, 9)
    local = ", ".join(f"{r.name} {r.value}" for r in policy.local_rules)
    say(f"Rules: {policy.policy_id} as of {policy.as_of}"
        + (f", with your local {local}" if local else ""), term, 7)
    say(f"  opening: {w.source_opens}", term, 11)
    say(f"  closing: {w.source_closes}", term, 11)


@app.command()
def add(
    ctx: typer.Context,
    order_id: Annotated[str, typer.Argument(help="Amazon order id, e.g. 113-1234567-1234567.")],
    order_date: Annotated[str | None, typer.Option("--order-date", help="Order date.")] = None,
    latest_delivery: Annotated[str | None, typer.Option(
        "--latest-delivery", help="Latest estimated delivery date.")] = None,
    delivered_on: DeliveredOption = None,
    claim_date: Annotated[str | None, typer.Option(
        "--claim-date", help="When the claim was filed, with the time Amazon's notice gives if "
                             "you have it ('2026-11-02 14:30', marketplace time). Default "
                             "today.")] = None,
    amount: Annotated[str | None, typer.Option("--amount", help="Amount claimed, e.g. 24.99.")
                      ] = None,
    currency: Annotated[str | None, typer.Option(
        "--currency", help="ISO currency (default: the marketplace's).")] = None,
    reason: Annotated[str | None, typer.Option(
        "--reason", help="not-received, not-as-described, return, refund or other (default).")
                      ] = None,
    marketplace: MarketplaceOption = None,
    buyer: Annotated[str | None, typer.Option("--buyer", help="Buyer's name, for drafts.")
                     ] = None,
    note_text: Annotated[str | None, typer.Option("--note", help="A note.")] = None,
    db: DbOption = None,
    now: NowOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Log a new A-to-z claim and schedule its playbook steps.

    With an imported order, the order id alone is enough; otherwise give the marketplace (or
    set ATOZ_MARKETPLACE once). Example: atoz add 113-1234567-1234567 -m US --order-date
    2026-10-01 --latest-delivery 2026-10-09 --claim-date "2026-10-20 14:30" --amount 24.99
    """
    from atoz.cli.views import deadline_text, filed_text
    from atoz.facts import fact_texts
    from atoz.intake import add_or_complete
    from atoz.serialize import added_json

    s = session(ctx)
    moment = s.now(now, today)
    store = s.write(db)
    given = {"order_id": order_id, "order_date": order_date,
             "latest_delivery": latest_delivery, "delivered_on": delivered_on,
             "claim_date": claim_date, "amount": amount, "currency": currency, "reason": reason,
             "marketplace": marketplace, "buyer": buyer, "note": note_text}
    with store.transaction():
        default = False
        if not marketplace:
            given["marketplace"], default = _marketplace_of(store, order_id)
        added = add_or_complete(store, s.book(store), given, moment,
                                marketplace_assumed=default)
    claim = added.claim
    if as_json:
        print_json(added_json(added, moment))
        return
    for line in added.notes:
        note(line)
    if added.completed:
        out(f"Order {claim.order_id} already had claim {claim.id}, from {added.completed}; "
            "completed it instead of adding another:")
        for field, (old, new) in added.changed.items():
            out(f"  {field}: {old or '-'} -> {new or '-'}")
        out(f"Next: atoz status {claim.id}")
        return
    out(f"Added claim {claim.id} for order {claim.order_id} ({claim.marketplace}), filed "
        f"{filed_text(claim, moment)}.")
    filled = fact_texts(claim.facts)
    for field, origin in added.filled_from.items():
        out(f"  {field} {filled.get(field) or '-'} from {origin}")
    if added.filing:
        w, filing = added.filing
        outside = (f" ({filing.days_outside} days outside; cite it to Amazon)"
                   if filing.days_outside else "")
        out(f"  window {w.opens} to {w.closes}: filed {filing.filed}{outside}")
    else:
        out("  window: cannot be computed without the order date and latest delivery; give "
            f"them with atoz edit {claim.id} --order-date D --latest-delivery D")
    out(f"  respond by {deadline_text(claim.response_deadline, claim.marketplace, moment)}")
    out(f"Next: atoz status {claim.id}")


def _marketplace_of(store: Store, order_id: str) -> tuple[str | None, bool]:
    """The marketplace of a claim added without --marketplace, and whether it is only the
    seller's default: the one atoz knows for the order (None lets the imported order fill it,
    or the claim Amazon's data created keep it), else ATOZ_MARKETPLACE (a seller with one store
    sets it once; a claim e-mail from another marketplace may correct it). Never a bare guess:
    a UK claim filed as a US one would get the wrong zone, currency and deadline."""
    from atoz.claims import marketplace_assumed
    from atoz.errors import InputError
    from atoz.orders import parse_order_id
    from atoz.policy import marketplaces

    oid = parse_order_id(order_id)
    if store.order(oid) is not None:
        return None, False
    claims = store.claims_for_order(oid)
    if claims:  # an earlier claim on the order: its marketplace, assumed or said
        return claims[-1].marketplace, marketplace_assumed(store.history(claims[-1].id))
    if default := _default_marketplace():
        return default, True
    raise InputError("marketplace", "", f"required: the marketplace the order is on, one of "
                                        f"{', '.join(marketplaces())} (or import the order "
                                        "first; with one store, set ATOZ_MARKETPLACE once)")


def _default_marketplace() -> str | None:
    """A seller with one store sets ATOZ_MARKETPLACE once."""
    from atoz.policy import marketplace_code

    default = os.environ.get("ATOZ_MARKETPLACE", "").strip()
    return marketplace_code(default, "ATOZ_MARKETPLACE") if default else None


@app.command("list")
def list_claims(
    ctx: typer.Context,
    open_only: Annotated[bool, typer.Option("--open", help="Only claims under review.")] = False,
    outcome: Annotated[str | None, typer.Option("--outcome", "--status",
                                                help="Only this outcome.")] = None,
    marketplace: MarketplaceOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10**9,
                                       help="At most this many claims, newest first.")] = 50,
    every: Annotated[bool, typer.Option("--all", help="Every claim, however many.")] = False,
    db: DbOption = None,
    now: NowOption = None,
    today: TodayOption = None,
    wide: WideOption = False,
    no_color: NoColorOption = False,
    as_json: JsonOption = False,
) -> None:
    """List claims, newest first (the 50 newest unless --limit or --all).

    Example: atoz list --open
    """
    from atoz.cli.views import amount_text, short_order
    from atoz.facts import parse_outcome
    from atoz.policy import marketplace_code
    from atoz.records import Outcome
    from atoz.serialize import claim_json

    s = session(ctx)
    outcomes = [Outcome.UNDER_REVIEW] if open_only else []
    if outcome:
        outcomes.append(parse_outcome(outcome))
    market = marketplace_code(marketplace) if marketplace else None
    moment = s.now(now, today)
    store = s.read(db)
    shown = store.claims(outcomes=outcomes, marketplace=market,
                         limit=None if every else limit + 1)
    more = not every and len(shown) > limit
    shown = shown[:limit] if more else shown
    if as_json:
        print_json([claim_json(c, moment) for c in shown])
        if more:
            note(f"The {limit} newest; --all for every claim.")
        return
    if not shown:
        note("No claims match." if store.has_claims() else
             "No claims yet: atoz add ORDER_ID ... or atoz import FILE.")
        return
    print_table(
        [[c.id, c.order_id, c.marketplace,
          c.facts.claim_date if c.facts.claim_date_known else "unknown", c.outcome.label,
          amount_text(c), c.facts.reason, c.facts.buyer or ""] for c in shown],
        [Column("claim", align="right"), Column("order", shorten=short_order, drop=1),
         Column("mkt"), Column("filed"), Column("outcome", drop=2),
         Column("amount", align="right", drop=3), Column("reason", drop=5),
         Column("buyer", drop=4)],
        s.terminal(wide=wide, no_color=no_color))
    if more:
        note(f"The {limit} newest; --limit N or --all for more.")


@app.command()
def status(
    ctx: typer.Context,
    claim: Annotated[str, typer.Argument(help="Claim number, or its order id.")],
    outcome: Annotated[str | None, typer.Argument(
        help="Record a new outcome: under-review, granted-seller-funded, granted-amazon-funded, "
             "refunded, denied, withdrawn or cancelled.")] = None,
    on: OnOption = None,
    odr: OdrOption = None,
    payer: PaidByOption = None,
    note_text: NoteOption = None,
    correct: Annotated[bool, typer.Option(
        "--correct", help="The outcome in force was recorded by mistake: this one, dated "
                          "before it, takes its place (history keeps both).")] = False,
    db: DbOption = None,
    now: NowOption = None,
    today: TodayOption = None,
    wide: WideOption = False,
    no_color: NoColorOption = False,
    as_json: JsonOption = False,
) -> None:
    """Show a claim's whole picture, or record its new outcome.

    Examples: atoz status 1;  atoz status 1 denied --on 2026-10-28 --note "tracking shows
    delivered";  atoz status 5 granted-seller-funded --odr not-counted --note "Amazon: not
    counted, debited"
    """
    from atoz.claims import day_on, find_claim, moments, moved_between, picture, record_outcome
    from atoz.cli.views import show_picture
    from atoz.errors import InputError
    from atoz.facts import parse_choice, parse_odr, parse_outcome
    from atoz.records import Payer
    from atoz.serialize import decided_json, picture_json

    s = session(ctx)
    moment = s.now(now, today)
    if outcome is None:
        if on or note_text or odr or payer or correct:
            raise InputError("outcome", "", "--on, --odr, --paid-by, --note and --correct go "
                                            "with an outcome, e.g. atoz status 1 denied --on "
                                            "DATE")
        store = s.read(db)
        found = find_claim(store, claim)
        p = picture(store, s.book(store), found)
        if as_json:
            print_json(picture_json(p, moment))
        else:
            show_picture(p, moment, s.terminal(wide=wide, no_color=no_color))
        return
    chosen = parse_outcome(outcome)
    store = s.write(db)
    book = s.book(store)
    with store.transaction():
        found = find_claim(store, claim)
        when = day_on(on, moment, found)
        before = moments(found, store.steps(found.id), book)
        updated = record_outcome(
            store, book, found.id, chosen, when, moment,
            payer=parse_choice(payer, Payer, "payer") if payer else None,
            odr=parse_odr(odr) if odr else None, note=note_text, correction=correct)
        moved = moved_between(before, moments(updated, store.steps(updated.id), book))
    if as_json:
        print_json(decided_json(picture(store, book, updated), moved, moment))
        return
    note(f"Claim {updated.id}: {updated.outcome} on {when} (paid by {updated.payer or '-'}, "
         f"ODR {updated.odr}).")
    for name, (old, new) in moved.items():
        note(f"  {name}: {old} -> {new}")
    show_picture(picture(store, book, updated), moment, s.terminal(wide=wide,
                                                                   no_color=no_color))

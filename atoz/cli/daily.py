"""The daily routine: what is due, marking steps done or skipped, correcting a claim, and
recording an appeal's result."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

import typer

from atoz.cli.app import (
    DbOption,
    JsonOption,
    NoColorOption,
    NoteOption,
    NowOption,
    OnOption,
    TodayOption,
    WideOption,
    app,
    session,
)
from atoz.cli.render import named, note, out, print_json, print_table, say

MISSED_SHOWN = 10  # missed steps listed in the table; --json has them all
ClaimArg = Annotated[str, typer.Argument(help="Claim number, or its order id.")]
StepArg = Annotated[str, typer.Argument(
    help="contact, follow-up, represent, answer-request or appeal.")]


@app.command("due-today")
def due_today(
    ctx: typer.Context,
    ahead: Annotated[int, typer.Option("--ahead", min=0, max=366,
                                       help="Also show what falls due in the next N days.")] = 0,
    fail_if_overdue: Annotated[bool, typer.Option(
        "--fail-if-overdue", help="Exit 3 when a step is overdue or missed and not skipped "
                                  "(for cron).")] = False,
    db: DbOption = None,
    now: NowOption = None,
    today: TodayOption = None,
    wide: WideOption = False,
    no_color: NoColorOption = False,
    as_json: JsonOption = False,
) -> None:
    """Show every step due today (yours), overdue or missed, most urgent first.

    Deadlines show in your zone (ATOZ_TZ) with the marketplace's time beside them.
    Example: ATOZ_TZ=Asia/Shanghai atoz due-today --ahead 2
    """
    from atoz.agenda import MISSED_LOOKBACK_DAYS, agenda
    from atoz.cli.views import (
        STEP_COLUMNS,
        appeals_note,
        deadline_text,
        no_time_hint,
        step_rows,
    )
    from atoz.playbook import NO_TIME_HINT
    from atoz.serialize import item_json

    s = session(ctx)
    moment = s.now(now, today)
    day = agenda(s.read(db), moment, ahead)
    if as_json:
        print_json([item_json(i, moment) for i in [*day.items, *day.awaiting, *day.missed]])
    else:
        term = s.terminal(wide=wide, no_color=no_color)
        local = f"{moment.at.astimezone(moment.zone):%Y-%m-%d %H:%M} {moment.zone_name}"
        reasons: list[str] = []
        if day.items:
            horizon = f" and the next {ahead} days" if ahead else ""
            print_table(step_rows(day.items, moment, reasons), STEP_COLUMNS, term,
                        title=f"Due today{horizon} (as of {local}): {len(day.items)} step(s), "
                              f"{len(day.overdue)} overdue")
            say("Draft the message: atoz draft CLAIM STEP; then: atoz done CLAIM STEP", term)
        else:
            upcoming = "" if day.appeals_later else " No open steps."
            if day.next_step:
                nxt, step = day.next_step
                upcoming = (f" Next: {step.name} for claim {nxt.id} (order {nxt.order_id}), due "
                            f"{step.due} {nxt.marketplace}, deadline "
                            f"{deadline_text(step.deadline, nxt.marketplace, moment)}.")
            say(f"Nothing due today (as of {local}).{upcoming}", term)
        if day.appeals_later:
            say(appeals_note(day.appeals_later, moment), term)
        if day.awaiting:
            say("", term)
            print_table(step_rows(day.awaiting, moment, reasons), STEP_COLUMNS, term,
                        title=f"Awaiting Amazon's decision: {len(day.awaiting)} claim(s) past "
                              "their response deadline")
        if day.filing_unknown:
            ids = named([c.id for c in day.filing_unknown])
            say("", term)
            say(f"Filing date unknown for claim(s) {ids} (under review): no response "
                "deadline can be counted; set it with atoz edit CLAIM --claim-date DATE", term)
        if day.missed:
            say("", term)
            shown = day.missed[:MISSED_SHOWN]
            more = f"; the {MISSED_SHOWN} most recent" if len(day.missed) > MISSED_SHOWN else ""
            print_table(step_rows(shown, moment, reasons), STEP_COLUMNS, term,
                        title=f"Missed: {len(day.missed)} step(s) whose deadline passed in the "
                              f"last {MISSED_LOOKBACK_DAYS} days{more}")
            if more:
                say("All of them: atoz due-today --json", term)
            say("Acknowledge a step that will not be done: atoz skip CLAIM STEP --note WHY", term)
        for number, reason in enumerate(reasons, start=1):
            say(f"[{number}] {reason}", term, 4)
        if no_time_hint(reasons):
            say(NO_TIME_HINT, term)
    if fail_if_overdue and day.failing:
        note(f"{len(day.overdue)} step(s) overdue, {len(day.missed)} missed")
        raise typer.Exit(3)


def _mark(ctx: typer.Context, claim: str, step: str, on: str | None, note_text: str | None,
          db: Any, now: str | None, today: str | None, as_json: bool, skip: bool) -> None:
    from atoz.claims import day_on, find_claim, mark_step
    from atoz.records import HistoryKind
    from atoz.serialize import marked_json

    s = session(ctx)
    moment = s.now(now, today)
    store = s.write(db)
    with store.transaction():
        found = find_claim(store, claim)
        when = day_on(on, moment, found)
        updated, marked = mark_step(store, s.book(store), found.id, step, when, moment,
                                    note_text, HistoryKind.SKIP if skip else HistoryKind.DONE)
    if as_json:
        print_json(marked_json(updated, marked, moment))
        return
    out(f"Claim {updated.id}: {marked.name} {'skipped' if skip else 'done'} on {when}.")


@app.command()
def done(
    ctx: typer.Context,
    claim: ClaimArg,
    step: StepArg,
    on: OnOption = None,
    note_text: NoteOption = None,
    db: DbOption = None,
    now: NowOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a playbook step as done.

    Example: atoz done 1 contact --note "asked the buyer to check with neighbours"
    """
    _mark(ctx, claim, step, on, note_text, db, now, today, as_json, skip=False)


@app.command()
def skip(
    ctx: typer.Context,
    claim: ClaimArg,
    step: StepArg,
    on: OnOption = None,
    note_text: NoteOption = None,
    db: DbOption = None,
    now: NowOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a step as deliberately not done (kept in history; it stops alerting cron).

    `atoz skip all missed` acknowledges every missed step due-today lists.
    Example: atoz skip 4 appeal --note "the refund was small; not appealing"
    """
    if claim.strip().lower() == "all":
        _skip_missed(ctx, step, on, note_text, db, now, today, as_json)
        return
    _mark(ctx, claim, step, on, note_text, db, now, today, as_json, skip=True)


def _skip_missed(ctx: typer.Context, step: str, on: str | None, note_text: str | None,
                 db: Any, now: str | None, today: str | None, as_json: bool) -> None:
    from atoz.agenda import skip_missed
    from atoz.errors import InputError
    from atoz.serialize import marked_json

    if step.strip().lower() != "missed":
        raise InputError("step", step, "with CLAIM 'all' only 'missed' is accepted: atoz skip "
                                       "all missed")
    if on:
        raise InputError("on", on, "not with 'all missed': each is skipped today")
    s = session(ctx)
    moment = s.now(now, today)
    store = s.write(db)
    with store.transaction():
        marked = skip_missed(store, s.book(store), moment, note_text)
    if as_json:
        print_json([marked_json(claim, step_, moment) for claim, step_ in marked])
        return
    say(f"Skipped {len(marked)} missed step(s)"
        + (": " + ", ".join(f"claim {c.id} {st.name}" for c, st in marked) if marked else "."),
        s.terminal(wide=False, no_color=False), hang=2)


@app.command()
def edit(
    ctx: typer.Context,
    claim: ClaimArg,
    order_date: Annotated[str | None, typer.Option("--order-date", help="Order date.")] = None,
    latest_delivery: Annotated[str | None, typer.Option(
        "--latest-delivery", help="Latest estimated delivery date.")] = None,
    delivered_on: Annotated[str | None, typer.Option(
        "--delivered-on", help="Day tracking confirmed the delivery.")] = None,
    claim_date: Annotated[str | None, typer.Option(
        "--claim-date", help="Claim date, with its time if known ('2026-11-02 14:30').")
                          ] = None,
    amount: Annotated[str | None, typer.Option("--amount", help="Amount claimed.")] = None,
    currency: Annotated[str | None, typer.Option("--currency", help="ISO currency.")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Claim reason.")] = None,
    marketplace: Annotated[str | None, typer.Option("--marketplace", "-m",
                                                    help="Marketplace code.")] = None,
    buyer: Annotated[str | None, typer.Option("--buyer", help="Buyer's name.")] = None,
    note_text: Annotated[str | None, typer.Option("--note", help="The claim's note.")] = None,
    decided_on: Annotated[str | None, typer.Option(
        "--decided-on", help="Correct the day of the decision in force.")] = None,
    odr: Annotated[str | None, typer.Option(
        "--odr", help="counted or not-counted: correct whether the decision counts toward "
                      "ODR.")] = None,
    payer: Annotated[str | None, typer.Option(
        "--paid-by", help="seller, amazon or none: correct who paid.")] = None,
    why: Annotated[str | None, typer.Option("--why", help="Why, kept in the history.")] = None,
    db: DbOption = None,
    now: NowOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Correct a claim's facts or its decision; every date that moves is shown old -> new.

    Example: atoz edit 1 --claim-date "2026-11-02 14:30";  atoz edit 5 --odr counted
    """
    from atoz.claims import edit_claim, find_claim
    from atoz.errors import InputError
    from atoz.policy import currency_after_move, marketplace_code
    from atoz.serialize import edited_json

    s = session(ctx)
    moment = s.now(now, today)
    store = s.write(db)
    changes = {"order_date": order_date, "latest_delivery": latest_delivery,
               "delivered_on": delivered_on, "claim_date": claim_date, "amount": amount,
               "currency": currency, "reason": reason, "marketplace": marketplace,
               "buyer": buyer, "note": note_text, "decided_on": decided_on, "odr": odr,
               "payer": payer}
    notes = []
    with store.transaction():
        # Read inside the write transaction: a concurrent edit is never lost.
        found = find_claim(store, claim)
        old = found.facts.currency
        switched = currency_after_move(old, found.marketplace, marketplace_code(marketplace)) \
            if marketplace and not currency else None
        if switched:
            changes["currency"] = switched
            notes.append(f"The currency follows the marketplace: {old} -> {switched} (give "
                         "--currency to keep another).")
        try:
            result = edit_claim(store, s.book(store), found.id, changes, moment, note=why)
        except InputError as exc:
            if switched and exc.field == "amount" and not amount:  # 24.99 is no JPY amount
                raise InputError("currency", switched, f"follows the marketplace, but the "
                                 f"claim's amount ({exc.value} {old}) is not a {switched} "
                                 f"amount; give --amount in {switched}, or --currency {old} "
                                 "to keep it") from None
            raise
    result = replace(result, notes=[*result.notes, *notes])
    if as_json:
        print_json(edited_json(result, moment))
        return
    for line in result.notes:
        note(line)
    out(f"Claim {result.claim.id} corrected:")
    for field, (old, new) in result.changed.items():
        out(f"  {field}: {old or '-'} -> {new or '-'}")
    if result.moved:
        out("Dates that moved:")
        for name, (old, new) in result.moved.items():
            out(f"  {name}: {old} -> {new}")
    else:
        out("No computed date moved.")


@app.command("appeal-result")
def appeal_result(
    ctx: typer.Context,
    claim: ClaimArg,
    result: Annotated[str, typer.Argument(help="won or lost.")],
    reversed_facts: Annotated[str, typer.Option(
        "--reversed", help="What a won appeal reversed: both (default), money or odr.")
    ] = "both",
    on: OnOption = None,
    note_text: NoteOption = None,
    db: DbOption = None,
    now: NowOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record the result of an appeal of a seller-funded grant.

    Amazon: "either the cost of the refund or the impact to your ODR may be reversed".
    Example: atoz appeal-result 5 won --reversed odr --note "debit stays, ODR cleared"
    """
    from atoz.claims import day_on, find_claim, record_appeal_result
    from atoz.errors import InputError
    from atoz.serialize import claim_json

    verdict = result.strip().lower()
    if verdict not in ("won", "lost"):
        raise InputError("result", result, "use won or lost")
    choice = reversed_facts.strip().lower()
    facts = {"both": ["money", "odr"], "money": ["money"], "odr": ["odr"]}.get(choice)
    if facts is None:
        raise InputError("reversed_facts", reversed_facts, "use both, money or odr")
    s = session(ctx)
    moment = s.now(now, today)
    store = s.write(db)
    with store.transaction():
        found = find_claim(store, claim)
        when = day_on(on, moment, found)
        updated = record_appeal_result(store, s.book(store), found.id, verdict == "won", facts,
                                       when, moment, note_text)
    if as_json:
        print_json(claim_json(updated, moment))
        return
    out(f"Claim {updated.id}: appeal {verdict} on {when}; now paid by {updated.payer}, ODR "
        f"{updated.odr}.")

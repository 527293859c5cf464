"""The daily routine: what is due today, marking steps done, and correcting a claim."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from atoz.cli import DbOption, JsonOption, TodayOption, app, get_today, open_store
from atoz.cli.claims import NoteOption, OnOption
from atoz.cli.data import DEMO_STEPS
from atoz.render import note, out, print_json, print_table

MISSED_SHOWN = 10  # missed steps listed in the table; --json has them all


@app.command("due-today")
def due_today(
    ahead: Annotated[int, typer.Option("--ahead", min=0, max=366,
                                       help="Also show what falls due in the next N days.")] = 0,
    fail_if_overdue: Annotated[bool, typer.Option(
        "--fail-if-overdue", help="Exit 3 when anything is overdue (for cron alerts).")] = False,
    db: DbOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show every open step due today (or overdue), most urgent first.

    Example: atoz due-today --ahead 2
    """
    from atoz.agenda import MISSED_LOOKBACK_DAYS, due_steps, missed_steps, next_step

    day = get_today(today)
    store = open_store(db)
    items = due_steps(store, day, ahead)
    missed = missed_steps(store, day)
    overdue = sum(1 for item in items if item["overdue_days"])
    if as_json:
        print_json(items + missed)
    else:
        if not items:
            coming = next_step(store, day)
            upcoming = (f" Next: {coming['step']} for claim {coming['claim_id']} "
                        f"(order {coming['order_id']}) on {coming['due']}." if coming
                        else " No open steps at all.")
            out(f"Nothing due on {day}." + upcoming)
        else:
            horizon = f" (and the next {ahead} days)" if ahead else ""
            _steps_table(items, f"Due on {day}{horizon}: {len(items)} step(s), {overdue} overdue")
            out("Draft the message: atoz draft CLAIM STEP; then mark it: atoz done CLAIM STEP")
        if missed:
            out("")
            # The most recently missed first, and only a few: the day's work comes first.
            latest = sorted(missed, key=lambda i: i["deadline"], reverse=True)
            shown = latest[:MISSED_SHOWN]
            more = (f"; the {MISSED_SHOWN} most recent" if len(missed) > MISSED_SHOWN else "")
            _steps_table(shown, f"Missed: {len(missed)} step(s) whose hard deadline passed in "
                                f"the last {MISSED_LOOKBACK_DAYS} days{more}")
            if more:
                out("All of them: atoz due-today --json")
            out("Record what Amazon decided: atoz status CLAIM OUTCOME")
    if fail_if_overdue and (overdue or missed):
        note(f"{overdue} step(s) overdue, {len(missed)} missed")
        raise typer.Exit(3)


def _steps_table(items: list[dict[str, Any]], title: str) -> None:
    """The steps, one line each; why a due date was moved goes into a numbered note below, so
    the table stays narrow enough for a terminal."""
    from atoz.playbook import NO_TIME, NO_TIME_HINT, show_deadline

    reasons: list[str] = []
    rows = []
    for i in items:
        due = i["due"]
        if i["moved"]:
            if i["moved"] not in reasons:
                reasons.append(i["moved"])
            due += f" [{reasons.index(i['moved']) + 1}]"
        rows.append([i["claim_id"], i["order_id"], i["step"], due, show_deadline(i["deadline"]),
                     "missed" if i["missed"] else i["time_left"],
                     f"{i['amount'] or ''} {i['currency']}".strip(), i["what"]])
    print_table(rows, ["claim", "order", "step", "due", "deadline", "left", "amount",
                       "what to do"], title=title)
    for number, reason in enumerate(reasons, start=1):
        out(f"[{number}] {reason}")
    if any(NO_TIME in reason for reason in reasons):
        out(NO_TIME_HINT)


@app.command()
def done(
    claim: Annotated[str, typer.Argument(help="Claim id, or its order id.")],
    step: Annotated[str, typer.Argument(help="contact, follow-up, represent or appeal.")],
    on: OnOption = None,
    note_text: NoteOption = None,
    db: DbOption = None,
    today: TodayOption = None,
) -> None:
    """Record a playbook step as done.

    Example: atoz done 1 contact --note "asked the buyer to check with neighbours"
    """
    from atoz.claims import find_claim, mark_done, not_future
    from atoz.dates import parse_date

    day = get_today(today)
    store = open_store(db)
    found = find_claim(store, claim)
    when = parse_date(on, "--on", today=day) if on else day
    not_future(when, day, "--on", on)
    with store.transaction():
        mark_done(store, found, step.strip().lower(), when, note_text)
    out(f"Claim {found.id}: {step} done on {when}.")


@app.command()
def edit(
    claim: Annotated[str, typer.Argument(help="Claim id, or its order id.")],
    order_date: Annotated[str | None, typer.Option("--order-date", help="Order date.")] = None,
    latest_delivery: Annotated[str | None, typer.Option(
        "--latest-delivery", help="Latest estimated delivery date.")] = None,
    claim_date: Annotated[str | None, typer.Option(
        "--claim-date", help="Claim date, optionally with its time ('2026-11-02 14:30').")
                          ] = None,
    amount: Annotated[str | None, typer.Option("--amount", help="Amount claimed.")] = None,
    currency: Annotated[str | None, typer.Option("--currency", help="ISO currency.")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Claim reason.")] = None,
    marketplace: Annotated[str | None, typer.Option("--marketplace", "-m",
                                                    help="Marketplace code.")] = None,
    buyer: Annotated[str | None, typer.Option("--buyer", help="Buyer's name.")] = None,
    note_text: Annotated[str | None, typer.Option("--note", help="The claim's note.")] = None,
    db: DbOption = None,
    today: TodayOption = None,
) -> None:
    """Correct a claim's facts; every date that depends on them is recomputed and shown.

    Example: atoz edit 1 --claim-date "2026-11-02 14:30"
    """
    from atoz.claims import edit_claim, find_claim

    day = get_today(today)
    store = open_store(db)
    found = find_claim(store, claim)
    changes = {"order_date": order_date, "latest_delivery": latest_delivery,
               "claim_date": claim_date, "amount": amount, "currency": currency,
               "reason": reason, "marketplace": marketplace, "buyer": buyer, "note": note_text}
    with store.transaction():
        updated, changed, moved = edit_claim(store, found, changes, today=day)
    out(f"Claim {updated.id} corrected:")
    for field, (old, new) in changed.items():
        out(f"  {field}: {old or '-'} -> {new or '-'}")
    if moved:
        out("Dates that moved:")
        for name, (old, new) in moved.items():
            out(f"  {name}: {old.replace('T', ' ')} -> {new.replace('T', ' ')}")
    else:
        out("No computed date moved.")


def _demo_due(db: Path, today: str) -> None:
    due_today(db=db, today=today)


DEMO_STEPS.append(("due-today", _demo_due))

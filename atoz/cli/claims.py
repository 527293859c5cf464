"""Commands for the claims themselves: window, add, list, status, done, edit, policy, info."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from atoz.cli import (
    DbOption,
    JsonOption,
    MarketplaceOption,
    TodayOption,
    app,
    get_today,
    open_store,
)
from atoz.render import note, out, print_json, print_table

OnOption = Annotated[str | None, typer.Option("--on", help="Date it happened (default today).")]
NoteOption = Annotated[str | None, typer.Option("--note", help="A note kept in the history.")]


@app.command()
def window(
    order_date: Annotated[str, typer.Option("--order-date", help="Order date.")],
    latest_delivery: Annotated[str, typer.Option("--latest-delivery",
                                                 help="Latest estimated delivery date.")],
    claim_date: Annotated[str | None, typer.Option("--claim-date",
                                                   help="Say if a claim on this date was "
                                                        "early, in the window or late.")] = None,
    marketplace: MarketplaceOption = "US",
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Compute the buyer's A-to-z filing window for an order, with the reason for each date.

    Example: atoz window --order-date 2026-01-01 --latest-delivery 2026-01-10
    """
    from atoz.dates import parse_date
    from atoz.policy import get_policy
    from atoz.windows import classify_filing, filing_window

    policy = get_policy(marketplace)
    day = get_today(today)
    w = filing_window(parse_date(order_date, "order_date", today=day, tz=policy.tz),
                      parse_date(latest_delivery, "latest_delivery", today=day, tz=policy.tz),
                      policy)
    filing = (classify_filing(w, parse_date(claim_date, "claim_date", today=day, tz=policy.tz))
              if claim_date else None)
    if as_json:
        print_json({**w.to_dict(), **(filing.to_dict() if filing else {})})
        return
    out(f"Filing window for an order on {policy.name} ({policy.marketplace})")
    out(f"  opens  {w.opens}: {w.why_opens}")
    out(f"  closes {w.closes}: {w.why_closes}")
    if filing:
        out(f"  claim  {filing.describe(w)}")
    out(f"Rule: {policy.policy_id} as of {policy.as_of}; source "
        f"{policy.rules['window_opens_after_delivery'].source}")


@app.command()
def add(
    order_id: Annotated[str, typer.Argument(help="Amazon order id, e.g. 113-1234567-1234567.")],
    order_date: Annotated[str | None, typer.Option("--order-date", help="Order date.")] = None,
    latest_delivery: Annotated[str | None, typer.Option(
        "--latest-delivery", help="Latest estimated delivery date.")] = None,
    claim_date: Annotated[str | None, typer.Option(
        "--claim-date", help="When the claim was filed, optionally with a time "
                             "('2026-11-02 14:30', marketplace time). Default today.")] = None,
    amount: Annotated[str | None, typer.Option("--amount", help="Amount claimed, e.g. 24.99.")
                      ] = None,
    currency: Annotated[str | None, typer.Option(
        "--currency", help="ISO currency (default: the marketplace's).")] = None,
    reason: Annotated[str | None, typer.Option(
        "--reason", help="not-received, not-as-described, return, refund or other (default).")
                      ] = None,
    marketplace: Annotated[str | None, typer.Option(
        "--marketplace", "-m", help="Marketplace code (default US, or the imported order's).")
                           ] = None,
    buyer: Annotated[str | None, typer.Option("--buyer", help="Buyer's name, for drafts.")
                     ] = None,
    note_text: Annotated[str | None, typer.Option("--note", help="A note.")] = None,
    db: DbOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Log a new A-to-z claim and schedule its playbook steps.

    Example: atoz add 113-1234567-1234567 --order-date 2026-10-01 --latest-delivery 2026-10-09
    --claim-date 2026-10-20 --amount 24.99 --reason not-received
    """
    from atoz.claims import (
        add_claim,
        build_claim,
        complete_finance_claim,
        parse_order_id,
        picture,
    )
    from atoz.playbook import show_deadline

    day = get_today(today)
    store = open_store(db, create=True)
    given = {"order_id": order_id, "order_date": order_date, "latest_delivery": latest_delivery,
             "claim_date": claim_date, "amount": amount, "currency": currency, "reason": reason,
             "marketplace": marketplace, "buyer": buyer, "note": note_text}
    # One transaction: an order whose claim came from finance data gets that claim completed;
    # any other gets a new claim.
    sources: dict[str, str] = {}
    with store.transaction():
        completed = complete_finance_claim(store, parse_order_id(order_id), given, today=day,
                                           source="manual")
        if not completed:
            sources = fill_from_order(store, given)
            row = build_claim(given, today=day)
            claim = add_claim(store, row)
    if completed:
        claim, changed = completed
    if as_json:
        print_json(picture(store, claim, day))
        return
    if completed:
        out(f"Order {claim.row['order_id']} already had claim {claim.id}, created from Amazon's "
            "finance data (which has no filing date); completed it instead of adding another:")
        for field, (old, new) in changed.items():
            out(f"  {field}: {old or '-'} -> {new or '-'}")
        out(f"Next: atoz status {claim.id}")
        return
    w = claim.window_dict()
    out(f"Added claim {claim.id} for order {claim.row['order_id']} ({claim.row['marketplace']}), "
        f"filed {claim.row['claim_date']}.")
    for field, origin in sources.items():
        out(f"  {field} {claim.row[field]} from {origin}")
    out(f"  window {w['opens']} to {w['closes']}: filed {w['filed']}"
        + (f" ({w['days_outside']} days outside; cite it to Amazon)" if w["days_outside"] else ""))
    out(f"  respond to Amazon by {show_deadline(claim.response_deadline())} "
        f"({claim.row['marketplace']} time)")
    out(f"Next: atoz status {claim.id}")


def fill_from_order(store: Any, given: dict[str, str | None]) -> dict[str, str]:
    """Fill the fields the seller left out from an imported order; say where each came from."""
    from atoz.claims import parse_order_id

    order = store.order(parse_order_id(given["order_id"] or ""))
    if order is None:
        missing = [name for name in ("order_date", "latest_delivery") if not given[name]]
        if missing:
            from atoz.errors import InputError

            imported = store.counts()["orders"]
            if imported:  # most likely a typo in the order id
                raise InputError("order_id", given["order_id"],
                                 f"not among the {imported} imported orders; check the id, or "
                                 "give --order-date and --latest-delivery")
            raise InputError(missing[0], "", "required: give it, or import the order first "
                                             "(atoz import ORDERS_FILE)")
        return {}
    mapping = {"order_date": "purchase_date", "latest_delivery": "latest_delivery",
               "amount": "total", "currency": "currency", "marketplace": "marketplace"}
    sources = {}
    for field, column in mapping.items():
        if not given[field] and order[column]:
            given[field] = order[column]
            sources[field] = f"imported order ({order['source_file']})"
    if not given["latest_delivery"]:
        from atoz.errors import InputError

        raise InputError("latest_delivery", "", f"order {order['order_id']} has no delivery "
                         "promise in Amazon's data, so its window cannot be computed; give "
                         "--latest-delivery")
    return sources


@app.command("list")
def list_claims(
    open_only: Annotated[bool, typer.Option("--open", help="Only claims under review.")] = False,
    status: Annotated[str | None, typer.Option("--status", help="Only this outcome.")] = None,
    marketplace: Annotated[str | None, typer.Option("--marketplace", "-m",
                                                    help="Only this marketplace.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, max=10**9,
                                              help="At most this many rows.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List claims, newest first.

    Example: atoz list --open
    """
    from atoz.claims import Claim
    from atoz.outcomes import LABELS, UNDER_REVIEW, parse_outcome
    from atoz.policy import get_policy

    statuses = [UNDER_REVIEW] if open_only else []
    if status:
        statuses.append(parse_outcome(status))
    market = get_policy(marketplace).marketplace if marketplace else None
    store = open_store(db)
    rows = [Claim(r) for r in store.claims(statuses=statuses, marketplace=market, limit=limit)]
    if as_json:
        print_json([c.summary() for c in rows])
        return
    if not rows:
        note("No claims match." if store.counts()["claims"] else
             "No claims yet: atoz add ORDER_ID ... or atoz import FILE.")
        return
    print_table(
        [[c.id, c.row["order_id"], c.row["marketplace"], c.row["claim_date"],
          LABELS[c.status], c.row["amount"] or "", c.row["currency"], c.row["reason"],
          c.row["buyer"] or ""] for c in rows],
        ["id", "order", "mkt", "filed", "outcome", "amount", "cur", "reason", "buyer"])


@app.command()
def status(
    claim: Annotated[str, typer.Argument(help="Claim id, or its order id.")],
    outcome: Annotated[str | None, typer.Argument(
        help="Record a new outcome: under-review, granted-seller-funded, granted-amazon-funded, "
             "refunded, denied, withdrawn or cancelled.")] = None,
    on: OnOption = None,
    note_text: NoteOption = None,
    db: DbOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a claim's whole picture, or record its new outcome.

    Examples: atoz status 1;  atoz status 1 denied --on 2026-10-28 --note "tracking shows
    delivered"
    """
    from atoz.claims import find_claim, not_future, picture, set_outcome
    from atoz.dates import parse_date

    day = get_today(today)
    store = open_store(db)
    found = find_claim(store, claim)
    if outcome is not None:
        when = parse_date(on, "--on", today=day) if on else day
        not_future(when, day, "--on", on)
        before = {s["step"]: s for s in store.steps(found.id)}
        with store.transaction():
            found = set_outcome(store, found, outcome, when, note_text)
        note(f"Claim {found.id}: {found.status} on {when}.")
        for step in store.steps(found.id):
            old = before.get(step["step"])
            for key in ("state", "due", "deadline"):
                if old and old[key] != step[key]:
                    note(f"  {step['step']} {key}: {old[key]} -> {step[key]}")
    elif on or note_text:
        from atoz.errors import InputError

        raise InputError("outcome", "", "--on and --note go with an outcome, e.g. "
                                        f"atoz status {found.id} denied --on DATE")
    data = picture(store, found, day)
    if as_json:
        print_json(data)
        return
    show_picture(data, day)


def show_picture(data: dict[str, Any], day: Any) -> None:
    from atoz.outcomes import LABELS
    from atoz.playbook import NO_TIME, NO_TIME_HINT, WHAT_TO_DO, show_deadline

    w = data["window"]
    odr = {True: "yes", False: "no", None: "pending (no decision yet)"}[data["odr"]]
    out(f"Claim {data['id']}  order {data['order_id']}  ({data['marketplace']})")
    out(f"  outcome          {LABELS[data['status']]} (since {data['status_on']}); "
        f"counts toward ODR: {odr}")
    out(f"  order date       {data['order_date']}")
    out(f"  latest delivery  {data['latest_delivery']}")
    filed_at = data["claim_date"] + (f" {data['claim_time']}" if data["claim_time"] else "")
    if data["source"] == "finance":
        filed_at += (" (not the real filing date: Amazon's finance data has only the debit date;"
                     f" give it with atoz edit {data['id']} --claim-date DATE)")
    out(f"  claim filed      {filed_at}  ({data['reason']}"
        + (f", {data['amount']} {data['currency']}" if data["amount"] else "")
        + (f", buyer {data['buyer']}" if data["buyer"] else "") + ")")
    out(f"  window opens     {w['opens']}: {w['why']['opens']}")
    out(f"  window closes    {w['closes']}: {w['why']['closes']}")
    outside = f" ({w['days_outside']} days outside the window)" if w["days_outside"] else ""
    filed = "unknown (no filing date)" if data["source"] == "finance" else w["filed"] + outside
    out(f"  filed            {filed}")
    out(f"  respond by       {show_deadline(data['response_deadline'])} "
        f"({data['marketplace']} time)")
    if data["note"]:
        out(f"  note             {data['note']}")
    if data["steps"]:
        out("")
        rows = []
        for s in data["steps"]:
            state = s["state"]
            if state == "done":
                state = f"done {s['done_on']}"
            elif state == "open" and s["overdue_days"]:
                state = f"OVERDUE {s['overdue_days']}d"
            rows.append([s["step"], state, s["due"], show_deadline(s["deadline"]),
                         s["moved"] or (WHAT_TO_DO[s["step"]] if s["state"] == "open" else "")])
        print_table(rows, ["step", "state", "due", "deadline", "what / why"], title="Steps")
        if any(NO_TIME in (s["moved"] or "") for s in data["steps"]):
            out(NO_TIME_HINT.replace("CLAIM", str(data["id"])))
    out("")
    hist = []
    for h in data["history"]:
        what = {"status": lambda h: LABELS[h["status"]],
                "done": lambda h: f"{h['step']} done",
                "edit": lambda h: "edited " + ", ".join(
                    f"{k} {v['old'] or '-'} -> {v['new'] or '-'}"
                    for k, v in (h["detail"] or {}).items()),
                }[h["kind"]](h)
        hist.append([h["on"], what, h["note"] or "", h["recorded_at"][:16].replace("T", " ")])
    print_table(hist, ["on", "what", "note", "recorded (UTC)"], title="History")

"""Commands over the imported orders: the exposure forecast."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from atoz.cli import DbOption, JsonOption, TodayOption, app, get_today, open_store
from atoz.cli.data import DEMO_STEPS
from atoz.render import note, out, print_json, print_table


@app.command("exposure")
def exposure_command(
    db: DbOption = None,
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show how many imported orders can still turn into A-to-z claims, and when each risk ends.

    Orders whose filing window has not closed: not yet claimable, claimable now, and per week
    how many leave the window, with their value per currency.
    Example: atoz import orders.tsv && atoz exposure
    """
    from atoz.exposure import exposure, horizon

    day = get_today(today)
    store = open_store(db)
    since = horizon(day).isoformat()
    result = exposure(store.recent_orders(since, since), day, store.claimed_order_ids())
    if as_json:
        print_json(result.to_dict())
        return
    show_exposure(result.to_dict(), empty=not store.counts()["orders"])


def _value(tally: dict[str, Any]) -> str:
    from atoz.money import fmt_totals

    return fmt_totals(tally["value"]) if tally["value"] else ""


def show_exposure(data: dict[str, Any], *, empty: bool = False) -> None:
    if empty:
        note("No orders imported yet: atoz import ORDERS_FILE (an Amazon order report or "
             "SP-API orders JSON).")
        return
    promise = data["no_delivery_promise"]
    left = data["left_out"]
    print_table(
        [["window still open", data["open"]["orders"], _value(data["open"])],
         ["of which not yet claimable", data["not_yet_claimable"]["orders"],
          _value(data["not_yet_claimable"])],
         ["of which claimable now", data["claimable_now"]["orders"], _value(data["claimable_now"])],
         [f"no delivery promise (ordered since {promise['ordered_since']})", promise["orders"],
          _value(promise)]],
        ["orders", "count", "value"],
        title=f"Exposure on {data['today']} (week {data['week']}): orders an A-to-z claim can "
              "still be filed against")
    if promise["orders"]:
        out(f"No delivery promise: {promise['why']} "
            "(atoz add ORDER_ID --latest-delivery DATE).")
    if left["claimed"] or left["cancelled"]:
        out(f"Left out: {left['claimed']} orders that already have a claim (atoz list), "
            f"{left['cancelled']} cancelled.")
    if data["weeks"]:
        out("")
        print_table([[w["week"], w["from"], w["to"], w["orders"], _value(w)]
                     for w in data["weeks"]],
                    ["week", "from", "to", "orders", "value"],
                    title="Leaving the window, by the week of the last day a claim can be filed")


def _demo_exposure(db: Path, today: str) -> None:
    from atoz.cli.data import import_file, sample_dir

    orders = sample_dir() / "orders.tsv"
    if not orders.is_file():
        out("(no sample orders)")
        return
    import_file(orders, db=db, today=today)
    out("\n$ atoz exposure")
    exposure_command(db=db, today=today)


DEMO_STEPS.append(("import sample_data/orders.tsv", _demo_exposure))

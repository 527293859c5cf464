"""SP-API order payloads: Orders v0 `getOrders` and Orders 2026-01-01 `searchOrders`.

A file is one response as the API returns it, or a JSON list of such responses (pages saved
together). Timestamps are ISO 8601 UTC; each is converted to the marketplace's time zone before
its date is taken. An order without a delivery promise (Amazon-fulfilled) is kept without one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from atoz.errors import FileFormatError, InputError
from atoz.imports.amazon import (
    amount_minor,
    channel_policy,
    dig,
    fallback_policy,
    fulfillment_channel,
    id_policy,
    json_lines,
    load_json,
    local_date,
    order_status,
)
from atoz.imports.common import ImportOptions, ImportResult
from atoz.imports.rejects import Rejects
from atoz.imports.staging import OrderSink, Row
from atoz.orders import parse_order_id
from atoz.policy import Policy
from atoz.store import Store

Parse = Callable[[dict[str, Any], int, ImportOptions], Row]


def _text(value: Any, field: str, *, required: bool = False) -> str | None:
    if value is None or value == "":
        if required:
            raise InputError(field, "", "missing")
        return None
    if not isinstance(value, str):
        raise InputError(field, value, "not text")
    return value


def _policy(marketplace_id: Any, channel: Any, field: str, options: ImportOptions) -> Policy:
    """From the marketplace id, else the sales channel's name, else --marketplace."""
    if marketplace_id:
        policy = id_policy(str(marketplace_id))
        if policy is None:
            raise InputError(field, marketplace_id, "not a marketplace id atoz knows "
                                                    "(see atoz policy)")
        return policy
    if channel:
        found = channel_policy(str(channel))
        if found is not None:
            return found
    return fallback_policy(options, field)


def _dates(purchase_value: Any, purchase_field: str, latest_value: Any, latest_field: str,
           policy: Policy) -> tuple[str, str | None]:
    purchase_text = _text(purchase_value, purchase_field, required=True)
    assert purchase_text is not None
    purchase = local_date(purchase_text, purchase_field, policy)
    latest_text = _text(latest_value, latest_field)
    latest = local_date(latest_text, latest_field, policy) if latest_text else None
    if latest and latest < purchase:
        raise InputError(latest_field, latest_text, f"is before the purchase date {purchase}")
    return purchase, latest


def _total(money: Any, field: str, policy: Policy) -> tuple[int | None, str]:
    if money is None:
        return None, policy.currency
    if not isinstance(money, dict):
        raise InputError(field, money, "not a money object")
    amount = money.get("Amount", money.get("amount"))
    currency = money.get("CurrencyCode", money.get("currencyCode"))
    if amount is None:
        return None, str(currency or policy.currency)
    total, code = amount_minor(amount, currency, field)
    if total < 0:
        raise InputError(f"{field}.amount", str(amount), "negative")
    return total, code


def v0_row(record: dict[str, Any], line: int, options: ImportOptions) -> Row:
    order_id = parse_order_id(_text(record.get("AmazonOrderId"), "AmazonOrderId",
                                    required=True) or "", "AmazonOrderId")
    policy = _policy(record.get("MarketplaceId"), record.get("SalesChannel"), "MarketplaceId",
                     options)
    purchase, latest = _dates(record.get("PurchaseDate"), "PurchaseDate",
                              record.get("LatestDeliveryDate"), "LatestDeliveryDate", policy)
    total, currency = _total(record.get("OrderTotal"), "OrderTotal", policy)
    return (order_id, 0, line, purchase, latest, policy.marketplace,
            fulfillment_channel(_text(record.get("FulfillmentChannel"), "FulfillmentChannel")),
            order_status(_text(record.get("OrderStatus"), "OrderStatus")), currency, total)


def v2026_row(record: dict[str, Any], line: int, options: ImportOptions) -> Row:
    order_id = parse_order_id(_text(record.get("orderId"), "orderId", required=True) or "",
                              "orderId")
    policy = _policy(dig(record, "salesChannel", "marketplaceId"),
                     dig(record, "salesChannel", "marketplaceName"),
                     "salesChannel.marketplaceId", options)
    purchase, latest = _dates(
        record.get("createdTime"), "createdTime",
        dig(record, "fulfillment", "deliverByWindow", "latestDateTime"),
        "fulfillment.deliverByWindow.latestDateTime", policy)
    total, currency = _total(dig(record, "proceeds", "grandTotal"), "proceeds.grandTotal",
                             policy)
    fulfilled_by = _text(dig(record, "fulfillment", "fulfilledBy"), "fulfillment.fulfilledBy")
    status = _text(dig(record, "fulfillment", "fulfillmentStatus"),
                   "fulfillment.fulfillmentStatus")
    return (order_id, 0, line, purchase, latest, policy.marketplace,
            fulfillment_channel(fulfilled_by), order_status(status), currency, total)


def _payload(page: dict[str, Any]) -> dict[str, Any]:
    """A response's `payload` object (v0 wraps its data in one), else the response itself."""
    payload = page.get("payload")
    return payload if isinstance(payload, dict) else page


def _pages(name: str, data: Any, where: str, records: Callable[[Any], Any]) -> list[Any]:
    pages = data if isinstance(data, list) else [data]
    found: list[Any] = []
    for page in pages:
        listed = records(page) if isinstance(page, dict) else None
        if not isinstance(listed, list):
            raise FileFormatError(f"{name}:1: json: no {where} list; is this the "
                                  "API's response?")
        found.extend(listed)
    return found


def _import(store: Store, path: Path, options: ImportOptions, kind: str, records: list[Any],
            text: str, id_key: str, parse: Parse) -> ImportResult:
    options.progress.phase("reading orders", len(records))
    repeats = 0
    with Rejects(path, options) as rejects:
        sink = OrderSink(store, options, kind, per_order=True)
        with sink.staging():
            seen: set[str] = set()
            for record, line in zip(records, json_lines(text, records, id_key), strict=True):
                try:
                    if not isinstance(record, dict):
                        raise InputError("order", type(record).__name__, "not a JSON object")
                    row = parse(record, line, options)
                except InputError as exc:
                    rejects.bad(line, exc, record)
                    sink.result.skipped += 1
                    continue
                repeats += row[0] in seen
                seen.add(row[0])
                sink.add(row)
            sink.check(rejects)
        with rejects.transaction(store):
            result = sink.write()
    if not records:
        result.notes.append("no orders in the file: nothing to import")
    if repeats:
        result.notes.append(f"{repeats} orders appear more than once; the last one is kept")
    if note := rejects.note():
        result.notes.append(note)
    return result


def _next_token(data: Any, *keys: str) -> bool:
    last = data[-1] if isinstance(data, list) and data else data
    return bool(dig(last, *keys))


def import_v0(store: Store, path: Path, options: ImportOptions) -> ImportResult:
    """A `getOrders` response: payload.Orders[]."""
    data, text = load_json(path, options)
    records = _pages(options.name, data, "payload.Orders",
                     lambda page: _payload(page).get("Orders"))
    result = _import(store, path, options, "orders-v0", records, text, "AmazonOrderId", v0_row)
    if _next_token(data, "payload", "NextToken"):
        result.notes.append("the response has a NextToken: Amazon has more orders than this "
                            "page")
    return result


def import_2026(store: Store, path: Path, options: ImportOptions) -> ImportResult:
    """A `searchOrders` response (Orders API 2026-01-01): orders[]."""
    data, text = load_json(path, options)
    records = _pages(options.name, data, "orders",
                     lambda page: _payload(page).get("orders"))
    result = _import(store, path, options, "orders-2026", records, text, "orderId", v2026_row)
    if _next_token(data, "pagination", "nextToken"):
        result.notes.append("the response has a nextToken: Amazon has more orders than this "
                            "page")
    return result

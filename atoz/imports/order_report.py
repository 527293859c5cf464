"""Amazon's flat-file order reports: All Orders, Unshipped Orders and the Order Report downloads.

Tab-separated, one row per item, read by header name (columns move between report types and
years). Amazon does not quote these files, so a product name may hold a raw `"`: lines are split
on tabs, never through a CSV parser. The file is streamed: a million-row report is read line by
line and staged in SQLite, never held in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from atoz.errors import FileFormatError, InputError
from atoz.imports.amazon import (
    Decoder,
    channel_policy,
    fulfillment_channel,
    local_date,
    open_lines,
    order_status,
)
from atoz.imports.common import ImportOptions, ImportResult, duplicated
from atoz.imports.rejects import Rejects
from atoz.imports.staging import OrderSink, Row, item_key
from atoz.money import parse_amount, parse_currency
from atoz.orders import parse_order_id
from atoz.policy import Policy, packaged
from atoz.store import Store

ORDER_ID = ("order-id", "amazon-order-id")
# What the buyer paid, summed over an order's rows; promotions are taken off.
PAID = ("item-price", "item-tax", "shipping-price", "shipping-tax", "gift-wrap-price",
        "gift-wrap-tax")
DISCOUNTS = ("item-promotion-discount", "ship-promotion-discount")
# Multi-Channel Fulfillment orders appear in All Orders reports but are not Amazon orders.
NOT_AMAZON = "non-amazon"
ZERO = frozenset({"0", "0.0", "0.00"})


def _normal(name: str) -> str:
    return name.strip().strip('"').lower().replace("_", "-").replace(" ", "-")


@dataclass(frozen=True)
class Columns:
    """Where each column atoz reads sits in this report, and its name as the file spells it."""

    names: list[str]
    order_id: int
    purchase: int
    delivery: int | None
    promise: int | None
    channel: int | None
    currency: int | None
    fulfillment: int | None
    status: int | None
    paid: list[int]
    discounts: list[int]

    @classmethod
    def read(cls, header: str, options: ImportOptions) -> Columns:
        names = header.split("\t")
        normal = [_normal(name) for name in names]
        duplicated(normal, options.name)
        where = {name: index for index, name in enumerate(normal)}
        order_id = next((where[n] for n in ORDER_ID if n in where), None)
        if order_id is None:
            raise FileFormatError(f"{options.name}:1: header: no order-id or amazon-order-id "
                                  "column; is this an Amazon order report?")
        if "purchase-date" not in where:
            raise FileFormatError(f"{options.name}:1: header: no purchase-date column")
        if "sales-channel" not in where and not options.marketplace:
            raise FileFormatError(f"{options.name}:1: header: no sales-channel column, so the "
                                  "marketplace is unknown; give --marketplace")
        return cls(
            names=names, order_id=order_id, purchase=where["purchase-date"],
            delivery=where.get("latest-delivery-date"), promise=where.get("promise-date"),
            channel=where.get("sales-channel"), currency=where.get("currency"),
            fulfillment=where.get("fulfillment-channel"), status=where.get("order-status"),
            paid=[where[n] for n in PAID if n in where],
            discounts=[where[n] for n in DISCOUNTS if n in where],
        )


@dataclass
class _Previous:
    """The last good row: a row continuing the same order may leave its cells empty."""

    order_id: str = ""
    policy: Policy | None = None
    currency: str | None = None


class _Reader:
    def __init__(self, columns: Columns, options: ImportOptions) -> None:
        self.c = columns
        self.names = [name.strip() for name in columns.names]
        self.width = len(columns.names)
        self.fallback = packaged(options.marketplace) if options.marketplace else None
        self.previous = _Previous()
        self.promise_only = 0
        self.not_amazon = 0
        self.promises: dict[tuple[str, str], str] = {}

    def name(self, index: int) -> str:
        return self.names[index]

    def row(self, text: str, line: int) -> Row | None:
        """A checked row, or None for a row that is not an Amazon order (MCF)."""
        cells = text.split("\t")
        if len(cells) > self.width:
            raise InputError("row", f"{len(cells)} cells", f"the header has {self.width}; a tab "
                                                           "inside a value?")
        cells += [""] * (self.width - len(cells))
        c = self.c
        channel = cells[c.channel].strip() if c.channel is not None else ""
        if channel.lower() == NOT_AMAZON:
            self.not_amazon += 1
            return None
        order_id = parse_order_id(cells[c.order_id], self.name(c.order_id))
        same = order_id == self.previous.order_id
        policy = self._policy(channel, same, c.channel)
        purchase_text = cells[c.purchase].strip()
        if not purchase_text and not same:
            raise InputError(self.name(c.purchase), "", "empty")
        purchase = (local_date(purchase_text, self.name(c.purchase), policy)
                    if purchase_text else None)
        latest, used = self._delivery(cells, policy)
        if latest and purchase and latest < purchase:
            raise InputError(self.name(used), cells[used].strip(),
                             f"is before the purchase date {purchase}")
        currency_text = cells[c.currency].strip() if c.currency is not None else ""
        if currency_text:
            currency = parse_currency(currency_text, self.name(c.currency or 0))
        else:
            currency = self.previous.currency if same and self.previous.currency else \
                policy.currency
        total = self._total(cells, currency)
        self.previous = _Previous(order_id, policy, currency)
        return (order_id, item_key(text), line, purchase, latest, policy.marketplace,
                fulfillment_channel(cells[c.fulfillment]) if c.fulfillment is not None else None,
                order_status(cells[c.status]) if c.status is not None else None,
                currency, total)

    def _policy(self, channel: str, same: bool, index: int | None) -> Policy:
        if channel:
            policy = channel_policy(channel)
            if policy is None:
                raise InputError(self.name(index or 0), channel,
                                 "not an Amazon marketplace atoz knows (Amazon.com, "
                                 "Amazon.co.uk, Amazon.de, Amazon.co.jp...)")
            return policy
        if same and self.previous.policy is not None:
            return self.previous.policy
        if self.fallback is not None:
            return self.fallback
        raise InputError(self.name(index or 0), "", "empty, so the marketplace is unknown; "
                                                    "give --marketplace")

    def _delivery(self, cells: list[str], policy: Policy) -> tuple[str | None, int]:
        """The latest delivery date and its column. `promise-date` is never read as one: in the
        Unshipped Orders report it is "the Ship-By Date ... not the date the package is to
        arrive", so taking it would close the window early and call good claims late."""
        c = self.c
        if c.delivery is not None and cells[c.delivery].strip():
            # Promises repeat (the end of a day): remember each one per marketplace.
            key = (cells[c.delivery], policy.marketplace)
            if key not in self.promises:
                if len(self.promises) > 10_000:
                    self.promises.clear()
                self.promises[key] = local_date(cells[c.delivery], self.name(c.delivery), policy)
            return self.promises[key], c.delivery
        if c.promise is not None and cells[c.promise].strip():
            self.promise_only += 1
        return None, 0

    def _total(self, cells: list[str], currency: str) -> int | None:
        total, seen = 0, False
        for index in self.c.paid:
            cell = cells[index]
            if cell in ZERO:
                seen = True
            elif cell.strip():
                total += parse_amount(cell, currency, self.name(index))
                seen = True
        for index in self.c.discounts:
            if cells[index].strip():
                total -= abs(parse_amount(cells[index], currency, self.name(index), signed=True))
        return max(total, 0) if seen else None


def import_report(store: Store, path: Path, options: ImportOptions) -> ImportResult:
    decoder = Decoder(path, options.name, options.encoding)
    lines = open_lines(path, options.name)
    header = next((decoder.decode(raw, n) for n, raw in lines if raw.strip()), None)
    if header is None:
        raise FileFormatError(f"{options.name}: the file is empty")
    reader = _Reader(Columns.read(header, options), options)
    options.progress.phase("reading orders", max(1, path.stat().st_size // 200))
    with Rejects(path, options, header) as rejects:
        sink = OrderSink(store, options, "order-report", per_order=False)
        rows = 0
        with sink.staging():
            for number, raw in lines:
                if not raw.strip():
                    continue
                rows += 1
                text = decoder.decode(raw, number)
                try:
                    row = reader.row(text, number)
                except InputError as exc:
                    rejects.bad(number, exc, text)
                    sink.result.skipped += 1
                    continue
                if row is not None:
                    sink.add(row)
            sink.check(rejects, lambda wanted: _reread(path, options.name, decoder, wanted))
        with rejects.transaction(store):
            result = sink.write()
    if rows == 0:
        result.notes.append("no orders in the file (only a header): nothing to import")
    result.skipped += reader.not_amazon
    result.notes[:0] = [decoder.note()]
    if reader.promise_only:
        result.notes.append(f"{reader.promise_only} rows have a promise-date but no "
                            "latest-delivery-date: promise-date is the ship-by date, not a "
                            "delivery date, so those orders have no delivery promise; give it "
                            "with atoz add ORDER_ID --latest-delivery DATE")
    if reader.not_amazon:
        result.notes.append(f"{reader.not_amazon} rows are Multi-Channel Fulfillment orders "
                            "(sales-channel Non-Amazon): left out, A-to-z does not cover them")
    if note := rejects.note():
        result.notes.append(note)
    return result


def _reread(path: Path, name: str, decoder: Decoder, wanted: set[int]) -> dict[int, str]:
    return {n: decoder.decode(raw, n) for n, raw in open_lines(path, name) if n in wanted}

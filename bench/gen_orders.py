"""Generate an Amazon-style flat-file order report for the import benchmark (stdlib only).

    python bench/gen_orders.py bench/out/orders-100000.tsv --rows 100000 [--seed 7]

Tab-separated, one row per item (about one order in five has two or three items, on adjacent
rows as Amazon writes them), unquoted, a raw `"` in some product names, UTC timestamps, five
marketplaces, and Amazon-fulfilled orders without a delivery promise. The same seed writes the
same bytes. `write_order_report` is the reusable part.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

HEADER = ("order-id", "order-item-id", "purchase-date", "payments-date", "buyer-email",
          "buyer-name", "sku", "product-name", "quantity-purchased", "currency", "item-price",
          "item-tax", "shipping-price", "shipping-tax", "ship-service-level", "ship-city",
          "ship-postal-code", "ship-country", "sales-channel", "fulfillment-channel",
          "latest-delivery-date")
# sales channel, currency, order-id prefixes, country, price range (major units)
MARKETS = (
    ("Amazon.com", "USD", ("111", "112", "113", "114"), "US", (8, 120)),
    ("Amazon.co.uk", "GBP", ("202", "203", "204", "026"), "GB", (6, 90)),
    ("Amazon.de", "EUR", ("302", "303", "304", "028"), "DE", (7, 100)),
    ("Amazon.co.jp", "JPY", ("249", "250", "503"), "JP", (900, 15000)),
    ("Amazon.ca", "CAD", ("701", "702"), "CA", (10, 150)),
)
WEIGHTS = (50, 15, 15, 12, 8)
PRODUCTS = (
    "LED Strip Lights 5m RGB with Remote", 'Magnetic Car Phone Mount for 6.7" Phones',
    "USB C Hub 7-in-1 with HDMI 4K", 'Self-Healing Cutting Mat 24" x 18"',
    "Mulberry Silk Pillowcase, Set of 2", "Digital Kitchen Scale 5kg", "Yoga Blocks 2 Pack",
    "Mini Bluetooth Speaker, Waterproof", "Adhesive Wall Hooks, 20 Pack",
    "Merino Wool Hiking Socks, 3 Pairs",
)
NAMES = ("Jennifer Walsh", "Marcus Greene", "Sophie Clarke", "Jürgen Weiß", "佐藤 健",
         "Chloé Gagnon", "Dana Whitfield", "Oliver Bennett", "Anna Müller", "Emily Tran")
START = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
SPAN_SECONDS = 200 * 86400


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def write_order_report(path: Path, rows: int, seed: int = 7) -> None:
    """Write `rows` item rows (orders sorted by purchase time) to `path`."""
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Orders in purchase order: spread `rows` over the span, so the report reads like a download.
    step = SPAN_SECONDS / max(1, rows)
    written = 0
    second = 0.0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("\t".join(HEADER) + "\n")
        while written < rows:
            channel, currency, prefixes, country, (low, high) = rng.choices(MARKETS, WEIGHTS)[0]
            order_id = (f"{rng.choice(prefixes)}-{rng.randrange(10**7):07d}-"
                        f"{rng.randrange(10**7):07d}")
            items = 1 if rng.random() < 0.8 else rng.choice((2, 2, 3))
            second += step * items
            purchased = START + dt.timedelta(seconds=int(second))
            afn = rng.random() < 0.15
            latest = ("" if afn else _stamp(dt.datetime.combine(
                purchased.date() + dt.timedelta(days=rng.randint(4, 18)), dt.time(7, 59, 59),
                tzinfo=dt.UTC)))
            paid = _stamp(purchased + dt.timedelta(minutes=rng.randint(1, 40)))
            email = f"{rng.randrange(16**12):012x}@marketplace.amazon.com"
            name = rng.choice(NAMES)
            for _ in range(min(items, rows - written)):
                price = rng.randint(low, high)
                cents = rng.choice((99, 49, 0))
                money = str(price) if currency == "JPY" else f"{price}.{cents:02d}"
                zero = "0" if currency == "JPY" else "0.00"
                out.write("\t".join((
                    order_id, f"{rng.randrange(10**14):014d}", _stamp(purchased), paid, email,
                    name, f"SKU-{rng.randrange(1000):03d}", rng.choice(PRODUCTS), "1", currency,
                    money, zero, zero, zero, "Standard", "Springfield", "12345", country,
                    channel, "Amazon" if afn else "Merchant", latest)) + "\n")
                written += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    write_order_report(args.path, args.rows, args.seed)


if __name__ == "__main__":
    main()

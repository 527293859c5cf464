"""Amounts of money, kept exact: decimal text in the currency's minor units, never floats."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from atoz.errors import InputError

# ISO 4217 codes a seller on Amazon's marketplaces meets, with their minor-unit digits.
MINOR_UNITS = {
    "USD": 2, "CAD": 2, "MXN": 2, "GBP": 2, "EUR": 2, "JPY": 0, "AUD": 2, "INR": 2,
    "AED": 2, "BRL": 2, "SEK": 2, "PLN": 2, "SGD": 2, "TRY": 2, "SAR": 2, "EGP": 2,
    "CNY": 2, "HKD": 2, "CHF": 2, "NZD": 2, "ZAR": 2, "KRW": 0,
}

MAX_AMOUNT = 10**12


def parse_currency(text: str, field: str = "currency") -> str:
    code = text.strip().upper()
    if code not in MINOR_UNITS:
        raise InputError(field, text, "unknown currency; use an ISO code such as USD, EUR, JPY")
    return code


def parse_amount(text: str, currency: str, field: str = "amount") -> str:
    """`24.99` -> `"24.99"`; refuses negatives, non-numbers, more decimals than the currency
    has, and amounts of a trillion or more (a typo, and their text would not read back)."""
    raw = text.strip()
    if len(raw) > 20 or not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", raw):
        raise InputError(field, text, "not a number; write it like 24.99 (a dot, no separators)")
    value = Decimal(raw)
    if value < 0:
        raise InputError(field, text, "negative; give the amount claimed as a positive number")
    if value >= MAX_AMOUNT:
        raise InputError(field, text, f"too large (at most {MAX_AMOUNT - 1})")
    quantum = Decimal(1).scaleb(-MINOR_UNITS[currency])
    if value != value.quantize(quantum):
        raise InputError(field, text, f"more decimals than {currency} has")
    return str(value.quantize(quantum))


def fmt(amount: str | None, currency: str | None) -> str:
    if amount is None:
        return ""
    return f"{amount} {currency}" if currency else amount


def totals(pairs: Iterable[tuple[str | None, str | None]]) -> dict[str, str]:
    """Sum amounts per currency; different currencies are never added together."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for amount, currency in pairs:
        if amount is not None and currency:
            sums[currency] += Decimal(amount)
    return {currency: str(total) for currency, total in sorted(sums.items())}


def fmt_totals(sums: dict[str, str]) -> str:
    return ", ".join(f"{amount} {currency}" for currency, amount in sums.items()) or "-"

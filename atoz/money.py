"""Amounts of money, kept exact: integers in the currency's minor units (cents, pence; yen are
whole), with an ISO currency code beside them. Never floats, and never added across currencies.

One grammar reads every amount, typed or from Amazon's files: digits with an optional decimal
point, and thousands separators where the currency makes them unambiguous (`1,234.56`,
`1.234,56`, `7,480` yen). A currency sign or code is not part of it: callers strip those.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

from atoz.errors import InputError

# ISO 4217 codes a seller on Amazon's marketplaces meets, with their minor-unit digits.
MINOR_UNITS = {
    "USD": 2, "CAD": 2, "MXN": 2, "GBP": 2, "EUR": 2, "JPY": 0, "AUD": 2, "INR": 2,
    "AED": 2, "BRL": 2, "SEK": 2, "PLN": 2, "SGD": 2, "TRY": 2, "SAR": 2, "EGP": 2,
    "CNY": 2, "HKD": 2, "CHF": 2, "NZD": 2, "ZAR": 2, "KRW": 0,
}

# In major units (dollars, yen): an amount of a trillion or more is a typo, and every amount
# below it stays an exact SQLite integer in minor units.
MAX_AMOUNT = 10**12
MAX_TEXT = 30  # characters; `1.000.000.000.000,00` is 20

_NUMBER = re.compile(r"(?P<sign>-)?(?P<body>[0-9](?:[0-9.,]*[0-9])?)")
# Groups of three after a first group of one to three digits (no leading zero); India groups
# by two after the last three (`1,23,456.78`) and writes the western form too.
_GROUPS = re.compile(r"[1-9][0-9]{0,2}(?:[.,][0-9]{3})*")
_LAKH_GROUPS = re.compile(r"[1-9][0-9]?(?:[.,][0-9]{2})*[.,][0-9]{3}")
_LOCAL_MARKS = ("円", "元", "圆")


def _places(currency: str) -> int:
    places = MINOR_UNITS.get(currency)
    if places is None:
        raise InputError("currency", currency,
                         "unknown currency; use an ISO code such as USD, EUR, JPY")
    return places


def _example(places: int) -> str:
    return "24.99" if places else "7480"


def parse_currency(text: str, field: str = "currency") -> str:
    code = unicodedata.normalize("NFKC", text).strip().upper()
    if code not in MINOR_UNITS:
        raise InputError(field, text, "unknown currency; use an ISO code such as USD, EUR, JPY")
    return code


def _too_many_decimals(currency: str, places: int) -> str:
    if not places:
        return f"{currency} has no decimals; write a whole number like 7480 (or 7,480)"
    return f"more decimals than {currency} has ({places}); write it like 24.99"


def _groups_ok(whole: str, currency: str) -> bool:
    return bool(_GROUPS.fullmatch(whole) or currency == "INR" and _LAKH_GROUPS.fullmatch(whole))


def _split(body: str, currency: str, places: int, field: str, text: str) -> tuple[str, str]:
    """`body` (digits and separators) as whole digits and fraction digits."""
    marks = [c for c in body if c in ".,"]
    wrong_groups = ("separators in the wrong places; group thousands by three (1,234,567.89) "
                    f"or write no separators ({'1234567.89' if places else '1234567'})")
    if not marks:
        return body, ""
    if len(set(marks)) == 2:  # both kinds: the last is the decimal mark, the other groups
        decimal = marks[-1]
        if marks.count(decimal) != 1:
            raise InputError(field, text, "mixed-up separators; use one for thousands and one "
                                          "for decimals (1,234.56 or 1.234,56), or none (1234.56)")
        whole, fraction = body.rsplit(decimal, 1)
        if not _groups_ok(whole, currency):
            raise InputError(field, text, wrong_groups)
        return re.sub("[.,]", "", whole), fraction
    if len(marks) > 1:  # one kind, several times: it can only group
        if not _groups_ok(body, currency):
            raise InputError(field, text, wrong_groups)
        return re.sub("[.,]", "", body), ""
    whole, tail = body.split(marks[0])
    if marks[0] == "," and not 1 <= len(tail) <= places:
        # More digits than the currency's decimals: not a decimal comma, so it groups.
        if len(tail) == 3 and _groups_ok(body, currency):
            return whole + tail, ""
        if places or len(tail) == 3:
            raise InputError(field, text, wrong_groups)
        raise InputError(field, text, _too_many_decimals(currency, places))
    if marks[0] == "." and len(tail) == 3 and _groups_ok(body, currency):
        # `1.234` is 1234 in Germany and too many decimals for every currency here; `24.990`
        # is 24.99 with a spare zero or 24990. Refused either way, offering each reading.
        grouped = whole + tail
        if tail[places:].strip("0"):
            too_many = (f"more decimals than {currency} has ({places})" if places
                        else f"{currency} has no decimals")
            problem = f"{too_many}; if the dot groups thousands, write {grouped}"
        else:
            plain = f"{whole}.{tail[:places]}" if places else whole
            problem = (f"ambiguous: write {plain} if the dot is a decimal point, or {grouped} "
                       "if it groups thousands")
        raise InputError(field, text, problem)
    return whole, tail


def parse_amount(text: str, currency: str, field: str = "amount", *, signed: bool = False) -> int:
    """An amount in `currency`'s minor units: `24.99` USD -> 2499, `7,480` JPY -> 7480,
    `1.234,56` EUR -> 123456. Refuses negatives (unless `signed`), non-numbers, more decimals
    than the currency has (spare zeros aside: Amazon writes `1200.00` yen), separators in the
    wrong places, amounts of MAX_AMOUNT or more, and text over MAX_TEXT characters."""
    places = _places(currency)
    example = _example(places)
    if len(text) > MAX_TEXT:
        raise InputError(field, text, f"too long for an amount (over {MAX_TEXT} characters); "
                                      f"write it like {example}")
    # NFKC: full-width `２４．９９` from a Chinese or Japanese keyboard reads as `24.99`.
    raw = unicodedata.normalize("NFKC", text).strip()
    match = _NUMBER.fullmatch(raw)
    if match is None:
        if not raw:
            problem = "empty"
        elif (any(unicodedata.category(c) == "Sc" or c in _LOCAL_MARKS for c in raw)
              or any(word.upper() in MINOR_UNITS for word in re.findall("[A-Za-z]+", raw))):
            problem = "leave out the currency sign or code"
        elif any(c.isdecimal() and not c.isascii() for c in raw):
            problem = "has digits other than 0-9"
        else:
            problem = "not an amount"
        how = "write the number alone," if problem.startswith("leave") else "write it"
        raise InputError(field, text, f"{problem}; {how} like {example}")
    if match["sign"] and not signed:
        raise InputError(field, text, f"negative; give the amount as a positive number, like "
                                      f"{example}")
    whole, fraction = _split(match["body"], currency, places, field, text)
    if fraction[places:].strip("0"):
        raise InputError(field, text, _too_many_decimals(currency, places))
    minor = int(whole + fraction[:places].ljust(places, "0"))
    if minor >= MAX_AMOUNT * 10**places:
        raise InputError(field, text, f"too large (must be under {MAX_AMOUNT:,} {currency}); "
                                      "check for a typo")
    return -minor if match["sign"] else minor


def decimal_text(minor: int, currency: str) -> str:
    """`2499` USD -> "24.99", `7480` JPY -> "7480", `5` USD -> "0.05": what parse_amount reads."""
    places = _places(currency)
    whole, fraction = divmod(abs(minor), 10**places)
    sign = "-" if minor < 0 else ""
    return f"{sign}{whole}.{fraction:0{places}d}" if places else f"{sign}{whole}"


def fmt(minor: int | None, currency: str | None) -> str:
    """`24.99 USD`; "" when there is no amount. Without a known currency the decimal point
    cannot be placed, so the integer is shown as what it is rather than guessed."""
    if minor is None:
        return ""
    if currency not in MINOR_UNITS:
        return f"{minor} minor units" + (f" of {currency!r}" if currency else "")
    return f"{decimal_text(minor, currency)} {currency}"


def totals(pairs: Iterable[tuple[int | None, str | None]]) -> dict[str, int]:
    """Sum minor units per currency, by currency code; pairs missing either part are skipped."""
    sums: dict[str, int] = defaultdict(int)
    for minor, currency in pairs:
        if minor is not None and currency:
            sums[currency] += minor
    return dict(sorted(sums.items()))


def fmt_totals(sums: dict[str, int]) -> str:
    """`7480 JPY, 24.99 USD` (by currency code, so every row reads the same way), or `-`."""
    return ", ".join(fmt(sums[currency], currency) for currency in sorted(sums)) or "-"

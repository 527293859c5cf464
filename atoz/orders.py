"""Amazon order ids, as people type and paste them."""

from __future__ import annotations

import re
import unicodedata

from atoz.errors import InputError

# 3-7-7 ASCII digits; some orders carry a letter prefix (`S01-...`). [0-9], never \d: \d also
# matches Arabic-Indic and other digits, which would make a second order that looks like the first.
ORDER_ID = re.compile(r"(?:[0-9]{3}|[A-Z][0-9]{2})-[0-9]{7}-[0-9]{7}")
EXPECTED = "expected 3-7-7 digits like 113-1234567-1234567 (or S01-1234567-1234567)"
MAX_TEXT = 100  # far past an id's 19 characters; longer text is not read further


def parse_order_id(text: str, field: str = "order_id") -> str:
    """`113-1234567-1234567`, upper-cased, after NFKC normalisation so that the full-width
    digits and hyphen a Chinese or Japanese keyboard types read as ASCII. Any other digit or
    letter is refused: an id must match Amazon's own files byte for byte."""
    normal = unicodedata.normalize("NFKC", text[:MAX_TEXT]).strip()
    order_id = normal.upper()
    if len(text) <= MAX_TEXT and normal.isascii() and ORDER_ID.fullmatch(order_id):
        return order_id
    if any(c.isdecimal() and not c.isascii() for c in normal):
        raise InputError(field, text, f"has digits other than 0-9; {EXPECTED}")
    dashes = sorted({c for c in normal if c != "-" and unicodedata.category(c) == "Pd"
                     or c in "ー−"})
    if dashes:
        raise InputError(field, text, f"has {', '.join(map(repr, dashes))} where a hyphen (-) "
                                      f"belongs; {EXPECTED}")
    raise InputError(field, text, f"not an Amazon order id; {EXPECTED}")

"""Wording Amazon forbids in buyer messages: money offered for a withdrawn claim or a changed
review, and contact details or links off the platform (domain.md, writing rules).

Pure: takes text, returns the offending phrases with why; never blocks a draft, only warns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class WordingHit:
    phrase: str
    why: str


INCENTIVE_WHY = "offering money for a withdrawal breaks Amazon's rules"
REVIEW_WHY = "offering money for a changed review or feedback breaks Amazon's rules"
OFF_PLATFORM_WHY = "contact details off Amazon break its rules; keep to Buyer-Seller Messages"
LINK_WHY = "links to other sites are not allowed in messages; keep to Buyer-Seller Messages"

# Something of value. Alone these are innocent ("the refund Amazon issued"); they are flagged
# only in the same sentence as one of the asks below, which is how an incentive reads.
VALUE_WORDS = [
    r"refund(?:s|ed|ing)?", r"money", r"cash(?:back)?", r"pay(?:ment|ing)?", r"paid",
    r"discount(?:s|ed)?", r"coupons?", r"vouchers?", r"gift ?cards?", r"gifts?",
    r"free(?!\s+to\b)",  # "a free item", not "feel free to"
    r"compensat(?:e|ion|ing)", r"reimburs(?:e|ement|ing)", r"rebates?", r"credits?",
    r"bonus(?:es)?", r"rewards?", r"[$€£¥]\s?\d+", r"\d+\s?(?:%|percent)\s+off",
]
# Asking for the claim to go away (withdraw it, close or cancel it).
CLAIM_ASKS = [
    r"withdraw\w*",
    r"(?:close|closing|cancel\w*|drop\w*|retract\w*|remov\w*)\s+(?:\w+\s+){0,2}"
    r"(?:claim|case|a-to-z|complaint)s?",
]
# Asking for a review or feedback to change (or for a good one).
REVIEW_ASKS = [
    r"(?:chang\w*|remov\w*|updat\w*|delet\w*|edit\w*|revis\w*|amend\w*|improv\w*|"
    r"take\s+down)\s+(?:\w+\s+){0,3}(?:reviews?|feedback|ratings?|stars?)",
    r"(?:leave|leaving|write|writing|post|give|giving)\s+(?:\w+\s+){0,2}"
    r"(?:positive|good|great|5[- ]?star|five[- ]star)\s+(?:reviews?|feedback|ratings?)",
]
# Contact off the platform: each pattern is flagged wherever it appears.
OFF_PLATFORM = [
    (r"\bhttps?://\S+", LINK_WHY),
    (r"\bwww\.\S+", LINK_WHY),
    (r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", OFF_PLATFORM_WHY),  # an e-mail address
    # A phone number: 2-3 groups of 3-4 digits, optionally +country and (area). Order ids
    # (3-7-7 digits), dates (2026-10-21) and tracking numbers written in groups of four (more
    # than three groups) do not fit.
    (r"(?<![\w-])(?<!\d[\s.])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?)?\d{3,4}[\s.-]\d{3,4}"
     r"(?:[\s.-]\d{3,4})?(?![\w-])(?![\s.]\d)", OFF_PLATFORM_WHY),
    (r"\+\d{7,14}\b", OFF_PLATFORM_WHY),
    (r"(?<!\d)1[3-9]\d{9}(?!\d)", OFF_PLATFORM_WHY),  # a Chinese mobile number
    (r"\b(?:whats\s?app|we\s?chat|weixin|telegram|facebook|messenger|instagram|skype|viber|"
     r"line\s+id|qq|tiktok|twitter|snapchat|signal\s+app)\b|微信", OFF_PLATFORM_WHY),
    (r"\b(?:call|text|phone|ring)\s+(?:us|me)\b", OFF_PLATFORM_WHY),
    (r"\b(?:e-?mail\s+(?:us|me)\s+at|our\s+(?:own\s+)?(?:web\s?site|web\s?shop|online\s+store))",
     OFF_PLATFORM_WHY),
]

_VALUE = re.compile(r"(?<!\w)(?:" + "|".join(VALUE_WORDS) + r")(?!\w)", re.IGNORECASE)
_CLAIM_ASK = re.compile(r"\b(?:" + "|".join(CLAIM_ASKS) + r")", re.IGNORECASE)
_REVIEW_ASK = re.compile(r"\b(?:" + "|".join(REVIEW_ASKS) + r")", re.IGNORECASE)
_OFF_PLATFORM = [(re.compile(p, re.IGNORECASE), why) for p, why in OFF_PLATFORM]
# Sentences end at . ! ? before a space, at a blank line, or where a list item starts.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n[ \t]*\n|\n(?=[ \t]*(?:[-*•]|\d+[.)]\s))")


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def find_wording(text: str) -> list[WordingHit]:
    """Each phrase in `text` that Amazon's rules forbid, with why, in order, without repeats."""
    hits: list[WordingHit] = []
    for sentence in _sentences(text):
        value = _VALUE.search(sentence)
        if value is None:
            continue
        for asks, why in ((_CLAIM_ASK, INCENTIVE_WHY), (_REVIEW_ASK, REVIEW_WHY)):
            ask = asks.search(sentence)
            if ask is None:
                continue
            # The phrase runs from the first of the two to the end of the other.
            start, end = min(value.start(), ask.start()), max(value.end(), ask.end())
            hits.append(WordingHit(" ".join(sentence[start:end].split()), why))
    found: list[tuple[int, int, WordingHit]] = []
    for pattern, why in _OFF_PLATFORM:
        for match in pattern.finditer(text):
            start, end = match.span()
            if not any(s <= start and end <= e for s, e, _ in found):  # www. inside a link
                found.append((start, end, WordingHit(match.group(0).rstrip(".,;:)"), why)))
    hits.extend(hit for _, _, hit in sorted(found, key=lambda f: f[0]))
    unique: dict[tuple[str, str], WordingHit] = {}
    for hit in hits:
        unique.setdefault((hit.phrase.lower(), hit.why), hit)
    return list(unique.values())


def check_wording(text: str) -> list[str]:
    """Each offending phrase in `text` (see find_wording for why each one is flagged)."""
    return [hit.phrase for hit in find_wording(text)]

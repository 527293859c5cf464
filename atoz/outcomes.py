"""The seven outcomes a claim can have, and whether each counts toward the Order Defect Rate."""

from __future__ import annotations

from atoz.errors import InputError
from atoz.policy import Policy

UNDER_REVIEW = "under-review"
SELLER_FUNDED = "granted-seller-funded"
LABELS = {
    UNDER_REVIEW: "Under review",
    SELLER_FUNDED: "Granted, seller funded",
    "granted-amazon-funded": "Granted, Amazon funded",
    "refunded": "Order refunded",
    "denied": "Denied",
    "withdrawn": "Withdrawn",
    "cancelled": "Order cancelled",
}
OUTCOMES = tuple(LABELS)
# A seller wins a claim when Amazon closes it without debiting them.
WINS = frozenset({"denied", "withdrawn", "granted-amazon-funded"})
# Money leaves the seller on these.
LOSSES = frozenset({SELLER_FUNDED, "refunded"})


def parse_outcome(text: str, field: str = "status") -> str:
    slug = text.strip().lower()
    if slug not in LABELS:
        raise InputError(field, text, f"unknown outcome; use one of {', '.join(OUTCOMES)}")
    return slug


def is_open(status: str) -> bool:
    return status == UNDER_REVIEW


def counts_toward_odr(status: str, policy: Policy) -> bool | None:
    """True or False per the policy data; None while the claim is still pending."""
    if is_open(status):
        return None
    return status in policy.odr_outcomes

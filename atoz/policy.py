"""The A-to-z rules in force, per marketplace, loaded from `policies.json`.

Every number the date rules use comes from here, with its source and as-of date, so that a rule
Amazon changes is one edit to a data file and every date atoz prints can name the rule behind it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from atoz.errors import InputError


@dataclass(frozen=True)
class Rule:
    name: str
    value: Any
    unit: str
    source: str
    as_of: str
    note: str = ""


@dataclass(frozen=True)
class Policy:
    """The rules for one marketplace."""

    marketplace: str
    name: str
    domain: str
    marketplace_id: str
    timezone: str
    currency: str
    policy_id: str
    rules: dict[str, Rule]

    @property
    def as_of(self) -> str:
        return max(rule.as_of for rule in self.rules.values())

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def days(self, name: str) -> int:
        return int(self.rules[name].value)

    def hours(self, name: str) -> int:
        return int(self.rules[name].value)

    @property
    def odr_outcomes(self) -> frozenset[str]:
        return frozenset(self.rules["odr_outcomes"].value)

    def ref(self) -> dict[str, str]:
        """How a computed date names the policy it came from (`policy` in JSON output)."""
        return {"id": self.policy_id, "marketplace": self.marketplace, "as_of": self.as_of}


@cache
def _document() -> dict[str, Any]:
    text = resources.files("atoz").joinpath("policies.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def marketplaces() -> list[str]:
    return list(_document()["marketplaces"])


def history() -> list[dict[str, Any]]:
    """Rules that were in force once (kept to explain old claims and old forum advice)."""
    return list(_document()["history"])


@cache
def get_policy(marketplace: str) -> Policy:
    doc = _document()
    code = marketplace.strip().upper()
    if code == "GB":
        code = "UK"
    if code not in doc["marketplaces"]:
        raise InputError(
            "marketplace", marketplace, f"unknown; use one of {', '.join(doc['marketplaces'])}"
        )
    market = doc["marketplaces"][code]
    merged = {**doc["defaults"], **market["rules"]}
    rules = {
        name: Rule(name, r["value"], r["unit"], r["source"], r["as_of"], r.get("note", ""))
        for name, r in merged.items()
    }
    return Policy(
        marketplace=code,
        name=market["name"],
        domain=market["domain"],
        marketplace_id=market["marketplace_id"],
        timezone=market["timezone"],
        currency=market["currency"],
        policy_id=f"{doc['policy_id']}-{code}",
        rules=rules,
    )


def by_marketplace_id(marketplace_id: str) -> Policy | None:
    """The policy for an Amazon marketplace id (`ATVPDKIKX0DER`), or None if unknown."""
    for code, market in _document()["marketplaces"].items():
        if market["marketplace_id"] == marketplace_id.strip():
            return get_policy(code)
    return None


def by_sales_channel(channel: str) -> Policy | None:
    """The policy for a report's `sales-channel` (`Amazon.com`, `amazon.co.uk`), or None."""
    wanted = channel.strip().lower().removeprefix("www.")
    for code, market in _document()["marketplaces"].items():
        if wanted in (market["domain"], market["name"].lower()):
            return get_policy(code)
    return None

"""The A-to-z rules in force, per marketplace: the packaged rule pack (`policies.json`) and the
seller's own local rules, recorded in the database with their source.

Every number the date rules use comes from here, with its source and as-of date, so that a rule
Amazon changes is one data change and every date atoz prints can name the rule behind it. A
local rule applies to claims filed on or after its `effective_from` day: Amazon applies the rule
in force when a claim was filed, so older claims keep theirs.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from atoz.errors import InputError
from atoz.records import Odr, Outcome, Payer

# Rules a seller may set locally: whole numbers of a unit, within sane bounds.
SETTABLE: dict[str, tuple[int, int]] = {
    "window_opens_after_delivery": (0, 365), "window_opens_after_order": (0, 365),
    "window_opens_after_confirmed_delivery": (0, 365), "window_closes_after_delivery": (1, 3650),
    "response_hours": (1, 24 * 60), "appeal_days": (1, 365), "buyer_appeal_days": (0, 365),
    "odr_window_days": (1, 365), "odr_delay_days": (0, 365), "odr_target_percent": (1, 100),
    "contact_day": (0, 30), "follow_up_day": (0, 30), "represent_day": (0, 30),
}


@dataclass(frozen=True)
class Reading:
    """What one source says of a rule."""

    value: Any
    source: str
    checked: str
    current: bool
    quote: str = ""
    note: str = ""


@dataclass(frozen=True)
class LocalRule:
    """A rule the seller applied (`atoz policy set`), or took back (`unset`)."""

    id: int
    marketplace: str
    rule: str
    value: int | None  # None for an unset
    source: str
    effective_from: dt.date
    recorded_at: dt.datetime

    @property
    def is_unset(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Rule:
    name: str
    value: Any
    unit: str
    source: str
    as_of: str
    note: str = ""
    readings: tuple[Reading, ...] = ()
    local: LocalRule | None = None  # set when a local rule replaced the packaged value


@dataclass(frozen=True)
class OutcomeFacts:
    """The default money and metric facts of an outcome, with the readings behind them."""

    outcome: Outcome
    payer: Payer | None
    odr: Odr
    source: str
    note: str
    readings: tuple[Reading, ...] = ()


@dataclass(frozen=True)
class Policy:
    """The rules for one marketplace (as they apply to claims filed on one day)."""

    marketplace: str
    name: str
    domain: str
    marketplace_id: str
    timezone: str
    currency: str
    policy_id: str
    rules: Mapping[str, Rule]
    outcomes: Mapping[Outcome, OutcomeFacts] = field(default_factory=dict)

    @property
    def as_of(self) -> str:
        return max(rule.as_of for rule in self.rules.values())

    @property
    def tz(self) -> ZoneInfo:
        return _zone(self.timezone)

    def days(self, name: str) -> int:
        return self._count(name, "days")

    def hours(self, name: str) -> int:
        return self._count(name, "hours")

    def percent(self, name: str) -> int:
        return self._count(name, "percent")

    def _count(self, name: str, unit: str) -> int:
        """A rule's whole number, read in the unit its data gives it: reading `response_hours`
        as days is a bug caught here, not a deadline 24 times too far."""
        rule = self.rules[name]
        if rule.unit != unit:
            raise ValueError(f"rule {name} is in {rule.unit}, not {unit}")
        return int(rule.value)

    def facts(self, outcome: Outcome) -> OutcomeFacts:
        return self.outcomes[outcome]

    @property
    def local_rules(self) -> list[Rule]:
        return [rule for rule in self.rules.values() if rule.local is not None]


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@cache
def _document() -> dict[str, Any]:
    text = resources.files("atoz").joinpath("policies.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _readings(raw: Mapping[str, Any]) -> tuple[Reading, ...]:
    return tuple(Reading(r["value"], r["source"], r["checked"], r["current"], r.get("quote", ""),
                         r.get("note", "")) for r in raw.get("readings", ()))


def marketplaces() -> list[str]:
    return list(_document()["marketplaces"])


def history() -> list[dict[str, Any]]:
    """Rules that were in force once (kept to explain old claims and old forum advice)."""
    return list(_document()["history"])


def marketplace_code(text: str, field: str = "marketplace") -> str:
    code = text.strip().upper()
    code = "UK" if code == "GB" else code
    if code not in _document()["marketplaces"]:
        raise InputError(field, text, f"unknown; use one of {', '.join(marketplaces())}")
    return code


@cache
def packaged(marketplace: str) -> Policy:
    """The rule pack's policy for a marketplace code, without local rules."""
    doc = _document()
    code = marketplace_code(marketplace)
    market = doc["marketplaces"][code]
    merged = {**doc["defaults"], **market["rules"]}
    rules = {name: Rule(name, r["value"], r["unit"], r["source"], r["as_of"], r.get("note", ""),
                        _readings(r)) for name, r in merged.items()}
    outcomes = {
        Outcome(slug): OutcomeFacts(Outcome(slug), Payer(o["payer"]) if o["payer"] else None,
                                    Odr(o["odr"]), o["source"], o["note"], _readings(o))
        for slug, o in {**doc["outcomes"], **market.get("outcomes", {})}.items()}
    return Policy(code, market["name"], market["domain"], market["marketplace_id"],
                  market["timezone"], market["currency"], f"{doc['policy_id']}-{code}", rules,
                  outcomes)


class PolicyBook:
    """The rule pack plus the seller's local rules: the policy for a claim filed on a day."""

    def __init__(self, local: Sequence[LocalRule] = ()) -> None:
        self.log = list(local)
        self._active = _active(self.log)
        self._cache: dict[tuple[str, tuple[int, ...]], Policy] = {}

    def policy(self, marketplace: str, filed_on: dt.date | None = None) -> Policy:
        """The rules for claims filed on `filed_on` (None: the rules in force for new claims
        from now on, i.e. every local rule whatever its starting day)."""
        base = packaged(marketplace)
        chosen: dict[str, LocalRule] = {}
        for local in self._active.get(base.marketplace, ()):
            if filed_on is None or local.effective_from <= filed_on:
                best = chosen.get(local.rule)
                if best is None or (local.effective_from, local.id) > (best.effective_from,
                                                                       best.id):
                    chosen[local.rule] = local
        key = (base.marketplace, tuple(sorted(local.id for local in chosen.values())))
        if key not in self._cache:
            rules = dict(base.rules)
            for name, local in chosen.items():
                rules[name] = replace(rules[name], value=local.value, source=local.source,
                                      as_of=local.recorded_at.date().isoformat(), local=local)
            self._cache[key] = replace(base, rules=rules)
        return self._cache[key]

    def active(self, marketplace: str | None = None) -> list[LocalRule]:
        """The local rules in force (set and not taken back), oldest first."""
        found = [r for rules in self._active.values() for r in rules]
        return sorted((r for r in found if marketplace in (None, r.marketplace)),
                      key=lambda r: r.id)


def _active(log: Sequence[LocalRule]) -> dict[str, list[LocalRule]]:
    """Replay the log: a set adds a rule; an unset takes back every earlier set of that rule
    in that marketplace (or only the one starting on its day, when it names one)."""
    active: dict[str, list[LocalRule]] = {}
    for entry in sorted(log, key=lambda r: r.id):
        rules = active.setdefault(entry.marketplace, [])
        if entry.is_unset:
            rules[:] = [r for r in rules if r.rule != entry.rule or (
                entry.effective_from != dt.date.min and r.effective_from != entry.effective_from)]
        else:
            rules.append(entry)
    return active


def check_local_value(rule: str, value: str) -> int:
    """A value for `atoz policy set`: a whole number within the rule's bounds."""
    if rule not in SETTABLE:
        raise InputError("rule", rule, f"not a rule atoz lets you set; use one of "
                                       f"{', '.join(SETTABLE)}")
    low, high = SETTABLE[rule]
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        raise InputError("value", value, f"{rule} takes a whole number from {low} to {high}")
    return int(text)


def currency_after_move(currency: str | None, old: str, new: str) -> str | None:
    """The currency a claim takes when it is moved to another marketplace: the new one's, when
    it had the old one's own (it was entered under the wrong marketplace); None to keep it (a
    currency given on purpose)."""
    moved_to = packaged(new).currency
    if currency == packaged(old).currency and moved_to != currency:
        return moved_to
    return None


def by_marketplace_id(marketplace_id: str) -> Policy | None:
    """The packaged policy for an Amazon marketplace id (`ATVPDKIKX0DER`), or None."""
    for code, market in _document()["marketplaces"].items():
        if market["marketplace_id"] == marketplace_id.strip():
            return packaged(code)
    return None


def by_domain(name: str) -> Policy | None:
    """The packaged policy for a sales channel or domain (`Amazon.com`, `amazon.co.uk`)."""
    wanted = name.strip().lower().removeprefix("www.")
    for code, market in _document()["marketplaces"].items():
        if wanted in (market["domain"], market["name"].lower()):
            return packaged(code)
    return None


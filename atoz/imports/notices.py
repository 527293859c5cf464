"""What one of Amazon's A-to-z e-mails says, as a typed record: new claim, information request,
decision, or not recognised (never guessed).

Pure: `classify` takes a `Letter` (the few headers and the text of one message, as `mail.py` read
them) and returns a `Notice`. The phrases are data, in `atoz/mail_phrases.json`, each marked with
whether it rests on a real e-mail. Trust comes first: a message counts only when its sender's
domain is exactly one of Amazon's marketplace domains, and a forward only from a listed address.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from email.utils import getaddresses
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from atoz.errors import FileFormatError, InputError
from atoz.money import decimal_text, parse_amount
from atoz.policy import marketplaces, packaged
from atoz.records import Outcome


class NoticeKind(StrEnum):
    NEW_CLAIM = "new-claim"
    INFO_REQUEST = "info-request"
    DECISION = "decision"
    UNRECOGNISED = "unrecognised"


# The outcomes a decision e-mail can name (the phrase file's outcome keys): a subset of the
# claims' own outcomes, so a notice's outcome is recorded as it is. In the order they are looked
# for: Amazon-funded grants also say "granted", so "covered the cost" comes first.
MAIL_OUTCOMES: tuple[Outcome, ...] = (Outcome.GRANTED_AMAZON_FUNDED, Outcome.DENIED,
                                      Outcome.GRANTED_SELLER_FUNDED)


class Sample(StrEnum):
    REAL = "real"  # quoted from a real public e-mail
    NONE = "none"  # atoz's own reading, unverified


@dataclass(frozen=True)
class Notice:
    """One A-to-z e-mail as atoz keeps it: ids, moment, subject and the facts read; no body and
    no buyer address. Every notice but an UNRECOGNISED one has an order id."""

    kind: NoticeKind
    where: str  # "claims.mbox: message 17", for messages to the user
    message_id: str  # the Message-ID as received (a forward's own); "" if absent
    inner_message_id: str  # a forwarded message's Message-ID, "" if none or not a forward
    sent_at: datetime  # aware; a forward's inner Date
    date_note: str  # how the moment was read when the Date had no offset or none, else ""
    subject: str
    sender: str  # the (inner) sender's address, lower case
    forwarded_by: str  # the forwarder's address, "" when not a forward
    marketplace: str | None
    order_id: str | None
    amount: str | None  # decimal text in the currency's minor units
    currency: str | None
    outcome: Outcome | None  # decisions only; one of MAIL_OUTCOMES
    language: str  # "en", "de", "fr", "it", "es", "ja"; "" when unknown
    matched: str  # the header or phrases that decided the kind
    reason: str = ""  # why an UNRECOGNISED notice was not recognised
    # A decision that says it does not count toward the ODR (Amazon decides money and the
    # metric apart: "we will not count the claim against your Order Defect Rate, but ...").
    odr_not_counted: bool = False


@dataclass(frozen=True)
class BadMessage:
    """A message that cannot be read at all."""

    where: str
    problem: str

    def error(self) -> FileFormatError:
        return FileFormatError(f"{self.where}: {self.problem}")


@dataclass(frozen=True)
class Letter:
    """One message as read: what classification needs, nothing more."""

    sender: str  # the one From address, lower case; "" when missing or several
    subject: str
    sent_at: datetime | None  # aware; None when the Date could not be read
    date_note: str = ""
    message_id: str = ""
    notification_type: str = ""  # X-Space-Notification-Type
    marketplace_id: str = ""  # X-Marketplace-ID
    text: str = ""  # the body as plain text


@dataclass(frozen=True)
class Phrase:
    language: str
    where: str  # "subject", "body" or "amount label"
    kind: NoticeKind | None  # None for an amount label
    outcome: Outcome | None
    text: str
    sample: Sample
    source: str
    folded: str  # `text` as compared
    refines_only: bool = False  # names a decision's outcome; does not make one by itself


@dataclass(frozen=True)
class PhraseBook:
    phrases: tuple[Phrase, ...]  # subject and body phrases
    amount_labels: tuple[Phrase, ...]
    subject_hints: tuple[str, ...]  # folded; any subject phrase counts as a hint too
    sender_local_parts: frozenset[str]
    notification_kinds: Mapping[str, NoticeKind]
    marketplace_languages: Mapping[str, str]
    forward_markers: tuple[str, ...]  # folded
    forward_labels: Mapping[str, str]  # folded label -> "from", "date", "subject", ...
    odr_not_counted: tuple[str, ...] = ()  # folded


_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u00b4": "'"})


def fold(text: str) -> str:
    """Text as phrases are compared: NFKC (full-width forms, ￥), straight quotes, one space,
    case-folded."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_QUOTES).split()).casefold()


@cache
def phrase_book() -> PhraseBook:
    text = resources.files("atoz").joinpath("mail_phrases.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    phrases: list[Phrase] = []
    labels: list[Phrase] = []
    hints: list[str] = []
    not_counted: list[str] = []
    for language, block in data["languages"].items():
        hints += [fold(hint) for hint in block["subject_hints"]]
        for kind, entries in block["subject"].items():
            phrases += [_phrase(language, "subject", NoticeKind(kind), None, e) for e in entries]
        for key, entries in block["body"].items():
            outcome = next((o for o in MAIL_OUTCOMES if o.value == key), None)
            kind = NoticeKind.DECISION if outcome else NoticeKind(key)
            phrases += [_phrase(language, "body", kind, outcome, e) for e in entries]
        labels += [_phrase(language, "amount label", None, None, e)
                   for e in block["amount_labels"]]
        not_counted += [fold(e["text"]) for e in block.get("odr_not_counted", [])]
    hints += [p.folded for p in phrases if p.where == "subject"]
    forwards = data["forwards"]
    return PhraseBook(
        phrases=tuple(phrases),
        amount_labels=tuple(labels),
        subject_hints=tuple(dict.fromkeys(hints)),
        sender_local_parts=frozenset(data["senders"]["local_parts"]),
        notification_kinds={name: NoticeKind(kind)
                            for name, kind in data["notification_types"]["kinds"].items()},
        marketplace_languages=dict(data["marketplace_languages"]),
        forward_markers=tuple(fold(marker) for marker in forwards["markers"]),
        forward_labels={fold(label): name
                        for name, names in forwards["labels"].items() for label in names},
        odr_not_counted=tuple(not_counted),
    )


def _phrase(language: str, where: str, kind: NoticeKind | None, outcome: Outcome | None,
            entry: dict[str, Any]) -> Phrase:
    return Phrase(language, where, kind, outcome, entry["text"], Sample(entry["sample"]),
                  entry["source"], fold(entry["text"]), bool(entry.get("refines_only")))


@cache
def amazon_domains() -> Mapping[str, str]:
    """`amazon.co.uk` -> `UK`: the only domains whose mail is trusted."""
    return {packaged(code).domain: code for code in marketplaces()}


@cache
def _marketplace_ids() -> Mapping[str, str]:
    return {packaged(code).marketplace_id: code for code in marketplaces()}


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].rstrip(".").lower()


def is_amazon(address: str) -> bool:
    """Exactly an Amazon marketplace domain: not `amazon.com.example.info`, not a subdomain
    (`marketplace.amazon.com` relays buyers' messages)."""
    return "@" in address and domain_of(address) in amazon_domains()


def forwarding_addresses(listed: Iterable[str]) -> frozenset[str]:
    """The seller's forwarding addresses as a message's sender is compared with them: lower
    case, each entry a bare address or `Kim <kim@shop.example>`, several comma-separated.
    Raises InputError for an entry that holds something that is no address."""
    found: set[str] = set()
    for entry in listed:
        if not entry.strip(" \t,"):
            continue
        addresses = [address.strip().lower() for _, address in getaddresses([entry])]
        if not all(a.rpartition("@")[0] and a.rpartition("@")[2] for a in addresses):
            raise InputError("forwarders", entry.strip(), "not a list of e-mail addresses (give "
                             "kim@shop.example or 'Kim <kim@shop.example>', several "
                             "separated by commas)")
        found.update(addresses)
    return frozenset(found)


def may_be_notice(sender: str, subject: str, notification_type: str,
                  forwarders: frozenset[str]) -> bool:
    """From headers alone: can this message be (or forward) an A-to-z notice? False skips it
    unread, so a folder of unrelated mail costs one header parse per message."""
    if notification_type.strip():  # Amazon labels its own mail; trust the label to exclude
        return notification_type.strip().upper().startswith("A_Z_")
    if sender in forwarders:
        return True
    book = phrase_book()
    folded = fold(subject)
    if any(hint in folded for hint in book.subject_hints):
        return True  # a look-alike from elsewhere is listed as not recognised, with the reason
    local, _, _ = sender.rpartition("@")
    return is_amazon(sender) and local in book.sender_local_parts


# --- classification -----------------------------------------------------------------------------
# A decision's mail may recall the claim, and an information request the claim too: the later
# stage wins (MAIL_OUTCOMES is in the order a decision's outcome is looked for).
_KIND_ORDER = (NoticeKind.DECISION, NoticeKind.INFO_REQUEST, NoticeKind.NEW_CLAIM)
# Dashes a Japanese mail program writes in an order id (Shift_JIS 0x817C read as a minus sign).
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2212", "-"))
ORDER_ID = re.compile(r"(?<![0-9A-Za-z])((?:[0-9]{3}|[A-Z][0-9]{2})-[0-9]{7}-[0-9]{7})(?![0-9])")


def classify(letter: Letter, where: str, *, forwarders: frozenset[str],
             outer: Letter | None = None) -> Notice:
    """The notice `letter` is. `outer` is the message that forwarded it, if any; it must come
    from one of `forwarders` (lower-case addresses) and carry a Date."""
    moment = letter.sent_at or (outer.sent_at if outer else None)
    if moment is None:
        raise ValueError("classify needs a letter with a date")
    market = _marketplace(letter) if is_amazon(letter.sender) else None
    base = Notice(
        kind=NoticeKind.UNRECOGNISED, where=where,
        message_id=(outer or letter).message_id,
        inner_message_id=letter.message_id if outer else "",
        sent_at=moment, date_note=letter.date_note if letter.sent_at else "",
        subject=letter.subject, sender=letter.sender,
        forwarded_by=outer.sender if outer else "", marketplace=market, order_id=None,
        amount=None, currency=None, outcome=None,
        language=phrase_book().marketplace_languages.get(market or "", ""), matched="")
    reason = _distrust(letter, outer, forwarders)
    if reason:
        return _unrecognised(base, reason)
    body = fold(letter.text)  # folded once: the kind, the amount and the ODR phrase read it
    kind, matched, language, body_hits = _kind(letter, body)
    if language:
        base = replace(base, language=language)
    if kind is None:
        return _unrecognised(base, "the wording is not recognised (no known subject, body "
                             "phrase or X-Space-Notification-Type)")
    said = "; ".join(matched)
    outcome = None
    if kind is NoticeKind.DECISION:
        outcome = next((o for o in MAIL_OUTCOMES for p in body_hits if p.outcome is o), None)
        if outcome is None:
            return _unrecognised(base, f"a decision ({said}), but its outcome wording is not "
                                 "recognised", said)
        said += f"; body '{next(p.text for p in body_hits if p.outcome is outcome)}'"
    order_id, problem = _order_id(letter)
    if order_id is None:
        return _unrecognised(base, f"a {kind} ({said}), but {problem}", said)
    amount = _amount(body, body_hits, market)
    not_counted = kind is NoticeKind.DECISION and any(
        phrase in body for phrase in phrase_book().odr_not_counted)
    return replace(base, kind=kind, matched=said, outcome=outcome, order_id=order_id,
                    amount=amount[0] if amount else None,
                    currency=amount[1] if amount else None, odr_not_counted=not_counted)


def _unrecognised(base: Notice, reason: str, matched: str = "") -> Notice:
    return replace(base, kind=NoticeKind.UNRECOGNISED, reason=reason, matched=matched)


def _distrust(letter: Letter, outer: Letter | None, forwarders: frozenset[str]) -> str:
    """Why the message cannot be trusted, or ""."""
    if outer is not None and outer.sender not in forwarders:
        return (f"forwarded by {outer.sender or 'an unnamed sender'}, which is not in the list "
                "of the seller's forwarding addresses")
    if letter.sender == "":
        return "no single sender address in From"
    if not is_amazon(letter.sender):
        whose = "the forwarded message's sender" if outer else "the sender"
        return (f"not from Amazon: {whose} {letter.sender} is not at an Amazon marketplace "
                "domain")
    if outer is not None and letter.sent_at is None:
        return "the forwarded message's date could not be read"
    return ""


def _kind(letter: Letter, body: str) -> tuple[NoticeKind | None, list[str], str, list[Phrase]]:
    """The kind, what decided it (and a body phrase that agrees), the language of the wording,
    and the body phrases found in text order (`body` is the letter's, folded). The header
    decides first, then the subject, then the body."""
    book = phrase_book()
    subject = fold(letter.subject)
    hits = [p for p in book.phrases
            if p.folded in (subject if p.where == "subject" else body)]
    body_hits = sorted((p for p in hits if p.where == "body"), key=lambda p: body.find(p.folded))
    label = letter.notification_type.strip().upper()
    kind = book.notification_kinds.get(label)
    matched = [f"header X-Space-Notification-Type {label}"] if kind else []
    deciding = None
    if kind is None:
        deciding = next((p for where in ("subject", "body") for wanted in _KIND_ORDER
                         for p in hits if p.where == where and p.kind is wanted
                         and not p.refines_only), None)
        if deciding is None:
            return None, [], hits[0].language if hits else "", body_hits
        kind = deciding.kind
        matched.append(f"{deciding.where} '{deciding.text}'")
    agreeing = next((p for p in body_hits if p.kind is kind and p is not deciding
                     and kind is not NoticeKind.DECISION), None)  # a decision names its outcome
    if agreeing:
        matched.append(f"body '{agreeing.text}'")
    chosen = deciding or agreeing or (body_hits[0] if body_hits else None)
    return kind, matched, chosen.language if chosen else "", body_hits


def _order_id(letter: Letter) -> tuple[str | None, str]:
    """The order id: the subject's, else the one id in the body. ASCII digits only, after NFKC
    (full-width digits count; Arabic-Indic ones do not)."""
    for text in (letter.subject, letter.text):
        found = set(ORDER_ID.findall(unicodedata.normalize("NFKC", text).translate(_DASHES)))
        if len(found) == 1:
            return found.pop(), ""
        if len(found) > 1:
            return None, f"{len(found)} different order ids in it"
    return None, "no order id (3-7-7 digits) in it"


# --- amounts ------------------------------------------------------------------------------------
# Only the marketplaces' currencies: other ISO codes are English words ("try", "sar").
_CODES = "|".join(sorted({packaged(c).currency.lower() for c in marketplaces()}))
_SYMBOLS = {"us$": "USD", "cdn$": "CAD", "ca$": "CAD", "c$": "CAD", "au$": "AUD", "a$": "AUD",
            "mx$": "MXN", "r$": "BRL", "£": "GBP", "€": "EUR", "¥": "JPY", "円": "JPY",
            "₹": "INR"}
_SYMBOL = "|".join(re.escape(s) for s in sorted(_SYMBOLS, key=len, reverse=True))
_NUMBER = r"[0-9]{1,3}(?:[.,'][0-9]{3})*(?:[.,][0-9]{1,2})?|[0-9]{1,12}(?:[.,][0-9]{1,2})?"
_MONEY = re.compile(
    rf"(?<![0-9a-z.,])(?P<pre>{_SYMBOL}|\$|\b(?:{_CODES})\b) ?(?P<num>{_NUMBER})(?![0-9])"
    rf"|(?<![0-9.,])(?P<num2>{_NUMBER}) ?(?P<post>{_SYMBOL}|\b(?:{_CODES})\b)")
_WINDOW = 250  # characters after a phrase in which its amount is looked for


def _amount(body: str, body_hits: list[Phrase], market: str | None) -> tuple[str, str] | None:
    """The amount in the folded body next after a matched phrase, else after an amount label;
    never any amount."""
    starts = [body.find(p.folded) for p in body_hits]
    starts += [m.end() for label in phrase_book().amount_labels
               for m in re.finditer(re.escape(label.folded), body)]
    for start in sorted(s for s in starts if s >= 0):
        match = _MONEY.search(body, start, start + _WINDOW)
        if match:  # the first amount after the phrase, or none: a later one is another sum
            return _money(match, market)
    return None


def _money(match: re.Match[str], market: str | None) -> tuple[str, str] | None:
    mark = match.group("pre") or match.group("post")
    number = match.group("num") or match.group("num2")
    if mark == "$":  # the marketplace's dollar when it has one
        home = packaged(market).currency if market else "USD"
        currency = home if home in ("USD", "CAD", "AUD", "MXN") else "USD"
    else:
        currency = _SYMBOLS.get(mark) or mark.upper()
    try:  # atoz's one amount grammar: "119,00", "1.234,56", "7,480" yen; never a guess
        return decimal_text(parse_amount(number, currency), currency), currency
    except InputError:
        return None


def _marketplace(letter: Letter) -> str | None:
    """X-Marketplace-ID when it names a marketplace (it wins), else the sender's domain."""
    return (_marketplace_ids().get(letter.marketplace_id.strip())
            or amazon_domains().get(domain_of(letter.sender)))

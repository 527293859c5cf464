"""Message drafts for the playbook steps (checked by atoz.wording for what Amazon forbids).

A template is a text file: `contact.txt`, `follow-up.txt`, `represent.txt` or `appeal.txt`.
A seller's own file of the same name in their templates folder wins over the one shipped in
the package. The syntax is deliberately tiny, so a template can never run code:

- `{order_id}` is replaced by that fact of the claim; only the plain names in PLACEHOLDERS exist.
  Anything else between braces (`{claim.__class__}`, `{x[0]}`, `{x!r}`, `{x:>9}`) is an error.
- `{{` and `}}` are a literal brace; a lone `{` or `}` is an error (it is usually a typo).
- Lines starting with `#` are comments and are dropped.
- A line holding only placeholders that all come out empty is left out, so an optional fact
  (say, a claim filed outside the window) takes no room when it does not apply.

Pure domain: no printing, no exits; problems are raised as InputError.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from atoz.claims import ClaimPicture, claim_instant, claim_tz
from atoz.errors import InputError
from atoz.files import writable_by_others
from atoz.instants import Now, moment_text, two_zones
from atoz.money import fmt
from atoz.playbook import STEP_WORDS
from atoz.records import Claim, HistoryKind, Outcome, StepName, StepState
from atoz.windows import Filed, classify_filing
from atoz.wording import WordingHit, find_wording

MAX_TEMPLATE = 100_000  # characters; a message template is a page, not a book

# Every placeholder a template may use, with what it holds. Values are always plain text.
PLACEHOLDERS: dict[str, str] = {
    "greeting": "'Hello Dana Ortiz,' or 'Hello,' when the buyer's name is not known",
    "buyer": "the buyer's name, or 'the buyer'",
    "buyer_name": "the buyer's name, or nothing",
    "claim_id": "atoz's number for the claim",
    "order_id": "the Amazon order id",
    "marketplace": "the marketplace code (US, UK, DE...)",
    "order_date": "the order date",
    "latest_delivery": "the latest estimated delivery date",
    "claim_filed": "the date (and time, if known) the claim was filed",
    "amount": "the amount claimed with its currency, or a blank to fill",
    "problem": "the problem as told to the buyer ('your order has not reached you')",
    "reason": "the claim's reason as told to Amazon ('order not received')",
    "ask_for": "what to ask the buyer for in the follow-up, fitting the reason",
    "evidence": "a blank to fill with the proof that fits the reason (tracking, photos...)",
    "window_opens": "the day the buyer's filing window opened",
    "window_closes": "the day it closes",
    "window_fact": "a sentence when the claim was filed outside the window, else nothing",
    "response_deadline": "when Amazon expects the seller's answer (marketplace time)",
    "history": "the claim's history so far, one '- DATE: what' line each",
    "proposed": "when we wrote to the buyer and what we proposed, from the steps marked done",
    "buyer_reply": "what the buyer sent or did not send, from what is recorded",
    "decided_on": "the day the claim was granted seller-funded, or nothing",
    "today": "today's date",
}

# The problem in words, per claim reason: (to the buyer, to Amazon, what to ask the buyer for,
# the proof the seller should add for Amazon).
REASON_WORDS: dict[str, tuple[str, str, str, str]] = {
    "not-received": (
        "your order has not reached you",
        "order not received",
        "could you check whether the parcel was left with a neighbour, in a mailroom or in a "
        "safe place, and tell me if the carrier left you any notice?",
        "Shipping: [add the carrier, the tracking number and what tracking shows]",
    ),
    "not-as-described": (
        "the item you received did not meet your expectations",
        "item not as described",
        "could you send me a few photos of the item and its packaging, and a short description "
        "of what is wrong with it?",
        "The item: [add what the listing says and what was shipped; attach photos if you have "
        "them]",
    ),
    "return": (
        "your return has not gone smoothly",
        "a problem with the return",
        "could you send me a photo of the return label or the drop-off receipt, and tell me the "
        "day you sent the item back?",
        "The return: [add the return request date, the return tracking number and when the "
        "item arrived]",
    ),
    "refund": (
        "you are still waiting for the money from your return",
        "refund not received",
        "could you tell me when you sent the item back and send me a photo of the receipt or "
        "the return label?",
        "The return and refund: [add when the item came back and when and how much you "
        "refunded]",
    ),
    "other": (
        "there has been a problem with your order",
        "another problem with the order",
        "could you send me a few photos and a short description of the problem?",
        "[add the facts that show what happened, with documents]",
    ),
}


# --- templates -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Template:
    step: StepName
    text: str
    source: str  # where it was read from, for messages
    own: bool  # True when it is the seller's override


def parse_step(text: str) -> StepName:
    try:
        return StepName(text.strip().lower())
    except ValueError:
        names = ", ".join(str(s) for s in StepName)
        raise InputError("step", text, f"unknown step; use one of {names}") from None


def templates_folder(option: Path | None, db_file: Path) -> Path:
    """The seller's templates folder: the one given (`ATOZ_TEMPLATES`), else beside the database."""
    if option is not None and option.exists() and not option.is_dir():
        raise InputError("templates", str(option), "is a file; give the folder that holds "
                                                   "your templates")
    return option if option is not None else db_file.parent / "templates"


def override_path(step: StepName, folder: Path) -> Path:
    return folder / f"{step}.txt"


def packaged_template(step: StepName) -> Template:
    name = f"{step}.txt"
    resource = resources.files("atoz").joinpath("templates", name)
    return Template(step, resource.read_text(encoding="utf-8"), f"atoz/templates/{name}", False)


def find_template(step: StepName, folder: Path | None) -> Template:
    """The seller's own template for the step if there is one, else the packaged one. A
    template in a folder (or a file) that another user could change is refused: its words go
    to buyers and to Amazon under the seller's name."""
    if folder is None:
        return packaged_template(step)
    path = override_path(step, folder)
    try:
        if not path.is_file():
            return packaged_template(step)
        for place in (folder, path):
            if writable_by_others(place):
                raise InputError("template", str(place), "can be changed by other users of this "
                                                         "machine; make it yours only (chmod "
                                                         "go-w) before atoz uses it")
        text = path.read_text(encoding="utf-8-sig")  # Notepad adds a BOM
    except UnicodeDecodeError:
        raise InputError("template", str(path), "not UTF-8 text; save it as UTF-8") from None
    except OSError as exc:
        raise InputError("template", str(path), f"cannot be read: {exc.strerror}") from None
    if len(text) > MAX_TEMPLATE:
        raise InputError("template", str(path), f"too long (at most {MAX_TEMPLATE} "
                                                "characters)")
    return Template(step, text, str(path), True)


# `{{`, `}}`, a `{...}` group on one line, or a lone brace.
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}\n]*)\}|[{}]")
_NAME = re.compile(r"[a-z][a-z0-9_]*")


def fill(template: Template, values: Mapping[str, str]) -> str:
    """The template with each placeholder replaced by its value, in one pass.

    Values are inserted as they are and never read again as a template, so a buyer called
    `{order_id}` stays `{order_id}`. Unknown names and anything that is not a plain name are
    an InputError naming the placeholder, the file and the line.
    """
    lines = []
    for number, line in enumerate(template.text.splitlines(), start=1):
        if line.startswith("#"):
            continue
        parts: list[str] = []
        had_placeholder, position = False, 0
        for match in _TOKEN.finditer(line):
            parts.append(line[position:match.start()])
            position = match.end()
            token, name = match.group(0), match.group(1)
            if token in ("{{", "}}"):
                parts.append(token[0])
            elif name is None:
                raise InputError("template", token, f"a lone brace in {template.source} line "
                                                    f"{number}; write {token}{token} for a "
                                                    "literal one")
            elif _NAME.fullmatch(name) is None:
                raise InputError("template", token, f"in {template.source} line {number} is not "
                                                    "a placeholder: atoz fills plain names "
                                                    "only, like {order_id}, with no attribute, "
                                                    "index or format access")
            elif name not in values:
                raise InputError("template", token, f"unknown placeholder in {template.source} "
                                                    f"line {number}; atoz fills: "
                                                    f"{', '.join(sorted(values))}")
            else:
                had_placeholder = True
                parts.append(values[name])
        parts.append(line[position:])
        filled = "".join(parts)
        literal = _TOKEN.sub("", line)
        if had_placeholder and not literal.strip() and not filled.strip():
            continue  # an optional fact that does not apply
        lines.append(filled.rstrip())
    text = "\n".join(lines).strip("\n")
    return re.sub(r"\n{3,}", "\n\n", text)


# --- the claim's facts as text ---------------------------------------------------------------
def _filed(claim: Claim) -> str:
    facts = claim.facts
    if not facts.claim_date_known:  # a stand-in date: never state it as the real one
        return "[the date the buyer filed the claim]"
    if facts.claim_time is None:
        return facts.filed_text
    return moment_text(claim_instant(claim), claim_tz(claim))  # a time names its zone


def _history(p: ClaimPicture, leave_out: StepName) -> list[str]:
    """One line per recorded event, oldest first: filing, steps done, decisions."""
    events: list[tuple[str, int, str]] = []
    for index, entry in enumerate(p.history):
        on = entry.on.isoformat() if entry.on else ""
        if entry.kind is HistoryKind.STATUS and entry.outcome is not None:
            if index == 0 and entry.outcome is Outcome.UNDER_REVIEW:
                events.append((on, index, f"- {_filed(p.claim)}: the buyer filed the A-to-z "
                                          "claim"))
            elif entry.outcome is Outcome.UNDER_REVIEW:
                events.append((on, index, f"- {on}: the claim was back under review"))
            else:
                events.append((on, index, f"- {on}: claim decided: "
                                          f"{entry.outcome.label.lower()}"))
        elif entry.kind is HistoryKind.DONE and entry.step and entry.step is not leave_out:
            note = f"; note: {entry.note}" if entry.note else ""
            words = STEP_WORDS[entry.step].title
            events.append((on, index, f"- {on}: {words} ({entry.step}){note}"))
        elif entry.kind is HistoryKind.INFO_REQUEST:
            events.append((on, index, f"- {on}: Amazon asked us for more information"))
    return [line for _, _, line in sorted(events)]


def _done_on(p: ClaimPicture, step: StepName) -> str | None:
    for s in p.steps:
        if s.name is step and s.state is StepState.DONE and s.done_on:
            return s.done_on.isoformat()
    return None


def _proposed(p: ClaimPicture) -> str:
    contact, follow_up = _done_on(p, StepName.CONTACT), _done_on(p, StepName.FOLLOW_UP)
    said = []
    if contact:
        said.append(f"on {contact} to apologise and to propose settling the problem directly")
    if follow_up:
        said.append(f"on {follow_up} to offer to solve it together and to ask for photos and "
                    "details")
    if not said:
        return "[say when you wrote to the buyer and what you proposed]"
    return "We wrote to the buyer " + ", and again ".join(said) + "."


def _buyer_reply(p: ClaimPicture, today: dt.date) -> str:
    """Only what the record supports: with no note saying otherwise, nothing was received."""
    asked = _done_on(p, StepName.FOLLOW_UP)
    notes = [h for h in p.history if h.kind is HistoryKind.DONE and h.note]
    if asked and not notes:
        return (f"As of {today.isoformat()}, we have received no photos or details from the "
                f"buyer since we asked on {asked}.")
    if asked:
        return "[say what the buyer sent, if anything; see the notes above]"
    return "[say whether the buyer replied and what they sent]"


def _window_fact(p: ClaimPicture) -> str:
    if p.window is None or not p.claim.facts.claim_date_known:
        return ""
    filing = classify_filing(p.window, p.claim.facts.claim_date)
    if filing.filed is Filed.EARLY:
        return (f"- The claim was filed {filing.days_outside} day(s) before the buyer's filing "
                f"window opened on {p.window.opens} ({p.window.why_opens}).")
    if filing.filed is Filed.LATE:
        return (f"- The claim was filed {filing.days_outside} day(s) after the buyer's filing "
                f"window closed on {p.window.closes} ({p.window.why_closes}).")
    return ""


def facts(p: ClaimPicture, step: StepName, now: Now) -> dict[str, str]:
    """Every placeholder's value for one claim, from its picture."""
    claim, base = p.claim, p.claim.facts
    to_buyer, to_amazon, ask_for, evidence = REASON_WORDS.get(str(base.reason),
                                                              REASON_WORDS["other"])
    grants = [h.on for h in p.history if h.kind is HistoryKind.STATUS and h.on
              and h.outcome is Outcome.GRANTED_SELLER_FUNDED]
    buyer = base.buyer or ""
    values = {
        "greeting": f"Hello {buyer}," if buyer else "Hello,",
        "buyer": buyer or "the buyer",
        "buyer_name": buyer,
        "claim_id": str(claim.id),
        "order_id": base.order_id,
        "marketplace": base.marketplace,
        "order_date": base.order_date.isoformat() if base.order_date else "[the order date]",
        "latest_delivery": (base.latest_delivery.isoformat() if base.latest_delivery
                            else "[the latest estimated delivery date]"),
        "claim_filed": _filed(claim),
        "amount": fmt(base.amount_minor, base.currency) or "[add the amount]",
        "problem": to_buyer,
        "reason": to_amazon,
        "ask_for": ask_for,
        "evidence": evidence,
        "window_opens": p.window.opens.isoformat() if p.window else "[unknown]",
        "window_closes": p.window.closes.isoformat() if p.window else "[unknown]",
        "window_fact": _window_fact(p),
        "response_deadline": (two_zones(claim.response_deadline, now.zone, p.policy.tz)
                              if claim.facts.claim_date_known else
                              "[the response deadline: the filing date is unknown]"),
        "history": "\n".join(_history(p, leave_out=step)),
        "proposed": _proposed(p),
        "buyer_reply": _buyer_reply(p, now.today),
        "decided_on": grants[-1].isoformat() if grants else "",
        "today": now.today.isoformat(),
    }
    assert set(values) == set(PLACEHOLDERS)
    return values


# --- a draft ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Draft:
    step: StepName
    text: str
    template: Template
    hits: list[WordingHit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # things the seller should know


def make_draft(p: ClaimPicture, name: StepName, now: Now, folder: Path | None) -> Draft:
    """The message for one step of one claim, checked for forbidden wording."""
    claim = p.claim
    steps = {s.name: s for s in p.steps}
    if name not in steps:
        if name is StepName.APPEAL:
            raise InputError("step", str(name),
                             f"claim {claim.id} was never granted seller-funded "
                             f"(it is {claim.outcome.label.lower()}), so there is "
                             "nothing to appeal; when Amazon grants it against "
                             f"you, record it with: atoz status {claim.id} "
                             "granted-seller-funded --on DATE")
        raise InputError("step", str(name), f"claim {claim.id} has no {name} step")
    template = find_template(name, folder)
    text = fill(template, facts(p, name, now))
    notes = []
    state = steps[name].state_at(now.at)
    if state is StepState.DONE:
        notes.append(f"Note: {name} is already recorded as done on {steps[name].done_on}.")
    elif state is StepState.MOOT:
        notes.append(f"Note: claim {claim.id} is {claim.outcome.label.lower()}, so this step "
                     "is no longer needed.")
    elif state is StepState.MISSED:
        notes.append(f"Note: the deadline for {name} has passed "
                     f"({two_zones(steps[name].deadline, now.zone, p.policy.tz)}).")
    blanks = len(re.findall(r"\[[^\[\]\n]+\]", text))
    if blanks:
        notes.append(f"Fill in the {blanks} [bracketed] blank{'s' if blanks > 1 else ''} "
                     "before sending.")
    return Draft(name, text, template, find_wording(text), notes)

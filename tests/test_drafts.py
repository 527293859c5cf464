"""Message drafts for the playbook steps, their templates, and the forbidden-wording check.

Drafts read a claim's picture (`atoz.claims.picture`), never another command's JSON."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from atoz.claims import find_claim, picture
from atoz.drafts import PLACEHOLDERS, Template, facts, fill, packaged_template
from atoz.errors import InputError
from atoz.policy import PolicyBook
from atoz.records import Reason, StepName
from atoz.store import Store
from atoz.wording import check_wording, find_wording
from tests.helpers import ADD, now_at, snapshot

Run = Callable[..., Result]
ORDER = "113-1234567-1234567"
INFO_REQUEST = Path(__file__).parents[1] / "sample_data" / "emails" / "us-info-request.eml"
INFO_ORDER = "112-6620481-3399051"  # the order that e-mail names
TODAY = ("--today", "2026-10-24")


@pytest.fixture
def claim(run: Run) -> str:
    """Claim 1: not received, 24.99 USD, buyer Dana Ortiz, filed 2026-10-20."""
    result = run(*ADD, "--buyer", "Dana Ortiz", "--today", "2026-10-20")
    assert result.exit_code == 0, result.output
    return "1"


@pytest.fixture
def templates() -> Path:
    """The seller's templates folder (conftest points ATOZ_TEMPLATES at it)."""
    folder = Path(os.environ["ATOZ_TEMPLATES"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def draft(run: Run, *args: str) -> Result:
    return ok(run("draft", *args, *TODAY))


# --- a draft for every step, with the claim's facts ------------------------------------------
def test_contact_draft_greets_the_buyer_apologises_and_asks_to_withdraw(run: Run, claim: str
                                                                       ) -> None:
    text = draft(run, claim, "contact").stdout
    assert text.startswith("Hello Dana Ortiz,\n")
    assert "I am sorry that your order has not reached you" in text
    assert f"order {ORDER}, placed on 2026-10-01" in text
    assert "better way to settle this than an A-to-z claim" in text
    assert "consider withdrawing the claim" in text
    assert "{" not in text and "#" not in text


def test_follow_up_draft_offers_to_solve_it_together_and_asks_what_fits_the_reason(
        run: Run, claim: str) -> None:
    text = draft(run, claim, "follow-up").stdout
    assert text.startswith("Hello Dana Ortiz,")
    assert ORDER in text
    assert "solve this together" in text
    assert "neighbour" in text  # not received: ask where the parcel may be


def test_represent_draft_has_the_order_facts(run: Run, claim: str) -> None:
    text = draft(run, claim, "represent").stdout
    assert (f"- Order {ORDER}, placed on 2026-10-01, latest estimated delivery 2026-10-09, "
            "amount 24.99 USD.") in text
    assert "On 2026-10-20 Dana Ortiz filed an A-to-z claim (reason: order not received)." in text
    assert "[add the carrier, the tracking number and what tracking shows]" in text
    assert "fair decision" in text


def test_represent_draft_shows_the_history_from_the_steps_done(run: Run, claim: str) -> None:
    ok(run("done", claim, "contact", "--on", "2026-10-21", *TODAY))
    ok(run("done", claim, "follow-up", "--on", "2026-10-23", *TODAY))
    text = draft(run, claim, "represent").stdout
    assert "- 2026-10-20: the buyer filed the A-to-z claim" in text
    assert "- 2026-10-21: first message to the buyer (contact)" in text
    assert "- 2026-10-23: second message to the buyer" in text
    assert "We wrote to the buyer on 2026-10-21 to apologise" in text
    assert ("As of 2026-10-24, we have received no photos or details from the buyer since we "
            "asked on 2026-10-23.") in text


def test_represent_draft_leaves_blanks_for_what_atoz_does_not_know(run: Run, claim: str
                                                                  ) -> None:
    result = draft(run, claim, "represent")
    assert "[say when you wrote to the buyer and what you proposed]" in result.stdout
    assert "[say whether the buyer replied and what they sent]" in result.stdout
    assert "no photos" not in result.stdout  # nothing was asked yet: claim nothing
    assert "Fill in the 5 [bracketed] blanks before sending." in result.stderr


def test_a_note_on_a_step_replaces_the_no_photos_sentence(run: Run, claim: str) -> None:
    ok(run("done", claim, "follow-up", "--on", "2026-10-23", "--note",
           "buyer sent two photos of a torn box", *TODAY))
    text = draft(run, claim, "represent").stdout
    assert "(follow-up); note: buyer sent two photos of a torn box" in text
    assert "no photos" not in text
    assert "[say what the buyer sent, if anything; see the notes above]" in text


def test_represent_cites_a_claim_filed_outside_the_window(run: Run) -> None:
    ok(run("add", ORDER, "--order-date", "2026-01-01", "--latest-delivery", "2026-01-10",
           "--claim-date", "2026-04-15", "--today", "2026-04-15"))
    text = draft(run, "1", "represent").stdout
    assert ("- The claim was filed 5 day(s) after the buyer's filing window closed on "
            "2026-04-10 (latest delivery 2026-01-10 + 90 days).") in text


def test_a_claim_filed_in_the_window_takes_no_line_for_it(run: Run, claim: str) -> None:
    text = draft(run, claim, "represent").stdout
    assert "filing window" not in text
    assert "\n\n\n" not in text and "\n- \n" not in text


def test_appeal_draft_after_a_seller_funded_grant(run: Run, claim: str) -> None:
    ok(run("done", claim, "contact", "--on", "2026-10-21", *TODAY))
    ok(run("status", claim, "granted-seller-funded", "--on", "2026-10-28", "--today",
           "2026-10-28"))
    text = ok(run("draft", claim, "appeal", "--today", "2026-10-30")).stdout
    assert "review your decision of 2026-10-28" in text
    assert f"- Order {ORDER}, placed on 2026-10-01" in text
    assert "amount 24.99 USD" in text
    assert "- 2026-10-21: first message to the buyer (contact)" in text
    assert "- 2026-10-28: claim decided: granted, seller funded" in text
    assert "What we will change\n1. [" in text


def test_appeal_for_a_claim_never_granted_seller_funded_is_refused(run: Run, claim: str
                                                                  ) -> None:
    result = run("draft", claim, "appeal", *TODAY)
    assert result.exit_code == 2
    assert "never granted seller-funded" in result.stderr
    assert f"atoz status {claim} granted-seller-funded" in result.stderr
    assert result.stdout == ""


def test_unknown_step_is_an_error_naming_it(run: Run, claim: str) -> None:
    result = run("draft", claim, "thank-you", *TODAY)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: STEP: 'thank-you': unknown step")
    assert "contact, follow-up, represent, answer-request, appeal" in result.stderr


def test_a_step_the_claim_does_not_have_is_named_plainly(run: Run, claim: str) -> None:
    # Only a claim Amazon asked for information has an answer-request step.
    result = run("draft", claim, "answer-request", *TODAY)
    assert result.exit_code == 2
    assert result.stderr == ("Error: STEP: 'answer-request': claim 1 has no answer-request "
                             "step\n")


def test_unknown_claim_is_exit_1(run: Run) -> None:
    result = run("draft", "7", "contact", *TODAY)
    assert result.exit_code == 1
    assert "no claim 7" in result.stderr


def test_a_claim_can_be_named_by_its_order_id(run: Run, claim: str) -> None:
    assert ORDER in draft(run, ORDER, "contact").stdout


def test_without_a_buyer_name_the_greeting_still_reads(run: Run) -> None:
    ok(run(*ADD, "--today", "2026-10-20"))
    assert draft(run, "1", "contact").stdout.startswith("Hello,\n")
    text = draft(run, "1", "represent").stdout
    assert "On 2026-10-20 the buyer filed" in text and "None" not in text


def test_drafting_writes_nothing(run: Run, claim: str, db_path: Path) -> None:
    before = snapshot(db_path)
    draft(run, claim, "represent")
    assert snapshot(db_path) == before


def test_drafting_a_done_step_says_so(run: Run, claim: str) -> None:
    ok(run("done", claim, "contact", "--on", "2026-10-21", *TODAY))
    result = draft(run, claim, "contact")
    assert "contact is already recorded as done on 2026-10-21" in result.stderr


def test_draft_help_shows_an_example(run: Run) -> None:
    result = ok(run("draft", "--help"))
    assert "Example: atoz draft 1 contact" in result.stdout


# --- the seller's own templates ---------------------------------------------------------------
def test_the_sellers_template_is_used_instead_of_the_packaged_one(
        run: Run, claim: str, templates: Path) -> None:
    (templates / "contact.txt").write_text(
        "# my own words\nHi {buyer_name}, about {order_id} ({amount}): {{sorry}}.\n",
        encoding="utf-8")
    result = draft(run, claim, "contact")
    assert result.stdout == f"Hi Dana Ortiz, about {ORDER} (24.99 USD): {{sorry}}.\n"
    assert f"Template: yours, {templates / 'contact.txt'}" in result.stderr
    # The other steps still come from the package.
    assert "solve this together" in draft(run, claim, "follow-up").stdout


def test_the_default_templates_folder_is_beside_the_database(
        run: Run, claim: str, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ATOZ_TEMPLATES")
    folder = db_path.parent / "templates"
    folder.mkdir(exist_ok=True)
    (folder / "follow-up.txt").write_text("Beside the database: {order_id}\n", encoding="utf-8")
    assert draft(run, claim, "follow-up").stdout == f"Beside the database: {ORDER}\n"
    assert f"save yours as {folder / 'contact.txt'}" in draft(run, claim, "contact").stderr


def test_an_unknown_placeholder_is_an_error_naming_it_and_the_file(
        run: Run, claim: str, templates: Path) -> None:
    (templates / "represent.txt").write_text("Hello,\nShipped on {ship_date}.\n",
                                             encoding="utf-8")
    result = run("draft", claim, "represent", *TODAY)
    assert result.exit_code == 2
    assert "'{ship_date}'" in result.stderr
    assert f"unknown placeholder in {templates / 'represent.txt'} line 2" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("token", ["{claim.__class__}", "{order_id[0]}", "{order_id!r}",
                                   "{order_id:>40}", "{ order_id }", "{__import__('os')}"])
def test_attribute_index_and_format_access_are_refused(
        run: Run, claim: str, templates: Path, token: str) -> None:
    (templates / "contact.txt").write_text(f"Dear {token}\n", encoding="utf-8")
    result = run("draft", claim, "contact", *TODAY)
    assert result.exit_code == 2, result.output
    assert "is not a placeholder" in result.stderr
    assert token in result.stderr
    assert result.stdout == ""


def test_a_lone_brace_is_an_error(run: Run, claim: str, templates: Path) -> None:
    (templates / "contact.txt").write_text("Order {order_id\n", encoding="utf-8")
    result = run("draft", claim, "contact", *TODAY)
    assert result.exit_code == 2
    assert "a lone brace" in result.stderr and "line 1" in result.stderr


def test_a_template_saved_by_notepad_works(run: Run, claim: str, templates: Path) -> None:
    (templates / "contact.txt").write_bytes(b"\xef\xbb\xbf# BOM and CRLF\r\nHi {greeting}\r\n")
    assert draft(run, claim, "contact").stdout == "Hi Hello Dana Ortiz,\n"


def test_a_template_that_is_not_utf8_is_an_error(run: Run, claim: str, templates: Path
                                                ) -> None:
    (templates / "contact.txt").write_bytes("Grüße {order_id}".encode("utf-16"))
    result = run("draft", claim, "contact", *TODAY)
    assert result.exit_code == 2
    assert "not UTF-8" in result.stderr


def test_values_are_never_read_as_a_template() -> None:
    template = Template(StepName.CONTACT, "{greeting} {order_id}\n", "test", True)
    values = dict.fromkeys(PLACEHOLDERS, "")
    values.update(greeting="Hello {order_id} {claim.__class__},", order_id="113-1234567-1234567")
    assert fill(template, values) == "Hello {order_id} {claim.__class__}, 113-1234567-1234567"


def test_an_unknown_placeholder_is_an_input_error_in_the_domain_too() -> None:
    template = Template(StepName.CONTACT, "a\n{nope}\n", "my/contact.txt", True)
    with pytest.raises(InputError) as caught:
        fill(template, dict.fromkeys(PLACEHOLDERS, "x"))
    assert "{nope}" in str(caught.value) and "my/contact.txt line 2" in str(caught.value)


def test_a_sellers_template_with_forbidden_wording_warns_on_stderr(
        run: Run, claim: str, templates: Path) -> None:
    (templates / "contact.txt").write_text(
        "{greeting}\nWe will give you a full refund if you withdraw the claim.\n"
        "Or add me on WeChat.\n", encoding="utf-8")
    result = draft(run, claim, "contact")  # a warning, not an error: exit 0
    assert "full refund if you withdraw" in result.stdout
    assert ('Warning: "refund if you withdraw": offering money for a withdrawal breaks '
            "Amazon's rules") in result.stderr
    assert 'Warning: "WeChat"' in result.stderr
    assert "Warning" not in result.stdout


# --- the forbidden-wording check --------------------------------------------------------------
@pytest.mark.parametrize(("text", "phrase"), [
    ("We will give you a full refund if you withdraw the claim.", "refund if you withdraw"),
    ("We can offer you a 20% discount once you close the case.",
     "discount once you close the case"),
    ("If you update your review, we will send you a $10 gift card.",
     "update your review, we will send you a $10"),
    ("Please remove the negative feedback and we will send a free replacement.",
     "remove the negative feedback and we will send a free"),
    ("We are happy to refund you, and hope you will update your review after that?",
     "refund you, and hope you will update your review"),
    ("Leave a 5-star review and get a coupon.", "Leave a 5-star review and get a coupon"),
    ("We will compensate you\nif you cancel the claim.",
     "compensate you if you cancel the claim"),
    ("See https://shop.example/help for more.", "https://shop.example/help"),
    ("Our catalogue is at www.shop.example.", "www.shop.example"),
    ("Write to help@shop.example instead.", "help@shop.example"),
    ("Call +1 (555) 123-4567 any time.", "+1 (555) 123-4567"),
    ("My number is 555-123-4567.", "555-123-4567"),
    ("加我微信 13800138000", "13800138000"),
    ("Message us on WhatsApp.", "WhatsApp"),
    ("We are on Telegram and Facebook.", "Telegram"),
    ("Please call us so we can sort it out.", "call us"),
])
def test_forbidden_wording_is_flagged(text: str, phrase: str) -> None:
    assert phrase in check_wording(text)


@pytest.mark.parametrize("text", [
    "The refund Amazon issued on 2026-10-21 was 24.99 USD.",
    f"Your order {ORDER} from 2026-10-01 should arrive by 2026-10-09.",
    "Please consider withdrawing the claim. We refunded the order yesterday.",
    "Feel free to withdraw the claim if you wish.",
    "I am sorry you are still waiting for the money from your return.",
    "Tracking 9400111899223100000000 shows it delivered at 14:30 on 2026-10-08.",
    "Tracking 9400 1118 9922 3100 0000 00 shows it delivered.",
    "Order S01-1234567-1234567, amount 1234.50 EUR, claim 12.",
    "Please review the photos and let me know what you think of our reply.",
    "- 2026-10-21: first message to the buyer\n- 2026-10-22: refund sent by Amazon",
])
def test_innocent_wording_passes(text: str) -> None:
    assert check_wording(text) == []


def test_each_hit_says_why() -> None:
    hits = find_wording("Update your feedback for a coupon. Visit www.x.example")
    assert [h.why for h in hits] == [
        "offering money for a changed review or feedback breaks Amazon's rules",
        "links to other sites are not allowed in messages; keep to Buyer-Seller Messages"]


def test_our_own_templates_are_clean_as_written() -> None:
    for step in StepName:
        body = "\n".join(line for line in packaged_template(step).text.splitlines()
                         if not line.startswith("#"))
        assert check_wording(body) == [], step


@pytest.mark.parametrize("reason", [str(r) for r in Reason])
def test_our_own_templates_are_clean_once_filled(run: Run, reason: str) -> None:
    # The order of the sample information request, so every step (answer-request too) exists.
    ok(run("add", INFO_ORDER, "--order-date", "2026-11-10", "--latest-delivery", "2026-11-18",
           "--claim-date", "2026-11-23", "--amount", "24.99", "--reason", reason,
           "--buyer", "Dana Ortiz", "--today", "2026-11-23"))
    ok(run("done", "1", "contact", "--on", "2026-11-24", "--today", "2026-11-24"))
    ok(run("import", str(INFO_REQUEST), "--today", "2026-11-26"))
    ok(run("done", "1", "follow-up", "--on", "2026-11-26", "--today", "2026-11-26"))
    ok(run("status", "1", "granted-seller-funded", "--on", "2026-11-28", "--today", "2026-11-28"))
    for step in StepName:
        result = ok(run("draft", "1", step, "--today", "2026-11-30"))
        assert "Warning" not in result.stderr, (step, result.stderr)
        assert INFO_ORDER in result.stdout


def test_every_placeholder_is_documented_in_every_packaged_template() -> None:
    for step in StepName:
        header = " ".join(line for line in packaged_template(step).text.splitlines()
                          if line.startswith("#"))
        for name in PLACEHOLDERS:
            assert name in header, (step, name)


def test_facts_fill_every_placeholder_with_text(run: Run, db_path: Path) -> None:
    ok(run("add", ORDER, "--order-date", "2026-10-01", "--latest-delivery", "2026-10-09",
           "--claim-date", "2026-10-20 14:30", "--today", "2026-10-21"))
    store = Store.open_read(db_path)
    try:
        p = picture(store, PolicyBook(), find_claim(store, "1"))
    finally:
        store.close()
    values = facts(p, StepName.REPRESENT, now_at("2026-10-21T09:00:00+00:00"))
    assert set(values) == set(PLACEHOLDERS)
    assert all(isinstance(v, str) for v in values.values())
    assert values["amount"] == "[add the amount]"
    assert values["greeting"] == "Hello," and values["buyer"] == "the buyer"
    assert values["claim_filed"] == "2026-10-20 14:30 PDT"  # a time names its zone
    # The deadline in the seller's zone (UTC here), the marketplace's time beside it.
    assert values["response_deadline"] == "2026-10-23 21:30 UTC (2026-10-23 14:30 PDT)"
    assert values["history"] == "- 2026-10-20 14:30 PDT: the buyer filed the A-to-z claim"
    assert values["decided_on"] == "" and values["today"] == "2026-10-21"
    assert (values["window_opens"], values["window_closes"]) == ("2026-10-12", "2027-01-07")


def test_a_missed_step_says_its_deadline_passed_in_both_zones(
        run: Run, claim: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATOZ_TZ", "Asia/Shanghai")
    result = draft(run, claim, "contact")
    assert ("Note: the deadline for contact has passed (2026-10-23 15:00 CST "
            "(2026-10-23 00:00 PDT)).") in result.stderr
    on_time = ok(run("draft", claim, "contact", "--now", "2026-10-23 14:00"))
    assert "has passed" not in on_time.stderr


def test_answer_request_draft_after_amazon_asks_for_information(run: Run) -> None:
    ok(run("add", INFO_ORDER, "--order-date", "2026-11-10", "--latest-delivery", "2026-11-18",
           "--claim-date", "2026-11-23", "--amount", "24.99", "--reason", "not-received",
           "--buyer", "Dana Ortiz", "--today", "2026-11-23"))
    ok(run("import", str(INFO_REQUEST), "--today", "2026-11-26"))
    text = ok(run("draft", "1", "answer-request", "--today", "2026-11-26")).stdout
    assert f"Thank you for looking into the claim on order {INFO_ORDER}" in text
    assert "- 2026-11-25: Amazon asked us for more information" in text
    assert "[answer each question Amazon asked, one line each]" in text


def test_a_claim_whose_filing_date_is_unknown_gets_no_invented_deadline_in_a_draft(
        run: Run, db_path: Path) -> None:
    sample = Path(__file__).resolve().parents[1] / "sample_data" / "finance-events.json"
    ok(run("import", str(sample), "--now", "2026-11-20 10:00"))
    store = Store.open_read(db_path)
    try:
        p = picture(store, PolicyBook(), find_claim(store, "8"))
    finally:
        store.close()
    values = facts(p, StepName.APPEAL, now_at("2026-11-20T10:00:00+00:00"))
    assert values["response_deadline"] == "[the response deadline: the filing date is unknown]"
    assert values["claim_filed"] == "[the date the buyer filed the claim]"

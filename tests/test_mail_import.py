"""Amazon's claim e-mails in (issue 14): each notice becomes a fact on a claim, exactly timed,
with the message as its source; a message read again changes nothing."""

from __future__ import annotations

import json
import mailbox
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import Result

from tests.helpers import snapshot

EMAILS = Path(__file__).parents[1] / "sample_data" / "emails"
NOW = ("--now", "2026-11-30T12:00:00+00:00")
Run = Callable[..., Result]
Json = Callable[..., Any]


def _import(run: Run, *args: str) -> Result:
    result = run("import", *args, *NOW)
    assert result.exit_code == 0, result.output
    return result


def test_a_new_claim_e_mail_gives_the_exact_claim_moment_and_deadline(
        run: Run, run_json: Json) -> None:
    _import(run, str(EMAILS / "us-new-claim.eml"))
    claim = run_json("status", "113-4827391-5062817", *NOW)
    # Date: Tue, 24 Nov 2026 14:30:05 -0800, a US claim: the marketplace's zone is Pacific.
    assert (claim["claim_date"], claim["claim_time"]) == ("2026-11-24", "14:30:05")
    assert (claim["amount"], claim["amount_minor"], claim["currency"]) == ("24.99", 2499, "USD")
    assert claim["response_deadline"] == "2026-11-27T14:30:05-08:00"  # 72 hours, exact
    assert claim["source"] == "email" and claim["marketplace"] == "US"
    assert not any("no claim time" in (s["moved"] or "") for s in claim["steps"])
    filing = claim["history"][0]["note"]
    assert "from e-mail of 2026-11-24 14:30 PST" in filing
    assert "Message-ID <us-new-claim-1@atoz-samples.invalid>" in filing
    assert "from e-mail" in run("status", "1", *NOW).stdout


def test_a_decision_e_mail_records_the_outcome_and_covered_the_cost_is_amazon_funded(
        run: Run, run_json: Json) -> None:
    _import(run, str(EMAILS / "us-decision-amazon-funded-html.eml"))
    claim = run_json("status", "114-3384410-6627019", *NOW)
    assert claim["outcome"] == "granted-amazon-funded"
    assert (claim["payer"], claim["odr"]) == ("amazon", "not-counted")
    assert claim["decided_on"] == "2026-11-27"
    # Amazon decided a claim atoz had not heard of: created, its filing date unknown.
    assert claim["claim_date_known"] is False
    assert "filing date is unknown" in claim["history"][0]["note"]


def test_a_seller_funded_grant_is_not_a_refund_and_schedules_the_appeal(
        run: Run, run_json: Json) -> None:
    _import(run, str(EMAILS / "us-decision-seller-funded.eml"))
    claim = run_json("list", *NOW)[0]
    assert claim["outcome"] == "granted-seller-funded" and claim["payer"] == "seller"
    steps = run_json("status", str(claim["claim_id"]), *NOW)["steps"]
    assert [s["step"] for s in steps] == ["appeal"]


def test_a_decision_completes_the_claim_already_recorded(run: Run, run_json: Json) -> None:
    _import(run, str(EMAILS / "us-new-claim.eml"))
    result = run("status", "1", "denied", "--on", "2026-11-25", *NOW)
    assert result.exit_code == 0, result.output
    # The same order decided again by e-mail: a new outcome on the existing claim, not a claim.
    info = run("import", str(EMAILS / "us-decision-denied.eml"), *NOW)
    assert info.exit_code == 0, info.output
    assert len(run_json("list", *NOW)) >= 1


def test_an_mbox_of_200_messages_records_its_5_notices_and_a_second_import_changes_nothing(
        run: Run, run_json: Json, db_path: Path) -> None:
    assert len(mailbox.mbox(EMAILS / "mixed.mbox")) == 200
    first = _import(run, str(EMAILS / "mixed.mbox"), "--json")
    data = json.loads(first.stdout)
    assert data["added"] + data["updated"] == 5
    assert data["notes"][0] == "200 messages: 5 A-to-z notices, 195 other mail"
    assert len(run_json("list", *NOW)) == 5
    before = run_json("list", "--all", *NOW)
    again = json.loads(_import(run, str(EMAILS / "mixed.mbox"), "--json").stdout)
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 5)
    assert run_json("list", "--all", *NOW) == before


def test_a_maildir_folder_is_read(run: Run, run_json: Json, tmp_path: Path) -> None:
    box = mailbox.Maildir(tmp_path / "Mail", create=True)
    box.add((EMAILS / "us-new-claim.eml").read_bytes())
    box.add((EMAILS / "it-new-claim.eml").read_bytes())
    box.close()
    _import(run, str(tmp_path / "Mail"))
    assert {c["marketplace"] for c in run_json("list", *NOW)} == {"US", "IT"}


def test_a_forward_counts_only_from_a_listed_address_and_takes_the_inner_date(
        run: Run, run_json: Json, monkeypatch: Any) -> None:
    untrusted = json.loads(_import(run, str(EMAILS / "fwd-attached-rfc822.eml"),
                                   "--json").stdout)
    assert untrusted["added"] == 0 and untrusted["skipped"] == 1
    assert any("not recognised" in n for n in untrusted["notes"])
    monkeypatch.setenv("ATOZ_FORWARDERS", "kim@shop.example")
    trusted = json.loads(_import(run, str(EMAILS / "fwd-attached-rfc822.eml"), "--json").stdout)
    assert trusted["added"] == 1
    claim = run_json("list", *NOW)[0]
    # The forward was sent from Shanghai on 11-24 10:30; Amazon's own Date is 11-23 18:02 PST.
    assert (claim["claim_date"], claim["claim_time"]) == ("2026-11-23", "18:02:11")
    assert "forwarded by kim@shop.example" in run_json("status", "1", *NOW)["history"][0]["note"]


def test_gmail_inline_forward_without_an_offset_is_read_in_the_sellers_zone(
        run: Run, run_json: Json, monkeypatch: Any) -> None:
    monkeypatch.setenv("ATOZ_TZ", "Asia/Shanghai")
    _import(run, str(EMAILS / "fwd-gmail-inline.eml"), "--forwarders", "kim@shop.example")
    claim = run_json("status", "1", *NOW)
    # A UK decision forwarded from Gmail: "Date: Tue, Nov 24, 2026 at 10:05 PM", no offset,
    # read in the seller's zone (22:05 in Shanghai is 14:05 in London, the same day).
    assert (claim["outcome"], claim["decided_on"]) == ("granted-amazon-funded", "2026-11-24")
    decided = claim["history"][-1]["note"]
    assert "Asia/Shanghai" in decided and "14:05 GMT" in decided


def test_a_look_alike_sender_domain_is_not_amazon(run: Run, run_json: Json) -> None:
    result = json.loads(_import(run, str(EMAILS / "not-amazon-lookalike-domain.eml"),
                                "--json").stdout)
    assert result["added"] == 0 and run_json("list", *NOW) == []


def test_every_language_sample_is_recognised(run: Run, run_json: Json) -> None:
    for name, market in [("uk-new-claim-crlf.eml", "UK"), ("ca-new-claim.eml", "CA"),
                         ("it-new-claim.eml", "IT"), ("fr-new-claim-base64.eml", "FR"),
                         ("de-new-claim-header-only.eml", "DE"),
                         ("jp-new-claim-iso2022jp.eml", "JP"),
                         ("es-decision-seller-funded.eml", "ES"),
                         ("au-decision-amazon-funded.eml", "AU")]:
        result = json.loads(_import(run, str(EMAILS / name), "--json").stdout)
        assert result["added"] == 1, (name, result)
        newest = max(run_json("list", "--all", *NOW), key=lambda c: c["claim_id"])
        assert newest["marketplace"] == market, name


def test_an_information_request_sets_its_own_deadline(run: Run, run_json: Json) -> None:
    _import(run, str(EMAILS / "us-info-request.eml"))
    claim = run_json("list", *NOW)[0]
    steps = run_json("status", str(claim["claim_id"]), *NOW)["steps"]
    answer = next(s for s in steps if s["step"] == "answer-request")
    # Sent Wed, 25 Nov 2026 09:12:44 -0800; 72 hours in the US.
    assert answer["deadline"] == "2026-11-28T09:12:44-08:00"


def test_an_older_request_read_later_leaves_the_newer_requests_deadline(
        run: Run, run_json: Json) -> None:
    # Today's message saved and imported first, the whole mailbox (with the same order's
    # request of 16 Nov) later: the open request is still the 25 Nov one.
    _import(run, str(EMAILS / "us-info-request.eml"))
    _import(run, str(EMAILS / "mixed.mbox"))
    claim = run_json("status", "112-6620481-3399051", "--now", "2026-11-28T08:00:00-08:00")
    answer = next(s for s in claim["steps"] if s["step"] == "answer-request")
    assert (answer["state"], answer["deadline"]) == ("open", "2026-11-28T09:12:44-08:00")


def test_a_broken_message_is_one_line_and_nothing_is_written(run: Run, db_path: Path,
                                                            tmp_path: Path) -> None:
    box = tmp_path / "broken.mbox"
    good = (EMAILS / "us-new-claim.eml").read_bytes()
    box.write_bytes(b"From x Tue Nov 24 14:30:00 2026\n" + good + b"\n\n"
                    b"From y Tue Nov 24 14:30:00 2026\nFrom: atoz-guarantee-no-reply@amazon.com"
                    b"\nSubject: Claim received on order 113-1111111-1111111\n"
                    b"Content-Type: text/plain; charset=x-no-such-charset\n"
                    b"Content-Transfer-Encoding: base64\n\n!!!not base64!!!\n")
    before = snapshot(db_path)
    result = run("import", str(box), *NOW)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: broken.mbox") and result.stderr.count("\n") == 1
    assert "message 2" in result.stderr and "Traceback" not in result.output
    assert snapshot(db_path) == before
    rejects = tmp_path / "rejects.jsonl"
    result = run("import", str(box), "--skip-bad", str(rejects), *NOW)
    assert result.exit_code == 0, result.output
    assert "message 2" in rejects.read_text(encoding="utf-8")


def test_a_decision_that_debits_but_does_not_count_is_recorded_as_such(
        run: Run, run_json: Json, tmp_path: Path) -> None:
    # Amazon decides money and metric apart (a real US decision, Dec 2024).
    message = tmp_path / "decision.eml"
    message.write_text(
        "From: atoz-guarantee-no-reply@amazon.com\nTo: kim@shop.example\n"
        "Subject: Claim decision on order 113-2222222-3333333\n"
        "Date: Tue, 10 Nov 2026 09:00:00 -0800\nMessage-ID: <odr-1@example.invalid>\n\n"
        "We have granted an A-to-z Guarantee claim of $32.07 on the order 113-2222222-3333333."
        "\nAfter review, we will not count the claim against your Order Defect Rate, but will "
        "debit your account for the amount of $32.07.\n", encoding="utf-8")
    _import(run, str(message))
    claim = run_json("list", *NOW)[0]
    assert (claim["outcome"], claim["payer"], claim["odr"]) == (
        "granted-seller-funded", "seller", "not-counted")


# --- an e-mail meets a claim already recorded -----------------------------------------------------
UK_ORDER = "202-1187420-9930561"  # uk-new-claim-crlf.eml: Thu, 19 Nov 2026 08:45:10 +0000


def _add_uk_order(run: Run, *market: str) -> None:
    result = run("add", UK_ORDER, *market, "--order-date", "2026-11-01", "--latest-delivery",
                 "2026-11-10", "--claim-date", "2026-11-19", "--today", "2026-11-20")
    assert result.exit_code == 0, result.output


def test_a_new_claim_e_mail_in_the_repeated_hour_creates_the_claim_at_its_exact_instant(
        run: Run, run_json: Json, tmp_path: Path) -> None:
    message = tmp_path / "fold-new.eml"
    message.write_bytes((EMAILS / "us-new-claim.eml").read_bytes().replace(
        b"Date: Tue, 24 Nov 2026 14:30:05 -0800", b"Date: Sun, 01 Nov 2026 01:30:05 -0800"))
    _import(run, str(message))
    claim = run_json("list", "--all", *NOW)[0]
    assert (claim["claim_time"], claim["response_deadline"]) == (
        "01:30:05-08:00", "2026-11-04T01:30:05-08:00")


def test_an_e_mail_correcting_the_marketplace_brings_amazons_amount_and_currency(
        run: Run, run_json: Json) -> None:
    # Added with ATOZ_MARKETPLACE=US and an amount typed as 20: the UK e-mail says £12.50.
    result = run("add", UK_ORDER, "--order-date", "2026-11-01", "--latest-delivery",
                 "2026-11-10", "--claim-date", "2026-11-19", "--amount", "20",
                 "--today", "2026-11-20")
    assert result.exit_code == 0, result.output
    _import(run, str(EMAILS / "uk-new-claim-crlf.eml"))
    claim = run_json("status", "1", *NOW)
    assert (claim["marketplace"], claim["amount"], claim["currency"]) == ("UK", "12.50", "GBP")


def test_an_e_mail_corrects_an_assumed_marketplace_and_keeps_the_instant(
        run: Run, run_json: Json, monkeypatch: Any) -> None:
    # A seller in Shanghai added a UK order's claim without -m: US was assumed. The e-mail
    # from amazon.co.uk corrects it, and the claim moment is the e-mail's instant: 48 hours
    # from 08:45 GMT, not 08:45 read as Pacific time (which was 32 hours late).
    monkeypatch.setenv("ATOZ_TZ", "Asia/Shanghai")
    _add_uk_order(run)
    result = run("import", str(EMAILS / "uk-new-claim-crlf.eml"), "--today", "2026-11-20")
    assert result.exit_code == 0, result.output
    claim = run_json("status", "1", "--today", "2026-11-20")
    assert (claim["marketplace"], claim["currency"], claim["amount"]) == ("UK", "GBP", "12.50")
    assert (claim["claim_date"], claim["claim_time"]) == ("2026-11-19", "08:45:10")
    assert claim["response_deadline"] == "2026-11-21T08:45:10+00:00"
    edit = claim["history"][-1]
    assert edit["detail"]["marketplace"] == {"old": "US", "new": "UK"}
    assert "marketplace was assumed" in edit["note"]
    assert "  marketplace US -> UK (from the e-mail; US was assumed, none was given)" \
        in result.stderr


def test_a_claims_file_without_marketplaces_is_corrected_too(
        run: Run, run_json: Json, tmp_path: Path) -> None:
    claims = tmp_path / "claims.csv"
    claims.write_text("order_id,order_date,latest_delivery,claim_date\n"
                      f"{UK_ORDER},2026-11-01,2026-11-10,2026-11-19\n", encoding="utf-8")
    _import(run, str(claims))
    _import(run, str(EMAILS / "uk-new-claim-crlf.eml"))
    claim = run_json("status", "1", *NOW)
    assert (claim["marketplace"], claim["response_deadline"]) == (
        "UK", "2026-11-21T08:45:10+00:00")


def test_an_e_mail_in_the_repeated_hour_keeps_its_exact_reading(
        run: Run, run_json: Json, tmp_path: Path) -> None:
    # 01:30 on 1 Nov happens twice in Los Angeles; the e-mail's Date says -0800, the second:
    # the claim keeps that instant, and the 72 hours end at 01:30:05 PST on the 4th.
    raw = (EMAILS / "us-new-claim.eml").read_bytes().replace(
        b"Date: Tue, 24 Nov 2026 14:30:05 -0800", b"Date: Sun, 01 Nov 2026 01:30:05 -0800")
    message = tmp_path / "fold.eml"
    message.write_bytes(raw)
    added = run("add", "113-4827391-5062817", "--order-date", "2026-10-01", "--latest-delivery",
                "2026-10-10", "--claim-date", "2026-11-01", *NOW)
    assert added.exit_code == 0, added.output
    result = _import(run, str(message))
    assert "  filed 2026-11-01 -> 2026-11-01 01:30:05 PST (the time from the e-mail)" \
        in result.stderr
    assert "happens twice" not in result.stderr
    assert run_json("status", "1", *NOW)["response_deadline"] == "2026-11-04T01:30:05-08:00"
    edited = run("edit", "1", "--note", "buyer wrote back", *NOW)
    assert edited.exit_code == 0, edited.output
    assert run_json("status", "1", *NOW)["response_deadline"] == "2026-11-04T01:30:05-08:00"


def test_an_e_mail_contradicting_the_marketplace_given_is_refused_naming_both(
        run: Run, db_path: Path, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("ATOZ_TZ", "Asia/Shanghai")
    _add_uk_order(run, "-m", "US")  # the seller said US: which is right is theirs to say
    before = snapshot(db_path)
    result = run("import", str(EMAILS / "uk-new-claim-crlf.eml"), "--today", "2026-11-21")
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert result.stderr.startswith(f"Error: uk-new-claim-crlf.eml: new-claim for order "
                                    f"{UK_ORDER}: marketplace: 'UK': the e-mail is from "
                                    "Amazon.co.uk, but claim 1 is recorded in US (Amazon.com)")
    assert "atoz edit 1 --marketplace UK" in result.stderr
    assert snapshot(db_path) == before
    rejects = tmp_path / "rejects.jsonl"
    skipped = run("import", str(EMAILS / "uk-new-claim-crlf.eml"), "--today", "2026-11-21",
                  "--skip-bad", str(rejects), "--json")
    assert skipped.exit_code == 0, skipped.output
    data = json.loads(skipped.stdout)
    assert (data["added"], data["updated"], data["skipped"]) == (0, 0, 1)
    assert any("uk-new-claim-crlf.eml" in n and "refused" in n for n in data["notes"])
    assert "Amazon.co.uk" in rejects.read_text(encoding="utf-8")


def test_a_fact_an_e_mail_cannot_apply_names_the_message_and_skip_bad_skips_it(
        run: Run, run_json: Json, db_path: Path, tmp_path: Path) -> None:
    # us-new-claim.eml (24 Nov) for a claim whose order was placed on the 25th: the claim
    # cannot move before its order. The error names the file; --skip-bad skips the message.
    added = run("add", "113-4827391-5062817", "--order-date", "2026-11-25",
                "--latest-delivery", "2026-11-28", "--claim-date", "2026-11-26", *NOW)
    assert added.exit_code == 0, added.output
    before = snapshot(db_path)
    result = run("import", str(EMAILS / "us-new-claim.eml"), *NOW)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: us-new-claim.eml: new-claim for order "
                                    "113-4827391-5062817: claim_date: ")
    assert "is before the order date 2026-11-25" in result.stderr
    assert snapshot(db_path) == before
    rejects = tmp_path / "rejects.jsonl"
    skipped = run("import", str(EMAILS / "us-new-claim.eml"), "--skip-bad", str(rejects), *NOW)
    assert skipped.exit_code == 0, skipped.output
    assert "0 added, 0 updated, 0 unchanged, 1 skipped" in skipped.stdout
    assert "us-new-claim.eml" in rejects.read_text(encoding="utf-8")
    assert run_json("status", "1", *NOW)["claim_date"] == "2026-11-26"


def test_a_later_new_claim_e_mail_never_moves_the_claim_later(run: Run, run_json: Json) -> None:
    # The mbox holds the claim as sent on 15 Nov; us-new-claim.eml is the same order's notice
    # of 24 Nov, as Amazon's "Action required" reminders repeat it.
    later = ("--now", "2026-12-01T00:00:00Z")
    assert run("import", str(EMAILS / "mixed.mbox"), *later).exit_code == 0
    result = run("import", str(EMAILS / "us-new-claim.eml"), *later, "--json")
    data = json.loads(result.stdout)
    assert (data["updated"], data["unchanged"]) == (0, 1)
    assert "  kept the earlier moment 2026-11-15 14:30 PST (e-mail: 2026-11-24 14:30 PST)" \
        in data["notes"]
    claim = run_json("status", "1", *later)
    assert (claim["claim_date"], claim["claim_time"]) == ("2026-11-15", "14:30:05")
    assert claim["response_deadline"] == "2026-11-18T14:30:05-08:00"
    assert [h["kind"] for h in claim["history"]] == ["status"]


def test_an_earlier_new_claim_e_mail_moves_the_claim_earlier_and_says_what_moved(
        run: Run, run_json: Json, db_path: Path, tmp_path: Path) -> None:
    later = ("--now", "2026-12-01T00:00:00Z")
    assert run("import", str(EMAILS / "us-new-claim.eml"), *later).exit_code == 0
    result = run("import", str(EMAILS / "mixed.mbox"), *later)
    assert result.exit_code == 0, result.output
    assert "  filed 2026-11-24 14:30:05 -> 2026-11-15 14:30:05 PST (moved earlier)" \
        in result.stderr
    assert "  respond by 2026-11-18 14:30 PST" in result.stderr
    claim = run_json("status", "1", *later)
    assert claim["response_deadline"] == "2026-11-18T14:30:05-08:00"


def test_a_notice_dated_after_now_is_not_applied(run: Run, run_json: Json) -> None:
    # us-new-claim.eml is of 24 Nov 14:30 PST; as of the 20th it has not happened.
    early = ("--now", "2026-11-20T12:00:00Z")
    result = run("import", str(EMAILS / "us-new-claim.eml"), *early, "--json")
    data = json.loads(result.stdout)
    assert (data["added"], data["skipped"]) == (0, 1)
    assert any(n.startswith("us-new-claim.eml: 2026-11-24T14:30-08:00") and
               "refused (dated in the future: it is 2026-11-20 04:00 PST there)" in n
               for n in data["notes"])
    assert run_json("list", *early) == []
    # Not remembered as read: imported once it has happened, it counts.
    assert json.loads(_import(run, str(EMAILS / "us-new-claim.eml"), "--json").stdout)[
        "added"] == 1


def test_a_decision_never_lands_on_a_claim_filed_after_it(
        run: Run, run_json: Json, db_path: Path) -> None:
    # us-decision-denied.eml decides a claim on 21 Nov. The order had a claim filed on the 5th
    # (withdrawn) and has one filed on the 25th, still open: another claim, decided later.
    order = ("112-9934120-4405188", "--order-date", "2026-10-20", "--latest-delivery",
             "2026-10-30")
    for args in (("add", *order, "--claim-date", "2026-11-05"),
                 ("status", "1", "withdrawn", "--on", "2026-11-10"),
                 ("add", *order, "--claim-date", "2026-11-25")):
        assert run(*args, *NOW).exit_code == 0
    _import(run, str(EMAILS / "us-decision-denied.eml"))
    claims = {c["claim_id"]: c for c in run_json("list", "--all", *NOW)}
    assert (claims[1]["outcome"], claims[1]["decided_on"]) == ("denied", "2026-11-21")
    assert claims[2]["outcome"] == "under-review" and len(claims) == 2


def test_a_decision_before_the_only_open_claim_is_refused_naming_it(
        run: Run, run_json: Json, db_path: Path) -> None:
    # The one claim recorded was filed on the 25th, after the decision: a second claim cannot
    # be opened beside it, and which date is wrong is the seller's to say.
    added = run("add", "112-9934120-4405188", "--order-date", "2026-11-01", "--latest-delivery",
                "2026-11-10", "--claim-date", "2026-11-25", *NOW)
    assert added.exit_code == 0, added.output
    before = snapshot(db_path)
    result = run("import", str(EMAILS / "us-decision-denied.eml"), *NOW)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(
        "Error: us-decision-denied.eml: decision for order 112-9934120-4405188: claim: '1': "
        "the e-mail decides a claim filed by 2026-11-21 05:55 PST, but open claim 1 on this "
        "order was filed 2026-11-25")
    assert snapshot(db_path) == before


# --- forwards and the summary's counts ----------------------------------------------------------
def test_forwarders_may_be_written_with_a_name(run: Run, run_json: Json) -> None:
    result = json.loads(_import(run, str(EMAILS / "fwd-apple-mail.eml"), "--forwarders",
                                "Kim Lee <KIM@shop.example>, other@shop.example",
                                "--json").stdout)
    assert result["added"] == 1
    bad = run("import", str(EMAILS / "fwd-apple-mail.eml"), "--forwarders", "kim", *NOW)
    assert bad.exit_code == 2
    assert bad.stderr.startswith("Error: --forwarders: 'kim': not a list of e-mail addresses")


def test_a_forward_from_an_unlisted_address_suggests_the_option(run: Run) -> None:
    data = json.loads(_import(run, str(EMAILS / "fwd-apple-mail.eml"), "--json").stdout)
    assert (data["added"], data["skipped"]) == (0, 1)
    assert data["notes"][0] == "1 message: 0 A-to-z notices, 1 not recognised"
    assert "1 skipped: 1 not recognised" in data["notes"]
    assert data["notes"][-1] == ("if kim@shop.example is yours, import again with "
                                 "--forwarders kim@shop.example")


def test_the_summary_counts_add_up(run: Run, tmp_path: Path) -> None:
    # One mbox: a notice applied, one already read, one from the future, two not recognised
    # and one unreadable; every one is counted once, under the same name in both lines.
    box = mailbox.mbox(tmp_path / "all.mbox")
    for name in ("it-new-claim.eml", "it-new-claim.eml", "us-new-claim.eml",
                 "fwd-apple-mail.eml", "not-amazon-lookalike-domain.eml"):
        box.add((EMAILS / name).read_bytes())
    box.add(b"From: atoz-guarantee-no-reply@amazon.com\nSubject: Claim received on order "
            b"113-1111111-1111111\nContent-Type: text/plain; charset=x-no-such-charset\n"
            b"Content-Transfer-Encoding: base64\n\n!!!not base64!!!\n")
    box.add(b"From: lee@friend.example\nSubject: Lunch?\n\nFriday?\n")
    box.close()
    rejects = tmp_path / "rejects.jsonl"
    result = run("import", str(tmp_path / "all.mbox"), "--now", "2026-11-23T12:00:00Z",
                 "--skip-bad", str(rejects), "--json")
    data = json.loads(result.stdout)
    assert data["notes"][0] == ("7 messages: 3 A-to-z notices, 2 not recognised, "
                                "1 unreadable, 1 other mail")
    # it-new-claim.eml is of 23 Nov 09:05 CET (read twice); us-new-claim.eml of 24 Nov: not yet.
    assert (data["added"], data["updated"], data["unchanged"], data["skipped"]) == (1, 0, 1, 4)
    assert data["added"] + data["updated"] + data["unchanged"] + data["skipped"] == 3 + 2 + 1
    assert "4 skipped: 2 not recognised, 1 refused, 1 unreadable" in data["notes"]


def test_an_older_decision_e_mail_never_replaces_the_decision_recorded_since(
        run: Run, run_json: Json, tmp_path: Path) -> None:
    _import(run, str(EMAILS / "us-decision-seller-funded.eml"))  # granted on 2026-11-25
    assert run("status", "1", "refunded", "--on", "2026-11-27", *NOW).exit_code == 0
    # A second copy of the old decision (forwarded later, its own Message-ID) arrives.
    copy = tmp_path / "copy.eml"
    copy.write_bytes((EMAILS / "us-decision-seller-funded.eml").read_bytes().replace(
        b"Message-ID: <", b"Message-ID: <copy-"))
    result = _import(run, str(copy))
    assert "claim 1 unchanged" in result.stderr
    assert ("kept refunded since 2026-11-27: this e-mail's decision (granted-seller-funded on "
            "2026-11-25) came before it") in result.stderr
    claim = run_json("status", "1", *NOW)
    assert (claim["outcome"], claim["decided_on"]) == ("refunded", "2026-11-27")


def test_an_older_decision_e_mail_never_replaces_a_finance_decision_on_a_stand_in_claim(
        run: Run, run_json: Json, tmp_path: Path) -> None:
    # The finance data made claim 8 (order 113-2178055-9577256) granted seller funded on
    # 2026-11-17, its filing date unknown; a denial e-mail from 2026-11-15 arrives later.
    sample = EMAILS.parent / "finance-events.json"
    assert run("import", str(sample), *NOW).exit_code == 0
    denial = tmp_path / "denial.eml"
    denial.write_bytes((EMAILS / "us-decision-denied.eml").read_bytes()
                       .replace(b"112-9934120-4405188", b"113-2178055-9577256")
                       .replace(b"Sat, 21 Nov 2026 05:55:31", b"Sun, 15 Nov 2026 05:55:31"))
    result = _import(run, str(denial))
    assert "kept granted-seller-funded since 2026-11-17" in result.stderr
    claim = run_json("status", "8", *NOW)
    assert (claim["outcome"], claim["decided_on"], claim["payer"]) == (
        "granted-seller-funded", "2026-11-17", "seller")

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
    assert data["notes"][0] == "200 messages: 5 notices, 195 skipped"
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

"""Reading Amazon's A-to-z e-mails into notices (issue 14, the part without the database).

Every sample in sample_data/emails is read back to the facts it was written with: each kind,
each language, each transfer encoding and charset, each style of forward. Then the trust rules,
the wording traps, the mbox skim, bad input, and a property test: no message makes the reader
fail with anything but FileFormatError.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import mailbox
import shutil
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atoz import records
from atoz.errors import FileFormatError, InputError
from atoz.imports import mail
from atoz.imports.mail import is_maildir, looks_like_mail, read_notices
from atoz.imports.mail_message import read_date
from atoz.imports.notices import (
    MAIL_OUTCOMES,
    ORDER_ID,
    BadMessage,
    Letter,
    Notice,
    NoticeKind,
    Phrase,
    Sample,
    classify,
    forwarding_addresses,
    is_amazon,
    phrase_book,
)
from atoz.policy import packaged
from atoz.records import Outcome

EMAILS = Path(__file__).resolve().parents[1] / "sample_data" / "emails"
SHANGHAI = ZoneInfo("Asia/Shanghai")
SELLER = "kim@shop.example"
FORWARDERS = frozenset({SELLER})
NEW, INFO, DECISION, UNRECOGNISED = (NoticeKind.NEW_CLAIM, NoticeKind.INFO_REQUEST,
                                     NoticeKind.DECISION, NoticeKind.UNRECOGNISED)
SELLER_FUNDED, AMAZON_FUNDED, DENIED = (Outcome.GRANTED_SELLER_FUNDED,
                                        Outcome.GRANTED_AMAZON_FUNDED, Outcome.DENIED)


def read(path: Path, forwarders: frozenset[str] = FORWARDERS) -> list[Notice | BadMessage]:
    return list(read_notices(path, seller_zone=SHANGHAI, forwarders=forwarders))


def only(path: Path, forwarders: frozenset[str] = FORWARDERS) -> Notice:
    items = read(path, forwarders)
    assert len(items) == 1 and isinstance(items[0], Notice), items
    return items[0]


def write(tmp_path: Path, raw: bytes, name: str = "message.eml") -> Path:
    path = tmp_path / name
    path.write_bytes(raw)
    return path


def eml(subject: str = "Claim received on order 113-4827391-5062817",
        body: str = "We received an A-to-z Guarantee claim of $24.99 on the order "
                    "113-4827391-5062817.",
        sender: str = "atoz-guarantee-no-reply@amazon.com", *, extra: str = "",
        date: str = "Tue, 24 Nov 2026 14:30:05 -0800", charset: str = "utf-8") -> bytes:
    head = (f"From: {sender}\nTo: {SELLER}\nSubject: {subject}\nDate: {date}\n"
            f"Message-ID: <t1@atoz-tests.invalid>\n{extra}"
            f"Content-Type: text/plain; charset={charset}\n\n")
    return head.encode("ascii") + body.encode("utf-8") + b"\n"


# --- every sample, read back --------------------------------------------------------------------
SAMPLES = [  # file, kind, marketplace, order, amount, currency, outcome, language
    ("us-new-claim.eml", NEW, "US", "113-4827391-5062817", "24.99", "USD", None, "en"),
    ("us-new-claim-action-required-qp.eml", NEW, "US", "114-2093847-7718203", "129.00", "USD",
     None, "en"),
    ("us-info-request.eml", INFO, "US", "112-6620481-3399051", None, None, None, "en"),
    ("us-decision-seller-funded.eml", DECISION, "US", "113-7719024-8842210", "38.50", "USD",
     SELLER_FUNDED, "en"),
    ("us-decision-amazon-funded-html.eml", DECISION, "US", "114-3384410-6627019", "61.20",
     "USD", AMAZON_FUNDED, "en"),
    ("us-decision-denied.eml", DECISION, "US", "112-9934120-4405188", None, None, DENIED, "en"),
    ("us-decision-old-form.eml", DECISION, "US", "111-5550193-2047716", "19.95", "USD",
     SELLER_FUNDED, "en"),
    ("uk-new-claim-crlf.eml", NEW, "UK", "202-1187420-9930561", "12.50", "GBP", None, "en"),
    ("ca-new-claim.eml", NEW, "CA", "701-5502817-3346120", "45.00", "CAD", None, "en"),
    ("au-decision-amazon-funded.eml", DECISION, "AU", "250-6671093-1428805", "89.95", "AUD",
     AMAZON_FUNDED, "en"),
    ("de-new-claim-header-only.eml", NEW, "DE", "302-4410978-6650213", "34.99", "EUR", None,
     "de"),
    ("de-decision-denied-latin1.eml", DECISION, "DE", "303-2298104-7734019", "27.50", "EUR",
     DENIED, "de"),
    ("fr-new-claim-base64.eml", NEW, "FR", "402-7713308-2264901", "54.90", "EUR", None, "fr"),
    ("fr-decision-seller-funded-latin1.eml", DECISION, "FR", "403-5520917-8871240", "36.00",
     "EUR", SELLER_FUNDED, "fr"),
    ("it-new-claim.eml", NEW, "IT", "405-8830021-1956734", "119.00", "EUR", None, "it"),
    ("es-decision-seller-funded.eml", DECISION, "ES", "171-3309128-5561472", "49.90", "EUR",
     SELLER_FUNDED, "es"),
    ("jp-new-claim-iso2022jp.eml", NEW, "JP", "503-2210947-6613805", "7480", "JPY", None, "ja"),
    ("jp-decision-shift-jis.eml", DECISION, "JP", "249-3318820-5561907", "7480", "JPY",
     SELLER_FUNDED, "ja"),
    ("fwd-attached-rfc822.eml", NEW, "US", "113-9046612-4471093", "57.35", "USD", None, "en"),
    ("fwd-gmail-inline.eml", DECISION, "UK", "203-5518832-1180436", "18.40", "GBP",
     AMAZON_FUNDED, "en"),
    ("fwd-outlook-inline.eml", INFO, "DE", "304-6617720-0938415", None, None, None, "de"),
    ("fwd-apple-mail.eml", NEW, "US", "114-7720315-9104482", "33.10", "USD", None, "en"),
    ("fwd-thunderbird-inline.eml", NEW, "ES", "406-1120934-7781256", "22.50", "EUR", None,
     "es"),
]


@pytest.mark.parametrize(("name", "kind", "market", "order", "amount", "currency", "outcome",
                          "language"), SAMPLES, ids=[s[0] for s in SAMPLES])
def test_each_sample_reads_back_to_its_facts(name: str, kind: NoticeKind, market: str,
                                             order: str, amount: str | None,
                                             currency: str | None, outcome: Outcome | None,
                                             language: str) -> None:
    notice = only(EMAILS / name)
    assert (notice.kind, notice.marketplace, notice.order_id, notice.amount, notice.currency,
            notice.outcome, notice.language) == (kind, market, order, amount, currency,
                                                 outcome, language)
    assert notice.where == name and notice.reason == "" and notice.matched
    assert notice.sent_at.tzinfo is not None and notice.sender.endswith(
        "@amazon." + {"US": "com", "UK": "co.uk", "CA": "ca", "AU": "com.au", "DE": "de",
                      "FR": "fr", "IT": "it", "ES": "es", "JP": "co.jp"}[market])


def test_no_sample_is_dated_after_the_day_they_were_written() -> None:
    # Written on 2026-11-28: a sample dated later would be "in the future" (and refused) for a
    # demo or a README example run as of a real-looking day.
    for name, *_ in SAMPLES:
        notice = only(EMAILS / name)
        day = notice.sent_at.astimezone(packaged(notice.marketplace or "US").tz).date()
        assert day < date(2026, 11, 28), (name, day)


def test_a_decisions_outcome_is_the_claims_own_outcome() -> None:
    # One set of outcomes (atoz.records): what a decision e-mail names is recorded as it is.
    assert only(EMAILS / "us-decision-seller-funded.eml").outcome is \
        records.Outcome.GRANTED_SELLER_FUNDED
    assert set(MAIL_OUTCOMES) < set(records.Outcome)
    assert {p.outcome for p in phrase_book().phrases if p.outcome} == set(MAIL_OUTCOMES)


def test_every_kind_and_language_has_a_sample() -> None:
    assert {s[1] for s in SAMPLES} == {NEW, INFO, DECISION}
    assert {s[6] for s in SAMPLES} >= {SELLER_FUNDED, AMAZON_FUNDED, DENIED}
    assert {s[7] for s in SAMPLES} == {"en", "de", "fr", "it", "es", "ja"}
    assert {s[2] for s in SAMPLES} >= {"US", "UK", "CA", "AU", "DE", "FR", "IT", "ES", "JP"}


def test_us_new_claim_keeps_the_exact_moment_and_ids() -> None:
    notice = only(EMAILS / "us-new-claim.eml")
    assert notice.sent_at == datetime(2026, 11, 24, 14, 30, 5,
                                      tzinfo=timezone(timedelta(hours=-8)))
    assert notice.sent_at.astimezone(ZoneInfo("America/Los_Angeles")).hour == 14
    assert notice.message_id == "<us-new-claim-1@atoz-samples.invalid>"
    assert notice.inner_message_id == "" and notice.forwarded_by == "" and notice.date_note == ""
    assert notice.sender == "atoz-guarantee-no-reply@amazon.com"
    assert notice.subject == "Claim received on order 113-4827391-5062817"
    assert notice.matched == ("header X-Space-Notification-Type A_Z_CLAIM_RESPONDENT_NOTIFY; "
                              "body 'We received an A-to-z Guarantee claim'")


def test_nothing_beyond_the_record_is_kept() -> None:
    fields = set(Notice.__dataclass_fields__)
    assert not fields & {"body", "text", "to", "buyer", "recipients", "html"}
    notice = only(EMAILS / "us-new-claim.eml")
    assert SELLER not in repr(notice)  # the To: address (here the seller's) is not kept


# --- encodings and charsets ---------------------------------------------------------------------
@pytest.mark.parametrize(("name", "marker"), [
    ("us-new-claim-action-required-qp.eml", b"Content-Transfer-Encoding: quoted-printable"),
    ("fr-new-claim-base64.eml", b"Content-Transfer-Encoding: base64"),
    ("us-decision-amazon-funded-html.eml", b"Content-Type: text/html"),
    ("uk-new-claim-crlf.eml", b"charset=ISO-8859-1\r\n"),
    ("jp-new-claim-iso2022jp.eml", b"charset=ISO-2022-JP"),
    ("jp-decision-shift-jis.eml", b"charset=SHIFT_JIS"),
])
def test_samples_really_use_each_encoding(name: str, marker: bytes) -> None:
    assert marker in (EMAILS / name).read_bytes()


def test_japanese_subjects_are_decoded() -> None:
    assert only(EMAILS / "jp-new-claim-iso2022jp.eml").subject.startswith(
        "マーケットプレイス保証の申し立てを受け付けました")
    assert only(EMAILS / "jp-decision-shift-jis.eml").subject == (
        "マーケットプレイス保証の申し立てに関する決定")
    assert "für" in only(EMAILS / "de-decision-denied-latin1.eml").subject


def test_raw_shift_jis_and_iso_2022_jp_headers_are_decoded(tmp_path: Path) -> None:
    subject = "マーケットプレイス保証の申し立てを受け付けました 503-2210947-6613805"
    body = "マーケットプレイス保証の申し立てがありました。請求額：￥7,480"
    for charset, codec in (("shift_jis", "cp932"), ("iso-2022-jp", "iso2022_jp")):
        raw = (b"From: atoz-guarantee-no-reply@amazon.co.jp\nSubject: " + subject.encode(codec)
               + b"\nDate: Sun, 22 Nov 2026 11:08:30 +0900\nContent-Type: text/plain; charset="
               + charset.encode() + b"\n\n" + body.encode(codec) + b"\n")
        notice = only(write(tmp_path, raw))
        assert (notice.kind, notice.subject, notice.amount) == (NEW, subject, "7480")


# --- forwards -----------------------------------------------------------------------------------
def test_attached_forward_takes_the_inner_message() -> None:
    notice = only(EMAILS / "fwd-attached-rfc822.eml")
    assert notice.forwarded_by == SELLER
    assert notice.message_id == "<fwd-attached-1@atoz-samples.invalid>"
    assert notice.inner_message_id == "<us-new-claim-3@atoz-samples.invalid>"
    assert notice.sent_at == datetime(2026, 11, 24, 2, 2, 11, tzinfo=UTC)  # inner, not outer
    assert notice.subject == "Claim received on order 113-9046612-4471093"
    assert notice.sender == "atoz-guarantee-no-reply@amazon.com"


@pytest.mark.parametrize("name", ["fwd-gmail-inline.eml", "fwd-outlook-inline.eml"])
def test_inline_date_without_offset_is_read_in_the_sellers_zone(name: str) -> None:
    notice = only(EMAILS / name)
    assert notice.sent_at == datetime(2026, 11, 24, 22, 5, tzinfo=SHANGHAI)
    assert notice.date_note == ("the forwarded Date had no offset; read in Asia/Shanghai "
                                "(the seller's zone)")
    assert notice.forwarded_by == SELLER and notice.inner_message_id == ""


@pytest.mark.parametrize(("name", "offset"), [("fwd-apple-mail.eml", -8),
                                              ("fwd-thunderbird-inline.eml", 1)])
def test_inline_date_with_a_zone_is_exact(name: str, offset: int) -> None:
    notice = only(EMAILS / name)
    assert notice.sent_at.utcoffset() == timedelta(hours=offset) and notice.date_note == ""
    assert (notice.sent_at.day, notice.sent_at.hour, notice.sent_at.minute) == (24, 22, 5)


def test_chinese_gmail_forward(tmp_path: Path) -> None:
    body = ("转发一下\n\n---------- 转发的邮件 ---------\n"
            "发件人： Amazon <atoz-guarantee-no-reply@amazon.com>\n"
            "日期：2026年11月24日周二 下午10:05\n"
            "主题：Claim received on order 113-4827391-5062817\n"
            f"收件人： <{SELLER}>\n\n"
            "We received an A-to-z Guarantee claim of $24.99 on the order 113-4827391-5062817.")
    notice = only(write(tmp_path, eml("Fwd: see below", body, SELLER)))
    assert (notice.kind, notice.order_id, notice.forwarded_by) == (NEW, "113-4827391-5062817",
                                                                   SELLER)
    assert notice.sent_at == datetime(2026, 11, 24, 22, 5, tzinfo=SHANGHAI)


def test_outlooks_rule_of_underscores_and_saved_attachments(tmp_path: Path) -> None:
    body = ("Please check.\n\n________________________________\n"
            "From: Amazon.co.uk <atoz-guarantee-no-reply@amazon.co.uk>\n"
            "Sent: Tuesday, November 24, 2026 10:05 PM\nTo: Kim\n"
            "Subject: Claim received on order 202-1187420-9930561\n\n"
            "We received an A-to-z Guarantee claim of £12.50 on the order 202-1187420-9930561.")
    notice = only(write(tmp_path, eml("FW: claim", body, SELLER)))
    assert (notice.kind, notice.amount, notice.currency) == (NEW, "12.50", "GBP")
    saved = (b"From: kim@shop.example\nSubject: two claims\nDate: Wed, 25 Nov 2026 08:00:00 +0800"
             b"\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
             b"two\n--b\nContent-Type: application/octet-stream\nContent-Disposition: "
             b"attachment; filename=first.eml\nContent-Transfer-Encoding: base64\n\n"
             + base64.encodebytes((EMAILS / "us-new-claim.eml").read_bytes())
             + b"--b\nContent-Type: message/rfc822\n\n" + (EMAILS / "it-new-claim.eml").read_bytes()
             + b"\n--b--\n")
    items = read(write(tmp_path, saved))
    assert [(i.where, i.order_id) for i in items if isinstance(i, Notice)] == [
        ("message.eml, forwarded message 1", "113-4827391-5062817"),
        ("message.eml, forwarded message 2", "405-8830021-1956734")]


def test_outlooks_saved_text_has_sent_not_date(tmp_path: Path) -> None:
    raw = ("From:\tAmazon <atoz-guarantee-no-reply@amazon.com>\r\n"
           "Sent:\tTuesday, November 24, 2026 10:05 PM\r\nTo:\tKim\r\n"
           "Subject:\tClaim received on order 113-4827391-5062817\r\n\r\n"
           "We received an A-to-z Guarantee claim of $24.99 on the order 113-4827391-5062817.\r\n")
    path = write(tmp_path, raw.encode(), "claim.txt")
    assert looks_like_mail(path.read_bytes())
    notice = only(path)
    assert notice.sent_at == datetime(2026, 11, 24, 22, 5, tzinfo=SHANGHAI)
    assert "no offset" in notice.date_note


@pytest.mark.parametrize(("text", "expected", "note"), [
    ("Tue, 24 Nov 2026 14:30:05 -0800", datetime(2026, 11, 24, 22, 30, 5, tzinfo=UTC), ""),
    ("Tue, 24 Nov 2026 22:30:05 -0000", datetime(2026, 11, 24, 22, 30, 5, tzinfo=UTC), ""),
    ("Tue, Nov 24, 2026 at 10:05 PM", datetime(2026, 11, 24, 14, 5, tzinfo=UTC), "no offset"),
    ("Tuesday, November 24, 2026 10:05 PM", datetime(2026, 11, 24, 14, 5, tzinfo=UTC),
     "no offset"),
    ("November 24, 2026 at 10:05:13 PM PST", datetime(2026, 11, 25, 6, 5, 13, tzinfo=UTC), ""),
    ("24 November 2026 at 22:05:13 GMT+8", datetime(2026, 11, 24, 14, 5, 13, tzinfo=UTC), ""),
    ("November 24, 2026 at 10:05 PM CST", datetime(2026, 11, 24, 14, 5, tzinfo=UTC), ""),
    ("2026年11月24日周二 下午10:05", datetime(2026, 11, 24, 14, 5, tzinfo=UTC), "no offset"),
    ("2026年11月24日(火) 22:05", datetime(2026, 11, 24, 14, 5, tzinfo=UTC), "no offset"),
])
def test_dates_as_mail_programs_write_them(text: str, expected: datetime, note: str) -> None:
    found, said = read_date(text, SHANGHAI)
    assert found == expected
    assert (note in said) if note else said == ""


def test_an_ambiguous_zone_is_read_in_the_sellers_zone_and_said() -> None:
    found, said = read_date("November 24, 2026 at 10:05 PM CST", ZoneInfo("Europe/Berlin"))
    assert found == datetime(2026, 11, 24, 22, 5, tzinfo=ZoneInfo("Europe/Berlin"))
    assert "'CST', which is ambiguous" in said


@pytest.mark.parametrize("text", ["", "soon", "Nov 24 at 10:05 PM", "Tue, 24 Nov 99999 10:00",
                                  "31 Feb 2026 10:00", "1 Jan 1900 00:00 +0000"])
def test_unreadable_dates_are_none_not_guessed(text: str) -> None:
    assert read_date(text, SHANGHAI)[0] is None


# --- trust --------------------------------------------------------------------------------------
@pytest.mark.parametrize("sender", [
    "atoz-guarantee-no-reply@amazon.com.example.info", "atoz-guarantee-no-reply@notamazon.com",
    "atoz-guarantee-no-reply@marketplace.amazon.com", "atoz-guarantee-no-reply@amazon.co",
    '"atoz-guarantee-no-reply@amazon.com" <phish@evil.example>',
    "atoz-guarantee-no-reply@amazon.com, phish@evil.example",
])
def test_only_an_exact_amazon_domain_is_trusted(tmp_path: Path, sender: str) -> None:
    notice = only(write(tmp_path, eml(sender=sender)))
    assert notice.kind is UNRECOGNISED and notice.order_id is None
    assert "not from Amazon" in notice.reason or "no single sender" in notice.reason
    assert notice.subject.startswith("Claim received") and notice.sent_at.year == 2026


@pytest.mark.parametrize(("sender", "market"), [
    ("seller-guarantee@amazon.de", "DE"), ("ATOZ-Guarantee-No-Reply@AMAZON.CO.UK", "UK"),
    ("Amazon <claims-team@amazon.com>", "US"), ("atoz-guarantee-no-reply@amazon.co.jp", "JP"),
])
def test_any_local_part_at_an_amazon_domain_counts_and_is_recorded(
        tmp_path: Path, sender: str, market: str) -> None:
    notice = only(write(tmp_path, eml(sender=sender)))
    assert (notice.kind, notice.marketplace) == (NEW, market)
    assert notice.sender == sender.rpartition("<")[2].rstrip(">").lower()


def test_a_forward_from_an_unlisted_address_is_not_recognised() -> None:
    notice = only(EMAILS / "fwd-attached-rfc822.eml", forwarders=frozenset())
    assert notice.kind is UNRECOGNISED and notice.forwarded_by == SELLER
    assert "not in the list of the seller's forwarding addresses" in notice.reason
    notice = only(EMAILS / "fwd-gmail-inline.eml", forwarders=frozenset({"other@shop.example"}))
    assert notice.kind is UNRECOGNISED


def test_forwarders_are_compared_in_lower_case() -> None:
    assert only(EMAILS / "fwd-apple-mail.eml", frozenset({" Kim@Shop.Example "})).kind is NEW


@pytest.mark.parametrize("listed", ["Kim <kim@shop.example>", '"Lee, Kim" <Kim@Shop.Example>',
                                    "lee@shop.example, Kim Lee <kim@shop.example>"])
def test_forwarders_may_carry_a_name(listed: str) -> None:
    # As a mail program copies an address: `Name <addr>`, the list comma-separated.
    assert only(EMAILS / "fwd-apple-mail.eml", frozenset({listed})).kind is NEW
    assert "kim@shop.example" in forwarding_addresses([listed])


@pytest.mark.parametrize("listed", ["kim", "Kim <kim>", "kim@", "kim@shop.example, @"])
def test_a_forwarder_that_is_no_address_is_refused(listed: str) -> None:
    with pytest.raises(InputError, match="forwarders: .*not a list of e-mail addresses"):
        forwarding_addresses([listed])


def test_a_forwarded_message_not_from_amazon_is_not_recognised(tmp_path: Path) -> None:
    body = ("---------- Forwarded message ---------\n"
            "From: Amazon <atoz-guarantee-no-reply@amazon.com.example.info>\n"
            "Date: Tue, Nov 24, 2026 at 10:05 PM\n"
            "Subject: Claim received on order 113-4827391-5062817\n\n"
            "We received an A-to-z Guarantee claim of $24.99 on the order 113-4827391-5062817.")
    notice = only(write(tmp_path, eml("Fwd: Claim received", body, SELLER)))
    assert notice.kind is UNRECOGNISED and notice.forwarded_by == SELLER
    assert "the forwarded message's sender" in notice.reason


def test_a_forwarders_other_mail_is_skipped(tmp_path: Path) -> None:
    scan = read_notices(write(tmp_path, eml("Fwd: lunch", "---------- Forwarded message "
                                            "---------\nFrom: lee@friend.example\nDate: Tue, "
                                            "Nov 24, 2026 at 10:05 PM\nSubject: lunch\n\nhi",
                                            SELLER)),
                        seller_zone=SHANGHAI, forwarders=FORWARDERS)
    assert list(scan) == [] and (scan.seen, scan.skipped) == (1, 1)


def test_the_marketplace_id_header_wins_over_the_domain(tmp_path: Path) -> None:
    notice = only(write(tmp_path, eml(extra="X-Marketplace-ID: A1PA6795UKMFR9\n")))
    assert notice.marketplace == "DE"
    notice = only(write(tmp_path, eml(extra="X-Marketplace-ID: NOT-A-MARKETPLACE\n")))
    assert notice.marketplace == "US"


def test_the_marketplace_never_comes_from_the_order_id(tmp_path: Path) -> None:
    body = "We received an A-to-z Guarantee claim of £12.50 on the order 113-4827391-5062817."
    assert only(write(tmp_path, eml(body=body, sender="x@amazon.co.uk"))).marketplace == "UK"


# --- classification rules -----------------------------------------------------------------------
MOMENT = datetime(2026, 11, 24, 22, 30, tzinfo=UTC)


def letter(text: str = "", subject: str = "", sender: str = "atoz-guarantee-no-reply@amazon.com",
           label: str = "") -> Letter:
    return Letter(sender=sender, subject=subject, sent_at=MOMENT, notification_type=label,
                  text=text)


def classified(text: str = "", subject: str = "", sender: str = "atoz-guarantee-no-reply@"
               "amazon.com", label: str = "") -> Notice:
    return classify(letter(text, subject, sender, label), "test.eml", forwarders=FORWARDERS)


ORDER = "113-4827391-5062817"


@pytest.mark.parametrize(("body", "outcome"), [
    (f"We have granted an A-to-z Guarantee claim of $10.00 on the order {ORDER}. We refunded "
     "the buyer and debited your account.", SELLER_FUNDED),
    (f"We have granted an A-to-z Guarantee claim of $10.00 on the order {ORDER}. Amazon "
     "covered the cost.", AMAZON_FUNDED),
    (f"We reviewed the claim on order {ORDER} and closed the claim in your favour.", DENIED),
    (f"Order {ORDER}: we have denied the A-to-z Guarantee claim.", DENIED),
])
def test_wording_traps(body: str, outcome: Outcome) -> None:
    notice = classified(body, f"Claim decision on order {ORDER}")
    assert (notice.kind, notice.outcome) == (DECISION, outcome)
    assert str(notice.outcome) in ("granted-seller-funded", "granted-amazon-funded", "denied")


def test_the_header_decides_before_unverified_wording() -> None:
    notice = classified(f"Bestellung {ORDER}, Betrag: 12,00 €", "Etwas Neues",
                        "atoz-guarantee-no-reply@amazon.de", "A_Z_CLAIM_RESPONDENT_NOTIFY")
    assert (notice.kind, notice.amount, notice.language) == (NEW, "12.00", "de")
    assert notice.matched == "header X-Space-Notification-Type A_Z_CLAIM_RESPONDENT_NOTIFY"


@pytest.mark.parametrize(("text", "subject", "label", "reason"), [
    (f"Bestellung {ORDER}", "Etwas Neues", "", "wording is not recognised"),
    (f"Order {ORDER} was decided.", "Claim decision on order", "", "outcome wording"),
    (f"Order {ORDER}.", "x", "A_Z_CLAIM_RESPONDENT_CLOSE", "outcome wording"),
    ("We received an A-to-z Guarantee claim of $5.00.", "Claim received", "", "no order id"),
    ("We received an A-to-z Guarantee claim on orders 113-1111111-1111111 and "
     "113-2222222-2222222.", "Claim received", "", "2 different order ids"),
])
def test_never_guessed(text: str, subject: str, label: str, reason: str) -> None:
    notice = classified(text, subject, "atoz-guarantee-no-reply@amazon.de", label)
    assert notice.kind is UNRECOGNISED and reason in notice.reason
    assert notice.outcome is None and notice.order_id is None


def test_a_later_stage_wins_when_a_mail_recalls_the_claim() -> None:
    notice = classified(f"We received an A-to-z Guarantee claim on the order {ORDER}. We have "
                        "granted an A-to-z Guarantee claim of $9.99 on it.")
    assert (notice.kind, notice.outcome, notice.amount) == (DECISION, SELLER_FUNDED, "9.99")


def test_an_outcome_phrase_alone_does_not_make_a_decision() -> None:
    notice = classified(f"We received an A-to-z Guarantee claim on the order {ORDER}. If you "
                        "already refunded the buyer, say so; if Amazon covered the cost of the "
                        "label, nothing changes.")
    assert (notice.kind, notice.outcome) == (NEW, None)
    assert classified(f"Amazon covered the cost for order {ORDER}.").kind is UNRECOGNISED


@pytest.mark.parametrize(("text", "order"), [
    ("113-4827391-506281７", ORDER),  # a full-width digit
    ("１１３－４８２７３９１－５０６２８１７", ORDER),
    ("113−4827391−5062817", ORDER),  # Shift_JIS's dash read as a minus sign
    ("S01-4827391-5062817", "S01-4827391-5062817"),
    ("١١٣-٤٨٢٧٣٩١-٥٠٦٢٨١٧", None),  # Arabic-Indic digits are not an order id
    ("9113-4827391-5062817", None), ("113-4827391-50628171", None),
])
def test_order_ids_are_normalised(text: str, order: str | None) -> None:
    notice = classified(f"We received an A-to-z Guarantee claim on the order {text}.")
    assert notice.order_id == order


@pytest.mark.parametrize(("domain", "money", "amount", "currency"), [
    ("amazon.com", "$24.99", "24.99", "USD"), ("amazon.it", "119,00 €", "119.00", "EUR"),
    ("amazon.es", "49,90 EUR", "49.90", "EUR"), ("amazon.co.jp", "￥7,480", "7480", "JPY"),
    ("amazon.co.jp", "7,480円", "7480", "JPY"), ("amazon.co.uk", "£12.50", "12.50", "GBP"),
    ("amazon.ca", "CDN$ 45.00", "45.00", "CAD"), ("amazon.ca", "$45.00", "45.00", "CAD"),
    ("amazon.com.au", "A$89.95", "89.95", "AUD"), ("amazon.de", "1.234,56 €", "1234.56", "EUR"),
    ("amazon.com", "$1,234.56", "1234.56", "USD"), ("amazon.com", "USD 24.9", "24.90", "USD"),
    ("amazon.de", "EUR 7", "7.00", "EUR"), ("amazon.co.jp", "¥7.48", None, None),
    ("amazon.de", "1.234 € (fee 5,00 €)", None, None),  # ambiguous: no amount, not the fee
])
def test_amounts_in_every_form(domain: str, money: str, amount: str | None,
                               currency: str | None) -> None:
    notice = classified(f"We received an A-to-z Guarantee claim of {money} on the order {ORDER}.",
                        sender=f"atoz-guarantee-no-reply@{domain}")
    assert (notice.amount, notice.currency) == (amount, currency)


def test_an_amount_far_from_any_phrase_is_not_taken() -> None:
    notice = classified(f"We received an A-to-z Guarantee claim on the order {ORDER}."
                        + " filler" * 60 + " Order total $99.00")
    assert (notice.kind, notice.amount) == (NEW, None)


# --- the phrases as data ------------------------------------------------------------------------
REAL = {"Claim received on order", "Claim decision on order",
        "A-to-Z Guarantee Claim Decision for Order", "We received an A-to-z Guarantee claim",
        "We have granted an A-to-z Guarantee claim", "covered the cost",
        "Richiesta di rimborso ricevuta per l'ordine", "abbiamo ricevuto un reclamo dalla A alla Z",
        "Hemos concedido una reclamación bajo la Garantía de la A a la Z",
        "マーケットプレイス保証の申し立てがありました"}


def test_phrases_marked_real_are_exactly_those_with_a_public_sample() -> None:
    book = phrase_book()
    assert {p.text for p in book.phrases if p.sample is Sample.REAL} == REAL
    assert {p.text for p in book.amount_labels if p.sample is Sample.REAL} == {"Refund Amount"}
    assert not [p for p in book.phrases if p.language in ("de", "fr") and p.sample is Sample.REAL]
    assert all(p.source for p in (*book.phrases, *book.amount_labels))


def test_every_language_has_wording_for_every_kind_and_outcome() -> None:
    book = phrase_book()
    for language in ("en", "de", "fr", "it", "es", "ja"):
        mine = [p for p in book.phrases if p.language == language]
        assert {p.kind for p in mine if p.where == "subject"} == {NEW, INFO, DECISION}
        assert {p.outcome for p in mine if p.where == "body"} == {None, *MAIL_OUTCOMES}
        assert {p.kind for p in mine if p.where == "body"} == {NEW, INFO, DECISION}


@pytest.mark.parametrize("phrase", phrase_book().phrases,
                         ids=[f"{p.language}-{p.where}-{p.outcome or p.kind}-{n}"
                              for n, p in enumerate(phrase_book().phrases)])
def test_every_phrase_is_recognised(phrase: Phrase) -> None:
    mine = [p for p in phrase_book().phrases if p.language == phrase.language]
    decision = next(p.text for p in mine if p.where == "subject" and p.kind is DECISION)
    denied = next(p.text for p in mine if p.outcome is DENIED)
    if phrase.where == "subject":
        text = denied if phrase.kind is DECISION else ""
        notice = classified(f"{text} ({ORDER})", f"{phrase.text} {ORDER}")
    else:
        notice = classified(f"{phrase.text} {ORDER} 12,00 €",
                            decision if phrase.refines_only else "")
    assert (notice.kind, notice.language) == (phrase.kind, phrase.language), notice.reason
    assert notice.outcome == (phrase.outcome or (DENIED if phrase.kind is DECISION else None))


def test_no_phrase_contains_a_phrase_of_another_kind() -> None:
    phrases = phrase_book().phrases
    for a in phrases:
        for b in phrases:
            if a.where == b.where and (a.kind, a.outcome) != (b.kind, b.outcome):
                assert b.folded not in a.folded, (a.text, b.text)


def test_the_phrase_file_is_plain_json_with_its_notes() -> None:
    data = json.loads((Path(mail.__file__).parents[1] / "mail_phrases.json").read_text("utf-8"))
    assert data["notification_types"]["kinds"] == {
        "A_Z_CLAIM_RESPONDENT_NOTIFY": "new-claim", "A_Z_CLAIM_RESPONDENT_CLOSE": "decision"}
    assert set(data["languages"]) == {"en", "de", "fr", "it", "es", "ja"}


def test_the_sample_files_are_what_the_generator_writes() -> None:
    spec = importlib.util.spec_from_file_location("make_emails", EMAILS / "make_emails.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, make in module.FILES.items():
        assert (EMAILS / name).read_bytes() == make(), name
    assert "us-new-claim.eml" in module.FILES


# --- folders and files --------------------------------------------------------------------------
def test_the_mbox_is_skimmed_five_notices_in_two_hundred() -> None:
    calls: list[tuple[int, int]] = []
    scan = read_notices(EMAILS / "mixed.mbox", seller_zone=SHANGHAI, forwarders=FORWARDERS,
                        progress=lambda done, total: calls.append((done, total)))
    items = list(scan)
    assert [n.order_id for n in items if isinstance(n, Notice) and n.kind is not UNRECOGNISED] \
        == ["113-4827391-5062817", "202-1187420-9930561", "303-2298104-7734019",
            "112-6620481-3399051", "503-2210947-6613805"]
    assert [item.where for item in items] == [f"mixed.mbox: message {n}"
                                              for n in (17, 58, 101, 144, 190)]
    assert (scan.seen, scan.skipped, scan.notices, scan.bad) == (200, 195, 5, 0)
    assert scan.summary() == "200 messages: 5 A-to-z notices, 195 other mail"
    assert calls[-1] == (200, 200)


def test_thunderbirds_mbox_without_extension_and_a_crlf_mbox(tmp_path: Path) -> None:
    raw = (EMAILS / "mixed.mbox").read_bytes()
    for name, data in (("Inbox", raw), ("windows.mbox", raw.replace(b"\n", b"\r\n"))):
        scan = read_notices(write(tmp_path, data, name), seller_zone=SHANGHAI)
        assert len([i for i in scan if isinstance(i, Notice)]) == 5
        assert (scan.seen, scan.skipped, scan.bad) == (200, 195, 0)


def test_an_unescaped_from_line_in_an_mbox_is_not_a_bad_message(tmp_path: Path) -> None:
    raw = (b"From x Tue Nov 24 14:30:00 2026\n" + eml("Lunch", "hi\n\nFrom the warehouse: hi",
                                                      "lee@friend.example")
           + b"\nFrom x Tue Nov 24 14:31:00 2026\n" + (EMAILS / "us-new-claim.eml").read_bytes())
    scan = read_notices(write(tmp_path, raw, "unescaped.mbox"), seller_zone=SHANGHAI)
    assert [type(i).__name__ for i in scan] == ["Notice"]
    assert (scan.seen, scan.skipped) == (3, 2)


def test_a_maildir_folder(tmp_path: Path) -> None:
    box = tmp_path / "INBOX"
    for sub in ("cur", "new", "tmp"):
        (box / sub).mkdir(parents=True)
    shutil.copy(EMAILS / "us-new-claim.eml", box / "cur" / "1700000000.M1P1.host:2,S")
    shutil.copy(EMAILS / "it-new-claim.eml", box / "new" / "1700000001.M2P1.host")
    (box / "cur" / "1700000002.M3P1.host:2,S").write_bytes(eml("Lunch?", "Friday?",
                                                               "lee@friend.example"))
    assert is_maildir(box) and not is_maildir(box / "cur")
    scan = read_notices(box, seller_zone=SHANGHAI, forwarders=FORWARDERS)
    items = list(scan)
    assert [i.where for i in items] == ["INBOX/new/1700000001.M2P1.host",
                                        "INBOX/cur/1700000000.M1P1.host:2,S"]
    assert (scan.seen, scan.skipped) == (3, 1)


def test_a_maildir_written_by_the_mailbox_module(tmp_path: Path) -> None:
    box = mailbox.Maildir(tmp_path / "box")
    box.add((EMAILS / "es-decision-seller-funded.eml").read_bytes())
    box.close()
    assert only(tmp_path / "box").outcome is SELLER_FUNDED


@pytest.mark.parametrize("name", [p.name for p in sorted(EMAILS.glob("*.eml"))] + ["mixed.mbox"])
def test_every_sample_looks_like_mail(name: str) -> None:
    assert looks_like_mail((EMAILS / name).read_bytes()[:4096])


@pytest.mark.parametrize("head", [
    b"order_id,order_date,latest_delivery\n113-1,2026-10-01,2026-10-09\n",
    b'{"payload": {"Orders": []}}', b"amazon-order-id\tpurchase-date\n", b"Hello: world\n\nhi",
    b"", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"Subject only\nFrom: x@y\n",
])
def test_other_files_do_not_look_like_mail(head: bytes) -> None:
    assert not looks_like_mail(head)


def test_a_gmail_download_looks_like_mail() -> None:
    head = (b"Delivered-To: kim@shop.example\r\nReceived: by 2002:a05:6520:1234 with SMTP id x;\r"
            b"\n        Tue, 24 Nov 2026 14:30:08 -0800 (PST)\r\nARC-Seal: i=1; a=rsa-sha256; "
            b"t=1795\r\n")
    assert looks_like_mail(head)


def test_an_outer_date_without_offset_and_a_missing_date(tmp_path: Path) -> None:
    notice = only(write(tmp_path, eml(date="Tue, 24 Nov 2026 22:05:00")))
    assert notice.sent_at == datetime(2026, 11, 24, 22, 5, tzinfo=SHANGHAI)
    assert notice.date_note == "the Date had no offset; read in Asia/Shanghai (the seller's zone)"
    received = "Received: from mx.example by mx.shop.example; Tue, 24 Nov 2026 14:30:08 -0800\n"
    notice = only(write(tmp_path, eml(date="never", extra=received)))
    assert notice.sent_at == datetime(2026, 11, 24, 22, 30, 8, tzinfo=UTC)
    assert "the time the message was received is used" in notice.date_note


# --- bad input ----------------------------------------------------------------------------------
def bad(path: Path) -> BadMessage:
    items = read(path)
    assert len(items) == 1 and isinstance(items[0], BadMessage), items
    error = items[0].error()
    assert isinstance(error, FileFormatError) and str(error).startswith(items[0].where + ": ")
    assert "\n" not in str(error)
    return items[0]


@pytest.mark.parametrize(("raw", "problem"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00 not mail at all", "not an e-mail"),
    (b"", "not an e-mail"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "Outlook .msg"),
    (eml(charset="x-unknown-9"), "unknown charset 'x-unknown-9'"),
    (eml(charset="rot13"), "unknown charset 'rot13'"),
    (eml(date="someday"), "no readable Date"),
    (b"From: atoz-guarantee-no-reply@amazon.com\nSubject: Claim received on order",
     "ends inside its header"),
    (b"From: atoz-guarantee-no-reply@amazon.com\nSubject: Claim decision\nDate: Tue, 24 Nov "
     b"2026 14:30:05 -0800\nContent-Type: multipart/mixed; boundary=b1\n\n--b1\nContent-Type: "
     b"text/plain\n\nWe have granted an A-to-z Guarantee claim of $5 on 113-4827391-5062817",
     "no closing boundary"),
    (b"From: atoz-guarantee-no-reply@amazon.com\nSubject: Claim decision\nDate: Tue, 24 Nov "
     b"2026 14:30:05 -0800\nContent-Transfer-Encoding: base64\n\nV2UgaGF2ZSBn\nQ",
     "base64 part cut short"),
])
def test_bad_messages_are_one_line_each(tmp_path: Path, raw: bytes, problem: str) -> None:
    assert problem in bad(write(tmp_path, raw)).problem


def test_a_huge_message_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mail, "MAX_MESSAGE_BYTES", 2000)
    assert "larger than" in bad(write(tmp_path, eml(body="x" * 3000))).problem
    assert only(write(tmp_path, eml())).kind is NEW  # the same message, small, is read


def test_a_truncated_mbox_names_the_message(tmp_path: Path) -> None:
    raw = (EMAILS / "mixed.mbox").read_bytes()
    cut = raw.index(b"<p>Guten Tag")  # inside message 101's HTML part
    items = read(write(tmp_path, raw[:cut], "cut.mbox"))
    assert [type(i).__name__ for i in items] == ["Notice", "Notice", "BadMessage"]
    assert str(items[-1].error() if isinstance(items[-1], BadMessage) else "") == (
        "cut.mbox: message 101: a broken MIME part: a multipart cut short (no closing boundary)")


def test_paths_that_cannot_be_read_raise(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match="not a Maildir"):
        read_notices(tmp_path, seller_zone=SHANGHAI)
    with pytest.raises(FileFormatError, match="cannot read"):
        read_notices(tmp_path / "missing.eml", seller_zone=SHANGHAI)


# --- no message crashes the reader --------------------------------------------------------------
PIECES = {
    "From": ["atoz-guarantee-no-reply@amazon.com", "Amazon <seller-guarantee@amazon.co.jp>",
             SELLER, "x@amazon.com.example.info", "=?utf-8?q?Amazon?= <a@amazon.de>", "<>",
             "a@b, c@amazon.fr", '"\\"" <@>', "\udcff@amazon.com", "(((("],
    "Subject": ["Claim received on order 113-4827391-5062817", "Fwd: Claim decision on order",
                "=?iso-2022-jp?b?GyRCJV4bKEI=?=", "=?x-bogus?q?abc?=", "=?utf-8?b?====?=",
                "マーケットプレイス保証", "\x1b$B%^\x1b(B", "A-to-z"],
    "Date": ["Tue, 24 Nov 2026 14:30:05 -0800", "Tue, Nov 24, 2026 at 10:05 PM", "never",
             "Tue, 24 Nov 99999 10:00 +9999", "2026年11月24日 下午10:05", "-0000", ""],
    "X-Space-Notification-Type": ["A_Z_CLAIM_RESPONDENT_NOTIFY", "A_Z_CLAIM_RESPONDENT_CLOSE",
                                  "A_Z_OTHER", "RETURN"],
    "X-Marketplace-ID": ["A1PA6795UKMFR9", "?", ""],
    "Content-Type": ["text/plain; charset=utf-8", "text/html; charset=x-unknown", "text/plain; "
                     "charset=iso-2022-jp", "text/plain; charset*=utf-8''%FF", "multipart/mixed",
                     "multipart/mixed; boundary=b", "message/rfc822", "text/plain; charset=hex"],
    "Content-Transfer-Encoding": ["base64", "quoted-printable", "8bit", "x-uue", "binary"],
    "Received": ["x; Tue, 24 Nov 2026 14:30:05 -0800", ";", "by x"],
}
BODY_PIECES = st.sampled_from([
    "We received an A-to-z Guarantee claim of $24.99 on the order 113-4827391-5062817.",
    "We have granted an A-to-z Guarantee claim of ￥7,480", "covered the cost", "\n", "--b\n",
    "--b--\n", "---------- Forwarded message ---------\n", "From: Amazon <x@amazon.com>\n",
    "Date: Tue, Nov 24, 2026 at 10:05 PM\n", "Subject: Claim received\n", "Begin forwarded "
    "message:\n", "<html><p>", "</p>", "<script>", "=E2=82", "QUJD", "\x00", "\udcff", "From x\n",
    "Content-Type: message/rfc822\n\n", "Content-Type: text/plain; charset=shift_jis\n\n",
])
FUZZ = settings(max_examples=120, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mail-fuzz")


@st.composite
def messages(draw: st.DrawFn, depth: int = 0) -> bytes:
    lines = []
    for name in draw(st.lists(st.sampled_from(sorted(PIECES)), max_size=8)):
        value = draw(st.one_of(st.sampled_from(PIECES[name]), st.text(max_size=30)))
        lines.append(f"{name}: {value}")
    body = "".join(draw(st.lists(BODY_PIECES, max_size=12)))
    raw = "\n".join(lines).encode("utf-8", "surrogateescape") + b"\n\n" + body.encode(
        "utf-8", "surrogateescape")
    if depth < 2 and draw(st.booleans()):  # a nested message, as a part or an attachment
        inner = draw(messages(depth + 1))
        raw += b"\n--b\nContent-Type: message/rfc822\n\n" + inner + b"\n--b--\n"
    if draw(st.booleans()):
        raw += draw(st.binary(max_size=60))
    return raw.replace(b"\n", b"\r\n") if draw(st.booleans()) else raw


def check(path: Path) -> None:
    try:
        scan = read_notices(path, seller_zone=SHANGHAI, forwarders=FORWARDERS)
        items = list(scan)
    except FileFormatError as exc:
        assert "\n" not in str(exc)
        return
    assert scan.seen == scan.skipped + len({i.where.split(", forwarded")[0] for i in items})
    for item in items:
        if isinstance(item, BadMessage):
            assert "\n" not in str(item.error())
            continue
        assert item.sent_at.tzinfo is not None and 1970 <= item.sent_at.year <= 2200
        item.subject.encode("utf-8")  # storable text: no lone surrogates
        if item.kind is not UNRECOGNISED:
            assert is_amazon(item.sender) and item.order_id and ORDER_ID.fullmatch(item.order_id)
            assert item.forwarded_by in ("", SELLER)
            assert (item.outcome is not None) == (item.kind is DECISION)


@FUZZ
@given(data=st.binary(max_size=400))
def test_random_bytes_never_crash_the_reader(work: Path, data: bytes) -> None:
    check(write(work, data, "bytes.eml"))
    check(write(work, b"From x Tue Nov 24 14:30:00 2026\n" + data, "bytes.mbox"))


@FUZZ
@given(raw=messages())
def test_random_messages_never_crash_the_reader(work: Path, raw: bytes) -> None:
    check(write(work, raw, "fuzz.eml"))


@FUZZ
@given(raws=st.lists(messages(), min_size=1, max_size=4), cut=st.booleans())
def test_random_mboxes_never_crash_the_reader(work: Path, raws: list[bytes], cut: bool) -> None:
    data = b"".join(b"From x Tue Nov 24 14:30:00 2026\n" + raw + b"\n\n" for raw in raws)
    check(write(work, data[: len(data) // 2] if cut else data, "fuzz.mbox"))


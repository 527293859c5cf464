"""Write atoz's sample A-to-z e-mails: every kind, every language, the encodings and charsets
Amazon's mail arrives in, each style of forward, and one mbox of mixed mail.

Every message is written for atoz, in our own words, around the few phrases that public samples
show (see atoz/mail_phrases.json, where each phrase says whether it rests on a real e-mail). Order
ids are invented. Deterministic (fixed text, fixed MIME boundaries, no clock), stdlib only:

    python sample_data/emails/make_emails.py

The seller is kim@shop.example (the forwarding address in the tests), in Asia/Shanghai.
"""

from __future__ import annotations

import base64
import datetime
import email.utils
import quopri
import random
from email.header import Header
from pathlib import Path

HERE = Path(__file__).resolve().parent
SELLER = "kim@shop.example"
FOOTER = "\n\n--\nA sample message written for atoz: invented order, not sent by Amazon.\n"
JP_FOOTER = ("atoz のために作成したサンプルです"
             "（架空の注文、Amazon からのメールではありません）。\n")
AMAZON = "atoz-guarantee-no-reply@amazon"
NOTIFY = "A_Z_CLAIM_RESPONDENT_NOTIFY"
CLOSE = "A_Z_CLAIM_RESPONDENT_CLOSE"
Fields = list[tuple[str, str]]


# --- building raw messages ----------------------------------------------------------------------
def encoded(text: str, charset: str) -> str:
    """A header value, as RFC 2047 encoded words when it is not ASCII."""
    return text if text.isascii() else Header(text, charset).encode()


def envelope(date: str, sender: str, subject: str, ident: str, *, charset: str = "utf-8",
             to: str = SELLER, extra: Fields | None = None) -> Fields:
    return [("Date", date), ("From", sender), ("To", to),
            ("Subject", encoded(subject, charset)),
            ("Message-ID", f"<{ident}@atoz-samples.invalid>"), ("MIME-Version", "1.0"),
            *(extra or [])]


def part(text: str, *, subtype: str = "plain", charset: str = "utf-8",
         encoding: str = "8bit") -> bytes:
    """A text part's header and body: `encoding` is 7bit, 8bit, quoted-printable or base64.
    Shift_JIS is written as Windows writes it (cp932: full-width dash, circled digits)."""
    data = text.encode("cp932" if charset == "shift_jis" else charset)
    if encoding == "quoted-printable":
        data = quopri.encodestring(data)
    elif encoding == "base64":
        data = base64.encodebytes(data)
    head = (f"Content-Type: text/{subtype}; charset={charset.upper()}\n"
            f"Content-Transfer-Encoding: {encoding}\n\n")
    return head.encode("ascii") + data


def message(fields: Fields, body: bytes) -> bytes:
    head = "".join(f"{name}: {value}\n" for name, value in fields)
    return head.encode("ascii") + body


def multipart(subtype: str, boundary: str, parts: list[bytes]) -> bytes:
    head = f'Content-Type: multipart/{subtype}; boundary="{boundary}"\n\n'
    inner = b"".join(b"--" + boundary.encode() + b"\n" + p.rstrip(b"\n") + b"\n" for p in parts)
    return head.encode("ascii") + inner + b"--" + boundary.encode() + b"--\n"


def html(paragraphs: list[str]) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Amazon</title>"
            f"<style>p {{ margin: 0 0 1em; }}</style></head>\n<body>\n{body}\n</body></html>\n")


# --- the single messages ------------------------------------------------------------------------
def us_new_claim() -> bytes:
    fields = [("Return-Path", f"<{AMAZON}.com>"),
              ("Received", "from smtp-out.mail.example (smtp-out.mail.example [192.0.2.10]) "
                           "by mx.shop.example; Tue, 24 Nov 2026 14:30:08 -0800"),
              *envelope("Tue, 24 Nov 2026 14:30:05 -0800",
                        f'"Amazon A-to-z Guarantee" <{AMAZON}.com>',
                        "Claim received on order 113-4827391-5062817", "us-new-claim-1",
                        extra=[("X-Space-Notification-Type", NOTIFY),
                               ("X-Marketplace-ID", "ATVPDKIKX0DER")])]
    text = ("Hello,\n\nWe received an A-to-z Guarantee claim of $24.99 on the order "
            "113-4827391-5062817.\n\nReason given by the buyer: the item has not arrived.\n\n"
            "Please look at the claim in Seller Central and give your side within 3 calendar "
            "days: how you shipped the order, and its tracking if you have it." + FOOTER)
    return message(fields, part(text, encoding="7bit"))


def us_new_claim_qp() -> bytes:
    fields = envelope("Thu, 05 Nov 2026 07:41:19 -0800", f"Amazon <{AMAZON}.com>",
                      "Action required: Claim received on order 114-2093847-7718203",
                      "us-new-claim-2")
    text = ("Hello,\n\nWe received an A-to-z Guarantee claim of $129.00 on the order "
            "114-2093847-7718203 — the buyer’s reason: “the item is not as described”. "
            "Answer within 3 calendar days so that we can hear your side before we decide; "
            "this sentence is long enough that quoted-printable has to wrap it." + FOOTER)
    return message(fields, part(text, encoding="quoted-printable"))


def us_info_request() -> bytes:
    fields = envelope("Wed, 25 Nov 2026 09:12:44 -0800", f"Amazon <{AMAZON}.com>",
                      "Information needed on claim for order 112-6620481-3399051",
                      "us-info-request-1")
    text = ("Hello,\n\nTo decide the claim on order 112-6620481-3399051, we need more "
            "information about the A-to-z Guarantee claim from you: the carrier, the tracking "
            "number and the date you shipped.\n\nPlease reply within 72 hours." + FOOTER)
    return message(fields, part(text, encoding="7bit"))


def us_decision_seller_funded() -> bytes:
    fields = envelope("Wed, 25 Nov 2026 11:20:00 -0800", f"Amazon <{AMAZON}.com>",
                      "Claim decision on order 113-7719024-8842210", "us-decision-1",
                      extra=[("X-Space-Notification-Type", CLOSE)])
    text = ("Hello,\n\nWe have granted an A-to-z Guarantee claim of $38.50 on the order "
            "113-7719024-8842210. We refunded the buyer and debited the amount from your "
            "seller account.\n\nIf you disagree, you can appeal within 30 days." + FOOTER)
    return message(fields, part(text, encoding="7bit"))


def us_decision_amazon_funded_html() -> bytes:
    fields = envelope("Fri, 27 Nov 2026 16:03:27 -0800", f"Amazon <{AMAZON}.com>",
                      "Claim decision on order 114-3384410-6627019", "us-decision-2")
    page = html(["Hello,",
                 "We have granted an A-to-z Guarantee claim of <b>$61.20</b> on the order "
                 "<a href=\"https://sellercentral.example/orders/114-3384410-6627019\">"
                 "114-3384410-6627019</a>.",
                 "Amazon covered the cost of this claim, so your account was not debited "
                 "and the claim does not count toward your Order Defect Rate.",
                 "A sample message written for atoz: invented order, not sent by Amazon."])
    return message(fields, part(page, subtype="html", encoding="quoted-printable"))


def us_decision_denied() -> bytes:
    fields = envelope("Sat, 21 Nov 2026 05:55:31 -0800", f"Amazon <{AMAZON}.com>",
                      "Claim decision on order 112-9934120-4405188", "us-decision-3",
                      extra=[("X-Space-Notification-Type", CLOSE)])
    text = ("Hello,\n\nWe reviewed the A-to-z Guarantee claim on order 112-9934120-4405188 "
            "and closed the claim in your favor. Nothing was debited from your account." + FOOTER)
    return message(fields, part(text, encoding="7bit"))


def us_decision_old_form() -> bytes:
    fields = envelope("Mon, 02 Nov 2026 13:10:52 -0800",
                      "Amazon Seller Guarantee <seller-guarantee@amazon.com>",
                      "A-to-Z Guarantee Claim Decision for Order 111-5550193-2047716",
                      "us-decision-old-1")
    text = ("Dear seller,\n\nAfter reviewing the information available to us, the claim has "
            "been granted in the buyer's favor. The refund below was charged to your seller "
            "account.\n\nOrder Number: 111-5550193-2047716\nDate of Claim: October 28, 2026\n"
            "Refund Amount: $19.95" + FOOTER)
    return message(fields, part(text, encoding="7bit"))


def uk_new_claim_crlf() -> bytes:
    """Latin-1, 8-bit, CRLF line ends: what Outlook's "Save as" writes."""
    fields = envelope("Thu, 19 Nov 2026 08:45:10 +0000", f"Amazon.co.uk <{AMAZON}.co.uk>",
                      "Claim received on order 202-1187420-9930561", "uk-new-claim-1",
                      extra=[("X-Space-Notification-Type", NOTIFY)])
    text = ("Hello,\n\nWe received an A-to-z Guarantee claim of £12.50 on the order "
            "202-1187420-9930561.\n\nPlease give your side within 3 calendar days." + FOOTER)
    raw = message(fields, part(text, charset="iso-8859-1"))
    return raw.replace(b"\n", b"\r\n")


def ca_new_claim() -> bytes:
    fields = envelope("Tue, 10 Nov 2026 10:02:36 -0500", f"Amazon.ca <{AMAZON}.ca>",
                      "Claim received on order 701-5502817-3346120", "ca-new-claim-1",
                      extra=[("X-Marketplace-ID", "A2EUQ1WTGCTBG2")])
    text = ("Hello,\n\nWe received an A-to-z Guarantee claim of CDN$ 45.00 on the order "
            "701-5502817-3346120." + FOOTER)
    return message(fields, part(text, encoding="7bit"))


def au_decision_amazon_funded() -> bytes:
    fields = envelope("Wed, 18 Nov 2026 09:30:00 +1100", f"Amazon.com.au <{AMAZON}.com.au>",
                      "Claim decision on order 250-6671093-1428805", "au-decision-1",
                      extra=[("X-Space-Notification-Type", CLOSE)])
    text = ("Hello,\n\nWe have granted an A-to-z Guarantee claim of A$89.95 on the order "
            "250-6671093-1428805. Your parcel was shipped on time with claims protection, so "
            "Amazon covered the cost; nothing was debited from your account." + FOOTER)
    return message(fields, part(text, encoding="7bit"))


def de_new_claim() -> bytes:
    """No real German sample exists: this wording is unlike atoz's phrases on purpose, and the
    X-Space-Notification-Type header decides."""
    fields = envelope("Mon, 16 Nov 2026 15:22:08 +0100", f"Amazon.de <{AMAZON}.de>",
                      "Neuer Antrag zur A-bis-z-Garantie: Bestellung 302-4410978-6650213",
                      "de-new-claim-1", extra=[("X-Space-Notification-Type", NOTIFY)])
    text = ("Guten Tag,\n\nein Käufer hat für eine Ihrer Bestellungen einen Antrag gestellt.\n\n"
            "Bestellnummer: 302-4410978-6650213\nBetrag: 34,99 €\n\nBitte antworten Sie "
            "innerhalb von 3 Kalendertagen." + FOOTER)
    return message(fields, part(text, encoding="quoted-printable"))


def de_decision_denied() -> bytes:
    fields = envelope("Tue, 24 Nov 2026 10:47:51 +0100", f"Amazon.de <{AMAZON}.de>",
                      "Entscheidung zum Garantieantrag für Bestellung 303-2298104-7734019",
                      "de-decision-1", charset="iso-8859-1",
                      extra=[("X-Space-Notification-Type", CLOSE)])
    text = ("Guten Tag,\n\nWir haben den Antrag auf A-bis-z-Garantie abgelehnt. Der Antrag zur "
            "Bestellung 303-2298104-7734019 über 27,50 EUR wurde zu Ihren Gunsten geschlossen; "
            "Ihr Konto wird nicht belastet." + FOOTER)
    page = html(["Guten Tag,", "Wir haben den Antrag auf A-bis-z-Garantie abgelehnt. Der Antrag "
                 "zur Bestellung 303-2298104-7734019 über 27,50 EUR wurde zu Ihren Gunsten "
                 "geschlossen; Ihr Konto wird nicht belastet."])
    body = multipart("alternative", "==atoz-de-1==", [
        part(text, charset="iso-8859-1", encoding="quoted-printable"),
        part(page, subtype="html", charset="iso-8859-1", encoding="quoted-printable")])
    return message(fields, body)


def fr_new_claim() -> bytes:
    fields = envelope("Thu, 12 Nov 2026 18:14:40 +0100", f"Amazon.fr <{AMAZON}.fr>",
                      "Réclamation reçue pour la commande 402-7713308-2264901", "fr-new-claim-1")
    text = ("Bonjour,\n\nNous avons reçu une réclamation au titre de la Garantie de A à Z de "
            "54,90 € pour la commande 402-7713308-2264901. Merci de répondre sous 48 heures."
            + FOOTER)
    return message(fields, part(text, encoding="base64"))


def fr_decision_seller_funded() -> bytes:
    fields = envelope("Fri, 27 Nov 2026 12:00:05 +0100", f"Amazon.fr <{AMAZON}.fr>",
                      "Décision sur la réclamation pour la commande 403-5520917-8871240",
                      "fr-decision-1", charset="iso-8859-1")
    text = ("Bonjour,\n\nNous avons accordé une réclamation au titre de la Garantie de A à Z de "
            "36,00 EUR pour la commande 403-5520917-8871240. Le montant a été débité de votre "
            "compte vendeur ; vous pouvez faire appel sous 30 jours." + FOOTER)
    return message(fields, part(text, charset="iso-8859-1", encoding="quoted-printable"))


def it_new_claim() -> bytes:
    fields = envelope("Mon, 23 Nov 2026 09:05:12 +0100", f"Amazon.it <{AMAZON}.it>",
                      "Richiesta di rimborso ricevuta per l'ordine 405-8830021-1956734",
                      "it-new-claim-1", extra=[("X-Space-Notification-Type", NOTIFY)])
    text = ("Gentile venditore,\n\nabbiamo ricevuto un reclamo dalla A alla Z di 119,00 € per "
            "l'ordine 405-8830021-1956734. Deve rispondere entro 3 giorni di calendario."
            + FOOTER)
    return message(fields, part(text, encoding="quoted-printable"))


def es_decision_seller_funded() -> bytes:
    fields = envelope("Wed, 25 Nov 2026 17:36:59 +0100", f"Amazon.es <{AMAZON}.es>",
                      "Decisión sobre la reclamación del pedido 171-3309128-5561472",
                      "es-decision-1", charset="iso-8859-1")
    text = ("Hola,\n\nHemos concedido una reclamación bajo la Garantía de la A a la Z de 49,90 "
            "EUR en relación con el pedido 171-3309128-5561472. El importe se ha cargado en tu "
            "cuenta de vendedor." + FOOTER)
    return message(fields, part(text, charset="iso-8859-1"))


def jp_new_claim_iso2022jp() -> bytes:
    fields = envelope("Sun, 22 Nov 2026 11:08:30 +0900", f"Amazon.co.jp <{AMAZON}.co.jp>",
                      "マーケットプレイス保証の申し立てを受け付けました"
                      "（注文番号 503-2210947-6613805）",
                      "jp-new-claim-1", charset="iso-2022-jp",
                      extra=[("X-Space-Notification-Type", NOTIFY)])
    text = ("出品者様\n\nマーケットプレイス保証の申し立てがありました。\n"
            "注文番号：503-2210947-6613805\n請求額：￥7,480\n\n"
            "3日以内にセラーセントラルからご回答ください。\n\n--\n"
            + JP_FOOTER)
    return message(fields, part(text, charset="iso-2022-jp", encoding="7bit"))


def jp_decision_shift_jis() -> bytes:
    """Shift_JIS in base64, with the order id in full-width digits and Shift_JIS's dash."""
    fields = envelope("Thu, 26 Nov 2026 14:00:00 +0900", f"Amazon.co.jp <{AMAZON}.co.jp>",
                      "マーケットプレイス保証の申し立てに関する決定", "jp-decision-1",
                      charset="shift_jis", extra=[("X-Space-Notification-Type", CLOSE)])
    text = ("出品者様\n\nマーケットプレイス保証の申し立てを認めました。\n"
            "注文番号：２４９－３３１８８２０－５５６１９０７\n金額：7,480円\n\n"
            "この金額は出品者様のアカウントから差し引かれます。\n\n--\n"
            + JP_FOOTER)
    return message(fields, part(text, charset="shift_jis", encoding="base64"))


# --- forwards -----------------------------------------------------------------------------------
def fwd_attached() -> bytes:
    """Gmail's "Forward as attachment": the notice whole, as message/rfc822."""
    inner = message(envelope("Mon, 23 Nov 2026 18:02:11 -0800", f"Amazon <{AMAZON}.com>",
                             "Claim received on order 113-9046612-4471093", "us-new-claim-3",
                             extra=[("X-Space-Notification-Type", NOTIFY)]),
                    part("Hello,\n\nWe received an A-to-z Guarantee claim of $57.35 on the "
                         "order 113-9046612-4471093." + FOOTER, encoding="7bit"))
    fields = envelope("Tue, 24 Nov 2026 10:30:00 +0800", f"Kim <{SELLER}>",
                      "Fwd: Claim received on order 113-9046612-4471093", "fwd-attached-1",
                      to="claims@shop.example")
    body = multipart("mixed", "==atoz-fwd-1==", [
        part("Forwarding the claim as an attachment.\n", encoding="7bit"),
        b"Content-Type: message/rfc822\nContent-Disposition: attachment; "
        b"filename=\"claim.eml\"\n\n" + inner])
    return message(fields, body)


def fwd_gmail_inline() -> bytes:
    """Gmail's inline forward: the inner Date has no offset (the forwarder's zone)."""
    quoted = ("---------- Forwarded message ---------\n"
              f"From: Amazon.co.uk <{AMAZON}.co.uk>\n"
              "Date: Tue, Nov 24, 2026 at 10:05 PM\n"
              "Subject: Claim decision on order 203-5518832-1180436\n"
              f"To: <{SELLER}>\n\n\n"
              "Hello,\n\nWe have granted an A-to-z Guarantee claim of £18.40 on the order "
              "203-5518832-1180436. The parcel was shipped on time with claims protection, so "
              "Amazon covered the cost.\n" + FOOTER)
    page = ("<div dir=\"ltr\">See below.<br><br><div class=\"gmail_quote\">"
            "<div dir=\"ltr\" class=\"gmail_attr\">---------- Forwarded message ---------<br>"
            "From: <strong class=\"gmail_sendername\" dir=\"auto\">Amazon.co.uk</strong> "
            f"<span dir=\"auto\">&lt;{AMAZON}.co.uk&gt;</span><br>"
            "Date: Tue, Nov 24, 2026 at 10:05 PM<br>"
            "Subject: Claim decision on order 203-5518832-1180436<br>"
            f"To: &lt;{SELLER}&gt;<br></div><br><br>"
            "<p>Hello,</p><p>We have granted an A-to-z Guarantee claim of £18.40 on the order "
            "203-5518832-1180436. The parcel was shipped on time with claims protection, so "
            "Amazon covered the cost.</p></div></div>\n")
    fields = envelope("Wed, 25 Nov 2026 08:15:00 +0800", f"Kim <{SELLER}>",
                      "Fwd: Claim decision on order 203-5518832-1180436", "fwd-gmail-1",
                      to="claims@shop.example")
    body = multipart("alternative", "==atoz-fwd-2==", [
        part("See below.\n\n" + quoted, encoding="quoted-printable"),
        part(page, subtype="html", encoding="quoted-printable")])
    return message(fields, body)


def fwd_outlook_inline() -> bytes:
    """Outlook's "-----Original Message-----" forward, HTML only, Sent: without an offset."""
    page = html(["Please check this one.",
                 "-----Original Message-----<br>"
                 f"From: Amazon.de [mailto:{AMAZON}.de]<br>"
                 "Sent: Tuesday, November 24, 2026 10:05 PM<br>"
                 f"To: {SELLER}<br>"
                 "Subject: Informationen benötigt zum Garantieantrag für Bestellung "
                 "304-6617720-0938415",
                 "Guten Tag,",
                 "zu Ihrer Bestellung 304-6617720-0938415 benötigen wir weitere Informationen zum "
                 "Antrag auf A-bis-z-Garantie: bitte nennen Sie uns die Sendungsnummer.",
                 "A sample message written for atoz: invented order, not sent by Amazon."])
    fields = envelope("Wed, 25 Nov 2026 09:00:00 +0800", f"Kim <{SELLER}>",
                      "FW: Informationen benötigt zum Garantieantrag für Bestellung "
                      "304-6617720-0938415", "fwd-outlook-1", to="claims@shop.example")
    return message(fields, part(page, subtype="html", encoding="quoted-printable"))


def fwd_apple_mail() -> bytes:
    """Apple Mail's "Begin forwarded message:": the inner Date names its zone (PST)."""
    text = ("Forwarding.\n\nBegin forwarded message:\n\n"
            f"From: Amazon <{AMAZON}.com>\n"
            "Subject: Claim received on order 114-7720315-9104482\n"
            "Date: November 24, 2026 at 10:05:13 PM PST\n"
            f"To: Kim <{SELLER}>\n\n"
            "Hello,\n\nWe received an A-to-z Guarantee claim of $33.10 on the order "
            "114-7720315-9104482." + FOOTER)
    fields = envelope("Wed, 25 Nov 2026 14:20:41 +0800", f"Kim <{SELLER}>",
                      "Fwd: Claim received on order 114-7720315-9104482", "fwd-apple-1",
                      to="claims@shop.example")
    return message(fields, part(text, encoding="quoted-printable"))


def fwd_thunderbird_inline() -> bytes:
    text = ("\n\n-------- Forwarded Message --------\n"
            "Subject: \tReclamación recibida para el pedido 406-1120934-7781256\n"
            "Date: \tTue, 24 Nov 2026 22:05:00 +0100\n"
            f"From: \tAmazon.es <{AMAZON}.es>\n"
            f"To: \t{SELLER}\n\n"
            "Hola,\n\nHemos recibido una reclamación bajo la Garantía de la A a la Z de 22,50 € "
            "en relación con el pedido 406-1120934-7781256." + FOOTER)
    fields = envelope("Wed, 25 Nov 2026 16:02:00 +0800", f"Kim <{SELLER}>",
                      "Fwd: Reclamación recibida para el pedido 406-1120934-7781256",
                      "fwd-thunderbird-1", to="claims@shop.example")
    return message(fields, part(text))


# --- what must not count ------------------------------------------------------------------------
def lookalike_domain() -> bytes:
    fields = envelope("Tue, 24 Nov 2026 03:12:00 +0000",
                      "Amazon <atoz-guarantee-no-reply@amazon.com.example.info>",
                      "Claim received on order 113-1029384-5647382", "lookalike-1")
    text = ("We received an A-to-z Guarantee claim of $240.00 on the order 113-1029384-5647382. "
            "Sign in at the link below to answer." + FOOTER)
    return message(fields, part(text, encoding="7bit"))


def amazon_unknown_wording() -> bytes:
    fields = envelope("Sun, 01 Nov 2026 02:00:00 -0800", f"Amazon <{AMAZON}.com>",
                      "Your A-to-z Guarantee claims in October", "unknown-wording-1")
    text = ("Hello,\n\nHere is a summary of last month's claims on your account. Two were "
            "closed and none is open." + FOOTER)
    return message(fields, part(text, encoding="7bit"))


# --- one mbox of mixed mail ---------------------------------------------------------------------
def order_id(rng: random.Random, prefix: str = "113") -> str:
    return f"{prefix}-{rng.randrange(10**6, 10**7)}-{rng.randrange(10**6, 10**7)}"


def other_mail(number: int, rng: random.Random) -> bytes:
    """Everyday mail in a seller's inbox, none of it an A-to-z notice."""
    day = datetime.date(2026, 10 + number % 2, 1 + number % 30)
    weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][day.weekday()]
    date = (f"{weekday}, {day.day:02d} {['Oct', 'Nov'][day.month - 10]} 2026 "
            f"{number % 24:02d}:{number % 60:02d}:00 -0800")
    order = order_id(rng)
    kinds = [
        ("return@amazon.com", f"Return authorization request for order {order}",
         f"A buyer asked to return an item from order {order}. Reason: changed mind."),
        (f"{rng.randrange(16**8):08x}@marketplace.amazon.com",
         f"Inquiry from Amazon customer Sam (Order: {order})",
         "Hi, when will my parcel arrive? From here it looks stuck. Thanks, Sam"),
        ("seller-notification@amazon.com", f"Sold, ship now: order {order}",
         f"You sold an item. Ship order {order} by the ship-by date."),
        ("payments-messages@amazon.com", "Your payment is on its way",
         "We sent a disbursement to your bank account."),
        ("news@supplier.example", f"Weekly deals, issue {number}",
         "New phone cases in stock this week.\nFrom the warehouse: 20% off."),
        ("tracking@carrier.example", f"Your parcel {rng.randrange(10**9)} is on its way",
         "Your parcel left the sorting centre."),
        ("lee@friend.example", "Lunch on Friday?", "Are you free on Friday?"),
    ]
    sender, subject, text = kinds[number % len(kinds)]
    fields = envelope(date, sender, subject, f"other-{number}")
    return message(fields, part(text + "\n", encoding="7bit"))


def earlier(raw: bytes, days: int) -> bytes:
    """The same notice sent `days` earlier, as a message of its own (its own Message-ID): the
    demo reads the mbox as of 2026-11-18, and a claim cannot arrive after the day it is read."""
    head, _, body = raw.partition(b"\n\n")
    lines = []
    for line in head.split(b"\n"):
        if line.startswith(b"Date: "):
            moment = email.utils.parsedate_to_datetime(line[6:].decode("ascii"))
            line = b"Date: " + email.utils.format_datetime(
                moment - datetime.timedelta(days=days)).encode("ascii")
        elif line.startswith(b"Message-ID: <"):
            line = line.replace(b"@", b"-mbox@", 1)
        lines.append(line)
    return b"\n".join(lines) + b"\n\n" + body


def mixed_mbox() -> bytes:
    """200 messages; exactly 5 are A-to-z notices (at fixed places), the rest everyday mail."""
    rng = random.Random(20261124)
    notices = {17: earlier(us_new_claim(), 9),
               58: earlier(uk_new_claim_crlf().replace(b"\r\n", b"\n"), 9),
               101: earlier(de_decision_denied(), 9), 144: earlier(us_info_request(), 9),
               190: earlier(jp_new_claim_iso2022jp(), 9)}
    out = []
    for number in range(1, 201):
        raw = notices.get(number) or other_mail(number, rng)
        # mboxrd: a body line starting with "From " gets a ">" so it does not start a message.
        lines = [b">" + line if line.lstrip(b">").startswith(b"From ") else line
                 for line in raw.split(b"\n")]
        text = b"\n".join(lines).rstrip(b"\n")
        out.append(b"From MAILER-DAEMON Tue Nov 24 14:30:00 2026\n" + text + b"\n\n")
    return b"".join(out)


FILES = {
    "us-new-claim.eml": us_new_claim,
    "us-new-claim-action-required-qp.eml": us_new_claim_qp,
    "us-info-request.eml": us_info_request,
    "us-decision-seller-funded.eml": us_decision_seller_funded,
    "us-decision-amazon-funded-html.eml": us_decision_amazon_funded_html,
    "us-decision-denied.eml": us_decision_denied,
    "us-decision-old-form.eml": us_decision_old_form,
    "uk-new-claim-crlf.eml": uk_new_claim_crlf,
    "ca-new-claim.eml": ca_new_claim,
    "au-decision-amazon-funded.eml": au_decision_amazon_funded,
    "de-new-claim-header-only.eml": de_new_claim,
    "de-decision-denied-latin1.eml": de_decision_denied,
    "fr-new-claim-base64.eml": fr_new_claim,
    "fr-decision-seller-funded-latin1.eml": fr_decision_seller_funded,
    "it-new-claim.eml": it_new_claim,
    "es-decision-seller-funded.eml": es_decision_seller_funded,
    "jp-new-claim-iso2022jp.eml": jp_new_claim_iso2022jp,
    "jp-decision-shift-jis.eml": jp_decision_shift_jis,
    "fwd-attached-rfc822.eml": fwd_attached,
    "fwd-gmail-inline.eml": fwd_gmail_inline,
    "fwd-outlook-inline.eml": fwd_outlook_inline,
    "fwd-apple-mail.eml": fwd_apple_mail,
    "fwd-thunderbird-inline.eml": fwd_thunderbird_inline,
    "not-amazon-lookalike-domain.eml": lookalike_domain,
    "amazon-unknown-wording.eml": amazon_unknown_wording,
    "mixed.mbox": mixed_mbox,
}


def main() -> None:
    for name, make in FILES.items():
        (HERE / name).write_bytes(make())
    print(f"wrote {len(FILES)} files to {HERE}")


if __name__ == "__main__":
    main()

"""The buyer's filing window, each rule as its source states it (domain.md; US buyer help
200783670: "three days have passed since the maximum estimated delivery date or the tracking
shows a delivery confirmation, whichever is sooner ... up to 90 days after the maximum estimated
delivery date"; CA seller help G27951: "within three calendar days of either the maximum
estimated delivery date (EDD), or the date of delivery confirmed by a valid tracking link")."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from atoz.policy import marketplaces, packaged
from atoz.windows import (
    AFTER_CONFIRMED,
    AFTER_DELIVERY,
    AFTER_ORDER,
    classify_filing,
    filing_window,
)

US = packaged("US")
CA = packaged("CA")
D = dt.date.fromisoformat


def test_window_opens_three_days_after_latest_delivery_when_that_is_earlier() -> None:
    w = filing_window(D("2026-01-01"), D("2026-01-10"), US)
    assert w.opens == D("2026-01-13")
    assert w.why_opens == ("latest delivery 2026-01-10 + 3 days, earlier than order date "
                           "2026-01-01 + 30 days (2026-01-31)")
    assert (w.opened_by, w.source_opens) == (AFTER_DELIVERY, US.rules[AFTER_DELIVERY].source)
    assert "nodeId=200783670" in w.source_opens


def test_window_opens_thirty_days_after_order_when_that_is_earlier() -> None:
    # A slow shipment: latest delivery 40 days after the order.
    w = filing_window(D("2026-01-01"), D("2026-02-10"), US)
    assert w.opens == D("2026-01-31")
    assert w.why_opens.startswith("order date 2026-01-01 + 30 days, earlier than latest delivery")
    assert w.opened_by == AFTER_ORDER


def test_the_thirty_days_from_order_rule_states_its_source_honestly() -> None:
    # No current Amazon page has it: it comes from the forum page the product started from.
    rule = US.rules[AFTER_ORDER]
    assert rule.value == 30
    assert "amazon." not in rule.source and "forum page" in rule.source
    assert "No current Amazon page" in rule.note
    assert all(not reading.current for reading in rule.readings)


def test_window_opens_on_a_delivery_confirmed_by_tracking_when_that_is_sooner() -> None:
    # US: "or the tracking shows a delivery confirmation, whichever is sooner": that day.
    w = filing_window(D("2026-01-01"), D("2026-01-20"), US, delivered_on=D("2026-01-08"))
    assert w.opens == D("2026-01-08")
    assert w.opened_by == AFTER_CONFIRMED
    assert w.why_opens.startswith("delivery confirmed by tracking 2026-01-08, earlier than")
    assert "nodeId=200783670" in w.source_opens
    # A delivery confirmed after the other rules open the window changes nothing.
    late = filing_window(D("2026-01-01"), D("2026-01-10"), US, delivered_on=D("2026-01-14"))
    assert (late.opens, late.opened_by) == (D("2026-01-13"), AFTER_DELIVERY)


def test_in_canada_the_window_opens_three_days_after_a_confirmed_delivery() -> None:
    # CA G27951: "within three calendar days of ... the date of delivery confirmed by a valid
    # tracking link, whichever is sooner".
    w = filing_window(D("2026-01-01"), D("2026-01-20"), CA, delivered_on=D("2026-01-08"))
    assert w.opens == D("2026-01-11")
    assert w.why_opens.startswith("delivery confirmed by tracking 2026-01-08 + 3 days")
    assert "amazon.ca" in w.source_opens and "G27951" in w.source_opens


def test_window_closes_ninety_days_after_latest_delivery() -> None:
    w = filing_window(D("2026-01-01"), D("2026-01-10"), US)
    assert w.closes == D("2026-04-10")
    assert w.why_closes == "latest delivery 2026-01-10 + 90 days"
    # A confirmed delivery opens the window earlier; it never moves the closing day.
    assert filing_window(D("2026-01-01"), D("2026-01-10"), US,
                         delivered_on=D("2026-01-05")).closes == D("2026-04-10")


def test_window_counts_calendar_days_across_a_leap_day() -> None:
    w = filing_window(D("2028-02-20"), D("2028-02-27"), US)
    assert w.opens == D("2028-03-01")  # 27, 28, 29 February, then 1 March


def test_claim_filed_before_the_window_is_early_by_n_days() -> None:
    w = filing_window(D("2026-01-01"), D("2026-01-10"), US)
    f = classify_filing(w, D("2026-01-11"))
    assert (f.filed, f.days_outside) == ("early", 2)


def test_claim_filed_on_the_closing_day_is_in_the_window_and_a_day_later_is_late() -> None:
    w = filing_window(D("2026-01-01"), D("2026-01-10"), US)
    assert classify_filing(w, D("2026-04-10")).filed == "in-window"
    late = classify_filing(w, D("2026-04-11"))
    assert (late.filed, late.days_outside) == ("late", 1)


def test_every_marketplace_has_the_rules_and_a_time_zone() -> None:
    for code in ("US", "CA", "MX", "UK", "DE", "FR", "IT", "ES", "JP", "AU", "IN", "AE"):
        policy = packaged(code)
        assert policy.tz is not None
        for rule in policy.rules.values():
            assert rule.source and rule.as_of
            for reading in rule.readings:
                assert reading.source and reading.checked
    assert len(marketplaces()) >= 12


def test_response_time_is_72_hours_in_the_us_and_germany_and_48_in_the_uk_per_their_pages(
        ) -> None:
    us = packaged("US").rules["response_hours"]
    assert us.value == 72 and "27951" in us.source
    assert any(r.value == 48 and not r.current for r in us.readings)  # older US pages
    de = packaged("DE").rules["response_hours"]
    assert de.value == 72
    assert any("3 Kalendertagen" in r.quote and r.current for r in de.readings)
    assert packaged("UK").hours("response_hours") == 48
    with pytest.raises(ValueError, match="in hours, not days"):
        packaged("UK").days("response_hours")  # a rule is read in its own unit, or not at all


def test_the_response_time_is_never_later_than_a_current_reading() -> None:
    # Where current pages of one marketplace disagree, the shorter wins: a deadline shown is
    # never later than the real one.
    for code in marketplaces():
        rule = packaged(code).rules["response_hours"]
        current = [r.value for r in rule.readings if r.current]
        assert current, code
        assert rule.value == min(current), code


dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))


@given(dates, st.integers(min_value=0, max_value=400), st.sampled_from(marketplaces()),
       st.one_of(st.none(), st.integers(min_value=0, max_value=400)))
def test_window_properties(order: dt.date, ship_days: int, market: str,
                           delivered_days: int | None) -> None:
    policy = packaged(market)
    latest = order + dt.timedelta(days=ship_days)
    delivered = order + dt.timedelta(days=delivered_days) if delivered_days is not None \
        else None
    w = filing_window(order, latest, policy, delivered)
    candidates = [latest + dt.timedelta(days=policy.days(AFTER_DELIVERY)),
                  order + dt.timedelta(days=policy.days(AFTER_ORDER))]
    if delivered is not None:
        candidates.append(delivered + dt.timedelta(days=policy.days(AFTER_CONFIRMED)))
    assert w.opens == min(candidates)  # the earliest rule wins: never "early" wrongly
    assert w.opens <= w.closes
    assert (w.closes - latest).days == 90
    assert w.source_opens == policy.rules[w.opened_by].source


@given(dates, st.integers(min_value=0, max_value=60), st.integers(min_value=-200, max_value=400))
def test_filing_classification_properties(order: dt.date, ship: int, offset: int) -> None:
    w = filing_window(order, order + dt.timedelta(days=ship), US)
    claim = order + dt.timedelta(days=offset)
    f = classify_filing(w, claim)
    if f.filed == "in-window":
        assert w.opens <= claim <= w.closes and f.days_outside == 0
    elif f.filed == "early":
        assert claim + dt.timedelta(days=f.days_outside) == w.opens
    else:
        assert claim - dt.timedelta(days=f.days_outside) == w.closes

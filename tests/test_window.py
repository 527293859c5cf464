"""The buyer's filing window, each rule as its source states it (domain.md, US help 200783670)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from atoz.policy import get_policy, marketplaces
from atoz.windows import classify_filing, filing_window

US = get_policy("US")
D = dt.date.fromisoformat


def test_window_opens_three_days_after_latest_delivery_when_that_is_earlier() -> None:
    w = filing_window(D("2026-01-01"), D("2026-01-10"), US)
    assert w.opens == D("2026-01-13")
    assert w.why_opens == ("latest delivery 2026-01-10 + 3 days, earlier than order date "
                           "2026-01-01 + 30 days (2026-01-31)")


def test_window_opens_thirty_days_after_order_when_that_is_earlier() -> None:
    # A slow shipment: latest delivery 40 days after the order.
    w = filing_window(D("2026-01-01"), D("2026-02-10"), US)
    assert w.opens == D("2026-01-31")
    assert w.why_opens.startswith("order date 2026-01-01 + 30 days, earlier than latest delivery")


def test_window_closes_ninety_days_after_latest_delivery() -> None:
    w = filing_window(D("2026-01-01"), D("2026-01-10"), US)
    assert w.closes == D("2026-04-10")
    assert w.why_closes == "latest delivery 2026-01-10 + 90 days"


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
        policy = get_policy(code)
        assert policy.tz is not None
        for rule in policy.rules.values():
            assert rule.source and rule.as_of
    assert len(marketplaces()) >= 12


def test_response_window_is_72_hours_in_the_us_and_48_in_the_uk_per_their_pages() -> None:
    assert get_policy("US").hours("response_hours") == 72
    assert "48" in get_policy("US").rules["response_hours"].note
    assert get_policy("UK").hours("response_hours") == 48


dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))


@given(dates, st.integers(min_value=0, max_value=400), st.sampled_from(marketplaces()))
def test_window_properties(order: dt.date, ship_days: int, market: str) -> None:
    policy = get_policy(market)
    latest = order + dt.timedelta(days=ship_days)
    w = filing_window(order, latest, policy)
    assert w.opens <= w.closes
    assert w.opens <= latest + dt.timedelta(days=3)
    assert w.opens <= order + dt.timedelta(days=30)
    assert (w.closes - latest).days == 90
    assert w.opens in (latest + dt.timedelta(days=3), order + dt.timedelta(days=30))


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

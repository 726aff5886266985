"""Due times from the policy's rules and a customer's events (pure; no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tutela.core.policy import Policy, default_policy_text, parse_policy
from tutela.core.retention_due import CustomerEvents, DueCalculator, OrderDates, ReturnDates, Scope, add_period

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
COLLECTED = datetime(2026, 10, 1, tzinfo=UTC)


def day(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def policy() -> Policy:
    return parse_policy(default_policy_text())


def order(purchased: str | None = "2026-10-01", shipped: str | None = None, promised: str | None = None,
          delivered: str | None = None, channel: str = "amazon") -> OrderDates:  # fmt: skip
    def at(text: str | None) -> datetime | None:
        return day(text) if text else None

    return OrderDates(channel, at(purchased), at(shipped), at(promised), at(delivered))


def due(policy: Policy, purpose: str, events: CustomerEvents, *, amazon: bool = False, **kwargs: object):  # type: ignore[no-untyped-def]
    calculator = DueCalculator(policy, NOW, **kwargs)  # type: ignore[arg-type]
    return calculator.due(policy.purposes[purpose], events, collected=COLLECTED, has_amazon=amazon)


def test_delivered_date_counts(policy: Policy) -> None:
    found = due(policy, "fulfillment", CustomerEvents([order(delivered="2026-10-05")]))
    assert found.at == day("2026-11-04")
    assert found.scope is Scope.ALL
    assert "delivered 2026-10-05" in found.basis


def test_the_latest_order_counts(policy: Policy) -> None:
    events = CustomerEvents([order(delivered="2026-10-05"), order(purchased="2026-10-20", delivered="2026-10-25")])
    assert due(policy, "fulfillment", events).at == day("2026-11-24")


def test_unknown_delivery_falls_back_to_promise_then_ship_date_plus_buffer(policy: Policy) -> None:
    promised = due(policy, "fulfillment", CustomerEvents([order(promised="2026-10-09")]))
    assert promised.at == day("2026-11-08")
    assert "promised delivery" in promised.basis
    shipped = due(policy, "fulfillment", CustomerEvents([order(shipped="2026-10-02")]))
    assert shipped.at == day("2026-10-02") + timedelta(days=14 + 30)
    assert "ship date + 14 days" in shipped.basis


def test_a_future_or_pre_purchase_delivery_date_is_set_aside(policy: Policy) -> None:
    future = due(policy, "fulfillment", CustomerEvents([order(promised="2026-10-09", delivered="2027-01-01")]))
    assert future.at == day("2026-11-08")
    assert future.untrusted_dates == 1
    assert "set aside" in future.basis
    before = due(policy, "fulfillment", CustomerEvents([order(purchased="2026-10-10", delivered="2026-10-01",
                                                                promised="2026-10-12")]))  # fmt: skip
    assert before.at == day("2026-11-11")
    assert before.untrusted_dates == 1


def test_an_open_return_waits_a_closed_one_counts(policy: Policy) -> None:
    open_case = due(policy, "returns", CustomerEvents([order()], [ReturnDates(day("2026-10-10"), None)]))
    assert open_case.at is None
    assert "still open" in open_case.basis
    closed = due(policy, "returns", CustomerEvents([order()], [ReturnDates(day("2026-10-10"), day("2026-10-20"))]))
    assert closed.at == day("2026-11-03")


def test_amazon_cap_comes_first_for_amazon_fields(policy: Policy) -> None:
    events = CustomerEvents([order(delivered="2026-10-05")], [ReturnDates(day("2026-10-10"), None)])
    capped = due(policy, "returns", events, amazon=True)
    assert capped.at == day("2026-11-04")
    assert capped.scope is Scope.AMAZON
    assert "DPP §2.1" in capped.basis


def test_cap_counts_only_amazon_orders(policy: Policy) -> None:
    events = CustomerEvents([order(delivered="2026-10-05"), order(delivered="2026-11-20", channel="shopify")])
    assert due(policy, "support", events, amazon=True).at == day("2026-11-04")


def test_tax_keeps_the_countrys_period_and_has_no_amazon_cap(policy: Policy) -> None:
    events = CustomerEvents([order(shipped="2026-10-03", delivered="2026-10-05")])
    tax = due(policy, "tax", events, amazon=True)
    assert tax.at == day("2036-10-03")  # DE: 10 years after invoicing (shipment)
    assert tax.scope is Scope.ALL
    assert "tax period for DE" in tax.basis
    us = replace(policy, shop=replace(policy.shop, country="US"))
    assert due(us, "tax", events).at == day("2033-10-03")


def test_a_revocation_deadline_reaches_every_purpose(policy: Policy) -> None:
    deadline = day("2026-12-01")
    revoked = due(policy, "tax", CustomerEvents([order(shipped="2026-10-03")]), amazon=True,
                  revocation_deadline=deadline)  # fmt: skip
    assert revoked.at == deadline
    assert "DPP §1.7" in revoked.basis


def test_consent_purposes_wait_for_withdrawal(policy: Policy) -> None:
    assert due(policy, "marketing_email", CustomerEvents()).at is None
    withdrawn = CustomerEvents(consent_withdrawn=day("2026-11-01"))
    assert due(policy, "marketing_email", withdrawn).at == day("2026-11-01")


def test_no_order_counts_from_collection(policy: Policy) -> None:
    found = due(policy, "fulfillment", CustomerEvents())
    assert found.at == COLLECTED + timedelta(days=30)
    assert "counted from collection" in found.basis


def test_calendar_months() -> None:
    assert add_period(day("2026-01-31"), 1, "months") == day("2026-02-28")
    assert add_period(day("2024-02-29"), 1, "years") == day("2025-02-28")
    assert add_period(day("2026-10-01"), 18, "months") == day("2028-04-01")

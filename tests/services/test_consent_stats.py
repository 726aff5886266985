"""Consent in numbers: weekly grants, withdrawals and expiries, the opt-in rate at each week's
end, totals; a FixedClock moved across weeks, on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.conftest import OWNER
from tutela.core.clock import FixedClock
from tutela.services import consent, consent_stats, erasure, vault
from tutela.services.consent import Proof
from tutela.services.context import Context

CHECKOUT = Proof(source="checkout_form", notice_version="1")
SMS_FORM = Proof(source="checkout_form", notice_version="s1")
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # the Monday after FIXED_NOW (a Sunday)


def customer(store: Context, n: int) -> str:
    return vault.add_customer(store, actor=OWNER, purpose="fulfillment", source="own_shop", fields={
        "user.name": f"Customer {n}", "user.contact.email": f"c{n}@example.org",
        "user.contact.phone_number": f"+44 20 7946 {n:04d}",
    })  # fmt: skip


@pytest.fixture
def notices(store: Context) -> None:
    consent.add_notice(store, actor=OWNER, purpose="marketing_email", version="1", wording="Offers by e-mail?")
    consent.add_notice(store, actor=OWNER, purpose="marketing_sms", version="s1", wording="Offers by text?")


def grant(store: Context, customer_id: str, proof: Proof = CHECKOUT) -> None:
    consent.grant(store, actor=OWNER, customer_id=customer_id, purpose="marketing_email", channel="email", proof=proof)


def withdraw(store: Context, customer_id: str, purpose: str = "marketing_email") -> None:
    consent.withdraw(store, actor=OWNER, customer_id=customer_id, purpose=purpose, channel=None,
                     proof=Proof(source="unsubscribe_link"))  # fmt: skip


def to(clock: FixedClock, moment: datetime) -> None:
    clock.advance(moment - clock.now())


def series(stats: consent_stats.ConsentStats, key: str) -> consent_stats.Series:
    return next(s for s in stats.series if s.key == key)


def test_weeks_count_what_happened_and_the_rate_at_each_weeks_end(
    store: Context, clock: FixedClock, notices: None
) -> None:
    a, b, c, d, e = (customer(store, n) for n in range(5))
    to(clock, MONDAY)  # week 0
    for who in (a, b, c):
        grant(store, who)
    grant(store, e, Proof(source="amazon_messaging", notice_version="1"))  # recorded, never counts
    consent.grant(store, actor=OWNER, customer_id=a, purpose="marketing_sms", channel="sms", proof=SMS_FORM)
    to(clock, MONDAY + timedelta(days=9))  # week 1, Wednesday
    withdraw(store, b)
    grant(store, d)
    to(clock, MONDAY + timedelta(weeks=3, hours=2))  # week 3 (week 2: nothing)
    withdraw(store, c)
    withdraw(store, a, "marketing_sms")  # every channel of the purpose: sms and phone

    stats = consent_stats.consent_stats(store, weeks=4)
    assert stats.weeks == [date(2026, 11, 30) + timedelta(weeks=i) for i in range(4)]
    assert [s.key for s in stats.series] == ["marketing_email/email", "marketing_sms/sms", "marketing_sms/phone"]
    email = series(stats, "marketing_email/email")
    assert [w.grants for w in email.weeks] == [3, 1, 0, 0]  # the Amazon-messaging grant is not one
    assert [w.withdrawals for w in email.weeks] == [0, 1, 0, 1]
    assert [w.decided for w in email.weeks] == [4, 5, 5, 5]  # e decided, but its grant does not count
    assert [w.live for w in email.weeks] == [3, 3, 3, 2]
    assert [w.rate for w in email.weeks] == [0.75, 0.6, 0.6, 0.4]
    sms, phone = series(stats, "marketing_sms/sms"), series(stats, "marketing_sms/phone")
    assert [(w.live, w.decided) for w in sms.weeks] == [(1, 1), (1, 1), (1, 1), (0, 1)]
    assert [w.rate for w in phone.weeks] == [None, None, None, 0.0]  # withdrawn without ever being granted
    assert [w.withdrawals for w in phone.weeks] == [0, 0, 0, 1]
    assert (stats.live_grants, stats.grants_recent, stats.withdrawals_recent, stats.sale_share_opt_outs) == (2, 5, 4, 0)
    gate = consent.ConsentGate(store, "marketing_email", "email")
    assert email.live_now == len(gate.eligible) == 2  # everyone here is reachable: the two answers agree

    # A month on, the same four weeks are the older ones; weeks with nothing keep the last rate.
    to(clock, MONDAY + timedelta(weeks=7, days=3))
    consent.opt_out_of_sale(store, actor=OWNER, customer_id=d, source="gpc")
    later = consent_stats.consent_stats(store, weeks=8)
    moved = series(later, "marketing_email/email")
    assert [w.grants for w in moved.weeks] == [3, 1, 0, 0, 0, 0, 0, 0]
    assert [w.rate for w in moved.weeks][3:] == [0.4] * 5
    assert (later.withdrawals_recent, later.sale_share_opt_outs) == (0, 1)  # the withdrawals are 32 days old
    assert later.as_dict()["series"][0]["weeks"][0] == {
        "week_of": "2026-11-30", "grants": 3, "withdrawals": 0, "expiries": 0, "live": 3, "decided": 4, "rate": 0.75,
    }  # fmt: skip


def test_recent_withdrawals_newest_first_without_personal_data(
    store: Context, clock: FixedClock, notices: None
) -> None:
    a, b = customer(store, 1), customer(store, 2)
    for who in (a, b):
        grant(store, who)
    withdraw(store, a)
    clock.advance(timedelta(hours=1))
    withdraw(store, b)
    found = consent_stats.recent_withdrawals(store, limit=50)
    assert [(w["customer_id"], w["purpose"], w["channel"], w["source"]) for w in found] == [
        (b, "marketing_email", "email", "unsubscribe_link"), (a, "marketing_email", "email", "unsubscribe_link"),
    ]  # fmt: skip
    assert set(found[0]) == {"id", "at", "customer_id", "purpose", "channel", "source"}
    assert found[0]["at"] == clock.now()
    assert len(consent_stats.recent_withdrawals(store, limit=1)) == 1


def allowed_now(store: Context, customers: list[str]) -> int:
    return sum(consent.can_contact(store, customer_id=c, purpose="marketing_email", channel="email").allowed
               for c in customers)  # fmt: skip


def test_lapse_is_judged_as_can_contact_judges_it(store: Context, clock: FixedClock, notices: None) -> None:
    """At every week's end the rate's live grants are the customers can_contact allows (all of
    them are reachable here): the same lapse rule, to the second — also where calendar months
    put a later moment's cutoff before an earlier one's (29 February 2044 is a Monday)."""
    made = [datetime(2042, 2, 27, 12, tzinfo=UTC), datetime(2042, 2, 28, 12, tzinfo=UTC),
            datetime(2042, 3, 1, tzinfo=UTC), datetime(2042, 3, 8, 9, tzinfo=UTC)]  # fmt: skip
    customers = []
    for n, moment in enumerate(made):
        to(clock, moment)
        customers.append(customer(store, n))
        grant(store, customers[-1])
    for now in (datetime(2044, 2, 29, 6, tzinfo=UTC), datetime(2044, 3, 9, 10, tzinfo=UTC)):
        to(clock, now)
        email = series(consent_stats.consent_stats(store, weeks=3), "marketing_email/email")
        assert email.live_now == allowed_now(store, customers)
        for week in email.weeks:
            to(clock, min(now, datetime.combine(week.week_of + timedelta(days=7), datetime.min.time(), UTC)
                          - timedelta(microseconds=1)))  # fmt: skip
            assert (week.week_of, week.live, week.decided) == (week.week_of, allowed_now(store, customers), 4)
        to(clock, now)
    assert [w.live for w in email.weeks] == [2, 1, 0]  # the last grant lapsed on 8 March 2044, 09:00 UTC
    assert consent.expire_lapsed(store, actor=OWNER) == 4
    after = series(consent_stats.consent_stats(store, weeks=3), "marketing_email/email")
    assert [w.expiries for w in after.weeks] == [0, 0, 4] and [w.live for w in after.weeks] == [2, 1, 0]


def test_an_erased_customer_leaves_the_rate(store: Context, clock: FixedClock, notices: None) -> None:
    a, b = customer(store, 1), customer(store, 2)
    to(clock, MONDAY)
    grant(store, a)
    grant(store, b)
    clock.advance(timedelta(weeks=1))
    erasure.erase(store, actor=OWNER, customer_id=b, reason="GDPR Art. 17 request, ticket 12")
    email = series(consent_stats.consent_stats(store, weeks=2), "marketing_email/email")
    assert [(w.live, w.decided) for w in email.weeks] == [(2, 2), (1, 1)]


def test_an_empty_ledger_has_series_and_no_rate(store: Context) -> None:
    stats = consent_stats.consent_stats(store)
    assert len(stats.weeks) == consent_stats.DEFAULT_WEEKS and stats.weeks[-1] == date(2026, 11, 23)
    assert all(w.rate is None and w.grants == 0 for s in stats.series for w in s.weeks)
    assert stats.live_grants == 0 and consent_stats.recent_withdrawals(store) == []

"""The preference centre's service, on both backends: what counts as subscribed, and only
changes are written."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import OWNER
from tests.helpers import rows
from tests.services.test_consent import WORDING, own_shop_customer
from tutela.core.clock import FixedClock
from tutela.services import consent, preference_centre
from tutela.services.consent import Proof
from tutela.services.context import Context

EMAIL = ("marketing_email", "email")


def _subscribed(store: Context, customer_id: str) -> bool:
    view = preference_centre.read(store, customer_id)
    (purpose,) = [p for p in view.purposes if p.key == "marketing_email"]
    return purpose.channels[0].subscribed


def _kinds(store: Context) -> list[tuple[str, str, str]]:
    return [tuple(r) for r in rows(store, "SELECT kind, source, actor FROM consent_event ORDER BY id")]


def test_a_lapsed_or_amazon_grant_is_not_subscribed_and_subscribing_renews_it(
    store: Context, clock: FixedClock
) -> None:
    consent.add_notice(store, actor=OWNER, purpose="marketing_email", version="3", wording=WORDING)
    lin = own_shop_customer(store)
    consent.grant(store, actor=OWNER, customer_id=lin, purpose="marketing_email", channel="email",
                  proof=Proof(source="amazon_messaging", notice_version="3"))  # fmt: skip
    assert not _subscribed(store, lin)  # Amazon messaging does not count (AUP §4.2)
    shown = {"marketing_email": "3"}
    saved = preference_centre.choose(store, customer_id=lin, wanted={EMAIL: True}, shown_notices=shown,
                                     client="192.0.2.1|Safari")  # fmt: skip
    assert saved == preference_centre.Saved(1, ()) and _subscribed(store, lin)
    clock.advance(timedelta(days=2 * 366))  # consent_valid_for = "24 months"
    assert not _subscribed(store, lin)
    lapsed = preference_centre.choose(store, customer_id=lin, wanted={EMAIL: False}, shown_notices={}, client=None)
    assert lapsed.events == 0  # lapsed already: nothing to withdraw
    renewed = preference_centre.choose(store, customer_id=lin, wanted={EMAIL: True}, shown_notices=shown, client=None)
    assert renewed.events == 1 and _subscribed(store, lin)
    assert [k[:2] for k in _kinds(store)] == [("granted", "amazon_messaging"), ("granted", "preference_centre"),
                                              ("granted", "preference_centre")]  # fmt: skip
    assert {k[2] for k in _kinds(store)[1:]} == {f"customer:{lin}"}


def test_one_click_records_the_request_once_even_without_a_grant(store: Context) -> None:
    lin = own_shop_customer(store)
    assert preference_centre.unsubscribe(store, customer_id=lin, purpose="marketing_email", client=None) == 1
    assert preference_centre.unsubscribe(store, customer_id=lin, purpose="marketing_email", client=None) == 0
    assert _kinds(store) == [("withdrawn", "unsubscribe_link", f"customer:{lin}")]

"""Fulfilling verified requests: access package and one-time download, erasure (with the tax
exception and under a hold), rectification, restriction, objection, opt-out, nobody known."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import OWNER
from tests.helpers import count, rows
from tests.importer_files import write_table
from tests.services.test_consent import CHECKOUT, WORDING
from tests.services.test_subject_requests import ADA, customer  # noqa: F401 - the fixture
from tutela.adapters.documents import summary_html
from tutela.core.errors import CustomerRestricted, RequestRefused
from tutela.services import consent, holds, importing, request_fulfilment, subject_requests, vault
from tutela.services.context import Context


def verified(store: Context, kind: str, email: str = ADA, **extra: object) -> int:
    opened = subject_requests.open_request(store, actor=OWNER, kind=kind, email=email, **extra)  # type: ignore[arg-type]
    assert opened.code is not None
    subject_requests.verify(store, actor=OWNER, request_id=opened.request_id, code=opened.code)
    return opened.request_id


def fulfil(store: Context, request_id: int) -> request_fulfilment.Fulfilment:
    return request_fulfilment.fulfil(store, actor=OWNER, request_id=request_id, render_summary=summary_html)


def test_access_package_and_a_download_that_works_once(store: Context, customer: str, clock: object) -> None:  # noqa: F811
    request_id = verified(store, "access")
    done = fulfil(store, request_id)
    assert done.outcome == "package_ready" and done.download_token
    package = request_fulfilment.package_path(store, request_id)
    with zipfile.ZipFile(package) as archive:
        data = json.loads(archive.read("data.json"))
    assert data["customer"]["id"] == customer and any(f["value"] == ADA for f in data["fields"])
    assert subject_requests.claim_download(store, token=done.download_token) == request_id
    with pytest.raises(RequestRefused, match="not valid any more"):
        subject_requests.claim_download(store, token=done.download_token)
    with pytest.raises(RequestRefused):
        subject_requests.claim_download(store, token="forged")
    assert subject_requests.get(store, request_id)["status"] == "completed"


def test_a_download_link_expires(store: Context, customer: str, clock: object) -> None:  # noqa: F811
    done = fulfil(store, verified(store, "portability"))
    assert done.download_token
    clock.advance(timedelta(days=8))  # type: ignore[attr-defined]
    with pytest.raises(RequestRefused):
        subject_requests.claim_download(store, token=done.download_token)


def test_only_verified_requests_are_fulfilled(store: Context, customer: str) -> None:  # noqa: F811
    opened = subject_requests.open_request(store, actor=OWNER, kind="erasure", email=ADA)
    with pytest.raises(RequestRefused, match="verify it first"):
        fulfil(store, opened.request_id)
    assert count(store, "record") == 1


def test_erasure_shreds_withdraws_and_suppresses(store: Context, customer: str) -> None:  # noqa: F811
    done = fulfil(store, verified(store, "erasure"))
    assert done.outcome == "erased"
    assert count(store, "record") == 0
    assert rows(store, "SELECT wrapped_dek FROM customer WHERE id = :c", c=customer)[0][0] is None
    assert count(store, "marketing_suppression") == 1


def test_erasure_keeps_tax_records_restricted(store: Context, customer: str) -> None:  # noqa: F811
    vault.rectify(
        store, actor=OWNER, purpose="tax", customer_id=customer, fields={"user.financial.tax_id": "DE123456789"}
    )
    done = fulfil(store, verified(store, "erasure"))
    assert done.outcome == "erased_except_tax" and done.facts["kept_purposes"] == ["tax"]
    assert [r[0] for r in rows(store, "SELECT purpose FROM record")] == ["tax"]
    with pytest.raises(CustomerRestricted):
        vault.reveal(store, actor=OWNER, purpose="fulfillment", customer_id=customer)
    assert vault.reveal(store, actor=OWNER, purpose="tax", customer_id=customer).fields


def test_erasure_under_a_hold_becomes_restriction(store: Context, customer: str, clock: object) -> None:  # noqa: F811
    holds.add_hold(store, actor=OWNER, customer_id=customer, reason="chargeback 114",
                   until=datetime(2027, 3, 1, tzinfo=UTC))  # fmt: skip
    done = fulfil(store, verified(store, "erasure"))
    assert done.outcome == "restricted_under_hold" and done.facts["until"].startswith("2027-03-01")
    assert count(store, "record") == 1
    with pytest.raises(CustomerRestricted):
        vault.reveal(store, actor=OWNER, purpose="support", customer_id=customer)


def test_rectification_objection_opt_out(store: Context, customer: str) -> None:  # noqa: F811
    fixed = fulfil(store, verified(store, "rectification", corrections={"user.name": "Ada King"}))
    assert fixed.outcome == "corrected" and fixed.facts["categories"] == ["user.name"]
    names = {f.value for f in vault.reveal(store, actor=OWNER, purpose="fulfillment", customer_id=customer).fields
             if f.category == "user.name"}  # fmt: skip
    assert names == {"Ada King"}
    own = vault.add_customer(store, actor=OWNER, purpose="fulfillment", source="own_shop",
                             fields={"user.name": "Lin", "user.contact.email": "lin@example.cn"})  # fmt: skip
    consent.add_notice(store, actor=OWNER, purpose="marketing_email", version="3", wording=WORDING)
    consent.grant(store, actor=OWNER, customer_id=own, purpose="marketing_email", channel="email", proof=CHECKOUT)
    stopped = fulfil(store, verified(store, "objection", email="lin@example.cn"))
    assert stopped.outcome == "marketing_stopped" and stopped.facts["withdrawn"] == 1
    assert not consent.can_contact(store, customer_id=own, purpose="marketing_email", channel="email").allowed
    assert fulfil(store, verified(store, "opt_out", email="lin@example.cn")).outcome == "opted_out"
    assert consent.history(store, own)["sale_share_opt_out"]["source"] == "request"


def test_nobody_known_means_no_data_found(store: Context, tmp_path: Path) -> None:
    done = fulfil(store, verified(store, "access", email="stranger@example.org"))
    assert done.outcome == "no_data" and done.download_token is None


def test_spent_packages_are_removed(store: Context, customer: str, clock: object) -> None:  # noqa: F811
    used = fulfil(store, verified(store, "access"))
    assert used.download_token
    subject_requests.claim_download(store, token=used.download_token)
    waiting = fulfil(store, verified(store, "portability"))
    assert request_fulfilment.prune_packages(store) == 1  # the used one; the other link still works
    assert request_fulfilment.package_path(store, waiting.request_id).exists()
    clock.advance(timedelta(days=8))  # type: ignore[attr-defined]
    assert request_fulfilment.prune_packages(store) == 1


def test_an_erased_person_is_not_put_back_into_marketing_by_an_import(store: Context, tmp_path: Path) -> None:
    header = ["Email", "First Name", "Last Name", "Accepts Email Marketing"]
    row = {"Email": "lin@example.cn", "First Name": "Lin", "Last Name": "Wei", "Accepts Email Marketing": "yes"}
    importing.import_file(store, actor=OWNER, path=write_table(tmp_path / "a.csv", header, [row], delimiter=","))
    assert fulfil(store, verified(store, "erasure", email="lin@example.cn")).outcome == "erased"
    again = importing.import_file(store, actor=OWNER, path=write_table(tmp_path / "b.csv", header + ["Note"], [row],
                                                                       delimiter=","))  # fmt: skip
    assert again.tally.customers_new == 1 and again.tally.consent_events_new == 0
    (new,) = [str(r[0]) for r in rows(store, "SELECT id FROM customer WHERE wrapped_dek IS NOT NULL")]
    assert not consent.can_contact(store, customer_id=new, purpose="marketing_email", channel="email").allowed

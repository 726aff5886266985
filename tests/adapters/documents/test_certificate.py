"""The destruction certificate as HTML and PDF: the facts shown, escaped, deterministic, and
refused while any Amazon-sourced personal field remains. Facts only: no personal data here."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pypdf import PdfReader

from tutela.adapters.documents import certificate_html, certificate_pdf
from tutela.core.destruction import DestructionCertificate

HEAD_HASH = "3f9a" + "0123456789abcdef" * 3 + "c0ffee000001"


def _facts(**changes: object) -> DestructionCertificate:
    facts = DestructionCertificate(
        shop_name="Demo Tea Shop",
        shop_country="DE",
        revocation_id=7,
        requested_at=datetime(2026, 11, 2, 8, 30, tzinfo=UTC),
        deadline_at=datetime(2026, 12, 2, 8, 30, tzinfo=UTC),
        # 15:05 at UTC+1 is 14:05 UTC: the certificate shows UTC
        completed_at=datetime(2026, 11, 30, 15, 5, tzinfo=timezone(timedelta(hours=1))),
        requested_by="local-operator",
        fields_deleted={"user.contact.email": 412, "user.name": 415, "user.contact.address.postal_code": 398},
        records_deleted=837,
        customers_shredded=401,
        customers_remaining=14,
        amazon_fields_remaining=0,
        audit_head_seq=9123,
        audit_head_hash=HEAD_HASH,
        receipts=[9120, 9121, 9122],
    )
    return dataclasses.replace(facts, **changes)  # type: ignore[arg-type]


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# --- HTML ------------------------------------------------------------------------------------


def test_html_shows_the_facts() -> None:
    page = certificate_html(_facts())

    assert "Certificate of destruction — Amazon information (DPP §1.7)" in page
    assert "Demo Tea Shop" in page and "DE" in page and "#7" in page
    for when in ("2026-11-02 08:30 UTC", "2026-12-02 08:30 UTC", "2026-11-30 14:05 UTC"):
        assert when in page
    assert "local-operator" in page
    assert "Crypto-shredding (NIST SP 800-88 Rev. 1" in page
    # categories with their taxonomy labels, in taxonomy order, and the codes
    assert page.index("Name") < page.index("E-mail address") < page.index("Postal code")
    assert "user.contact.email" in page and ">412<" in page and ">415<" in page and ">398<" in page
    text = _squash(re.sub(r"<[^>]+>", " ", page))
    assert "Fields deleted 1225" in text
    assert "Records deleted 837" in text
    assert "Customers shredded (data key destroyed) 401" in text
    assert "Customers remaining with non-Amazon data 14" in text
    assert "Amazon-sourced personal fields remaining 0" in text
    assert f"#9123 {HEAD_HASH}" in text
    assert "#9120, #9121, #9122" in text
    assert "Demo Tea Shop certifies that all Amazon information covered by revocation #7" in text
    assert "Signature" in text


def test_html_is_self_contained_and_escapes() -> None:
    page = certificate_html(_facts(shop_name="<b>Shop & Co</b>", requested_by='"staff" <x>'))

    assert "<b>Shop" not in page
    assert "&lt;b&gt;Shop &amp; Co&lt;/b&gt;" in page
    assert "&#34;staff&#34; &lt;x&gt;" in page
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)\s*=|@import|url\(""", page, re.IGNORECASE)
    assert "<style>" in page
    assert page.startswith("<!doctype html>")


def test_html_unknown_category_shows_its_code() -> None:
    page = certificate_html(_facts(fields_deleted={"user.custom.loyalty_tier": 3}))

    assert "<td>user.custom.loyalty_tier</td>" in page


def test_html_without_receipts_or_fields() -> None:
    page = certificate_html(_facts(fields_deleted={}, receipts=[]))

    assert "No fields were held." in page
    assert "none" in page


def test_html_in_chinese() -> None:
    page = certificate_html(_facts(), language="zh")

    assert '<html lang="zh-Hans">' in page
    for label in ("销毁证明", "店铺", "截止时间", "按类别删除的字段", "电子邮件地址", "姓名", "审计链头", "签名"):
        assert label in page
    assert "加密擦除" in page  # the standard method, translated
    text = _squash(re.sub(r"<[^>]+>", " ", page))
    assert "剩余的亚马逊来源个人字段 0" in text
    assert "2026-11-30 14:05 UTC" in text and HEAD_HASH in text


def test_html_custom_method_is_shown_as_written_and_unknown_language_is_english() -> None:
    page = certificate_html(_facts(method="Overwritten per vendor procedure 12."), language="zh")
    assert "Overwritten per vendor procedure 12." in page

    assert "Certificate of destruction" in certificate_html(_facts(), language="xx")


# --- PDF -------------------------------------------------------------------------------------


def test_pdf_shows_the_facts() -> None:
    data = certificate_pdf(_facts())

    assert data.startswith(b"%PDF-")
    text = _squash(_pdf_text(data))
    assert "Certificate of destruction — Amazon information (DPP §1.7)" in text
    assert "Demo Tea Shop" in text
    for when in ("2026-11-02 08:30 UTC", "2026-12-02 08:30 UTC", "2026-11-30 14:05 UTC"):
        assert when in text
    assert "E-mail address user.contact.email 412" in text
    assert "Total 1225" in text
    assert "Fields deleted 1225" in text
    assert "Records deleted 837" in text
    assert "Customers shredded (data key destroyed) 401" in text
    assert "Customers remaining with non-Amazon data 14" in text
    assert "Amazon-sourced personal fields remaining 0" in text
    assert "#9123" in text and HEAD_HASH in text
    assert "#9120, #9121, #9122" in text
    assert "Signature" in text


def test_pdf_metadata_and_determinism() -> None:
    first = certificate_pdf(_facts())

    assert first == certificate_pdf(_facts())
    meta = PdfReader(io.BytesIO(first)).metadata
    assert meta is not None
    assert meta.title == "Certificate of destruction — Amazon information (DPP §1.7)"
    assert meta.producer == "Tutela"
    assert meta.creation_date == datetime(2026, 11, 30, 14, 5, tzinfo=UTC)
    assert certificate_pdf(_facts(records_deleted=838)) != first


def test_pdf_survives_a_shop_name_the_core_fonts_cannot_show() -> None:
    data = certificate_pdf(_facts(shop_name="茶馆 Győr <Shop & Co>"))

    assert data.startswith(b"%PDF-")
    text = _pdf_text(data)
    assert "?? Gyor <Shop & Co>" in text  # accents folded, other scripts replaced
    assert PdfReader(io.BytesIO(data)).metadata.author == "茶馆 Győr <Shop & Co>"  # type: ignore[union-attr]


# --- refusal ---------------------------------------------------------------------------------


@pytest.mark.parametrize("render", [certificate_html, certificate_pdf])
def test_refused_while_amazon_fields_remain(render: object) -> None:
    assert callable(render)
    with pytest.raises(ValueError, match="2 Amazon-sourced personal field"):
        render(_facts(amazon_fields_remaining=2))

"""summary.html of an access package, from hand-made facts: values escaped, no script and no
external resource, English and Simplified Chinese labels, the complaint route per jurisdiction."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime

import pytest

from tutela.adapters.documents import summary_html
from tutela.adapters.documents.subject_summary import _TEXT
from tutela.services.subject_access import (
    ConsentEventFacts,
    ConsentStateFacts,
    HeldField,
    HoldFacts,
    OrderFacts,
    OrderLineFacts,
    PurposeFacts,
    ReturnFacts,
    ShopFacts,
    SubjectData,
)

AT = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
SCRIPT = "<script>alert('x')</script>"


def _data(**changes: object) -> SubjectData:
    data = SubjectData(
        version=1,
        generated_at=AT,
        request_id=42,
        jurisdiction="gdpr",
        shop=ShopFacts("Tea & Cakes <GmbH>", "FR", "privacy@tea.example"),
        customer_id="c01abc",
        customer_since=AT,
        processing_restricted_since=None,
        fields=(
            HeldField(
                "user.name",
                SCRIPT,
                "fulfillment",
                "amazon",
                AT,
                AT,
                datetime(2026, 12, 25, tzinfo=UTC),
                "30 days after delivered; delivered 2026-11-25",
                False,
            ),
            HeldField(
                "user.contact.email",
                "ada@example.com",
                "marketing_email",
                "own_shop",
                AT,
                AT,
                None,
                "until consent_withdrawn: consent not withdrawn",
                True,
            ),
        ),
        purposes=(
            PurposeFacts(
                "fulfillment",
                "Ship <orders>",
                "contract",
                "30 days after delivered",
                "30 days after delivered",
                ("the carrier <DHL>",),
                ("user.name",),
                ("amazon",),
                False,
            ),
            PurposeFacts(
                "marketing_email",
                "Newsletters",
                "consent",
                "until consent_withdrawn",
                None,
                (),
                ("user.contact.email",),
                ("own_shop",),
                True,
            ),
        ),
        sources=("amazon", "own_shop"),
        orders=(
            OrderFacts(
                "111-0000001-0000001",
                "amazon",
                None,
                None,
                "MFN",
                "Shipped",
                AT,
                AT,
                None,
                None,
                "EUR",
                None,
                "FR",
                None,
                (OrderLineFacts("1", "SKU-<1>", None, 2, None),),
            ),
        ),
        returns=(
            ReturnFacts(
                "RMA-1",
                "amazon",
                "111-0000001-0000001",
                AT,
                "Approved",
                "CR-<DEFECTIVE>",
                None,
                "SKU-1",
                1,
                None,
                "EUR",
                None,
            ),
        ),
        consent_events=(
            ConsentEventFacts(1, "marketing_email", "email", "granted", AT, "checkout_form", "1", "ab" * 32, None),
        ),
        consent_current=(ConsentStateFacts("marketing_email", "email", "granted", True, "consent granted"),),
        consent_notices=(),
        sale_share_opt_out_at=None,
        holds=(HoldFacts(datetime(2027, 6, 30, tzinfo=UTC)),),
        amazon_note="Some of this data came from Amazon.",
    )
    return dataclasses.replace(data, **changes)  # type: ignore[arg-type]


def test_values_are_escaped_and_the_page_has_no_script() -> None:
    page = summary_html(_data())
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "<script" not in page.lower()
    assert "Tea &amp; Cakes &lt;GmbH&gt;" in page
    for raw in ("<DHL>", "<orders>", "SKU-<1>", "CR-<DEFECTIVE>"):
        assert raw not in page


@pytest.mark.parametrize("language", ["en", "zh"])
def test_self_contained(language: str) -> None:
    page = summary_html(_data(), language)
    assert page.startswith("<!doctype html>")
    for external in ("src=", "<link", "http://", "https://", "url(", "@import", "<iframe", "<object"):
        assert external not in page.lower()
    assert "<style>" in page


def test_english_labels_and_the_facts() -> None:
    page = summary_html(_data())
    assert '<html lang="en">' in page
    assert "The data we hold" in page and "Name" in page and "E-mail address" in page
    assert "2026-12-25" in page and "not yet fixed" in page
    assert "Contract: needed to carry out our contract with you (GDPR Art. 6(1)(b))" in page
    assert "30 days after delivery" in page and "until you withdraw your consent" in page
    assert "the carrier &lt;DHL&gt;" in page
    assert "nobody outside the shop is named for this purpose" in page
    assert "Amazon: orders you placed on Amazon" in page and "Some of this data came from Amazon." in page
    assert "until 2027-06-30" in page
    assert "failed our validation" in page  # the flagged e-mail
    assert "#42" in page


def test_simplified_chinese_labels() -> None:
    page = summary_html(_data(), "zh")
    assert '<html lang="zh-Hans">' in page
    assert "您在 Tea &amp; Cakes &lt;GmbH&gt; 的个人数据" in page
    for label in ("我们持有的数据", "姓名", "电子邮件地址", "法律依据", "合同", "送达后 30 天", "直到您撤回同意",
                  "共享对象", "数据来源", "亚马逊", "您的订单", "您的退货", "您的同意", "已同意", "如何投诉",
                  "监管机构"):  # fmt: skip
        assert label in page, label
    assert "The data we hold" not in page


def test_every_language_has_every_label() -> None:
    assert set(_TEXT["zh"]) == set(_TEXT["en"])


def test_an_unknown_language_falls_back_to_english() -> None:
    assert summary_html(_data(), "fr") == summary_html(_data(), "en")


def test_gdpr_lists_authorities_with_the_shops_country_first() -> None:
    page = summary_html(_data())
    assert "GDPR Art. 77" in page and "edpb.europa.eu" in page
    rows = re.findall(r"<tr( class=\"shop\")?><td>([A-Z]{2})", page)
    assert rows[0] == (' class="shop"', "FR")
    assert {code for _, code in rows} >= {"DE", "FR", "GB", "IE"}
    assert "CNIL" in page and "BfDI" in page and "ICO" in page and "DPC" in page
    assert "California Privacy Protection Agency" not in page


def test_ccpa_names_the_california_agency() -> None:
    page = summary_html(_data(jurisdiction="ccpa", shop=ShopFacts("Shop", "US", "privacy@shop.example")))
    assert "California Privacy Protection Agency" in page
    assert "GDPR Art. 77" not in page and "CNIL" not in page


def test_elsewhere_the_wording_is_generic() -> None:
    page = summary_html(_data(jurisdiction="other", shop=ShopFacts("Shop", "JP", "privacy@shop.example")))
    assert "data protection or consumer protection authority where you live" in page
    assert "privacy@shop.example" in page
    assert "GDPR Art. 77" not in page and "California" not in page


def test_a_purpose_no_longer_in_the_policy_and_restriction_and_opt_out() -> None:
    gone = PurposeFacts("old", "", None, "deleted now", None, (), ("user.name",), ("manual",), False)
    page = summary_html(_data(purposes=(gone,), processing_restricted_since=AT, sale_share_opt_out_at=AT))
    assert "No longer a purpose of ours" in page
    assert "restricted since 2026-11-29 (GDPR Art. 18)" in page
    assert "opted out of the sale or sharing" in page

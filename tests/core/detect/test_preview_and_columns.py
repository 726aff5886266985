"""Masked previews never carry the value; column verdicts weigh values first, headers second."""

from __future__ import annotations

import pytest

from tutela.core.detect.engine import classify_column, preview
from tutela.core.detect.kinds import PiiType


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        (PiiType.EMAIL, "jane.doe@example.com", "j•••@example.com"),
        (PiiType.PAYMENT_CARD, "4111 1111 1111 1111", "•••1111"),
        (PiiType.PERSON_NAME, "Anna Schmidt", "A. S."),
        (PiiType.IBAN, "DE89370400440532013000", "DE•••3000"),
    ],
)
def test_previews_show_enough_to_recognise(kind: PiiType, value: str, expected: str) -> None:
    assert preview(kind, value) == expected


@pytest.mark.parametrize("kind", list(PiiType))
@pytest.mark.parametrize("value", ["a", "ab", "12345", "Li", "x@y.io", "张伟", "203.0.113.7", "113-1234567-1234567"])
def test_a_preview_never_contains_the_value(kind: PiiType, value: str) -> None:
    assert value not in preview(kind, value)


@pytest.mark.parametrize(
    ("header", "values", "kind"),
    [
        ("buyer-email", ["a@example.com", "b@example.org", "c@example.net"], PiiType.EMAIL),
        ("buyer-phone-number", ["+1 415-555-2671", "+44 20 7946 0958"], PiiType.PHONE),
        ("recipient-name", ["Wieloch-Bolnbach", "Qxz Vrt"], PiiType.PERSON_NAME),
        ("ship-postal-code", ["94533", "10115", "75002"], PiiType.POSTAL_CODE),
        ("收件人", ["张伟", "王芳"], PiiType.PERSON_NAME),
        ("电话", ["13812345678", "13912345678"], PiiType.CN_MOBILE),
        ("地址", ["北京市朝阳区建国路88号", "上海市浦东新区世纪大道100号"], PiiType.STREET_ADDRESS),
        ("Straße", ["Hauptstraße 12", "Lindenweg 3"], PiiType.STREET_ADDRESS),
        ("notes", ["a@example.com", "b@example.org"], PiiType.EMAIL),  # values alone suffice
    ],
)
def test_columns_are_classified(header: str, values: list[str], kind: PiiType) -> None:
    verdict = classify_column(header, values)
    assert verdict is not None and verdict.type is kind
    assert verdict.sampled == len(values)


@pytest.mark.parametrize(
    ("header", "values"),
    [
        ("sku", ["AB-1234-XYZ", "SKU-00012345"]),
        ("asin", ["B08N5WRWNW", "B07XJ8C8F5"]),
        ("item-price", ["12.99", "1,299.99"]),
        ("quantity-purchased", ["1", "3"]),
        ("order-item-id", ["12345678901234", "23456789012345"]),
        ("product-name", ["Cotton T-Shirt, Navy, XL", "LED Desk Lamp"]),
        ("recipient-name", []),
    ],
)
def test_non_personal_columns_get_no_verdict(header: str, values: list[str]) -> None:
    assert classify_column(header, values) is None

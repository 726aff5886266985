"""detect(): every detector finds its values, hard negatives stay quiet, overlaps go to the
stronger evidence, and long or hostile input is scanned in linear work."""

from __future__ import annotations

from itertools import pairwise

import pytest

from tutela.core.detect import detectors
from tutela.core.detect.engine import MAX_SPAN, detect
from tutela.core.detect.kinds import PiiType


def found(text: str) -> list[tuple[str, PiiType]]:
    return [(text[d.start : d.end], d.type) for d in detect(text)]


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("write to anna.schmidt@example.de today", "anna.schmidt@example.de", PiiType.EMAIL),
        ("buyer 7x3kq9zz1w2e@marketplace.amazon.de", "7x3kq9zz1w2e@marketplace.amazon.de", PiiType.AMAZON_RELAY_EMAIL),
        ("call +49 30 901820 please", "+49 30 901820", PiiType.PHONE),
        ("Phone: (415) 555-2671", "(415) 555-2671", PiiType.PHONE),
        ("Tel.: 020 7946 0958", "020 7946 0958", PiiType.PHONE),
        ("Dear Ms. Anna Schmidt,", "Anna Schmidt", PiiType.PERSON_NAME),
        ("Sehr geehrte Frau Müller,", "Müller", PiiType.PERSON_NAME),
        ("Kind regards,\nJames Walker\n", "James Walker", PiiType.PERSON_NAME),
        ("收件人：张伟 电话", "张伟", PiiType.PERSON_NAME),
        ("注文の 山田 太郎 様", "山田 太郎", PiiType.PERSON_NAME),
        ("ship to 1600 Pennsylvania Avenue, Washington", "1600 Pennsylvania Avenue", PiiType.STREET_ADDRESS),
        ("Lieferadresse: Hauptstraße 12, Berlin", "Hauptstraße 12", PiiType.STREET_ADDRESS),
        ("12, rue de la Paix", "12, rue de la Paix", PiiType.STREET_ADDRESS),
        ("Calle Mayor 12, Madrid", "Calle Mayor 12", PiiType.STREET_ADDRESS),
        ("东京都千代田区丸の内1丁目2番3号", "东京都千代田区丸の内1丁目2番3号", PiiType.STREET_ADDRESS),
        ("北京市朝阳区建国路88号", "北京市朝阳区建国路88号", PiiType.STREET_ADDRESS),
        ("Springfield, IL 62704", "62704", PiiType.POSTAL_CODE),
        ("London SW1A 1AA", "SW1A 1AA", PiiType.POSTAL_CODE),
        ("\n10115 Berlin\n", "10115", PiiType.POSTAL_CODE),
        ("〒100-0005 東京都", "100-0005", PiiType.POSTAL_CODE),
        ("邮编：100020", "100020", PiiType.POSTAL_CODE),
        ("paid with 4111 1111 1111 1111", "4111 1111 1111 1111", PiiType.PAYMENT_CARD),
        ("card 2223-0031-2200-3222", "2223-0031-2200-3222", PiiType.PAYMENT_CARD),
        ("amex 378282246310005", "378282246310005", PiiType.PAYMENT_CARD),
        ("IBAN DE89 3704 0044 0532 0130 00", "DE89 3704 0044 0532 0130 00", PiiType.IBAN),
        ("iban=GB29NWBK60161331926819", "GB29NWBK60161331926819", PiiType.IBAN),
        ("SSN 123-45-6789", "123-45-6789", PiiType.US_SSN),
        ("social security number 123456789", "123456789", PiiType.US_SSN),
        ("from 203.0.113.7 at noon", "203.0.113.7", PiiType.IP_ADDRESS),
        ("client 2001:db8:85a3::8a2e:370:7334 said", "2001:db8:85a3::8a2e:370:7334", PiiType.IP_ADDRESS),
        ("Date of birth: 12/03/1985", "12/03/1985", PiiType.DATE_OF_BIRTH),
        ("Geburtsdatum: 01.04.1987", "01.04.1987", PiiType.DATE_OF_BIRTH),
        ("出生日期：1990年5月1日", "1990年5月1日", PiiType.DATE_OF_BIRTH),
        ("order 113-1234567-1234567 shipped", "113-1234567-1234567", PiiType.AMAZON_ORDER_ID),
        ("手机 138 1234 5678", "138 1234 5678", PiiType.CN_MOBILE),
        ("+86 13812345678", "+86 13812345678", PiiType.CN_MOBILE),
        ("身份证 11010519491231002X", "11010519491231002X", PiiType.CN_RESIDENT_ID),
    ],
)
def test_each_detector_finds_its_values(text: str, value: str, kind: PiiType) -> None:
    assert (value, kind) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "SKU AB-1234-XYZ restocked",
        "sku=SKU-00012345 and SKU7207596",
        "ASIN B08N5WRWNW",
        "UPS 1Z999AA10123456784",
        "USPS 9400111899223197428490",
        "DHL tracking=0630846913",
        "Royal Mail JR186750928GB",
        "Yamato 3273-0347-2450",
        "order-item-id 12345678901234",
        "trace 550e8400-e29b-41d4-a716-446655440000",
        "epoch=1712345678 ms=1712345678901",
        "price $1,299.99 or €12,50",
        "version v2.14.1 and 1.2.3.4-beta, build v1.2.3.4",
        "quantity 3, weight 12.5 kg",
        "sha1 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12",
        "EAN 4006381333931",
        "order date 2025-03-14 10:22:01",
    ],
)
def test_hard_negatives_do_not_fire(text: str) -> None:
    assert detect(text) == []


def test_an_amazon_order_id_is_never_a_card_or_phone() -> None:
    assert found("ref 402-4111111-1111111") == [("402-4111111-1111111", PiiType.AMAZON_ORDER_ID)]


def test_a_relay_address_is_not_also_an_email() -> None:
    kinds = [d.type for d in detect("abc123def456@marketplace.amazon.co.uk")]
    assert kinds == [PiiType.AMAZON_RELAY_EMAIL]


def test_a_card_inside_a_longer_digit_run_is_not_a_card() -> None:
    assert detect("ref 94111111111111111123") == []


def test_an_expiry_after_a_grouped_card_is_left_out() -> None:
    assert found("card 4111 1111 1111 1111 2026") == [("4111 1111 1111 1111", PiiType.PAYMENT_CARD)]


def test_detections_are_sorted_and_do_not_overlap() -> None:
    text = "Dear John Smith, order 113-1234567-1234567, call +1 415-555-2671 or j.smith@example.com. " * 20
    spans = detect(text)
    assert spans
    assert all(a.end <= b.start for a, b in pairwise(spans))


def test_a_header_row_vouches_for_postal_codes_and_birth_dates() -> None:
    text = "full_name,date_of_birth,postal_code,sku\nAnna Schmidt,1986-10-21,94533,AB-1234\n"
    assert found(text) == [
        ("Anna Schmidt", PiiType.PERSON_NAME),
        ("1986-10-21", PiiType.DATE_OF_BIRTH),
        ("94533", PiiType.POSTAL_CODE),
    ]


def test_no_detection_is_longer_than_max_span() -> None:
    assert MAX_SPAN <= 256
    text = "Dear " + "Abcdefghij " * 200 + "\n" + "7" * 1000 + " " + "a@" + "b" * 500 + ".com"
    assert all(d.end - d.start <= MAX_SPAN for d in detect(text))


@pytest.mark.parametrize(
    "line",
    [
        "1-2 " * 125_000,  # digits and separators: every phone and card pattern's worst case
        "9" * 500_000,
        "a" * 500_000,  # an e-mail local part with no "@"
        "Aa " * 166_000,  # name-shaped words without end
        "1.1." * 125_000,
        ":" * 500_000,
        "丁目" * 250_000,
    ],
)
def test_a_hostile_500kb_line_costs_linear_regex_work(line: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # The patterns are bounded and anchored to token starts; a candidate count bounded by the
    # line's length (not its square) shows nothing rescans the line per hit.
    seen: list[int] = []
    original = detectors.resolve

    def counting(candidates: list[object]) -> object:
        items = list(candidates)
        seen.append(len(items))
        return original(items)  # type: ignore[arg-type]

    monkeypatch.setattr(detectors, "resolve", counting)
    result = detect(line)
    assert seen and seen[0] <= len(line)
    assert all(d.end - d.start <= MAX_SPAN for d in result)

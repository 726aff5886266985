"""The five Amazon marketplaces: currency, tax, order ids, carriers and fulfillment centres."""

from __future__ import annotations

from dataclasses import dataclass

from tutela.services.demo_shop.formatting import format_money


@dataclass(frozen=True)
class Carrier:
    name: str
    tracking_pattern: str  # '#' digit, '?' letter, '*' letter or digit


@dataclass(frozen=True)
class Marketplace:
    code: str
    country: str
    locale: str
    language: str
    currency: str
    decimals: int
    sales_channel: str
    relay_domain: str
    share: float
    order_report_encoding: str
    order_id_prefixes: tuple[str, ...]
    per_usd: float
    tax_rate: float
    tax_included: bool  # EU, UK and JP prices include VAT; US sales tax comes on top
    shipping_fee: int
    time_zone: str
    carriers: tuple[Carrier, ...]
    fulfillment_centers: tuple[str, ...]

    def money(self, minor: int) -> str:
        return format_money(minor, self.decimals)

    def tax_on(self, gross: int) -> int:
        if self.tax_included:
            return gross - round(gross / (1 + self.tax_rate))
        return round(gross * self.tax_rate)


_AMAZON_PREPAID = Carrier("AMZN", "TBA############")
MARKETPLACES = (
    Marketplace(
        code="us",
        country="US",
        locale="en_US",
        language="en",
        currency="USD",
        decimals=2,
        sales_channel="Amazon.com",
        relay_domain="marketplace.amazon.com",
        share=0.4,
        order_report_encoding="utf-8",
        order_id_prefixes=("111", "112", "113", "114"),
        per_usd=1.0,
        tax_rate=0.07,
        tax_included=False,
        shipping_fee=599,
        time_zone="America/Los_Angeles",
        carriers=(Carrier("UPS", "1Z****************"), Carrier("USPS", "9400##################"), _AMAZON_PREPAID),
        fulfillment_centers=("PHX6", "BFI4", "ONT8", "MDW2", "CLT2"),
    ),
    Marketplace(
        code="uk",
        country="GB",
        locale="en_GB",
        language="en",
        currency="GBP",
        decimals=2,
        sales_channel="Amazon.co.uk",
        relay_domain="marketplace.amazon.co.uk",
        share=0.2,
        order_report_encoding="utf-8",
        order_id_prefixes=("202", "203", "204", "205", "206"),
        per_usd=0.79,
        tax_rate=0.20,
        tax_included=True,
        shipping_fee=399,
        time_zone="Europe/London",
        carriers=(Carrier("Royal Mail", "??#########GB"), Carrier("DPD", "##############"), _AMAZON_PREPAID),
        fulfillment_centers=("LTN1", "BHX4", "EUK5", "MAN1"),
    ),
    Marketplace(
        code="de",
        country="DE",
        locale="de_DE",
        language="de",
        currency="EUR",
        decimals=2,
        sales_channel="Amazon.de",
        relay_domain="marketplace.amazon.de",
        share=0.2,
        order_report_encoding="utf-8",
        order_id_prefixes=("302", "303", "304", "305", "306"),
        per_usd=0.92,
        tax_rate=0.19,
        tax_included=True,
        shipping_fee=399,
        time_zone="Europe/Berlin",
        carriers=(Carrier("DHL", "00340434############"), Carrier("Hermes", "H1000###############"), _AMAZON_PREPAID),
        fulfillment_centers=("LEJ1", "FRA3", "MUC3", "DTM2"),
    ),
    Marketplace(
        code="fr",
        country="FR",
        locale="fr_FR",
        language="fr",
        currency="EUR",
        decimals=2,
        sales_channel="Amazon.fr",
        relay_domain="marketplace.amazon.fr",
        share=0.1,
        order_report_encoding="cp1252",
        order_id_prefixes=("402", "403", "404", "405", "407"),
        per_usd=0.92,
        tax_rate=0.20,
        tax_included=True,
        shipping_fee=449,
        time_zone="Europe/Paris",
        carriers=(Carrier("Colissimo", "6A###########"), Carrier("Chronopost", "XW#########FR"), _AMAZON_PREPAID),
        fulfillment_centers=("ORY1", "LIL1", "MRS1", "LYS1"),
    ),
    Marketplace(
        code="jp",
        country="JP",
        locale="ja_JP",
        language="ja",
        currency="JPY",
        decimals=0,
        sales_channel="Amazon.co.jp",
        relay_domain="marketplace.amazon.co.jp",
        share=0.1,
        order_report_encoding="utf-16",
        order_id_prefixes=("249", "250", "503"),
        per_usd=150.0,
        tax_rate=0.10,
        tax_included=True,
        shipping_fee=350,
        time_zone="Asia/Tokyo",
        carriers=(
            Carrier("Yamato Transport", "############"),
            Carrier("Japan Post", "############"),
            Carrier("Sagawa Express", "############"),
        ),
        fulfillment_centers=("NRT1", "KIX1", "HND3", "FSZ1"),
    ),
)

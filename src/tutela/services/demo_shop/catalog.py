"""The products on sale, their names in every marketplace language, and local charm prices."""

from __future__ import annotations

import random
from dataclasses import dataclass

from tutela.services.demo_shop.randomness import ALNUM_UPPER, fill_pattern, random_text

_LANGUAGES = ("en", "de", "fr", "ja")
# (English, German, French, Japanese) names and a price in US cents; French stays inside Windows-1252.
_PRODUCT_LINES: tuple[tuple[tuple[str, str, str, str], int], ...] = (
    (
        (
            "Stainless Steel Water Bottle 750 ml",
            "Edelstahl-Trinkflasche 750 ml",
            "Gourde en acier inoxydable 750 ml",
            "ステンレスボトル 750ml",
        ),
        1999,
    ),
    (
        (
            "Bamboo Cutting Board, Set of 3",
            "Bambus-Schneidebrett, 3er-Set",
            "Lot de 3 planches à découper en bambou",
            "竹製まな板 3枚セット",
        ),
        2499,
    ),
    (("Cotton Tote Bag", "Baumwoll-Tragetasche", "Sac cabas en coton", "コットントートバッグ"), 1299),
    (
        (
            "Ceramic Coffee Mug 350 ml",
            "Keramik-Kaffeebecher 350 ml",
            "Mug à café en céramique 350 ml",
            "陶器マグカップ 350ml",
        ),
        1499,
    ),
    (
        (
            "LED Desk Lamp with USB Port",
            "LED-Schreibtischlampe mit USB-Anschluss",
            "Lampe de bureau LED avec port USB",
            "USBポート付きLEDデスクライト",
        ),
        3499,
    ),
    (("Yoga Mat 6 mm", "Yogamatte 6 mm", "Tapis de yoga 6 mm", "ヨガマット 6mm"), 2999),
    (
        ("Wireless Phone Charger 15 W", "Kabelloses Ladegerät 15 W", "Chargeur sans fil 15 W", "ワイヤレス充電器 15W"),
        2299,
    ),
    (
        (
            "Merino Wool Socks, 3 Pairs",
            "Merinowolle-Socken, 3 Paar",
            "Chaussettes en laine mérinos, 3 paires",
            "メリノウールソックス 3足組",
        ),
        1899,
    ),
    (("Insulated Lunch Box", "Isolierte Brotdose", "Boîte à lunch isotherme", "保温ランチボックス"), 2199),
    (("Silicone Baking Mat", "Silikon-Backmatte", "Tapis de cuisson en silicone", "シリコンベーキングマット"), 1199),
    (
        (
            "Hardcover Notebook A5, Dotted",
            "Notizbuch A5, Hardcover, gepunktet",
            "Carnet A5 à couverture rigide, pointillé",
            "ハードカバーノート A5 ドット方眼",
        ),
        1399,
    ),
    (("Kitchen Blowtorch", "Küchen-Flambierbrenner", "Chalumeau à crème brûlée", "クッキングバーナー"), 2699),
)
_COLOURS: tuple[tuple[str, str, str, str], ...] = (
    ("Black", "Schwarz", "Noir", "ブラック"),
    ("White", "Weiß", "Blanc", "ホワイト"),
    ("Sage Green", "Salbeigrün", "Vert sauge", "セージグリーン"),
    ("Navy", "Marineblau", "Bleu marine", "ネイビー"),
)


@dataclass(frozen=True)
class Product:
    sku: str
    asin: str
    fnsku: str
    names: tuple[str, ...]  # in _LANGUAGES order
    usd_cents: int

    def name(self, language: str) -> str:
        return self.names[_LANGUAGES.index(language)]


def build_catalog(rng: random.Random) -> tuple[Product, ...]:
    products: list[Product] = []
    skus: set[str] = set()
    for names, usd_cents in _PRODUCT_LINES:
        for colours in _COLOURS:
            sku = fill_pattern(rng, "SKU-#####")
            while sku in skus:
                sku = fill_pattern(rng, "SKU-#####")
            skus.add(sku)
            labels = tuple(
                f"{name} {colour}" if language == "ja" else f"{name} - {colour}"
                for language, name, colour in zip(_LANGUAGES, names, colours, strict=True)
            )
            products.append(
                Product(
                    sku=sku,
                    asin="B0" + random_text(rng, ALNUM_UPPER, 8),
                    fnsku="X00" + random_text(rng, ALNUM_UPPER, 7),
                    names=labels,
                    usd_cents=usd_cents,
                )
            )
    return tuple(products)


def local_price(usd_cents: int, per_usd: float, decimals: int) -> int:
    """Converted, then rounded to the charm prices shops use: 19.99, 2980 yen."""
    if decimals == 0:
        return max(100, round(usd_cents * per_usd / 10_000) * 100) - 20
    return max(1, round(usd_cents * per_usd / 100)) * 100 - 1

"""A synthetic demo shop: Amazon and Shopify exports full of invented customers.

Importers, scanners and the vault need realistic files to work on, and real customer data must never be used
for that. Every person here is made up by Faker, every phone number is drawn from a range the phonenumbers
library accepts, and everything else comes from seeded `random.Random` instances, so the same seed, order
count and clock give byte-identical files. Files are written row by row while the orders are invented.
"""

from __future__ import annotations

from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from tutela.services.demo_shop.amazon_files import AmazonReports, write_amazon
from tutela.services.demo_shop.catalog import build_catalog
from tutela.services.demo_shop.manifest import DemoFile, DemoManifest, write_readme
from tutela.services.demo_shop.randomness import seeded_random
from tutela.services.demo_shop.shopify_files import ShopifyReports, write_shopify

__all__ = ["DemoFile", "DemoManifest", "generate_demo_shop"]

_SHOPIFY_EXTRA_SHARE = 0.25


def generate_demo_shop(*, out_dir: Path, orders: int = 5000, seed: int = 7, now: datetime) -> DemoManifest:
    """Write a synthetic shop's Amazon and Shopify exports to out_dir.

    `orders` Amazon orders are spread over the five marketplaces; the seller's own Shopify shop adds a quarter
    as many again. The manifest counts both channels' orders and every distinct invented buyer."""
    if orders < 1:
        raise ValueError("orders must be at least 1")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    now = now.astimezone(UTC).replace(microsecond=0)
    out_dir.mkdir(parents=True, exist_ok=True)
    catalog = build_catalog(seeded_random(seed, "catalog"))
    shopify_count = round(orders * _SHOPIFY_EXTRA_SHARE)
    with ExitStack() as stack:
        amazon = AmazonReports(stack, out_dir)
        amazon_buyers = write_amazon(amazon, orders=orders, seed=seed, now=now, catalog=catalog)
        shopify = ShopifyReports(stack, out_dir)
        shopify_buyers = write_shopify(shopify, orders=shopify_count, seed=seed, now=now, catalog=catalog)
        files = amazon.described() + shopify.described()
    write_readme(out_dir, files, seed=seed, now=now, amazon_orders=orders, shopify_orders=shopify_count)
    return DemoManifest(
        out_dir=out_dir,
        files=files,
        customers=amazon_buyers + shopify_buyers,
        orders=orders + shopify_count,
    )

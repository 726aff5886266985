"""`tutela demo generate`: a synthetic shop's files to try tutela on (every name invented)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tutela.adapters.cli.runtime import guarded, out
from tutela.core.clock import SystemClock
from tutela.services.demo_shop import generate_demo_shop

app = typer.Typer(help="Synthetic demo data (clearly marked SYNTHETIC).", no_args_is_help=True)


@app.command("generate")
def generate(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the files into.")],
    orders: Annotated[int, typer.Option(min=1, max=1_000_000, help="Amazon orders (Shopify adds about 25%).")] = 5000,
    seed: Annotated[int, typer.Option(help="Same seed, same files.")] = 7,
) -> None:
    """Write a synthetic shop: Amazon US/UK/DE/FR/JP reports over 18 months, FBA shipments and
    returns, Shopify order and customer exports with marketing flags."""
    manifest = guarded(lambda: generate_demo_shop(out_dir=out_dir, orders=orders, seed=seed, now=SystemClock().now()))
    table = Table("file", "kind", "encoding", "rows", title=f"SYNTHETIC demo shop in {out_dir}", title_justify="left")
    for item in manifest.files:
        table.add_row(item.name, item.kind, item.encoding, f"{item.rows:,}")
    out.print(table)
    out.print(f"{manifest.orders:,} orders from {manifest.customers:,} invented customers."
              f" Import them with: tutela import {out_dir}/SYNTHETIC-*")  # fmt: skip

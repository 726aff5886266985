"""`tutela retention plan|apply`, `tutela hold add|list|release`, `tutela amazon revoke`."""

from __future__ import annotations

import typer

app = typer.Typer(help="Deletion on time: what is due when and why, and deleting it with receipts.",
                  no_args_is_help=True)  # fmt: skip
hold_app = typer.Typer(help="Legal holds: keep a customer's or an order's data past its due time.",
                       no_args_is_help=True)  # fmt: skip
amazon_app = typer.Typer(help="Amazon-specific duties (DPP §1.7 revocation).", no_args_is_help=True)

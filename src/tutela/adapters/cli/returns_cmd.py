"""`tutela returns list|show|close|open`: the returns queue."""

from __future__ import annotations

import typer

app = typer.Typer(help="Return cases: the queue, a case's details under the returns purpose, closing.",
                  no_args_is_help=True)  # fmt: skip

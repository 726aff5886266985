"""`tutela init` and `tutela status`."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tutela.adapters.cli.runtime import guarded, opened, out, state
from tutela.core.clock import SystemClock
from tutela.core.settings import load_settings
from tutela.services import status as status_service
from tutela.services.store import init_store


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("status")(status)


def init(
    ctx: typer.Context,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Where to create the store.")] = None,
) -> None:
    """Create a store: database, key file (mode 0600) and the default Amazon-seller policy."""
    settings = load_settings(data_dir=data_dir or state(ctx).data_dir)
    store = guarded(lambda: init_store(settings, SystemClock()))
    store.close()
    out.print(f"[green]created[/] a tutela store in {settings.data_dir} ({settings.backend})")
    if settings.master_key is None:
        out.print(f"  key file: {settings.key_file} (mode 0600) — back it up apart from the database;")
        out.print("  without it the stored data cannot be read by anyone.")
    out.print(f"  policy:   {settings.policy_file} — edit it, then `tutela policy check`")


def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Store, backend, key versions, customers, fields by category, audit chain head."""
    with opened(ctx) as store:
        report = guarded(lambda: status_service.store_status(store))
    if as_json:
        out.print_json(json.dumps(asdict(report), default=str))
        return
    out.print(f"[bold]tutela store[/] {report.data_dir}  [dim]id {report.store_id}[/]")
    out.print(f"  backend   {report.backend}  {report.database}")
    out.print(f"  customers {report.customers} active, {report.customers_erased} erased")
    out.print(f"  policy    version {report.policy_version}  sha256 {report.policy_sha256[:16]}…")
    keys = report.keys
    pending = f", [yellow]{keys.pending_rewrap} data keys still to rewrap[/]" if keys.pending_rewrap else ""
    out.print(f"  keys      newest version {keys.newest_version} of {len(keys.versions)} ({keys.source}){pending}")
    out.print(f"  audit     {report.audit_events} events, head {report.audit_head[:16]}…")
    if report.fields_by_category:
        table = Table("category", "fields", title="Stored fields by category", title_justify="left")
        for category, count in report.fields_by_category.items():
            table.add_row(category, str(count))
        out.print(table)

"""`tutela consent grant|withdraw|show|import-suppressions|expire` and `consent notice add|list`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from tutela.adapters.cli.runtime import guarded, opened, out
from tutela.core.actor import LOCAL_OPERATOR
from tutela.core.errors import InvalidValue
from tutela.services import consent, consent_suppressions
from tutela.services.importing import file_sha256

app = typer.Typer(help="The consent ledger: grants and withdrawals with proof (GDPR Art. 7, AUP §4.2).",
                  no_args_is_help=True)  # fmt: skip
notice_app = typer.Typer(help="The exact wording shown when asking for consent, by version.", no_args_is_help=True)
app.add_typer(notice_app, name="notice")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _print_json(value: Any) -> None:
    out.print_json(json.dumps(value, default=str))


def _evidence(path: Path | None) -> str | None:
    if path is None:
        return None
    if not path.is_file():
        raise InvalidValue(f"no evidence file at {path}", hint="check the path, or leave --evidence out")
    return file_sha256(path)


@app.command("grant")
def grant(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="The customer's id.")],
    purpose: Annotated[str, typer.Option(help="A consent purpose, e.g. marketing_email.")],
    channel: Annotated[str, typer.Option(help="email, sms, phone or post.")],
    source: Annotated[str, typer.Option(help=f"Where it was given: {', '.join(consent.GRANT_SOURCES)}.")],
    notice_version: Annotated[str, typer.Option(help="The notice version the customer saw.")],
    evidence: Annotated[Path | None, typer.Option(help="A file proving it (its sha256 is kept).")] = None,
) -> None:
    """Record a grant, with its proof."""
    with opened(ctx) as store:
        proof = consent.Proof(source=source, notice_version=notice_version, evidence_sha256=guarded(
            lambda: _evidence(evidence)))  # fmt: skip
        event_id = guarded(lambda: consent.grant(store, actor=LOCAL_OPERATOR, customer_id=customer, purpose=purpose,
                                                 channel=channel, proof=proof))  # fmt: skip
    out.print(f"[green]granted[/] (ledger event {event_id})")


@app.command("withdraw")
def withdraw(
    ctx: typer.Context,
    customer: Annotated[str, typer.Argument(help="The customer's id.")],
    purpose: Annotated[str, typer.Option(help="A consent purpose, e.g. marketing_email.")],
    channel: Annotated[str | None, typer.Option(help="One channel (default: every channel).")] = None,
    source: Annotated[str, typer.Option(help=f"How: {', '.join(consent.WITHDRAW_SOURCES)}.")] = "request",
) -> None:
    """Record a withdrawal; it wins over every earlier grant."""
    with opened(ctx) as store:
        ids = guarded(lambda: consent.withdraw(store, actor=LOCAL_OPERATOR, customer_id=customer, purpose=purpose,
                                               channel=channel, proof=consent.Proof(source=source)))  # fmt: skip
    out.print(f"[green]withdrawn[/] ({len(ids)} channel(s); ledger events {', '.join(map(str, ids))})")


@app.command("show")
def show(
    ctx: typer.Context, customer: Annotated[str, typer.Argument(help="The customer's id.")], as_json: JsonOption = False
) -> None:
    """Current state per purpose and channel, and the full history with proof."""
    with opened(ctx) as store:
        found = guarded(lambda: consent.history(store, customer))
    if as_json:
        _print_json(found)
        return
    current = Table("purpose/channel", "may contact", "why")
    for key, decision in found["current"].items():
        current.add_row(key, "yes" if decision["allowed"] else "no", decision["reason"])
    out.print(current)
    events = Table("event", "at (UTC)", "purpose", "channel", "kind", "source", "notice", "wording sha256", "actor")
    for e in found["events"]:
        wording = (e["wording_sha256"] or "")[:12]
        events.add_row(str(e["id"]), f"{e['at']:%Y-%m-%d %H:%M:%S}", e["purpose"], e["channel"], e["kind"],
                       e["source"], e["notice_version"] or "", wording, e["actor"])  # fmt: skip
    out.print(events)
    if found["sale_share_opt_out"]:
        opt = found["sale_share_opt_out"]
        out.print(f"opted out of sale/share on {opt['at']:%Y-%m-%d} ({opt['source']}): honoured")


@app.command("import-suppressions")
def import_suppressions(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The e-mail tool's unsubscribes/bounces (CSV, an Email column).")],
    as_json: JsonOption = False,
) -> None:
    """Unsubscribes and bounces become withdrawals; unknown addresses are counted, not stored."""
    with opened(ctx) as store:
        report = guarded(lambda: consent_suppressions.import_suppressions(store, actor=LOCAL_OPERATOR, path=file))
    if as_json:
        _print_json(report.as_dict())
        return
    out.print(f"{report.rows} rows: {report.withdrawals} withdrawals for {report.customers} customers; "
              f"{report.unknown} unknown addresses (not stored); "
              f"{len(report.invalid_rows)} rows without an address")  # fmt: skip


@app.command("expire")
def expire(ctx: typer.Context) -> None:
    """Mark grants past their purpose's consent_valid_for as expired (the scheduler does it daily)."""
    with opened(ctx) as store:
        count = guarded(lambda: consent.expire_lapsed(store, actor=LOCAL_OPERATOR))
    out.print(f"{count} grant(s) lapsed")


@notice_app.command("add")
def notice_add(
    ctx: typer.Context,
    purpose: Annotated[str, typer.Option(help="A consent purpose.")],
    version: Annotated[str, typer.Option(help="Its version, e.g. 3.")],
    file: Annotated[Path, typer.Option(help="A UTF-8 text file with the exact wording shown.")],
) -> None:
    """Register a notice's wording; grants name its version and keep its sha256."""
    with opened(ctx) as store:
        wording = guarded(lambda: _read(file))
        digest = guarded(lambda: consent.add_notice(store, actor=LOCAL_OPERATOR, purpose=purpose, version=version,
                                                    wording=wording))  # fmt: skip
    out.print(f"notice {purpose} v{version}: sha256 {digest}")


@notice_app.command("list")
def notice_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Every notice version, oldest first."""
    with opened(ctx) as store:
        found = guarded(lambda: consent.notices(store))
    if as_json:
        _print_json(found)
        return
    table = Table("purpose", "version", "created (UTC)", "sha256", "wording")
    for n in found:
        table.add_row(n["purpose"], n["version"], f"{n['created_at']:%Y-%m-%d}", n["wording_sha256"][:12],
                      n["wording"][:60])  # fmt: skip
    out.print(table)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise InvalidValue(f"cannot read {path} as UTF-8 text", hint="save the wording as a UTF-8 .txt file") from None

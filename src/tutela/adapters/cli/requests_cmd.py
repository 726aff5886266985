"""`tutela requests open|list|verify|fulfil|extend|deny`: data-subject requests and their clocks."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from tutela.adapters.cli.retention_cmd import end_of_day
from tutela.adapters.cli.runtime import guarded, opened, out
from tutela.adapters.documents import request_mail, summary_html
from tutela.core.actor import LOCAL_OPERATOR
from tutela.core.errors import InvalidValue
from tutela.services import request_fulfilment, subject_requests

app = typer.Typer(help="Data-subject requests: access, erasure, rectification, restriction, objection, opt-out.",
                  no_args_is_help=True)  # fmt: skip
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _fields(raw: list[str] | None) -> dict[str, str] | None:
    if not raw:
        return None
    pairs = {}
    for item in raw:
        category, sep, value = item.partition("=")
        if not sep:
            raise InvalidValue("a --field needs CATEGORY=VALUE", hint="e.g. --field user.name='Ada King'")
        pairs[category.strip()] = value
    return pairs


@app.command("open")
def open_(
    ctx: typer.Context,
    kind: Annotated[
        str,
        typer.Option("--type", help="access, portability, erasure, rectification, restriction, objection or opt_out."),
    ],
    email: Annotated[str, typer.Option(help="The requester's e-mail address (the code is sent there).")],
    jurisdiction: Annotated[
        str, typer.Option(help="auto (from the customer's ship address), gdpr, ccpa, other.")
    ] = "auto",
    language: Annotated[str, typer.Option(help="Letters in en or zh.")] = "en",
    field: Annotated[list[str] | None, typer.Option(help="Rectification: CATEGORY=VALUE (repeatable).")] = None,
) -> None:
    """Record a request and send its verification code (which acknowledges receipt)."""
    with opened(ctx) as store:
        deliver = request_mail.code_sender(store, email=email, language=language)
        made = guarded(lambda: subject_requests.open_request(store, actor=LOCAL_OPERATOR, kind=kind, email=email,
                                                             jurisdiction=jurisdiction, language=language,
                                                             corrections=_fields(field), deliver=deliver))  # fmt: skip
    if made.linked:
        out.print(f"request {made.request_id} is already open for this person and type: linked, not doubled")
        return
    out.print(f"[green]request {made.request_id}[/]: code sent; due {made.due_at:%Y-%m-%d %H:%M} UTC")


@app.command("list")
def list_(
    ctx: typer.Context,
    due_before: Annotated[str | None, typer.Option(help="Only those due by this date (YYYY-MM-DD).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include completed and denied requests.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Open requests by due date, overdue first."""
    with opened(ctx) as store:
        limit = guarded(lambda: end_of_day(due_before, "--due-before")) if due_before else None
        found = guarded(lambda: subject_requests.list_requests(store, due_before=limit, include_closed=all_))
    if as_json:
        out.print_json(json.dumps(found, default=str))
        return
    table = Table("id", "type", "status", "law", "received", "due (UTC)", "", "customer")
    for r in found:
        flag = "[bold red]overdue[/]" if r["overdue"] else ("extended" if r["extended"] else "")
        table.add_row(str(r["id"]), r["kind"], r["status"], r["jurisdiction"], f"{r['received_at']:%Y-%m-%d}",
                      f"{r['due_at']:%Y-%m-%d %H:%M}", flag, r["customer_id"] or "—")  # fmt: skip
    out.print(table)


@app.command("verify")
def verify(
    ctx: typer.Context,
    request_id: Annotated[int, typer.Argument(help="The request's id.")],
    code: Annotated[str | None, typer.Option(help="The code the requester received.")] = None,
    order: Annotated[str | None, typer.Option(help="Or: an order id of the customer ...")] = None,
    postal_code: Annotated[str | None, typer.Option(help="... and the postal code it shipped to.")] = None,
) -> None:
    """Check the requester's code, or an order id with its postal code (locked after 5 wrong answers).
    Both, one after the other, reach the "reasonably high" level of certainty (CCPA)."""
    if (code is None) == (order is None or postal_code is None):
        raise typer.BadParameter("give --code, or --order with --postal-code", param_hint="--code")
    with opened(ctx) as store:
        if code is not None:
            guarded(lambda: subject_requests.verify(store, actor=LOCAL_OPERATOR, request_id=request_id, code=code))
            level = "reasonable"
        else:
            level = guarded(
                lambda: subject_requests.verify_by_order(
                    store,
                    actor=LOCAL_OPERATOR,
                    request_id=request_id,
                    order_id=order or "",
                    postal_code=postal_code or "",
                )
            )
    out.print(f"request {request_id} verified ({level}): in progress")


@app.command("fulfil")
def fulfil(ctx: typer.Context, request_id: Annotated[int, typer.Argument(help="The request's id.")]) -> None:
    """Do what the request asks, then send the reply (with a one-time download link for access)."""
    with opened(ctx) as store:
        done = guarded(lambda: request_fulfilment.fulfil(store, actor=LOCAL_OPERATOR, request_id=request_id,
                                                         render_summary=summary_html))  # fmt: skip
        link = guarded(lambda: request_mail.send_reply(store, done))
    out.print(f"request {request_id} completed: {done.outcome}; the reply was sent"
              + ("; its download link works once, for 7 days" if link else ""))  # fmt: skip


@app.command("extend")
def extend(
    ctx: typer.Context,
    request_id: Annotated[int, typer.Argument(help="The request's id.")],
    reason: Annotated[str, typer.Option(help="Why (sent to the requester).")],
) -> None:
    """Take the one extension (GDPR +2 months, CCPA +45 days), within the first period only."""
    with opened(ctx) as store:
        due = guarded(lambda: subject_requests.extend(store, actor=LOCAL_OPERATOR, request_id=request_id,
                                                      reason=reason))  # fmt: skip
        guarded(lambda: request_mail.send_extension(store, request_id, reason))
    out.print(f"request {request_id} extended: due {due:%Y-%m-%d %H:%M} UTC; the requester was told")


@app.command("deny")
def deny(
    ctx: typer.Context,
    request_id: Annotated[int, typer.Argument(help="The request's id.")],
    reason: Annotated[str, typer.Option(help="Why (sent to the requester, with how to complain).")],
) -> None:
    """Refuse a request, with the reason."""
    with opened(ctx) as store:
        guarded(lambda: subject_requests.deny(store, actor=LOCAL_OPERATOR, request_id=request_id, reason=reason))
        guarded(lambda: request_mail.send_denial(store, request_id))
    out.print(f"request {request_id} denied; the requester was told why")

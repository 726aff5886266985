"""`tutela returns list|show|open|note|close`: the returns queue."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from tutela.adapters.cli.runtime import guarded, opened, out
from tutela.core.actor import LOCAL_OPERATOR, Actor
from tutela.core.policy import Access
from tutela.services import returns

app = typer.Typer(help="Return cases: the queue, a case's details under the returns purpose, closing.",
                  no_args_is_help=True)  # fmt: skip

ReturnId = Annotated[int, typer.Argument(metavar="ID", help="The case's id (see `tutela returns list`).")]


def _day(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d") if moment is not None else "—"


def _row_json(row: returns.ReturnRow) -> dict[str, Any]:
    return {
        "id": row.id, "channel": row.channel, "order_id": row.order_id, "status": row.status, "reason": row.reason,
        "resolution": row.resolution, "open": row.is_open, "customer_id": row.customer_id,
        "requested_at": row.requested_at.isoformat() if row.requested_at else None,
        "closed_at": row.closed_at.isoformat() if row.closed_at else None, "age_days": row.age_days,
    }  # fmt: skip


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="open or closed (default: both, open first).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many cases.")] = 100,
    after: Annotated[int | None, typer.Option(help="Continue after this case id (the last one shown).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The queue, open cases first: order, status, reason, age. No personal data."""
    with opened(ctx) as store:
        found = guarded(lambda: returns.list_returns(store, status=status, limit=limit, after=after))
    if as_json:
        out.print_json(json.dumps([_row_json(r) for r in found]))
        return
    if not found:
        out.print("no return cases")
        return
    table = Table("id", "channel", "order", "status", "reason", "resolution", "requested", "closed", "age (days)",
                  "customer")  # fmt: skip
    for r in found:
        table.add_row(str(r.id), r.channel, escape(r.order_id), escape(r.status or "—"), escape(r.reason or "—"),
                      escape(r.resolution or "—"), _day(r.requested_at), _day(r.closed_at), str(r.age_days),
                      r.customer_id or "—")  # fmt: skip
    out.print(table)


@app.command("show")
def show(
    ctx: typer.Context,
    return_id: ReturnId,
    purpose: Annotated[str, typer.Option(help="Why you need the data: a case is read under 'returns' only.")],
    as_role: Annotated[str | None, typer.Option("--as", help="See what this role would see (default: owner).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """A case, its notes, and its customer's fields as ROLE sees them under 'returns'. Audited."""
    actor = Actor(id=LOCAL_OPERATOR.id, role=as_role or LOCAL_OPERATOR.role)
    with opened(ctx) as store:
        shown = guarded(lambda: returns.show_return(store, actor=actor, return_id=return_id, purpose=purpose))
    case = shown.case
    fields = shown.revealed.fields if shown.revealed else []
    if as_json:
        out.print_json(json.dumps({
            **_row_json(case.row), "return_key": case.return_key, "sku": case.sku, "quantity": case.quantity,
            "notes": [{"at": n.at.isoformat(), "by": n.by, "text": n.text} for n in case.notes],
            "purpose": purpose, "role": actor.role, "customer_erased": shown.customer_erased,
            "fields": [{"category": f.category, "access": f.access.value, "value": f.value,
                        "stored_under": f.stored_under, "source": f.source} for f in fields],
        }))  # fmt: skip
        return
    row = case.row
    state = "open" if row.is_open else f"closed {_day(row.closed_at)}"
    facts = (f"{state}, status {row.status or '—'}, reason {row.reason or '—'}, resolution {row.resolution or '—'},"
             f" requested {_day(row.requested_at)}, {row.age_days} days")  # fmt: skip
    out.print(f"[bold]return {row.id}[/] ", end="")
    out.print(f"({row.channel} {case.return_key}) for order {row.order_id}: {facts}", markup=False)
    for note in case.notes:
        out.print(f"  note {note.at:%Y-%m-%d %H:%M} {note.by}: {note.text}", markup=False)
    if shown.revealed is None:
        out.print("the customer was erased: no personal fields" if shown.customer_erased
                  else "no customer linked: no personal fields")  # fmt: skip
        return
    table = Table("category", "access", "value", "stored under", "source",
                  title=f"{row.customer_id} for {purpose}, as {actor.role}", title_justify="left")  # fmt: skip
    style = {Access.PLAIN: "green", Access.MASKED: "yellow", Access.DENIED: "red"}
    for f in fields:
        table.add_row(f.category, f"[{style[f.access]}]{f.access.value}[/]", escape(f.value or "—"), f.stored_under,
                      f.source)  # fmt: skip
    out.print(table)


@app.command("open")
def open_(
    ctx: typer.Context,
    order: Annotated[str, typer.Option("--order", help="The shop's order id (it must be imported).")],
    reason: Annotated[str, typer.Option(help="Why it comes back (no personal data; at most 128 characters).")],
    note: Annotated[str | None, typer.Option(help="A first note (no personal data).")] = None,
    name: Annotated[str | None, typer.Option(help="The returner's name.")] = None,
    street: Annotated[str | None, typer.Option(help="Return address: street.")] = None,
    city: Annotated[str | None, typer.Option(help="Return address: city.")] = None,
    state: Annotated[str | None, typer.Option(help="Return address: state or region.")] = None,
    postal_code: Annotated[str | None, typer.Option("--postal-code", help="Return address: postal code.")] = None,
    country: Annotated[str | None, typer.Option(help="Return address: country.")] = None,
) -> None:
    """Open a case for an order; the name and address are stored (encrypted) under 'returns'."""
    with opened(ctx) as store:
        case = guarded(lambda: returns.open_return(
            store, actor=LOCAL_OPERATOR, order_id=order, reason=reason, notes=note, name=name, street=street,
            city=city, state=state, postal_code=postal_code, country=country,
        ))  # fmt: skip
    customer = f", customer {case.row.customer_id}" if case.row.customer_id else ""
    out.print(
        f"[green]opened[/] return {case.row.id} ({case.return_key}) for order {escape(case.row.order_id)}{customer}"
    )


@app.command("note")
def note(
    ctx: typer.Context,
    return_id: ReturnId,
    text: Annotated[str, typer.Argument(help="The note: no e-mail addresses, phone or card numbers.")],
) -> None:
    """Add a note to a case; one that seems to hold personal data is refused and not saved."""
    with opened(ctx) as store:
        case = guarded(lambda: returns.add_note(store, actor=LOCAL_OPERATOR, return_id=return_id, text=text))
    out.print(f"[green]noted[/] on return {case.row.id} ({len(case.notes)} notes)")


@app.command("close")
def close(
    ctx: typer.Context,
    return_id: ReturnId,
    outcome: Annotated[str, typer.Option(help=f"One of: {', '.join(returns.OUTCOMES)}.")],
) -> None:
    """Close a case with its outcome; its retention clock starts now."""
    with opened(ctx) as store:
        case = guarded(lambda: returns.close_return(store, actor=LOCAL_OPERATOR, return_id=return_id, outcome=outcome))
    out.print(f"[green]closed[/] return {case.row.id} as {outcome} on {_day(case.row.closed_at)}")

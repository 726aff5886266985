"""`tutela customer add|find|show|rectify|erase`."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from tutela.adapters.cli.runtime import guarded, opened, out, split_assignments
from tutela.core.actor import LOCAL_OPERATOR, Actor
from tutela.core.policy import Access
from tutela.services import vault

app = typer.Typer(help="Store, find, reveal, correct and erase customers.", no_args_is_help=True)

FieldOption = Annotated[
    list[str], typer.Option("--field", help="CATEGORY=VALUE, e.g. user.contact.email=ada@example.com (repeat).")
]


@app.command("add")
def add(
    ctx: typer.Context,
    field: FieldOption,
    source: Annotated[str, typer.Option(help="Where the data came from: amazon, shopify, own_shop, manual.")],
    purpose: Annotated[str, typer.Option(help="The purpose the data is collected for, e.g. fulfillment.")],
    order_id: Annotated[list[str] | None, typer.Option("--order-id", help="Link an order id (repeat).")] = None,
) -> None:
    """Store a new customer's fields under a purpose; prints the customer id."""
    fields = split_assignments(field)
    with opened(ctx) as store:
        customer_id = guarded(
            lambda: vault.add_customer(
                store, actor=LOCAL_OPERATOR, purpose=purpose, source=source, fields=fields, order_ids=order_id or []
            )
        )
    out.print(customer_id)


@app.command("find")
def find(
    ctx: typer.Context,
    email: Annotated[str | None, typer.Option(help="Exact e-mail address (case does not matter).")] = None,
    phone: Annotated[str | None, typer.Option(help="Phone number, any common format.")] = None,
    order_id: Annotated[str | None, typer.Option("--order-id", help="Order id.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Find customers by e-mail, phone or order id (values are never printed)."""
    with opened(ctx) as store:
        found = guarded(
            lambda: vault.find_customers(store, actor=LOCAL_OPERATOR, email=email, phone=phone, order_id=order_id)
        )
    if as_json:
        out.print_json(
            json.dumps(
                [
                    {
                        "id": f.id,
                        "categories": f.categories,
                        "sources": f.sources,
                        "created_at": f.created_at.isoformat(),
                    }
                    for f in found
                ]
            )
        )
        return
    if not found:
        out.print("no customer matches")
        return
    table = Table("customer", "stored categories", "sources", "created (UTC)")
    for f in found:
        table.add_row(f.id, "\n".join(f.categories), ", ".join(f.sources), f.created_at.strftime("%Y-%m-%d %H:%M"))
    out.print(table)


@app.command("show")
def show(
    ctx: typer.Context,
    customer_id: Annotated[str, typer.Argument(metavar="ID")],
    purpose: Annotated[str, typer.Option(help="Why you need the data; the policy decides what it shows.")],
    as_role: Annotated[str | None, typer.Option("--as", help="See what this role would see (default: owner).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Reveal a customer's fields for a purpose: plain, masked or denied per the policy. Audited."""
    actor = Actor(id=LOCAL_OPERATOR.id, role=as_role or LOCAL_OPERATOR.role)
    with opened(ctx) as store:
        revealed = guarded(lambda: vault.reveal(store, actor=actor, purpose=purpose, customer_id=customer_id))
    if as_json:
        out.print_json(
            json.dumps(
                {
                    "customer_id": revealed.customer_id,
                    "purpose": revealed.purpose,
                    "role": revealed.role,
                    "fields": [
                        {
                            "category": f.category,
                            "access": f.access.value,
                            "value": f.value,
                            "stored_under": f.stored_under,
                            "source": f.source,
                        }
                        for f in revealed.fields
                    ],
                }
            )
        )
        return
    table = Table(
        "category",
        "access",
        "value",
        "stored under",
        "source",
        title=f"{revealed.customer_id} for {revealed.purpose}, as {revealed.role}",
        title_justify="left",
    )
    style = {Access.PLAIN: "green", Access.MASKED: "yellow", Access.DENIED: "red"}
    for f in revealed.fields:
        table.add_row(f.category, f"[{style[f.access]}]{f.access.value}[/]", f.value or "—", f.stored_under, f.source)
    out.print(table)


@app.command("rectify")
def rectify(
    ctx: typer.Context,
    customer_id: Annotated[str, typer.Argument(metavar="ID")],
    field: FieldOption,
    purpose: Annotated[str, typer.Option(help="The purpose you act under, e.g. support.")],
) -> None:
    """Correct fields: every stored copy of each category gets the new value. Audited."""
    fields = split_assignments(field)
    with opened(ctx) as store:
        changed = guarded(
            lambda: vault.rectify(store, actor=LOCAL_OPERATOR, purpose=purpose, customer_id=customer_id, fields=fields)
        )
    out.print(f"[green]rectified[/] {customer_id}: {', '.join(changed)}")


@app.command("erase")
def erase(
    ctx: typer.Context,
    customer_id: Annotated[str, typer.Argument(metavar="ID")],
    reason: Annotated[str, typer.Option(help="Why (kept in the audit log: no personal data in it).")],
) -> None:
    """Erase a customer for good: ciphertexts and indexes deleted, data key destroyed, tombstone kept."""
    with opened(ctx) as store:
        receipt = guarded(lambda: vault.erase(store, actor=LOCAL_OPERATOR, customer_id=customer_id, reason=reason))
    out.print(
        f"[green]erased[/] {receipt.customer_id}: {receipt.fields_deleted} fields deleted, data key destroyed"
        f" at {receipt.erased_at.isoformat()}"
    )

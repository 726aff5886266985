"""Reading a customer's row: present and not erased, and its data key unwrapped."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.engine import Row

from tutela.core.errors import CustomerErased, CustomerNotFound
from tutela.core.storage.schema import customer
from tutela.services.context import Context

AnyRow = Row[*tuple[Any, ...]]


# Built once: most requests that touch a customer start here, and building the statement
# each time cost more than running it.
_LIVE_CUSTOMER = select(
    customer.c.id, customer.c.kek_version, customer.c.wrapped_dek, customer.c.erased_at, customer.c.restricted_at
).where(customer.c.id == bindparam("customer_id"))


def load_live_customer(connection: Connection, customer_id: str) -> AnyRow:
    row = connection.execute(_LIVE_CUSTOMER, {"customer_id": customer_id}).first()
    if row is None:
        raise CustomerNotFound(f"no customer with id '{customer_id}'", hint="find the id with `tutela customer find`")
    if row.erased_at is not None or row.wrapped_dek is None:
        raise CustomerErased(f"customer '{customer_id}' was erased", hint="its data no longer exists")
    return row


def open_dek(ctx: Context, row: AnyRow) -> bytes:
    return unwrap_customer_key(ctx, str(row.id), int(row.kek_version), bytes(row.wrapped_dek))


def unwrap_customer_key(ctx: Context, customer_id: str, kek_version: int, wrapped: bytes) -> bytes:
    return ctx.keys.with_version(kek_version).unwrap_dek(customer_id, kek_version, wrapped)

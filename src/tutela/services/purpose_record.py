"""Fields entered by hand into one purpose's record, inside the caller's transaction (the
caller writes the one audit event). Only that record changes: a return address typed for
a return goes into the customer's `returns` record and leaves the shipping address of the
`fulfillment` record alone (that would be rectification, which changes every copy)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from tutela.core.normalize import normalize_order_id
from tutela.core.record_codec import Entry, categories_mask, decode, encode
from tutela.core.storage.schema import customer, order_link, record
from tutela.core.taxonomy import IndexKind
from tutela.services.context import Context
from tutela.services.field_input import Prepared, index_digests, new_ids


def new_customer(connection: Connection, *, ctx: Context, now: datetime) -> tuple[str, bytes]:
    """A customer row with a fresh data key (wrapped under the newest key version); returns
    its id and the data key, to seal its first fields with."""
    customer_id = new_ids(now, 1)[0]
    dek = ctx.keyring.new_dek()
    version, wrapped = ctx.keyring.wrap_dek(customer_id, dek)
    connection.execute(
        insert(customer).values(
            id=customer_id, kek_version=version, wrapped_dek=wrapped, created_at=now, updated_at=now
        )
    )
    return customer_id, dek


def put_fields(
    connection: Connection,
    *,
    ctx: Context,
    customer_id: str,
    purpose: str,
    source: str,
    dek: bytes,
    items: Sequence[Prepared],
    now: datetime,
) -> None:
    """`items` (checked by field_input) sealed into the customer's record for `purpose`,
    attributed to `source`; a category that record holds already is replaced, not doubled."""
    existing = connection.execute(
        select(record.c.id, record.c.fields).where(record.c.customer_id == customer_id, record.c.purpose == purpose)
    ).first()
    replaced = {i.category for i in items}
    entries = [e for e in decode(existing.fields) if e.category not in replaced] if existing else []
    entries += [
        Entry(i.category, source, ctx.keyring.seal_field(dek, customer_id, i.category, purpose, i.value)) for i in items
    ]
    digests = {k: v for k, v in index_digests(ctx, items).items() if v}
    mask = categories_mask([e.category for e in entries])
    values = {"fields": encode(entries), "categories": mask, "updated_at": now, **digests}
    if existing is None:
        connection.execute(insert(record).values(customer_id=customer_id, purpose=purpose, created_at=now, **values))
    else:
        connection.execute(update(record).where(record.c.id == existing.id).values(**values))
    connection.execute(update(customer).where(customer.c.id == customer_id).values(updated_at=now))


def link_order(connection: Connection, *, ctx: Context, customer_id: str, order_id: str, now: datetime) -> None:
    """The order id's blind index pointing at the customer (`customer find --order-id`), once."""
    digest = ctx.keyring.blind_index(IndexKind.ORDER_ID, normalize_order_id(order_id))
    linked = connection.execute(
        select(order_link.c.customer_id).where(
            order_link.c.blind_index == digest, order_link.c.customer_id == customer_id
        )
    ).first()
    if linked is None:
        connection.execute(insert(order_link).values(blind_index=digest, customer_id=customer_id, created_at=now))

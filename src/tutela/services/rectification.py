"""Rectification (GDPR Art. 16, CCPA right to correct): a category's value replaced in every
stored copy, keeping each copy's source so that an Amazon buyer stays attributed to Amazon."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select, update

from tutela.core.actor import Actor
from tutela.core.errors import AccessDenied, CategoryNotDeclared, InvalidValue
from tutela.core.policy import Access
from tutela.core.record_codec import Entry, decode, encode
from tutela.core.storage.engine import transaction
from tutela.core.storage.schema import customer, record
from tutela.services import audit
from tutela.services.context import Context
from tutela.services.customer_rows import load_live_customer, open_dek
from tutela.services.field_input import index_digests, prepare_value
from tutela.services.purpose_record import put_fields


def rectify(ctx: Context, *, actor: Actor, purpose: str, customer_id: str, fields: Mapping[str, str]) -> list[str]:
    """Replace a category's value in every stored copy (keeping each copy's source, so an
    Amazon buyer stays attributed to Amazon); add it under `purpose` if none exists."""
    policy = ctx.policy
    acting = policy.purpose(purpose)
    if not fields:
        raise InvalidValue("no fields given", hint="add at least one --field CATEGORY=VALUE")
    prepared = {category: prepare_value(policy, category, raw) for category, raw in fields.items()}
    for category in prepared:
        if category not in acting.categories:
            raise CategoryNotDeclared(
                f"purpose '{purpose}' does not use '{category}'", hint="rectify under a purpose that declares it"
            )
        if policy.decide(actor.role, purpose, category) is Access.DENIED:
            raise AccessDenied(
                f"role '{actor.role}' may not handle '{category}' under purpose '{purpose}'",
                hint="act under a purpose that needs this field, with a role the policy allows",
            )
    now = ctx.clock.now()
    with transaction(ctx.engine) as connection:
        dek = open_dek(ctx, load_live_customer(connection, customer_id))
        rows = connection.execute(
            select(record.c.id, record.c.purpose, record.c.fields, record.c.email_index, record.c.phone_index).where(
                record.c.customer_id == customer_id
            )
        ).all()
        seal = ctx.keyring.seal_field
        missing = set(prepared)
        updated = 0
        for row in rows:
            entries = decode(row.fields)
            touched = [e for e in entries if e.category in prepared]
            if not touched:
                continue
            missing -= {e.category for e in touched}
            updated += len(touched)
            new_entries = [
                Entry(e.category, e.source, seal(dek, customer_id, e.category, row.purpose, prepared[e.category].value))
                if e.category in prepared
                else e
                for e in entries
            ]
            digests = {"email_index": row.email_index, "phone_index": row.phone_index}
            digests.update({k: v for k, v in index_digests(ctx, [prepared[e.category] for e in touched]).items() if v})
            connection.execute(
                update(record)
                .where(record.c.id == row.id)
                .values(fields=encode(new_entries), updated_at=now, **digests)
            )
        if missing:
            items = [prepared[c] for c in sorted(missing)]
            put_fields(connection, ctx=ctx, customer_id=customer_id, purpose=purpose, source="manual", dek=dek,
                       items=items, now=now)  # fmt: skip
        connection.execute(update(customer).where(customer.c.id == customer_id).values(updated_at=now))
        event = audit.Event(
            action="customer.rectify",
            customer_id=customer_id,
            purpose=purpose,
            fields=list(prepared),
            details={"copies_updated": updated, "added": sorted(missing)},
        )
        audit.record(connection, ctx, actor, [event])
    return list(prepared)

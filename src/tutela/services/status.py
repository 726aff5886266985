"""What `tutela status` shows: where the store is, what it holds (counts, never values),
its keys and the head of its audit chain."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from tutela.core.storage.engine import read_only
from tutela.core.storage.schema import audit_head, customer, policy_version, record
from tutela.core.taxonomy import CATEGORIES
from tutela.services import keys
from tutela.services.context import Context


@dataclass(frozen=True)
class StoreStatus:
    data_dir: str
    backend: str
    database: str
    store_id: str
    customers: int
    customers_erased: int
    fields_by_category: dict[str, int]
    fields_by_purpose: dict[str, int]
    keys: keys.KeysStatus
    audit_events: int
    audit_head: str
    policy_version: int
    policy_sha256: str


def store_status(ctx: Context) -> StoreStatus:
    with read_only(ctx.engine) as connection:
        active = connection.execute(
            select(func.count()).select_from(customer).where(customer.c.erased_at.is_(None))
        ).scalar_one()
        erased = connection.execute(
            select(func.count()).select_from(customer).where(customer.c.erased_at.isnot(None))
        ).scalar_one()
        shapes = connection.execute(
            select(record.c.purpose, record.c.categories, func.count().label("n")).group_by(
                record.c.purpose, record.c.categories
            )
        ).all()
        head = connection.execute(select(audit_head.c.seq, audit_head.c.hash)).first()
        version = connection.execute(select(func.max(policy_version.c.version))).scalar()
    by_category: dict[str, int] = {}
    by_purpose: dict[str, int] = {}
    for shape in shapes:  # (purpose, bit set of categories, how many records): few distinct shapes
        for category in CATEGORIES.values():
            if int(shape.categories) & category.bit:
                by_category[category.key] = by_category.get(category.key, 0) + int(shape.n)
                by_purpose[shape.purpose] = by_purpose.get(shape.purpose, 0) + int(shape.n)
    url = make_url(ctx.settings.effective_database_url).render_as_string(hide_password=True)
    return StoreStatus(
        data_dir=str(ctx.settings.data_dir),
        backend=ctx.engine.dialect.name,
        database=url,
        store_id=ctx.keyring.store_id,
        customers=int(active),
        customers_erased=int(erased),
        fields_by_category=dict(sorted(by_category.items())),
        fields_by_purpose=dict(sorted(by_purpose.items())),
        keys=keys.status(ctx),
        audit_events=int(head.seq) if head else 0,
        audit_head=str(head.hash) if head else "",
        policy_version=int(version or 0),
        policy_sha256=ctx.policy.sha256,
    )

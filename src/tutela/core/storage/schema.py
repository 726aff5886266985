"""Every table. Personal data lives only in `record.fields` (encrypted); every other column holds
ids, keys of the policy, digests and times."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from tutela.core.storage.types import UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = String(32)
KEY = String(64)

meta = Table(
    "meta",
    metadata,
    Column("key", KEY, primary_key=True),
    Column("value", Text, nullable=False),
)

key_version = Table(
    "key_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("key_check", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

customer = Table(
    "customer",
    metadata,
    Column("id", ID, primary_key=True),
    Column("kek_version", Integer, nullable=True),
    Column("wrapped_dek", LargeBinary, nullable=True),  # NULL once crypto-shredded
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("erased_at", UtcDateTime, nullable=True),
    sqlite_with_rowid=False,  # small rows keyed by a text id: one B-tree instead of two
)

record = Table(
    "record",
    metadata,
    # One row per customer and purpose: that purpose's fields, each its own AES-GCM
    # envelope, framed by core/record_codec.py. `categories` is the bit set of the
    # category codes inside, so counts need no key.
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("customer_id", ID, ForeignKey("customer.id"), nullable=False),
    Column("purpose", KEY, nullable=False),
    Column("fields", LargeBinary, nullable=False),
    Column("categories", BigInteger, nullable=False),
    Column("email_index", LargeBinary, nullable=True),
    Column("phone_index", LargeBinary, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("customer_id", "purpose"),
    Index(
        None,
        "email_index",
        sqlite_where=text("email_index IS NOT NULL"),
        postgresql_where=text("email_index IS NOT NULL"),
    ),
    Index(
        None,
        "phone_index",
        sqlite_where=text("phone_index IS NOT NULL"),
        postgresql_where=text("phone_index IS NOT NULL"),
    ),
)

order_link = Table(
    "order_link",
    metadata,
    Column("blind_index", LargeBinary, primary_key=True),
    Column("customer_id", ID, ForeignKey("customer.id"), primary_key=True),
    Column("created_at", UtcDateTime, nullable=False),
    Index(None, "customer_id"),
)

tombstone = Table(
    "tombstone",
    metadata,
    Column("customer_id", ID, primary_key=True),
    Column("erased_at", UtcDateTime, nullable=False),
    Column("reason", Text, nullable=False),
)

audit_event = Table(
    "audit_event",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("at", String(32), nullable=False),
    Column("actor", KEY, nullable=False),
    Column("action", KEY, nullable=False),
    Column("customer_id", ID, nullable=True),
    Column("purpose", KEY, nullable=True),
    Column("fields", Text, nullable=False),
    Column("outcome", KEY, nullable=False),
    Column("details", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index(None, "customer_id"),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

audit_checkpoint = Table(
    "audit_checkpoint",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("hash", String(64), nullable=False),
    Column("signature", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

policy_version = Table(
    "policy_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("sha256", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("applied_at", UtcDateTime, nullable=False),
    Column("actor", KEY, nullable=False),
)

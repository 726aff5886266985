"""Every table. Personal data lives only in `record.fields` (encrypted); every other column holds
ids, keys of the policy, digests and times."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
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
    # GDPR Art. 18: restricted processing — no role sees the data, except under legal claims.
    Column("restricted_at", UtcDateTime, nullable=True),
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
    # When the source said this (a report's last-updated date): older data never overwrites newer.
    Column("data_as_of", UtcDateTime, nullable=True),
    # Keyed hash of the last imported values: an unchanged re-import needs no key and no write.
    Column("fingerprint", LargeBinary, nullable=True),
    # Bit set of categories whose value failed validation and was stored flagged (policy: on_invalid).
    Column("flagged", BigInteger, nullable=False, server_default="0"),
    # Retention (services/retention): when this record next loses fields, which ones ("all", or
    # "amazon" for the DPP §2.1 cap on Amazon-sourced fields) and why, in words without personal data.
    # NULL due_at: waiting for an event (an open return, a consent not withdrawn) or not computed yet.
    Column("due_at", UtcDateTime, nullable=True),
    Column("due_scope", String(8), nullable=True),
    Column("due_basis", String(240), nullable=True),
    UniqueConstraint("customer_id", "purpose"),
    # Covers the plan's grouping and apply's choice of customers: no row is read for either.
    Index("ix_record_due", "due_at", "due_scope", "purpose", "categories", "customer_id"),
    # Records whose due time is not computed yet (new ones): found without a scan.
    Index(
        "ix_record_due_uncomputed",
        "customer_id",
        sqlite_where=text("due_basis IS NULL"),
        postgresql_where=text("due_basis IS NULL"),
    ),
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
    # An event date was set aside as untrusted (in the future, or before the purchase).
    Column("due_untrusted", Boolean, nullable=False, server_default=text("false")),
    Index(
        "ix_record_due_untrusted",
        "customer_id",
        sqlite_where=text("due_untrusted"),
        postgresql_where=text("due_untrusted"),
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


ID_INT = BigInteger().with_variant(Integer, "sqlite")
AMOUNT = Numeric(14, 2)

import_run = Table(
    "import_run",
    metadata,
    Column("id", ID_INT, primary_key=True, autoincrement=True),
    Column("sha256", String(64), nullable=False, unique=True),  # of the file (and of its --map, if any)
    Column("file_name", String(255), nullable=False),
    Column("format", KEY, nullable=False),
    Column("source", String(16), nullable=False),
    Column("actor", KEY, nullable=False),
    Column("status", String(16), nullable=False),  # running | done
    Column("rows_done", Integer, nullable=False),  # the checkpoint: rows committed so far
    Column("report", Text, nullable=False),  # JSON, no personal data
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),
    Column("bytes_total", BigInteger, nullable=False, server_default="0"),  # progress of a running import
    Column("bytes_done", BigInteger, nullable=False, server_default="0"),
)

orders = Table(
    "orders",
    metadata,
    # The non-personal facts of an order, in plain columns: retention and jurisdiction need them.
    Column("id", ID_INT, primary_key=True, autoincrement=True),
    Column("channel", String(16), nullable=False),
    Column("order_id", String(64), nullable=False),
    Column("customer_id", ID, ForeignKey("customer.id"), nullable=True),
    Column("marketplace", String(32), nullable=True),
    Column("sales_channel", String(64), nullable=True),
    Column("fulfillment_channel", String(16), nullable=True),
    Column("status", String(32), nullable=True),
    Column("purchased_at", UtcDateTime, nullable=True),
    Column("shipped_at", UtcDateTime, nullable=True),
    Column("promised_delivery_at", UtcDateTime, nullable=True),
    Column("delivered_at", UtcDateTime, nullable=True),
    Column("last_updated_at", UtcDateTime, nullable=True),
    Column("currency", String(3), nullable=True),
    Column("total_amount", AMOUNT, nullable=True),
    Column("ship_country", String(2), nullable=True),
    Column("ship_state", String(64), nullable=True),
    Column("import_run_id", ID_INT, ForeignKey("import_run.id"), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("channel", "order_id"),
    Index(None, "customer_id"),
)

order_line = Table(
    "order_line",
    metadata,
    Column("id", ID_INT, primary_key=True, autoincrement=True),
    Column("order_ref", ID_INT, ForeignKey("orders.id"), nullable=False),
    Column("line_id", String(64), nullable=False),
    Column("sku", String(64), nullable=True),
    Column("asin", String(16), nullable=True),
    Column("quantity", Integer, nullable=True),
    Column("item_price", AMOUNT, nullable=True),
    UniqueConstraint("order_ref", "line_id"),
)

return_case = Table(
    "return_case",
    metadata,
    Column("id", ID_INT, primary_key=True, autoincrement=True),
    Column("channel", String(16), nullable=False),
    Column("return_key", String(160), nullable=False),  # the RMA, else order id | sku | date
    Column("order_id", String(64), nullable=False),
    Column("order_ref", ID_INT, ForeignKey("orders.id"), nullable=True),
    Column("customer_id", ID, ForeignKey("customer.id"), nullable=True),
    Column("requested_at", UtcDateTime, nullable=True),
    Column("status", String(32), nullable=True),
    Column("reason", String(128), nullable=True),
    Column("resolution", String(64), nullable=True),
    Column("sku", String(64), nullable=True),
    Column("quantity", Integer, nullable=True),
    Column("refunded_amount", AMOUNT, nullable=True),
    Column("currency", String(3), nullable=True),
    Column("closed_at", UtcDateTime, nullable=True),
    Column("import_run_id", ID_INT, ForeignKey("import_run.id"), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # An agent's note: checked for e-mail addresses, phone and card numbers before it is saved.
    Column("notes", Text, nullable=True),
    UniqueConstraint("channel", "return_key"),
    Index(None, "order_ref"),
    Index(None, "customer_id"),
)

retention_stale = Table(
    "retention_stale",
    metadata,
    # Customers whose events changed (an order delivered, a return closed): due times to recompute.
    Column("customer_id", ID, primary_key=True),
    sqlite_with_rowid=False,
)

consent_notice = Table(
    "consent_notice",
    metadata,
    # The exact wording a customer saw when asked, by purpose and version: grants point here.
    Column("purpose", KEY, primary_key=True),
    Column("version", String(32), primary_key=True),
    Column("wording", Text, nullable=False),
    Column("wording_sha256", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", KEY, nullable=False),
)

consent_event = Table(
    "consent_event",
    metadata,
    # Append-only: the consent ledger. The current state is derived from these, in id order.
    Column("id", ID_INT, primary_key=True, autoincrement=True),
    Column("customer_id", ID, ForeignKey("customer.id"), nullable=False),
    Column("purpose", KEY, nullable=False),
    Column("channel", String(8), nullable=False),
    Column("kind", String(10), nullable=False),  # granted | withdrawn | expired
    Column("at", UtcDateTime, nullable=False),
    Column("source", String(32), nullable=False),
    Column("notice_version", String(32), nullable=True),
    Column("wording_sha256", String(64), nullable=True),
    Column("evidence_sha256", String(64), nullable=True),  # a file's hash (an export, a signed form)
    Column("client_sha256", String(64), nullable=True),  # keyed hash of IP and user agent (web)
    Column("actor", KEY, nullable=False),
    Index(None, "customer_id", "purpose", "channel"),
)

consent_state = Table(
    "consent_state",
    metadata,
    # The ledger's current answer per customer, purpose and channel (kept with each event).
    Column("customer_id", ID, ForeignKey("customer.id"), primary_key=True),
    Column("purpose", KEY, primary_key=True),
    Column("channel", String(8), primary_key=True),
    Column("state", String(10), nullable=False),
    Column("granted_at", UtcDateTime, nullable=True),
    Column("source", String(32), nullable=False),
    Column("event_id", ID_INT, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "purpose", "channel", "state"),
)

sale_share_opt_out = Table(
    "sale_share_opt_out",
    metadata,
    # CCPA: the customer opted out of sale/share (a Global Privacy Control signal, a request).
    Column("customer_id", ID, ForeignKey("customer.id"), primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Column("source", String(32), nullable=False),
    Column("client_sha256", String(64), nullable=True),
)

data_request = Table(
    "data_request",
    metadata,
    # A data-subject request. The requester's address is kept only sealed (to send the code and
    # the reply) and as a blind index (to match a customer and link duplicates).
    Column("id", ID_INT, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("jurisdiction", String(8), nullable=False),
    Column("language", String(8), nullable=False),
    Column("email_index", LargeBinary, nullable=False),
    Column("contact", LargeBinary, nullable=False),  # sealed store secret
    Column("customer_id", ID, ForeignKey("customer.id"), nullable=True),
    Column("linked_to", ID_INT, nullable=True),  # an open request of the same person and kind
    Column("received_at", UtcDateTime, nullable=False),
    Column("acknowledge_by", UtcDateTime, nullable=True),
    Column("acknowledged_at", UtcDateTime, nullable=True),
    Column("due_at", UtcDateTime, nullable=False),
    Column("extended_due_at", UtcDateTime, nullable=False),
    Column("extension_deadline", UtcDateTime, nullable=False),
    Column("extended_at", UtcDateTime, nullable=True),
    Column("extension_reason", Text, nullable=True),
    Column("verification", String(24), nullable=False),  # none | reasonable | reasonably_high
    Column("code_digest", String(64), nullable=True),
    Column("code_expires_at", UtcDateTime, nullable=True),
    Column("code_attempts", Integer, nullable=False, server_default="0"),
    Column("details", LargeBinary, nullable=True),  # sealed: the corrections asked for
    Column("outcome", Text, nullable=True),  # the reply's gist, without personal data
    Column("closed_at", UtcDateTime, nullable=True),
    Column("download_digest", String(64), nullable=True),
    Column("download_expires_at", UtcDateTime, nullable=True),
    Column("downloaded_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index(None, "email_index"),
    Index(None, "status", "due_at"),
)

marketing_suppression = Table(
    "marketing_suppression",
    metadata,
    # An erased person's e-mail blind index: a later import does not put them back in marketing.
    Column("email_index", LargeBinary, primary_key=True),
    Column("created_at", UtcDateTime, nullable=False),
)

legal_hold = Table(
    "legal_hold",
    metadata,
    # Keeps a customer's data (or an order's customer's) past its due time until released or ended.
    Column("id", ID_INT, primary_key=True, autoincrement=True),
    Column("customer_id", ID, ForeignKey("customer.id"), nullable=False),
    Column("order_ref", ID_INT, ForeignKey("orders.id"), nullable=True),  # set when held by order
    Column("reason", Text, nullable=False),
    Column("author", String(128), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("until", UtcDateTime, nullable=False),
    Column("released_at", UtcDateTime, nullable=True),
    Column("released_by", String(128), nullable=True),
    Index(None, "customer_id"),
)

amazon_revocation = Table(
    "amazon_revocation",
    metadata,
    # DPP §1.7: every Amazon-sourced personal field deleted by `deadline_at`, then a certificate.
    Column("id", ID_INT, primary_key=True, autoincrement=True),
    Column("requested_at", UtcDateTime, nullable=False),
    Column("deadline_at", UtcDateTime, nullable=False),
    Column("requested_by", String(128), nullable=False),
    Column("completed_at", UtcDateTime, nullable=True),
    Column("certificate", Text, nullable=True),  # the certificate's JSON facts (no personal data)
)

consent_evidence = Table(
    "consent_evidence",
    metadata,
    # What an export said about marketing consent, kept as evidence for the consent ledger.
    Column("id", ID_INT, primary_key=True, autoincrement=True),
    Column("customer_id", ID, ForeignKey("customer.id"), nullable=False),
    Column("purpose", KEY, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("granted", Boolean, nullable=False),
    Column("source", String(16), nullable=False),
    Column("column_name", String(64), nullable=False),
    Column("import_run_id", ID_INT, ForeignKey("import_run.id"), nullable=False),
    Column("row_number", Integer, nullable=False),
    Column("observed_at", UtcDateTime, nullable=False),
    UniqueConstraint("import_run_id", "row_number", "channel"),
    Index(None, "customer_id"),
)


staff = Table(
    "staff",
    metadata,
    # One row per person (DPP §1.2: unique ids, no shared accounts). No personal data beyond
    # the sign-in name the shop chose.
    Column("id", ID_INT, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", KEY, nullable=False),
    Column("password_hash", Text, nullable=True),  # argon2id; NULL until the person sets it up
    Column("password_set_at", UtcDateTime, nullable=True),
    Column("password_history", Text, nullable=False, server_default="[]"),  # earlier hashes, newest first
    Column("totp_secret", LargeBinary, nullable=True),  # sealed with a key derived from the keyring
    Column("totp_last_step", BigInteger, nullable=True),  # a code is good once
    Column("failed_attempts", Integer, nullable=False, server_default="0"),
    Column("locked_at", UtcDateTime, nullable=True),
    Column("disabled_at", UtcDateTime, nullable=True),
    Column("setup_token_hash", String(64), nullable=True),
    Column("setup_expires_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", KEY, nullable=False),
)

api_token = Table(
    "api_token",
    metadata,
    Column("id", ID_INT, primary_key=True, autoincrement=True),
    Column("prefix", String(16), nullable=False, unique=True),  # the public part, for lookup
    Column("secret_hash", String(64), nullable=False),  # SHA-256 of the whole token
    Column("name", String(64), nullable=False),
    Column("role", KEY, nullable=False),
    Column("scopes", Text, nullable=False),  # JSON list
    Column("purposes", Text, nullable=False),  # JSON list
    Column("staff_id", ID_INT, ForeignKey("staff.id"), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", KEY, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    Column("last_used_at", UtcDateTime, nullable=True),
)


job_lease = Table(
    "job_lease",
    metadata,
    # Periodic jobs of `tutela serve`: whoever holds an unexpired lease runs the job, so two
    # servers on one database never run it at once.
    Column("name", KEY, primary_key=True),
    Column("holder", KEY, nullable=True),
    Column("leased_until", UtcDateTime, nullable=True),
    Column("last_run_at", UtcDateTime, nullable=True),
    Column("last_outcome", String(16), nullable=True),
)


staff_session = Table(
    "staff_session",
    metadata,
    # Console sign-ins: the cookie holds a random id; only its hash is stored.
    Column("id_hash", String(64), primary_key=True),
    Column("staff_id", ID_INT, ForeignKey("staff.id"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime, nullable=True),
    Index(None, "staff_id"),
)


scan_run = Table(
    "scan_run",
    metadata,
    # One scan of a configured location (or of tutela's own store); findings below. What was
    # scanned is named by the location, never by a value found in it.
    Column("id", ID_INT, primary_key=True, autoincrement=True),
    Column("location", KEY, nullable=False),  # the policy's [scan.locations.<name>], or "tutela"
    Column("target", Text, nullable=False),  # the path or the database (password left out)
    Column("status", String(16), nullable=False),  # running | done | failed
    Column("started_by", String(128), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),
    # Live progress, updated as the scan goes (bookkeeping, like job_lease: not audited).
    Column("locations_done", Integer, nullable=False, server_default="0"),
    Column("locations_total", Integer, nullable=True),
    Column("bytes_done", BigInteger, nullable=False, server_default="0"),
    Column("findings_high", Integer, nullable=False, server_default="0"),
    Column("findings_low", Integer, nullable=False, server_default="0"),
    Column("skipped", Integer, nullable=False, server_default="0"),
    Column("replaced_characters", BigInteger, nullable=False, server_default="0"),
    Column("error", Text, nullable=True),  # a one-line reason when failed
    Index(None, "location", "started_at"),
)

scan_finding = Table(
    "scan_finding",
    metadata,
    Column("id", ID_INT, primary_key=True, autoincrement=True),
    Column("run_id", ID_INT, ForeignKey("scan_run.id"), nullable=False),
    Column("location", Text, nullable=False),
    Column("type", String(32), nullable=False),
    Column("severity", String(8), nullable=False),
    Column("detector", KEY, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("preview", Text, nullable=False),  # masked: a finding never stores the value
    Column("line", BigInteger, nullable=True),
    Column("start_offset", BigInteger, nullable=True),
    Column("end_offset", BigInteger, nullable=True),
    Column("column_name", Text, nullable=True),
    Column("key_path", Text, nullable=True),
    Column("value_count", BigInteger, nullable=False),
    Column("sampled", BigInteger, nullable=True),
    Index(None, "run_id"),
)

scan_skip = Table(
    "scan_skip",
    metadata,
    Column("id", ID_INT, primary_key=True, autoincrement=True),
    Column("run_id", ID_INT, ForeignKey("scan_run.id"), nullable=False),
    Column("location", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Index(None, "run_id"),
)

redaction_token = Table(
    "redaction_token",
    metadata,
    # `tutela redact --mode vault`: the value a token replaced, sealed under the store's key,
    # resolvable by staff whose role may see the type under the purpose they act for.
    Column("token", String(40), primary_key=True),
    Column("type", String(32), nullable=False),
    Column("sealed_value", LargeBinary, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(128), nullable=False),
)

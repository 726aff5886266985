"""Erasure must survive a restore. Each erasure appends the customer id (no personal data)
to a journal beside the key file, outside the database; when the store opens and the journal
has grown past what the database has seen, every listed customer that still holds data —
as after restoring an old backup — is erased again."""

from __future__ import annotations

import json
import os
from datetime import datetime

from sqlalchemy import select

from tutela.core.storage.bulk import put_meta
from tutela.core.storage.engine import transaction
from tutela.core.storage.schema import meta
from tutela.services.context import Context

_SEEN_KEY = "tombstone_journal_bytes"


def append(ctx: Context, customer_id: str, erased_at: datetime) -> None:
    append_many(ctx, [customer_id], erased_at)


def append_many(ctx: Context, customer_ids: list[str], erased_at: datetime, *, mark: bool = True) -> None:
    """One write and one fsync for a whole batch (retention shreds thousands at a time);
    `mark=False` leaves telling the database to the caller's last batch."""
    if not customer_ids:
        return
    at = erased_at.isoformat()
    lines = "".join(json.dumps({"customer_id": cid, "erased_at": at}) + "\n" for cid in customer_ids)
    with open(ctx.settings.tombstone_journal, "a", encoding="utf-8") as journal:
        journal.write(lines)
        journal.flush()
        os.fsync(journal.fileno())
    if mark:
        _mark_seen(ctx)


def _journal_size(ctx: Context) -> int:
    try:
        return ctx.settings.tombstone_journal.stat().st_size
    except FileNotFoundError:
        return 0


def _mark_seen(ctx: Context) -> None:
    size = str(_journal_size(ctx))
    with transaction(ctx.engine) as connection:
        put_meta(connection, _SEEN_KEY, size)


def journalled_ids_if_grown(ctx: Context) -> set[str] | None:
    """The journal's customer ids, or None when the database has seen the whole journal."""
    size = _journal_size(ctx)
    with transaction(ctx.engine) as connection:
        seen = connection.execute(select(meta.c.value).where(meta.c.key == _SEEN_KEY)).scalar()
    if size == 0 or (seen is not None and int(seen) >= size):
        return None
    ids: set[str] = set()
    with open(ctx.settings.tombstone_journal, encoding="utf-8") as journal:
        for line in journal:
            try:
                ids.add(str(json.loads(line)["customer_id"]))
            except (ValueError, KeyError):
                continue  # a torn last line after a crash; its erasure is in the database
    return ids


def mark_seen(ctx: Context) -> None:
    _mark_seen(ctx)

"""The only door to marketing: an audience export writes the customers who may be contacted
for a purpose on a channel — a live, counting grant and a contact detail from the seller's
own channels (never an Amazon-sourced one, AUP §4.2) — each with a one-click unsubscribe
link and the RFC 8058 header values, and records the export in the audit log.

The file holds personal data: it is written beside its final name with owner-only
permissions and renamed into place when complete (never a partial file)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutela.core.actor import Actor
from tutela.core.errors import InvalidValue
from tutela.core.record_codec import decode
from tutela.core.storage.bulk import select_in
from tutela.core.storage.engine import read_only, transaction
from tutela.core.whole_file import whole_file
from tutela.services import audit, consent, consent_links
from tutela.services.context import Context
from tutela.services.customer_rows import unwrap_customer_key
from tutela.services.importing import file_sha256
from tutela.services.vault import StoredCopy, visible_copy

_CHUNK = 2000
ONE_CLICK = "List-Unsubscribe=One-Click"  # RFC 8058 List-Unsubscribe-Post


@dataclass(frozen=True)
class AudienceExport:
    purpose: str
    channel: str
    contacts: int
    skipped: int  # live grants without a usable contact detail (e.g. known only from Amazon)
    path: Path
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        return {"purpose": self.purpose, "channel": self.channel, "contacts": self.contacts, "skipped": self.skipped,
                "path": str(self.path), "sha256": self.sha256}  # fmt: skip


def export_audience(
    ctx: Context, *, actor: Actor, purpose: str, out: Path, channel: str | None = None, overwrite: bool = False
) -> AudienceExport:
    acting = consent.consent_purpose(ctx, purpose)
    chosen = consent.channel_of(acting, channel) if channel else consent.channels_of(acting)[0]
    if out.exists() and not overwrite:
        raise InvalidValue(f"{out} exists", hint="choose another --out, or pass --overwrite")
    contact = consent.CHANNEL_CATEGORY[chosen]
    ids = sorted(consent.live_grants(ctx, acting, chosen))
    contacts = skipped = 0
    with whole_file(out) as handle:
        writer = csv.writer(handle)
        writer.writerow([chosen.value, "name", "unsubscribe_url", "List-Unsubscribe", "List-Unsubscribe-Post"])
        for start in range(0, len(ids), _CHUNK):
            rows = _contacts(ctx, purpose, contact, ids[start : start + _CHUNK])
            skipped += min(_CHUNK, len(ids) - start) - len(rows)
            for customer_id, value, name in rows:
                link = consent_links.unsubscribe_url(ctx, customer_id, purpose)
                writer.writerow([value, name, link, f"<{link}>", ONE_CLICK])
            contacts += len(rows)
    digest = file_sha256(out)
    with transaction(ctx.engine) as connection:
        audit.record(connection, ctx, actor, [audit.Event(
            action="audience.export", purpose=purpose, fields=[contact, "user.name"],
            details={"channel": chosen.value, "contacts": contacts, "skipped": skipped, "file_sha256": digest},
        )])  # fmt: skip
    return AudienceExport(purpose, chosen.value, contacts, skipped, out, digest)


def _contacts(ctx: Context, purpose: str, contact: str, customer_ids: list[str]) -> list[tuple[str, str, str]]:
    """(customer id, contact value, name) for those with a contact detail the purpose may use."""
    policy = ctx.policy
    allowed = policy.purposes[purpose].sources - {"amazon"}
    wanted = {contact, "user.name"}
    copies: dict[str, dict[str, list[StoredCopy]]] = {}
    with read_only(ctx.engine) as connection:
        for cid, record_purpose, blob, updated in select_in(
            connection, "SELECT customer_id, purpose, fields, updated_at FROM record WHERE customer_id IN ({})",
            customer_ids,
        ):  # fmt: skip
            by_category = copies.setdefault(str(cid), {})
            for entry in decode(bytes(blob)):
                if entry.source in allowed and entry.category in wanted:
                    by_category.setdefault(entry.category, []).append(
                        StoredCopy(str(record_purpose), entry.source, entry.envelope, updated)
                    )
        keys = {
            str(cid): (int(version), bytes(wrapped))
            for cid, version, wrapped in select_in(
                connection, "SELECT id, kek_version, wrapped_dek FROM customer WHERE wrapped_dek IS NOT NULL "
                "AND id IN ({})", list(copies),
            )
        }  # fmt: skip
    keyring = ctx.keyring
    found = []
    for customer_id in customer_ids:
        by_category = copies.get(customer_id, {})
        chosen = visible_copy(policy, purpose, by_category.get(contact, []))
        if chosen is None or customer_id not in keys:
            continue
        items = [(contact, chosen.purpose, chosen.envelope)]
        name_copy = visible_copy(policy, purpose, by_category.get("user.name", []))
        if name_copy is not None:
            items.append(("user.name", name_copy.purpose, name_copy.envelope))
        dek = unwrap_customer_key(ctx, customer_id, *keys[customer_id])
        values = keyring.open_fields(dek, customer_id, items)
        found.append((customer_id, values[0], values[1] if len(values) > 1 else ""))
    return found

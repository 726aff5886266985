"""One batch of an import, in one transaction: rows routed and checked, buyers matched to
customers (blind index on e-mail, then phone, then the order's customer), fields sealed
under each customer's data key; the plain facts go through import_orders.OrderWriter.
Older data never overwrites newer (the row's own date decides), and data that has not
changed is recognised by its keyed fingerprint without opening anything."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, insert, select, update

from tutela.core.actor import SYSTEM, Actor
from tutela.core.formats.model import ParsedRow
from tutela.core.formats.spec import FormatSpec
from tutela.core.policy.model import OnInvalid
from tutela.core.record_codec import Entry, categories_mask, decode, encode, encode_sealed, entry_heads
from tutela.core.storage.bulk import db_time, db_value, insert_rows, select_in
from tutela.core.storage.schema import customer, record
from tutela.core.taxonomy import CATEGORIES, IndexKind
from tutela.services import consent, retention
from tutela.services.context import Context
from tutela.services.customer_rows import unwrap_customer_key
from tutela.services.field_input import new_ids
from tutela.services.import_orders import OrderWriter
from tutela.services.import_routing import EMAIL, PHONE, Checked, Router, check_value, checked_text, needs_checking
from tutela.services.import_settled import SettledBuyers
from tutela.services.import_tally import Tally

_COUNTRY = "user.contact.address.country"


@dataclass(slots=True)
class _Pending:
    """What a batch has for one customer under one purpose."""

    values: dict[str, Checked] = field(default_factory=dict)
    as_of: datetime | None = None
    only_from: dict[str, Checked] | None = None  # the one block it came from, if only one
    email_digest: bytes | None = None
    phone_digest: bytes | None = None

    def take(self, values: dict[str, Checked], as_of: datetime | None) -> None:
        self.only_from = values if not self.values or self.only_from is values else None
        if self.as_of is not None and as_of is not None and as_of < self.as_of:
            for category, checked in values.items():
                self.values.setdefault(category, checked)  # older: only fills gaps
            return
        self.values.update(values)
        self.as_of = as_of or self.as_of


class _Block:
    """The personal part of a row, routed and checked (one per distinct buyer block); or, for
    a block this run has settled, only the customer it is stored as (nothing checked)."""

    __slots__ = ("columns", "dropped", "email_digest", "fields", "invalid", "phone_digest", "settled", "source")

    def __init__(self, source: bytes, settled: str | None = None) -> None:
        self.fields: dict[str, dict[str, Checked]] = {}  # purpose -> category -> checked value
        self.columns: dict[tuple[str, str], str] = {}  # (purpose, category) -> column, for the report
        self.dropped: list[tuple[str, str]] = []
        self.invalid: list[tuple[str, str]] = []
        self.email_digest: bytes | None = None
        self.phone_digest: bytes | None = None
        self.source = source  # SettledBuyers.digest of the block
        self.settled = settled


class _SlotPlan(NamedTuple):
    """Where one personal slot of the format goes, decided once per import."""

    category: str
    role: str
    column: str
    purpose: str | None
    reason: str  # why it is dropped, when purpose is None
    normalised: bool


_BLOCKS_KEPT = 4096  # blocks remembered whole (an order's lines, a batch's busy buyers); cleared when full


@dataclass(slots=True)
class _RowPlan:
    row: ParsedRow
    fields: dict[str, dict[str, Checked]]  # purpose -> category -> checked value
    columns: dict[tuple[str, str], str]  # (purpose, category) -> column, for the report
    email_digest: bytes | None = None
    phone_digest: bytes | None = None
    customer_id: str | None = None
    source: bytes | None = None  # the block's digest, when it could be settled (nothing invalid in it)
    settled: bool = False  # customer_id is the settled customer of the block; fields are not planned
    by_index: bool = False  # matched (or created) by its e-mail or phone, as a later row with it would be


class BatchApplier:
    def __init__(
        self, ctx: Context, *, spec: FormatSpec, router: Router, run_id: int | None, tally: Tally,
        actor: Actor = SYSTEM, file_sha256: str = "",
    ) -> None:  # fmt: skip
        self.ctx = ctx
        self.actor = actor
        self.file_sha256 = file_sha256
        self.spec = spec
        self.router = router
        self.run_id = run_id
        self.tally = tally
        self.reject_invalid = ctx.policy.on_invalid is OnInvalid.REJECT
        self.heads = entry_heads(spec.source, CATEGORIES)
        self._blocks: dict[tuple[Any, ...], _Block] = {}
        self._settled = SettledBuyers()
        # The columns a clean block drops depend only on which of its columns are filled.
        self._dropped_when_filled: dict[tuple[bool, ...], list[tuple[str, str]]] = {}
        # Where each personal slot of the format goes is decided once: the policy does not change mid-file.
        slots = spec.personal_slots
        routes = [router.route(slot.role, slot.category) for slot in slots]
        self._slots = [
            _SlotPlan(slot.category, slot.role, slot.columns[0], route.purpose, route.reason,
                      needs_checking(slot.category))
            for slot, route in zip(slots, routes, strict=True)
        ]  # fmt: skip
        self._country_slots = [(i, slot.role) for i, slot in enumerate(slots) if slot.category == _COUNTRY]
        self._shop_country = ctx.policy.shop.country
        self.orders = OrderWriter(spec=spec, run_id=run_id, tally=tally)
        self._fingerprints: dict[int, tuple[dict[str, Checked], bytes]] = {}
        self._spare_ids: list[str] = []
        self._stored: Counter[tuple[str, tuple[str, ...]]] = Counter()

    # -- planning (no database) ----------------------------------------------------------------
    def plan(self, rows: Sequence[ParsedRow]) -> list[_RowPlan]:
        plans = []
        for row in rows:
            self.tally.rows_read += 1
            for column, problem in row.problems:
                self.tally.invalid(row.number, column, problem)
            if row.rejected is not None:
                self.tally.rejected(row.number, row.rejected)
                continue
            block = self._block(row)
            for column, reason in block.dropped:
                self.tally.dropped(column, reason)
            for column, problem in block.invalid:
                self.tally.invalid(row.number, column, problem)
            plans.append(_RowPlan(
                row, block.fields, block.columns, block.email_digest, block.phone_digest, customer_id=block.settled,
                source=None if block.invalid else block.source, settled=block.settled is not None,
            ))  # fmt: skip
        return plans

    def _block(self, row: ParsedRow) -> _Block:
        """The personal part of a row, routed and checked. A returning buyer's block comes
        back identical on every order, so blocks are remembered (their values are already
        in memory as the row's own text; nothing more is kept); and a block this run has
        already stored, or found stored, needs no checking at all."""
        key = (row.region, row.personal)
        block = self._blocks.get(key)
        if block is None:
            if len(self._blocks) >= _BLOCKS_KEPT:
                self._blocks.clear()
            block = self._blocks[key] = self._fresh_block(row, SettledBuyers.digest(key))
        elif not block.invalid and block.settled != self._settled.customer(block.source):
            block = self._blocks[key] = self._fresh_block(row, block.source)  # settled since, or no longer
        return block

    def _fresh_block(self, row: ParsedRow, source: bytes) -> _Block:
        customer = self._settled.customer(source)
        dropped = self._dropped_when_filled.get(tuple(map(bool, row.personal))) if customer else None
        if customer is None or dropped is None:
            return self._plan_block(row, source)
        block = _Block(source, customer)
        block.dropped = dropped
        return block

    def _plan_block(self, row: ParsedRow, source: bytes) -> _Block:
        block = _Block(source)
        fields = block.fields
        texts = row.personal
        countries = {role: _code(texts[i]) for i, role in self._country_slots if texts[i]}
        for (category, role, column, purpose, reason, normalised), text in zip(self._slots, texts, strict=True):
            if not text:
                continue
            if purpose is None:
                block.dropped.append((column, reason))
                continue
            taken = fields.get(purpose)
            if taken is None:
                taken = fields[purpose] = {}
            elif category in taken:
                block.dropped.append((column, f"{category} for {purpose} comes from another column"))
                continue
            if normalised:
                checked = check_value(category, text, row.region, countries.get(role), self._shop_country)
            else:
                checked = checked_text(text)
            if not checked.valid:
                block.invalid.append((column, checked.problem))
                if self.reject_invalid:
                    continue
            taken[category] = checked
            block.columns[(purpose, category)] = column
        block.fields = {p: v for p, v in block.fields.items() if v}
        self._index(block)
        if not block.invalid:
            self._dropped_when_filled.setdefault(tuple(map(bool, texts)), block.dropped)
        return block

    def _index(self, block: _Block) -> None:
        """The blind indexes that match the block's buyer: the first e-mail and phone stored."""
        keyring = self.ctx.keyring
        for values in block.fields.values():
            email, phone = values.get(EMAIL), values.get(PHONE)
            if email is not None and email.index_key and block.email_digest is None:
                block.email_digest = keyring.blind_index(IndexKind.EMAIL, email.index_key)
            if phone is not None and phone.index_key and block.phone_digest is None:
                block.phone_digest = keyring.blind_index(IndexKind.PHONE, phone.index_key)

    # -- applying (one transaction) ------------------------------------------------------------
    def apply(self, connection: Connection, plans: list[_RowPlan], now: datetime) -> None:
        known_orders = self._existing_orders(connection, plans)
        new_customers, settled, known_prints = self._match(connection, plans, known_orders)
        pending, origin = self._gather(plans)
        self.tally.customers_new += len(new_customers)
        matched = {cid for cid, _ in pending if cid not in new_customers}
        self.tally.customers_matched += len(matched | settled)
        at = db_time(connection, now)
        self._write_new_customers(connection, pending, new_customers, at)
        updated, left_out = self._update_customers(connection, pending, matched, known_prints, now)
        self._count_stored()
        for cid in updated:
            self._settled.unsettle(cid)
        for cid, source in origin.items():
            if source is not None and cid not in left_out:
                self._settled.settle(source, cid)
        # Their orders or returns may have changed: due times to recompute (new ones have none yet).
        retention.mark_stale(connection, {p.customer_id for p in plans if p.customer_id} - new_customers)
        facts = [(p.row, p.customer_id) for p in plans]
        self.orders.write_orders(connection, facts, known_orders, now)
        self.orders.write_returns(connection, facts, now)
        self.orders.write_consents(connection, facts, at)
        if self.run_id is not None:  # not on a dry run
            flags = [(cid, f.purpose, f.channel, f.granted) for row, cid in facts if cid for f in row.consents]
            self.tally.consent_events_new += consent.record_imported(connection, self.ctx, self.actor, flags,
                                                                     self.file_sha256)  # fmt: skip

    def _match(
        self, connection: Connection, plans: list[_RowPlan], known_orders: dict[str, tuple[int, str | None]]
    ) -> tuple[set[str], set[str], dict[tuple[str, str], tuple[int, bytes | None]]]:
        """Every plan's customer: returns the new customers, the settled ones whose rows need
        nothing but their orders (no other block of the batch changes them), and the records
        read on the way (see _existing_customers)."""
        by_email, by_phone, known_prints = self._existing_customers(connection, plans)
        new_customers: set[str] = set()
        order_customer: dict[str, str] = {oid: cid for oid, (_, cid) in known_orders.items() if cid}
        for plan in plans:
            if plan.settled and plan.customer_id is not None and (order_id := _order_id(plan.row)) is not None:
                order_customer.setdefault(order_id, plan.customer_id)
        touched = set()
        for plan in plans:
            if not plan.settled:
                plan.customer_id = self._resolve(plan, by_email, by_phone, order_customer, new_customers)
                if plan.customer_id is not None and plan.fields:
                    touched.add(plan.customer_id)
        settled: set[str] = set()
        for plan in plans:
            if plan.settled and plan.customer_id is not None:
                if plan.customer_id in touched:
                    self._plan_fully(plan)  # another block of the batch changes this customer: merged as usual
                else:
                    settled.add(plan.customer_id)
        return new_customers, settled, known_prints

    def _gather(self, plans: list[_RowPlan]) -> tuple[dict[tuple[str, str], _Pending], dict[str, bytes | None]]:
        """What the batch has for each customer and purpose, and the one block each customer's
        data came from (None: several, or one that cannot be settled)."""
        pending: dict[tuple[str, str], _Pending] = {}
        origin: dict[str, bytes | None] = {}
        for plan in plans:
            if plan.settled:
                continue
            if plan.customer_id is None:
                for (_purpose, _category), column in plan.columns.items():
                    self.tally.dropped(column, "no buyer to attach it to (no e-mail, phone or known order)")
                continue
            if plan.fields:
                first = origin.get(plan.customer_id, plan.source)
                origin[plan.customer_id] = plan.source if plan.by_index and first == plan.source else None
            for purpose, values in plan.fields.items():
                item = pending.get((plan.customer_id, purpose))
                if item is None:
                    item = pending[(plan.customer_id, purpose)] = _Pending()
                item.take(values, plan.row.as_of)
                if EMAIL in values:
                    item.email_digest = plan.email_digest or item.email_digest
                if PHONE in values:
                    item.phone_digest = plan.phone_digest or item.phone_digest
        return pending, origin

    def _existing_customers(
        self, connection: Connection, plans: list[_RowPlan]
    ) -> tuple[dict[bytes, str], dict[bytes, str], dict[tuple[str, str], tuple[int, bytes | None]]]:
        """Customers by e-mail and phone digest, and the fingerprint of each record found on the
        way (the record that holds the address is usually the one this batch would update)."""
        found: list[dict[bytes, str]] = []
        prints: dict[tuple[str, str], tuple[int, bytes | None]] = {}
        for column, digests in (
            ("email_index", [p.email_digest for p in plans if p.email_digest]),
            # The phone only decides for rows without a usable e-mail (see _resolve).
            ("phone_index", [p.phone_digest for p in plans if p.phone_digest and not p.email_digest]),
        ):
            mapping: dict[bytes, str] = {}
            sql = f"SELECT customer_id, {column}, id, purpose, fingerprint FROM record WHERE {column} IN ({{}})"  # noqa: S608 - fixed names
            for customer_id, digest, ref, purpose, fingerprint in select_in(connection, sql, digests):
                mapping.setdefault(bytes(digest), str(customer_id))
                prints[(str(customer_id), str(purpose))] = (int(ref), fingerprint)
            found.append(mapping)
        return found[0], found[1], prints

    def _plan_fully(self, plan: _RowPlan) -> None:
        """A settled row's block, checked after all (its customer changes in this batch)."""
        assert plan.source is not None  # settled blocks are clean ones, which keep their digest
        block = self._plan_block(plan.row, plan.source)
        plan.fields, plan.columns = block.fields, block.columns
        plan.email_digest, plan.phone_digest = block.email_digest, block.phone_digest
        plan.settled, plan.by_index = False, True

    def _order_ids(self, plans: list[_RowPlan]) -> set[str]:
        ids = {p.row.order.order_id for p in plans if p.row.order}
        return ids | {p.row.returned.order_id for p in plans if p.row.returned}

    def _existing_orders(self, connection: Connection, plans: list[_RowPlan]) -> dict[str, tuple[int, str | None]]:
        sql = "SELECT id, order_id, customer_id FROM orders WHERE channel = ? AND order_id IN ({})"
        rows = select_in(connection, sql, list(self._order_ids(plans)), fixed=(self.spec.channel,))
        return {str(order_id): (int(ref), customer_id) for ref, order_id, customer_id in rows}

    def _resolve(
        self,
        plan: _RowPlan,
        by_email: dict[bytes, str],
        by_phone: dict[bytes, str],
        order_customer: dict[str, str],
        new_customers: set[str],
    ) -> str | None:
        order_id = _order_id(plan.row)
        # The e-mail decides when there is one (two people may share a phone, not an Amazon
        # relay address); the phone only when the row has no usable e-mail.
        if plan.email_digest:
            found = by_email.get(plan.email_digest)
        else:
            found = by_phone.get(plan.phone_digest) if plan.phone_digest else None
        plan.by_index = found is not None
        if found is None and order_id is not None:
            found = order_customer.get(order_id)
        if found is None and plan.fields and (plan.email_digest or plan.phone_digest or plan.row.order):
            found = self._new_id()
            new_customers.add(found)
            plan.by_index = bool(plan.email_digest or plan.phone_digest)
        if found is not None:
            if plan.email_digest:
                by_email.setdefault(plan.email_digest, found)
            if plan.phone_digest and not plan.email_digest:
                by_phone.setdefault(plan.phone_digest, found)
            if order_id is not None:
                order_customer.setdefault(order_id, found)
        return found

    def _new_id(self) -> str:
        """Ids drawn a few hundred at a time: one call to the random source, not one per buyer."""
        if not self._spare_ids:
            self._spare_ids = new_ids(self.ctx.clock.now(), 512)[::-1]
        return self._spare_ids.pop()

    def _record_values(self, purpose: str, item: _Pending) -> tuple[list[str], list[tuple[str, str]], int]:
        categories = list(item.values)
        flagged = 0
        values = []
        for category, checked in item.values.items():
            if not checked.valid:
                flagged |= CATEGORIES[category].bit
            values.append((category, checked.value))
        self._stored[(purpose, tuple(categories))] += 1  # counted into the tally once per batch
        return categories, values, flagged

    def _count_stored(self) -> None:
        for (purpose, categories), records in self._stored.items():
            for category in categories:
                self.tally.stored(purpose, category, records)
        self._stored.clear()

    def _digests(self, item: _Pending) -> tuple[bytes | None, bytes | None]:
        return item.email_digest, item.phone_digest

    def _write_new_customers(
        self, connection: Connection, pending: dict[tuple[str, str], _Pending], new: set[str], at: Any
    ) -> None:
        grouped: dict[str, list[tuple[str, _Pending]]] = {}
        for (cid, purpose), item in pending.items():
            if cid in new:
                grouped.setdefault(cid, []).append((purpose, item))
        keyring = self.ctx.keyring
        customer_rows = []
        record_rows = []
        for cid, items in grouped.items():
            prepared = [(purpose, item, *self._record_values(purpose, item)) for purpose, item in items]
            sealed = keyring.seal_new_customer(cid, [(purpose, values) for purpose, _, _, values, _ in prepared])
            customer_rows.append((cid, sealed.kek_version, sealed.wrapped_dek, at, at))
            offset = 0
            for purpose, item, categories, values, flagged in prepared:
                envelopes = sealed.envelopes[offset : offset + len(values)]
                offset += len(values)
                email, phone = self._digests(item)
                record_rows.append((
                    cid, purpose, encode_sealed(self.heads, categories, envelopes), categories_mask(categories),
                    email, phone, db_value(connection, item.as_of), self._fingerprint(item), flagged, at, at,
                ))  # fmt: skip
        insert_rows(connection, customer, ("id", "kek_version", "wrapped_dek", "created_at", "updated_at"),
                    customer_rows)  # fmt: skip
        insert_rows(connection, record, (
            "customer_id", "purpose", "fields", "categories", "email_index", "phone_index", "data_as_of",
            "fingerprint", "flagged", "created_at", "updated_at",
        ), record_rows)  # fmt: skip

    def _fingerprint(self, item: _Pending) -> bytes:
        """Keyed digest of the values; memoised per block, as a returning buyer repeats one."""
        source = item.only_from
        if source is not None:
            memo = self._fingerprints.get(id(source))
            if memo is not None and memo[0] is source:
                return memo[1]
        digest = self.ctx.keyring.fingerprint([(c, v.value) for c, v in item.values.items()])
        if source is not None:
            if len(self._fingerprints) >= _BLOCKS_KEPT:
                self._fingerprints.clear()
            self._fingerprints[id(source)] = (source, digest)
        return digest

    def _update_customers(
        self,
        connection: Connection,
        pending: dict[tuple[str, str], _Pending],
        matched: set[str],
        stored_prints: dict[tuple[str, str], tuple[int, bytes | None]],
        now: datetime,
    ) -> tuple[set[str], set[str]]:
        """`stored_prints` holds the records already read while matching; the rest are read here.
        Returns the customers updated, and those whose batch data was left out (erased meanwhile,
        or older than what is stored)."""
        updated: set[str] = set()
        left_out: set[str] = set()
        if not matched:
            return updated, left_out
        unknown = {cid for cid, purpose in pending if cid in matched and (cid, purpose) not in stored_prints}
        stored_prints.update({
            (str(cid), str(purpose)): (int(ref), fingerprint)
            for ref, cid, purpose, fingerprint in select_in(
                connection, "SELECT id, customer_id, purpose, fingerprint FROM record WHERE customer_id IN ({})",
                list(unknown),
            )
        })  # fmt: skip
        changed = []
        for (cid, purpose), item in pending.items():
            if cid not in matched:
                continue
            ref_print = stored_prints.get((cid, purpose))
            if ref_print is None or ref_print[1] != self._fingerprint(item):
                changed.append((cid, purpose, item, ref_print))  # else unchanged: known without opening anything
        if not changed:
            return updated, left_out
        keys = {
            str(cid): (cid, version, wrapped)
            for cid, version, wrapped in select_in(
                connection, "SELECT id, kek_version, wrapped_dek FROM customer WHERE id IN ({})",
                list({cid for cid, _, _, _ in changed}),
            )
        }  # fmt: skip
        keyring = self.ctx.keyring
        for cid, purpose, item, ref_print in changed:
            if cid not in keys or keys[cid][2] is None:
                left_out.add(cid)
                continue  # erased meanwhile: nothing is added back
            fingerprint = self._fingerprint(item)
            existing = (
                connection.execute(select(record).where(record.c.id == ref_print[0])).first() if ref_print else None
            )
            if existing is not None and existing.data_as_of and item.as_of and item.as_of < existing.data_as_of:
                left_out.add(cid)
                continue  # older than what is stored: the newer data wins
            dek = unwrap_customer_key(self.ctx, cid, int(keys[cid][1]), bytes(keys[cid][2]))
            categories, _, flagged = self._record_values(purpose, item)
            entries = decode(existing.fields) if existing is not None else []
            fresh = [
                Entry(c, self.spec.source, keyring.seal_field(dek, cid, c, purpose, item.values[c].value))
                for c in categories
            ]
            merged = [e for e in entries if e.category not in item.values] + fresh
            email, phone = self._digests(item)
            values_out = {
                "fields": encode(merged),
                "categories": categories_mask([e.category for e in merged]),
                "data_as_of": item.as_of,
                "fingerprint": fingerprint,
                "updated_at": now,
            }
            if existing is None:
                connection.execute(insert(record).values(
                    customer_id=cid, purpose=purpose, email_index=email, phone_index=phone, flagged=flagged,
                    created_at=now, **values_out,
                ))  # fmt: skip
            else:
                mask = categories_mask(list(item.values))
                connection.execute(
                    update(record)
                    .where(record.c.id == existing.id)
                    .values(
                        email_index=email if email else existing.email_index,
                        phone_index=phone if phone else existing.phone_index,
                        flagged=(int(existing.flagged) & ~mask) | flagged,
                        **values_out,
                    )
                )
            updated.add(cid)
        if updated:
            connection.execute(update(customer).where(customer.c.id.in_(sorted(updated))).values(updated_at=now))
        self.tally.customers_updated += len(updated)
        return updated, left_out


def _order_id(row: ParsedRow) -> str | None:
    if row.order is not None:
        return row.order.order_id
    return row.returned.order_id if row.returned is not None else None


@functools.lru_cache(maxsize=1024)
def _code(country: str) -> str | None:
    checked = check_value(_COUNTRY, country, None, None, "")
    return checked.value if checked.valid else None

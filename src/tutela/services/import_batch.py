"""One batch of an import, in one transaction: rows routed and checked, buyers matched to
customers (blind index on e-mail, then phone, then the order's customer), fields sealed
under each customer's data key, orders, lines, returns and consent evidence upserted.
Older data never overwrites newer (the row's own date decides), and data that has not
changed is recognised by its keyed fingerprint without opening anything."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, or_, select, update

from tutela.core.formats.model import OrderFacts, ParsedRow
from tutela.core.formats.spec import FormatSpec
from tutela.core.policy.model import OnInvalid
from tutela.core.record_codec import Entry, categories_mask, decode, encode, encode_sealed, entry_heads
from tutela.core.storage.bulk import db_time, insert_rows
from tutela.core.storage.schema import consent_evidence, customer, order_line, orders, record, return_case
from tutela.core.taxonomy import CATEGORIES, IndexKind
from tutela.services.context import Context
from tutela.services.customer_rows import open_dek
from tutela.services.field_input import new_ids
from tutela.services.import_routing import EMAIL, PHONE, Checked, Router, check_value
from tutela.services.import_tally import Tally

_COUNTRY = "user.contact.address.country"
_ORDER_FACTS = (
    "marketplace", "sales_channel", "fulfillment_channel", "status", "purchased_at", "shipped_at",
    "promised_delivery_at", "delivered_at", "last_updated_at", "currency", "total_amount", "ship_country", "ship_state",
)  # fmt: skip


@dataclass
class _Pending:
    """What a batch has for one customer under one purpose."""

    values: dict[str, Checked] = field(default_factory=dict)
    as_of: datetime | None = None

    def take(self, values: dict[str, Checked], as_of: datetime | None) -> None:
        if self.as_of is not None and as_of is not None and as_of < self.as_of:
            for category, checked in values.items():
                self.values.setdefault(category, checked)  # older: only fills gaps
            return
        self.values.update(values)
        self.as_of = as_of or self.as_of


@dataclass
class _RowPlan:
    row: ParsedRow
    fields: dict[str, dict[str, Checked]]  # purpose -> category -> checked value
    columns: dict[tuple[str, str], str]  # (purpose, category) -> column, for the report
    email_digest: bytes | None = None
    phone_digest: bytes | None = None
    customer_id: str | None = None


class BatchApplier:
    def __init__(self, ctx: Context, *, spec: FormatSpec, router: Router, run_id: int | None, tally: Tally) -> None:
        self.ctx = ctx
        self.spec = spec
        self.router = router
        self.run_id = run_id
        self.tally = tally
        self.reject_invalid = ctx.policy.on_invalid is OnInvalid.REJECT
        self.heads = entry_heads(spec.source, CATEGORIES)

    # -- planning (no database) ----------------------------------------------------------------
    def plan(self, rows: Sequence[ParsedRow]) -> list[_RowPlan]:
        plans = []
        keyring = self.ctx.keyring
        for row in rows:
            self.tally.rows_read += 1
            for column, problem in row.problems:
                self.tally.invalid(row.number, column, problem)
            if row.rejected is not None:
                self.tally.rejected(row.number, row.rejected)
                continue
            plan = self._plan_fields(row)
            email = plan.fields.get(_purpose_of(plan, EMAIL) or "", {}).get(EMAIL)
            phone = plan.fields.get(_purpose_of(plan, PHONE) or "", {}).get(PHONE)
            if email is not None and email.index_key:
                plan.email_digest = keyring.blind_index(IndexKind.EMAIL, email.index_key)
            if phone is not None and phone.index_key:
                plan.phone_digest = keyring.blind_index(IndexKind.PHONE, phone.index_key)
            plans.append(plan)
        return plans

    def _plan_fields(self, row: ParsedRow) -> _RowPlan:
        fields: dict[str, dict[str, Checked]] = {}
        columns: dict[tuple[str, str], str] = {}
        countries = {v.role: v.value for v in row.personal if v.category == _COUNTRY}
        shop_country = self.ctx.policy.shop.country
        for value in row.personal:
            route = self.router.route(value.role, value.category)
            if route.purpose is None:
                self.tally.dropped(value.column, route.reason)
                continue
            taken = fields.setdefault(route.purpose, {})
            if value.category in taken:
                self.tally.dropped(value.column, f"{value.category} for {route.purpose} comes from another column")
                continue
            country = countries.get(value.role)
            checked = check_value(
                value.category, value.value, region=row.region, country=_code(country), shop_country=shop_country
            )
            if not checked.valid:
                self.tally.invalid(row.number, value.column, checked.problem)
                if self.reject_invalid:
                    continue
            taken[value.category] = checked
            columns[(route.purpose, value.category)] = value.column
        return _RowPlan(row=row, fields={p: v for p, v in fields.items() if v}, columns=columns)

    # -- applying (one transaction) ------------------------------------------------------------
    def apply(self, connection: Connection, plans: list[_RowPlan], now: datetime) -> None:
        by_email, by_phone = self._existing_customers(connection, plans)
        known_orders = self._existing_orders(connection, plans)
        new_customers: set[str] = set()
        pending: dict[tuple[str, str], _Pending] = {}
        order_customer: dict[str, str] = {oid: cid for oid, (_, cid) in known_orders.items() if cid}
        for plan in plans:
            plan.customer_id = self._resolve(plan, by_email, by_phone, order_customer, new_customers)
            if plan.customer_id is None:
                for (_purpose, _category), column in plan.columns.items():
                    self.tally.dropped(column, "no buyer to attach it to (no e-mail, phone or known order)")
                continue
            for purpose, values in plan.fields.items():
                pending.setdefault((plan.customer_id, purpose), _Pending()).take(values, plan.row.as_of)
        self.tally.customers_new += len(new_customers)
        matched = {cid for cid, _ in pending if cid not in new_customers}
        self.tally.customers_matched += len(matched)
        at = db_time(connection, now)
        self._write_new_customers(connection, pending, new_customers, at)
        self._update_customers(connection, pending, matched, now)
        self._write_orders(connection, plans, known_orders, now)
        self._write_returns(connection, plans, now)
        self._write_consents(connection, plans, at)

    def _existing_customers(
        self, connection: Connection, plans: list[_RowPlan]
    ) -> tuple[dict[bytes, str], dict[bytes, str]]:
        found: list[dict[bytes, str]] = []
        for column, digests in (
            (record.c.email_index, {p.email_digest for p in plans if p.email_digest}),
            (record.c.phone_index, {p.phone_digest for p in plans if p.phone_digest}),
        ):
            mapping: dict[bytes, str] = {}
            ordered = sorted(digests)
            for start in range(0, len(ordered), 900):
                chunk = ordered[start : start + 900]
                for row in connection.execute(select(record.c.customer_id, column).where(column.in_(chunk))):
                    mapping.setdefault(bytes(row[1]), str(row[0]))
            found.append(mapping)
        return found[0], found[1]

    def _order_ids(self, plans: list[_RowPlan]) -> set[str]:
        ids = {p.row.order.order_id for p in plans if p.row.order}
        return ids | {p.row.returned.order_id for p in plans if p.row.returned}

    def _existing_orders(self, connection: Connection, plans: list[_RowPlan]) -> dict[str, tuple[int, str | None]]:
        ordered = sorted(self._order_ids(plans))
        known: dict[str, tuple[int, str | None]] = {}
        for start in range(0, len(ordered), 900):
            chunk = ordered[start : start + 900]
            query = select(orders.c.id, orders.c.order_id, orders.c.customer_id).where(
                orders.c.channel == self.spec.channel, orders.c.order_id.in_(chunk)
            )
            for row in connection.execute(query):
                known[str(row.order_id)] = (int(row.id), row.customer_id)
        return known

    def _resolve(
        self,
        plan: _RowPlan,
        by_email: dict[bytes, str],
        by_phone: dict[bytes, str],
        order_customer: dict[str, str],
        new_customers: set[str],
    ) -> str | None:
        order_id = plan.row.order.order_id if plan.row.order else (
            plan.row.returned.order_id if plan.row.returned else None
        )  # fmt: skip
        found = (by_email.get(plan.email_digest) if plan.email_digest else None) or (
            by_phone.get(plan.phone_digest) if plan.phone_digest else None
        )
        if found is None and order_id is not None:
            found = order_customer.get(order_id)
        if found is None and plan.fields and (plan.email_digest or plan.phone_digest or plan.row.order):
            found = new_ids(self.ctx.clock.now(), 1)[0]
            new_customers.add(found)
        if found is not None:
            if plan.email_digest:
                by_email.setdefault(plan.email_digest, found)
            if plan.phone_digest:
                by_phone.setdefault(plan.phone_digest, found)
            if order_id is not None:
                order_customer.setdefault(order_id, found)
        return found

    def _record_values(self, purpose: str, item: _Pending) -> tuple[list[str], list[tuple[str, str]], int]:
        categories = list(item.values)
        flagged = 0
        for category, checked in item.values.items():
            if not checked.valid:
                flagged |= CATEGORIES[category].bit
            self.tally.stored(purpose, category)
        return categories, [(c, item.values[c].value) for c in categories], flagged

    def _digests(self, item: _Pending) -> tuple[bytes | None, bytes | None]:
        keyring = self.ctx.keyring
        email = item.values.get(EMAIL)
        phone = item.values.get(PHONE)
        return (
            keyring.blind_index(IndexKind.EMAIL, email.index_key) if email and email.index_key else None,
            keyring.blind_index(IndexKind.PHONE, phone.index_key) if phone and phone.index_key else None,
        )

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
                    email, phone, _db(connection, item.as_of), keyring.fingerprint(values), flagged, at, at,
                ))  # fmt: skip
        insert_rows(connection, customer, ("id", "kek_version", "wrapped_dek", "created_at", "updated_at"),
                    customer_rows)  # fmt: skip
        insert_rows(connection, record, (
            "customer_id", "purpose", "fields", "categories", "email_index", "phone_index", "data_as_of",
            "fingerprint", "flagged", "created_at", "updated_at",
        ), record_rows)  # fmt: skip

    def _update_customers(
        self, connection: Connection, pending: dict[tuple[str, str], _Pending], matched: set[str], now: datetime
    ) -> None:
        if not matched:
            return
        ids = sorted(matched)
        keys = {}
        records: dict[tuple[str, str], Any] = {}
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            for row in connection.execute(
                select(customer.c.id, customer.c.kek_version, customer.c.wrapped_dek).where(customer.c.id.in_(chunk))
            ):
                keys[str(row.id)] = row
            for row in connection.execute(select(record).where(record.c.customer_id.in_(chunk))):
                records[(str(row.customer_id), str(row.purpose))] = row
        updated: set[str] = set()
        keyring = self.ctx.keyring
        for (cid, purpose), item in pending.items():
            if cid not in matched or keys.get(cid) is None or keys[cid].wrapped_dek is None:
                continue  # erased meanwhile: nothing is added back
            values = [(c, item.values[c].value) for c in item.values]
            fingerprint = keyring.fingerprint(values)
            existing = records.get((cid, purpose))
            if existing is not None and existing.fingerprint == fingerprint:
                continue
            if existing is not None and existing.data_as_of and item.as_of and item.as_of < existing.data_as_of:
                continue  # older than what is stored: the newer data wins
            dek = open_dek(self.ctx, keys[cid])
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

    # -- orders, lines, returns, consent ------------------------------------------------------
    def _write_orders(
        self, connection: Connection, plans: list[_RowPlan], known: dict[str, tuple[int, str | None]], now: datetime
    ) -> None:
        fresh: dict[str, tuple[OrderFacts, str | None, datetime | None]] = {}
        changed: dict[str, tuple[OrderFacts, str | None]] = {}
        for plan in plans:
            facts = plan.row.order
            if facts is None:
                continue
            if facts.order_id in known:
                changed[facts.order_id] = (facts, plan.customer_id)
            elif facts.order_id not in fresh or _newer(plan.row.as_of, fresh[facts.order_id][2]):
                previous = fresh.get(facts.order_id)
                merged = _merge_facts(previous[0], facts) if previous else facts
                fresh[facts.order_id] = (
                    merged,
                    plan.customer_id or (previous[1] if previous else None),
                    plan.row.as_of,
                )
        at = db_time(connection, now)
        columns = ("channel", "order_id", "customer_id", *_ORDER_FACTS, "import_run_id", "created_at", "updated_at")
        insert_rows(connection, orders, columns, [
            (self.spec.channel, oid, cid, *(_db(connection, getattr(f, a)) for a in _ORDER_FACTS), self.run_id, at, at)
            for oid, (f, cid, _) in fresh.items()
        ])  # fmt: skip
        self.tally.orders_new += len(fresh)
        for oid, (facts, cid) in changed.items():
            ref, stored_customer = known[oid]
            values = {a: getattr(facts, a) for a in _ORDER_FACTS if getattr(facts, a) is not None}
            if cid and not stored_customer:
                values["customer_id"] = cid
            if not values:
                continue
            conditions = [orders.c.id == ref, or_(*[orders.c[k].is_distinct_from(v) for k, v in values.items()])]
            if facts.last_updated_at is not None:  # an older report never overwrites a newer one
                conditions.append(
                    or_(orders.c.last_updated_at.is_(None), orders.c.last_updated_at <= facts.last_updated_at)
                )
            result = connection.execute(update(orders).where(*conditions).values(updated_at=now, **values))
            self.tally.orders_updated += 1 if result.rowcount else 0
        self._write_lines(connection, plans, known)

    def _write_lines(
        self, connection: Connection, plans: list[_RowPlan], known: dict[str, tuple[int, str | None]]
    ) -> None:
        wanted = {(p.row.order.order_id, p.row.line.line_id): p.row.line for p in plans if p.row.order and p.row.line}
        if not wanted:
            return
        refs = dict(known)
        missing = sorted({oid for oid, _ in wanted if oid not in refs})
        for start in range(0, len(missing), 900):
            query = select(orders.c.id, orders.c.order_id).where(
                orders.c.channel == self.spec.channel, orders.c.order_id.in_(missing[start : start + 900])
            )
            for row in connection.execute(query):
                refs[str(row.order_id)] = (int(row.id), None)
        ref_ids = sorted({refs[oid][0] for oid, _ in wanted})
        existing: set[tuple[int, str]] = set()
        for start in range(0, len(ref_ids), 900):
            query = select(order_line.c.order_ref, order_line.c.line_id).where(
                order_line.c.order_ref.in_(ref_ids[start : start + 900])
            )
            existing |= {(int(r.order_ref), str(r.line_id)) for r in connection.execute(query)}
        rows = [
            (refs[oid][0], lid, line.sku, line.asin, line.quantity, line.item_price)
            for (oid, lid), line in wanted.items()
            if (refs[oid][0], lid) not in existing
        ]
        insert_rows(connection, order_line, ("order_ref", "line_id", "sku", "asin", "quantity", "item_price"), rows)
        self.tally.order_lines_new += len(rows)

    def _write_returns(self, connection: Connection, plans: list[_RowPlan], now: datetime) -> None:
        wanted = {p.row.returned.return_key: p for p in plans if p.row.returned}
        if not wanted:
            return
        keys = sorted(wanted)
        existing: set[str] = set()
        for start in range(0, len(keys), 900):
            query = select(return_case.c.return_key).where(
                return_case.c.channel == self.spec.channel, return_case.c.return_key.in_(keys[start : start + 900])
            )
            existing |= {str(r.return_key) for r in connection.execute(query)}
        order_ids = sorted({p.row.returned.order_id for p in wanted.values() if p.row.returned})
        order_refs: dict[str, int] = {}
        for start in range(0, len(order_ids), 900):
            query = select(orders.c.id, orders.c.order_id).where(
                orders.c.channel == self.spec.channel, orders.c.order_id.in_(order_ids[start : start + 900])
            )
            order_refs |= {str(r.order_id): int(r.id) for r in connection.execute(query)}
        at = db_time(connection, now)
        rows = []
        for key, plan in wanted.items():
            facts = plan.row.returned
            if key in existing or facts is None:
                continue
            rows.append((
                self.spec.channel, key, facts.order_id, order_refs.get(facts.order_id), plan.customer_id,
                _db(connection, facts.requested_at), facts.status, facts.reason, facts.resolution, facts.sku,
                facts.quantity, facts.refunded_amount, facts.currency, _db(connection, facts.closed_at), self.run_id,
                at, at,
            ))  # fmt: skip
        insert_rows(connection, return_case, (
            "channel", "return_key", "order_id", "order_ref", "customer_id", "requested_at", "status", "reason",
            "resolution", "sku", "quantity", "refunded_amount", "currency", "closed_at", "import_run_id", "created_at",
            "updated_at",
        ), rows)  # fmt: skip
        self.tally.returns_new += len(rows)

    def _write_consents(self, connection: Connection, plans: list[_RowPlan], at: Any) -> None:
        if self.run_id is None:
            return
        rows = [
            (plan.customer_id, flag.purpose, flag.channel, flag.granted, self.spec.source, flag.column, self.run_id,
             plan.row.number, at)
            for plan in plans
            if plan.customer_id
            for flag in plan.row.consents
        ]  # fmt: skip
        insert_rows(connection, consent_evidence, (
            "customer_id", "purpose", "channel", "granted", "source", "column_name", "import_run_id", "row_number",
            "observed_at",
        ), rows)  # fmt: skip
        self.tally.consent_evidence_new += len(rows)


def _purpose_of(plan: _RowPlan, category: str) -> str | None:
    for purpose, values in plan.fields.items():
        if category in values:
            return purpose
    return None


def _code(country: str | None) -> str | None:
    if not country:
        return None
    checked = check_value(_COUNTRY, country, region=None, country=None, shop_country="")
    return checked.value if checked.valid else None


def _db(connection: Connection, value: Any) -> Any:
    return db_time(connection, value) if isinstance(value, datetime) else value


def _newer(candidate: datetime | None, current: datetime | None) -> bool:
    return candidate is not None and (current is None or candidate >= current)


def _merge_facts(old: OrderFacts, new: OrderFacts) -> OrderFacts:
    merged = OrderFacts(order_id=new.order_id, channel=new.channel)
    for attribute in _ORDER_FACTS:
        value = getattr(new, attribute)
        setattr(merged, attribute, value if value is not None else getattr(old, attribute))
    return merged

"""The access and portability package of a data-subject request (GDPR Art. 15 and 20, CCPA
right to know): everything the shop holds about one customer, collected in one read and
written as a zip of `data.json` (the stable, documented schema of docs/export-format.md),
`data.csv` (one row per stored field) and `summary.html` (plain words, rendered by an adapter).

The data subject gets all of their own data: every stored field of every purpose (tax and
other restricted purposes included, whatever any staff role may see), decrypted, each with
its purpose, source and the time it is due for deletion — computed now from the policy and
the customer's orders and returns exactly as retention computes it, nothing written. Staff
notes on returns, the reasons of legal holds and who recorded a consent are the shop's own
records and stay out. One audit event `subject.access` holds ids and counts, never values.

Longer than most modules: the frozen dataclasses below are the documented data.json schema,
kept beside the one function that fills them and the one that writes them."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from tutela.core.actor import Actor
from tutela.core.errors import CannotOpen, CustomerErased, CustomerNotFound, RequestNotFound, RequestRefused
from tutela.core.policy import LegalBasis, Policy, Purpose
from tutela.core.record_codec import decode
from tutela.core.request_clock import Jurisdiction, jurisdiction_of
from tutela.core.retention_due import CustomerEvents, Due, DueCalculator, Scope
from tutela.core.storage.bulk import from_db_time
from tutela.core.storage.engine import transaction
from tutela.core.storage.schema import (
    consent_notice,
    customer,
    data_request,
    legal_hold,
    order_line,
    orders,
    record,
    return_case,
)
from tutela.core.taxonomy import CATEGORIES
from tutela.core.whole_file import whole_file
from tutela.services import audit, consent, retention
from tutela.services.context import Context
from tutela.services.customer_rows import load_live_customer, open_dek

SCHEMA_VERSION = 1
FORMAT = "tutela.subject-access"
PACKAGE_FILES = ("data.json", "data.csv", "summary.html")
CSV_COLUMNS = ("category", "purpose", "source", "value", "stored_at", "due_at")


@dataclass(frozen=True)
class ShopFacts:
    name: str
    country: str
    privacy_contact: str


@dataclass(frozen=True)
class HeldField:
    """One stored value, decrypted, with where it sits and when it goes."""

    category: str
    value: str
    purpose: str
    source: str
    stored_at: datetime  # when the purpose's record was first stored
    updated_at: datetime  # when the record last changed
    due_at: datetime | None  # None: waiting for an event (a return still open, a consent not withdrawn)
    due_basis: str  # why, in words (English)
    flagged: bool  # stored although it failed validation (policy: on_invalid = "flag")


@dataclass(frozen=True)
class PurposeFacts:
    key: str
    description: str
    legal_basis: str | None  # None: the purpose is no longer in the policy (its data is due now)
    retention: str  # the rule in force, e.g. "10 years after invoiced" (a tax period of the shop's country)
    amazon_retention: str | None  # the Amazon DPP §2.1 cap on Amazon-sourced data, when it applies
    recipients: tuple[str, ...]
    categories: tuple[str, ...]  # the categories held under it
    sources: tuple[str, ...]  # where those came from
    marketing: bool


@dataclass(frozen=True)
class OrderLineFacts:
    line_id: str
    sku: str | None
    asin: str | None
    quantity: int | None
    item_price: Decimal | None


@dataclass(frozen=True)
class OrderFacts:
    order_id: str
    channel: str
    marketplace: str | None
    sales_channel: str | None
    fulfillment_channel: str | None
    status: str | None
    purchased_at: datetime | None
    shipped_at: datetime | None
    promised_delivery_at: datetime | None
    delivered_at: datetime | None
    currency: str | None
    total_amount: Decimal | None
    ship_country: str | None
    ship_state: str | None
    lines: tuple[OrderLineFacts, ...] = ()


@dataclass(frozen=True)
class ReturnFacts:
    reference: str  # the RMA, else "order id | sku | date"
    channel: str
    order_id: str
    requested_at: datetime | None
    status: str | None
    reason: str | None
    resolution: str | None
    sku: str | None
    quantity: int | None
    refunded_amount: Decimal | None
    currency: str | None
    closed_at: datetime | None


@dataclass(frozen=True)
class ConsentEventFacts:
    id: int
    purpose: str
    channel: str
    kind: str  # granted | withdrawn | expired
    at: datetime
    source: str
    notice_version: str | None
    wording_sha256: str | None
    evidence_sha256: str | None


@dataclass(frozen=True)
class ConsentStateFacts:
    purpose: str
    channel: str
    state: str  # the latest event's kind, or "none"
    allowed: bool  # may the shop contact them for this purpose on this channel now
    reason: str


@dataclass(frozen=True)
class ConsentNoticeFacts:
    purpose: str
    version: str
    wording: str
    wording_sha256: str


@dataclass(frozen=True)
class HoldFacts:
    until: datetime  # the hold's end (inclusive, end of day UTC); its reason stays internal


@dataclass(frozen=True)
class SubjectData:
    version: int
    generated_at: datetime
    request_id: int | None
    jurisdiction: str  # gdpr | ccpa | other
    shop: ShopFacts
    customer_id: str
    customer_since: datetime
    processing_restricted_since: datetime | None  # GDPR Art. 18
    fields: tuple[HeldField, ...]
    purposes: tuple[PurposeFacts, ...]
    sources: tuple[str, ...]
    orders: tuple[OrderFacts, ...]
    returns: tuple[ReturnFacts, ...]
    consent_events: tuple[ConsentEventFacts, ...]
    consent_current: tuple[ConsentStateFacts, ...]
    consent_notices: tuple[ConsentNoticeFacts, ...]
    sale_share_opt_out_at: datetime | None
    holds: tuple[HoldFacts, ...]
    amazon_note: str | None

    def as_dict(self) -> dict[str, Any]:
        """The data.json document (docs/export-format.md): times ISO 8601 UTC, amounts as strings."""
        items = _jsonable
        return {
            "format": FORMAT,
            "version": self.version,
            "generated_at": _iso(self.generated_at),
            "request_id": self.request_id,
            "jurisdiction": self.jurisdiction,
            "shop": items(self.shop),
            "customer": {
                "id": self.customer_id,
                "since": _iso(self.customer_since),
                "processing_restricted_since": _iso(self.processing_restricted_since),
            },
            "fields": items(self.fields),
            "purposes": items(self.purposes),
            "sources": list(self.sources),
            "orders": items(self.orders),
            "returns": items(self.returns),
            "consent": {
                "events": items(self.consent_events),
                "current": items(self.consent_current),
                "notices": items(self.consent_notices),
                "sale_share_opt_out_at": _iso(self.sale_share_opt_out_at),
            },
            "holds": items(self.holds),
            "amazon_note": self.amazon_note,
        }


# -- collecting ----------------------------------------------------------------------------------


def collect(ctx: Context, *, actor: Actor, customer_id: str, request_id: int | None) -> SubjectData:
    """Everything held about one customer, in one read with its audit event (no event, no data).
    Raises CustomerNotFound / CustomerErased; RequestNotFound for an unknown request, and
    RequestRefused when the request is about another customer."""
    try:
        history = consent.history(ctx, customer_id)
        with transaction(ctx.engine) as connection:
            data = _collect_in(connection, ctx, customer_id, request_id, history)
            audit.record(connection, ctx, actor, [_event(data)])
        return data
    except (CustomerNotFound, CustomerErased, CannotOpen, RequestNotFound, RequestRefused) as exc:
        audit.record_alone(ctx, actor, audit.Event(
            action="subject.access", customer_id=customer_id, outcome=exc.code.rsplit(".", 1)[-1],
            details={"request_id": request_id},
        ))  # fmt: skip
        raise


def _event(data: SubjectData) -> audit.Event:
    return audit.Event(
        action="subject.access",
        customer_id=data.customer_id,
        fields=sorted({f.category for f in data.fields}),
        details={
            "request_id": data.request_id, "jurisdiction": data.jurisdiction, "fields": len(data.fields),
            "purposes": len(data.purposes), "orders": len(data.orders), "returns": len(data.returns),
            "consent_events": len(data.consent_events), "holds": len(data.holds),
        },
    )  # fmt: skip


def _collect_in(
    connection: Connection, ctx: Context, customer_id: str, request_id: int | None, history: dict[str, Any]
) -> SubjectData:
    policy = ctx.policy
    now = ctx.clock.now()
    row = load_live_customer(connection, customer_id)
    stated = _request_jurisdiction(connection, customer_id, request_id)
    fields = _fields(connection, ctx, row, now)
    facts = _orders(connection, customer_id)
    events = tuple(_consent_event(e) for e in history["events"])
    notices = _notices(connection, events)
    opt_out = history.get("sale_share_opt_out")
    sources = tuple(sorted({f.source for f in fields}))
    return SubjectData(
        version=SCHEMA_VERSION,
        generated_at=now,
        request_id=request_id,
        jurisdiction=(stated or _jurisdiction(policy, facts, fields)).value,
        shop=ShopFacts(policy.shop.name, policy.shop.country, policy.shop.privacy_contact),
        customer_id=customer_id,
        customer_since=_customer_since(connection, customer_id),
        processing_restricted_since=from_db_time(row.restricted_at),
        fields=fields,
        purposes=_purposes(policy, fields, events),
        sources=sources,
        orders=facts,
        returns=_returns(connection, customer_id),
        consent_events=events,
        consent_current=_consent_current(history["current"], events),
        consent_notices=notices,
        sale_share_opt_out_at=from_db_time(opt_out["at"]) if opt_out else None,
        holds=_holds(connection, customer_id, now),
        amazon_note=_amazon_note(policy) if "amazon" in sources else None,
    )


def _request_jurisdiction(connection: Connection, customer_id: str, request_id: int | None) -> Jurisdiction | None:
    if request_id is None:
        return None
    found = connection.execute(
        select(data_request.c.jurisdiction, data_request.c.customer_id).where(data_request.c.id == request_id)
    ).first()
    if found is None:
        raise RequestNotFound(f"no request {request_id}", hint="see `tutela requests list`")
    if found.customer_id is not None and str(found.customer_id) != customer_id:
        raise RequestRefused(f"request {request_id} is about another customer",
                             hint="export the customer the request was matched to")  # fmt: skip
    return Jurisdiction(found.jurisdiction)


def _jurisdiction(policy: Policy, facts: Sequence[OrderFacts], fields: Sequence[HeldField]) -> Jurisdiction:
    """The latest order's shipping country and state; else the newest stored country and state;
    else the shop's own country."""
    dated = [o for o in facts if o.ship_country]
    if dated:
        latest = max(dated, key=lambda o: (o.purchased_at or datetime.min.replace(tzinfo=UTC), o.order_id))
        return jurisdiction_of(latest.ship_country, latest.ship_state)
    newest = {f.category: f for f in sorted(fields, key=lambda f: f.updated_at)}
    country = newest.get("user.contact.address.country")
    if country is not None and re.fullmatch(r"[A-Za-z]{2}", country.value.strip()):
        state = newest.get("user.contact.address.state")
        return jurisdiction_of(country.value.strip().upper(), state.value if state else None)
    return jurisdiction_of(policy.shop.country, None)


def _customer_since(connection: Connection, customer_id: str) -> datetime:
    since = connection.execute(select(customer.c.created_at).where(customer.c.id == customer_id)).scalar()
    assert since is not None
    return since  # type: ignore[no-any-return]


def _fields(connection: Connection, ctx: Context, row: Any, now: datetime) -> tuple[HeldField, ...]:
    """Every entry of every record, decrypted (one key schedule), each with its due time."""
    policy = ctx.policy
    customer_id = str(row.id)
    calculator = DueCalculator(policy, now, revocation_deadline=retention.revocation_deadline(connection))
    events = retention.load_events(connection, [customer_id]).get(customer_id, CustomerEvents())
    records = connection.execute(
        select(record.c.purpose, record.c.fields, record.c.flagged, record.c.created_at, record.c.updated_at)
        .where(record.c.customer_id == customer_id)
    ).all()  # fmt: skip
    pending: list[tuple[str, str, str, datetime, datetime, Due, bool, bytes]] = []
    for rec in records:
        entries = decode(bytes(rec.fields))
        purpose = policy.purposes.get(rec.purpose)
        if purpose is None:  # nothing justifies keeping it: due now, as retention says
            due = own = Due(now, Scope.ALL, f"purpose '{rec.purpose}' is no longer in the policy")
        else:
            has_amazon = any(e.source == "amazon" for e in entries)
            due = calculator.due(purpose, events, collected=rec.created_at, has_amazon=has_amazon)
            # The DPP §2.1 cap takes Amazon fields early; the others wait for the purpose's own rule.
            own = calculator.due(purpose, events, collected=rec.created_at, has_amazon=False) if (
                due.scope is Scope.AMAZON) else due  # fmt: skip
        for e in entries:
            flagged = bool(int(rec.flagged) & CATEGORIES[e.category].bit)
            chosen = due if e.source == "amazon" else own
            pending.append((e.category, rec.purpose, e.source, rec.created_at, rec.updated_at, chosen, flagged,
                            e.envelope))  # fmt: skip
    if not pending:
        return ()
    values = ctx.keyring.open_fields(open_dek(ctx, row), customer_id, [(p[0], p[1], p[7]) for p in pending])
    order = {key: position for position, key in enumerate(CATEGORIES)}
    held = [
        HeldField(category, value, purpose, source, stored, updated, due.at, due.basis, flagged)
        for (category, purpose, source, stored, updated, due, flagged, _), value in zip(pending, values, strict=True)
    ]
    return tuple(sorted(held, key=lambda f: (f.purpose, order.get(f.category, len(order)), f.source)))


def _purposes(
    policy: Policy, fields: Sequence[HeldField], events: Sequence[ConsentEventFacts]
) -> tuple[PurposeFacts, ...]:
    """Each purpose holding fields or consent records of the customer."""
    keys = sorted({f.purpose for f in fields} | {e.purpose for e in events})
    found = []
    for key in keys:
        held = [f for f in fields if f.purpose == key]
        categories = tuple(c for c in CATEGORIES if any(f.category == c for f in held))
        sources = tuple(sorted({f.source for f in held}))
        purpose = policy.purposes.get(key)
        if purpose is None:
            found.append(PurposeFacts(key, "", None, "deleted now: no longer a purpose of the shop", None, (),
                                      categories, sources, False))  # fmt: skip
            continue
        found.append(PurposeFacts(
            key=key, description=purpose.description, legal_basis=purpose.legal_basis.value,
            retention=_rule_in_force(policy, purpose), amazon_retention=_amazon_cap(policy, purpose),
            recipients=tuple(purpose.recipients), categories=categories, sources=sources, marketing=purpose.marketing,
        ))  # fmt: skip
    return tuple(found)


def _rule_in_force(policy: Policy, purpose: Purpose) -> str:
    """The purpose's rule, or the tax period of the shop's country for a legal obligation."""
    years = policy.retention.tax_years.get(policy.shop.country)
    rule = purpose.retention
    if purpose.legal_basis is LegalBasis.LEGAL_OBLIGATION and years is not None and not rule.is_until:
        return f"{years} years after {rule.event}"
    return rule.text


def _amazon_cap(policy: Policy, purpose: Purpose) -> str | None:
    cap = policy.retention.amazon_cap
    if cap is None or "amazon" not in purpose.sources or purpose.legal_basis is LegalBasis.LEGAL_OBLIGATION:
        return None
    return cap.text


def _amazon_note(policy: Policy) -> str:
    cap = policy.retention.amazon_cap
    limit = f'its limit for Amazon data ("{cap.text}")' if cap is not None else "30 days after delivery"
    return (
        "Some of this data came from Amazon with orders you placed on Amazon. The shop may use it only to "
        f"fulfil those orders and deletes it no later than {limit}, except what the law requires it to keep "
        "(e.g. for tax); it never uses it for marketing. Amazon holds its own data about you as a separate "
        "company: ask Amazon for a copy of that."
    )


def _orders(connection: Connection, customer_id: str) -> tuple[OrderFacts, ...]:
    rows = connection.execute(select(orders).where(orders.c.customer_id == customer_id)).all()
    lines: dict[int, list[OrderLineFacts]] = {}
    if rows:
        query = select(order_line).where(order_line.c.order_ref.in_([r.id for r in rows])).order_by(order_line.c.id)
        for line in connection.execute(query):
            lines.setdefault(int(line.order_ref), []).append(
                OrderLineFacts(line.line_id, line.sku, line.asin, line.quantity, _amount(line.item_price))
            )
    found = [
        OrderFacts(
            order_id=r.order_id, channel=r.channel, marketplace=r.marketplace, sales_channel=r.sales_channel,
            fulfillment_channel=r.fulfillment_channel, status=r.status, purchased_at=r.purchased_at,
            shipped_at=r.shipped_at, promised_delivery_at=r.promised_delivery_at, delivered_at=r.delivered_at,
            currency=r.currency, total_amount=_amount(r.total_amount), ship_country=r.ship_country,
            ship_state=r.ship_state, lines=tuple(lines.get(int(r.id), [])),
        )
        for r in rows
    ]  # fmt: skip
    epoch = datetime.min.replace(tzinfo=UTC)
    return tuple(sorted(found, key=lambda o: (o.purchased_at or epoch, o.channel, o.order_id)))


def _returns(connection: Connection, customer_id: str) -> tuple[ReturnFacts, ...]:
    query = select(return_case).where(return_case.c.customer_id == customer_id).order_by(return_case.c.id)
    return tuple(
        ReturnFacts(
            reference=r.return_key, channel=r.channel, order_id=r.order_id, requested_at=r.requested_at,
            status=r.status, reason=r.reason, resolution=r.resolution, sku=r.sku, quantity=r.quantity,
            refunded_amount=_amount(r.refunded_amount), currency=r.currency, closed_at=r.closed_at,
        )
        for r in connection.execute(query)
    )  # fmt: skip


def _holds(connection: Connection, customer_id: str, now: datetime) -> tuple[HoldFacts, ...]:
    query = select(legal_hold.c.until).where(
        legal_hold.c.customer_id == customer_id, legal_hold.c.released_at.is_(None), legal_hold.c.until > now
    ).order_by(legal_hold.c.until)  # fmt: skip
    return tuple(HoldFacts(until) for until in connection.execute(query).scalars())


def _consent_event(raw: dict[str, Any]) -> ConsentEventFacts:
    at = from_db_time(raw["at"])
    assert at is not None
    return ConsentEventFacts(
        id=int(raw["id"]), purpose=raw["purpose"], channel=raw["channel"], kind=raw["kind"], at=at,
        source=raw["source"], notice_version=raw["notice_version"], wording_sha256=raw["wording_sha256"],
        evidence_sha256=raw["evidence_sha256"],
    )  # fmt: skip


def _consent_current(
    current: dict[str, dict[str, Any]], events: Sequence[ConsentEventFacts]
) -> tuple[ConsentStateFacts, ...]:
    latest = {(e.purpose, e.channel): e.kind for e in events}  # events come in ledger order
    found = []
    for key, decision in sorted(current.items()):
        purpose, channel = key.split("/", 1)
        found.append(ConsentStateFacts(purpose, channel, latest.get((purpose, channel), "none"),
                                       bool(decision["allowed"]), str(decision["reason"])))  # fmt: skip
    return tuple(found)


def _notices(connection: Connection, events: Sequence[ConsentEventFacts]) -> tuple[ConsentNoticeFacts, ...]:
    """The exact wording of each notice version the customer's events name."""
    named = {(e.purpose, e.notice_version) for e in events if e.notice_version and e.wording_sha256}
    if not named:
        return ()
    query = select(consent_notice).where(consent_notice.c.purpose.in_(sorted({p for p, _ in named})))
    found = [
        ConsentNoticeFacts(str(n.purpose), str(n.version), str(n.wording), str(n.wording_sha256))
        for n in connection.execute(query)
        if (n.purpose, n.version) in named
    ]
    return tuple(sorted(found, key=lambda n: (n.purpose, n.version)))


def _amount(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


# -- writing the package -------------------------------------------------------------------------


def package_json(data: SubjectData) -> str:
    return json.dumps(data.as_dict(), sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def package_csv(data: SubjectData) -> str:
    """One row per stored field; text a spreadsheet would run as a formula gets a leading
    apostrophe (data.json keeps every value exact)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for f in data.fields:
        writer.writerow([f.category, f.purpose, f.source, _cell(f.value), _iso(f.stored_at), _iso(f.due_at) or ""])
    return out.getvalue()


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_LIKE = re.compile(r"[+-]?[0-9][0-9 ().\-/]*")  # a phone number such as +44 20 7946 0018 runs nothing


def _cell(value: str) -> str:
    if value.startswith(_FORMULA_START) and not _NUMBER_LIKE.fullmatch(value):
        return "'" + value
    return value


def write_package(
    data: SubjectData, path: Path, *, render_summary: Callable[[SubjectData, str], str], language: str
) -> str:
    """The zip at `path` (data.json, data.csv, summary.html, in that order), written beside it
    owner-only (0600) and renamed into place when whole; an existing file is replaced. Entry
    times are `generated_at`, so the same data gives the same bytes. Returns the zip's sha256."""
    members = (
        ("data.json", package_json(data).encode("utf-8")),
        ("data.csv", package_csv(data).encode("utf-8-sig")),  # the BOM: spreadsheets then read UTF-8
        ("summary.html", render_summary(data, language).encode("utf-8")),
    )
    stamp = _zip_time(data.generated_at)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, payload in members:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3  # unix, whatever platform writes it
            info.external_attr = 0o100600 << 16  # a regular file, owner-only, once unpacked
            archive.writestr(info, payload, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    blob = buffer.getvalue()
    with whole_file(path, binary=True) as handle:
        handle.write(blob)
    return hashlib.sha256(blob).hexdigest()


def _zip_time(at: datetime) -> tuple[int, int, int, int, int, int]:
    utc = at.astimezone(UTC)
    if utc.year < 1980:  # the zip format's epoch
        return (1980, 1, 1, 0, 0, 0)
    return (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second)


# -- JSON values ---------------------------------------------------------------------------------


def _iso(at: datetime | None) -> str | None:
    if at is None:
        return None
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, Decimal):
        return str(value)
    return value

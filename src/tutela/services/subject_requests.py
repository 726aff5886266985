"""Data-subject requests: intake, verification by a one-time code, the legal clocks, and the
status machine received -> verifying -> in_progress -> (extended) -> completed | denied, each
transition an audit event.

No enumeration: a request about someone the shop does not know is handled exactly like one
about a customer — same answers, a code is sent to the address given — and its reply says
that no data was found. The requester's address is kept sealed (to write to them) and as a
blind index (to match and to link duplicates), never in plain text."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, insert, select, update

from tutela.core.actor import Actor
from tutela.core.errors import InvalidValue, RequestNotFound, RequestRefused
from tutela.core.normalize import email_index_key, normalize_email
from tutela.core.record_codec import decode
from tutela.core.request_clock import Jurisdiction, clock_for, jurisdiction_of
from tutela.core.storage.engine import read_only, transaction
from tutela.core.storage.schema import customer, data_request, orders, record
from tutela.core.taxonomy import IndexKind
from tutela.services import audit
from tutela.services.context import Context
from tutela.services.customer_rows import unwrap_customer_key

MAX_ATTEMPTS = 5
CODE_LIFETIME = timedelta(hours=24)
DOWNLOAD_LIFETIME = timedelta(days=7)


class Kind(StrEnum):
    ACCESS = "access"  # GDPR Art. 15, CCPA right to know
    PORTABILITY = "portability"  # Art. 20
    ERASURE = "erasure"  # Art. 17, CCPA delete
    RECTIFICATION = "rectification"  # Art. 16, CCPA correct
    RESTRICTION = "restriction"  # Art. 18
    OBJECTION = "objection"  # Art. 21: direct marketing, always honoured
    OPT_OUT = "opt_out"  # CCPA: sale/share


class Status(StrEnum):
    RECEIVED = "received"
    VERIFYING = "verifying"
    IN_PROGRESS = "in_progress"
    EXTENDED = "extended"
    COMPLETED = "completed"
    DENIED = "denied"


OPEN = (Status.RECEIVED, Status.VERIFYING, Status.IN_PROGRESS, Status.EXTENDED)
ACTIONABLE = (Status.IN_PROGRESS, Status.EXTENDED)


@dataclass(frozen=True)
class Opened:
    request_id: int
    linked: bool  # an open request of the same person and kind already existed: that one is returned
    code: str | None  # the one-time code to send (None when linked)
    due_at: datetime


def _kind(text: str) -> Kind:
    try:
        return Kind(text)
    except ValueError:
        raise InvalidValue(f"unknown request type '{text}'",
                           hint=f"use one of {', '.join(k.value for k in Kind)}") from None  # fmt: skip


def _email_digest(ctx: Context, email: str) -> bytes:
    return ctx.keyring.blind_index(IndexKind.EMAIL, email_index_key(email))


def _code_digest(ctx: Context, request_id: int, code: str) -> str:
    return ctx.keyring.client_digest(f"request:{request_id}:code:{code}")


def contact_label(email_index: bytes) -> str:
    return f"request-contact:{email_index.hex()}"


def open_request(
    ctx: Context,
    *,
    actor: Actor,
    kind: str,
    email: str,
    jurisdiction: str = "auto",
    language: str = "en",
    corrections: dict[str, str] | None = None,
    deliver: Callable[[dict[str, Any], str], None] | None = None,
) -> Opened:
    """Record a request and issue its verification code. `deliver(request, code)` sends the code
    (`request`: id, kind, language, received_at, due_at) before the request is committed: a mail
    that cannot be sent leaves no request behind, none the requester could never verify."""
    chosen = _kind(kind)
    address = normalize_email(email)
    if chosen is Kind.RECTIFICATION and not corrections:
        raise InvalidValue("a rectification request needs the corrections asked for",
                           hint="e.g. --field user.contact.address.street='12 New Street'")  # fmt: skip
    if language not in {"en", "zh"}:
        raise InvalidValue(f"unknown language '{language}'", hint="use en or zh")
    now = ctx.clock.now()
    digest = _email_digest(ctx, address)
    with transaction(ctx.engine) as connection:
        existing = connection.execute(
            select(data_request).where(
                data_request.c.email_index == digest, data_request.c.kind == chosen.value,
                data_request.c.status.in_([s.value for s in OPEN]),
            ).order_by(data_request.c.id).limit(1)
        ).first()  # fmt: skip
        if existing is not None and _unverifiable(existing, now):
            # A code that expired or was locked (perhaps by someone else guessing) must not keep
            # the person from asking again: the old request is closed and a new one opened.
            _transition(connection, ctx, actor, existing, "request.superseded", values={
                "status": Status.DENIED.value, "outcome": "not verified: the code expired or was locked",
                "closed_at": now, "code_digest": None,
            })  # fmt: skip
            existing = None
        if existing is not None:
            audit.record(connection, ctx, actor, [audit.Event(
                action="request.linked", details={"request_id": int(existing.id), "kind": chosen.value},
            )])  # fmt: skip
            return Opened(int(existing.id), True, None, existing.due_at)
        customer_id = _match(connection, digest)
        place = _jurisdiction(connection, customer_id, jurisdiction)
        clock = clock_for(place, now)
        sealed_details = (
            ctx.keyring.seal_secret(contact_label(digest) + ":details", json.dumps(corrections).encode())
            if corrections else None
        )  # fmt: skip
        result = connection.execute(insert(data_request).values(
            kind=chosen.value, status=Status.VERIFYING.value, jurisdiction=place.value, language=language,
            email_index=digest, contact=ctx.keyring.seal_secret(contact_label(digest), address.encode()),
            customer_id=customer_id, received_at=now, acknowledge_by=clock.acknowledge_by,
            acknowledged_at=now,  # the code mail acknowledges receipt and explains verification
            due_at=clock.due_at, extended_due_at=clock.extended_due_at, extension_deadline=clock.extension_deadline,
            verification="none", details=sealed_details, created_at=now, updated_at=now,
        ))  # fmt: skip
        assert result.inserted_primary_key is not None
        request_id = int(result.inserted_primary_key[0])
        code = f"{secrets.randbelow(1_000_000):06d}"
        connection.execute(update(data_request).where(data_request.c.id == request_id).values(
            code_digest=_code_digest(ctx, request_id, code), code_expires_at=now + CODE_LIFETIME,
        ))  # fmt: skip
        audit.record(connection, ctx, actor, [audit.Event(
            action="request.open", customer_id=customer_id,
            details={"request_id": request_id, "kind": chosen.value, "jurisdiction": place.value,
                     "due_at": clock.due_at.isoformat()},
        )])  # fmt: skip
        if deliver is not None:
            deliver({"id": request_id, "kind": chosen.value, "language": language, "received_at": now,
                     "due_at": clock.due_at}, code)  # fmt: skip
    return Opened(request_id, False, code, clock.due_at)


def open_verified(
    ctx: Context,
    *,
    actor: Actor,
    kind: str,
    email: str,
    source: str,
    reference: str | None = None,
    due_within: timedelta | None = None,
    language: str = "en",
) -> Opened:
    """Record a request whose requester another party has already identified (`source`, e.g.
    "shopify": the shop checked who asked). It starts in progress with `verification` = source,
    no code is issued and no mail is sent; `due_within` caps the due date (a platform's own
    deadline, shorter than the law's). An open request of the same person and kind is linked,
    and verified by the source if it was still waiting for a code. `reference` (the source's
    own id of the request, no personal data) goes into the audit event."""
    chosen = _kind(kind)
    address = normalize_email(email)
    if not source.isidentifier() or len(source) > 24:
        raise InvalidValue(f"unknown verification source '{source}'", hint="a short name such as shopify")
    if language not in {"en", "zh"}:
        raise InvalidValue(f"unknown language '{language}'", hint="use en or zh")
    now = ctx.clock.now()
    digest = _email_digest(ctx, address)
    facts = {"source": source, **({"reference": reference} if reference else {})}
    with transaction(ctx.engine) as connection:
        existing = connection.execute(
            select(data_request).where(
                data_request.c.email_index == digest, data_request.c.kind == chosen.value,
                data_request.c.status.in_([s.value for s in OPEN]),
            ).order_by(data_request.c.id).limit(1)
        ).first()  # fmt: skip
        if existing is not None:
            audit.record(connection, ctx, actor, [audit.Event(
                action="request.linked", details={"request_id": int(existing.id), "kind": chosen.value, **facts},
            )])  # fmt: skip
            if existing.status == Status.VERIFYING.value:
                _transition(connection, ctx, actor, existing, "request.verified", values={
                    "status": Status.IN_PROGRESS.value, "verification": source, "code_digest": None,
                }, details={"level": source})  # fmt: skip
            return Opened(int(existing.id), True, None, existing.due_at)
        customer_id = _match(connection, digest)
        place = _jurisdiction(connection, customer_id, "auto")
        clock = clock_for(place, now)
        due_at = min(clock.due_at, now + due_within) if due_within is not None else clock.due_at
        result = connection.execute(insert(data_request).values(
            kind=chosen.value, status=Status.IN_PROGRESS.value, jurisdiction=place.value, language=language,
            email_index=digest, contact=ctx.keyring.seal_secret(contact_label(digest), address.encode()),
            customer_id=customer_id, received_at=now, acknowledge_by=clock.acknowledge_by,
            acknowledged_at=now,  # the source acknowledged it to the requester (the shop did, in Shopify)
            due_at=due_at, extended_due_at=clock.extended_due_at, extension_deadline=clock.extension_deadline,
            verification=source, created_at=now, updated_at=now,
        ))  # fmt: skip
        assert result.inserted_primary_key is not None
        request_id = int(result.inserted_primary_key[0])
        audit.record(connection, ctx, actor, [
            audit.Event(action="request.open", customer_id=customer_id, details={
                "request_id": request_id, "kind": chosen.value, "jurisdiction": place.value,
                "due_at": due_at.isoformat(), **facts,
            }),
            audit.Event(action="request.verified", customer_id=customer_id, details={
                "request_id": request_id, "kind": chosen.value, "level": source,
            }),
        ])  # fmt: skip
    return Opened(request_id, False, None, due_at)


def _unverifiable(row: Any, now: datetime) -> bool:
    waiting = row.status == Status.VERIFYING.value
    return waiting and (row.code_attempts >= MAX_ATTEMPTS or row.code_expires_at is None or row.code_expires_at <= now)


def _match(connection: Connection, digest: bytes) -> str | None:
    row = connection.execute(
        select(record.c.customer_id).select_from(record.join(customer, customer.c.id == record.c.customer_id))
        .where(record.c.email_index == digest, customer.c.wrapped_dek.isnot(None)).limit(1)
    ).first()  # fmt: skip
    return str(row.customer_id) if row else None


def _jurisdiction(connection: Connection, customer_id: str | None, stated: str) -> Jurisdiction:
    if stated != "auto":
        try:
            return Jurisdiction(stated)
        except ValueError:
            raise InvalidValue(f"unknown jurisdiction '{stated}'", hint="use auto, gdpr, ccpa or other") from None
    if customer_id is None:
        return Jurisdiction.OTHER
    latest = connection.execute(
        select(orders.c.ship_country, orders.c.ship_state).where(orders.c.customer_id == customer_id)
        .order_by(orders.c.purchased_at.desc()).limit(1)
    ).first()  # fmt: skip
    return jurisdiction_of(latest.ship_country, latest.ship_state) if latest else Jurisdiction.OTHER


def contact_of(ctx: Context, request_id: int) -> tuple[str, str]:
    """The requester's address and language, to write to them (never logged)."""
    with read_only(ctx.engine) as connection:
        row = _load(connection, request_id)
    return ctx.keyring.open_secret(contact_label(bytes(row.email_index)), bytes(row.contact)).decode(), row.language


def corrections_of(ctx: Context, request_id: int) -> dict[str, str]:
    with read_only(ctx.engine) as connection:
        row = _load(connection, request_id)
    if row.details is None:
        return {}
    label = contact_label(bytes(row.email_index)) + ":details"
    return dict(json.loads(ctx.keyring.open_secret(label, bytes(row.details))))


def _load(connection: Connection, request_id: int) -> Any:
    row = connection.execute(select(data_request).where(data_request.c.id == request_id)).first()
    if row is None:
        raise RequestNotFound(f"no request {request_id}", hint="see `tutela requests list`")
    return row


def _transition(connection: Connection, ctx: Context, actor: Actor, row: Any, action: str, *,
                values: dict[str, Any], details: dict[str, Any] | None = None) -> None:  # fmt: skip
    connection.execute(update(data_request).where(data_request.c.id == row.id).values(
        updated_at=ctx.clock.now(), **values))  # fmt: skip
    audit.record(connection, ctx, actor, [audit.Event(
        action=action, customer_id=row.customer_id,
        details={"request_id": int(row.id), "kind": row.kind, **(details or {})},
    )])  # fmt: skip


def verify(ctx: Context, *, actor: Actor, request_id: int, code: str) -> Status:
    """Check the one-time code; after MAX_ATTEMPTS wrong codes the request is locked."""
    now = ctx.clock.now()
    with transaction(ctx.engine) as connection:
        row = _load(connection, request_id)
        if row.status != Status.VERIFYING.value:
            raise RequestRefused(f"request {request_id} is not waiting for a code (it is {row.status})",
                                 hint="nothing to verify")  # fmt: skip
        if row.code_attempts >= MAX_ATTEMPTS:
            raise RequestRefused(f"request {request_id} is locked after {MAX_ATTEMPTS} wrong codes",
                                 hint="the requester must make a new request")  # fmt: skip
        expired = row.code_expires_at is None or row.code_expires_at <= now
        good = not expired and secrets.compare_digest(row.code_digest or "", _code_digest(ctx, request_id, code))
        if not good:
            attempts = int(row.code_attempts) + 1
            facts = {"attempt": attempts, "expired": expired, "locked": attempts >= MAX_ATTEMPTS}
            _transition(connection, ctx, actor, row, "request.verify_failed", values={"code_attempts": attempts},
                        details=facts)  # fmt: skip
        else:
            _transition(connection, ctx, actor, row, "request.verified", values={
                "status": Status.IN_PROGRESS.value, "verification": "reasonable", "code_digest": None,
            }, details={"level": "reasonable"})  # fmt: skip
    if not good:
        raise RequestRefused("the code is wrong or has expired", hint="check the latest message and try again")
    return Status.IN_PROGRESS


def verify_by_order(ctx: Context, *, actor: Actor, request_id: int, order_id: str, postal_code: str) -> str:
    """The other way to verify: an order id of the customer and the postal code it shipped to.
    Alone it gives the "reasonable" level; after the e-mail code, "reasonably_high" (CCPA).
    Wrong answers count against the same limit as wrong codes. Returns the level reached."""
    with transaction(ctx.engine) as connection:
        row = _load(connection, request_id)
        if row.status not in {Status.VERIFYING.value, Status.IN_PROGRESS.value}:
            raise RequestRefused(f"request {request_id} is {row.status}: nothing to verify", hint="—")
        if row.code_attempts >= MAX_ATTEMPTS:
            raise RequestRefused(f"request {request_id} is locked after {MAX_ATTEMPTS} wrong answers",
                                 hint="the requester must make a new request")  # fmt: skip
        good = row.customer_id is not None and _order_matches(connection, ctx, row.customer_id, order_id, postal_code)
        if not good:
            attempts = int(row.code_attempts) + 1
            _transition(connection, ctx, actor, row, "request.verify_failed", values={"code_attempts": attempts},
                        details={"attempt": attempts, "by": "order", "locked": attempts >= MAX_ATTEMPTS})  # fmt: skip
            level = ""
        else:
            level = "reasonably_high" if row.verification == "reasonable" else "reasonable"
            _transition(connection, ctx, actor, row, "request.verified", values={
                "status": Status.IN_PROGRESS.value, "verification": level,
            }, details={"level": level, "by": "order"})  # fmt: skip
    if not good:
        raise RequestRefused("the order id and postal code do not match", hint="check both and try again")
    return level


def _order_matches(connection: Connection, ctx: Context, customer_id: str, order_id: str, postal_code: str) -> bool:
    owner = connection.execute(select(orders.c.customer_id).where(orders.c.order_id == order_id.strip())).scalar()
    if owner != customer_id:
        return False
    wanted = "".join(postal_code.split()).casefold()
    found = connection.execute(select(customer.c.kek_version, customer.c.wrapped_dek).where(
        customer.c.id == customer_id)).first()  # fmt: skip
    if found is None or found.wrapped_dek is None:
        return False
    dek = unwrap_customer_key(ctx, customer_id, int(found.kek_version), bytes(found.wrapped_dek))
    for purpose, blob in connection.execute(select(record.c.purpose, record.c.fields).where(
            record.c.customer_id == customer_id)):  # fmt: skip
        for entry in decode(bytes(blob)):
            if entry.category == "user.contact.address.postal_code":
                value = ctx.keyring.open_field(dek, customer_id, entry.category, purpose, entry.envelope)
                if secrets.compare_digest("".join(value.split()).casefold(), wanted):
                    return True
    return False


def extend(ctx: Context, *, actor: Actor, request_id: int, reason: str) -> datetime:
    """The one extension, only within the first period and with a reason (sent to the requester)."""
    if not reason.strip():
        raise InvalidValue("an extension needs a reason", hint='e.g. --reason "several systems to search"')
    now = ctx.clock.now()
    with transaction(ctx.engine) as connection:
        row = _load(connection, request_id)
        if row.status not in {s.value for s in OPEN} or row.extended_at is not None:
            raise RequestRefused(f"request {request_id} cannot be extended ({row.status}, "
                                 f"{'already extended' if row.extended_at else 'closed'})", hint="—")  # fmt: skip
        if now > row.extension_deadline:
            raise RequestRefused(
                f"request {request_id} can no longer be extended: the first period ended on"
                f" {row.extension_deadline:%Y-%m-%d}", hint="answer it now")  # fmt: skip
        _transition(connection, ctx, actor, row, "request.extended", values={
            "status": Status.EXTENDED.value if row.status != Status.VERIFYING.value else row.status,
            "extended_at": now, "extension_reason": reason.strip(), "due_at": row.extended_due_at,
        }, details={"due_at": row.extended_due_at.isoformat()})  # fmt: skip
    return row.extended_due_at  # type: ignore[no-any-return]


def deny(ctx: Context, *, actor: Actor, request_id: int, reason: str) -> None:
    if not reason.strip():
        raise InvalidValue("a denial needs a reason (it is sent to the requester)", hint='e.g. --reason "..."')
    with transaction(ctx.engine) as connection:
        row = _load(connection, request_id)
        if row.status not in {s.value for s in OPEN}:
            raise RequestRefused(f"request {request_id} is already {row.status}", hint="—")
        _transition(connection, ctx, actor, row, "request.denied", values={
            "status": Status.DENIED.value, "outcome": reason.strip(), "closed_at": ctx.clock.now(),
        })  # fmt: skip


def complete(connection: Connection, ctx: Context, actor: Actor, request_id: int, outcome: str,
             **values: Any) -> None:  # fmt: skip
    row = _load(connection, request_id)
    _transition(connection, ctx, actor, row, "request.completed", values={
        "status": Status.COMPLETED.value, "outcome": outcome, "closed_at": ctx.clock.now(), **values,
    }, details={"outcome": outcome})  # fmt: skip


def issue_download(connection: Connection, ctx: Context, request_id: int) -> str:
    """A one-time, expiring token for the access package (only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    connection.execute(update(data_request).where(data_request.c.id == request_id).values(
        download_digest=hashlib.sha256(token.encode()).hexdigest(),
        download_expires_at=ctx.clock.now() + DOWNLOAD_LIFETIME, downloaded_at=None,
    ))  # fmt: skip
    return token


def claim_download(ctx: Context, *, token: str) -> int:
    """The request whose package this token opens — once. Used, expired or unknown: refused alike."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    now = ctx.clock.now()
    with transaction(ctx.engine) as connection:
        row = connection.execute(select(data_request).where(data_request.c.download_digest == digest)).first()
        if row is None or row.downloaded_at is not None or row.download_expires_at <= now:
            raise RequestRefused("this download link is not valid any more",
                                 hint="ask the shop for a new one")  # fmt: skip
        connection.execute(update(data_request).where(data_request.c.id == row.id).values(downloaded_at=now))
        audit.record(connection, ctx, Actor(id="requester", role="customer"), [audit.Event(
            action="request.downloaded", customer_id=row.customer_id, details={"request_id": int(row.id)},
        )])  # fmt: skip
    return int(row.id)


def get(ctx: Context, request_id: int) -> dict[str, Any]:
    with read_only(ctx.engine) as connection:
        row = _load(connection, request_id)
    return _public(row, ctx.clock.now())


def list_requests(
    ctx: Context, *, due_before: datetime | None = None, include_closed: bool = False
) -> list[dict[str, Any]]:
    """Sorted by due date, overdue first (no personal data: ids, types, dates)."""
    query = select(data_request).order_by(data_request.c.due_at, data_request.c.id)
    if not include_closed:
        query = query.where(data_request.c.status.in_([s.value for s in OPEN]))
    if due_before is not None:
        query = query.where(data_request.c.due_at <= due_before)
    now = ctx.clock.now()
    with read_only(ctx.engine) as connection:
        return [_public(row, now) for row in connection.execute(query)]


def _public(row: Any, now: datetime) -> dict[str, Any]:
    open_ = row.status in {s.value for s in OPEN}
    return {
        "id": int(row.id), "kind": row.kind, "status": row.status, "jurisdiction": row.jurisdiction,
        "customer_id": row.customer_id, "received_at": row.received_at, "acknowledge_by": row.acknowledge_by,
        "due_at": row.due_at, "extended": row.extended_at is not None, "verification": row.verification,
        "overdue": open_ and row.due_at < now, "outcome": row.outcome, "closed_at": row.closed_at,
        "language": row.language,
    }  # fmt: skip


def due_soon(ctx: Context, *, within: timedelta = timedelta(days=3)) -> dict[str, list[int]]:
    """Open requests overdue, and due within `within` (for the daily reminder and the dashboard)."""
    now = ctx.clock.now()
    with read_only(ctx.engine) as connection:
        rows = connection.execute(select(data_request.c.id, data_request.c.due_at).where(
            data_request.c.status.in_([s.value for s in OPEN]), data_request.c.due_at <= now + within,
        ).order_by(data_request.c.due_at)).all()  # fmt: skip
    return {"overdue": [int(r.id) for r in rows if r.due_at < now],
            "due_soon": [int(r.id) for r in rows if r.due_at >= now]}  # fmt: skip

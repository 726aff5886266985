"""Fulfilling a verified data-subject request in one step:

- access / portability: the package (data.json, data.csv, summary.html) behind a one-time,
  expiring download link;
- erasure: every field crypto-shredded, consent withdrawn everywhere, staff notes on returns
  cleared, and the e-mail's blind index put on the marketing suppression list — except what a
  legal obligation keeps (tax records): those stay, restricted, until their due time, and the
  reply says so; under a legal hold the erasure becomes a restriction until the hold ends;
- rectification: the corrections asked for replace every stored copy (audited);
- restriction: no role sees the customer's data except under a legal-obligation purpose;
- objection (Art. 21, direct marketing): every marketing consent withdrawn;
- opt-out (CCPA sale/share): recorded.

A request about nobody the shop knows completes with "no data found"."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from tutela.core.actor import Actor
from tutela.core.errors import RequestRefused
from tutela.core.policy.model import LegalBasis
from tutela.core.storage.engine import read_only, transaction
from tutela.core.storage.schema import (
    customer,
    data_request,
    legal_hold,
    marketing_suppression,
    record,
    return_case,
)
from tutela.services import consent, erasure, rectification, subject_access, subject_requests
from tutela.services.context import Context
from tutela.services.subject_requests import ACTIONABLE, Kind

Renderer = Callable[[Any, str], str]  # (subject data, language) -> summary.html


@dataclass(frozen=True)
class Fulfilment:
    request_id: int
    kind: str
    outcome: str  # no_data | package_ready | erased | erased_except_tax | restricted_under_hold | corrected | ...
    download_token: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)  # for the reply letter (no personal data)


def exports_folder(ctx: Context) -> Path:
    folder = ctx.settings.data_dir / "exports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def package_path(ctx: Context, request_id: int) -> Path:
    return exports_folder(ctx) / f"request-{request_id}.zip"


def fulfil(ctx: Context, *, actor: Actor, request_id: int, render_summary: Renderer) -> Fulfilment:
    request = subject_requests.get(ctx, request_id)
    if request["status"] not in {s.value for s in ACTIONABLE}:
        raise RequestRefused(
            f"request {request_id} is {request['status']}: only a verified, open request can be fulfilled",
            hint="verify it first (`tutela requests verify`)" if request["status"] == "verifying" else "—",
        )
    kind = Kind(request["kind"])
    customer_id = request["customer_id"]
    if customer_id is None or not _live(ctx, customer_id):
        return _finish(ctx, actor, request_id, kind, "no_data")
    return _HANDLERS[kind](ctx, actor, request, render_summary)


def _access(ctx: Context, actor: Actor, request: dict[str, Any], render_summary: Renderer) -> Fulfilment:
    request_id = int(request["id"])
    data = subject_access.collect(ctx, actor=actor, customer_id=request["customer_id"], request_id=request_id)
    digest = subject_access.write_package(data, package_path(ctx, request_id), render_summary=render_summary,
                                          language=request["language"])  # fmt: skip
    with transaction(ctx.engine) as connection:
        token = subject_requests.issue_download(connection, ctx, request_id)
    return _finish(ctx, actor, request_id, Kind(request["kind"]), "package_ready", token=token,
                   facts={"sha256": digest})  # fmt: skip


def _erasure(ctx: Context, actor: Actor, request: dict[str, Any], _render: Renderer) -> Fulfilment:
    return _erase(ctx, actor, int(request["id"]), request["customer_id"])


def _rectification(ctx: Context, actor: Actor, request: dict[str, Any], _render: Renderer) -> Fulfilment:
    corrected = _rectify(ctx, actor, int(request["id"]), request["customer_id"])
    return _finish(ctx, actor, int(request["id"]), Kind.RECTIFICATION, "corrected", facts={"categories": corrected})


def _restriction(ctx: Context, actor: Actor, request: dict[str, Any], _render: Renderer) -> Fulfilment:
    _restrict(ctx, request["customer_id"])
    return _finish(ctx, actor, int(request["id"]), Kind.RESTRICTION, "restricted")


def _objection(ctx: Context, actor: Actor, request: dict[str, Any], _render: Renderer) -> Fulfilment:
    withdrawn = _withdraw_marketing(ctx, actor, request["customer_id"])
    return _finish(ctx, actor, int(request["id"]), Kind.OBJECTION, "marketing_stopped", facts={"withdrawn": withdrawn})


def _opt_out(ctx: Context, actor: Actor, request: dict[str, Any], _render: Renderer) -> Fulfilment:
    consent.opt_out_of_sale(ctx, actor=actor, customer_id=request["customer_id"], source="request")
    return _finish(ctx, actor, int(request["id"]), Kind.OPT_OUT, "opted_out")


_HANDLERS: dict[Kind, Callable[[Context, Actor, dict[str, Any], Renderer], Fulfilment]] = {
    Kind.ACCESS: _access, Kind.PORTABILITY: _access, Kind.ERASURE: _erasure, Kind.RECTIFICATION: _rectification,
    Kind.RESTRICTION: _restriction, Kind.OBJECTION: _objection, Kind.OPT_OUT: _opt_out,
}  # fmt: skip


def _finish(ctx: Context, actor: Actor, request_id: int, kind: Kind, outcome: str, *, token: str | None = None,
            facts: dict[str, Any] | None = None) -> Fulfilment:  # fmt: skip
    with transaction(ctx.engine) as connection:
        subject_requests.complete(connection, ctx, actor, request_id, outcome)
    return Fulfilment(request_id, kind.value, outcome, token, facts or {})


def _live(ctx: Context, customer_id: str) -> bool:
    with read_only(ctx.engine) as connection:
        found = connection.execute(select(customer.c.wrapped_dek).where(customer.c.id == customer_id)).first()
    return found is not None and found.wrapped_dek is not None


def _active_hold(connection: Connection, customer_id: str, now: datetime) -> datetime | None:
    return connection.execute(
        select(legal_hold.c.until).where(legal_hold.c.customer_id == customer_id, legal_hold.c.released_at.is_(None),
                                         legal_hold.c.until > now).order_by(legal_hold.c.until.desc()).limit(1)
    ).scalar()  # fmt: skip


def _erase(ctx: Context, actor: Actor, request_id: int, customer_id: str) -> Fulfilment:
    now = ctx.clock.now()
    legal = [p.key for p in ctx.policy.purposes.values() if p.legal_basis is LegalBasis.LEGAL_OBLIGATION]
    with read_only(ctx.engine) as connection:
        held_until = _active_hold(connection, customer_id, now)
        kept = connection.execute(
            select(record.c.purpose, record.c.due_at).where(record.c.customer_id == customer_id,
                                                            record.c.purpose.in_(legal))
        ).all()  # fmt: skip
    withdrawn = _withdraw_marketing(ctx, actor, customer_id)
    _suppress(ctx, request_id)
    if held_until is not None:
        _restrict(ctx, customer_id)
        return _finish(ctx, actor, request_id, Kind.ERASURE, "restricted_under_hold",
                       facts={"until": held_until.isoformat(), "withdrawn": withdrawn})  # fmt: skip
    with transaction(ctx.engine) as connection:
        connection.execute(update(return_case).where(return_case.c.customer_id == customer_id).values(notes=None))
    if kept:
        keep_until = max((row.due_at for row in kept if row.due_at is not None), default=None)
        with transaction(ctx.engine) as connection:
            connection.execute(
                delete(record).where(record.c.customer_id == customer_id, record.c.purpose.not_in(legal))
            )
            connection.execute(update(customer).where(customer.c.id == customer_id).values(restricted_at=now,
                                                                                           updated_at=now))  # fmt: skip
        return _finish(ctx, actor, request_id, Kind.ERASURE, "erased_except_tax", facts={
            "kept_purposes": sorted({row.purpose for row in kept}),
            "kept_until": keep_until.isoformat() if keep_until else None, "withdrawn": withdrawn,
        })  # fmt: skip
    erasure.erase(ctx, actor=actor, customer_id=customer_id, reason=f"data-subject request {request_id}")
    return _finish(ctx, actor, request_id, Kind.ERASURE, "erased", facts={"withdrawn": withdrawn})


def _suppress(ctx: Context, request_id: int) -> None:
    """The address's blind index on the suppression list: a later import does not re-add them to marketing."""
    now = ctx.clock.now()
    with transaction(ctx.engine) as connection:
        digest = connection.execute(select(data_request.c.email_index).where(data_request.c.id == request_id)).scalar()
        known = connection.execute(
            select(marketing_suppression.c.email_index).where(marketing_suppression.c.email_index == digest)
        ).first()
        if digest is not None and known is None:
            connection.execute(insert(marketing_suppression).values(email_index=digest, created_at=now))


def _restrict(ctx: Context, customer_id: str) -> None:
    now = ctx.clock.now()
    with transaction(ctx.engine) as connection:
        connection.execute(
            update(customer).where(customer.c.id == customer_id).values(restricted_at=now, updated_at=now)
        )


def _withdraw_marketing(ctx: Context, actor: Actor, customer_id: str) -> int:
    with transaction(ctx.engine) as connection:
        states = consent.states_in(connection, [customer_id])
        pending: list[consent.Pending] = [
            (cid, purpose, channel, consent.Kind.WITHDRAWN, consent.Proof(source="request"), None)
            for (cid, purpose, channel), state in sorted(states.items()) if state == consent.Kind.GRANTED.value
        ]  # fmt: skip
        return len(consent.append(connection, ctx, actor, pending)) if pending else 0


def _rectify(ctx: Context, actor: Actor, request_id: int, customer_id: str) -> list[str]:
    corrections = subject_requests.corrections_of(ctx, request_id)
    for category, value in sorted(corrections.items()):
        purpose = next((p.key for p in ctx.policy.purposes.values() if category in p.categories and not p.restricted),
                       None)  # fmt: skip
        if purpose is None:
            raise RequestRefused(f"no purpose of the policy stores '{category}'", hint="deny or correct it by hand")
        rectification.rectify(ctx, actor=actor, purpose=purpose, customer_id=customer_id, fields={category: value})
    return sorted(corrections)


def prune_packages(ctx: Context) -> int:
    """Access packages whose link was used or expired are deleted from disk (they hold
    everything about a person). Returns how many went."""
    folder = ctx.settings.data_dir / "exports"
    if not folder.is_dir():
        return 0
    now = ctx.clock.now()
    with read_only(ctx.engine) as connection:
        live = {int(r.id) for r in connection.execute(select(data_request.c.id).where(
            data_request.c.downloaded_at.is_(None), data_request.c.download_expires_at > now))}  # fmt: skip
    gone = 0
    for path in folder.glob("request-*.zip"):
        number = path.stem.removeprefix("request-")
        if number.isdigit() and int(number) not in live:
            path.unlink(missing_ok=True)
            gone += 1
    return gone

"""/api/v1/consent: the consent ledger — a customer's history and current state, grants and
withdrawals with their proof, may-we-contact, notices, suppression lists, the numbers.

Grants made here are made by staff tools on the customer's behalf (a support call, a signed
form scanned in): the API client's address and user agent are not the customer's, so no
client hash is kept (`Proof.client` stays None). Every change is audited under the token's
actor (`token:<name>`)."""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from tutela.adapters.api.deps import Store, principal
from tutela.core.errors import ImportFileInvalid
from tutela.services import consent, consent_stats, consent_suppressions, importing
from tutela.services.context import Context
from tutela.services.tokens import TokenPrincipal

router = APIRouter(prefix="/api/v1/consent", tags=["consent"])
Reader = Annotated[TokenPrincipal, Depends(principal("consent:read"))]
Writer = Annotated[TokenPrincipal, Depends(principal("consent:write"))]
KEY = Field(min_length=1, max_length=64)


class DecisionOut(BaseModel):
    allowed: bool
    reason: str


class EventOut(BaseModel):
    id: int
    customer_id: str
    purpose: str
    channel: str
    kind: str
    at: datetime
    source: str
    notice_version: str | None
    wording_sha256: str | None
    evidence_sha256: str | None
    client_sha256: str | None
    actor: str


class OptOutOut(BaseModel):
    at: datetime
    source: str


class HistoryOut(BaseModel):
    customer_id: str
    current: dict[str, DecisionOut] = Field(description="'purpose/channel' -> may we contact, and why")
    events: list[EventOut] = Field(description="every ledger event, oldest first, with its proof")
    sale_share_opt_out: OptOutOut | None


class GrantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: str = Field(min_length=1, max_length=64, description="a consent purpose, e.g. marketing_email")
    channel: str = Field(min_length=1, max_length=8, description="email, sms, phone or post")
    source: str = Field(min_length=1, max_length=32, description=f"one of: {', '.join(consent.GRANT_SOURCES)}")
    notice_version: str = Field(min_length=1, max_length=32, description="the notice version the customer saw")
    evidence_sha256: str | None = Field(None, pattern="^[0-9a-f]{64}$", description="sha256 of a file proving it")


class WithdrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: str = Field(min_length=1, max_length=64, description="a consent purpose, e.g. marketing_email")
    channel: str | None = Field(None, min_length=1, max_length=8, description="one channel; none: every channel")
    source: str = Field(min_length=1, max_length=32, description=f"one of: {', '.join(consent.WITHDRAW_SOURCES)}")


class NoticeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: str = Field(min_length=1, max_length=64, description="a consent purpose")
    version: str = Field(min_length=1, max_length=32, description="a new version; a notice never changes")
    wording: str = Field(min_length=1, max_length=20_000, description="the exact wording shown when asking")


class NoticeOut(BaseModel):
    purpose: str
    version: str
    wording: str
    wording_sha256: str
    created_at: datetime
    created_by: str


class GrantedOut(BaseModel):
    event_id: int
    can_contact: DecisionOut = Field(description="the answer now (a grant may still not count, e.g. Amazon buyers)")


class WithdrawnOut(BaseModel):
    event_ids: list[int]


class NoticeAddedOut(BaseModel):
    purpose: str
    version: str
    wording_sha256: str


class SuppressionsOut(BaseModel):
    rows: int
    withdrawals: int
    customers: int
    unknown: int = Field(description="addresses no customer has (counted, not stored)")
    invalid_rows: list[int]


@router.get("/customers/{customer_id}", response_model=HistoryOut)
def history(ctx: Store, customer_id: str, _who: Reader) -> dict[str, Any]:
    return consent.history(ctx, customer_id)


@router.post("/customers/{customer_id}/grant", response_model=GrantedOut, status_code=201)
def grant(ctx: Store, customer_id: str, request: GrantIn, who: Writer) -> dict[str, Any]:
    proof = consent.Proof(source=request.source, notice_version=request.notice_version,
                          evidence_sha256=request.evidence_sha256)  # fmt: skip
    event_id = consent.grant(ctx, actor=who.actor, customer_id=customer_id, purpose=request.purpose,
                             channel=request.channel, proof=proof)  # fmt: skip
    decision = consent.can_contact(ctx, customer_id=customer_id, purpose=request.purpose, channel=request.channel)
    return {"event_id": event_id, "can_contact": {"allowed": decision.allowed, "reason": decision.reason}}


@router.post("/customers/{customer_id}/withdraw", response_model=WithdrawnOut, status_code=201)
def withdraw(ctx: Store, customer_id: str, request: WithdrawIn, who: Writer) -> dict[str, Any]:
    ids = consent.withdraw(ctx, actor=who.actor, customer_id=customer_id, purpose=request.purpose,
                           channel=request.channel, proof=consent.Proof(source=request.source))  # fmt: skip
    return {"event_ids": ids}


@router.get("/customers/{customer_id}/can-contact", response_model=DecisionOut)
def can_contact(
    ctx: Store,
    customer_id: str,
    _who: Reader,
    purpose: Annotated[str, Query(min_length=1, max_length=64)],
    channel: Annotated[str, Query(min_length=1, max_length=8)],
) -> dict[str, Any]:
    """Never an error: an unknown customer, purpose or channel is a "no" with its reason."""
    decision = consent.can_contact(ctx, customer_id=customer_id, purpose=purpose, channel=channel)
    return {"allowed": decision.allowed, "reason": decision.reason}


@router.get("/notices", response_model=list[NoticeOut])
def notices(
    ctx: Store, _who: Reader, purpose: Annotated[str | None, Query(min_length=1, max_length=64)] = None
) -> list[dict[str, Any]]:
    return consent.notices(ctx, purpose)


@router.post("/notices", response_model=NoticeAddedOut, status_code=201)
def add_notice(ctx: Store, request: NoticeIn, who: Writer) -> dict[str, Any]:
    digest = consent.add_notice(ctx, actor=who.actor, purpose=request.purpose, version=request.version,
                                wording=request.wording)  # fmt: skip
    return {"purpose": request.purpose, "version": request.version, "wording_sha256": digest}


@router.post("/suppressions", response_model=SuppressionsOut)
def suppressions(ctx: Store, file: UploadFile, who: Writer) -> dict[str, Any]:
    """An e-mail tool's unsubscribes and bounces (CSV with an Email column): every e-mail
    consent of the matching customers is withdrawn; unknown addresses are counted, not kept."""
    folder = _private_folder(ctx)
    try:
        path = _save(folder / (Path(file.filename or "").name or "suppressions.csv"), file)
        return consent_suppressions.import_suppressions(ctx, actor=who.actor, path=path).as_dict()
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # it holds e-mail addresses: never kept


@router.get("/stats")
def stats(
    ctx: Store, _who: Reader, weeks: Annotated[int, Query(ge=1, le=consent_stats.MAX_WEEKS)] = 12
) -> dict[str, Any]:
    """Per purpose and channel, week by week: grants, withdrawals, expiries and the opt-in rate
    at the week's end; totals now."""
    return consent_stats.consent_stats(ctx, weeks=weeks).as_dict()


def _private_folder(ctx: Context) -> Path:
    """A folder of its own inside the data directory's uploads (mode 0700), not named like the
    import uploads a restarted server resumes: a suppression list is never imported as orders."""
    root = ctx.settings.data_dir / "uploads"
    root.mkdir(mode=0o700, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="suppressions-", dir=root))


def _save(path: Path, file: UploadFile) -> Path:
    copied = 0
    with path.open("wb") as target:
        while chunk := file.file.read(1 << 20):
            copied += len(chunk)
            if copied > importing.MAX_UPLOAD_BYTES:
                raise importing.UploadTooLarge("the upload is larger than 512 MB",
                                               hint="use `tutela consent import-suppressions` instead")  # fmt: skip
            target.write(chunk)
    if copied == 0:
        raise ImportFileInvalid(f"{path.name} is empty", hint="upload the exported list")
    return path

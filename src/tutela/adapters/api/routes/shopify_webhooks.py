"""/webhooks/shopify/…: Shopify's mandatory compliance webhooks. No API token: a delivery is
authenticated by `X-Shopify-Hmac-Sha256`, the base64 HMAC-SHA256 of the raw body under the
app's client secret (TUTELA_SHOPIFY_WEBHOOK_SECRET). Unset, the routes do not exist (404).

The signature is checked on the bytes as received, before anything is parsed; a delivery
that fails it is answered 401 and leaves no trace but the request log line (method, path,
status). A signed one whose body is not what Shopify documents is 400 and one audit event
without its contents (`webhook.rejected`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from tutela.adapters.api import errors
from tutela.adapters.api.deps import store
from tutela.core.errors import InvalidValue
from tutela.services import shopify_compliance
from tutela.services.context import Context

router = APIRouter(prefix="/webhooks/shopify", tags=["shopify webhooks"], include_in_schema=True)
MAX_BODY = 256 * 1024  # Shopify's compliance payloads are a few hundred bytes
SignatureHeader = Annotated[
    str | None, Header(alias="X-Shopify-Hmac-Sha256", description="base64 HMAC-SHA256 of the raw body")
]


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore")  # Shopify may add fields

    shop_id: int
    shop_domain: str = Field(min_length=1, max_length=255)


class _Customer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: int | None = None
    email: str | None = Field(None, max_length=320)


class _DataRequestId(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: int | None = None


class _CustomerPayload(_Payload):
    customer: _Customer


class _DataRequestPayload(_CustomerPayload):
    data_request: _DataRequestId | None = None


class Accepted(BaseModel):
    status: str = Field(description="accepted")
    request_id: int | None = Field(None, description="the data-subject request opened (or linked)")
    linked: bool = False


def _refused(code: str, message: str, status: int) -> JSONResponse:
    return JSONResponse(errors.body(code, message), status_code=status)


async def _signed_body(request: Request, signature: str | None) -> tuple[Context, bytes] | JSONResponse:
    ctx = store(request)
    secret = ctx.settings.shopify_webhook_secret
    if secret is None:
        raise HTTPException(status_code=404, detail="Not Found")
    body = b""
    async for chunk in request.stream():  # read no more than a compliance payload can be
        body += chunk
        if len(body) > MAX_BODY:
            return _refused("request.too_large", f"a compliance webhook is at most {MAX_BODY} bytes", 413)
    if not shopify_compliance.signature_valid(secret.value, body, signature):
        return _refused("webhook.signature_invalid", "the X-Shopify-Hmac-Sha256 signature does not match", 401)
    return ctx, body


async def _handle(
    request: Request,
    signature: str | None,
    topic: str,
    model: type[_Payload],
    act: Callable[[Context, Any], dict[str, Any]],
) -> Any:
    signed = await _signed_body(request, signature)
    if isinstance(signed, JSONResponse):
        return signed
    ctx, body = signed
    try:
        payload = model.model_validate(json.loads(body))  # a JSONDecodeError and a ValidationError are ValueErrors
    except (ValueError, RecursionError):
        await run_in_threadpool(shopify_compliance.reject, ctx, topic=topic, reason="malformed")
        return _refused("webhook.invalid", "the body is not Shopify's JSON for this topic", 400)
    try:
        return await run_in_threadpool(act, ctx, payload)
    except InvalidValue:  # no e-mail address, or not one
        await run_in_threadpool(shopify_compliance.reject, ctx, topic=topic, reason="no_email")
        return _refused("webhook.invalid", "customer.email is missing or not an e-mail address", 400)


def _email(payload: _CustomerPayload) -> str:
    if not payload.customer.email:
        raise InvalidValue("customer.email is missing", hint="Shopify sends it for customers with an address")
    return payload.customer.email


def _data_request(ctx: Context, payload: _DataRequestPayload) -> dict[str, Any]:
    request_id = payload.data_request.id if payload.data_request else None
    made = shopify_compliance.data_request(ctx, email=_email(payload), shop_id=payload.shop_id, request_id=request_id)
    return {"status": "accepted", "request_id": made.request_id, "linked": made.linked}


def _customer_redact(ctx: Context, payload: _CustomerPayload) -> dict[str, Any]:
    made = shopify_compliance.customer_redact(
        ctx, email=_email(payload), shop_id=payload.shop_id, customer_id=payload.customer.id
    )
    return {"status": "accepted", "request_id": made.request_id, "linked": made.linked}


def _shop_redact(ctx: Context, payload: _Payload) -> dict[str, Any]:
    shopify_compliance.shop_redact(ctx, shop_id=payload.shop_id, shop_domain=payload.shop_domain)
    return {"status": "accepted", "request_id": None, "linked": False}


@router.post("/customers-data-request", response_model=Accepted)
async def customers_data_request(request: Request, signature: SignatureHeader = None) -> Any:
    """An access request for `customer.email`, verified by the shop; the officer fulfils it."""
    return await _handle(request, signature, "customers/data_request", _DataRequestPayload, _data_request)


@router.post("/customers-redact", response_model=Accepted)
async def customers_redact(request: Request, signature: SignatureHeader = None) -> Any:
    """An erasure request for `customer.email`, verified by the shop; the officer fulfils it."""
    return await _handle(request, signature, "customers/redact", _CustomerPayload, _customer_redact)


@router.post("/shop-redact", response_model=Accepted)
async def shop_redact(request: Request, signature: SignatureHeader = None) -> Any:
    """Recorded in the audit log; the shop's data follows the policy's retention rules."""
    return await _handle(request, signature, "shop/redact", _Payload, _shop_redact)

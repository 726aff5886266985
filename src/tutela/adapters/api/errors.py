"""One error shape for every error: {"error": {"code", "message", "details"}}. Statuses are
chosen here only. Validation errors never echo the submitted values (they may be personal)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from tutela.core.errors import TutelaError

_BY_PREFIX = (
    ("token.invalid", 401),
    ("token.forbidden", 403),
    ("vault.access_denied", 403),
    ("vault.purpose_not_allowed", 403),
    ("customer.not_found", 404),
    ("order.not_found", 404),
    ("returns.not_found", 404),
    ("returns.already_closed", 409),
    ("hold.not_found", 404),
    ("hold.already_released", 409),
    ("amazon.revocation_pending", 409),
    ("request.not_found", 404),  # a data-subject request (and an unknown path, below)
    ("request.refused", 409),  # not in a state for this: wrong or expired code, locked, closed, extended already
    ("customer.restricted", 403),
    ("customer.erased", 410),
    ("scan.not_found", 404),
    ("scan.refused", 409),  # a location the policy does not declare, or one being scanned already; no report yet
    ("scan.input_invalid", 422),
    ("scan.cluster_unreachable", 502),  # the Dask scheduler (upstream) did not answer
    ("staff.not_found", 404),
    ("staff.exists", 409),
    ("staff.setup_invalid", 404),
    ("staff.sign_in_failed", 401),
    ("staff.locked", 423),
    ("storage.locked", 503),
    ("storage.", 503),
    ("audit.write_failed", 503),
    ("mail.not_sent", 502),  # the mail server (upstream) failed or refused; retry later
    ("vault.cannot_open", 500),
    ("keys.read_only", 409),
    ("store.", 409),
    ("policy.", 422),
    ("import.", 422),
    ("vault.", 422),
    ("input.", 422),
    ("staff.", 422),
    ("config.", 500),
    ("keys.", 500),
)


def status_for(error: TutelaError) -> int:
    for prefix, status in _BY_PREFIX:
        if error.code.startswith(prefix):
            return status
    return 500


def body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def install(app: FastAPI) -> None:
    @app.exception_handler(TutelaError)
    async def _tutela(_request: Request, error: TutelaError) -> JSONResponse:
        details: dict[str, Any] = {"hint": error.hint} if error.hint else {}
        problems = getattr(error, "problems", ())
        if problems:
            details["problems"] = list(problems)
        headers = {"WWW-Authenticate": "Bearer"} if error.code == "token.invalid" else None
        return JSONResponse(body(error.code, error.message, details), status_code=status_for(error), headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        fields = [
            {"location": [str(part) for part in item.get("loc", ())], "problem": str(item.get("msg", ""))}
            for item in error.errors()
        ]
        return JSONResponse(
            body("request.invalid", "the request does not match the schema", {"fields": fields}), status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = {404: "request.not_found", 405: "request.method_not_allowed", 413: "request.too_large"}.get(
            error.status_code, "request.error"
        )
        return JSONResponse(body(code, str(error.detail)), status_code=error.status_code)

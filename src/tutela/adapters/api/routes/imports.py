"""/api/v1/imports: upload a seller file and get its report; past imports and their reports."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, UploadFile

from tutela.adapters.api.deps import Store, principal
from tutela.services import importing
from tutela.services.tokens import TokenPrincipal

router = APIRouter(prefix="/api/v1/imports", tags=["imports"])


@router.post("", status_code=202)
def upload(
    ctx: Store,
    who: Annotated[TokenPrincipal, Depends(principal("imports:write"))],
    file: UploadFile,
    request: Request,
    response: Response,
    wait: Annotated[bool, Query(description="Answer with the report when the import is done.")] = False,
) -> dict[str, Any]:
    """Start an import job (202, then poll GET /api/v1/imports/{id} for progress and the
    report), or with ?wait=true import at once and answer with the report (200)."""
    path = importing.save_upload(ctx, name=file.filename or "upload.txt", stream=file.file)
    try:
        if wait:
            response.status_code = 200
            report = importing.import_file(ctx, actor=who.actor, path=path).as_dict()
            importing.discard_upload(path)
            return report
        job = importing.start_import_job(ctx, actor=who.actor, path=path,
                                         on_finish=lambda: importing.discard_upload(path))  # fmt: skip
        if job.worker is not None:
            request.app.state.import_workers.append(job.worker)
    except BaseException:
        importing.discard_upload(path)
        raise
    return {"import_id": job.import_id, "status_url": f"/api/v1/imports/{job.import_id}"}


@router.get("")
def past(ctx: Store, _who: Annotated[TokenPrincipal, Depends(principal("imports:write"))]) -> list[dict[str, Any]]:
    return importing.list_imports(ctx)


@router.get("/{import_id}")
def report(
    ctx: Store, import_id: int, _who: Annotated[TokenPrincipal, Depends(principal("imports:write"))]
) -> dict[str, Any]:
    return importing.import_report(ctx, import_id=import_id)

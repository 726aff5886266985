"""/api/v1/imports: upload a seller file and get its report; past imports and their reports."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, UploadFile

from tutela.adapters.api.deps import Store, principal
from tutela.core.errors import ImportFileInvalid
from tutela.services import importing
from tutela.services.tokens import TokenPrincipal

router = APIRouter(prefix="/api/v1/imports", tags=["imports"])
MAX_UPLOAD_BYTES = 512 * 1024 * 1024


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
    name = Path(file.filename or "upload.txt").name
    folder = importing.upload_folder(ctx)
    path = folder / name
    try:
        with path.open("wb") as target:
            copied = _copy_limited(file, target)
        if copied == 0:
            raise ImportFileInvalid(f"{name} is empty", hint="upload the exported report")
        if wait:
            response.status_code = 200
            report = importing.import_file(ctx, actor=who.actor, path=path).as_dict()
            shutil.rmtree(folder, ignore_errors=True)
            return report
        job = importing.start_import_job(ctx, actor=who.actor, path=path,
                                         on_finish=lambda: shutil.rmtree(folder, ignore_errors=True))  # fmt: skip
        if job.worker is not None:
            request.app.state.import_workers.append(job.worker)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return {"import_id": job.import_id, "status_url": f"/api/v1/imports/{job.import_id}"}


def _copy_limited(file: UploadFile, target: Any) -> int:
    copied = 0
    while chunk := file.file.read(1 << 20):
        copied += len(chunk)
        if copied > MAX_UPLOAD_BYTES:
            raise ImportFileInvalid("the upload is larger than 512 MB", hint="import it with `tutela import` instead")
        target.write(chunk)
    return copied


@router.get("")
def past(ctx: Store, _who: Annotated[TokenPrincipal, Depends(principal("imports:write"))]) -> list[dict[str, Any]]:
    return importing.list_imports(ctx)


@router.get("/{import_id}")
def report(
    ctx: Store, import_id: int, _who: Annotated[TokenPrincipal, Depends(principal("imports:write"))]
) -> dict[str, Any]:
    return importing.import_report(ctx, import_id=import_id)

"""/api/v1/imports: upload a seller file and get its report; past imports and their reports."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, UploadFile

from tutela.adapters.api.deps import Store, principal
from tutela.core.errors import ImportFileInvalid
from tutela.services import importing
from tutela.services.tokens import TokenPrincipal

router = APIRouter(prefix="/api/v1/imports", tags=["imports"])
MAX_UPLOAD_BYTES = 512 * 1024 * 1024


@router.post("")
def upload(
    ctx: Store, who: Annotated[TokenPrincipal, Depends(principal("imports:write"))], file: UploadFile
) -> dict[str, Any]:
    name = Path(file.filename or "upload.txt").name
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        with path.open("wb") as target:
            copied = _copy_limited(file, target)
        if copied == 0:
            raise ImportFileInvalid(f"{name} is empty", hint="upload the exported report")
        return importing.import_file(ctx, actor=who.actor, path=path).as_dict()


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

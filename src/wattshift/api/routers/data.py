"""Warehouse data: ``GET /api/data/status`` and ``POST /api/data/ingest`` (needs the API token).

Status returns what ``wattshift data status --format json`` prints; ingest takes one uploaded file
(its name tells its kind, as on the command line), ingests it all-or-nothing through
:func:`wattshift.services.data.ingest` and returns the rows of ``wattshift data ingest --format json``.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from wattshift.api.auth import require_token
from wattshift.api.deps import cached_read, encode, get_access, json_response
from wattshift.api.jsonify import bad_param
from wattshift.services import data as service

router = APIRouter(prefix="/api/data", tags=["data"])

#: Largest accepted upload [bytes] (the biggest shared data file is a few tens of MB).
MAX_UPLOAD_BYTES = 256 * 1024 * 1024

#: File names accepted for an upload (the registry recognises kinds from names like these).
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,199}$")


@router.get("/status", summary="Rows, span and last ingest per table and source file")
async def data_status(request: Request) -> Response:
    """One object per table and source: ``table, kind, source, rows, first, last, last_ingest`` (UTC)."""
    return await cached_read(request, ("data_status",), lambda wh: service.status(wh))


@router.post(
    "/ingest",
    summary="Ingest one data file (needs Authorization: Bearer <token>)",
    dependencies=[Depends(require_token)],
    responses={
        401: {"description": "Missing or wrong API token; refused before any of the body was read."},
        413: {"description": f"Body over {MAX_UPLOAD_BYTES // 2**20} MiB; refused while it streams."},
    },
    max_body_size=MAX_UPLOAD_BYTES,
)
def data_ingest(
    request: Request,
    file: Annotated[UploadFile, File(description="A known data file; its name tells its kind.")],
) -> Response:
    """Ingest the upload atomically; re-sending the same file changes nothing (status ``unchanged``).

    200 with the ingest rows when it went in; 422 naming the file, line and column when it could
    not be read (the warehouse is unchanged, the failure is in its ingest log).
    """
    name = Path(file.filename or "").name
    if not _SAFE_NAME.match(name):
        raise bad_param("file", f"file name {name!r}: use letters, digits, '.', '_' or '-'", where="body")
    access = get_access(request)
    with tempfile.TemporaryDirectory(prefix="wattshift-upload-") as tmp:
        target = Path(tmp) / name
        _save(file, target)
        with access.write() as wh:
            results = service.ingest(wh, [target])
        rows = service.results_records(results)
        for row in rows:  # name the upload, not the server's temporary copy
            if row["error"]:
                row["error"] = row["error"].replace(str(target), name)
    failed = [r for r in rows if r["status"] == "error"]
    if failed:
        return JSONResponse(
            status_code=422,
            content={"detail": failed[0]["error"], "error": "DataError", "results": rows},
        )
    return json_response(encode(rows))


def _save(upload: UploadFile, target: Path) -> None:
    """Copy the upload (already spooled to a temporary file by the form parser) to ``target`` in
    blocks of 1 MiB, so memory stays bounded whatever the size (the body limit bounds the size).
    """
    with target.open("wb") as out:
        shutil.copyfileobj(upload.file, out, 1 << 20)

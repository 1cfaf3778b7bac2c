"""Member import API: preview a file, import it (a background job), follow it, download the
rows it refused."""

from __future__ import annotations

from starlette.responses import Response

from service.imports import service
from service.imports.repository import association_of_import
from service.imports.schemas import ImportForm, ImportOut, PreviewForm, PreviewOut
from service.kit.api import ApiRouter, Call, Upload, association_admin, respond
from service.kit.csv import csv_response

router = ApiRouter(tag="imports")
#: The association's admins, its API keys and site admins.
ADMINS = association_admin()
#: The same, for the association an import belongs to.
IMPORT_ADMINS = association_admin(association_of_import, what="import")

_FILE = "the member list: CSV (UTF-8, UTF-16, Windows-1252 or Latin-1; comma, semicolon, tab or"
_FILE += " pipe), XLSX or ODS; at most 50 MiB"


@router.route(
    "/associations/{id}/imports/preview",
    "POST",
    summary="Preview a member file: detected format, encoding, delimiter, guessed column"
    " mapping and the first 20 rows (nothing is stored)",
    access=ADMINS,
    upload=Upload(max_bytes=service.MAX_UPLOAD, description=_FILE, fields=PreviewForm),
    response=PreviewOut,
    errors=(401, 403, 404, 413, 415, 422),
)
async def preview_import(call: Call) -> Response:
    """How the import would read the file."""
    association_id = call.path_id("association")
    async with call.transaction(readonly=True) as conn:
        await service.association_exists(conn, association_id)
    upload = call.upload()
    assert isinstance(upload.fields, PreviewForm)
    home = call.services.settings.home
    return respond(await service.preview(home, upload.file.file, upload.fields.chosen()))


@router.route(
    "/associations/{id}/imports",
    "POST",
    summary="Import a member file (runs in the background; poll GET /imports/{id})",
    access=ADMINS,
    upload=Upload(max_bytes=service.MAX_UPLOAD, description=_FILE, fields=ImportForm),
    response=ImportOut,
    status=202,
    errors=(401, 403, 404, 413, 415, 422),
)
async def start_import(call: Call) -> Response:
    """Store the file, refuse it (422, no import) unless it reads as a member list, queue."""
    association_id = call.path_id("association")
    async with call.transaction(readonly=True) as conn:
        await service.association_exists(conn, association_id)
    upload = call.upload()
    assert isinstance(upload.fields, ImportForm)
    accepted = await service.accept_upload(
        call.services.settings.home,
        upload.file.file,
        upload.file.filename or "",
        upload.fields.chosen(),
    )
    try:
        async with call.transaction() as conn:
            row = await service.queue_import(
                conn,
                accepted,
                association_id,
                full_sync=upload.fields.full_sync,
                created_by=call.person,
                api_key_id=call.key.key_id if call.key else None,
            )
    except BaseException:
        service.discard(accepted)
        raise
    await service.enqueue_import(call.services.arq, row.id)
    return respond(service.import_out(row), 202)


@router.route(
    "/imports/{id}",
    "GET",
    summary="An import's status, progress and counts",
    access=IMPORT_ADMINS,
    response=ImportOut,
    errors=(401, 403, 404),
)
async def get_import(call: Call) -> Response:
    """One import."""
    async with call.transaction(readonly=True) as conn:
        row = await service.get_import(conn, call.path_id("import"))
    return respond(service.import_out(row))


@router.route(
    "/imports/{id}/rejected.csv",
    "GET",
    summary="The rows an import refused: line, reason and the original values (CSV)",
    access=IMPORT_ADMINS,
    errors=(401, 403, 404),
    media_type="text/csv",
)
async def rejected_rows(call: Call) -> Response:
    """Stream the refused rows."""
    async with call.transaction(readonly=True) as conn:
        export = await service.rejected_export(conn, call.path_id("import"))
    return csv_response(call.services.pool, export)

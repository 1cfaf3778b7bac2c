"""The member import pages of an association, for its admins (and site admins): choose a file,
check how Kickoff reads it (format, encoding, delimiter, the first rows) and which column holds
what, confirm; then follow the import to its report. The same domain functions as the API and
``kickoff import``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.associations import service as associations
from service.auth import service as auth
from service.errors import DomainError, ValidationFailed
from service.imports import service as imports
from service.imports.columns import FIELDS
from service.imports.service import MAX_UPLOAD
from service.kit.api import Caller, path_id
from service.kit.db import transaction
from service.kit.html import Pages, checked_form, render, see_other
from service.kit.state import services

pages = Pages()
#: The pages that take a file, and how large it may be (the app's body limit reads this).
UPLOAD_PAGES = (("POST", "/associations/{id}/imports/preview", MAX_UPLOAD),)


async def _association(request: Request, caller: Caller, association_id: UUID) -> Any:
    """The association, if the caller may import into it (404/403 otherwise)."""
    async with transaction(services(request).pool, readonly=True) as conn:
        await associations.require_admin(conn, association_id, caller.person_id)
        return await associations.get_association(
            conn, services(request).taxonomy, caller.person_id, association_id
        )


async def _start_page(
    request: Request, caller: Caller, association_id: UUID, error: str = "", status: int = 200
) -> Response:
    association = await _association(request, caller, association_id)
    async with transaction(services(request).pool, readonly=True) as conn:
        recent = await imports.recent_imports(conn, association_id)
    context = {
        "association": association,
        "recent": recent,
        "error": error,
        "max_mib": MAX_UPLOAD // 2**20,
        "demo_mode": services(request).settings.demo_mode,
    }
    return render(request, "imports.html", context, status)


@pages.get("/associations/{id}/imports")
@auth.logged_in()
async def imports_page(request: Request, caller: Caller) -> Response:
    """Choose a member file; the association's latest imports."""
    return await _start_page(request, caller, path_id(request, what="association"))


def _refusal(exc: DomainError) -> str:
    """A refused file or choice in one sentence."""
    text = exc.fields[0]["message"] if exc.fields else exc.message
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


@pages.post("/associations/{id}/imports/preview")
@auth.logged_in("/associations")
async def preview_submit(request: Request, caller: Caller) -> Response:
    """Store the chosen file and show how it reads, with a column mapping to confirm."""
    association_id = path_id(request, what="association")
    form = await checked_form(request)
    association = await _association(request, caller, association_id)
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            message = "Choose a file to import."
            return await _start_page(request, caller, association_id, message, 422)
        accepted, preview = await imports.upload_for_review(
            services(request).settings.home, upload.file, upload.filename
        )
    except ValidationFailed as exc:
        return await _start_page(request, caller, association_id, _refusal(exc), 422)
    finally:
        await form.close()  # the upload's spooled copy; the import keeps its own
    context = {
        "association": association,
        "upload_id": accepted.import_id,
        "file_name": accepted.file_name,
        "preview": preview,
        "fields": FIELDS,
        "full_sync": form.get("full_sync") == "on",
        "error": "",
    }
    return render(request, "import_preview.html", context)


def _chosen(form: FormData, columns: int) -> dict[str, str]:
    """The mapping form: column name -> field ("" leaves the column out)."""
    chosen = {}
    for i in range(columns):
        name, field = form.get(f"column-{i}"), form.get(f"field-{i}")
        if isinstance(name, str) and isinstance(field, str):
            chosen[name] = field
    return chosen


@pages.post("/associations/{id}/imports/confirm")
@auth.logged_in("/associations")
async def confirm_submit(request: Request, caller: Caller) -> Response:
    """Import the reviewed upload with the columns chosen; then follow it."""
    association_id = path_id(request, what="association")
    form = await checked_form(request)
    await _association(request, caller, association_id)
    try:
        upload_id = UUID(str(form.get("upload_id", "")))
    except ValueError:
        return await _start_page(request, caller, association_id, "Choose the file again.", 422)
    raw_count = str(form.get("columns", "0"))
    columns = int(raw_count) if raw_count.isdigit() else 0
    settings = services(request).settings
    try:
        accepted = await imports.reviewed_upload(
            settings.home,
            upload_id,
            str(form.get("file_name", "")),
            _chosen(form, min(columns, 500)),
        )
    except DomainError as exc:
        if exc.status >= 500:
            raise
        return await _start_page(request, caller, association_id, _refusal(exc), exc.status)
    async with transaction(services(request).pool) as conn:
        row = await imports.queue_import(
            conn,
            accepted,
            association_id,
            full_sync=form.get("full_sync") == "on",
            created_by=caller.person_id,
        )
    await imports.enqueue_import(services(request).arq, row.id)
    return see_other(f"/associations/{association_id}/imports/{row.id}")


@pages.get("/associations/{id}/imports/{import_id}")
@auth.logged_in()
async def report_page(request: Request, caller: Caller) -> Response:
    """An import while it runs (the page refreshes itself), then what it did."""
    association_id = path_id(request, what="association")
    import_id = path_id(request, "import_id", what="import")
    association = await _association(request, caller, association_id)
    async with transaction(services(request).pool, readonly=True) as conn:
        found = await imports.get_import(conn, import_id)
    if found.association_id != association_id:
        return await _start_page(request, caller, association_id, "No such import here.", 404)
    context = {"association": association, "imported": imports.import_out(found)}
    return render(request, "import_report.html", context)


def routes() -> list[Route]:
    """The member import pages."""
    return pages.routes

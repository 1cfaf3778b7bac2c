"""A programme's members for its organisers: filtered (role, matched or not, country, timezone
band, status, part of the name) and paginated, without contact details."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from matching.metrics import TIMEZONE_BANDS
from service.auth import service as auth
from service.errors import ValidationFailed
from service.kit.api import Caller, parse_query_model, path_id
from service.kit.db import transaction
from service.kit.html import Pages, domain_errors, render
from service.kit.state import services
from service.pages.workspace import organised_programme, workspace_context
from service.programmes import roster
from service.programmes.schemas import MEMBER_STATUSES, MemberFilter, MemberList
from service.taxonomy.codes import COUNTRIES

pages = Pages()
PER_PAGE = 50


def _offset(request: Request) -> int:
    raw = request.query_params.get("offset", "0")
    return int(raw) if raw.isdigit() else 0


@pages.get("/organise/{id}/members")
@auth.logged_in()
async def members_page(request: Request, caller: Caller) -> Response:
    """A page of the members the filters keep; bad filters are shown with what is wrong."""
    programme_id = path_id(request, what="programme")
    errors: dict[str, str] = {}
    try:
        filters = parse_query_model(request, MemberFilter)
    except ValidationFailed as exc:
        errors, filters = domain_errors(exc), MemberFilter()
    at = _offset(request)
    async with transaction(services(request).pool, readonly=True) as conn:
        programme = await organised_programme(conn, caller, programme_id)
        found = (
            MemberList(members=[], total=0, limit=PER_PAGE, offset=at)
            if errors
            else await roster.members(conn, programme_id, filters, PER_PAGE, at)
        )
    # The filters as the form shows and links carry them ("true", "PT").
    kept = {
        k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in filters.active().items()
    }
    shown = found.offset + len(found.members)
    context = workspace_context(
        caller,
        p=programme,
        found=found,
        filters=kept,
        typed={k: v for k, v in request.query_params.items() if k in MemberFilter.model_fields}
        if errors
        else kept,
        errors=errors,
        countries=COUNTRIES,
        bands=TIMEZONE_BANDS,
        statuses=MEMBER_STATUSES,
        newer=urlencode({**kept, "offset": max(at - PER_PAGE, 0)}) if at > 0 else None,
        older=urlencode({**kept, "offset": shown}) if shown < found.total else None,
    )
    return render(request, "organise_members.html", context, 422 if errors else 200)


def routes() -> list[Route]:
    """The members page."""
    return pages.routes

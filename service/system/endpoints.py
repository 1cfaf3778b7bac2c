"""/healthz, /readyz, /openapi.json and /docs."""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from service.api import ApiRouter

log = logging.getLogger(__name__)
router = ApiRouter(prefix="", tag="system")


@router.route("/healthz", "GET", summary="The process is up", response=dict[str, str])
async def healthz(request: Request) -> Response:
    """Liveness: answers whenever the process serves requests."""
    return JSONResponse({"status": "ok"})


@router.route(
    "/readyz",
    "GET",
    summary="PostgreSQL and Redis are reachable",
    response=dict[str, str],
    errors=(503,),
)
async def readyz(request: Request) -> Response:
    """Readiness: both backing services answer within 2 seconds."""
    state = request.app.state
    checks: dict[str, str] = {}
    try:
        await asyncio.wait_for(state.pool.fetchval("SELECT 1"), 2)
        checks["database"] = "ok"
    except Exception as exc:  # any failure means "not ready", and the reason is shown
        log.warning("readyz: database: %r", exc)
        checks["database"] = "unreachable"
    try:
        await asyncio.wait_for(state.arq.ping(), 2)
        checks["redis"] = "ok"
    except Exception as exc:
        log.warning("readyz: redis: %r", exc)
        checks["redis"] = "unreachable"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ok" if ready else "unavailable", **checks}, 200 if ready else 503
    )


async def openapi_json(request: Request) -> Response:
    """The OpenAPI 3.1 document."""
    return JSONResponse(request.app.state.openapi)


async def docs_page(request: Request) -> Response:
    """A readable, script-free rendering of the OpenAPI document."""
    spec = request.app.state.openapi
    response: Response = request.app.state.templates.TemplateResponse(
        request, "docs.html", {"spec": spec}
    )
    return response

"""/healthz, /readyz, /openapi.json and /docs."""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from service.kit.api import ANYONE, ApiRouter, Call
from service.kit.html import render
from service.kit.state import config

log = logging.getLogger(__name__)
router = ApiRouter(prefix="", tag="system")


@router.route(
    "/healthz", "GET", summary="The process is up", access=ANYONE, response=dict[str, str]
)
async def healthz(call: Call) -> Response:
    """Liveness: answers whenever the process serves requests."""
    return JSONResponse({"status": "ok"})


@router.route(
    "/readyz",
    "GET",
    summary="PostgreSQL and Redis are reachable",
    access=ANYONE,
    response=dict[str, str],
    errors=(503,),
)
async def readyz(call: Call) -> Response:
    """Readiness: both backing services answer within 2 seconds."""
    state = call.services
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
    return JSONResponse(config(request).openapi)


async def docs_page(request: Request) -> Response:
    """A readable, script-free rendering of the OpenAPI document."""
    # Rendered like every other page: the same menu for the same person.
    return render(request, "docs.html", {"spec": config(request).openapi})

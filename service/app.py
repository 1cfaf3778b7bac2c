"""The Starlette application factory; the lifespan owns the database and Redis pools."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from service import db, embedded, queue
from service.api import Operation
from service.auth.endpoints import router as auth_router
from service.errors import (
    DomainError,
    domain_error_handler,
    http_exception_handler,
    unexpected_error_handler,
)
from service.introductions import endpoints as introductions
from service.middleware import BodyLimit, SecurityHeaders
from service.openapi import build_openapi
from service.pages import routes as page_routes
from service.pages.forms import linkify
from service.people.endpoints import router as people_router
from service.programmes.endpoints import router as programmes_router
from service.rounds.endpoints import router as rounds_router
from service.security import Passwords
from service.settings import Settings
from service.system import endpoints as system
from service.taxonomy.endpoints import router as taxonomy_router
from service.taxonomy.repository import load_taxonomy

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
VERSION = "0.1.0"
API_ROUTERS = (
    people_router,
    auth_router,
    taxonomy_router,
    programmes_router,
    rounds_router,
    introductions.router,
)


def operations() -> list[Operation]:
    """Every documented operation, system endpoints included."""
    return [op for r in (*API_ROUTERS, system.router) for op in r.operations]


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    """Start embedded servers if needed, migrate, open the pools; close them on shutdown."""
    settings: Settings = app.state.settings
    dsn = embedded.database_url(settings)
    redis_url = embedded.redis_url(settings)
    pool = await db.create_pool(dsn, settings.db_pool_max)
    try:
        async with pool.acquire() as conn:
            await db.migrate(conn)
        app.state.taxonomy = await load_taxonomy(pool)
        arq = await queue.connect(redis_url, settings.arq_queue_name)
        app.state.pool, app.state.arq = pool, arq
        try:
            yield
        finally:
            await arq.aclose()
    finally:
        await pool.close()


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the web application."""
    settings = settings or Settings()
    routes = [
        *(route for r in API_ROUTERS for route in r.routes()),
        *system.router.routes(),
        Route("/openapi.json", system.openapi_json, methods=["GET"]),
        Route("/docs", system.docs_page, methods=["GET"]),
        *page_routes(),
        *introductions.routes(),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders), Middleware(BodyLimit)],
        exception_handlers={
            DomainError: domain_error_handler,
            HTTPException: http_exception_handler,
            Exception: unexpected_error_handler,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.passwords = Passwords(settings.password_memory_kib, settings.password_time_cost)
    app.state.templates = Jinja2Templates(directory=HERE / "templates")
    app.state.templates.env.filters["linkify"] = linkify
    app.state.openapi = build_openapi(operations(), title="Kickoff API", version=VERSION)
    return app

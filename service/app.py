"""The Starlette application factory; the lifespan owns the database and Redis pools."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Receive, Scope, Send

from service import db, embedded, queue
from service.accounts import endpoints as accounts
from service.associations.endpoints import router as associations_router
from service.auth.endpoints import router as auth_router
from service.auth.service import current
from service.calendars.endpoints import router as calendars_router
from service.errors import (
    DomainError,
    domain_error_handler,
    http_exception_handler,
    unexpected_error_handler,
)
from service.events.endpoints import router as events_router
from service.guard import guard
from service.imports.endpoints import router as imports_router
from service.introductions import endpoints as introductions
from service.invitations.endpoints import router as invitations_router
from service.kit.api import ApiRouter, Operation
from service.kit.db import transaction
from service.kit.html import page_context, remember_nonce
from service.kit.sessions import ROLES_KEY
from service.kit.state import Config, Services, services
from service.middleware import BodyLimit, SecurityHeaders, path_limits, upload_limits
from service.nextsteps.endpoints import router as nextsteps_router
from service.openapi import build_openapi
from service.pages import routes as page_routes
from service.pages.calendars import UPLOAD_PAGES as CALENDAR_UPLOADS
from service.pages.forms import country_name, education_label, language_name, linkify
from service.pages.imports import UPLOAD_PAGES
from service.people.endpoints import router as people_router
from service.programmes.endpoints import router as programmes_router
from service.programmes.repository import roles_of as programme_roles
from service.rounds.endpoints import router as rounds_router
from service.security import Passwords
from service.settings import Settings
from service.suggestions.endpoints import router as suggestions_router
from service.system import endpoints as system
from service.taxonomy.endpoints import router as taxonomy_router
from service.taxonomy.repository import load_taxonomy

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
VERSION = "0.1.0"
ROUTERS: tuple[ApiRouter, ...] = (
    accounts.people_router,
    people_router,
    auth_router,
    accounts.auth_router,
    taxonomy_router,
    programmes_router,
    associations_router,
    events_router,
    rounds_router,
    introductions.router,
    invitations_router,
    imports_router,
    calendars_router,
    suggestions_router,
    nextsteps_router,
    system.router,
)


async def _with_caller(request: Request, exc: Exception) -> Response:
    """Error pages show the menu of the person who asked, as every other page does."""
    page = not request.url.path.startswith("/api/") and hasattr(request.app.state, "services")
    if page:
        request.state.page = page_context(request)  # the caller as PageCaller found them
    handler = domain_error_handler if isinstance(exc, DomainError) else http_exception_handler
    response = await handler(request, exc)
    return remember_nonce(request, response) if page else response


class PageCaller:
    """Looks up who is asking, and their roles, before any page is served, so that every page
    (error pages, /docs and emailed links included) shows the same menu to the same person."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and not path.startswith(
            ("/api/", "/static/", "/healthz", "/readyz", "/openapi.json")
        ):
            request = Request(scope)
            if hasattr(request.app.state, "services"):
                with contextlib.suppress(Exception):  # a page must not fail for want of a menu
                    caller = await current(request)
                    if caller is not None:
                        async with transaction(services(request).pool, readonly=True) as conn:
                            scope[ROLES_KEY] = await programme_roles(conn, caller.person_id)
        await self.app(scope, receive, send)


def operations(routers: Sequence[ApiRouter] = ROUTERS) -> list[Operation]:
    """Every documented operation, system endpoints included."""
    return [op for r in routers for op in r.operations]


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    """Start embedded servers if needed, migrate, open the pools; close them on shutdown."""
    config: Config = app.state.config
    settings = config.settings
    pool = await db.create_pool(embedded.database_url(settings), settings.db_pool_max)
    try:
        async with pool.acquire() as conn:
            await db.migrate(conn)
        async with transaction(pool, readonly=True) as conn:
            taxonomy = await load_taxonomy(conn)
        arq = await queue.connect(embedded.redis_url(settings), settings.arq_queue_name)
        app.state.services = Services(config, pool, arq, taxonomy)
        try:
            yield
        finally:
            await arq.aclose()
    finally:
        await pool.close()


def create_app(
    settings: Settings | None = None, routers: Sequence[ApiRouter] = ROUTERS
) -> Starlette:
    """Build the web application (with ``routers``' operations: every domain's by default)."""
    settings = settings or Settings()
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters.update(
        linkify=linkify,
        language_name=language_name,
        country_name=country_name,
        education_label=education_label,
    )
    ops = operations(routers)
    routes = [
        *(route for r in routers for route in r.routes(guard)),
        Route("/openapi.json", system.openapi_json, methods=["GET"]),
        Route("/docs", system.docs_page, methods=["GET"]),
        *page_routes(),
        *introductions.routes(),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(
                BodyLimit,
                uploads=[*upload_limits(ops), *path_limits([*UPLOAD_PAGES, *CALENDAR_UPLOADS])],
            ),
            Middleware(PageCaller),
        ],
        exception_handlers={
            DomainError: _with_caller,
            HTTPException: _with_caller,
            Exception: unexpected_error_handler,
        },
        lifespan=lifespan,
    )
    app.state.config = Config(
        settings=settings,
        passwords=Passwords(settings.password_memory_kib, settings.password_time_cost),
        templates=templates,
        openapi=build_openapi(ops, title="Kickoff API", version=VERSION),
    )
    return app

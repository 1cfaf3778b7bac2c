"""Server-rendered pages: rendering with a CSRF token, checking posted forms, form errors."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from service.errors import DomainError, Forbidden, ValidationFailed, field_errors
from service.kit.api import UNSTORABLE, storable_text
from service.kit.sessions import CALLER_KEY, ROLES_KEY, request_token
from service.kit.state import services
from service.security import csrf_token, csrf_valid

M = TypeVar("M", bound=BaseModel)
E = TypeVar("E", bound=Callable[..., Any])
CSRF_COOKIE = "kickoff_csrf"
CSRF_FIELD = "csrf_token"


def csrf_nonce(request: Request) -> str:
    """The browser's CSRF nonce, minted on first use (and set by :func:`remember_nonce`)."""
    nonce = request.cookies.get(CSRF_COOKIE) or request.scope.get("kickoff.csrf_nonce")
    if not nonce:
        nonce = secrets.token_urlsafe(24)
        request.scope["kickoff.csrf_nonce"] = nonce
    return str(nonce)


def form_token(request: Request, session_token: str | None = None) -> str:
    """The token to embed in a form rendered for this browser and session."""
    if session_token is None:
        session_token = request_token(request)
    return csrf_token(services(request).settings.secret, csrf_nonce(request), session_token)


def remember_nonce(request: Request, response: Response) -> Response:
    """Set the CSRF cookie if this request minted a new nonce."""
    minted = request.scope.get("kickoff.csrf_nonce")
    if minted and request.cookies.get(CSRF_COOKIE) != minted:
        response.set_cookie(
            CSRF_COOKIE,
            minted,
            httponly=True,
            samesite="lax",
            secure=services(request).settings.secure_cookies,
            path="/",
        )
    return response


async def checked_form(request: Request) -> FormData:
    """The posted form, after its CSRF token was verified (403 otherwise)."""
    form = await request.form()
    given = form.get(CSRF_FIELD)
    ok = csrf_valid(
        services(request).settings.secret,
        request.cookies.get(CSRF_COOKIE),
        request_token(request),
        given if isinstance(given, str) else "",
    )
    if not ok:
        raise Forbidden(
            "This form has expired or did not come from Kickoff. Reload the page and try again."
        )
    # No browser sends these; a crafted form must not reach the database with them.
    bad = {n: 1 for n, v in form.multi_items() if isinstance(v, str) and not storable_text(v)}
    if bad:
        raise ValidationFailed(
            "Some fields contain characters that are not text: " + ", ".join(bad),
            fields=[{"field": name, "message": UNSTORABLE} for name in bad],
        )
    return form


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    status: int = 200,
    *,
    session_token: str | None = None,
) -> Response:
    """Render a page with the CSRF token for its forms, setting the CSRF cookie if new."""
    context = {**page_context(request, session_token), **context}
    response: Response = services(request).templates.TemplateResponse(
        request, template, context, status_code=status
    )
    return remember_nonce(request, response)


def page_context(request: Request, session_token: str | None = None) -> dict[str, Any]:
    """What every page's layout uses: who is asking and their roles (for the menu, when the app
    looked them up: see the app's PageCaller), the CSRF token of its forms, the taxonomy, the
    demo flag."""
    found = services(request)
    return {
        "caller": request.scope.get(CALLER_KEY),
        "roles": request.scope.get(ROLES_KEY, frozenset()),
        "csrf_field": CSRF_FIELD,
        "csrf_token": form_token(request, session_token),
        "taxonomy": found.taxonomy,
        "demo_mode": found.settings.demo_mode,
    }


def see_other(url: str) -> RedirectResponse:
    """A 303 redirect (after a POST, the browser GETs the new page)."""
    return RedirectResponse(url, status_code=303)


def validate(model: type[M], data: dict[str, Any]) -> tuple[M | None, dict[str, str]]:
    """(model, {}) or (None, {field: message}) for re-rendering the form."""
    try:
        return model.model_validate(data), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in field_errors(exc):
            top = err["field"].split(".")[0]
            errors.setdefault(top, err["message"])
        return None, errors


def domain_errors(exc: DomainError) -> dict[str, str]:
    """A domain error as per-field messages for a form."""
    if exc.fields:
        return {f["field"].split(".")[0]: f["message"] for f in exc.fields}
    return {"_form": exc.message}


@dataclass
class Pages:
    """The HTML routes of one module, declared on their handlers (``@pages.get("/me")``)."""

    routes: list[Route] = field(default_factory=list)

    def get(self, path: str) -> Callable[[E], E]:
        """Serve the decorated handler for GET ``path``."""
        return self._route(path, "GET")

    def post(self, path: str) -> Callable[[E], E]:
        """Serve the decorated handler for POST ``path`` (a form, CSRF-checked by the handler)."""
        return self._route(path, "POST")

    def _route(self, path: str, method: str) -> Callable[[E], E]:
        def decorate(endpoint: E) -> E:
            self.routes.append(Route(path, endpoint, methods=[method]))
            return endpoint

        return decorate

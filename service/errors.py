"""Domain errors and the one place that turns them into HTTP responses."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from service.kit.messages import plain, sentence

log = logging.getLogger(__name__)


class DomainError(Exception):
    """Base for errors a request can cause; carries its HTTP status and a stable code."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, fields: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or []
        self.headers: dict[str, str] = {}


class BadRequest(DomainError):
    """The request could not be read (e.g. malformed JSON)."""


class Unauthorized(DomainError):
    """No valid session."""

    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    """Authenticated, but not allowed."""

    status = 403
    code = "forbidden"


class NotFound(DomainError):
    """No such resource (or not visible to the caller)."""

    status = 404
    code = "not_found"


class Conflict(DomainError):
    """The request conflicts with existing state."""

    status = 409
    code = "conflict"


class PayloadTooLarge(DomainError):
    """The body exceeds the size limit."""

    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(DomainError):
    """The body is not of a type this endpoint reads."""

    status = 415
    code = "unsupported_media_type"


class ValidationFailed(DomainError):
    """Field-level validation errors."""

    status = 422
    code = "validation_error"


class RateLimited(DomainError):
    """Too many attempts; retry later."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.headers["Retry-After"] = str(retry_after)


def field_errors(exc: ValidationError) -> list[dict[str, str]]:
    """Pydantic errors as ``[{"field": "availability.0.start", "message": "..."}]``, each
    message in plain words (:mod:`service.kit.messages`)."""
    out = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = ".".join(str(p) for p in err["loc"] if p not in ("body",)) or "body"
        ctx = err.get("ctx") or {}
        out.append({"field": loc, "message": plain(err["type"], err["loc"], ctx, err["msg"])})
    return out


def error_body(
    code: str, message: str, fields: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """The JSON shape of every API error."""
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    return body


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path in ("/healthz", "/readyz")


async def domain_error_handler(request: Request, exc: Exception) -> Response:
    """Render a DomainError as JSON for the API, as a small page elsewhere."""
    assert isinstance(exc, DomainError)
    if _is_api(request):
        return JSONResponse(
            error_body(exc.code, exc.message, exc.fields), exc.status, headers=exc.headers
        )
    return _html_error(request, exc.status, exc.message, exc.headers)


async def http_exception_handler(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405 in the same shapes as our errors."""
    assert isinstance(exc, HTTPException)
    codes = {404: "not_found", 405: "method_not_allowed"}
    message = exc.detail if isinstance(exc.detail, str) else "error"
    headers = dict(exc.headers or {})
    if _is_api(request):
        return JSONResponse(
            error_body(codes.get(exc.status_code, "error"), message),
            exc.status_code,
            headers=headers,
        )
    return _html_error(request, exc.status_code, message, headers)


async def unexpected_error_handler(request: Request, exc: Exception) -> Response:
    """Last resort: log the traceback, show nothing of it."""
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    message = "Something went wrong on our side; nothing was saved. Please try again."
    if _is_api(request):
        return JSONResponse(error_body("internal_error", message), 500)
    return _html_error(request, 500, message, {})


def _html_error(request: Request, status: int, message: str, headers: dict[str, str]) -> Response:
    config = getattr(request.app.state, "config", None)
    if config is None:
        return Response(message, status, headers=headers, media_type="text/plain")
    response: Response = config.templates.TemplateResponse(
        request,
        "error.html",
        # The menu of the person behind the request, when the app found who they are.
        {"status": status, "message": sentence(message), **getattr(request.state, "page", {})},
        status_code=status,
        headers=headers,
    )
    return response

"""A thin typed layer over Starlette routes: body parsing, JSON responses, OpenAPI metadata."""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from uuid import UUID

from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from service.errors import (
    BadRequest,
    NotFound,
    UnsupportedMediaType,
    ValidationFailed,
    field_errors,
)

Handler = Callable[..., Awaitable[Response]]
M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


@dataclass(frozen=True)
class Operation:
    """One documented API operation."""

    path: str
    method: str
    handler: Handler
    summary: str
    body: type[BaseModel] | None = None
    response: Any = None
    status: int = 200
    auth: bool = False
    errors: tuple[int, ...] = ()
    tag: str = ""
    query: tuple[tuple[str, str, str], ...] = ()  # (name, type, description)


@dataclass
class ApiRouter:
    """Collects operations of one domain package under a URL prefix."""

    prefix: str = "/api/v1"
    tag: str = ""
    operations: list[Operation] = field(default_factory=list)

    def route(
        self,
        path: str,
        method: str,
        *,
        summary: str,
        body: type[BaseModel] | None = None,
        response: Any = None,
        status: int = 200,
        auth: bool = False,
        errors: Sequence[int] = (),
        query: Sequence[tuple[str, str, str]] = (),
    ) -> Callable[[Handler], Handler]:
        """Register ``handler``; with ``body`` set it is called as ``handler(request, body)``."""

        def decorate(handler: Handler) -> Handler:
            if body is not None:
                model = body

                @functools.wraps(handler)
                async def wrapped(request: Request) -> Response:
                    return await handler(request, await read_json(request, model))

                target: Handler = wrapped
            else:
                target = handler
            self.operations.append(
                Operation(
                    self.prefix + path,
                    method.upper(),
                    target,
                    summary,
                    body,
                    response,
                    status,
                    auth,
                    tuple(errors),
                    self.tag,
                    tuple(query),
                )
            )
            return target

        return decorate

    def routes(self) -> list[Route]:
        """Starlette routes for the registered operations."""
        return [Route(op.path, op.handler, methods=[op.method]) for op in self.operations]


#: Why :func:`storable_text` refused a field.
UNSTORABLE = "contains a NUL character or an unpaired surrogate, which are not text"


def storable_text(text: str) -> bool:
    """Whether PostgreSQL can store ``text``: no NUL character and no lone surrogate."""
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, e.g. from a "\ud800" escape in JSON
        return False
    return True


def unstorable_fields(data: Any, path: str = "") -> list[str]:
    """Dotted paths of the strings (keys or values) in parsed JSON that cannot be stored."""
    if isinstance(data, str):
        return [] if storable_text(data) else [path or "body"]
    if isinstance(data, list):
        return [p for i, item in enumerate(data) for p in unstorable_fields(item, f"{path}.{i}")]
    if isinstance(data, dict):
        found = []
        for key, value in data.items():
            name = f"{path}.{key}" if path else str(key)
            if not storable_text(key):
                found.append(path or "body")
            found += unstorable_fields(value, name)
        return found
    return []


def _reject_constant(name: str) -> None:
    # Python's json accepts NaN and Infinity; JSON does not.
    raise ValueError(f"{name} is not valid JSON")


async def read_json(request: Request, model: type[M]) -> M:
    """Parse the body as JSON into ``model``: 415, 400 or 422 with per-field messages."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        # Also our CSRF defence for the JSON API: browsers cannot send cross-site JSON bodies.
        raise UnsupportedMediaType("send the body as JSON with Content-Type: application/json")
    raw = await request.body()
    try:
        data = json.loads(raw, parse_constant=_reject_constant) if raw else None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"the body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValidationFailed(
            "the body must be a JSON object",
            fields=[{"field": "body", "message": "expected a JSON object"}],
        )
    if bad := unstorable_fields(data):
        raise ValidationFailed(
            "some fields contain characters that are not text",
            fields=[{"field": name, "message": UNSTORABLE} for name in dict.fromkeys(bad)],
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed("some fields are invalid", fields=field_errors(exc)) from None


def parse_query(request: Request, name: str, adapter: TypeAdapter[T], default: T) -> T:
    """One query parameter validated with ``adapter``; 422 naming the parameter otherwise."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        return adapter.validate_python(raw)
    except ValidationError as exc:
        message = exc.errors(include_url=False)[0]["msg"]
        raise ValidationFailed(
            f"invalid query parameter {name}", fields=[{"field": name, "message": message}]
        ) from None


def path_id(request: Request, name: str = "id", *, what: str = "resource") -> UUID:
    """A UUID path parameter; 404 when it is not a UUID (no such resource can exist)."""
    try:
        return UUID(request.path_params[name])
    except ValueError:
        raise NotFound(f"no such {what}") from None


def respond(payload: BaseModel | dict[str, Any] | list[Any], status: int = 200) -> JSONResponse:
    """A JSON response from a pydantic model (serialised in JSON mode) or plain data."""
    if isinstance(payload, BaseModel):
        payload = payload.model_dump(mode="json")
    return JSONResponse(payload, status)

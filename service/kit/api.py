"""The API layer over Starlette routes: who may call, body parsing, JSON responses, OpenAPI.

Each operation declares who may call it (:class:`Access`); the router enforces that through
the guard the app hands it, before the handler runs, and gives the handler the caller in a
:class:`Call`. The OpenAPI document reads the same declarations.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, TypeVar
from uuid import UUID

from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from service.errors import (
    BadRequest,
    NotFound,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
    field_errors,
)
from service.kit.db import Conn, transaction
from service.kit.messages import plain
from service.kit.schemas import LIMIT, OFFSET
from service.kit.state import Services, services

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


class Rule(enum.StrEnum):
    """Who may call an operation."""

    ANYONE = "anyone"
    PERSON = "person"
    SITE_ADMIN = "site_admin"
    ORGANISER = "organiser"
    ASSOCIATION_ADMIN = "association_admin"
    EVENT_HOST = "event_host"


#: Finds the programme (or association) that the path's ``{id}`` belongs to (None when there is
#: no such thing).
ProgrammeOf = Callable[[Conn, UUID], Awaitable[UUID | None]]
OwnerOf = ProgrammeOf


@dataclass(frozen=True)
class Access:
    """An operation's rule; for organisers and association admins, how to find the programme
    or association in the path."""

    rule: Rule
    #: None: the path's ``{id}`` is the programme (or association) itself.
    owner_of: OwnerOf | None = None
    #: What the path's ``{id}`` names, for "no such ..." messages.
    what: str = "programme"
    #: Association admins: whether the association's API keys may call it too.
    keys: bool = False

    @property
    def needs_session(self) -> bool:
        """Whether a logged-in caller is required."""
        return self.rule is not Rule.ANYONE


ANYONE = Access(Rule.ANYONE)
PERSON = Access(Rule.PERSON)
SITE_ADMIN = Access(Rule.SITE_ADMIN)


def organiser(programme_of: ProgrammeOf | None = None, what: str = "programme") -> Access:
    """Organisers of the programme in the path (or of ``programme_of`` it), and site admins."""
    return Access(Rule.ORGANISER, programme_of, what)


def association_admin(
    association_of: OwnerOf | None = None, what: str = "association", *, keys: bool = True
) -> Access:
    """Admins of the association in the path (or of the one ``association_of`` finds for the
    path's ``{id}``), site admins, and (unless ``keys`` is False) that association's API keys."""
    return Access(Rule.ASSOCIATION_ADMIN, association_of, what, keys)


def event_host() -> Access:
    """The hosts of the event in the path (its association's admins and API keys, its
    programme's organisers) and site admins. Without an ``{id}`` in the path (creating one),
    anyone logged in or any association's API key: the domain checks the host the body names."""
    return Access(Rule.EVENT_HOST, what="event", keys=True)


@dataclass(frozen=True)
class Caller:
    """The authenticated caller of a request."""

    person_id: UUID
    token: str


@dataclass(frozen=True)
class KeyCaller:
    """An association's API key calling one of that association's admin operations: no
    person, so it can call nothing else."""

    key_id: UUID
    association_id: UUID


#: Checks ``access`` for a request: the caller (None for anyone), or 401/403/404.
Guard = Callable[[Request, Access], Awaitable[Caller | KeyCaller | None]]


@dataclass(frozen=True)
class Upload:
    """A multipart body: one file in ``field``, at most ``max_bytes`` (streamed to disk)."""

    field: str = "file"
    max_bytes: int = 20 * 1024 * 1024
    description: str = ""
    #: Plain form fields sent beside the file, validated like a JSON body.
    fields: type[BaseModel] | None = None


@dataclass(frozen=True)
class Uploaded:
    """A received upload: the file (a temporary file once large) and the other fields."""

    file: UploadFile
    fields: BaseModel | None


@dataclass(frozen=True)
class Call:
    """One call of an operation: the request, the app's services, the caller and the body."""

    request: Request
    services: Services
    auth: Caller | None
    parsed: Any = None
    #: The API key calling, on operations that let an association's keys call them.
    key: KeyCaller | None = None

    @property
    def caller(self) -> Caller:
        """The logged-in caller (the router guarantees one unless the operation is public)."""
        if self.auth is None:
            raise Unauthorized("log in first")
        return self.auth

    @property
    def person(self) -> UUID | None:
        """The logged-in person calling, or None when an API key calls."""
        return None if self.auth is None else self.auth.person_id

    def body(self, model: type[M]) -> M:
        """The validated JSON body."""
        assert isinstance(self.parsed, model), "the operation declares another body"
        return self.parsed

    def optional_body(self, model: type[M]) -> M | None:
        """The validated JSON body of an operation whose body may be left out (None then)."""
        assert self.parsed is None or isinstance(self.parsed, model), "another body is declared"
        return self.parsed

    def upload(self) -> Uploaded:
        """The received multipart upload."""
        assert isinstance(self.parsed, Uploaded), "the operation declares no upload"
        return self.parsed

    def path_id(self, what: str = "resource", name: str = "id") -> UUID:
        """A UUID path parameter (404 when it is not one)."""
        return path_id(self.request, name, what=what)

    def query(self, name: str, adapter: TypeAdapter[T], default: T) -> T:
        """One validated query parameter."""
        return parse_query(self.request, name, adapter, default)

    def required_query(self, name: str, adapter: TypeAdapter[T]) -> T:
        """One validated query parameter that must be sent (422 naming it otherwise)."""
        return required_query(self.request, name, adapter)

    def query_model(self, model: type[M]) -> M:
        """The query parameters named like ``model``'s fields, validated together (422 naming
        every bad one); others are left alone."""
        return parse_query_model(self.request, model)

    def page(self, default_limit: int = 100) -> tuple[int, int]:
        """(limit, offset) from the query string."""
        return self.query("limit", LIMIT, default_limit), self.query("offset", OFFSET, 0)

    def transaction(self, *, readonly: bool = False) -> AbstractAsyncContextManager[Conn]:
        """The request's transaction: domain operations take its connection."""
        return transaction(self.services.pool, readonly=readonly)


Handler = Callable[[Call], Awaitable[Response]]


@dataclass(frozen=True)
class Operation:
    """One documented API operation."""

    path: str
    method: str
    handler: Handler
    summary: str
    access: Access
    body: type[BaseModel] | None = None
    upload: Upload | None = None
    response: Any = None
    status: int = 200
    errors: tuple[int, ...] = ()
    tag: str = ""
    query: tuple[tuple[str, str, str], ...] = ()  # (name, type, description)
    #: False: the JSON body may be left out altogether (an empty request body).
    body_required: bool = True
    #: The success response's media type: JSON, or e.g. ``text/csv`` for a download.
    media_type: str = "application/json"

    @property
    def name(self) -> str:
        """The operationId."""
        return self.handler.__name__


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
        access: Access,
        body: type[BaseModel] | None = None,
        body_required: bool = True,
        upload: Upload | None = None,
        response: Any = None,
        status: int = 200,
        errors: Sequence[int] = (),
        query: Sequence[tuple[str, str, str]] = (),
        media_type: str = "application/json",
    ) -> Callable[[Handler], Handler]:
        """Register ``handler(call)``; ``access`` says who may call it (required).

        With ``body_required=False`` a request without a body (none at all, of any type) is
        handed on with no body (:meth:`Call.optional_body`); one with a body is read as usual.
        A ``media_type`` other than JSON documents a download (e.g. ``text/csv``); errors stay
        JSON.
        """
        assert body is None or upload is None, "a body is JSON or an upload, not both"
        assert body_required or body is not None, "only a declared JSON body can be optional"

        def decorate(handler: Handler) -> Handler:
            self.operations.append(
                Operation(
                    self.prefix + path,
                    method.upper(),
                    handler,
                    summary,
                    access,
                    body,
                    upload,
                    response,
                    status,
                    tuple(errors),
                    self.tag,
                    tuple(query),
                    body_required,
                    media_type,
                )
            )
            return handler

        return decorate

    def routes(self, guard: Guard) -> list[Route]:
        """Starlette routes for the registered operations, each checked by ``guard`` first."""
        return [Route(op.path, endpoint(op, guard), methods=[op.method]) for op in self.operations]


def endpoint(op: Operation, guard: Guard) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint of ``op``: check access, read the body, call the handler."""

    async def run(request: Request) -> Response:
        found = await guard(request, op.access)
        caller = found if isinstance(found, Caller) else None
        key = found if isinstance(found, KeyCaller) else None
        parsed: Any = None
        if op.body is not None and (op.body_required or await request.body()):
            parsed = await read_json(request, op.body)
        elif op.upload is not None:
            parsed = await read_upload(request, op.upload)
        try:
            return await op.handler(Call(request, services(request), caller, parsed, key))
        finally:
            if isinstance(parsed, Uploaded):
                await parsed.file.close()

    run.__name__ = op.name
    run.__doc__ = op.handler.__doc__
    return run


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
    """Parse the body as JSON into ``model``: 415, 400 or 422 with per-field messages.

    No body at all (no Content-Type either) reads as ``{}``: fine for a model whose fields are
    all optional, a 422 naming each required field otherwise.
    """
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        # Also our CSRF defence for the JSON API: browsers cannot send cross-site JSON bodies.
        # A page could still POST nothing with no Content-Type, but browsers send an Origin
        # with every POST: an empty body reads as {} only from clients that send none.
        if ctype or "origin" in request.headers or await request.body():
            raise UnsupportedMediaType("send the body as JSON with Content-Type: application/json")
        data: Any = {}
    else:
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


async def read_upload(request: Request, spec: Upload) -> Uploaded:
    """Parse a multipart body: one file (spooled to a temporary file) and its fields."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "multipart/form-data":
        raise UnsupportedMediaType(
            f"send the file as multipart/form-data in the field {spec.field!r}"
        )
    try:
        # The body's size is limited per route by the BodyLimit middleware while it streams.
        form = await request.form(max_files=1, max_fields=50)
    except MultiPartException as exc:
        raise BadRequest(f"the multipart body could not be read: {exc.message}") from None
    file = form.get(spec.field)
    if not isinstance(file, UploadFile):
        await form.close()
        raise ValidationFailed(
            "no file was sent", fields=[{"field": spec.field, "message": "attach a file"}]
        )
    fields: BaseModel | None = None
    if spec.fields is not None:
        values = {k: v for k, v in form.multi_items() if k != spec.field and isinstance(v, str)}
        if bad := unstorable_fields(values):
            await form.close()
            raise ValidationFailed(
                "some fields contain characters that are not text",
                fields=[{"field": name, "message": UNSTORABLE} for name in bad],
            )
        try:
            fields = spec.fields.model_validate(values)
        except ValidationError as exc:
            await form.close()
            raise ValidationFailed("some fields are invalid", fields=field_errors(exc)) from None
    return Uploaded(file, fields)


def required_query(request: Request, name: str, adapter: TypeAdapter[T]) -> T:
    """A query parameter that must be sent, validated with ``adapter`` (422 naming it)."""
    raw = request.query_params.get(name)
    if raw is None:
        raise ValidationFailed(
            f"the query parameter {name} is required",
            fields=[{"field": name, "message": plain("missing", (name,), {}, "")}],
        )
    return _query_value(name, raw, adapter)


def parse_query(request: Request, name: str, adapter: TypeAdapter[T], default: T) -> T:
    """One query parameter validated with ``adapter``; 422 naming the parameter otherwise."""
    raw = request.query_params.get(name)
    return default if raw is None else _query_value(name, raw, adapter)


def _query_value(name: str, raw: str, adapter: TypeAdapter[T]) -> T:
    try:
        return adapter.validate_python(raw)
    except ValidationError as exc:
        first = field_errors(exc)[0]["message"]
        raise ValidationFailed(
            f"invalid query parameter {name}", fields=[{"field": name, "message": first}]
        ) from None


def parse_query_model(request: Request, model: type[M]) -> M:
    """The query parameters named like ``model``'s fields, validated together; 422 naming every
    bad one."""
    data = {k: v for k, v in request.query_params.items() if k in model.model_fields}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(
            "some query parameters are invalid", fields=field_errors(exc)
        ) from None


def model_query(model: type[BaseModel]) -> tuple[tuple[str, str, str], ...]:
    """An operation's documented query parameters (name, type, description) from a model."""
    return tuple(
        (
            name,
            "boolean" if f.annotation in (bool, bool | None) else "string",
            f.description or "",
        )
        for name, f in model.model_fields.items()
    )


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

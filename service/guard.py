"""The guard every API operation passes: it enforces the operation's declared :class:`Access`.

Wiring above the domains (it reads sessions from ``auth``, roles from ``programmes`` and
``associations``, API keys from ``associations``), so that no domain package has to remember
to check who is calling.
"""

from __future__ import annotations

from uuid import UUID

from starlette.requests import Request

from service.associations import keys
from service.associations import service as associations
from service.auth.service import session_caller
from service.errors import Forbidden, NotFound, Unauthorized
from service.events import service as events
from service.kit.api import Access, Caller, KeyCaller, Rule, path_id
from service.kit.db import Conn, transaction
from service.kit.sessions import request_token
from service.kit.state import services
from service.programmes import roles

#: Why an API key was refused where it cannot be used.
KEY_NOT_HERE = (
    "an API key can only call its association's admin operations; log in to do anything else"
)
KEY_NOT_FOR_THIS = (
    "an API key cannot manage keys or ask for programmes; log in as an admin of the association"
)


async def _owner(conn: Conn, request: Request, access: Access) -> UUID:
    """The programme or association the operation acts on (404 when there is none)."""
    target = path_id(request, what=access.what)
    if access.owner_of is None:
        return target
    found = await access.owner_of(conn, target)
    if found is None:
        raise NotFound(f"no such {access.what}")
    return found


async def _key_caller(conn: Conn, request: Request, access: Access, key: str) -> KeyCaller | None:
    """The API key calling, checked against ``access``; None when it is no key at all."""
    found = await keys.authenticate(conn, key)
    if found is None:
        if request.headers.get("x-api-key"):
            raise Unauthorized("this API key is not valid: no association has it")
        return None  # a bearer token that only looks like a key: perhaps a session
    key_id, association_id = found
    if access.rule is Rule.EVENT_HOST:
        if "id" in request.path_params:
            event = path_id(request, what="event")
            if await events.event_association(conn, event) != association_id:
                raise Forbidden("this API key belongs to another association than the event's")
        await keys.used(conn, key_id)
        return KeyCaller(key_id, association_id)
    if access.rule is not Rule.ASSOCIATION_ADMIN:
        raise Unauthorized(KEY_NOT_HERE)
    target = await _owner(conn, request, access)
    await associations.require_association(conn, target)
    if target != association_id:
        raise Forbidden("this API key belongs to another association")
    if not access.keys:
        raise Forbidden(KEY_NOT_FOR_THIS)
    await keys.used(conn, key_id)
    return KeyCaller(key_id, association_id)


async def guard(request: Request, access: Access) -> Caller | KeyCaller | None:
    """The caller if ``access`` allows them: 401 without a session (or with a revoked or
    unknown API key), 404/403 otherwise."""
    if not access.needs_session:
        return None
    async with transaction(services(request).pool) as conn:
        key = keys.presented_key(request)
        if key is not None and (found := await _key_caller(conn, request, access, key)):
            return found
        caller = await session_caller(conn, request_token(request))
        if caller is None:
            raise Unauthorized("log in first")
        if access.rule is Rule.SITE_ADMIN:
            await roles.require_admin(conn, caller.person_id)
        elif access.rule is Rule.ORGANISER:
            await roles.require_organiser(
                conn, await _owner(conn, request, access), caller.person_id
            )
        elif access.rule is Rule.ASSOCIATION_ADMIN:
            owner = await _owner(conn, request, access)
            await associations.require_admin(conn, owner, caller.person_id)
        elif access.rule is Rule.EVENT_HOST and "id" in request.path_params:
            event = path_id(request, what="event")
            await events.require_host(conn, event, caller.person_id)
    return caller

"""The guard every API operation passes: it enforces the operation's declared :class:`Access`.

Wiring above the domains (it reads sessions from ``auth`` and roles from ``programmes``), so
that no domain package has to remember to check who is calling.
"""

from __future__ import annotations

from starlette.requests import Request

from service.auth.service import session_caller
from service.errors import NotFound, Unauthorized
from service.kit.api import Access, Caller, Rule, path_id
from service.kit.db import transaction
from service.kit.sessions import request_token
from service.kit.state import services
from service.programmes import roles


async def guard(request: Request, access: Access) -> Caller | None:
    """The caller if ``access`` allows them: 401 without a session, 404/403 otherwise."""
    if not access.needs_session:
        return None
    async with transaction(services(request).pool) as conn:
        caller = await session_caller(conn, request_token(request))
        if caller is None:
            raise Unauthorized("log in first")
        if access.rule is Rule.SITE_ADMIN:
            await roles.require_admin(conn, caller.person_id)
        elif access.rule is Rule.ORGANISER:
            target = path_id(request, what=access.what)
            programme = target
            if access.programme_of is not None:
                found = await access.programme_of(conn, target)
                if found is None:
                    raise NotFound(f"no such {access.what}")
                programme = found
            await roles.require_organiser(conn, programme, caller.person_id)
    return caller

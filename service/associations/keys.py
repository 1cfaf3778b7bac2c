"""API keys of an association: made here, shown once, kept as a SHA-256 only, scoped to their
association; the guard lets them call that association's admin operations and nothing else."""

from __future__ import annotations

import secrets
from uuid import UUID

from starlette.requests import HTTPConnection

from service.associations import repository as repo
from service.associations.schemas import ApiKeyCreated, ApiKeyList, ApiKeyOut
from service.errors import NotFound, Unauthorized
from service.kit.db import Conn
from service.security import token_hash

#: Every key starts with this, so a key is told from a session token (and found by scanners).
PREFIX = "kk_"
#: The characters of a key kept to tell keys apart (the prefix and 8 random ones).
SHOWN = len(PREFIX) + 8
REVOKED = "this API key was revoked; ask the association's admins for a new one"


def new_key() -> str:
    """A new random key: ``kk_`` and 256 random bits, URL-safe."""
    return PREFIX + secrets.token_urlsafe(32)


def presented_key(conn: HTTPConnection) -> str | None:
    """The key a request carries: ``X-Api-Key``, or an ``Authorization: Bearer kk_...``."""
    given = conn.headers.get("x-api-key", "").strip()
    if given:
        return given
    header = conn.headers.get("authorization", "")
    if header.lower().startswith("bearer ") and header[7:].strip().startswith(PREFIX):
        return header[7:].strip()
    return None


async def authenticate(conn: Conn, key: str) -> tuple[UUID, UUID] | None:
    """(key id, association id) of a live key; None for a key no association has (a bearer
    token that only looks like one may still be a session); 401 for a revoked one."""
    found = await repo.key_by_hash(conn, token_hash(key))
    if found is None:
        return None
    if found["revoked"]:
        raise Unauthorized(REVOKED)
    return found["id"], found["association_id"]


async def used(conn: Conn, key_id: UUID) -> None:
    """Record the key's use (committed with the request's check)."""
    await repo.touch_key(conn, key_id)


async def create_key(
    conn: Conn, association_id: UUID, name: str, created_by: UUID | None
) -> ApiKeyCreated:
    """A new key for the association; the only time the key itself is returned."""
    key = new_key()
    row = await repo.insert_key(
        conn, association_id, name, key[:SHOWN], token_hash(key), created_by
    )
    return ApiKeyCreated(**row, key=key)


async def list_keys(conn: Conn, association_id: UUID) -> ApiKeyList:
    """The association's keys (never the keys themselves)."""
    return ApiKeyList(keys=[ApiKeyOut(**r) for r in await repo.keys_of(conn, association_id)])


async def revoke_key(conn: Conn, association_id: UUID, key_id: UUID) -> None:
    """Revoke one of the association's keys at once (404 if it has no such key)."""
    if not await repo.revoke_key(conn, association_id, key_id):
        raise NotFound("this association has no such API key")

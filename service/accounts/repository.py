"""Emailed one-time links and the account columns they act on. No commits here: the caller
owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from service.kit.db import Conn, deleted


@dataclass(frozen=True)
class LinkRow:
    """An emailed link found by its token, and whether it still works."""

    id: UUID
    person_id: UUID
    #: "" while it works; else why not: "used", "expired", or "moved" (the person's address
    #: is no longer the one it was sent to).
    state: str
    #: Whether the person's current address is verified.
    verified: bool


@dataclass(frozen=True)
class Address:
    """A signed-up person's address and password hash."""

    email: str
    verified: bool
    password_hash: str


async def create_link(
    conn: Conn,
    link_id: UUID,
    purpose: str,
    person_id: UUID,
    email: str,
    token_hash: bytes,
    lifetime: timedelta,
) -> None:
    """Store a new link to ``email`` (only the hash of its token), working for ``lifetime``."""
    await conn.execute(
        "INSERT INTO email_links (id, purpose, person_id, email, token_hash, expires_at)"
        " VALUES ($1, $2, $3, $4, $5, now() + $6::interval)",
        link_id,
        purpose,
        person_id,
        email,
        token_hash,
        lifetime,
    )


async def find_link(conn: Conn, token_hash: bytes, purpose: str) -> LinkRow | None:
    """The link with this token hash and purpose, and why it no longer works (if it does not)."""
    row = await conn.fetchrow(
        "SELECT l.id, l.person_id, CASE WHEN l.used_at IS NOT NULL THEN 'used'"
        "  WHEN l.expires_at <= now() THEN 'expired'"
        "  WHEN lower(p.email) <> lower(l.email) THEN 'moved' ELSE '' END AS state,"
        " p.email_verified_at IS NOT NULL AS verified"
        " FROM email_links l JOIN people p ON p.id = l.person_id"
        " WHERE l.token_hash = $1 AND l.purpose = $2",
        token_hash,
        purpose,
    )
    return None if row is None else LinkRow(**dict(row))


async def use_link(conn: Conn, token_hash: bytes, purpose: str) -> UUID | None:
    """Mark the link used if it still works (unused, unexpired, its person still at the address
    it was sent to); its person's id, or None. Of two uses at once, the second waits on the
    row and then finds it used."""
    person_id: UUID | None = await conn.fetchval(
        "UPDATE email_links l SET used_at = now() FROM people p"
        " WHERE l.token_hash = $1 AND l.purpose = $2 AND l.used_at IS NULL"
        " AND l.expires_at > now() AND p.id = l.person_id AND lower(p.email) = lower(l.email)"
        " RETURNING l.person_id",
        token_hash,
        purpose,
    )
    return person_id


async def retire_links(conn: Conn, person_id: UUID, purpose: str) -> None:
    """End every unused link of a person for ``purpose`` (as if used)."""
    await conn.execute(
        "UPDATE email_links SET used_at = now()"
        " WHERE person_id = $1 AND purpose = $2 AND used_at IS NULL",
        person_id,
        purpose,
    )


#: Expired invitations are kept longer than other links, so that their page still says they
#: expired and whom to ask for a new one (rather than not knowing the link at all).
KEEP_INVITATIONS = timedelta(days=90)


async def purge_links(conn: Conn, keep: timedelta) -> int:
    """Delete links expired more than ``keep`` ago (invitations: :data:`KEEP_INVITATIONS`);
    how many."""
    return await deleted(
        conn,
        "DELETE FROM email_links WHERE expires_at <= now() - CASE purpose"
        " WHEN 'invitation' THEN greatest($1::interval, $2::interval) ELSE $1::interval END",
        keep,
        KEEP_INVITATIONS,
    )


async def address_of(conn: Conn, person_id: UUID, *, for_update: bool = False) -> Address | None:
    """A signed-up person's address, whether it is verified, and their password hash."""
    row = await conn.fetchrow(
        "SELECT email, email_verified_at IS NOT NULL AS verified, password_hash FROM people"  # noqa: S608 - constant SQL fragments
        " WHERE id = $1 AND claimed_at IS NOT NULL" + (" FOR UPDATE" if for_update else ""),
        person_id,
    )
    return None if row is None else Address(**dict(row))


async def signed_up_person(conn: Conn, email: str) -> tuple[UUID, str] | None:
    """(id, address as stored) of the signed-up person with this email in any case."""
    row = await conn.fetchrow(
        "SELECT id, email FROM people WHERE lower(email) = lower($1) AND claimed_at IS NOT NULL",
        email,
    )
    return None if row is None else (row["id"], row["email"])


async def mark_verified(conn: Conn, person_id: UUID) -> None:
    """The person's current address is verified (from now, unless it already was)."""
    await conn.execute(
        "UPDATE people SET email_verified_at = now() WHERE id = $1 AND email_verified_at IS NULL",
        person_id,
    )


async def mark_unverified(conn: Conn, person_id: UUID) -> None:
    """The person's address (a new one) is not verified."""
    await conn.execute("UPDATE people SET email_verified_at = NULL WHERE id = $1", person_id)


async def set_password(
    conn: Conn, person_id: UUID, password_hash: str, *, replacing: str | None = None
) -> bool:
    """Store a new password hash; with ``replacing``, only if that is still the stored one.
    Whether it was stored."""
    changed = await conn.fetchval(
        "UPDATE people SET password_hash = $2"
        " WHERE id = $1 AND claimed_at IS NOT NULL"
        " AND ($3::text IS NULL OR password_hash = $3) RETURNING true",
        person_id,
        password_hash,
        replacing,
    )
    return bool(changed)

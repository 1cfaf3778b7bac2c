"""Session and login-failure queries. No commits here: the caller owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from service.kit.db import Conn, deleted


@dataclass(frozen=True)
class SessionRow:
    """A live session."""

    person_id: UUID
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    user_agent: str
    ip: str


async def create_session(
    conn: Conn,
    token_hash: bytes,
    person_id: UUID,
    lifetime: timedelta,
    user_agent: str,
    ip: str,
) -> None:
    """Store a new session under the hash of its token."""
    await conn.execute(
        "INSERT INTO sessions (token_hash, person_id, expires_at, user_agent, ip)"
        " VALUES ($1, $2, now() + $3::interval, $4, $5)",
        token_hash,
        person_id,
        lifetime,
        user_agent[:300],
        ip,
    )


async def live_session(conn: Conn, token_hash: bytes) -> SessionRow | None:
    """The unexpired session for a token hash, touching last_seen_at at most every 5 minutes."""
    found = await conn.fetchrow(
        "SELECT person_id, created_at, last_seen_at, expires_at, user_agent, ip FROM sessions"
        " WHERE token_hash = $1 AND expires_at > now()",
        token_hash,
    )
    if found is None:
        return None
    # Touch at most every 5 minutes so reads do not turn every request into a write.
    await conn.execute(
        "UPDATE sessions SET last_seen_at = now()"
        " WHERE token_hash = $1 AND last_seen_at < now() - interval '5 minutes'",
        token_hash,
    )
    return SessionRow(**dict(found))


async def delete_session(conn: Conn, token_hash: bytes) -> None:
    """Revoke one session."""
    await conn.execute("DELETE FROM sessions WHERE token_hash = $1", token_hash)


async def delete_sessions_of(conn: Conn, person_id: UUID, *, keep: bytes | None = None) -> int:
    """Revoke every session of a person but the one whose token hash is ``keep``; how many."""
    return await deleted(
        conn,
        "DELETE FROM sessions WHERE person_id = $1 AND ($2::bytea IS NULL OR token_hash <> $2)",
        person_id,
        keep,
    )


async def sessions_of(conn: Conn, person_id: UUID) -> list[SessionRow]:
    """A person's live sessions, newest first."""
    rows = await conn.fetch(
        "SELECT person_id, created_at, last_seen_at, expires_at, user_agent, ip FROM sessions"
        " WHERE person_id = $1 AND expires_at > now() ORDER BY created_at DESC",
        person_id,
    )
    return [SessionRow(**dict(r)) for r in rows]


async def record_failure(conn: Conn, email: str, ip: str) -> None:
    """Note a failed login."""
    await conn.execute(
        "INSERT INTO login_failures (email_lower, ip) VALUES (lower($1), $2)", email, ip
    )


async def recent_failures(conn: Conn, email: str, ip: str, window: timedelta) -> tuple[int, int]:
    """(failures for this email, failures from this IP) within ``window``."""
    row = await conn.fetchrow(
        """SELECT (SELECT count(*) FROM login_failures
                    WHERE email_lower = lower($1) AND at > now() - $3::interval) AS by_email,
                  (SELECT count(*) FROM login_failures
                    WHERE ip = $2 AND at > now() - $3::interval) AS by_ip""",
        email,
        ip,
        window,
    )
    assert row is not None
    return row["by_email"], row["by_ip"]


async def clear_failures(conn: Conn, email: str) -> None:
    """Forget failures for an email after a successful login or erasure."""
    await conn.execute("DELETE FROM login_failures WHERE email_lower = lower($1)", email)


async def failures_of(conn: Conn, email: str) -> list[datetime]:
    """Times of failed logins against an email (for the export)."""
    rows = await conn.fetch(
        "SELECT at FROM login_failures WHERE email_lower = lower($1) ORDER BY at", email
    )
    return [r["at"] for r in rows]


async def purge_expired(conn: Conn, keep_failures: timedelta) -> tuple[int, int]:
    """Delete expired sessions and old login failures; returns how many of each."""
    sessions = await deleted(conn, "DELETE FROM sessions WHERE expires_at <= now()")
    failures = await deleted(
        conn, "DELETE FROM login_failures WHERE at <= now() - $1::interval", keep_failures
    )
    return sessions, failures


async def recent_hits(conn: Conn, action: str, key: str, window: timedelta) -> tuple[int, int]:
    """(requests counted for ``action`` by ``key`` within ``window``, whole seconds until the
    oldest of them leaves it).

    Takes a lock on (action, key) until the transaction ends, so that requests at once are
    counted one after the other and a limit is never exceeded.
    """
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || $2, 0))", action, key
    )
    row = await conn.fetchrow(
        "SELECT count(*) AS hits,"
        " coalesce(ceil(extract(epoch FROM min(at) + $3::interval - now())), 0)::int AS wait"
        " FROM rate_limit_hits WHERE action = $1 AND key = $2 AND at > now() - $3::interval",
        action,
        key,
        window,
    )
    assert row is not None
    return row["hits"], row["wait"]


async def record_hit(conn: Conn, action: str, key: str) -> None:
    """Count one request for ``action`` by ``key`` (a person id, a lower-case email, an IP)."""
    await conn.execute("INSERT INTO rate_limit_hits (action, key) VALUES ($1, $2)", action, key)


async def clear_hits(conn: Conn, keys: list[str]) -> None:
    """Forget the requests counted by these keys (an erased person's id and email)."""
    await conn.execute("DELETE FROM rate_limit_hits WHERE key = ANY($1::text[])", keys)


async def purge_hits(conn: Conn, keep: timedelta) -> int:
    """Delete counted requests older than ``keep``; how many."""
    return await deleted(conn, "DELETE FROM rate_limit_hits WHERE at <= now() - $1::interval", keep)


async def find_credentials(conn: Conn, email: str) -> tuple[UUID, str] | None:
    """(id, password hash) for an email in any case, or None (an unclaimed person has none)."""
    row = await conn.fetchrow(
        "SELECT id, password_hash FROM people WHERE lower(email) = lower($1)"
        " AND claimed_at IS NOT NULL",
        email,
    )
    return None if row is None else (row["id"], row["password_hash"])

"""Invitation links, the associations behind them and their reminders. No commits here: the
caller owns the transaction.

Associations' names and memberships are read with this package's own SQL: it needs nothing
more of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from service.kit.db import Conn
from service.people.repository import PROFILE_COLUMNS

#: The link purpose (email_links.purpose) and the kind of the email carrying it.
INVITATION = "invitation"
REMINDER = "invitation_reminder"
MEMBER_NOTICE = "association_member"

#: Names of the associations a person is (or, once joined, was) invited by, oldest first.
_ASSOCIATIONS = (
    "ARRAY(SELECT a.name FROM association_members m"
    " JOIN associations a ON a.id = m.association_id"
    " WHERE m.person_id = {} AND m.status IN ('invited', 'active')"
    " ORDER BY m.created_at, a.name)"
)


@dataclass(frozen=True)
class InvitationRow:
    """An invitation link found by its token, and whether it still works."""

    id: UUID
    person_id: UUID
    email: str
    created_at: datetime
    expires_at: datetime
    #: "" while it works; else why not: "used" (accepted), "joined" (the person signed up
    #: another way), "replaced" (a newer link was sent), "expired", "moved" (the person's
    #: address is no longer the one it was sent to).
    state: str
    associations: list[str]


async def find_invitation(conn: Conn, token_hash: bytes) -> InvitationRow | None:
    """The invitation link with this token hash, and why it no longer works (if it does not)."""
    row = await conn.fetchrow(
        "SELECT l.id, l.person_id, l.email, l.created_at, l.expires_at,"  # noqa: S608 - constant SQL
        " CASE WHEN p.claimed_at IS NOT NULL THEN"
        "   CASE WHEN l.used_at IS NOT NULL THEN 'used' ELSE 'joined' END"
        "  WHEN l.used_at IS NOT NULL THEN 'replaced'"
        "  WHEN l.expires_at <= now() THEN 'expired'"
        "  WHEN lower(p.email) <> lower(l.email) THEN 'moved' ELSE '' END AS state,"
        f" {_ASSOCIATIONS.format('l.person_id')} AS associations"
        " FROM email_links l JOIN people p ON p.id = l.person_id"
        " WHERE l.token_hash = $1 AND l.purpose = $2",
        token_hash,
        INVITATION,
    )
    return None if row is None else InvitationRow(**dict(row))


async def use_invitation(conn: Conn, token_hash: bytes) -> tuple[UUID, str] | None:
    """Mark the invitation link used if it still works (unused, unexpired, its person not yet
    signed up and still at the address it was sent to): (person id, their address), or None.
    Of two uses at once, the second waits on the link's row and then finds it used."""
    row = await conn.fetchrow(
        "UPDATE email_links l SET used_at = now() FROM people p"
        " WHERE l.token_hash = $1 AND l.purpose = $2 AND l.used_at IS NULL"
        " AND l.expires_at > now() AND p.id = l.person_id AND p.claimed_at IS NULL"
        " AND lower(p.email) = lower(l.email)"
        " RETURNING l.person_id, p.email",
        token_hash,
        INVITATION,
    )
    return None if row is None else (row["person_id"], row["email"])


async def imported_profile(conn: Conn, person_id: UUID) -> dict[str, Any] | None:
    """What was recorded about a person not yet signed up (an import's columns), by column."""
    columns = ", ".join(f'"{c}"' for c in PROFILE_COLUMNS)
    row = await conn.fetchrow(
        f"SELECT {columns} FROM people WHERE id = $1 AND claimed_at IS NULL",  # noqa: S608 - names from PROFILE_COLUMNS
        person_id,
    )
    return None if row is None else dict(row)


async def invited_member(conn: Conn, association_id: UUID, person_id: UUID) -> str | None:
    """The address of this association's invited member (imported, not signed up), locking
    the person's row so that resends of their invitation take turns; None if there is none."""
    email: str | None = await conn.fetchval(
        "SELECT p.email FROM association_members m JOIN people p ON p.id = m.person_id"
        " WHERE m.association_id = $1 AND m.person_id = $2 AND m.status = 'invited'"
        " AND p.claimed_at IS NULL FOR UPDATE OF p",
        association_id,
        person_id,
    )
    return email


async def queue_reminders(conn: Conn, now: datetime, after: timedelta) -> list[UUID]:
    """One reminder (repeating the invitation's link) to each invited person whose invitation
    was delivered ``after`` ago at ``now`` and still works; never a second one to anyone.

    A cron run twice (or two at once) queues it once: (kind, link, person) is unique."""
    rows = await conn.fetch(
        "INSERT INTO outbox (kind, subject_kind, subject_id, recipient_id, message_id)"
        " SELECT $3, 'email_link', l.id::text, l.person_id,"
        "        outbox_message_id($3, l.id::text, l.person_id)"
        " FROM email_links l JOIN people p ON p.id = l.person_id"
        " WHERE l.purpose = $4 AND l.used_at IS NULL AND l.expires_at > $1"
        " AND p.claimed_at IS NULL AND lower(p.email) = lower(l.email)"
        " AND EXISTS (SELECT 1 FROM outbox o WHERE o.kind = $4 AND o.subject_kind = 'email_link'"
        "             AND o.subject_id = l.id::text AND o.recipient_id = l.person_id"
        "             AND o.status = 'sent' AND o.sent_at <= $1 - $2::interval)"
        " AND EXISTS (SELECT 1 FROM association_members m"
        "             WHERE m.person_id = l.person_id AND m.status = 'invited')"
        " AND NOT EXISTS (SELECT 1 FROM outbox o"
        "                 WHERE o.kind = $3 AND o.recipient_id = l.person_id)"
        " ON CONFLICT (kind, subject_kind, subject_id, recipient_id) DO NOTHING RETURNING id",
        now,
        after,
        REMINDER,
        INVITATION,
    )
    return [r["id"] for r in rows]


async def store_delivered_link(
    conn: Conn,
    link_id: UUID,
    person_id: UUID,
    digest: bytes,
    lifetime: timedelta,
    queued_at: datetime,
) -> None:
    """Store an invitation link as its email goes out, unless it is stored already; ended at
    once when a newer invitation link of the person exists (made after ``queued_at``)."""
    await conn.execute(
        "INSERT INTO email_links (id, purpose, person_id, email, token_hash, expires_at, used_at)"
        " SELECT $1, $6, p.id, p.email, $3, now() + $4::interval,"
        "        CASE WHEN EXISTS (SELECT 1 FROM email_links l WHERE l.person_id = p.id"
        "                          AND l.purpose = $6 AND l.created_at > $5) THEN now() END"
        " FROM people p WHERE p.id = $2"
        " ON CONFLICT (id) DO NOTHING",
        link_id,
        person_id,
        digest,
        lifetime,
        queued_at,
        INVITATION,
    )


@dataclass(frozen=True)
class LinkEmail:
    """What an invitation email says about its link: when it was sent, until when it works,
    and who invited the person."""

    created_at: datetime
    expires_at: datetime
    associations: list[str]


async def link_email(conn: Conn, link_id: UUID) -> LinkEmail | None:
    """An invitation link's dates and the associations behind it."""
    row = await conn.fetchrow(
        f"SELECT l.created_at, l.expires_at, {_ASSOCIATIONS.format('l.person_id')} AS associations"  # noqa: S608 - constant SQL
        " FROM email_links l WHERE l.id = $1",
        link_id,
    )
    return None if row is None else LinkEmail(**dict(row))


async def association_name(conn: Conn, association_id: UUID) -> str | None:
    """An association's name."""
    name: str | None = await conn.fetchval(
        "SELECT name FROM associations WHERE id = $1", association_id
    )
    return name

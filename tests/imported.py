"""What a member import writes (the contract with service/imports), done directly in SQL, so that
the invitation tests do not depend on the import pipeline.

In one transaction: the import; for each new person, an unclaimed person with what the file
said of them, an "invited" membership from the import, a one-time invitation link (30 days)
and its 'invitation' email in the outbox; for each person who already had an account, an
"active" membership and one 'association_member' notice. The emails are left for the outbox
sweeper to enqueue (enqueued_at NULL: never enqueued), as a lost enqueue would be; an import
may as well enqueue them itself after its commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from service.security import link_token, token_hash


@dataclass(frozen=True)
class Invited:
    """A person an import created, and their invitation."""

    id: UUID
    email: str
    link_id: UUID
    token: str


async def association(pool: asyncpg.Pool, name: str = "PMI Lisbon Chapter") -> UUID:
    """A new association (a chapter in Lisbon)."""
    found: UUID = await pool.fetchval(
        "INSERT INTO associations (name, kind, city, country) VALUES ($1, 'chapter', 'Lisbon',"
        " 'PT') RETURNING id",
        name,
    )
    return found


async def import_members(
    pool: asyncpg.Pool,
    secret: bytes,
    association_id: UUID,
    new: list[dict[str, Any]],
    existing: Sequence[UUID] = (),
) -> list[Invited]:
    """Import ``new`` people (dicts of email and profile columns the unclaimed row allows:
    display_name, city, country, years_experience, certifications_held...) and people who
    already have an account (``existing``) into the association, as an import does."""
    invited = []
    async with pool.acquire() as conn, conn.transaction():
        import_id = await conn.fetchval(
            "INSERT INTO imports (association_id, status, finished_at, rows_read, created,"
            " linked, invitations) VALUES ($1, 'done', now(), $2, $3, $4, $3) RETURNING id",
            association_id,
            len(new) + len(existing),
            len(new),
            len(existing),
        )
        for person in new:
            columns = list(person)
            person_id = await conn.fetchval(
                f"INSERT INTO people ({', '.join(columns)}, claimed_at)"
                f" VALUES ({', '.join(f'${i}' for i in range(1, len(columns) + 1))}, NULL)"
                " RETURNING id",
                *person.values(),
            )
            await conn.execute(
                "INSERT INTO association_members (association_id, person_id, source, status,"
                " import_id) VALUES ($1, $2, 'import', 'invited', $3)",
                association_id,
                person_id,
                import_id,
            )
            link_id = uuid.uuid4()
            token = link_token(secret, "invitation", link_id)
            await conn.execute(
                "INSERT INTO email_links (id, purpose, person_id, email, token_hash, expires_at)"
                " VALUES ($1, 'invitation', $2, $3, $4, now() + interval '30 days')",
                link_id,
                person_id,
                person["email"],
                token_hash(token),
            )
            await conn.execute(
                "INSERT INTO outbox (kind, subject_kind, subject_id, recipient_id, message_id,"
                " enqueued_at) VALUES ('invitation', 'email_link', $1, $2,"
                " outbox_message_id('invitation', $1, $2), NULL)",
                str(link_id),
                person_id,
            )
            invited.append(Invited(person_id, person["email"], link_id, token))
        for person_id in existing:
            await conn.execute(
                "INSERT INTO association_members (association_id, person_id, source, status,"
                " import_id) VALUES ($1, $2, 'import', 'active', $3)",
                association_id,
                person_id,
                import_id,
            )
            await conn.execute(
                "INSERT INTO outbox (kind, subject_kind, subject_id, recipient_id, message_id,"
                " enqueued_at) VALUES ('association_member', 'association', $1, $2,"
                " outbox_message_id('association_member', $1, $2), NULL)",
                str(association_id),
                person_id,
            )
    return invited


#: An imported member as a chapter's file describes her.
UMA = {
    "email": "uma.costa@example.org",
    "display_name": "Uma Costa",
    "city": "Lisbon",
    "country": "PT",
    "years_experience": 6,
    "certifications_held": ["pmp"],
}

#: A valid invitation form (the profile fields are the sign-up form's).
ACCEPT = {
    "password": "correct horse battery staple",
    "roles": ["mentee", "mentor"],
    "mentor_capacity": "3",
    "display_name": "Uma Costa",
    "city": "Lisbon",
    "country": "PT",
    "timezone": "Europe/Lisbon",
    "languages": ["pt", "en"],
    "years_experience": "6",
    "certifications_held": "PMP",
    "meeting_modes": "remote",
    "availability": "Tue 18:00-20:00",
    "consent_to_match": "on",
}

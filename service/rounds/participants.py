"""Loading a programme's members for a round. No commits here: the job owns the transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from service.kit.db import OPEN, Conn
from service.rounds.repository import NotEnteredRow


@dataclass(frozen=True)
class ParticipantRow:
    """A member taking part in a round: what matching needs of their profile."""

    id: UUID
    display_name: str
    skills: list[str]
    goals: list[str]
    certifications_held: list[str]
    certifications_target: list[str]
    tools: list[str]
    industries: list[str]
    languages: list[str]
    years_experience: int
    current_role: str
    headline: str
    bio: str
    employer: str
    country: str
    timezone: str
    mentor_capacity: int | None
    joined_at: datetime
    #: A mentor's places left (their capacity minus pending and active mentorships).
    places: int = 0


@dataclass(frozen=True)
class Participants:
    """Who takes part in a round, with what matching needs of them, and who does not."""

    mentees: list[ParticipantRow]
    mentors: list[ParticipantRow]
    windows: dict[UUID, list[tuple[int, int, int]]]
    previous_pairs: list[tuple[UUID, UUID]]
    overrides: list[tuple[UUID, UUID, str]]
    #: Members of the programme the round does not enter, and why.
    not_entered: list[NotEnteredRow] = field(default_factory=list)


@dataclass(frozen=True)
class MemberRow:
    """A signed-up member of a programme and what decides whether a round enters them."""

    person: ParticipantRow
    is_mentee: bool
    is_mentor: bool
    consents: bool
    verified: bool
    #: A pending or active mentorship in this programme as the mentee.
    has_mentor: bool


@dataclass(frozen=True)
class Members:
    """Every signed-up member of a programme, their windows, earlier pairs and overrides."""

    members: list[MemberRow]
    windows: dict[UUID, list[tuple[int, int, int]]]
    previous_pairs: list[tuple[UUID, UUID]]
    overrides: list[tuple[UUID, UUID, str]]


#: A member's profile as matching reads it (the columns of :class:`ParticipantRow`).
_PERSON = """
SELECT p.id, p.display_name, p.skills, p.goals, p.certifications_held, p.certifications_target,
       p.tools, p.industries, p.languages, p.years_experience, p."current_role", p.headline,
       p.bio, p.employer, p.country, p.timezone, p.mentor_capacity, m.joined_at
  FROM programme_members m JOIN people p ON p.id = m.person_id
 WHERE m.programme_id = $1 AND p.claimed_at IS NOT NULL
"""

_MEMBER = ("is_mentee", "is_mentor", "consents", "verified", "has_mentor")


async def load_members(conn: Conn, programme_id: UUID) -> Members:
    """Every signed-up member (in joining order), with what decides whether a round enters
    them: consent, a verified address, a mentor already, a mentor's places left."""
    rows = await conn.fetch(
        "SELECT q.*, p.is_mentee, p.is_mentor, p.consent_to_match AS consents,"  # noqa: S608 - constant SQL fragments
        " p.email_verified_at IS NOT NULL AS verified,"
        " EXISTS (SELECT 1 FROM mentorships ms WHERE ms.programme_id = $1"
        "   AND ms.mentee_id = p.id AND ms.status = ANY($2::text[])) AS has_mentor,"
        " CASE WHEN p.is_mentor THEN COALESCE(p.mentor_capacity, 0)"
        "   - (SELECT count(*) FROM mentorships ms WHERE ms.mentor_id = p.id"
        "      AND ms.status = ANY($2::text[])) ELSE 0 END AS places"
        " FROM (" + _PERSON + ") q JOIN people p ON p.id = q.id ORDER BY q.joined_at, q.id",
        programme_id,
        list(OPEN),
    )
    members = []
    for r in rows:
        found = dict(r)
        flags = {k: found.pop(k) for k in _MEMBER}
        members.append(MemberRow(ParticipantRow(**found), **flags))
    windows: dict[UUID, list[tuple[int, int, int]]] = {}
    for w in await conn.fetch(
        "SELECT w.person_id, w.weekday, w.start_minute, w.end_minute"
        " FROM availability_windows w JOIN programme_members m ON m.person_id = w.person_id"
        " WHERE m.programme_id = $1",
        programme_id,
    ):
        windows.setdefault(w["person_id"], []).append(
            (w["weekday"], w["start_minute"], w["end_minute"])
        )
    previous = await conn.fetch(
        "SELECT mentee_id, mentor_id FROM mentorships WHERE programme_id = $1", programme_id
    )
    overrides = await conn.fetch(
        "SELECT mentee_id, mentor_id, kind FROM programme_overrides WHERE programme_id = $1",
        programme_id,
    )
    return Members(
        members,
        windows,
        [(r["mentee_id"], r["mentor_id"]) for r in previous],
        [(r["mentee_id"], r["mentor_id"], r["kind"]) for r in overrides],
    )


async def custom_tag_texts(conn: Conn, programme_id: UUID) -> dict[str, str]:
    """The words the programme's members typed for their custom tags, by slug (the first
    member to join wins when two typed the same tag differently), for reasons in words."""
    rows = await conn.fetch(
        "SELECT t.key, t.value FROM programme_members m JOIN people p ON p.id = m.person_id,"
        " jsonb_each_text(p.tag_texts) t WHERE m.programme_id = $1 AND p.claimed_at IS NOT NULL"
        " ORDER BY m.joined_at, p.id",
        programme_id,
    )
    texts: dict[str, str] = {}
    for r in rows:
        texts.setdefault(r["key"], r["value"])
    return texts

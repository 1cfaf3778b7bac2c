"""Applying a staged import, set-wise, inside the caller's one transaction: people, memberships,
invitation emails, full sync. No row-by-row statements, no commits here.

The new members of each chunk of the file are applied as soon as it is staged
(:func:`apply_chunk`, while the next chunk is read), the rest once the whole file is
(:func:`finish`): the people already in Kickoff, repeated rows, full sync, the counts. Since the
caller's transaction spans them all, the import still applies completely or not at all.

Rows of one address (any case) are merged: the earliest row is the member, and each field it
leaves empty takes the first value a later row of that address gives. NULL in a staged column
means "the file does not say": it never erases what is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from service.kit.db import Conn

#: Staged columns of a member's values (besides the address and the line).
_VALUES = (
    "display_name",
    "member_ref",
    "city",
    "country",
    "years_experience",
    "languages",
    "skills",
    "certifications",
    "tools",
    "tag_texts",
    "data",
)
_SCALARS = ("display_name", "member_ref", "city", "country", "years_experience")
_ARRAYS = ("languages", "skills", "certifications", "tools")

_MERGED = """
CREATE TEMP TABLE import_merged (
    key              text NOT NULL,
    line             integer NOT NULL,
    email            text NOT NULL,
    display_name     text,
    member_ref       text,
    city             text,
    country          text,
    years_experience smallint,
    languages        text[],
    skills           text[],
    certifications   text[],
    tools            text[],
    tag_texts        jsonb,
    data             jsonb NOT NULL,
    -- the person already in Kickoff with this address (NULL: new, to be created as new_id)
    person_id        uuid,
    claimed          boolean NOT NULL DEFAULT false,
    new_id           uuid NOT NULL DEFAULT gen_random_uuid(),
    -- a new person's invitation link (made when the email is delivered: see invitations)
    link_id          uuid NOT NULL DEFAULT gen_random_uuid(),
    -- whether later rows of the address filled what the first left empty
    filled           boolean NOT NULL DEFAULT false
) ON COMMIT DROP
"""
# By address (a chunk adds only addresses not seen before) and by line (each chunk's steps
# take the rows it added, not the whole table again).
_MERGED_INDEXES = (
    "CREATE UNIQUE INDEX ON import_merged (key)",
    "CREATE INDEX ON import_merged (line)",
)

# Who this import linked (a membership added for someone already in Kickoff) or updated.
_CHANGED = """
CREATE TEMP TABLE import_changed (person_id uuid NOT NULL, what text NOT NULL) ON COMMIT DROP
"""

# The addresses a chunk (lines $2 to $3) is the first to give: chunks come in file order, one
# at a time (NOT EXISTS, not ON CONFLICT, whose speculative insertion costs more).
_FIRST_OF_EACH_ADDRESS = f"""
INSERT INTO import_merged (key, line, email, {", ".join(_VALUES)}, person_id, claimed)
SELECT DISTINCT ON (lower(r.email)) lower(r.email), r.line, r.email, {
    ", ".join(f"r.{c}" for c in _VALUES)
}, p.id, coalesce(p.claimed_at IS NOT NULL, false)
FROM import_rows r LEFT JOIN people p ON lower(p.email) = lower(r.email)
WHERE r.import_id = $1 AND r.line BETWEEN $2 AND $3
  AND NOT EXISTS (SELECT 1 FROM import_merged m WHERE m.key = lower(r.email))
ORDER BY lower(r.email), r.line
"""  # noqa: S608 - fixed names

_FILL_FROM_LATER_ROWS = """
UPDATE import_merged m SET {sets}, filled = true,
    data = coalesce((SELECT jsonb_object_agg(k, v) FROM (
                SELECT DISTINCT ON (e.key) e.key, e.value FROM import_rows x, jsonb_each(x.data) e
                WHERE x.import_id = $1 AND lower(x.email) = m.key ORDER BY e.key, x.line
            ) AS d(k, v)), '{{}}'),
    tag_texts = (SELECT jsonb_object_agg(k, v) FROM (
                SELECT DISTINCT ON (e.key) e.key, e.value
                FROM import_rows x, jsonb_each(coalesce(x.tag_texts, '{{}}')) e
                WHERE x.import_id = $1 AND lower(x.email) = m.key ORDER BY e.key, x.line
            ) AS d(k, v))
FROM (
    SELECT lower(r.email) AS key, {picks}
    FROM import_rows r
    WHERE r.import_id = $1
    GROUP BY lower(r.email) HAVING count(*) > 1
) later
WHERE later.key = m.key
""".format(  # noqa: S608 - fixed names
    sets=", ".join(f"{c} = coalesce(m.{c}, later.{c})" for c in (*_SCALARS, *_ARRAYS)),
    picks=", ".join(
        [
            f"(array_agg(r.{c} ORDER BY r.line) FILTER (WHERE r.{c} IS NOT NULL))[1] AS {c}"
            for c in _SCALARS
        ]
        + [
            f"string_to_array((array_agg(array_to_string(r.{c}, ' ') ORDER BY r.line)"
            f" FILTER (WHERE r.{c} IS NOT NULL))[1], ' ') AS {c}"
            for c in _ARRAYS
        ]
    ),
)

# Someone signing up with an address at the same moment wins it: that row is then linked
# (see _LOST_RACES).
_CREATE_PEOPLE = """
INSERT INTO people (id, email, display_name, claimed_at, city, country, years_experience,
                    languages, skills, certifications_held, tools, tag_texts)
SELECT new_id, email, display_name, NULL, coalesce(city, ''), coalesce(country, ''),
       coalesce(years_experience, 0), coalesce(languages, '{}'), coalesce(skills, '{}'),
       coalesce(certifications, '{}'), coalesce(tools, '{}'), coalesce(tag_texts, '{}')
FROM import_merged WHERE person_id IS NULL AND line BETWEEN $1 AND $2 ORDER BY key
ON CONFLICT ((lower(email))) DO NOTHING
"""

_LOST_RACES = """
UPDATE import_merged m SET person_id = p.id, claimed = p.claimed_at IS NOT NULL
FROM people p
WHERE m.person_id IS NULL AND m.line BETWEEN $1 AND $2 AND lower(p.email) = m.key
  AND p.id <> m.new_id
"""

# What later rows of an address filled in, written over what its first row created.
_FILL_NEW_PEOPLE = """
UPDATE people p SET display_name = m.display_name, city = coalesce(m.city, ''),
    country = coalesce(m.country, ''), years_experience = coalesce(m.years_experience, 0),
    languages = coalesce(m.languages, '{}'), skills = coalesce(m.skills, '{}'),
    certifications_held = coalesce(m.certifications, '{}'), tools = coalesce(m.tools, '{}'),
    tag_texts = coalesce(m.tag_texts, '{}')
FROM import_merged m WHERE m.filled AND m.person_id IS NULL AND p.id = m.new_id
"""
_FILL_NEW_MEMBERS = """
UPDATE association_members am SET member_ref = coalesce(m.member_ref, ''), details = m.data
FROM import_merged m
WHERE m.filled AND m.person_id IS NULL AND am.association_id = $1 AND am.person_id = m.new_id
"""

# Only people who have not signed up: a signed-up person's profile is theirs alone.
_PROFILE = {
    "display_name": "coalesce(m.display_name, p.display_name)",
    "city": "coalesce(m.city, p.city)",
    "country": "coalesce(m.country, p.country)",
    "years_experience": "coalesce(m.years_experience, p.years_experience)",
    "languages": "coalesce(m.languages, p.languages)",
    "skills": "coalesce(m.skills, p.skills)",
    "certifications_held": "coalesce(m.certifications, p.certifications_held)",
    "tools": "coalesce(m.tools, p.tools)",
    "tag_texts": "p.tag_texts || coalesce(m.tag_texts, '{}')",
}
_REFRESH_UNCLAIMED = """
WITH changed AS (
    UPDATE people p SET {sets}, updated_at = now()
    FROM import_merged m
    WHERE p.id = m.person_id AND p.claimed_at IS NULL
      AND ({old}) IS DISTINCT FROM ({new})
    RETURNING p.id
)
INSERT INTO import_changed SELECT id, 'profile' FROM changed
""".format(  # noqa: S608 - fixed names
    sets=", ".join(f"{c} = {e}" for c, e in _PROFILE.items()),
    old=", ".join(f"p.{c}" for c in _PROFILE),
    new=", ".join(_PROFILE.values()),
)

_NEW_MEMBERS = """
INSERT INTO association_members
    (association_id, person_id, member_ref, source, status, import_id, details)
SELECT $2, new_id, coalesce(member_ref, ''), 'import', 'invited', $1, data
FROM import_merged WHERE person_id IS NULL AND line BETWEEN $3 AND $4 ORDER BY new_id
"""

# People already in Kickoff. A membership already there keeps its source; the file's member ID
# (when it gives one) and details replace the stored ones; whoever is in the file is a member
# again (not ended): active once they have an account, invited until then. Unchanged
# memberships are not written. Those who have an account and have just become active members
# (new, back after leaving, or confirmed) are told, once per association ever (the outbox's
# unique key; sql/0010's outbox_message_id names every email).
_EXISTING_MEMBERS = """
WITH before AS (
    SELECT person_id, status FROM association_members WHERE association_id = $2
), written AS (
    INSERT INTO association_members AS am
        (association_id, person_id, member_ref, source, status, import_id, details)
    SELECT $2, m.person_id, coalesce(m.member_ref, ''), 'import',
           CASE WHEN m.claimed THEN 'active' ELSE 'invited' END, $1, m.data
    FROM import_merged m WHERE m.person_id IS NOT NULL
    ON CONFLICT (association_id, person_id) DO UPDATE SET
        member_ref = coalesce(nullif(EXCLUDED.member_ref, ''), am.member_ref),
        status = EXCLUDED.status, ended_at = NULL, details = am.details || EXCLUDED.details,
        import_id = EXCLUDED.import_id, updated_at = now()
    WHERE (am.member_ref, am.status, am.details)
          IS DISTINCT FROM (coalesce(nullif(EXCLUDED.member_ref, ''), am.member_ref),
                            EXCLUDED.status, am.details || EXCLUDED.details)
    RETURNING am.person_id, am.status, xmax = 0 AS inserted
), noted AS (
    INSERT INTO import_changed
    SELECT person_id, CASE WHEN inserted THEN 'linked' ELSE 'membership' END FROM written
), told AS (
    INSERT INTO outbox (kind, subject_kind, subject_id, recipient_id, message_id)
    SELECT 'association_member', 'association', $2::uuid::text, w.person_id,
           outbox_message_id('association_member', $2::uuid::text, w.person_id)
    FROM written w LEFT JOIN before b ON b.person_id = w.person_id
    WHERE w.status = 'active' AND b.status IS DISTINCT FROM 'active'
    ON CONFLICT (kind, subject_kind, subject_id, recipient_id) DO NOTHING
    RETURNING id
)
INSERT INTO import_outbox SELECT id FROM told
"""

_OUTBOX = """
CREATE TEMP TABLE IF NOT EXISTS import_outbox (id uuid NOT NULL)
"""

# One invitation email per person this import created (new: nothing can conflict, so no ON
# CONFLICT, whose speculative insertion costs a third of the time here). Its subject is the
# link it will carry, made when it is delivered (invitations.service.email_context).
_INVITE = """
WITH queued AS (
    INSERT INTO outbox (kind, subject_kind, subject_id, recipient_id, message_id)
    SELECT 'invitation', 'email_link', link_id::text, new_id,
           outbox_message_id('invitation', link_id::text, new_id)
    FROM import_merged WHERE person_id IS NULL AND line BETWEEN $1 AND $2 ORDER BY link_id
    RETURNING id
)
INSERT INTO import_outbox SELECT id FROM queued
"""

# Members the file leaves out, who came from imports; not those whose row was refused.
# (Memberships this import wrote carry its id; the others of people in the file are found
# through import_merged.)
_FULL_SYNC = """
WITH ended AS (
    UPDATE association_members am
    SET status = 'ended', ended_at = now(), updated_at = now(), import_id = $1
    WHERE am.association_id = $2 AND am.source = 'import' AND am.status <> 'ended'
      AND am.import_id IS DISTINCT FROM $1
      AND NOT EXISTS (SELECT 1 FROM import_merged m WHERE m.person_id = am.person_id)
      AND NOT EXISTS (SELECT 1 FROM import_rejects r
                      JOIN people p ON lower(p.email) = lower(r.email)
                      WHERE r.import_id = $1 AND p.id = am.person_id)
    RETURNING 1
)
SELECT count(*) FROM ended
"""

_MEMBERS = """
SELECT count(*) AS members, count(*) FILTER (WHERE person_id IS NULL) AS created,
       (SELECT count(*) FROM import_rows WHERE import_id = $1) AS staged
FROM import_merged
"""
_CHANGES = """
SELECT count(*) FILTER (WHERE linked) AS linked, count(*) FILTER (WHERE NOT linked) AS updated
FROM (SELECT bool_or(what = 'linked') AS linked FROM import_changed GROUP BY person_id) x
"""


@dataclass(frozen=True)
class Applied:
    """What applying an import did."""

    members: int
    created: int
    linked: int
    updated: int
    duplicates_merged: int
    ended: int
    invitations: int
    #: Emails queued (invitations and notices), to enqueue after the commit.
    emails: int

    @property
    def unchanged(self) -> int:
        """Members already there as the file has them."""
        return self.members - self.created - self.linked - self.updated


async def begin(conn: Conn) -> None:
    """Make this transaction's working tables (dropped at its commit)."""
    for table in (_MERGED, *_MERGED_INDEXES, _CHANGED, _OUTBOX):
        await conn.execute(table)
    await conn.execute("TRUNCATE import_outbox")


async def apply_chunk(
    conn: Conn, import_id: UUID, association_id: UUID, first_line: int, last_line: int
) -> None:
    """Create the people new to Kickoff whose address first appears in lines ``first_line`` to
    ``last_line`` (staged), their memberships and invitation emails."""
    await conn.execute(_FIRST_OF_EACH_ADDRESS, import_id, first_line, last_line)
    created = await _count(conn, _CREATE_PEOPLE, first_line, last_line)
    new = await conn.fetchval(
        "SELECT count(*) FROM import_merged WHERE person_id IS NULL AND line BETWEEN $1 AND $2",
        first_line,
        last_line,
    )
    if created < new:
        await conn.execute(_LOST_RACES, first_line, last_line)
    await conn.execute(_NEW_MEMBERS, import_id, association_id, first_line, last_line)
    await conn.execute(_INVITE, first_line, last_line)


async def finish(conn: Conn, import_id: UUID, association_id: UUID, *, full_sync: bool) -> Applied:
    """Apply the rest once every chunk is in: repeated rows, people already in Kickoff, full
    sync; clear the staged rows. The outbox ids of the emails queued are left in the temporary
    table ``import_outbox`` of this connection, for :func:`queued_emails` after the commit."""
    merged = await conn.fetchrow(_MEMBERS, import_id)
    assert merged is not None
    duplicates = merged["staged"] - merged["members"]
    if duplicates:
        await conn.execute(_FILL_FROM_LATER_ROWS, import_id)
        await conn.execute(_FILL_NEW_PEOPLE)
        await conn.execute(_FILL_NEW_MEMBERS, association_id)
    notices = 0
    if merged["created"] < merged["members"]:  # people already in Kickoff (none at first)
        await conn.execute(_REFRESH_UNCLAIMED)
        notices = await _count(conn, _EXISTING_MEMBERS, import_id, association_id)
    ended = 0
    if full_sync and merged["members"]:
        ended = await conn.fetchval(_FULL_SYNC, import_id, association_id)
    changes = await conn.fetchrow(_CHANGES)
    assert changes is not None
    await conn.execute("DELETE FROM import_rows WHERE import_id = $1", import_id)
    return Applied(
        members=merged["members"],
        created=merged["created"],
        linked=changes["linked"],
        updated=changes["updated"],
        duplicates_merged=duplicates,
        ended=ended,
        invitations=merged["created"],
        emails=merged["created"] + notices,
    )


async def _count(conn: Conn, sql: str, *args: object) -> int:
    """Run an INSERT; how many rows it inserted."""
    status = await conn.execute(sql, *args)
    return int(status.split()[-1])


async def queued_emails(conn: Conn, limit: int) -> list[UUID]:
    """Up to ``limit`` of the outbox ids :func:`apply` left on this connection (each once);
    empty when none are left."""
    rows = await conn.fetch(
        "DELETE FROM import_outbox WHERE ctid IN (SELECT ctid FROM import_outbox LIMIT $1)"
        " RETURNING id",
        limit,
    )
    return [r["id"] for r in rows]


async def forget_emails(conn: Conn) -> None:
    """Drop :func:`apply`'s table of queued emails from this connection."""
    await conn.execute("DROP TABLE IF EXISTS import_outbox")

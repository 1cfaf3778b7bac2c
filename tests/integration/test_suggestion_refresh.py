"""Whose suggestions go stale: the database marks people as their memberships, RSVPs,
mentorships, availability or profile change (people with an account only), and notes changes
to the catalogue, whatever code path made them."""

from __future__ import annotations

import uuid

#: Someone an import created: no account yet.
IMPORTED = (
    "INSERT INTO people (email, display_name, claimed_at) VALUES ($1, 'Ana', NULL) RETURNING id"
)


async def stale(pool) -> set[uuid.UUID]:
    return {r[0] for r in await pool.fetch("SELECT person_id FROM suggestions_stale")}


async def clear(pool) -> None:
    await pool.execute("DELETE FROM suggestions_stale")


async def test_changes_mark_the_people_they_concern(pool):
    ana = await pool.fetchval(IMPORTED, "ana@example.org")
    assert await stale(pool) == set()
    bea = await pool.fetchval(
        "INSERT INTO people (email, password_hash, display_name, is_mentor, mentor_capacity,"
        " timezone) VALUES ('bea@example.org', 'x', 'Bea', true, 2, 'UTC') RETURNING id"
    )
    assert await stale(pool) == {bea}  # a new account
    await clear(pool)

    # A change that does not touch what suggestions use marks nobody; one that does, marks.
    await pool.execute("UPDATE people SET updated_at = now() WHERE id = $1", bea)
    assert await stale(pool) == set()
    await pool.execute("UPDATE people SET goals = '{earn-pmp}' WHERE id = $1", bea)
    assert await stale(pool) == {bea}
    await clear(pool)

    chapter = await pool.fetchval(
        "INSERT INTO associations (name, kind) VALUES ('PMI Lisbon', 'chapter') RETURNING id"
    )
    # An import's invitation of someone without an account marks nobody.
    await pool.execute(
        "INSERT INTO association_members (association_id, person_id, source, status)"
        " VALUES ($1, $2, 'import', 'invited'), ($1, $3, 'self_declared', 'requested')",
        chapter,
        ana,
        bea,
    )
    assert await stale(pool) == {bea}
    await clear(pool)
    # Running an association is belonging to it.
    await pool.execute(
        "INSERT INTO association_admins (association_id, person_id) VALUES ($1, $2)", chapter, bea
    )
    assert await stale(pool) == {bea}
    await clear(pool)
    await pool.execute("DELETE FROM association_admins WHERE person_id = $1", bea)
    assert await stale(pool) == {bea}
    await clear(pool)
    # Accepting the invitation (claiming the profile) marks them.
    await pool.execute(
        "UPDATE people SET claimed_at = now(), password_hash = 'x', is_mentee = true,"
        " timezone = 'Europe/Lisbon' WHERE id = $1",
        ana,
    )
    assert await stale(pool) == {ana}
    await clear(pool)

    event = await pool.fetchval(
        "INSERT INTO events (association_id, title, kind, starts_at, ends_at, timezone, online)"
        " VALUES ($1, 'PMP prep', 'workshop', now() + interval '1 day',"
        " now() + interval '1 day 2 hours', 'Europe/Lisbon', true) RETURNING id",
        chapter,
    )
    await pool.execute("INSERT INTO event_rsvps (event_id, person_id) VALUES ($1, $2)", event, ana)
    assert await stale(pool) == {ana}
    await clear(pool)
    await pool.execute("DELETE FROM event_rsvps WHERE person_id = $1", ana)
    assert await stale(pool) == {ana}
    await clear(pool)

    programme = await pool.fetchval("INSERT INTO programmes (name) VALUES ('P') RETURNING id")
    await pool.execute(
        "INSERT INTO mentorships (programme_id, mentee_id, mentor_id, source)"
        " VALUES ($1, $2, $3, 'request')",
        programme,
        ana,
        bea,
    )
    assert await stale(pool) == {ana, bea}
    await clear(pool)
    await pool.execute(
        "INSERT INTO availability_windows (person_id, weekday, start_minute, end_minute)"
        " VALUES ($1, 1, 1080, 1200)",
        bea,
    )
    assert await stale(pool) == {bea}


async def test_the_catalogue_changing_is_noted_but_not_an_rsvp_count(pool):
    chapter = await pool.fetchval(
        "INSERT INTO associations (name, kind) VALUES ('PMI Lisbon', 'chapter') RETURNING id"
    )
    before = await pool.fetchval("SELECT catalogue_changed_at FROM suggestions_state")
    event = await pool.fetchval(
        "INSERT INTO events (association_id, title, kind, starts_at, ends_at, timezone, online)"
        " VALUES ($1, 'PMP prep', 'workshop', now() + interval '1 day',"
        " now() + interval '1 day 2 hours', 'Europe/Lisbon', true) RETURNING id",
        chapter,
    )
    noted = await pool.fetchval("SELECT catalogue_changed_at FROM suggestions_state")
    assert noted > before
    await pool.execute("UPDATE events SET rsvp_count = rsvp_count + 1 WHERE id = $1", event)
    assert await pool.fetchval("SELECT catalogue_changed_at FROM suggestions_state") == noted
    await pool.execute("UPDATE events SET title = 'PMP exam prep' WHERE id = $1", event)
    assert await pool.fetchval("SELECT catalogue_changed_at FROM suggestions_state") > noted

"""The demo population loads into real PostgreSQL, once, and its accounts work."""

from __future__ import annotations

from service.demo.repository import demo_association, demo_examples, demo_programme_id
from service.demo.seed import DEMO_PASSWORD, seed_demo, top_up_events
from service.kit.db import transaction
from service.security import Passwords
from service.taxonomy.repository import load_taxonomy


async def test_seed_loads_realistic_population_once(pool):
    taxonomy = await load_taxonomy(pool)
    passwords = Passwords(1024, 1)
    first = await seed_demo(pool, taxonomy, passwords)
    assert not first.skipped
    stats = await pool.fetchrow(
        """SELECT count(*) FILTER (WHERE is_mentee AND NOT is_mentor) AS mentees,
                  count(*) FILTER (WHERE is_mentor) AS mentors,
                  count(DISTINCT country) AS countries,
                  count(DISTINCT timezone) AS timezones
             FROM people WHERE is_demo"""
    )
    assert stats["mentees"] >= 300
    assert stats["mentors"] >= 100
    assert stats["countries"] >= 10
    assert stats["timezones"] >= 10
    assert await pool.fetchval("SELECT count(DISTINCT person_id) FROM availability_windows") == 400
    # Every tag a demo person has is a taxonomy slug or a deliberate custom tag.
    custom = await pool.fetchval(
        """SELECT count(*) FROM people p, unnest(p.skills || p.tools || p.goals) AS t(slug)
            WHERE NOT EXISTS (SELECT 1 FROM taxonomy_terms WHERE slug = t.slug)"""
    )
    assert 0 < custom < 40

    again = await seed_demo(pool, taxonomy, passwords)
    assert again.skipped
    assert await pool.fetchval("SELECT count(*) FROM people") == 400

    reset = await seed_demo(pool, taxonomy, passwords, reset=True)
    assert not reset.skipped
    assert await pool.fetchval("SELECT count(*) FROM people") == 400


async def test_demo_accounts_can_log_in(client, app):
    taxonomy = app.state.services.taxonomy
    await seed_demo(
        app.state.services.pool, taxonomy, app.state.services.passwords, mentees=5, mentors=2
    )
    async with transaction(app.state.services.pool) as conn:
        examples = await demo_examples(conn)
    for _role, email in examples:
        r = await client.post(
            "/api/v1/auth/login", json={"email": email, "password": DEMO_PASSWORD}
        )
        assert r.status_code == 200, r.text
        assert (await client.get("/api/v1/me")).json()["email"] == email


async def test_demo_programme_is_ready_for_a_round(pool):

    await seed_demo(pool, await load_taxonomy(pool), Passwords(1024, 1), mentees=10, mentors=4)
    async with transaction(pool) as conn:
        pid = await demo_programme_id(conn)
    assert pid is not None
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM programme_members WHERE programme_id = $1::uuid", pid
        )
        == 14
    )
    organiser = await pool.fetchrow(
        "SELECT p.is_admin, p.is_mentor FROM programme_organisers o"
        " JOIN people p ON p.id = o.person_id WHERE o.programme_id = $1::uuid",
        pid,
    )
    assert organiser["is_admin"] and organiser["is_mentor"]


async def test_demo_associations_have_members_and_the_demo_admin_runs_one(pool):
    taxonomy = await load_taxonomy(pool)
    await seed_demo(pool, taxonomy, Passwords(1024, 1))
    stats = await pool.fetchrow(
        """SELECT count(*) AS associations, count(DISTINCT country) AS countries,
                  count(*) FILTER (WHERE online) AS online, count(DISTINCT kind) AS kinds,
                  bool_and(is_demo) AS demo
             FROM associations"""
    )
    assert stats["associations"] >= 20 and stats["countries"] >= 10
    assert stats["online"] >= 3 and stats["kinds"] == 5 and stats["demo"]
    # Focus tags went through the taxonomy; the one custom tag keeps its words.
    custom = await pool.fetchval(
        """SELECT count(*) FROM associations a, unnest(a.focus) AS t(slug)
            WHERE NOT EXISTS (SELECT 1 FROM taxonomy_terms WHERE slug = t.slug)"""
    )
    assert custom == 1
    assert (
        await pool.fetchval(
            "SELECT focus_texts ->> 'kanban-for-ngos' FROM associations WHERE focus_texts <> '{}'"
        )
        == "Kanban for NGOs"
    )
    members = dict(
        await pool.fetch("SELECT status, count(*) FROM association_members GROUP BY status")
    )
    assert members["active"] >= 150 and members["requested"] >= 10 and members["ended"] >= 1
    # Members of a city's association live in that association's country.
    assert (
        await pool.fetchval(
            """SELECT count(*) FROM association_members m
             JOIN associations a ON a.id = m.association_id AND a.country IS NOT NULL
             JOIN people p ON p.id = m.person_id WHERE p.country <> a.country"""
        )
        == 0
    )
    async with transaction(pool) as conn:
        association = await demo_association(conn)
    assert association is not None
    runs = await pool.fetchval(
        """SELECT count(*) FROM association_admins ad JOIN people p ON p.id = ad.person_id
            WHERE p.is_admin AND ad.association_id = $1::uuid""",
        association[0],
    )
    assert runs == 1
    assert await pool.fetchval("SELECT count(*) FROM programme_requests") == 1

    await seed_demo(pool, taxonomy, Passwords(1024, 1), reset=True)
    assert await pool.fetchval("SELECT count(*) FROM associations") == stats["associations"]


async def test_demo_events_are_upcoming_varied_and_their_counts_are_their_rsvps(pool):
    taxonomy = await load_taxonomy(pool)
    await seed_demo(pool, taxonomy, Passwords(1024, 1))
    stats = await pool.fetchrow(
        """SELECT count(*) AS events,
                  count(*) FILTER (WHERE starts_at > now()
                                     AND starts_at < now() + interval '91 days') AS upcoming,
                  count(DISTINCT country) AS countries,
                  count(DISTINCT timezone) AS timezones,
                  count(*) FILTER (WHERE online) AS online,
                  count(*) FILTER (WHERE kind = 'volunteering') AS volunteering,
                  count(*) FILTER (WHERE capacity = rsvp_count) AS full,
                  count(DISTINCT association_id) AS hosts,
                  bool_and(is_demo) AS demo
             FROM events"""
    )
    assert stats["events"] >= 100 and stats["upcoming"] == stats["events"]
    assert stats["countries"] >= 10 and stats["timezones"] >= 10
    assert stats["online"] >= 10 and stats["volunteering"] >= 3 and stats["full"] >= 5
    assert stats["hosts"] == await pool.fetchval("SELECT count(*) FROM associations")
    assert stats["demo"]
    languages = await pool.fetchval("SELECT count(DISTINCT l) FROM events, unnest(languages) l")
    assert languages >= 8
    tags = await pool.fetch("SELECT DISTINCT t FROM events, unnest(tags) t")
    assert {"pmp", "scrum", "risk-management", "stakeholder-communication"} <= {
        r["t"] for r in tags
    }
    wrong = await pool.fetchval(
        """SELECT count(*) FROM events e
            WHERE rsvp_count <> (SELECT count(*) FROM event_rsvps r WHERE r.event_id = e.id)"""
    )
    assert wrong == 0
    assert await pool.fetchval("SELECT count(*) FROM event_rsvps") > 500
    # The same seed draws the same events (titles, hosts, places) again.
    first = await pool.fetch("SELECT title, association_id, city FROM events ORDER BY id")
    await seed_demo(pool, taxonomy, Passwords(1024, 1), reset=True)
    again = await pool.fetch("SELECT title, association_id, city FROM events ORDER BY id")
    assert [tuple(r) for r in first] == [tuple(r) for r in again]


async def test_resetting_the_demo_gives_back_places_demo_people_held_elsewhere(pool):
    taxonomy = await load_taxonomy(pool)
    await seed_demo(pool, taxonomy, Passwords(1024, 1), mentees=5, mentors=2)
    association = await pool.fetchval(
        "INSERT INTO associations (name, kind, online) VALUES ('Real one', 'nonprofit', true)"
        " RETURNING id"
    )
    event = await pool.fetchval(
        """INSERT INTO events (association_id, title, kind, starts_at, ends_at, timezone, online,
                               capacity, rsvp_count)
           VALUES ($1, 'Real event', 'webinar', now() + interval '1 day',
                   now() + interval '25 hours', 'UTC', true, 3, 2) RETURNING id""",
        association,
    )
    await pool.execute(
        "INSERT INTO event_rsvps (event_id, person_id)"
        " SELECT $1, id FROM people WHERE is_demo ORDER BY email LIMIT 2",
        event,
    )
    await seed_demo(pool, taxonomy, Passwords(1024, 1), mentees=5, mentors=2, reset=True)
    assert await pool.fetchval("SELECT rsvp_count FROM events WHERE id = $1", event) == 0


async def test_a_demo_whose_events_have_passed_gets_new_ones(pool):
    taxonomy = await load_taxonomy(pool)
    await seed_demo(pool, taxonomy, Passwords(1024, 1), mentees=40, mentors=15)
    hosts = await pool.fetchval("SELECT count(*) FROM associations WHERE is_demo")
    assert await top_up_events(pool, taxonomy) == 0  # just loaded: nothing to add
    # Four months later: every demo event has taken place.
    await pool.execute(
        "UPDATE events SET starts_at = starts_at - interval '120 days',"
        " ends_at = ends_at - interval '120 days'"
    )
    added = await top_up_events(pool, taxonomy, random_state=5)
    assert added == 3 * hosts
    upcoming = await pool.fetch(
        "SELECT association_id, count(*) AS n, bool_and(is_demo) AS demo FROM events"
        " WHERE starts_at > now() AND starts_at < now() + interval '91 days'"
        " GROUP BY association_id"
    )
    assert len(upcoming) == hosts and all(r["n"] == 3 and r["demo"] for r in upcoming)
    wrong = await pool.fetchval(
        """SELECT count(*) FROM events e
            WHERE rsvp_count <> (SELECT count(*) FROM event_rsvps r WHERE r.event_id = e.id)
               OR rsvp_count > capacity"""
    )
    assert wrong == 0
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM event_rsvps r JOIN events e ON e.id = r.event_id"
            " WHERE e.starts_at > now()"
        )
        > 0
    )
    assert await top_up_events(pool, taxonomy) == 0
    # A host cancels one: the next start draws one more (as `kickoff demo` calls it: a fresh
    # draw, so its ids are not the first top-up's again).
    await pool.execute(
        "UPDATE events SET status = 'cancelled', cancelled_at = now() WHERE id ="
        " (SELECT id FROM events WHERE starts_at > now() ORDER BY starts_at LIMIT 1)"
    )
    assert await top_up_events(pool, taxonomy) == 1

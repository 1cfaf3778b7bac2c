"""Suggestions as people and organisers read them: what the worker stored, as it stands when
read (what became past, cancelled, full or already chosen is left out), paged, with reasons."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

from tests.conftest import account

NOW = datetime.now(UTC)


async def association(pool, name: str) -> uuid.UUID:
    return await pool.fetchval(
        "INSERT INTO associations (name, kind, city, country, languages)"
        " VALUES ($1, 'chapter', 'Lisbon', 'PT', '{pt,en}') RETURNING id",
        name,
    )


async def event(pool, host: uuid.UUID, title: str, **values: object) -> uuid.UUID:
    fields = {
        "starts_at": NOW + timedelta(days=7),
        "capacity": None,
        "rsvp_count": 0,
        "status": "scheduled",
        "online": True,
        **values,
    }
    return await pool.fetchval(
        "INSERT INTO events (association_id, title, kind, starts_at, ends_at, timezone, online,"
        " country, capacity, rsvp_count, status, cancelled_at)"
        " VALUES ($1, $2, 'workshop', $3::timestamptz, $3::timestamptz + interval '2 hours',"
        " 'Europe/Lisbon', $4,"
        " CASE WHEN $4 THEN NULL ELSE 'PT' END, $5, $6, $7,"
        " CASE WHEN $7 = 'cancelled' THEN now() END) RETURNING id",
        host,
        title,
        fields["starts_at"],
        fields["online"],
        fields["capacity"],
        fields["rsvp_count"],
        fields["status"],
    )


async def suggest(pool, person_id, items: list[tuple[str, uuid.UUID, list[str]]]) -> None:
    """Store suggestions as the worker does: ranked, with reasons."""
    for rank, (kind, item, reasons) in enumerate(items, start=1):
        await pool.execute(
            "INSERT INTO person_suggestions (person_id, rank, kind, event_id, association_id,"
            " score, reasons, components) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            person_id,
            rank,
            kind,
            item if kind == "event" else None,
            item if kind == "association" else None,
            1.0 / rank,
            reasons,
            {"content": 0.5, "network": 0.5},
        )


async def test_my_suggestions_best_first_with_reasons_and_only_what_still_stands(client, pool):
    me, headers = await account(client, display_name="Bea Lima")
    pid = uuid.UUID(me["id"])
    chapter = await association(pool, "PMI Lisbon Chapter")
    agile = await association(pool, "Agile Porto")
    prep = await event(pool, chapter, "PMP exam prep")
    past = await event(pool, chapter, "Last week's meetup", starts_at=NOW - timedelta(days=7))
    cancelled = await event(pool, chapter, "Cancelled talk", status="cancelled")
    full = await event(pool, chapter, "Full bootcamp", capacity=10, rsvp_count=10)
    going = await event(pool, chapter, "Risk clinic")
    await pool.execute("INSERT INTO event_rsvps (event_id, person_id) VALUES ($1, $2)", going, pid)
    await pool.execute(
        "INSERT INTO association_members (association_id, person_id, source, status)"
        " VALUES ($1, $2, 'self_declared', 'requested')",
        agile,
        pid,
    )
    venue = await event(pool, chapter, "Networking evening", online=False, capacity=30)
    await suggest(
        pool,
        pid,
        [
            ("event", prep, ["covers your goal: earn PMP", "online, Tuesday 19:00 your time"]),
            ("event", past, ["gone"]),
            ("association", agile, ["asked to join already"]),
            ("event", cancelled, ["cancelled"]),
            ("association", chapter, ["12 people with your goals have joined"]),
            ("event", full, ["full"]),
            ("event", going, ["already going"]),
            ("event", venue, ["in Lisbon, where you live"]),
        ],
    )
    r = await client.get("/api/v1/me/suggestions", headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [(s["kind"], s["title"]) for s in body["suggestions"]] == [
        ("event", "PMP exam prep"),
        ("association", "PMI Lisbon Chapter"),
        ("event", "Networking evening"),
    ]
    first = body["suggestions"][0]
    assert first["reasons"] == ["covers your goal: earn PMP", "online, Tuesday 19:00 your time"]
    assert first["url"] == f"/events/{prep}" and first["host"] == "PMI Lisbon Chapter"
    assert first["online"] is True and first["places_left"] is None
    assert body["suggestions"][2]["places_left"] == 30
    assert body["suggestions"][1]["url"] == f"/associations/{chapter}"
    assert (body["total"], body["limit"], body["offset"]) == (3, 10, 0)
    assert body["computed_at"] is not None

    # Paged: limit and offset over what stands.
    r = await client.get("/api/v1/me/suggestions?limit=2&offset=2", headers=headers)
    assert [s["title"] for s in r.json()["suggestions"]] == ["Networking evening"]
    assert r.json()["total"] == 3
    r = await client.get("/api/v1/me/suggestions?offset=5", headers=headers)
    assert r.json()["suggestions"] == [] and r.json()["total"] == 3
    r = await client.get("/api/v1/me/suggestions?limit=0", headers=headers)
    assert r.status_code == 422 and "limit" in r.text


async def test_before_the_worker_has_run_suggestions_are_said_to_be_coming(client, pool):
    _, headers = await account(client)
    body = (await client.get("/api/v1/me/suggestions", headers=headers)).json()
    assert body["suggestions"] == [] and body["computed_at"] is None and body["total"] == 0
    assert (await client.get("/api/v1/me/suggestions")).status_code == 401


async def test_the_page_shows_why_and_a_button_for_each(client, pool):
    me = (await account(client, timezone="America/Sao_Paulo"))[0]
    pid = uuid.UUID(me["id"])
    chapter = await association(pool, "PMI Lisbon Chapter")
    prep = await event(pool, chapter, "PMP exam prep")
    await suggest(
        pool,
        pid,
        [
            ("event", prep, ["covers your goal: earn PMP"]),
            ("association", chapter, ["your mentor Ana is a member"]),
        ],
    )
    login = await client.post(
        "/api/v1/auth/login",
        json={"email": me["email"], "password": "correct horse battery staple"},
    )
    assert login.status_code == 200
    page = await client.get("/suggestions")
    assert page.status_code == 200
    html = page.text
    assert "Suggested for you" in html and "covers your goal: earn PMP" in html
    assert "your mentor Ana is a member" in html
    assert f'action="/events/{prep}/rsvp"' in html and 'value="/suggestions"' in html
    assert f'name="association_id" value="{chapter}"' in html
    # The time in the person's zone, and in the event's own.
    starts = (NOW + timedelta(days=7)).astimezone()
    assert "your time" in html and "in Lisbon" in html, starts
    assert 'aria-current="page">Suggested for you' in html


async def test_organisers_see_what_their_members_are_suggested_and_took_up(client, pool):
    organiser, org_headers = await account(client, roles=["mentor"], mentor_capacity=2)
    member, _ = await account(client)
    outsider, _ = await account(client)
    programme = await pool.fetchval(
        "INSERT INTO programmes (name) VALUES ('Starters') RETURNING id"
    )
    await pool.execute(
        "INSERT INTO programme_organisers (programme_id, person_id) VALUES ($1, $2::text::uuid)",
        programme,
        organiser["id"],
    )
    for person in (member, organiser):
        await pool.execute(
            "INSERT INTO programme_members (programme_id, person_id) VALUES ($1, $2::text::uuid)",
            programme,
            person["id"],
        )
    chapter = await association(pool, "PMI Lisbon Chapter")
    prep = await event(pool, chapter, "PMP exam prep")
    for person in (member, outsider):
        await suggest(pool, uuid.UUID(person["id"]), [("event", prep, ["x"])])
    await suggest(pool, uuid.UUID(member["id"]), [])
    await pool.execute(
        "INSERT INTO event_rsvps (event_id, person_id) VALUES ($1, $2::text::uuid)",
        prep,
        member["id"],
    )
    r = await client.get(f"/api/v1/programmes/{programme}/suggestions", headers=org_headers)
    assert r.status_code == 200, r.text
    body = r.json()
    # The outsider's suggestion is not the programme's.
    assert {k: body[k] for k in ("members", "with_suggestions", "suggestions", "rsvps")} == {
        "members": 2,
        "with_suggestions": 1,
        "suggestions": 1,
        "rsvps": 1,
    }
    assert [(i["title"], i["suggested_to"], i["taken_up"]) for i in body["items"]] == [
        ("PMP exam prep", 1, 1)
    ]
    assert json.dumps(body).count("@") == 0  # nobody's address


async def test_nobody_is_suggested_the_association_they_run(client, pool):
    me, headers = await account(client)
    pid = uuid.UUID(me["id"])
    mine = await association(pool, "PMI Lisbon Chapter")
    other = await association(pool, "Agile Porto")
    await pool.execute(
        "INSERT INTO association_admins (association_id, person_id) VALUES ($1, $2)", mine, pid
    )
    await suggest(pool, pid, [("association", mine, ["x"]), ("association", other, ["y"])])
    body = (await client.get("/api/v1/me/suggestions", headers=headers)).json()
    assert [s["title"] for s in body["suggestions"]] == ["Agile Porto"]

"""Events through the JSON API: who may create, edit and cancel them (people, API keys), what
is validated (nothing written on a refusal), how listings filter and page, and RSVPs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.test_associations import association, association_admin
from tests.api.test_programmes import admin, appoint, programme
from tests.conftest import account

Headers = dict[str, str]


def soon(days: float = 7, hours: float = 0) -> str:
    """An ISO time with an offset, ``days`` from now."""
    return (datetime.now(UTC) + timedelta(days=days, hours=hours)).isoformat()


def body(**overrides: object) -> dict[str, object]:
    """A valid event (the host is added by the caller)."""
    return {
        "title": "PMP exam preparation: risk management",
        "kind": "workshop",
        "starts_at": soon(7),
        "ends_at": soon(7, 2),
        "timezone": "Europe/Lisbon",
        "city": "Lisbon",
        "country": "pt",
        "tags": ["Project Management Professional", "Risk management", "Kanban for NGOs"],
        "languages": ["pt", "en"],
        "capacity": 30,
        "url": "https://example.org/pmp",
        "description": "Two hours of practice questions.",
        **overrides,
    }


async def event(client: httpx.AsyncClient, headers: Headers, **overrides: object) -> dict:
    """Create an event as ``headers``."""
    r = await client.post("/api/v1/events", json=body(**overrides), headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


async def hosts(client: httpx.AsyncClient, pool) -> dict[str, object]:
    """A site admin, an association with its admin, a programme with its organiser, and a
    person who hosts nothing."""
    _, boss = await admin(client, pool)
    a = await association(client, boss)
    _, ada_h = await association_admin(client, boss, a["id"], display_name="Ada Admin")
    p = await programme(client, boss)
    olga, olga_h = await account(client, display_name="Olga Organiser")
    await appoint(client, p["id"], olga["id"], boss)
    mia, mia_h = await account(client, display_name="Mia Mentee")
    return {
        "boss": boss,
        "association": a["id"],
        "ada": ada_h,
        "programme": p["id"],
        "olga": olga_h,
        "mia": mia_h,
        "mia_id": mia["id"],
    }


async def test_hosts_create_events_and_everyone_logged_in_sees_them(client, pool):
    h = await hosts(client, pool)
    created = await event(client, h["ada"], association_id=h["association"])
    assert created["association"]["id"] == h["association"] and created["programme"] is None
    assert created["country"] == "PT" and created["status"] == "scheduled"
    assert created["tags"] == ["pmp", "risk-management", "kanban-for-ngos"]
    assert created["tag_labels"][-1] == "Kanban for NGOs"
    assert created["latitude"] == pytest.approx(38.725, abs=0.01)
    assert created["longitude"] == pytest.approx(-9.15, abs=0.01)
    assert created["places_left"] == 30 and created["rsvp_count"] == 0
    assert created["is_host"] and created["attendees"] == []
    stored = await pool.fetchrow("SELECT tag_texts, created_by FROM events")
    assert stored["tag_texts"] == {"kanban-for-ngos": "Kanban for NGOs"}

    by_programme = await event(
        client, h["olga"], programme_id=h["programme"], online=True, city="", country=""
    )
    assert by_programme["programme"]["id"] == h["programme"]
    assert by_programme["latitude"] is None
    assert (await event(client, h["boss"], association_id=h["association"]))["is_host"]

    r = await client.get(f"/api/v1/events/{created['id']}", headers=h["mia"])
    assert r.status_code == 200 and not r.json()["is_host"] and r.json()["attendees"] is None
    assert (await client.get(f"/api/v1/events/{created['id']}")).status_code == 401
    r = await client.get(f"/api/v1/events/{uuid.uuid4()}", headers=h["mia"])
    assert r.status_code == 404
    assert (await client.get("/api/v1/events/nope", headers=h["mia"])).status_code == 404


async def test_only_hosts_create_edit_and_cancel_and_nothing_is_written_otherwise(client, pool):
    h = await hosts(client, pool)
    for who, host in (
        ("mia", {"association_id": h["association"]}),
        ("olga", {"association_id": h["association"]}),
        ("ada", {"programme_id": h["programme"]}),
    ):
        r = await client.post("/api/v1/events", json=body(**host), headers=h[who])
        assert r.status_code == 403, (who, r.text)
    assert (await client.post("/api/v1/events", json=body())).status_code == 401
    assert await pool.fetchval("SELECT count(*) FROM events") == 0

    e = await event(client, h["ada"], association_id=h["association"])
    url = f"/api/v1/events/{e['id']}"
    for who in ("mia", "olga"):
        assert (await client.patch(url, json={"title": "X"}, headers=h[who])).status_code == 403
        assert (await client.delete(url, headers=h[who])).status_code == 403
    r = await client.patch(url, json={"title": "Risk workshop"}, headers=h["boss"])
    assert r.status_code == 200 and r.json()["title"] == "Risk workshop"
    r = await client.patch(url, json={"city": "Porto"}, headers=h["ada"])
    assert r.status_code == 200 and r.json()["latitude"] == pytest.approx(41.15, abs=0.05)
    r = await client.patch(f"/api/v1/events/{uuid.uuid4()}", json={}, headers=h["ada"])
    assert r.status_code == 404

    r = await client.delete(url, headers=h["ada"])
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert r.json()["cancelled_at"] is not None
    assert (await client.delete(url, headers=h["ada"])).json()["status"] == "cancelled"
    r = await client.patch(url, json={"title": "Back"}, headers=h["ada"])
    assert r.status_code == 409 and "cancelled" in r.json()["error"]["message"]
    assert await pool.fetchval("SELECT count(*) FROM events") == 1  # kept


async def test_an_association_api_key_manages_its_own_events_only(client, pool):
    h = await hosts(client, pool)
    r = await client.post(
        f"/api/v1/associations/{h['association']}/keys", json={"name": "sync"}, headers=h["ada"]
    )
    key = {"X-Api-Key": r.json()["key"]}
    other = await association(client, h["boss"], name="Other association")
    e = await event(client, key, association_id=h["association"])
    assert e["association"]["id"] == h["association"]
    assert (await pool.fetchval("SELECT created_by FROM events")) is None
    r = await client.post("/api/v1/events", json=body(association_id=other["id"]), headers=key)
    assert r.status_code == 403
    r = await client.post("/api/v1/events", json=body(programme_id=h["programme"]), headers=key)
    assert r.status_code == 403
    theirs = await event(client, h["boss"], association_id=other["id"])
    url = f"/api/v1/events/{theirs['id']}"
    assert (await client.patch(url, json={"title": "X"}, headers=key)).status_code == 403
    assert (await client.delete(url, headers=key)).status_code == 403
    r = await client.patch(f"/api/v1/events/{e['id']}", json={"capacity": None}, headers=key)
    assert r.status_code == 200 and r.json()["capacity"] is None
    assert r.json()["places_left"] is None
    # A key is no person: it cannot list events or RSVP.
    assert (await client.get("/api/v1/events", headers=key)).status_code == 401
    assert (await client.post(f"/api/v1/events/{e['id']}/rsvp", headers=key)).status_code == 401


BAD = [
    ({"title": ""}, "title"),
    ({"kind": "party"}, "kind"),
    ({"starts_at": "2027-03-02T18:30:00"}, "starts_at"),  # no offset
    ({"starts_at": "next tuesday"}, "starts_at"),
    ({"ends_at": soon(6)}, "ends_at"),  # before it starts
    ({"starts_at": soon(-1), "ends_at": soon(-1, 1)}, "starts_at"),  # past
    ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
    ({"country": "XX"}, "country"),
    ({"country": ""}, "country"),  # a city with no country
    ({"city": "", "country": "", "online": False}, "country"),  # nowhere
    ({"languages": ["xx"]}, "languages"),
    ({"capacity": -1}, "capacity"),
    ({"capacity": "ten"}, "capacity"),
    ({"url": "javascript:alert(1)"}, "url"),
    ({"association_id": None}, "association_id"),  # no host
    ({"programme_id": "PROGRAMME"}, "programme_id"),  # two hosts
    ({"association_id": str(uuid.uuid4())}, "association_id"),
    ({"colour": "red"}, "colour"),
]


async def test_every_bad_field_is_a_422_naming_it_and_nothing_is_written(client, pool):
    h = await hosts(client, pool)
    for change, field in BAD:
        values = {"association_id": h["association"], **change}
        if values.get("programme_id") == "PROGRAMME":
            values["programme_id"] = h["programme"]
        r = await client.post("/api/v1/events", json=body(**values), headers=h["boss"])
        assert r.status_code == 422, (change, r.text)
        fields = {f["field"] for f in r.json()["error"]["fields"]}
        assert field in fields, (change, r.json())
        assert all(f["message"] for f in r.json()["error"]["fields"])
    assert await pool.fetchval("SELECT count(*) FROM events") == 0
    r = await client.post(
        "/api/v1/events",
        json=body(association_id=h["association"], timezone="Nowhere/X"),
        headers=h["boss"],
    )
    assert "timezone" in r.json()["error"]["fields"][0]["message"].lower()


async def test_edits_are_checked_against_the_stored_event(client, pool):
    h = await hosts(client, pool)
    e = await event(client, h["ada"], association_id=h["association"], capacity=2)
    url = f"/api/v1/events/{e['id']}"
    for person in (h["mia"], (await account(client))[1]):
        assert (await client.post(f"{url}/rsvp", headers=person)).status_code == 201
    before = await pool.fetchrow("SELECT * FROM events")
    for change, field in (
        ({"capacity": 1}, "capacity"),
        ({"capacity": -3}, "capacity"),
        ({"ends_at": soon(6)}, "ends_at"),
        ({"starts_at": soon(-2)}, "starts_at"),
        ({"country": ""}, "country"),
        ({"title": None}, "title"),
        ({"timezone": "Europe/Atlantis"}, "timezone"),
    ):
        r = await client.patch(url, json=change, headers=h["ada"])
        assert r.status_code == 422, (change, r.text)
        assert field in {f["field"] for f in r.json()["error"]["fields"]}, (change, r.text)
    assert await pool.fetchrow("SELECT * FROM events") == before
    r = await client.patch(url, json={"capacity": 2, "online": True}, headers=h["ada"])
    assert r.status_code == 200 and r.json()["places_left"] == 0


async def test_listings_filter_and_page(client, pool):
    h = await hosts(client, pool)
    a = h["association"]
    await event(
        client,
        h["ada"],
        association_id=a,
        title="Lisbon workshop",
        starts_at=soon(3),
        ends_at=soon(3, 2),
    )
    await event(
        client,
        h["ada"],
        association_id=a,
        title="Scrum webinar",
        kind="webinar",
        online=True,
        city="",
        country="",
        tags=["Scrum"],
        languages=["en"],
        starts_at=soon(10),
        ends_at=soon(10, 1),
    )
    await event(
        client,
        h["olga"],
        programme_id=h["programme"],
        title="Madrid networking",
        kind="networking",
        city="Madrid",
        country="ES",
        tags=["Stakeholder management"],
        languages=["es"],
        starts_at=soon(40),
        ends_at=soon(40, 3),
    )
    cancelled = await event(client, h["ada"], association_id=a, title="Cancelled one")
    await client.delete(f"/api/v1/events/{cancelled['id']}", headers=h["ada"])
    await pool.execute(
        "INSERT INTO events (association_id, title, kind, starts_at, ends_at, timezone, online)"
        " VALUES ($1, 'Last year', 'seminar', now() - interval '30 days',"
        " now() - interval '29 days', 'UTC', true)",
        uuid.UUID(a),
    )

    async def titles(query: str = "") -> list[str]:
        r = await client.get(f"/api/v1/events?{query}", headers=h["mia"])
        assert r.status_code == 200, r.text
        return [e["title"] for e in r.json()["events"]]

    assert await titles() == ["Lisbon workshop", "Scrum webinar", "Madrid networking"]
    assert await titles("kind=webinar") == ["Scrum webinar"]
    assert await titles("online=true") == ["Scrum webinar"]
    assert await titles("online=false") == ["Lisbon workshop", "Madrid networking"]
    assert await titles("country=es") == ["Madrid networking"]
    assert await titles("tag=scrum") == ["Scrum webinar"]
    assert await titles("tag=PMP") == ["Lisbon workshop"]
    assert await titles("language=es") == ["Madrid networking"]
    assert await titles(f"association_id={a}") == ["Lisbon workshop", "Scrum webinar"]
    assert await titles(f"programme_id={h['programme']}") == ["Madrid networking"]
    to = (datetime.now(UTC) + timedelta(days=20)).date().isoformat()
    assert await titles(f"to={to}") == ["Lisbon workshop", "Scrum webinar"]
    start = (datetime.now(UTC) + timedelta(days=20)).date().isoformat()
    assert await titles(f"from={start}") == ["Madrid networking"]
    assert await titles("status=cancelled") == ["Cancelled one"]
    past = (datetime.now(UTC) - timedelta(days=60)).date().isoformat()
    assert (await titles(f"from={past}&to={past[:4]}-12-31&status=any"))[0] == "Last year"

    for who, hosted in (
        ("olga", {"Madrid networking"}),
        ("ada", {"Lisbon workshop", "Scrum webinar"}),
    ):
        r = await client.get("/api/v1/events", headers=h[who])
        assert {e["title"] for e in r.json()["events"] if e["is_host"]} == hosted
        assert all(e["attendees"] is None for e in r.json()["events"])
    r = await client.get("/api/v1/events?limit=2&offset=1", headers=h["mia"])
    page = r.json()
    assert page["total"] == 3 and page["limit"] == 2 and page["offset"] == 1
    assert [e["title"] for e in page["events"]] == ["Scrum webinar", "Madrid networking"]

    for query, name in (
        ("kind=party", "kind"),
        ("online=maybe", "online"),
        ("country=XX", "country"),
        ("language=zz", "language"),
        ("from=yesterday", "from"),
        ("to=2027-02-30", "to"),
        ("association_id=nope", "association_id"),
        ("status=gone", "status"),
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
    ):
        r = await client.get(f"/api/v1/events?{query}", headers=h["mia"])
        assert r.status_code == 422, query
        assert r.json()["error"]["fields"][0]["field"] == name


async def test_rsvp_takes_a_place_once_and_cancelling_frees_it(client, pool):
    h = await hosts(client, pool)
    e = await event(client, h["ada"], association_id=h["association"], capacity=1)
    url = f"/api/v1/events/{e['id']}/rsvp"
    r = await client.post(url, headers=h["mia"])
    assert r.status_code == 201 and r.json() == {
        "event_id": e["id"],
        "going": True,
        "rsvp_count": 1,
        "places_left": 0,
    }
    r = await client.post(url, headers=h["mia"])  # again: nothing changes
    assert r.status_code == 200 and r.json()["rsvp_count"] == 1
    _, other = await account(client)
    r = await client.post(url, headers=other)
    assert r.status_code == 409
    assert "full" in r.json()["error"]["message"] and e["title"] in r.json()["error"]["message"]
    assert await pool.fetchval("SELECT count(*) FROM event_rsvps") == 1

    seen = (await client.get(f"/api/v1/events/{e['id']}", headers=h["ada"])).json()
    assert seen["attendees"] == [{"id": h["mia_id"], "display_name": "Mia Mentee"}]
    assert "@" not in str(seen)
    mine = (await client.get(f"/api/v1/events/{e['id']}", headers=h["mia"])).json()
    assert mine["going"] and mine["attendees"] is None

    r = await client.delete(url, headers=h["mia"])
    assert r.status_code == 200 and r.json()["going"] is False and r.json()["places_left"] == 1
    assert (await client.delete(url, headers=h["mia"])).json()["rsvp_count"] == 0
    assert (await client.post(url, headers=other)).status_code == 201
    assert (
        await client.post(f"/api/v1/events/{uuid.uuid4()}/rsvp", headers=other)
    ).status_code == 404


async def test_no_rsvp_to_a_cancelled_or_past_event(client, pool):
    h = await hosts(client, pool)
    e = await event(client, h["ada"], association_id=h["association"])
    await client.delete(f"/api/v1/events/{e['id']}", headers=h["ada"])
    r = await client.post(f"/api/v1/events/{e['id']}/rsvp", headers=h["mia"])
    assert r.status_code == 409 and "cancelled" in r.json()["error"]["message"]
    assert e["title"] in r.json()["error"]["message"]
    past = await pool.fetchval(
        "INSERT INTO events (association_id, title, kind, starts_at, ends_at, timezone, online)"
        " VALUES ($1, 'Yesterday', 'seminar', now() - interval '1 day',"
        " now() - interval '23 hours', 'UTC', true) RETURNING id",
        uuid.UUID(h["association"]),
    )
    r = await client.post(f"/api/v1/events/{past}/rsvp", headers=h["mia"])
    assert r.status_code == 409 and "Yesterday" in r.json()["error"]["message"]
    assert await pool.fetchval("SELECT count(*) FROM event_rsvps") == 0


async def test_erasing_a_person_frees_their_places(client, pool):
    h = await hosts(client, pool)
    e = await event(client, h["ada"], association_id=h["association"], capacity=1)
    assert (
        await client.post(f"/api/v1/events/{e['id']}/rsvp", headers=h["mia"])
    ).status_code == 201
    exported = (await client.get("/api/v1/me/export", headers=h["mia"])).json()
    assert [(x["event_id"], x["title"]) for x in exported["event_rsvps"]] == [(e["id"], e["title"])]
    r = await client.request("DELETE", "/api/v1/me", json={"confirm": True}, headers=h["mia"])
    assert r.status_code in (200, 204), r.text
    assert await pool.fetchval("SELECT rsvp_count FROM events") == 0
    _, other = await account(client)
    assert (await client.post(f"/api/v1/events/{e['id']}/rsvp", headers=other)).status_code == 201


_WORLDS: dict[int, dict] = {}


async def _world(client: httpx.AsyncClient, pool) -> dict:
    """The hosts and five people, made once per test database (hypothesis reuses fixtures)."""
    if id(pool) not in _WORLDS:
        h = await hosts(client, pool)
        h["people"] = [(await account(client))[1] for _ in range(5)]
        _WORLDS[id(pool)] = h
    return _WORLDS[id(pool)]


EXAMPLES = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@EXAMPLES
@given(
    capacity=st.integers(min_value=0, max_value=3) | st.none(),
    actions=st.lists(st.tuples(st.integers(0, 4), st.booleans()), max_size=12),
)
async def test_rsvps_follow_a_model_and_the_count_always_equals_them(
    client, pool, capacity, actions
):
    h = await _world(client, pool)
    e = await event(client, h["ada"], association_id=h["association"], capacity=capacity)
    url = f"/api/v1/events/{e['id']}/rsvp"
    going: set[int] = set()
    for who, attend in actions:
        headers = h["people"][who]
        if attend:
            r = await client.post(url, headers=headers)
            if who in going:
                assert r.status_code == 200
            elif capacity is None or len(going) < capacity:
                assert r.status_code == 201
                going.add(who)
            else:
                assert r.status_code == 409, r.text
        else:
            r = await client.delete(url, headers=headers)
            assert r.status_code == 200
            going.discard(who)
        row = await pool.fetchrow(
            "SELECT rsvp_count, (SELECT count(*) FROM event_rsvps WHERE event_id = e.id) AS n"
            " FROM events e WHERE id = $1",
            uuid.UUID(e["id"]),
        )
        assert row["rsvp_count"] == row["n"] == len(going)


json_values = st.none() | st.booleans() | st.integers() | st.text(max_size=20)
FIELDS = [*body().keys(), "association_id", "programme_id", "online"]


@EXAMPLES
@given(changes=st.dictionaries(st.sampled_from(FIELDS), json_values, min_size=1, max_size=3))
async def test_arbitrary_fields_never_500_and_a_refusal_writes_nothing(client, pool, changes):
    h = await _world(client, pool)
    before = await pool.fetchval("SELECT count(*) FROM events")
    values = body(**{"association_id": h["association"], **changes})
    r = await client.post("/api/v1/events", json=values, headers=h["ada"])
    assert r.status_code < 500, r.text
    after = await pool.fetchval("SELECT count(*) FROM events")
    if r.status_code >= 400:
        assert r.json()["error"]["message"] and after == before
    else:
        assert r.status_code == 201 and after == before + 1

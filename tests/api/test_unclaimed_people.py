"""People created by someone else and not yet claimed: in no round, list, count, lookup or export
of anyone else; they cannot log in; signing up with their email claims them."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import pytest

from service.kit.db import transaction
from service.people import repository as people_repo
from service.programmes import repository as programmes_repo
from service.programmes import roster
from service.programmes import service as programmes
from service.programmes.schemas import MemberFilter, ProgrammeSettings
from service.rounds import service as rounds
from tests.conftest import settle_email, sign_up_and_login, signup_body

UMA = "uma.unclaimed@example.org"
NAMELESS = "nameless@example.org"
PASSWORD = "correct horse battery staple"


async def _programme_with_members(client, pool) -> tuple[str, dict[str, UUID]]:
    """A programme whose members are two signed-up people and two unclaimed ones."""
    admin = await sign_up_and_login(client, email="organiser@example.org", consent_to_match=False)
    await pool.execute("UPDATE people SET is_admin = true WHERE id = $1", admin["id"])
    r = await client.post("/api/v1/programmes", json={"name": "PMI Lisbon spring 2027"})
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    ids: dict[str, UUID] = {}
    for name, roles, capacity in (("ana", ["mentee"], None), ("mo", ["mentor"], 2)):
        body = signup_body(email=f"{name}@example.org", roles=roles, mentor_capacity=capacity)
        created = await client.post("/api/v1/people", json=body)
        assert created.status_code == 201, created.text
        ids[name] = UUID(created.json()["id"])
        await settle_email(pool, ids[name])
    async with pool.acquire() as conn, conn.transaction():
        ids["uma"] = await people_repo.create_unclaimed_person(conn, UMA, "Uma Unclaimed")
        ids["nameless"] = await people_repo.create_unclaimed_person(conn, NAMELESS)
        for person in ids.values():
            await programmes_repo.add_member(conn, UUID(pid), person)
    return pid, ids


async def test_unclaimed_people_are_in_no_round_list_count_lookup_or_export(client, pool):
    counts = await _count_people(pool)
    pid, ids = await _programme_with_members(client, pool)
    unclaimed = {ids["uma"], ids["nameless"]}

    # The home page counts signed-up people only.
    assert await _count_people(pool) == {
        "mentees": counts["mentees"] + 2,  # the organiser and ana
        "mentors": counts["mentors"] + 1,
    }
    # The programme's counts and its members list.
    programme = (await client.get(f"/api/v1/programmes/{pid}")).json()
    assert (programme["members"], programme["mentees"], programme["mentors"]) == (2, 1, 1)
    listed = next(
        p for p in (await client.get("/api/v1/programmes")).json()["programmes"] if p["id"] == pid
    )
    assert listed["members"] == 2
    members = await client.get(f"/api/v1/programmes/{pid}/members")
    assert members.status_code == 200, members.text
    assert members.json()["total"] == 2
    assert {UUID(m["id"]) for m in members.json()["members"]} == {ids["ana"], ids["mo"]}
    assert "Uma" not in members.text
    # A round's participants.
    async with pool.acquire() as conn:
        taking_part = await rounds.participants(conn, UUID(pid), ProgrammeSettings())
    everyone = {p.id for p in taking_part.mentees + taking_part.mentors}
    assert everyone == {ids["ana"], ids["mo"]}
    assert not taking_part.not_entered  # nor counted among the members left out
    # An organiser appointment, by email (any case) or by id.
    for ref in ({"email": UMA.upper()}, {"email": NAMELESS}, {"person_id": str(ids["uma"])}):
        r = await client.post(f"/api/v1/programmes/{pid}/organisers", json=ref)
        assert r.status_code == 422, (ref, r.text)
    assert not await pool.fetchval(
        "SELECT count(*) FROM programme_organisers WHERE person_id = ANY($1)", list(unclaimed)
    )

    # Rows naming them however they came to exist (not through Kickoff): no organiser list or
    # other person's export shows them.
    await pool.execute(
        "INSERT INTO programme_organisers (programme_id, person_id) VALUES ($1, $2)",
        UUID(pid),
        ids["uma"],
    )
    shown = await client.get(f"/api/v1/programmes/{pid}")
    assert shown.status_code == 200 and "Uma" not in shown.text
    assert str(ids["uma"]) not in {o["id"] for o in shown.json()["organisers"]}
    await pool.execute(
        "INSERT INTO mentorships (programme_id, mentee_id, mentor_id, source)"
        " VALUES ($1, $2, $3, 'request')",
        UUID(pid),
        ids["ana"],
        ids["uma"],
    )
    client.cookies.clear()
    r = await client.post(
        "/api/v1/auth/login", json={"email": "ana@example.org", "password": PASSWORD}
    )
    assert r.status_code == 200, r.text
    export = await client.get("/api/v1/me/export")
    assert export.status_code == 200, export.text
    assert "Uma" not in export.text and UMA not in export.text
    assert str(ids["uma"]) not in export.text
    assert [m["other_display_name"] for m in export.json()["mentorships"]] == [None]

    # Nobody logs in as an unclaimed person, whatever the password.
    client.cookies.clear()
    for email in (UMA, NAMELESS):
        r = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert r.status_code == 401, r.text
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_signing_up_claims_the_person_and_their_memberships(client, pool, app):
    pid, ids = await _programme_with_members(client, pool)
    client.cookies.clear()
    body = signup_body(email=UMA.upper(), display_name="Uma Costa", roles=["mentee"])
    r = await client.post("/api/v1/people", json=body)
    assert r.status_code == 201, r.text
    assert UUID(r.json()["id"]) == ids["uma"]  # the same person, not a new one
    assert r.json()["display_name"] == "Uma Costa"
    # Claiming leaves the address unverified; verified, she is like anyone who signed up.
    assert r.json()["email_verified"] is False
    await settle_email(pool, ids["uma"])
    # Now she is like anyone who signed up: she logs in, is listed and is matched.
    r = await client.post("/api/v1/auth/login", json={"email": UMA, "password": PASSWORD})
    assert r.status_code == 200, r.text
    me = await client.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["availability"], me.text
    async with pool.acquire() as conn:
        taking_part = await rounds.participants(conn, UUID(pid), ProgrammeSettings())
        listed = await roster.members(conn, UUID(pid), MemberFilter(), 10, 0)
    assert ids["uma"] in {p.id for p in taking_part.mentees}
    assert listed.total == 3 and ids["uma"] in {m.id for m in listed.members}
    # The email is taken now.
    again = await client.post("/api/v1/people", json={**body, "email": UMA})
    assert again.status_code == 409, again.text

    # The admin command claims an unclaimed person too.
    body = programmes.admin_account(NAMELESS, None, PASSWORD)
    account = (body, app.state.services.passwords.hash(PASSWORD))
    async with transaction(pool) as conn:
        person_id, what = await programmes.create_admin(conn, NAMELESS, account)
    assert (person_id, what) == (ids["nameless"], "created")
    assert await pool.fetchval("SELECT is_admin FROM people WHERE id = $1", person_id)


@pytest.mark.parametrize(
    "change",
    [
        "password_hash = 'x'",
        "is_mentee = true",
        "is_mentor = true, mentor_capacity = 2",
        "consent_to_match = true",
        "is_admin = true",
    ],
)
async def test_an_unclaimed_person_has_no_password_role_consent_or_rights(pool, change):
    async with pool.acquire() as conn:
        person = await people_repo.create_unclaimed_person(conn, UMA)
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute(f"UPDATE people SET {change} WHERE id = $1", person)


@pytest.mark.parametrize(
    "missing", ["password_hash", "display_name", "timezone", "is_mentee"], ids=str
)
async def test_a_signed_up_person_is_as_complete_as_before(pool, missing):
    values = {
        "email": "ana@example.org",
        "password_hash": "x",
        "display_name": "Ana",
        "timezone": "UTC",
        "is_mentee": True,
    }
    del values[missing]
    columns = ", ".join(values)
    places = ", ".join(f"${i}" for i in range(1, len(values) + 1))
    with pytest.raises((asyncpg.CheckViolationError, asyncpg.NotNullViolationError)):
        await pool.execute(
            f"INSERT INTO people ({columns}) VALUES ({places})",
            *values.values(),
        )


async def _count_people(pool):
    async with transaction(pool, readonly=True) as conn:
        return await people_repo.count_people(conn)

"""The invitation page's form (plain messages, nothing written when refused), joining by signing
up instead, erasure, and imported people staying invisible until they join."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from service.accounts import repository as accounts_repo
from service.invitations import service as invitations
from service.kit.db import transaction
from service.pages.invitation import CONSENT_NEEDED
from service.programmes.schemas import ProgrammeSettings
from service.rounds import service as rounds
from service.security import link_token
from tests.api.test_programmes import admin, join, programme
from tests.api.test_verification import post_form
from tests.conftest import settle_email, sign_up_and_login, signup_body
from tests.imported import ACCEPT, UMA, association, import_members


async def _untouched(pool, uma) -> None:
    """The invitation is as the import left it: unused, the person not in Kickoff."""
    row = await pool.fetchrow(
        "SELECT p.claimed_at, p.password_hash, p.display_name, l.used_at, m.status FROM people p"
        " JOIN email_links l ON l.person_id = p.id"
        " JOIN association_members m ON m.person_id = p.id WHERE p.id = $1",
        uma.id,
    )
    assert tuple(row) == (None, None, "Uma Costa", None, "invited")
    assert await pool.fetchval("SELECT count(*) FROM sessions") == 0


async def test_the_form_says_what_is_missing_in_plain_words_and_writes_nothing(
    client, pool, settings
):
    chapter = await association(pool)
    (uma,) = await import_members(pool, settings.secret, chapter, [UMA])
    path = f"/invitation/{uma.token}"

    # What a browser sends untouched, with a short password.
    r = await post_form(client, path, display_name="", password="short", timezone="", languages="")
    assert r.status_code == 422
    for message in (
        "Please fix the fields marked below.",
        "Use at least 12 characters",
        "Choose at least one role: mentee or mentor",
        "Choose your timezone from the list",
        "Fill this in",  # the display name
        CONSENT_NEEDED,
    ):
        assert message in r.text, message
    assert "PMI Lisbon Chapter invited you to Kickoff" in r.text  # still the invitation's page
    await _untouched(pool, uma)

    # Everything right but consent: accepting means agreeing to be matched.
    r = await post_form(client, path, **{**ACCEPT, "consent_to_match": ""})
    assert r.status_code == 422 and CONSENT_NEEDED in r.text
    assert r.text.count('class="error"') == 1
    # A mentor says how many mentees they can take; the value typed is kept on the form.
    r = await post_form(client, path, **{**ACCEPT, "roles": ["mentor"], "mentor_capacity": ""})
    assert r.status_code == 422
    assert "mentors say how many mentees they can take at once" in r.text.lower()
    assert 'name="city" maxlength="100" value="Lisbon"' in r.text
    assert "correct horse" not in r.text  # the password is never shown back
    await _untouched(pool, uma)

    # Without the form's CSRF token: refused, nothing written.
    r = await client.post(path, data=ACCEPT)
    assert r.status_code == 403
    await _untouched(pool, uma)

    # A mentee's capacity field is ignored, whatever is in it.
    r = await post_form(client, path, **{**ACCEPT, "roles": ["mentee"], "mentor_capacity": "x"})
    assert r.status_code == 303, r.text
    me = (await client.get("/api/v1/me")).json()
    assert me["roles"] == ["mentee"] and me["mentor_capacity"] is None


async def test_a_wrong_link_is_a_plain_404(client, pool, settings):
    for path in ("/invitation/not-a-token", "/invitation/" + "x" * 43):
        r = await client.get(path)
        assert r.status_code == 404
        assert "This invitation link is not valid. Check that it was copied whole." in r.text
        assert (await post_form(client, path, **ACCEPT)).status_code == 404
    # Another kind of link is not an invitation.
    await sign_up_and_login(client, email="ana@example.org")
    link_id = await pool.fetchval("SELECT id FROM email_links")
    client.cookies.clear()
    r = await client.get(f"/invitation/{link_token(settings.secret, 'verify_email', link_id)}")
    assert r.status_code == 404


async def test_signing_up_instead_makes_the_invited_memberships_active(client, pool, settings):
    chapter = await association(pool)
    other = await association(pool, "Agile Porto")
    (uma,) = await import_members(pool, settings.secret, chapter, [UMA])
    await pool.execute(
        "INSERT INTO association_members (association_id, person_id, source, status)"
        " VALUES ($1, $2, 'import', 'invited')",
        other,
        uma.id,
    )
    await pool.execute("UPDATE outbox SET status = 'sent', sent_at = now()")
    body = signup_body(email=UMA["email"].upper(), display_name="Uma C.")
    r = await client.post("/api/v1/people", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["id"] == str(uma.id)
    statuses = await pool.fetch(
        "SELECT status FROM association_members WHERE person_id = $1", uma.id
    )
    assert [s["status"] for s in statuses] == ["active", "active"]
    # The invitation is no longer needed, says so, and is never reminded.
    client.cookies.clear()
    page = await client.get(f"/invitation/{uma.token}")
    assert page.status_code == 410
    assert "You have already joined Kickoff with this email address" in page.text
    async with transaction(pool) as conn:
        later = datetime.now(UTC) + timedelta(days=8)
        assert await invitations.remind(conn, later, timedelta(days=7)) == []


async def test_erasing_a_person_removes_their_memberships_and_staged_import_rows(
    client, pool, settings
):
    chapter = await association(pool)
    (uma,) = await import_members(pool, settings.secret, chapter, [UMA])
    assert (await post_form(client, f"/invitation/{uma.token}", **ACCEPT)).status_code == 303
    # A later import of the chapter's file has staged rows, one of them hers (in capitals).
    staged = await pool.fetchval(
        "INSERT INTO imports (association_id, status) VALUES ($1, 'running') RETURNING id",
        chapter,
    )
    await pool.executemany(
        "INSERT INTO import_rows (import_id, line, email, data) VALUES ($1, $2, $3, '{}')",
        [(staged, 2, UMA["email"].upper()), (staged, 3, "someone.else@example.org")],
    )
    assert (await client.delete("/api/v1/me")).status_code == 204
    assert await pool.fetchval("SELECT count(*) FROM association_members") == 0
    rows = await pool.fetch("SELECT email FROM import_rows")
    assert [r["email"] for r in rows] == ["someone.else@example.org"]


async def test_invited_people_are_in_no_member_list_round_or_count(client, pool, settings):
    _, boss = await admin(client, pool)
    chapter = await association(pool)
    p = await programme(client, boss, name="PMI Lisbon mentoring 2027")
    await pool.execute(
        "UPDATE programmes SET association_id = $1 WHERE id = $2", chapter, UUID(p["id"])
    )
    ana = await sign_up_and_login(client, email="ana@example.org")
    await settle_email(pool, ana["id"])
    token = client.cookies.get("kickoff_session")
    await join(client, p["id"], {"Authorization": f"Bearer {token}"})
    (uma,) = await import_members(pool, settings.secret, chapter, [UMA])
    # However an invited person came to be in the programme's table, nobody sees them.
    await pool.execute(
        "INSERT INTO programme_members (programme_id, person_id) VALUES ($1, $2)",
        UUID(p["id"]),
        uma.id,
    )
    members = await client.get(f"/api/v1/programmes/{p['id']}/members", headers=boss)
    assert members.status_code == 200, members.text
    assert [m["id"] for m in members.json()["members"]] == [ana["id"]]
    assert members.json()["total"] == 1 and "Uma" not in members.text
    shown = (await client.get(f"/api/v1/programmes/{p['id']}", headers=boss)).json()
    assert (shown["members"], shown["mentees"], shown["mentors"]) == (1, 1, 0)
    page = await client.get("/programmes")
    assert "1 mentee and 0 mentors" in page.text and "Uma" not in page.text
    async with pool.acquire() as conn:
        taking_part = await rounds.participants(conn, UUID(p["id"]), ProgrammeSettings())
    assert {x.id for x in taking_part.mentees + taking_part.mentors} == {UUID(ana["id"])}
    assert not taking_part.not_entered


async def test_expired_invitations_are_kept_longer_so_their_page_can_say_so(client, pool, settings):
    chapter = await association(pool)
    uma, vic = await import_members(
        pool, settings.secret, chapter, [UMA, {"email": "vic@example.org"}]
    )
    await sign_up_and_login(client, email="ana@example.org")
    # Links that expired two days ago (a verification, Uma's invitation), and Vic's 91 days ago.
    await pool.execute(
        "UPDATE email_links SET created_at = now() - interval '40 days',"
        " expires_at = now() - interval '2 days'"
    )
    await pool.execute(
        "UPDATE email_links SET created_at = now() - interval '130 days',"
        " expires_at = now() - interval '91 days' WHERE person_id = $1",
        vic.id,
    )
    async with transaction(pool) as conn:
        assert await accounts_repo.purge_links(conn, timedelta(days=1)) == 2
    assert await pool.fetchval("SELECT person_id FROM email_links") == uma.id
    client.cookies.clear()
    page = await client.get(f"/invitation/{uma.token}")
    assert page.status_code == 410 and "This invitation expired on" in page.text

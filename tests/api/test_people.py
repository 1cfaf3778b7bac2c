"""Sign-up, own profile, export and erasure through the JSON API."""

from __future__ import annotations

from tests.conftest import sign_up_and_login, signup_body


async def test_signup_normalises_taxonomy_and_keeps_custom_tags(client):
    body = signup_body(
        skills=["Risk mgmt", "SAP rollout", "risk management"],
        tools=["Microsoft Project", "MSP", "JIRA"],
        certifications_target=["Project Management Professional"],
    )
    r = await client.post("/api/v1/people", json=body)
    assert r.status_code == 201, r.text
    profile = r.json()
    assert profile["tools"] == ["ms-project", "jira"]
    assert profile["skills"] == ["risk-management", "sap-rollout"]
    assert profile["certifications_target"] == ["pmp"]
    assert profile["custom_tags"] == ["sap-rollout"]
    assert "password" not in profile and "password_hash" not in profile


async def test_signup_availability_is_merged_and_kept_in_local_time(client):
    body = signup_body(
        availability=[
            "Tue 18:00-20:00",
            {"day": "tue", "start": "19:30", "end": "21:00"},
            {"day": "mon", "start": "07:00", "end": "08:00"},
            "Sun 22:00-24:00",
        ]
    )
    r = await client.post("/api/v1/people", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["availability"] == [
        {"day": "mon", "start": "07:00", "end": "08:00"},
        {"day": "tue", "start": "18:00", "end": "21:00"},
        {"day": "sun", "start": "22:00", "end": "24:00"},
    ]


async def test_mentor_and_both_roles(client):
    r = await client.post(
        "/api/v1/people", json=signup_body(roles=["mentor", "mentee"], mentor_capacity=3)
    )
    assert r.status_code == 201, r.text
    assert r.json()["roles"] == ["mentee", "mentor"]
    assert r.json()["mentor_capacity"] == 3


async def test_me_requires_login(client):
    for method, path in (
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/me/export"),
        ("DELETE", "/api/v1/me"),
    ):
        r = await client.request(method, path)
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "unauthorized"
    r = await client.patch("/api/v1/me", json={"headline": "x"})
    assert r.status_code == 401


async def test_patch_me_changes_only_sent_fields(client):
    before = await sign_up_and_login(client)
    r = await client.patch(
        "/api/v1/me",
        json={"headline": "Junior PM at a Lisbon fintech", "tools": ["Trello"], "availability": []},
    )
    assert r.status_code == 200, r.text
    after = r.json()
    assert after["headline"] == "Junior PM at a Lisbon fintech"
    assert after["tools"] == ["trello"]
    assert after["availability"] == []
    for field in ("skills", "goals", "languages", "timezone", "bio", "email"):
        assert after[field] == before[field]
    assert after["updated_at"] > before["updated_at"]


async def test_patch_roles_and_capacity_rules(client):
    await sign_up_and_login(client)
    r = await client.patch("/api/v1/me", json={"roles": ["mentee", "mentor"]})
    assert r.status_code == 422
    assert r.json()["error"]["fields"][0]["field"] == "mentor_capacity"
    r = await client.patch("/api/v1/me", json={"roles": ["mentee", "mentor"], "mentor_capacity": 2})
    assert r.status_code == 200 and r.json()["mentor_capacity"] == 2
    # Dropping the mentor role drops the capacity with it.
    r = await client.patch("/api/v1/me", json={"roles": ["mentee"]})
    assert r.status_code == 200 and r.json()["mentor_capacity"] is None
    r = await client.patch("/api/v1/me", json={"mentor_capacity": 4})
    assert r.status_code == 422


async def test_patch_null_on_required_field_is_422(client):
    await sign_up_and_login(client)
    r = await client.patch("/api/v1/me", json={"timezone": None, "display_name": None})
    assert r.status_code == 422
    assert {f["field"] for f in r.json()["error"]["fields"]} == {"timezone", "display_name"}


async def test_patch_email_to_taken_one_is_409_and_changes_nothing(client):
    other = signup_body()
    assert (await client.post("/api/v1/people", json=other)).status_code == 201
    me = await sign_up_and_login(client)
    r = await client.patch(
        "/api/v1/me", json={"email": str(other["email"]).upper(), "headline": "changed"}
    )
    assert r.status_code == 409
    assert (await client.get("/api/v1/me")).json()["headline"] == me["headline"]


async def test_export_contains_everything_about_me_and_no_secrets(client):
    me = await sign_up_and_login(client)
    await client.post(
        "/api/v1/auth/login", json={"email": me["email"], "password": "wrong password!!"}
    )
    r = await client.get("/api/v1/me/export")
    assert r.status_code == 200
    assert "attachment" in r.headers["content-disposition"]
    data = r.json()
    assert data["profile"] == {**me, "updated_at": data["profile"]["updated_at"]}
    assert len(data["sessions"]) == 1
    assert len(data["login_failures"]) == 1
    assert [(x["purpose"], x["email"]) for x in data["email_links"]] == [
        ("verify_email", me["email"])
    ]
    text = r.text
    assert "argon2" not in text and "token" not in text


async def test_erase_removes_person_everything_personal_and_sessions(client, pool):
    me = await sign_up_and_login(client)
    token = (
        await client.post(
            "/api/v1/auth/login",
            json={"email": me["email"], "password": "correct horse battery staple"},
        )
    ).json()["token"]
    r = await client.delete("/api/v1/me")
    assert r.status_code == 204
    for table, column in (
        ("people", "id"),
        ("availability_windows", "person_id"),
        ("sessions", "person_id"),
    ):
        count = await pool.fetchval(f"SELECT count(*) FROM {table} WHERE {column} = $1", me["id"])
        assert count == 0, table
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM login_failures WHERE email_lower = lower($1)", me["email"]
        )
        == 0
    )
    # Every session is revoked, not just the one that asked.
    r = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    # The email can be used again.
    again = signup_body(email=me["email"])
    assert (await client.post("/api/v1/people", json=again)).status_code == 201


async def test_html_and_sql_in_text_fields_stored_verbatim(client, pool):
    nasty = "<script>alert(1)</script>'); DROP TABLE people; --"
    me = await sign_up_and_login(client, display_name=nasty[:80], bio=nasty, headline="<b>bold</b>")
    assert me["bio"] == nasty
    assert await pool.fetchval("SELECT bio FROM people WHERE id = $1", me["id"]) == nasty
    page = await client.get("/me")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "&lt;b&gt;bold&lt;/b&gt;" in page.text


async def test_taxonomy_lists_terms_synonyms_and_goal_needs(client):
    r = await client.get("/api/v1/taxonomy")
    assert r.status_code == 200
    data = r.json()
    kinds = data["counts"]
    assert kinds["skill"] + kinds["tool"] + kinds["certification"] >= 60
    assert kinds["goal"] >= 15
    by_slug = {t["slug"]: t for t in data["terms"]}
    assert by_slug["ms-project"]["label"] == "Microsoft Project"
    assert "MSP" in by_slug["ms-project"]["synonyms"]
    assert by_slug["earn-pmp"]["needs"]["pmp"] > 0
    r = await client.get("/api/v1/taxonomy", params={"kind": "goal"})
    assert {t["kind"] for t in r.json()["terms"]} == {"goal"}
    r = await client.get("/api/v1/taxonomy", params={"kind": "planet"})
    assert r.status_code == 422
    assert r.json()["error"]["fields"][0]["field"] == "kind"


async def test_export_includes_programmes_mentorships_and_proposals_without_contacts(client, pool):
    other = signup_body(email="mentor.secret@example.org", roles=["mentor"], mentor_capacity=2)
    other_id = (await client.post("/api/v1/people", json=other)).json()["id"]
    me = await sign_up_and_login(client)
    pid = await pool.fetchval("INSERT INTO programmes (name) VALUES ('PMI Porto') RETURNING id")
    assert (await client.post(f"/api/v1/programmes/{pid}/join")).status_code == 201
    await pool.execute(
        "INSERT INTO mentorships (programme_id, mentee_id, mentor_id, source)"
        " VALUES ($1, $2, $3, 'request')",
        pid,
        me["id"],
        other_id,
    )
    data = (await client.get("/api/v1/me/export")).json()
    assert data["is_admin"] is False
    assert [p["name"] for p in data["programmes"]] == ["PMI Porto"]
    assert data["mentorships"][0]["other_display_name"] == "Ana Silva"
    assert data["mentorships"][0]["my_role"] == "mentee"
    assert "mentor.secret@example.org" not in (await client.get("/api/v1/me/export")).text

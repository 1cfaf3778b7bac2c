"""HTML pages without a browser: forms, CSRF, sessions, escaping."""

from __future__ import annotations

import html
import re

from service.kit.html import CSRF_COOKIE
from tests.conftest import csrf_from, sign_up_and_login

FORM = {
    "display_name": "Bruno Costa",
    "email": "bruno.costa@example.org",
    "password": "a long enough password",
    "roles": "mentee",
    "headline": "Developer moving into project management",
    "bio": "",
    "years_experience": "2",
    "current_role": "Backend developer",
    "employer": "Acme",
    "city": "Porto",
    "country": "pt",
    "timezone": "Europe/Lisbon",
    "languages": "pt, en",
    "skills": "Scrum, risk mgmt",
    "tools": "Jira, MS Project",
    "certifications_held": "",
    "certifications_target": "CAPM",
    "goals": "first PM job",
    "industries": "",
    "meeting_modes": "remote",
    "availability": "Tue 18:00-20:00\nSat 10:00-12:00",
    "consent_to_match": "on",
}


async def test_home_and_public_pages_render(client):
    for path in ("/", "/signup", "/signup?role=mentor", "/login", "/docs"):
        r = await client.get(path)
        assert r.status_code == 200, path
        assert "text/html" in r.headers["content-type"]
        assert r.headers["x-frame-options"] == "DENY"
        assert "default-src 'self'" in r.headers["content-security-policy"]
    assert "mentor" in (await client.get("/signup?role=mentor")).text.lower()


async def test_form_signup_login_round_trip_with_csrf(client):
    page = await client.get("/signup")
    assert CSRF_COOKIE in page.cookies
    token = csrf_from(page.text)
    r = await client.post("/signup", data={**FORM, "csrf_token": token})
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/me?welcome=1"
    me = await client.get("/me?welcome=1")
    assert me.status_code == 200
    assert "Welcome to Kickoff, Bruno Costa" in me.text
    assert "Microsoft Project" in me.text and "Scrum" in me.text
    # The JSON API sees the same session cookie.
    api = (await client.get("/api/v1/me")).json()
    assert api["tools"] == ["jira", "ms-project"]
    assert api["availability"][0] == {"day": "tue", "start": "18:00", "end": "20:00"}
    assert api["country"] == "PT" and api["years_experience"] == 2

    # Log out through the form (CSRF token now bound to the session).
    r = await client.post("/logout", data={"csrf_token": csrf_from(me.text)})
    assert r.status_code == 303
    assert (await client.get("/api/v1/me")).status_code == 401
    r = await client.get("/me")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")

    # And log back in through the login form.
    page = await client.get("/login?next=/me/edit")
    r = await client.post(
        "/login",
        data={
            "email": "BRUNO.COSTA@example.org",
            "password": FORM["password"],
            "next": "/me/edit",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert r.status_code == 303 and r.headers["location"] == "/me/edit"
    assert (await client.get("/api/v1/me")).status_code == 200


async def test_form_post_without_or_with_forged_csrf_is_403_and_writes_nothing(client, pool):
    await client.get("/signup")
    r = await client.post("/signup", data=FORM)
    assert r.status_code == 403
    r = await client.post("/signup", data={**FORM, "csrf_token": "0" * 64})
    assert r.status_code == 403
    # A token from another browser (another CSRF cookie) does not work here.
    page = await client.get("/signup")
    token = csrf_from(page.text)
    client.cookies.clear()
    await client.get("/")
    r = await client.post("/signup", data={**FORM, "csrf_token": token})
    assert r.status_code == 403
    assert await pool.fetchval("SELECT count(*) FROM people") == 0


async def test_form_errors_are_shown_per_field_and_values_kept(client, pool):
    page = await client.get("/signup")
    bad = {**FORM, "timezone": "Mars/Base", "email": "nope", "years_experience": "lots"}
    r = await client.post("/signup", data={**bad, "csrf_token": csrf_from(page.text)})
    assert r.status_code == 422
    assert "Choose your timezone from the list" in r.text
    assert "Enter an email address, like name@example.org" in r.text
    assert "Enter a whole number" in r.text
    assert 'value="Bruno Costa"' in r.text
    assert FORM["password"] not in r.text
    assert await pool.fetchval("SELECT count(*) FROM people") == 0


async def test_form_duplicate_email_shows_message(client):
    page = await client.get("/signup")
    await client.post("/signup", data={**FORM, "csrf_token": csrf_from(page.text)})
    client.cookies.clear()
    page = await client.get("/signup")
    r = await client.post("/signup", data={**FORM, "csrf_token": csrf_from(page.text)})
    assert r.status_code == 422
    assert "already exists" in r.text


async def test_mentor_form_signup_needs_capacity(client):
    page = await client.get("/signup?role=mentor")
    assert 'name="mentor_capacity"' in page.text
    data = {**FORM, "roles": "mentor", "csrf_token": csrf_from(page.text)}
    r = await client.post("/signup", data=data)
    assert r.status_code == 422 and "how many mentees" in r.text
    r = await client.post("/signup", data={**data, "mentor_capacity": "3"})
    assert r.status_code == 303
    assert (await client.get("/api/v1/me")).json()["mentor_capacity"] == 3


async def test_login_form_wrong_password_and_throttle(client):
    page = await client.get("/signup")
    await client.post("/signup", data={**FORM, "csrf_token": csrf_from(page.text)})
    client.cookies.clear()
    page = await client.get("/login")
    token = csrf_from(page.text)
    for _ in range(10):
        r = await client.post(
            "/login",
            data={"email": FORM["email"], "password": "wrong password", "csrf_token": token},
        )
        assert r.status_code == 401 and "not right" in r.text
    r = await client.post(
        "/login", data={"email": FORM["email"], "password": FORM["password"], "csrf_token": token}
    )
    assert r.status_code == 429 and "too many" in r.text


async def test_login_next_cannot_redirect_off_site(client):
    page = await client.get("/signup")
    await client.post("/signup", data={**FORM, "csrf_token": csrf_from(page.text)})
    page = await client.get("/login")
    for target in ("//evil.example/", "https://evil.example/"):
        r = await client.post(
            "/login",
            data={
                "email": FORM["email"],
                "password": FORM["password"],
                "next": target,
                "csrf_token": csrf_from(page.text),
            },
        )
        assert r.status_code == 303 and r.headers["location"] == "/me"
        page = await client.get("/login")


async def test_edit_profile_form_and_erase(client, pool):
    page = await client.get("/signup")
    await client.post("/signup", data={**FORM, "csrf_token": csrf_from(page.text)})
    edit = await client.get("/me/edit")
    assert edit.status_code == 200
    assert "Tue 18:00-20:00" in edit.text
    form = {**FORM, "headline": "Junior PM", "roles": ["mentee", "mentor"], "mentor_capacity": "2"}
    form.pop("email"), form.pop("password")
    r = await client.post("/me/edit", data={**form, "csrf_token": csrf_from(edit.text)})
    assert r.status_code == 303, r.text
    me = (await client.get("/api/v1/me")).json()
    assert me["headline"] == "Junior PM" and me["roles"] == ["mentee", "mentor"]

    # Erasing needs the confirmation word.
    edit = await client.get("/me/edit")
    r = await client.post("/me/erase", data={"confirm": "no", "csrf_token": csrf_from(edit.text)})
    assert r.status_code == 303 and await pool.fetchval("SELECT count(*) FROM people") == 1
    told = await client.get(r.headers["location"])
    assert "Nothing was erased: type DELETE, in capital letters" in told.text
    r = await client.post(
        "/me/erase", data={"confirm": "DELETE", "csrf_token": csrf_from(edit.text)}
    )
    assert r.status_code == 303 and r.headers["location"] == "/?erased=1"
    assert await pool.fetchval("SELECT count(*) FROM people") == 0
    assert await pool.fetchval("SELECT count(*) FROM sessions") == 0


async def test_unknown_page_is_html_404(client):
    r = await client.get("/no/such/page")
    assert r.status_code == 404 and "Page not found" in r.text


async def test_the_menu_is_the_same_on_error_pages_and_the_docs(client):
    await sign_up_and_login(client)
    for path in ("/me", "/no-such-page", "/docs", "/verify/" + "x" * 43, "/forgot-password"):
        page = await client.get(path)
        assert 'action="/logout"' in page.text, path  # the logged-in menu
        assert "Log in</a>" not in page.text, path
    missing = await client.get("/no-such-page")
    assert missing.status_code == 404
    # Its logout form works: the page carries a valid CSRF token.
    r = await client.post("/logout", data={"csrf_token": csrf_from(missing.text)})
    assert r.status_code == 303
    assert "Log in</a>" in (await client.get("/no-such-page")).text


async def test_the_edit_form_shows_tags_by_label_and_saves_them_unchanged(client, app):
    me = await sign_up_and_login(client)
    taxonomy = app.state.services.taxonomy
    page = await client.get("/me/edit")
    assert page.status_code == 200
    for field in ("tools", "goals", "certifications_target", "skills"):
        for slug in me[field]:
            label = taxonomy.label(slug)
            assert label in page.text, (field, label)
            if not taxonomy.is_custom(slug) and label.lower() != slug:
                assert f"{slug}," not in page.text and f'"{slug}"' not in page.text
    # Sent back as shown, the labels normalise to the same tags.
    values = dict(re.findall(r'<input name="(\w+)"[^>]*?value="([^"]*)"', page.text))
    form = {**{k: html.unescape(v) for k, v in values.items()}, "csrf_token": csrf_from(page.text)}
    form.update(roles="mentee", meeting_modes="remote", consent_to_match="on")
    r = await client.post("/me/edit", data=form)
    assert r.status_code == 303, r.text
    again = (await client.get("/api/v1/me")).json()
    for field in ("tools", "goals", "certifications_target", "skills", "industries"):
        assert again[field] == me[field], field

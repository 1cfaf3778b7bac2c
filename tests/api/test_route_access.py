"""Every route of the app, API and pages alike, called as six people: anonymous, a member of
the programme, its organiser, the organiser of another programme (who also admins another
association), an admin of the association and a site admin. Each gets the status its role
allows, and no response carries an email address of anyone but the caller.

The routes come from the app itself: a new route that this file does not classify fails the
test, so none can be forgotten.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import httpx
import pytest
from starlette.routing import Route

from service.app import operations
from service.kit.api import Rule
from tests.api.test_associations import association
from tests.api.test_programmes import appoint, join, programme
from tests.conftest import csrf_from, settle_email, sign_up_and_login
from tests.workers.test_rounds import _run_worker

PASSWORD = "correct horse battery staple"
ANYONE, PERSON, ORGANISER, ADMIN = "anyone", "person", "organiser", "admin"
ASSOCIATION_ADMIN = "association admin"
#: Anyone who may host an event somewhere: association admins, organisers, site admins.
HOST = "host"
#: The HTML routes and who may use them (the API's come from each operation's declared rule).
PAGES: dict[tuple[str, str], str] = {
    ("GET", "/"): ANYONE,
    ("GET", "/docs"): ANYONE,
    ("GET", "/signup"): ANYONE,
    ("POST", "/signup"): ANYONE,
    ("GET", "/login"): ANYONE,
    ("POST", "/login"): ANYONE,
    ("POST", "/logout"): ANYONE,
    ("GET", "/forgot-password"): ANYONE,
    ("POST", "/forgot-password"): ANYONE,
    ("GET", "/verify/{token}"): ANYONE,
    ("POST", "/verify/{token}"): ANYONE,
    ("GET", "/reset/{token}"): ANYONE,
    ("POST", "/reset/{token}"): ANYONE,
    ("GET", "/invitation/{token}"): ANYONE,
    ("POST", "/invitation/{token}"): ANYONE,
    ("GET", "/introductions/{token}"): ANYONE,
    ("POST", "/introductions/{token}"): ANYONE,
    ("GET", "/unsubscribe/{token}"): ANYONE,
    (
        "POST",
        "/unsubscribe/{token}",
    ): ANYONE,  # no CSRF: RFC 8058 one-click (service/pages/digest.py)
    ("GET", "/mailbox"): ANYONE,  # 404 unless the demo runs
    ("GET", "/healthz"): ANYONE,
    ("GET", "/readyz"): ANYONE,
    ("GET", "/openapi.json"): ANYONE,
    ("GET", "/me"): PERSON,
    ("GET", "/me/edit"): PERSON,
    ("POST", "/me/edit"): PERSON,
    ("POST", "/me/erase"): PERSON,
    ("POST", "/me/verification"): PERSON,
    ("POST", "/me/password"): PERSON,
    ("GET", "/me/matches"): PERSON,
    ("GET", "/next-steps"): PERSON,
    ("POST", "/me/matches/{id}"): PERSON,
    ("GET", "/suggestions"): PERSON,
    ("GET", "/programmes"): PERSON,
    ("GET", "/programmes/{id}/join"): PERSON,
    ("POST", "/programmes/{id}/join"): PERSON,
    ("POST", "/programmes/{id}/leave"): PERSON,
    ("GET", "/join/{code}"): PERSON,
    ("POST", "/join/{code}"): PERSON,
    ("GET", "/organise"): PERSON,  # lists what the caller organises: nothing for most
    ("POST", "/organise/{id}"): ORGANISER,
    ("POST", "/organise/{id}/invitation"): ORGANISER,
    ("GET", "/organise/{id}"): ORGANISER,
    ("POST", "/organise/{id}/rounds"): ORGANISER,
    ("POST", "/organise/{id}/overrides/{mentee_id}/{mentor_id}/remove"): ORGANISER,
    ("GET", "/organise/{id}/settings"): ORGANISER,
    ("POST", "/organise/{id}/settings"): ORGANISER,
    ("GET", "/organise/{id}/members"): ORGANISER,
    ("GET", "/organise/rounds/{id}"): ORGANISER,
    ("POST", "/organise/rounds/{id}/overrides"): ORGANISER,
    ("POST", "/organise/rounds/{id}/rerun"): ORGANISER,
    ("GET", "/organise/rounds/{id}/publish"): ORGANISER,
    ("POST", "/organise/rounds/{id}/publish"): ORGANISER,
    ("GET", "/organise/rounds/{id}/compare"): ORGANISER,
    ("GET", "/organise/{id}/outcomes"): ORGANISER,
    ("GET", "/admin"): ADMIN,
    ("POST", "/admin/programmes"): ADMIN,
    ("POST", "/admin/programmes/{id}/organisers"): ADMIN,
    ("POST", "/admin/programmes/{id}/organisers/{person_id}/remove"): ADMIN,
    ("GET", "/associations"): PERSON,
    ("GET", "/associations/{id}"): PERSON,
    ("POST", "/associations/{id}/edit"): ASSOCIATION_ADMIN,
    ("GET", "/associations/{id}/imports"): ASSOCIATION_ADMIN,
    ("POST", "/associations/{id}/imports/preview"): ASSOCIATION_ADMIN,
    ("POST", "/associations/{id}/imports/confirm"): ASSOCIATION_ADMIN,
    ("GET", "/associations/{id}/imports/{import_id}"): ASSOCIATION_ADMIN,
    ("GET", "/associations/{id}/events/import"): ASSOCIATION_ADMIN,
    ("POST", "/associations/{id}/events/import"): ASSOCIATION_ADMIN,
    ("POST", "/associations/{id}/keys"): ASSOCIATION_ADMIN,
    ("POST", "/associations/{id}/keys/{key_id}/revoke"): ASSOCIATION_ADMIN,
    ("POST", "/associations/{id}/programme-requests"): ASSOCIATION_ADMIN,
    ("POST", "/associations/{id}/members/{person_id}/confirm"): ASSOCIATION_ADMIN,
    ("POST", "/associations/{id}/members/{person_id}/end"): ASSOCIATION_ADMIN,
    ("POST", "/associations/{id}/admins/{person_id}/remove"): ADMIN,
    ("POST", "/admin/associations"): ADMIN,
    ("POST", "/admin/association-admins"): ADMIN,
    ("POST", "/admin/programme-requests/{id}/approve"): ADMIN,
    ("POST", "/admin/programme-requests/{id}/decline"): ADMIN,
    ("POST", "/me/associations"): PERSON,
    ("POST", "/me/associations/{id}/leave"): PERSON,
    ("GET", "/events"): PERSON,
    ("GET", "/events/{id}"): PERSON,
    ("POST", "/events/{id}/rsvp"): PERSON,
    ("POST", "/events/{id}/rsvp/cancel"): PERSON,
    ("GET", "/events/new"): HOST,
    ("POST", "/events/new"): HOST,
    ("GET", "/events/{id}/edit"): ASSOCIATION_ADMIN,  # the world's event is association A's
    ("POST", "/events/{id}/edit"): ASSOCIATION_ADMIN,
    ("POST", "/events/{id}/cancel"): ASSOCIATION_ADMIN,
}
API_RULES = {
    Rule.ANYONE: ANYONE,
    Rule.PERSON: PERSON,
    Rule.ORGANISER: ORGANISER,
    Rule.SITE_ADMIN: ADMIN,
    Rule.ASSOCIATION_ADMIN: ASSOCIATION_ADMIN,
}
#: Routes that would end the caller's session or account: allowed callers use a spare account.
SPENDS_THE_CALLER = {
    ("DELETE", "/api/v1/me"),
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/logout"),
}
#: Who may call a route of each rule (the others are refused).
ALLOWED = {
    ANYONE: {"anonymous", "member", "organiser", "other organiser", "association admin", "admin"},
    PERSON: {"member", "organiser", "other organiser", "association admin", "admin"},
    ORGANISER: {"organiser", "admin"},
    ASSOCIATION_ADMIN: {"association admin", "admin"},
    HOST: {"organiser", "other organiser", "association admin", "admin"},
    ADMIN: {"admin"},
}
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass
class Persona:
    name: str
    client: httpx.AsyncClient
    email: str | None


def routes(app) -> list[tuple[str, str]]:
    """Every (method, path) the app serves, but static files."""
    found = []
    for route in app.routes:
        if isinstance(route, Route):
            found += [(m, route.path) for m in sorted(route.methods or ()) if m != "HEAD"]
    return found


def _api_rule(method: str, path: str, rule: Rule) -> str:
    if rule is Rule.EVENT_HOST:
        # Creating: anyone logged in may try (the body's host is checked: {} is a 422); an
        # existing event: its hosts, here association A's admins.
        return ASSOCIATION_ADMIN if "{id}" in path else PERSON
    return API_RULES[rule]


def rules() -> dict[tuple[str, str], str]:
    return {
        **PAGES,
        **{
            (op.method, op.path): _api_rule(op.method, op.path, op.access.rule)
            for op in operations()
        },
    }


def test_every_route_is_classified(app):
    unknown = [r for r in routes(app) if r not in rules()]
    assert not unknown, f"classify these routes in PAGES: {unknown}"


async def _persona(app, name: str, email: str | None) -> Persona:
    transport = httpx.ASGITransport(app=app, client=("198.51.100.20", 50000))
    client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
    if email is not None:
        r = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert r.status_code == 200, r.text
    return Persona(name, client, email)


@pytest.fixture
async def world(app, client, pool, settings):
    """Programme P (organiser Olga, member Mia the mentee, a mentor) with a done round; a
    programme Q organised by Otto; association A (admin Ada; Mia asked to be a member) and
    association B (admin Otto); Sara the site admin."""
    sara = await sign_up_and_login(client, email="sara@example.org", display_name="Sara")
    await pool.execute("UPDATE people SET is_admin = true WHERE id = $1", uuid.UUID(sara["id"]))
    boss = {"Authorization": f"Bearer {client.cookies.get('kickoff_session')}"}
    client.cookies.clear()
    p = await programme(client, boss, name="Programme P")
    q = await programme(client, boss, name="Programme Q")
    people = {}
    for email, extra in (
        ("olga@example.org", {}),
        ("otto@example.org", {}),
        ("mia@example.org", {}),
        ("ada@example.org", {}),
        (
            "rui@example.org",
            {
                "roles": ["mentor"],
                "mentor_capacity": 2,
                "employer": "Elsewhere",
                "years_experience": 12,
            },
        ),
    ):
        people[email] = await sign_up_and_login(client, email=email, **extra)
        await settle_email(pool, people[email]["id"])
        client.cookies.clear()
    await appoint(client, p["id"], people["olga@example.org"]["id"], boss)
    await appoint(client, q["id"], people["otto@example.org"]["id"], boss)
    associations = {}
    for name, email in (
        ("Association A", "ada@example.org"),
        ("Association B", "otto@example.org"),
    ):
        associations[name] = await association(client, boss, name=name)
        r = await client.post(
            f"/api/v1/associations/{associations[name]['id']}/admins",
            json={"person_id": people[email]["id"]},
            headers=boss,
        )
        assert r.status_code == 201, r.text
    a = associations["Association A"]["id"]
    r = await client.post(
        "/api/v1/auth/login", json={"email": "mia@example.org", "password": PASSWORD}
    )
    mia = {"Authorization": f"Bearer {r.json()['token']}"}
    r = await client.post("/api/v1/me/associations", json={"association_id": a}, headers=mia)
    assert r.status_code == 201, r.text
    client.cookies.clear()
    for email in ("mia@example.org", "rui@example.org"):
        r = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        await join(client, p["id"], {"Authorization": f"Bearer {r.json()['token']}"})
        client.cookies.clear()
    r = await client.post(f"/api/v1/programmes/{p['id']}/rounds", json={}, headers=boss)
    assert r.status_code == 202, r.text
    await _run_worker(settings)
    round_id = r.json()["id"]
    assert (await client.get(f"/api/v1/rounds/{round_id}", headers=boss)).json()[
        "status"
    ] == "draft"
    personas = [
        await _persona(app, "anonymous", None),
        await _persona(app, "member", "mia@example.org"),
        await _persona(app, "other organiser", "otto@example.org"),
        await _persona(app, "organiser", "olga@example.org"),
        await _persona(app, "association admin", "ada@example.org"),
        await _persona(app, "admin", "sara@example.org"),
    ]
    # A member import of association A (for /imports/{id}).
    import_id = await app.state.services.pool.fetchval(
        "INSERT INTO imports (association_id) VALUES ($1) RETURNING id::text", uuid.UUID(a)
    )
    # An event of association A (for /events/{id}), starting in a week.
    event_id = await app.state.services.pool.fetchval(
        "INSERT INTO events (association_id, title, kind, starts_at, ends_at, timezone, online)"
        " VALUES ($1, 'Event E', 'workshop', now() + interval '7 days',"
        " now() + interval '7 days 2 hours', 'UTC', true) RETURNING id::text",
        uuid.UUID(a),
    )
    values = {
        "event": event_id,
        "programme": p["id"],
        "round": round_id,
        "association": a,
        "import": import_id,
        "person_id": people["otto@example.org"]["id"],  # no organiser of P: removing is a no-op
        "code": (await client.get(f"/api/v1/programmes/{p['id']}", headers=boss)).json()[
            "invitation_code"
        ],
    }
    yield personas, values, {e for e in [*people, "sara@example.org"]}
    for persona in personas:
        await persona.client.aclose()


def _url(path: str, values: dict[str, str]) -> str:
    """The path with its parameters: P or its round for {id}, fresh ids elsewhere."""
    if path.startswith(("/api/v1/rounds/", "/organise/rounds/")):
        path = path.replace("{id}", values["round"]).replace("{round_id}", values["round"])
    elif "/programmes/{id}" in path or path.startswith("/organise/{id}"):
        path = path.replace("{id}", values["programme"])
    elif "/associations/{id}" in path:
        path = path.replace("{id}", values["association"])
    elif path.startswith(("/api/v1/events/{id}", "/events/{id}")):
        path = path.replace("{id}", values["event"])
    elif path.startswith("/api/v1/imports/"):
        path = path.replace("{id}", values["import"])
    path = path.replace("{programme_id}", values["programme"])
    path = path.replace("{person_id}", values["person_id"]).replace("{code}", values["code"])
    path = path.replace("{token}", "not-a-token")
    return re.sub(r"\{[a-z_]+\}", str(uuid.uuid4()), path)


async def _call(persona: Persona, method: str, path: str, url: str) -> httpx.Response:
    c = persona.client
    if path.startswith("/api/") or path in ("/healthz", "/readyz", "/openapi.json"):
        token = c.cookies.get("kickoff_session")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return await c.request(method, url, json={} if method != "GET" else None, headers=headers)
    if method == "GET":
        return await c.get(url)
    page = await c.get("/login")  # any page: the CSRF token of this browser and session
    return await c.post(url, data={"csrf_token": csrf_from(page.text)})


def _refused(page: bool, persona: str, response: httpx.Response) -> bool:
    if persona == "anonymous" and page:
        return response.status_code == 303 and "/login" in response.headers["location"]
    return response.status_code in ((401,) if persona == "anonymous" else (403,))


async def test_each_route_answers_each_role_as_it_should(app, world):
    personas, values, emails = world
    table = rules()
    checked = 0
    for method, path in routes(app):
        rule = table[method, path]
        url = _url(path, values)
        page = not (path.startswith("/api/") or path in ("/healthz", "/readyz", "/openapi.json"))
        for persona in personas:
            caller = persona
            if (method, path) in SPENDS_THE_CALLER and persona.email is not None:
                spare = await sign_up_and_login(
                    persona.client, email=f"s{uuid.uuid4().hex[:6]}@e.org"
                )
                caller = Persona(persona.name, persona.client, spare["email"])
            response = (
                await _call(caller, method, url, url)
                if False
                else await _call(caller, method, path, url)
            )
            where = f"{method} {path} as {persona.name}: {response.status_code}"
            assert response.status_code < 500, where
            if rule == ANYONE:
                pass  # its own answers (a wrong login is a 401) are not refusals of access
            elif persona.name in ALLOWED[rule]:
                assert not _refused(page, persona.name, response), where
                assert response.status_code not in (401, 403), where + " " + response.text[:300]
            else:
                assert _refused(page, persona.name, response), where + " " + response.text[:300]
            leaked = set(EMAIL.findall(response.text)) & (emails - {caller.email})
            assert not leaked, f"{where} shows {leaked}"
            if caller is not persona:  # back to the persona's own session
                persona.client.cookies.clear()
                await persona.client.post(
                    "/api/v1/auth/login", json={"email": persona.email, "password": PASSWORD}
                )
            checked += 1
    assert checked >= 6 * 100

"""Every HTML form, fuzzed with a valid CSRF token: never a 5xx, and a 4xx writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from service.introductions.tokens import answer_token
from tests.api.test_fuzz_operations import _snapshot, watched_tables
from tests.api.test_pages import FORM
from tests.conftest import csrf_from
from tests.imported import UMA, association, import_members
from tests.workers.test_introductions import _login, _published_round, first_pair

# Browsers send text; anything but lone surrogates (which no form encoding can carry).
form_text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40) | st.sampled_from(
    ["\x00", "-1", "0", "99999999999999999999", "on", "mentor", "accept", "Tue 25:00-26:00"]
)
FIELDS = [
    *FORM,
    "mentor_capacity",
    "shared_contact",
    "answer",
    "next",
    "confirm",
    "consent",
    "current_password",
    "new_password",
    "association_id",
    "member_ref",
    "back",
]
#: Account forms (service/pages/account.py), links that are not links included.
ACCOUNT_FORMS = [
    "/me/password",
    "/me/verification",
    "/forgot-password",
    "/reset/" + "x" * 43,
    "/verify/" + "x" * 43,
    "/invitation/" + "x" * 43,
]


@pytest.fixture
async def world(client, app, pool, settings) -> tuple[list[str], list[str]]:
    """A published round; the client is logged in as a mentee with a pending introduction.

    Returns the paths of every form and the tables a refused form must leave as they were.
    """
    rnd, _ = await _published_round(client, app, pool, settings)
    pair = await first_pair(pool, rnd["id"])
    await _login(client, pair["mentee_email"])
    token = answer_token(settings.secret, pair["id"], pair["mentee_id"], datetime.now(UTC))
    pid = rnd["programme_id"]
    code = await pool.fetchval("SELECT invitation_code FROM programmes WHERE id = $1", pid)
    (invited,) = await import_members(pool, settings.secret, await association(pool), [UMA])
    declared = await pool.fetchval("SELECT id FROM associations ORDER BY name LIMIT 1")
    paths = [
        "/signup",
        "/login",
        "/me/edit",
        f"/me/matches/{pair['id']}",
        f"/introductions/{token}",
        f"/programmes/{pid}/join",
        f"/programmes/{pid}/leave",
        f"/join/{code}",
        "/join/not-a-code",
        f"/invitation/{invited.token}",
        "/me/associations",
        f"/me/associations/{declared}/leave",
        *ACCOUNT_FORMS,
    ]
    return paths, await watched_tables(pool)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_forms_never_500_and_a_4xx_writes_nothing(client, pool, world, data):
    paths, tables = world
    path = data.draw(st.sampled_from(paths))
    base = dict(FORM) if data.draw(st.booleans()) else {}
    changes = data.draw(st.dictionaries(st.sampled_from(FIELDS), form_text, max_size=4))
    form_page = "/me/matches" if path.startswith("/me/matches") else path
    if path.startswith(
        (
            "/introductions/",
            "/programmes/",
            "/join/",
            "/me/password",
            "/me/verification",
            "/me/associations",
            "/reset/",
            "/verify/",
            "/invitation/",
        )
    ):
        form_page = "/me/edit"  # a form's token is any Kickoff form's for this browser
    csrf = csrf_from((await client.get(form_page)).text)
    before = await _snapshot(pool, tables)
    r = await client.post(path, data={**base, **changes, "csrf_token": csrf})
    event(f"{path.split(chr(47))[1]} {r.status_code}")
    assert r.status_code < 500, (path, changes, r.text[:500])
    if r.status_code >= 400:
        after = await _snapshot(pool, tables)
        assert [t for t in tables if before[t] != after[t]] == [], (path, changes, r.status_code)

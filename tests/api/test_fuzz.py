"""Arbitrary JSON never produces a 500: every answer is a 2xx or a 4xx in the error shape."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import sign_up_and_login, signup_body

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = [*signup_body().keys(), "mentor_capacity", "extra"]
# Valid bodies with one to three fields replaced by arbitrary JSON.
mutated = st.builds(
    lambda base, changes: {**base, **changes},
    st.just(signup_body(email="fuzz@example.org")),
    st.dictionaries(st.sampled_from(FIELDS), json_values, min_size=1, max_size=3),
)
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _check(r):
    assert r.status_code < 500, r.text
    if r.status_code >= 400:
        error = r.json()["error"]
        assert error["code"] and error["message"]


@FUZZ
@given(body=mutated)
async def test_signup_never_500(client, body):
    r = await client.post("/api/v1/people", json=body)
    _check(r)
    if r.status_code == 201:
        # Leave the email free for the next example.
        await client.post(
            "/api/v1/auth/login", json={"email": body["email"], "password": body["password"]}
        )
        assert (await client.delete("/api/v1/me")).status_code == 204


@FUZZ
@given(body=st.dictionaries(st.sampled_from([*FIELDS, "roles"]), json_values, max_size=4))
async def test_patch_never_500(client, body):
    if (await client.get("/api/v1/me")).status_code == 401:
        await sign_up_and_login(client)
    _check(await client.patch("/api/v1/me", json=body))


@FUZZ
@given(body=json_values)
async def test_login_never_500(client, body):
    _check(await client.post("/api/v1/auth/login", json=body))


async def test_non_standard_json_numbers(client):
    for raw in (b'{"bio": NaN}', b'{"years_experience": Infinity}'):
        r = await client.post(
            "/api/v1/people", content=raw, headers={"content-type": "application/json"}
        )
        assert r.status_code == 400
    r = await client.post(
        "/api/v1/people",
        content=b'{"years_experience": 1e999, "mentor_capacity": -1e999}',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422

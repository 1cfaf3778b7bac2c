"""Every validation message a person reads is in plain words: no library wording reaches the
API's ``fields`` or a page, whatever is sent to whichever request schema or form."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from service.app import operations
from service.auth.schemas import LoginIn
from service.errors import field_errors
from service.people.schemas import ProfilePatch, SignupIn
from tests.api.test_pages import FORM
from tests.conftest import csrf_from, signup_body

#: Phrases of pydantic's and email-validator's own messages.
LIBRARY_WORDING = re.compile(
    r"should (have|be)|Input should|String should|List should|Field required|"
    r"Extra inputs|not permitted|value is not a valid|valid (integer|number|string|email)|"
    r"Value error|validation error|after validation|Assertion failed",
    re.IGNORECASE,
)
#: Values that break a field in every way it can break.
BAD_VALUES: list[Any] = [
    None,
    "",
    " ",
    "x" * 5000,
    -1,
    10**12,
    1.5,
    True,
    [],
    ["x" * 500],
    [1, 2],
    {},
    {"x": 1},
    "not-an-email",
    "Mars/Base",
    "25:00",
    "ZZ",
]


def _schemas() -> list[type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    for op in operations():
        for model in (op.body, op.upload.fields if op.upload else None):
            if model is not None:
                found[model.__name__] = model
    for model in (SignupIn, ProfilePatch, LoginIn):  # the forms validate these
        found[model.__name__] = model
    return list(found.values())


def _messages(model: type[BaseModel], data: Any) -> list[dict[str, str]]:
    try:
        model.model_validate(data)
    except ValidationError as exc:
        return field_errors(exc)
    return []


@pytest.mark.parametrize("model", _schemas(), ids=lambda m: m.__name__)
def test_every_schema_answers_bad_values_in_plain_words(model: type[BaseModel]) -> None:
    valid = signup_body() if model in (SignupIn, ProfilePatch) else {}
    seen = _messages(model, "not an object") + _messages(model, {"unknown_field": 1})
    for name in model.model_fields:
        for value in BAD_VALUES:
            seen += _messages(model, {**valid, name: value})
            seen += _messages(model, {**valid, name: [value]})
            seen += _messages(model, {**valid, name: {"day": value, "start": value}})
    assert seen, f"{model.__name__}: nothing was refused"
    for item in seen:
        message = item["message"]
        assert not LIBRARY_WORDING.search(message), (model.__name__, item)
        assert message[:1].isupper(), (model.__name__, item)


async def test_api_fields_and_form_errors_are_plain(client):
    r = await client.post(
        "/api/v1/people", json={**signup_body(), "languages": [], "password": "x"}
    )
    assert r.status_code == 422
    fields = {f["field"]: f["message"] for f in r.json()["error"]["fields"]}
    assert fields == {
        "password": "Use at least 12 characters",
        "languages": "Choose at least one language",
    }
    r = await client.get("/api/v1/taxonomy?kind=planets")
    assert r.status_code == 422
    assert r.json()["error"]["fields"][0]["message"].startswith("Choose one of: skill")
    page = await client.get("/signup")
    bad = {**FORM, "email": "nope", "password": "short", "languages": "", "roles": []}
    r = await client.post("/signup", data={**bad, "csrf_token": csrf_from(page.text)})
    assert r.status_code == 422
    assert "Enter an email address, like name@example.org" in r.text
    assert "Use at least 12 characters" in r.text
    assert not LIBRARY_WORDING.search(r.text)

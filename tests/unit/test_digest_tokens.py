"""The digest's unsubscribe tokens and weeks: signed per person, refused when altered or signed
with another key; the ISO week as its subject, across a year's end."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from service.digest.service import iso_week
from service.digest.tokens import InvalidToken, read_unsubscribe_token, unsubscribe_token

SECRET = b"s" * 32


@given(st.uuids())
def test_a_token_names_its_person(person):
    token = unsubscribe_token(SECRET, person)
    assert read_unsubscribe_token(SECRET, token) == person
    assert unsubscribe_token(SECRET, person) == token  # the same link in every digest
    assert len(token) < 64 and token.isascii()


@given(st.uuids(), st.integers(0, 100))
@example(uuid.UUID(int=0), 21)  # the last character of the id: only spare bits change
def test_an_altered_token_is_refused(person, where):
    token = unsubscribe_token(SECRET, person)
    i = where % len(token)
    changed = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
    with pytest.raises(InvalidToken):
        read_unsubscribe_token(SECRET, changed)


def test_another_key_or_another_person_is_refused():
    ana, bea = uuid.uuid4(), uuid.uuid4()
    with pytest.raises(InvalidToken):
        read_unsubscribe_token(b"t" * 32, unsubscribe_token(SECRET, ana))
    # Bea's id with Ana's signature.
    forged = (
        unsubscribe_token(SECRET, bea).split(".")[0]
        + "."
        + unsubscribe_token(SECRET, ana).split(".")[1]
    )
    with pytest.raises(InvalidToken):
        read_unsubscribe_token(SECRET, forged)
    for junk in ("", ".", "not-a-token", "a.b.c", "%%%.###"):
        with pytest.raises(InvalidToken):
            read_unsubscribe_token(SECRET, junk)


def test_iso_weeks_across_a_years_end():
    assert iso_week(datetime(2027, 1, 1, tzinfo=UTC)) == "2026-W53"
    assert iso_week(datetime(2027, 1, 4, tzinfo=UTC)) == "2027-W01"
    assert iso_week(datetime(2027, 2, 1, 8, tzinfo=UTC)) == "2027-W05"

"""Answer links: signed, bound to one person and introduction, working while it can be open."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from service.introductions.tokens import InvalidToken, answer_token, read_answer_token
from service.programmes.schemas import ProgrammeSettings

SECRET = b"test-secret-key-not-for-production"
ISSUED = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_a_link_works_for_as_long_as_the_longest_introduction_can_stay_open():
    mentorship, person = uuid.uuid4(), uuid.uuid4()
    token = answer_token(SECRET, mentorship, person, ISSUED)
    longest = ProgrammeSettings.model_fields["expiry_days"].metadata
    most_days = max(getattr(m, "le", 0) or 0 for m in longest)
    assert most_days == 90
    on_the_last_day = ISSUED + timedelta(days=most_days)
    assert read_answer_token(SECRET, token, on_the_last_day) == (mentorship, person)
    with pytest.raises(InvalidToken, match="expired"):
        read_answer_token(SECRET, token, ISSUED + timedelta(days=most_days + 2))


@pytest.mark.parametrize(
    "alter",
    [
        lambda t: t[:-2] + ("A" if t[-2] != "A" else "B") + t[-1],  # the signature
        lambda t: ("B" if t[0] != "B" else "C") + t[1:],  # the payload
        lambda t: t.replace(".", ""),
        lambda t: "",
    ],
)
def test_an_altered_link_is_refused(alter):
    token = answer_token(SECRET, uuid.uuid4(), uuid.uuid4(), ISSUED)
    with pytest.raises(InvalidToken):
        read_answer_token(SECRET, alter(token), ISSUED)
    with pytest.raises(InvalidToken):
        read_answer_token(b"another-secret-key-entirely-0000", token, ISSUED)

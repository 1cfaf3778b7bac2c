"""Signed, expiring answer links: who may answer which introduction, without logging in."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta
from uuid import UUID

from service.programmes.schemas import MAX_EXPIRY_DAYS

#: How long an answer link works: longer than the longest expiry_days a programme may set,
#: so a link works as long as its introduction is open; once the introduction has expired,
#: its status refuses the answer whatever the link.
TOKEN_LIFETIME = timedelta(days=MAX_EXPIRY_DAYS + 1)


class InvalidToken(ValueError):
    """The link was altered, is for something else, or has expired."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, payload: str) -> bytes:
    return hmac.new(secret, b"answer:" + payload.encode(), hashlib.sha256).digest()[:18]


def answer_token(secret: bytes, mentorship_id: UUID, person_id: UUID, issued: datetime) -> str:
    """A token letting ``person_id`` answer ``mentorship_id`` until ``issued`` + lifetime.

    Deterministic for the same inputs, so every copy of an email carries the same link.
    """
    expires = int((issued + TOKEN_LIFETIME).timestamp())
    payload = f"{mentorship_id}.{person_id}.{expires}"
    return f"{_b64(payload.encode())}.{_b64(_mac(secret, payload))}"


def read_answer_token(secret: bytes, token: str, now: datetime) -> tuple[UUID, UUID]:
    """(mentorship id, person id) of a valid token; raises :class:`InvalidToken` otherwise."""
    try:
        encoded, mac = token.split(".")
        payload = _unb64(encoded).decode()
        given = _unb64(mac)
        mentorship, person, expires = payload.split(".")
        if not hmac.compare_digest(given, _mac(secret, payload)):
            raise InvalidToken("this link is not valid")
        if now.timestamp() > int(expires):
            raise InvalidToken("this link has expired")
        return UUID(mentorship), UUID(person)
    except InvalidToken:
        raise
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidToken("this link is not valid") from exc

"""Unsubscribe links: signed, so they work without logging in and need nothing stored."""

from __future__ import annotations

import base64
import hashlib
import hmac
from uuid import UUID


class InvalidToken(ValueError):
    """The link was altered or cut short."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _mac(secret: bytes, person_id: UUID) -> bytes:
    # A purpose prefix of its own: no other signed link of Kickoff can pass for this one.
    return hmac.new(secret, f"unsubscribe:digest:{person_id}".encode(), hashlib.sha256).digest()


def unsubscribe_token(secret: bytes, person_id: UUID) -> str:
    """The token of ``person_id``'s unsubscribe link (the same in every digest they get).

    It never expires: a digest read months later must still stop the digest. All it can do
    is turn the digest off, so a leaked link costs its owner at most that.
    """
    return f"{_b64(person_id.bytes)}.{_b64(_mac(secret, person_id)[:18])}"


def read_unsubscribe_token(secret: bytes, token: str) -> UUID:
    """The person of a valid token; raises :class:`InvalidToken` otherwise."""
    try:
        encoded, mac = token.split(".")
        person_id = UUID(bytes=base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
        given = base64.urlsafe_b64decode(mac + "=" * (-len(mac) % 4))
    except (ValueError, TypeError) as exc:
        raise InvalidToken("this link is not valid") from exc
    # Only the one spelling of the token (base64 ignores a last character's spare bits).
    canonical = unsubscribe_token(secret, person_id)
    if token != canonical or not hmac.compare_digest(given, _mac(secret, person_id)[:18]):
        raise InvalidToken("this link is not valid")
    return person_id

"""Passwords (argon2id), session tokens and CSRF tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from uuid import UUID

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD = 12
MAX_PASSWORD = 128


class Passwords:
    """argon2id hashing with configurable cost (lower only in tests)."""

    def __init__(self, memory_kib: int = 65536, time_cost: int = 3) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=1, type=Type.ID
        )
        # Verified against when the email is unknown, so response time does not reveal accounts.
        self._dummy = self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        """An argon2id hash of ``password``."""
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        """True if ``password`` matches ``stored`` (a hash, or None for an unknown account)."""
        try:
            return self._hasher.verify(stored or self._dummy, password) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


def new_token() -> str:
    """A URL-safe random token with 256 bits of entropy."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> bytes:
    """What the database keeps of a session token."""
    return hashlib.sha256(token.encode()).digest()


def link_token(secret: bytes, purpose: str, link_id: UUID) -> str:
    """The token of an emailed one-time link (verify an address, reset a password).

    An HMAC of the link's random id under ``SECRET_KEY``: the web process that creates the link
    and the worker that emails it (later, from ids only) compute the same token, so every copy
    of the email carries the same link, and the database keeps only its :func:`token_hash`.
    """
    mac = hmac.digest(secret, f"link:{purpose}:{link_id}".encode(), "sha256")
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def csrf_token(secret: bytes, nonce: str, session_token: str | None) -> str:
    """Signed double-submit token bound to the browser's CSRF cookie and its session."""
    msg = f"{nonce}|{session_token or ''}".encode()
    return hmac.new(secret, msg, hashlib.sha256).hexdigest()


def csrf_valid(secret: bytes, nonce: str | None, session_token: str | None, given: str) -> bool:
    """Constant-time check of a submitted CSRF token."""
    if not nonce or not given:
        return False
    return hmac.compare_digest(csrf_token(secret, nonce, session_token), given)

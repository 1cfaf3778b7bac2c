"""Tokens and CSRF."""

from __future__ import annotations

from service.security import csrf_token, csrf_valid, new_token, token_hash

SECRET = b"k" * 32


def test_tokens_are_long_random_and_hashed():
    a, b = new_token(), new_token()
    assert a != b and len(a) >= 43
    assert token_hash(a) != token_hash(b) and len(token_hash(a)) == 32


def test_csrf_token_bound_to_nonce_session_and_secret():
    token = csrf_token(SECRET, "nonce", "session")
    assert csrf_valid(SECRET, "nonce", "session", token)
    assert not csrf_valid(SECRET, "other", "session", token)
    assert not csrf_valid(SECRET, "nonce", "other-session", token)
    assert not csrf_valid(SECRET, "nonce", None, token)
    assert not csrf_valid(b"x" * 32, "nonce", "session", token)
    assert not csrf_valid(SECRET, None, "session", token)
    assert not csrf_valid(SECRET, "nonce", "session", "")

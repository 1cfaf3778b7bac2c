"""Introductions: double opt-in on a mentorship, and the outbox that emails people."""

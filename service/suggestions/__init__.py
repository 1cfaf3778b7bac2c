"""Suggested events and associations for each person: read from what the worker precomputed."""

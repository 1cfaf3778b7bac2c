"""Kickoff web service: domain packages, repositories and the Starlette app."""

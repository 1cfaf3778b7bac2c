"""Where an introduction stands for one of its two people, and which answers they may give.

One rule for the API, the emailed answer page and My matches: a person answers while the
introduction is open, and may turn an acceptance into a decline until the other side has
answered. A decline closes the introduction at once (the other person is told and the mentee
is free for the next round), so it is never turned back into an acceptance.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

State = Literal[
    "open",  # waiting for my answer
    "waiting",  # I accepted; the other has not answered yet
    "both_accepted",  # contact details shared (status active)
    "you_declined",
    "they_declined",
    "expired",  # not answered by both in time
    "ended",  # one of us left the programme
]
Answer = Literal["accept", "decline"]

#: What each answer is stored as.
STORED: dict[Answer, str] = {"accept": "accepted", "decline": "declined"}


def state_of(status: str, mine: str | None, theirs: str | None) -> State:
    """The state of an introduction with ``status`` for the side that answered ``mine``."""
    match status:
        case "active":
            return "both_accepted"
        case "ended":
            return "ended"
        case "expired":
            return "expired"
        case "declined":
            return "you_declined" if mine == "declined" else "they_declined"
        case "pending":
            return "waiting" if mine == "accepted" else "open"
    raise ValueError(f"unknown mentorship status {status!r}")


def can_answer(state: State) -> list[Answer]:
    """The answers that would change something now (repeating one's answer always may)."""
    if state == "open":
        return ["accept", "decline"]
    if state == "waiting":
        return ["decline"]
    return []


def why_not(state: State, other: str, programme: str, closed_on: date | None) -> str:
    """Why an answer cannot be given or changed in ``state``, in plain words.

    ``other`` is the other person's first name, ``closed_on`` the day it closed, if it did.
    """
    closed = f" on {day_in_words(closed_on)}" if closed_on else ""
    match state:
        case "both_accepted":
            return (
                f"{other} has already answered and you have both accepted,"
                " so your answer can no longer change."
            )
        case "they_declined":
            return (
                f"{other} has already answered and this introduction has closed,"
                " so your answer can no longer change."
            )
        case "you_declined":
            return (
                "You declined this introduction, and a decline closes it at once,"
                " so it can no longer be accepted."
            )
        case "expired":
            return (
                f"This introduction closed{closed} because it was not answered by both of you"
                " in time, so it can no longer be answered."
            )
        case "ended":
            return (
                f"This introduction has ended because one of you left {programme},"
                " so it can no longer be answered."
            )
    raise ValueError(f"every answer is allowed in state {state!r}")


def day_in_words(day: date) -> str:
    """E.g. "Friday 5 December 2026"."""
    return f"{day:%A} {day.day} {day:%B %Y}"

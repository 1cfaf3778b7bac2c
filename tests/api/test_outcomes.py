"""A programme's outcomes through the JSON API, on a hand-made history of introductions,
answers and survey answers with known counts, medians and rates."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from tests.api.test_programmes import programme
from tests.api.test_review import T0, metrics, organised_programme, people, stored_round


async def mentorship(
    pool: asyncpg.Pool,
    programme_id: str,
    round_id: str | None,
    status: str,
    *,
    mentee_after: float | None = None,
    mentor_after: float | None = None,
    introduced: datetime | None = T0,
    feedback: tuple[tuple[int, bool] | None, tuple[int, bool] | None] = (None, None),
    mentee_name: str = "Mentee",
    comment: str = "",
) -> str:
    """One introduction with each side's answer ``*_after`` days after it (None: none yet) and
    each side's survey answer (rating, still meeting)."""
    [mentee] = await people(pool, [mentee_name])
    [mentor] = await people(pool, ["Mentor"], mentor=True)

    def at(days: float | None) -> datetime | None:
        return None if days is None or introduced is None else introduced + timedelta(days=days)

    answer = "declined" if status == "declined" else "accepted"
    mid = await pool.fetchval(
        "INSERT INTO mentorships (programme_id, mentee_id, mentor_id, source, status, round_id,"
        " introduced_at, created_at, mentee_answer, mentee_answered_at, mentor_answer,"
        " mentor_answered_at, accepted_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE($7::timestamptz, $10::timestamptz),"
        " $8, $9, $11, $12, $13)"
        " RETURNING id",
        uuid.UUID(programme_id),
        uuid.UUID(mentee),
        uuid.UUID(mentor),
        "round" if round_id else "request",
        status,
        uuid.UUID(round_id) if round_id else None,
        introduced,
        None if mentee_after is None else answer,
        at(mentee_after),
        T0 + timedelta(days=60),
        None if mentor_after is None else "accepted",
        at(mentor_after),
        at(max(mentee_after or 0, mentor_after or 0)) if status in ("active", "ended") else None,
    )
    for person, answered in zip((mentee, mentor), feedback, strict=True):
        if answered is not None:
            await pool.execute(
                "INSERT INTO introduction_feedback (mentorship_id, person_id, rating, comment,"
                " still_meeting) VALUES ($1, $2, $3, $4, $5)",
                mid,
                uuid.UUID(person),
                answered[0],
                comment,
                answered[1],
            )
    return str(mid)


async def outcome_history(client, pool) -> dict[str, Any]:
    """Two published rounds, a draft and a request, with known answers and survey answers."""
    owned, headers, boss = await organised_programme(client, pool)
    pid = owned["id"]
    first = await stored_round(pool, pid, status="published", figures=metrics(4, 4, 0.6, 1.0))
    later = T0 + timedelta(days=28)
    second = await stored_round(
        pool, pid, status="published", figures=metrics(2, 2, 0.6, 1.0), at=later
    )
    await stored_round(pool, pid, status="draft", figures=metrics(1, 1, 0.6, 1.0), at=later)
    fb = ((5, True), (4, True))
    await mentorship(pool, pid, first, "active", mentee_after=1, mentor_after=3, feedback=fb)
    await mentorship(pool, pid, first, "declined", mentee_after=2, mentee_name="-2+3")
    await mentorship(pool, pid, first, "expired", mentee_name="@SUM(A1)")
    await mentorship(
        pool,
        pid,
        first,
        "ended",
        mentee_after=0.5,
        mentor_after=1.5,
        feedback=((2, False), None),
        mentee_name='=HYPERLINK("http://x")',
        comment='=HYPERLINK("http://x", "click")',
    )
    await mentorship(pool, pid, second, "pending", mentor_after=4, introduced=later)
    await mentorship(
        pool,
        pid,
        second,
        "active",
        mentee_after=1,
        mentor_after=2,
        introduced=later,
        feedback=(None, (3, True)),
    )
    await mentorship(pool, pid, None, "pending", introduced=None)
    return {"programme": owned, "headers": headers, "boss": boss, "rounds": [first, second]}


def ratings(*counts: int) -> dict[str, int]:
    return {str(r): n for r, n in zip(range(1, 6), counts, strict=True)}


async def test_outcomes_of_a_hand_made_history(client, pool):
    history = await outcome_history(client, pool)
    pid = history["programme"]["id"]
    r = await client.get(f"/api/v1/programmes/{pid}/outcomes", headers=history["headers"])
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["programme_id"] == pid
    [first, second] = out["rounds"]
    assert [first["round_id"], second["round_id"]] == history["rounds"]
    assert first["published_at"] < second["published_at"]

    def counts(x: dict) -> tuple:
        keys = ("introductions", "pending", "accepted", "declined", "expired", "ended")
        return (*(x[k] for k in keys), x["both_accepted"], x["answers"])

    def days(x: dict) -> tuple:
        return (
            x["median_days_to_answer"],
            x["median_days_to_answer_mentee"],
            x["median_days_to_answer_mentor"],
        )

    # First round: answers after 1, 3 (active), 2 (declined), 0.5, 1.5 (ended) days.
    assert counts(first) == (4, 0, 1, 1, 1, 1, 2, 5)
    assert days(first) == (1.5, 1.0, 2.25)
    assert first["feedback"] == {
        "count": 3,
        "mean_rating": 3.67,
        "ratings": ratings(0, 1, 0, 1, 1),
        "still_meeting": 2,
        "still_meeting_rate": 0.6667,
    }
    # Second round: the mentor answered the pending one after 4 days; 1 and 2 for the other.
    assert counts(second) == (2, 1, 1, 0, 0, 0, 1, 3)
    assert days(second) == (2.0, 1.0, 3.0)
    assert second["feedback"] == {
        "count": 1,
        "mean_rating": 3.0,
        "ratings": ratings(0, 0, 1, 0, 0),
        "still_meeting": 1,
        "still_meeting_rate": 1.0,
    }
    # The whole programme adds the unanswered request made outside any round.
    whole = out["programme"]
    assert counts(whole) == (7, 2, 2, 1, 1, 1, 3, 8)
    assert days(whole) == (1.75, 1.0, 2.5)
    assert whole["feedback"] == {
        "count": 4,
        "mean_rating": 3.5,
        "ratings": ratings(0, 1, 1, 1, 1),
        "still_meeting": 3,
        "still_meeting_rate": 0.75,
    }


async def test_outcomes_of_a_programme_with_nothing_yet_and_bad_ids(client, pool):
    owned, headers, boss = await organised_programme(client, pool)
    out = (await client.get(f"/api/v1/programmes/{owned['id']}/outcomes", headers=headers)).json()
    assert out["rounds"] == []
    assert out["programme"]["introductions"] == 0
    assert out["programme"]["median_days_to_answer"] is None
    assert out["programme"]["feedback"] == {
        "count": 0,
        "mean_rating": None,
        "ratings": ratings(0, 0, 0, 0, 0),
        "still_meeting": 0,
        "still_meeting_rate": None,
    }
    for bad in ("nope", str(uuid.uuid4())):
        r = await client.get(f"/api/v1/programmes/{bad}/outcomes", headers=boss)
        assert r.status_code == 404, r.text
    elsewhere = await programme(client, boss, name="Somewhere else")
    r = await client.get(f"/api/v1/programmes/{elsewhere['id']}/outcomes", headers=headers)
    assert r.status_code == 403

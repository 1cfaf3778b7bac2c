"""Everyone is accounted for: a round stores the members it did not enter, with why, with its
matches; its figures add up and never change once it is done."""

from __future__ import annotations

import re
from uuid import UUID

from service.people import repository as people_repo
from tests.conftest import settle_email, signup_body
from tests.workers.test_rounds import _organiser, _programme, _run_worker, _start_and_run

PASSWORD = "correct horse battery staple"
MENTOR = {"roles": ["mentor"], "mentor_capacity": 1, "employer": "Other Co", "years_experience": 12}
#: (name, sign-up fields, verified), in joining order: a member in every category.
PEOPLE: tuple[tuple[str, dict[str, object], bool], ...] = (
    ("Markus Weber", MENTOR, True),  # enters, mentors Ana or Bea
    ("Mo Full", MENTOR, True),  # mentors Dora already: no places left
    ("Nia Noconsent", {**MENTOR, "consent_to_match": False}, True),
    ("Uri Unverified", MENTOR, False),
    ("Vi Notime", {**MENTOR, "availability": []}, True),
    ("Ana Silva", {}, True),  # enter; one is matched, the other finds Markus full
    ("Bea Costa", {}, True),
    ("Caio Lang", {"languages": ["de"]}, True),  # enters; no mentor speaks German
    ("Dora Busy", {}, True),  # has a mentor already
    ("Eli Noconsent", {"consent_to_match": False}, True),
    ("Fay Unverified", {}, False),
    ("Gil Notime", {"availability": []}, True),
    ("Hal Late", {}, True),  # beyond the round size of 3
    ("Rui Both", {**MENTOR, "roles": ["mentee", "mentor"]}, False),
)


def email(name: str) -> str:
    return name.split()[0].lower() + "@example.org"


async def programme_of_everyone(client, pool) -> tuple[str, dict[str, str]]:
    """A programme (round size 3) with a member in every category, and an unclaimed member;
    the client is logged in as its organiser."""
    await _organiser(client, pool)
    pid = await _programme(client, pool, members="false", settings={"round_size": 3})
    ids: dict[str, str] = {}
    for k, (name, fields, verified) in enumerate(PEOPLE):
        body = signup_body(email=email(name), display_name=name, **fields)
        created = await client.post("/api/v1/people", json=body)
        assert created.status_code == 201, created.text
        ids[name] = created.json()["id"]
        if verified:
            await settle_email(pool, ids[name])
        await pool.execute(
            "INSERT INTO programme_members (programme_id, person_id, joined_at)"
            " VALUES ($1, $2, now() + make_interval(secs => $3))",
            pid,
            ids[name],
            k,
        )
    await pool.execute(
        "INSERT INTO mentorships (programme_id, mentee_id, mentor_id, source, status)"
        " VALUES ($1, $2, $3, 'request', 'active')",
        pid,
        ids["Dora Busy"],
        ids["Mo Full"],
    )
    async with pool.acquire() as conn:
        unclaimed = await people_repo.create_unclaimed_person(conn, "uma@example.org", "Uma")
    await pool.execute("INSERT INTO programme_members VALUES ($1, $2)", pid, unclaimed)
    return pid, ids


MENTEES_LEFT = {
    "Dora Busy": "has_mentor",
    "Eli Noconsent": "no_consent",
    "Fay Unverified": "email_not_verified",
    "Gil Notime": "no_availability",
    "Hal Late": "beyond_round_size",
    "Rui Both": "email_not_verified",
}
MENTORS_LEFT = {
    "Mo Full": "no_places_left",
    "Nia Noconsent": "no_consent",
    "Uri Unverified": "email_not_verified",
    "Vi Notime": "no_availability",
    "Rui Both": "email_not_verified",
}


def _counts(left: dict[str, str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for code in left.values():
        out[code] = out.get(code, 0) + 1
    return out


async def _stored(pool, round_id: str) -> list[tuple]:
    rows = await pool.fetch(
        "SELECT person_id, role, code, reason, details FROM round_not_entered WHERE round_id = $1"
        " ORDER BY person_id, role",
        UUID(round_id),
    )
    return [tuple(r) for r in rows]


async def _rerun(app, settings, round_id: str) -> None:
    """The round's job once more, as a worker that picked it up again would run it."""
    await app.state.services.arq.enqueue_job("run_round", round_id, _job_id=f"again-{round_id}")
    await _run_worker(settings)


async def test_the_round_counts_every_member_and_its_figures_add_up(client, app, pool, settings):
    pid, ids = await programme_of_everyone(client, pool)
    rnd = await _start_and_run(client, settings, pid)
    assert rnd["status"] == "draft", rnd["message"]
    m = rnd["metrics"]
    heads = m["headcount"]
    assert heads["mentees"] == {"members": 9, "entered": 3, "not_entered": _counts(MENTEES_LEFT)}
    assert heads["mentors"] == {"members": 6, "entered": 1, "not_entered": _counts(MENTORS_LEFT)}
    assert (m["mentees"], m["matched"], m["unmatched"], m["mentors"]) == (3, 1, 2, 1)

    # The identities, against the programme's members counted independently (the unclaimed
    # member is nobody's figure).
    members = await pool.fetchrow(
        "SELECT count(*) FILTER (WHERE p.is_mentee) AS mentees,"
        " count(*) FILTER (WHERE p.is_mentor) AS mentors FROM programme_members m"
        " JOIN people p ON p.id = m.person_id"
        " WHERE m.programme_id = $1 AND p.claimed_at IS NOT NULL",
        pid,
    )
    for role in ("mentees", "mentors"):
        count = heads[role]
        assert count["members"] == members[role]
        assert count["members"] == count["entered"] + sum(count["not_entered"].values())
    assert heads["mentees"]["entered"] == m["mentees"] == m["matched"] + m["unmatched"]
    assert heads["mentors"]["entered"] == m["mentors"]
    page = (await client.get(f"/api/v1/rounds/{rnd['id']}/matches")).json()
    assert (page["total"], page["unmatched_total"]) == (m["matched"], m["unmatched"])

    # Who was not entered, and why, is stored per member and role.
    stored = await _stored(pool, rnd["id"])
    by_id = {v: k for k, v in ids.items()}
    found = {(by_id[str(r[0])], r[1]): r[2] for r in stored}
    assert found == {
        **{(name, "mentee"): code for name, code in MENTEES_LEFT.items()},
        **{(name, "mentor"): code for name, code in MENTORS_LEFT.items()},
    }

    # The unmatched are told why in plain words, naming the mentor who was full.
    unmatched = {u["mentee_name"]: u for u in page["unmatched"]}
    full = next(u for u in unmatched.values() if u["code"] == "all_suitable_mentors_full")
    assert full["mentee_name"] in ("Ana Silva", "Bea Costa")
    assert full["reason"] == (
        "The mentor who fits you best was full this round: Markus Weber."
        " You stay on the waitlist for the next round."
    )
    # Organisers keep the figures: the mentor's score and who took the place.
    [best] = full["details"]["best_candidates"]
    assert best["mentor_name"] == "Markus Weber" and 0 < best["score"] <= 1
    assert unmatched["Caio Lang"]["code"] == "no_shared_language"
    for u in page["unmatched"]:
        assert not re.search(r"\d\.\d|score|total", u["reason"]), u["reason"]

    # Run again (a job runs at least once): the same rows, once.
    await pool.execute("UPDATE rounds SET status = 'running' WHERE id = $1", UUID(rnd["id"]))
    await _rerun(app, settings, rnd["id"])
    again = (await client.get(f"/api/v1/rounds/{rnd['id']}")).json()
    assert again["status"] == "draft"
    assert again["metrics"]["headcount"] == heads
    assert await _stored(pool, rnd["id"]) == stored

    # A finished round's figures do not change when its members do.
    await settle_email(pool, ids["Fay Unverified"])
    await pool.execute(
        "UPDATE people SET consent_to_match = true WHERE id = $1", UUID(ids["Eli Noconsent"])
    )
    done = (await client.get(f"/api/v1/rounds/{rnd['id']}")).json()
    assert done["metrics"] == again["metrics"]
    assert await _stored(pool, rnd["id"]) == stored
    # The next round counts them again: now only the round size keeps Eli and Fay out.
    later = (await _start_and_run(client, settings, pid))["metrics"]["headcount"]
    assert later["mentees"] == {
        "members": 9,
        "entered": 3,
        "not_entered": {
            "has_mentor": 1,
            "email_not_verified": 1,
            "no_availability": 1,
            "beyond_round_size": 3,
        },
    }


async def test_organisers_list_who_was_not_entered_by_role_and_page(client, pool, settings):
    pid, _ = await programme_of_everyone(client, pool)
    rnd = await _start_and_run(client, settings, pid)
    url = f"/api/v1/rounds/{rnd['id']}/not-entered"

    r = await client.get(url)
    assert r.status_code == 200, r.text
    listed = r.json()
    assert (listed["total"], listed["limit"], listed["offset"]) == (11, 100, 0)
    # By role, then reason, then name.
    rows = [(x["role"], x["code"], x["name"]) for x in listed["not_entered"]]
    assert rows == sorted(rows)
    assert {(x["name"], x["code"]) for x in listed["not_entered"] if x["role"] == "mentee"} == set(
        MENTEES_LEFT.items()
    )
    fay = next(x for x in listed["not_entered"] if x["name"] == "Fay Unverified")
    assert fay["reason"] == (
        "You were not in this round because your email address was not verified. To be in the"
        " next round, follow the link we emailed you (your profile can send a new one)."
    )
    assert fay["details"] == {"causes": ["email_not_verified"]}
    mo = next(x for x in listed["not_entered"] if x["name"] == "Mo Full")
    assert mo["details"] == {"causes": ["no_places_left"], "capacity": 1}
    hal = next(x for x in listed["not_entered"] if x["name"] == "Hal Late")
    assert hal["details"]["round_size"] == 3 and "only the 3 mentees" in hal["reason"]

    mentors = (await client.get(url + "?role=mentor")).json()
    assert mentors["total"] == 5
    assert {(x["name"], x["code"]) for x in mentors["not_entered"]} == set(MENTORS_LEFT.items())
    second = (await client.get(url + "?limit=4&offset=4")).json()
    assert (second["total"], second["limit"], second["offset"]) == (11, 4, 4)
    assert second["not_entered"] == listed["not_entered"][4:8]

    bad = await client.get(url + "?role=organiser")
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"][0]["field"] == "role"
    missing = await client.get("/api/v1/rounds/00000000-0000-4000-8000-000000000000/not-entered")
    assert missing.status_code == 404
    # Organisers of the programme (and site admins) only.
    client.cookies.clear()
    r = await client.post(
        "/api/v1/auth/login", json={"email": email("Ana Silva"), "password": PASSWORD}
    )
    assert r.status_code == 200
    assert (await client.get(url)).status_code == 403
    client.cookies.clear()
    assert (await client.get(url)).status_code == 401

"""Reviewing rounds: my organised programmes with their last round, and comparing two rounds,
through the JSON API on hand-made rounds (the helpers here make them for the outcomes and
export tests too)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx

from tests.api.test_programmes import account, admin, appoint, programme

Headers = dict[str, str]
T0 = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


async def people(pool: asyncpg.Pool, names: list[str], *, mentor: bool = False) -> list[str]:
    """Signed-up people with these display names (mentees, or mentors with 3 places)."""
    ids = []
    for name in names:
        pid = await pool.fetchval(
            "INSERT INTO people (email, password_hash, display_name, timezone, is_mentee,"
            " is_mentor, mentor_capacity) VALUES ($1, 'x', $2, 'UTC', $3, $4, $5) RETURNING id",
            f"{uuid.uuid4().hex[:10]}@example.org",
            name,
            not mentor,
            mentor,
            3 if mentor else None,
        )
        ids.append(str(pid))
    return ids


def metrics(matched: int, mentees: int, mean: float, pt: float) -> dict[str, Any]:
    """Round figures as a finished round stores them (only what the tests look at)."""
    return {
        "mode": "optimal",
        "mentees": mentees,
        "matched": matched,
        "unmatched": mentees - matched,
        "coverage": round(matched / mentees, 4),
        "total_score": mean * matched,
        "score": {"mean": mean, "median": mean, "p10": mean - 0.1, "min": mean - 0.2},
        "mentor_load": {
            "histogram": {},
            "capacity_used": matched,
            "capacity_total": 9,
            "mentors_at_capacity": 0,
        },
        "blocking_pairs": 1,
        "mentors": 3,
        "fairness": {
            "country": [{"group": "PT", "mentees": 4, "coverage": pt, "mean_score": mean}]
            + (
                [{"group": "BR", "mentees": 2, "coverage": 0.5, "mean_score": 0.5}]
                if pt < 1
                else []
            )
        },
    }


async def stored_round(
    pool: asyncpg.Pool,
    programme_id: str,
    *,
    status: str = "draft",
    pairs: dict[str, tuple[str, float]] | None = None,
    unmatched: dict[str, str] | None = None,
    not_entered: dict[str, str] | None = None,
    figures: dict[str, Any] | None = None,
    settings: dict[str, Any] | None = None,
    at: datetime = T0,
) -> str:
    """A round as the worker stores it: its pairs (mentee -> mentor, score), unmatched and
    not-entered mentees (mentee -> code), figures and settings."""
    done = status in ("draft", "published")
    rid = await pool.fetchval(
        "INSERT INTO rounds (programme_id, status, settings, metrics, alternative, created_at,"
        " started_at, finished_at, published_at) VALUES ($1, $2, $3, $4, $4, $5, $5, $6, $7)"
        " RETURNING id",
        uuid.UUID(programme_id),
        status,
        settings or {"mode": "optimal", "weights": {"tools": 1.0}},
        figures if done else None,
        at,
        at + timedelta(seconds=3) if done else None,
        at + timedelta(hours=1) if status == "published" else None,
    )
    for mentee, (mentor, score) in (pairs or {}).items():
        await pool.execute(
            "INSERT INTO round_matches (round_id, mentee_id, mentor_id, score, components,"
            " reasons, reasons_for_mentor) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            rid,
            uuid.UUID(mentee),
            uuid.UUID(mentor),
            score,
            {"tools": score, "need_offer": 0.5},
            ["you both use Jira", "-you can both meet on Tuesdays"],
            ["you both use Jira"],
        )
    for mentee, code in (unmatched or {}).items():
        await pool.execute(
            "INSERT INTO round_unmatched (round_id, mentee_id, code, reason)"
            " VALUES ($1, $2, $3, $4)",
            rid,
            uuid.UUID(mentee),
            code,
            f"Reason {code}.",
        )
    for mentee, code in (not_entered or {}).items():
        await pool.execute(
            "INSERT INTO round_not_entered (round_id, person_id, role, code, reason)"
            " VALUES ($1, $2, 'mentee', $3, $4)",
            rid,
            uuid.UUID(mentee),
            code,
            f"Not entered: {code}.",
        )
    return str(rid)


async def organised_programme(
    client: httpx.AsyncClient, pool: asyncpg.Pool
) -> tuple[dict, Headers, Headers]:
    """A programme, its organiser's headers and a site admin's."""
    _, boss = await admin(client, pool)
    owned = await programme(client, boss)
    organiser, headers = await account(client, display_name="Olga Organiser")
    await appoint(client, owned["id"], organiser["id"], boss)
    return owned, headers, boss


async def table_sizes(pool: asyncpg.Pool) -> list[int]:
    """Row counts of every table a review could touch (to show nothing was written)."""
    tables = ("rounds", "round_matches", "round_unmatched", "mentorships", "programmes")
    return [await pool.fetchval(f"SELECT count(*) FROM {t}") for t in tables]


# --- my programmes ---------------------------------------------------------------------------


async def test_organised_programmes_with_their_last_round(client, pool):
    _, boss = await admin(client, pool)
    first = await programme(client, boss, name="PMI Lisbon")
    second = await programme(client, boss, name="PMI Porto")
    other = await programme(client, boss, name="Open to all")
    me, mine = await account(client, display_name="Olga Organiser")
    await appoint(client, first["id"], me["id"], boss)
    await appoint(client, second["id"], me["id"], boss)

    r = await client.get("/api/v1/programmes?organised=true", headers=mine)
    assert r.status_code == 200, r.text
    listed = r.json()["programmes"]
    assert {p["name"] for p in listed} == {"PMI Lisbon", "PMI Porto"}
    assert all(p["last_round"] is None and p["is_organiser"] for p in listed)

    await stored_round(pool, first["id"], status="published", at=T0)
    newest = await stored_round(pool, first["id"], status="failed", at=T0 + timedelta(days=1))
    r = await client.get("/api/v1/programmes", params={"organised": "true"}, headers=mine)
    by_name = {p["name"]: p for p in r.json()["programmes"]}
    assert by_name["PMI Lisbon"]["last_round"] == {
        "id": newest,
        "status": "failed",
        "finished_at": None,
    }
    assert by_name["PMI Porto"]["last_round"] is None
    one = (await client.get(f"/api/v1/programmes/{first['id']}", headers=mine)).json()
    assert one["last_round"]["id"] == newest

    # Without the filter: the open programme too, and no last round where I do not organise.
    everything = (await client.get("/api/v1/programmes", headers=mine)).json()["programmes"]
    assert {p["id"] for p in everything} == {first["id"], second["id"], other["id"]}
    _, member = await account(client, display_name="Mia Member")
    seen = (await client.get("/api/v1/programmes", headers=member)).json()["programmes"]
    assert all(p["last_round"] is None for p in seen)
    assert (await client.get(f"/api/v1/programmes/{first['id']}", headers=member)).json()[
        "last_round"
    ] is None

    # A site admin organises only what they are appointed to; sees last rounds of every one.
    assert (await client.get("/api/v1/programmes?organised=true", headers=boss)).json()[
        "programmes"
    ] == []
    admin_view = (await client.get("/api/v1/programmes", headers=boss)).json()["programmes"]
    assert {p["name"]: p["last_round"] is not None for p in admin_view}["PMI Lisbon"]

    r = await client.get("/api/v1/programmes?organised=maybe", headers=mine)
    assert r.status_code == 422
    assert r.json()["error"]["fields"] == [
        {"field": "organised", "message": "Answer yes or no (true or false)"}
    ]


# --- compare ---------------------------------------------------------------------------------


async def compare_case(client, pool) -> dict[str, Any]:
    """Two rounds of one programme, made by hand: who keeps, changes, loses or gains a mentor.

    Before: Ana-Marta, Bruno-Nuno, Carla-Olga, Duarte-Marta; Eva unmatched (all full), Filipa
    not entered (beyond the round size). After: Ana-Marta and Duarte-Marta kept, Bruno now with
    Olga, Carla unmatched (no overlap), Eva and Filipa with Nuno.
    """
    owned, headers, boss = await organised_programme(client, pool)
    ana, bruno, carla, duarte, eva, filipa = await people(
        pool, ["Ana", "Bruno", "Carla", "Duarte", "Eva", "Filipa"]
    )
    marta, nuno, olga = await people(pool, ["Marta", "Nuno", "Olga"], mentor=True)
    before = await stored_round(
        pool,
        owned["id"],
        status="published",
        pairs={ana: (marta, 0.8), bruno: (nuno, 0.7), carla: (olga, 0.6), duarte: (marta, 0.5)},
        unmatched={eva: "all_full"},
        not_entered={filipa: "beyond_round_size"},
        figures=metrics(4, 5, 0.65, 0.75),
    )
    after = await stored_round(
        pool,
        owned["id"],
        pairs={
            ana: (marta, 0.82),
            bruno: (olga, 0.65),
            duarte: (marta, 0.5),
            eva: (nuno, 0.55),
            filipa: (nuno, 0.6),
        },
        unmatched={carla: "no_availability_overlap"},
        figures=metrics(5, 6, 0.624, 1.0),
        settings={"mode": "optimal", "weights": {"tools": 2.0}},
        at=T0 + timedelta(days=7),
    )
    names = dict(ana=ana, bruno=bruno, carla=carla, duarte=duarte, eva=eva, filipa=filipa)
    names |= dict(marta=marta, nuno=nuno, olga=olga)
    return {
        "programme": owned,
        "headers": headers,
        "boss": boss,
        "before": before,
        "after": after,
        **names,
    }


async def test_compare_two_rounds_by_hand(client, pool):
    case = await compare_case(client, pool)
    sizes = await table_sizes(pool)
    r = await client.get(
        f"/api/v1/rounds/{case['before']}/compare",
        params={"with": case["after"]},
        headers=case["headers"],
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["before"]["id"], out["after"]["id"]) == (case["before"], case["after"])
    assert (out["before"]["status"], out["after"]["status"]) == ("published", "draft")
    assert out["counts"] == {"kept": 2, "changed": 1, "dropped": 1, "gained": 2}

    def who(kind: str) -> list[tuple]:
        return [
            (p["mentee_name"], p["before_mentor_name"], p["after_mentor_name"], p["code"])
            for p in out[kind]["pairs"]
        ]

    assert who("kept") == [("Ana", "Marta", "Marta", None), ("Duarte", "Marta", "Marta", None)]
    assert who("changed") == [("Bruno", "Nuno", "Olga", None)]
    assert who("dropped") == [("Carla", "Olga", None, "no_availability_overlap")]
    assert who("gained") == [
        ("Eva", None, "Nuno", "all_full"),
        ("Filipa", None, "Nuno", "beyond_round_size"),
    ]
    dropped = out["dropped"]["pairs"][0]
    assert dropped["reason"] == "Reason no_availability_overlap."
    assert (dropped["before_mentor_id"], dropped["before_score"]) == (case["olga"], 0.6)
    assert dropped["after_mentor_id"] is None and dropped["after_score"] is None
    ana = out["kept"]["pairs"][0]
    assert (ana["mentee_id"], ana["before_score"], ana["after_score"]) == (case["ana"], 0.8, 0.82)

    figures = {m["name"]: m for m in out["metrics"]}
    assert figures["matched"] | {"label": None} == {
        "name": "matched",
        "label": None,
        "before": 4,
        "after": 5,
        "delta": 1,
    }
    assert figures["coverage"]["before"] == 0.8 and figures["coverage"]["after"] == 0.8333
    assert figures["coverage"]["delta"] == 0.0333
    assert figures["score.mean"]["delta"] == -0.026
    assert figures["mentor_load.share_used"]["before"] == round(4 / 9, 4)
    assert figures["blocking_pairs"]["delta"] == 0
    assert all(m["label"] for m in out["metrics"])
    [pt, br] = sorted(out["fairness"]["country"], key=lambda g: g["group"] != "PT")
    assert (pt["coverage_before"], pt["coverage_after"], pt["coverage_delta"]) == (0.75, 1.0, 0.25)
    assert (br["mentees_before"], br["mentees_after"], br["coverage_after"]) == (2, 0, None)
    assert out["settings"] == [{"name": "weights.tools", "before": 1.0, "after": 2.0}]

    # Each list pages with the same limit and offset.
    r = await client.get(
        f"/api/v1/rounds/{case['before']}/compare?with={case['after']}&limit=1&offset=1",
        headers=case["headers"],
    )
    page = r.json()
    assert page["kept"] | {"pairs": None} == {"total": 2, "limit": 1, "offset": 1, "pairs": None}
    assert [p["mentee_name"] for p in page["kept"]["pairs"]] == ["Duarte"]
    assert [p["mentee_name"] for p in page["gained"]["pairs"]] == ["Filipa"]
    assert page["changed"]["pairs"] == [] and page["changed"]["total"] == 1

    # The other way round, what was gained is dropped; a round against itself keeps everyone.
    back = (
        await client.get(
            f"/api/v1/rounds/{case['after']}/compare?with={case['before']}",
            headers=case["headers"],
        )
    ).json()
    assert back["counts"] == {"kept": 2, "changed": 1, "dropped": 2, "gained": 1}
    assert back["metrics"][1]["delta"] == -1
    same = (
        await client.get(
            f"/api/v1/rounds/{case['after']}/compare?with={case['after']}", headers=case["boss"]
        )
    ).json()
    assert same["counts"] == {"kept": 5, "changed": 0, "dropped": 0, "gained": 0}
    assert await table_sizes(pool) == sizes


async def test_compare_refuses_what_cannot_be_compared(client, pool):
    case = await compare_case(client, pool)
    headers, boss, before = case["headers"], case["boss"], case["before"]
    url = f"/api/v1/rounds/{before}/compare"
    queued = await stored_round(pool, case["programme"]["id"], status="queued")
    failed = await stored_round(pool, case["programme"]["id"], status="failed")
    elsewhere = await programme(client, boss, name="Somewhere else")
    foreign = await stored_round(pool, elsewhere["id"], figures=metrics(1, 1, 0.5, 1.0))
    sizes = await table_sizes(pool)

    async def refused(status: int, params: dict[str, str], who: Headers = headers, at=url):
        r = await client.get(at, params=params, headers=who)
        assert r.status_code == status, r.text
        return r.json()["error"]

    assert (await refused(422, {}))["fields"] == [{"field": "with", "message": "This is required"}]
    bad = await refused(422, {"with": "round-two"})
    assert bad["fields"][0]["field"] == "with" and "UUID" in bad["fields"][0]["message"]
    unknown = await refused(404, {"with": str(uuid.uuid4())})
    assert unknown["fields"] == [{"field": "with", "message": "No round of yours has this id"}]
    # Another programme's round: unknown to this organiser, a plain 422 for a site admin.
    assert (await refused(404, {"with": foreign}))["fields"][0]["field"] == "with"
    two = await refused(422, {"with": foreign}, boss)
    assert two["fields"] == [{"field": "with", "message": "Choose a round of the same programme"}]
    for unfinished, status in ((queued, "queued"), (failed, "failed")):
        error = await refused(409, {"with": unfinished})
        assert status in error["message"]
        error = await refused(409, {"with": before}, at=f"/api/v1/rounds/{unfinished}/compare")
        assert "only finished rounds" in error["message"]
    await refused(404, {"with": case["after"]}, at="/api/v1/rounds/not-a-uuid/compare")
    await refused(404, {"with": case["after"]}, at=f"/api/v1/rounds/{uuid.uuid4()}/compare")
    await refused(422, {"with": case["after"], "limit": "0"})
    _, stranger = await account(client, display_name="Sam Stranger")
    await refused(403, {"with": case["after"]}, stranger)
    assert (await client.get(url, params={"with": case["after"]})).status_code == 401
    assert await table_sizes(pool) == sizes

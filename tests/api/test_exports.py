"""CSV exports of a round's matches and a programme's outcomes: neutralised cells, a byte order
mark, an attachment with a sensible name; and compare and export on real rounds."""

from __future__ import annotations

import csv
import io
import uuid

import httpx

from service.demo.seed import seed_demo
from service.kit.csv import BOM, TRIGGERS
from service.rounds.export import MATCH_HEADER, OUTCOME_HEADER
from tests.api.test_outcomes import outcome_history
from tests.api.test_programmes import account
from tests.api.test_review import (
    T0,
    metrics,
    organised_programme,
    people,
    stored_round,
    table_sizes,
)
from tests.workers.test_rounds import _organiser, _programme, _start_and_run

NASTY = ['=HYPERLINK("http://x")', "-2+3", "@SUM(A1)"]


def read_csv(response: httpx.Response) -> list[list[str]]:
    """The rows of a CSV download, checking what every download shares."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="')
    assert response.content.startswith(BOM.encode())  # Excel reads UTF-8 only with it
    text = response.content.decode("utf-8").removeprefix(BOM)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert all(not cell.startswith(TRIGGERS) for row in rows for cell in row)
    return rows


def filename(response: httpx.Response) -> str:
    return response.headers["content-disposition"].split('filename="')[1].rstrip('"')


async def test_matches_csv_neutralises_formulas_and_keeps_accents(client, pool):
    owned, headers, boss = await organised_programme(client, pool)
    mentees = await people(pool, [*NASTY, "Zoë Ünal"])
    mentors = await people(pool, ["+351 Mentor", "Marta"], mentor=True)
    [tabby] = await people(pool, ["\tTabby"])
    pairs = {m: (mentors[i % 2], 0.9 - i / 10) for i, m in enumerate(mentees)}
    rid = await stored_round(
        pool,
        owned["id"],
        pairs=pairs,
        unmatched={tabby: "all_full"},
        figures=metrics(4, 5, 0.75, 1.0),
    )
    r = await client.get(f"/api/v1/rounds/{rid}/matches.csv", headers=headers)
    rows = read_csv(r)
    assert filename(r) == f"matches-pmi-lisbon-2027-2027-01-04-{rid[:8]}.csv"
    assert rows[0] == list(MATCH_HEADER)
    column = {name: i for i, name in enumerate(MATCH_HEADER)}
    body = rows[1:]
    assert [row[column["mentee"]] for row in body] == [
        '\'=HYPERLINK("http://x")',
        "'-2+3",
        "'@SUM(A1)",
        "Zoë Ünal",
        "'\tTabby",
    ]
    first = dict(zip(MATCH_HEADER, body[0], strict=True))
    assert first["status"] == "matched" and first["mentor"] == "'+351 Mentor"
    assert (first["mentee_id"], first["mentor_id"]) == (mentees[0], mentors[0])
    assert (first["score"], first["component_tools"], first["component_need_offer"]) == (
        "0.9",
        "0.9",
        "0.5",
    )
    assert first["reasons_for_mentee"] == "you both use Jira; -you can both meet on Tuesdays"
    assert first["reasons_for_mentor"] == "you both use Jira"
    assert (first["pinned"], first["unmatched_code"]) == ("false", "")
    last = dict(zip(MATCH_HEADER, body[-1], strict=True))
    assert (last["status"], last["mentor"], last["score"]) == ("unmatched", "", "")
    assert (last["unmatched_code"], last["unmatched_reason"]) == ("all_full", "Reason all_full.")

    # What cannot be exported: a clear 4xx, nothing written.
    queued = await stored_round(pool, owned["id"], status="queued")
    sizes = await table_sizes(pool)
    r = await client.get(f"/api/v1/rounds/{queued}/matches.csv", headers=headers)
    assert r.status_code == 409 and "once it has finished" in r.json()["error"]["message"]
    for bad in ("nope", str(uuid.uuid4())):
        assert (
            await client.get(f"/api/v1/rounds/{bad}/matches.csv", headers=boss)
        ).status_code == 404
    _, stranger = await account(client, display_name="Sam Stranger")
    assert (
        await client.get(f"/api/v1/rounds/{rid}/matches.csv", headers=stranger)
    ).status_code == 403
    assert (await client.get(f"/api/v1/rounds/{rid}/matches.csv")).status_code == 401
    assert await table_sizes(pool) == sizes


async def test_outcomes_csv_has_a_row_per_introduction_and_no_contact_details(client, pool):
    history = await outcome_history(client, pool)
    pid = history["programme"]["id"]
    r = await client.get(f"/api/v1/programmes/{pid}/outcomes.csv", headers=history["headers"])
    rows = read_csv(r)
    assert filename(r).startswith("outcomes-pmi-lisbon-2027-") and filename(r).endswith(".csv")
    assert rows[0] == list(OUTCOME_HEADER)
    found = [dict(zip(OUTCOME_HEADER, row, strict=True)) for row in rows[1:]]
    assert len(found) == 7
    assert sorted(x["status"] for x in found) == sorted(
        ["active", "declined", "expired", "ended", "pending", "active", "pending"]
    )
    introduced = [x["introduced_at"] for x in found]
    assert introduced == sorted(introduced)  # oldest first
    assert {x["mentee"] for x in found} >= {"'" + name for name in NASTY}
    ended = next(x for x in found if x["status"] == "ended")
    assert ended["mentee_comment"] == '\'=HYPERLINK("http://x", "click")'
    assert (ended["mentee_rating"], ended["mentee_still_meeting"]) == ("2", "false")
    assert (ended["mentor_rating"], ended["mentor_comment"]) == ("", "")
    assert ended["round_id"] == history["rounds"][0]
    assert ended["introduced_at"] == T0.isoformat()
    request = next(x for x in found if x["source"] == "request")
    assert (request["source"], request["round_id"], request["round_published_at"]) == (
        "request",
        "",
        "",
    )
    emails = [r["email"] for r in await pool.fetch("SELECT email FROM people")]
    assert not any(email in r.text for email in emails)

    r = await client.get(f"/api/v1/programmes/{uuid.uuid4()}/outcomes.csv", headers=history["boss"])
    assert r.status_code == 404
    _, stranger = await account(client, display_name="Sam Stranger")
    r = await client.get(f"/api/v1/programmes/{pid}/outcomes.csv", headers=stranger)
    assert r.status_code == 403


async def test_compare_and_export_real_rounds(client, app, pool, settings):
    """Two rounds over the demo data, the second after forbidding one pair and pinning another."""
    await seed_demo(pool, app.state.services.taxonomy, app.state.services.passwords)
    await _organiser(client, pool)
    pid = await _programme(client, pool)
    before = await _start_and_run(client, settings, pid)
    page = (await client.get(f"/api/v1/rounds/{before['id']}/matches?limit=1000")).json()
    forbidden, moved = page["matches"][0], page["matches"][1]
    for body in (
        {
            "mentee_id": forbidden["mentee_id"],
            "mentor_id": forbidden["mentor_id"],
            "kind": "forbid",
        },
        {"mentee_id": moved["mentee_id"], "mentor_id": forbidden["mentor_id"], "kind": "pin"},
    ):
        r = await client.post(f"/api/v1/rounds/{before['id']}/overrides", json=body)
        assert r.status_code == 201, r.text
    after = await _start_and_run(client, settings, pid)
    assert after["status"] == "draft", after["message"]

    r = await client.get(f"/api/v1/rounds/{before['id']}/compare?with={after['id']}&limit=1000")
    assert r.status_code == 200, r.text
    out = r.json()
    counts = out["counts"]
    assert counts["kept"] + counts["changed"] + counts["dropped"] == before["metrics"]["matched"]
    assert counts["kept"] + counts["changed"] + counts["gained"] == after["metrics"]["matched"]
    kept = {(p["mentee_id"], p["after_mentor_id"]) for p in out["kept"]["pairs"]}
    assert (forbidden["mentee_id"], forbidden["mentor_id"]) not in kept
    changed = {p["mentee_id"]: p for p in out["changed"]["pairs"]}
    assert changed[moved["mentee_id"]]["after_mentor_id"] == forbidden["mentor_id"]
    assert changed[moved["mentee_id"]]["before_mentor_name"] == moved["mentor_name"]
    figures = {m["name"]: m for m in out["metrics"]}
    assert figures["coverage"]["before"] == before["metrics"]["coverage"]
    assert figures["coverage"]["after"] == after["metrics"]["coverage"]
    assert set(out["fairness"]) == set(before["metrics"]["fairness"])

    r = await client.get(f"/api/v1/rounds/{after['id']}/matches.csv")
    rows = read_csv(r)
    assert len(rows) == 1 + after["metrics"]["mentees"]
    statuses = [row[0] for row in rows[1:]]
    assert statuses.count("matched") == after["metrics"]["matched"]
    assert statuses.count("unmatched") == after["metrics"]["mentees"] - after["metrics"]["matched"]


async def test_downloads_are_documented_as_csv(client):
    spec = (await client.get("/openapi.json")).json()
    for path in ("/api/v1/rounds/{id}/matches.csv", "/api/v1/programmes/{id}/outcomes.csv"):
        item = spec["paths"][path]["get"]
        assert list(item["responses"]["200"]["content"]) == ["text/csv"], path
        assert "apostrophe" in item["summary"] and item["x-access"] == "organiser"
        assert item["responses"]["404"]["content"]["application/json"]  # errors stay JSON
    compare = spec["paths"]["/api/v1/rounds/{id}/compare"]["get"]
    assert {"with", "limit", "offset", "id"} == {p["name"] for p in compare["parameters"]}
    assert {"401", "403", "404", "409", "422"} <= set(compare["responses"])
    html = (await client.get("/docs")).text
    assert "GET /api/v1/rounds/{id}/matches.csv" in html and "schema-RoundComparison" in html

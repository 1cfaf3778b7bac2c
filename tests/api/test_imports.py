"""The member import API: who may call it, files refused before any import exists (422, 413),
the preview, the report and the rejected rows."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.app import ROUTERS, operations
from service.imports import service as imports
from service.middleware import upload_limits
from tests.api.test_association_keys import _key, bearer
from tests.api.test_associations import association as create_association
from tests.api.test_associations import association_admin
from tests.api.test_programmes import admin as site_admin
from tests.conftest import account
from tests.unit.spreadsheets import xlsx_bytes
from tests.workers.test_imports import MEMBERS, admin, association, imported, run_worker, upload

MIB = 1024 * 1024


async def nothing_stored(pool, settings) -> bool:
    """No import recorded and no uploaded file kept."""
    folder = imports.upload_dir(settings.home)
    files = list(folder.iterdir()) if folder.exists() else []
    return await pool.fetchval("SELECT count(*) FROM imports") == 0 and files == []


async def test_who_may_import(client, pool, settings):
    """An association's admins and its API keys (and site admins), for that association only."""
    _, boss = await site_admin(client, pool)
    chapter = (await create_association(client, boss))["id"]
    other = (await create_association(client, boss, name="Agile Porto"))["id"]
    ada, ada_headers = await association_admin(client, boss, chapter)
    _, olga = await association_admin(client, boss, other)
    key = (await _key(client, chapter, ada_headers))["key"]
    other_key = (await _key(client, other, olga))["key"]
    _, stranger = await account(client)
    url = f"/api/v1/associations/{chapter}/imports"

    def post(headers: dict[str, str]):
        return client.post(url, files={"file": ("m.csv", MEMBERS)}, headers=headers)

    assert (await client.post(url, files={"file": ("m.csv", MEMBERS)})).status_code == 401
    for headers in (stranger, olga, bearer(other_key)):
        assert (await post(headers)).status_code == 403
    by_admin = await post(ada_headers)
    by_key = await post(bearer(key))
    assert (by_admin.status_code, by_key.status_code) == (202, 202)
    made = {
        str(r["id"]): (r["created_by"], r["api_key_id"])
        for r in await pool.fetch("SELECT id, created_by, api_key_id FROM imports")
    }
    key_id = await pool.fetchval(
        "SELECT id FROM association_api_keys WHERE association_id = $1", uuid.UUID(chapter)
    )
    assert made == {
        by_admin.json()["id"]: (uuid.UUID(ada["id"]), None),
        by_key.json()["id"]: (None, key_id),
    }
    report = f"/api/v1/imports/{by_admin.json()['id']}"
    for headers in (ada_headers, bearer(key), boss):
        assert (await client.get(report, headers=headers)).status_code == 200
        assert (await client.get(report + "/rejected.csv", headers=headers)).status_code == 200
    for headers in (stranger, olga, bearer(other_key)):
        assert (await client.get(report, headers=headers)).status_code == 403
        assert (await client.get(report + "/rejected.csv", headers=headers)).status_code == 403
    unknown = f"/api/v1/imports/{uuid.uuid4()}"
    assert (await client.get(unknown, headers=ada_headers)).status_code == 404
    assert (await post(boss)).status_code == 202  # site admins too
    none = str(uuid.uuid4())
    r = await client.post(
        f"/api/v1/associations/{none}/imports", files={"file": ("m", MEMBERS)}, headers=boss
    )
    assert r.status_code == 404


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "The file is empty."),
        (bytes(range(256)) * 8, "looks like binary data"),
        (b"PK\x03\x04\x14\x00\x00\x00" + b"\x01" * 300, "damaged"),
        (b"Email,First name\n", "a header row but no members under it"),
        (b"Name;City\nAna;Lisbon\n", "No column holds email addresses"),
    ],
)
async def test_a_file_that_is_not_a_member_list_is_422_and_creates_nothing(
    client, pool, settings, content, reason
):
    await admin(client, pool)
    aid = await association(pool)
    for path in ("imports", "imports/preview"):
        r = await client.post(
            f"/api/v1/associations/{aid}/{path}", files={"file": ("members.csv", content)}
        )
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert error["code"] == "not_a_spreadsheet" and reason in error["message"]
        assert error["fields"] == [{"field": "file", "message": error["message"]}]
    assert await nothing_stored(pool, settings)


async def test_a_mapping_that_does_not_fit_is_422_and_creates_nothing(client, pool, settings):
    await admin(client, pool)
    aid = await association(pool)
    r = await upload(client, aid, MEMBERS, mapping="{not json")
    assert r.status_code == 422
    assert r.json()["error"]["fields"][0]["field"] == "mapping"
    r = await upload(client, aid, MEMBERS, mapping='{"Emial": "email", "Notes": "hobbies"}')
    assert r.status_code == 422
    assert r.json()["error"]["fields"][0]["message"] == "The file has no column named 'Emial'."
    r = await upload(client, aid, MEMBERS, mapping='{"Email": ""}')
    assert r.status_code == 422 and "No column holds email" in r.json()["error"]["message"]
    r = await upload(client, aid, MEMBERS, full_sync="perhaps")
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "full_sync"
    assert await nothing_stored(pool, settings)


async def test_a_file_over_50_mib_is_413_before_anything_is_stored(client, pool, settings):
    # The figure is the routes' own limit, enforced by the body limit middleware.
    for path in ("/api/v1/associations/{id}/imports", "/api/v1/associations/{id}/imports/preview"):
        (op,) = [op for op in operations(ROUTERS) if op.path == path]
        assert op.upload is not None and op.upload.max_bytes == 50 * MIB == imports.MAX_UPLOAD
    limits = {pattern.pattern: limit for _, pattern, limit in upload_limits(operations(ROUTERS))}
    assert limits["^/api/v1/associations/(?P<id>[^/]+)/imports$"] == 50 * MIB
    await admin(client, pool)
    aid = await association(pool)
    big = MEMBERS.encode() + b"x" * (50 * MIB)
    r = await upload(client, aid, big)
    assert r.status_code == 413
    assert r.json()["error"] == {
        "code": "payload_too_large",
        "message": "the body is larger than 50 MiB",
    }
    assert await nothing_stored(pool, settings)


async def test_the_preview_shows_what_the_import_would_read(client, pool, settings):
    await admin(client, pool)
    aid = await association(pool)
    text = "Member list\r\n\r\nE-mail;Nome;Cotas em dia;Mentor?\r\n"
    text += "".join(f"m{i}@example.pt;Sónia {i};sim;Y\r\n" for i in range(30))
    r = await client.post(
        f"/api/v1/associations/{aid}/imports/preview",
        files={"file": ("socios.csv", text.encode("cp1252"))},
    )
    assert r.status_code == 200, r.text
    preview = r.json()
    assert {k: preview[k] for k in ("format", "encoding", "delimiter", "header_line")} == {
        "format": "csv",
        "encoding": "windows-1252",
        "delimiter": ";",
        "header_line": 3,
    }
    assert preview["columns"] == ["E-mail", "Nome", "Cotas em dia", "Mentor?"]
    assert preview["mapping"] == {"E-mail": "email", "Nome": "full_name", "Mentor?": "mentor"}
    assert preview["fields"]["years_experience"] == "Years of experience"
    assert len(preview["rows"]) == 20
    assert preview["rows"][0] == {"line": 4, "cells": ["m0@example.pt", "Sónia 0", "sim", "Y"]}
    # The admin's choice over the guesses.
    r = await client.post(
        f"/api/v1/associations/{aid}/imports/preview",
        files={"file": ("socios.csv", text.encode("cp1252"))},
        data={"mapping": '{"Cotas em dia": "notes", "Mentor?": ""}'},
    )
    assert r.json()["mapping"] == {"E-mail": "email", "Nome": "full_name", "Cotas em dia": "notes"}
    assert await nothing_stored(pool, settings)


async def test_the_report_and_the_rejected_rows(client, pool, settings):
    await admin(client, pool)
    aid = await association(pool)
    text = MEMBERS + '=HYPERLINK("http://x");Evil;Row;;;;;\n'
    report = await imported(client, settings, aid, text, mapping='{"Mentor?": ""}')
    assert report["status"] == "done" and report["rejected"] == 3
    assert report["file_name"] == "members.csv" and report["mapping"]["Email"] == "email"
    assert "Mentor?" not in report["mapping"]
    assert report["message"].startswith("done: 4 new (invited)")
    r = await client.get(f"/api/v1/imports/{report['id']}/rejected.csv")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="rejected-members-' in r.headers["content-disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")
    got = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert got[0] == [
        "line",
        "reason",
        "Email",
        "First name",
        "Last name",
        "Member ID",
        "Certifications",
        "Years of experience",
        "Country",
        "Mentor?",
    ]
    assert [row[:2] for row in got[1:]] == [
        [
            "6",
            "the email address 'not-an-address' is not valid: An email address must have an"
            " @-sign.",
        ],
        [
            "7",
            "the country 'Atlantis' is not one Kickoff knows; write its name or its two-letter"
            " code, like PT",
        ],
        ["10", got[3][1]],
    ]
    assert got[2][2:] == ["eva@example.org", "Eva", "Lopes", "M-004", "", "2", "Atlantis", ""]
    # The formula a spreadsheet would run is shown as text.
    assert got[3][2] == '\'=HYPERLINK("http://x")'


async def test_an_xlsx_file_imports_like_a_csv(client, pool, settings):
    await admin(client, pool)
    aid = await association(pool)
    data = xlsx_bytes(
        [
            ["Email Address", "Full name", "Member ID", "Years of experience"],
            ["ana@example.org", "Ana Silva", 1001, 12],
            ["ANA@example.org ", None, None, None],
            ["bad", "Bad Row", 1003, 1],
        ]
    )
    report = await imported(client, settings, aid, data)
    assert (report["format"], report["encoding"], report["delimiter"]) == ("xlsx", "", "")
    assert (report["rows_read"], report["created"], report["duplicates_merged"]) == (3, 1, 1)
    assert report["rejected"] == 1
    ref = await pool.fetchval("SELECT member_ref FROM association_members")
    years = await pool.fetchval(
        "SELECT years_experience FROM people WHERE email = 'ana@example.org'"
    )
    assert (ref, years) == ("1001", 12)
    rejected = (await client.get(f"/api/v1/imports/{report['id']}/rejected.csv")).text
    assert rejected.splitlines()[1].startswith("4,")


FUZZ = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(
    data=st.binary(max_size=3000)
    | st.text(max_size=400).map(lambda t: ("Email;Name\n" + t).encode("utf-8", "replace"))
)
async def test_no_upload_makes_a_500(client, pool, data):
    if not client.cookies:
        await admin(client, pool)
    aid = await association(pool)
    for path in ("imports", "imports/preview"):
        r = await client.post(f"/api/v1/associations/{aid}/{path}", files={"file": ("f", data)})
        assert r.status_code in (200, 202, 422), r.text


async def test_the_import_job_runs_what_the_api_accepted(client, pool, settings):
    await admin(client, pool)
    aid = await association(pool)
    r = await upload(client, aid, MEMBERS, full_sync="true")
    assert r.status_code == 202
    body = r.json()
    assert (body["status"], body["progress"], body["full_sync"]) == ("queued", 0, True)
    assert body["message"] == "waiting for its turn"
    await run_worker(settings)
    done = (await client.get(f"/api/v1/imports/{body['id']}")).json()
    assert done["status"] == "done" and done["started_at"] and done["finished_at"]

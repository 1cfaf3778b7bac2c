"""The member import pages: choose a file, check how it reads and which column holds what,
confirm, follow the import to its report; refused files say why and leave nothing."""

from __future__ import annotations

import html
import re
from importlib import resources

import httpx

from tests.api.test_associations import association as create_association
from tests.api.test_associations import association_admin
from tests.api.test_programmes import admin as site_admin
from tests.conftest import account, csrf_from
from tests.workers.test_imports import run_worker

SAMPLE = resources.files("service.demo").joinpath("data/sample_members.csv").read_bytes()


def text(page: httpx.Response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())


def browser(client: httpx.AsyncClient, headers: dict[str, str]) -> httpx.AsyncClient:
    """The client with the session of ``headers`` as a cookie, as a browser holds it."""
    client.cookies.set("kickoff_session", headers["Authorization"].removeprefix("Bearer "))
    return client


async def _choose(client, chapter: str, content: bytes, name: str = "members.csv", **extra):
    page = await client.get(f"/associations/{chapter}/imports")
    assert page.status_code == 200, page.text
    return await client.post(
        f"/associations/{chapter}/imports/preview",
        data={"csrf_token": csrf_from(page.text), **extra},
        files={"file": (name, content)},
    )


async def test_an_association_admin_imports_the_sample_file_from_the_pages(client, pool, settings):
    _, boss = await site_admin(client, pool)
    chapter = (await create_association(client, boss))["id"]
    _, ada = await association_admin(client, boss, chapter)
    browser(client, ada)
    # The association's page leads to the imports.
    assert (
        f'href="/associations/{chapter}/imports"'
        in (await client.get(f"/associations/{chapter}")).text
    )

    preview = await _choose(client, chapter, SAMPLE, "sample_members.csv")
    assert preview.status_code == 200, preview.text
    words = text(preview)
    assert "Check how Kickoff reads sample_members.csv" in words
    assert "Format CSV text" in words and "Encoding" in words and "Separator" in words
    # Each column with its guessed field, changeable; the first rows under the header.
    guessed = re.findall(r'<option value="([a-z_]+)" selected>', preview.text)
    assert "email" in guessed
    assert "The first" in words
    assert await pool.fetchval("SELECT count(*) FROM imports") == 0  # nothing until confirmed

    form = {
        name: value
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)"', preview.text
        )
    }
    columns = int(form["columns"])
    for i in range(columns):
        chosen = re.search(
            rf'<select id="field-{i}" name="field-{i}">.*?<option value="([a-z_]*)"[^>]*selected',
            preview.text,
            re.S,
        )
        form[f"field-{i}"] = chosen.group(1) if chosen else ""
    form = {k: html.unescape(v) for k, v in form.items()}
    confirmed = await client.post(f"/associations/{chapter}/imports/confirm", data=form)
    assert confirmed.status_code == 303, confirmed.text
    report_url = confirmed.headers["location"]
    waiting = await client.get(report_url)
    assert waiting.status_code == 200 and 'http-equiv="refresh"' in waiting.text

    await run_worker(settings)
    report = await client.get(report_url)
    words = text(report)
    assert "Done:" in words and 'http-equiv="refresh"' not in report.text
    row = await pool.fetchrow("SELECT created, rejected, duplicates_merged, status FROM imports")
    assert row["status"] == "done" and row["created"] > 0
    assert f"New to Kickoff, invited by email {row['created']}" in words
    assert f"Rows set aside {row['rejected']}" in words
    if row["rejected"]:
        assert "rejected.csv" in report.text
    # The imports page lists it.
    listed = await client.get(f"/associations/{chapter}/imports")
    assert "sample_members.csv" in text(listed)


async def test_refused_files_and_people_say_why_and_leave_nothing(client, pool, settings):
    _, boss = await site_admin(client, pool)
    chapter = (await create_association(client, boss))["id"]
    _, ada = await association_admin(client, boss, chapter)
    _, stranger = await account(client)

    url = f"/associations/{chapter}/imports"
    anonymous = await client.get(url)
    assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]
    browser(client, stranger)
    assert (await client.get(url)).status_code == 403

    browser(client, ada)
    junk = await _choose(client, chapter, b"\x00\x01\x02PK\x03\x04 not a spreadsheet" * 10)
    assert junk.status_code == 422
    assert "error-summary" in junk.text and "Traceback" not in junk.text
    no_email = await _choose(client, chapter, b"Name;City\nAna;Lisbon\n")
    assert no_email.status_code == 422 and "mail" in text(no_email).lower()
    page = await client.get(url)
    gone = await client.post(
        f"/associations/{chapter}/imports/confirm",
        data={
            "csrf_token": csrf_from(page.text),
            "upload_id": "00000000-0000-4000-8000-000000000000",
            "file_name": "x.csv",
            "columns": "0",
        },
    )
    assert gone.status_code == 404 and "choose the file again" in text(gone).lower()
    assert await pool.fetchval("SELECT count(*) FROM imports") == 0

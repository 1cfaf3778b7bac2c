"""Member files as associations send them: the repository's sample export, and repeated
addresses far apart in a file."""

from __future__ import annotations

from email.utils import parseaddr
from pathlib import Path

from service.imports import run
from tests.conftest import sign_up_and_login
from tests.workers.test_imports import (
    MEMBERS,
    admin,
    association,
    counts,
    imported,
    run_worker,
)
from tests.workers.test_introductions import mailbox  # noqa: F401
from tests.workers.test_invitations import _invitation_path

SAMPLE = Path(__file__).resolve().parents[2] / "service/demo/data/sample_members.csv"
SAMPLE_BYTES = SAMPLE.read_bytes()


async def test_the_sample_member_file_imports_as_its_notes_say(client, pool, settings):
    """service/demo/data/sample_members.csv: Windows-1252, semicolons, a title line, repeated
    addresses, bad addresses and values, a quoted line break, formula-looking names."""
    await admin(client, pool)
    aid = await association(pool)
    r = await client.post(
        f"/api/v1/associations/{aid}/imports/preview",
        files={"file": (SAMPLE.name, SAMPLE_BYTES)},
    )
    assert (r.json()["encoding"], r.json()["delimiter"], r.json()["header_line"]) == (
        "windows-1252",
        ";",
        3,
    )
    report = await imported(client, settings, aid, SAMPLE_BYTES)
    assert counts(report) == {
        "rows_read": 22,
        "created": 14,
        "linked": 0,
        "updated": 0,
        "unchanged": 0,
        "rejected": 6,
        "duplicates_merged": 2,
        "ended": 0,
        "invitations": 14,
    }
    ana = await pool.fetchrow(
        "SELECT p.display_name, p.years_experience, m.member_ref, m.details"
        " FROM people p JOIN association_members m ON m.person_id = p.id"
        " WHERE p.email = 'ana.ferreira@example.org'"
    )
    assert dict(ana) == {
        "display_name": "Ana Ferreira",
        "years_experience": 10,
        "member_ref": "PMI-10231",
        "details": {"chapter": "Lisbon", "notes": "Happy to mentor newcomers", "mentor": True},
    }
    assert (
        await pool.fetchval(
            "SELECT display_name FROM people WHERE email = 'sofia.gomes@example.org'"
        )
        == "=SUM(A1:A9) Gomes"
    )
    rejected = (await client.get(f"/api/v1/imports/{report['id']}/rejected.csv")).text
    assert "'=HYPERLINK(" in rejected


async def test_an_address_repeated_in_a_later_chunk_is_merged_the_same(
    client, pool, settings, monkeypatch
):
    """Chunks of two rows: Rui's second row (line 5) is staged chunks after his first (line 3);
    what it fills in reaches his person and membership."""
    monkeypatch.setattr(run, "CHUNK", 2)
    await admin(client, pool)
    aid = await association(pool)
    report = await imported(client, settings, aid, MEMBERS)
    assert counts(report) == {
        "rows_read": 7,
        "created": 4,
        "linked": 0,
        "updated": 0,
        "unchanged": 0,
        "rejected": 2,
        "duplicates_merged": 1,
        "ended": 0,
        "invitations": 4,
    }
    rui = await pool.fetchrow(
        "SELECT p.display_name, p.certifications_held, p.years_experience, p.tag_texts,"
        " m.member_ref, m.details FROM people p JOIN association_members m ON m.person_id = p.id"
        " WHERE p.email = 'rui@example.org'"
    )
    assert dict(rui) == {
        "display_name": "Rui Costa",
        "certifications_held": ["capm"],
        "years_experience": 5,
        "tag_texts": {},  # CAPM is a taxonomy term, not a custom tag
        "member_ref": "M-002",
        "details": {"mentor": False},
    }
    again = await imported(client, settings, aid, MEMBERS)
    assert (again["unchanged"], again["updated"], again["created"]) == (4, 0, 0)


async def test_an_imports_invitations_arrive_and_their_links_open_the_invitation(
    client,
    pool,
    settings,
    mailbox,  # noqa: F811
):
    """The whole way: the file through the API and the worker, the invitation emails (the
    invitations' templates) over SMTP once each, and each link's page asking to join."""
    settings = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{mailbox.port}"})
    await sign_up_and_login(client, email="Old.Friend@example.org", display_name="Old Friend")
    client.cookies.clear()
    await admin(client, pool)
    await pool.execute("DELETE FROM outbox")  # the sign-ups' verification emails
    aid = await association(pool)
    report = await imported(client, settings, aid, MEMBERS)
    assert (report["created"], report["linked"], report["invitations"]) == (3, 1, 3)
    await run_worker(settings)  # a second run sends nothing more
    to = sorted(parseaddr(m["To"])[1] for m in mailbox.messages)
    assert to == [
        "Old.Friend@example.org",
        "ana@example.org",
        "ines@example.org",
        "rui@example.org",
    ]
    for message in mailbox.messages:
        if "Old.Friend" in message["To"]:
            continue
        path = _invitation_path(message)
        page = await client.get(path)
        assert page.status_code == 200, page.text
        assert "PMI Portugal Chapter" in page.text

"""Member imports end to end: upload through the API, the arq burst worker, real PostgreSQL and
Redis. Counts are exact; invitations are asserted as outbox rows (their templates are not
ours)."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from datetime import timedelta

import httpx
import pytest

from service import queue
from service.imports import run
from service.imports import service as imports
from service.security import link_token, token_hash
from tests.conftest import settle_email, sign_up_and_login
from workers.settings import build_worker

#: A hand-made member file: 7 rows under the header (line 1), of which one repeats an address
#: (merged), one has no valid address and one an unknown country (refused); a blank line.
MEMBERS = (
    "Email;First name;Last name;Member ID;Certifications;Years of experience;Country;Mentor?\n"
    'ana@example.org;Ana;Silva;M-001;"PMP; PRINCE2 Foundation";10+;Portugal;yes\n'
    "rui@example.org;Rui;Costa;M-002;;n/a;PT;no\n"
    "\n"
    " RUI@Example.org ;;;;CAPM;5 years;;\n"
    "not-an-address;Zé;Nobody;M-003;;;PT;\n"
    "eva@example.org;Eva;Lopes;M-004;;2;Atlantis;\n"
    "old.friend@example.org;Old;Friend;M-005;;;;\n"
    "ines@example.org;Inês;Araújo;M-006;;3;Deutschland;Y\n"
)


async def admin(client: httpx.AsyncClient, pool) -> dict:
    """Log the client in as a site admin (who may import, until association admins exist)."""
    me = await sign_up_and_login(client, email="admin@example.org", consent_to_match=False)
    await pool.execute("UPDATE people SET is_admin = true WHERE id = $1", uuid.UUID(me["id"]))
    await settle_email(pool, me["id"])
    return me


async def association(pool, name: str = "PMI Portugal Chapter") -> str:
    """An association (made in the database: its API is another part of the work)."""
    aid = await pool.fetchval(
        "INSERT INTO associations (name, kind, city, country) VALUES ($1, 'chapter', 'Lisbon',"
        " 'PT') RETURNING id",
        name,
    )
    return str(aid)


async def upload(
    client: httpx.AsyncClient,
    aid: str,
    content: bytes | str,
    name: str = "members.csv",
    **fields: str,
) -> httpx.Response:
    """POST a member file for import."""
    data = content.encode() if isinstance(content, str) else content
    return await client.post(
        f"/api/v1/associations/{aid}/imports", files={"file": (name, data)}, data=fields
    )


async def run_worker(settings) -> None:
    """Run the arq worker until the queue is empty (crons off)."""
    worker = build_worker(settings, burst=True, handle_signals=False, poll_delay=0.05, cron_jobs=[])
    try:
        await worker.main()
    finally:
        await worker.close()


async def imported(client, settings, aid: str, content: bytes | str, **fields: str) -> dict:
    """Upload a file, run the worker, and return the finished import."""
    r = await upload(client, aid, content, **fields)
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "queued"
    await run_worker(settings)
    r = await client.get(f"/api/v1/imports/{r.json()['id']}")
    assert r.status_code == 200, r.text
    return r.json()


async def applied_rows(pool) -> dict[str, int]:
    """How many rows an import may have written, table by table."""
    queries = {
        "association_members": "SELECT count(*) FROM association_members",
        "invitation links": "SELECT count(*) FROM email_links WHERE purpose = 'invitation'",
        "import emails": "SELECT count(*) FROM outbox"
        " WHERE kind IN ('invitation', 'association_member')",
        "import_rows": "SELECT count(*) FROM import_rows",
        "import_rejects": "SELECT count(*) FROM import_rejects",
        "people": "SELECT count(*) FROM people",
    }
    return {name: await pool.fetchval(sql) for name, sql in queries.items()}


def counts(report: dict) -> dict:
    names = ("rows_read", "created", "linked", "updated", "unchanged", "rejected")
    names += ("duplicates_merged", "ended", "invitations")
    return {n: report[n] for n in names}


async def test_a_messy_file_imports_with_exact_counts_then_changes_nothing_again(
    client, pool, settings
):
    # Already in Kickoff, signed up with their own profile: linked, never duplicated.
    friend = await sign_up_and_login(
        client, email="Old.Friend@example.org", display_name="My Own Name"
    )
    client.cookies.clear()
    await admin(client, pool)
    aid = await association(pool)

    report = await imported(client, settings, aid, MEMBERS)
    assert report["status"] == "done", report["message"]
    assert counts(report) == {
        "rows_read": 7,
        "created": 3,  # ana, rui, ines
        "linked": 1,  # old.friend
        "updated": 0,
        "unchanged": 0,
        "rejected": 2,
        "duplicates_merged": 1,
        "ended": 0,
        "invitations": 3,
    }
    assert report["progress"] == 1 and report["format"] == "csv"
    assert report["encoding"] == "utf-8" and report["delimiter"] == ";"

    people = {
        r["email"]: dict(r)
        for r in await pool.fetch(
            "SELECT email, display_name, claimed_at IS NULL AS unclaimed, country,"
            " years_experience, certifications_held, password_hash FROM people"
            " WHERE email <> 'admin@example.org'"
        )
    }
    assert sorted(people) == [
        "Old.Friend@example.org",
        "ana@example.org",
        "ines@example.org",
        "rui@example.org",
    ]
    ana = people["ana@example.org"]
    assert ana["unclaimed"] and ana["password_hash"] is None
    assert (ana["display_name"], ana["country"], ana["years_experience"]) == ("Ana Silva", "PT", 10)
    assert ana["certifications_held"] == ["pmp", "prince2-foundation"]
    # The repeated row filled what the first left empty (certifications, years), nothing else.
    rui = people["rui@example.org"]
    assert (rui["display_name"], rui["certifications_held"], rui["years_experience"]) == (
        "Rui Costa",
        ["capm"],
        5,
    )
    assert people["ines@example.org"]["country"] == "DE"
    # A signed-up person's profile is theirs: only the membership changed.
    assert people["Old.Friend@example.org"]["display_name"] == "My Own Name"

    members = {
        r["email"]: dict(r)
        for r in await pool.fetch(
            "SELECT p.email, m.member_ref, m.status, m.source, m.details FROM association_members m"
            " JOIN people p ON p.id = m.person_id WHERE m.association_id = $1",
            uuid.UUID(aid),
        )
    }
    assert {e: (m["member_ref"], m["status"]) for e, m in members.items()} == {
        "ana@example.org": ("M-001", "invited"),
        "rui@example.org": ("M-002", "invited"),
        "ines@example.org": ("M-006", "invited"),
        "Old.Friend@example.org": ("M-005", "active"),
    }
    assert all(m["source"] == "import" for m in members.values())
    assert members["ana@example.org"]["details"] == {"mentor": True}

    # One invitation link and email per new person; one notice to the member with an account.
    links = await pool.fetch(
        "SELECT l.id, l.person_id, l.email, l.token_hash, l.expires_at - l.created_at AS life"
        " FROM email_links l WHERE l.purpose = 'invitation'"
    )
    assert sorted(r["email"] for r in links) == [
        "ana@example.org",
        "ines@example.org",
        "rui@example.org",
    ]
    for link in links:
        assert link["token_hash"] == token_hash(
            link_token(settings.secret, "invitation", link["id"])
        )
        assert link["life"] == timedelta(days=30)
    outbox = await pool.fetch(
        "SELECT kind, subject_kind, subject_id, recipient_id, message_id FROM outbox"
        " WHERE kind IN ('invitation', 'association_member')"
    )
    invitations = {r["subject_id"]: r for r in outbox if r["kind"] == "invitation"}
    assert {str(link["id"]) for link in links} == set(invitations)
    for link in links:
        row = invitations[str(link["id"])]
        assert row["subject_kind"] == "email_link" and row["recipient_id"] == link["person_id"]
        assert row["message_id"] == f"<invitation.{link['id']}.{link['person_id']}@kickoff>"
    notices = [(r["subject_kind"], r["subject_id"]) for r in outbox if r["kind"] != "invitation"]
    assert notices == [("association", aid)]
    assert str(friend["id"]) in {str(r["recipient_id"]) for r in outbox}

    # Nothing is left behind: no staged row, no file.
    assert await pool.fetchval("SELECT count(*) FROM import_rows") == 0
    assert await pool.fetchval("SELECT file_path FROM imports") is None
    assert list(imports.upload_dir(settings.home).iterdir()) == []

    again = await imported(client, settings, aid, MEMBERS)
    assert counts(again) == {
        "rows_read": 7,
        "created": 0,
        "linked": 0,
        "updated": 0,
        "unchanged": 4,
        "rejected": 2,
        "duplicates_merged": 1,
        "ended": 0,
        "invitations": 0,
    }
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE kind = 'invitation'") == 3
    assert await pool.fetchval("SELECT count(*) FROM people") == 5

    changed = MEMBERS.replace("M-002", "M-200").replace(
        "Eva;Lopes;M-004;;2;Atlantis", "Eva;L;;;2;PT"
    )
    third = await imported(client, settings, aid, changed)
    assert (third["created"], third["updated"], third["unchanged"], third["rejected"]) == (
        1,
        1,
        3,
        1,
    )
    assert third["invitations"] == 1


async def test_full_sync_ends_the_absent_imported_memberships_and_deletes_nobody(
    client, pool, settings
):
    await admin(client, pool)
    aid = await association(pool)
    first = await imported(client, settings, aid, MEMBERS)
    assert first["created"] == 4
    # A member who declared it themselves is not the import's to end.
    declared = await pool.fetchval(
        "INSERT INTO people (email, claimed_at) VALUES ('self@example.org', NULL) RETURNING id"
    )
    await pool.execute(
        "INSERT INTO association_members (association_id, person_id, source, status)"
        " VALUES ($1, $2, 'self_declared', 'invited')",
        uuid.UUID(aid),
        declared,
    )
    people = await pool.fetchval("SELECT count(*) FROM people")
    # Ana and the old friend are left out; Rui's row is refused now (his membership stays).
    smaller = (
        "Email;First name;Last name;Country\n"
        "ines@example.org;Inês;Araújo;DE\n"
        "rui@example.org;Rui;Costa;Atlantis\n"
    )
    synced = await imported(client, settings, aid, smaller, full_sync="true")
    assert synced["full_sync"] is True
    assert (synced["ended"], synced["unchanged"], synced["rejected"]) == (2, 1, 1)
    status = dict(
        await pool.fetch(
            "SELECT p.email, m.status FROM association_members m JOIN people p"
            " ON p.id = m.person_id WHERE m.association_id = $1",
            uuid.UUID(aid),
        )
    )
    assert status == {
        "ana@example.org": "ended",
        "old.friend@example.org": "ended",
        "rui@example.org": "invited",
        "ines@example.org": "invited",
        "self@example.org": "invited",
    }
    assert await pool.fetchval(
        "SELECT bool_and(ended_at IS NOT NULL) FROM association_members WHERE status = 'ended'"
    )
    assert await pool.fetchval("SELECT count(*) FROM people") == people
    # Back in the next file: members again (invited, as they have not signed up yet).
    back = await imported(client, settings, aid, MEMBERS)
    assert (back["updated"], back["unchanged"], back["created"], back["linked"]) == (2, 2, 0, 0)
    ended = await pool.fetchval("SELECT count(*) FROM association_members WHERE status = 'ended'")
    assert ended == 0


async def test_a_failure_inside_the_apply_changes_nothing_and_says_so(client, pool, settings):
    await admin(client, pool)
    aid = await association(pool)
    # A real failure in the middle of the apply: memberships cannot be written.
    await pool.execute(
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN RAISE EXCEPTION 'disk full'; END $$;"
        " CREATE TRIGGER refuse BEFORE INSERT ON association_members"
        " FOR EACH STATEMENT EXECUTE FUNCTION refuse()"
    )
    report = await imported(client, settings, aid, MEMBERS)
    assert report["status"] == "failed"
    assert report["message"].startswith("The import failed on our side and changed nothing.")
    assert counts(report)["created"] == 0 and report["finished_at"] is not None
    assert await applied_rows(pool) == {
        "association_members": 0,
        "invitation links": 0,
        "import emails": 0,
        "import_rows": 0,
        "import_rejects": 0,
        "people": 1,  # the admin
    }
    assert list(imports.upload_dir(settings.home).iterdir()) == []


async def test_a_killed_import_leaves_no_partial_rows_and_the_retry_finishes_once(
    client, pool, settings, tmp_path
):
    """A real kill: ``kickoff import`` in its own process, SIGKILLed inside the import's one
    transaction, once it has written people, memberships and emails."""
    await admin(client, pool)
    aid = await association(pool)
    # Hold the import inside its transaction long enough to kill the process there.
    await pool.execute(
        "CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN PERFORM pg_sleep(1); RETURN NULL; END $$;"
        " CREATE TRIGGER slow AFTER INSERT ON association_members"
        " FOR EACH STATEMENT EXECUTE FUNCTION slow()"
    )
    path = tmp_path / "members.csv"
    path.write_text(MEMBERS)
    env = {
        **os.environ,
        "DATABASE_URL": str(settings.database_url),
        "REDIS_URL": str(settings.redis_url),
        "KICKOFF_HOME": str(settings.kickoff_home),
        "SECRET_KEY": str(settings.secret_key),
        "ARQ_QUEUE_NAME": settings.arq_queue_name,
        "LOG_LEVEL": "WARNING",
    }
    proc = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "kickoff.cli", "import", "--association", aid, str(path)),
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        for _ in range(600):
            sleeping = await pool.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'"
                " AND datname = current_database()"
            )
            if sleeping:
                break
            await asyncio.sleep(0.02)
        else:
            pytest.fail("the import never reached the memberships")
    finally:
        proc.kill()
        await proc.wait()
    import_id = await pool.fetchval("SELECT id FROM imports")
    assert await pool.fetchval("SELECT status FROM imports") == "running"
    # Staged and refused rows too: they were written in the same transaction.
    assert await applied_rows(pool) == {
        "association_members": 0,
        "invitation links": 0,
        "import emails": 0,
        "import_rows": 0,
        "import_rejects": 0,
        "people": 1,
    }

    # The server ends the dead client's transaction (and lock) once the trigger's sleep is over.
    for _ in range(300):
        if not await pool.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
        ):
            break
        await asyncio.sleep(0.02)
    await pool.execute("DROP TRIGGER slow ON association_members")
    # arq runs the job again: twice at once, even; it finishes once.
    runs = await asyncio.gather(*(run.run_import(pool, import_id) for _ in range(2)))
    assert sorted(runs) in (["done", "running elsewhere"], ["done", "done"])
    assert await run.run_import(pool, import_id) == "done"
    report = (await client.get(f"/api/v1/imports/{import_id}")).json()
    assert (report["created"], report["invitations"], report["rejected"]) == (4, 4, 2)
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE kind = 'invitation'") == 4
    # Each link is stored as its email is delivered (none has been here).
    assert await pool.fetchval("SELECT count(*) FROM email_links WHERE purpose = 'invitation'") == 0
    assert await pool.fetchval("SELECT count(*) FROM import_rows") == 0
    assert await pool.fetchval("SELECT count(*) FROM import_rejects") == 2
    assert list(imports.upload_dir(settings.home).iterdir()) == []


async def test_the_job_enqueued_twice_imports_once(client, pool, settings):
    await admin(client, pool)
    aid = await association(pool)
    r = await upload(client, aid, MEMBERS)
    assert r.status_code == 202
    import_id = r.json()["id"]
    # arq delivers at least once: a second copy of the job under another id.
    arq = await queue.connect(settings.redis_url, settings.arq_queue_name)
    try:
        assert await arq.enqueue_job(imports.JOB, import_id, _job_id=f"again-{import_id}")
    finally:
        await arq.aclose()
    await run_worker(settings)
    report = (await client.get(f"/api/v1/imports/{import_id}")).json()
    assert (report["status"], report["created"], report["invitations"]) == ("done", 4, 4)
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE kind = 'invitation'") == 4
    assert await pool.fetchval("SELECT count(*) FROM people WHERE claimed_at IS NULL") == 4


async def test_erasing_a_person_forgets_the_rows_of_member_files_that_hold_their_address(
    client, pool, settings
):
    await admin(client, pool)
    aid = await association(pool)
    me = await sign_up_and_login(client, email="Zoe@example.org")
    import_id = await pool.fetchval(
        "INSERT INTO imports (association_id, status) VALUES ($1, 'running') RETURNING id",
        uuid.UUID(aid),
    )
    await pool.execute(
        "INSERT INTO import_rows (import_id, line, email, data)"
        " VALUES ($1, 2, 'zoe@EXAMPLE.org', '{}'), ($1, 3, 'someone@example.org', '{}')",
        import_id,
    )
    await pool.execute(
        "INSERT INTO import_rejects (import_id, line, reason, data, email)"
        " VALUES ($1, 4, 'the country is unknown', '{\"Email\": \"ZOE@example.org\"}',"
        " 'ZOE@example.org'), ($1, 5, 'no email address', '{}', NULL)",
        import_id,
    )
    r = await client.request("DELETE", "/api/v1/me")
    assert r.status_code in (200, 204), r.text
    assert (
        await pool.fetchval("SELECT count(*) FROM people WHERE id = $1", uuid.UUID(me["id"])) == 0
    )
    assert [r["line"] for r in await pool.fetch("SELECT line FROM import_rows")] == [3]
    assert [r["line"] for r in await pool.fetch("SELECT line FROM import_rejects")] == [5]


async def test_rows_of_one_address_in_different_chunks_merge_as_in_one(
    client, pool, settings, monkeypatch
):
    """Chunks of two records: Rui's repeated row is read two chunks after his first (which
    created him), and still fills what the first left empty."""
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
        "SELECT p.display_name, p.certifications_held, p.years_experience, m.member_ref, m.details"
        " FROM people p JOIN association_members m ON m.person_id = p.id"
        " WHERE p.email = 'rui@example.org'"
    )
    assert tuple(rui) == ("Rui Costa", ["capm"], 5, "M-002", {"mentor": False})
    assert (
        await pool.fetchval("SELECT count(*) FROM people WHERE lower(email) = 'rui@example.org'")
        == 1
    )
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE kind = 'invitation'") == 4

"""Publishing answers once the pairs are committed; a job queues their introductions, and the
follow-up introduces any round whose job was lost."""

from __future__ import annotations

from tests.workers.test_introductions import _published_round, mailbox  # noqa: F401
from tests.workers.test_rounds import _run_worker


async def test_a_lost_introduction_job_is_made_good_by_the_follow_up(
    client,
    app,
    pool,
    settings,
    mailbox,  # noqa: F811
):
    settings = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{mailbox.port}"})
    rnd, emails = await _published_round(client, app, pool, settings)
    # Redis loses the job that would have queued the introductions.
    arq = app.state.services.arq
    assert await arq.zcard(settings.arq_queue_name) == 1
    await arq.delete(settings.arq_queue_name)
    await _run_worker(settings)
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 0

    # The follow-up (a cron job, every minute) introduces the round; running it again, or the
    # lost job turning up after all, queues nothing more.
    await arq.enqueue_job("follow_up_introductions", _job_id="first")
    await _run_worker(settings)
    await arq.enqueue_job("follow_up_introductions", _job_id="second")
    await arq.enqueue_job("introduce_round", str(rnd["id"]), _job_id="late")
    await _run_worker(settings)
    assert await pool.fetchval("SELECT count(*) FROM outbox") == emails
    assert len(mailbox.messages) == emails
    assert len({m["Message-ID"] for m in mailbox.messages}) == emails
    assert {m["Message-ID"].split(".")[0] for m in mailbox.messages} == {"<introduction"}

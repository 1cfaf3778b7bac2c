"""Enqueueing many emails at once, on real Redis: one round trip, arq's job semantics kept."""

from __future__ import annotations

import json
import uuid

from arq.jobs import Job, JobStatus
from redis.asyncio.connection import AbstractConnection

from service import queue
from service.introductions.service import SEND_JOB, enqueue_emails, send_job_id


async def test_enqueueing_emails_is_one_round_trip_and_each_job_is_arqs(servers, monkeypatch):
    name = "kickoff:test:" + uuid.uuid4().hex[:12]
    arq = await queue.connect(servers.redis_url, name)
    try:
        await arq.ping()
        sent: list[int] = []
        send = AbstractConnection.send_packed_command

        async def counted(self, command, check_health=True):  # type: ignore[no-untyped-def]
            sent.append(1)
            return await send(self, command, check_health)

        monkeypatch.setattr(AbstractConnection, "send_packed_command", counted)
        # More emails than one script call takes: still one write to Redis and one answer.
        ids = [uuid.uuid4() for _ in range(2500)]
        items: list = [*ids[:-1], (ids[-1], 3)]
        assert await enqueue_emails(arq, items) == len(ids)
        assert len(sent) == 1
        monkeypatch.undo()

        # Each is the job arq's enqueue_job would have made: JSON, in this queue, with its id.
        queued = await arq.zrange(name, 0, -1)
        assert {q.decode() for q in queued} == {
            *(send_job_id(name, i) for i in ids[:-1]),
            send_job_id(name, ids[-1], 3),
        }
        raw = json.loads(await arq.get(f"arq:job:{send_job_id(name, ids[0])}"))
        assert raw["f"] == SEND_JOB and raw["a"] == [str(ids[0])] and raw["k"] == {}
        job = Job(send_job_id(name, ids[0]), arq, _queue_name=name, _deserializer=queue.deserialize)
        assert await job.status() == JobStatus.queued
        info = await job.info()
        assert info is not None and info.function == SEND_JOB and info.args == [str(ids[0])]
        assert 0 < await arq.pttl(f"arq:job:{send_job_id(name, ids[0])}") <= arq.expires_extra_ms

        # A repeated id is refused, queued or finished with a kept result, as arq refuses it.
        done = uuid.uuid4()
        await arq.set(f"arq:result:{send_job_id(name, done)}", b"{}")
        again = [ids[0], ids[1], done, uuid.uuid4()]
        assert await enqueue_emails(arq, again) == 1
        assert await arq.zcard(name) == len(ids) + 1
    finally:
        keys = [k async for k in arq.scan_iter(match=f"arq:*:{name}:email:*")]
        if keys:
            await arq.delete(*keys)
        await arq.delete(name)
        await arq.aclose()

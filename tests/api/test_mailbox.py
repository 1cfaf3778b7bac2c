"""The demo's mail sink and Mailbox page: real SMTP in, HTML out, links clickable."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib
import httpx

from service.app import create_app
from service.demo.mailbox import read_mailbox, start_sink
from tests.conftest import free_port


async def test_sink_keeps_mail_and_the_demo_mailbox_shows_it(settings):
    port = free_port()
    demo = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{port}", "demo_mode": True})
    sink = start_sink(demo)
    assert sink is not None
    try:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = "k@example.org", "ana@example.org", "Meet <Bo>"
        msg.set_content("Answer here: http://127.0.0.1:8000/introductions/abc.def\n")
        await aiosmtplib.send(msg, hostname="127.0.0.1", port=port)
        # A second sink on the same port is refused politely, not a crash.
        assert start_sink(demo) is None
    finally:
        sink.stop()

    app = create_app(demo)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            page = await client.get("/mailbox")
    assert page.status_code == 200
    assert "Meet &lt;Bo&gt;" in page.text  # escaped
    assert 'href="http://127.0.0.1:8000/introductions/abc.def"' in page.text
    assert "ana@example.org" in page.text


async def test_mailbox_is_demo_only(client):
    assert (await client.get("/mailbox")).status_code == 404


async def test_mailbox_filters_by_recipient_and_says_how_many_it_shows(settings):
    port = free_port()
    demo = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{port}", "demo_mode": True})
    sink = start_sink(demo)
    assert sink is not None
    try:
        for to in ("ana@example.org", "bo@example.org", "Bo Lee <bo.lee@example.org>"):
            msg = EmailMessage()
            msg["From"], msg["To"], msg["Subject"] = "k@example.org", to, f"For {to}"
            msg.set_content("Hello\n")
            await aiosmtplib.send(msg, hostname="127.0.0.1", port=port)
    finally:
        sink.stop()

    view = read_mailbox(demo, limit=2)
    assert (len(view.mails), view.total) == (2, 3)
    assert view.mails[0].to == "Bo Lee <bo.lee@example.org>"  # newest first
    app = create_app(demo)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            only_bo = (await client.get("/mailbox", params={"to": "BO"})).text
            nobody = (await client.get("/mailbox", params={"to": "zoe@"})).text
    assert "For bo@example.org" in only_bo and "For Bo Lee" in only_bo
    assert "For ana@example.org" not in only_bo
    assert "No mail to “zoe@” yet." in nobody

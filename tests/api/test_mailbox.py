"""The demo's mail sink and Mailbox page: real SMTP in, HTML out, links clickable."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib
import httpx
import pytest

from service.app import create_app
from service.demo.mailbox import read_mailbox, start_sink
from tests.conftest import free_port


@pytest.fixture
def demo(settings):
    """Demo settings with the mail sink on a free port."""
    port = free_port()
    return settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{port}", "demo_mode": True})


@pytest.fixture
async def demo_client(demo):
    """A client of the demo app."""
    app = create_app(demo)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def send_to_sink(demo, *mails: tuple[str, str, str]) -> None:
    """Deliver (to, subject, text) messages through a sink started for the occasion."""
    sink = start_sink(demo)
    assert sink is not None
    port = int(demo.smtp_url.rsplit(":", 1)[1])
    try:
        for to, subject, text in mails:
            msg = EmailMessage()
            msg["From"], msg["To"], msg["Subject"] = "k@example.org", to, subject
            msg.set_content(text)
            await aiosmtplib.send(msg, hostname="127.0.0.1", port=port)
        # A second sink on the same port is refused politely, not a crash.
        assert start_sink(demo) is None
    finally:
        sink.stop()


async def test_sink_keeps_mail_and_the_demo_mailbox_shows_it(demo, demo_client):
    link = "http://127.0.0.1:8000/introductions/abc.def"
    await send_to_sink(demo, ("ana@example.org", "Meet <Bo>", f"Answer here: {link}\n"))
    page = await demo_client.get("/mailbox")
    assert page.status_code == 200
    assert "Meet &lt;Bo&gt;" in page.text  # escaped
    assert 'href="http://127.0.0.1:8000/introductions/abc.def"' in page.text
    assert "ana@example.org" in page.text


async def test_mailbox_is_demo_only(client):
    assert (await client.get("/mailbox")).status_code == 404


async def test_mailbox_filters_by_recipient_and_says_how_many_it_shows(demo, demo_client):
    recipients = ("ana@example.org", "bo@example.org", "Bo Lee <bo.lee@example.org>")
    await send_to_sink(demo, *((to, f"For {to}", "Hello\n") for to in recipients))

    view = read_mailbox(demo, limit=2)
    assert (len(view.mails), view.total) == (2, 3)
    assert view.mails[0].to == "Bo Lee <bo.lee@example.org>"  # newest first
    only_bo = (await demo_client.get("/mailbox", params={"to": "BO"})).text
    nobody = (await demo_client.get("/mailbox", params={"to": "zoe@"})).text
    assert "For bo@example.org" in only_bo and "For Bo Lee" in only_bo
    assert "For ana@example.org" not in only_bo
    assert "No mail to “zoe@” yet." in nobody

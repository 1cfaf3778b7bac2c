"""The demo's mail sink: an SMTP server on localhost keeping every message as a file.

`kickoff demo` runs it so that a newcomer can read what Kickoff sent and click the links in
it (the "Mailbox" page). Production sends through a real server (docker-compose: Mailpit).
"""

from __future__ import annotations

import email
import email.parser
import email.policy
import logging
import os
import socket
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from aiosmtpd.controller import Controller

from service.settings import Settings

log = logging.getLogger(__name__)
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def mailbox_dir(settings: Settings) -> Path:
    """Where the sink keeps messages: KICKOFF_HOME/mailbox."""
    path = settings.home / "mailbox"
    path.mkdir(parents=True, exist_ok=True)
    return path


class MaildirSink:
    """aiosmtpd handler writing each message to its own file (atomically, by rename)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Keep the message; aiosmtpd calls this once per message."""
        self.count += 1
        name = f"{time.time_ns()}-{os.getpid()}-{self.count}.eml"
        tmp = self.directory / f".{name}.tmp"
        tmp.write_bytes(envelope.original_content)
        tmp.rename(self.directory / name)
        return "250 OK"


@dataclass(frozen=True)
class Sink:
    """A running mail sink and the SMTP URL that reaches it."""

    controller: Controller
    url: str

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(urlsplit(self.url).port or 0)

    def stop(self) -> None:
        """Stop serving."""
        self.controller.stop()


def _taken(host: str, port: int) -> OSError | None:
    """Why ``host:port`` cannot be listened on, or None when it is free."""
    try:
        with socket.create_server((host, port), family=_family(host)):
            return None
    except OSError as exc:
        return exc


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _free_port(host: str) -> int:
    with socket.create_server((host, 0), family=_family(host)) as sock:
        return int(sock.getsockname()[1])


def start_sink(settings: Settings, *, any_port: bool = False) -> Sink | None:
    """Serve SMTP_URL's port on localhost with a :class:`MaildirSink` (None if not local).

    A taken port gives None, or with ``any_port`` a free port instead: the sink's ``url`` is
    then where to send.
    """
    url = urlsplit(settings.smtp_url)
    if url.scheme != "smtp" or (url.hostname or "") not in LOCAL_HOSTS or not url.port:
        return None
    host, port = url.hostname or "127.0.0.1", url.port
    # A quick check first: aiosmtpd would wait its whole start-up timeout on a taken port.
    if taken := _taken(host, port):
        if not any_port:
            log.warning("mail sink not started: port %s is taken (%s)", port, taken)
            return None
        port = _free_port(host)
        log.warning(
            "mail sink: port %s is taken (%s); using port %s instead", url.port, taken, port
        )
    # aiosmtpd logs every connection at INFO: thousands of lines per published round.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = Controller(MaildirSink(mailbox_dir(settings)), hostname=host, port=port)
    try:
        controller.start()
    except (OSError, RuntimeError) as exc:  # the port is taken, e.g. by another demo's sink
        log.warning("mail sink not started on port %s: %s", port, exc)
        controller.stop(no_assert=True)
        controller.loop.close()
        return None
    netloc = url.netloc.rpartition(":")[0] + f":{port}"
    return Sink(controller, urlunsplit(url._replace(netloc=netloc)))


@dataclass(frozen=True)
class Mail:
    """One message as the Mailbox page shows it."""

    name: str
    sent: str
    to: str
    subject: str
    text: str


@dataclass(frozen=True)
class MailboxView:
    """A page of the mailbox: the newest messages shown, and how many matched in all."""

    mails: list[Mail]
    total: int


def read_mailbox(settings: Settings, limit: int = 200, to: str = "") -> MailboxView:
    """The newest ``limit`` messages the sink received (to an address containing ``to``)."""
    files = sorted(mailbox_dir(settings).glob("*.eml"), reverse=True)
    wanted = to.strip().lower()
    if wanted:
        # Headers only: cheap enough to filter thousands of demo messages per page view.
        headers = email.parser.BytesHeaderParser(policy=email.policy.default)
        files = [
            path
            for path in files
            if wanted in str(headers.parsebytes(path.read_bytes()).get("To", "")).lower()
        ]
    out = []
    for path in files[:limit]:
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        body = msg.get_body(preferencelist=("plain",))
        date = msg.get("Date")
        out.append(
            Mail(
                name=path.name,
                sent=parsedate_to_datetime(date).isoformat(" ", "minutes") if date else "",
                to=str(msg.get("To", "")),
                subject=str(msg.get("Subject", "")),
                text=body.get_content() if body is not None else "",
            )
        )
    return MailboxView(out, len(files))

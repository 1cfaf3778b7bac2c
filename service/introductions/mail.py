"""Emails from templates, and SMTP delivery with errors sorted into retry or give up."""

from __future__ import annotations

import ssl
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, formataddr, parseaddr
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import aiosmtplib
from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "email"
#: Kinds people did not ask for by acting: they carry a List-Unsubscribe header.
NON_TRANSACTIONAL = frozenset({"survey"})
SMTP_TIMEOUT = 10.0
#: Long headers (our Message-IDs are ~95 characters) stay on one line, within SMTP's 998.
HEADERS_UNFOLDED = compat32.clone(max_line_length=998)


class Withdrawn(Exception):
    """The email is no longer wanted (its reader opted out meanwhile): never send it."""


class TemporaryFailure(Exception):
    """Worth retrying: the server was unreachable or answered 4xx."""


class PermanentFailure(Exception):
    """The server refused the message for good (5xx)."""


@cache
def environment() -> Environment:
    """The Jinja environment for email templates (HTML autoescaped, text not), built once."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        keep_trailing_newline=True,
    )


def compose(
    env: Environment,
    kind: str,
    context: dict[str, Any],
    *,
    sender: str,
    recipient: tuple[str, str],
    message_id: str,
    sent_at: Any,
    unsubscribe_url: str,
    one_click_unsubscribe: str = "",
) -> Message:
    """A multipart (text + HTML) email of ``kind`` from its three templates.

    ``one_click_unsubscribe``: a URL that stops these emails when POSTed to without logging
    in (RFC 8058): it becomes the ``List-Unsubscribe`` header, with ``List-Unsubscribe-Post``
    so mail clients may offer their own unsubscribe button. Otherwise kinds people did not ask
    for by acting point ``List-Unsubscribe`` at ``unsubscribe_url`` (their settings).

    Built with the compat32 MIME classes: several times cheaper per message than
    ``EmailMessage``'s header parsing, which dominated a worker's time at volume.
    """
    subject = " ".join(env.get_template(f"{kind}.subject.txt").render(context).split())
    msg = MIMEMultipart("alternative", policy=HEADERS_UNFOLDED)
    msg["Subject"] = Header(subject, "utf-8").encode() if not subject.isascii() else subject
    msg["From"] = sender
    msg["To"] = formataddr(recipient)  # encodes a non-ASCII name (RFC 2047)
    msg["Message-ID"] = message_id
    msg["Date"] = format_datetime(sent_at)
    if one_click_unsubscribe:
        # Only the https (or, in development, http) link: a mailto: one would need a mailbox
        # that reads unsubscribe requests, which Kickoff does not have.
        msg["List-Unsubscribe"] = f"<{one_click_unsubscribe}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    elif kind in NON_TRANSACTIONAL:
        msg["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    msg.attach(MIMEText(env.get_template(f"{kind}.txt").render(context), "plain", "utf-8"))
    msg.attach(MIMEText(env.get_template(f"{kind}.html").render(context), "html", "utf-8"))
    return msg


async def send(message: Message, smtp_url: str) -> None:
    """Hand ``message`` to the SMTP server at ``smtp_url`` (smtp:// or smtps://, optional user).

    Raises :class:`TemporaryFailure` or :class:`PermanentFailure`.
    """
    url = urlsplit(smtp_url)
    tls = url.scheme == "smtps"
    options: dict[str, Any] = {
        "hostname": url.hostname or "127.0.0.1",
        "port": url.port or (465 if tls else 25),
        "timeout": SMTP_TIMEOUT,
        "use_tls": tls,
        "start_tls": False if url.scheme == "smtp" and not url.username else None,
    }
    if tls:
        options["tls_context"] = ssl.create_default_context()
    if url.username:
        options["username"] = unquote(url.username)
        options["password"] = unquote(url.password or "")
    try:
        # Flattened here, with our policy (long headers unfolded), and the envelope given
        # explicitly, so the client neither refolds nor parses the headers again.
        data = message.as_bytes(policy=HEADERS_UNFOLDED.clone(linesep="\r\n"))
        sender = parseaddr(str(message["From"]))[1]
        await aiosmtplib.send(
            data, sender=sender, recipients=[parseaddr(str(message["To"]))[1]], **options
        )
    except aiosmtplib.SMTPRecipientsRefused as exc:
        codes = [r.code for r in exc.recipients]
        error = f"recipient refused: {'; '.join(f'{r.code} {r.message}' for r in exc.recipients)}"
        raise (PermanentFailure if min(codes) >= 500 else TemporaryFailure)(error) from exc
    except aiosmtplib.SMTPResponseException as exc:
        error = f"{exc.code} {exc.message}"
        raise (PermanentFailure if exc.code >= 500 else TemporaryFailure)(error) from exc
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc

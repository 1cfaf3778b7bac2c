"""Invitations of imported members, shared by the pages, the API and the worker.

A member import (service/imports) creates each new person unclaimed, with an "invited"
membership, and queues an ``invitation`` email whose subject is a one-time link
(``email_links``, purpose ``invitation``): the same machinery as verification links. The link
itself is stored when the email is delivered (:func:`email_context`): its token is an HMAC of
its id, so it needs nothing staged, and an import of 100,000 members writes no link rows. The
link's page lets the person sign up as that person (:func:`accept`); until then they are
matched with no one and shown to no one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from service.accounts import repository as accounts_repo
from service.accounts.service import LinkRefused, send_link, throttle
from service.errors import Conflict, NotFound
from service.introductions import repository as outbox
from service.introductions.service import ContextLoader
from service.introductions.standing import day_in_words
from service.invitations import repository as repo
from service.invitations.repository import INVITATION, MEMBER_NOTICE, REMINDER
from service.kit.db import Conn
from service.people import service as people
from service.people.repository import Person
from service.people.schemas import SignupIn
from service.security import link_token, token_hash
from service.taxonomy.normalise import Taxonomy

#: How long an invitation link works.
LIFETIME = timedelta(days=30)
#: Invitations an association may resend to one person, per day.
RESEND_LIMIT = 3
DAY = timedelta(days=1)
#: Who invited the person, when the association's name is not known (any more).
SOMEONE = "An association you belong to"


def in_words(names: Sequence[str], default: str = SOMEONE) -> str:
    """'PMI Lisbon', 'PMI Lisbon and Agile Porto', 'A, B and C' (``default`` for none)."""
    if not names:
        return default
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


_USED = (
    "This invitation was already used, so it no longer works. Your account exists: log in with"
    " the email address it was sent to."
)
_JOINED = (
    "You have already joined Kickoff with this email address, so this invitation is no longer"
    " needed. Log in to see your account."
)


def _refusal(found: repo.InvitationRow) -> LinkRefused:
    """Why an invitation link does not work, in the words its page shows."""
    who = in_words(found.associations, "the association that invited you")
    messages = {
        "used": _USED,
        "joined": _JOINED,
        "replaced": "This invitation link was replaced by a newer one. Use the link in the most"
        " recent invitation email from Kickoff.",
        "expired": f"This invitation expired on {day_in_words(_day(found.expires_at))}. Ask"
        f" {who} to send you a new one: they can resend it from Kickoff.",
        "moved": "This invitation is no longer valid: it was sent to an email address that has"
        f" changed since. Ask {who} to send you a new one.",
    }
    return LinkRefused(messages[found.state])


def _unknown() -> LinkRefused:
    refused = LinkRefused("This invitation link is not valid. Check that it was copied whole.")
    refused.status = 404
    return refused


@dataclasses.dataclass(frozen=True)
class Invitation:
    """An invitation that works: for whom, from which associations, until when, and what the
    import recorded about the person (profile columns)."""

    person_id: UUID
    email: str
    associations: list[str]
    expires_on: date
    imported: dict[str, Any]


async def open_invitation(conn: Conn, token: str) -> Invitation:
    """The invitation this link's token is, if it works; raises :class:`LinkRefused` saying why
    it does not (404 for a token that was never a link)."""
    found = await repo.find_invitation(conn, token_hash(token))
    if found is None:
        raise _unknown()
    if found.state:
        raise _refusal(found)
    imported = await repo.imported_profile(conn, found.person_id)
    if imported is None:  # signed up between the two statements
        raise _refusal(dataclasses.replace(found, state="joined"))
    return Invitation(
        found.person_id, found.email, found.associations, _day(found.expires_at), imported
    )


async def accept(
    conn: Conn, taxonomy: Taxonomy, token: str, body: SignupIn, password_hash: str
) -> Person:
    """Join Kickoff through an invitation: the link is used (once), the invited person signs up
    as themselves (:func:`service.people.service.sign_up`: the same rules, their invited
    memberships become active) with the address the link went to, verified by following it.

    Two submits at once: the second waits on the link's row, finds it used and is refused.
    """
    used = await repo.use_invitation(conn, token_hash(token))
    if used is None:
        await open_invitation(conn, token)  # raises, saying why
        raise LinkRefused(_USED)  # used between the two statements
    person_id, email = used
    try:
        person = await people.sign_up(
            conn, taxonomy, body.model_copy(update={"email": email}), password_hash
        )
    except Conflict:  # signed up with this address meanwhile, another way
        raise LinkRefused(_JOINED) from None
    assert person.id == person_id
    await accounts_repo.mark_verified(conn, person.id)
    await accounts_repo.retire_links(conn, person.id, INVITATION)
    return dataclasses.replace(person, email_verified=True)


async def invite(conn: Conn, secret: bytes, person_id: UUID, email: str) -> UUID:
    """A new invitation link to ``email`` and the email carrying it; the outbox id."""
    return await send_link(conn, secret, INVITATION, person_id, email, LIFETIME)


async def resend_invitation(
    conn: Conn, secret: bytes, association_id: UUID, person_id: UUID
) -> UUID:
    """Send an invited member of the association a new invitation (at most
    :data:`RESEND_LIMIT` a day per person); earlier links stop working. The outbox id.

    404 unless the person is an invited member of the association (imported, not signed up).
    """
    email = await repo.invited_member(conn, association_id, person_id)
    if email is None:
        raise NotFound("no such invited member of this association")
    await throttle(
        conn,
        "invitation_resend",
        str(person_id),
        RESEND_LIMIT,
        DAY,
        f"this invitation was sent {RESEND_LIMIT} times in the last day; try again tomorrow",
    )
    await accounts_repo.retire_links(conn, person_id, INVITATION)
    return await invite(conn, secret, person_id, email)


async def remind(conn: Conn, now: datetime, after: timedelta) -> list[UUID]:
    """Queue the one reminder of each invitation delivered ``after`` ago at ``now`` and still
    unanswered; the outbox ids. Nobody is reminded twice; afterwards they are left alone
    (their membership stays "invited" until they join or the association ends it)."""
    return await repo.queue_reminders(conn, now, after)


async def _invitation_email(conn: Conn, row: outbox.EmailRow) -> dict[str, Any]:
    """An invitation's (or its reminder's) association names and dates, for its templates."""
    found = await repo.link_email(conn, UUID(row.subject_id))
    names = found.associations if found else []
    return {
        "association_name": in_words(names[:1]),
        "other_associations": in_words(names[1:], ""),
        "invited_on": day_in_words(_day(found.created_at)) if found else "",
        "expires_on": day_in_words(_day(found.expires_at)) if found else "",
    }


async def _member_notice(conn: Conn, row: outbox.EmailRow) -> dict[str, Any]:
    """The association that added a member with an account, for its notice."""
    name = await repo.association_name(conn, UUID(row.subject_id))
    return {"association_name": name or SOMEONE}


def email_context(secret: bytes) -> dict[str, ContextLoader]:
    """What the invitation emails' templates need, by kind (the worker hands it to delivery).

    An imported person's invitation link is stored here, as its email is delivered, if it is
    not yet (its outbox row is its only record until then): working for :data:`LIFETIME` from
    now, or ended at once if the association has sent a newer invitation since the email was
    queued (a resend ends the earlier links)."""

    async def invitation(conn: Conn, row: outbox.EmailRow) -> dict[str, Any]:
        if row.kind == INVITATION:
            link_id = UUID(row.subject_id)
            digest = token_hash(link_token(secret, INVITATION, link_id))
            await repo.store_delivered_link(
                conn, link_id, row.recipient_id, digest, LIFETIME, row.created_at
            )
        return await _invitation_email(conn, row)

    return {INVITATION: invitation, REMINDER: invitation, MEMBER_NOTICE: _member_notice}

"""The page an invitation email links to, /invitation/{token}: an imported member checks the
profile their association filled in, sets a password, chooses mentee, mentor or both, consents
to be matched, and is in Kickoff (logged in)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.accounts.service import LinkRefused
from service.auth import service as auth
from service.errors import DomainError
from service.introductions.standing import day_in_words
from service.invitations import service as invitations
from service.kit.db import transaction
from service.kit.html import Pages, checked_form, domain_errors, render, see_other, validate
from service.kit.sessions import client_ip, set_session_cookie, user_agent
from service.kit.state import services
from service.pages.endpoints import PROFILE_FIELDS
from service.pages.forms import form_data, profile_form
from service.people import service as people
from service.people.schemas import SignupIn
from service.taxonomy.normalise import Taxonomy

pages = Pages()

#: Accepting means being matched: the consent the sign-up form asks for is required here.
CONSENT_NEEDED = (
    "Tick this box to accept: Kickoff is for being matched, and nobody is matched without"
    " agreeing to it"
)


def _form_values(imported: dict[str, Any], taxonomy: Taxonomy) -> dict[str, Any]:
    """What the import recorded, as the profile fields show it: tags by their labels (a custom
    tag as it was written), no role chosen and no consent given yet."""
    values = {k: v for k, v in imported.items() if v is not None}
    texts = imported.get("tag_texts") or {}
    for name in people.TAG_FIELDS:
        values[name] = [texts.get(slug) or taxonomy.label(slug) for slug in values.get(name, [])]
    values.update(
        roles=[],
        consent_to_match=False,
        mentor_capacity=2,  # shown for whoever ticks "mentor"; ignored otherwise
        timezone=imported.get("timezone") or "",
        languages=imported.get("languages") or ["en"],
        meeting_modes=imported.get("meeting_modes") or ["remote"],
    )
    return values


def _page(
    request: Request,
    invitation: invitations.Invitation,
    token: str,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    context = {
        "token": token,
        "invitation": invitation,
        "invited_by": invitations.in_words(invitation.associations),
        "expires_on": day_in_words(invitation.expires_on),
        "capacity_always": True,
        **profile_form(values, errors),
    }
    return render(request, "invitation.html", context, status)


def _refused(request: Request, exc: LinkRefused) -> Response:
    return render(request, "invitation.html", {"refused": exc.message}, exc.status)


async def _open(request: Request, token: str) -> invitations.Invitation | LinkRefused:
    async with transaction(services(request).pool, readonly=True) as conn:
        try:
            return await invitations.open_invitation(conn, token)
        except LinkRefused as exc:
            return exc


@pages.get("/invitation/{token}")
async def invitation_page(request: Request) -> Response:
    """Who invited me, the profile they filled in and what accepting means (a GET changes
    nothing, so a mail scanner opening the link does not use it up)."""
    token = request.path_params["token"]
    found = await _open(request, token)
    if isinstance(found, LinkRefused):
        return _refused(request, found)
    return _page(
        request, found, token, _form_values(found.imported, services(request).taxonomy), {}
    )


@pages.post("/invitation/{token}")
async def invitation_submit(request: Request) -> Response:
    """Accept: sign up as the invited person (the link works once), log in, go to my profile."""
    form = await checked_form(request)
    token = request.path_params["token"]
    found = await _open(request, token)
    if isinstance(found, LinkRefused):
        return _refused(request, found)
    data = form_data(form, PROFILE_FIELDS | {"password", "roles"})
    sent = {**data, "email": found.email}
    if "mentor" not in data.get("roles", []):
        sent["mentor_capacity"] = None  # the field is there for mentors only
    body, errors = validate(SignupIn, sent)
    if not data.get("consent_to_match"):
        errors["consent_to_match"] = CONSENT_NEEDED
    services_ = services(request)
    if body is not None and not errors:
        try:
            password_hash = await people.hash_password(services_.passwords, body)
            # The account and its first session exist together or not at all.
            async with transaction(services_.pool) as conn:
                person = await invitations.accept(
                    conn, services_.taxonomy, token, body, password_hash
                )
                session = await auth.open_session(
                    conn,
                    person.id,
                    timedelta(days=services_.settings.session_days),
                    user_agent=user_agent(request),
                    ip=client_ip(request),
                )
        except LinkRefused as exc:
            return _refused(request, exc)
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            response = see_other("/me?welcome=1")
            set_session_cookie(response, services_.settings, session)
            return response
    data.pop("password", None)
    return _page(request, found, token, data, errors, 422)


def routes() -> list[Route]:
    """The invitation page."""
    return pages.routes

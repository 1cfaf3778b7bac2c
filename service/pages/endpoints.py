"""Home, sign-up, login, logout and my profile as HTML pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.accounts import service as accounts
from service.auth import service as auth
from service.demo.mailbox import read_mailbox
from service.errors import DomainError, NotFound, RateLimited, Unauthorized
from service.introductions.service import enqueue_emails
from service.kit.api import Caller
from service.kit.db import transaction
from service.kit.html import Pages, checked_form, domain_errors, render, see_other, validate
from service.kit.sessions import (
    clear_session_cookie,
    client_ip,
    request_token,
    set_session_cookie,
    user_agent,
)
from service.kit.state import services
from service.pages import programmes
from service.pages.forms import form_data, profile_form, window_text
from service.pages.memberships import memberships_context
from service.people import repository as people_repo
from service.people import service as people
from service.people.schemas import ProfileFields, ProfileOut, ProfilePatch, SignupIn
from service.taxonomy.normalise import Taxonomy

pages = Pages()

# The form's profile fields are exactly the API's (sign-up adds email, password and roles).
PROFILE_FIELDS = set(ProfileFields.model_fields)


def _safe_next(value: object) -> str:
    # Only local paths, so the login form cannot become an open redirect.
    if isinstance(value, str) and value.startswith("/") and not value.startswith("//"):
        return value
    return "/me"


@pages.get("/")
async def home(request: Request) -> Response:
    """What Kickoff is, with the way in."""
    caller = await auth.current(request)
    async with transaction(services(request).pool, readonly=True) as conn:
        counts = await people_repo.count_people(conn)
    return render(request, "home.html", {"caller": caller, "counts": counts})


def _signup_values(role: str) -> dict[str, Any]:
    # No timezone yet: the browser's is chosen where scripts run, else the person picks one.
    return {
        "roles": [role],
        "timezone": "",
        "languages": ["en"],
        "meeting_modes": ["remote"],
        "mentor_capacity": 2 if role == "mentor" else None,
        "consent_to_match": True,
    }


@pages.get("/signup")
async def signup_form(request: Request) -> Response:
    """Sign-up form for a mentee (default) or a mentor (?role=mentor)."""
    role = "mentor" if request.query_params.get("role") == "mentor" else "mentee"
    return render(request, "signup.html", {"role": role, **profile_form(_signup_values(role), {})})


@pages.post("/signup")
async def signup_submit(request: Request) -> Response:
    """Create the account, log in, and go to the profile."""
    form = await checked_form(request)
    data = form_data(form, PROFILE_FIELDS | {"email", "password", "roles"})
    role = "mentor" if "mentor" in data.get("roles", []) else "mentee"
    body, errors = validate(SignupIn, data)
    found = services(request)
    if body is not None:
        try:
            password_hash = await people.hash_password(found.passwords, body)
            # The account and its first session exist together or not at all.
            async with transaction(found.pool) as conn:
                person, email = await accounts.sign_up(
                    conn, found.taxonomy, found.settings.secret, body, password_hash
                )
                token = await auth.open_session(
                    conn,
                    person.id,
                    timedelta(days=found.settings.session_days),
                    user_agent=user_agent(request),
                    ip=client_ip(request),
                )
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            await enqueue_emails(found.arq, [email])
            response = see_other("/me?welcome=1")
            set_session_cookie(response, found.settings, token)
            return response
    data.pop("password", None)
    return render(request, "signup.html", {"role": role, **profile_form(data, errors)}, 422)


@pages.get("/login")
async def login_form(request: Request) -> Response:
    """The login form."""
    return render(
        request,
        "login.html",
        {"values": {}, "errors": {}, "next": _safe_next(request.query_params.get("next"))},
    )


@pages.post("/login")
async def login_submit(request: Request) -> Response:
    """Check credentials, open a session, redirect."""
    form = await checked_form(request)
    email = str(form.get("email") or "").strip()
    password = str(form.get("password") or "")
    target = _safe_next(form.get("next"))
    found = services(request)
    try:
        if not email or not password:
            raise Unauthorized("enter your email and password")
        caller = await auth.log_in(
            found.pool,
            found.passwords,
            email,
            password,
            ip=client_ip(request),
            user_agent=user_agent(request),
            lifetime=timedelta(days=found.settings.session_days),
        )
    except (Unauthorized, RateLimited) as exc:
        status = exc.status
        return render(
            request,
            "login.html",
            {"values": {"email": email}, "errors": {"_form": exc.message}, "next": target},
            status,
        )
    response = see_other(target)
    set_session_cookie(response, found.settings, caller.token)
    return response


@pages.post("/logout")
async def logout_submit(request: Request) -> Response:
    """Revoke the session and go home."""
    await checked_form(request)
    token = request_token(request)
    found = services(request)
    if token:
        async with transaction(found.pool) as conn:
            await auth.log_out(conn, token)
    response = see_other("/")
    clear_session_cookie(response, found.settings)
    return response


async def _my_profile(request: Request, caller: Caller) -> ProfileOut | None:
    """The caller's profile (None if they were erased meanwhile)."""
    found = services(request)
    async with transaction(found.pool, readonly=True) as conn:
        person = await people_repo.get_person(conn, caller.person_id)
    return None if person is None else people.profile_out(person, found.taxonomy)


async def _profile_page(
    request: Request,
    caller: Caller,
    template: str,
    context: Callable[[ProfileOut], dict[str, Any]],
) -> Response:
    """A page of the caller's own profile (to the login form if they were erased meanwhile)."""
    profile = await _my_profile(request, caller)
    if profile is None:
        return see_other("/login")
    return render(request, template, {"caller": caller, **context(profile)})


@pages.get("/me")
@auth.logged_in()
async def profile_page(request: Request, caller: Caller) -> Response:
    """My profile, with my associations."""
    welcome = request.query_params.get("welcome") == "1"
    async with transaction(services(request).pool, readonly=True) as conn:
        mine = await memberships_context(conn, caller.person_id)
    return await _profile_page(
        request, caller, "profile.html", lambda p: {"profile": p, "welcome": welcome, **mine}
    )


def _edit_values(profile: ProfileOut, taxonomy: Taxonomy) -> dict[str, Any]:
    """A profile as its edit form shows it: tags by their labels ("MS Project", not
    ms-project; a custom tag as its person typed it), which the form's normalisation reads
    back to the same tags."""
    values: dict[str, Any] = profile.model_dump()
    for name in people.TAG_FIELDS:
        values[name] = [profile.tag_label(slug, taxonomy) for slug in values[name]]
    values["availability"] = [
        window_text(w["day"], w["start"], w["end"]) for w in values["availability"]
    ]
    return values


def edit_form(profile: ProfileOut, taxonomy: Taxonomy) -> dict[str, Any]:
    """The edit form's context for a profile as stored (no errors yet)."""
    return profile_form(_edit_values(profile, taxonomy), {})


@pages.get("/me/edit")
@auth.logged_in()
async def profile_edit_form(request: Request, caller: Caller) -> Response:
    """Edit my profile."""
    return await _profile_page(
        request,
        caller,
        "profile_edit.html",
        lambda p: edit_form(p, services(request).taxonomy),
    )


@pages.post("/me/edit")
@auth.logged_in()
async def profile_edit_submit(request: Request, caller: Caller) -> Response:
    """Save my profile edits."""
    form = await checked_form(request)
    data = form_data(form, PROFILE_FIELDS | {"roles", "email"})
    found = services(request)
    patch, errors = validate(ProfilePatch, data)
    if patch is not None:
        try:
            async with transaction(found.pool) as conn:
                _, emails = await accounts.update_profile(
                    conn, found.taxonomy, found.settings.secret, caller.person_id, patch
                )
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            await enqueue_emails(found.arq, emails)
            return see_other("/me?saved=1")
    return render(
        request, "profile_edit.html", {**profile_form(data, errors), "caller": caller}, 422
    )


@pages.post("/me/erase")
@auth.logged_in()
async def erase_submit(request: Request, caller: Caller) -> Response:
    """Erase my account (the form asks for the word DELETE)."""
    form = await checked_form(request)
    if form.get("confirm") != "DELETE":
        return see_other("/me/edit?erase=confirm")
    found = services(request)
    async with transaction(found.pool) as conn:
        await people.erase(conn, caller.person_id)
    response = see_other("/?erased=1")
    clear_session_cookie(response, found.settings)
    return response


@pages.get("/mailbox")
async def mailbox_page(request: Request) -> Response:
    """Demo only: every email the demo's mail sink received, with working links."""
    settings = services(request).settings
    if not settings.demo_mode:
        raise NotFound("the mailbox exists only in the demo")
    to = request.query_params.get("to", "")[:200]
    # File reads and parsing off the event loop.
    view = await run_in_threadpool(read_mailbox, settings, 200, to)
    return render(request, "mailbox.html", {"view": view, "to": to})


def routes() -> list[Route]:
    """The HTML routes."""
    return [*pages.routes, *programmes.routes()]

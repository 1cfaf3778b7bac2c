"""Home, sign-up, login, logout and my profile as HTML pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from service.auth import repository as auth_repo
from service.auth import service as auth
from service.demo.mailbox import read_mailbox
from service.errors import DomainError, NotFound, RateLimited, Unauthorized
from service.pages.forms import (
    CSRF_FIELD,
    checked_form,
    domain_errors,
    form_data,
    form_token,
    remember_nonce,
    validate,
)
from service.people import repository as people_repo
from service.people import service as people
from service.people.schemas import ProfileFields, ProfilePatch, SignupIn
from service.security import new_token, token_hash

# The form's profile fields are exactly the API's (sign-up adds email, password and roles).
PROFILE_FIELDS = set(ProfileFields.model_fields)


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    status: int = 200,
    *,
    session_token: str | None = None,
) -> Response:
    """Render a page with the CSRF token for its forms, setting the CSRF cookie if new."""
    state = request.app.state
    context = {
        "csrf_field": CSRF_FIELD,
        "csrf_token": form_token(request, session_token),
        "taxonomy": state.taxonomy,
        "demo_mode": state.settings.demo_mode,
        **context,
    }
    response: Response = state.templates.TemplateResponse(
        request, template, context, status_code=status
    )
    return remember_nonce(request, response)


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _safe_next(value: object) -> str:
    # Only local paths, so the login form cannot become an open redirect.
    if isinstance(value, str) and value.startswith("/") and not value.startswith("//"):
        return value
    return "/me"


async def home(request: Request) -> Response:
    """What Kickoff is, with the way in."""
    caller = await auth.current(request)
    counts = await people_repo.count_people(request.app.state.pool)
    return render(request, "home.html", {"caller": caller, "counts": counts})


def _signup_values(role: str) -> dict[str, Any]:
    return {
        "roles": [role],
        "timezone": "Europe/London",
        "languages": ["en"],
        "meeting_modes": ["remote"],
        "mentor_capacity": 2 if role == "mentor" else None,
        "consent_to_match": True,
    }


async def signup_form(request: Request) -> Response:
    """Sign-up form for a mentee (default) or a mentor (?role=mentor)."""
    role = "mentor" if request.query_params.get("role") == "mentor" else "mentee"
    return render(
        request, "signup.html", {"role": role, "values": _signup_values(role), "errors": {}}
    )


async def signup_submit(request: Request) -> Response:
    """Create the account, log in, and go to the profile."""
    form = await checked_form(request)
    data = form_data(form, PROFILE_FIELDS | {"email", "password", "roles"})
    role = "mentor" if "mentor" in data.get("roles", []) else "mentee"
    body, errors = validate(SignupIn, data)
    state = request.app.state
    if body is not None:
        try:
            person = await people.sign_up(state.pool, state.taxonomy, state.passwords, body)
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            token = new_token()
            await auth_repo.create_session(
                state.pool,
                token_hash(token),
                person.id,
                timedelta(days=state.settings.session_days),
                request.headers.get("user-agent", ""),
                auth.client_ip(request),
            )
            response = _see_other("/me?welcome=1")
            auth.set_session_cookie(response, request, token)
            return response
    data.pop("password", None)
    return render(request, "signup.html", {"role": role, "values": data, "errors": errors}, 422)


async def login_form(request: Request) -> Response:
    """The login form."""
    return render(
        request,
        "login.html",
        {"values": {}, "errors": {}, "next": _safe_next(request.query_params.get("next"))},
    )


async def login_submit(request: Request) -> Response:
    """Check credentials, open a session, redirect."""
    form = await checked_form(request)
    email = str(form.get("email") or "").strip()
    password = str(form.get("password") or "")
    target = _safe_next(form.get("next"))
    state = request.app.state
    try:
        if not email or not password:
            raise Unauthorized("enter your email and password")
        caller = await auth.log_in(
            state.pool,
            state.passwords,
            email,
            password,
            ip=auth.client_ip(request),
            user_agent=request.headers.get("user-agent", ""),
            lifetime=timedelta(days=state.settings.session_days),
        )
    except (Unauthorized, RateLimited) as exc:
        status = exc.status
        return render(
            request,
            "login.html",
            {"values": {"email": email}, "errors": {"_form": exc.message}, "next": target},
            status,
        )
    response = _see_other(target)
    auth.set_session_cookie(response, request, caller.token)
    return response


async def logout_submit(request: Request) -> Response:
    """Revoke the session and go home."""
    await checked_form(request)
    token = auth.request_token(request)
    if token:
        await auth.log_out(request.app.state.pool, token)
    response = _see_other("/")
    auth.clear_session_cookie(response, request)
    return response


async def _me_or_login(request: Request) -> tuple[auth.Auth | None, Response | None]:
    caller = await auth.current(request)
    if caller is None:
        return None, _see_other("/login?next=" + quote(request.url.path))
    return caller, None


async def profile_page(request: Request) -> Response:
    """My profile."""
    caller, redirect = await _me_or_login(request)
    if redirect:
        return redirect
    assert caller is not None
    state = request.app.state
    person = await people_repo.get_person(state.pool, caller.person_id)
    if person is None:
        return _see_other("/login")
    profile = people.profile_out(person, state.taxonomy)
    return render(
        request,
        "profile.html",
        {
            "profile": profile,
            "welcome": request.query_params.get("welcome") == "1",
            "caller": caller,
        },
    )


def _edit_values(profile: Any) -> dict[str, Any]:
    values: dict[str, Any] = profile.model_dump()
    values["availability"] = [
        f"{w['day'].title()} {w['start']}-{w['end']}" for w in values["availability"]
    ]
    return values


async def profile_edit_form(request: Request) -> Response:
    """Edit my profile."""
    caller, redirect = await _me_or_login(request)
    if redirect:
        return redirect
    assert caller is not None
    state = request.app.state
    person = await people_repo.get_person(state.pool, caller.person_id)
    if person is None:
        return _see_other("/login")
    profile = people.profile_out(person, state.taxonomy)
    return render(
        request,
        "profile_edit.html",
        {"values": _edit_values(profile), "errors": {}, "caller": caller},
    )


async def profile_edit_submit(request: Request) -> Response:
    """Save my profile edits."""
    caller, redirect = await _me_or_login(request)
    if redirect:
        return redirect
    assert caller is not None
    form = await checked_form(request)
    data = form_data(form, PROFILE_FIELDS | {"roles"})
    state = request.app.state
    patch, errors = validate(ProfilePatch, data)
    if patch is not None:
        try:
            await people.update_profile(state.pool, state.taxonomy, caller.person_id, patch)
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            return _see_other("/me?saved=1")
    return render(
        request, "profile_edit.html", {"values": data, "errors": errors, "caller": caller}, 422
    )


async def erase_submit(request: Request) -> Response:
    """Erase my account (the form asks for the word DELETE)."""
    caller, redirect = await _me_or_login(request)
    if redirect:
        return redirect
    assert caller is not None
    form = await checked_form(request)
    if form.get("confirm") != "DELETE":
        return _see_other("/me/edit?erase=confirm")
    await people.erase(request.app.state.pool, caller.person_id)
    response = _see_other("/?erased=1")
    auth.clear_session_cookie(response, request)
    return response


async def mailbox_page(request: Request) -> Response:
    """Demo only: every email the demo's mail sink received, with working links."""
    settings = request.app.state.settings
    if not settings.demo_mode:
        raise NotFound("the mailbox exists only in the demo")
    to = request.query_params.get("to", "")[:200]
    # File reads and parsing off the event loop.
    view = await run_in_threadpool(read_mailbox, settings, 200, to)
    return render(request, "mailbox.html", {"view": view, "to": to})


def routes() -> list[Route]:
    """The HTML routes."""
    return [
        Route("/", home, methods=["GET"]),
        Route("/signup", signup_form, methods=["GET"]),
        Route("/signup", signup_submit, methods=["POST"]),
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login_submit, methods=["POST"]),
        Route("/logout", logout_submit, methods=["POST"]),
        Route("/me", profile_page, methods=["GET"]),
        Route("/me/edit", profile_edit_form, methods=["GET"]),
        Route("/me/edit", profile_edit_submit, methods=["POST"]),
        Route("/me/erase", erase_submit, methods=["POST"]),
        Route("/mailbox", mailbox_page, methods=["GET"]),
    ]

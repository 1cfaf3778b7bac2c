"""Account pages: the emailed links (verify an address, choose a new password), "Forgot your
password?", resending the verification link and changing the password."""

from __future__ import annotations

import asyncio

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.accounts import service as accounts
from service.accounts.schemas import PasswordChangeIn, PasswordResetIn
from service.auth import service as auth
from service.errors import Conflict, DomainError, RateLimited, ValidationFailed
from service.introductions.service import enqueue_emails
from service.kit.api import Caller
from service.kit.db import transaction
from service.kit.html import Pages, checked_form, domain_errors, render, see_other, validate
from service.kit.sessions import client_ip
from service.kit.state import services
from service.pages.endpoints import _my_profile, edit_form
from service.security import MAX_PASSWORD, MIN_PASSWORD

pages = Pages()

PASSWORD_RULE = f"Use {MIN_PASSWORD} to {MAX_PASSWORD} characters."


def _new_password_error(password: str) -> str:
    """What is wrong with a new password (the rules of sign-up), or ""."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        return f"Your new password must be {MIN_PASSWORD} to {MAX_PASSWORD} characters long."
    return ""


@pages.get("/forgot-password")
async def forgot_form(request: Request) -> Response:
    """Ask for a link to choose a new password."""
    return render(request, "forgot_password.html", {"values": {}, "errors": {}, "sent": False})


@pages.post("/forgot-password")
async def forgot_submit(request: Request) -> Response:
    """Email a reset link if an account has the address; the page says the same either way."""
    form = await checked_form(request)
    email = str(form.get("email") or "").strip()
    body, errors = validate(PasswordResetIn, {"email": email})
    values = {"email": email}
    if body is None:
        context = {"values": values, "errors": errors, "sent": False}
        return render(request, "forgot_password.html", context, 422)
    found = services(request)
    try:
        async with transaction(found.pool) as conn:
            queued = await accounts.request_password_reset(
                conn, found.settings.secret, body.email, client_ip(request)
            )
    except RateLimited as exc:
        context = {"values": values, "errors": {"_form": exc.message}, "sent": False}
        return render(request, "forgot_password.html", context, exc.status)
    context = {"values": values, "errors": {}, "sent": True}
    response = render(request, "forgot_password.html", context)
    if queued is not None:
        response.background = BackgroundTask(enqueue_emails, found.arq, [queued])
    return response


async def _refusal(request: Request, token: str, purpose: str) -> Response | None:
    """The page saying why a link does not work, or None when it works."""
    async with transaction(services(request).pool, readonly=True) as conn:
        try:
            await accounts.check_link(conn, token, purpose)
        except accounts.LinkRefused as exc:
            template = "verify_email.html" if purpose == accounts.VERIFY else "reset_password.html"
            return render(request, template, {"refused": exc.message}, exc.status)
    return None


@pages.get("/verify/{token}")
async def verify_page(request: Request) -> Response:
    """The page a verification email links to: one button confirms the address (a GET changes
    nothing, so a mail scanner opening the link does not use it up)."""
    token = request.path_params["token"]
    refused = await _refusal(request, token, accounts.VERIFY)
    return refused or render(request, "verify_email.html", {"token": token})


@pages.post("/verify/{token}")
async def verify_submit(request: Request) -> Response:
    """Verify the address (the link works once)."""
    await checked_form(request)
    token = request.path_params["token"]
    try:
        async with transaction(services(request).pool) as conn:
            await accounts.verify_email(conn, token)
    except accounts.LinkRefused as exc:
        return render(request, "verify_email.html", {"refused": exc.message}, exc.status)
    return render(request, "verify_email.html", {"verified": True})


@pages.get("/reset/{token}")
async def reset_page(request: Request) -> Response:
    """The page a reset email links to: choose a new password."""
    token = request.path_params["token"]
    refused = await _refusal(request, token, accounts.RESET)
    context = {"token": token, "errors": {}, "rule": PASSWORD_RULE}
    return refused or render(request, "reset_password.html", context)


@pages.post("/reset/{token}")
async def reset_submit(request: Request) -> Response:
    """Set the new password (the link works once, within the hour) and end every session."""
    form = await checked_form(request)
    token = request.path_params["token"]
    password = str(form.get("new_password") or "")
    error = _new_password_error(password)
    if error:
        context = {"token": token, "errors": {"new_password": error}, "rule": PASSWORD_RULE}
        return render(request, "reset_password.html", context, 422)
    # A link that cannot work costs no argon2 hash.
    refused = await _refusal(request, token, accounts.RESET)
    if refused is not None:
        return refused
    found = services(request)
    password_hash = await asyncio.to_thread(found.passwords.hash, password)
    try:
        async with transaction(found.pool) as conn:
            await accounts.reset_password(conn, token, password_hash)
    except accounts.LinkRefused as exc:
        return render(request, "reset_password.html", {"refused": exc.message}, exc.status)
    return render(request, "reset_password.html", {"done": True})


@pages.post("/me/verification")
@auth.logged_in("/me")
async def resend_submit(request: Request, caller: Caller) -> Response:
    """Send the verification link again, from the profile page."""
    await checked_form(request)
    found = services(request)
    try:
        async with transaction(found.pool) as conn:
            _, queued = await accounts.resend_verification(
                conn, found.settings.secret, caller.person_id
            )
    except Conflict:
        return see_other("/me")  # verified meanwhile: the profile says so
    except RateLimited as exc:
        profile = await _my_profile(request, caller)
        if profile is None:
            return see_other("/login")
        context = {"profile": profile, "caller": caller, "verification_error": exc.message}
        return render(request, "profile.html", context, exc.status)
    await enqueue_emails(found.arq, [queued])
    return see_other("/me?verification=sent")


@pages.post("/me/password")
@auth.logged_in("/me/edit")
async def password_submit(request: Request, caller: Caller) -> Response:
    """Change my password (the edit page's form); every other session of mine ends."""
    form = await checked_form(request)
    data = {
        "current_password": str(form.get("current_password") or ""),
        "new_password": str(form.get("new_password") or ""),
    }
    body, errors = validate(PasswordChangeIn, data)
    status = 422
    if body is not None:
        found = services(request)
        try:
            await accounts.change_password(
                found.pool,
                found.passwords,
                caller.person_id,
                caller.token,
                body.current_password,
                body.new_password,
                ip=client_ip(request),
            )
        except (ValidationFailed, RateLimited, Conflict) as exc:
            errors, status = domain_errors(exc), exc.status
        except DomainError:
            return see_other("/login")
        else:
            return see_other("/me?password=changed")
    if "new_password" in errors:
        errors["new_password"] = _new_password_error(data["new_password"]) or errors["new_password"]
    profile = await _my_profile(request, caller)
    if profile is None:
        return see_other("/login")
    context = {
        **edit_form(profile, services(request).taxonomy),
        "password_errors": errors,
        "caller": caller,
    }
    return render(request, "profile_edit.html", context, status)


def routes() -> list[Route]:
    """The account pages."""
    return pages.routes

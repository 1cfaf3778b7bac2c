"""HTML form plumbing: CSRF tokens and form-to-model conversion."""

from __future__ import annotations

import re
import secrets
from typing import Any, TypeVar

from markupsafe import Markup, escape
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from service.api import UNSTORABLE, storable_text
from service.auth.service import request_token
from service.errors import DomainError, Forbidden, ValidationFailed, field_errors
from service.people.service import TAG_FIELDS
from service.security import csrf_token, csrf_valid

M = TypeVar("M", bound=BaseModel)
CSRF_COOKIE = "kickoff_csrf"
CSRF_FIELD = "csrf_token"
# Comma-separated in forms: languages and every taxonomy tag list.
LIST_FIELDS = ("languages", *TAG_FIELDS)
INT_FIELDS = ("years_experience", "mentor_capacity")


def csrf_nonce(request: Request) -> str:
    """The browser's CSRF nonce, minted on first use (and set by :func:`remember_nonce`)."""
    nonce = request.cookies.get(CSRF_COOKIE) or request.scope.get("kickoff.csrf_nonce")
    if not nonce:
        nonce = secrets.token_urlsafe(24)
        request.scope["kickoff.csrf_nonce"] = nonce
    return nonce


def form_token(request: Request, session_token: str | None = None) -> str:
    """The token to embed in a form rendered for this browser and session."""
    if session_token is None:
        session_token = request_token(request)
    return csrf_token(request.app.state.settings.secret, csrf_nonce(request), session_token)


def remember_nonce(request: Request, response: Response) -> Response:
    """Set the CSRF cookie if this request minted a new nonce."""
    minted = request.scope.get("kickoff.csrf_nonce")
    if minted and request.cookies.get(CSRF_COOKIE) != minted:
        response.set_cookie(
            CSRF_COOKIE,
            minted,
            httponly=True,
            samesite="lax",
            secure=request.app.state.settings.secure_cookies,
            path="/",
        )
    return response


async def checked_form(request: Request) -> FormData:
    """The posted form, after its CSRF token was verified (403 otherwise)."""
    form = await request.form()
    given = form.get(CSRF_FIELD)
    ok = csrf_valid(
        request.app.state.settings.secret,
        request.cookies.get(CSRF_COOKIE),
        request_token(request),
        given if isinstance(given, str) else "",
    )
    if not ok:
        raise Forbidden(
            "This form has expired or did not come from Kickoff. Reload the page and try again."
        )
    # No browser sends these; a crafted form must not reach the database with them.
    bad = {n: 1 for n, v in form.multi_items() if isinstance(v, str) and not storable_text(v)}
    if bad:
        raise ValidationFailed(
            "Some fields contain characters that are not text: " + ", ".join(bad),
            fields=[{"field": name, "message": UNSTORABLE} for name in bad],
        )
    return form


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


def form_data(form: FormData, fields: set[str]) -> dict[str, Any]:
    """Form values shaped like the JSON API's: lists split on commas, numbers as ints."""
    data: dict[str, Any] = {}
    for name in fields:
        if name == "meeting_modes":
            data[name] = [v for v in form.getlist(name) if isinstance(v, str)]
            continue
        if name == "roles":
            data[name] = [v for v in form.getlist(name) if isinstance(v, str)]
            continue
        if name == "consent_to_match":
            data[name] = form.get(name) == "on"
            continue
        raw = form.get(name)
        if raw is None or not isinstance(raw, str):
            continue
        if name in LIST_FIELDS:
            data[name] = _split(raw)
        elif name == "availability":
            data[name] = [line.strip() for line in raw.splitlines() if line.strip()]
        elif name in INT_FIELDS:
            raw = raw.strip()
            if raw == "":
                data[name] = None if name == "mentor_capacity" else 0
            else:
                data[name] = int(raw) if raw.lstrip("-").isdigit() else raw
        else:
            data[name] = raw
    return data


def validate(model: type[M], data: dict[str, Any]) -> tuple[M | None, dict[str, str]]:
    """(model, {}) or (None, {field: message}) for re-rendering the form."""
    try:
        return model.model_validate(data), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in field_errors(exc):
            top = err["field"].split(".")[0]
            errors.setdefault(top, err["message"])
        return None, errors


def domain_errors(exc: DomainError) -> dict[str, str]:
    """A domain error as per-field messages for a form."""
    if exc.fields:
        return {f["field"].split(".")[0]: f["message"] for f in exc.fields}
    return {"_form": exc.message}


_URL = re.compile(r"https?://[^\s<>\"')]+")


def linkify(text: str) -> Markup:
    """Plain text as HTML, its http(s) addresses made links (for the demo's Mailbox page)."""
    pieces: list[Markup] = []
    last = 0
    for match in _URL.finditer(text):
        pieces.append(escape(text[last : match.start()]))
        # Markup.format escapes the address in both places.
        pieces.append(Markup('<a href="{0}">{0}</a>').format(match.group(0)))
        last = match.end()
    pieces.append(escape(text[last:]))
    return Markup("").join(pieces)

"""A programme's matching settings page: each weight and setting with its default and what it
means. The form sends the programme's version as it was read: a save made meanwhile by
another organiser refuses this one (409) and shows theirs, and nothing is overwritten."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.auth import service as auth
from service.errors import ValidationFailed, field_errors
from service.kit.api import Caller, path_id
from service.kit.db import transaction
from service.kit.html import Pages, checked_form, domain_errors, render, see_other
from service.kit.state import services
from service.pages.workspace import local_time, organised_programme, workspace_context
from service.programmes import roles
from service.programmes import service as programmes
from service.programmes.schemas import (
    DEFAULT_WEIGHTS,
    WEIGHT_MEANINGS,
    ProgrammePatch,
    ProgrammeSettings,
)
from service.programmes.service import Changed

pages = Pages()
#: The settings besides the weights, in the form's order, with their input's step.
NUMBERS = {
    "min_overlap_hours": "0.5",
    "round_size": "1",
    "reminder_days": "1",
    "expiry_days": "1",
    "survey_days": "1",
}
LABELS = {
    "min_overlap_hours": "Minimum weekly overlap (hours)",
    "round_size": "Round size (mentees)",
    "reminder_days": "Reminder after (days)",
    "expiry_days": "Introductions expire after (days)",
    "survey_days": "Feedback survey after (days)",
}


def _number(raw: object, whole: bool) -> object:
    """A form's number as JSON would carry it (text that is no number stays text: the
    validation says so in plain words)."""
    text = str(raw or "").strip()
    try:
        return int(text) if whole else float(text)
    except ValueError:
        return text


def _form_settings(form: FormData) -> dict[str, Any]:
    """The posted settings shaped like the API's ``settings`` object."""
    values: dict[str, Any] = {
        "weights": {name: _number(form.get(f"w_{name}"), False) for name in DEFAULT_WEIGHTS},
        "mode": str(form.get("mode") or ""),
    }
    for name in NUMBERS:
        raw = str(form.get(name) or "").strip()
        if name == "round_size" and not raw:
            values[name] = None  # empty: every eligible mentee
        else:
            values[name] = _number(raw, name != "min_overlap_hours")
    return values


def _settings_errors(exc: ValidationError) -> dict[str, str]:
    """Field messages keyed as the form names them ("weights.tools", "mode")."""
    errors: dict[str, str] = {}
    for err in field_errors(exc):
        errors.setdefault(err["field"], err["message"])
    return errors


async def _page(
    request: Request,
    caller: Caller,
    programme_id: UUID,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    version: int | None = None,
    status: int = 200,
) -> Response:
    async with transaction(services(request).pool, readonly=True) as conn:
        programme = await organised_programme(conn, caller, programme_id)
        changed = None
        if status == 409:
            changed = await local_time(conn, caller, programme.updated_at)
    shown = values or programme.settings.model_dump()
    context = workspace_context(
        caller,
        p=programme,
        values=shown,
        version=version or programme.version,
        defaults=ProgrammeSettings(),
        fields=ProgrammeSettings.model_fields,
        meanings=WEIGHT_MEANINGS,
        numbers=NUMBERS,
        labels=LABELS,
        errors=errors or {},
        changed=changed,
        saved=request.query_params.get("saved") == "1",
    )
    return render(request, "organise_settings.html", context, status)


@pages.get("/organise/{id}/settings")
@auth.logged_in()
async def settings_page(request: Request, caller: Caller) -> Response:
    """The programme's matching settings, each with its default and meaning."""
    return await _page(request, caller, path_id(request, what="programme"))


@pages.post("/organise/{id}/settings")
@auth.logged_in()
async def settings_submit(request: Request, caller: Caller) -> Response:
    """Save the settings, unless another organiser saved since the form was read."""
    form = await checked_form(request)
    programme_id = path_id(request, what="programme")
    values = _form_settings(form)
    version = _number(form.get("version"), True)
    try:
        settings = ProgrammeSettings.model_validate(values)
        patch = ProgrammePatch.model_validate({"settings": settings, "version": version})
    except ValidationError as exc:
        errors = _settings_errors(exc)
        if "version" in errors:  # a tampered form: read the settings again
            errors = {"_form": "This form is out of date: open the settings again."}
        return await _page(
            request,
            caller,
            programme_id,
            values=values,
            errors=errors,
            version=version if isinstance(version, int) else None,
            status=422,
        )
    try:
        async with transaction(services(request).pool) as conn:
            await roles.require_organiser(conn, programme_id, caller.person_id)
            await programmes.update_programme(conn, caller.person_id, programme_id, patch)
    except Changed:
        # Theirs are shown (the page reads the programme again); nothing of this save is kept.
        return await _page(request, caller, programme_id, status=409)
    except ValidationFailed as exc:
        return await _page(
            request,
            caller,
            programme_id,
            values=values,
            errors=domain_errors(exc),
            version=patch.version,
            status=422,
        )
    return see_other(f"/organise/{programme_id}/settings?saved=1")


def routes() -> list[Route]:
    """The settings page."""
    return pages.routes

"""A round for its programme's organisers: its progress while it runs (refreshing itself), then
its review (figures, the other mode's price, fairness, the pairs and the unmatched with their
reasons); pinning or forbidding a pair from it, running it again, and publishing it after a
confirmation that says what will go out."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.auth import service as auth
from service.errors import Conflict, ValidationFailed
from service.kit.api import Caller, path_id
from service.kit.db import transaction
from service.kit.html import Pages, checked_form, render, see_other, validate
from service.kit.state import services
from service.pages import review
from service.pages.workspace import (
    back_to,
    organised_round,
    start_round,
    workspace_context,
)
from service.programmes import service as programmes
from service.programmes.schemas import WEIGHT_LABELS
from service.rounds import overrides
from service.rounds import service as rounds
from service.rounds.charts.fairness import GAP, MIN_MENTEES
from service.rounds.charts.service import round_figures
from service.rounds.schemas import OverrideIn, RoundIn, RoundOut

pages = Pages()
PER_PAGE = 25


def _at(request: Request, name: str) -> int:
    raw = request.query_params.get(name, "0")
    return int(raw) if raw.isdigit() else 0


def review_context(rnd: RoundOut) -> dict[str, Any]:
    """The review's figures and tables (empty while the round has none)."""
    m = rnd.metrics
    if m is None:
        return {}
    headcount = m.headcount
    return {
        "figures": review.headline(m),
        "price": review.price_rows(m, rnd.alternative) if rnd.alternative else [],
        "headcount": {"mentees": headcount.mentees, "mentors": headcount.mentors}
        if headcount
        else {},
        "not_entered_words": review.NOT_ENTERED_WORDS,
        "unmatched_words": review.UNMATCHED_WORDS,
        "num": review.num,
    }


@pages.get("/organise/rounds/{id}")
@auth.logged_in()
async def round_page(request: Request, caller: Caller) -> Response:
    """While it runs: progress and the worker's message. Once done: the review."""
    round_id = path_id(request, what="round")
    at, unmatched_at = _at(request, "m"), _at(request, "u")
    page, pinned, introduced = None, [], None
    async with transaction(services(request).pool, readonly=True) as conn:
        rnd = await organised_round(conn, caller, round_id)
        programme = await programmes.get_programme(conn, caller.person_id, rnd.programme_id)
        if rnd.status in ("draft", "published"):
            page = await rounds.match_page(conn, round_id, PER_PAGE, at, unmatched_at)
            pinned = (await overrides.list_overrides(conn, rnd.programme_id)).overrides
        if rnd.status == "published":
            introduced = await rounds.introduced(conn, round_id)
    charts = {}
    if page is not None:
        # Drawn once and stored on first view (a done round's figures never change): a
        # transaction that may write.
        async with transaction(services(request).pool) as conn:
            charts = {f.name: f for f in await round_figures(conn, round_id)}
    here = f"/organise/rounds/{round_id}"
    context = workspace_context(
        caller,
        p=programme,
        rnd=rnd,
        page=page,
        at=at,
        unmatched_at=unmatched_at,
        per_page=PER_PAGE,
        overrides=pinned,
        introduced=introduced,
        emails=(introduced or 0) * rounds.EMAILS_PER_PAIR,
        back=f"{here}?m={at}&u={unmatched_at}",
        done=request.query_params.get("done"),
        components=WEIGHT_LABELS,
        charts=charts,
        fair_gap=GAP,
        fair_min=MIN_MENTEES,
        **review_context(rnd),
    )
    return render(request, "organise_round.html", context)


@pages.post("/organise/rounds/{id}/overrides")
@auth.logged_in()
async def override_submit(request: Request, caller: Caller) -> Response:
    """Pin or forbid a pair for the programme's next rounds, from a round's review."""
    form = await checked_form(request)
    round_id = path_id(request, what="round")
    body, errors = validate(
        OverrideIn,
        {k: str(form.get(k) or "") for k in ("mentee_id", "mentor_id", "kind")},
    )
    async with transaction(services(request).pool) as conn:
        await organised_round(conn, caller, round_id)
        if body is None:  # no page sends this: a crafted form, told what is wrong
            raise ValidationFailed(
                "This pin or forbid is not valid: "
                + "; ".join(f"{field}: {message}" for field, message in errors.items()),
                fields=[{"field": f, "message": m} for f, m in errors.items()],
            )
        await rounds.add_override(conn, caller.person_id, round_id, body)
    target = back_to(form, f"/organise/rounds/{round_id}")
    joiner = "&" if "?" in target else "?"
    return see_other(f"{target}{joiner}done={body.kind}#overrides")


@pages.post("/organise/rounds/{id}/rerun")
@auth.logged_in()
async def rerun_submit(request: Request, caller: Caller) -> Response:
    """Start a new round with this round's settings (the pins and forbids as they are now)."""
    await checked_form(request)
    round_id = path_id(request, what="round")
    async with transaction(services(request).pool, readonly=True) as conn:
        rnd = await organised_round(conn, caller, round_id)
    same = {k: v for k, v in rnd.settings.items() if k in RoundIn.model_fields and v is not None}
    return await start_round(request, caller, rnd.programme_id, same)


async def _publish_page(
    request: Request, caller: Caller, round_id: UUID, *, refused: str | None = None
) -> Response:
    preview = None
    async with transaction(services(request).pool, readonly=True) as conn:
        rnd = await organised_round(conn, caller, round_id)
        programme = await programmes.get_programme(conn, caller.person_id, rnd.programme_id)
        if refused is None:
            try:
                preview = await rounds.publish_preview(conn, round_id)
            except Conflict as exc:
                refused = exc.message
    context = workspace_context(caller, p=programme, rnd=rnd, preview=preview, refused=refused)
    return render(request, "organise_publish.html", context, 409 if refused else 200)


@pages.get("/organise/rounds/{id}/publish")
@auth.logged_in()
async def publish_page(request: Request, caller: Caller) -> Response:
    """The confirmation step: how many introductions and emails publishing sends."""
    return await _publish_page(request, caller, path_id(request, what="round"))


@pages.post("/organise/rounds/{id}/publish")
@auth.logged_in()
async def publish_submit(request: Request, caller: Caller) -> Response:
    """Publish the draft: its pairs become introductions, emailed within seconds."""
    await checked_form(request)
    round_id = path_id(request, what="round")
    try:
        async with transaction(services(request).pool) as conn:
            await organised_round(conn, caller, round_id)
            await rounds.publish(conn, round_id)
    except Conflict as exc:
        return await _publish_page(request, caller, round_id, refused=exc.message)
    await rounds.enqueue_introductions(services(request).arq, round_id)
    return see_other(f"/organise/rounds/{round_id}?done=published")


def routes() -> list[Route]:
    """The round pages."""
    return pages.routes

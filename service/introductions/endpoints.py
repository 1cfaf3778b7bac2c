"""Answering introductions: the API for the web app, and the page behind email links."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.auth.service import logged_in
from service.errors import DomainError
from service.introductions import repository as repo
from service.introductions import service
from service.introductions.outcomes import RoundOutcome, last_round_outcomes
from service.introductions.schemas import (
    AnswerOut,
    FeedbackIn,
    IntroductionReview,
    IntroductionReviewList,
    MyMatchList,
    MyMatchOut,
)
from service.introductions.tokens import InvalidToken, read_answer_token
from service.kit.api import PERSON, ApiRouter, Call, Caller, organiser, path_id, respond
from service.kit.db import transaction
from service.kit.html import Pages, checked_form, render, see_other
from service.kit.sessions import request_token
from service.kit.state import services
from service.programmes import membership

pages = Pages()

router = ApiRouter(tag="introductions")


async def _answer(
    request: Request, mentorship_id: UUID, person_id: UUID, accept: bool
) -> AnswerOut:
    """Record an answer, then (after the commit) enqueue the emails it queued."""
    found = services(request)
    async with transaction(found.pool) as conn:
        out = await service.answer(conn, mentorship_id, person_id, accept)
    await service.enqueue_emails(found.arq, out.emails)
    return AnswerOut(
        mentorship_id=out.mentorship_id,
        status=out.status,
        your_answer=out.your_answer,
        other_answer=out.other_answer,
    )


@router.route(
    "/matches/{id}/accept",
    "POST",
    summary="Accept an introduction (contact details are shared once both accept)",
    access=PERSON,
    response=AnswerOut,
    errors=(401, 404, 409),
)
async def accept(call: Call) -> Response:
    """Accept; accepting again changes nothing."""
    return respond(await _answer(call.request, call.path_id("match"), call.caller.person_id, True))


@router.route(
    "/matches/{id}/decline",
    "POST",
    summary="Decline an introduction (the other side is told kindly)",
    access=PERSON,
    response=AnswerOut,
    errors=(401, 404, 409),
)
async def decline(call: Call) -> Response:
    """Decline; declining again changes nothing."""
    return respond(await _answer(call.request, call.path_id("match"), call.caller.person_id, False))


@router.route(
    "/matches/{id}/feedback",
    "POST",
    summary="Answer the feedback survey of an accepted introduction (again to change it)",
    access=PERSON,
    body=FeedbackIn,
    status=204,
    errors=(400, 401, 404, 409, 415, 422),
)
async def give_feedback(call: Call) -> Response:
    """1-5 rating, optional comment, still meeting or not; organisers review them."""
    survey = call.body(FeedbackIn)
    async with call.transaction() as conn:
        await service.feedback(conn, call.path_id("match"), call.caller.person_id, survey)
    return Response(status_code=204)


@router.route(
    "/programmes/{id}/introductions",
    "GET",
    summary="A programme's introductions: answers, declines, expiries, failed emails, feedback",
    access=organiser(),
    response=IntroductionReviewList,
    errors=(401, 403, 404),
)
async def review_introductions(call: Call) -> Response:
    """For the programme's organisers and site admins; names only, no contact details."""
    async with call.transaction(readonly=True) as conn:
        rows = await repo.programme_introductions(conn, call.path_id("programme"))
    items = [IntroductionReview(**r) for r in rows]
    counts: dict[str, int] = {}
    for item in items:
        counts[item.status] = counts.get(item.status, 0) + 1
    failed = sum(e.get("status") == "failed" for item in items for e in item.emails)
    return respond(IntroductionReviewList(counts=counts, failed_emails=failed, introductions=items))


def match_out(row: repo.MyMatchRow) -> MyMatchOut:
    """The API shape of one of my introductions (first name only, as in the emails)."""
    return MyMatchOut(
        id=row.id,
        programme=row.programme_name,
        role=row.role,
        status=row.status,
        my_answer=row.my_answer,
        other_answer=row.other_answer,
        other_first_name=row.other_name.split(" ")[0],
        other_headline=row.other_headline,
        other_email=row.other_email,
        other_contact=row.other_contact or None,
        reasons=row.reasons,
        answer_by=(
            service.closes_on(row.introduced_at, row.expiry_days)
            if row.status == "pending" and row.introduced_at is not None
            else None
        ),
    )


async def _my_matches(request: Request, person_id: UUID) -> list[MyMatchOut]:
    async with transaction(services(request).pool, readonly=True) as conn:
        return [match_out(r) for r in await repo.my_matches(conn, person_id)]


async def _waiting(request: Request, person_id: UUID) -> membership.Waiting:
    async with transaction(services(request).pool, readonly=True) as conn:
        return await membership.waiting(conn, person_id)


async def _outcomes(request: Request, person_id: UUID) -> list[RoundOutcome]:
    async with transaction(services(request).pool, readonly=True) as conn:
        return await last_round_outcomes(conn, person_id)


@router.route(
    "/matches",
    "GET",
    summary="My introductions (contact details only once both accepted)",
    access=PERSON,
    response=MyMatchList,
    errors=(401,),
)
async def list_matches(call: Call) -> Response:
    """Newest first."""
    return respond(MyMatchList(matches=await _my_matches(call.request, call.caller.person_id)))


@pages.get("/me/matches")
@logged_in("/me/matches")
async def my_matches_page(request: Request, caller: Caller) -> Response:
    """ "My matches": each introduction with accept/decline buttons while it is open."""
    return await _render_my_matches(request, caller)


async def _render_my_matches(
    request: Request, caller: Caller, error: str = "", status: int = 200
) -> Response:
    matches = await _my_matches(request, caller.person_id)
    context = {
        "caller": caller,
        "matches": matches,
        # With nothing to show, why: no programme yet, no consent, or the next round to come.
        "waiting": None if matches else await _waiting(request, caller.person_id),
        # Whoever a published round did not match or take in is told why, and what to do.
        "outcomes": await _outcomes(request, caller.person_id),
        "today": date.today(),
        "error": error,
        "day_in_words": service.day_in_words,
    }
    return render(request, "my_matches.html", context, status, session_token=request_token(request))


@pages.post("/me/matches/{id}")
@logged_in("/me/matches")
async def my_matches_submit(request: Request, caller: Caller) -> Response:
    """Accept or decline from "My matches" (CSRF-checked), then back to the list."""
    form = await checked_form(request)
    choice = form.get("answer")
    mid = path_id(request, what="match")
    if choice in ("accept", "decline"):
        try:
            await _answer(request, mid, caller.person_id, choice == "accept")
        except DomainError as exc:
            return await _render_my_matches(request, caller, exc.message, exc.status)
    return see_other("/me/matches")


def _token(request: Request) -> tuple[str, tuple[UUID, UUID] | None, str]:
    token = request.path_params["token"]
    try:
        ids = read_answer_token(services(request).settings.secret, token, datetime.now(UTC))
    except InvalidToken as exc:
        return token, None, str(exc)
    return token, ids, ""


@pages.get("/introductions/{token}")
async def answer_page(request: Request) -> Response:
    """The page an introduction email links to: accept or decline, no login needed."""
    token, ids, error = _token(request)
    if ids is None:
        return render(request, "introduction_answer.html", {"error": error, "token": ""}, 400)
    mentorship_id, person_id = ids
    # Who the introduction is with and why, as this reader reads it, before asking.
    intro = next((m for m in await _my_matches(request, person_id) if m.id == mentorship_id), None)
    context = {"error": "", "token": token, "done": None, "intro": intro}
    return render(request, "introduction_answer.html", context)


@pages.post("/introductions/{token}")
async def answer_submit(request: Request) -> Response:
    """Record the answer chosen on the page (the signed link stands in for a login)."""
    token, ids, error = _token(request)
    if ids is None:
        return render(request, "introduction_answer.html", {"error": error, "token": ""}, 400)
    form = await checked_form(request)
    choice = form.get("answer")
    if choice not in ("accept", "decline"):
        context = {"error": "Choose accept or decline.", "token": token, "done": None}
        return render(request, "introduction_answer.html", context, 422)
    mentorship_id, person_id = ids
    try:
        done = await _answer(request, mentorship_id, person_id, choice == "accept")
    except DomainError as exc:
        context = {"error": exc.message, "token": "", "done": None}
        return render(request, "introduction_answer.html", context, exc.status)
    return render(request, "introduction_answer.html", {"error": "", "token": "", "done": done})


def routes() -> list[Route]:
    """The HTML routes: "My matches" and the page behind email links."""
    return pages.routes

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
from service.introductions import service, standing
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
    request: Request, mentorship_id: UUID, person_id: UUID, choice: standing.Answer
) -> AnswerOut:
    """Record an answer, then (after the commit) enqueue the emails it queued."""
    found = services(request)
    async with transaction(found.pool) as conn:
        out = await service.answer(conn, mentorship_id, person_id, choice)
    await service.enqueue_emails(found.arq, out.emails)
    return AnswerOut(
        mentorship_id=out.mentorship_id,
        status=out.status,
        your_answer=out.your_answer,
        other_answer=out.other_answer,
        state=out.state,
        can_answer=standing.can_answer(out.state),
    )


def _choice(value: object) -> standing.Answer | None:
    """The answer a form chose, if it is one."""
    return "accept" if value == "accept" else "decline" if value == "decline" else None


@router.route(
    "/matches/{id}/accept",
    "POST",
    summary="Accept an introduction (contact details are shared once both accept)",
    access=PERSON,
    response=AnswerOut,
    errors=(401, 404, 409),
)
async def accept(call: Call) -> Response:
    """Accept; accepting again changes nothing. 409 once the introduction is closed (a
    decline by either side, expiry, or one of you left the programme), with why."""
    return respond(
        await _answer(call.request, call.path_id("match"), call.caller.person_id, "accept")
    )


@router.route(
    "/matches/{id}/decline",
    "POST",
    summary="Decline an introduction, or change an acceptance to a decline until the other side"
    " answers (the other side is told kindly)",
    access=PERSON,
    response=AnswerOut,
    errors=(401, 404, 409),
)
async def decline(call: Call) -> Response:
    """Decline; declining again changes nothing. 409 once the other side has answered or the
    introduction is closed, with why."""
    return respond(
        await _answer(call.request, call.path_id("match"), call.caller.person_id, "decline")
    )


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
    state = standing.state_of(row.status, row.my_answer, row.other_answer)
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
        state=state,
        can_answer=standing.can_answer(state),
        closed_on=(
            row.closed_at.astimezone(UTC).date()
            if row.status == "expired" and row.closed_at
            else None
        ),
    )


async def _my_matches(
    request: Request, person_id: UUID, only: UUID | None = None
) -> list[MyMatchOut]:
    async with transaction(services(request).pool, readonly=True) as conn:
        return [match_out(r) for r in await repo.my_matches(conn, person_id, only)]


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
    """ "My matches": where each introduction stands, with the answers still allowed."""
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
        "day_in_words": standing.day_in_words,
    }
    return render(request, "my_matches.html", context, status, session_token=request_token(request))


@pages.post("/me/matches/{id}")
@logged_in("/me/matches")
async def my_matches_submit(request: Request, caller: Caller) -> Response:
    """Answer (or change an answer) from "My matches" (CSRF-checked), then back to the list."""
    form = await checked_form(request)
    choice = _choice(form.get("answer"))
    mid = path_id(request, what="match")
    if choice is not None:
        try:
            await _answer(request, mid, caller.person_id, choice)
        except DomainError as exc:
            return await _render_my_matches(request, caller, exc.message, exc.status)
    return see_other(f"/me/matches#match-{mid}")


def _token(request: Request) -> tuple[str, tuple[UUID, UUID] | None, str]:
    token = request.path_params["token"]
    try:
        ids = read_answer_token(services(request).settings.secret, token, datetime.now(UTC))
    except InvalidToken as exc:
        return token, None, str(exc)
    return token, ids, ""


#: The answer page when its introduction is gone (erasing an account deletes its mentorships).
GONE = "this introduction no longer exists: it was removed when an account was closed"


async def _render_answer_page(
    request: Request, token: str, ids: tuple[UUID, UUID], error: str = "", status: int = 200
) -> Response:
    """Who the introduction is with and why, as this reader reads it, and where it stands:
    the buttons only for the answers still allowed; ``error`` says why one was refused."""
    mentorship_id, person_id = ids
    found = await _my_matches(request, person_id, mentorship_id)
    if not found:
        return render(request, "introduction_answer.html", {"fatal": GONE}, 404)
    context = {
        "error": error,
        "token": token,
        "intro": found[0],
        "day_in_words": standing.day_in_words,
    }
    return render(request, "introduction_answer.html", context, status)


@pages.get("/introductions/{token}")
async def answer_page(request: Request) -> Response:
    """The page an introduction email links to: answer, or see where it stands; no login."""
    token, ids, error = _token(request)
    if ids is None:
        return render(request, "introduction_answer.html", {"fatal": error}, 400)
    return await _render_answer_page(request, token, ids)


@pages.post("/introductions/{token}")
async def answer_submit(request: Request) -> Response:
    """Record the answer chosen on the page (the signed link stands in for a login), then show
    the page again: reloading it shows where things stand, never a form to send again."""
    token, ids, error = _token(request)
    if ids is None:
        return render(request, "introduction_answer.html", {"fatal": error}, 400)
    form = await checked_form(request)
    choice = _choice(form.get("answer"))
    if choice is None:
        return await _render_answer_page(request, token, ids, "Choose accept or decline.", 422)
    try:
        await _answer(request, ids[0], ids[1], choice)
    except DomainError as exc:
        return await _render_answer_page(request, token, ids, exc.message, exc.status)
    return see_other(f"/introductions/{token}")


def routes() -> list[Route]:
    """The HTML routes: "My matches" and the page behind email links."""
    return pages.routes

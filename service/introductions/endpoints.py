"""Answering introductions: the API for the web app, and the page behind email links."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from service.api import ApiRouter, path_id, respond
from service.auth import service as auth
from service.auth.service import request_token
from service.errors import DomainError
from service.introductions import repository as repo
from service.introductions import service
from service.introductions.schemas import (
    AnswerOut,
    FeedbackIn,
    IntroductionReview,
    IntroductionReviewList,
    MyMatchList,
    MyMatchOut,
)
from service.introductions.tokens import InvalidToken, read_answer_token
from service.pages.endpoints import render
from service.pages.forms import checked_form

router = ApiRouter(tag="introductions")


async def _answer_api(request: Request, accept: bool) -> Response:
    caller = await auth.require(request)
    out = await service.answer(
        request.app.state.pool, path_id(request, what="match"), caller.person_id, accept
    )
    await service.enqueue_emails(request.app.state.arq, out.emails)
    return respond(
        AnswerOut(
            mentorship_id=out.mentorship_id,
            status=out.status,
            your_answer=out.your_answer,
            other_answer=out.other_answer,
        )
    )


@router.route(
    "/matches/{id}/accept",
    "POST",
    summary="Accept an introduction (contact details are shared once both accept)",
    response=AnswerOut,
    auth=True,
    errors=(401, 404, 409),
)
async def accept(request: Request) -> Response:
    """Accept; accepting again changes nothing."""
    return await _answer_api(request, True)


@router.route(
    "/matches/{id}/decline",
    "POST",
    summary="Decline an introduction (the other side is told kindly)",
    response=AnswerOut,
    auth=True,
    errors=(401, 404, 409),
)
async def decline(request: Request) -> Response:
    """Decline; declining again changes nothing."""
    return await _answer_api(request, False)


@router.route(
    "/matches/{id}/feedback",
    "POST",
    summary="Answer the feedback survey of an accepted introduction (again to change it)",
    body=FeedbackIn,
    auth=True,
    status=204,
    errors=(400, 401, 404, 409, 415, 422),
)
async def give_feedback(request: Request, body: FeedbackIn) -> Response:
    """1-5 rating, optional comment, still meeting or not; organisers review them."""
    caller = await auth.require(request)
    await service.feedback(
        request.app.state.pool,
        path_id(request, what="match"),
        caller.person_id,
        body.rating,
        body.comment,
        body.still_meeting,
    )
    return Response(status_code=204)


@router.route(
    "/programmes/{id}/introductions",
    "GET",
    summary="A programme's introductions: answers, declines, expiries, failed emails, feedback",
    response=IntroductionReviewList,
    auth=True,
    errors=(401, 403, 404),
)
async def review_introductions(request: Request) -> Response:
    """For the programme's organisers and site admins; names only, no contact details."""
    caller = await auth.require(request)
    rows = await service.review(
        request.app.state.pool, caller.person_id, path_id(request, what="programme")
    )
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


@router.route(
    "/matches",
    "GET",
    summary="My introductions (contact details only once both accepted)",
    response=MyMatchList,
    auth=True,
    errors=(401,),
)
async def list_matches(request: Request) -> Response:
    """Newest first."""
    caller = await auth.require(request)
    rows = await service.my_matches(request.app.state.pool, caller.person_id)
    return respond(MyMatchList(matches=[match_out(r) for r in rows]))


async def my_matches_page(request: Request) -> Response:
    """ "My matches": each introduction with accept/decline buttons while it is open."""
    caller = await auth.current(request)
    if caller is None:
        return RedirectResponse("/login?next=/me/matches", status_code=303)
    return await _render_my_matches(request, caller)


async def _render_my_matches(
    request: Request, caller: auth.Auth, error: str = "", status: int = 200
) -> Response:
    rows = await service.my_matches(request.app.state.pool, caller.person_id)
    context = {
        "caller": caller,
        "matches": [match_out(r) for r in rows],
        "error": error,
        "day_in_words": service.day_in_words,
    }
    return render(request, "my_matches.html", context, status, session_token=request_token(request))


async def my_matches_submit(request: Request) -> Response:
    """Accept or decline from "My matches" (CSRF-checked), then back to the list."""
    caller = await auth.current(request)
    if caller is None:
        return RedirectResponse("/login?next=/me/matches", status_code=303)
    form = await checked_form(request)
    choice = form.get("answer")
    mid = path_id(request, what="match")
    if choice in ("accept", "decline"):
        try:
            out = await service.answer(
                request.app.state.pool, mid, caller.person_id, choice == "accept"
            )
        except DomainError as exc:
            return await _render_my_matches(request, caller, exc.message, exc.status)
        await service.enqueue_emails(request.app.state.arq, out.emails)
    return RedirectResponse("/me/matches", status_code=303)


def _token(request: Request) -> tuple[str, tuple[UUID, UUID] | None, str]:
    token = request.path_params["token"]
    try:
        ids = read_answer_token(request.app.state.settings.secret, token, datetime.now(UTC))
    except InvalidToken as exc:
        return token, None, str(exc)
    return token, ids, ""


async def answer_page(request: Request) -> Response:
    """The page an introduction email links to: accept or decline, no login needed."""
    token, ids, error = _token(request)
    if ids is None:
        return render(request, "introduction_answer.html", {"error": error, "token": ""}, 400)
    return render(request, "introduction_answer.html", {"error": "", "token": token, "done": None})


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
        out = await service.answer(
            request.app.state.pool, mentorship_id, person_id, choice == "accept"
        )
    except DomainError as exc:
        context = {"error": exc.message, "token": "", "done": None}
        return render(request, "introduction_answer.html", context, exc.status)
    await service.enqueue_emails(request.app.state.arq, out.emails)
    return render(request, "introduction_answer.html", {"error": "", "token": "", "done": out})


def routes() -> list[Route]:
    """The HTML routes: "My matches" and the page behind email links."""
    return [
        Route("/me/matches", my_matches_page, methods=["GET"]),
        Route("/me/matches/{id}", my_matches_submit, methods=["POST"]),
        Route("/introductions/{token}", answer_page, methods=["GET"]),
        Route("/introductions/{token}", answer_submit, methods=["POST"]),
    ]

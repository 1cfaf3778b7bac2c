"""Organisers' pages that read a programme's rounds side by side: two rounds compared (every
figure with its delta, and whose pair was kept, changed, dropped or gained) and the outcomes of
the published rounds (where introductions stand, answer times, the survey)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.auth import service as auth
from service.errors import DomainError
from service.kit.api import Caller, path_id
from service.kit.db import transaction
from service.kit.html import Pages, render
from service.kit.state import services
from service.programmes import roles
from service.programmes import service as programmes
from service.rounds import compare as comparing
from service.rounds import outcomes as outcome_figures
from service.rounds import service as rounds
from service.rounds.charts.base import percent
from service.rounds.charts.service import outcomes_figure
from service.rounds.charts.specs import RoundOutcomes

pages = Pages()
PAGE_SIZE = 50
DONE = ("draft", "published")


def _offset(request: Request) -> int:
    """The page's offset from the query string (anything unreadable is the first page)."""
    raw = request.query_params.get("offset", "0")
    return max(0, int(raw)) if raw.isdigit() else 0


def _share(name: str) -> bool:
    """Whether a figure (by its name) is a share of 0-1, shown as a percentage."""
    return "coverage" in name or "share" in name or name.endswith("_rate")


def figure(name: str, value: float | None) -> str:
    """A figure as a page shows it: shares as percentages, scores to three places."""
    if value is None:
        return "–"
    if _share(name):
        return percent(value)
    if name in ("days", "rating"):
        return f"{value:.1f}"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:.3f}"


def change(name: str, value: float | None) -> str:
    """A delta with its sign ("+2.5 points", "−0.012", "no change")."""
    if value is None:
        return "–"
    if value == 0:
        return "no change"
    sign = "+" if value > 0 else "−"
    if _share(name):
        return f"{sign}{abs(value) * 100:.1f} points"
    shown = f"{abs(int(value)):,}" if float(value).is_integer() else f"{abs(value):.3f}"
    return sign + shown


@pages.get("/organise/rounds/{id}/compare")
@auth.logged_in()
async def compare_page(request: Request, caller: Caller) -> Response:
    """Two rounds of one programme side by side (``?with=`` the other round's id)."""
    round_id = path_id(request, what="round")
    offset = _offset(request)
    chosen = request.query_params.get("with", "")
    error, comparison = "", None
    async with transaction(services(request).pool, readonly=True) as conn:
        row = await rounds.get_round(conn, round_id)
        await roles.require_organiser(conn, row.programme_id, caller.person_id)
        programme = await programmes.get_programme(conn, caller.person_id, row.programme_id)
        listed = (await rounds.list_rounds(conn, row.programme_id, 100, 0)).rounds
        others = [r for r in listed if r.id != round_id and r.status in DONE]
        if not chosen and others:
            # By default, the round before this one (or the newest other).
            older = [r for r in others if r.created_at < row.created_at]
            chosen = str((older or others)[0].id)
        if chosen:
            try:
                other_id = UUID(chosen)
            except ValueError:
                error = "Choose one of the listed rounds to compare with."
            else:
                try:
                    comparison = await comparing.compare_rounds(
                        conn, round_id, other_id, caller.person_id, PAGE_SIZE, offset
                    )
                except DomainError as exc:
                    if exc.status >= 500:
                        raise
                    error = (exc.fields[0]["message"] if exc.fields else exc.message) + "."
    context: dict[str, Any] = {
        "round": row,
        "programme": programme,
        "others": others,
        "chosen": chosen,
        "comparison": comparison,
        "error": error,
        "offset": offset,
        "page_size": PAGE_SIZE,
        "figure": figure,
        "change": change,
    }
    status = 422 if error and comparison is None and chosen else 200
    return render(request, "compare.html", context, status)


@pages.get("/organise/{id}/outcomes")
@auth.logged_in()
async def outcomes_page(request: Request, caller: Caller) -> Response:
    """What became of a programme's introductions, round by round and in all."""
    programme_id = path_id(request, what="programme")
    async with transaction(services(request).pool, readonly=True) as conn:
        await roles.require_organiser(conn, programme_id, caller.person_id)
        programme = await programmes.get_programme(conn, caller.person_id, programme_id)
        found = await outcome_figures.programme_outcomes(conn, programme_id)
    chart = None
    if found.rounds:
        chart = await outcomes_figure(
            [
                RoundOutcomes(
                    label=r.published_at.strftime("%-d %b %Y") if r.published_at else "draft",
                    accepted=r.accepted,
                    declined=r.declined,
                    expired=r.expired,
                    pending=r.pending,
                )
                for r in found.rounds
            ]
        )
    context = {"programme": programme, "outcomes": found, "figure": figure, "chart": chart}
    return render(request, "outcomes.html", context)


def routes() -> list[Route]:
    """The compare and outcomes pages."""
    return pages.routes

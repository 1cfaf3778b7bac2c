"""The organisers' compare and outcomes pages, on the hand-made rounds and history of the API
tests: the same figures the API gives, in words and tables."""

from __future__ import annotations

import html
import re
import uuid

import httpx

from tests.api.test_outcomes import outcome_history
from tests.api.test_review import compare_case


def as_browser(client: httpx.AsyncClient, headers: dict[str, str]) -> httpx.AsyncClient:
    """The client with the session of ``headers`` as a cookie, as a browser holds it."""
    client.cookies.set("kickoff_session", headers["Authorization"].removeprefix("Bearer "))
    return client


def text(page: httpx.Response) -> str:
    """The page's words, tags and extra spaces left out."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())


async def test_the_compare_page_shows_every_figure_and_each_kind_of_pair(client, pool):
    case = await compare_case(client, pool)
    as_browser(client, case["headers"])
    page = await client.get(f"/organise/rounds/{case['before']}/compare")
    assert page.status_code == 200, page.text
    body = text(page)
    # The other round is chosen by default, and every figure has its before, after and change.
    assert f'<option value="{case["after"]}" selected' in page.text
    assert "Mentees matched 4 5 +1" in body
    assert "Coverage (share of mentees matched) 80.0 % 83.3 % +3.3 points" in body
    assert "1 changed (another mentor)" in body and "2 kept (same mentor)" in body
    assert "1 dropped (lost their mentor)" in body and "2 gained" in body
    assert "Bruno Nuno (0.700) Olga (0.650)" in body
    assert "Carla Olga (0.600) none" in body
    assert "weights.tools" in body  # the setting that differs

    # Comparing with a round of another programme, or something that is no round, says why.
    bad = await client.get(
        f"/organise/rounds/{case['before']}/compare", params={"with": "not-a-round"}
    )
    assert bad.status_code == 422 and "Choose one of the listed rounds" in text(bad)
    unknown = await client.get(
        f"/organise/rounds/{case['before']}/compare", params={"with": str(uuid.uuid4())}
    )
    assert unknown.status_code == 422 and "round" in text(unknown).lower()


async def test_compare_is_for_the_programmes_organisers(client, pool):
    case = await compare_case(client, pool)
    url = f"/organise/rounds/{case['before']}/compare"
    anonymous = await client.get(url)
    assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]
    outsider = await client.post(
        "/api/v1/people",
        json={
            "email": "otto@example.org",
            "password": "correct horse battery staple",
            "display_name": "Otto",
            "roles": ["mentee"],
            "timezone": "Europe/Lisbon",
            "languages": ["en"],
        },
    )
    assert outsider.status_code == 201, outsider.text
    await client.post(
        "/api/v1/auth/login",
        json={"email": "otto@example.org", "password": "correct horse battery staple"},
    )
    assert (await client.get(url)).status_code == 403
    assert (await client.get(f"/organise/{case['programme']['id']}/outcomes")).status_code == 403
    as_browser(client, case["boss"])  # a site admin may
    assert (await client.get(url)).status_code == 200


async def test_the_outcomes_page_follows_each_round_and_the_whole_programme(client, pool):
    history = await outcome_history(client, pool)
    as_browser(client, history["headers"])
    pid = history["programme"]["id"]
    page = await client.get(f"/organise/{pid}/outcomes")
    assert page.status_code == 200, page.text
    body = text(page)
    # Introductions, waiting, accepted, declined, expired, ended, median days, survey answers,
    # mean rating, still meeting: the API test's figures for each round and in all.
    assert "4 0 1 1 1 1 1.5 3 3.7 66.7 %" in body
    assert "2 1 1 0 0 0 2.0 1 3.0 100.0 %" in body
    assert "All introductions 7 2 2 1 1 1 1.8 4 3.5 75.0 %" in body
    assert f'href="/api/v1/programmes/{pid}/outcomes.csv"' in page.text
    # The same over time, drawn: an accessible SVG chart with its numbers beside it.
    assert '<figure class="chart">' in page.text and 'role="img"' in page.text


async def test_outcomes_of_a_programme_with_nothing_yet(client, pool):
    from tests.api.test_review import organised_programme

    owned, headers, _ = await organised_programme(client, pool)
    as_browser(client, headers)
    page = await client.get(f"/organise/{owned['id']}/outcomes")
    assert page.status_code == 200
    assert "No introduction has gone out" in text(page)

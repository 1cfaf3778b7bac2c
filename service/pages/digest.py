"""The digest's unsubscribe link, /unsubscribe/{token}: works without logging in.

GET shows a page with one button (opening the link changes nothing, so mail scanners that
follow links do not unsubscribe anyone); POST turns the digest off. The POST is deliberately
not CSRF-checked: RFC 8058's one-click unsubscribe is a POST from the mail client
(``List-Unsubscribe=One-Click``) that carries no cookie and no form token. The signed token in
the path is what authorises it (it names one person and cannot be guessed), and all a forged
POST could do with it is what the link's owner asked for: turn their digest off.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.digest import service as digest
from service.kit.db import transaction
from service.kit.html import Pages, render
from service.kit.state import services

pages = Pages()

NOT_VALID = (
    "This unsubscribe link is not valid. Check that it was copied whole, or turn the digest off"
    " in your profile."
)


@pages.get("/unsubscribe/{token}")
async def unsubscribe_page(request: Request) -> Response:
    """The page of a digest's unsubscribe link: one button stops the digest."""
    token = request.path_params["token"]
    try:
        digest.check_token(services(request).settings.secret, token)
    except digest.LinkRefused:
        return render(request, "unsubscribe.html", {"refused": NOT_VALID}, 404)
    return render(request, "unsubscribe.html", {"token": token})


@pages.post("/unsubscribe/{token}")
async def unsubscribe_submit(request: Request) -> Response:
    """Turn the digest off: the page's button, or a mail client's one-click POST (RFC 8058),
    which has no CSRF token (see the module's docstring)."""
    token = request.path_params["token"]
    found = services(request)
    try:
        async with transaction(found.pool) as conn:
            was_on = await digest.unsubscribe(conn, found.settings.secret, token)
    except digest.LinkRefused:
        return render(request, "unsubscribe.html", {"refused": NOT_VALID}, 404)
    return render(request, "unsubscribe.html", {"done": True, "was_on": was_on})


def routes() -> list[Route]:
    """The unsubscribe page."""
    return pages.routes

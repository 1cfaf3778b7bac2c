"""Server-rendered HTML pages (usable without JavaScript)."""

from starlette.routing import Route

from service.pages import account, compare, endpoints, invitation, organise


def routes() -> list[Route]:
    """Every HTML route of the pages package."""
    return [
        *endpoints.routes(),
        *account.routes(),
        *organise.routes(),
        *compare.routes(),
        *invitation.routes(),
    ]


__all__ = ["routes"]

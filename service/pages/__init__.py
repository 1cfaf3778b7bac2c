"""Server-rendered HTML pages (usable without JavaScript)."""

from starlette.routing import Route

from service.pages import (
    account,
    association_admin,
    associations,
    compare,
    endpoints,
    memberships,
    organise,
)


def routes() -> list[Route]:
    """Every HTML route of the pages package."""
    return [
        *endpoints.routes(),
        *account.routes(),
        *organise.routes(),
        *compare.routes(),
        *associations.routes(),
        *association_admin.routes(),
        *memberships.routes(),
    ]


__all__ = ["routes"]

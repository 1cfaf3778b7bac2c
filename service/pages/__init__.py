"""Server-rendered HTML pages (usable without JavaScript)."""

from starlette.routing import Route

from service.pages import (
    account,
    association_admin,
    associations,
    calendars,
    compare,
    digest,
    endpoints,
    event_forms,
    events,
    imports,
    invitation,
    members,
    memberships,
    next_steps,
    organise,
    programme_settings,
    rounds,
    suggestions,
    workspace,
)


def routes() -> list[Route]:
    """Every HTML route of the pages package."""
    return [
        *endpoints.routes(),
        *account.routes(),
        *organise.routes(),
        *workspace.routes(),
        *programme_settings.routes(),
        *members.routes(),
        *rounds.routes(),
        *compare.routes(),
        *invitation.routes(),
        *associations.routes(),
        *association_admin.routes(),
        *memberships.routes(),
        *imports.routes(),
        *event_forms.routes(),
        *events.routes(),
        *suggestions.routes(),
        *calendars.routes(),
        *next_steps.routes(),
        *digest.routes(),
    ]


__all__ = ["routes"]

"""Server-rendered HTML pages (usable without JavaScript)."""

from service.pages.endpoints import routes

__all__ = ["routes"]

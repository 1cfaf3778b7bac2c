"""GET /api/v1/taxonomy."""

from __future__ import annotations

from collections import Counter
from typing import Literal

from pydantic import TypeAdapter
from starlette.requests import Request
from starlette.responses import Response

from service.api import ApiRouter, parse_query, respond
from service.taxonomy import repository
from service.taxonomy.schemas import TaxonomyOut, TermOut

router = ApiRouter(tag="taxonomy")
_KIND = TypeAdapter(Literal["skill", "tool", "certification", "goal", "industry"] | None)


@router.route(
    "/taxonomy",
    "GET",
    summary="List skills, tools, certifications, goals and industries with their synonyms",
    response=TaxonomyOut,
    errors=(422,),
    query=(("kind", "string", "only terms of this kind"),),
)
async def get_taxonomy(request: Request) -> Response:
    """The seeded taxonomy, optionally filtered by kind."""
    kind = parse_query(request, "kind", _KIND, None)
    rows = await repository.list_terms(request.app.state.pool, kind)
    terms = [TermOut(**r) for r in rows]
    counts: Counter[str] = Counter(t.kind for t in terms)
    return respond(TaxonomyOut(terms=terms, counts=dict(counts)))

"""GET /api/v1/taxonomy."""

from __future__ import annotations

from collections import Counter
from typing import Literal

from pydantic import TypeAdapter
from starlette.responses import Response

from service.kit.api import ANYONE, ApiRouter, Call, respond
from service.taxonomy import repository
from service.taxonomy.schemas import TaxonomyOut, TermOut

router = ApiRouter(tag="taxonomy")
_KIND = TypeAdapter(Literal["skill", "tool", "certification", "goal", "industry"] | None)


@router.route(
    "/taxonomy",
    "GET",
    summary="List skills, tools, certifications, goals and industries with their synonyms",
    access=ANYONE,
    response=TaxonomyOut,
    errors=(422,),
    query=(("kind", "string", "only terms of this kind"),),
)
async def get_taxonomy(call: Call) -> Response:
    """The seeded taxonomy, optionally filtered by kind."""
    kind = call.query("kind", _KIND, None)
    async with call.transaction(readonly=True) as conn:
        rows = await repository.list_terms(conn, kind)
    terms = [TermOut(**r) for r in rows]
    counts: Counter[str] = Counter(t.kind for t in terms)
    return respond(TaxonomyOut(terms=terms, counts=dict(counts)))

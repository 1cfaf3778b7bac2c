"""Taxonomy queries."""

from __future__ import annotations

from typing import Any

from service.kit.db import Conn
from service.taxonomy.normalise import Taxonomy, Term


async def load_taxonomy(conn: Conn) -> Taxonomy:
    """Read terms, synonyms and goal needs into a :class:`Taxonomy`."""
    terms = await conn.fetch("SELECT slug, kind, label, description FROM taxonomy_terms")
    synonyms = await conn.fetch("SELECT synonym, slug FROM taxonomy_synonyms ORDER BY synonym")
    needs = await conn.fetch("SELECT goal, needs, weight FROM goal_needs ORDER BY goal, needs")
    return Taxonomy.build(
        (Term(r["slug"], r["kind"], r["label"], r["description"]) for r in terms),
        ((r["synonym"], r["slug"]) for r in synonyms),
        ((r["goal"], r["needs"], r["weight"]) for r in needs),
    )


async def list_terms(conn: Conn, kind: str | None) -> list[dict[str, Any]]:
    """Terms (optionally of one kind) with their synonyms and, for goals, what they need."""
    rows = await conn.fetch(
        """SELECT t.slug, t.kind, t.label, t.description,
                  COALESCE((SELECT array_agg(s.synonym ORDER BY s.synonym)
                              FROM taxonomy_synonyms s WHERE s.slug = t.slug), '{}') AS synonyms,
                  COALESCE((SELECT jsonb_object_agg(g.needs, g.weight)
                              FROM goal_needs g WHERE g.goal = t.slug), '{}') AS needs
             FROM taxonomy_terms t
            WHERE $1::text IS NULL OR t.kind = $1
            ORDER BY t.kind, t.slug""",
        kind,
    )
    return [dict(r) for r in rows]

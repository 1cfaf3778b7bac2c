"""The taxonomy seed in sql/0002_taxonomy_seed.sql: coverage, synonyms and goal needs."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from service.taxonomy import seedfile

SEED = Path(__file__).resolve().parents[2] / "sql" / "0002_taxonomy_seed.sql"
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_STR = r"'((?:[^']|'')*)'"
TERM_ROW = re.compile(rf"\(\s*{_STR}\s*,\s*{_STR}\s*,\s*{_STR}\s*,\s*{_STR}\s*\)")
PAIR_ROW = re.compile(rf"\(\s*{_STR}\s*,\s*{_STR}\s*\)")
NEED_ROW = re.compile(rf"\(\s*{_STR}\s*,\s*{_STR}\s*,\s*([0-9.]+)\s*\)")
MINIMA = {"skill": 40, "tool": 25, "certification": 18, "goal": 18, "industry": 12}
_NON_WORD = re.compile(r"[^\w+#]+|_")


def _unquote(text: str) -> str:
    return text.replace("''", "'")


def _key(text: str) -> str:
    """casefold, runs of anything but letters/digits/+/# to one space, strip."""
    return " ".join(_NON_WORD.sub(" ", text.casefold()).split())


def _section(sql: str, table: str) -> str:
    """The VALUES body of the INSERT into ``table`` (up to its terminating semicolon)."""
    match = re.search(
        rf"INSERT INTO {table}\s*\([^)]*\)\s*VALUES(.*?);\s*(?:$|\n\s*(?:--|INSERT))",
        sql,
        re.S,
    )
    assert match, f"no INSERT INTO {table}"
    # Drop comment lines so that they cannot be mistaken for rows.
    return "\n".join(
        line for line in match.group(1).splitlines() if not line.strip().startswith("--")
    )


def _parse() -> tuple[
    list[tuple[str, str, str, str]], list[tuple[str, str]], list[tuple[str, str, float]]
]:
    sql = SEED.read_text(encoding="utf-8")
    terms = [
        tuple(_unquote(g) for g in m.groups())
        for m in TERM_ROW.finditer(_section(sql, "taxonomy_terms"))
    ]
    synonyms = [
        (_unquote(a), _unquote(b)) for a, b in PAIR_ROW.findall(_section(sql, "taxonomy_synonyms"))
    ]
    needs = [
        (_unquote(g), _unquote(n), float(w))
        for g, n, w in NEED_ROW.findall(_section(sql, "goal_needs"))
    ]
    return terms, synonyms, needs  # type: ignore[return-value]


def test_file_starts_with_comment_and_has_no_ddl() -> None:
    sql = SEED.read_text(encoding="utf-8")
    assert sql.startswith("-- ")
    assert not re.search(r"\b(CREATE|DROP|ALTER)\s+TABLE\b", sql, re.I)


def test_row_counts_match_the_sql() -> None:
    """The regexes found every row (guards the parser itself)."""
    sql = SEED.read_text(encoding="utf-8")
    terms, synonyms, needs = _parse()
    body_rows = sum(
        1
        for line in sql.splitlines()
        if line.strip().startswith("(") and line.rstrip().endswith(("),", ");"))
    )
    assert body_rows == len(terms) + len(synonyms) + len(needs)


def test_counts_per_kind_meet_minima() -> None:
    terms, _, _ = _parse()
    counts = Counter(kind for _, kind, _, _ in terms)
    assert set(counts) == set(MINIMA)
    for kind, minimum in MINIMA.items():
        assert counts[kind] >= minimum, (kind, counts[kind])


def test_terms_are_well_formed_and_unique() -> None:
    terms, _, _ = _parse()
    slugs = [slug for slug, _, _, _ in terms]
    assert len(slugs) == len(set(slugs))
    for slug, _, label, description in terms:
        assert SLUG.match(slug), slug
        assert label.strip(), slug
        assert label == label.strip(), slug
        assert description.strip().endswith("."), slug
    labels = [_key(label) for _, _, label, _ in terms]
    assert len(labels) == len(set(labels)), [k for k, c in Counter(labels).items() if c > 1]


def test_at_least_80_synonyms_pointing_at_existing_terms() -> None:
    terms, synonyms, _ = _parse()
    slugs = {slug for slug, _, _, _ in terms}
    assert len(synonyms) >= 80
    for synonym, slug in synonyms:
        assert slug in slugs, (synonym, slug)
        assert synonym, slug
        assert synonym.strip() == synonym, synonym


def test_synonyms_unique_after_normalisation() -> None:
    _, synonyms, _ = _parse()
    keys = Counter(_key(s) for s, _ in synonyms)
    assert all(k for k in keys)
    dupes = [k for k, c in keys.items() if c > 1]
    assert dupes == [], dupes


def test_synonyms_do_not_repeat_any_slug_or_label() -> None:
    """Slugs and labels match automatically; a synonym equal to one is redundant or ambiguous."""
    terms, synonyms, _ = _parse()
    automatic = {_key(slug) for slug, _, _, _ in terms} | {_key(label) for _, _, label, _ in terms}
    clashes = [(s, slug) for s, slug in synonyms if _key(s) in automatic]
    assert clashes == [], clashes


def test_slugs_and_labels_do_not_clash_across_terms() -> None:
    terms, _, _ = _parse()
    owner: dict[str, str] = {}
    for slug, _, label, _ in terms:
        for k in {_key(slug), _key(label)}:
            assert owner.setdefault(k, slug) == slug, (k, owner[k], slug)


def test_goal_needs_reference_existing_terms_of_the_right_kind() -> None:
    terms, _, needs = _parse()
    kinds = {slug: kind for slug, kind, _, _ in terms}
    assert needs
    pairs = [(goal, need) for goal, need, _ in needs]
    assert len(pairs) == len(set(pairs))
    for goal, need, weight in needs:
        assert kinds.get(goal) == "goal", goal
        assert kinds.get(need) in {"skill", "tool", "certification"}, (goal, need)
        assert 0 < weight <= 1, (goal, need, weight)


def test_every_goal_has_two_to_six_needs() -> None:
    terms, _, needs = _parse()
    per_goal = Counter(goal for goal, _, _ in needs)
    for slug, kind, _, _ in terms:
        if kind == "goal":
            assert 2 <= per_goal[slug] <= 6, (slug, per_goal[slug])


def test_the_python_reader_reads_exactly_the_seeds_terms() -> None:
    """service.taxonomy.seedfile (what the demo generator uses) agrees with this parser."""
    terms, _, _ = _parse()
    read = [(t.slug, t.kind, t.label, t.description) for t in seedfile.seed_terms()]
    assert read == terms
    assert seedfile.seed_slugs("goal") == tuple(s for s, k, _, _ in terms if k == "goal")


def test_the_python_reader_refuses_a_row_it_cannot_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sql = SEED.read_text(encoding="utf-8").replace(
        "('scrum', 'skill', 'Scrum',", "('scrum', 'skill' 'Scrum',", 1
    )
    assert sql != SEED.read_text(encoding="utf-8")
    (tmp_path / SEED.name).write_text(sql, encoding="utf-8")
    monkeypatch.setattr(seedfile, "SEED_FILE", tmp_path / SEED.name)
    seedfile.seed_terms.cache_clear()
    try:
        with pytest.raises(ValueError, match="not a taxonomy_terms row"):
            seedfile.seed_terms()
    finally:
        seedfile.seed_terms.cache_clear()

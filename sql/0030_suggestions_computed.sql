-- When each person's suggestions were last computed, even when nothing could be suggested
-- (person_suggestions then has no row for them, and "being prepared" would never end), and
-- which state of the catalogue the last recomputation of everyone saw: the worker compares
-- that value, not times, with catalogue_changed_at (a change committed just after the
-- snapshot may carry an earlier time than the snapshot's).

CREATE TABLE person_suggestions_computed (
    person_id   uuid PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    computed_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE suggestions_state ADD COLUMN everyone_catalogue timestamptz;

-- Marking someone already marked moves their mark's time: a recomputation of everyone then
-- removes exactly the marks its snapshot saw (same person, same time), and keeps those of
-- people who changed again after it.
CREATE OR REPLACE FUNCTION suggestions_mark(people_ids uuid[]) RETURNS void
    LANGUAGE sql AS $$
    INSERT INTO suggestions_stale (person_id)
    SELECT DISTINCT p.id FROM people p
    WHERE p.id = ANY (people_ids) AND p.claimed_at IS NOT NULL
    ON CONFLICT (person_id) DO UPDATE SET since = excluded.since
$$;

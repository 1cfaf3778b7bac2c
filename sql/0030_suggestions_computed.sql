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

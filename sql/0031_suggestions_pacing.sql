-- How long the last recomputation of everyone took (from its snapshot to its last write): a
-- change to the catalogue waits as long again after it before the next one, when that is
-- long, so that the worker spends at most about half its time recomputing everyone and people
-- marked stale are refreshed in between.
ALTER TABLE suggestions_state ADD COLUMN everyone_took interval;

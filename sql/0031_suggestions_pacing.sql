-- Pacing recomputations of everyone, and admins counted as members.
--
-- How long the last recomputation of everyone took (from its snapshot to its last write): a
-- change to the catalogue waits as long again after it before the next one, when that is
-- long, so that the worker spends at most about half its time recomputing everyone and people
-- marked stale are refreshed in between.
ALTER TABLE suggestions_state ADD COLUMN everyone_took interval;

-- An association's admins belong to it as its members do (the recommender counts them so):
-- appointing or withdrawing one marks them stale too (sql/0028's functions).
CREATE TRIGGER suggestions_admins_inserted AFTER INSERT ON association_admins
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION suggestions_mark_new_rows();
CREATE TRIGGER suggestions_admins_deleted AFTER DELETE ON association_admins
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION suggestions_mark_old_rows();

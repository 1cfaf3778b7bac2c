-- Keeping suggestions fresh. A person's suggestions are recomputed by the worker soon after
-- their memberships, RSVPs, mentorships or profile change: the statements that change them
-- mark the person here, set-wise (statement triggers over transition tables, so a member
-- import of 100,000 rows costs one statement, not 100,000 calls), and only for people who
-- have an account (imported people are suggested nothing until they accept their
-- invitation, which marks them). A change to the catalogue (events, associations) is noted
-- once, and the worker then recomputes everyone.

CREATE TABLE suggestions_stale (
    person_id uuid PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    since     timestamptz NOT NULL DEFAULT now()
);

-- One row: when the catalogue last changed and when everyone was last recomputed.
CREATE TABLE suggestions_state (
    one                  boolean PRIMARY KEY DEFAULT true CHECK (one),
    catalogue_changed_at timestamptz NOT NULL DEFAULT now(),
    everyone_at          timestamptz
);
INSERT INTO suggestions_state DEFAULT VALUES;

CREATE FUNCTION suggestions_mark(people_ids uuid[]) RETURNS void
    LANGUAGE sql AS $$
    INSERT INTO suggestions_stale (person_id)
    SELECT DISTINCT p.id FROM people p
    WHERE p.id = ANY (people_ids) AND p.claimed_at IS NOT NULL
    ON CONFLICT (person_id) DO NOTHING
$$;

-- Memberships and RSVPs: the person of each row written or deleted.
CREATE FUNCTION suggestions_mark_new_rows() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM suggestions_mark(ARRAY(SELECT DISTINCT person_id FROM new_rows));
    RETURN NULL;
END $$;
CREATE FUNCTION suggestions_mark_old_rows() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM suggestions_mark(ARRAY(SELECT DISTINCT person_id FROM old_rows));
    RETURN NULL;
END $$;

-- An "invited" membership is an imported person's who has no account yet: skipped without
-- looking them up (an import's new members are all such).
CREATE FUNCTION suggestions_mark_memberships() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM suggestions_mark(ARRAY(SELECT DISTINCT person_id FROM new_rows
                                   WHERE status <> 'invited'));
    RETURN NULL;
END $$;
CREATE TRIGGER suggestions_members_inserted AFTER INSERT ON association_members
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION suggestions_mark_memberships();
CREATE TRIGGER suggestions_members_updated AFTER UPDATE ON association_members
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION suggestions_mark_memberships();
CREATE TRIGGER suggestions_members_deleted AFTER DELETE ON association_members
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION suggestions_mark_old_rows();
CREATE TRIGGER suggestions_rsvps_inserted AFTER INSERT ON event_rsvps
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION suggestions_mark_new_rows();
CREATE TRIGGER suggestions_rsvps_deleted AFTER DELETE ON event_rsvps
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION suggestions_mark_old_rows();
CREATE TRIGGER suggestions_availability_inserted AFTER INSERT ON availability_windows
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION suggestions_mark_new_rows();
CREATE TRIGGER suggestions_availability_deleted AFTER DELETE ON availability_windows
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION suggestions_mark_old_rows();

-- Mentorships: both people.
CREATE FUNCTION suggestions_mark_mentorships() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM suggestions_mark(ARRAY(SELECT mentee_id FROM new_rows
                                   UNION SELECT mentor_id FROM new_rows));
    RETURN NULL;
END $$;
CREATE TRIGGER suggestions_mentorships_inserted AFTER INSERT ON mentorships
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION suggestions_mark_mentorships();
CREATE TRIGGER suggestions_mentorships_updated AFTER UPDATE ON mentorships
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION suggestions_mark_mentorships();

-- People: a new account, and a profile whose suggestion-relevant fields changed (claiming an
-- imported profile included).
CREATE FUNCTION suggestions_mark_new_people() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM suggestions_mark(ARRAY(SELECT id FROM new_rows WHERE claimed_at IS NOT NULL));
    RETURN NULL;
END $$;
CREATE FUNCTION suggestions_mark_changed_people() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM suggestions_mark(ARRAY(
        SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.claimed_at IS NOT NULL AND (n.claimed_at, n.is_mentee, n.is_mentor, n.headline, n.bio, n.years_experience,
               n."current_role", n.city, n.country, n.timezone, n.languages, n.skills, n.goals,
               n.certifications_held, n.certifications_target, n.tools, n.industries,
               n.tag_texts)
              IS DISTINCT FROM
              (o.claimed_at, o.is_mentee, o.is_mentor, o.headline, o.bio, o.years_experience,
               o."current_role", o.city, o.country, o.timezone, o.languages, o.skills, o.goals,
               o.certifications_held, o.certifications_target, o.tools, o.industries,
               o.tag_texts)));
    RETURN NULL;
END $$;
CREATE TRIGGER suggestions_people_inserted AFTER INSERT ON people
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION suggestions_mark_new_people();
CREATE TRIGGER suggestions_people_updated AFTER UPDATE ON people
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION suggestions_mark_changed_people();

-- The catalogue: noted once per statement (for events, not when only their RSVP count moves).
CREATE FUNCTION suggestions_catalogue_changed() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    UPDATE suggestions_state SET catalogue_changed_at = now();
    RETURN NULL;
END $$;
CREATE TRIGGER suggestions_events_changed
    AFTER INSERT OR DELETE
          OR UPDATE OF association_id, title, kind, starts_at, ends_at, timezone, online, city,
                       country, latitude, longitude, tags, tag_texts, languages, capacity,
                       description, status
    ON events FOR EACH STATEMENT EXECUTE FUNCTION suggestions_catalogue_changed();
CREATE TRIGGER suggestions_associations_changed AFTER INSERT OR UPDATE OR DELETE ON associations
    FOR EACH STATEMENT EXECUTE FUNCTION suggestions_catalogue_changed();

-- Member imports, the columns the set-wise apply works on (sql/0020 made the tables).
--
-- Staged rows carry their normalised values in typed columns, so COPY writes them in binary
-- and the apply is plain INSERT ... SELECT / UPDATE ... FROM, with no JSON to build or take
-- apart per row. A NULL value means the file did not give it: it never erases what is stored.
-- ``data`` keeps the association's own facts about the member (chapter, notes, whether they
-- said they would mentor), which go to their membership.
ALTER TABLE import_rows
    ADD COLUMN display_name     text,
    ADD COLUMN member_ref       text,
    ADD COLUMN city             text,
    ADD COLUMN country          text,
    ADD COLUMN years_experience smallint,
    ADD COLUMN languages        text[],
    ADD COLUMN skills           text[],
    ADD COLUMN certifications   text[],
    ADD COLUMN tools            text[],
    -- Custom tags as the file wrote them, by slug (as people.tag_texts, sql/0015).
    ADD COLUMN tag_texts        jsonb,
    -- The invitation link a new person would be sent: its id and the SHA-256 of its token,
    -- made when the row is read (the token is an HMAC of the id, so only the worker can).
    ADD COLUMN link_id          uuid NOT NULL,
    ADD COLUMN link_hash        bytea NOT NULL;

-- Staged rows live only while their import runs (or until a run that died is run again), and
-- COPY maintaining this index cost a third of the staging time: erasing a person finds their
-- staged rows by scanning this small table instead.
DROP INDEX import_rows_email_idx;

-- A rejected row's address when it could be read: a full sync leaves that member's membership
-- alone (their row was refused, they did not leave), and erasing a person finds their rows.
ALTER TABLE import_rejects ADD COLUMN email text;
CREATE INDEX import_rejects_email_idx ON import_rejects (lower(email)) WHERE email IS NOT NULL;

-- What the association's file says about the member (chapter, notes, mentor yes/no), kept with
-- the membership: the association's own record, never written into anyone's profile.
ALTER TABLE association_members ADD COLUMN details jsonb NOT NULL DEFAULT '{}'::jsonb
    CHECK (jsonb_typeof(details) = 'object');

-- The file's column names in its order (the header row, made unique): the rejected-rows file
-- shows each refused row's original values under them.
ALTER TABLE imports ADD COLUMN columns text[] NOT NULL DEFAULT '{}';

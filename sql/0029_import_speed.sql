-- Member imports write one outbox row per new member (100,000 for a large file), so what each
-- outbox row costs matters.
--
-- The two subject checks said the same with bounded regular expressions ({1,64}), which
-- PostgreSQL's regex engine runs as a large automaton per row: about 12 µs a row, a third of
-- an invitation's outbox insert. The same rules, as a length and a character class:
ALTER TABLE outbox
    DROP CONSTRAINT outbox_subject_id_check,
    DROP CONSTRAINT outbox_subject_kind_check,
    ADD CONSTRAINT outbox_subject_id_check
        CHECK (char_length(subject_id) BETWEEN 1 AND 64 AND subject_id !~ '[^A-Za-z0-9-]'),
    ADD CONSTRAINT outbox_subject_kind_check
        CHECK (char_length(subject_kind) BETWEEN 1 AND 40 AND subject_kind !~ '[^a-z_]'
               AND left(subject_kind, 1) <> '_');

-- A Message-ID is outbox_message_id(kind, subject_id, recipient_id) (sql/0010), a function of
-- the unique (kind, subject_kind, subject_id, recipient_id) (each kind has one subject kind),
-- so its own unique index only cost a text index entry per email.
ALTER TABLE outbox DROP CONSTRAINT outbox_message_id_key;

-- Only introductions have a mentorship; the others (links, notices, digests) need no entry.
DROP INDEX outbox_mentorship_idx;
CREATE INDEX outbox_mentorship_idx ON outbox (mentorship_id) WHERE mentorship_id IS NOT NULL;

-- Which import last wrote a membership is a record, not a dependency: imports are only ever
-- deleted with their association, which takes its memberships with it. Its foreign key cost a
-- check per imported member.
ALTER TABLE association_members DROP CONSTRAINT association_members_import_fk;

-- An imported person's invitation link is now made when its email is delivered (its id is the
-- outbox row's subject, its token an HMAC of that id), not staged with every row of the file.
ALTER TABLE import_rows DROP COLUMN link_id, DROP COLUMN link_hash;

-- The outbox carries any email, not only those of a mentorship: each row names its subject, what
-- it is about (a mentorship, an invitation, a digest week), by kind and id. (kind, subject,
-- recipient) is unique: a second invitation or next week's digest to the same person is a new
-- message, a retry of the same one is not. mentorship_id stays for what delivery joins on (set
-- exactly when the subject is a mentorship).

-- The one definition of an email's Message-ID: <kind.subject id.recipient id@kickoff>, the same
-- on every attempt so a copy sent twice is recognisably the same message. Every INSERT INTO
-- outbox calls it and Python never formats one: most emails are queued set-wise by
-- INSERT ... SELECT (publishing, reminders, expiries, surveys) whose ids only the database
-- knows. A row keeps the id it was queued with, so changing this function later never changes
-- the Message-ID of an email already queued or sent.
CREATE FUNCTION outbox_message_id(kind text, subject_id text, recipient_id uuid) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT '<' || kind || '.' || subject_id || '.' || recipient_id::text || '@kickoff>' $$;

ALTER TABLE outbox
    ADD COLUMN subject_kind text,
    ADD COLUMN subject_id   text;

-- Every email queued so far was about a mentorship; their Message-IDs are left as they are
-- (and equal outbox_message_id of the new columns). A row without a mentorship could only
-- come from a direct call with none, whose Message-ID said "none": it keeps that subject.
UPDATE outbox
   SET subject_kind = CASE WHEN mentorship_id IS NULL THEN 'none' ELSE 'mentorship' END,
       subject_id = COALESCE(mentorship_id::text, 'none');

ALTER TABLE outbox
    ALTER COLUMN subject_kind SET NOT NULL,
    ALTER COLUMN subject_id SET NOT NULL,
    ADD CONSTRAINT outbox_subject_kind_check CHECK (subject_kind ~ '^[a-z][a-z_]{0,39}$'),
    -- Part of the Message-ID, so only what a dot-atom may hold: a uuid, a week like 2027-W05.
    ADD CONSTRAINT outbox_subject_id_check CHECK (subject_id ~ '^[A-Za-z0-9-]{1,64}$'),
    ADD CONSTRAINT outbox_mentorship_subject_check CHECK (
        (subject_kind = 'mentorship') = (mentorship_id IS NOT NULL)
        AND (mentorship_id IS NULL OR subject_id = mentorship_id::text)),
    DROP CONSTRAINT outbox_kind_mentorship_id_recipient_id_key,
    ADD CONSTRAINT outbox_kind_subject_recipient_key
        UNIQUE (kind, subject_kind, subject_id, recipient_id);

-- Introductions (double opt-in on a mentorship) and the transactional outbox of emails.

-- Each side's answer to the introduction; contact details are shared only once both accept.
ALTER TABLE mentorships
    ADD COLUMN mentee_answer      text CHECK (mentee_answer IN ('accepted', 'declined')),
    ADD COLUMN mentor_answer      text CHECK (mentor_answer IN ('accepted', 'declined')),
    ADD COLUMN mentee_answered_at timestamptz,
    ADD COLUMN mentor_answered_at timestamptz,
    ADD COLUMN introduced_at      timestamptz,
    ADD COLUMN reminded_at        timestamptz,
    ADD COLUMN accepted_at        timestamptz,
    ADD COLUMN closed_at          timestamptz;

ALTER TABLE mentorships DROP CONSTRAINT mentorships_status_check;
ALTER TABLE mentorships ADD CONSTRAINT mentorships_status_check
    CHECK (status IN ('pending', 'active', 'declined', 'expired', 'ended'));

-- One row per email to send. Written in the same transaction as what caused it, delivered by
-- workers; (kind, mentorship, recipient) is unique, so nothing is queued twice.
CREATE TABLE outbox (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind            text NOT NULL CHECK (char_length(kind) BETWEEN 1 AND 40),
    mentorship_id   uuid REFERENCES mentorships (id) ON DELETE CASCADE,
    recipient_id    uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    -- Stable across retries, so a copy sent twice is recognisably the same message.
    message_id      text NOT NULL UNIQUE,
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    UNIQUE (kind, mentorship_id, recipient_id)
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_mentorship_idx ON outbox (mentorship_id);

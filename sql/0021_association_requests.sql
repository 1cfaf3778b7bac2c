-- Programmes that association admins ask for: a site admin creates the programme (for the
-- association, its requester as organiser) or declines. Decided requests are kept as a record.
CREATE TABLE programme_requests (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    association_id uuid NOT NULL REFERENCES associations (id) ON DELETE CASCADE,
    requested_by   uuid REFERENCES people (id) ON DELETE SET NULL,
    name           text NOT NULL CHECK (char_length(btrim(name)) BETWEEN 1 AND 120),
    description    text NOT NULL DEFAULT '' CHECK (char_length(description) <= 2000),
    status         text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'created', 'declined')),
    programme_id   uuid REFERENCES programmes (id) ON DELETE SET NULL,
    decided_by     uuid REFERENCES people (id) ON DELETE SET NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    decided_at     timestamptz,
    CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE INDEX programme_requests_pending_idx ON programme_requests (created_at)
    WHERE status = 'pending';
CREATE INDEX programme_requests_association_idx
    ON programme_requests (association_id, created_at DESC);

-- Custom focus tags as their association typed them, by slug (as people.tag_texts, sql/0015).
ALTER TABLE associations
    ADD COLUMN focus_texts jsonb NOT NULL DEFAULT '{}'::jsonb
        CHECK (jsonb_typeof(focus_texts) = 'object');

-- Listing associations by name; member lists by status.
CREATE INDEX associations_name_idx ON associations (lower(name), id);
CREATE INDEX association_members_status_idx ON association_members (association_id, status);

-- Matching rounds, their proposed pairs and unmatched reasons, and organiser overrides.

CREATE TABLE rounds (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    programme_id uuid NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    status       text NOT NULL DEFAULT 'queued'
                 CHECK (status IN ('queued', 'running', 'draft', 'published', 'failed')),
    settings     jsonb NOT NULL,
    progress     real NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
    message      text NOT NULL DEFAULT '',
    metrics      jsonb,
    alternative  jsonb,
    created_by   uuid REFERENCES people (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    started_at   timestamptz,
    finished_at  timestamptz,
    published_at timestamptz
);
-- One round per programme queued or running at a time.
CREATE UNIQUE INDEX rounds_one_active ON rounds (programme_id) WHERE status IN ('queued', 'running');
CREATE INDEX rounds_programme_idx ON rounds (programme_id, created_at);

CREATE TABLE round_matches (
    round_id   uuid NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    mentee_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    mentor_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    score      double precision NOT NULL,
    components jsonb NOT NULL,
    reasons    jsonb NOT NULL,
    pinned     boolean NOT NULL DEFAULT false,
    PRIMARY KEY (round_id, mentee_id)
);
CREATE INDEX round_matches_mentor_idx ON round_matches (round_id, mentor_id);

CREATE TABLE round_unmatched (
    round_id  uuid NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    mentee_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    code      text NOT NULL,
    reason    text NOT NULL,
    details   jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (round_id, mentee_id)
);

-- Pairs an organiser pinned or forbade; they apply to every later round of the programme.
CREATE TABLE programme_overrides (
    programme_id uuid NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    mentee_id    uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    mentor_id    uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('pin', 'forbid')),
    created_by   uuid REFERENCES people (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (programme_id, mentee_id, mentor_id),
    CHECK (mentee_id <> mentor_id)
);

ALTER TABLE mentorships
    ADD CONSTRAINT mentorships_round_fk FOREIGN KEY (round_id) REFERENCES rounds (id) ON DELETE SET NULL;

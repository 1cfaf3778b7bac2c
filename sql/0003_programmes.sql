-- Site admins, programmes with their organisers and members, and mentorships.

ALTER TABLE people ADD COLUMN is_admin boolean NOT NULL DEFAULT false;

-- A named cohort ("PMI Lisbon spring 2027") with its matching settings.
CREATE TABLE programmes (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 120),
    description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 2000),
    settings    jsonb NOT NULL DEFAULT '{}',
    created_by  uuid REFERENCES people (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE programme_organisers (
    programme_id uuid NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    person_id    uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    appointed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (programme_id, person_id)
);
CREATE INDEX programme_organisers_person_idx ON programme_organisers (person_id);

CREATE TABLE programme_members (
    programme_id uuid NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    person_id    uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    joined_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (programme_id, person_id)
);
CREATE INDEX programme_members_person_idx ON programme_members (person_id);

-- A mentee and a mentor in a programme, from a mentee's request or a matching round.
CREATE TABLE mentorships (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    programme_id uuid NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    mentee_id    uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    mentor_id    uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    source       text NOT NULL CHECK (source IN ('request', 'round')),
    round_id     uuid,  -- the round that proposed it; rounds arrive in a later migration
    status       text NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'active', 'declined', 'ended')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (mentee_id <> mentor_id)
);

-- A mentee has at most one pending or active mentorship per programme.
CREATE UNIQUE INDEX mentorships_one_open_per_mentee
    ON mentorships (programme_id, mentee_id) WHERE status IN ('pending', 'active');
-- A mentor's load (pending + active, all programmes) is counted on every request.
CREATE INDEX mentorships_open_by_mentor
    ON mentorships (mentor_id) WHERE status IN ('pending', 'active');
CREATE INDEX mentorships_mentee_idx ON mentorships (mentee_id);

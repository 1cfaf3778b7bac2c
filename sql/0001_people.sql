-- People, their profiles, sessions, login throttling and the PM taxonomy tables.

CREATE TABLE taxonomy_terms (
    slug        text PRIMARY KEY CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    kind        text NOT NULL CHECK (kind IN ('skill', 'tool', 'certification', 'goal', 'industry')),
    label       text NOT NULL,
    description text NOT NULL DEFAULT ''
);

-- Alternative spellings ("Microsoft Project", "MSP"); matched case- and punctuation-insensitively.
CREATE TABLE taxonomy_synonyms (
    synonym text PRIMARY KEY,
    slug    text NOT NULL REFERENCES taxonomy_terms (slug) ON DELETE CASCADE
);

-- What a goal asks of a mentor: "earn-pmp" needs pmp, exam-preparation, ...
CREATE TABLE goal_needs (
    goal   text NOT NULL REFERENCES taxonomy_terms (slug) ON DELETE CASCADE,
    needs  text NOT NULL REFERENCES taxonomy_terms (slug) ON DELETE CASCADE,
    weight real NOT NULL DEFAULT 1.0 CHECK (weight > 0 AND weight <= 1),
    PRIMARY KEY (goal, needs)
);

CREATE TABLE people (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email                 text NOT NULL,
    password_hash         text NOT NULL,
    display_name          text NOT NULL,
    is_mentee             boolean NOT NULL DEFAULT false,
    is_mentor             boolean NOT NULL DEFAULT false,
    headline              text NOT NULL DEFAULT '',
    bio                   text NOT NULL DEFAULT '' CHECK (char_length(bio) <= 2000),
    years_experience      smallint NOT NULL DEFAULT 0 CHECK (years_experience BETWEEN 0 AND 60),
    "current_role"        text NOT NULL DEFAULT '',
    employer              text NOT NULL DEFAULT '',
    city                  text NOT NULL DEFAULT '',
    country               text NOT NULL DEFAULT '' CHECK (country = '' OR country ~ '^[A-Z]{2}$'),
    timezone              text NOT NULL,
    languages             text[] NOT NULL DEFAULT '{}',
    skills                text[] NOT NULL DEFAULT '{}',
    goals                 text[] NOT NULL DEFAULT '{}',
    certifications_held   text[] NOT NULL DEFAULT '{}',
    certifications_target text[] NOT NULL DEFAULT '{}',
    tools                 text[] NOT NULL DEFAULT '{}',
    industries            text[] NOT NULL DEFAULT '{}',
    meeting_modes         text[] NOT NULL DEFAULT '{remote}',
    mentor_capacity       smallint CHECK (mentor_capacity BETWEEN 1 AND 10),
    consent_to_match      boolean NOT NULL DEFAULT false,
    is_demo               boolean NOT NULL DEFAULT false,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CHECK (is_mentee OR is_mentor),
    CHECK (is_mentor = (mentor_capacity IS NOT NULL))
);

-- Emails are unique whatever their case.
CREATE UNIQUE INDEX people_email_lower_key ON people (lower(email));

-- Weekly windows in the person's own timezone; minutes from local midnight, end exclusive.
CREATE TABLE availability_windows (
    person_id    uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    weekday      smallint NOT NULL CHECK (weekday BETWEEN 0 AND 6),  -- 0 = Monday
    start_minute smallint NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute   smallint NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
    CHECK (start_minute < end_minute),
    PRIMARY KEY (person_id, weekday, start_minute)
);

-- Server-side sessions: only a hash of the cookie's token is stored.
CREATE TABLE sessions (
    token_hash   bytea PRIMARY KEY,
    person_id    uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    user_agent   text NOT NULL DEFAULT '',
    ip           text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_person_idx ON sessions (person_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- Failed logins, for throttling per email and per IP.
CREATE TABLE login_failures (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email_lower text NOT NULL,
    ip          text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_email_idx ON login_failures (email_lower, at);
CREATE INDEX login_failures_ip_idx ON login_failures (ip, at);

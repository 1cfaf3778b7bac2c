-- Associations (PMI chapters, local PM groups, universities, online communities, non-profits),
-- their admins, their members and API keys; member imports (staged with COPY, applied
-- set-wise in one transaction, rejected rows kept with their line and reason); invitations of
-- imported people by one-time emailed link.

CREATE TABLE associations (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL CHECK (char_length(btrim(name)) BETWEEN 1 AND 200),
    kind        text NOT NULL
                CHECK (kind IN ('chapter', 'local_group', 'university', 'online_community',
                                'nonprofit')),
    -- Online, or in a city and country (ISO 3166-1 alpha-2).
    online      boolean NOT NULL DEFAULT false,
    city        text NOT NULL DEFAULT '' CHECK (char_length(city) <= 100),
    country     text CHECK (country ~ '^[A-Z]{2}$'),
    website     text NOT NULL DEFAULT '' CHECK (char_length(website) <= 300),
    description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 4000),
    -- Taxonomy slugs (custom ones as for profiles) and ISO 639-1 codes.
    focus       text[] NOT NULL DEFAULT '{}',
    languages   text[] NOT NULL DEFAULT '{}',
    is_demo     boolean NOT NULL DEFAULT false,
    created_by  uuid REFERENCES people (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX associations_country_idx ON associations (country);

CREATE TABLE association_admins (
    association_id uuid NOT NULL REFERENCES associations (id) ON DELETE CASCADE,
    person_id      uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    appointed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (association_id, person_id)
);
CREATE INDEX association_admins_person_idx ON association_admins (person_id);

-- A person's membership of an association. source: how it began (a member import, the person
-- declaring it on their profile, an invitation). status: requested (self-declared, waiting for
-- the association to confirm), invited (imported, not yet in Kickoff), active, ended.
CREATE TABLE association_members (
    association_id uuid NOT NULL REFERENCES associations (id) ON DELETE CASCADE,
    person_id      uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    member_ref     text NOT NULL DEFAULT '' CHECK (char_length(member_ref) <= 100),
    source         text NOT NULL CHECK (source IN ('import', 'self_declared', 'invitation')),
    status         text NOT NULL CHECK (status IN ('requested', 'invited', 'active', 'ended')),
    -- The import that last wrote this membership (NULL for the others).
    import_id      uuid,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    ended_at       timestamptz,
    PRIMARY KEY (association_id, person_id),
    CHECK ((status = 'ended') = (ended_at IS NOT NULL))
);
CREATE INDEX association_members_person_idx ON association_members (person_id);

-- Keys for automation, scoped to one association: only a SHA-256 of the key is kept; the key
-- itself is shown once, when created. prefix: its first characters, to tell keys apart.
CREATE TABLE association_api_keys (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    association_id uuid NOT NULL REFERENCES associations (id) ON DELETE CASCADE,
    name           text NOT NULL CHECK (char_length(btrim(name)) BETWEEN 1 AND 100),
    prefix         text NOT NULL,
    key_hash       bytea NOT NULL UNIQUE,
    created_by     uuid REFERENCES people (id) ON DELETE SET NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_used_at   timestamptz,
    revoked_at     timestamptz
);
CREATE INDEX association_api_keys_association_idx ON association_api_keys (association_id);

-- A programme may belong to an association (asked for by its admins).
ALTER TABLE programmes
    ADD COLUMN association_id uuid REFERENCES associations (id) ON DELETE SET NULL;

-- One member import: a background job with progress and the counts of what it did.
CREATE TABLE imports (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    association_id    uuid NOT NULL REFERENCES associations (id) ON DELETE CASCADE,
    -- Who asked: a person (page, API with a session, CLI) or an API key.
    created_by        uuid REFERENCES people (id) ON DELETE SET NULL,
    api_key_id        uuid REFERENCES association_api_keys (id) ON DELETE SET NULL,
    file_name         text NOT NULL DEFAULT '' CHECK (char_length(file_name) <= 255),
    -- Where the uploaded file waits for the worker (under the state directory); NULL once the
    -- import is done or failed (the file is deleted then).
    file_path         text,
    file_format       text NOT NULL DEFAULT '' CHECK (file_format IN ('', 'csv', 'xlsx', 'ods')),
    encoding          text NOT NULL DEFAULT '',
    delimiter         text NOT NULL DEFAULT '',
    -- The admin's column mapping (file header -> field), and whether members absent from the
    -- file end their membership.
    mapping           jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(mapping) = 'object'),
    full_sync         boolean NOT NULL DEFAULT false,
    status            text NOT NULL DEFAULT 'queued'
                      CHECK (status IN ('queued', 'running', 'done', 'failed')),
    progress          real NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
    message           text NOT NULL DEFAULT '',
    rows_read         integer NOT NULL DEFAULT 0,
    created           integer NOT NULL DEFAULT 0,
    linked            integer NOT NULL DEFAULT 0,
    updated           integer NOT NULL DEFAULT 0,
    unchanged         integer NOT NULL DEFAULT 0,
    rejected          integer NOT NULL DEFAULT 0,
    duplicates_merged integer NOT NULL DEFAULT 0,
    ended             integer NOT NULL DEFAULT 0,
    invitations       integer NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL DEFAULT now(),
    started_at        timestamptz,
    finished_at       timestamptz
);
CREATE INDEX imports_association_idx ON imports (association_id, created_at DESC);

ALTER TABLE association_members
    ADD CONSTRAINT association_members_import_fk
        FOREIGN KEY (import_id) REFERENCES imports (id) ON DELETE SET NULL;

-- Rows a worker has read and normalised, waiting to be applied set-wise (COPY in, then
-- INSERT ... SELECT / UPDATE ... FROM). Emptied when the import is applied or fails; erasing a
-- person removes any staged row holding their email.
CREATE UNLOGGED TABLE import_rows (
    import_id  uuid NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    line       integer NOT NULL,
    email      text NOT NULL,
    data       jsonb NOT NULL,
    PRIMARY KEY (import_id, line)
);
CREATE INDEX import_rows_email_idx ON import_rows (lower(email));

-- Rows an import refused: the original values, the line in the file and why.
CREATE TABLE import_rejects (
    import_id uuid NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    line      integer NOT NULL,
    reason    text NOT NULL,
    -- The row as read (header -> value), for the rejected-rows CSV.
    data      jsonb NOT NULL,
    PRIMARY KEY (import_id, line)
);

-- An invitation to an imported person who is not in Kickoff yet is a one-time emailed link,
-- like verification and reset links.
ALTER TABLE email_links DROP CONSTRAINT email_links_purpose_check;
ALTER TABLE email_links ADD CONSTRAINT email_links_purpose_check
    CHECK (purpose IN ('verify_email', 'password_reset', 'invitation'));

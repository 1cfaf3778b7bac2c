-- Email verification and password reset.
--
-- A person's address is verified once they follow a link emailed to it; until then they can log
-- in and edit their profile but are in no round and are introduced to no one. Changing the
-- address makes it unverified again. Everyone signed up before this migration counts as
-- verified: they signed up when Kickoff did not ask, and nothing they had is taken away.
ALTER TABLE people ADD COLUMN email_verified_at timestamptz;

UPDATE people SET email_verified_at = claimed_at WHERE claimed_at IS NOT NULL;

-- Nobody is verified before signing up: claiming a person (sql/0011) starts unverified too.
ALTER TABLE people ADD CONSTRAINT people_verified_signed_up_check
    CHECK (email_verified_at IS NULL OR claimed_at IS NOT NULL);

-- One-time links sent by email: verify an address, or reset a password. Only a SHA-256 of the
-- link's token is stored, so this table does not give anyone a working link. A link works once
-- (used_at), until expires_at, and only while its person still has the address it was sent to.
CREATE TABLE email_links (
    id         uuid PRIMARY KEY,
    purpose    text NOT NULL CHECK (purpose IN ('verify_email', 'password_reset')),
    person_id  uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    email      text NOT NULL,
    token_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX email_links_person_idx ON email_links (person_id, purpose);
CREATE INDEX email_links_expires_idx ON email_links (expires_at);

-- Requests that rate limits count (a resent verification, a password reset asked for), by what
-- each limit is kept per: a person, an email address (lower case) or an IP address.
CREATE TABLE rate_limit_hits (
    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    action text NOT NULL CHECK (action ~ '^[a-z][a-z_]{0,39}$'),
    key    text NOT NULL,
    at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rate_limit_hits_key_idx ON rate_limit_hits (action, key, at);
CREATE INDEX rate_limit_hits_at_idx ON rate_limit_hits (at);

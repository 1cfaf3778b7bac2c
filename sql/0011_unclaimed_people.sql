-- A person can exist before signing up: created by someone else (an import, an invitation) from
-- an email and perhaps a name, and not yet claimed. Until they sign up with that email (which
-- claims the row) they have no password, no role, no timezone, no consent to be matched and
-- no admin rights: they cannot log in, and no round, list, count, lookup by email or export
-- of anyone else shows them. Signed-up people stay as strict as before.
ALTER TABLE people ADD COLUMN claimed_at timestamptz;

-- Everyone so far signed up themselves.
UPDATE people SET claimed_at = created_at;

ALTER TABLE people
    -- Whoever is inserted without saying otherwise has signed up now.
    ALTER COLUMN claimed_at SET DEFAULT now(),
    ALTER COLUMN password_hash DROP NOT NULL,
    ALTER COLUMN display_name DROP NOT NULL,
    ALTER COLUMN timezone DROP NOT NULL,
    DROP CONSTRAINT people_check,  -- CHECK (is_mentee OR is_mentor), now for signed-up people
    ADD CONSTRAINT people_signed_up_check CHECK (
        claimed_at IS NULL
        OR (password_hash IS NOT NULL AND display_name IS NOT NULL AND timezone IS NOT NULL
            AND (is_mentee OR is_mentor))),
    ADD CONSTRAINT people_unclaimed_check CHECK (
        claimed_at IS NOT NULL
        OR (password_hash IS NULL AND NOT is_mentee AND NOT is_mentor AND NOT consent_to_match
            AND NOT is_admin));

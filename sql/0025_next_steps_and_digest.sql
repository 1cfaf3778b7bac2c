-- What the certification rules need to know about a person (all optional: NULL is "not said"),
-- and the weekly digest setting. People created by an import or invitation (not claimed yet)
-- never get the digest: they have not consented to any email but their invitation.
ALTER TABLE people
    -- Highest education: 'bachelor' is a four-year degree (PMI's "four-year degree").
    ADD COLUMN education text
        CHECK (education IN ('secondary', 'bachelor', 'master', 'doctorate')),
    ADD COLUMN months_leading_projects smallint
        CHECK (months_leading_projects BETWEEN 0 AND 600),
    -- Contact hours of project-management education (courses, training).
    ADD COLUMN pm_education_hours smallint
        CHECK (pm_education_hours BETWEEN 0 AND 10000),
    -- Opted in to the weekly digest email (off unless the person turns it on).
    ADD COLUMN digest boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT people_digest_claimed_check CHECK (claimed_at IS NOT NULL OR NOT digest);

-- The weekly digest job looks for the opted-in people.
CREATE INDEX people_digest_idx ON people (id) WHERE digest AND claimed_at IS NOT NULL;

-- An email queued but no longer wanted when its turn to be sent came (a digest whose reader
-- turned the digest off meanwhile): never sent, kept with why in last_error.
ALTER TABLE outbox
    DROP CONSTRAINT outbox_status_check,
    ADD CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'sent', 'failed', 'withdrawn'));

-- When an outbox email was last handed to the job queue, and how often: the sweeper re-enqueues
-- an email only if no delivery job for it can still be alive (a lost job, a killed worker).
ALTER TABLE outbox
    ADD COLUMN enqueued_at timestamptz DEFAULT now(),
    ADD COLUMN enqueues    integer NOT NULL DEFAULT 1;
